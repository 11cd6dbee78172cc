/*
 * session_stats_fn.c — the accessors of session_stats values:
 *   session_count(s), event_count(s), bounce_count(s), bounce_rate(s),
 *   events_per_session(s), avg_duration(s), total_duration(s),
 *   duration_percentile(s, q) / median_duration(s), session_kpis(s)
 * Ratios and durations are NULL when there is no session.
 */
#include "session_stats_type.h"

#include <math.h>

#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(jy_session_count);
PG_FUNCTION_INFO_V1(jy_event_count);
PG_FUNCTION_INFO_V1(jy_bounce_count);
PG_FUNCTION_INFO_V1(jy_bounce_rate);
PG_FUNCTION_INFO_V1(jy_events_per_session);
PG_FUNCTION_INFO_V1(jy_avg_duration);
PG_FUNCTION_INFO_V1(jy_total_duration);
PG_FUNCTION_INFO_V1(jy_session_stats_percentile);
PG_FUNCTION_INFO_V1(jy_session_stats_kpis);

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

/* bounces or events per session; NULL when there is no session */
static Datum
per_session(FunctionCallInfo fcinfo, bool bounces)
{
	JySessionStats *s = PG_GETARG_SESSION_STATS_P(0);

	if (s->sessions == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) (bounces ? s->bounces : s->events) / (double) s->sessions);
}

JY_FMGR_VARIANT(jy_bounce_rate, per_session, true);
JY_FMGR_VARIANT(jy_events_per_session, per_session, false);

static Interval *
interval_from_double_us(double us)
{
	return jy_usecs_to_interval((int64) rint(us));
}

Datum
jy_avg_duration(PG_FUNCTION_ARGS)
{
	JySessionStats *s = PG_GETARG_SESSION_STATS_P(0);

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
	JySessionStats *s = PG_GETARG_SESSION_STATS_P(0);
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

/* a duration of us microseconds (rounded) as an interval column and a float8 seconds column */
static void
duration_cols(Datum *values, int iv_col, int sec_col, double us)
{
	int64		r = (int64) rint(us);

	values[iv_col] = IntervalPGetDatum(jy_usecs_to_interval(r));
	values[sec_col] = Float8GetDatum((double) r / 1e6);
}

/* session_kpis(s): one row of scalar columns, for BI tools */
Datum
jy_session_stats_kpis(PG_FUNCTION_ARGS)
{
	JySessionStats *s = PG_GETARG_SESSION_STATS_P(0);
	Datum		values[11];
	bool		nulls[11] = {false};
	double		v;

	values[0] = Int64GetDatum(s->sessions);
	values[1] = Int64GetDatum(s->events);
	values[2] = Int64GetDatum(s->bounces);
	if (s->sessions > 0)
	{
		/* durations twice: interval, and float8 seconds of the same microseconds */
		values[3] = Float8GetDatum((double) s->bounces / (double) s->sessions);
		values[4] = Float8GetDatum((double) s->events / (double) s->sessions);
		duration_cols(values, 5, 8, (double) s->duration_sum / (double) s->sessions);
		jy_qs_quantile(s->entries, s->nentries, 0.5, &v);
		duration_cols(values, 6, 9, v);
		jy_qs_quantile(s->entries, s->nentries, 0.9, &v);
		duration_cols(values, 7, 10, v);
	}
	else
		nulls[3] = nulls[4] = nulls[5] = nulls[6] = nulls[7] = nulls[8] = nulls[9] = nulls[10] = true;
	PG_RETURN_DATUM(jy_row_datum(fcinfo, values, nulls));
}
