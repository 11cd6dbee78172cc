/*
 * session_stats_io.c — text and binary I/O of the session_stats type
 * (format and rules: src/engine/session_stats.h).  Errors: 22P02 (text),
 * 22P03 (binary), 22003 (a number out of range), 08P01 (message too short).
 */
#include "session_stats_type.h"

#include "lib/stringinfo.h"

PG_FUNCTION_INFO_V1(jy_session_stats_in);
PG_FUNCTION_INFO_V1(jy_session_stats_out);
PG_FUNCTION_INFO_V1(jy_session_stats_recv);
PG_FUNCTION_INFO_V1(jy_session_stats_send);

Datum
jy_session_stats_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	uint32		cap = jy_ss_text_max_entries(str);
	JySessionStats *s = (JySessionStats *) palloc(JY_SS_SIZE(cap));
	JyCodecError err;

	if (jy_ss_parse_text(str, s, cap, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, "session_stats", str, ERRCODE_INVALID_TEXT_REPRESENTATION);
	SET_VARSIZE(s, JY_SS_SIZE(s->nentries));
	PG_RETURN_POINTER(s);
}

Datum
jy_session_stats_out(PG_FUNCTION_ARGS)
{
	JySessionStats *s = PG_GETARG_SESSION_STATS_P(0);
	char	   *out = palloc(jy_ss_print_text(s, NULL) + 1);

	jy_ss_print_text(s, out);
	PG_RETURN_CSTRING(out);
}

Datum
jy_session_stats_recv(PG_FUNCTION_ARGS)
{
	size_t		len,
				used = 0;
	const uint8 *p = jy_recv_bytes(fcinfo, &len);
	JyCodecError err;
	JySessionStats *s;
	uint32		n;

	if (jy_ss_recv_header(p, len, &n, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, "session_stats", NULL, ERRCODE_INVALID_BINARY_REPRESENTATION);
	s = ss_alloc(n);
	if (jy_ss_recv(p, len, s, &used, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, "session_stats", NULL, ERRCODE_INVALID_BINARY_REPRESENTATION);
	jy_recv_consumed(fcinfo, used);
	PG_RETURN_POINTER(s);
}

Datum
jy_session_stats_send(PG_FUNCTION_ARGS)
{
	JySessionStats *s = PG_GETARG_SESSION_STATS_P(0);
	uint8	   *data;
	bytea	   *r = jy_bytea_alloc(jy_ss_send_size(s), &data);

	jy_ss_send(s, data);
	PG_RETURN_BYTEA_P(r);
}
