/*
 * funnel.h — window funnels with ClickHouse windowFunnel semantics.
 *
 * A user's events become entries: one per (row, matched step), plus, in
 * strict_order mode, one "marker" per row that matches no step, plus one per
 * (row, matched exclusion).  An entry is 16 bytes.  Entries are evaluated in
 * (ts, tag) order, where the tag orders, at equal timestamps: markers first,
 * then exclusions, then steps by step index.  That is ClickHouse's order for
 * markers and steps (it sorts (timestamp, step) pairs), made total.
 *
 * jy_funnel_eval() is ClickHouse's scan (AggregateFunctionWindowFunnel),
 * re-implemented with:
 *   - any number of steps (up to JY_FUNNEL_MAX_STEPS),
 *   - the chain of the result ("winning chain") reported step by step,
 *   - exclusions: an entry of exclusion x between steps a < b cancels every
 *     partial chain that has reached a step in [a, b) at that moment, i.e. a
 *     chain is invalid from step b on when t(a) < t(x) <= t(b),
 *   - strict_once evaluated with bounded memory (partial chains that ended
 *     before the current timestamp are folded to the one starting latest,
 *     which dominates the others; ClickHouse keeps them all).
 * See doc/funnel.md for the semantics of each mode.
 */
#ifndef JY_FUNNEL_H
#define JY_FUNNEL_H

#include "jy_engine.h"

#define JY_FUNNEL_MAX_STEPS		1024
#define JY_FUNNEL_MAX_EXCL		64

/* modes (bit flags) */
#define JY_FUNNEL_STRICT_DEDUP		0x01	/* strict_deduplication */
#define JY_FUNNEL_STRICT_ORDER		0x02	/* strict_order */
#define JY_FUNNEL_STRICT_INCREASE	0x04	/* strict_increase */
#define JY_FUNNEL_STRICT_ONCE		0x08	/* strict_once */
#define JY_FUNNEL_ALLOW_REENTRY		0x10	/* allow_reentry (needs strict_order) */
#define JY_FUNNEL_ALL_MODES			0x1f

/* entry tags: class in the top 8 bits, index in the low 24 */
#define JY_FUNNEL_TAG_MARK			UINT32_C(0)
#define JY_FUNNEL_TAG_EXCL(i)		((UINT32_C(1) << 24) | (uint32_t) (i))
#define JY_FUNNEL_TAG_STEP(i)		((UINT32_C(2) << 24) | (uint32_t) (i))	/* i is 0-based */
#define JY_FUNNEL_TAG_CLASS(t)		((t) >> 24)
#define JY_FUNNEL_TAG_INDEX(t)		((t) & UINT32_C(0xffffff))

typedef struct JyFunnelEntry
{
	int64_t		ts;
	uint32_t	tag;
	uint32_t	row;			/* identifies the input row (strict_once) */
} JyFunnelEntry;

typedef struct JyFunnelExcl
{
	uint16_t	from;			/* 1-based steps, 1 <= from < to <= nsteps */
	uint16_t	to;
} JyFunnelExcl;

typedef struct JyFunnelSpec
{
	int64_t		window;			/* > 0, inclusive */
	int			nsteps;			/* 1 .. JY_FUNNEL_MAX_STEPS */
	unsigned	modes;
	int			nexcl;
	const JyFunnelExcl *excl;
} JyFunnelSpec;

/* sort key order: (ts, tag); true when a must come after b */
static inline bool
jy_funnel_entry_gt(const JyFunnelEntry *a, const JyFunnelEntry *b)
{
	return a->ts > b->ts || (a->ts == b->ts && a->tag > b->tag);
}

/* Parse a mode list ("strict_order, strict_once", "" or "default" = none).
 * Returns 0 and sets *modes, or an error code below; *bad points at the
 * offending name (length *badlen) for the message. */
#define JY_FUNNEL_MODE_OK			0
#define JY_FUNNEL_MODE_UNKNOWN		1
#define JY_FUNNEL_MODE_STRICT		2	/* old name "strict" */
#define JY_FUNNEL_MODE_REENTRY		3	/* allow_reentry without strict_order */
int jy_funnel_parse_modes(const char *s, unsigned *modes, const char **bad, int *badlen);
extern const char *const jy_funnel_mode_names;	/* "default, strict_deduplication, ..." */

/*
 * Sort entries into evaluation order; scratch holds n entries.  The order is
 * (ts, tag), and within one (ts, step) the rows in the tie order below, so it
 * depends only on the multiset of rows, not on the order they arrived in.
 *
 * Tie order: rows at one timestamp are ranked by their set of matched steps
 * read as a binary number, step k being bit k-1 (so {1} < {2} < {1,2} < {3}
 * < {1,3} ...: compared from the highest step down).  Exclusions and
 * markers do not take part: at one timestamp they come before every step
 * and the engine does not look at their row.  Rows with the same step set
 * at one timestamp are interchangeable (the engine only compares rows for
 * equality), so their relative order does not matter.  The row ids of tied
 * rows are permuted so that they increase with rank (they stay unique).
 */
void jy_funnel_sort(JyFunnelEntry *e, size_t n, JyFunnelEntry *scratch);
/* the same, calling tick(arg) between passes (cancellation) */
void jy_funnel_sort_ex(JyFunnelEntry *e, size_t n, JyFunnelEntry *scratch, void (*tick) (void *), void *arg);
/* its two phases: the stable (ts, tag) merge sort, then the tie order on entries sorted by (ts, tag)
 * (a linear scan unless a step is matched by several rows at one timestamp; idempotent) */
void jy_funnel_sort_ts_tag(JyFunnelEntry *e, size_t n, JyFunnelEntry *scratch, void (*tick) (void *), void *arg);
void jy_funnel_order_ties(JyFunnelEntry *e, size_t n, JyFunnelEntry *scratch, void (*tick) (void *), void *arg);
/* entries of scratch jy_funnel_order_ties needs (the longest tied run; 0 = nothing to do) */
size_t jy_funnel_ties_scratch(const JyFunnelEntry *e, size_t n);

/* Partial chain record (engine workspace). */
typedef struct JyFunnelRec
{
	int64_t		first;			/* ts of the chain's step 1 */
	int32_t		entry;			/* entry that reached this record's step */
	int32_t		parent;			/* record of the previous step, -1 at step 1 */
} JyFunnelRec;

/*
 * Workspace for jy_funnel_eval: allocate jy_funnel_work_size(spec, n) bytes
 * (8-byte aligned).  For strict_once, the record pool may need to grow past
 * n records: eval then returns JY_FUNNEL_NEED_MORE with *need set to the
 * number of bytes to call again with.
 */
size_t jy_funnel_work_size(const JyFunnelSpec *spec, size_t n, size_t nrecs);

#define JY_FUNNEL_NEED_MORE		(-1)
#define JY_FUNNEL_TOO_MANY		(-2)	/* more than JY_FUNNEL_MAX_RECS partial chains */
/* 2^25 records: with the per-record links, ~0.7 GB of workspace at most */
#define JY_FUNNEL_MAX_RECS		(UINT32_C(1) << 25)

/*
 * Evaluate the funnel over n entries sorted by (ts, tag).  Returns the level
 * reached (0..nsteps), or JY_FUNNEL_NEED_MORE / JY_FUNNEL_TOO_MANY.
 * If times != NULL it receives nsteps timestamps: those of the winning chain
 * for steps 1..level; the rest are left untouched.
 * The winning chain is the first chain (in evaluation order) that reaches the
 * final level: its last step is the earliest event completing any chain that
 * deep, and it starts as late as possible.
 */
int jy_funnel_eval(const JyFunnelSpec *spec, const JyFunnelEntry *e, size_t n,
				   int64_t *times, void *work, size_t worksize, size_t *need);
/*
 * The same, calling tick(arg) every 2^18 steps of work (entries, and chains
 * visited at one timestamp under strict_once); tick may be NULL.  For
 * cancellation: one pass over 10M entries is a stretch of a second.
 */
int jy_funnel_eval_ex(const JyFunnelSpec *spec, const JyFunnelEntry *e, size_t n,
					  int64_t *times, void *work, size_t worksize, size_t *need,
					  void (*tick) (void *), void *arg);

#endif
