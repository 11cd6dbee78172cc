/*
 * attribution_credit.c — journey_attribution_credit(channels, touch_ts,
 * conversion_ts, model, half_life, position_weights, direct_channels):
 * SETOF (touch, channel, credit) of one conversion under a heuristic model
 * (engine: jy_attr_model, jy_attr_credit in src/engine/attribution.c).
 */
#include "attribution_glue.h"

#include <math.h>

#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(jy_attribution_credit);

Datum
jy_attribution_credit(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *ch,
			   *tsd = NULL,
			   *dir = NULL;
	int			n,
				nts = 0,
				ndir = 0,
				model,
				i,
				j;
	int64	   *ts;
	bool	   *direct;
	double	   *credit;
	double		weights[3] = {0.4, 0.2, 0.4};
	int64		half_life = 7 * USECS_PER_DAY;
	text	   *mt;

	/* model first: every call needs it */
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model must not be NULL")));
	mt = PG_GETARG_TEXT_PP(3);
	model = jy_attr_model(VARDATA_ANY(mt), VARSIZE_ANY_EXHDR(mt));
	if (model < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown attribution model \"%s\"", text_to_cstring(mt)),
				 errhint("Use first, last, last_non_direct, linear, time_decay or position.")));
	ch = jy_attr_channels_arg(fcinfo, 0, &n);
	if (!PG_ARGISNULL(1))
	{
		tsd = jy_attr_array_elems(PG_GETARG_ARRAYTYPE_P(1), "touch_ts", &nts);
		if (nts != n)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("channels and touch_ts must have the same length"),
					 errdetail("channels has %d elements, touch_ts has %d.", n, nts)));
	}
	else if (model == JY_ATTR_TIME_DECAY && n > 0)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("touch_ts must not be NULL for the time_decay model")));
	if (!PG_ARGISNULL(4))
		half_life = jy_positive_interval_arg(fcinfo, 4, "half_life");
	else if (model == JY_ATTR_TIME_DECAY)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("half_life must not be NULL for the time_decay model")));
	if (!PG_ARGISNULL(5))
	{
		int			nw;
		Datum	   *w = jy_attr_array_elems(PG_GETARG_ARRAYTYPE_P(5), "position_weights", &nw);
		double		sum = 0;

		if (nw != 3)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("position_weights must have 3 elements (first, middle, last)"),
					 errdetail("It has %d.", nw)));
		for (i = 0; i < 3; i++)
		{
			weights[i] = DatumGetFloat8(w[i]);
			if (isnan(weights[i]) || isinf(weights[i]) || weights[i] < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("position_weights must be finite and non-negative")));
			sum += weights[i];
		}
		if (!(sum > 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("position_weights must not all be zero")));
	}
	else if (model == JY_ATTR_POSITION)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("position_weights must not be NULL for the position model")));
	if (!PG_ARGISNULL(6))
		dir = jy_attr_array_elems(PG_GETARG_ARRAYTYPE_P(6), "direct_channels", &ndir);

	InitMaterializedSRF(fcinfo, 0);
	/* a non-converting path earns no credit */
	if (PG_ARGISNULL(2))
		return (Datum) 0;
	if (n == 0)
	{
		Datum		values[3];
		bool		nulls[3] = {true, false, false};

		values[1] = CStringGetTextDatum(JY_DIRECT_NONE);
		values[2] = Float8GetDatum(1.0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		return (Datum) 0;
	}
	ts = palloc0(sizeof(int64) * n);
	direct = palloc0(sizeof(bool) * n);
	credit = palloc(sizeof(double) * n);
	for (i = 0; i < n; i++)
	{
		if (tsd)
			ts[i] = DatumGetTimestampTz(tsd[i]);
		if (tsd && TIMESTAMP_NOT_FINITE(ts[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("touch_ts must be finite")));
		for (j = 0; j < ndir; j++)
			if (VARSIZE_ANY_EXHDR(DatumGetTextPP(dir[j])) == VARSIZE_ANY_EXHDR(DatumGetTextPP(ch[i])) &&
				memcmp(VARDATA_ANY(DatumGetTextPP(dir[j])), VARDATA_ANY(DatumGetTextPP(ch[i])),
					   VARSIZE_ANY_EXHDR(DatumGetTextPP(ch[i]))) == 0)
				direct[i] = true;
	}
	jy_attr_credit((JyAttrModel) model, (size_t) n, ts, direct, PG_GETARG_TIMESTAMPTZ(2), half_life, weights, credit);
	for (i = 0; i < n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		values[0] = Int32GetDatum(i + 1);
		values[1] = ch[i];
		values[2] = Float8GetDatum(credit[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
