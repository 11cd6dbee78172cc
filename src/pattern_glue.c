/*
 * pattern_glue.c — SQL interface of the pattern engine (src/engine/pattern.h).
 *
 *   journey_match(ts, event, pattern)        aggregate -> boolean
 *   journey_count(ts, event, pattern)        aggregate -> bigint (non-overlapping matches)
 *   journey_match(ts[], event[], pattern)    function  -> boolean
 *   journey_count(ts[], event[], pattern)    function  -> bigint
 *   journey_matches(ts[], event[], pattern)  set-returning: one row per match
 *   journey_first_fired / journey_last_fired   trigger helpers (time of the first / last match)
 *   journey_next_events / journey_prev_events  the n events after / before a match
 *   journey_transitions(ts[], event[])       consecutive pairs (Sankey)
 *   ... and the same over the journey type (journey_type.h)
 *   sequence_match(pattern, ts, VARIADIC cond[])  ClickHouse sequenceMatch
 *   sequence_count(pattern, ts, VARIADIC cond[])  ClickHouse sequenceCount
 *
 * Events at the same time are ordered by name (the journey type's order) for
 * the journey language, through jy_pat_tie_key; sequence_* order them by their
 * condition mask read as a number (condition 1 = bit 0), so no answer depends
 * on the order rows arrive in (ClickHouse leaves it unspecified).
 *
 * Patterns are compiled once per query: the compiled program is cached in
 * fn_extra keyed on the pattern text (and, for sequence_*, the number of
 * conditions).  Aggregates keep (ts, pattern-local event id) pairs in an
 * internal state with combine / serialize / deserialize for parallel plans.
 */
#include "jy_agg.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "pattern.h"
#include "journey_type.h"

PG_FUNCTION_INFO_V1(jy_pattern_trans);
PG_FUNCTION_INFO_V1(jy_seq_trans);
PG_FUNCTION_INFO_V1(jy_pattern_combine);
PG_FUNCTION_INFO_V1(jy_pattern_serial);
PG_FUNCTION_INFO_V1(jy_pattern_deserial);
PG_FUNCTION_INFO_V1(jy_pattern_final_match);
PG_FUNCTION_INFO_V1(jy_pattern_final_count);
PG_FUNCTION_INFO_V1(jy_pattern_array_match);
PG_FUNCTION_INFO_V1(jy_pattern_array_count);
PG_FUNCTION_INFO_V1(jy_pattern_matches);
PG_FUNCTION_INFO_V1(jy_pattern_fired);
PG_FUNCTION_INFO_V1(jy_pattern_j_match);
PG_FUNCTION_INFO_V1(jy_pattern_j_count);
PG_FUNCTION_INFO_V1(jy_pattern_j_matches);
PG_FUNCTION_INFO_V1(jy_pattern_j_fired);
PG_FUNCTION_INFO_V1(jy_pattern_steps);
PG_FUNCTION_INFO_V1(jy_pattern_j_steps);
PG_FUNCTION_INFO_V1(jy_transitions);
PG_FUNCTION_INFO_V1(jy_j_transitions);

#define KIND_JOURNEY	0
#define KIND_CH			1

/* ---- allocation and errors ----------------------------------------------- */

static void *
ctx_alloc(void *arg, size_t sz)
{
	return MemoryContextAllocHuge((MemoryContext) arg, sz);
}

/*
 * The pattern on one line with a caret under byte offset pos.  A long pattern
 * is shown as a window of about PAT_SHOW bytes either side of pos, with "..."
 * where it was cut (a 10 MB pattern used to be copied into the message whole).
 */
#define PAT_SHOW 80

static void
report_pattern_error(const char *pat, int len, const JyPatError *err, bool clickhouse)
{
	int			code;
	char	   *disp;
	int			i,
				n,
				col,
				pos = Min(Max(err->pos, 0), len),
				from = 0,
				to = len;

	if (len > 3 * PAT_SHOW)
	{
		/* cut on character boundaries */
		while (from < pos - PAT_SHOW)
			from += pg_mblen(pat + from);
		to = from;
		while (to < len && to < pos + PAT_SHOW)
			to += pg_mblen(pat + to);
		to = Min(to, len);
	}
	disp = palloc(to - from + 7);
	n = 0;
	if (from > 0)
	{
		memcpy(disp, "...", 3);
		n = 3;
	}
	for (i = from; i < to; i++)
		disp[n++] = (pat[i] == '\n' || pat[i] == '\r' || pat[i] == '\t') ? ' ' : pat[i];
	if (to < len)
	{
		memcpy(disp + n, "...", 3);
		n += 3;
	}
	disp[n] = '\0';
	/* the caret's column in the display; the character number counts from the start */
	col = (from > 0 ? 3 : 0) + pg_mbstrlen_with_len(pat + from, pos - from);
	switch (err->status)
	{
		case JY_PAT_LIMIT:
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			break;
		case JY_PAT_UNSUPPORTED:
			code = ERRCODE_FEATURE_NOT_SUPPORTED;
			break;
		default:
			code = ERRCODE_INVALID_REGULAR_EXPRESSION;
	}
	if (err->status == JY_PAT_EMPTY)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid %spattern: %s", clickhouse ? "sequence " : "", err->msg),
				 errhint(clickhouse ? "Write at least one of (?N), . or .*."
						 : "Write at least one event name, . or a set such as [a b].")));
	ereport(ERROR,
			(errcode(code),
			 errmsg("invalid %spattern: %s", clickhouse ? "sequence " : "", err->msg),
			 errdetail("At character %d of the pattern:\n%s\n%*s^",
					   pg_mbstrlen_with_len(pat, pos) + 1, disp, col, ""),
			 err->status == JY_PAT_LIMIT ?
			 errhint("Repeat counts are limited to %d and compiled patterns to %d instructions.",
					 JY_PAT_MAX_REPEAT, JY_PAT_MAX_PROG) : 0));
}

/* ---- compiled-pattern cache (fn_extra) ----------------------------------- */

typedef struct PatCache
{
	int			kind;
	int			nconds;
	char	   *key;
	int			keylen;
	JyPattern  *jp;
	JyChPattern *cp;
	JyPatScratch *scratch;
	JyAlloc		alloc;
	int32	   *ids;			/* aggregate finals: pattern-local ids, reused */
	int64		idcap;
	bool		skips_others;	/* journey patterns: jy_pat_skips_others */
} PatCache;

static PatCache *
get_pattern(FmgrInfo *flinfo, const char *pat, int len, int kind, int nconds)
{
	PatCache   *c = (PatCache *) flinfo->fn_extra;
	MemoryContext cxt = flinfo->fn_mcxt;
	JyPatError	err;

	if (c && c->kind == kind && c->nconds == nconds && c->keylen == len &&
		memcmp(c->key, pat, len) == 0)
		return c;
	/* a different pattern: the old one stays allocated until the query ends (rare) */
	c = MemoryContextAllocZero(cxt, sizeof(PatCache));
	c->alloc.alloc = ctx_alloc;
	c->alloc.arg = cxt;
	c->kind = kind;
	c->nconds = nconds;
	if (kind == KIND_JOURNEY)
	{
		c->jp = jy_pat_compile_ex(pat, len, &c->alloc, &err, jy_tick, NULL);
		if (!c->jp)
			report_pattern_error(pat, len, &err, false);
		c->scratch = jy_pat_scratch(c->jp, &c->alloc);
		jy_pat_set_tick(c->scratch, jy_tick, NULL);
		c->skips_others = jy_pat_skips_others(c->jp);
	}
	else
	{
		c->cp = jy_ch_compile_ex(pat, len, nconds, &c->alloc, &err, jy_tick, NULL);
		if (!c->cp)
			report_pattern_error(pat, len, &err, true);
	}
	c->key = MemoryContextAlloc(cxt, len + 1);
	memcpy(c->key, pat, len);
	c->keylen = len;
	flinfo->fn_extra = c;
	return c;
}

static text *
pattern_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("pattern must not be NULL")));
	return PG_GETARG_TEXT_PP(argno);
}

/* ---- sorting (ts, payload) by ts, stable --------------------------------- */

typedef struct TsIdx
{
	int64		ts;
	uint32		key;			/* tie order: name key (journey) or condition mask (sequence_*) */
	int64		idx;
} TsIdx;

static int
tsidx_cmp(const void *a, const void *b, void *arg)
{
	const TsIdx *x = a,
			   *y = b;

	(void) arg;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
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
	jy_sort(t, n, sizeof(TsIdx), tsidx_cmp, NULL);
	for (i = 0; i < n; i++)
	{
		ts[i] = t[i].ts;
		tmp[i] = pl[t[i].idx];
	}
	memcpy(pl, tmp, n * sizeof(int32));
	pfree(t);
	pfree(tmp);
}

/* (ts, name) sort for functions that need the full name order (transitions) */
typedef struct NameTs
{
	int64		ts;
	char	   *name;
	int64		idx;
} NameTs;

static int
namets_cmp(const void *a, const void *b, void *arg)
{
	const NameTs *x = a,
			   *y = b;
	size_t		lx,
				ly;
	int			c;

	(void) arg;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	lx = strlen(x->name);
	ly = strlen(y->name);
	c = memcmp(x->name, y->name, Min(lx, ly));
	if (c != 0)
		return c;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
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
		st = patagg_new(aggcxt, get_pattern(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat),
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
		st = patagg_new(aggcxt, get_pattern(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat),
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
	st = patagg_new(CurrentMemoryContext, get_pattern(fcinfo->flinfo, pat, patlen, kind, nconds), n);
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
		JyAlloc		cur = {ctx_alloc, CurrentMemoryContext};

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

/* ---- array forms ---------------------------------------------------------- */

/*
 * The array forms sort one 24-byte entry per array element (TsIdx, NameTs) in
 * one allocation, which PostgreSQL caps at 1 GB: arrays of more elements
 * (NULL elements included) are refused with 54000 before any work is done,
 * instead of failing in palloc with a generic XX000.
 */
#define JY_ARRAY_MAX_EVENTS ((int) (MaxAllocSize / Max(sizeof(TsIdx), sizeof(NameTs))))

static void
check_event_arrays(ArrayType *tsa, ArrayType *eva)
{
	int			nts = ArrayGetNItems(ARR_NDIM(tsa), ARR_DIMS(tsa)),
				nev = ArrayGetNItems(ARR_NDIM(eva), ARR_DIMS(eva));

	if (ARR_NDIM(tsa) > 1 || ARR_NDIM(eva) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("timestamps and events must be one-dimensional arrays")));
	if (nts != nev)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("timestamps and events must have the same number of elements"),
				 errdetail("There are %d timestamps and %d events.", nts, nev)));
	if (nts > JY_ARRAY_MAX_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("event arrays are too large"),
				 errdetail("The arrays have %d elements; the array forms accept at most %d (NULL elements included).",
						   nts, JY_ARRAY_MAX_EVENTS),
				 errhint("Split the arrays, or use the aggregates journey_match(ts, event, pattern) and journey_count(ts, event, pattern) over rows.")));
}

/* the elements of the (checked) timestamp and event arrays; returns their number */
static int
event_arrays(ArrayType *tsa, ArrayType *eva, Datum **tsd, bool **tsn, Datum **evd, bool **evn)
{
	int			nts,
				nev;

	check_event_arrays(tsa, eva);
	deconstruct_array(tsa, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, tsd, tsn, &nts);
	deconstruct_array(eva, TEXTOID, -1, false, TYPALIGN_INT, evd, evn, &nev);
	Assert(nts == nev);
	return nts;
}

typedef struct ArrJourney
{
	int64	   *ts;
	int32	   *ev;
	int32	   *orig;			/* index in the input arrays of each kept event */
	char	  **names;			/* event text of each kept event (journey_matches only) */
	int64		n;
	/* journey-type input: names come from the decoded view's dictionary */
	JyJView    *view;
} ArrJourney;

/* text datum of the name of event i */
static Datum
event_name_datum(const ArrJourney *j, size_t i)
{
	if (j->view)
	{
		uint32		id = j->view->ev[i];

		return PointerGetDatum(cstring_to_text_with_len(j->view->name[id], (int) j->view->name_len[id]));
	}
	return CStringGetTextDatum(j->names[i]);
}

/* name of event i (not NUL-terminated) */
static inline const char *
event_name(const ArrJourney *j, size_t i, Size *len)
{
	if (j->view)
	{
		uint32		id = j->view->ev[i];

		*len = j->view->name_len[id];
		return j->view->name[id];
	}
	*len = strlen(j->names[i]);
	return j->names[i];
}

/*
 * text[] of the names of events [from, to).  Built here, with a check for
 * cancellation every 65536 elements, rather than as one text datum per event
 * handed to construct_array, which loops over every element without a check
 * (journey_next_events over 16 M events held the backend ~10 s).  The same
 * bytes as construct_array (elements int-aligned, padding zeroed).
 */
static ArrayType *
names_array(const ArrJourney *j, size_t from, size_t to)
{
	Size		nbytes = ARR_OVERHEAD_NONULLS(1),
				len;
	size_t		i;
	ArrayType  *a;
	char	   *p;

	if (to <= from)
		return construct_empty_array(TEXTOID);
	for (i = from; i < to; i++)
	{
		if (((i - from) & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		(void) event_name(j, i, &len);
		nbytes += INTALIGN(VARHDRSZ + len);
		if (nbytes > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("array size exceeds the maximum allowed (%d)", (int) MaxAllocSize)));
	}
	a = (ArrayType *) palloc(nbytes);
	memset(a, 0, ARR_OVERHEAD_NONULLS(1));
	SET_VARSIZE(a, nbytes);
	a->ndim = 1;
	a->dataoffset = 0;
	a->elemtype = TEXTOID;
	ARR_DIMS(a)[0] = (int) (to - from);
	ARR_LBOUND(a)[0] = 1;
	p = ARR_DATA_PTR(a);
	for (i = from; i < to; i++)
	{
		const char *nm = event_name(j, i, &len);
		Size		sz = VARHDRSZ + len;

		if (((i - from) & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		SET_VARSIZE(p, sz);
		memcpy(VARDATA(p), nm, len);
		memset(p + sz, 0, INTALIGN(sz) - sz);
		p += INTALIGN(sz);
	}
	return a;
}

/* decode a journey value into pattern-local ids (names resolved once per dictionary entry) */
static void
journey_value_to_events(Datum d, const JyPattern *p, ArrJourney *j)
{
	JyJView    *v = palloc0(sizeof(JyJView));
	int32	   *map;
	uint32		i;

	jy_journey_view(d, v);
	map = palloc(Max(v->ndict, 1) * sizeof(int32));
	for (i = 0; i < v->ndict; i++)
		map[i] = jy_pat_lookup(p, v->name[i], v->name_len[i]);
	j->view = v;
	j->n = v->n;
	j->ts = v->ts;
	j->ev = palloc(Max(v->n, 1) * sizeof(int32));
	for (i = 0; i < v->n; i++)
		j->ev[i] = map[v->ev[i]];
	j->names = NULL;
	j->orig = NULL;
}

/*
 * Events the pattern does not name share a tie key when no pattern name sorts
 * between them: the matcher cannot tell them apart, but the functions that
 * return names and positions can.  Order each run of such ties, sorted by
 * (ts, key), by name (the journey type's byte order), then input position.
 */
static void
order_unnamed_ties(TsIdx *t, int64 n, const Datum *evd)
{
	int64		i = 1;

	while (i < n)
	{
		int64		s = i - 1,
					e,
					k;
		NameTs	   *nt;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (t[i].ts != t[s].ts || t[i].key != t[s].key || (t[s].key & 1))
		{
			i++;
			continue;
		}
		for (e = i + 1; e < n && t[e].ts == t[s].ts && t[e].key == t[s].key; e++)
			;
		nt = palloc((e - s) * sizeof(NameTs));
		for (k = s; k < e; k++)
		{
			nt[k - s].ts = t[k].ts;
			nt[k - s].name = text_to_cstring(DatumGetTextPP(evd[t[k].idx]));
			nt[k - s].idx = t[k].idx;
		}
		jy_sort(nt, e - s, sizeof(NameTs), namets_cmp, NULL);
		for (k = s; k < e; k++)
		{
			t[k].idx = nt[k - s].idx;
			pfree(nt[k - s].name);
		}
		pfree(nt);
		i = e + 1;
	}
}

/*
 * Decode (ts[], event[]) into a time-ordered journey of pattern-local ids.
 * Events at the same time are ordered by name (like the journey type) as far
 * as the pattern can tell, and fully by name when names are kept (they are
 * returned); pairs with a NULL timestamp or event are skipped.
 */
static void
arrays_to_journey(ArrayType *tsa, ArrayType *eva, const JyPattern *p, bool keep_names, ArrJourney *j)
{
	Datum	   *tsd,
			   *evd;
	bool	   *tsn,
			   *evn;
	int			nts = event_arrays(tsa, eva, &tsd, &tsn, &evd, &evn),
				i;
	TsIdx	   *t;
	bool		sorted = true;

	t = palloc(Max(nts, 1) * sizeof(TsIdx));
	j->n = 0;
	for (i = 0; i < nts; i++)
	{
		text	   *ev;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (tsn[i] || evn[i])
			continue;
		ev = DatumGetTextPP(evd[i]);
		t[j->n].ts = DatumGetTimestampTz(tsd[i]);
		t[j->n].key = jy_pat_tie_key(p, VARDATA_ANY(ev), VARSIZE_ANY_EXHDR(ev));
		t[j->n].idx = i;
		if (j->n > 0 && tsidx_cmp(&t[j->n], &t[j->n - 1], NULL) < 0)
			sorted = false;
		j->n++;
	}
	if (!sorted)
		jy_sort(t, j->n, sizeof(TsIdx), tsidx_cmp, NULL);
	if (keep_names)
		order_unnamed_ties(t, j->n, evd);
	j->ts = palloc(Max(j->n, 1) * sizeof(int64));
	j->ev = palloc(Max(j->n, 1) * sizeof(int32));
	j->orig = palloc(Max(j->n, 1) * sizeof(int32));
	j->names = keep_names ? palloc(Max(j->n, 1) * sizeof(char *)) : NULL;
	j->view = NULL;
	for (i = 0; i < j->n; i++)
	{
		text	   *ev = DatumGetTextPP(evd[t[i].idx]);

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		j->ts[i] = t[i].ts;
		j->orig[i] = (int32) t[i].idx;
		j->ev[i] = (t[i].key & 1) ? (int32) ((t[i].key - 1) / 2) : -1;
		if (keep_names)
			j->names[i] = text_to_cstring(ev);
	}
}

/* journey_match / journey_count over arrays (ts[], event[], pattern) */
static int64
array_run(FunctionCallInfo fcinfo, bool count)
{
	text	   *pat = PG_GETARG_TEXT_PP(2);
	PatCache   *c = get_pattern(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat), KIND_JOURNEY, 0);
	ArrJourney	j;
	JyEvents	e;

	arrays_to_journey(PG_GETARG_ARRAYTYPE_P(0), PG_GETARG_ARRAYTYPE_P(1), c->jp, false, &j);
	e.ts = j.ts;
	e.ev = j.ev;
	e.n = j.n;
	if (count)
		return jy_pat_count(c->jp, c->scratch, &e);
	return jy_pat_match(c->jp, c->scratch, &e) ? 1 : 0;
}

Datum
jy_pattern_array_match(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(array_run(fcinfo, false) != 0);
}

Datum
jy_pattern_array_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(array_run(fcinfo, true));
}

/*
 * journey_matches(ts[], event[], pattern): match_no, start_pos, end_pos
 * (1-based positions in the time-ordered journey), start_ts, end_ts,
 * n_events, events (text[] of the matched events).
 */
static void
emit_matches(FunctionCallInfo fcinfo, PatCache *c, ArrJourney *j)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	JyEvents	e;
	size_t		from = 0,
				ms,
				me;
	int64		no = 0;

	e.ts = j->ts;
	e.ev = j->ev;
	e.n = j->n;
	while (from < e.n && jy_pat_next(c->jp, c->scratch, &e, from, true, &ms, &me))
	{
		Datum		values[9];
		bool		nulls[9] = {false};
		ArrayType  *names;

		CHECK_FOR_INTERRUPTS();
		no++;
		names = names_array(j, ms, me + 1);
		values[0] = Int64GetDatum(no);
		values[1] = Int32GetDatum((int32) ms + 1);
		values[2] = Int32GetDatum((int32) me + 1);
		values[3] = TimestampTzGetDatum(j->ts[ms]);
		values[4] = TimestampTzGetDatum(j->ts[me]);
		values[5] = Int32GetDatum((int32) (me - ms + 1));
		values[6] = PointerGetDatum(names);
		if (ms > 0)
			values[7] = event_name_datum(j, ms - 1);
		else
			nulls[7] = true;
		if (me + 1 < e.n)
			values[8] = event_name_datum(j, me + 1);
		else
			nulls[8] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		pfree(names);
		from = me + 1;
	}
}

/*
 * journey_matches(ts[], event[], pattern): match_no, start_pos, end_pos
 * (1-based positions in the time-ordered journey), start_ts, end_ts,
 * n_events, events (text[] of the matched events), prev_event, next_event.
 */
Datum
jy_pattern_matches(PG_FUNCTION_ARGS)
{
	ArrayType  *tsa = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *eva = PG_GETARG_ARRAYTYPE_P(1);
	text	   *pat = PG_GETARG_TEXT_PP(2);
	PatCache   *c = get_pattern(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat), KIND_JOURNEY, 0);
	ArrJourney	j;

	jy_init_row_srf(fcinfo);
	arrays_to_journey(tsa, eva, c->jp, true, &j);
	emit_matches(fcinfo, c, &j);
	return (Datum) 0;
}

/* the same over a journey value */
Datum
jy_pattern_j_matches(PG_FUNCTION_ARGS)
{
	text	   *pat = PG_GETARG_TEXT_PP(1);
	PatCache   *c = get_pattern(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat), KIND_JOURNEY, 0);
	ArrJourney	j;

	uint64		need = jy_pat_required(c->jp),
				have = 0;
	uint32		i;

	jy_init_row_srf(fcinfo);
	journey_value_to_events(PG_GETARG_DATUM(0), c->jp, &j);
	if (need != 0)
	{
		/* a name every match needs is absent: no rows, without running the matcher */
		for (i = 0; i < j.n; i++)
			if (j.ev[i] >= 0 && j.ev[i] < 64)
				have |= UINT64CONST(1) << j.ev[i];
		if ((need & ~have) != 0)
			return (Datum) 0;
	}
	emit_matches(fcinfo, c, &j);
	return (Datum) 0;
}

static int64
journey_value_run(FunctionCallInfo fcinfo, bool count)
{
	text	   *pat = PG_GETARG_TEXT_PP(1);
	PatCache   *c = get_pattern(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat), KIND_JOURNEY, 0);
	JyEvents	e;
	JyJView		v;
	int32	   *map,
			   *ev;
	int64	   *ts;
	uint64		need = jy_pat_required(c->jp),
				have = 0;
	bool		skip = jy_pat_skips_others(c->jp);
	uint32		i,
				k = 0;

	/*
	 * Decode, map the journey's names to pattern ids once per dictionary
	 * entry, and answer at once when a name every match needs is absent.
	 * When the pattern's shape makes unnamed events irrelevant (S1 .* S2 ...),
	 * only the named events go to the matcher.
	 */
	jy_journey_view(PG_GETARG_DATUM(0), &v);
	map = palloc(Max(v.ndict, 1) * sizeof(int32));
	for (i = 0; i < v.ndict; i++)
	{
		map[i] = jy_pat_lookup(c->jp, v.name[i], v.name_len[i]);
		if (map[i] >= 0 && map[i] < 64)
			have |= UINT64CONST(1) << map[i];
	}
	if ((need & ~have) != 0)
		return 0;
	ts = skip ? palloc(Max(v.n, 1) * sizeof(int64)) : v.ts;
	ev = palloc(Max(v.n, 1) * sizeof(int32));
	for (i = 0; i < v.n; i++)
	{
		int32		id = map[v.ev[i]];

		if (skip)
		{
			if (id < 0)
				continue;
			ts[k] = v.ts[i];
		}
		ev[k++] = id;
	}
	e.ts = ts;
	e.ev = ev;
	e.n = k;
	if (count)
		return jy_pat_count(c->jp, c->scratch, &e);
	return jy_pat_match(c->jp, c->scratch, &e) ? 1 : 0;
}

Datum
jy_pattern_j_match(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(journey_value_run(fcinfo, false) != 0);
}

Datum
jy_pattern_j_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(journey_value_run(fcinfo, true));
}

static bool
fired_time(PatCache *c, ArrJourney *j, bool last, int64 *when)
{
	JyEvents	e;
	size_t		from = 0,
				ms,
				me;
	bool		found = false;

	e.ts = j->ts;
	e.ev = j->ev;
	e.n = j->n;
	while (from < e.n && jy_pat_next(c->jp, c->scratch, &e, from, false, &ms, &me))
	{
		found = true;
		*when = j->ts[me];
		if (!last)
			break;
		from = me + 1;
	}
	return found;
}

/* journey_first_fired / journey_last_fired over a journey value (arg 2: last) */
Datum
jy_pattern_j_fired(PG_FUNCTION_ARGS)
{
	text	   *pat = PG_GETARG_TEXT_PP(1);
	bool		last = PG_GETARG_BOOL(2);
	PatCache   *c = get_pattern(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat), KIND_JOURNEY, 0);
	ArrJourney	j;
	int64		when;

	journey_value_to_events(PG_GETARG_DATUM(0), c->jp, &j);
	if (!fired_time(c, &j, last, &when))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(when);
}

/*
 * journey_first_fired / journey_last_fired (ts[], event[], pattern): the time
 * of the last event of the first (last) non-overlapping match, i.e. when a
 * rule written as a pattern fired first (last); NULL when it never fired.
 * The C-level argument 3 selects last (true) or first (false).
 */
Datum
jy_pattern_fired(PG_FUNCTION_ARGS)
{
	ArrayType  *tsa = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *eva = PG_GETARG_ARRAYTYPE_P(1);
	text	   *pat = PG_GETARG_TEXT_PP(2);
	bool		last = PG_GETARG_BOOL(3);
	PatCache   *c = get_pattern(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat), KIND_JOURNEY, 0);
	ArrJourney	j;
	int64		when;

	arrays_to_journey(tsa, eva, c->jp, false, &j);
	if (!fired_time(c, &j, last, &when))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(when);
}

/* ---- paths ------------------------------------------------------------------ */

/*
 * The n events after the end (forward) or before the start (backward) of the
 * first or last match, nearest first for backward = false and in journey
 * order for backward = true; NULL when there is no match, an empty array
 * when the match touches the end (start) of the journey.
 */
static Datum
steps_around(FunctionCallInfo fcinfo, PatCache *c, ArrJourney *j, int32 n, bool backward, bool last)
{
	JyEvents	e;
	size_t		from = 0,
				ms,
				me,
				bs = 0,
				be = 0;
	bool		found = false;
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the number of steps must not be negative")));
	e.ts = j->ts;
	e.ev = j->ev;
	e.n = j->n;
	while (from < e.n && jy_pat_next(c->jp, c->scratch, &e, from, backward, &ms, &me))
	{
		found = true;
		bs = ms;
		be = me;
		if (!last)
			break;
		from = me + 1;
	}
	if (!found)
		return (Datum) 0;
	/* n is the caller's (up to 2^31 - 1): at most the journey's events are returned */
	(void) fcinfo;
	if (backward)
		return PointerGetDatum(names_array(j, bs >= (size_t) n ? bs - n : 0, bs));
	return PointerGetDatum(names_array(j, be + 1, Min(e.n, be + 1 + (size_t) n)));
}

/* journey_next_events / journey_prev_events (ts[], event[], pattern, n, last_match, backward) */
Datum
jy_pattern_steps(PG_FUNCTION_ARGS)
{
	ArrayType  *tsa = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *eva = PG_GETARG_ARRAYTYPE_P(1);
	text	   *pat = PG_GETARG_TEXT_PP(2);
	PatCache   *c = get_pattern(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat), KIND_JOURNEY, 0);
	ArrJourney	j;
	Datum		r;

	arrays_to_journey(tsa, eva, c->jp, true, &j);
	r = steps_around(fcinfo, c, &j, PG_GETARG_INT32(3), PG_GETARG_BOOL(5), PG_GETARG_BOOL(4));
	if (r == (Datum) 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(r);
}

/* the same over a journey value: (j, pattern, n, last_match, backward) */
Datum
jy_pattern_j_steps(PG_FUNCTION_ARGS)
{
	text	   *pat = PG_GETARG_TEXT_PP(1);
	PatCache   *c = get_pattern(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat), KIND_JOURNEY, 0);
	ArrJourney	j;
	Datum		r;

	journey_value_to_events(PG_GETARG_DATUM(0), c->jp, &j);
	r = steps_around(fcinfo, c, &j, PG_GETARG_INT32(2), PG_GETARG_BOOL(4), PG_GETARG_BOOL(3));
	if (r == (Datum) 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(r);
}

/*
 * transitions between consecutive events: step, from_event, to_event, from_ts, gap
 *
 * One row per pair, so the per-row work is what counts: the name of a journey
 * value's event is one text datum per dictionary entry, built once per call,
 * and the gap is one Interval filled in place (tuplestore_putvalues copies
 * every datum into the stored tuple at once, so both can be reused).
 */
static void
emit_transitions(FunctionCallInfo fcinfo, ArrJourney *j)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		i;
	Datum	   *dict = NULL;
	Interval	gap;
	bool		nulls[6] = {false};

	if (j->view)
	{
		uint32		k;

		dict = palloc(Max(j->view->ndict, 1) * sizeof(Datum));
		for (k = 0; k < j->view->ndict; k++)
			dict[k] = PointerGetDatum(cstring_to_text_with_len(j->view->name[k], (int) j->view->name_len[k]));
	}
	gap.month = 0;
	for (i = 1; i < j->n; i++)
	{
		Datum		values[6];
		int64		d = j->ts[i] - j->ts[i - 1];

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();

		/* as jy_usecs_to_interval(d) */
		gap.day = (int32) (d / USECS_PER_DAY);
		gap.time = d % USECS_PER_DAY;
		values[0] = Int32GetDatum((int32) i);
		if (dict)
		{
			values[1] = dict[j->view->ev[i - 1]];
			values[2] = dict[j->view->ev[i]];
		}
		else
		{
			values[1] = event_name_datum(j, i - 1);
			values[2] = event_name_datum(j, i);
		}
		values[3] = TimestampTzGetDatum(j->ts[i - 1]);
		values[4] = IntervalPGetDatum(&gap);
		values[5] = Float8GetDatum((double) d / 1e6);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* an empty pattern-less view: every event is "other" for the sort (ties by name need the names) */
Datum
jy_transitions(PG_FUNCTION_ARGS)
{
	ArrayType  *tsa = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *eva = PG_GETARG_ARRAYTYPE_P(1);
	ArrJourney	j;
	Datum	   *tsd,
			   *evd;
	bool	   *tsn,
			   *evn;
	int			nts,
				i;
	NameTs	   *t;

	jy_init_row_srf(fcinfo);
	nts = event_arrays(tsa, eva, &tsd, &tsn, &evd, &evn);
	t = palloc(Max(nts, 1) * sizeof(NameTs));
	j.n = 0;
	for (i = 0; i < nts; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (tsn[i] || evn[i])
			continue;
		t[j.n].ts = DatumGetTimestampTz(tsd[i]);
		t[j.n].name = text_to_cstring(DatumGetTextPP(evd[i]));
		t[j.n].idx = i;
		j.n++;
	}
	jy_sort(t, j.n, sizeof(NameTs), namets_cmp, NULL);
	j.ts = palloc(Max(j.n, 1) * sizeof(int64));
	j.names = palloc(Max(j.n, 1) * sizeof(char *));
	j.view = NULL;
	for (i = 0; i < j.n; i++)
	{
		j.ts[i] = t[i].ts;
		j.names[i] = t[i].name;
	}
	emit_transitions(fcinfo, &j);
	return (Datum) 0;
}

Datum
jy_j_transitions(PG_FUNCTION_ARGS)
{
	JyJView    *v = palloc0(sizeof(JyJView));
	ArrJourney	j;

	jy_init_row_srf(fcinfo);
	jy_journey_view(PG_GETARG_DATUM(0), v);
	j.view = v;
	j.n = v->n;
	j.ts = v->ts;
	j.names = NULL;
	emit_transitions(fcinfo, &j);
	return (Datum) 0;
}
