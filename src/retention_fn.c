/*
 * retention_fn.c — what a cohort_retention value shows:
 *   retention_matrix(r [, mode])   rows (cohort, period_index, cohort_size,
 *                                  retained_users, retention_rate)
 *   retention_lifecycle(r)         new / returning / resurrecting / dormant
 *   retention_cohort(r), retention_periods(r), retention_users(r)   drill-down
 *   retention_stickiness(r, per)   active days per week or month of one user
 *   retention_last_activity(r)     users by the period of their last activity
 * The numbers come from the engine (src/engine/retention_codec.h).
 */
#include "retention_glue.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(jy_retention_matrix);
PG_FUNCTION_INFO_V1(jy_retention_lifecycle);
PG_FUNCTION_INFO_V1(jy_retention_cohort);
PG_FUNCTION_INFO_V1(jy_retention_periods);
PG_FUNCTION_INFO_V1(jy_retention_users);
PG_FUNCTION_INFO_V1(jy_retention_stickiness);
PG_FUNCTION_INFO_V1(jy_retention_last_activity);

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
		const int64 *rec = JY_CR_REC(r, i);
		const int64 *cnt = JY_CR_ACTIVE(rec);
		int32		k;
		DateADT		cd = period_date(r, rec[0]);

		CHECK_FOR_INTERRUPTS();
		if (onafter)
		{
			jy_ret_on_or_after(JY_CR_LAST(rec, r->periods), r->periods, oa);
			cnt = oa;
		}
		for (k = 0; k <= r->periods && jy_cr_period_seen(r, rec, k); k++)
		{
			Datum		values[5];
			bool		nulls[5] = {false, false, false, false, false};

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
				span,
				p;
	int64	   *acc;

	if (JY_CR_PER_USER(r->unit))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("lifecycle needs calendar periods"),
				 errdetail("Rolling windows and elapsed months start at each user's first event, so users share no periods."),
				 errhint("Compute the summary with period 'day', 'week' or 'month'.")));
	if (r->ctype != JY_CR_FIRST_TIME)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("lifecycle needs first-time cohorts"),
				 errdetail("With recurring cohorts a user is counted in several cohorts.")));
	InitMaterializedSRF(fcinfo, 0);
	jy_cr_lifecycle_span(r, &minc, &span);
	acc = (int64 *) palloc0(span * 4 * sizeof(int64));
	if (!jy_cr_lifecycle(r, minc, span, acc, jy_tick, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("lifecycle count out of range")));
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

	PG_RETURN_DATEADT(period_date(r, JY_CR_REC(r, 0)[0]));
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
	const int64 *rec = JY_CR_REC(r, 0);
	int32	   *ks;
	Datum	   *el;
	int			n,
				k;

	if (r->ncohorts != 1 || rec[1] != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention_periods needs the summary of one user in one cohort"),
				 errdetail("This summary holds " INT64_FORMAT " cohort memberships in %u cohorts.", cr_total_users(r), r->ncohorts),
				 errhint("Call it on the per-user result of cohort_retention() with first-time cohorts; use retention_matrix() for groups.")));
	ks = (int32 *) palloc((r->periods + 1) * sizeof(int32));
	el = (Datum *) palloc((r->periods + 1) * sizeof(Datum));
	n = jy_cr_active_periods(r, rec, ks);
	for (k = 0; k < n; k++)
		el[k] = Int32GetDatum(ks[k]);
	PG_RETURN_ARRAYTYPE_P(construct_array(el, n, INT4OID, 4, true, TYPALIGN_INT));
}

/* retention_stickiness(r, per): active days per week or month of one user's day summary */
Datum
jy_retention_stickiness(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CohortRetention *r = PG_GETARG_CR_P(0);
	char	   *per = text_to_cstring(PG_GETARG_TEXT_PP(1));
	JyRetUnit	unit;
	const int64 *rec = JY_CR_REC(r, 0);
	int64	   *start;
	int32	   *days,
				n,
				i;

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
						   jy_cr_unit_names[r->unit], cr_total_users(r), r->ncohorts),
				 errhint("Call it on cohort_retention(ts, 'day', periods, tz) computed per user (GROUP BY user).")));
	InitMaterializedSRF(fcinfo, 0);
	start = (int64 *) palloc((r->periods + 1) * sizeof(int64));
	days = (int32 *) palloc((r->periods + 1) * sizeof(int32));
	n = jy_cr_stickiness(r, unit, start, days);
	for (i = 0; i < n; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = DateADTGetDatum(checked_date(start[i]));
		values[1] = Int32GetDatum(days[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * retention_last_activity(r): per cohort and k = 0 .. N, the users whose last
 * active period (within 0 .. N) is k (the summary's last[] counts): "customers
 * by month of last purchase" and "lifetime = last - first" in periods.
 */
Datum
jy_retention_last_activity(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	CohortRetention *r = PG_GETARG_CR_P(0);
	uint32		i;

	if (r->ctype != JY_CR_FIRST_TIME)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("last activity needs first-time cohorts"),
				 errdetail("With recurring cohorts a user is counted in several cohorts, each with its own last period.")));
	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < r->ncohorts; i++)
	{
		const int64 *rec = JY_CR_REC(r, i);
		const int64 *last = JY_CR_LAST(rec, r->periods);
		DateADT		cd = period_date(r, rec[0]);
		bool		complete = jy_cr_cohort_complete(r, rec);
		int32		k;

		CHECK_FOR_INTERRUPTS();
		for (k = 0; k <= r->periods; k++)
		{
			Datum		values[7];
			bool		nulls[7] = {false, false, false, false, false, false, false};

			if (!JY_CR_PER_USER(r->unit) && rec[0] + k > r->last_period)
				break;
			values[0] = DateADTGetDatum(cd);
			values[1] = Int32GetDatum(k);
			if (JY_CR_PER_USER(r->unit))
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
