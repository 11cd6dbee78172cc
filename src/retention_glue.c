/*
 * retention_glue.c — cohort retention as a two-step aggregate.
 *
 *   cohort_retention(ts, period, periods [, tz])                       per-user aggregate
 *   cohort_retention(ts, is_start, is_return, period, periods, tz [, cohorts])
 *        -> cohort_retention (a varlena: per-cohort count arrays)
 *   rollup(cohort_retention)             merge across users, channels, nodes
 *   retention_matrix(r [, mode])         rows (cohort, period_index, cohort_size,
 *                                        retained_users, retention_rate)
 *   retention_lifecycle(r)               new / returning / resurrecting / dormant
 *   retention_cohort(r), retention_periods(r), retention_users(r)   drill-down
 *   retention(VARIADIC boolean[])        ClickHouse retention(c1, ..., cn)
 *   cohort_retention(j journey, period, periods [, tz])               over stored journeys,
 *   cohort_retention(j, start_event, return_event, period, periods, tz [, cohorts])
 *        one row per user -> the rollup of the per-user values (same code path)
 *
 * Timestamps become period keys here, with PostgreSQL's own time-zone
 * machinery (the computation date_trunc(unit, ts, tz) does); the engine
 * (src/engine/retention.h) works on integer keys.
 *
 * On-disk layout of cohort_retention (native-endian; send/recv use network order):
 *   int32  vl_len_
 *   uint8  version      = 1
 *   uint8  unit         1 day, 2 week, 3 month, 4 rolling
 *   uint8  cohort_type  0 first_time, 1 recurring
 *   uint8  flags        reserved, must be 0
 *   int32  periods      N, 0 .. 1000
 *   int64  window_us    rolling window in microseconds (0 for calendar units)
 *   int64  last_period  period (day for rolling) of the latest event seen
 *   uint32 ncohorts     >= 1
 *   uint16 tzlen        bytes of the time-zone name, 1 .. 255
 *   uint16 reserved     must be 0
 *   char   tz[tzlen]    padded with zero bytes to a multiple of 8 from the start
 *   records[ncohorts], cohort ascending, each int64 x (2 + 3 (N + 1)):
 *          cohort, size, active[0..N], last[0..N], both[0..N]
 */
#include "journey.h"

#include <ctype.h>
#include <limits.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"
#include "nodes/primnodes.h"
#include "nodes/pg_list.h"

#include "journey_type.h"
#include "retention.h"

#define CR_VERSION 1
#define CR_FIRST_TIME 0
#define CR_RECURRING 1
#define CR_MAX_TZLEN 255

typedef struct CohortRetention
{
	int32		vl_len_;
	uint8		version;
	uint8		unit;
	uint8		ctype;
	uint8		flags;
	int32		periods;
	int64		window_us;
	int64		last_period;
	uint32		ncohorts;
	uint16		tzlen;
	uint16		reserved;
	char		data[FLEXIBLE_ARRAY_MEMBER];
} CohortRetention;

#define CR_HDRSZ offsetof(CohortRetention, data)
#define CR_TZOFF CR_HDRSZ
#define CR_RECOFF(tzlen) TYPEALIGN(8, CR_HDRSZ + (Size) (tzlen))
#define CR_RECWORDS(n) (2 + 3 * ((Size) (n) + 1))
#define CR_SIZE(tzlen, n, nc) (CR_RECOFF(tzlen) + (Size) (nc) * CR_RECWORDS(n) * sizeof(int64))
#define CR_TZ(r) ((r)->data)
#define CR_REC(r, i) ((int64 *) ((char *) (r) + CR_RECOFF((r)->tzlen)) + (Size) (i) * CR_RECWORDS((r)->periods))
#define REC_ACTIVE(rec) ((rec) + 2)
#define REC_LAST(rec, n) ((rec) + 2 + ((n) + 1))
#define REC_BOTH(rec, n) ((rec) + 2 + 2 * ((n) + 1))
#define DatumGetCohortRetentionP(d) ((CohortRetention *) PG_DETOAST_DATUM(d))
#define PG_GETARG_CR_P(n) DatumGetCohortRetentionP(PG_GETARG_DATUM(n))

/* cohort indexes and last_period stay within this (dates far inside PostgreSQL's range) */
#define CR_MAX_ABS_INDEX INT64CONST(200000000)

PG_FUNCTION_INFO_V1(jy_cohort_retention_in);
PG_FUNCTION_INFO_V1(jy_cohort_retention_out);
PG_FUNCTION_INFO_V1(jy_cohort_retention_recv);
PG_FUNCTION_INFO_V1(jy_cohort_retention_send);
PG_FUNCTION_INFO_V1(jy_cohort_retention_trans);
PG_FUNCTION_INFO_V1(jy_cohort_retention_combine);
PG_FUNCTION_INFO_V1(jy_cohort_retention_serial);
PG_FUNCTION_INFO_V1(jy_cohort_retention_deserial);
PG_FUNCTION_INFO_V1(jy_cohort_retention_final);
PG_FUNCTION_INFO_V1(jy_cohort_retention_merge);
PG_FUNCTION_INFO_V1(jy_retention_matrix);
PG_FUNCTION_INFO_V1(jy_retention_lifecycle);
PG_FUNCTION_INFO_V1(jy_retention_cohort);
PG_FUNCTION_INFO_V1(jy_retention_periods);
PG_FUNCTION_INFO_V1(jy_retention_users);
PG_FUNCTION_INFO_V1(jy_ch_retention_trans);
PG_FUNCTION_INFO_V1(jy_ch_retention_combine);
PG_FUNCTION_INFO_V1(jy_ch_retention_final);

static int64 cr_total_users(const struct CohortRetention *r);

static const char *const unit_names[] = {"", "day", "week", "month", "rolling", "elapsed month"};

/* units whose keys are timestamps and whose periods start at each user's first event */
#define UNIT_PER_USER(u) ((u) == JY_RET_ROLLING || (u) == JY_RET_ELAPSED_MONTH)

/* the calendar unit a cohort (and the last period) is counted in */
static inline JyRetUnit
cohort_unit(uint8 u)
{
	return u == JY_RET_ROLLING ? JY_RET_DAY : u == JY_RET_ELAPSED_MONTH ? JY_RET_MONTH : (JyRetUnit) u;
}
static const char *const ctype_names[] = {"first_time", "recurring"};

/* ---- settings ----------------------------------------------------------- */

typedef struct RetParams
{
	uint8		unit;
	uint8		ctype;
	int32		periods;
	int64		window;			/* rolling only */
	pg_tz	   *tz;
} RetParams;

static bool
params_equal(const RetParams *a, const RetParams *b)
{
	return a->unit == b->unit && a->ctype == b->ctype && a->periods == b->periods &&
		a->window == b->window &&
		(a->tz == b->tz || strcmp(pg_get_timezone_name(a->tz), pg_get_timezone_name(b->tz)) == 0);
}

static bool
tzname_ok(const char *s, size_t len)
{
	size_t		i;

	if (len < 1 || len > CR_MAX_TZLEN)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

static pg_tz *
lookup_tz(const char *name)
{
	pg_tz	   *tz = pg_tzset(name);
	const char *canon;

	if (tz == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" not recognized", name),
				 errhint("Use a name from pg_timezone_names, such as 'UTC' or 'America/New_York'.")));
	canon = pg_get_timezone_name(tz);
	if (!tzname_ok(canon, strlen(canon)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" cannot be used for retention", name),
				 errdetail("Its name must be 1 to 255 printable ASCII characters without quotes or backslashes.")));
	return tz;
}

static void
parse_period(const char *s, RetParams *p)
{
	char	   *low = pstrdup(s);
	char	   *t = low;
	size_t		len;

	for (len = 0; low[len]; len++)
		low[len] = (char) pg_tolower((unsigned char) low[len]);

	while (isspace((unsigned char) *t))
		t++;
	len = strlen(t);
	while (len > 0 && isspace((unsigned char) t[len - 1]))
		t[--len] = '\0';
	p->window = 0;
	if (strcmp(t, "day") == 0)
		p->unit = JY_RET_DAY;
	else if (strcmp(t, "week") == 0)
		p->unit = JY_RET_WEEK;
	else if (strcmp(t, "month") == 0)
		p->unit = JY_RET_MONTH;
	else if (strcmp(t, "elapsed month") == 0 || strcmp(t, "elapsed months") == 0)
		p->unit = JY_RET_ELAPSED_MONTH;
	else if (strncmp(t, "rolling", 7) == 0 && isspace((unsigned char) t[7]))
	{
		Interval   *iv = DatumGetIntervalP(DirectFunctionCall3(interval_in,
															   CStringGetDatum(t + 8),
															   ObjectIdGetDatum(InvalidOid),
															   Int32GetDatum(-1)));

		p->unit = JY_RET_ROLLING;
		p->window = jy_interval_usecs(iv, "rolling window");
		if (p->window <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("rolling window must be a positive interval"),
					 errdetail("The period given is \"%s\".", s)));
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown retention period \"%s\"", s),
				 errhint("Valid periods are 'day', 'week', 'month' (calendar periods, as date_trunc), 'rolling <interval>', such as 'rolling 7 days' (fixed windows from each user's first event), and 'elapsed month' (whole months since each user's first event).")));
	pfree(low);
}

static uint8
parse_ctype(const char *s)
{
	if (pg_strcasecmp(s, "first_time") == 0)
		return CR_FIRST_TIME;
	if (pg_strcasecmp(s, "recurring") == 0)
		return CR_RECURRING;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown cohort type \"%s\"", s),
			 errhint("Valid cohort types are 'first_time' (a user's cohort is the period of the first start event) and 'recurring' (a user joins the cohort of every period with a start event).")));
	return 0;
}

static void
check_periods(int32 n)
{
	if (n < 0 || n > JY_RET_MAX_PERIODS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of retention periods must be between 0 and %d", JY_RET_MAX_PERIODS),
				 errdetail("The value given is %d.", n)));
}

/*
 * Per-call cache (fn_extra): the settings parsed from the last row and a
 * copy of their raw values, and the bounds [lo, hi) of the last calendar
 * period computed.  When every setting is a constant in the query they are
 * parsed once; otherwise each row's values are compared with the copy.
 */
typedef struct RetCall
{
	bool		have;
	bool		all_const;
	bool		rawnull[4];		/* period, periods, tz, cohorts */
	struct varlena *copy[4];
	int32		periods_raw;
	RetParams	p;
	bool		cache_valid;
	pg_tz	   *cache_tz;
	uint8		cache_unit;
	TimestampTz lo,
				hi;
	int64		idx;
} RetCall;

/* Local midnight of a day (days since 2000-01-01) in tz, as timestamptz. */
static bool
local_midnight(int64 days, pg_tz *tz, TimestampTz *out)
{
	struct pg_tm tm;
	int64		y;
	int			m,
				d,
				off;

	jy_ret_civil_from_days(days, &y, &m, &d);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int) y;
	tm.tm_mon = m;
	tm.tm_mday = d;
	off = DetermineTimeZoneOffset(&tm, tz);
	return tm2timestamp(&tm, 0, &off, out) == 0;
}

/* Calendar period index of ts in tz (date_trunc semantics), with a bounds cache. */
static int64
period_of(RetCall *call, uint8 unit, pg_tz *tz, TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			off;
	int64		idx;
	TimestampTz lo,
				hi;

	if (call->cache_valid && call->cache_tz == tz && call->cache_unit == unit &&
		ts >= call->lo && ts < call->hi)
		return call->idx;
	if (TIMESTAMP_NOT_FINITE(ts) || timestamp2tm(ts, &off, &tm, &fsec, NULL, tz) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for retention"),
				 errdetail("Infinite timestamps have no period; filter them out or map them to NULL.")));
	idx = jy_ret_period_of_date((JyRetUnit) unit, tm.tm_year, tm.tm_mon, tm.tm_mday);
	if (local_midnight(jy_ret_period_start_days((JyRetUnit) unit, idx), tz, &lo) &&
		local_midnight(jy_ret_period_start_days((JyRetUnit) unit, idx + 1), tz, &hi) &&
		lo <= ts && ts < hi)
	{
		call->cache_valid = true;
		call->cache_tz = tz;
		call->cache_unit = unit;
		call->lo = lo;
		call->hi = hi;
		call->idx = idx;
	}
	return idx;
}

/* The calendar period (day for rolling) that ts falls in. */
static int64
calendar_index(RetCall *call, const RetParams *p, TimestampTz ts)
{
	return period_of(call, cohort_unit(p->unit), p->tz, ts);
}

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
} RetState;

#define KEYS_MAX ((int64) (MaxAllocSize / sizeof(int64)))

/* sort + dedup of int64 keys with a cancellation check between radix passes */
static void
ret_tick(void *arg)
{
	(void) arg;
	CHECK_FOR_INTERRUPTS();
}

static size_t
sort_unique_interruptible(int64 *v, size_t n, int64 *scratch)
{
	size_t		i,
				j;

	if (n < 2)
		return n;
	jy_sort_int64_ex(v, n, scratch, ret_tick, NULL);
	for (i = 1, j = 1; i < n; i++)
		if (v[i] != v[j - 1])
			v[j++] = v[i];
	return j;
}

static void
keys_reserve(KeyArr *a, int64 more)
{
	int64		need = a->n + more,
				cap;

	if (need <= a->cap)
		return;
	if (need > KEYS_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cohort_retention: too many distinct periods in one group"),
				 errdetail("The limit is " INT64_FORMAT " per group.", KEYS_MAX)));
	cap = Min(Max(need, Max(a->cap * 2, 8)), KEYS_MAX);
	a->v = a->v ? repalloc(a->v, cap * sizeof(int64)) : palloc(cap * sizeof(int64));
	a->cap = cap;
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
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		keys_reserve(a, 1);
		MemoryContextSwitchTo(old);
	}
	a->v[a->n++] = k;
}

static void
keys_append(KeyArr *a, const KeyArr *b)
{
	if (b->n == 0)
		return;
	keys_reserve(a, b->n);
	if (!b->sorted || (a->n > 0 && b->v[0] < a->v[a->n - 1]))
		a->sorted = false;
	memcpy(a->v + a->n, b->v, b->n * sizeof(int64));
	a->n += b->n;
}

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
		a->n = (int64) sort_unique_interruptible(a->v, (size_t) a->n, scratch);
		pfree(scratch);
		a->sorted = true;
	}
}

/*
 * Read the settings of this row.  Argument layout by PG_NARGS():
 *   4: state, ts, period, periods              (any activity, session time zone)
 *   5: state, ts, period, periods, tz
 *   7: state, ts, is_start, is_return, period, periods, tz
 *   8: ... , cohorts
 */
static bool
raw_matches(RetCall *call, int i, Datum d, bool isnull)
{
	struct varlena *v;

	if (isnull != call->rawnull[i])
		return false;
	if (isnull)
		return true;
	if (i == 1)
		return DatumGetInt32(d) == call->periods_raw;
	v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d));
	return VARSIZE_ANY_EXHDR(v) == VARSIZE_ANY_EXHDR(call->copy[i]) &&
		memcmp(VARDATA_ANY(v), VARDATA_ANY(call->copy[i]), VARSIZE_ANY_EXHDR(v)) == 0;
}

static RetCall *
row_params(FunctionCallInfo fcinfo, int argoff, bool naive)
{
	RetCall    *call = (RetCall *) fcinfo->flinfo->fn_extra;
	int			nraw = PG_NARGS() - argoff;
	Datum		raw[4] = {0, 0, 0, 0};
	bool		rawnull[4] = {true, true, true, true};
	int			i;
	bool		same;
	RetParams	p;

	if (call != NULL && call->have && call->all_const)
		return call;
	for (i = 0; i < nraw; i++)
	{
		rawnull[i] = PG_ARGISNULL(argoff + i);
		raw[i] = rawnull[i] ? (Datum) 0 : PG_GETARG_DATUM(argoff + i);
	}
	if (call == NULL)
	{
		Aggref	   *ag = AggGetAggref(fcinfo);

		call = (RetCall *) MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RetCall));
		fcinfo->flinfo->fn_extra = call;
		/* aggregate argument j is transition argument j + 1 */
		call->all_const = ag != NULL;
		for (i = 0; ag != NULL && i < nraw; i++)
		{
			TargetEntry *te = (TargetEntry *) list_nth(ag->args, argoff + i - 1);

			if (!IsA(te->expr, Const))
				call->all_const = false;
		}
	}
	same = call->have;
	for (i = 0; same && i < 4; i++)
		same = raw_matches(call, i, raw[i], rawnull[i]);
	if (same)
		return call;

	if (rawnull[0])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("retention period must not be NULL"),
				 errhint("Use 'day', 'week', 'month' or 'rolling <interval>'.")));
	if (rawnull[1])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("number of retention periods must not be NULL")));
	if (nraw >= 3 && rawnull[2])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("time zone must not be NULL"),
				 errhint("Omit the argument to use UTC.")));
	if (nraw >= 4 && rawnull[3])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("cohort type must not be NULL"),
				 errhint("Use 'first_time' or 'recurring'.")));
	memset(&p, 0, sizeof(p));
	parse_period(TextDatumGetCString(raw[0]), &p);
	p.periods = DatumGetInt32(raw[1]);
	check_periods(p.periods);
	/*
	 * Without a tz argument: UTC, never the session's TimeZone, so the same
	 * call gives the same summary on every node (Citus workers, postgres_fdw
	 * shards, whose sessions run in GMT) whatever each node's setting.
	 */
	(void) naive;
	p.tz = lookup_tz(nraw >= 3 ? TextDatumGetCString(raw[2]) : "UTC");
	p.ctype = nraw >= 4 ? parse_ctype(TextDatumGetCString(raw[3])) : CR_FIRST_TIME;
	if (p.ctype == CR_RECURRING && UNIT_PER_USER(p.unit))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("recurring cohorts are not supported with rolling windows or elapsed months"),
				 errhint("Use a calendar period ('day', 'week', 'month') for recurring cohorts.")));
	call->p = p;
	/* keep copies of the raw values for the next row's comparison */
	for (i = 0; i < 4; i++)
	{
		if (call->copy[i] != NULL)
			pfree(call->copy[i]);
		call->copy[i] = NULL;
		call->rawnull[i] = rawnull[i];
		if (rawnull[i])
			continue;
		if (i == 1)
			call->periods_raw = DatumGetInt32(raw[i]);
		else
		{
			struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(raw[i]));

			call->copy[i] = (struct varlena *) MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, VARSIZE_ANY(v));
			memcpy(call->copy[i], v, VARSIZE_ANY(v));
		}
	}
	call->have = true;
	return call;
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

	if (UNIT_PER_USER(st->p.unit))
	{
		if (TIMESTAMP_NOT_FINITE(ts))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("timestamp out of range for retention"),
					 errdetail("Infinite timestamps have no period; filter them out or map them to NULL.")));
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
		if (st->p.ctype == CR_RECURRING)
			keys_push(&st->starts, key, cxt);
	}
	if (is_return)
		keys_push(&st->ret, key, cxt);
}

/*
 * A timestamp without time zone read as the wall-clock time in tz, as
 * `ts AT TIME ZONE tz` converts it (independent of the session TimeZone).
 */
static TimestampTz
naive_in_tz(Timestamp ts, pg_tz *tz)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			off;
	TimestampTz r;

	if (TIMESTAMP_NOT_FINITE(ts))
		return ts;				/* rejected where a period is needed */
	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for retention")));
	off = DetermineTimeZoneOffset(&tm, tz);
	if (tm2timestamp(&tm, fsec, &off, &r) != 0 || !IS_VALID_TIMESTAMP(r))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for retention")));
	return r;
}

static Datum cohort_retention_trans_common(FunctionCallInfo fcinfo, bool naive);

Datum
jy_cohort_retention_trans(PG_FUNCTION_ARGS)
{
	return cohort_retention_trans_common(fcinfo, false);
}

PG_FUNCTION_INFO_V1(jy_cohort_retention_naive_trans);

/* the same over timestamp without time zone (wall-clock time in tz) */
Datum
jy_cohort_retention_naive_trans(PG_FUNCTION_ARGS)
{
	return cohort_retention_trans_common(fcinfo, true);
}

static Datum
cohort_retention_trans_common(FunctionCallInfo fcinfo, bool naive)
{
	MemoryContext aggcxt;
	RetState   *st;
	RetCall    *call;
	bool		flags = PG_NARGS() >= 7;
	bool		is_start = true,
				is_return = true;
	TimestampTz ts;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "cohort_retention_trans called in non-aggregate context");
	call = row_params(fcinfo, flags ? 4 : 2, naive);
	if (PG_ARGISNULL(0))
	{
		st = (RetState *) MemoryContextAllocZero(aggcxt, sizeof(RetState));
		st->p = call->p;
		st->ret.sorted = true;
		st->starts.sorted = true;
		st->max_ts = DT_NOBEGIN;
	}
	else
	{
		st = (RetState *) PG_GETARG_POINTER(0);
		if (!params_equal(&st->p, &call->p))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("retention settings must be the same for every row of a group"),
					 errdetail("Period, number of periods, time zone and cohort type are read from every row and changed within a group.")));
	}
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

Datum
jy_cohort_retention_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt,
				old;
	RetState   *a,
			   *b;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "cohort_retention_combine called in non-aggregate context");
	a = PG_ARGISNULL(0) ? NULL : (RetState *) PG_GETARG_POINTER(0);
	b = PG_ARGISNULL(1) ? NULL : (RetState *) PG_GETARG_POINTER(1);
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	old = MemoryContextSwitchTo(aggcxt);
	if (a == NULL)
	{
		a = (RetState *) palloc0(sizeof(RetState));
		a->p = b->p;
		a->ret.sorted = true;
		a->starts.sorted = true;
		a->max_ts = DT_NOBEGIN;
	}
	else if (!params_equal(&a->p, &b->p))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention settings must be the same for every row of a group")));
	if (b->has_start && (!a->has_start || b->first_start < a->first_start))
		a->first_start = b->first_start;
	a->has_start |= b->has_start;
	if (b->max_ts > a->max_ts)
		a->max_ts = b->max_ts;
	keys_append(&a->ret, &b->ret);
	keys_append(&a->starts, &b->starts);
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(a);
}

/*
 * Serialized state: unit(1) ctype(1) has_start(1) ret_sorted(1) starts_sorted(1)
 * pad(3) periods(4) tzlen(4) window(8) first_start(8) max_ts(8) nret(8) nstarts(8)
 * tz[tzlen] keys[nret] keys[nstarts]
 */
#define SER_HDR 64

Datum
jy_cohort_retention_serial(PG_FUNCTION_ARGS)
{
	RetState   *st = (RetState *) PG_GETARG_POINTER(0);
	const char *tzname = pg_get_timezone_name(st->p.tz);
	int32		tzlen = (int32) strlen(tzname);
	Size		sz = VARHDRSZ + SER_HDR + tzlen + (Size) (st->ret.n + st->starts.n) * sizeof(int64);
	bytea	   *out;
	char	   *p;

	if (sz > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cohort_retention: aggregate state too large to pass between parallel workers")));
	out = (bytea *) palloc0(sz);
	SET_VARSIZE(out, sz);
	p = VARDATA(out);
	p[0] = (char) st->p.unit;
	p[1] = (char) st->p.ctype;
	p[2] = st->has_start;
	p[3] = st->ret.sorted;
	p[4] = st->starts.sorted;
	memcpy(p + 8, &st->p.periods, 4);
	memcpy(p + 12, &tzlen, 4);
	memcpy(p + 16, &st->p.window, 8);
	memcpy(p + 24, &st->first_start, 8);
	memcpy(p + 32, &st->max_ts, 8);
	memcpy(p + 40, &st->ret.n, 8);
	memcpy(p + 48, &st->starts.n, 8);
	memcpy(p + SER_HDR, tzname, tzlen);
	if (st->ret.n > 0)
		memcpy(p + SER_HDR + tzlen, st->ret.v, st->ret.n * sizeof(int64));
	if (st->starts.n > 0)
		memcpy(p + SER_HDR + tzlen + st->ret.n * sizeof(int64), st->starts.v, st->starts.n * sizeof(int64));
	PG_RETURN_BYTEA_P(out);
}

Datum
jy_cohort_retention_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const char *p = VARDATA_ANY(in);
	Size		len = VARSIZE_ANY_EXHDR(in);
	MemoryContext aggcxt;
	RetState   *st;
	int32		tzlen;
	int64		nret,
				nstarts;
	char		tzname[CR_MAX_TZLEN + 1];

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "cohort_retention_deserial called in non-aggregate context");
	if (len < SER_HDR)
		elog(ERROR, "cohort_retention: truncated aggregate state");
	memcpy(&tzlen, p + 12, 4);
	memcpy(&nret, p + 40, 8);
	memcpy(&nstarts, p + 48, 8);
	if (tzlen < 1 || tzlen > CR_MAX_TZLEN || nret < 0 || nstarts < 0 ||
		nret > KEYS_MAX || nstarts > KEYS_MAX ||
		len != SER_HDR + (Size) tzlen + (Size) (nret + nstarts) * sizeof(int64))
		elog(ERROR, "cohort_retention: corrupt aggregate state");
	st = (RetState *) palloc0(sizeof(RetState));
	st->p.unit = (uint8) p[0];
	st->p.ctype = (uint8) p[1];
	st->has_start = p[2] != 0;
	st->ret.sorted = p[3] != 0;
	st->starts.sorted = p[4] != 0;
	memcpy(&st->p.periods, p + 8, 4);
	memcpy(&st->p.window, p + 16, 8);
	memcpy(&st->first_start, p + 24, 8);
	memcpy(&st->max_ts, p + 32, 8);
	memcpy(tzname, p + SER_HDR, tzlen);
	tzname[tzlen] = '\0';
	st->p.tz = lookup_tz(tzname);
	if (nret > 0)
	{
		keys_reserve(&st->ret, nret);
		memcpy(st->ret.v, p + SER_HDR + tzlen, nret * sizeof(int64));
		st->ret.n = nret;
	}
	if (nstarts > 0)
	{
		keys_reserve(&st->starts, nstarts);
		memcpy(st->starts.v, p + SER_HDR + tzlen + nret * sizeof(int64), nstarts * sizeof(int64));
		st->starts.n = nstarts;
	}
	PG_RETURN_POINTER(st);
}

/* ---- the varlena value ---------------------------------------------------- */

static CohortRetention *
cr_alloc(uint8 unit, uint8 ctype, int32 periods, int64 window, const char *tz, uint16 tzlen,
		 int64 last_period, uint32 ncohorts)
{
	Size		sz = CR_SIZE(tzlen, periods, ncohorts);
	CohortRetention *r;

	if (sz > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cohort_retention value too large"),
				 errdetail("%u cohorts of %d periods need more than 1 GB.", ncohorts, periods)));
	r = (CohortRetention *) palloc0(sz);
	SET_VARSIZE(r, sz);
	r->version = CR_VERSION;
	r->unit = unit;
	r->ctype = ctype;
	r->periods = periods;
	r->window_us = window;
	r->last_period = last_period;
	r->ncohorts = ncohorts;
	r->tzlen = tzlen;
	memcpy(CR_TZ(r), tz, tzlen);
	return r;
}

/* Every rule a value from outside must satisfy (the aggregates keep them true). */
static void
cr_validate(const CohortRetention *r, Size size, int errc)
{
	const char *bad = NULL;
	uint32		i;

	if (r->version != CR_VERSION)
		bad = psprintf("Unsupported format version %u", r->version);
	else if (r->flags != 0 || r->reserved != 0)
		bad = "Reserved bits are set";
	else if (r->unit < JY_RET_DAY || r->unit > JY_RET_ELAPSED_MONTH)
		bad = psprintf("Unknown period code %u", r->unit);
	else if (r->ctype > CR_RECURRING)
		bad = psprintf("Unknown cohort type code %u", r->ctype);
	else if (r->periods < 0 || r->periods > JY_RET_MAX_PERIODS)
		bad = "The number of periods is out of range";
	else if ((r->unit == JY_RET_ROLLING) != (r->window_us > 0) || r->window_us < 0)
		bad = "The rolling window must be positive for rolling periods and zero otherwise";
	else if (UNIT_PER_USER(r->unit) && r->ctype == CR_RECURRING)
		bad = "Recurring cohorts cannot use rolling windows or elapsed months";
	else if (!tzname_ok(CR_TZ(r), r->tzlen))
		bad = "The time-zone name is empty, too long or has invalid characters";
	else if (r->ncohorts < 1)
		bad = "There is no cohort";
	else if (size != CR_SIZE(r->tzlen, r->periods, r->ncohorts))
		bad = "The size does not match the declared contents";
	else if (r->last_period < -CR_MAX_ABS_INDEX || r->last_period > CR_MAX_ABS_INDEX)
		bad = "The last period is out of range";
	else
	{
		for (i = CR_RECOFF(r->tzlen) - CR_HDRSZ; i > r->tzlen; i--)
			if (r->data[i - 1] != 0)
				bad = "Padding bytes are not zero";
		for (i = 0; bad == NULL && i < r->ncohorts; i++)
		{
			const int64 *rec = CR_REC(r, i);

			if (rec[0] < -CR_MAX_ABS_INDEX || rec[0] > r->last_period)
				bad = "A cohort index is out of range or after the last period";
			else if (i > 0 && rec[0] <= CR_REC(r, i - 1)[0])
				bad = "Cohorts are not strictly increasing";
			else
				bad = jy_ret_cohort_invalid(rec[1], REC_ACTIVE(rec), REC_LAST(rec, r->periods),
											REC_BOTH(rec, r->periods), r->periods);
		}
	}
	if (bad)
		ereport(ERROR,
				(errcode(errc),
				 errmsg("invalid cohort_retention value"),
				 errdetail("%s.", bad)));
}

/* add one user's bitmap as a new size-1 record */
static void
rec_set_user(int64 *rec, int64 cohort, const uint64_t *bits, int32 n)
{
	rec[0] = cohort;
	rec[1] = 1;
	jy_ret_add_user(REC_ACTIVE(rec), REC_LAST(rec, n), REC_BOTH(rec, n), bits, n);
}

/*
 * Whole months from c to x (x >= c) in time zone tz, as timestamptz + interval
 * counts them: the largest k with c + k months <= x, where c + k months keeps
 * c's local day (clamped to the month's last day) and local time.
 */
static int64
elapsed_months(pg_tz *tz, TimestampTz c, TimestampTz x)
{
	struct pg_tm tc,
				tx;
	fsec_t		fc,
				fx;
	int			off;
	int64		k;
	TimestampTz t;

	if (timestamp2tm(c, &off, &tc, &fc, NULL, tz) != 0 ||
		timestamp2tm(x, &off, &tx, &fx, NULL, tz) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for retention")));
	k = (int64) (tx.tm_year - tc.tm_year) * 12 + (tx.tm_mon - tc.tm_mon);
	if (k <= 0)
		return k < 0 ? -1 : 0;
	/* c + k months */
	tc.tm_mon += (int) k;
	tc.tm_year += (tc.tm_mon - 1) / 12;
	tc.tm_mon = (tc.tm_mon - 1) % 12 + 1;
	if (tc.tm_mday > day_tab[isleap(tc.tm_year)][tc.tm_mon - 1])
		tc.tm_mday = day_tab[isleap(tc.tm_year)][tc.tm_mon - 1];
	off = DetermineTimeZoneOffset(&tc, tz);
	if (tm2timestamp(&tc, fc, &off, &t) != 0 || t > x)
		k--;
	return k;
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
	if (st->p.ctype == CR_FIRST_TIME)
	{
		int64		cohort = UNIT_PER_USER(st->p.unit) ?
			calendar_index(call, &st->p, st->first_start) : st->first_start;

		r = cr_alloc(st->p.unit, st->p.ctype, st->p.periods, st->p.window, tzname,
					 (uint16) strlen(tzname), last_period, 1);
		if (st->p.unit == JY_RET_ELAPSED_MONTH)
			elapsed_month_bits(st, bits);
		else
			jy_ret_user_bits(st->ret.v, (size_t) st->ret.n, st->first_start, st->p.window,
							 st->p.periods, bits);
		rec_set_user(CR_REC(r, 0), cohort, bits, st->p.periods);
	}
	else
	{
		int64		i,
					lo = 0;

		if (st->starts.n > UINT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("cohort_retention: too many cohorts")));
		r = cr_alloc(st->p.unit, st->p.ctype, st->p.periods, 0, tzname,
					 (uint16) strlen(tzname), last_period, (uint32) st->starts.n);
		for (i = 0; i < st->starts.n; i++)
		{
			int64		s = st->starts.v[i];

			while (lo < st->ret.n && st->ret.v[lo] < s)
				lo++;
			jy_ret_user_bits(st->ret.v + lo, (size_t) (st->ret.n - lo), s, 0, st->p.periods, bits);
			rec_set_user(CR_REC(r, i), s, bits, st->p.periods);
		}
	}
	return r;
}

Datum
jy_cohort_retention_final(PG_FUNCTION_ARGS)
{
	RetState   *st;
	RetCall    *call;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (RetState *) PG_GETARG_POINTER(0);
	if (!st->has_start)
		PG_RETURN_NULL();
	/* sorting in place keeps the state valid for another final call */
	keys_finish(&st->ret);
	keys_finish(&st->starts);
	call = (RetCall *) fcinfo->flinfo->fn_extra;
	if (call == NULL)
		call = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RetCall));
	PG_RETURN_POINTER(ret_user_value(call, st));
}

/* ---- text I/O -------------------------------------------------------------
 * {"v":1,"period":"month","window_us":0,"tz":"UTC","periods":2,"cohorts":"first_time",
 *  "last_period":290,"data":[[288,2,[2,1,0],[1,0,1],[0,1,0]]]}
 * each data entry: [cohort, size, [active...], [last...], [both...]]
 */

/* a quoted string of printable ASCII without quotes or backslashes */
static char *
scan_str(JyTextScan *sc, size_t maxlen)
{
	const char *b;
	size_t		n;

	jy_scan_lit(sc, "\"");
	b = sc->p;
	while (*sc->p != '"')
	{
		if (*sc->p < 0x20 || *sc->p > 0x7e || *sc->p == '\\')
			jy_scan_fail(sc, "a printable character without backslash");
		sc->p++;
	}
	n = sc->p - b;
	if (n < 1 || n > maxlen)
		jy_scan_fail(sc, psprintf("a string of 1 to %zu characters", maxlen));
	sc->p++;
	return pnstrdup(b, n);
}

static void
scan_key(JyTextScan *sc, const char *key, bool first)
{
	jy_scan_key(sc, key, !first);
}

static void
scan_array(JyTextScan *sc, int64 *out, int32 n)
{
	int32		k;

	jy_scan_lit(sc, "[");
	for (k = 0; k <= n; k++)
	{
		if (k > 0)
			jy_scan_lit(sc, ",");
		out[k] = jy_scan_int(sc, 0, PG_INT64_MAX);
	}
	jy_scan_lit(sc, "]");
}

Datum
jy_cohort_retention_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	JyTextScan		sc = {str, str, "cohort_retention"};
	int64		version,
				window,
				last_period;
	int32		periods;
	char	   *unitname,
			   *tz,
			   *ctname;
	uint8		unit = 0,
				ctype;
	int64	   *recs = NULL;
	Size		nrec = 0,
				cap = 0,
				w;
	CohortRetention *r;

	jy_scan_lit(&sc, "{");
	scan_key(&sc, "v", true);
	version = jy_scan_int(&sc, 0, 255);
	if (version != CR_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("unsupported cohort_retention format version " INT64_FORMAT, version),
				 errdetail("This version of journey reads version %d.", CR_VERSION)));
	scan_key(&sc, "period", false);
	unitname = scan_str(&sc, 16);
	for (unit = JY_RET_DAY; unit <= JY_RET_ELAPSED_MONTH; unit++)
		if (strcmp(unitname, unit_names[unit]) == 0)
			break;
	if (unit > JY_RET_ELAPSED_MONTH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type cohort_retention: \"%s\"", str),
				 errdetail("Unknown period \"%s\"; valid are day, week, month, rolling and elapsed month.", unitname)));
	scan_key(&sc, "window_us", false);
	window = jy_scan_int(&sc, 0, PG_INT64_MAX);
	scan_key(&sc, "tz", false);
	tz = scan_str(&sc, CR_MAX_TZLEN);
	scan_key(&sc, "periods", false);
	periods = (int32) jy_scan_int(&sc, 0, JY_RET_MAX_PERIODS);
	scan_key(&sc, "cohorts", false);
	ctname = scan_str(&sc, 16);
	if (strcmp(ctname, "first_time") == 0)
		ctype = CR_FIRST_TIME;
	else if (strcmp(ctname, "recurring") == 0)
		ctype = CR_RECURRING;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type cohort_retention: \"%s\"", str),
				 errdetail("Unknown cohort type \"%s\"; valid are first_time and recurring.", ctname)));
	scan_key(&sc, "last_period", false);
	last_period = jy_scan_int(&sc, -CR_MAX_ABS_INDEX, CR_MAX_ABS_INDEX);
	scan_key(&sc, "data", false);
	jy_scan_lit(&sc, "[");
	w = CR_RECWORDS(periods);
	if (!jy_scan_peek(&sc, ']'))
	{
		for (;;)
		{
			int64	   *rec;

			if (nrec >= (MaxAllocSize / sizeof(int64)) / w)
				jy_scan_fail(&sc, "fewer cohorts");
			if (nrec == cap)
			{
				cap = cap ? cap * 2 : 8;
				recs = recs ? repalloc(recs, cap * w * sizeof(int64)) : palloc(cap * w * sizeof(int64));
			}
			rec = recs + nrec * w;
			jy_scan_lit(&sc, "[");
			rec[0] = jy_scan_int(&sc, -CR_MAX_ABS_INDEX, CR_MAX_ABS_INDEX);
			jy_scan_lit(&sc, ",");
			rec[1] = jy_scan_int(&sc, 0, PG_INT64_MAX);
			jy_scan_lit(&sc, ",");
			scan_array(&sc, REC_ACTIVE(rec), periods);
			jy_scan_lit(&sc, ",");
			scan_array(&sc, REC_LAST(rec, periods), periods);
			jy_scan_lit(&sc, ",");
			scan_array(&sc, REC_BOTH(rec, periods), periods);
			jy_scan_lit(&sc, "]");
			nrec++;
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
	if (nrec > UINT32_MAX)
		jy_scan_fail(&sc, "fewer cohorts");
	r = cr_alloc(unit, ctype, periods, window, tz, (uint16) strlen(tz), last_period, (uint32) nrec);
	if (nrec > 0)
		memcpy(CR_REC(r, 0), recs, nrec * w * sizeof(int64));
	cr_validate(r, VARSIZE(r), ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_POINTER(r);
}

static void
append_array(StringInfo buf, const int64 *a, int32 n)
{
	int32		k;

	appendStringInfoChar(buf, '[');
	for (k = 0; k <= n; k++)
		appendStringInfo(buf, "%s" INT64_FORMAT, k ? "," : "", a[k]);
	appendStringInfoChar(buf, ']');
}

Datum
jy_cohort_retention_out(PG_FUNCTION_ARGS)
{
	CohortRetention *r = PG_GETARG_CR_P(0);
	StringInfoData buf;
	uint32		i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"v\":%d,\"period\":\"%s\",\"window_us\":" INT64_FORMAT ",\"tz\":\"%.*s\","
					 "\"periods\":%d,\"cohorts\":\"%s\",\"last_period\":" INT64_FORMAT ",\"data\":[",
					 r->version, unit_names[r->unit], r->window_us, (int) r->tzlen, CR_TZ(r),
					 r->periods, ctype_names[r->ctype], r->last_period);
	for (i = 0; i < r->ncohorts; i++)
	{
		const int64 *rec = CR_REC(r, i);

		appendStringInfo(&buf, "%s[" INT64_FORMAT "," INT64_FORMAT ",", i ? "," : "", rec[0], rec[1]);
		append_array(&buf, REC_ACTIVE(rec), r->periods);
		appendStringInfoChar(&buf, ',');
		append_array(&buf, REC_LAST(rec, r->periods), r->periods);
		appendStringInfoChar(&buf, ',');
		append_array(&buf, REC_BOTH(rec, r->periods), r->periods);
		appendStringInfoChar(&buf, ']');
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_CSTRING(buf.data);
}

/* ---- binary I/O: the header fields in order, tz bytes, then the records ---- */

Datum
jy_cohort_retention_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	CohortRetention hdr;
	CohortRetention *r;
	const char *tz;
	Size		words,
				i;

	memset(&hdr, 0, sizeof(hdr));
	hdr.version = (uint8) pq_getmsgbyte(buf);
	hdr.unit = (uint8) pq_getmsgbyte(buf);
	hdr.ctype = (uint8) pq_getmsgbyte(buf);
	hdr.flags = (uint8) pq_getmsgbyte(buf);
	hdr.periods = (int32) pq_getmsgint(buf, 4);
	hdr.window_us = pq_getmsgint64(buf);
	hdr.last_period = pq_getmsgint64(buf);
	hdr.ncohorts = (uint32) pq_getmsgint(buf, 4);
	hdr.tzlen = (uint16) pq_getmsgint(buf, 2);
	hdr.reserved = (uint16) pq_getmsgint(buf, 2);
	if (hdr.periods < 0 || hdr.periods > JY_RET_MAX_PERIODS || hdr.tzlen < 1 || hdr.tzlen > CR_MAX_TZLEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid cohort_retention value"),
				 errdetail("The number of periods or the time-zone length is out of range.")));
	words = (Size) hdr.ncohorts * CR_RECWORDS(hdr.periods);
	if ((Size) hdr.tzlen + words * 8 != (Size) (buf->len - buf->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid cohort_retention value"),
				 errdetail("Declared %u cohorts of %d periods, which does not match the message length.",
						   hdr.ncohorts, hdr.periods)));
	tz = pq_getmsgbytes(buf, hdr.tzlen);
	r = cr_alloc(hdr.unit, hdr.ctype, hdr.periods, hdr.window_us, tz, hdr.tzlen,
				 hdr.last_period, hdr.ncohorts);
	r->version = hdr.version;
	r->flags = hdr.flags;
	r->reserved = hdr.reserved;
	{
		int64	   *w = hdr.ncohorts > 0 ? CR_REC(r, 0) : NULL;

		for (i = 0; i < words; i++)
			w[i] = pq_getmsgint64(buf);
	}
	pq_getmsgend(buf);
	cr_validate(r, VARSIZE(r), ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_POINTER(r);
}

Datum
jy_cohort_retention_send(PG_FUNCTION_ARGS)
{
	CohortRetention *r = PG_GETARG_CR_P(0);
	StringInfoData buf;
	Size		words = (Size) r->ncohorts * CR_RECWORDS(r->periods),
				i;
	const int64 *w = CR_REC(r, 0);

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, r->version);
	pq_sendbyte(&buf, r->unit);
	pq_sendbyte(&buf, r->ctype);
	pq_sendbyte(&buf, r->flags);
	pq_sendint32(&buf, r->periods);
	pq_sendint64(&buf, r->window_us);
	pq_sendint64(&buf, r->last_period);
	pq_sendint32(&buf, r->ncohorts);
	pq_sendint16(&buf, r->tzlen);
	pq_sendint16(&buf, r->reserved);
	pq_sendbytes(&buf, CR_TZ(r), r->tzlen);
	for (i = 0; i < words; i++)
		pq_sendint64(&buf, w[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- merge (rollup) ------------------------------------------------------ */

static void
check_compatible(const CohortRetention *a, const CohortRetention *b)
{
	if (a->unit != b->unit || a->window_us != b->window_us || a->periods != b->periods ||
		a->ctype != b->ctype || a->tzlen != b->tzlen || memcmp(CR_TZ(a), CR_TZ(b), a->tzlen) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge cohort_retention values with different settings"),
				 errdetail("One has period %s, %d periods, cohorts %s, time zone %.*s; the other has period %s, %d periods, cohorts %s, time zone %.*s.",
						   unit_names[a->unit], a->periods, ctype_names[a->ctype], (int) a->tzlen, CR_TZ(a),
						   unit_names[b->unit], b->periods, ctype_names[b->ctype], (int) b->tzlen, CR_TZ(b)),
				 errhint("Compute every summary with the same period, number of periods, time zone and cohort type.")));
}

static void
add_rec(int64 *dst, const int64 *src, int32 periods)
{
	if (!jy_ret_add_counts(dst + 1, src + 1, CR_RECWORDS(periods) - 1))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cohort_retention: count out of range while merging")));
}

static uint32
find_cohort(const CohortRetention *a, int64 c, bool *found)
{
	uint32		lo = 0,
				hi = a->ncohorts;

	while (lo < hi)
	{
		uint32		mid = lo + (hi - lo) / 2;

		if (CR_REC(a, mid)[0] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < a->ncohorts && CR_REC(a, lo)[0] == c;
	return lo;
}

/*
 * Strict transition and combine function of rollup(cohort_retention), and
 * the SQL function cohort_retention_merge(a, b).  Inside an aggregate the
 * state is updated in place when every cohort of b is already in a.
 */
static CohortRetention *cr_merge(CohortRetention *a, const CohortRetention *b, bool inplace);

Datum
jy_cohort_retention_merge(PG_FUNCTION_ARGS)
{
	Datum		ad = PG_GETARG_DATUM(0);
	CohortRetention *a = DatumGetCohortRetentionP(ad);
	CohortRetention *b = PG_GETARG_CR_P(1);
	bool		inplace = AggCheckCallContext(fcinfo, NULL) && (Pointer) a == DatumGetPointer(ad);

	PG_RETURN_POINTER(cr_merge(a, b, inplace));
}

/*
 * a + b: a itself, updated, when inplace and every cohort of b is in a;
 * otherwise a new value palloc'd in CurrentMemoryContext.
 */
static CohortRetention *
cr_merge(CohortRetention *a, const CohortRetention *b, bool inplace)
{
	uint32		j,
				missing = 0,
				i,
				k;
	bool		found;
	CohortRetention *r;
	Size		w = CR_RECWORDS(a->periods);

	check_compatible(a, b);
	for (j = 0; j < b->ncohorts; j++)
	{
		find_cohort(a, CR_REC(b, j)[0], &found);
		missing += !found;
	}
	if (inplace && missing == 0)
	{
		for (j = 0; j < b->ncohorts; j++)
			add_rec(CR_REC(a, find_cohort(a, CR_REC(b, j)[0], &found)), CR_REC(b, j), a->periods);
		a->last_period = Max(a->last_period, b->last_period);
		return a;
	}
	r = cr_alloc(a->unit, a->ctype, a->periods, a->window_us, CR_TZ(a), a->tzlen,
				 Max(a->last_period, b->last_period), a->ncohorts + missing);
	/* merge two sorted record lists */
	for (i = 0, j = 0, k = 0; i < a->ncohorts || j < b->ncohorts; k++)
	{
		const int64 *ra = i < a->ncohorts ? CR_REC(a, i) : NULL;
		const int64 *rb = j < b->ncohorts ? CR_REC(b, j) : NULL;
		int64	   *dst = CR_REC(r, k);

		if (rb == NULL || (ra != NULL && ra[0] < rb[0]))
		{
			memcpy(dst, ra, w * sizeof(int64));
			i++;
		}
		else if (ra == NULL || rb[0] < ra[0])
		{
			memcpy(dst, rb, w * sizeof(int64));
			j++;
		}
		else
		{
			memcpy(dst, ra, w * sizeof(int64));
			add_rec(dst, rb, a->periods);
			i++;
			j++;
		}
	}
	Assert(k == r->ncohorts);
	return r;
}

/* ---- outputs ------------------------------------------------------------- */

static DateADT
checked_date(int64 days)
{
	if (days < (int64) (DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE) ||
		days >= (int64) (DATE_END_JULIAN - POSTGRES_EPOCH_JDATE))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date out of range for retention: " INT64_FORMAT " days after 2000-01-01", days)));
	return (DateADT) days;
}

static DateADT
period_date(const CohortRetention *r, int64 idx)
{
	return checked_date(jy_ret_period_start_days(cohort_unit(r->unit), idx));
}

static bool
parse_mode(const char *s)
{
	if (pg_strcasecmp(s, "on") == 0 || pg_strcasecmp(s, "recurring") == 0)
		return false;
	if (pg_strcasecmp(s, "on_or_after") == 0 || pg_strcasecmp(s, "unbounded") == 0)
		return true;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown retention mode \"%s\"", s),
			 errhint("Valid modes are 'on' (alias 'recurring': active in period k) and 'on_or_after' (alias 'unbounded': active in period k or a later one).")));
	return false;
}

/* retention_matrix(r, mode): one row per cohort and period 0 .. N */
Datum
jy_retention_matrix(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CohortRetention *r = PG_GETARG_CR_P(0);
	bool		onafter = parse_mode(text_to_cstring(PG_GETARG_TEXT_PP(1)));
	int64	   *oa = (int64 *) palloc((r->periods + 1) * sizeof(int64));
	uint32		i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < r->ncohorts; i++)
	{
		const int64 *rec = CR_REC(r, i);
		const int64 *cnt = REC_ACTIVE(rec);
		int32		k;
		DateADT		cd = period_date(r, rec[0]);

		CHECK_FOR_INTERRUPTS();
		if (onafter)
		{
			jy_ret_on_or_after(REC_LAST(rec, r->periods), r->periods, oa);
			cnt = oa;
		}
		for (k = 0; k <= r->periods; k++)
		{
			Datum		values[5];
			bool		nulls[5] = {false, false, false, false, false};

			/* calendar periods after the latest event seen have not happened yet */
			if (r->unit != JY_RET_ROLLING && rec[0] + k > r->last_period)
				break;
			values[0] = DateADTGetDatum(cd);
			values[1] = Int32GetDatum(k);
			values[2] = Int64GetDatum(rec[1]);
			values[3] = Int64GetDatum(cnt[k]);
			values[4] = Float8GetDatum((double) cnt[k] / (double) rec[1]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}

/* retention_lifecycle(r): per calendar period, summed over cohorts */
Datum
jy_retention_lifecycle(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CohortRetention *r = PG_GETARG_CR_P(0);
	int64		minc,
				endp,
				span,
				p;
	int64	   *acc;
	uint32		i;
	int32		n = r->periods;

	if (UNIT_PER_USER(r->unit))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("lifecycle needs calendar periods"),
				 errdetail("Rolling windows and elapsed months start at each user's first event, so users share no periods."),
				 errhint("Compute the summary with period 'day', 'week' or 'month'.")));
	if (r->ctype != CR_FIRST_TIME)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("lifecycle needs first-time cohorts"),
				 errdetail("With recurring cohorts a user is counted in several cohorts.")));
	InitMaterializedSRF(fcinfo, 0);
	minc = CR_REC(r, 0)[0];
	/* exact only where every earlier cohort is still within its N periods */
	endp = Min(minc + n, r->last_period);
	span = endp - minc + 1;
	acc = (int64 *) palloc0(span * 4 * sizeof(int64));
	for (i = 0; i < r->ncohorts; i++)
	{
		const int64 *rec = CR_REC(r, i);
		const int64 *act = REC_ACTIVE(rec);
		const int64 *both = REC_BOTH(rec, n);
		int64		k;

		CHECK_FOR_INTERRUPTS();
		for (k = 0; k <= n && rec[0] + k <= endp; k++)
		{
			int64	   *row = acc + (rec[0] + k - minc) * 4;

			bool		ovf;

			/* differences are >= 0 (validated); sums over cohorts may overflow */
			if (k == 0)
				ovf = pg_add_s64_overflow(row[0], rec[1], &row[0]);
			else
				ovf = pg_add_s64_overflow(row[1], both[k], &row[1]) ||
					pg_add_s64_overflow(row[2], act[k] - both[k], &row[2]) ||
					pg_add_s64_overflow(row[3], act[k - 1] - both[k], &row[3]);
			if (ovf)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("cohort_retention: lifecycle count out of range")));
		}
	}
	for (p = 0; p < span; p++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		int			j;

		values[0] = DateADTGetDatum(period_date(r, minc + p));
		for (j = 0; j < 4; j++)
			values[j + 1] = Int64GetDatum(acc[p * 4 + j]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* retention_cohort(r): date of the (first) cohort */
Datum
jy_retention_cohort(PG_FUNCTION_ARGS)
{
	CohortRetention *r = PG_GETARG_CR_P(0);

	PG_RETURN_DATEADT(period_date(r, CR_REC(r, 0)[0]));
}

static int64
cr_total_users(const CohortRetention *r)
{
	int64		s = 0;
	uint32		i;

	for (i = 0; i < r->ncohorts; i++)
		if (pg_add_s64_overflow(s, CR_REC(r, i)[1], &s))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("cohort_retention: user count out of range")));
	return s;
}

/* retention_users(r): users counted (sum of cohort sizes) */
Datum
jy_retention_users(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(cr_total_users(PG_GETARG_CR_P(0)));
}

/* retention_periods(r): active period indexes of a one-user, one-cohort summary */
Datum
jy_retention_periods(PG_FUNCTION_ARGS)
{
	CohortRetention *r = PG_GETARG_CR_P(0);
	const int64 *rec = CR_REC(r, 0);
	Datum	   *el;
	int			n = 0,
				k;

	if (r->ncohorts != 1 || rec[1] != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_periods needs the summary of one user in one cohort"),
				 errdetail("This summary holds " INT64_FORMAT " cohort memberships in %u cohorts.", cr_total_users(r), r->ncohorts),
				 errhint("Call it on the per-user result of cohort_retention() with first-time cohorts; use retention_matrix() for groups.")));
	el = (Datum *) palloc((r->periods + 1) * sizeof(Datum));
	for (k = 0; k <= r->periods; k++)
		if (REC_ACTIVE(rec)[k])
			el[n++] = Int32GetDatum(k);
	PG_RETURN_ARRAYTYPE_P(construct_array(el, n, INT4OID, 4, true, TYPALIGN_INT));
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

/* ---- one pass across users: retention_summary(user_id, ts, period, periods, tz) ----
 * Calendar periods and any activity only (the common heatmap); a hash table
 * of users with a bitmap of their periods relative to their first one.  The
 * result is the same cohort_retention value as rollup() over per-user
 * cohort_retention(ts, period, periods, tz).
 */
PG_FUNCTION_INFO_V1(jy_retention_summary_trans);
PG_FUNCTION_INFO_V1(jy_retention_summary_combine);
PG_FUNCTION_INFO_V1(jy_retention_summary_serial);
PG_FUNCTION_INFO_V1(jy_retention_summary_deserial);
PG_FUNCTION_INFO_V1(jy_retention_summary_final);

/*
 * User ids: bigint ids are the table's keys; text and uuid ids are interned
 * into a dictionary (exact bytes -> ordinal 0, 1, ...) and the ordinal is the
 * key.  Text ids are compared byte for byte.
 */
#define SUM_ID_BIGINT 0
#define SUM_ID_TEXT 1
#define SUM_ID_UUID 2
#define SUM_MAX_ID_LEN (1024 * 1024)

typedef struct IdKey
{
	const char *p;
	uint32		len;
} IdKey;

typedef struct IdEnt
{
	IdKey		key;
	int64		ord;
} IdEnt;

typedef struct SumState
{
	RetParams	p;
	JyRetTable	t;
	int64		max_key;		/* latest period seen */
	int64		last_user;		/* slot cache for consecutive rows of one user */
	int64	   *last_slot;
	uint8		idkind;			/* SUM_ID_* */
	HTAB	   *ids;			/* text / uuid: IdKey -> ordinal */
	IdKey	   *byord;			/* ordinal -> id bytes */
	int64		nids,
				idcap;
} SumState;

static uint32
idkey_hash(const void *key, Size keysize)
{
	const IdKey *k = (const IdKey *) key;

	(void) keysize;
	return hash_bytes((const unsigned char *) k->p, (int) k->len);
}

static int
idkey_match(const void *a, const void *b, Size keysize)
{
	const IdKey *x = (const IdKey *) a;
	const IdKey *y = (const IdKey *) b;

	(void) keysize;
	return x->len == y->len && memcmp(x->p, y->p, x->len) == 0 ? 0 : 1;
}

static void
sum_ids_init(SumState *st, MemoryContext cxt)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(IdKey);
	ctl.entrysize = sizeof(IdEnt);
	ctl.hash = idkey_hash;
	ctl.match = idkey_match;
	ctl.hcxt = cxt;
	st->ids = hash_create("retention_summary user ids", 1024, &ctl,
						  HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	st->idcap = 1024;
	st->byord = (IdKey *) MemoryContextAlloc(cxt, st->idcap * sizeof(IdKey));
	st->nids = 0;
}

/* the ordinal of an id, interning a copy of its bytes when new */
static int64
sum_intern(SumState *st, const char *bytes, uint32 len, MemoryContext cxt)
{
	IdKey		k;
	IdEnt	   *e;
	bool		found;

	k.p = bytes;
	k.len = len;
	e = (IdEnt *) hash_search(st->ids, &k, HASH_ENTER, &found);
	if (!found)
	{
		char	   *copy = MemoryContextAlloc(cxt, Max(len, 1));

		memcpy(copy, bytes, len);
		e->key.p = copy;
		e->key.len = len;
		if (st->nids == st->idcap)
		{
			if (st->idcap > (int64) (MaxAllocHugeSize / sizeof(IdKey)) / 2)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("retention_summary: too many users")));
			st->idcap *= 2;
			st->byord = (IdKey *) repalloc_huge(st->byord, st->idcap * sizeof(IdKey));
		}
		e->ord = st->nids;
		st->byord[st->nids++] = e->key;
	}
	return e->ord;
}

static void
sum_table_alloc(JyRetTable *t, size_t cap, int32 periods, MemoryContext cxt)
{
	size_t		sw = JY_RET_SLOT_WORDS((periods + 1 + 63) / 64);

	if (cap > (SIZE_MAX / sizeof(int64)) / sw)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("retention_summary: too many users")));
	jy_ret_table_init(t, (int64_t *) MemoryContextAllocHuge(cxt, cap * sw * sizeof(int64)), cap, periods);
}

static SumState *
sum_new(const RetParams *p, uint8 idkind, size_t cap, MemoryContext cxt)
{
	SumState   *st = (SumState *) MemoryContextAllocZero(cxt, sizeof(SumState));

	st->p = *p;
	st->idkind = idkind;
	if (idkind != SUM_ID_BIGINT)
		sum_ids_init(st, cxt);
	st->max_key = PG_INT64_MIN;
	sum_table_alloc(&st->t, cap, p->periods, cxt);
	return st;
}

/* make room for one more user */
static void
sum_reserve(SumState *st, MemoryContext cxt)
{
	JyRetTable	nt;

	if (!jy_ret_table_full(&st->t))
		return;
	sum_table_alloc(&nt, st->t.cap * 2, st->p.periods, cxt);
	jy_ret_table_rehash(&st->t, &nt);
	pfree(st->t.slots);
	st->t = nt;
	st->last_slot = NULL;
}

static Datum
retention_summary_trans_common(FunctionCallInfo fcinfo, uint8 idkind, bool naive)
{
	MemoryContext aggcxt;
	SumState   *st;
	RetCall    *call;
	int64		user,
				key;
	TimestampTz ts;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "retention_summary_trans called in non-aggregate context");
	call = row_params(fcinfo, 3, naive);
	if (PG_ARGISNULL(0))
	{
		if (UNIT_PER_USER(call->p.unit))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("retention_summary supports calendar periods only"),
					 errhint("For rolling windows and elapsed months use rollup(cohort_retention(ts, period, periods, tz)) over a GROUP BY user.")));
		st = sum_new(&call->p, idkind, 1024, aggcxt);
	}
	else
	{
		st = (SumState *) PG_GETARG_POINTER(0);
		if (!params_equal(&st->p, &call->p) || st->idkind != idkind)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("retention settings must be the same for every row of a group")));
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	if (idkind == SUM_ID_BIGINT)
		user = PG_GETARG_INT64(1);
	else if (idkind == SUM_ID_UUID)
		user = sum_intern(st, (const char *) PG_GETARG_UUID_P(1)->data, UUID_LEN, aggcxt);
	else
	{
		text	   *t = PG_GETARG_TEXT_PP(1);

		if (VARSIZE_ANY_EXHDR(t) > SUM_MAX_ID_LEN)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("user id too long for retention_summary"),
					 errdetail("A text user id may have at most %d bytes.", SUM_MAX_ID_LEN)));
		user = sum_intern(st, VARDATA_ANY(t), (uint32) VARSIZE_ANY_EXHDR(t), aggcxt);
	}
	ts = naive ? naive_in_tz(PG_GETARG_TIMESTAMP(2), st->p.tz) : PG_GETARG_TIMESTAMPTZ(2);
	key = period_of(call, st->p.unit, st->p.tz, ts);
	if (key > st->max_key)
		st->max_key = key;
	if (st->last_slot != NULL && st->last_user == user)
		jy_ret_slot_add(st->last_slot, key, st->t.periods, st->t.words);
	else
	{
		sum_reserve(st, aggcxt);
		st->last_slot = jy_ret_table_add(&st->t, user, key);
		st->last_user = user;
	}
	PG_RETURN_POINTER(st);
}

Datum
jy_retention_summary_trans(PG_FUNCTION_ARGS)
{
	return retention_summary_trans_common(fcinfo, SUM_ID_BIGINT, false);
}

PG_FUNCTION_INFO_V1(jy_retention_summary_naive_trans);
PG_FUNCTION_INFO_V1(jy_retention_summary_text_trans);
PG_FUNCTION_INFO_V1(jy_retention_summary_text_naive_trans);
PG_FUNCTION_INFO_V1(jy_retention_summary_uuid_trans);
PG_FUNCTION_INFO_V1(jy_retention_summary_uuid_naive_trans);

Datum
jy_retention_summary_naive_trans(PG_FUNCTION_ARGS)
{
	return retention_summary_trans_common(fcinfo, SUM_ID_BIGINT, true);
}

Datum
jy_retention_summary_text_trans(PG_FUNCTION_ARGS)
{
	return retention_summary_trans_common(fcinfo, SUM_ID_TEXT, false);
}

Datum
jy_retention_summary_text_naive_trans(PG_FUNCTION_ARGS)
{
	return retention_summary_trans_common(fcinfo, SUM_ID_TEXT, true);
}

Datum
jy_retention_summary_uuid_trans(PG_FUNCTION_ARGS)
{
	return retention_summary_trans_common(fcinfo, SUM_ID_UUID, false);
}

Datum
jy_retention_summary_uuid_naive_trans(PG_FUNCTION_ARGS)
{
	return retention_summary_trans_common(fcinfo, SUM_ID_UUID, true);
}

Datum
jy_retention_summary_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	SumState   *a,
			   *b;
	size_t		sw,
				i;
	int64	   *tmp = NULL;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "retention_summary_combine called in non-aggregate context");
	a = PG_ARGISNULL(0) ? NULL : (SumState *) PG_GETARG_POINTER(0);
	b = PG_ARGISNULL(1) ? NULL : (SumState *) PG_GETARG_POINTER(1);
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = sum_new(&b->p, b->idkind, 1024, aggcxt);
	else if (!params_equal(&a->p, &b->p) || a->idkind != b->idkind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention settings must be the same for every row of a group")));
	a->max_key = Max(a->max_key, b->max_key);
	a->last_slot = NULL;
	sw = JY_RET_SLOT_WORDS(b->t.words);
	for (i = 0; i < b->t.cap; i++)
	{
		const int64 *s = b->t.slots + i * sw;

		if (s[1] == JY_RET_EMPTY)
			continue;
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		sum_reserve(a, aggcxt);
		if (b->idkind != SUM_ID_BIGINT)
		{
			/* b's ordinal -> the id -> a's ordinal */
			const IdKey *id = &b->byord[s[0]];

			if (tmp == NULL)
				tmp = (int64 *) palloc(sw * sizeof(int64));
			memcpy(tmp, s, sw * sizeof(int64));
			tmp[0] = sum_intern(a, id->p, id->len, aggcxt);
			s = tmp;
		}
		jy_ret_table_merge_slot(&a->t, s);
	}
	if (tmp)
		pfree(tmp);
	PG_RETURN_POINTER(a);
}

/*
 * unit(1) idkind(1) pad(2) periods(4) tzlen(4) pad(4) max_key(8) n(8) tz[tzlen] slots[n]
 * then for text / uuid ids: nids(8) and nids x (len(4) bytes[len]), by ordinal
 */
#define SUM_SER_HDR 32

Datum
jy_retention_summary_serial(PG_FUNCTION_ARGS)
{
	SumState   *st = (SumState *) PG_GETARG_POINTER(0);
	const char *tzname = pg_get_timezone_name(st->p.tz);
	int32		tzlen = (int32) strlen(tzname);
	size_t		sw = JY_RET_SLOT_WORDS(st->t.words),
				i;
	Size		sz = VARHDRSZ + SUM_SER_HDR + tzlen + st->t.n * sw * sizeof(int64);
	bytea	   *out;
	char	   *p,
			   *q;
	int64		n = (int64) st->t.n,
				o;

	if (st->idkind != SUM_ID_BIGINT)
	{
		sz += 8;
		for (o = 0; o < st->nids && sz <= MaxAllocSize; o++)
			sz += 4 + st->byord[o].len;
	}

	if (sz > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("retention_summary: aggregate state too large to pass between parallel workers")));
	out = (bytea *) palloc0(sz);
	SET_VARSIZE(out, sz);
	p = VARDATA(out);
	p[0] = (char) st->p.unit;
	p[1] = (char) st->idkind;
	memcpy(p + 4, &st->p.periods, 4);
	memcpy(p + 8, &tzlen, 4);
	memcpy(p + 16, &st->max_key, 8);
	memcpy(p + 24, &n, 8);
	memcpy(p + SUM_SER_HDR, tzname, tzlen);
	q = p + SUM_SER_HDR + tzlen;
	for (i = 0; i < st->t.cap; i++)
	{
		const int64 *s = st->t.slots + i * sw;

		if (s[1] == JY_RET_EMPTY)
			continue;
		memcpy(q, s, sw * sizeof(int64));
		q += sw * sizeof(int64);
	}
	if (st->idkind != SUM_ID_BIGINT)
	{
		memcpy(q, &st->nids, 8);
		q += 8;
		for (o = 0; o < st->nids; o++)
		{
			memcpy(q, &st->byord[o].len, 4);
			memcpy(q + 4, st->byord[o].p, st->byord[o].len);
			q += 4 + st->byord[o].len;
		}
	}
	PG_RETURN_BYTEA_P(out);
}

Datum
jy_retention_summary_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const char *p = VARDATA_ANY(in);
	Size		len = VARSIZE_ANY_EXHDR(in);
	MemoryContext aggcxt;
	SumState   *st;
	RetParams	rp;
	int32		tzlen;
	int64		n;
	size_t		sw,
				cap = 1024,
				i;
	Size		idoff;
	uint8		idkind;
	char		tzname[CR_MAX_TZLEN + 1];
	int64	   *slot;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "retention_summary_deserial called in non-aggregate context");
	if (len < SUM_SER_HDR)
		elog(ERROR, "retention_summary: truncated aggregate state");
	memset(&rp, 0, sizeof(rp));
	rp.unit = (uint8) p[0];
	idkind = (uint8) p[1];
	memcpy(&rp.periods, p + 4, 4);
	memcpy(&tzlen, p + 8, 4);
	memcpy(&n, p + 24, 8);
	if (rp.periods < 0 || rp.periods > JY_RET_MAX_PERIODS || tzlen < 1 || tzlen > CR_MAX_TZLEN || n < 0 ||
		idkind > SUM_ID_UUID || rp.unit < JY_RET_DAY || rp.unit > JY_RET_MONTH)
		elog(ERROR, "retention_summary: corrupt aggregate state");
	sw = JY_RET_SLOT_WORDS((rp.periods + 1 + 63) / 64);
	if ((Size) tzlen > len - SUM_SER_HDR ||
		(Size) n > (len - SUM_SER_HDR - tzlen) / (sw * sizeof(int64)))
		elog(ERROR, "retention_summary: corrupt aggregate state");
	idoff = SUM_SER_HDR + (Size) tzlen + (Size) n * sw * sizeof(int64);
	if (idkind == SUM_ID_BIGINT ? len != idoff : len < idoff + 8)
		elog(ERROR, "retention_summary: corrupt aggregate state");
	memcpy(tzname, p + SUM_SER_HDR, tzlen);
	tzname[tzlen] = '\0';
	rp.tz = lookup_tz(tzname);
	while (cap * 3 < (size_t) n * 4 + 4)
		cap *= 2;
	st = sum_new(&rp, idkind, cap, aggcxt);
	memcpy(&st->max_key, p + 16, 8);
	if (idkind != SUM_ID_BIGINT)
	{
		/* the dictionary, interned in ordinal order so ordinals are kept */
		int64		nids,
					o;
		Size		q = idoff + 8;

		memcpy(&nids, p + idoff, 8);
		if (nids < 0 || (Size) nids > (len - q) / 4)
			elog(ERROR, "retention_summary: corrupt aggregate state");
		for (o = 0; o < nids; o++)
		{
			uint32		l;

			if ((o & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
			if (len - q < 4)
				elog(ERROR, "retention_summary: corrupt aggregate state");
			memcpy(&l, p + q, 4);
			if (l > SUM_MAX_ID_LEN || l > len - q - 4 || (idkind == SUM_ID_UUID && l != UUID_LEN) ||
				sum_intern(st, p + q + 4, l, aggcxt) != o)
				elog(ERROR, "retention_summary: corrupt aggregate state");
			q += 4 + l;
		}
		if (q != len)
			elog(ERROR, "retention_summary: corrupt aggregate state");
	}
	slot = (int64 *) palloc(sw * sizeof(int64));
	for (i = 0; i < (size_t) n; i++)
	{
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		memcpy(slot, p + SUM_SER_HDR + tzlen + i * sw * sizeof(int64), sw * sizeof(int64));
		if (slot[1] == JY_RET_EMPTY || (idkind != SUM_ID_BIGINT && (slot[0] < 0 || slot[0] >= st->nids)))
			elog(ERROR, "retention_summary: corrupt aggregate state");
		jy_ret_table_merge_slot(&st->t, slot);
	}
	pfree(slot);
	PG_RETURN_POINTER(st);
}

Datum
jy_retention_summary_final(PG_FUNCTION_ARGS)
{
	SumState   *st;
	size_t		sw,
				i,
				nc,
				j;
	int64	   *bases,
			   *scratch;
	CohortRetention *r;
	const char *tzname;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (SumState *) PG_GETARG_POINTER(0);
	if (st->t.n == 0)
		PG_RETURN_NULL();
	sw = JY_RET_SLOT_WORDS(st->t.words);
	/* distinct cohorts */
	bases = (int64 *) palloc_extended(st->t.n * sizeof(int64), MCXT_ALLOC_HUGE);
	scratch = (int64 *) palloc_extended(st->t.n * sizeof(int64), MCXT_ALLOC_HUGE);
	for (i = 0, j = 0; i < st->t.cap; i++)
		if (st->t.slots[i * sw + 1] != JY_RET_EMPTY)
			bases[j++] = st->t.slots[i * sw + 1];
	nc = sort_unique_interruptible(bases, j, scratch);
	pfree(scratch);
	if (nc > UINT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("retention_summary: too many cohorts")));
	tzname = pg_get_timezone_name(st->p.tz);
	r = cr_alloc(st->p.unit, CR_FIRST_TIME, st->p.periods, 0, tzname, (uint16) strlen(tzname),
				 st->max_key, (uint32) nc);
	for (j = 0; j < nc; j++)
	{
		int64	   *rec = CR_REC(r, j);

		rec[0] = bases[j];
	}
	for (i = 0; i < st->t.cap; i++)
	{
		const int64 *s = st->t.slots + i * sw;
		size_t		lo = 0,
					hi = nc;
		int64	   *rec;

		if (s[1] == JY_RET_EMPTY)
			continue;
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		while (lo < hi)
		{
			size_t		mid = lo + (hi - lo) / 2;

			if (bases[mid] < s[1])
				lo = mid + 1;
			else
				hi = mid;
		}
		rec = CR_REC(r, lo);
		rec[1]++;
		jy_ret_add_user(REC_ACTIVE(rec), REC_LAST(rec, st->p.periods), REC_BOTH(rec, st->p.periods),
						(const uint64_t *) (s + 2), st->p.periods);
	}
	pfree(bases);
	PG_RETURN_POINTER(r);
}

/* ---- stickiness: active days per week or month of one user's day summary ---- */
PG_FUNCTION_INFO_V1(jy_retention_stickiness);

Datum
jy_retention_stickiness(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CohortRetention *r = PG_GETARG_CR_P(0);
	char	   *per = text_to_cstring(PG_GETARG_TEXT_PP(1));
	JyRetUnit	unit;
	const int64 *rec = CR_REC(r, 0);
	int64		cur = 0;
	int32		k,
				days = 0;

	if (pg_strcasecmp(per, "week") == 0)
		unit = JY_RET_WEEK;
	else if (pg_strcasecmp(per, "month") == 0)
		unit = JY_RET_MONTH;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown stickiness period \"%s\"", per),
				 errhint("Valid periods are 'week' and 'month'.")));
	if (r->unit != JY_RET_DAY || r->ncohorts != 1 || rec[1] != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_stickiness needs the day summary of one user"),
				 errdetail("This summary has period %s and holds " INT64_FORMAT " cohort memberships in %u cohorts.",
						   unit_names[r->unit], cr_total_users(r), r->ncohorts),
				 errhint("Call it on cohort_retention(ts, 'day', periods, tz) computed per user (GROUP BY user).")));
	InitMaterializedSRF(fcinfo, 0);
	for (k = 0; k <= r->periods; k++)
	{
		int64		y,
					p;
		int			m,
					d;

		if (!REC_ACTIVE(rec)[k])
			continue;
		jy_ret_civil_from_days(rec[0] + k, &y, &m, &d);
		p = jy_ret_period_of_date(unit, y, m, d);
		if (days > 0 && p != cur)
		{
			Datum		values[2];
			bool		nulls[2] = {false, false};

			values[0] = DateADTGetDatum(checked_date(jy_ret_period_start_days(unit, cur)));
			values[1] = Int32GetDatum(days);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			days = 0;
		}
		cur = p;
		days++;
	}
	if (days > 0)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = DateADTGetDatum(checked_date(jy_ret_period_start_days(unit, cur)));
		values[1] = Int32GetDatum(days);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---- over stored journeys --------------------------------------------------
 * cohort_retention(j journey, period, periods [, tz])
 * cohort_retention(j, start_event, return_event, period, periods, tz [, cohorts])
 * One input row per user.  Each journey goes through the per-user code of
 * the raw-row aggregate (ret_add_row per event, ret_user_value) and the
 * result is added to the accumulated value with cr_merge, so the result is
 * rollup(cohort_retention(ts, ...)) over the same users, by construction.
 * The argument layout after the journey (and the two event names) is the
 * raw-row layout, so row_params reads and checks the settings unchanged.
 */
PG_FUNCTION_INFO_V1(jy_cohort_retention_journey_trans);
PG_FUNCTION_INFO_V1(jy_cohort_retention_journey_combine);
PG_FUNCTION_INFO_V1(jy_cohort_retention_journey_serial);
PG_FUNCTION_INFO_V1(jy_cohort_retention_journey_deserial);
PG_FUNCTION_INFO_V1(jy_cohort_retention_journey_final);

typedef struct RetJState
{
	RetParams	p;
	CohortRetention *acc;		/* users so far; ncohorts may be 0 */
	KeyArr		ret;			/* per-journey scratch, reused */
	KeyArr		starts;
} RetJState;

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

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what),
				 errhint("Give the event name, such as 'purchase'; for any activity use cohort_retention(j, period, periods, tz).")));
	name = PG_GETARG_TEXT_PP(argno);
	return jy_jc_find_name(v, VARDATA_ANY(name), (uint32) VARSIZE_ANY_EXHDR(name));
}

Datum
jy_cohort_retention_journey_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	RetJState  *st;
	RetCall    *call;
	bool		flags = PG_NARGS() >= 7;
	JyJView		v;
	int64		sid = -1,
				rid = -1;
	RetState	u;
	uint32		i;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "cohort_retention_journey_trans called in non-aggregate context");
	call = row_params(fcinfo, flags ? 4 : 2, false);
	if (PG_ARGISNULL(0))
		st = jstate_new(&call->p, aggcxt);
	else
	{
		st = (RetJState *) PG_GETARG_POINTER(0);
		if (!params_equal(&st->p, &call->p))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("retention settings must be the same for every row of a group"),
					 errdetail("Period, number of periods, time zone and cohort type are read from every row and changed within a group.")));
	}
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
	MemoryContext aggcxt;
	RetJState  *a,
			   *b;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "cohort_retention_journey_combine called in non-aggregate context");
	a = PG_ARGISNULL(0) ? NULL : (RetJState *) PG_GETARG_POINTER(0);
	b = PG_ARGISNULL(1) ? NULL : (RetJState *) PG_GETARG_POINTER(1);
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = jstate_new(&b->p, aggcxt);
	else if (!params_equal(&a->p, &b->p))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention settings must be the same for every row of a group")));
	jstate_add(a, b->acc, aggcxt);
	PG_RETURN_POINTER(a);
}

/* Serialized state: the accumulated value as it is in memory (settings included). */
Datum
jy_cohort_retention_journey_serial(PG_FUNCTION_ARGS)
{
	RetJState  *st = (RetJState *) PG_GETARG_POINTER(0);
	Size		sz = VARSIZE(st->acc);
	bytea	   *out;

	if (sz > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cohort_retention: aggregate state too large to pass between parallel workers")));
	out = (bytea *) palloc(VARHDRSZ + sz);
	SET_VARSIZE(out, VARHDRSZ + sz);
	memcpy(VARDATA(out), st->acc, sz);
	PG_RETURN_BYTEA_P(out);
}

Datum
jy_cohort_retention_journey_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	Size		len = VARSIZE_ANY_EXHDR(in);
	MemoryContext aggcxt,
				old;
	RetJState  *st;
	CohortRetention *r;
	char		tzname[CR_MAX_TZLEN + 1];

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "cohort_retention_journey_deserial called in non-aggregate context");
	if (len < CR_HDRSZ)
		elog(ERROR, "cohort_retention: truncated aggregate state");
	old = MemoryContextSwitchTo(aggcxt);
	r = (CohortRetention *) palloc(len);
	memcpy(r, VARDATA_ANY(in), len);
	if (VARSIZE(r) != len || r->periods < 0 || r->periods > JY_RET_MAX_PERIODS ||
		!tzname_ok(CR_TZ(r), r->tzlen) || len != CR_SIZE(r->tzlen, r->periods, r->ncohorts))
		elog(ERROR, "cohort_retention: corrupt aggregate state");
	if (r->ncohorts > 0)
		cr_validate(r, len, ERRCODE_DATA_CORRUPTED);
	st = (RetJState *) palloc0(sizeof(RetJState));
	st->p.unit = r->unit;
	st->p.ctype = r->ctype;
	st->p.periods = r->periods;
	st->p.window = r->window_us;
	memcpy(tzname, CR_TZ(r), r->tzlen);
	tzname[r->tzlen] = '\0';
	st->p.tz = lookup_tz(tzname);
	st->acc = r;
	st->ret.sorted = true;
	st->starts.sorted = true;
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(st);
}

Datum
jy_cohort_retention_journey_final(PG_FUNCTION_ARGS)
{
	RetJState  *st;
	CohortRetention *r;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (RetJState *) PG_GETARG_POINTER(0);
	if (st->acc->ncohorts == 0)
		PG_RETURN_NULL();		/* no user with a cohort, like rollup() of NULLs */
	r = (CohortRetention *) palloc(VARSIZE(st->acc));
	memcpy(r, st->acc, VARSIZE(st->acc));
	PG_RETURN_POINTER(r);
}

/* ---- last activity: users by the period of their last activity ------------------
 * retention_last_activity(r): per cohort and k = 0 .. N, the users whose last
 * active period (within 0 .. N) is k (the summary's last[] counts): "customers
 * by month of last purchase" and "lifetime = last - first" in periods.
 */
PG_FUNCTION_INFO_V1(jy_retention_last_activity);

Datum
jy_retention_last_activity(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CohortRetention *r = PG_GETARG_CR_P(0);
	uint32		i;

	if (r->ctype != CR_FIRST_TIME)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("last activity needs first-time cohorts"),
				 errdetail("With recurring cohorts a user is counted in several cohorts, each with its own last period.")));
	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < r->ncohorts; i++)
	{
		const int64 *rec = CR_REC(r, i);
		const int64 *last = REC_LAST(rec, r->periods);
		DateADT		cd = period_date(r, rec[0]);
		bool		complete;
		int32		k;

		CHECK_FOR_INTERRUPTS();
		/* can activity after period N of this cohort exist in the data seen? */
		if (r->unit == JY_RET_ROLLING)
		{
			int128		span = (int128) (r->last_period - rec[0] + 1) * USECS_PER_DAY;

			complete = span <= (int128) (r->periods + 1) * r->window_us;
		}
		else
			complete = rec[0] + r->periods >= r->last_period;
		for (k = 0; k <= r->periods; k++)
		{
			Datum		values[7];
			bool		nulls[7] = {false, false, false, false, false, false, false};

			if (!UNIT_PER_USER(r->unit) && rec[0] + k > r->last_period)
				break;
			values[0] = DateADTGetDatum(cd);
			values[1] = Int32GetDatum(k);
			if (UNIT_PER_USER(r->unit))
				nulls[2] = true;	/* each user's periods start at their own first event */
			else
				values[2] = DateADTGetDatum(period_date(r, rec[0] + k));
			values[3] = Int64GetDatum(rec[1]);
			values[4] = Int64GetDatum(last[k]);
			values[5] = Float8GetDatum((double) last[k] / (double) rec[1]);
			values[6] = BoolGetDatum(complete);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}
