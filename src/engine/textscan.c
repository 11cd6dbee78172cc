/*
 * textscan.c — token scanner of the summary types' text input (see textscan.h).
 */
#include "textscan.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
jy_ts_init(JyTs *s, const char *text)
{
	s->start = text;
	s->p = text;
	s->status = JY_TS_OK;
	s->pos = 0;
	s->msg[0] = '\0';
}

static bool
set_error(JyTs *s, JyTsStatus st)
{
	s->status = st;
	s->pos = (size_t) (s->p - s->start);
	return false;
}

bool
jy_ts_fail(JyTs *s, const char *expected)
{
	if (s->status != JY_TS_OK)
		return false;
	snprintf(s->msg, sizeof(s->msg), "Expected %s at character %d.", expected,
			 (int) (s->p - s->start) + 1);
	return set_error(s, JY_TS_ESYNTAX);
}

bool
jy_ts_fail_msg(JyTs *s, const char *fmt,...)
{
	va_list		ap;

	if (s->status != JY_TS_OK)
		return false;
	va_start(ap, fmt);
	vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
	va_end(ap);
	return set_error(s, JY_TS_ESYNTAX);
}

static bool
out_of_range(JyTs *s, const char *allowed)
{
	snprintf(s->msg, sizeof(s->msg), "Allowed values are %s.", allowed);
	return set_error(s, JY_TS_ERANGE);
}

void
jy_ts_ws(JyTs *s)
{
	while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
		s->p++;
}

bool
jy_ts_lit(JyTs *s, const char *lit)
{
	size_t		n = strlen(lit);

	if (s->status != JY_TS_OK)
		return false;
	jy_ts_ws(s);
	if (strncmp(s->p, lit, n) != 0)
	{
		char		what[64];

		snprintf(what, sizeof(what), "'%s'", lit);
		return jy_ts_fail(s, what);
	}
	s->p += n;
	return true;
}

bool
jy_ts_peek(JyTs *s, char c)
{
	jy_ts_ws(s);
	return s->status == JY_TS_OK && *s->p == c;
}

bool
jy_ts_key(JyTs *s, const char *key, bool comma)
{
	char		quoted[64];

	if (comma && !jy_ts_lit(s, ","))
		return false;
	snprintf(quoted, sizeof(quoted), "\"%s\"", key);
	return jy_ts_lit(s, quoted) && jy_ts_lit(s, ":");
}

/* digit or '-': the only characters a number may start with */
static bool
number_start(JyTs *s, const char *what)
{
	if (s->status != JY_TS_OK)
		return false;
	jy_ts_ws(s);
	if (!(*s->p >= '0' && *s->p <= '9') && *s->p != '-')
		return jy_ts_fail(s, what);
	return true;
}

bool
jy_ts_int(JyTs *s, int64_t min, int64_t max, int64_t *out)
{
	char	   *end;
	long long	v;

	if (!number_start(s, "an integer"))
		return false;
	errno = 0;
	v = strtoll(s->p, &end, 10);
	if (end == s->p)
		return jy_ts_fail(s, "an integer");
	if (errno == ERANGE || v < min || v > max)
	{
		char		range[64];

		snprintf(range, sizeof(range), "%lld to %lld", (long long) min, (long long) max);
		return out_of_range(s, range);
	}
	s->p = end;
	*out = (int64_t) v;
	return true;
}

bool
jy_ts_double(JyTs *s, double *out)
{
	char	   *end;
	double		v;

	if (!number_start(s, "a number"))
		return false;
	errno = 0;
	v = strtod(s->p, &end);
	if (end == s->p)
		return jy_ts_fail(s, "a number");

	/*
	 * strtod sets ERANGE for subnormal results too (glibc does, for every
	 * inexact one), but the output functions print subnormals, so they must
	 * read back: like float8in, only a result that overflowed to infinity or
	 * underflowed to zero is out of range.  NaN and infinity are never
	 * accepted (they are spelled "nan"/"inf", which do not start with a
	 * digit, or "-nan"/"-inf").
	 */
	if (!isfinite(v) || (errno == ERANGE && v == 0.0))
		return out_of_range(s, "finite numbers, and nonzero numbers of magnitude at least 4.9406564584124654e-324");
	s->p = end;
	*out = v;
	return true;
}

bool
jy_ts_bool(JyTs *s, bool *out)
{
	if (s->status != JY_TS_OK)
		return false;
	jy_ts_ws(s);
	if (strncmp(s->p, "true", 4) == 0)
	{
		s->p += 4;
		*out = true;
		return true;
	}
	if (strncmp(s->p, "false", 5) == 0)
	{
		s->p += 5;
		*out = false;
		return true;
	}
	return jy_ts_fail(s, "true or false");
}
