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
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	const uint8 *p = (const uint8 *) buf->data + buf->cursor;
	size_t		len = (size_t) (buf->len - buf->cursor),
				used = 0;
	JyCodecError err;
	JySessionStats *s;
	uint32		n;

	if (jy_ss_recv_header(p, len, &n, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, "session_stats", NULL, ERRCODE_INVALID_BINARY_REPRESENTATION);
	s = ss_alloc(n);
	if (jy_ss_recv(p, len, s, &used, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, "session_stats", NULL, ERRCODE_INVALID_BINARY_REPRESENTATION);
	buf->cursor += (int) used;
	PG_RETURN_POINTER(s);
}

Datum
jy_session_stats_send(PG_FUNCTION_ARGS)
{
	JySessionStats *s = PG_GETARG_SESSION_STATS_P(0);
	size_t		n = jy_ss_send_size(s);
	bytea	   *r = (bytea *) palloc(VARHDRSZ + n);

	SET_VARSIZE(r, VARHDRSZ + n);
	jy_ss_send(s, (uint8 *) VARDATA(r));
	PG_RETURN_BYTEA_P(r);
}
