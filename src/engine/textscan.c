/*
 * textscan.c — scanner and printer of the summary types' text forms
 * (textscan.h).  No postgres.h; nothing is allocated.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textscan.h"

JyCodecStatus
jy_codec_fail(JyCodecError *err, JyCodecStatus status, size_t pos, const char *fmt,...)
{
	va_list		ap;

	if (err)
	{
		err->status = status;
		err->pos = pos;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return status;
}

void
jy_ts_init(JyScan *s, const char *str, JyCodecError *err)
{
	s->start = str;
	s->p = str;
	s->err = err;
	if (err)
	{
		err->status = JY_CODEC_OK;
		err->pos = 0;
		err->value = 0;
		err->msg[0] = '\0';
	}
}

static size_t
pos_of(const JyScan *s)
{
	return (size_t) (s->p - s->start);
}

bool
jy_ts_fail(JyScan *s, const char *expected)
{
	jy_codec_fail(s->err, JY_CODEC_ESYNTAX, pos_of(s), "Expected %s at character %d.",
				  expected, (int) pos_of(s) + 1);
	return false;
}

static bool
out_of_range(JyScan *s, const char *allowed)
{
	jy_codec_fail(s->err, JY_CODEC_ERANGE, pos_of(s), "Allowed values are %s.", allowed);
	return false;
}

void
jy_ts_ws(JyScan *s)
{
	while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
		s->p++;
}

bool
jy_ts_lit(JyScan *s, const char *lit)
{
	size_t		n = strlen(lit);

	jy_ts_ws(s);
	if (strncmp(s->p, lit, n) != 0)
	{
		char		expected[80];

		snprintf(expected, sizeof(expected), "'%s'", lit);
		return jy_ts_fail(s, expected);
	}
	s->p += n;
	return true;
}

bool
jy_ts_peek(JyScan *s, char c)
{
	jy_ts_ws(s);
	return *s->p == c;
}

bool
jy_ts_key(JyScan *s, const char *key, bool comma)
{
	char		quoted[72];

	if (comma && !jy_ts_lit(s, ","))
		return false;
	snprintf(quoted, sizeof(quoted), "\"%s\"", key);
	return jy_ts_lit(s, quoted) && jy_ts_lit(s, ":");
}

bool
jy_ts_int(JyScan *s, int64_t min, int64_t max, int64_t *out)
{
	char	   *end;
	long long	v;

	jy_ts_ws(s);
	if (!(*s->p >= '0' && *s->p <= '9') && *s->p != '-')
		return jy_ts_fail(s, "an integer");
	errno = 0;
	v = strtoll(s->p, &end, 10);
	if (end == s->p)
		return jy_ts_fail(s, "an integer");
	if (errno == ERANGE || v < min || v > max)
	{
		char		allowed[64];

		snprintf(allowed, sizeof(allowed), "%" PRId64 " to %" PRId64, min, max);
		return out_of_range(s, allowed);
	}
	s->p = end;
	*out = (int64_t) v;
	return true;
}

bool
jy_ts_double(JyScan *s, double *out)
{
	char	   *end;
	double		v;

	jy_ts_ws(s);
	if (!(*s->p >= '0' && *s->p <= '9') && *s->p != '-')
		return jy_ts_fail(s, "a number");
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
jy_ts_bool(JyScan *s, bool *out)
{
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

bool
jy_ts_end(JyScan *s)
{
	jy_ts_ws(s);
	if (*s->p != '\0')
		return jy_ts_fail(s, "end of input");
	return true;
}

/* ---- writing ---------------------------------------------------------------- */

static void
put(JyTextOut *o, const char *s, size_t n)
{
	if (o->out)
		memcpy(o->out + o->len, s, n);
	o->len += n;
}

void
jy_to_str(JyTextOut *o, const char *s)
{
	put(o, s, strlen(s));
}

void
jy_to_u64(JyTextOut *o, uint64_t v)
{
	char		b[24];
	int			i = (int) sizeof(b);

	do
	{
		b[--i] = (char) ('0' + v % 10);
		v /= 10;
	} while (v > 0);
	put(o, b + i, sizeof(b) - (size_t) i);
}

void
jy_to_i64(JyTextOut *o, int64_t v)
{
	if (v < 0)
	{
		put(o, "-", 1);
		jy_to_u64(o, (uint64_t) 0 - (uint64_t) v);
	}
	else
		jy_to_u64(o, (uint64_t) v);
}
