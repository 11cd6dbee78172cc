/*
 * sample_glue.c — journey_sample_events(users, seed): the built-in sample
 * event stream (engine: src/engine/sample.c) as a set-returning function.
 */
#include "journey.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

#include "sample.h"
#include "sample_glue.h"

PG_FUNCTION_INFO_V1(jy_sample_events);

/* columns */
enum
{
	C_USER, C_TS, C_EVENT, C_SOURCE, C_MEDIUM, C_DEVICE, C_COUNTRY, C_PRODUCT, C_CATEGORY, C_REVENUE, NCOLS
};

static Datum *
text_datums(const char *const *names, int n)
{
	Datum	   *d = (Datum *) palloc(n * sizeof(Datum));
	int			i;

	for (i = 0; i < n; i++)
		d[i] = PointerGetDatum(cstring_to_text(names[i]));
	return d;
}

void
jy_sample_args(FunctionCallInfo fcinfo, int32 *users, int32 *seed)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("users and seed must not be NULL")));
	*users = PG_GETARG_INT32(0);
	*seed = PG_GETARG_INT32(1);
	if (*users < 0 || *users > SAMPLE_MAX_USERS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("users must be between 0 and %d", SAMPLE_MAX_USERS),
				 errdetail("The value given is %d.", *users)));
	InitMaterializedSRF(fcinfo, 0);
}

Datum
jy_sample_events(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		users;
	int32		seed;
	JySample   *g;
	JySampleEvent ev;
	Datum	   *ev_names,
			   *sources,
			   *mediums,
			   *devices,
			   *countries,
			   *categories;
	Datum		values[NCOLS];
	bool		nulls[NCOLS];
	MemoryContext rowcxt,
				old;
	int64		count = 0;

	jy_sample_args(fcinfo, &users, &seed);

	/* constant strings are built once and shared by every row */
	ev_names = text_datums(jy_sample_event_names, JY_EV_N);
	sources = text_datums(jy_sample_sources, JY_SAMPLE_N_SOURCES);
	mediums = text_datums(jy_sample_mediums, JY_SAMPLE_N_SOURCES);
	devices = text_datums(jy_sample_devices, JY_SAMPLE_N_DEVICES);
	countries = text_datums(jy_sample_countries, JY_SAMPLE_N_COUNTRIES);
	categories = text_datums(jy_sample_categories, JY_SAMPLE_N_CATEGORIES);

	g = (JySample *) palloc(sizeof(JySample));
	jy_sample_init(g, users, (uint64) (int64) seed);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "journey sample row", ALLOCSET_SMALL_SIZES);

	memset(nulls, 0, sizeof(nulls));
	while (jy_sample_next(g, &ev))
	{
		if ((++count & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		values[C_USER] = Int64GetDatum(ev.user_id);
		values[C_TS] = Int64GetDatum(ev.ts);
		values[C_EVENT] = ev_names[ev.event];
		values[C_SOURCE] = sources[ev.source];
		values[C_MEDIUM] = mediums[ev.source];
		values[C_DEVICE] = devices[ev.device];
		values[C_COUNTRY] = countries[ev.country];
		nulls[C_PRODUCT] = nulls[C_CATEGORY] = ev.product_id == 0;
		if (ev.product_id != 0)
		{
			values[C_PRODUCT] = Int32GetDatum(ev.product_id);
			values[C_CATEGORY] = categories[ev.product_id % JY_SAMPLE_N_CATEGORIES];
		}
		nulls[C_REVENUE] = ev.revenue_cents < 0;
		if (ev.revenue_cents >= 0)
		{
			/* purchases only (~1% of rows): the one allocation per row, in a reset context */
			old = MemoryContextSwitchTo(rowcxt);
			values[C_REVENUE] = DirectFunctionCall2(numeric_div,
													NumericGetDatum(int64_to_numeric(ev.revenue_cents)),
													NumericGetDatum(int64_to_numeric(100)));
			values[C_REVENUE] = DirectFunctionCall2(numeric_round, values[C_REVENUE], Int32GetDatum(2));
			MemoryContextSwitchTo(old);
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		if (ev.revenue_cents >= 0)
			MemoryContextReset(rowcxt);
	}
	return (Datum) 0;
}
