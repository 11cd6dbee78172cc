/*
 * funnel_fn.c — funnels over a stored journey (plain functions; the same
 * configuration parsing and engine as the aggregates, funnel_conf.c):
 *   funnel_step(j journey, window, step_names text[] [, mode])    -> int
 *   funnel_times(j journey, window, step_names text[] [, mode])   -> timestamptz[]
 */
#include "funnel_conf.h"

#include "jy_agg.h"
#include "miscadmin.h"

#include "journey_glue.h"

PG_FUNCTION_INFO_V1(jy_funnel_journey_step);
PG_FUNCTION_INFO_V1(jy_funnel_journey_times);

/* ======================================================================
 * The journey forms: funnel_step / funnel_times over a stored journey
 * ====================================================================== */

/*
 * Per call site: the argument caches of the aggregates (window, mode, step
 * names), the engine buffers, and the entry / name-map buffers reused from
 * row to row.
 */
typedef struct JourneyFunnelCache
{
	FunnelCache c;
	FinalCache	fin;
	JyFunnelEntry *e;
	int64		ecap;
	int32	   *head;			/* [ndict] first step of each name id, -1 = none */
	int64		headcap;
	int32	   *next;			/* [nsteps] next step with the same name, -1 = end */
	int64		nextcap;
	uint8	   *keep;			/* [ndict] events of this name are needed */
	int64		keepcap;
	/* the step names as last parsed (c.names), for matching dictionaries cheaply */
	char	  **wk_of;			/* [nsteps] the well-known table's pointer of step k, or NULL */
	int64		wkcap;
	uint64		wk_gen;			/* c.names_gen when wk_of was computed, 0 = never */
} JourneyFunnelCache;

/*
 * wk_of[k]: the static string of the codec's well-known table equal to step
 * name k, else NULL.  A canonical journey always writes a well-known name as
 * its number, and the decoder then points the dictionary entry at that very
 * string: a dictionary entry equals a well-known step name exactly when the
 * pointers are equal, and it can only equal another step name when its bytes
 * do.  Recomputed when the step names are parsed again.
 */
static void
jf_step_names(JourneyFunnelCache *jc, MemoryContext mcxt)
{
	FunnelCache *c = &jc->c;
	int			k;

	if (jc->wk_gen == c->names_gen)
		return;
	jc->wk_of = jy_grow(mcxt, jc->wk_of, &jc->wkcap, c->nnames, sizeof(char *), JY_FUNNEL_MAX_STEPS,
						"funnel steps", "steps");
	for (k = 0; k < c->nnames; k++)
	{
		uint32		w;

		jc->wk_of[k] = NULL;
		for (w = 0; w < jy_jc_n_well_known; w++)
			if (strlen(jy_jc_well_known[w]) == (size_t) c->namelens[k] &&
				memcmp(jy_jc_well_known[w], c->names[k], c->namelens[k]) == 0)
			{
				jc->wk_of[k] = unconstify(char *, jy_jc_well_known[w]);
				break;
			}
	}
	jc->wk_gen = c->names_gen;
}

/* id of step name k in the view's dictionary, or -1 */
static inline int64
jf_find_step(const JourneyFunnelCache *jc, const JyJView *v, int k)
{
	const FunnelCache *c = &jc->c;
	uint32		i;

	if (v->ndict > 16)
		return jy_jc_find_name(v, c->names[k], (uint32) c->namelens[k]);
	if (jc->wk_of[k] != NULL)
	{
		for (i = 0; i < v->ndict; i++)
			if (v->name[i] == jc->wk_of[k])
				return i;
		return -1;
	}
	for (i = 0; i < v->ndict; i++)
		if (v->name_len[i] == (uint32) c->namelens[k] &&
			memcmp(v->name[i], c->names[k], c->namelens[k]) == 0)
			return i;
	return -1;
}


/*
 * What the selective decode asks once the dictionary is known: map each name
 * id to its steps (head / next, in step order: a name listed twice is two
 * steps) and say which events are needed: the events of step names, or in
 * strict_order every event (an event matching no step is a marker).  NULL (no
 * event) when the first step's name is absent: level 0 in every mode.
 */
typedef struct JfSelect
{
	JourneyFunnelCache *jc;
	MemoryContext mcxt;
	int			nsteps;
	bool		order;
	bool		called;
	int			maxdup;			/* most steps sharing one name; 0 = no step name occurs */
} JfSelect;

static const uint8_t *
jf_select(void *arg, const JyJView *v)
{
	JfSelect   *sa = (JfSelect *) arg;
	JourneyFunnelCache *jc = sa->jc;
	uint32		i;
	int			k;

	sa->called = true;
	jc->head = jy_grow(sa->mcxt, jc->head, &jc->headcap, v->ndict, sizeof(int32),
					   JY_JC_MAX_NAMES, "event names", "per journey");
	for (i = 0; i < v->ndict; i++)
		jc->head[i] = -1;
	for (k = sa->nsteps - 1; k >= 0; k--)
	{
		int64		id = jf_find_step(jc, v, k);

		jc->next[k] = -1;
		if (k == 0 && id < 0)
			return NULL;		/* no event of step 1: level 0 in every mode */
		if (id >= 0)
		{
			int32		s;
			int			len = 1;

			jc->next[k] = jc->head[id];
			jc->head[id] = k;
			for (s = jc->next[k]; s >= 0; s = jc->next[s])
				len++;
			sa->maxdup = Max(sa->maxdup, len);
		}
	}
	if (sa->maxdup == 0)
		return NULL;
	if (sa->order)
		return (const uint8_t *) jc->head;	/* called after a full decode: only NULL or not matters */
	jc->keep = jy_grow(sa->mcxt, jc->keep, &jc->keepcap, v->ndict, sizeof(uint8),
					   JY_JC_MAX_NAMES, "event names", "per journey");
	for (i = 0; i < v->ndict; i++)
		jc->keep[i] = (uint8) (jc->head[i] >= 0);
	return jc->keep;
}

/*
 * Evaluate the funnel of step_names over journey argument 0.  The entries
 * are exactly those the event-name aggregate builds from the journey's
 * events as rows: one per (event, step whose name equals the event's name),
 * plus in strict_order one marker per event matching no step (once per
 * timestamp run, like funnel_mark); then the same (ts, tag) sort and engine.
 * Outside strict_order only the events that give entries are decoded into
 * the view, and row[] keeps their positions among all events; strict_order
 * needs every event (the plain decode).
 * Returns the level; *nsteps_out receives the number of steps.
 */
static int
funnel_journey_eval(FunctionCallInfo fcinfo, int64 **times_out, int *nsteps_out)
{
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
	JourneyFunnelCache *jc = (JourneyFunnelCache *) fcinfo->flinfo->fn_extra;
	FunnelCache *c;
	FunnelConf	conf;
	JyJView		v;
	JfSelect	sa;
	uint32	   *row;
	int64		total = 0;
	int32		n = 0;
	int			lv;
	uint32		i;
	bool		order,
				sorted = true;

	if (jc == NULL)
		jc = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(mcxt, sizeof(JourneyFunnelCache));
	c = &jc->c;
	conf.window = funnel_window_arg(fcinfo, c, 1);
	conf.modes = PG_NARGS() > 3 ? funnel_modes_arg(fcinfo, c, 3) : 0;
	funnel_names_arg(fcinfo, c, 2);
	conf.nsteps = c->nnames;
	conf.nexcl = 0;
	conf.excl = NULL;
	order = (conf.modes & JY_FUNNEL_STRICT_ORDER) != 0;
	*nsteps_out = conf.nsteps;
	if (times_out)
		*times_out = (int64 *) palloc(conf.nsteps * sizeof(int64));

	jf_step_names(jc, mcxt);
	jc->next = jy_grow(mcxt, jc->next, &jc->nextcap, conf.nsteps, sizeof(int32),
					   JY_FUNNEL_MAX_STEPS, "funnel steps", "steps");
	sa.jc = jc;
	sa.mcxt = mcxt;
	sa.nsteps = conf.nsteps;
	sa.order = order;
	sa.called = false;
	sa.maxdup = 0;
	if (order)
	{
		/* every event is needed: the plain decode, then the same name map */
		jy_journey_view(PG_GETARG_DATUM(0), &v);
		row = NULL;
		if (v.n == 0 || jf_select(&sa, &v) == NULL)
			return 0;
	}
	else
	{
		jy_journey_view_select(PG_GETARG_DATUM(0), &v, &row, jf_select, &sa);
		if (!sa.called || v.n == 0)
			return 0;			/* an empty journey, or no event of step 1 / of any step */
	}

	/*
	 * An event gives as many entries as steps carry its name (or one marker):
	 * at most n * maxdup.  Count exactly only when that bound is over the limit.
	 */
	total = (int64) v.n * sa.maxdup;
	if (total > FUNNEL_MAX_ENTRIES)
	{
		total = 0;
		for (i = 0; i < v.n; i++)
		{
			int32		s = jc->head[v.ev[i]];

			if (s < 0)
				total += order ? 1 : 0;
			else
				for (; s >= 0; s = jc->next[s])
					total++;
		}
	}
	if (total == 0)
		return 0;
	jc->e = jy_grow(mcxt, jc->e, &jc->ecap, total, sizeof(JyFunnelEntry), FUNNEL_MAX_ENTRIES,
					"matching events in one funnel group", "entries (one per matched step) per group");

	for (i = 0; i < v.n; i++)
	{
		int64		t = v.ts[i];
		int32		s = jc->head[v.ev[i]];

		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();

		if (s < 0)
		{
			/* strict_order: an event matching no step (once per timestamp run) */
			JyFunnelEntry *x = &jc->e[n];

			if (!order || (n > 0 && x[-1].tag == JY_FUNNEL_TAG_MARK && x[-1].ts == t))
				continue;
			x->ts = t;
			x->tag = JY_FUNNEL_TAG_MARK;
			x->row = i;			/* strict_order: every event is in the view */
			if (sorted && n > 0 && jy_funnel_entry_gt(x - 1, x))
				sorted = false; /* markers sort before steps at equal times */
			n++;
			continue;
		}
		for (; s >= 0; s = jc->next[s])
		{
			JyFunnelEntry *x = &jc->e[n];

			x->ts = t;
			x->tag = JY_FUNNEL_TAG_STEP(s);
			x->row = row ? row[i] : i;	/* one row id per event, shared by its steps */
			if (sorted && n > 0 && jy_funnel_entry_gt(x - 1, x))
				sorted = false;
			n++;
		}
	}
	if (n == 0)
		return 0;
	lv = funnel_eval_entries(&jc->fin, mcxt, &conf, jc->e, n, &sorted,
							 times_out ? *times_out : NULL);
	return lv;
}

/* funnel_step(j journey, window, step_names text[] [, mode text]) */
Datum
jy_funnel_journey_step(PG_FUNCTION_ARGS)
{
	int			nsteps;

	PG_RETURN_INT32(funnel_journey_eval(fcinfo, NULL, &nsteps));
}

/* funnel_times(j journey, window, step_names text[] [, mode text]) */
Datum
jy_funnel_journey_times(PG_FUNCTION_ARGS)
{
	int64	   *times;
	int			lv,
				nsteps;

	lv = funnel_journey_eval(fcinfo, &times, &nsteps);
	PG_RETURN_ARRAYTYPE_P(funnel_times_array(times, nsteps, lv));
}
