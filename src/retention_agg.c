/*
 * retention_agg.c — the per-user cohort_retention aggregates and ClickHouse's
 * retention(c1, ..., cn).
 *
 *   cohort_retention(ts, period, periods [, tz])                 per-user aggregate
 *   cohort_retention(ts, is_start, is_return, period, periods, tz [, cohorts])
 *        -> cohort_retention (a varlena: per-cohort count arrays)
 *   cohort_retention(j journey, period, periods [, tz])          over stored journeys,
 *   cohort_retention(j, start_event, return_event, period, periods, tz [, cohorts])
 *        one row per user -> the rollup of the per-user values (same code path)
 *   retention(VARIADIC boolean[])                                ClickHouse retention
 *
 * Settings and timestamps -> period keys: retention_period.c; the value and
 * its merge: cohort_retention_io.c and src/engine/retention_codec.h.
 */
#include "retention_glue.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "journey_glue.h"

PG_FUNCTION_INFO_V1(jy_cohort_retention_trans);
PG_FUNCTION_INFO_V1(jy_cohort_retention_naive_trans);
PG_FUNCTION_INFO_V1(jy_cohort_retention_combine);
PG_FUNCTION_INFO_V1(jy_cohort_retention_serial);
PG_FUNCTION_INFO_V1(jy_cohort_retention_deserial);
PG_FUNCTION_INFO_V1(jy_cohort_retention_final);
PG_FUNCTION_INFO_V1(jy_cohort_retention_journey_trans);
PG_FUNCTION_INFO_V1(jy_cohort_retention_journey_combine);
PG_FUNCTION_INFO_V1(jy_cohort_retention_journey_serial);
PG_FUNCTION_INFO_V1(jy_cohort_retention_journey_deserial);
PG_FUNCTION_INFO_V1(jy_cohort_retention_journey_final);
PG_FUNCTION_INFO_V1(jy_ch_retention_trans);
PG_FUNCTION_INFO_V1(jy_ch_retention_combine);
PG_FUNCTION_INFO_V1(jy_ch_retention_final);

/* ---- per-user aggregate state ------------------------------------------- */

typedef struct KeyArr
{
	int64	   *v;
	int64		n;
	int64		cap;
	bool		sorted;
} KeyArr;

typedef struct RetState
{
	RetParams	p;
	bool		has_start;
	int64		first_start;	/* min start key */
	TimestampTz max_ts;			/* latest timestamp of any row */
	KeyArr		ret;			/* keys of return events */
	KeyArr		starts;			/* keys of start events (recurring cohorts only) */
} RetState;						/* p first: see group_state */

#define KEYS_MAX ((int64) (MaxAllocSize / sizeof(int64)))

/* room for `more` keys; a new array in cxt, a grown one where it is */
static void
keys_reserve(KeyArr *a, int64 more, MemoryContext cxt)
{
	a->v = jy_grow(cxt, a->v, &a->cap, a->n + more, sizeof(int64), KEYS_MAX,
				   "distinct periods in one group", "per group");
}

/* append, skipping a repeat of the last key (consecutive events of one period) */
static inline void
keys_push(KeyArr *a, int64 k, MemoryContext cxt)
{
	if (a->n > 0)
	{
		int64		last = a->v[a->n - 1];

		if (k == last)
			return;
		if (k < last)
			a->sorted = false;
	}
	if (a->n == a->cap)
		keys_reserve(a, 1, cxt);
	a->v[a->n++] = k;
}

static void
keys_append(KeyArr *a, const KeyArr *b, MemoryContext cxt)
{
	if (b->n == 0)
		return;
	keys_reserve(a, b->n, cxt);
	if (!b->sorted || (a->n > 0 && b->v[0] < a->v[a->n - 1]))
		a->sorted = false;
	memcpy(a->v + a->n, b->v, b->n * sizeof(int64));
	a->n += b->n;
}

/* sort and de-duplicate (sorting in place keeps a state valid for another final call) */
static void
keys_finish(KeyArr *a)
{
	if (!a->sorted || a->n > 1)
	{
		int64	   *scratch;

		if (a->sorted)
		{
			/* sorted but may hold repeats after a combine */
			int64		i,
						j;

			for (i = 1, j = 1; i < a->n; i++)
				if (a->v[i] != a->v[j - 1])
					a->v[j++] = a->v[i];
			a->n = a->n > 0 ? j : 0;
			return;
		}
		scratch = (int64 *) palloc(a->n * sizeof(int64));
		a->n = (int64) jy_ret_sort_unique_ex(a->v, (size_t) a->n, scratch, jy_tick, NULL);
		pfree(scratch);
		a->sorted = true;
	}
}

static RetState *
state_new(const RetParams *p, MemoryContext cxt)
{
	RetState   *st = (RetState *) MemoryContextAllocZero(cxt, sizeof(RetState));

	st->p = *p;
	st->ret.sorted = true;
	st->starts.sorted = true;
	st->max_ts = DT_NOBEGIN;
	return st;
}

/*
 * The group's state (argument 0) after checking this row's settings against
 * it, or NULL at the group's first row.  Both states (RetState, RetJState)
 * start with their RetParams.
 */
static void *
group_state(FunctionCallInfo fcinfo, const RetCall *call)
{
	RetParams  *p;

	if (PG_ARGISNULL(0))
		return NULL;
	p = (RetParams *) PG_GETARG_POINTER(0);
	if (!params_equal(p, &call->p))
		jy_arg_differs("retention settings", "group", RET_SETTINGS_DETAIL);
	return p;
}

/* combine: both states must have the same settings */
static void
combine_check(const RetParams *a, const RetParams *b)
{
	if (!params_equal(a, b))
		jy_arg_differs("retention settings", "group", NULL);
}

/*
 * One row (or one event of a journey) of a user: its period key goes into
 * the start / return key lists.  Shared by the raw-row and the journey forms.
 */
static inline void
ret_add_row(RetState *st, RetCall *call, TimestampTz ts, bool is_start, bool is_return,
			MemoryContext cxt)
{
	int64		key;

	if (JY_CR_PER_USER(st->p.unit))
	{
		if (TIMESTAMP_NOT_FINITE(ts))
			ret_infinite_ts();
		key = ts;
	}
	else
		key = period_of(call, st->p.unit, st->p.tz, ts);
	if (ts > st->max_ts)
		st->max_ts = ts;
	if (is_start)
	{
		if (!st->has_start || key < st->first_start)
			st->first_start = key;
		st->has_start = true;
		if (st->p.ctype == JY_CR_RECURRING)
			keys_push(&st->starts, key, cxt);
	}
	if (is_return)
		keys_push(&st->ret, key, cxt);
}

/*
 * Transition function of cohort_retention(ts, ...) (naive: timestamp without
 * time zone, the wall-clock time in tz).  Argument layout by PG_NARGS():
 *   4: state, ts, period, periods              (any activity, UTC)
 *   5: state, ts, period, periods, tz
 *   7: state, ts, is_start, is_return, period, periods, tz
 *   8: ... , cohorts
 */
static Datum
cohort_retention_trans_common(FunctionCallInfo fcinfo, bool naive)
{
	MemoryContext aggcxt = jy_agg_context(fcinfo, "cohort_retention_trans");
	RetState   *st;
	RetCall    *call;
	bool		flags = PG_NARGS() >= 7;
	bool		is_start = true,
				is_return = true;
	TimestampTz ts;

	call = row_params(fcinfo, flags ? 4 : 2);
	st = group_state(fcinfo, call);
	if (st == NULL)
		st = state_new(&call->p, aggcxt);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	ts = naive ? naive_in_tz(PG_GETARG_TIMESTAMP(1), st->p.tz) : PG_GETARG_TIMESTAMPTZ(1);
	if (flags)
	{
		is_start = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
		is_return = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	}
	ret_add_row(st, call, ts, is_start, is_return, aggcxt);
	PG_RETURN_POINTER(st);
}

JY_FMGR_VARIANT(jy_cohort_retention_trans, cohort_retention_trans_common, false);

JY_FMGR_VARIANT(jy_cohort_retention_naive_trans, cohort_retention_trans_common, true);

Datum
jy_cohort_retention_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = jy_agg_context(fcinfo, "cohort_retention_combine");
	RetState   *a,
			   *b;

	JY_COMBINE_ARGS(RetState, a, b);
	if (a == NULL)
		a = state_new(&b->p, aggcxt);
	else
		combine_check(&a->p, &b->p);
	if (b->has_start && (!a->has_start || b->first_start < a->first_start))
		a->first_start = b->first_start;
	a->has_start |= b->has_start;
	if (b->max_ts > a->max_ts)
		a->max_ts = b->max_ts;
	keys_append(&a->ret, &b->ret, aggcxt);
	keys_append(&a->starts, &b->starts, aggcxt);
	PG_RETURN_POINTER(a);
}

/*
 * Serialized state: the settings (params_send), has_start, ret.sorted,
 * starts.sorted (1 byte each), first_start, max_ts, nret, nstarts (8 each),
 * keys[nret], keys[nstarts] (native order: states only travel between
 * processes of one server).
 */
Datum
jy_cohort_retention_serial(PG_FUNCTION_ARGS)
{
	RetState   *st = (RetState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	jy_serial_begin(&buf, params_wire_size(&st->p) + 35 + (Size) (st->ret.n + st->starts.n) * sizeof(int64),
					"cohort_retention aggregate state");
	params_send(&buf, &st->p);
	pq_sendbyte(&buf, st->has_start);
	pq_sendbyte(&buf, st->ret.sorted);
	pq_sendbyte(&buf, st->starts.sorted);
	pq_sendint64(&buf, st->first_start);
	pq_sendint64(&buf, st->max_ts);
	pq_sendint64(&buf, st->ret.n);
	pq_sendint64(&buf, st->starts.n);
	pq_sendbytes(&buf, (const char *) st->ret.v, st->ret.n * sizeof(int64));
	pq_sendbytes(&buf, (const char *) st->starts.v, st->starts.n * sizeof(int64));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* read n keys into a new array (CurrentMemoryContext) */
static void
keys_read(StringInfo buf, KeyArr *a, int64 n)
{
	if (n <= 0)
		return;
	keys_reserve(a, n, CurrentMemoryContext);
	pq_copymsgbytes(buf, (char *) a->v, n * sizeof(int64));
	a->n = n;
}

/* the state in the per-row context: combine copies it into the aggregate's */
Datum
jy_cohort_retention_deserial(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	RetParams	p;
	RetState   *st;
	bool		has_start,
				rsorted,
				ssorted;
	int64		first_start,
				max_ts,
				nret,
				nstarts;

	jy_deserial_begin(fcinfo, &buf, "cohort_retention_deserial");
	params_recv(&buf, &p, "cohort_retention aggregate state");
	has_start = pq_getmsgbyte(&buf) != 0;
	rsorted = pq_getmsgbyte(&buf) != 0;
	ssorted = pq_getmsgbyte(&buf) != 0;
	first_start = pq_getmsgint64(&buf);
	max_ts = pq_getmsgint64(&buf);
	nret = pq_getmsgint64(&buf);
	nstarts = pq_getmsgint64(&buf);
	if (nret < 0 || nstarts < 0 || nret > KEYS_MAX || nstarts > KEYS_MAX ||
		(Size) (buf.len - buf.cursor) != (Size) (nret + nstarts) * sizeof(int64))
		elog(ERROR, "corrupt cohort_retention aggregate state");
	st = state_new(&p, CurrentMemoryContext);
	st->has_start = has_start;
	st->first_start = first_start;
	st->max_ts = max_ts;
	st->ret.sorted = rsorted;
	st->starts.sorted = ssorted;
	keys_read(&buf, &st->ret, nret);
	keys_read(&buf, &st->starts, nstarts);
	jy_deserial_end(&buf);
	PG_RETURN_POINTER(st);
}

/* bits of a user for 'elapsed month': period k of each return key */
static void
elapsed_month_bits(RetState *st, uint64_t *bits)
{
	int64	   *ks = (int64 *) palloc(Max(st->ret.n, 1) * sizeof(int64));
	int64		i,
				m = 0;

	for (i = 0; i < st->ret.n; i++)
	{
		int64		k;

		if (st->ret.v[i] < st->first_start)
			continue;
		if ((i & 0xFFF) == 0xFFF)
			CHECK_FOR_INTERRUPTS();
		k = elapsed_months(st->p.tz, st->first_start, st->ret.v[i]);
		if (k > st->p.periods)
			break;				/* sorted: every later key is further out */
		if (m == 0 || ks[m - 1] != k)
			ks[m++] = k;
	}
	jy_ret_user_bits(ks, (size_t) m, 0, 0, st->p.periods, bits);
	pfree(ks);
}

/*
 * The one-user value of a state with a start event (keys finished), palloc'd
 * in CurrentMemoryContext.  Shared by the raw-row and the journey forms.
 */
static CohortRetention *
ret_user_value(RetCall *call, RetState *st)
{
	CohortRetention *r;
	const char *tzname;
	uint64_t	bits[JY_RET_BITWORDS];
	int64		last_period;

	Assert(st->has_start);
	tzname = pg_get_timezone_name(st->p.tz);
	last_period = calendar_index(call, &st->p, st->max_ts);
	if (st->p.ctype == JY_CR_FIRST_TIME)
	{
		int64		cohort = JY_CR_PER_USER(st->p.unit) ?
			calendar_index(call, &st->p, st->first_start) : st->first_start;

		r = cr_alloc(st->p.unit, st->p.ctype, st->p.periods, st->p.window, tzname,
					 (uint16) strlen(tzname), last_period, 1);
		if (st->p.unit == JY_RET_ELAPSED_MONTH)
			elapsed_month_bits(st, bits);
		else
			jy_ret_user_bits(st->ret.v, (size_t) st->ret.n, st->first_start, st->p.window,
							 st->p.periods, bits);
		jy_cr_set_user(JY_CR_REC(r, 0), cohort, bits, st->p.periods);
	}
	else
	{
		int64		i,
					lo = 0;

		if (st->starts.n > UINT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many cohorts in one cohort_retention value")));
		r = cr_alloc(st->p.unit, st->p.ctype, st->p.periods, 0, tzname,
					 (uint16) strlen(tzname), last_period, (uint32) st->starts.n);
		for (i = 0; i < st->starts.n; i++)
		{
			int64		s = st->starts.v[i];

			while (lo < st->ret.n && st->ret.v[lo] < s)
				lo++;
			jy_ret_user_bits(st->ret.v + lo, (size_t) (st->ret.n - lo), s, 0, st->p.periods, bits);
			jy_cr_set_user(JY_CR_REC(r, i), s, bits, st->p.periods);
		}
	}
	return r;
}

Datum
jy_cohort_retention_final(PG_FUNCTION_ARGS)
{
	RetState   *st;

	st = jy_agg_final_state(fcinfo, "cohort_retention final function");
	if (st == NULL || !st->has_start)
		PG_RETURN_NULL();
	keys_finish(&st->ret);
	keys_finish(&st->starts);
	PG_RETURN_POINTER(ret_user_value(ret_call(fcinfo), st));
}

/* ---- over stored journeys --------------------------------------------------
 * One input row per user.  Each journey goes through the per-user code of
 * the raw-row aggregate (ret_add_row per event, ret_user_value) and the
 * result is added to the accumulated value with cr_merge, so the result is
 * rollup(cohort_retention(ts, ...)) over the same users, by construction.
 * The argument layout after the journey (and the two event names) is the
 * raw-row layout, so row_params reads and checks the settings unchanged.
 */
typedef struct RetJState
{
	RetParams	p;
	CohortRetention *acc;		/* users so far; ncohorts may be 0 */
	KeyArr		ret;			/* per-journey scratch, reused */
	KeyArr		starts;
} RetJState;					/* p first: see group_state */

static RetJState *
jstate_new(const RetParams *p, MemoryContext cxt)
{
	RetJState  *st = (RetJState *) MemoryContextAllocZero(cxt, sizeof(RetJState));
	const char *tzname = pg_get_timezone_name(p->tz);
	MemoryContext old = MemoryContextSwitchTo(cxt);

	st->p = *p;
	st->acc = cr_alloc(p->unit, p->ctype, p->periods, p->window, tzname,
					   (uint16) strlen(tzname), PG_INT64_MIN, 0);
	st->ret.sorted = true;
	st->starts.sorted = true;
	MemoryContextSwitchTo(old);
	return st;
}

/* acc += b, in the aggregate context */
static void
jstate_add(RetJState *st, const CohortRetention *b, MemoryContext aggcxt)
{
	MemoryContext old = MemoryContextSwitchTo(aggcxt);
	CohortRetention *n = cr_merge(st->acc, b, true);

	MemoryContextSwitchTo(old);
	if (n != st->acc)
	{
		pfree(st->acc);
		st->acc = n;
	}
}

/* id of an event name in a journey, -1 when absent; NULL is an error */
static int64
journey_event_id(FunctionCallInfo fcinfo, int argno, const JyJView *v, const char *what)
{
	text	   *name;

	jy_arg_not_null(fcinfo, argno, what,
					"Give the event name, such as 'purchase'; for any activity use cohort_retention(j, period, periods, tz).");
	name = PG_GETARG_TEXT_PP(argno);
	return jy_jc_find_name(v, VARDATA_ANY(name), (uint32) VARSIZE_ANY_EXHDR(name));
}

Datum
jy_cohort_retention_journey_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = jy_agg_context(fcinfo, "cohort_retention_journey_trans");
	RetJState  *st;
	RetCall    *call;
	bool		flags = PG_NARGS() >= 7;
	JyJView		v;
	int64		sid = -1,
				rid = -1;
	RetState	u;
	uint32		i;

	call = row_params(fcinfo, flags ? 4 : 2);
	st = group_state(fcinfo, call);
	if (st == NULL)
		st = jstate_new(&call->p, aggcxt);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);	/* a NULL journey: no user */
	jy_journey_view(PG_GETARG_DATUM(1), &v);
	if (flags)
	{
		sid = journey_event_id(fcinfo, 2, &v, "start event");
		rid = journey_event_id(fcinfo, 3, &v, "return event");
		if (sid < 0)
			PG_RETURN_POINTER(st);	/* never started: no cohort, like the raw form */
	}
	if (v.n == 0)
		PG_RETURN_POINTER(st);

	/* the user's state, as the raw-row aggregate would build it from these rows */
	memset(&u, 0, sizeof(u));
	u.p = st->p;
	u.max_ts = DT_NOBEGIN;
	u.ret = st->ret;
	u.ret.n = 0;
	u.ret.sorted = true;
	u.starts = st->starts;
	u.starts.n = 0;
	u.starts.sorted = true;
	for (i = 0; i < v.n; i++)
	{
		bool		is_start = !flags || (int64) v.ev[i] == sid;
		bool		is_return = !flags || (int64) v.ev[i] == rid;

		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		if (is_start || is_return)
			ret_add_row(&u, call, (TimestampTz) v.ts[i], is_start, is_return, aggcxt);
		else if ((TimestampTz) v.ts[i] > u.max_ts)
			u.max_ts = (TimestampTz) v.ts[i];	/* any row counts for the latest period */
	}
	/* keep the (possibly grown) scratch buffers for the next journey */
	st->ret = u.ret;
	st->starts = u.starts;
	if (u.has_start)
	{
		CohortRetention *one;

		keys_finish(&u.ret);
		keys_finish(&u.starts);
		one = ret_user_value(call, &u);
		jstate_add(st, one, aggcxt);
		pfree(one);
	}
	PG_RETURN_POINTER(st);
}

Datum
jy_cohort_retention_journey_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = jy_agg_context(fcinfo, "cohort_retention_journey_combine");
	RetJState  *a,
			   *b;

	JY_COMBINE_ARGS(RetJState, a, b);
	if (a == NULL)
		a = jstate_new(&b->p, aggcxt);
	else
		combine_check(&a->p, &b->p);
	jstate_add(a, b->acc, aggcxt);
	PG_RETURN_POINTER(a);
}

/* Serialized state: the accumulated value as it is in memory (settings included). */
Datum
jy_cohort_retention_journey_serial(PG_FUNCTION_ARGS)
{
	RetJState  *st = (RetJState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	jy_serial_begin(&buf, VARSIZE(st->acc), "cohort_retention aggregate state");
	pq_sendbytes(&buf, (const char *) st->acc, VARSIZE(st->acc));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* the state in the per-row context: combine merges it into the aggregate's */
Datum
jy_cohort_retention_journey_deserial(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	Size		len;
	RetJState  *st;
	CohortRetention *r;
	char		tzname[JY_CR_MAX_TZLEN + 1];

	jy_deserial_begin(fcinfo, &buf, "cohort_retention_journey_deserial");
	len = buf.len;
	if (len < JY_CR_HDRSZ)
		elog(ERROR, "corrupt cohort_retention aggregate state");
	r = (CohortRetention *) palloc(len);
	pq_copymsgbytes(&buf, (char *) r, len);
	jy_deserial_end(&buf);
	if (VARSIZE(r) != len || r->periods < 0 || r->periods > JY_RET_MAX_PERIODS ||
		!jy_cr_tzname_ok(JY_CR_TZ(r), r->tzlen) || len != JY_CR_SIZE(r->tzlen, r->periods, r->ncohorts))
		elog(ERROR, "corrupt cohort_retention aggregate state");
	if (r->ncohorts > 0)
		cr_check(r, len, ERRCODE_DATA_CORRUPTED);
	st = (RetJState *) palloc0(sizeof(RetJState));
	st->p.unit = r->unit;
	st->p.ctype = r->ctype;
	st->p.periods = r->periods;
	st->p.window = r->window_us;
	memcpy(tzname, JY_CR_TZ(r), r->tzlen);
	tzname[r->tzlen] = '\0';
	st->p.tz = lookup_tz(tzname);
	st->acc = r;
	st->ret.sorted = true;
	st->starts.sorted = true;
	PG_RETURN_POINTER(st);
}

Datum
jy_cohort_retention_journey_final(PG_FUNCTION_ARGS)
{
	RetJState  *st;
	CohortRetention *r;

	st = jy_agg_final_state(fcinfo, "cohort_retention_journey final function");
	if (st == NULL || st->acc->ncohorts == 0)
		PG_RETURN_NULL();
	r = (CohortRetention *) palloc(VARSIZE(st->acc));
	memcpy(r, st->acc, VARSIZE(st->acc));
	PG_RETURN_POINTER(r);
}

/* ---- ClickHouse retention(c1, ..., cn) ------------------------------------
 * State: int8, bits 0..31 = condition i held on some row, bits 32..39 = n.
 */
#define CH_MAX_CONDS JY_RET_CH_MAX

/* the int8 state comes from outside when a support function is called directly */
static int
ch_state_n(int64 st)
{
	const char *why = NULL;
	int			n = jy_ret_ch_state_check(st, &why);

	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid retention state " INT64_FORMAT, st),
				 errdetail("%s", why),
				 errhint("The state is built by the retention(...) aggregate; do not call its support functions directly.")));
	return n;
}

Datum
jy_ch_retention_trans(PG_FUNCTION_ARGS)
{
	int64		st = PG_ARGISNULL(0) ? 0 : PG_GETARG_INT64(0);
	ArrayType  *arr;
	int			n,
				i,
				stn;
	Datum	   *el;
	bool	   *nulls;
	uint32		seen;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		(void) ch_state_n(st);
		PG_RETURN_INT64(st);
	}
	arr = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("retention conditions must be a one-dimensional array")));
	/* the size first: deconstructing a huge array costs 9 bytes per element */
	n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	if (n <= CH_MAX_CONDS)
		deconstruct_array(arr, BOOLOID, 1, true, TYPALIGN_CHAR, &el, &nulls, &n);
	if (n < 1 || n > CH_MAX_CONDS)
		ereport(ERROR,
				(errcode(n < 1 ? ERRCODE_INVALID_PARAMETER_VALUE : ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("retention takes 1 to %d conditions", CH_MAX_CONDS),
				 errdetail("%d conditions were given.", n)));
	stn = PG_ARGISNULL(0) ? n : ch_state_n(st);
	if (stn != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention must get the same number of conditions on every row")));
	seen = (uint32) st;
	for (i = 0; i < n; i++)
		if (!nulls[i] && DatumGetBool(el[i]))
			seen |= (uint32) 1 << i;
	PG_RETURN_INT64((int64) (((uint64) n << 32) | seen));
}

Datum
jy_ch_retention_combine(PG_FUNCTION_ARGS)
{
	int64		a,
				b;

	if (PG_ARGISNULL(0))
	{
		if (PG_ARGISNULL(1))
			PG_RETURN_NULL();
		(void) ch_state_n(PG_GETARG_INT64(1));
		PG_RETURN_INT64(PG_GETARG_INT64(1));
	}
	if (PG_ARGISNULL(1))
	{
		(void) ch_state_n(PG_GETARG_INT64(0));
		PG_RETURN_INT64(PG_GETARG_INT64(0));
	}
	a = PG_GETARG_INT64(0);
	b = PG_GETARG_INT64(1);
	if (ch_state_n(a) != ch_state_n(b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention must get the same number of conditions on every row")));
	PG_RETURN_INT64(a | b);
}

Datum
jy_ch_retention_final(PG_FUNCTION_ARGS)
{
	int64		st;
	int			n,
				i;
	int16		out[CH_MAX_CONDS];
	Datum		el[CH_MAX_CONDS];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = PG_GETARG_INT64(0);
	n = ch_state_n(st);
	jy_ret_clickhouse((uint32) st, n, out);
	for (i = 0; i < n; i++)
		el[i] = Int16GetDatum(out[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(el, n, INT2OID, 2, true, TYPALIGN_SHORT));
}
