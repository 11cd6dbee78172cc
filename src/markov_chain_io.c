/*
 * markov_chain_io.c — text and binary I/O of the journey_markov_chain type
 * (layout, validation and both forms: src/engine/markov_chain.h).  Errors:
 * 22P02 (text), 22P03 (binary), 22003 (a number out of range), 08P01
 * (message too short), 54000 (a value above 1 GB).
 */
#include "attribution_glue.h"

#include "mb/pg_wchar.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(jy_markov_chain_in);
PG_FUNCTION_INFO_V1(jy_markov_chain_out);
PG_FUNCTION_INFO_V1(jy_markov_chain_recv);
PG_FUNCTION_INFO_V1(jy_markov_chain_send);

#define TYPE_NAME "journey_markov_chain"

void
jy_mk_too_big(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("Markov chain is too large"),
			 errdetail("A journey_markov_chain value holds at most 1 GB of transition counts."),
			 errhint("Use a lower order or group rare channels into one.")));
}

static bool
name_ok(const char *p, size_t len, void *arg)
{
	(void) arg;
	return pg_verifymbstr(p, (int) len, true);
}

void
jy_mk_validate(const JyMkFlat *f, Size size, int invalid_errcode)
{
	JyCodecError err;

	if (jy_mkc_validate(f, size, name_ok, NULL, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, TYPE_NAME, NULL, invalid_errcode);
}

/* a zeroed flat value of `size` bytes (huge: the limit is checked by the caller) */
static JyMkFlat *
flat_alloc(Size size)
{
	JyMkFlat   *f = palloc_extended(size, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);

	SET_VARSIZE(f, size);
	return f;
}

Datum
jy_markov_chain_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	JyMkFlat	hdr;
	JyMkFlat   *f;
	JyCodecError err;
	size_t		size = 0;

	/* measure, then read again into a value of that size */
	if (jy_mkc_parse_text(str, &hdr, NULL, &size, jy_tick, NULL, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, TYPE_NAME, str, ERRCODE_INVALID_TEXT_REPRESENTATION);
	if (size > JY_MKC_MAX_BYTES)
		jy_mk_too_big();
	f = flat_alloc(size);
	if (jy_mkc_parse_text(str, &hdr, f, &size, jy_tick, NULL, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, TYPE_NAME, str, ERRCODE_INVALID_TEXT_REPRESENTATION);
	jy_mk_validate(f, size, ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_POINTER(f);
}

Datum
jy_markov_chain_out(PG_FUNCTION_ARGS)
{
	JyMkFlat   *f = DatumGetMkFlatP(PG_GETARG_DATUM(0));
	size_t		len = jy_mkc_print_text(f, NULL, jy_tick, NULL);
	char	   *out;

	/* a cstring stays below 1 GB (a StringInfo said "out of memory", 54000) */
	if (len >= MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey_markov_chain text form is too large"),
				 errdetail("The text form would take %zu bytes; at most 1 GB is supported.", len + 1),
				 errhint("Use the binary form (COPY ... WITH (FORMAT binary)) or a lower order.")));
	out = palloc(len + 1);
	jy_mkc_print_text(f, out, jy_tick, NULL);
	PG_RETURN_CSTRING(out);
}

Datum
jy_markov_chain_recv(PG_FUNCTION_ARGS)
{
	size_t		len,
				size = 0,
				used = 0;
	const uint8 *p = jy_recv_bytes(fcinfo, &len);
	JyMkFlat	hdr;
	JyMkFlat   *f;
	JyCodecError err;

	/* measure (header and names), then decode into a value of that size */
	if (jy_mkc_recv(p, len, &hdr, NULL, &size, &used, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, TYPE_NAME, NULL, ERRCODE_INVALID_BINARY_REPRESENTATION);
	f = flat_alloc(size);
	if (jy_mkc_recv(p, len, &hdr, f, &size, &used, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, TYPE_NAME, NULL, ERRCODE_INVALID_BINARY_REPRESENTATION);
	jy_recv_consumed(fcinfo, used);
	jy_mk_validate(f, size, ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_POINTER(f);
}

Datum
jy_markov_chain_send(PG_FUNCTION_ARGS)
{
	JyMkFlat   *f = DatumGetMkFlatP(PG_GETARG_DATUM(0));
	uint8	   *data;
	bytea	   *r = jy_bytea_alloc(jy_mkc_send_size(f), &data);

	jy_mkc_send(f, data);
	PG_RETURN_BYTEA_P(r);
}
