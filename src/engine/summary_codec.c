/*
 * summary_codec.c — the summary types' shared codec pieces (summary_codec.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "summary_codec.h"

JyCodecStatus
jy_codec_fail(JyCodecError *err, JyCodecStatus status, size_t pos, const char *fmt,...)
{
	va_list		ap;

	err->status = status;
	err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return status;
}

JyCodecStatus
jy_codec_scan_failed(JyCodecError *err, const JyTs *ts)
{
	err->status = ts->status == JY_TS_ERANGE ? JY_CODEC_ERANGE : JY_CODEC_ESYNTAX;
	err->pos = ts->pos;
	snprintf(err->msg, sizeof(err->msg), "%s", ts->msg);
	return err->status;
}

bool
jy_ts_end(JyTs *ts)
{
	if (ts->status != JY_TS_OK)
		return false;
	jy_ts_ws(ts);
	return *ts->p == '\0' || jy_ts_fail(ts, "end of input");
}

/* ---- text ------------------------------------------------------------------ */

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

/* ---- binary ---------------------------------------------------------------- */

bool
jy_wire_get(JyWire *w, int bytes, uint64_t *out)
{
	uint64_t	v = 0;
	int			i;

	if (w->len - w->pos < (size_t) bytes)
	{
		jy_codec_fail(w->err, JY_CODEC_ETRUNC, w->pos, "%s", bytes == 1 ? "no data left in message"
					  : "insufficient data left in message");
		return false;
	}
	for (i = 0; i < bytes; i++)
		v = (v << 8) | w->buf[w->pos + i];
	w->pos += bytes;
	*out = v;
	return true;
}

void
jy_wire_put(uint8_t **p, int bytes, uint64_t v)
{
	int			i;

	for (i = 0; i < bytes; i++)
		(*p)[i] = (uint8_t) (v >> (8 * (bytes - 1 - i)));
	*p += bytes;
}
