/*
 * kmeans_model_io.c — text and binary I/O of the kmeans_model type (layout,
 * rules and both forms: src/engine/kmeans_model.h), and the check of a
 * fitted model.  Errors: 22P02 (text), 22P03 (binary), 22003 (a number out
 * of range), 08P01 (message too short).  The jsonb cast is SQL
 * (kmeans_model_to_jsonb in src/sql/80_json.sql).
 */
#include "kmeans_glue.h"

#include "lib/stringinfo.h"

#include "jy_agg.h"
#include "summary_type.h"

PG_FUNCTION_INFO_V1(jy_kmeans_model_in);
PG_FUNCTION_INFO_V1(jy_kmeans_model_out);
PG_FUNCTION_INFO_V1(jy_kmeans_model_recv);
PG_FUNCTION_INFO_V1(jy_kmeans_model_send);

#define TYPE_NAME "kmeans_model"

KmModel *
jy_km_model_alloc(MemoryContext cxt, int k, int d)
{
	KmModel    *m = (KmModel *) MemoryContextAlloc(cxt, jy_kmm_size(k, d));

	jy_kmm_init(m, k, d);
	SET_VARSIZE(m, jy_kmm_size(k, d));
	return m;
}

/*
 * Never return a model that kmeans_model_in / _recv would reject: a dump of
 * it could not be restored.  With features bounded by JY_KMM_FEATURE_MAX
 * this does not happen; the check is cheap (O(k * dims)) and turns any
 * numerical surprise into an error instead of an unrestorable value.
 */
void
jy_km_model_check_fitted(const KmModel *m)
{
	JyCodecError err;

	if (jy_kmm_validate(m, &err) != JY_CODEC_OK)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("kmeans result is not representable"),
				 errdetail("%s", err.msg),
				 errhint("Rescale the features to a smaller range.")));
}

Datum
jy_kmeans_model_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	JyTs		ts;
	JyKmModel	h;
	JyCodecError err;
	KmModel    *m;

	jy_ts_init(&ts, str);
	if (jy_kmm_parse_header(&ts, &h, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, TYPE_NAME, str, ERRCODE_INVALID_TEXT_REPRESENTATION);
	m = jy_km_model_alloc(CurrentMemoryContext, h.k, h.dims);
	if (jy_kmm_parse_body(&ts, &h, m, &err, jy_tick, NULL) != JY_CODEC_OK)
		jy_codec_ereport(&err, TYPE_NAME, str, ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_POINTER(m);
}

Datum
jy_kmeans_model_out(PG_FUNCTION_ARGS)
{
	KmModel    *m = PG_GETARG_KMMODEL_P(0);
	char	   *out = palloc_extended(jy_kmm_text_bound(m->k, m->dims), MCXT_ALLOC_HUGE);

	jy_kmm_print(m, out, jy_tick, NULL);
	PG_RETURN_CSTRING(out);
}

Datum
jy_kmeans_model_recv(PG_FUNCTION_ARGS)
{
	size_t		len;
	const uint8 *p = jy_recv_bytes(fcinfo, &len);
	JyKmModel	h;
	JyCodecError err;
	KmModel    *m;

	if (jy_kmm_recv_header(p, len, &h, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, TYPE_NAME, NULL, ERRCODE_INVALID_BINARY_REPRESENTATION);
	m = jy_km_model_alloc(CurrentMemoryContext, h.k, h.dims);
	if (jy_kmm_recv_body(p, len, &h, m, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, TYPE_NAME, NULL, ERRCODE_INVALID_BINARY_REPRESENTATION);
	jy_recv_consumed(fcinfo, len);
	PG_RETURN_POINTER(m);
}

Datum
jy_kmeans_model_send(PG_FUNCTION_ARGS)
{
	KmModel    *m = PG_GETARG_KMMODEL_P(0);
	uint8	   *data;
	bytea	   *r = jy_bytea_alloc(jy_kmm_send_size(m), &data);

	jy_kmm_send(m, data);
	PG_RETURN_BYTEA_P(r);
}
