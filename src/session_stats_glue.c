/*
 * session_stats_glue.c — session KPIs as a two-step aggregate.
 *
 *   session_stats(ts [, gap [, max_length]])   per-user aggregate -> session_stats
 *   rollup(session_stats)                      merge summaries (across users, days, nodes)
 *   session_count(s), bounce_rate(s), median_duration(s), ... accessors
 *
 * session_stats is a varlena (not internal) with lossless text and binary
 * I/O, so summaries can be stored, shipped between nodes and re-aggregated.
 *
 * On-disk layout (all integers native-endian in memory; send/recv use network order):
 *   int32  vl_len_
 *   uint8  version        = 1
 *   uint8  flags          reserved, must be 0
 *   uint16 reserved       must be 0
 *   uint32 nentries       duration-histogram entries that follow
 *   int64  sessions, events, bounces, duration_sum (microseconds)
 *   uint64 entries[nentries]   qsketch entries (bucket << 51 | count), sorted
 */
#include "journey.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "access/htup_details.h"

#include "qsketch.h"
#include "sessionize.h"

#define SESSION_STATS_VERSION 1

typedef struct SessionStats
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;
	uint16		reserved;
	uint32		nentries;
	int64		sessions;
	int64		events;
	int64		bounces;
	int64		duration_sum;
	uint64		entries[FLEXIBLE_ARRAY_MEMBER];
} SessionStats;

#define SS_HDRSZ offsetof(SessionStats, entries)
#define SS_SIZE(n) (SS_HDRSZ + (Size) (n) * sizeof(uint64))
#define DatumGetSessionStatsP(d) ((SessionStats *) PG_DETOAST_DATUM(d))
#define PG_GETARG_SESSION_STATS_P(n) DatumGetSessionStatsP(PG_GETARG_DATUM(n))
#define SS_MAX_ENTRIES (JY_QS_MAX_BUCKET + 1)

PG_FUNCTION_INFO_V1(jy_session_stats_in);
PG_FUNCTION_INFO_V1(jy_session_stats_out);
PG_FUNCTION_INFO_V1(jy_session_stats_recv);
PG_FUNCTION_INFO_V1(jy_session_stats_send);
PG_FUNCTION_INFO_V1(jy_session_stats_trans);
PG_FUNCTION_INFO_V1(jy_session_stats_combine);
PG_FUNCTION_INFO_V1(jy_session_stats_serial);
PG_FUNCTION_INFO_V1(jy_session_stats_deserial);
PG_FUNCTION_INFO_V1(jy_session_stats_final);
PG_FUNCTION_INFO_V1(jy_session_stats_merge);
PG_FUNCTION_INFO_V1(jy_session_count);
PG_FUNCTION_INFO_V1(jy_event_count);
PG_FUNCTION_INFO_V1(jy_bounce_count);
PG_FUNCTION_INFO_V1(jy_bounce_rate);
PG_FUNCTION_INFO_V1(jy_events_per_session);
PG_FUNCTION_INFO_V1(jy_avg_duration);
PG_FUNCTION_INFO_V1(jy_total_duration);
PG_FUNCTION_INFO_V1(jy_session_stats_percentile);
PG_FUNCTION_INFO_V1(jy_session_stats_kpis);

static SessionStats *
ss_alloc(uint32 n)
{
	SessionStats *s = (SessionStats *) palloc0(SS_SIZE(n));

	SET_VARSIZE(s, SS_SIZE(n));
	s->version = SESSION_STATS_VERSION;
	s->nentries = n;
	return s;
}

/*
 * Validate a summary from outside (text or binary input).  `what` names the
 * problem in the error; every rule here is also what the aggregates keep true.
 */
static void
ss_validate(const SessionStats *s, int errc)
{
	uint64		total;
	const char *bad = NULL;

	if (s->version != SESSION_STATS_VERSION)
		bad = psprintf("Unsupported format version %u", s->version);
	else if (s->flags != 0 || s->reserved != 0)
		bad = "Reserved bits are set";
	else if (s->sessions < 0 || s->events < 0 || s->bounces < 0 || s->duration_sum < 0)
		bad = "A count or the duration is negative";
	else if (s->bounces > s->sessions)
		bad = "There are more bounces than sessions";
	else if (s->events < s->sessions)
		bad = "There are fewer events than sessions";
	else if (s->events - s->bounces < 2 * (s->sessions - s->bounces))
		bad = "There are fewer events than the non-bounce sessions need";
	else if (!jy_qs_valid(s->entries, s->nentries))
		bad = "Histogram entries are not strictly increasing, out of range or zero";
	else if (!jy_qs_total(s->entries, s->nentries, &total) || total != (uint64) s->sessions)
		bad = "Histogram counts do not add up to the number of sessions";
	else
	{
		uint64		lo,
					hi;

		jy_qs_sum_bounds(s->entries, s->nentries, &lo, &hi);
		if ((uint64) s->duration_sum < lo || (uint64) s->duration_sum > hi)
			bad = psprintf("The total duration " INT64_FORMAT " is outside the range " UINT64_FORMAT
						   " to " UINT64_FORMAT " that the histogram allows", s->duration_sum, lo, hi);
	}
	if (bad)
		ereport(ERROR,
				(errcode(errc),
				 errmsg("invalid session_stats value"),
				 errdetail("%s.", bad)));
}

/* ---- text I/O ----------------------------------------------------------
 * {"v":1,"sessions":3,"events":7,"bounces":1,"duration_us":123456,"hist":[[0,1],[1536,2]]}
 * Keys in this order, no white space needed (white space is allowed between tokens).
 */

Datum
jy_session_stats_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	JyTextScan		sc = {str, str, "session_stats"};
	SessionStats hdr;
	SessionStats *s;
	uint64	   *ents = NULL;
	int			n = 0,
				cap = 0;

	memset(&hdr, 0, sizeof(hdr));
	jy_scan_lit(&sc, "{");
	jy_scan_lit(&sc, "\"v\"");
	jy_scan_lit(&sc, ":");
	hdr.version = (uint8) jy_scan_int(&sc, 0, 255);
	if (hdr.version != SESSION_STATS_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("unsupported session_stats format version %d", hdr.version),
				 errdetail("This version of journey reads version %d.", SESSION_STATS_VERSION)));
	jy_scan_lit(&sc, ",");
	jy_scan_lit(&sc, "\"sessions\"");
	jy_scan_lit(&sc, ":");
	hdr.sessions = jy_scan_int(&sc, 0, PG_INT64_MAX);
	jy_scan_lit(&sc, ",");
	jy_scan_lit(&sc, "\"events\"");
	jy_scan_lit(&sc, ":");
	hdr.events = jy_scan_int(&sc, 0, PG_INT64_MAX);
	jy_scan_lit(&sc, ",");
	jy_scan_lit(&sc, "\"bounces\"");
	jy_scan_lit(&sc, ":");
	hdr.bounces = jy_scan_int(&sc, 0, PG_INT64_MAX);
	jy_scan_lit(&sc, ",");
	jy_scan_lit(&sc, "\"duration_us\"");
	jy_scan_lit(&sc, ":");
	hdr.duration_sum = jy_scan_int(&sc, 0, PG_INT64_MAX);
	jy_scan_lit(&sc, ",");
	jy_scan_lit(&sc, "\"hist\"");
	jy_scan_lit(&sc, ":");
	jy_scan_lit(&sc, "[");
	if (!jy_scan_peek(&sc, ']'))
	{
		for (;;)
		{
			int64		b,
						c;

			jy_scan_lit(&sc, "[");
			b = jy_scan_int(&sc, 0, JY_QS_MAX_BUCKET);
			jy_scan_lit(&sc, ",");
			c = jy_scan_int(&sc, 1, (int64) JY_QS_COUNT_MAX);
			jy_scan_lit(&sc, "]");
			if (n >= SS_MAX_ENTRIES)
				jy_scan_fail(&sc, "no more histogram entries");
			if (n == cap)
			{
				cap = cap ? cap * 2 : 16;
				ents = ents ? repalloc(ents, cap * sizeof(uint64)) : palloc(cap * sizeof(uint64));
			}
			ents[n++] = JY_QS_ENTRY(b, c);
			if (!jy_scan_peek(&sc, ','))
				break;
			jy_scan_lit(&sc, ",");
		}
	}
	jy_scan_lit(&sc, "]");
	jy_scan_lit(&sc, "}");
	jy_scan_ws(&sc);
	if (*sc.p != '\0')
		jy_scan_fail(&sc, "end of input");

	s = ss_alloc(n);
	s->sessions = hdr.sessions;
	s->events = hdr.events;
	s->bounces = hdr.bounces;
	s->duration_sum = hdr.duration_sum;
	if (n > 0)
		memcpy(s->entries, ents, n * sizeof(uint64));
	ss_validate(s, ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_POINTER(s);
}

Datum
jy_session_stats_out(PG_FUNCTION_ARGS)
{
	SessionStats *s = PG_GETARG_SESSION_STATS_P(0);
	StringInfoData buf;
	uint32		i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"v\":%d,\"sessions\":" INT64_FORMAT ",\"events\":" INT64_FORMAT
					 ",\"bounces\":" INT64_FORMAT ",\"duration_us\":" INT64_FORMAT ",\"hist\":[",
					 s->version, s->sessions, s->events, s->bounces, s->duration_sum);
	for (i = 0; i < s->nentries; i++)
		appendStringInfo(&buf, "%s[%u," UINT64_FORMAT "]", i ? "," : "",
						 JY_QS_BUCKET(s->entries[i]), (uint64) JY_QS_COUNT(s->entries[i]));
	appendStringInfoString(&buf, "]}");
	PG_RETURN_CSTRING(buf.data);
}

Datum
jy_session_stats_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	SessionStats *s;
	uint8		version,
				flags;
	uint16		reserved;
	uint32		n,
				i;

	version = (uint8) pq_getmsgbyte(buf);
	flags = (uint8) pq_getmsgbyte(buf);
	reserved = (uint16) pq_getmsgint(buf, 2);
	n = (uint32) pq_getmsgint(buf, 4);
	if (n > SS_MAX_ENTRIES || (Size) n * 8 > (Size) (buf->len - buf->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid session_stats value"),
				 errdetail("Declared %u histogram entries, more than the message holds.", n)));
	s = ss_alloc(n);
	s->version = version;
	s->flags = flags;
	s->reserved = reserved;
	s->sessions = pq_getmsgint64(buf);
	s->events = pq_getmsgint64(buf);
	s->bounces = pq_getmsgint64(buf);
	s->duration_sum = pq_getmsgint64(buf);
	for (i = 0; i < n; i++)
		s->entries[i] = (uint64) pq_getmsgint64(buf);
	ss_validate(s, ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_POINTER(s);
}

Datum
jy_session_stats_send(PG_FUNCTION_ARGS)
{
	SessionStats *s = PG_GETARG_SESSION_STATS_P(0);
	StringInfoData buf;
	uint32		i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendbyte(&buf, s->flags);
	pq_sendint16(&buf, s->reserved);
	pq_sendint32(&buf, s->nentries);
	pq_sendint64(&buf, s->sessions);
	pq_sendint64(&buf, s->events);
	pq_sendint64(&buf, s->bounces);
	pq_sendint64(&buf, s->duration_sum);
	for (i = 0; i < s->nentries; i++)
		pq_sendint64(&buf, (int64) s->entries[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- per-user aggregate: collect timestamps, sessionize at the end ------- */

typedef struct SessAgg
{
	int64		gap;
	int64		max_len;
	int64		n;
	int64		cap;
	bool		sorted;
	/* int64 ts[cap] follows */
} SessAgg;

/*
 * One allocation per group, the header then ts[cap] (the first block fills a
 * 128-byte chunk): hash aggregation touches one of a million states per row,
 * and one block costs fewer cache misses than a header and a separate array.
 * Growing reallocates the block: callers use the returned pointer (internal
 * states are passed by value; the executor keeps what the function returns).
 */
#define SESSAGG_HDR MAXALIGN(sizeof(SessAgg))
#define SESSAGG_TS(st) ((int64 *) ((char *) (st) + SESSAGG_HDR))
#define SESSAGG_CAP0 ((int64) ((128 - SESSAGG_HDR) / sizeof(int64)))
#define SESSAGG_MAX_EVENTS ((int64) ((MaxAllocSize - SESSAGG_HDR) / sizeof(int64)))

static SessAgg *
sessagg_new(MemoryContext cxt, int64 gap, int64 max_len, int64 cap)
{
	SessAgg    *st;

	if (cap > SESSAGG_MAX_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("session_stats: too many events in one group"),
				 errdetail("The limit is " INT64_FORMAT " events per group.", SESSAGG_MAX_EVENTS)));
	cap = Max(cap, SESSAGG_CAP0);
	st = (SessAgg *) MemoryContextAlloc(cxt, SESSAGG_HDR + cap * sizeof(int64));
	st->gap = gap;
	st->max_len = max_len;
	st->n = 0;
	st->cap = cap;
	st->sorted = true;
	return st;
}

/* room for `more` timestamps; may move the state */
static SessAgg *
sessagg_reserve(SessAgg *st, int64 more)
{
	int64		need = st->n + more,
				cap;

	if (need <= st->cap)
		return st;
	if (need > SESSAGG_MAX_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("session_stats: too many events in one group"),
				 errdetail("The limit is " INT64_FORMAT " events per group.", SESSAGG_MAX_EVENTS)));
	cap = Min(Max(need, st->cap * 2), SESSAGG_MAX_EVENTS);
	st = (SessAgg *) repalloc(st, SESSAGG_HDR + cap * sizeof(int64));
	st->cap = cap;
	return st;
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

Datum
jy_session_stats_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	SessAgg    *st;
	int64		gap,
				max_len,
				ts;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "session_stats_trans called in non-aggregate context");
	sessagg_params(fcinfo, &gap, &max_len);
	if (PG_ARGISNULL(0))
		st = sessagg_new(aggcxt, gap, max_len, 0);
	else
	{
		st = (SessAgg *) PG_GETARG_POINTER(0);
		if (st->gap != gap || st->max_len != max_len)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("session gap and maximum length must be the same for every row of a group")));
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	ts = PG_GETARG_INT64(1);
	if (unlikely(st->n == st->cap))
		st = sessagg_reserve(st, 1);
	if (st->n > 0 && ts < SESSAGG_TS(st)[st->n - 1])
		st->sorted = false;
	SESSAGG_TS(st)[st->n++] = ts;
	PG_RETURN_POINTER(st);
}

Datum
jy_session_stats_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	SessAgg    *a,
			   *b;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "session_stats_combine called in non-aggregate context");
	a = PG_ARGISNULL(0) ? NULL : (SessAgg *) PG_GETARG_POINTER(0);
	b = PG_ARGISNULL(1) ? NULL : (SessAgg *) PG_GETARG_POINTER(1);
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = sessagg_new(aggcxt, b->gap, b->max_len, b->n);
	else if (a->gap != b->gap || a->max_len != b->max_len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("session gap and maximum length must be the same for every row of a group")));
	if (b->n > 0)
	{
		a = sessagg_reserve(a, b->n);
		if (!b->sorted || (a->n > 0 && SESSAGG_TS(b)[0] < SESSAGG_TS(a)[a->n - 1]))
			a->sorted = false;
		memcpy(SESSAGG_TS(a) + a->n, SESSAGG_TS(b), b->n * sizeof(int64));
		a->n += b->n;
	}
	PG_RETURN_POINTER(a);
}

Datum
jy_session_stats_serial(PG_FUNCTION_ARGS)
{
	SessAgg    *st = (SessAgg *) PG_GETARG_POINTER(0);
	bytea	   *out;
	char	   *p;
	Size		sz = VARHDRSZ + 3 * sizeof(int64) + 1 + st->n * sizeof(int64);

	if (sz > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("session_stats: aggregate state too large to pass between parallel workers")));
	out = (bytea *) palloc(sz);
	SET_VARSIZE(out, sz);
	p = VARDATA(out);
	memcpy(p, &st->gap, 8);
	memcpy(p + 8, &st->max_len, 8);
	memcpy(p + 16, &st->n, 8);
	p[24] = st->sorted ? 1 : 0;
	if (st->n > 0)
		memcpy(p + 25, SESSAGG_TS(st), st->n * sizeof(int64));
	PG_RETURN_BYTEA_P(out);
}

Datum
jy_session_stats_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const char *p = VARDATA_ANY(in);
	Size		len = VARSIZE_ANY_EXHDR(in);
	MemoryContext aggcxt;
	SessAgg    *st;
	int64		n;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "session_stats_deserial called in non-aggregate context");
	if (len < 25)
		elog(ERROR, "session_stats: truncated aggregate state");
	memcpy(&n, p + 16, 8);
	if (n < 0 || (Size) n > (len - 25) / sizeof(int64) || len != 25 + (Size) n * sizeof(int64))
		elog(ERROR, "session_stats: corrupt aggregate state");
	{
		int64		gap,
					max_len;

		memcpy(&gap, p, 8);
		memcpy(&max_len, p + 8, 8);
		st = sessagg_new(aggcxt, gap, max_len, n);
	}
	st->sorted = p[24] != 0;
	if (n > 0)
	{
		memcpy(SESSAGG_TS(st), p + 25, n * sizeof(int64));
		st->n = n;
	}
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

static void
sort_tick(void *arg)
{
	(void) arg;
	CHECK_FOR_INTERRUPTS();
}

/* Summary of one sorted run of timestamps. */
static SessionStats *
ss_from_sorted(const int64 *ts, int64 n, int64 gap, int64 max_len)
{
	JySessionTotals tot = {0, 0, 0, 0};
	HistBuild	h;
	SessionStats *s;
	size_t		room = (size_t) Min(n, (int64) SS_MAX_ENTRIES) + 1;

	h.e = (uint64 *) palloc(room * sizeof(uint64));
	h.n = 0;
	if (!jy_session_totals_ex(ts, n, gap, max_len, &tot, hist_on_session, &h, sort_tick, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("session_stats: total session duration out of range")));
	s = ss_alloc((uint32) h.n);
	s->sessions = tot.sessions;
	s->events = tot.events;
	s->bounces = tot.bounces;
	s->duration_sum = tot.duration_sum;
	memcpy(s->entries, h.e, h.n * sizeof(uint64));
	pfree(h.e);
	return s;
}

Datum
jy_session_stats_final(PG_FUNCTION_ARGS)
{
	SessAgg    *st;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (SessAgg *) PG_GETARG_POINTER(0);
	if (st->n == 0)
		PG_RETURN_NULL();
	if (!st->sorted)
	{
		/* sorting in place keeps the state valid for another final call */
		int64	   *scratch = (int64 *) palloc(st->n * sizeof(int64));

		jy_sort_int64_ex(SESSAGG_TS(st), st->n, scratch, sort_tick, NULL);
		pfree(scratch);
		st->sorted = true;
	}
	PG_RETURN_POINTER(ss_from_sorted(SESSAGG_TS(st), st->n, st->gap, st->max_len));
}

/* ---- rollup: merge two summaries ---------------------------------------- */

static int64
add_checked(int64 a, int64 b)
{
	int64		r;

	if (pg_add_s64_overflow(a, b, &r))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("session_stats: count or duration out of range while merging")));
	return r;
}

/* number of b's buckets missing from a */
static size_t
ss_missing_buckets(const SessionStats *a, const SessionStats *b)
{
	size_t		miss = 0,
				i = 0,
				j;

	for (j = 0; j < b->nentries; j++)
	{
		uint32		bk = JY_QS_BUCKET(b->entries[j]);

		if (b->nentries * 8 < a->nentries)
		{
			size_t		lo = 0,
						hi = a->nentries;

			while (lo < hi)
			{
				size_t		mid = (lo + hi) / 2;

				if (JY_QS_BUCKET(a->entries[mid]) < bk)
					lo = mid + 1;
				else
					hi = mid;
			}
			miss += !(lo < a->nentries && JY_QS_BUCKET(a->entries[lo]) == bk);
		}
		else
		{
			while (i < a->nentries && JY_QS_BUCKET(a->entries[i]) < bk)
				i++;
			miss += !(i < a->nentries && JY_QS_BUCKET(a->entries[i]) == bk);
		}
	}
	return miss;
}

/*
 * Strict transition and combine function of rollup(session_stats), and the
 * SQL function session_stats_merge(a, b).  Inside an aggregate, the state is
 * updated in place when b brings no new histogram bucket; otherwise a new
 * value is built (nodeAgg then takes ownership of it).
 */
Datum
jy_session_stats_merge(PG_FUNCTION_ARGS)
{
	Datum		ad = PG_GETARG_DATUM(0);
	SessionStats *a = DatumGetSessionStatsP(ad);
	SessionStats *b = PG_GETARG_SESSION_STATS_P(1);
	bool		inplace = AggCheckCallContext(fcinfo, NULL) && (Pointer) a == DatumGetPointer(ad);
	size_t		miss = ss_missing_buckets(a, b);
	SessionStats *r;
	size_t		n;

	if (inplace && miss == 0)
		r = a;
	else
	{
		r = (SessionStats *) palloc(SS_SIZE(a->nentries + miss));
		memcpy(r, a, SS_SIZE(a->nentries));
	}
	r->sessions = add_checked(a->sessions, b->sessions);
	r->events = add_checked(a->events, b->events);
	r->bounces = add_checked(a->bounces, b->bounces);
	r->duration_sum = add_checked(a->duration_sum, b->duration_sum);
	n = jy_qs_merge(r->entries, r->nentries, b->entries, b->nentries);
	if (n == (size_t) -1)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("session_stats: histogram count out of range while merging")));
	Assert(n == r->nentries + miss);
	r->nentries = (uint32) n;
	SET_VARSIZE(r, SS_SIZE(n));
	PG_RETURN_POINTER(r);
}

/* ---- accessors ----------------------------------------------------------- */

Datum
jy_session_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_SESSION_STATS_P(0)->sessions);
}

Datum
jy_event_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_SESSION_STATS_P(0)->events);
}

Datum
jy_bounce_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_SESSION_STATS_P(0)->bounces);
}

/* ratios are NULL when there is no session */
Datum
jy_bounce_rate(PG_FUNCTION_ARGS)
{
	SessionStats *s = PG_GETARG_SESSION_STATS_P(0);

	if (s->sessions == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) s->bounces / (double) s->sessions);
}

Datum
jy_events_per_session(PG_FUNCTION_ARGS)
{
	SessionStats *s = PG_GETARG_SESSION_STATS_P(0);

	if (s->sessions == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) s->events / (double) s->sessions);
}

static Interval *
interval_from_double_us(double us)
{
	return jy_usecs_to_interval((int64) rint(us));
}

Datum
jy_avg_duration(PG_FUNCTION_ARGS)
{
	SessionStats *s = PG_GETARG_SESSION_STATS_P(0);

	if (s->sessions == 0)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(interval_from_double_us((double) s->duration_sum / (double) s->sessions));
}

Datum
jy_total_duration(PG_FUNCTION_ARGS)
{
	PG_RETURN_INTERVAL_P(jy_usecs_to_interval(PG_GETARG_SESSION_STATS_P(0)->duration_sum));
}

Datum
jy_session_stats_percentile(PG_FUNCTION_ARGS)
{
	SessionStats *s = PG_GETARG_SESSION_STATS_P(0);
	double		q = PG_GETARG_FLOAT8(1);
	double		v;

	if (isnan(q) || q < 0.0 || q > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("percentile must be between 0 and 1"),
				 errdetail("The value given is %g.", q)));
	if (!jy_qs_quantile(s->entries, s->nentries, q, &v))
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(interval_from_double_us(v));
}

/* session_kpis(s): one row of scalar columns, for BI tools */
Datum
jy_session_stats_kpis(PG_FUNCTION_ARGS)
{
	SessionStats *s = PG_GETARG_SESSION_STATS_P(0);
	TupleDesc	tupdesc;
	Datum		values[11];
	bool		nulls[11] = {false};
	double		v;
	int64		us;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "session_kpis: return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Int64GetDatum(s->sessions);
	values[1] = Int64GetDatum(s->events);
	values[2] = Int64GetDatum(s->bounces);
	if (s->sessions > 0)
	{
		/* durations twice: interval, and float8 seconds of the same microseconds */
		values[3] = Float8GetDatum((double) s->bounces / (double) s->sessions);
		values[4] = Float8GetDatum((double) s->events / (double) s->sessions);
		us = (int64) rint((double) s->duration_sum / (double) s->sessions);
		values[5] = IntervalPGetDatum(jy_usecs_to_interval(us));
		values[8] = Float8GetDatum((double) us / 1e6);
		jy_qs_quantile(s->entries, s->nentries, 0.5, &v);
		us = (int64) rint(v);
		values[6] = IntervalPGetDatum(jy_usecs_to_interval(us));
		values[9] = Float8GetDatum((double) us / 1e6);
		jy_qs_quantile(s->entries, s->nentries, 0.9, &v);
		us = (int64) rint(v);
		values[7] = IntervalPGetDatum(jy_usecs_to_interval(us));
		values[10] = Float8GetDatum((double) us / 1e6);
	}
	else
		nulls[3] = nulls[4] = nulls[5] = nulls[6] = nulls[7] = nulls[8] = nulls[9] = nulls[10] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
