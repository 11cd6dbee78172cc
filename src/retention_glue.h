/*
 * retention_glue.h — what the retention glue files share (glue only: includes
 * postgres.h).  The capability's files:
 *
 *   src/engine/retention.c         periods, per-user bitmaps, count arrays, one-pass table
 *   src/engine/retention_codec.c   the cohort_retention type: layout, validation,
 *                                  text / binary forms, merge, report numbers
 *   src/retention_period.c         settings (period, periods, tz, cohort type) and
 *                                  timestamps -> period keys with PostgreSQL's time zones
 *   src/cohort_retention_io.c      type I/O, cohort_retention_merge / rollup()
 *   src/retention_agg.c            cohort_retention(ts | journey, ...) aggregates,
 *                                  retention(VARIADIC boolean[])
 *   src/retention_summary.c        retention_summary(user_id, ts, ...) aggregate
 *   src/retention_fn.c             retention_matrix, _lifecycle, _cohort, _users,
 *                                  _periods, _stickiness, _last_activity
 */
#ifndef RETENTION_GLUE_H
#define RETENTION_GLUE_H

#include "jy_agg.h"

#include "miscadmin.h"
#include "pgtime.h"
#include "utils/memutils.h"
#include "utils/date.h"

#include "retention_codec.h"

/* the varlena value: the engine's layout (vl_len_ first) */
typedef JyCr CohortRetention;

#define DatumGetCohortRetentionP(d) ((CohortRetention *) PG_DETOAST_DATUM(d))
#define PG_GETARG_CR_P(n) DatumGetCohortRetentionP(PG_GETARG_DATUM(n))

/* ---- cohort_retention_io.c ------------------------------------------------ */

/* A zeroed value with this header (54000 above 1 GB), palloc'd. */
extern CohortRetention *cr_alloc(uint8 unit, uint8 ctype, int32 periods, int64 window,
								 const char *tz, uint16 tzlen, int64 last_period, uint32 ncohorts);

/* Every rule of a value from outside; errc for a broken one (22P02, 22P03, XX001). */
extern void cr_check(const CohortRetention *r, Size size, int errc);

/*
 * a + b: a itself, updated, when inplace and every cohort of b is in a;
 * otherwise a new value palloc'd in CurrentMemoryContext.
 */
extern CohortRetention *cr_merge(CohortRetention *a, const CohortRetention *b, bool inplace);

/* Sum of the cohort sizes (22003 beyond bigint). */
extern int64 cr_total_users(const CohortRetention *r);

/* ---- retention_period.c --------------------------------------------------- */

typedef struct RetParams
{
	uint8		unit;
	uint8		ctype;
	int32		periods;
	int64		window;			/* rolling only */
	pg_tz	   *tz;
} RetParams;

/*
 * Per-call cache (fn_extra): the settings parsed from the last row and a
 * copy of their raw values, and the bounds [lo, hi) of the last calendar
 * period computed.  When every setting is a constant in the query they are
 * parsed once; otherwise each row's values are compared with the copy.
 */
typedef struct RetCall
{
	bool		have;
	bool		all_const;
	bool		rawnull[4];		/* period, periods, tz, cohorts */
	struct varlena *copy[4];
	int32		periods_raw;
	RetParams	p;
	bool		cache_valid;
	pg_tz	   *cache_tz;
	uint8		cache_unit;
	TimestampTz lo,
				hi;
	int64		idx;
} RetCall;

extern bool params_equal(const RetParams *a, const RetParams *b);

/* for jy_arg_differs("retention settings", "group", ...) in transition functions */
#define RET_SETTINGS_DETAIL "Period, number of periods, time zone and cohort type are read from every row and changed within a group."

/* A time zone by name (22023 when unknown or unusable for retention). */
extern pg_tz *lookup_tz(const char *name);

/*
 * The settings in a serialized aggregate state: unit, ctype (1 byte each),
 * periods (4), window (8), tzlen (4), tz[tzlen] (the time zone's name).
 * params_wire_size: their bytes (for jy_serial_begin); params_recv reads
 * them back, elog(ERROR, "corrupt <what>") on a bad time zone length.
 */
extern Size params_wire_size(const RetParams *p);
extern void params_send(StringInfo buf, const RetParams *p);
extern void params_recv(StringInfo buf, RetParams *p, const char *what);

/*
 * The settings of this row, from the arguments from argoff on:
 * period, periods [, tz [, cohorts]].  Cached in fn_extra.
 */
extern RetCall *row_params(FunctionCallInfo fcinfo, int argoff);

/* The fn_extra cache of a final function (no settings arguments). */
extern RetCall *ret_call(FunctionCallInfo fcinfo);

/* Calendar period index of ts in tz (date_trunc semantics), cached. */
extern int64 period_of(RetCall *call, uint8 unit, pg_tz *tz, TimestampTz ts);

/* The calendar period (day for rolling, month for elapsed months) of ts. */
extern int64 calendar_index(RetCall *call, const RetParams *p, TimestampTz ts);

/* A timestamp without time zone read as the wall-clock time in tz. */
extern TimestampTz naive_in_tz(Timestamp ts, pg_tz *tz);

/* 22008 for an infinite timestamp */
extern void ret_infinite_ts(void) pg_attribute_noreturn();

/* Whole months from c to x (x >= c) in tz, as timestamptz + interval counts them. */
extern int64 elapsed_months(pg_tz *tz, TimestampTz c, TimestampTz x);

/* The date of day `days` after 2000-01-01 (22008 outside PostgreSQL's dates). */
extern DateADT checked_date(int64 days);

/* The first date of calendar period idx of r's cohort unit. */
extern DateADT period_date(const CohortRetention *r, int64 idx);

#endif
