/*
 * pattern_agg.c — the pattern aggregates (engine: src/engine/pattern.h):
 *
 *   journey_match(ts, event, pattern)             -> boolean
 *   journey_count(ts, event, pattern)             -> bigint (non-overlapping matches)
 *   sequence_match(pattern, ts, VARIADIC cond[])  ClickHouse sequenceMatch
 *   sequence_count(pattern, ts, VARIADIC cond[])  ClickHouse sequenceCount
 *
 * They keep (ts, pattern-local event id) pairs in an internal state with
 * combine / serialize / deserialize for parallel plans.
 */
#include "pattern_glue.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"


PG_FUNCTION_INFO_V1(jy_pattern_trans);
PG_FUNCTION_INFO_V1(jy_seq_trans);
PG_FUNCTION_INFO_V1(jy_pattern_combine);
PG_FUNCTION_INFO_V1(jy_pattern_serial);
PG_FUNCTION_INFO_V1(jy_pattern_deserial);
PG_FUNCTION_INFO_V1(jy_pattern_final_match);
PG_FUNCTION_INFO_V1(jy_pattern_final_count);

static text *
pattern_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("pattern must not be NULL")));
	return PG_GETARG_TEXT_PP(argno);
}

/*
 * Sort ts[] and the parallel 32-bit payload in place by time; with
 * key_is_payload, ties are ordered by the payload (a tie key), otherwise they
 * keep their order.
 */
static void
sort_events(int64 *ts, int32 *pl, int64 n, bool key_is_payload)
{
	TsIdx	   *t;
	int32	   *tmp;
	int64		i;

	for (i = 1; i < n; i++)
		if (ts[i] < ts[i - 1] ||
			(key_is_payload && ts[i] == ts[i - 1] && (uint32) pl[i] < (uint32) pl[i - 1]))
			break;
	if (i >= n)
		return;
	t = palloc_extended(n * sizeof(TsIdx), MCXT_ALLOC_HUGE);
	tmp = palloc_extended(n * sizeof(int32), MCXT_ALLOC_HUGE);
	for (i = 0; i < n; i++)
	{
		t[i].ts = ts[i];
		t[i].key = key_is_payload ? (uint32) pl[i] : 0;
		t[i].idx = i;
	}
	jy_sort(t, n, sizeof(TsIdx), jy_pat_tsidx_cmp, NULL);
	for (i = 0; i < n; i++)
	{
		ts[i] = t[i].ts;
		tmp[i] = pl[t[i].idx];
	}
	memcpy(pl, tmp, n * sizeof(int32));
	pfree(t);
	pfree(tmp);
}

/* ---- aggregate state ------------------------------------------------------ */

/*
 * One allocation per group: this header, then ts[cap], then pl[cap].  Hash
 * aggregation keeps one state per user, millions of them, and touches one at
 * random per input row; a single block (128 bytes for the first 8 events)
 * costs one or two cache misses per row where separate arrays cost four.
 * Growing reallocates the block, so a transition may return a new pointer
 * (internal states are passed by value; the executor keeps what we return).
 * The pattern is not copied per group: the state points at the compiled
 * pattern cached for the query (PatCache, which holds its text, kind and
 * number of conditions and lives until the query ends).
 */
typedef struct PatAgg
{
	PatCache   *cache;
	int64		n;
	int64		cap;
	bool		sorted;
	/* int64 ts[cap]; int32 pl[cap] (journey: tie key; sequence_*: condition mask) */
} PatAgg;

#define PATAGG_HDR MAXALIGN(sizeof(PatAgg))
#define PATAGG_TS(st) ((int64 *) ((char *) (st) + PATAGG_HDR))
#define PATAGG_PL(st) ((int32 *) (PATAGG_TS(st) + (st)->cap))
#define PATAGG_SIZE(cap) (PATAGG_HDR + (Size) (cap) * (sizeof(int64) + sizeof(int32)))
/* the first block fills a 128-byte allocation chunk */
#define PATAGG_CAP0 ((int64) ((128 - PATAGG_HDR) / (sizeof(int64) + sizeof(int32))))
#define PATAGG_MAX_EVENTS ((int64) ((MaxAllocHugeSize - PATAGG_HDR) / (sizeof(int64) + sizeof(int32)) / 2))

static PatAgg *
patagg_new(MemoryContext cxt, PatCache *c, int64 cap)
{
	PatAgg	   *st;

	cap = Max(cap, PATAGG_CAP0);
	st = (PatAgg *) MemoryContextAllocExtended(cxt, PATAGG_SIZE(cap), MCXT_ALLOC_HUGE);
	st->cache = c;
	st->n = 0;
	st->cap = cap;
	st->sorted = true;
	return st;
}

/* room for `more` events; may move the state (use the returned pointer) */
static PatAgg *
patagg_reserve(PatAgg *st, int64 more)
{
	int64		need = st->n + more,
				oldcap = st->cap,
				cap;

	if (need <= st->cap)
		return st;
	cap = jy_grow_cap(st->cap, need, PATAGG_MAX_EVENTS,
					  "events in one group for pattern matching", "events per group");
	st = (PatAgg *) repalloc_huge(st, PATAGG_SIZE(cap));
	st->cap = cap;
	/* the payloads follow ts[cap]: move them up to their new place */
	memmove(PATAGG_PL(st), PATAGG_TS(st) + oldcap, st->n * sizeof(int32));
	return st;
}

static void
patagg_same_pattern(const PatAgg *st, int kind, int nconds, const char *pat, int len)
{
	const PatCache *c = st->cache;

	if (c->kind != kind || c->keylen != len || memcmp(c->key, pat, len) != 0)
		jy_arg_differs("the pattern", "group", NULL);
	if (c->nconds != nconds)
		jy_arg_differs("the number of conditions", "group",
					   "A row has %d conditions, an earlier one %d.", nconds, c->nconds);
}

static inline PatAgg *
patagg_push(PatAgg *st, int64 ts, int32 pl)
{
	int64	   *t;
	int32	   *p;

	if (unlikely(st->n == st->cap))
		st = patagg_reserve(st, 1);
	t = PATAGG_TS(st);
	p = PATAGG_PL(st);
	if (st->n > 0 && (ts < t[st->n - 1] ||
					  (ts == t[st->n - 1] && (uint32) pl < (uint32) p[st->n - 1])))
		st->sorted = false;
	t[st->n] = ts;
	p[st->n] = pl;
	st->n++;
	return st;
}

/* transition: arg 0 state, 1 ts, 2 event, 3 pattern */
Datum
jy_pattern_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	PatAgg	   *st;
	text	   *pat;
	text	   *ev;
	uint32		key;

	aggcxt = jy_agg_context(fcinfo, "journey pattern transition function");
	pat = pattern_arg(fcinfo, 3);
	if (PG_ARGISNULL(0))
		st = patagg_new(aggcxt, jy_pat_cache_get(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat),
											KIND_JOURNEY, 0), 0);
	else
	{
		st = (PatAgg *) PG_GETARG_POINTER(0);
		patagg_same_pattern(st, KIND_JOURNEY, 0, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat));
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	ev = PG_GETARG_TEXT_PP(2);
	key = jy_pat_tie_key(st->cache->jp, VARDATA_ANY(ev), VARSIZE_ANY_EXHDR(ev));
	/*
	 * An event the pattern does not name (even key) is kept only when it can
	 * matter: for `a .* b within 1h`-shaped patterns it cannot (see
	 * jy_pat_skips_others), and leaving it out keeps the per-user state small.
	 */
	if ((key & 1) == 0 && st->cache->skips_others)
		PG_RETURN_POINTER(st);
	st = patagg_push(st, PG_GETARG_TIMESTAMPTZ(1), (int32) key);
	PG_RETURN_POINTER(st);
}

/* transition of sequence_*: arg 0 state, 1 pattern, 2 ts, 3 VARIADIC boolean[] */
Datum
jy_seq_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	PatAgg	   *st;
	text	   *pat;
	ArrayType  *arr;
	int			nconds,
				i;
	uint32		mask = 0;
	const bool *vals;
	const bits8 *nulls;

	aggcxt = jy_agg_context(fcinfo, "sequence_match transition function");
	pat = pattern_arg(fcinfo, 1);
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the condition array must not be NULL")));
	arr = PG_GETARG_ARRAYTYPE_P(3);
	if (ARR_NDIM(arr) > 1 || ARR_ELEMTYPE(arr) != BOOLOID)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("conditions must be a one-dimensional boolean array")));
	nconds = ARR_NDIM(arr) == 0 ? 0 : ARR_DIMS(arr)[0];
	if (nconds < 1 || nconds > JY_CH_MAX_CONDS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sequence_match takes 1 to %d conditions", JY_CH_MAX_CONDS),
				 errdetail("%d conditions were given.", nconds)));
	if (PG_ARGISNULL(0))
		st = patagg_new(aggcxt, jy_pat_cache_get(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat),
											KIND_CH, nconds), 0);
	else
	{
		st = (PatAgg *) PG_GETARG_POINTER(0);
		patagg_same_pattern(st, KIND_CH, nconds, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat));
	}
	if (PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	/* NULL conditions count as false, like a false UInt8 in ClickHouse */
	vals = (const bool *) ARR_DATA_PTR(arr);
	nulls = ARR_NULLBITMAP(arr);
	{
		int			k = 0;

		for (i = 0; i < nconds; i++)
		{
			if (nulls && !(nulls[i / 8] & (1 << (i % 8))))
				continue;
			if (vals[k++])
				mask |= (uint32) 1 << i;
		}
	}
	/* ClickHouse keeps only rows for which at least one condition holds */
	if (mask != 0)
		st = patagg_push(st, PG_GETARG_TIMESTAMPTZ(2), (int32) mask);
	PG_RETURN_POINTER(st);
}

Datum
jy_pattern_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	PatAgg	   *a,
			   *b;
	int64	   *at,
			   *bt;
	int32	   *ap,
			   *bp;

	aggcxt = jy_agg_context(fcinfo, "journey pattern combine function");
	JY_COMBINE_ARGS(PatAgg, a, b);
	if (a == NULL)
		a = patagg_new(aggcxt, b->cache, b->n);
	else
		patagg_same_pattern(a, b->cache->kind, b->cache->nconds, b->cache->key, b->cache->keylen);
	if (b->n > 0)
	{
		a = patagg_reserve(a, b->n);
		at = PATAGG_TS(a);
		ap = PATAGG_PL(a);
		bt = PATAGG_TS(b);
		bp = PATAGG_PL(b);
		if (!b->sorted || (a->n > 0 && (bt[0] < at[a->n - 1] ||
										(bt[0] == at[a->n - 1] &&
										 (uint32) bp[0] < (uint32) ap[a->n - 1]))))
			a->sorted = false;
		memcpy(at + a->n, bt, b->n * sizeof(int64));
		memcpy(ap + a->n, bp, b->n * sizeof(int32));
		a->n += b->n;
	}
	PG_RETURN_POINTER(a);
}

/*
 * Serialized state: int32 kind, int32 nconds, int32 patlen, uint8 sorted,
 * int64 n, the pattern's bytes, then n x int64 ts and n x int32 payload in
 * native order (states only travel between processes of one server).
 */
Datum
jy_pattern_serial(PG_FUNCTION_ARGS)
{
	PatAgg	   *st = (PatAgg *) PG_GETARG_POINTER(0);
	const PatCache *c = st->cache;
	StringInfoData buf;

	jy_serial_begin(&buf, 21 + (Size) c->keylen + (Size) st->n * (sizeof(int64) + sizeof(int32)),
					"pattern aggregate state");
	pq_sendint32(&buf, c->kind);
	pq_sendint32(&buf, c->nconds);
	pq_sendint32(&buf, c->keylen);
	pq_sendbyte(&buf, st->sorted ? 1 : 0);
	pq_sendint64(&buf, st->n);
	pq_sendbytes(&buf, c->key, c->keylen);
	pq_sendbytes(&buf, (const char *) PATAGG_TS(st), st->n * sizeof(int64));
	pq_sendbytes(&buf, (const char *) PATAGG_PL(st), st->n * sizeof(int32));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* the state in the per-row context: combine copies it into the aggregate's */
Datum
jy_pattern_deserial(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	PatAgg	   *st;
	int32		kind,
				nconds,
				patlen;
	int			sorted;
	int64		n;
	const char *pat;

	jy_deserial_begin(fcinfo, &buf, "journey pattern deserialize function");
	kind = (int32) pq_getmsgint(&buf, 4);
	nconds = (int32) pq_getmsgint(&buf, 4);
	patlen = (int32) pq_getmsgint(&buf, 4);
	sorted = pq_getmsgbyte(&buf);
	n = pq_getmsgint64(&buf);
	if ((kind != KIND_JOURNEY && kind != KIND_CH) || patlen < 0 || patlen > buf.len - buf.cursor ||
		n < 0 || n > PATAGG_MAX_EVENTS ||
		(Size) (buf.len - buf.cursor) != (Size) patlen + (Size) n * (sizeof(int64) + sizeof(int32)))
		elog(ERROR, "corrupt journey pattern aggregate state");
	pat = pq_getmsgbytes(&buf, patlen);
	/* the pattern is compiled (once per query) in this process too */
	st = patagg_new(CurrentMemoryContext, jy_pat_cache_get(fcinfo->flinfo, pat, patlen, kind, nconds), n);
	st->sorted = sorted != 0;
	pq_copymsgbytes(&buf, (char *) PATAGG_TS(st), n * sizeof(int64));
	pq_copymsgbytes(&buf, (char *) PATAGG_PL(st), n * sizeof(int32));
	jy_deserial_end(&buf);
	st->n = n;
	PG_RETURN_POINTER(st);
}

/* run the state's pattern: count < 0 asks for a boolean (1/0) */
static int64
patagg_run(PatAgg *st, bool count)
{
	PatCache   *c = st->cache;
	int64	   *ts = PATAGG_TS(st);
	int32	   *pl = PATAGG_PL(st);

	if (!st->sorted)
	{
		/*
		 * Sorting in place keeps the state valid for another final call.  Ties
		 * by payload: the name key (journey) or the condition mask (sequence_*);
		 * rows with equal (ts, payload) are indistinguishable to the matcher.
		 */
		sort_events(ts, pl, st->n, true);
		st->sorted = true;
	}
	if (c->kind == KIND_CH)
	{
		/*
		 * The matcher's run buffers are per call: allocate them in the
		 * current (per-output-row) context, not the query-lifetime one of the
		 * compiled pattern, or every group would leave its buffers behind
		 * until the query ends (600 MB at 1.25M groups).
		 */
		JyAlloc		cur = {jy_pat_ctx_alloc, CurrentMemoryContext};

		if (count)
			return jy_ch_count(c->cp, ts, (const uint32_t *) pl, st->n, &cur, jy_tick, NULL);
		return jy_ch_match(c->cp, ts, (const uint32_t *) pl, st->n, &cur, jy_tick, NULL) ? 1 : 0;
	}
	else
	{
		int32	   *ids;
		JyEvents	e;
		int64		i;

		/* one id buffer per query, grown as needed (no allocation per group) */
		c->ids = jy_grow((MemoryContext) c->alloc.arg, c->ids, &c->idcap, st->n, sizeof(int32),
						 PATAGG_MAX_EVENTS, "events in one group for pattern matching", "events per group");
		ids = c->ids;
		for (i = 0; i < st->n; i++)
			ids[i] = (pl[i] & 1) ? (int32) (((uint32) pl[i] - 1) / 2) : -1;
		e.ts = ts;
		e.ev = ids;
		e.n = (size_t) st->n;
		if (count)
			return jy_pat_count(c->jp, c->scratch, &e);
		return jy_pat_match(c->jp, c->scratch, &e) ? 1 : 0;
	}
}

Datum
jy_pattern_final_match(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_BOOL(patagg_run((PatAgg *) PG_GETARG_POINTER(0), false) != 0);
}

Datum
jy_pattern_final_count(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	PG_RETURN_INT64(patagg_run((PatAgg *) PG_GETARG_POINTER(0), true));
}
