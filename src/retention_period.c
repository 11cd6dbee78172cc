/*
 * retention_period.c — the settings of the retention aggregates (period,
 * number of periods, time zone, cohort type: parsed, checked, cached per
 * call) and timestamps -> period keys with PostgreSQL's own time-zone
 * machinery (the computation date_trunc(unit, ts, tz) does); the engine
 * (src/engine/retention.h) works on integer keys.
 */
#include "retention_glue.h"

#include <ctype.h>

#include "nodes/pg_list.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/datetime.h"

/* ---- settings ----------------------------------------------------------- */

bool
params_equal(const RetParams *a, const RetParams *b)
{
	return a->unit == b->unit && a->ctype == b->ctype && a->periods == b->periods &&
		a->window == b->window &&
		(a->tz == b->tz || strcmp(pg_get_timezone_name(a->tz), pg_get_timezone_name(b->tz)) == 0);
}

Size
params_wire_size(const RetParams *p)
{
	return 18 + strlen(pg_get_timezone_name(p->tz));
}

void
params_send(StringInfo buf, const RetParams *p)
{
	const char *tzname = pg_get_timezone_name(p->tz);
	int32		tzlen = (int32) strlen(tzname);

	pq_sendbyte(buf, p->unit);
	pq_sendbyte(buf, p->ctype);
	pq_sendint32(buf, p->periods);
	pq_sendint64(buf, p->window);
	pq_sendint32(buf, tzlen);
	pq_sendbytes(buf, tzname, tzlen);
}

void
params_recv(StringInfo buf, RetParams *p, const char *what)
{
	int32		tzlen;
	char		tzname[JY_CR_MAX_TZLEN + 1];

	memset(p, 0, sizeof(*p));
	p->unit = (uint8) pq_getmsgbyte(buf);
	p->ctype = (uint8) pq_getmsgbyte(buf);
	p->periods = (int32) pq_getmsgint(buf, 4);
	p->window = pq_getmsgint64(buf);
	tzlen = (int32) pq_getmsgint(buf, 4);
	if (tzlen < 1 || tzlen > JY_CR_MAX_TZLEN)
		elog(ERROR, "corrupt %s", what);
	pq_copymsgbytes(buf, tzname, tzlen);
	tzname[tzlen] = '\0';
	p->tz = lookup_tz(tzname);
}

pg_tz *
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
	if (!jy_cr_tzname_ok(canon, strlen(canon)))
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
		return JY_CR_FIRST_TIME;
	if (pg_strcasecmp(s, "recurring") == 0)
		return JY_CR_RECURRING;
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

RetCall *
row_params(FunctionCallInfo fcinfo, int argoff)
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
	p.tz = lookup_tz(nraw >= 3 ? TextDatumGetCString(raw[2]) : "UTC");
	p.ctype = nraw >= 4 ? parse_ctype(TextDatumGetCString(raw[3])) : JY_CR_FIRST_TIME;
	if (p.ctype == JY_CR_RECURRING && JY_CR_PER_USER(p.unit))
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

/* ---- timestamps -> periods ------------------------------------------------ */

void
ret_infinite_ts(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("timestamp out of range for retention"),
			 errdetail("Infinite timestamps have no period; filter them out or map them to NULL.")));
}

RetCall *
ret_call(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RetCall));
	return (RetCall *) fcinfo->flinfo->fn_extra;
}

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
int64
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
		ret_infinite_ts();
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
int64
calendar_index(RetCall *call, const RetParams *p, TimestampTz ts)
{
	return period_of(call, jy_cr_cohort_unit(p->unit), p->tz, ts);
}

/*
 * A timestamp without time zone read as the wall-clock time in tz, as
 * `ts AT TIME ZONE tz` converts it (independent of the session TimeZone).
 */
TimestampTz
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

/*
 * Whole months from c to x (x >= c) in time zone tz, as timestamptz + interval
 * counts them: the largest k with c + k months <= x, where c + k months keeps
 * c's local day (clamped to the month's last day) and local time.
 */
int64
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

DateADT
checked_date(int64 days)
{
	if (days < (int64) (DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE) ||
		days >= (int64) (DATE_END_JULIAN - POSTGRES_EPOCH_JDATE))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date out of range for retention: " INT64_FORMAT " days after 2000-01-01", days)));
	return (DateADT) days;
}

DateADT
period_date(const CohortRetention *r, int64 idx)
{
	return checked_date(jy_ret_period_start_days(jy_cr_cohort_unit(r->unit), idx));
}

