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
#include "catalog/pg_aggregate.h"
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

/* ---- aggregate state ------------------------------------------------------ */

/*
 * One block per group: a 16-byte header, then ts[cap], then pl[cap], the
 * payloads, cache->pl_width bytes each (journey: the tie key, 1 byte for
 * patterns of up to 127 names, else 2; sequence_*: the condition mask, 1, 2
 * or 4 bytes for up to 8, 16 or 32 conditions).
 *
 * Hash aggregation keeps one state per user, millions of them, and counts
 * every byte of them against hash_mem: what does not fit is spilled to disk
 * and read again.  So states are small and headerless: blocks come from a
 * slab per aggregate context (jy_slab, found through the compiled pattern's
 * cache) in size classes of 1, 2, 3, 4, 6, 8, ... 256 events without
 * per-chunk headers or power-of-two rounding (a user with three stored
 * events costs 48 bytes, where a palloc'd block of eight costed 144); a
 * state that grows moves to the next class (the transition function returns
 * the new pointer: internal states are passed by value and the executor
 * keeps what we return) and its old block goes to that class's free list for
 * other groups.  Larger states, and deserialized ones, are ordinary (huge)
 * allocations (PATAGG_PALLOC).  A group none of whose rows is kept (only
 * events the pattern cannot see, NULL times, sequence_* rows with no true
 * condition) shares the pattern cache's empty state (capacity 0, never
 * written).
 *
 * The pattern is not copied per group: the state points at the compiled
 * pattern cached for the query (PatCache, which holds its text, kind and
 * number of conditions and lives until the query ends).
 */
typedef struct PatAgg
{
	PatCache   *cache;
	uint32		n;
	uint32		bits;			/* capacity | PATAGG_UNSORTED | PATAGG_PALLOC */
	/* int64 ts[cap]; then cap payloads of cache->pl_width bytes */
} PatAgg;

#define PATAGG_UNSORTED ((uint32) 1 << 31)
#define PATAGG_PALLOC	((uint32) 1 << 30)
#define PATAGG_CAPMASK	(PATAGG_PALLOC - 1)
#define PATAGG_CAP(st)	((st)->bits & PATAGG_CAPMASK)
#define PATAGG_HDR		MAXALIGN(sizeof(PatAgg))
#define PATAGG_TS(st)	((int64 *) ((char *) (st) + PATAGG_HDR))
#define PATAGG_PL(st)	((char *) (PATAGG_TS(st) + PATAGG_CAP(st)))
#define PATAGG_BYTES(cap, w) MAXALIGN(PATAGG_HDR + (Size) (cap) * (sizeof(int64) + (Size) (w)))
#define PATAGG_MAX_EVENTS ((int64) PATAGG_CAPMASK)

#define PATAGG_NCLASS 16
static const uint32 PATAGG_CAPS[PATAGG_NCLASS] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256};
StaticAssertDecl(PATAGG_BYTES(256, 4) <= JY_SLAB_MAX_CHUNK, "the largest class is a slab block");

/* the slab of aggcxt for the states of pattern c, created on first use */
static inline JySlab *
patslab_get(PatCache *c, MemoryContext aggcxt)
{
	return jy_slab_get(&c->slabs, (MemoryContext) c->alloc.arg, aggcxt);
}

/* the shared state of pattern c's groups with nothing kept (lives as long as c) */
static PatAgg *
patagg_empty(PatCache *c)
{
	if (c->empty == NULL)
	{
		PatAgg	   *e = (PatAgg *) MemoryContextAllocZero((MemoryContext) c->alloc.arg, sizeof(PatAgg));

		e->cache = c;
		c->empty = e;
	}
	return (PatAgg *) c->empty;
}

static int
patagg_class(uint32 cap)
{
	int			k;

	for (k = 0; k < PATAGG_NCLASS; k++)
		if (PATAGG_CAPS[k] == cap)
			return k;
	return -1;
}

/* a block for cap events of pattern c in aggcxt (header set, n = 0) */
static PatAgg *
patagg_alloc(PatCache *c, MemoryContext aggcxt, uint32 cap)
{
	Size		bytes = PATAGG_BYTES(cap, c->pl_width);
	PatAgg	   *st;

	if (patagg_class(cap) < 0)
	{
		st = (PatAgg *) MemoryContextAllocExtended(aggcxt, bytes, MCXT_ALLOC_HUGE);
		st->bits = cap | PATAGG_PALLOC;
	}
	else
	{
		st = (PatAgg *) jy_slab_alloc(patslab_get(c, aggcxt), bytes);
		st->bits = cap;
	}
	st->cache = c;
	st->n = 0;
	return st;
}

/* give st's block back (st is in aggcxt; the empty state is never freed) */
static void
patagg_free(PatAgg *st, MemoryContext aggcxt)
{
	if (PATAGG_CAP(st) == 0)
		return;
	if (st->bits & PATAGG_PALLOC)
		pfree(st);
	else
		jy_slab_free(patslab_get(st->cache, aggcxt), st,
					 PATAGG_BYTES(PATAGG_CAP(st), st->cache->pl_width));
}

static inline uint32
pl_get(const char *pl, int w, int64 i)
{
	switch (w)
	{
		case 1:
			return ((const uint8 *) pl)[i];
		case 2:
			return ((const uint16 *) pl)[i];
		default:
			return ((const uint32 *) pl)[i];
	}
}

static inline void
pl_set(char *pl, int w, int64 i, uint32 v)
{
	switch (w)
	{
		case 1:
			((uint8 *) pl)[i] = (uint8) v;
			break;
		case 2:
			((uint16 *) pl)[i] = (uint16) v;
			break;
		default:
			((uint32 *) pl)[i] = v;
	}
}

/*
 * Room for `more` events in st (in aggcxt); may move the state: use the
 * returned pointer.
 */
static PatAgg *
patagg_reserve(PatAgg *st, MemoryContext aggcxt, int64 more)
{
	int64		need = (int64) st->n + more,
				cap;
	int			w = st->cache->pl_width;
	PatAgg	   *x;

	if (need <= (int64) PATAGG_CAP(st))
		return st;
	cap = jy_class_cap(PATAGG_CAPS, PATAGG_NCLASS, PATAGG_CAP(st), need, PATAGG_MAX_EVENTS,
					   "events in one group for pattern matching", "events per group");
	x = patagg_alloc(st->cache, aggcxt, (uint32) cap);
	x->n = st->n;
	x->bits |= st->bits & PATAGG_UNSORTED;
	memcpy(PATAGG_TS(x), PATAGG_TS(st), (Size) st->n * sizeof(int64));
	memcpy(PATAGG_PL(x), PATAGG_PL(st), (Size) st->n * w);
	patagg_free(st, aggcxt);
	return x;
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

/*
 * Is transition argument argno the same on every row: a constant or a
 * parameter?  In an aggregate, fn_expr shows every argument as an executor
 * Param, so look at the Aggref's argument expressions (aggregate argument j
 * is transition argument j + 1).
 */
static bool
pattern_arg_stable(FunctionCallInfo fcinfo, int argno)
{
	Aggref	   *ar = AggGetAggref(fcinfo);
	Node	   *e;

	if (ar == NULL || ar->aggkind != AGGKIND_NORMAL || argno < 1 || argno - 1 >= list_length(ar->args))
		return false;
	e = (Node *) ((TargetEntry *) list_nth(ar->args, argno - 1))->expr;
	return IsA(e, Const) || (IsA(e, Param) && ((Param *) e)->paramkind == PARAM_EXTERN);
}

/*
 * The state of a transition call (arg 0) for pattern argument patno, checked
 * against the pattern of this row; NULL when the group has none yet (*cp is
 * then the compiled pattern).  A pattern argument that is a constant or a
 * parameter is checked once per query, not per row.
 */
static inline PatAgg *
patagg_arg(FunctionCallInfo fcinfo, int patno, int kind, int nconds, PatCache **cp)
{
	text	   *pat = pattern_arg(fcinfo, patno);
	PatCache   *c = (PatCache *) fcinfo->flinfo->fn_extra;
	PatAgg	   *st;

	/*
	 * A constant pattern: every state of this call site was made with the
	 * pattern compiled in fn_extra.  The state itself is not read here (it
	 * is a cache miss per row, wasted on the rows that keep nothing).
	 */
	if (c != NULL && c->arg_stable > 0 && !PG_ARGISNULL(0) && c->kind == kind && c->nconds == nconds)
	{
		*cp = c;
		return (PatAgg *) PG_GETARG_POINTER(0);
	}
	if (PG_ARGISNULL(0))
	{
		c = jy_pat_cache_get(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat), kind, nconds);
		if (c->arg_stable < 0)
			c->arg_stable = pattern_arg_stable(fcinfo, patno) ? 1 : 0;
		*cp = c;
		return NULL;
	}
	st = (PatAgg *) PG_GETARG_POINTER(0);
	*cp = st->cache;
	patagg_same_pattern(st, kind, nconds, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat));
	return st;
}

/* append one event to st (NULL: a new group); may move the state */
static inline PatAgg *
patagg_push(PatCache *c, MemoryContext aggcxt, PatAgg *st, int64 ts, uint32 pl)
{
	int64	   *t;
	char	   *p;
	int			w = c->pl_width;
	uint32		n;

	if (st == NULL)
		st = patagg_alloc(c, aggcxt, PATAGG_CAPS[0]);
	else if (unlikely(st->n == PATAGG_CAP(st)))
		st = patagg_reserve(st, aggcxt, 1);
	t = PATAGG_TS(st);
	p = PATAGG_PL(st);
	n = st->n;
	if (n > 0 && (ts < t[n - 1] || (ts == t[n - 1] && pl < pl_get(p, w, n - 1))))
		st->bits |= PATAGG_UNSORTED;
	t[n] = ts;
	pl_set(p, w, n, pl);
	st->n = n + 1;
	return st;
}

/* the state to return for a row that keeps nothing */
static inline PatAgg *
patagg_keep(PatCache *c, PatAgg *st)
{
	return st != NULL ? st : patagg_empty(c);
}

/* transition: arg 0 state, 1 ts, 2 event, 3 pattern */
Datum
jy_pattern_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	PatCache   *c;
	PatAgg	   *st;
	text	   *ev;
	uint32		key;

	aggcxt = jy_agg_context(fcinfo, "journey pattern transition function");
	st = patagg_arg(fcinfo, 3, KIND_JOURNEY, 0, &c);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(patagg_keep(c, st));
	ev = PG_GETARG_TEXT_PP(2);
	key = jy_pat_tie_key(c->jp, VARDATA_ANY(ev), VARSIZE_ANY_EXHDR(ev));
	/*
	 * An event the pattern does not name (even key) is kept only when it can
	 * matter: for `a .* b within 1h`-shaped patterns it cannot (see
	 * jy_pat_skips_others), and leaving it out keeps the per-user state small.
	 */
	if ((key & 1) == 0 && c->skips_others)
		PG_RETURN_POINTER(patagg_keep(c, st));
	PG_RETURN_POINTER(patagg_push(c, aggcxt, st, PG_GETARG_TIMESTAMPTZ(1), key));
}

/* transition of sequence_*: arg 0 state, 1 pattern, 2 ts, 3 VARIADIC boolean[] */
Datum
jy_seq_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	PatCache   *c;
	PatAgg	   *st;
	ArrayType  *arr;
	int			nconds,
				i;
	uint32		mask = 0;
	const bool *vals;
	const bits8 *nulls;

	aggcxt = jy_agg_context(fcinfo, "sequence_match transition function");
	(void) pattern_arg(fcinfo, 1);
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
	st = patagg_arg(fcinfo, 1, KIND_CH, nconds, &c);
	if (PG_ARGISNULL(2))
		PG_RETURN_POINTER(patagg_keep(c, st));
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
	if (mask == 0)
		PG_RETURN_POINTER(patagg_keep(c, st));
	PG_RETURN_POINTER(patagg_push(c, aggcxt, st, PG_GETARG_TIMESTAMPTZ(2), mask));
}

Datum
jy_pattern_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	PatAgg	   *a,
			   *b;
	int64	   *at,
			   *bt;
	char	   *ap,
			   *bp;
	int			w;

	aggcxt = jy_agg_context(fcinfo, "journey pattern combine function");
	JY_COMBINE_ARGS(PatAgg, a, b);
	if (a == NULL)
		a = patagg_empty(b->cache);
	else
		patagg_same_pattern(a, b->cache->kind, b->cache->nconds, b->cache->key, b->cache->keylen);
	if (b->n > 0)
	{
		/* same pattern text, kind and conditions: same payload width */
		w = a->cache->pl_width;
		Assert(w == b->cache->pl_width);
		a = patagg_reserve(a, aggcxt, b->n);
		at = PATAGG_TS(a);
		ap = PATAGG_PL(a);
		bt = PATAGG_TS(b);
		bp = PATAGG_PL(b);
		if ((b->bits & PATAGG_UNSORTED) ||
			(a->n > 0 && (bt[0] < at[a->n - 1] ||
						  (bt[0] == at[a->n - 1] && pl_get(bp, w, 0) < pl_get(ap, w, a->n - 1)))))
			a->bits |= PATAGG_UNSORTED;
		memcpy(at + a->n, bt, (Size) b->n * sizeof(int64));
		memcpy(ap + (Size) a->n * w, bp, (Size) b->n * w);
		a->n += b->n;
	}
	PG_RETURN_POINTER(a);
}

/*
 * Serialized state: int32 kind, int32 nconds, int32 patlen, uint8 sorted,
 * int64 n, the pattern's bytes, then n x int64 ts and n payloads of the
 * pattern's payload width in native order (states only travel between
 * processes of one server and library).
 */
Datum
jy_pattern_serial(PG_FUNCTION_ARGS)
{
	PatAgg	   *st = (PatAgg *) PG_GETARG_POINTER(0);
	const PatCache *c = st->cache;
	StringInfoData buf;

	jy_serial_begin(&buf, 21 + (Size) c->keylen + (Size) st->n * (sizeof(int64) + c->pl_width),
					"pattern aggregate state");
	pq_sendint32(&buf, c->kind);
	pq_sendint32(&buf, c->nconds);
	pq_sendint32(&buf, c->keylen);
	pq_sendbyte(&buf, (st->bits & PATAGG_UNSORTED) ? 0 : 1);
	pq_sendint64(&buf, st->n);
	pq_sendbytes(&buf, c->key, c->keylen);
	pq_sendbytes(&buf, (const char *) PATAGG_TS(st), (Size) st->n * sizeof(int64));
	pq_sendbytes(&buf, PATAGG_PL(st), (Size) st->n * c->pl_width);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* the state in the per-row context: combine copies it into the aggregate's */
Datum
jy_pattern_deserial(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	PatCache   *c;
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
		n < 0 || n > PATAGG_MAX_EVENTS)
		elog(ERROR, "corrupt journey pattern aggregate state");
	pat = pq_getmsgbytes(&buf, patlen);
	/* the pattern is compiled (once per query) in this process too */
	c = jy_pat_cache_get(fcinfo->flinfo, pat, patlen, kind, nconds);
	if ((Size) (buf.len - buf.cursor) != (Size) n * (sizeof(int64) + c->pl_width))
		elog(ERROR, "corrupt journey pattern aggregate state");
	st = (PatAgg *) MemoryContextAllocExtended(CurrentMemoryContext,
											   PATAGG_BYTES(Max(n, 1), c->pl_width), MCXT_ALLOC_HUGE);
	st->cache = c;
	st->bits = (uint32) Max(n, 1) | PATAGG_PALLOC | (sorted ? 0 : PATAGG_UNSORTED);
	pq_copymsgbytes(&buf, (char *) PATAGG_TS(st), n * sizeof(int64));
	pq_copymsgbytes(&buf, PATAGG_PL(st), n * c->pl_width);
	jy_deserial_end(&buf);
	st->n = (uint32) n;
	PG_RETURN_POINTER(st);
}

/*
 * The state's payloads widened to 32 bits in c->ids (one buffer per query,
 * grown as needed: no allocation per group), the events sorted first when
 * they are not: by time, ties by payload (the name key for the journey
 * language, the condition mask for sequence_*; rows with equal (ts, payload)
 * are indistinguishable to the matcher).  Sorting in place keeps the state
 * valid for another final call.
 */
static int32 *
patagg_payloads(PatAgg *st)
{
	PatCache   *c = st->cache;
	int64	   *ts = PATAGG_TS(st);
	char	   *pl = PATAGG_PL(st);
	int			w = c->pl_width;
	int32	   *ids;
	int64		i,
				n = st->n;

	c->ids = jy_grow((MemoryContext) c->alloc.arg, c->ids, &c->idcap, Max(n, 1), sizeof(int32),
					 PATAGG_MAX_EVENTS, "events in one group for pattern matching", "events per group");
	ids = c->ids;
	if (st->bits & PATAGG_UNSORTED)
	{
		TsIdx	   *t = palloc_extended(n * sizeof(TsIdx), MCXT_ALLOC_HUGE);

		for (i = 0; i < n; i++)
		{
			t[i].ts = ts[i];
			t[i].key = pl_get(pl, w, i);
			t[i].idx = i;
		}
		jy_sort(t, n, sizeof(TsIdx), jy_pat_tsidx_cmp, NULL);
		for (i = 0; i < n; i++)
		{
			ts[i] = t[i].ts;
			pl_set(pl, w, i, t[i].key);
		}
		pfree(t);
		st->bits &= ~PATAGG_UNSORTED;
	}
	for (i = 0; i < n; i++)
		ids[i] = (int32) pl_get(pl, w, i);
	return ids;
}

/* run the state's pattern: the number of matches, or 1/0 for a match */
static int64
patagg_run(PatAgg *st, bool count)
{
	PatCache   *c = st->cache;
	int64	   *ts = PATAGG_TS(st);
	int32	   *pl;

	pl = patagg_payloads(st);
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
		JyEvents	e;
		int64		i;

		/* tie key -> pattern-local id (-1: a name the pattern does not mention) */
		for (i = 0; i < st->n; i++)
			pl[i] = (pl[i] & 1) ? (int32) (((uint32) pl[i] - 1) / 2) : -1;
		e.ts = ts;
		e.ev = pl;
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
