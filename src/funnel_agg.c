/*
 * funnel_agg.c — the per-user funnel aggregates (engine: src/engine/funnel.h;
 * arguments and evaluation shared with the journey forms: funnel_conf.c):
 *
 *   funnel_step(ts, window, VARIADIC steps "any")                 -> int
 *   funnel_step(ts, window, mode varchar, VARIADIC steps boolean[]) -> int
 *     (the mode is varchar so that the step-name form below wins every driver
 *     binding of a step list; see variadic_bool_args)
 *   funnel_step(ts, window, mode, steps bool[], exclusions bool[], exclusion_steps int[]) -> int
 *   funnel_step(ts, window, event text, step_names text[] [, mode]) -> int
 *   funnel_times(... same arguments ...)                           -> timestamptz[]
 *
 * The state is internal: the group's entries (one per matched step, plus
 * markers and exclusions), parallel safe with the toolkit src/jy_agg.h.
 */
#include "funnel_conf.h"

#include "catalog/pg_type.h"
#include "jy_agg.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(jy_funnel_trans_v);
PG_FUNCTION_INFO_V1(jy_funnel_trans_vm);
PG_FUNCTION_INFO_V1(jy_funnel_trans_arr);
PG_FUNCTION_INFO_V1(jy_funnel_trans_names);
PG_FUNCTION_INFO_V1(jy_funnel_combine);
PG_FUNCTION_INFO_V1(jy_funnel_serial);
PG_FUNCTION_INFO_V1(jy_funnel_deserial);
PG_FUNCTION_INFO_V1(jy_funnel_final_level);
PG_FUNCTION_INFO_V1(jy_funnel_final_times);

/*
 * A group's state: ONE block, a 24-byte header (a pointer to the interned
 * configuration, funnel_conf.h) and the entries.  Hash aggregation over
 * millions of users keeps one per group, so the blocks come from a slab of
 * the aggregate context (jy_slab, no chunk header or power-of-two rounding)
 * in capacity classes 0, 2, 4, 6, 8, 12, ... entries: a group that matched
 * nothing yet takes 24 bytes, one with two entries 56.  A state that grows
 * moves to the next class (transition and combine functions return the new
 * pointer) and its old block goes to the slab's free list for other groups.
 * A deserialized state is one exact block in the per-row context and never
 * grows (combine copies it).
 */
#define FUNNEL_TOO_MANY_ENTRIES "matching events in one funnel group", "entries (one per matched step) per group"

typedef struct FunnelAgg
{
	const FunnelConf *conf;
	int32		n;
	int32		cap;
	uint32		next_row;		/* row id of the next row that adds entries */
	bool		sorted;
	JyFunnelEntry e[FLEXIBLE_ARRAY_MEMBER];
} FunnelAgg;

#define FUNNEL_BYTES(cap) (offsetof(FunnelAgg, e) + (Size) (cap) * sizeof(JyFunnelEntry))

/* capacity classes served by the slab (FUNNEL_BYTES(96) < JY_SLAB_MAX_CHUNK); then doubling */
static const uint32 FUNNEL_CAPS[] = {0, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96};

#define FUNNEL_NCAPS ((int) lengthof(FUNNEL_CAPS))

/* the slab of the aggregate context for this call site */
static inline JySlab *
funnel_slab(FunctionCallInfo fcinfo, FunnelCache *c, MemoryContext aggcxt)
{
	return jy_slab_get(&c->slabs, fcinfo->flinfo->fn_mcxt, aggcxt);
}

static void
funnel_init(FunnelAgg *st, const FunnelConf *conf, int32 cap)
{
	st->conf = conf;
	st->n = 0;
	st->cap = cap;
	st->next_row = 0;
	st->sorted = true;
}

/* the capacity for need entries: the smallest class, or doubling past the classes */
static int32
funnel_cap_for(int32 cap, int64 need)
{
	return (int32) jy_class_cap(FUNNEL_CAPS, FUNNEL_NCAPS, cap, need, FUNNEL_MAX_ENTRIES, FUNNEL_TOO_MANY_ENTRIES);
}

static FunnelAgg *
funnel_new_state(JySlab *slab, const FunnelConf *conf, int64 need)
{
	int32		cap = funnel_cap_for(0, need);
	FunnelAgg  *st = (FunnelAgg *) jy_slab_alloc(slab, FUNNEL_BYTES(cap));

	funnel_init(st, conf, cap);
	return st;
}

/* room for `more` entries beyond st->n; the state may move (use the result) */
static FunnelAgg *
funnel_reserve(FunnelAgg *st, int64 more, JySlab *slab)
{
	int64		need = (int64) st->n + more;
	int32		cap;
	FunnelAgg  *x;

	if (need <= st->cap)
		return st;
	cap = funnel_cap_for(st->cap, need);
	x = (FunnelAgg *) jy_slab_move(slab, st, FUNNEL_BYTES(st->n), FUNNEL_BYTES(st->cap), FUNNEL_BYTES(cap));
	x->cap = cap;
	return x;
}

/* the group's state (created at its first row), after checking this row's configuration */
static FunnelAgg *
funnel_state(FunctionCallInfo fcinfo, JySlab *slab, FunnelCache *c, const FunnelConf *rowconf)
{
	const FunnelConf *conf = funnel_conf_intern(&c->confs, fcinfo->flinfo->fn_mcxt, rowconf);
	FunnelAgg  *st;

	if (!PG_ARGISNULL(0))
	{
		st = (FunnelAgg *) PG_GETARG_POINTER(0);
		funnel_conf_check_same(st->conf, conf);
		return st;
	}
	return funnel_new_state(slab, conf, 0);
}

/*
 * A row of a transition function: *st the group's state (funnel_state),
 * *slab the slab its blocks come from; false when the row's ts (argument 1)
 * is NULL and the row adds nothing, else *ts and *before (the number of
 * entries before the row) are set.
 */
static bool
funnel_row_begin(FunctionCallInfo fcinfo, MemoryContext aggcxt, FunnelCache *c, const FunnelConf *rowconf,
				 FunnelAgg **st, JySlab **slab, int64 *ts, int64 *before)
{
	*slab = funnel_slab(fcinfo, c, aggcxt);
	*st = funnel_state(fcinfo, *slab, c, rowconf);
	if (PG_ARGISNULL(1))
		return false;
	*ts = PG_GETARG_INT64(1);
	*before = (*st)->n;
	return true;
}

static inline void
funnel_add(FunnelAgg **stp, int64 ts, uint32 tag, JySlab *slab)
{
	FunnelAgg  *st = *stp;
	JyFunnelEntry *x;

	if (unlikely(st->n == st->cap))
		*stp = st = funnel_reserve(st, 1, slab);
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
					 errmsg("too many matching rows in one funnel group")));
		st->next_row++;
	}
}

/* strict_order: a row matching no step is recorded (once per timestamp run) */
static inline void
funnel_mark(FunnelAgg **stp, int64 ts, JySlab *slab)
{
	FunnelAgg  *st = *stp;

	/* an identical marker right before is redundant in any order */
	if (st->n > 0 && st->e[st->n - 1].tag == JY_FUNNEL_TAG_MARK && st->e[st->n - 1].ts == ts)
		return;
	funnel_add(stp, ts, JY_FUNNEL_TAG_MARK, slab);
}

/*
 * The end of a row that added entries from `before` on: in strict_order a row
 * matching no step (any = false) leaves a marker; a row that added entries
 * takes a row id.
 */
static inline void
funnel_row_end(FunnelAgg **stp, int64 ts, int64 before, bool any, JySlab *slab)
{
	if (!any && ((*stp)->conf->modes & JY_FUNNEL_STRICT_ORDER))
		funnel_mark(stp, ts, slab);
	funnel_row_done(*stp, before);
}

/* an entry tag0 + k for each true v[k] (NULL is false); true when one was added */
static bool
funnel_add_bools(FunnelAgg **stp, int64 ts, const Datum *v, const bool *isnull, int n, uint32 tag0,
				 JySlab *slab)
{
	bool		any = false;
	int			k;

	for (k = 0; k < n; k++)
		if (!isnull[k] && DatumGetBool(v[k]))
		{
			funnel_add(stp, ts, tag0 + (uint32) k, slab);
			any = true;
		}
	return any;
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
		funnel_check_nsteps(nargs - first);
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
	JySlab	   *slab;
	int			first;
	bool		is_array;
	Datum	   *vals = NULL;
	bool	   *nulls = NULL;
	int			nargs,
				k;
	int64		ts,
				before;
	bool		any = false;

	aggcxt = jy_agg_context(fcinfo, "funnel_step_trans");
	c = funnel_get_cache(fcinfo);
	/* argument types first: a wrong call is reported as such, not as a bad mode */
	nargs = variadic_bool_args(fcinfo, c, has_mode, &is_array);
	first = c->first_step;
	conf.window = funnel_window_arg(fcinfo, c, 2);
	conf.modes = first == 4 ? funnel_modes_arg(fcinfo, c, 3) : 0;
	conf.nexcl = 0;
	conf.excl = NULL;
	if (is_array)
	{
		jy_arg_not_null(fcinfo, first, "funnel steps array", NULL);
		bool_array(PG_GETARG_ARRAYTYPE_P(first), "funnel steps", &vals, &nulls, &nargs);
		funnel_check_nsteps(nargs);
	}
	conf.nsteps = nargs;
	if (!funnel_row_begin(fcinfo, aggcxt, c, &conf, &st, &slab, &ts, &before))
		PG_RETURN_POINTER(st);
	if (is_array)
		any = funnel_add_bools(&st, ts, vals, nulls, nargs, JY_FUNNEL_TAG_STEP(0), slab);
	else
		for (k = 0; k < nargs; k++)
			if (!PG_ARGISNULL(first + k) && PG_GETARG_BOOL(first + k))
			{
				funnel_add(&st, ts, JY_FUNNEL_TAG_STEP(k), slab);
				any = true;
			}
	funnel_row_end(&st, ts, before, any, slab);
	PG_RETURN_POINTER(st);
}

JY_FMGR_VARIANT(jy_funnel_trans_v, funnel_trans_variadic, false);

JY_FMGR_VARIANT(jy_funnel_trans_vm, funnel_trans_variadic, true);

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

	jy_arg_not_null(fcinfo, argno, "funnel exclusion_steps", "Pass ARRAY[]::int[] together with ARRAY[]::boolean[] for no exclusions.");
	d = PG_GETARG_DATUM(argno);
	if (c->xsteps_datum == d && c->nxsteps == nexcl && d != (Datum) 0 && funnel_arg_stable(fcinfo, c, argno))
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
	JySlab	   *slab;
	Datum	   *sv,
			   *xv;
	bool	   *sn,
			   *xn;
	int			ns,
				nx;
	int64		ts,
				before;
	bool		any;

	aggcxt = jy_agg_context(fcinfo, "funnel_step_trans");
	c = funnel_get_cache(fcinfo);
	conf.window = funnel_window_arg(fcinfo, c, 2);
	conf.modes = funnel_modes_arg(fcinfo, c, 3);
	jy_arg_not_null(fcinfo, 4, "funnel steps array", NULL);
	jy_arg_not_null(fcinfo, 5, "funnel exclusions array", "Pass ARRAY[]::boolean[] for no exclusions.");
	bool_array(PG_GETARG_ARRAYTYPE_P(4), "funnel steps", &sv, &sn, &ns);
	funnel_check_nsteps(ns);
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
	if (!funnel_row_begin(fcinfo, aggcxt, c, &conf, &st, &slab, &ts, &before))
		PG_RETURN_POINTER(st);
	funnel_add_bools(&st, ts, xv, xn, nx, JY_FUNNEL_TAG_EXCL(0), slab);
	any = funnel_add_bools(&st, ts, sv, sn, ns, JY_FUNNEL_TAG_STEP(0), slab);
	funnel_row_end(&st, ts, before, any, slab);
	PG_RETURN_POINTER(st);
}

/* funnel_step(ts, window, event text, step_names text[] [, mode text]) */
Datum
jy_funnel_trans_names(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	FunnelCache *c;
	FunnelConf	conf;
	FunnelAgg  *st;
	JySlab	   *slab;
	int			k;
	int64		ts,
				before;
	bool		any = false;

	aggcxt = jy_agg_context(fcinfo, "funnel_step_trans");
	c = funnel_get_cache(fcinfo);
	conf.window = funnel_window_arg(fcinfo, c, 2);
	conf.modes = PG_NARGS() > 5 ? funnel_modes_arg(fcinfo, c, 5) : 0;
	conf.nexcl = 0;
	conf.excl = NULL;
	funnel_names_arg(fcinfo, c, 4);
	conf.nsteps = c->nnames;
	if (!funnel_row_begin(fcinfo, aggcxt, c, &conf, &st, &slab, &ts, &before))
		PG_RETURN_POINTER(st);
	if (!PG_ARGISNULL(3))
	{
		text	   *ev = PG_GETARG_TEXT_PP(3);
		int			len = VARSIZE_ANY_EXHDR(ev);
		const char *p = VARDATA_ANY(ev);

		for (k = 0; k < c->nnames; k++)
			if (c->namelens[k] == len && memcmp(c->names[k], p, len) == 0)
			{
				funnel_add(&st, ts, JY_FUNNEL_TAG_STEP(k), slab);
				any = true;
			}
	}
	funnel_row_end(&st, ts, before, any, slab);
	PG_RETURN_POINTER(st);
}

Datum
jy_funnel_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = jy_agg_context(fcinfo, "funnel_combine");
	FunnelAgg  *a,
			   *b;
	JySlab	   *slab;
	int64		i;

	JY_COMBINE_ARGS(FunnelAgg, a, b);
	slab = funnel_slab(fcinfo, funnel_get_cache(fcinfo), aggcxt);
	if (a == NULL)
		a = funnel_new_state(slab, b->conf, b->n);	/* b's configuration lives as long as the query */
	else
		funnel_conf_check_same(a->conf, b->conf);
	if (b->n > 0)
	{
		uint32		off = a->next_row;

		if ((uint64) a->next_row + b->next_row > PG_UINT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many matching rows in one funnel group")));
		a = funnel_reserve(a, b->n, slab);
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
	PG_RETURN_POINTER(a);
}

/* serialized: window int64, nsteps int32, modes uint16, nexcl uint16, sorted uint8,
 * next_row uint32, n int64, excl pairs (2 x uint16), entries (native JyFunnelEntry) */
Datum
jy_funnel_serial(PG_FUNCTION_ARGS)
{
	FunnelAgg  *st = (FunnelAgg *) PG_GETARG_POINTER(0);
	const FunnelConf *cf = st->conf;
	StringInfoData buf;
	int64		i;

	jy_serial_begin(&buf, 29 + (Size) cf->nexcl * 4 + (Size) st->n * sizeof(JyFunnelEntry),
					"funnel aggregate state");
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

/*
 * The state is built in the per-row context (CurrentMemoryContext), not the
 * aggregate context: combine copies it into the group's state.
 */
Datum
jy_funnel_deserial(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	FunnelConf	conf;
	FunnelAgg  *st;
	JyFunnelExcl excl[JY_FUNNEL_MAX_EXCL];
	int64		n,
				i;
	uint8		sorted;
	uint32		next_row;

	jy_deserial_begin(fcinfo, &buf, "funnel_deserial");
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
		elog(ERROR, "corrupt funnel aggregate state");
	for (i = 0; i < conf.nexcl; i++)
	{
		excl[i].from = (uint16) pq_getmsgint(&buf, 2);
		excl[i].to = (uint16) pq_getmsgint(&buf, 2);
		if (!(excl[i].from >= 1 && excl[i].from < excl[i].to && excl[i].to <= conf.nsteps))
			elog(ERROR, "corrupt funnel aggregate state");
	}
	conf.excl = excl;
	{
		/* interned at the deserialize function's call site: lives as long as the query */
		FunnelCache *c = funnel_get_cache(fcinfo);

		st = (FunnelAgg *) MemoryContextAllocHuge(CurrentMemoryContext, FUNNEL_BYTES(n));
		funnel_init(st, funnel_conf_intern(&c->confs, fcinfo->flinfo->fn_mcxt, &conf), (int32) n);
	}
	if (n > 0)
		pq_copymsgbytes(&buf, (char *) st->e, n * sizeof(JyFunnelEntry));
	jy_deserial_end(&buf);
	for (i = 0; i < n; i++)
		if (st->e[i].row >= next_row)
			elog(ERROR, "corrupt funnel aggregate state");
	st->n = (int32) n;
	st->sorted = sorted != 0;
	st->next_row = next_row;
	PG_RETURN_POINTER(st);
}

static int
funnel_evaluate(FunctionCallInfo fcinfo, FunnelAgg *st, int64 *times)
{
	FinalCache *fc = (FinalCache *) fcinfo->flinfo->fn_extra;

	if (fc == NULL)
		fc = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(FinalCache));
	return funnel_eval_entries(fc, fcinfo->flinfo->fn_mcxt, st->conf, st->e, st->n, &st->sorted, times);
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
	PG_RETURN_ARRAYTYPE_P(funnel_times_array(times, nsteps, lv));
}

