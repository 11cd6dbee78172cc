/*
 * funnel_conf.c — what the funnel glue files share (funnel_conf.h): a funnel
 * call's configuration from its arguments (window, modes, step names; cached
 * per call site), and the evaluation of one user's entries with the engine.
 */
#include "funnel_conf.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "jy_agg.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"

bool
funnel_conf_equal(const FunnelConf *a, const FunnelConf *b)
{
	return a->window == b->window && a->nsteps == b->nsteps && a->modes == b->modes &&
		a->nexcl == b->nexcl &&
		(a->nexcl == 0 || memcmp(a->excl, b->excl, a->nexcl * sizeof(JyFunnelExcl)) == 0);
}

const FunnelConf *
funnel_conf_intern(ConfSet *cs, MemoryContext mcxt, const FunnelConf *c)
{
	FunnelConf *r;
	int			i;

	if (cs->last && funnel_conf_equal(cs->last, c))
		return cs->last;
	for (i = 0; i < cs->n; i++)
		if (funnel_conf_equal(cs->list[i], c))
			return cs->last = cs->list[i];
	/* a new one; old ones stay allocated (states may point at them) */
	r = (FunnelConf *) MemoryContextAlloc(mcxt, sizeof(FunnelConf) + c->nexcl * sizeof(JyFunnelExcl));
	*r = *c;
	r->excl = (JyFunnelExcl *) (r + 1);
	if (c->nexcl > 0)
		memcpy(r->excl, c->excl, c->nexcl * sizeof(JyFunnelExcl));
	if (cs->n < FUNNEL_CONF_KEEP)
		cs->list[cs->n++] = r;
	else
	{
		cs->list[cs->next] = r;
		cs->next = (cs->next + 1) % FUNNEL_CONF_KEEP;
	}
	return cs->last = r;
}

FunnelCache *
funnel_get_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(FunnelCache));
	return (FunnelCache *) fcinfo->flinfo->fn_extra;
}

/*
 * Is argument argno the same value on every row (a Const or Param)?  Only
 * then may a value parsed on an earlier row be reused without looking at it:
 * a computed argument can come back at the same address with other contents.
 */
bool
funnel_arg_stable(FunctionCallInfo fcinfo, FunnelCache *c, int argno)
{
	uint64		bit = UINT64CONST(1) << argno;

	if (argno >= 64)
		return false;
	if (!(c->arg_known & bit))
	{
		/*
		 * In an aggregate, fn_expr shows every argument as an executor Param:
		 * look at the Aggref's argument expressions instead.
		 */
		Aggref	   *ar = AggGetAggref(fcinfo);

		c->arg_known |= bit;
		if (ar != NULL && argno >= 1 && argno - 1 < list_length(ar->args))
		{
			Node	   *e = (Node *) ((TargetEntry *) list_nth(ar->args, argno - 1))->expr;

			if (IsA(e, Const) || (IsA(e, Param) && ((Param *) e)->paramkind == PARAM_EXTERN))
				c->arg_stable |= bit;
		}
		else if (ar == NULL && !AggCheckCallContext(fcinfo, NULL) &&
				 get_fn_expr_arg_stable(fcinfo->flinfo, argno))
			c->arg_stable |= bit;	/* a plain function call (the journey forms) */
	}
	return (c->arg_stable & bit) != 0;
}

int64
funnel_window_arg(FunctionCallInfo fcinfo, FunnelCache *c, int argno)
{
	int64		us;
	bool		stable = funnel_arg_stable(fcinfo, c, argno);

	if (stable && c->window_us > 0)
		return c->window_us;
	jy_arg_not_null(fcinfo, argno, "funnel window", NULL);
	us = jy_interval_usecs(PG_GETARG_INTERVAL_P(argno), "funnel window");
	if (us <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel window must be a positive interval"),
				 errdetail("The value given is %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out,
															   PointerGetDatum(PG_GETARG_INTERVAL_P(argno)))))));
	if (stable)
		c->window_us = us;
	return us;
}

uint16
funnel_modes_arg(FunctionCallInfo fcinfo, FunnelCache *c, int argno)
{
	Datum		d;
	char	   *s;
	unsigned	m;
	const char *bad;
	int			badlen,
				rc;

	jy_arg_not_null(fcinfo, argno, "funnel mode", "Use '' or 'default' for the default mode.");
	d = PG_GETARG_DATUM(argno);
	if (c->mode_str != NULL && d == c->mode_datum && funnel_arg_stable(fcinfo, c, argno))
		return c->modes;
	s = c->mode_cstring ? pstrdup(DatumGetCString(d)) : text_to_cstring(DatumGetTextPP(d));
	if (c->mode_str != NULL && strcmp(s, c->mode_str) == 0)
	{
		c->mode_datum = d;
		pfree(s);
		return c->modes;
	}
	rc = jy_funnel_parse_modes(s, &m, &bad, &badlen);
	if (rc == JY_FUNNEL_MODE_STRICT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel mode \"strict\" is not supported"),
				 errdetail("Valid modes are: %s.", jy_funnel_mode_names),
				 errhint("ClickHouse renamed it to strict_deduplication.")));
	if (rc == JY_FUNNEL_MODE_UNKNOWN && strchr(s, ',') == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown funnel mode \"%.*s\"", badlen, bad),
				 errdetail("Valid modes are: %s.", jy_funnel_mode_names),
				 errhint("If \"%.*s\" is an event name, give the steps as names: "
						 "funnel_step(ts, window, event, step_names text[] [, mode]), with event of type text (cast a varchar "
						 "column: event::text) and the names as one text[] or varchar[] (in SQL ARRAY['a', 'b'] or '{a,b}'::text[]).",
						 badlen, bad)));
	if (rc == JY_FUNNEL_MODE_UNKNOWN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown funnel mode \"%.*s\"", badlen, bad),
				 errdetail("Valid modes are: %s.", jy_funnel_mode_names),
				 errhint("Combine modes with commas, e.g. 'strict_order, strict_once'.")));
	if (rc == JY_FUNNEL_MODE_REENTRY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel mode allow_reentry requires strict_order"),
				 errdetail("Valid modes are: %s.", jy_funnel_mode_names)));
	if (c->mode_str)
		pfree(c->mode_str);
	c->mode_str = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, s);
	c->mode_datum = d;
	c->modes = (uint16) m;
	pfree(s);
	return c->modes;
}

void
funnel_check_nsteps(int n)
{
	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel needs at least one step")));
	if (n > JY_FUNNEL_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many funnel steps: %d", n),
				 errdetail("The limit is %d steps.", JY_FUNNEL_MAX_STEPS)));
}

/* error unless two configurations are equal */
void
funnel_conf_check_same(const FunnelConf *g, const FunnelConf *r)
{
	if (g == r)
		return;
	if (g->window != r->window)
		jy_arg_differs("funnel window", "group", "The group started with %s, this row has %s.",
					   jy_usecs_to_cstring(g->window), jy_usecs_to_cstring(r->window));
	if (g->modes != r->modes)
		jy_arg_differs("funnel mode", "group", NULL);
	if (g->nsteps != r->nsteps)
		jy_arg_differs("number of funnel steps", "group", "The group started with %d steps, this row has %d.",
					   g->nsteps, r->nsteps);
	if (!funnel_conf_equal(g, r))
		jy_arg_differs("funnel exclusions", "group", NULL);
}

/* step_names text[] argument: parsed into c->names (once per call site unless the array changes) */
void
funnel_names_arg(FunctionCallInfo fcinfo, FunnelCache *c, int argno)
{
	Datum		d;
	int			k;

	jy_arg_not_null(fcinfo, argno, "funnel step names", NULL);
	d = PG_GETARG_DATUM(argno);
	if (c->names == NULL || d != c->names_datum || !funnel_arg_stable(fcinfo, c, argno))
	{
		/* parse the names (once per call site unless the array changes) */
		ArrayType  *a = PG_GETARG_ARRAYTYPE_P(argno);
		Datum	   *vals;
		bool	   *nulls;
		int			n;
		MemoryContext old;

		if (ARR_NDIM(a) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("funnel step names must be a one-dimensional array")));
		deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &vals, &nulls, &n);
		funnel_check_nsteps(n);
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		if (c->names)
		{
			for (k = 0; k < c->nnames; k++)
				pfree(c->names[k]);
			pfree(c->names);
			pfree(c->namelens);
		}
		c->names = (char **) palloc(n * sizeof(char *));
		c->namelens = (int *) palloc(n * sizeof(int));
		for (k = 0; k < n; k++)
		{
			text	   *t;

			if (nulls[k])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("funnel step name %d is NULL", k + 1)));
			t = DatumGetTextPP(vals[k]);
			c->namelens[k] = VARSIZE_ANY_EXHDR(t);
			c->names[k] = palloc(c->namelens[k] + 1);
			memcpy(c->names[k], VARDATA_ANY(t), c->namelens[k]);
		}
		c->nnames = n;
		c->names_datum = d;
		c->names_gen++;
		MemoryContextSwitchTo(old);
	}
}

/*
 * Sort entries e[0..n) unless *sorted, then run the engine.  Buffers live in
 * fc (allocated in mcxt, reused across calls).  Shared by the aggregates'
 * final functions and the journey forms.
 */
int
funnel_eval_entries(FinalCache *fc, MemoryContext mcxt, const FunnelConf *conf,
					JyFunnelEntry *e, int32 n, bool *sorted, int64 *times)
{
	JyFunnelSpec spec;
	size_t		size,
				need = 0;
	int			lv;

	/*
	 * Sorting in place keeps the state valid for another final call (the tie
	 * order is idempotent).  Entries that came in (ts, tag) order still need
	 * the tie order when rows share a timestamp and a step.
	 */
	{
		int64		want = *sorted ? (int64) jy_funnel_ties_scratch(e, n) : n;

		if (want > 0 && fc->scratch_n < want)
		{
			if (fc->scratch)
				pfree(fc->scratch);
			fc->scratch = NULL;
			fc->scratch_n = 0;
			fc->scratch = MemoryContextAlloc(mcxt, Max(want, 64) * sizeof(JyFunnelEntry));
			fc->scratch_n = Max(want, 64);
		}
		if (!*sorted)
			jy_funnel_sort_ex(e, n, fc->scratch, jy_tick, NULL);
		else if (want > 0)
			jy_funnel_order_ties(e, n, fc->scratch, jy_tick, NULL);
		*sorted = true;
	}
	spec.window = conf->window;
	spec.nsteps = conf->nsteps;
	spec.modes = conf->modes;
	spec.nexcl = conf->nexcl;
	spec.excl = conf->excl;
	size = jy_funnel_work_size(&spec, n, 0);
	for (;;)
	{
		if (fc->size < size)
		{
			if (fc->work)
				pfree(fc->work);
			fc->work = NULL;
			fc->size = 0;
			fc->work = MemoryContextAllocHuge(mcxt, Max(size, 4096));
			fc->size = Max(size, 4096);
		}
		lv = jy_funnel_eval_ex(&spec, e, n, times, fc->work, fc->size, &need, jy_tick, NULL);
		if (lv >= 0)
			return lv;
		if (lv == JY_FUNNEL_TOO_MANY || need <= fc->size)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many partial funnel chains to evaluate"),
					 errdetail("strict_once keeps every chain that ends at the current timestamp; "
							   "this group has too many rows at one timestamp matching several steps "
							   "(the limit is %u partial chains).", (unsigned) JY_FUNNEL_MAX_RECS),
					 errhint("Without strict_once the evaluation keeps one chain per step.")));
		CHECK_FOR_INTERRUPTS();
		size = need;
	}
}

/* the funnel_times result: times[0..lv) of the winning chain, NULL past the level reached */
ArrayType *
funnel_times_array(const int64 *times, int nsteps, int lv)
{
	Datum	   *d = (Datum *) palloc(nsteps * sizeof(Datum));
	bool	   *nulls = (bool *) palloc(nsteps * sizeof(bool));
	int			dims[1] = {nsteps},
				lbs[1] = {1},
				k;

	for (k = 0; k < nsteps; k++)
	{
		nulls[k] = k >= lv;
		d[k] = nulls[k] ? (Datum) 0 : TimestampTzGetDatum(times[k]);
	}
	return construct_md_array(d, nulls, 1, dims, lbs, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

