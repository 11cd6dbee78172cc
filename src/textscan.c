/*
 * textscan.c — the glue face of the summary types' text scanner: the engine
 * scanner (src/engine/textscan.c) with PostgreSQL-style errors that name the
 * type and the character position.
 */
#include "journey.h"

#include "textscan.h"

void
jy_scan_init(JyTextScan *sc, const char *str, const char *type_name)
{
	sc->start = str;
	sc->p = str;
	sc->type_name = type_name;
}

/* ereport an engine scanner failure: 22P02 syntax, 22003 number out of range */
void
jy_scan_report(const struct JyTs *ts, const char *type_name)
{
	if (ts->status == JY_TS_ERANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range in %s input at character %d",
						type_name, (int) ts->pos + 1),
				 errdetail("%s", ts->msg)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", type_name, ts->start),
			 errdetail("%s", ts->msg)));
	pg_unreachable();
}

/* the engine scanner at sc's position; run `call`, report a failure, advance */
#define SCAN(sc, call) \
	do { \
		JyTs		ts_; \
		jy_ts_init(&ts_, (sc)->start); \
		ts_.p = (sc)->p; \
		if (!(call)) \
			jy_scan_report(&ts_, (sc)->type_name); \
		(sc)->p = ts_.p; \
	} while (0)

void
jy_scan_fail(JyTextScan *sc, const char *expected)
{
	SCAN(sc, jy_ts_fail(&ts_, expected));
	pg_unreachable();
}

void
jy_scan_ws(JyTextScan *sc)
{
	JyTs		ts;

	jy_ts_init(&ts, sc->start);
	ts.p = sc->p;
	jy_ts_ws(&ts);
	sc->p = ts.p;
}

void
jy_scan_lit(JyTextScan *sc, const char *lit)
{
	SCAN(sc, jy_ts_lit(&ts_, lit));
}

bool
jy_scan_peek(JyTextScan *sc, char c)
{
	jy_scan_ws(sc);
	return *sc->p == c;
}

void
jy_scan_key(JyTextScan *sc, const char *key, bool comma)
{
	SCAN(sc, jy_ts_key(&ts_, key, comma));
}

int64
jy_scan_int(JyTextScan *sc, int64 min, int64 max)
{
	int64_t		v = 0;

	SCAN(sc, jy_ts_int(&ts_, min, max, &v));
	return (int64) v;
}

double
jy_scan_double(JyTextScan *sc)
{
	double		v = 0;

	SCAN(sc, jy_ts_double(&ts_, &v));
	return v;
}

bool
jy_scan_bool(JyTextScan *sc)
{
	bool		v = false;

	SCAN(sc, jy_ts_bool(&ts_, &v));
	return v;
}
