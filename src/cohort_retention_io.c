/*
 * cohort_retention_io.c — the cohort_retention type: text and binary I/O,
 * cohort_retention_merge(a, b) and the transition / combine function of
 * rollup(cohort_retention).  The layout, validation, both forms and the merge
 * are the engine's (src/engine/retention_codec.h); here: allocation and the
 * mapping of its status codes to SQLSTATEs.
 */
#include "retention_glue.h"


PG_FUNCTION_INFO_V1(jy_cohort_retention_in);
PG_FUNCTION_INFO_V1(jy_cohort_retention_out);
PG_FUNCTION_INFO_V1(jy_cohort_retention_recv);
PG_FUNCTION_INFO_V1(jy_cohort_retention_send);
PG_FUNCTION_INFO_V1(jy_cohort_retention_merge);

#define TYPE_NAME "cohort_retention"

/* ---- values ---------------------------------------------------------------- */

CohortRetention *
cr_alloc(uint8 unit, uint8 ctype, int32 periods, int64 window, const char *tz, uint16 tzlen,
		 int64 last_period, uint32 ncohorts)
{
	Size		sz = jy_cr_size(tzlen, periods, ncohorts);
	CohortRetention *r;

	if (sz == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cohort_retention value too large"),
				 errdetail("%u cohorts of %d periods need more than 1 GB.", ncohorts, periods)));
	r = (CohortRetention *) palloc0(sz);
	SET_VARSIZE(r, sz);
	jy_cr_init(r, unit, ctype, periods, window, tz, tzlen, last_period, ncohorts);
	return r;
}

void
cr_check(const CohortRetention *r, Size size, int errc)
{
	JyCodecError err;

	if (jy_cr_validate(r, size, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, TYPE_NAME, NULL, errc);
}

int64
cr_total_users(const CohortRetention *r)
{
	int64_t		n;

	if (!jy_cr_total_users(r, &n))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cohort_retention user count out of range")));
	return n;
}

/* ---- text I/O --------------------------------------------------------------- */

static void *
grow_palloc(void *old, size_t bytes, void *arg)
{
	(void) arg;
	return old ? repalloc(old, bytes) : palloc(bytes);
}

Datum
jy_cohort_retention_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	JyScan		s;
	JyCodecError err;
	JyCrText	t;
	CohortRetention *r;

	jy_ts_init(&s, str, &err);
	if (jy_cr_parse_text(&s, &t, grow_palloc, NULL) != JY_CODEC_OK)
		jy_codec_ereport(&err, TYPE_NAME, str, ERRCODE_INVALID_TEXT_REPRESENTATION);
	r = cr_alloc(t.unit, t.ctype, t.periods, t.window_us, t.tz, t.tzlen, t.last_period, (uint32) t.nrec);
	if (t.nrec > 0)
		memcpy(JY_CR_REC(r, 0), t.recs, t.nrec * JY_CR_RECWORDS(t.periods) * sizeof(int64));
	cr_check(r, VARSIZE(r), ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_POINTER(r);
}

Datum
jy_cohort_retention_out(PG_FUNCTION_ARGS)
{
	CohortRetention *r = PG_GETARG_CR_P(0);
	char	   *out = palloc(jy_cr_text_size(r) + 1);

	jy_cr_print_text(r, out);
	PG_RETURN_CSTRING(out);
}

/* ---- binary I/O: the header fields in order, tz bytes, then the records ---- */

Datum
jy_cohort_retention_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	const uint8 *msg = (const uint8 *) buf->data + buf->cursor;
	Size		len = buf->len - buf->cursor;
	JyCr		hdr;
	JyCodecError err;
	CohortRetention *r;

	/* what pq_getmsgbyte / pq_getmsgint say when the header is cut short */
	if (len < JY_CR_WIRE_HDR)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg(len < 4 ? "no data left in message" : "insufficient data left in message")));
	jy_cr_wire_header(msg, &hdr);
	if (jy_cr_wire_check(&hdr, len - JY_CR_WIRE_HDR, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, TYPE_NAME, NULL, ERRCODE_INVALID_BINARY_REPRESENTATION);
	r = cr_alloc(hdr.unit, hdr.ctype, hdr.periods, hdr.window_us, (const char *) msg + JY_CR_WIRE_HDR,
				 hdr.tzlen, hdr.last_period, hdr.ncohorts);
	jy_cr_wire_body(r, &hdr, msg + JY_CR_WIRE_HDR);
	buf->cursor = buf->len;
	cr_check(r, VARSIZE(r), ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_POINTER(r);
}

Datum
jy_cohort_retention_send(PG_FUNCTION_ARGS)
{
	CohortRetention *r = PG_GETARG_CR_P(0);
	Size		sz = jy_cr_wire_size(r);
	StringInfoData buf;

	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, (int) sz);
	jy_cr_wire_write(r, (uint8 *) buf.data + buf.len);
	buf.len += (int) sz;
	buf.data[buf.len] = '\0';
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- merge (rollup) ------------------------------------------------------ */

CohortRetention *
cr_merge(CohortRetention *a, const CohortRetention *b, bool inplace)
{
	JyCodecError err;
	uint32		missing;
	CohortRetention *r;

	if (!jy_cr_compatible(a, b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge cohort_retention values with different settings"),
				 errdetail("One has period %s, %d periods, cohorts %s, time zone %.*s; the other has period %s, %d periods, cohorts %s, time zone %.*s.",
						   jy_cr_unit_names[a->unit], a->periods, jy_cr_ctype_names[a->ctype], (int) a->tzlen, JY_CR_TZ(a),
						   jy_cr_unit_names[b->unit], b->periods, jy_cr_ctype_names[b->ctype], (int) b->tzlen, JY_CR_TZ(b)),
				 errhint("Compute every summary with the same period, number of periods, time zone and cohort type.")));
	missing = jy_cr_missing(a, b);
	if (inplace && missing == 0)
	{
		if (jy_cr_merge_inplace(a, b, &err, jy_tick, NULL) != JY_CODEC_OK)
			jy_codec_ereport(&err, TYPE_NAME, NULL, 0);
		return a;
	}
	r = cr_alloc(a->unit, a->ctype, a->periods, a->window_us, JY_CR_TZ(a), a->tzlen,
				 Max(a->last_period, b->last_period), a->ncohorts + missing);
	if (jy_cr_merge_into(r, a, b, &err, jy_tick, NULL) != JY_CODEC_OK)
		jy_codec_ereport(&err, TYPE_NAME, NULL, 0);
	return r;
}

/*
 * Strict transition and combine function of rollup(cohort_retention), and
 * the SQL function cohort_retention_merge(a, b).  Inside an aggregate the
 * state is updated in place when every cohort of b is already in a.
 */
Datum
jy_cohort_retention_merge(PG_FUNCTION_ARGS)
{
	Datum		ad = PG_GETARG_DATUM(0);
	CohortRetention *a = DatumGetCohortRetentionP(ad);
	CohortRetention *b = PG_GETARG_CR_P(1);
	bool		inplace = AggCheckCallContext(fcinfo, NULL) && (Pointer) a == DatumGetPointer(ad);

	PG_RETURN_POINTER(cr_merge(a, b, inplace));
}
