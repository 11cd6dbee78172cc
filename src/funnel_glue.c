/*
 * funnel_glue.c — SQL interface of window funnels (engine: src/engine/funnel.h).
 *
 * Per user (internal state, combine/serial/deserial, parallel safe):
 *   funnel_step(ts, window, VARIADIC steps "any")                 -> int
 *   funnel_step(ts, window, mode varchar, VARIADIC steps boolean[]) -> int
 *     (the mode is varchar so that the step-name form below wins every driver
 *     binding of a step list; see variadic_bool_args)
 *   funnel_step(ts, window, mode, steps bool[], exclusions bool[], exclusion_steps int[]) -> int
 *   funnel_step(ts, window, event text, step_names text[] [, mode]) -> int
 *   funnel_times(... same arguments ...)                           -> timestamptz[]
 *
 * Per stored journey (plain functions, same configuration parsing, same engine):
 *   funnel_step(j journey, window, step_names text[] [, mode])    -> int
 *   funnel_times(j journey, window, step_names text[] [, mode])   -> timestamptz[]
 *
 * Across users (varlena state funnel_summary, lossless text and binary I/O):
 *   funnel_summary(times timestamptz[])  -> funnel_summary
 *   rollup(funnel_summary)               -> funnel_summary
 *   funnel_report(funnel_summary)        -> one row per step (plain scalar columns)
 *
 * funnel_summary layout (version 1):
 *   int32  vl_len_
 *   uint8  version = 1
 *   uint8  flags      reserved, must be 0
 *   uint16 reserved   must be 0
 *   uint32 nsteps     1 .. JY_FUNNEL_MAX_STEPS
 *   int64  users      users summarised (level 0 included)
 *   int64  reached[nsteps]    users that reached step k+1 (non-increasing, <= users)
 *   uint32 nent[nsteps]       histogram entries of step k+1 (time from step k); nent[0] = 0
 *   (padding to 8 bytes)
 *   uint64 entries[sum nent]  qsketch entries, per step sorted by bucket
 */
#include "journey.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "funnel.h"
#include "journey_type.h"
#include "qsketch.h"

PG_FUNCTION_INFO_V1(jy_funnel_trans_v);
PG_FUNCTION_INFO_V1(jy_funnel_trans_vm);
PG_FUNCTION_INFO_V1(jy_funnel_trans_arr);
PG_FUNCTION_INFO_V1(jy_funnel_trans_names);
PG_FUNCTION_INFO_V1(jy_funnel_combine);
PG_FUNCTION_INFO_V1(jy_funnel_serial);
PG_FUNCTION_INFO_V1(jy_funnel_deserial);
PG_FUNCTION_INFO_V1(jy_funnel_final_level);
PG_FUNCTION_INFO_V1(jy_funnel_final_times);
PG_FUNCTION_INFO_V1(jy_funnel_journey_step);
PG_FUNCTION_INFO_V1(jy_funnel_journey_times);
PG_FUNCTION_INFO_V1(jy_funnel_summary_in);
PG_FUNCTION_INFO_V1(jy_funnel_summary_out);
PG_FUNCTION_INFO_V1(jy_funnel_summary_recv);
PG_FUNCTION_INFO_V1(jy_funnel_summary_send);
PG_FUNCTION_INFO_V1(jy_funnel_summary_trans);
PG_FUNCTION_INFO_V1(jy_funnel_summary_merge);
PG_FUNCTION_INFO_V1(jy_funnel_report);

/* ======================================================================
 * Per-user aggregate state
 * ====================================================================== */

#define FUNNEL_INLINE 6
#define FUNNEL_MAX_ENTRIES ((int32) (MaxAllocSize / sizeof(JyFunnelEntry)))

/*
 * Configuration of a funnel (window, steps, modes, exclusions).  Rows of one
 * group must agree on it.  Configurations are interned per call site (in the
 * function's fn_mcxt, which outlives the aggregate states) and never
 * modified, so a state only keeps a pointer: 128 bytes per group with room
 * for six entries inline (most users match few steps).
 */
typedef struct FunnelConf
{
	int64		window;
	int32		nsteps;
	uint16		modes;
	uint16		nexcl;
	JyFunnelExcl *excl;
} FunnelConf;

typedef struct FunnelAgg
{
	const FunnelConf *conf;
	JyFunnelEntry *e;			/* inline_e at first */
	int32		n;
	int32		cap;
	uint32		next_row;		/* row id of the next row that adds entries */
	bool		sorted;
	JyFunnelEntry inline_e[FUNNEL_INLINE];
} FunnelAgg;

#define FUNNEL_CONF_KEEP 8

/* interned configurations of one call site */
typedef struct ConfSet
{
	int			n;
	int			next;			/* slot to recycle (round robin) when the list is full */
	const FunnelConf *last;
	const FunnelConf *list[FUNNEL_CONF_KEEP];
} ConfSet;

static bool
conf_equal(const FunnelConf *a, const FunnelConf *b)
{
	return a->window == b->window && a->nsteps == b->nsteps && a->modes == b->modes &&
		a->nexcl == b->nexcl &&
		(a->nexcl == 0 || memcmp(a->excl, b->excl, a->nexcl * sizeof(JyFunnelExcl)) == 0);
}

static const FunnelConf *
conf_intern(ConfSet *cs, MemoryContext mcxt, const FunnelConf *c)
{
	FunnelConf *r;
	int			i;

	if (cs->last && conf_equal(cs->last, c))
		return cs->last;
	for (i = 0; i < cs->n; i++)
		if (conf_equal(cs->list[i], c))
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

/* per call site cache (fn_extra of the transition function) */
typedef struct FunnelCache
{
	bool		types_checked;
	bool		variadic;		/* steps came as one VARIADIC array */
	int			first_step;		/* argument number of step 1 (boolean forms) */
	bool		mode_cstring;	/* the mode is an unknown literal (a cstring) */
	uint64		arg_known;		/* bit i: stability of argument i is known */
	uint64		arg_stable;		/* bit i: argument i is a constant or parameter */
	int64		window_us;		/* value of a stable window argument, 0 = not yet read */		/* steps came as one VARIADIC array */
	ConfSet		confs;
	/* mode text last seen and its parse */
	Datum		mode_datum;
	char	   *mode_str;
	uint16		modes;
	/* exclusion_steps array last seen */
	Datum		xsteps_datum;
	int			nxsteps;
	JyFunnelExcl xsteps[JY_FUNNEL_MAX_EXCL];
	/* step names last seen (convenience form) */
	Datum		names_datum;
	int			nnames;
	char	  **names;
	int		   *namelens;
	uint64		names_gen;		/* +1 each time the names are parsed */
} FunnelCache;

static FunnelCache *
get_cache(FunctionCallInfo fcinfo)
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
static bool
arg_stable(FunctionCallInfo fcinfo, FunnelCache *c, int argno)
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

static int64
window_arg(FunctionCallInfo fcinfo, FunnelCache *c, int argno)
{
	int64		us;
	bool		stable = arg_stable(fcinfo, c, argno);

	if (stable && c->window_us > 0)
		return c->window_us;
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("funnel window must not be NULL")));
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

static uint16
modes_arg(FunctionCallInfo fcinfo, FunnelCache *c, int argno)
{
	Datum		d;
	char	   *s;
	unsigned	m;
	const char *bad;
	int			badlen,
				rc;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("funnel mode must not be NULL"),
				 errhint("Use '' or 'default' for the default mode.")));
	d = PG_GETARG_DATUM(argno);
	if (c->mode_str != NULL && d == c->mode_datum && arg_stable(fcinfo, c, argno))
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

static void
check_nsteps(int n)
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

static FunnelAgg *
funnel_new_state(MemoryContext aggcxt, const FunnelConf *conf)
{
	FunnelAgg  *st = (FunnelAgg *) MemoryContextAlloc(aggcxt, sizeof(FunnelAgg));

	st->conf = conf;
	st->e = st->inline_e;
	st->n = 0;
	st->cap = FUNNEL_INLINE;
	st->next_row = 0;
	st->sorted = true;
	return st;
}

/* error unless two configurations are equal */
static void
conf_check_same(const FunnelConf *g, const FunnelConf *r)
{
	if (g == r)
		return;
	if (g->window != r->window)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel window must be the same for every row of a group"),
				 errdetail("The group started with %s, this row has %s.",
						   jy_usecs_to_cstring(g->window), jy_usecs_to_cstring(r->window))));
	if (g->modes != r->modes)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel mode must be the same for every row of a group")));
	if (g->nsteps != r->nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of funnel steps must be the same for every row of a group"),
				 errdetail("The group started with %d steps, this row has %d.", g->nsteps, r->nsteps)));
	if (!conf_equal(g, r))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel exclusions must be the same for every row of a group")));
}

/* the group's state (created at its first row), after checking this row's configuration */
static FunnelAgg *
funnel_state(FunctionCallInfo fcinfo, MemoryContext aggcxt, FunnelCache *c, const FunnelConf *rowconf)
{
	const FunnelConf *conf = conf_intern(&c->confs, fcinfo->flinfo->fn_mcxt, rowconf);
	FunnelAgg  *st;

	if (!PG_ARGISNULL(0))
	{
		st = (FunnelAgg *) PG_GETARG_POINTER(0);
		conf_check_same(st->conf, conf);
		return st;
	}
	return funnel_new_state(aggcxt, conf);
}

static void
funnel_reserve(FunnelAgg *st, int64 more, MemoryContext cxt)
{
	int64		need = (int64) st->n + more,
				cap;
	JyFunnelEntry *ne;

	if (need <= st->cap)
		return;
	if (need > FUNNEL_MAX_ENTRIES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("funnel: too many matching events in one group"),
				 errdetail("The limit is %d entries (one per matched step) per group.",
						   FUNNEL_MAX_ENTRIES)));
	cap = Min(Max(Max(need, (int64) st->cap * 2), 8), (int64) FUNNEL_MAX_ENTRIES);
	if (st->e == st->inline_e)
	{
		ne = (JyFunnelEntry *) MemoryContextAlloc(cxt, cap * sizeof(JyFunnelEntry));
		memcpy(ne, st->e, st->n * sizeof(JyFunnelEntry));
	}
	else
		ne = (JyFunnelEntry *) repalloc(st->e, cap * sizeof(JyFunnelEntry));
	st->e = ne;
	st->cap = (int32) cap;
}

static inline void
funnel_add(FunnelAgg *st, int64 ts, uint32 tag, MemoryContext cxt)
{
	JyFunnelEntry *x;

	if (unlikely(st->n == st->cap))
		funnel_reserve(st, 1, cxt);
	x = &st->e[st->n];
	if (st->n > 0 && st->sorted)
	{
		JyFunnelEntry *p = x - 1;

		if (p->ts > ts || (p->ts == ts && p->tag > tag))
			st->sorted = false;
	}
	x->ts = ts;
	x->tag = tag;
	x->row = st->next_row;
	st->n++;
}

static inline void
funnel_row_done(FunnelAgg *st, int64 before)
{
	if (st->n > before)
	{
		if (unlikely(st->next_row == PG_UINT32_MAX))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("funnel: too many matching rows in one group")));
		st->next_row++;
	}
}

/* strict_order: a row matching no step is recorded (once per timestamp run) */
static inline void
funnel_mark(FunnelAgg *st, int64 ts, MemoryContext cxt)
{
	/* an identical marker right before is redundant in any order */
	if (st->n > 0 && st->e[st->n - 1].tag == JY_FUNNEL_TAG_MARK && st->e[st->n - 1].ts == ts)
		return;
	funnel_add(st, ts, JY_FUNNEL_TAG_MARK, cxt);
}

/* a type the mode of funnel_step(ts, window, mode, VARIADIC steps) may have (besides unknown) */
static bool
is_mode_type(Oid t)
{
	return t == TEXTOID || t == VARCHAROID || t == BPCHAROID;
}

/* a step of a type that suggests step names were meant (text, varchar, text[], ...) */
static bool
looks_like_names(Oid t)
{
	return is_mode_type(t) || t == UNKNOWNOID || t == TEXTARRAYOID || t == VARCHARARRAYOID ||
		t == BPCHARARRAYOID || t == NAMEOID || t == NAMEARRAYOID;
}

/*
 * The boolean forms are funnel_step(ts, window, [mode,] VARIADIC steps "any"):
 * the first variadic argument is the mode when its type is a string type
 * (text, varchar, char; an unknown literal arrives as text).  There is no
 * separate (ts, window, mode text, VARIADIC "any") overload: beside
 * (ts, window, event text, step_names text[]) it made every step list that is
 * not exactly text[] (an unknown parameter, varchar[]) ambiguous.
 *
 * Sets c->variadic and c->first_step and checks that the steps are boolean,
 * once per call site; returns the number of steps (or of arguments, for a
 * VARIADIC array).  mode_declared: the 0.1.0 signature with a declared mode.
 */
static int
variadic_bool_args(FunctionCallInfo fcinfo, FunnelCache *c, bool mode_declared, bool *is_array)
{
	int			nargs = PG_NARGS();
	int			first,
				i;

	if (c->types_checked)
	{
		*is_array = c->variadic;
		return nargs - c->first_step;
	}
	*is_array = c->variadic = get_fn_expr_variadic(fcinfo->flinfo);
	first = mode_declared ? 4 : 3;
	if (!mode_declared && !c->variadic && nargs > 3)
	{
		Oid			t = get_fn_expr_argtype(fcinfo->flinfo, 3);

		/* an unknown literal passed to "any" stays unknown: its datum is a cstring */
		if (is_mode_type(t) || t == UNKNOWNOID)
			first = 4;
		c->mode_cstring = (t == UNKNOWNOID);
	}
	if (*is_array)
	{
		Oid			t = get_fn_expr_argtype(fcinfo->flinfo, nargs - 1);

		if (nargs - 1 != first || t != BOOLARRAYOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("funnel steps must be boolean"),
					 errdetail("VARIADIC needs a boolean[] argument, not %s.", format_type_be(t)),
					 looks_like_names(t) ?
					 errhint("To give the steps as event names, call funnel_step(ts, window, event, step_names text[] [, mode]).") : 0));
	}
	else
	{
		for (i = first; i < nargs; i++)
		{
			Oid			t = get_fn_expr_argtype(fcinfo->flinfo, i);

			if (t != BOOLOID && looks_like_names(t))
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("funnel steps must be boolean"),
						 errdetail("Step %d has type %s.%s", i - first + 1, format_type_be(t),
								   first == 4 && !mode_declared ?
								   " The argument before it was read as the funnel mode." : ""),
						 errhint("To give the steps as event names, call funnel_step(ts, window, event, step_names text[] [, mode]) "
								 "and pass the names as one array (text[] or varchar[]; in SQL ARRAY['a', 'b'] or '{a,b}'::text[]).")));
			if (t != BOOLOID)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("funnel steps must be boolean"),
						 errdetail("Step %d has type %s.", i - first + 1, format_type_be(t)),
						 errhint("Write each step as a condition, e.g. event = 'purchase'.")));
		}
		if (nargs - first < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("funnel needs at least one step"),
					 first == 4 ?
					 errhint("A text argument after the window is the funnel mode; steps are boolean conditions, "
							 "or event names in funnel_step(ts, window, event, step_names text[] [, mode]).") : 0));
		check_nsteps(nargs - first);
	}
	c->first_step = first;
	c->types_checked = true;
	return nargs - first;
}

static void
bool_array(ArrayType *a, const char *what, Datum **vals, bool **nulls, int *n)
{
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	deconstruct_array(a, BOOLOID, 1, true, TYPALIGN_CHAR, vals, nulls, n);
}

static Datum
funnel_trans_variadic(FunctionCallInfo fcinfo, bool has_mode)
{
	MemoryContext aggcxt;
	FunnelCache *c;
	FunnelConf	conf;
	FunnelAgg  *st;
	int			first;
	bool		is_array;
	int			nargs,
				k;
	int64		ts,
				before;
	bool		any = false;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "funnel_step_trans called in non-aggregate context");
	c = get_cache(fcinfo);
	/* argument types first: a wrong call is reported as such, not as a bad mode */
	nargs = variadic_bool_args(fcinfo, c, has_mode, &is_array);
	first = c->first_step;
	conf.window = window_arg(fcinfo, c, 2);
	conf.modes = first == 4 ? modes_arg(fcinfo, c, 3) : 0;
	conf.nexcl = 0;
	conf.excl = NULL;
	if (is_array)
	{
		Datum	   *vals;
		bool	   *nulls;
		int			n;

		if (PG_ARGISNULL(first))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("funnel steps array must not be NULL")));
		bool_array(PG_GETARG_ARRAYTYPE_P(first), "funnel steps", &vals, &nulls, &n);
		check_nsteps(n);
		conf.nsteps = n;
		st = funnel_state(fcinfo, aggcxt, c, &conf);
		if (PG_ARGISNULL(1))
			PG_RETURN_POINTER(st);
		ts = PG_GETARG_INT64(1);
		before = st->n;
		for (k = 0; k < n; k++)
			if (!nulls[k] && DatumGetBool(vals[k]))
			{
				funnel_add(st, ts, JY_FUNNEL_TAG_STEP(k), aggcxt);
				any = true;
			}
		if (!any && (st->conf->modes & JY_FUNNEL_STRICT_ORDER))
			funnel_mark(st, ts, aggcxt);
		funnel_row_done(st, before);
		PG_RETURN_POINTER(st);
	}
	conf.nsteps = nargs;
	st = funnel_state(fcinfo, aggcxt, c, &conf);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	ts = PG_GETARG_INT64(1);
	before = st->n;
	for (k = 0; k < nargs; k++)
		if (!PG_ARGISNULL(first + k) && PG_GETARG_BOOL(first + k))
		{
			funnel_add(st, ts, JY_FUNNEL_TAG_STEP(k), aggcxt);
			any = true;
		}
	if (!any && (st->conf->modes & JY_FUNNEL_STRICT_ORDER))
		funnel_mark(st, ts, aggcxt);
	funnel_row_done(st, before);
	PG_RETURN_POINTER(st);
}

Datum
jy_funnel_trans_v(PG_FUNCTION_ARGS)
{
	return funnel_trans_variadic(fcinfo, false);
}

Datum
jy_funnel_trans_vm(PG_FUNCTION_ARGS)
{
	return funnel_trans_variadic(fcinfo, true);
}

/* exclusion_steps: int[][2] (or a flat int[] of pairs), cached per call site */
static void
xsteps_arg(FunctionCallInfo fcinfo, FunnelCache *c, int argno, int nexcl, int nsteps)
{
	Datum		d;
	ArrayType  *a;
	Datum	   *vals;
	bool	   *nulls;
	int			n,
				i;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("funnel exclusion_steps must not be NULL"),
				 errhint("Pass ARRAY[]::int[] together with ARRAY[]::boolean[] for no exclusions.")));
	d = PG_GETARG_DATUM(argno);
	if (c->xsteps_datum == d && c->nxsteps == nexcl && d != (Datum) 0 && arg_stable(fcinfo, c, argno))
		goto check;
	a = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(a) > 2 || (ARR_NDIM(a) == 2 && ARR_DIMS(a)[1] != 2))
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("funnel exclusion_steps must be pairs of step numbers"),
				 errhint("Write ARRAY[[from_step, to_step], ...], one pair per exclusion.")));
	deconstruct_array(a, INT4OID, 4, true, TYPALIGN_INT, &vals, &nulls, &n);
	if (n % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("funnel exclusion_steps must be pairs of step numbers"),
				 errdetail("The array has %d elements.", n),
				 errhint("Write ARRAY[[from_step, to_step], ...], one pair per exclusion.")));
	if (n != 2 * nexcl)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("funnel has %d exclusion conditions but %d exclusion step pairs", nexcl, n / 2),
				 errhint("Write ARRAY[[from_step, to_step], ...], one pair per exclusion.")));
	for (i = 0; i < nexcl; i++)
	{
		int32		f,
					t;

		if (nulls[2 * i] || nulls[2 * i + 1])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("funnel exclusion step numbers must not be NULL")));
		f = DatumGetInt32(vals[2 * i]);
		t = DatumGetInt32(vals[2 * i + 1]);
		if (!(f >= 1 && f < t && t <= nsteps))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("funnel exclusion %d has invalid steps [%d, %d]", i + 1, f, t),
					 errdetail("An exclusion applies between two steps a < b of the funnel's %d steps.", nsteps)));
		c->xsteps[i].from = (uint16) f;
		c->xsteps[i].to = (uint16) t;
	}
	c->xsteps_datum = d;
	c->nxsteps = nexcl;
	return;
check:
	for (i = 0; i < nexcl; i++)
		if (c->xsteps[i].to > nsteps)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("funnel exclusion %d has invalid steps [%d, %d]", i + 1,
							c->xsteps[i].from, c->xsteps[i].to)));
}

/* funnel_step(ts, window, mode, steps bool[], exclusions bool[], exclusion_steps int[]) */
Datum
jy_funnel_trans_arr(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	FunnelCache *c;
	FunnelConf	conf;
	FunnelAgg  *st;
	Datum	   *sv,
			   *xv;
	bool	   *sn,
			   *xn;
	int			ns,
				nx,
				k;
	int64		ts,
				before;
	bool		any = false;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "funnel_step_trans called in non-aggregate context");
	c = get_cache(fcinfo);
	conf.window = window_arg(fcinfo, c, 2);
	conf.modes = modes_arg(fcinfo, c, 3);
	if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("funnel steps array must not be NULL")));
	if (PG_ARGISNULL(5))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("funnel exclusions array must not be NULL"),
				 errhint("Pass ARRAY[]::boolean[] for no exclusions.")));
	bool_array(PG_GETARG_ARRAYTYPE_P(4), "funnel steps", &sv, &sn, &ns);
	check_nsteps(ns);
	bool_array(PG_GETARG_ARRAYTYPE_P(5), "funnel exclusions", &xv, &xn, &nx);
	if (nx > JY_FUNNEL_MAX_EXCL)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many funnel exclusions: %d", nx),
				 errdetail("The limit is %d exclusions.", JY_FUNNEL_MAX_EXCL)));
	xsteps_arg(fcinfo, c, 6, nx, ns);
	conf.nsteps = ns;
	conf.nexcl = (uint16) nx;
	conf.excl = c->xsteps;
	st = funnel_state(fcinfo, aggcxt, c, &conf);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	ts = PG_GETARG_INT64(1);
	before = st->n;
	for (k = 0; k < nx; k++)
		if (!xn[k] && DatumGetBool(xv[k]))
			funnel_add(st, ts, JY_FUNNEL_TAG_EXCL(k), aggcxt);
	for (k = 0; k < ns; k++)
		if (!sn[k] && DatumGetBool(sv[k]))
		{
			funnel_add(st, ts, JY_FUNNEL_TAG_STEP(k), aggcxt);
			any = true;
		}
	if (!any && (st->conf->modes & JY_FUNNEL_STRICT_ORDER))
		funnel_mark(st, ts, aggcxt);
	funnel_row_done(st, before);
	PG_RETURN_POINTER(st);
}

/* step_names text[] argument: parsed into c->names (once per call site unless the array changes) */
static void
names_arg(FunctionCallInfo fcinfo, FunnelCache *c, int argno)
{
	Datum		d;
	int			k;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("funnel step names must not be NULL")));
	d = PG_GETARG_DATUM(argno);
	if (c->names == NULL || d != c->names_datum || !arg_stable(fcinfo, c, argno))
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
		check_nsteps(n);
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

/* funnel_step(ts, window, event text, step_names text[] [, mode text]) */
Datum
jy_funnel_trans_names(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	FunnelCache *c;
	FunnelConf	conf;
	FunnelAgg  *st;
	int			k;
	int64		ts,
				before;
	bool		any = false;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "funnel_step_trans called in non-aggregate context");
	c = get_cache(fcinfo);
	conf.window = window_arg(fcinfo, c, 2);
	conf.modes = PG_NARGS() > 5 ? modes_arg(fcinfo, c, 5) : 0;
	conf.nexcl = 0;
	conf.excl = NULL;
	names_arg(fcinfo, c, 4);
	conf.nsteps = c->nnames;
	st = funnel_state(fcinfo, aggcxt, c, &conf);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	ts = PG_GETARG_INT64(1);
	before = st->n;
	if (!PG_ARGISNULL(3))
	{
		text	   *ev = PG_GETARG_TEXT_PP(3);
		int			len = VARSIZE_ANY_EXHDR(ev);
		const char *p = VARDATA_ANY(ev);

		for (k = 0; k < c->nnames; k++)
			if (c->namelens[k] == len && memcmp(c->names[k], p, len) == 0)
			{
				funnel_add(st, ts, JY_FUNNEL_TAG_STEP(k), aggcxt);
				any = true;
			}
	}
	if (!any && (st->conf->modes & JY_FUNNEL_STRICT_ORDER))
		funnel_mark(st, ts, aggcxt);
	funnel_row_done(st, before);
	PG_RETURN_POINTER(st);
}

Datum
jy_funnel_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt,
				old;
	FunnelAgg  *a,
			   *b;
	int64		i;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "funnel_combine called in non-aggregate context");
	a = PG_ARGISNULL(0) ? NULL : (FunnelAgg *) PG_GETARG_POINTER(0);
	b = PG_ARGISNULL(1) ? NULL : (FunnelAgg *) PG_GETARG_POINTER(1);
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	old = MemoryContextSwitchTo(aggcxt);
	if (a == NULL)
		a = funnel_new_state(aggcxt, b->conf);	/* b's configuration lives as long as the query */
	else
		conf_check_same(a->conf, b->conf);
	if (b->n > 0)
	{
		uint32		off = a->next_row;

		if ((uint64) a->next_row + b->next_row > PG_UINT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("funnel: too many matching rows in one group")));
		funnel_reserve(a, b->n, aggcxt);
		if (!b->sorted || (a->n > 0 && jy_funnel_entry_gt(&a->e[a->n - 1], &b->e[0])))
			a->sorted = false;
		for (i = 0; i < b->n; i++)
		{
			a->e[a->n + i] = b->e[i];
			a->e[a->n + i].row += off;
		}
		a->n += b->n;
		a->next_row += b->next_row;
	}
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(a);
}

/* serialized: window int64, nsteps int32, modes uint16, nexcl uint16, sorted uint8,
 * next_row uint32, n int64, excl pairs (2 x uint16), entries (native JyFunnelEntry) */
Datum
jy_funnel_serial(PG_FUNCTION_ARGS)
{
	FunnelAgg  *st = (FunnelAgg *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int64		i;

	const FunnelConf *cf = st->conf;

	if ((Size) st->n * 16 + 64 + cf->nexcl * 4 > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("funnel: aggregate state too large to pass between parallel workers")));
	pq_begintypsend(&buf);
	pq_sendint64(&buf, cf->window);
	pq_sendint32(&buf, cf->nsteps);
	pq_sendint16(&buf, cf->modes);
	pq_sendint16(&buf, cf->nexcl);
	pq_sendbyte(&buf, st->sorted ? 1 : 0);
	pq_sendint32(&buf, st->next_row);
	pq_sendint64(&buf, st->n);
	for (i = 0; i < cf->nexcl; i++)
	{
		pq_sendint16(&buf, cf->excl[i].from);
		pq_sendint16(&buf, cf->excl[i].to);
	}
	/* entries in native layout: the state only travels between processes of one server */
	if (st->n > 0)
		pq_sendbytes(&buf, (const char *) st->e, st->n * sizeof(JyFunnelEntry));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
jy_funnel_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	MemoryContext aggcxt;
	StringInfoData buf;
	FunnelConf	conf;
	FunnelAgg  *st;
	JyFunnelExcl excl[JY_FUNNEL_MAX_EXCL];
	int64		n,
				i;
	uint8		sorted;
	uint32		next_row;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "funnel_deserial called in non-aggregate context");
	buf.data = VARDATA_ANY(in);
	buf.len = VARSIZE_ANY_EXHDR(in);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	conf.window = pq_getmsgint64(&buf);
	conf.nsteps = pq_getmsgint(&buf, 4);
	conf.modes = (uint16) pq_getmsgint(&buf, 2);
	conf.nexcl = (uint16) pq_getmsgint(&buf, 2);
	sorted = (uint8) pq_getmsgbyte(&buf);
	next_row = (uint32) pq_getmsgint(&buf, 4);
	n = pq_getmsgint64(&buf);
	if (conf.window <= 0 || conf.nsteps < 1 || conf.nsteps > JY_FUNNEL_MAX_STEPS ||
		(conf.modes & ~JY_FUNNEL_ALL_MODES) || conf.nexcl > JY_FUNNEL_MAX_EXCL || sorted > 1 ||
		n < 0 || n > FUNNEL_MAX_ENTRIES ||
		(Size) (buf.len - buf.cursor) != (Size) conf.nexcl * 4 + (Size) n * 16)
		elog(ERROR, "funnel: corrupt aggregate state");
	for (i = 0; i < conf.nexcl; i++)
	{
		excl[i].from = (uint16) pq_getmsgint(&buf, 2);
		excl[i].to = (uint16) pq_getmsgint(&buf, 2);
		if (!(excl[i].from >= 1 && excl[i].from < excl[i].to && excl[i].to <= conf.nsteps))
			elog(ERROR, "funnel: corrupt aggregate state");
	}
	conf.excl = excl;
	{
		/* interned at the deserialize function's call site: lives as long as the query */
		FunnelCache *c = get_cache(fcinfo);

		st = funnel_new_state(aggcxt, conf_intern(&c->confs, fcinfo->flinfo->fn_mcxt, &conf));
	}
	funnel_reserve(st, n, aggcxt);
	if (n > 0)
		pq_copymsgbytes(&buf, (char *) st->e, n * sizeof(JyFunnelEntry));
	pq_getmsgend(&buf);
	for (i = 0; i < n; i++)
		if (st->e[i].row >= next_row)
			elog(ERROR, "funnel: corrupt aggregate state");
	st->n = (int32) n;
	st->sorted = sorted != 0;
	st->next_row = next_row;
	PG_RETURN_POINTER(st);
}

/* work buffer kept across groups in the final function's fn_extra */
typedef struct FinalCache
{
	void	   *work;
	size_t		size;
	JyFunnelEntry *scratch;
	int64		scratch_n;
} FinalCache;

static void
funnel_tick(void *arg)
{
	(void) arg;
	CHECK_FOR_INTERRUPTS();
}

/*
 * Sort entries e[0..n) unless *sorted, then run the engine.  Buffers live in
 * fc (allocated in mcxt, reused across calls).  Shared by the aggregates'
 * final functions and the journey forms.
 */
static int
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
			jy_funnel_sort_ex(e, n, fc->scratch, funnel_tick, NULL);
		else if (want > 0)
			jy_funnel_order_ties(e, n, fc->scratch, funnel_tick, NULL);
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
		lv = jy_funnel_eval_ex(&spec, e, n, times, fc->work, fc->size, &need, funnel_tick, NULL);
		if (lv >= 0)
			return lv;
		if (lv == JY_FUNNEL_TOO_MANY || need <= fc->size)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("funnel: too many partial chains to evaluate"),
					 errdetail("strict_once keeps every chain that ends at the current timestamp; "
							   "this group has too many rows at one timestamp matching several steps "
							   "(the limit is %u partial chains).", (unsigned) JY_FUNNEL_MAX_RECS),
					 errhint("Without strict_once the evaluation keeps one chain per step.")));
		CHECK_FOR_INTERRUPTS();
		size = need;
	}
}

static int
funnel_evaluate(FunctionCallInfo fcinfo, FunnelAgg *st, int64 *times)
{
	FinalCache *fc = (FinalCache *) fcinfo->flinfo->fn_extra;

	if (fc == NULL)
		fc = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(FinalCache));
	return funnel_eval_entries(fc, fcinfo->flinfo->fn_mcxt, st->conf, st->e, st->n, &st->sorted, times);
}

/* the funnel_times result: times[0..lv) of the winning chain, NULL past the level reached */
static ArrayType *
times_array(const int64 *times, int nsteps, int lv)
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

Datum
jy_funnel_final_level(PG_FUNCTION_ARGS)
{
	FunnelAgg  *st;

	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	st = (FunnelAgg *) PG_GETARG_POINTER(0);
	if (st->n == 0)
		PG_RETURN_INT32(0);
	PG_RETURN_INT32(funnel_evaluate(fcinfo, st, NULL));
}

Datum
jy_funnel_final_times(PG_FUNCTION_ARGS)
{
	FunnelAgg  *st;
	int64	   *times;
	int			lv = 0,
				nsteps;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (FunnelAgg *) PG_GETARG_POINTER(0);
	nsteps = st->conf->nsteps;
	times = (int64 *) palloc(nsteps * sizeof(int64));
	if (st->n > 0)
		lv = funnel_evaluate(fcinfo, st, times);
	PG_RETURN_ARRAYTYPE_P(times_array(times, nsteps, lv));
}

/* ======================================================================
 * The journey forms: funnel_step / funnel_times over a stored journey
 * ====================================================================== */

/*
 * Per call site: the argument caches of the aggregates (window, mode, step
 * names), the engine buffers, and the entry / name-map buffers reused from
 * row to row.
 */
static void *
jf_grow(MemoryContext mcxt, void *p, int64 *cap, int64 need, Size elem)
{
	if (need <= *cap)
		return p;
	if (p)
		pfree(p);
	*cap = 0;
	need = Max(need, 64);
	p = MemoryContextAllocHuge(mcxt, (Size) need * elem);
	*cap = need;
	return p;
}

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
	jc->wk_of = jf_grow(mcxt, jc->wk_of, &jc->wkcap, c->nnames, sizeof(char *));
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
 * Evaluate the funnel of step_names over journey argument 0.  The entries
 * are exactly those the event-name aggregate builds from the journey's
 * events as rows: one per (event, step whose name equals the event's name),
 * plus in strict_order one marker per event matching no step (once per
 * timestamp run, like funnel_mark); then the same (ts, tag) sort and engine.
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
	int64		total = 0;
	int32		n = 0;
	int			k,
				lv,
				maxdup = 0;
	uint32		i;
	bool		order,
				sorted = true;

	if (jc == NULL)
		jc = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(mcxt, sizeof(JourneyFunnelCache));
	c = &jc->c;
	conf.window = window_arg(fcinfo, c, 1);
	conf.modes = PG_NARGS() > 3 ? modes_arg(fcinfo, c, 3) : 0;
	names_arg(fcinfo, c, 2);
	conf.nsteps = c->nnames;
	conf.nexcl = 0;
	conf.excl = NULL;
	order = (conf.modes & JY_FUNNEL_STRICT_ORDER) != 0;
	*nsteps_out = conf.nsteps;
	if (times_out)
		*times_out = (int64 *) palloc(conf.nsteps * sizeof(int64));

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	if (v.n == 0)
		return 0;

	/* name id -> its steps, in step order (a name listed twice is two steps) */
	jf_step_names(jc, mcxt);
	jc->head = jf_grow(mcxt, jc->head, &jc->headcap, v.ndict, sizeof(int32));
	jc->next = jf_grow(mcxt, jc->next, &jc->nextcap, conf.nsteps, sizeof(int32));
	for (i = 0; i < v.ndict; i++)
		jc->head[i] = -1;
	for (k = conf.nsteps - 1; k >= 0; k--)
	{
		int64		id = jf_find_step(jc, &v, k);

		jc->next[k] = -1;
		if (k == 0 && id < 0)
			return 0;			/* no event of step 1: level 0 in every mode */
		if (id >= 0)
		{
			int32		s;
			int			len = 1;

			jc->next[k] = jc->head[id];
			jc->head[id] = k;
			for (s = jc->next[k]; s >= 0; s = jc->next[s])
				len++;
			maxdup = Max(maxdup, len);
		}
	}
	if (maxdup == 0)
		return 0;				/* no step name occurs: level 0, no entries */

	/*
	 * An event gives as many entries as steps carry its name (or one marker):
	 * at most n * maxdup.  Count exactly only when that bound is over the limit.
	 */
	total = (int64) v.n * maxdup;
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
	if (total > FUNNEL_MAX_ENTRIES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("funnel: too many matching events in one group"),
				 errdetail("The limit is %d entries (one per matched step) per group.",
						   FUNNEL_MAX_ENTRIES)));
	if (total == 0)
		return 0;
	jc->e = jf_grow(mcxt, jc->e, &jc->ecap, total, sizeof(JyFunnelEntry));

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
			x->row = i;
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
			x->row = i;			/* one row id per event, shared by its steps */
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
	PG_RETURN_ARRAYTYPE_P(times_array(times, nsteps, lv));
}

/* ======================================================================
 * funnel_summary: the cross-user report state
 * ====================================================================== */

#define FUNNEL_SUMMARY_VERSION 1

typedef struct FunnelSummary
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;
	uint16		reserved;
	uint32		nsteps;
	int64		users;
	char		data[FLEXIBLE_ARRAY_MEMBER];	/* reached[], nent[], pad, entries[] */
} FunnelSummary;

#define FS_HDRSZ offsetof(FunnelSummary, data)
#define FS_REACHED(s) ((int64 *) (s)->data)
#define FS_NENT(s) ((uint32 *) ((s)->data + (Size) (s)->nsteps * sizeof(int64)))
#define FS_ENT_OFF(nsteps) MAXALIGN(FS_HDRSZ + (Size) (nsteps) * (sizeof(int64) + sizeof(uint32)))
#define FS_ENTRIES(s) ((uint64 *) ((char *) (s) + FS_ENT_OFF((s)->nsteps)))
#define FS_SIZE(nsteps, total) (FS_ENT_OFF(nsteps) + (Size) (total) * sizeof(uint64))
#define DatumGetFunnelSummaryP(d) ((FunnelSummary *) PG_DETOAST_DATUM(d))
#define PG_GETARG_FUNNEL_SUMMARY_P(n) DatumGetFunnelSummaryP(PG_GETARG_DATUM(n))
#define FS_MAX_ENTRIES_PER_STEP (JY_QS_MAX_BUCKET + 1)

static FunnelSummary *
fs_alloc(uint32 nsteps, Size total)
{
	FunnelSummary *s = (FunnelSummary *) palloc0(FS_SIZE(nsteps, total));

	SET_VARSIZE(s, FS_SIZE(nsteps, total));
	s->version = FUNNEL_SUMMARY_VERSION;
	s->nsteps = nsteps;
	return s;
}

static Size
fs_total(const FunnelSummary *s)
{
	Size		t = 0;
	uint32		k;

	for (k = 0; k < s->nsteps; k++)
		t += FS_NENT(s)[k];
	return t;
}

/* validation of a value from outside; errc says which input path */
static void
fs_validate(const FunnelSummary *s, Size size, int errc)
{
	const char *bad = NULL;
	uint32		k;

	if (size < FS_HDRSZ)
		bad = "The value is truncated";
	else if (s->version != FUNNEL_SUMMARY_VERSION)
		bad = psprintf("Unsupported format version %u", s->version);
	else if (s->flags != 0 || s->reserved != 0)
		bad = "Reserved bits are set";
	else if (s->nsteps < 1 || s->nsteps > JY_FUNNEL_MAX_STEPS)
		bad = psprintf("The number of steps %u is out of range", s->nsteps);
	else if (size < FS_ENT_OFF(s->nsteps))
		bad = "The value is truncated";
	else if (s->users < 0)
		bad = "The number of users is negative";
	if (!bad)
	{
		const int64 *r = FS_REACHED(s);
		const uint32 *ne = FS_NENT(s);
		const uint64 *e;
		Size		total = 0;

		for (k = 0; k < s->nsteps && !bad; k++)
		{
			if (r[k] < 0)
				bad = psprintf("Step %u has a negative user count", k + 1);
			else if (k == 0 && r[k] > s->users)
				bad = "Step 1 is reached by more users than the summary has";
			else if (k > 0 && r[k] > r[k - 1])
				bad = psprintf("Step %u is reached by more users than step %u", k + 1, k);
			else if (ne[k] > FS_MAX_ENTRIES_PER_STEP || (k == 0 && ne[k] != 0))
				bad = psprintf("Step %u has an invalid number of histogram entries", k + 1);
			total += ne[k];
		}
		if (!bad && size != FS_SIZE(s->nsteps, total))
			bad = "The size does not match the histogram entries";
		e = FS_ENTRIES(s);
		for (k = 0; k < s->nsteps && !bad; k++)
		{
			uint64		tot;

			if (!jy_qs_valid(e, ne[k]))
				bad = psprintf("Histogram entries of step %u are not strictly increasing, out of range or zero", k + 1);
			else if (!jy_qs_total(e, ne[k], &tot) || tot != (uint64) (k == 0 ? 0 : r[k]))
				bad = psprintf("Histogram counts of step %u do not add up to the users reaching it", k + 1);
			e += ne[k];
		}
	}
	if (bad)
		ereport(ERROR,
				(errcode(errc),
				 errmsg("invalid funnel_summary value"),
				 errdetail("%s.", bad)));
}

/* ---- text I/O ------------------------------------------------------------
 * {"v":1,"users":10,"reached":[8,5,2],"hist":[[],[[1536,3],[2000,2]],[[900,2]]]}
 */

Datum
jy_funnel_summary_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	JyTextScan		sc = {str, str, "funnel_summary"};
	int64		version,
				users;
	int64	   *reached = NULL;
	uint32	   *nent = NULL;
	uint64	   *ents = NULL;
	int			nsteps = 0,
				cap = 0,
				k;
	Size		total = 0,
				ecap = 0;
	FunnelSummary *s;

	jy_scan_lit(&sc, "{");
	jy_scan_lit(&sc, "\"v\"");
	jy_scan_lit(&sc, ":");
	version = jy_scan_int(&sc, 0, 255);
	if (version != FUNNEL_SUMMARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("unsupported funnel_summary format version %d", (int) version),
				 errdetail("This version of journey reads version %d.", FUNNEL_SUMMARY_VERSION)));
	jy_scan_lit(&sc, ",");
	jy_scan_lit(&sc, "\"users\"");
	jy_scan_lit(&sc, ":");
	users = jy_scan_int(&sc, 0, PG_INT64_MAX);
	jy_scan_lit(&sc, ",");
	jy_scan_lit(&sc, "\"reached\"");
	jy_scan_lit(&sc, ":");
	jy_scan_lit(&sc, "[");
	for (;;)
	{
		if (nsteps >= JY_FUNNEL_MAX_STEPS)
			jy_scan_fail(&sc, "no more steps");
		if (nsteps == cap)
		{
			cap = cap ? cap * 2 : 8;
			reached = reached ? repalloc(reached, cap * sizeof(int64)) : palloc(cap * sizeof(int64));
		}
		reached[nsteps++] = jy_scan_int(&sc, 0, PG_INT64_MAX);
		if (!jy_scan_peek(&sc, ','))
			break;
		jy_scan_lit(&sc, ",");
	}
	jy_scan_lit(&sc, "]");
	jy_scan_lit(&sc, ",");
	jy_scan_lit(&sc, "\"hist\"");
	jy_scan_lit(&sc, ":");
	jy_scan_lit(&sc, "[");
	nent = palloc0(nsteps * sizeof(uint32));
	for (k = 0; k < nsteps; k++)
	{
		if (k > 0)
			jy_scan_lit(&sc, ",");
		jy_scan_lit(&sc, "[");
		if (!jy_scan_peek(&sc, ']'))
		{
			for (;;)
			{
				int64		b,
							c;

				jy_scan_lit(&sc, "[");
				b = jy_scan_int(&sc, 0, JY_QS_MAX_BUCKET);
				jy_scan_lit(&sc, ",");
				c = jy_scan_int(&sc, 1, (int64) JY_QS_COUNT_MAX);
				jy_scan_lit(&sc, "]");
				if (nent[k] >= FS_MAX_ENTRIES_PER_STEP)
					jy_scan_fail(&sc, "no more histogram entries");
				if (total == ecap)
				{
					ecap = ecap ? ecap * 2 : 16;
					ents = ents ? repalloc(ents, ecap * sizeof(uint64)) : palloc(ecap * sizeof(uint64));
				}
				ents[total++] = JY_QS_ENTRY(b, c);
				nent[k]++;
				if (!jy_scan_peek(&sc, ','))
					break;
				jy_scan_lit(&sc, ",");
			}
		}
		jy_scan_lit(&sc, "]");
	}
	jy_scan_lit(&sc, "]");
	jy_scan_lit(&sc, "}");
	jy_scan_ws(&sc);
	if (*sc.p != '\0')
		jy_scan_fail(&sc, "end of input");

	s = fs_alloc(nsteps, total);
	s->users = users;
	memcpy(FS_REACHED(s), reached, nsteps * sizeof(int64));
	memcpy(FS_NENT(s), nent, nsteps * sizeof(uint32));
	if (total > 0)
		memcpy(FS_ENTRIES(s), ents, total * sizeof(uint64));
	fs_validate(s, VARSIZE(s), ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_POINTER(s);
}

Datum
jy_funnel_summary_out(PG_FUNCTION_ARGS)
{
	FunnelSummary *s = PG_GETARG_FUNNEL_SUMMARY_P(0);
	StringInfoData buf;
	const uint64 *e = FS_ENTRIES(s);
	uint32		k,
				i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"v\":%d,\"users\":" INT64_FORMAT ",\"reached\":[", s->version, s->users);
	for (k = 0; k < s->nsteps; k++)
		appendStringInfo(&buf, "%s" INT64_FORMAT, k ? "," : "", FS_REACHED(s)[k]);
	appendStringInfoString(&buf, "],\"hist\":[");
	for (k = 0; k < s->nsteps; k++)
	{
		appendStringInfoString(&buf, k ? ",[" : "[");
		for (i = 0; i < FS_NENT(s)[k]; i++, e++)
			appendStringInfo(&buf, "%s[%u," UINT64_FORMAT "]", i ? "," : "",
							 JY_QS_BUCKET(*e), (uint64) JY_QS_COUNT(*e));
		appendStringInfoChar(&buf, ']');
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_CSTRING(buf.data);
}

Datum
jy_funnel_summary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	uint8		version,
				flags;
	uint16		reserved;
	uint32		nsteps,
				k;
	int64		users;
	int64	   *reached;
	uint32	   *nent;
	Size		total = 0,
				i;
	FunnelSummary *s;

	version = (uint8) pq_getmsgbyte(buf);
	flags = (uint8) pq_getmsgbyte(buf);
	reserved = (uint16) pq_getmsgint(buf, 2);
	nsteps = (uint32) pq_getmsgint(buf, 4);
	users = pq_getmsgint64(buf);
	if (nsteps < 1 || nsteps > JY_FUNNEL_MAX_STEPS ||
		(Size) nsteps * 12 > (Size) (buf->len - buf->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid funnel_summary value"),
				 errdetail("Declared %u steps, which is out of range or more than the message holds.", nsteps)));
	reached = palloc(nsteps * sizeof(int64));
	nent = palloc(nsteps * sizeof(uint32));
	for (k = 0; k < nsteps; k++)
		reached[k] = pq_getmsgint64(buf);
	for (k = 0; k < nsteps; k++)
	{
		nent[k] = (uint32) pq_getmsgint(buf, 4);
		if (nent[k] > FS_MAX_ENTRIES_PER_STEP)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid funnel_summary value"),
					 errdetail("Step %u declares %u histogram entries.", k + 1, nent[k])));
		total += nent[k];
	}
	if (total * 8 != (Size) (buf->len - buf->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid funnel_summary value"),
				 errdetail("Declared %zu histogram entries, but the message holds %d bytes for them.",
						   total, buf->len - buf->cursor)));
	s = fs_alloc(nsteps, total);
	s->version = version;
	s->flags = flags;
	s->reserved = reserved;
	s->users = users;
	memcpy(FS_REACHED(s), reached, nsteps * sizeof(int64));
	memcpy(FS_NENT(s), nent, nsteps * sizeof(uint32));
	for (i = 0; i < total; i++)
		FS_ENTRIES(s)[i] = (uint64) pq_getmsgint64(buf);
	fs_validate(s, VARSIZE(s), ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_POINTER(s);
}

Datum
jy_funnel_summary_send(PG_FUNCTION_ARGS)
{
	FunnelSummary *s = PG_GETARG_FUNNEL_SUMMARY_P(0);
	StringInfoData buf;
	Size		total = fs_total(s),
				i;
	uint32		k;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, s->version);
	pq_sendbyte(&buf, s->flags);
	pq_sendint16(&buf, s->reserved);
	pq_sendint32(&buf, s->nsteps);
	pq_sendint64(&buf, s->users);
	for (k = 0; k < s->nsteps; k++)
		pq_sendint64(&buf, FS_REACHED(s)[k]);
	for (k = 0; k < s->nsteps; k++)
		pq_sendint32(&buf, FS_NENT(s)[k]);
	for (i = 0; i < total; i++)
		pq_sendint64(&buf, (int64) FS_ENTRIES(s)[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static int64
add_checked(int64 a, int64 b)
{
	int64		r;

	if (pg_add_s64_overflow(a, b, &r))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("funnel_summary: user count out of range")));
	return r;
}

/* index of bucket bk in sorted e[0..n), or -1 */
static int64
qs_find(const uint64 *e, uint32 n, uint32 bk)
{
	uint32		lo = 0,
				hi = n;

	while (lo < hi)
	{
		uint32		mid = (lo + hi) / 2;

		if (JY_QS_BUCKET(e[mid]) < bk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < n && JY_QS_BUCKET(e[lo]) == bk) ? (int64) lo : -1;
}

/*
 * funnel_summary(times timestamptz[]): transition function.  The state is a
 * funnel_summary updated in place inside the aggregate when the user's
 * durations fall in existing histogram buckets; otherwise a new value is built.
 */
Datum
jy_funnel_summary_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	FunnelSummary *s;
	ArrayType  *a;
	Datum	   *vals;
	bool	   *nulls;
	int			n,
				lv = 0,
				k,
				miss = 0;
	bool		in_agg;
	uint32		bk[JY_FUNNEL_MAX_STEPS];

	/*
	 * In an aggregate the state is updated in place; called directly (anyone
	 * can), the summary passed in is left alone and a new one is returned.
	 */
	in_agg = AggCheckCallContext(fcinfo, &aggcxt) != 0;
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	a = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("funnel times must be a one-dimensional array")));
	/* the size first: deconstructing a huge array costs 9 bytes per element */
	check_nsteps(ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a)));
	deconstruct_array(a, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &vals, &nulls, &n);
	check_nsteps(n);
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
			: (FunnelSummary *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));
		if ((int) s->nsteps != n)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("funnel times must have the same number of steps in every row"),
					 errdetail("The summary has %u steps, this row has %d.", s->nsteps, n)));
	}
	/* buckets missing from the histograms */
	{
		const uint64 *e = FS_ENTRIES(s);

		for (k = 0; k < (int) s->nsteps; k++)
		{
			if (k >= 1 && k < lv && qs_find(e, FS_NENT(s)[k], bk[k]) < 0)
				miss++;
			e += FS_NENT(s)[k];
		}
	}
	if (miss > 0)
	{
		/* rebuild with room: copy step by step, inserting the new buckets */
		FunnelSummary *r = fs_alloc(s->nsteps, fs_total(s) + miss);
		const uint64 *src = FS_ENTRIES(s);
		uint64	   *dst = FS_ENTRIES(r);

		r->users = s->users;
		memcpy(FS_REACHED(r), FS_REACHED(s), s->nsteps * sizeof(int64));
		for (k = 0; k < (int) s->nsteps; k++)
		{
			uint32		m = FS_NENT(s)[k];

			memcpy(dst, src, m * sizeof(uint64));
			if (k >= 1 && k < lv)
			{
				/* room for one more: the next steps are not written yet */
				size_t		nm = jy_qs_add(dst, m, bk[k], 1);

				if (nm == (size_t) -1)
					ereport(ERROR,
							(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
							 errmsg("funnel_summary: histogram count out of range")));
				m = (uint32) nm;
			}
			FS_NENT(r)[k] = m;
			src += FS_NENT(s)[k];
			dst += m;
		}
		s = r;
	}
	else
	{
		uint64	   *e = FS_ENTRIES(s);

		for (k = 0; k < (int) s->nsteps; k++)
		{
			if (k >= 1 && k < lv)
			{
				if (jy_qs_add(e, FS_NENT(s)[k], bk[k], 1) == (size_t) -1)
					ereport(ERROR,
							(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
							 errmsg("funnel_summary: histogram count out of range")));
			}
			e += FS_NENT(s)[k];
		}
	}
	s->users = add_checked(s->users, 1);
	for (k = 0; k < lv; k++)
		FS_REACHED(s)[k] = add_checked(FS_REACHED(s)[k], 1);
	PG_RETURN_POINTER(s);
}

/* merge two summaries: rollup's transition and combine function, and funnel_summary's combine */
Datum
jy_funnel_summary_merge(PG_FUNCTION_ARGS)
{
	FunnelSummary *a,
			   *b,
			   *r;
	const uint64 *ea,
			   *eb;
	uint64	   *er;
	uint32		k;

	if (PG_ARGISNULL(0) && PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	if (PG_ARGISNULL(0))
	{
		/* combine: copy b into the aggregate context (nodeAgg copies a new pointer) */
		b = PG_GETARG_FUNNEL_SUMMARY_P(1);
		r = (FunnelSummary *) palloc(VARSIZE(b));
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
	r = fs_alloc(a->nsteps, fs_total(a) + fs_total(b));
	r->users = add_checked(a->users, b->users);
	ea = FS_ENTRIES(a);
	eb = FS_ENTRIES(b);
	er = FS_ENTRIES(r);
	for (k = 0; k < a->nsteps; k++)
	{
		size_t		m;

		FS_REACHED(r)[k] = add_checked(FS_REACHED(a)[k], FS_REACHED(b)[k]);
		memcpy(er, ea, FS_NENT(a)[k] * sizeof(uint64));
		m = jy_qs_merge(er, FS_NENT(a)[k], eb, FS_NENT(b)[k]);
		if (m == (size_t) -1)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("funnel_summary: histogram count out of range while merging")));
		FS_NENT(r)[k] = (uint32) m;
		ea += FS_NENT(a)[k];
		eb += FS_NENT(b)[k];
		er += m;
	}
	/* shrink to the merged size (entries are contiguous) */
	SET_VARSIZE(r, FS_SIZE(r->nsteps, fs_total(r)));
	PG_RETURN_POINTER(r);
}

/* funnel_report(s): one row per step, plain scalar columns */
Datum
jy_funnel_report(PG_FUNCTION_ARGS)
{
	FunnelSummary *s = PG_GETARG_FUNNEL_SUMMARY_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const uint64 *e = FS_ENTRIES(s);
	const int64 *r = FS_REACHED(s);
	uint32		k;

	InitMaterializedSRF(fcinfo, 0);
	for (k = 0; k < s->nsteps; k++)
	{
		Datum		values[9];
		bool		nulls[9] = {false};
		int64		prev = k == 0 ? s->users : r[k - 1];
		double		v;
		uint32		m = FS_NENT(s)[k];

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
