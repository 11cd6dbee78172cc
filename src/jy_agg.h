/*
 * jy_agg.h — the aggregate toolkit: the pieces every aggregate's support
 * functions (transition, combine, serialize, deserialize, final) repeat.
 * Glue only (includes postgres.h through journey.h); engines take the tick
 * callback `jy_tick` where they accept `void (*tick) (void *)`.
 *
 * The shape of an aggregate with an `internal` state (copy from
 * src/pattern_agg.c):
 *
 *   trans:    MemoryContext aggcxt = jy_agg_context(fcinfo, "x transition function");
 *             state created in aggcxt at the first row; arrays grown with
 *             jy_grow (54000 past the limit); settings that must not change
 *             within a group checked with jy_arg_differs.
 *   combine:  JY_COMBINE_ARGS(XState, a, b) returns a (or NULL) when b is
 *             NULL; when a is NULL, copy b into a new state in aggcxt.
 *   serial:   jy_serial_begin(&buf, bytes, "x aggregate state"), pq_send*,
 *             PG_RETURN_BYTEA_P(pq_endtypsend(&buf)).
 *   deserial: jy_deserial_begin(fcinfo, &buf, "x deserialize function"),
 *             pq_getmsg* / pq_copymsgbytes, jy_deserial_end(&buf); the
 *             state is allocated in CurrentMemoryContext (the per-input-row
 *             context): combine copies it into the aggregate context, so an
 *             allocation there would be kept twice until the group ends.
 *   final:    engines called with jy_tick; counters merged with jy_add_checked.
 */
#ifndef JY_AGG_H
#define JY_AGG_H

#include "journey.h"

#include "lib/stringinfo.h"
#include "libpq/pqformat.h"

/*
 * The aggregate memory context of an aggregate support function.  Outside an
 * aggregate: elog(ERROR, "<fn> called in non-aggregate context") (these
 * functions take or return `internal`, so SQL cannot call them directly).
 */
extern MemoryContext jy_agg_context(FunctionCallInfo fcinfo, const char *fn);

/*
 * The state of a final function (argument 0), NULL when no row created one;
 * checks the aggregate context like jy_agg_context (fn names the function).
 */
extern void *jy_agg_final_state(FunctionCallInfo fcinfo, const char *fn);

/*
 * Combine prelude (non-strict combine function of an `internal` state):
 * a and b are set from arguments 0 and 1 (NULL for SQL NULL); when b is NULL
 * the function returns a, or NULL when both are NULL.  After it b != NULL; a
 * may be NULL, and the caller then copies b into a new state in the
 * aggregate context (the executor frees nothing of b's).
 */
#define JY_COMBINE_ARGS(TYPE, a, b) \
	do { \
		(a) = PG_ARGISNULL(0) ? NULL : (TYPE *) PG_GETARG_POINTER(0); \
		(b) = PG_ARGISNULL(1) ? NULL : (TYPE *) PG_GETARG_POINTER(1); \
		if ((b) == NULL) \
		{ \
			if ((a) == NULL) \
				PG_RETURN_NULL(); \
			PG_RETURN_POINTER(a); \
		} \
	} while (0)

/*
 * Argument 0 of a strict merge function of varlena summaries (transition and
 * combine function of their rollup, also callable from SQL), detoasted.
 * *inplace: it may be updated in place, i.e. the call is inside an aggregate
 * (so argument 0 is the aggregate's own state) and detoasting made no copy.
 */
extern struct varlena *jy_agg_merge_arg(FunctionCallInfo fcinfo, bool *inplace);

/*
 * Growth of an array of elemsize-byte elements.
 *
 * jy_grow_cap: the new capacity for `need` elements, max(need, 2 * cap, 8)
 * capped at limit; need > limit errors 54000 with
 *   errmsg("too many <what>"), errdetail("The limit is <limit> <per>.")
 * e.g. what = "events in one group for pattern matching",
 * per = "events per group".  (For a block with a header and several arrays,
 * which reallocates itself.)
 *
 * jy_grow: room for `need` elements in p (capacity *cap elements); keeps the
 * contents (repalloc, in p's context) and returns the new pointer; a NULL p
 * is allocated in cxt.  Allocations may pass 1 GB (huge) when limit allows.
 */
extern int64 jy_grow_cap(int64 cap, int64 need, int64 limit, const char *what, const char *per);

/*
 * Capacity classes of a state that moves to a bigger block as it grows
 * (jy_slab below): the smallest of the ascending classes caps[0 .. ncaps-1]
 * that holds need elements; past the last class jy_grow_cap(cap, need,
 * limit, what, per).
 */
extern int64 jy_class_cap(const uint32 *caps, int ncaps, int64 cap, int64 need,
						  int64 limit, const char *what, const char *per);
extern void *jy_grow(MemoryContext cxt, void *p, int64 *cap, int64 need, Size elemsize,
					 int64 limit, const char *what, const char *per);

/*
 * Argument 0 as it is, SQL NULL when it is NULL: the result of a non-strict
 * transition or merge function for a row that adds nothing,
 *   if (PG_ARGISNULL(1)) return jy_agg_unchanged(fcinfo);
 */
extern Datum jy_agg_unchanged(FunctionCallInfo fcinfo);

/* The engines' interrupt callback: CHECK_FOR_INTERRUPTS(); arg is unused. */
extern void jy_tick(void *arg);

/*
 * Sort that honours cancellation (a plain qsort of 10M elements runs seconds
 * without a check): the engine's merge sort jy_sort_ex (src/engine/jy_sort.h)
 * with a palloc'd scratch and jy_tick.  cmp(a, b, cmp_arg) as for qsort_arg;
 * stable.
 */
extern void jy_sort(void *base, int64 n, Size size,
					int (*cmp) (const void *, const void *, void *), void *cmp_arg);

/*
 * Checked int64 arithmetic: a + b (a * b), or ERROR 22003 with errmsg(msg),
 * msg a complete message such as "user count out of range".
 */
extern int64 jy_add_checked(int64 a, int64 b, const char *msg);
extern int64 jy_mul_checked(int64 a, int64 b, const char *msg);

/*
 * "Is this argument the same on every row of the group?": the one message
 * when it is not, 22023
 *   errmsg("<what> must be the same for every row of a <scope>")
 * with an optional errdetail (printf format, NULL for none).  scope is
 * "group" for aggregates, "partition" for window functions.
 */
extern void jy_arg_differs(const char *what, const char *scope, const char *detail_fmt,...)
			pg_attribute_printf(3, 4) pg_attribute_noreturn();

/*
 * true when argument argno is absent (PG_NARGS() <= argno) or the planner
 * can tell it is the same on every call (a constant or a parameter), so a
 * function may read it once and skip the per-row comparison.
 */
extern bool jy_arg_stable(FunctionCallInfo fcinfo, int argno);

/*
 * Serialize: buf begun with pq_begintypsend and room for `bytes` payload
 * bytes; a payload above 1 GB errors 54000
 * "<what> too large to pass between parallel workers".  Finish with
 * PG_RETURN_BYTEA_P(pq_endtypsend(&buf)).
 */
extern void jy_serial_begin(StringInfo buf, Size bytes, const char *what);

/*
 * Deserialize: buf reads the bytea argument 0 in place (no copy); checks the
 * aggregate context (fn names the function for the error).  Read with
 * pq_getmsg* / pq_copymsgbytes, then jy_deserial_end (pq_getmsgend: errors
 * 08P01 when bytes are left over; reading past the end errors the same).
 */
extern void jy_deserial_begin(FunctionCallInfo fcinfo, StringInfo buf, const char *fn);
extern void jy_deserial_end(StringInfo buf);

/*
 * Per-group blocks without per-chunk overhead (hash aggregation over
 * millions of groups: an AllocSet chunk costs a 16-byte header and a
 * power-of-two rounding per state).  A JySlab belongs to one aggregate
 * memory context: blocks are carved from big blocks of that context (so hash
 * aggregation counts them against work_mem and frees them with the
 * context), freed blocks go to a free list per size for other groups; sizes
 * are MAXALIGNed, requests above JY_SLAB_MAX_CHUNK are ordinary (huge)
 * allocations in the context.  Free lists: one per multiple of 8 bytes up
 * to JY_SLAB_SMALL_CHUNK, and JY_SLAB_NLARGE lists for exact larger sizes
 * (the first sizes freed; a block of a further size stays unused until the
 * context is reset: capacity classes have a handful of large sizes).
 *
 * Found through the call site's cache (fn_extra), one slot per aggregate
 * context (grouping sets), forgotten when the context is reset or deleted:
 *
 *   JySlabSlot *slots;   (in the call site's fn_extra cache, zeroed)
 *   JySlab *s = jy_slab_get(&slots, fcinfo->flinfo->fn_mcxt, aggcxt);
 *   p = jy_slab_alloc(s, bytes); ... jy_slab_free(s, p, bytes);
 *
 * or owned by a per-context object of the caller that already has its own
 * slot and reset callback (journey_agg's name dictionary):
 * s = jy_slab_create(aggcxt), freed with the context.
 *
 * jy_slab_free must get the size the block was allocated with.  A block
 * may be freed through another JySlab of the same context (combine and
 * transition functions have separate call sites).
 */
#define JY_SLAB_SMALL_CHUNK ((Size) 2048)
#define JY_SLAB_MAX_CHUNK ((Size) 8192)
#define JY_SLAB_NLARGE 16

typedef struct JySlab JySlab;
typedef struct JySlabSlot JySlabSlot;

extern JySlab *jy_slab_get(JySlabSlot **slots, MemoryContext slotcxt, MemoryContext aggcxt);
extern JySlab *jy_slab_create(MemoryContext cxt);
extern void *jy_slab_alloc(JySlab *s, Size bytes);
extern void jy_slab_free(JySlab *s, void *p, Size bytes);

/*
 * The move of a one-block state to its next class: a new block of new_bytes
 * holding the first keep_bytes of p, and p (a block of old_bytes) freed.
 */
extern void *jy_slab_move(JySlab *s, void *p, Size keep_bytes, Size old_bytes, Size new_bytes);

#endif
