/*
 * funnel_summary_io.c — text and binary I/O of the funnel_summary type
 * (format and rules: src/engine/funnel_summary.h).  Errors: 22P02 (text),
 * 22P03 (binary), 22003 (a number out of range), 08P01 (message too short).
 */
#include "funnel_summary_type.h"

#include "lib/stringinfo.h"

PG_FUNCTION_INFO_V1(jy_funnel_summary_in);
PG_FUNCTION_INFO_V1(jy_funnel_summary_out);
PG_FUNCTION_INFO_V1(jy_funnel_summary_recv);
PG_FUNCTION_INFO_V1(jy_funnel_summary_send);

Datum
jy_funnel_summary_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	size_t		room = jy_fs_text_max_size(str),
				used = 0;
	JyFunnelSummary *s = (JyFunnelSummary *) palloc(room);
	JyCodecError err;

	if (jy_fs_parse_text(str, s, room, &used, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, "funnel_summary", str, ERRCODE_INVALID_TEXT_REPRESENTATION);
	SET_VARSIZE(s, used);
	PG_RETURN_POINTER(s);
}

Datum
jy_funnel_summary_out(PG_FUNCTION_ARGS)
{
	JyFunnelSummary *s = PG_GETARG_FUNNEL_SUMMARY_P(0);
	char	   *out = palloc(jy_fs_print_text(s, NULL) + 1);

	jy_fs_print_text(s, out);
	PG_RETURN_CSTRING(out);
}

Datum
jy_funnel_summary_recv(PG_FUNCTION_ARGS)
{
	size_t		len,
				total;
	const uint8 *p = jy_recv_bytes(fcinfo, &len);
	uint32		nsteps;
	JyCodecError err;
	JyFunnelSummary *s;

	if (jy_fs_recv_header(p, len, &nsteps, &total, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, "funnel_summary", NULL, ERRCODE_INVALID_BINARY_REPRESENTATION);
	s = fs_alloc(nsteps, total);
	if (jy_fs_recv(p, len, s, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, "funnel_summary", NULL, ERRCODE_INVALID_BINARY_REPRESENTATION);
	jy_recv_consumed(fcinfo, len);		/* the message is the value: nothing may follow */
	PG_RETURN_POINTER(s);
}

Datum
jy_funnel_summary_send(PG_FUNCTION_ARGS)
{
	JyFunnelSummary *s = PG_GETARG_FUNNEL_SUMMARY_P(0);
	uint8	   *data;
	bytea	   *r = jy_bytea_alloc(jy_fs_send_size(s), &data);

	jy_fs_send(s, data);
	PG_RETURN_BYTEA_P(r);
}
