/*
 * funnel_summary_agg.c — building and reading funnel_summary values (the
 * cross-user report state; the engine codec src/engine/funnel_summary.h
 * adds users and merges):
 *   funnel_summary(times timestamptz[])  -> funnel_summary   (aggregate)
 *   rollup(funnel_summary)               -> funnel_summary   (aggregate; funnel_summary_merge)
 *   funnel_report(funnel_summary)        -> one row per step (plain scalar columns)
 */
#include "funnel_summary_type.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/int.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/tuplestore.h"

#include "funnel_conf.h"
#include "jy_agg.h"

PG_FUNCTION_INFO_V1(jy_funnel_summary_trans);
PG_FUNCTION_INFO_V1(jy_funnel_summary_merge);
PG_FUNCTION_INFO_V1(jy_funnel_report);

/*
 * funnel_summary(times timestamptz[]): transition function.  The state is a
 * funnel_summary updated in place inside the aggregate when the user's
 * durations fall in existing histogram buckets; otherwise a new value is built.
 */
Datum
jy_funnel_summary_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	JyFunnelSummary *s;
	JyCodecError err;
	size_t		miss;
	ArrayType  *a;
	Datum	   *vals;
	bool	   *nulls;
	int			n,
				lv = 0,
				k;
	bool		in_agg;
	uint32		bk[JY_FUNNEL_MAX_STEPS];

	/*
	 * In an aggregate the state is updated in place; called directly (anyone
	 * can), the summary passed in is left alone and a new one is returned.
	 */
	in_agg = AggCheckCallContext(fcinfo, &aggcxt) != 0;
	if (PG_ARGISNULL(1))
		return jy_agg_unchanged(fcinfo);
	a = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("funnel times must be a one-dimensional array")));
	/* the size first: deconstructing a huge array costs 9 bytes per element */
	funnel_check_nsteps(ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a)));
	deconstruct_array(a, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &vals, &nulls, &n);
	funnel_check_nsteps(n);
	while (lv < n && !nulls[lv])
		lv++;
	for (k = lv; k < n; k++)
		if (!nulls[k])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("funnel times must be a prefix of reached steps"),
					 errdetail("Step %d has a time but step %d has none.", k + 1, lv + 1),
					 errhint("Pass the result of funnel_times().")));
	for (k = 0; k < lv; k++)
		if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(vals[k])))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("funnel times must be finite"),
					 errdetail("Step %d is %s.", k + 1,
							   TIMESTAMP_IS_NOBEGIN(DatumGetTimestampTz(vals[k])) ? "-infinity" : "infinity")));
	for (k = 1; k < lv; k++)
	{
		int64		d;

		if (DatumGetTimestampTz(vals[k]) < DatumGetTimestampTz(vals[k - 1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("funnel times must not decrease"),
					 errdetail("Step %d is earlier than step %d.", k + 1, k)));
		/* both finite and ordered, but the span of timestamptz exceeds int64 */
		if (pg_sub_s64_overflow(DatumGetTimestampTz(vals[k]), DatumGetTimestampTz(vals[k - 1]), &d))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("interval between funnel steps %d and %d is out of range", k, k + 1)));
		bk[k] = jy_qs_bucket(d);
	}

	if (PG_ARGISNULL(0))
		s = fs_alloc(n, 0);		/* nodeAgg copies it into the aggregate context */
	else
	{
		s = in_agg ? DatumGetFunnelSummaryP(PG_GETARG_DATUM(0))
			: (JyFunnelSummary *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));
		if ((int) s->nsteps != n)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("funnel times must have the same number of steps in every row"),
					 errdetail("The summary has %u steps, this row has %d.", s->nsteps, n)));
	}
	/* in place when every bucket is there; otherwise a new value with room for the new ones */
	miss = jy_fs_missing(s, lv, bk);
	if (miss > 0)
	{
		JyFunnelSummary *r = fs_alloc(s->nsteps, jy_fs_total(s) + miss);

		if (jy_fs_add_user(r, s, lv, bk, &err) != JY_CODEC_OK)
			jy_codec_ereport(&err, "funnel_summary", NULL, ERRCODE_INVALID_PARAMETER_VALUE);
		s = r;
	}
	else if (jy_fs_add_user(s, s, lv, bk, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, "funnel_summary", NULL, ERRCODE_INVALID_PARAMETER_VALUE);
	PG_RETURN_POINTER(s);
}

/* merge two summaries: rollup's transition and combine function, and funnel_summary's combine */
Datum
jy_funnel_summary_merge(PG_FUNCTION_ARGS)
{
	JyFunnelSummary *a,
			   *b,
			   *r;
	JyCodecError err;
	size_t		used;

	if (PG_ARGISNULL(1))
		return jy_agg_unchanged(fcinfo);
	if (PG_ARGISNULL(0))
	{
		/* combine: copy b into the aggregate context (nodeAgg copies a new pointer) */
		b = PG_GETARG_FUNNEL_SUMMARY_P(1);
		r = (JyFunnelSummary *) palloc(VARSIZE(b));
		memcpy(r, b, VARSIZE(b));
		PG_RETURN_POINTER(r);
	}
	a = PG_GETARG_FUNNEL_SUMMARY_P(0);
	b = PG_GETARG_FUNNEL_SUMMARY_P(1);
	if (a->nsteps != b->nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge funnel summaries with different numbers of steps"),
				 errdetail("One has %u steps, the other %u.", a->nsteps, b->nsteps)));
	r = fs_alloc(a->nsteps, jy_fs_total(a) + jy_fs_total(b));
	if (jy_fs_merge(r, a, b, &used, &err) != JY_CODEC_OK)
		jy_codec_ereport(&err, "funnel_summary", NULL, ERRCODE_INVALID_PARAMETER_VALUE);
	/* shrink to the merged size (entries are contiguous) */
	SET_VARSIZE(r, used);
	PG_RETURN_POINTER(r);
}

/* funnel_report(s): one row per step, plain scalar columns */
Datum
jy_funnel_report(PG_FUNCTION_ARGS)
{
	JyFunnelSummary *s = PG_GETARG_FUNNEL_SUMMARY_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const uint64 *e = JY_FS_ENTRIES(s);
	const int64 *r = JY_FS_REACHED(s);
	uint32		k;

	InitMaterializedSRF(fcinfo, 0);
	for (k = 0; k < s->nsteps; k++)
	{
		Datum		values[9];
		bool		nulls[9] = {false};
		int64		prev = k == 0 ? s->users : r[k - 1];
		double		v;
		uint32		m = JY_FS_NENT(s)[k];

		values[0] = Int32GetDatum((int32) k + 1);
		values[1] = Int64GetDatum(r[k]);
		if (r[0] > 0)
			values[2] = Float8GetDatum((double) r[k] / (double) r[0]);
		else
			nulls[2] = true;
		if (prev > 0)
			values[3] = Float8GetDatum((double) r[k] / (double) prev);
		else
			nulls[3] = true;
		values[4] = Int64GetDatum(prev - r[k]);
		/* durations twice: interval, and float8 seconds of the same microseconds */
		if (m > 0 && jy_qs_quantile(e, m, 0.5, &v))
		{
			values[5] = IntervalPGetDatum(jy_usecs_to_interval((int64) rint(v)));
			values[7] = Float8GetDatum((double) (int64) rint(v) / 1e6);
		}
		else
			nulls[5] = nulls[7] = true;
		if (m > 0 && jy_qs_quantile(e, m, 0.9, &v))
		{
			values[6] = IntervalPGetDatum(jy_usecs_to_interval((int64) rint(v)));
			values[8] = Float8GetDatum((double) (int64) rint(v) / 1e6);
		}
		else
			nulls[6] = nulls[8] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		e += m;
	}
	return (Datum) 0;
}
