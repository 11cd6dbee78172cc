/*
 * attribution_glue.h — what the attribution glue files share (engines:
 * src/engine/attribution.h for paths, credit models and the Markov solve,
 * src/engine/markov_chain.h for the journey_markov_chain codec):
 *
 *   attribution_common.c   array arguments and composite-array results
 *   attribution_paths.c    journey_conversion_paths (aggregate)
 *   attribution_credit.c   journey_attribution_credit (heuristic models)
 *   markov_chain_io.c      journey_markov_chain type I/O (text, binary)
 *   markov_agg.c           the chain while an aggregate runs (expanded
 *                          object), transition and merge (rollup, combine)
 *   markov_fn.c            journey_markov_credits (also the final function of
 *                          journey_markov_attribution), journey_markov_credit
 */
#ifndef ATTRIBUTION_GLUE_H
#define ATTRIBUTION_GLUE_H

#include "jy_agg.h"
#include "summary_type.h"

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"

#include "attribution.h"
#include "markov_chain.h"

/* the channel of a conversion without touchpoints */
#define JY_DIRECT_NONE "direct/none"
#define JY_MAX_CHANNEL_LEN JY_MKC_MAX_CHANNEL_LEN

/* ---- attribution_common.c ---------------------------------------------- */

/*
 * The elements of a one-dimensional text[] or float8[] / timestamptz[]
 * argument `name`: 2202E when it has more than one dimension, 22004 when an
 * element is NULL.
 */
extern Datum *jy_attr_array_elems(ArrayType *a, const char *name, int *n);

/* The channels argument argno (22004 when NULL), as jy_attr_array_elems. */
extern Datum *jy_attr_channels_arg(FunctionCallInfo fcinfo, int argno, int *n);

/* The blessed composite element type of the function's array result. */
extern TupleDesc jy_attr_result_element_desc(FunctionCallInfo fcinfo, Oid *elemtype);

/* An array of n composite rows of type elemtype. */
extern ArrayType *jy_attr_rows_array(Datum *rows, int n, Oid elemtype);

/* "channel name is too long" (54000) when len passes JY_MAX_CHANNEL_LEN */
extern void jy_attr_check_channel_len(size_t len);

/* FNV-1a of a channel name */
static inline uint32
jy_attr_name_hash(const char *p, size_t n)
{
	uint32		h = 2166136261u;
	size_t		i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char) p[i]) * 16777619u;
	return h;
}

/* ---- journey_markov_chain ------------------------------------------------ */

#define DatumGetMkFlatP(d) ((JyMkFlat *) PG_DETOAST_DATUM(d))

/* markov_chain_io.c: 54000 "Markov chain is too large" */
extern void jy_mk_too_big(void) pg_attribute_noreturn();

/* markov_chain_io.c: jy_mkc_validate with the database encoding; errors with invalid_errcode */
extern void jy_mk_validate(const JyMkFlat *f, Size size, int invalid_errcode);

#endif
