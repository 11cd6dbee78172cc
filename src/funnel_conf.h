/*
 * funnel_conf.h — what the funnel glue files share (src/funnel_conf.c):
 * the configuration of a funnel call (window, steps, modes, exclusions) read
 * from its arguments and cached per call site, and the evaluation of a
 * user's entries with the engine (src/engine/funnel.h).  Used by the
 * per-user aggregates (funnel_agg.c), the journey forms (funnel_fn.c) and
 * funnel_summary() (funnel_summary_agg.c, for the step limit).
 */
#ifndef FUNNEL_CONF_H
#define FUNNEL_CONF_H

#include "jy_agg.h"

#include "utils/array.h"
#include "utils/memutils.h"

#include "funnel.h"

/* entries of one group (one per matched step, plus markers and exclusions) */
#define FUNNEL_MAX_ENTRIES ((int32) (MaxAllocSize / sizeof(JyFunnelEntry)))

/*
 * Configuration of a funnel (window, steps, modes, exclusions).  Rows of one
 * group must agree on it.  Configurations are interned per call site (in the
 * function's fn_mcxt, which outlives the aggregate states) and never
 * modified, so an aggregate state only keeps a pointer.
 */
typedef struct FunnelConf
{
	int64		window;
	int32		nsteps;
	uint16		modes;
	uint16		nexcl;
	JyFunnelExcl *excl;
} FunnelConf;

#define FUNNEL_CONF_KEEP 8

/* interned configurations of one call site */
typedef struct ConfSet
{
	int			n;
	int			next;			/* slot to recycle (round robin) when the list is full */
	const FunnelConf *last;
	const FunnelConf *list[FUNNEL_CONF_KEEP];
} ConfSet;

/* per call site cache (fn_extra of the transition function) */
typedef struct FunnelCache
{
	bool		types_checked;
	bool		variadic;		/* steps came as one VARIADIC array */
	int			first_step;		/* argument number of step 1 (boolean forms) */
	bool		mode_cstring;	/* the mode is an unknown literal (a cstring) */
	uint64		arg_known;		/* bit i: stability of argument i is known */
	uint64		arg_stable;		/* bit i: argument i is a constant or parameter */
	int64		window_us;		/* value of a stable window argument, 0 = not yet read */
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
	/* the aggregate states' blocks (funnel_agg.c), one slab per aggregate context */
	JySlabSlot *slabs;
} FunnelCache;

/* the call site's FunnelCache in fn_extra (created zeroed) */
extern FunnelCache *funnel_get_cache(FunctionCallInfo fcinfo);

/* the interned copy of c (equal configurations share one) */
extern const FunnelConf *funnel_conf_intern(ConfSet *cs, MemoryContext mcxt, const FunnelConf *c);
extern bool funnel_conf_equal(const FunnelConf *a, const FunnelConf *b);
/* error 22023 unless the row's configuration r equals the group's g */
extern void funnel_conf_check_same(const FunnelConf *g, const FunnelConf *r);

/* is argument argno the same value on every row (a Const or Param)? */
extern bool funnel_arg_stable(FunctionCallInfo fcinfo, FunnelCache *c, int argno);

/* the arguments: window (> 0), mode list, step names (into c->names), number of steps */
extern int64 funnel_window_arg(FunctionCallInfo fcinfo, FunnelCache *c, int argno);
extern uint16 funnel_modes_arg(FunctionCallInfo fcinfo, FunnelCache *c, int argno);
extern void funnel_names_arg(FunctionCallInfo fcinfo, FunnelCache *c, int argno);
extern void funnel_check_nsteps(int n);

/* engine buffers kept across groups in a final function's fn_extra */
typedef struct FinalCache
{
	void	   *work;
	size_t		size;
	JyFunnelEntry *scratch;
	int64		scratch_n;
} FinalCache;

/*
 * Sort entries e[0..n) unless *sorted (then sets it), run the engine; the
 * level reached, times[0..level) of the winning chain when times != NULL.
 */
extern int	funnel_eval_entries(FinalCache *fc, MemoryContext mcxt, const FunnelConf *conf,
								JyFunnelEntry *e, int32 n, bool *sorted, int64 *times);

/* the funnel_times result: times[0..lv) of the winning chain, NULL past the level reached */
extern ArrayType *funnel_times_array(const int64 *times, int nsteps, int lv);

#endif
