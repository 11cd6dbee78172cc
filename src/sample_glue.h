/*
 * sample_glue.h — glue shared by the sample generators (sample_glue.c,
 * sample_identity_glue.c).
 */
#ifndef SAMPLE_GLUE_H
#define SAMPLE_GLUE_H

#include "journey.h"

#define SAMPLE_MAX_USERS 100000000

/*
 * The (users, seed) arguments 0 and 1 of journey_sample_events and
 * journey_sample_identities: 22004 when NULL, 22023 when users is outside
 * 0 .. SAMPLE_MAX_USERS.  Then starts the materialized result set.
 */
extern void jy_sample_args(FunctionCallInfo fcinfo, int32 *users, int32 *seed);

#endif
