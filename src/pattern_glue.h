/*
 * pattern_glue.h — what the pattern capability's glue files share
 * (pattern_common.c: compiled-pattern cache, allocation and errors, the
 * (time, tie key, index) sort key; pattern_agg.c: the aggregates;
 * pattern_fn.c: functions over arrays and journeys).
 */
#ifndef PATTERN_GLUE_H
#define PATTERN_GLUE_H

#include "jy_agg.h"

#include "pattern.h"

#define KIND_JOURNEY	0
#define KIND_CH			1

/* ---- compiled-pattern cache (fn_extra) ----------------------------------- */

typedef struct PatCache
{
	int			kind;
	int			nconds;
	char	   *key;
	int			keylen;
	JyPattern  *jp;
	JyChPattern *cp;
	JyPatScratch *scratch;
	JyAlloc		alloc;
	int32	   *ids;			/* aggregate finals: pattern-local ids, reused */
	int64		idcap;
	bool		skips_others;	/* journey patterns: jy_pat_skips_others */
	uint8		pl_width;		/* aggregates: bytes per stored payload (1, 2 or 4) */
	int8		arg_stable;		/* aggregates: pattern argument constant (1), not (0), unknown (-1) */
	struct JySlabSlot *slabs;	/* aggregates: state allocators, one per aggregate context (jy_slab) */
	void	   *empty;			/* aggregates: the shared empty state (pattern_agg.c) */
} PatCache;

/* ---- sorting (ts, payload) by ts, stable --------------------------------- */

typedef struct TsIdx
{
	int64		ts;
	uint32		key;			/* tie order: name key (journey) or condition mask (sequence_*) */
	int64		idx;
} TsIdx;

/* JyAlloc callback: palloc in the memory context passed as arg */
extern void *jy_pat_ctx_alloc(void *arg, size_t sz);

/*
 * The compiled program of pattern text pat[0..len) for kind (KIND_JOURNEY or
 * KIND_CH with nconds conditions), cached in flinfo->fn_extra; a pattern that
 * does not compile is reported as 22023 / 2201B with its position.
 */
extern PatCache *jy_pat_cache_get(FmgrInfo *flinfo, const char *pat, int len, int kind, int nconds);

/* jy_sort comparator of TsIdx: time, then tie key, then index (stable) */
extern int	jy_pat_tsidx_cmp(const void *a, const void *b, void *arg);

#endif
