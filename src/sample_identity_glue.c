/*
 * sample_identity_glue.c — journey_sample_identities(users, seed): identifier
 * links for the sample events (engine: src/engine/sample_identity.c).
 */
#include "journey.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "sample_glue.h"
#include "sample_identity.h"

PG_FUNCTION_INFO_V1(jy_sample_identities);

Datum
jy_sample_identities(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int32		users;
	int32		seed;
	int64		u;
	JySampleLink links[JY_SAMPLE_ID_MAX_LINKS];
	MemoryContext rowcxt;

	jy_sample_args(fcinfo, &users, &seed);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "journey sample identity row", ALLOCSET_SMALL_SIZES);
	for (u = 1; u <= users; u++)
	{
		int			n,
					i;

		if ((u & 0x3ff) == 0)
			CHECK_FOR_INTERRUPTS();
		/* the same seed cast as journey_sample_events does */
		n = jy_sample_identity_links((uint64) (int64) seed, u, links);
		for (i = 0; i < n; i++)
		{
			Datum		values[5];
			bool		nulls[5] = {false, false, false, false, false};
			MemoryContext old = MemoryContextSwitchTo(rowcxt);

			values[0] = CStringGetTextDatum(links[i].kind_a);
			values[1] = CStringGetTextDatum(links[i].id_a);
			values[2] = CStringGetTextDatum(links[i].kind_b);
			values[3] = CStringGetTextDatum(links[i].id_b);
			values[4] = TimestampTzGetDatum(links[i].ts);
			MemoryContextSwitchTo(old);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			MemoryContextReset(rowcxt);
		}
	}
	return (Datum) 0;
}
