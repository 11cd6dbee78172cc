/*
 * journey_io.c — the `journey` type itself: text and binary I/O, the
 * decode/build helpers every capability uses (journey_glue.h), and the
 * comparison and hash support of its btree and hash operator classes
 * (= <> < <= > >=, DISTINCT, GROUP BY, indexes).  Codec and storage format:
 * src/engine/journey_codec.h.
 *
 * Binary send/recv: the bytes are the storage format itself (after the
 * varlena header), and recv runs the full validation of the decoder.
 */
#include "journey_glue.h"
#include "jy_agg.h"

#include "access/hash.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "session_stats_type.h"
#include "sessionize.h"

PG_FUNCTION_INFO_V1(jy_journey_in);
PG_FUNCTION_INFO_V1(jy_journey_out);
PG_FUNCTION_INFO_V1(jy_journey_recv);
PG_FUNCTION_INFO_V1(jy_journey_send);
PG_FUNCTION_INFO_V1(jy_journey_eq);
PG_FUNCTION_INFO_V1(jy_journey_ne);
PG_FUNCTION_INFO_V1(jy_journey_lt);
PG_FUNCTION_INFO_V1(jy_journey_le);
PG_FUNCTION_INFO_V1(jy_journey_gt);
PG_FUNCTION_INFO_V1(jy_journey_ge);
PG_FUNCTION_INFO_V1(jy_journey_cmp);
PG_FUNCTION_INFO_V1(jy_journey_hash);
PG_FUNCTION_INFO_V1(jy_journey_hash_extended);

/* ---- shared helpers (journey_glue.h) -------------------------------------- */

/*
 * Raise the error of a codec result.  Text input reports 1-based characters,
 * binary input and stored values 0-based byte offsets (as xxd shows them).
 */
void
jy_journey_report(const JyJcError *e, int malformed_code, const char *what)
{
	bool		text = malformed_code == ERRCODE_INVALID_TEXT_REPRESENTATION;

	if (e->status == JY_JC_ELIMIT && malformed_code == ERRCODE_INVALID_PARAMETER_VALUE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey exceeds a limit"),
				 errdetail("%s", e->msg)));
	if (e->status == JY_JC_ELIMIT)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey exceeds a limit at %s %zu", text ? "character" : "byte",
						text ? e->pos + 1 : e->pos),
				 errdetail("%s", e->msg)));
	if (e->status == JY_JC_ERANGE)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("journey time out of range"),
				 errdetail("%s", e->msg),
				 errhint("Journeys hold times from 0001-01-01 to 9999-12-31 UTC; infinity is not allowed.")));
	ereport(ERROR,
			(errcode(malformed_code),
			 errmsg("%s at %s %zu", what, text ? "character" : "byte", text ? e->pos + 1 : e->pos),
			 errdetail("%s", e->msg)));
}

/*
 * The arrays of a view (and, when row is not NULL, a row array of n) in one
 * allocation: 8-byte members first.  n <= 2^24 and ndict <= 65535 keep it
 * below 300 MB.
 */
static void
view_alloc(JyJView *v, uint32 n, uint32 ndict, uint32 **row)
{
	Size		nn = Max(n, 1),
				nd = Max(ndict, 1);
	char	   *p = palloc_extended(nn * (sizeof(int64_t) + sizeof(uint32_t) * (row ? 2 : 1)) +
									nd * (sizeof(const char *) + sizeof(uint32_t)), MCXT_ALLOC_HUGE);

	v->n = n;
	v->ndict = ndict;
	v->ts = (int64_t *) p;
	p += nn * sizeof(int64_t);
	v->name = (const char **) p;
	p += nd * sizeof(const char *);
	v->ev = (uint32_t *) p;
	p += nn * sizeof(uint32_t);
	v->name_len = (uint32_t *) p;
	p += nd * sizeof(uint32_t);
	if (row)
		*row = (uint32 *) p;
}

void
jy_journey_view_alloc(JyJView *v, uint32 n, uint32 ndict)
{
	view_alloc(v, n, ndict, NULL);
}

static void
view_of_bytes(const uint8 *buf, size_t len, JyJView *v, int malformed_code, const char *what)
{
	uint32		n,
				ndict;
	JyJcError	e;

	if (jy_jc_header(buf, len, &n, &ndict, &e) != JY_JC_OK)
		jy_journey_report(&e, malformed_code, what);
	view_alloc(v, n, ndict, NULL);
	if (jy_jc_decode_ex(buf, len, v, &e, jy_tick, NULL) != JY_JC_OK)
		jy_journey_report(&e, malformed_code, what);
}

void
jy_journey_view_select(Datum d, JyJView *v, uint32 **row, JyJcSelect sel, void *sel_arg)
{
	struct varlena *j = DatumGetJourneyPP(d);
	const uint8 *buf = (const uint8 *) VARDATA_ANY(j);
	size_t		len = VARSIZE_ANY_EXHDR(j);
	uint32		n,
				ndict;
	JyJcError	e;

	if (jy_jc_header(buf, len, &n, &ndict, &e) != JY_JC_OK)
		jy_journey_report(&e, ERRCODE_DATA_CORRUPTED, "corrupt journey value");
	view_alloc(v, n, ndict, row);
	if (jy_jc_decode_select_ex(buf, len, v, *row, sel, sel_arg, &e, jy_tick, NULL) != JY_JC_OK)
		jy_journey_report(&e, ERRCODE_DATA_CORRUPTED, "corrupt journey value");
}

void
jy_journey_view(Datum d, JyJView *v)
{
	struct varlena *j = DatumGetJourneyPP(d);

	view_of_bytes((const uint8 *) VARDATA_ANY(j), VARSIZE_ANY_EXHDR(j), v,
				  ERRCODE_DATA_CORRUPTED, "corrupt journey value");
}

struct varlena *
jy_journey_from_view(const JyJView *v)
{
	size_t		sz = jy_jc_encoded_size_ex(v, jy_tick, NULL);
	struct varlena *r;

	if (sz > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey is too large"),
				 errdetail("Its encoding would take %zu bytes.", sz)));
	r = (struct varlena *) palloc(sz + VARHDRSZ);
	SET_VARSIZE(r, sz + VARHDRSZ);
	jy_jc_encode_ex(v, (uint8_t *) VARDATA(r), jy_tick, NULL);
	return r;
}

struct varlena *
jy_journey_build(JyJView *v)
{
	JyJcError	e;
	void	   *scratch = palloc_extended(jy_jc_canon_scratch(v->n, v->ndict), MCXT_ALLOC_HUGE);

	if (jy_jc_canonicalize_ex(v, scratch, &e, jy_tick, NULL) != JY_JC_OK)
		jy_journey_report(&e, ERRCODE_INVALID_PARAMETER_VALUE, "invalid journey");
	pfree(scratch);
	return jy_journey_from_view(v);
}

void
jy_journey_check_time(TimestampTz t)
{
	if (t < JY_JC_MIN_TS || t > JY_JC_MAX_TS)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("journey time out of range"),
				 errdetail("Journeys hold times from 0001-01-01 to 9999-12-31 UTC; infinity is not allowed.")));
}

static void
verify_names(const JyJView *v)
{
	uint32		i;

	for (i = 0; i < v->ndict; i++)
		pg_verifymbstr(v->name[i], (int) v->name_len[i], false);
}

/* ---- text and binary I/O ------------------------------------------------- */

Datum
jy_journey_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	size_t		len = strlen(str);
	uint32		cap = Min(jy_jc_text_max_events(str, len), JY_JC_MAX_EVENTS);
	JyJView		v;
	JyJcError	e;
	char	   *namebuf = palloc(len + 1);
	void	   *scratch = palloc_extended(jy_jc_canon_scratch(cap, cap), MCXT_ALLOC_HUGE);

	v.ts = palloc_extended((Size) cap * sizeof(int64_t), MCXT_ALLOC_HUGE);
	v.ev = palloc_extended((Size) cap * sizeof(uint32_t), MCXT_ALLOC_HUGE);
	v.name = palloc_extended((Size) cap * sizeof(const char *), MCXT_ALLOC_HUGE);
	v.name_len = palloc_extended((Size) cap * sizeof(uint32_t), MCXT_ALLOC_HUGE);
	if (jy_jc_parse_text_ex(str, len, &v, cap, namebuf, scratch, &e, jy_tick, NULL) != JY_JC_OK)
		jy_journey_report(&e, ERRCODE_INVALID_TEXT_REPRESENTATION, "invalid input syntax for type journey");
	verify_names(&v);
	PG_RETURN_POINTER(jy_journey_from_view(&v));
}

Datum
jy_journey_out(PG_FUNCTION_ARGS)
{
	JyJView		v;
	char	   *out;
	size_t		sz;

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	sz = jy_jc_text_size_ex(&v, jy_tick, NULL);
	/* the text repeats every name (the value stores each once): it can outgrow 1 GB */
	if (sz >= MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey is too large to print as text"),
				 errdetail("Its text form would take %zu bytes; the limit is %zu bytes.", sz, (size_t) MaxAllocSize - 1),
				 errhint("Read it with journey_events(), or copy it in binary format.")));
	out = palloc(sz + 1);
	jy_jc_print_text_ex(&v, out, jy_tick, NULL);
	PG_RETURN_CSTRING(out);
}

Datum
jy_journey_recv(PG_FUNCTION_ARGS)
{
	size_t		len;
	const uint8 *bytes = jy_recv_bytes(fcinfo, &len);
	JyJView		v;
	struct varlena *r;

	view_of_bytes(bytes, len, &v, ERRCODE_INVALID_BINARY_REPRESENTATION,
				  "invalid external binary representation of type journey");
	verify_names(&v);
	r = (struct varlena *) palloc(len + VARHDRSZ);
	SET_VARSIZE(r, len + VARHDRSZ);
	memcpy(VARDATA(r), bytes, len);
	jy_recv_consumed(fcinfo, len);
	PG_RETURN_POINTER(r);
}

Datum
jy_journey_send(PG_FUNCTION_ARGS)
{
	struct varlena *j = PG_GETARG_JOURNEY_PP(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA_ANY(j), VARSIZE_ANY_EXHDR(j));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- comparison and hashing (on the canonical bytes) ---------------------- */

static int
journey_cmp_internal(FunctionCallInfo fcinfo)
{
	struct varlena *a = PG_GETARG_JOURNEY_PP(0);
	struct varlena *b = PG_GETARG_JOURNEY_PP(1);
	Size		la = VARSIZE_ANY_EXHDR(a),
				lb = VARSIZE_ANY_EXHDR(b);
	int			c = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(la, lb));

	if (c == 0 && la != lb)
		c = la < lb ? -1 : 1;
	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	return c;
}

Datum
jy_journey_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(journey_cmp_internal(fcinfo) == 0);
}

Datum
jy_journey_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(journey_cmp_internal(fcinfo) != 0);
}

Datum
jy_journey_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(journey_cmp_internal(fcinfo) < 0);
}

Datum
jy_journey_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(journey_cmp_internal(fcinfo) <= 0);
}

Datum
jy_journey_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(journey_cmp_internal(fcinfo) > 0);
}

Datum
jy_journey_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(journey_cmp_internal(fcinfo) >= 0);
}

Datum
jy_journey_cmp(PG_FUNCTION_ARGS)
{
	int			c = journey_cmp_internal(fcinfo);

	PG_RETURN_INT32(c < 0 ? -1 : c > 0 ? 1 : 0);
}

Datum
jy_journey_hash(PG_FUNCTION_ARGS)
{
	struct varlena *j = PG_GETARG_JOURNEY_PP(0);
	Datum		h = hash_any((const unsigned char *) VARDATA_ANY(j), (int) VARSIZE_ANY_EXHDR(j));

	PG_FREE_IF_COPY(j, 0);
	return h;
}

Datum
jy_journey_hash_extended(PG_FUNCTION_ARGS)
{
	struct varlena *j = PG_GETARG_JOURNEY_PP(0);
	Datum		h = hash_any_extended((const unsigned char *) VARDATA_ANY(j), (int) VARSIZE_ANY_EXHDR(j),
									  PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(j, 0);
	return h;
}
