/*
 * session_stats_type.h — the session_stats SQL type for its glue files
 * (session_stats_io.c type I/O, session_stats_agg.c aggregates,
 * session_stats_fn.c accessors).  Layout, validation, text and binary forms
 * and merge are the engine's: src/engine/session_stats.h.
 */
#ifndef SESSION_STATS_TYPE_H
#define SESSION_STATS_TYPE_H

#include "summary_type.h"
#include "session_stats.h"

#define DatumGetSessionStatsP(d) ((JySessionStats *) PG_DETOAST_DATUM(d))
#define PG_GETARG_SESSION_STATS_P(n) DatumGetSessionStatsP(PG_GETARG_DATUM(n))

/* A zeroed value of version 1 with room for n histogram entries (palloc). */
static inline JySessionStats *
ss_alloc(uint32 n)
{
	JySessionStats *s = (JySessionStats *) palloc(JY_SS_SIZE(n));

	SET_VARSIZE(s, JY_SS_SIZE(n));
	jy_ss_init(s, n);
	return s;
}

/*
 * The summary of n >= 1 sorted timestamps (session_stats_agg.c: the
 * aggregate's final function and journey_session_stats).  hist: scratch for
 * the duration histogram with room for Min(n, JY_SS_MAX_ENTRIES) + 1
 * entries, or NULL to use a palloc'd one.  22003 when the total duration
 * overflows.
 */
extern JySessionStats *ss_from_sorted(const int64 *ts, int64 n, int64 gap, int64 max_len,
									  uint64 *hist);

#endif
