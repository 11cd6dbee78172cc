/*
 * textscan.c — the small scanner behind the text input of journey's summary
 * types (session_stats, funnel_summary, cohort_retention, kmeans_model): a
 * fixed JSON-like layout read token by token, with PostgreSQL-style errors
 * that name the type and the character position.
 */
#include "journey.h"

#include <math.h>

void
jy_scan_init(JyTextScan *sc, const char *str, const char *type_name)
{
	sc->start = str;
	sc->p = str;
	sc->type_name = type_name;
}

void
jy_scan_fail(JyTextScan *sc, const char *expected)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", sc->type_name, sc->start),
			 errdetail("Expected %s at character %d.", expected, (int) (sc->p - sc->start) + 1)));
	pg_unreachable();
}

void
jy_scan_ws(JyTextScan *sc)
{
	while (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\n' || *sc->p == '\r')
		sc->p++;
}

void
jy_scan_lit(JyTextScan *sc, const char *lit)
{
	size_t		n = strlen(lit);

	jy_scan_ws(sc);
	if (strncmp(sc->p, lit, n) != 0)
		jy_scan_fail(sc, psprintf("'%s'", lit));
	sc->p += n;
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
	if (comma)
		jy_scan_lit(sc, ",");
	jy_scan_lit(sc, psprintf("\"%s\"", key));
	jy_scan_lit(sc, ":");
}

static void
out_of_range(JyTextScan *sc, const char *allowed)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value out of range in %s input at character %d",
					sc->type_name, (int) (sc->p - sc->start) + 1),
			 errdetail("Allowed values are %s.", allowed)));
}

int64
jy_scan_int(JyTextScan *sc, int64 min, int64 max)
{
	char	   *end;
	long long	v;

	jy_scan_ws(sc);
	if (!(*sc->p >= '0' && *sc->p <= '9') && *sc->p != '-')
		jy_scan_fail(sc, "an integer");
	errno = 0;
	v = strtoll(sc->p, &end, 10);
	if (end == sc->p)
		jy_scan_fail(sc, "an integer");
	if (errno == ERANGE || v < min || v > max)
		out_of_range(sc, psprintf(INT64_FORMAT " to " INT64_FORMAT, min, max));
	sc->p = end;
	return (int64) v;
}

double
jy_scan_double(JyTextScan *sc)
{
	char	   *end;
	double		v;

	jy_scan_ws(sc);
	if (!(*sc->p >= '0' && *sc->p <= '9') && *sc->p != '-')
		jy_scan_fail(sc, "a number");
	errno = 0;
	v = strtod(sc->p, &end);
	if (end == sc->p)
		jy_scan_fail(sc, "a number");

	/*
	 * strtod sets ERANGE for subnormal results too (glibc does, for every
	 * inexact one), but the output functions print subnormals, so they must
	 * read back: like float8in, only a result that overflowed to infinity or
	 * underflowed to zero is out of range.  NaN and infinity are never
	 * accepted (they are spelled "nan"/"inf", which do not start with a
	 * digit, or "-nan"/"-inf").
	 */
	if (!isfinite(v) || (errno == ERANGE && v == 0.0))
		out_of_range(sc, "finite numbers, and nonzero numbers of magnitude at least 4.9406564584124654e-324");
	sc->p = end;
	return v;
}

bool
jy_scan_bool(JyTextScan *sc)
{
	jy_scan_ws(sc);
	if (strncmp(sc->p, "true", 4) == 0)
	{
		sc->p += 4;
		return true;
	}
	if (strncmp(sc->p, "false", 5) == 0)
	{
		sc->p += 5;
		return false;
	}
	jy_scan_fail(sc, "true or false");
	return false;
}
