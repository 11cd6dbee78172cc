/*
 * journey.h — shared helpers of the fmgr glue (the only layer that includes
 * postgres.h).  Engines live in src/engine and know nothing of PostgreSQL.
 */
#ifndef JOURNEY_H
#define JOURNEY_H

#include "postgres.h"

#include "lib/stringinfo.h"
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
 * An argument that must be given: when argument argno is NULL, 22004
 * "<what> must not be NULL", with errhint(hint) unless hint is NULL.
 */
extern void jy_arg_not_null(FunctionCallInfo fcinfo, int argno, const char *what, const char *hint);

/*
 * A positive duration argument: errors 22004 when NULL, 22023 when <= 0.
 */
extern int64 jy_positive_interval_arg(FunctionCallInfo fcinfo, int argno, const char *argname);

/* palloc'd "1 day 02:00:00"-style text of a microsecond count, for messages */
extern char *jy_usecs_to_cstring(int64 usecs);

/* Interval datum for a microsecond duration (days/time split like justify_hours) */
extern Interval *jy_usecs_to_interval(int64 usecs);

/*
 * Text input of the summary types (src/textscan.c): a fixed JSON-like layout
 * read token by token.  Errors: 22P02 naming the type and the character
 * position, 22003 for numbers out of range.
 */
typedef struct JyTextScan
{
	const char *start;
	const char *p;
	const char *type_name;
} JyTextScan;

extern void jy_scan_init(JyTextScan *sc, const char *str, const char *type_name);
extern void jy_scan_fail(JyTextScan *sc, const char *expected) pg_attribute_noreturn();
extern void jy_scan_ws(JyTextScan *sc);
extern void jy_scan_lit(JyTextScan *sc, const char *lit);
extern bool jy_scan_peek(JyTextScan *sc, char c);
extern void jy_scan_key(JyTextScan *sc, const char *key, bool comma);
extern int64 jy_scan_int(JyTextScan *sc, int64 min, int64 max);
extern double jy_scan_double(JyTextScan *sc);
extern bool jy_scan_bool(JyTextScan *sc);

/* ereport a failure of the engine scanner (src/engine/textscan.h) or of a codec built on it */
struct JyTs;
extern void jy_scan_report(const struct JyTs *ts, const char *type_name) pg_attribute_noreturn();

/*
 * InitMaterializedSRF for set-returning functions called once per row (over
 * a stored journey): takes the result descriptor the executor expects
 * (rsinfo->expectedDesc) instead of rebuilding it from the catalog on every
 * call, which cost more than the function itself on short journeys.  Falls
 * back to InitMaterializedSRF(fcinfo, 0) when the executor gives none.
 */
extern void jy_init_row_srf(FunctionCallInfo fcinfo);

/* The composite result of a function returning one row (its declared row type). */
extern Datum jy_row_datum(FunctionCallInfo fcinfo, Datum *values, bool *nulls);

/*
 * An SQL-callable variant of a shared implementation, for entry points that
 * differ only in fixed arguments (a flag, an id kind):
 *   JY_FMGR_VARIANT(jy_x_naive_trans, x_trans_common, true);
 * defines Datum jy_x_naive_trans(PG_FUNCTION_ARGS) returning
 * x_trans_common(fcinfo, true).  Declare it with PG_FUNCTION_INFO_V1 as
 * usual.  (A macro because it defines a function, as contrib/btree_gin's
 * GIN_SUPPORT; the trailing declaration takes the semicolon, as in
 * PG_FUNCTION_INFO_V1.)
 */
/*
 * A type's receive function: the unread bytes of the message (argument 0),
 * and how many of them the value took (the cursor moves; PostgreSQL checks
 * that nothing is left).
 */
static inline const uint8 *
jy_recv_bytes(FunctionCallInfo fcinfo, size_t *len)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);

	*len = (size_t) (buf->len - buf->cursor);
	return (const uint8 *) buf->data + buf->cursor;
}

static inline void
jy_recv_consumed(FunctionCallInfo fcinfo, size_t n)
{
	((StringInfo) PG_GETARG_POINTER(0))->cursor += (int) n;
}

/* a type's send function: a bytea of n bytes (huge allowed), *data = its payload */
extern bytea *jy_bytea_alloc(size_t n, uint8 **data);

#define JY_FMGR_VARIANT(name, impl, ...) \
	Datum name(PG_FUNCTION_ARGS) { return impl(fcinfo, __VA_ARGS__); } \
	extern int no_such_variable

#endif
