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
	JyCrError	err;
	Size		sz = jy_cr_size(tzlen, periods, ncohorts, &err);
	CohortRetention *r;

	if (sz == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cohort_retention value too large"),
				 errdetail("%s", err.msg)));
	r = (CohortRetention *) palloc0(sz);
	SET_VARSIZE(r, sz);
	jy_cr_init(r, unit, ctype, periods, window, tz, tzlen, last_period, ncohorts);
	return r;
}

void
cr_check(const CohortRetention *r, Size size, int errc)
{
	JyCrError	err;

	if (jy_cr_validate(r, size, &err) != JY_CR_OK)
		ereport(ERROR,
				(errcode(errc),
				 errmsg("invalid cohort_retention value"),
				 errdetail("%s", err.msg)));
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
	JyTs		ts;
	JyCrText	t;
	JyCrError	err;
	CohortRetention *r;

	jy_ts_init(&ts, str);
	switch (jy_cr_parse_text(&ts, &t, &err, grow_palloc, NULL))
	{
		case JY_CR_OK:
			break;
		case JY_CR_EVERSION:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("unsupported cohort_retention format version " INT64_FORMAT, (int64) err.value),
					 errdetail("%s", err.msg)));
			break;
		default:
			jy_scan_report(&ts, TYPE_NAME);
	}
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
	Size		len;
	const uint8 *msg = jy_recv_bytes(fcinfo, &len);
	JyCr		hdr;
	JyCrError	err;
	CohortRetention *r;

	/* what pq_getmsgbyte / pq_getmsgint say when the header is cut short */
	if (len < JY_CR_WIRE_HDR)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg(len < 4 ? "no data left in message" : "insufficient data left in message")));
	jy_cr_wire_header(msg, &hdr);
	if (jy_cr_wire_check(&hdr, len - JY_CR_WIRE_HDR, &err) != JY_CR_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid cohort_retention value"),
				 errdetail("%s", err.msg)));
	r = cr_alloc(hdr.unit, hdr.ctype, hdr.periods, hdr.window_us, (const char *) msg + JY_CR_WIRE_HDR,
				 hdr.tzlen, hdr.last_period, hdr.ncohorts);
	jy_cr_wire_body(r, &hdr, msg + JY_CR_WIRE_HDR);
	jy_recv_consumed(fcinfo, len);
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

static void
merge_error(const JyCrError *err)
{
	if (err->status == JY_CR_ESETTINGS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge cohort_retention values with different settings"),
				 errdetail("%s", err->msg),
				 errhint("Compute every summary with the same period, number of periods, time zone and cohort type.")));
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("count out of range while merging cohort_retention values")));
}

CohortRetention *
cr_merge(CohortRetention *a, const CohortRetention *b, bool inplace)
{
	JyCrError	err;
	uint32		missing;
	CohortRetention *r;

	if (jy_cr_compatible(a, b, &err) != JY_CR_OK)
		merge_error(&err);
	missing = jy_cr_missing(a, b);
	if (inplace && missing == 0)
	{
		if (jy_cr_merge_inplace(a, b, &err, jy_tick, NULL) != JY_CR_OK)
			merge_error(&err);
		return a;
	}
	r = cr_alloc(a->unit, a->ctype, a->periods, a->window_us, JY_CR_TZ(a), a->tzlen,
				 Max(a->last_period, b->last_period), a->ncohorts + missing);
	if (jy_cr_merge_into(r, a, b, &err, jy_tick, NULL) != JY_CR_OK)
		merge_error(&err);
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
	bool		inplace;
	CohortRetention *a = (CohortRetention *) jy_agg_merge_arg(fcinfo, &inplace);
	CohortRetention *b = PG_GETARG_CR_P(1);

	PG_RETURN_POINTER(cr_merge(a, b, inplace));
}
