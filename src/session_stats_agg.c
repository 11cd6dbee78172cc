/*
 * session_stats_agg.c — the aggregates that build session_stats values.
 *
 *   session_stats(ts [, gap [, max_length]])   per user: collect timestamps,
 *                                              sessionize in the final function
 *   rollup(session_stats)                      merge summaries (across users, days,
 *                                              nodes); session_stats_merge(a, b)
 *
 * The per-user state is internal (parallel safe: combine, serialize,
 * deserialize with the toolkit src/jy_agg.h); the summary type's merge is
 * the engine's (src/engine/session_stats.h).
 */
#include "session_stats_type.h"

#include "jy_agg.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "sessionize.h"

PG_FUNCTION_INFO_V1(jy_session_stats_trans);
PG_FUNCTION_INFO_V1(jy_session_stats_combine);
PG_FUNCTION_INFO_V1(jy_session_stats_serial);
PG_FUNCTION_INFO_V1(jy_session_stats_deserial);
PG_FUNCTION_INFO_V1(jy_session_stats_final);
PG_FUNCTION_INFO_V1(jy_session_stats_merge);

/* ---- per-user aggregate: collect timestamps, sessionize at the end ------- */

typedef struct SessAgg
{
	int64		gap;
	int64		max_len;
	int32		n;
	int32		cap;
	bool		sorted;
	/* int64 ts[cap] follows */
} SessAgg;

/*
 * One block per group, the header then ts[cap]: hash aggregation touches one
 * of a million states per row, and one block costs fewer cache misses than a
 * header and a separate array.  The blocks come from a slab of the aggregate
 * context (jy_slab: no chunk header, no power-of-two rounding) in capacity
 * classes SESSAGG_CAPS (48 bytes for two timestamps, 8 more per timestamp);
 * a state that grows moves to the next class (callers use the returned
 * pointer: internal states are passed by value) and its old block goes to
 * the slab's free list.  Past the classes, doubling.  A deserialized state
 * is one exact palloc'd block in the per-row context and never grows.
 */
#define SESSAGG_HDR MAXALIGN(sizeof(SessAgg))
#define SESSAGG_TS(st) ((int64 *) ((char *) (st) + SESSAGG_HDR))
#define SESSAGG_BYTES(cap) (SESSAGG_HDR + (Size) (cap) * sizeof(int64))
#define SESSAGG_MAX_EVENTS ((int64) ((MaxAllocSize - SESSAGG_HDR) / sizeof(int64)))
#define SESSAGG_TOO_MANY "events in one session_stats group", "events per group"

static const uint32 SESSAGG_CAPS[] = {2, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 200, 252};

/* the call site's cache (fn_extra): the slabs of its aggregate contexts */
typedef struct SessCache
{
	JySlabSlot *slabs;
} SessCache;

static JySlab *
sessagg_slab(FunctionCallInfo fcinfo, MemoryContext aggcxt)
{
	SessCache  *c = (SessCache *) fcinfo->flinfo->fn_extra;

	if (c == NULL)
		c = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SessCache));
	return jy_slab_get(&c->slabs, fcinfo->flinfo->fn_mcxt, aggcxt);
}

static int32
sessagg_cap_for(int64 cap, int64 need)
{
	return (int32) jy_class_cap(SESSAGG_CAPS, lengthof(SESSAGG_CAPS), cap, need, SESSAGG_MAX_EVENTS, SESSAGG_TOO_MANY);
}

static void
sessagg_init(SessAgg *st, int64 gap, int64 max_len, int32 cap)
{
	st->gap = gap;
	st->max_len = max_len;
	st->n = 0;
	st->cap = cap;
	st->sorted = true;
}

static SessAgg *
sessagg_new(JySlab *slab, int64 gap, int64 max_len, int64 need)
{
	int32		cap = sessagg_cap_for(0, need);
	SessAgg    *st = (SessAgg *) jy_slab_alloc(slab, SESSAGG_BYTES(cap));

	sessagg_init(st, gap, max_len, cap);
	return st;
}

/* room for `more` timestamps; may move the state */
static SessAgg *
sessagg_reserve(SessAgg *st, int64 more, JySlab *slab)
{
	int64		need = (int64) st->n + more;
	int32		cap;
	SessAgg    *x;

	if (need <= st->cap)
		return st;
	cap = sessagg_cap_for(st->cap, need);
	x = (SessAgg *) jy_slab_move(slab, st, SESSAGG_BYTES(st->n), SESSAGG_BYTES(st->cap), SESSAGG_BYTES(cap));
	x->cap = cap;
	return x;
}

static void
sessagg_params(FunctionCallInfo fcinfo, int64 *gap, int64 *max_len)
{
	*gap = 30 * USECS_PER_MINUTE;
	*max_len = 0;
	if (PG_NARGS() > 2)
		*gap = jy_positive_interval_arg(fcinfo, 2, "session gap");
	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
	{
		*max_len = jy_interval_usecs(PG_GETARG_INTERVAL_P(3), "maximum session length");
		if (*max_len < *gap)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("maximum session length must not be shorter than the session gap")));
	}
}

static void
sessagg_check_same(const SessAgg *st, int64 gap, int64 max_len)
{
	if (st->gap != gap || st->max_len != max_len)
		jy_arg_differs("session gap and maximum length", "group", NULL);
}

Datum
jy_session_stats_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = jy_agg_context(fcinfo, "session_stats_trans");
	SessAgg    *st;
	int64		gap,
				max_len,
				ts;

	JySlab	   *slab = sessagg_slab(fcinfo, aggcxt);

	sessagg_params(fcinfo, &gap, &max_len);
	if (PG_ARGISNULL(0))
		st = sessagg_new(slab, gap, max_len, 0);
	else
	{
		st = (SessAgg *) PG_GETARG_POINTER(0);
		sessagg_check_same(st, gap, max_len);
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	ts = PG_GETARG_INT64(1);
	if (unlikely(st->n == st->cap))
		st = sessagg_reserve(st, 1, slab);
	if (st->n > 0 && ts < SESSAGG_TS(st)[st->n - 1])
		st->sorted = false;
	SESSAGG_TS(st)[st->n++] = ts;
	PG_RETURN_POINTER(st);
}

Datum
jy_session_stats_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = jy_agg_context(fcinfo, "session_stats_combine");
	SessAgg    *a,
			   *b;

	JySlab	   *slab;

	JY_COMBINE_ARGS(SessAgg, a, b);
	slab = sessagg_slab(fcinfo, aggcxt);
	if (a == NULL)
		a = sessagg_new(slab, b->gap, b->max_len, b->n);
	else
		sessagg_check_same(a, b->gap, b->max_len);
	if (b->n > 0)
	{
		a = sessagg_reserve(a, b->n, slab);
		if (!b->sorted || (a->n > 0 && SESSAGG_TS(b)[0] < SESSAGG_TS(a)[a->n - 1]))
			a->sorted = false;
		memcpy(SESSAGG_TS(a) + a->n, SESSAGG_TS(b), b->n * sizeof(int64));
		a->n += b->n;
	}
	PG_RETURN_POINTER(a);
}

/* serialized: gap int64, max_len int64, n int64, sorted uint8, ts[n] (native int64) */
Datum
jy_session_stats_serial(PG_FUNCTION_ARGS)
{
	SessAgg    *st = (SessAgg *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	jy_serial_begin(&buf, 3 * sizeof(int64) + 1 + (Size) st->n * sizeof(int64),
					"session_stats aggregate state");
	pq_sendint64(&buf, st->gap);
	pq_sendint64(&buf, st->max_len);
	pq_sendint64(&buf, st->n);
	pq_sendbyte(&buf, st->sorted ? 1 : 0);
	/* native layout: the state only travels between processes of one server */
	if (st->n > 0)
		pq_sendbytes(&buf, (const char *) SESSAGG_TS(st), st->n * sizeof(int64));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * The state is built in the per-row context (CurrentMemoryContext), not the
 * aggregate context: combine copies it into the group's state.
 */
Datum
jy_session_stats_deserial(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	SessAgg    *st;
	int64		gap,
				max_len,
				n;
	int			sorted;

	jy_deserial_begin(fcinfo, &buf, "session_stats_deserial");
	gap = pq_getmsgint64(&buf);
	max_len = pq_getmsgint64(&buf);
	n = pq_getmsgint64(&buf);
	sorted = pq_getmsgbyte(&buf);
	if (n < 0 || n > SESSAGG_MAX_EVENTS || (Size) n * sizeof(int64) != (Size) (buf.len - buf.cursor) ||
		sorted > 1)
		elog(ERROR, "corrupt session_stats aggregate state");
	st = (SessAgg *) palloc(SESSAGG_BYTES(n));
	sessagg_init(st, gap, max_len, (int32) n);
	st->sorted = sorted != 0;
	if (n > 0)
		pq_copymsgbytes(&buf, (char *) SESSAGG_TS(st), n * sizeof(int64));
	st->n = (int32) n;
	jy_deserial_end(&buf);
	PG_RETURN_POINTER(st);
}

typedef struct HistBuild
{
	uint64	   *e;
	size_t		n;
} HistBuild;

static void
hist_on_session(void *arg, int64_t duration, int64_t events)
{
	HistBuild  *h = (HistBuild *) arg;

	(void) events;
	/* room for n+1 is guaranteed: at most one entry per session */
	h->n = jy_qs_add(h->e, h->n, jy_qs_bucket(duration), 1);
}

JySessionStats *
ss_from_sorted(const int64 *ts, int64 n, int64 gap, int64 max_len, uint64 *hist)
{
	JySessionTotals tot = {0, 0, 0, 0};
	HistBuild	h;
	JySessionStats *s;
	size_t		room = (size_t) Min(n, (int64) JY_SS_MAX_ENTRIES) + 1;

	h.e = hist ? hist : (uint64 *) palloc(room * sizeof(uint64));
	h.n = 0;
	if (!jy_session_totals_ex(ts, n, gap, max_len, &tot, hist_on_session, &h, jy_tick, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("total session duration out of range")));
	s = ss_alloc((uint32) h.n);
	s->sessions = tot.sessions;
	s->events = tot.events;
	s->bounces = tot.bounces;
	s->duration_sum = tot.duration_sum;
	memcpy(s->entries, h.e, h.n * sizeof(uint64));
	if (hist == NULL)
		pfree(h.e);
	return s;
}

Datum
jy_session_stats_final(PG_FUNCTION_ARGS)
{
	SessAgg    *st;

	st = jy_agg_final_state(fcinfo, "session_stats final function");
	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();
	if (!st->sorted)
	{
		/* sorting in place keeps the state valid for another final call */
		int64	   *scratch = (int64 *) palloc(st->n * sizeof(int64));

		jy_sort_int64_ex(SESSAGG_TS(st), st->n, scratch, jy_tick, NULL);
		pfree(scratch);
		st->sorted = true;
	}
	PG_RETURN_POINTER(ss_from_sorted(SESSAGG_TS(st), st->n, st->gap, st->max_len, NULL));
}

/* ---- rollup: merge two summaries ---------------------------------------- */

/*
 * Strict transition and combine function of rollup(session_stats), and the
 * SQL function session_stats_merge(a, b).  Inside an aggregate, the state is
 * updated in place when b brings no new histogram bucket; otherwise a new
 * value is built (nodeAgg then takes ownership of it).
 */
Datum
jy_session_stats_merge(PG_FUNCTION_ARGS)
{
	bool		inplace;
	JySessionStats *a = (JySessionStats *) jy_agg_merge_arg(fcinfo, &inplace);
	JySessionStats *b = PG_GETARG_SESSION_STATS_P(1);
	size_t		miss = jy_ss_missing_buckets(a, b);
	JySessionStats *r;
	JyCodecError err;

	if (inplace && miss == 0)
		r = a;
	else
	{
		r = (JySessionStats *) palloc(JY_SS_SIZE(a->nentries + miss));
		memcpy(r, a, JY_SS_SIZE(a->nentries));
	}
	if (jy_ss_merge(r, b, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, "session_stats", NULL, ERRCODE_INVALID_PARAMETER_VALUE);
	Assert(r->nentries == a->nentries + miss);
	SET_VARSIZE(r, JY_SS_SIZE(r->nentries));
	PG_RETURN_POINTER(r);
}
