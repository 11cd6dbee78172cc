/*
 * journey.h — shared helpers of the fmgr glue (the only layer that includes
 * postgres.h).  Engines live in src/engine and know nothing of PostgreSQL.
 */
#ifndef JOURNEY_H
#define JOURNEY_H

#include "postgres.h"
#include "fmgr.h"
#include "utils/timestamp.h"

/*
 * An interval as microseconds, with PostgreSQL's interval-comparison
 * convention (1 day = 24 hours, 1 month = 30 days), so that "gap > interval"
 * means exactly what `ts - lag(ts) > interval` means in SQL.  Errors (22008)
 * on overflow.
 */
extern int64 jy_interval_usecs(const Interval *iv, const char *argname);

/*
 * A positive duration argument: errors 22004 when NULL, 22023 when <= 0.
 */
extern int64 jy_positive_interval_arg(FunctionCallInfo fcinfo, int argno, const char *argname);

/* palloc'd "1 day 02:00:00"-style text of a microsecond count, for messages */
extern char *jy_usecs_to_cstring(int64 usecs);

/* Interval datum for a microsecond duration (days/time split like justify_hours) */
extern Interval *jy_usecs_to_interval(int64 usecs);

#endif
