/*
 * funnel_summary_type.h — the funnel_summary SQL type for its glue files
 * (funnel_summary_io.c type I/O, funnel_summary_agg.c aggregates and
 * report).  Layout, validation, text and binary forms, adding a user and
 * merge are the engine's: src/engine/funnel_summary.h.
 */
#ifndef FUNNEL_SUMMARY_TYPE_H
#define FUNNEL_SUMMARY_TYPE_H

#include "summary_type.h"
#include "funnel_summary.h"

#define DatumGetFunnelSummaryP(d) ((JyFunnelSummary *) PG_DETOAST_DATUM(d))
#define PG_GETARG_FUNNEL_SUMMARY_P(n) DatumGetFunnelSummaryP(PG_GETARG_DATUM(n))

/* A zeroed value of version 1 with nsteps steps and room for total entries (palloc). */
static inline JyFunnelSummary *
fs_alloc(uint32 nsteps, Size total)
{
	JyFunnelSummary *s = (JyFunnelSummary *) palloc(JY_FS_SIZE(nsteps, total));

	SET_VARSIZE(s, JY_FS_SIZE(nsteps, total));
	jy_fs_init(s, nsteps, total);
	return s;
}

#endif
