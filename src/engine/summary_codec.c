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

JyCodecStatus
jy_codec_text_version(JyTs *ts, JyCodecError *err, int version)
{
	int64_t		v;

	if (!jy_ts_lit(ts, "{") || !jy_ts_key(ts, "v", false) ||
		!jy_ts_int(ts, 0, 255, &v))
		return jy_codec_scan_failed(err, ts);
	if (v != version)
	{
		err->value = v;
		return jy_codec_fail(err, JY_CODEC_EVERSION, 0, "This version of journey reads version %d.",
							 version);
	}
	return JY_CODEC_OK;
}

bool
jy_ts_end(JyTs *ts)
{
	if (ts->status != JY_TS_OK)
		return false;
	jy_ts_ws(ts);
	return *ts->p == '\0' || jy_ts_fail(ts, "end of input");
}

bool
jy_ts_qs_entries(JyTs *ts, uint64_t *e, size_t max, size_t room, size_t *n)
{
	*n = 0;
	if (!jy_ts_lit(ts, "["))
		return false;
	if (!jy_ts_peek(ts, ']'))
	{
		for (;;)
		{
			int64_t		b,
						c;

			if (!jy_ts_lit(ts, "[") || !jy_ts_int(ts, 0, JY_QS_MAX_BUCKET, &b) ||
				!jy_ts_lit(ts, ",") || !jy_ts_int(ts, 1, (int64_t) JY_QS_COUNT_MAX, &c) ||
				!jy_ts_lit(ts, "]"))
				return false;
			if (*n >= max)
				return jy_ts_fail(ts, "no more histogram entries");
			if (*n >= room)		/* cannot happen with a buffer sized by the codec */
				return jy_ts_fail_msg(ts, "The value needs more room than it was given.");
			e[(*n)++] = JY_QS_ENTRY(b, c);
			if (!jy_ts_peek(ts, ','))
				break;
			if (!jy_ts_lit(ts, ","))
				return false;
		}
	}
	return jy_ts_lit(ts, "]");
}

/* ---- text ------------------------------------------------------------------ */

void
jy_to_bytes(JyTextOut *o, const char *s, size_t n)
{
	if (o->out)
		memcpy(o->out + o->len, s, n);
	o->len += n;
}

void
jy_to_str(JyTextOut *o, const char *s)
{
	jy_to_bytes(o, s, strlen(s));
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
	jy_to_bytes(o, b + i, sizeof(b) - (size_t) i);
}

void
jy_to_qs_entries(JyTextOut *o, const uint64_t *e, size_t n)
{
	size_t		i;

	jy_to_str(o, "[");
	for (i = 0; i < n; i++)
	{
		jy_to_str(o, i ? ",[" : "[");
		jy_to_u64(o, JY_QS_BUCKET(e[i]));
		jy_to_str(o, ",");
		jy_to_u64(o, JY_QS_COUNT(e[i]));
		jy_to_str(o, "]");
	}
	jy_to_str(o, "]");
}

size_t
jy_to_finish(JyTextOut *o)
{
	if (o->out)
		o->out[o->len] = '\0';
	return o->len;
}

void
jy_to_i64(JyTextOut *o, int64_t v)
{
	if (v < 0)
	{
		jy_to_bytes(o, "-", 1);
		jy_to_u64(o, (uint64_t) 0 - (uint64_t) v);
	}
	else
		jy_to_u64(o, (uint64_t) v);
}

void
jy_to_key_i64(JyTextOut *o, const char *key, int64_t v)
{
	jy_to_str(o, ",\"");
	jy_to_str(o, key);
	jy_to_str(o, "\":");
	jy_to_i64(o, v);
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

bool
jy_wire_get_head(JyWire *w, uint64_t *version, uint64_t *flags, uint64_t *reserved, uint64_t *count)
{
	return jy_wire_get(w, 1, version) && jy_wire_get(w, 1, flags) && jy_wire_get(w, 2, reserved) &&
		jy_wire_get(w, 4, count);
}

void
jy_wire_put_head(uint8_t **p, uint8_t version, uint8_t flags, uint16_t reserved, uint32_t count)
{
	jy_wire_put(p, 1, version);
	jy_wire_put(p, 1, flags);
	jy_wire_put(p, 2, reserved);
	jy_wire_put(p, 4, count);
}
