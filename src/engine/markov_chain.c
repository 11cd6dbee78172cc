/*
 * markov_chain.c — the journey_markov_chain codec (markov_chain.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "markov_chain.h"
#include "jy_util.h"

#define HDR_WIRE 44				/* bytes of the binary header */

size_t
jy_mkc_size(int order, int64_t ngrams, int64_t namebytes, int nchannels)
{
	return sizeof(JyMkFlat) + (size_t) ngrams * (sizeof(int64_t) + sizeof(int32_t) * (size_t) (order + 1))
		+ (size_t) namebytes + (size_t) nchannels * sizeof(uint32_t);
}

int64_t
jy_mkc_max_grams(int order)
{
	return (int64_t) (JY_MKC_MAX_BYTES / (sizeof(int64_t) + sizeof(int32_t) * (size_t) (order + 1)));
}

const char *
jy_mkc_next_name(const char **p, uint32_t *len)
{
	const char *name = *p + sizeof(uint32_t);

	memcpy(len, *p, sizeof(uint32_t));
	*p = name + *len;
	return name;
}

static JyCodecStatus
invalid(JyCodecError *err, const char *why)
{
	return jy_codec_fail(err, JY_CODEC_EINVALID, 0, "%s", why);
}

/* `,"key":[`; *more: the list has an element (an empty list's ']' is read) */
static bool
list_open(JyTs *ts, const char *key, bool *more)
{
	if (!jy_ts_key(ts, key, true) || !jy_ts_lit(ts, "["))
		return false;
	*more = !jy_ts_peek(ts, ']');
	return *more || jy_ts_lit(ts, "]");
}

/* after an element: ',' (*more) or the list's closing ']' */
static bool
list_next(JyTs *ts, bool *more)
{
	*more = jy_ts_peek(ts, ',');
	return *more ? jy_ts_lit(ts, ",") : jy_ts_lit(ts, "]");
}

/* the channel names of f (which end at f + size): sizes, bytes, order */
static JyCodecStatus
validate_names(const JyMkFlat *f, size_t size, size_t need,
			   bool (*name_ok) (const char *, size_t, void *), void *arg, JyCodecError *err)
{
	const char *base = (const char *) f,
			   *p = base + need,
			   *prev = NULL;
	uint32_t	prevlen = 0;
	int			c;

	for (c = 0; c < f->nchannels; c++)
	{
		uint32_t	len;
		const char *name;

		if ((size_t) (p - base) + sizeof(uint32_t) > size)
			return invalid(err, "It is shorter than its channel names.");
		memcpy(&len, p, sizeof(uint32_t));
		name = p + sizeof(uint32_t);
		if (len > JY_MKC_MAX_CHANNEL_LEN || (size_t) (p - base) + sizeof(uint32_t) + len > size)
			return invalid(err, "A channel name is too long or cut off.");
		if (memchr(name, '\0', len) != NULL)
			return invalid(err, "A channel name contains a zero byte.");
		if (name_ok != NULL && !name_ok(name, len, arg))
			return invalid(err, "A channel name is not valid in the database encoding.");
		if (prev != NULL)
		{
			int			r = memcmp(prev, name, prevlen < len ? prevlen : len);

			if (r > 0 || (r == 0 && prevlen >= len))
				return invalid(err, "Channel names are not strictly increasing.");
		}
		prev = name;
		prevlen = len;
		p = name + len;
	}
	if ((size_t) (p - base) != size)
		return invalid(err, "It has trailing bytes.");
	return JY_CODEC_OK;
}

JyCodecStatus
jy_mkc_validate(const JyMkFlat *f, size_t size,
				bool (*name_ok) (const char *, size_t, void *), void *arg, JyCodecError *err)
{
	int			w,
				j;
	int64_t		i;
	size_t		need;
	const int32_t *sym;
	const int64_t *cnt;

	if (size < sizeof(JyMkFlat))
		return invalid(err, "It is shorter than its header.");
	if (f->version != JY_MKC_VERSION)
		return jy_codec_fail(err, JY_CODEC_EINVALID, 0, "Unknown version %d.", (int) f->version);
	if (f->reserved != 0 || f->reserved2 != 0)
		return invalid(err, "Reserved fields are not zero.");
	if (f->order < 1 || f->order > JY_MK_MAX_ORDER)
		return jy_codec_fail(err, JY_CODEC_EINVALID, 0, "Order %d is out of range (1 to %d).",
							 (int) f->order, JY_MK_MAX_ORDER);
	if (f->nchannels < 0 || f->nchannels > JY_MK_MAX_CHANNELS)
		return jy_codec_fail(err, JY_CODEC_EINVALID, 0, "%d channels (at most %d).",
							 (int) f->nchannels, JY_MK_MAX_CHANNELS);
	if (f->ngrams < 0 || f->ngrams > jy_mkc_max_grams(f->order))
		return invalid(err, "The transition count is out of range.");
	if (f->paths < 0 || f->conversions < 0 || f->conversions > f->paths)
		return invalid(err, "Path and conversion counts must be non-negative, conversions at most paths.");
	if (!isfinite(f->revenue))
		return invalid(err, "Revenue must be finite.");
	w = f->order + 1;
	need = sizeof(JyMkFlat) + (size_t) f->ngrams * (sizeof(int64_t) + sizeof(int32_t) * (size_t) w);
	if (need > size)
		return invalid(err, "It is shorter than its transitions.");
	if (validate_names(f, size, need, name_ok, arg, err) != JY_CODEC_OK)
		return err->status;
	sym = JY_MKC_SYM(f);
	cnt = JY_MKC_CNT(f);
	for (i = 0; i < f->ngrams; i++)
	{
		const int32_t *g = sym + i * w;
		bool		seen = false;

		if (cnt[i] <= 0)
			return invalid(err, "Transition counts must be positive.");
		for (j = 0; j < w - 1; j++)
		{
			if (g[j] < 0 || g[j] > f->nchannels || (seen && g[j] == 0))
				return invalid(err, "A state symbol is out of range (start padding 0 only before the channels).");
			if (g[j] > 0)
				seen = true;
		}
		if (!(g[w - 1] == JY_MK_CONV || g[w - 1] == JY_MK_NULL ||
			  (g[w - 1] >= 1 && g[w - 1] <= f->nchannels)))
			return invalid(err, "A next symbol is out of range (a channel, -1 conversion or -2 null).");
		if (i > 0 && jy_mk_gram_cmp(f->order, g - w, g) >= 0)
			return invalid(err, "Transitions are not strictly increasing.");
	}
	return JY_CODEC_OK;
}

/* ---- text ------------------------------------------------------------------ */

/*
 * A JSON string as jy_mkc_print_text writes it (also \/ \b \f \n \r \t; \u
 * below 0x80, not 0): its bytes to out (NULL: only count), *len the count.
 */
static bool
scan_string(JyTs *ts, char *out, uint32_t *len)
{
	uint32_t	n = 0;

	if (!jy_ts_lit(ts, "\""))
		return false;
	for (;;)
	{
		char		ch = *ts->p;

		if (ch == '\0')
			return jy_ts_fail(ts, "'\"'");
		ts->p++;
		if (ch == '"')
			break;
		if (ch == '\\')
		{
			ch = *ts->p;
			switch (ch)
			{
				case '"':
				case '\\':
				case '/':
					break;
				case 'b':
					ch = '\b';
					break;
				case 'f':
					ch = '\f';
					break;
				case 'n':
					ch = '\n';
					break;
				case 'r':
					ch = '\r';
					break;
				case 't':
					ch = '\t';
					break;
				case 'u':
					{
						int			v = 0,
									k;

						for (k = 1; k <= 4; k++)
						{
							int			d = jy_hex_digit(ts->p[k]);

							if (d < 0)
								return jy_ts_fail(ts, "four hexadecimal digits");
							v = (v << 4) | d;
						}
						if (v == 0 || v >= 0x80)
							return jy_ts_fail(ts, "an escape \\u0001 to \\u007f");
						ch = (char) v;
						ts->p += 4;
						break;
					}
				default:
					return jy_ts_fail(ts, "an escape sequence");
			}
			ts->p++;
		}
		if (out)
			out[n] = ch;
		n++;
	}
	*len = n;
	return true;
}

/* the channel names: measure (f NULL: count into *hdr) or write them into f */
static JyCodecStatus
parse_channels(JyTs *ts, JyMkFlat *hdr, JyMkFlat *f, int64_t *namebytes, JyCodecError *err)
{
	char	   *p = f ? JY_MKC_NAMES(f) : NULL;
	int			nch = 0;

	bool		more;

	*namebytes = 0;
	if (!list_open(ts, "channels", &more))
		return jy_codec_scan_failed(err, ts);
	while (more)
	{
		uint32_t	len = 0;

		if (!scan_string(ts, p ? p + sizeof(uint32_t) : NULL, &len))
			return jy_codec_scan_failed(err, ts);
		if (++nch > JY_MK_MAX_CHANNELS)
			return jy_codec_fail(err, JY_CODEC_EINVALID, 0, "More than %d channels.", JY_MK_MAX_CHANNELS);
		if (p)
		{
			memcpy(p, &len, sizeof(uint32_t));
			p += sizeof(uint32_t) + len;
		}
		*namebytes += len;
		if (!list_next(ts, &more))
			return jy_codec_scan_failed(err, ts);
	}
	hdr->nchannels = nch;
	return JY_CODEC_OK;
}

/* the transitions: count them into hdr->ngrams (f NULL) or write them into f */
static JyCodecStatus
parse_transitions(JyTs *ts, JyMkFlat *hdr, JyMkFlat *f, void (*tick) (void *), void *arg,
				  JyCodecError *err)
{
	int			w = hdr->order + 1,
				j;
	int64_t		n = 0,
				cap = 16,
				max = jy_mkc_max_grams(hdr->order);
	int64_t    *cnt = f ? JY_MKC_CNT(f) : NULL;
	int32_t    *sym = f ? JY_MKC_SYM(f) : NULL;

	bool		more;

	if (!list_open(ts, "transitions", &more))
		return jy_codec_scan_failed(err, ts);
	while (more)
	{
		int64_t		v;

		if (n >= cap)
		{
			/* as the glue grew its arrays: stop once they would pass the limit */
			if (cap > max)
			{
				hdr->ngrams = n + 1;
				return JY_CODEC_OK;
			}
			cap *= 2;
		}
		if (!jy_ts_lit(ts, "["))
			return jy_codec_scan_failed(err, ts);
		for (j = 0; j < w; j++)
		{
			if (!jy_ts_int(ts, -2, JY_MK_MAX_CHANNELS, &v) || !jy_ts_lit(ts, ","))
				return jy_codec_scan_failed(err, ts);
			if (sym)
				sym[n * w + j] = (int32_t) v;
		}
		if (!jy_ts_int(ts, 1, INT64_MAX, &v) || !jy_ts_lit(ts, "]"))
			return jy_codec_scan_failed(err, ts);
		if (cnt)
			cnt[n] = v;
		n++;
		if ((n & 0xffff) == 0 && tick)
			tick(arg);
		if (!list_next(ts, &more))
			return jy_codec_scan_failed(err, ts);
	}
	hdr->ngrams = n;
	return JY_CODEC_OK;
}

JyCodecStatus
jy_mkc_parse_text(const char *str, JyMkFlat *hdr, JyMkFlat *f, size_t *size,
				  void (*tick) (void *), void *arg, JyCodecError *err)
{
	JyTs		ts;
	int64_t		v,
				namebytes;

	jy_ts_init(&ts, str);
	if (f)
	{
		memcpy((char *) f + sizeof(int32_t), (char *) hdr + sizeof(int32_t), sizeof(JyMkFlat) - sizeof(int32_t));
		hdr = f;
	}
	else
		memset(hdr, 0, sizeof(JyMkFlat));
	if (!jy_ts_lit(&ts, "{") || !jy_ts_key(&ts, "version", false) || !jy_ts_int(&ts, 0, 255, &v))
		return jy_codec_scan_failed(err, &ts);
	if (v != JY_MKC_VERSION)
		return invalid(err, "Unknown version.");
	hdr->version = JY_MKC_VERSION;
	if (!jy_ts_key(&ts, "order", true) || !jy_ts_int(&ts, 1, JY_MK_MAX_ORDER, &v))
		return jy_codec_scan_failed(err, &ts);
	hdr->order = (uint8_t) v;
	if (!jy_ts_key(&ts, "paths", true) || !jy_ts_int(&ts, 0, INT64_MAX, &hdr->paths) ||
		!jy_ts_key(&ts, "conversions", true) || !jy_ts_int(&ts, 0, INT64_MAX, &hdr->conversions) ||
		!jy_ts_key(&ts, "revenue", true) || !jy_ts_double(&ts, &hdr->revenue))
		return jy_codec_scan_failed(err, &ts);
	if (parse_channels(&ts, hdr, f, &namebytes, err) != JY_CODEC_OK)
		return err->status;
	if (parse_transitions(&ts, hdr, f, tick, arg, err) != JY_CODEC_OK)
		return err->status;
	*size = jy_mkc_size(hdr->order, hdr->ngrams, namebytes, hdr->nchannels);
	if (hdr->ngrams > jy_mkc_max_grams(hdr->order))
		return JY_CODEC_OK;		/* measured too large: the caller says so */
	if (!jy_ts_lit(&ts, "}") || !jy_ts_end(&ts))
		return jy_codec_scan_failed(err, &ts);
	return JY_CODEC_OK;
}

static void
put_json_string(JyTextOut *o, const char *p, uint32_t n)
{
	uint32_t	i;

	jy_to_bytes(o, "\"", 1);
	for (i = 0; i < n; i++)
	{
		unsigned char ch = (unsigned char) p[i];
		char		b[8];

		if (ch == '"' || ch == '\\')
		{
			b[0] = '\\';
			b[1] = (char) ch;
			jy_to_bytes(o, b, 2);
		}
		else if (ch < 0x20 || ch == 0x7f)
		{
			snprintf(b, sizeof(b), "\\u%04x", ch);
			jy_to_bytes(o, b, 6);
		}
		else
			jy_to_bytes(o, p + i, 1);
	}
	jy_to_bytes(o, "\"", 1);
}

size_t
jy_mkc_print_text(const JyMkFlat *f, char *out, void (*tick) (void *), void *arg)
{
	JyTextOut	o = {out, 0};
	const char *p = JY_MKC_NAMES(f);
	const int32_t *sym = JY_MKC_SYM(f);
	const int64_t *cnt = JY_MKC_CNT(f);
	int			w = f->order + 1,
				c,
				j;
	int64_t		i;
	char		rev[64];

	jy_to_str(&o, "{\"version\":");
	jy_to_i64(&o, f->version);
	jy_to_key_i64(&o, "order", f->order);
	jy_to_key_i64(&o, "paths", f->paths);
	jy_to_key_i64(&o, "conversions", f->conversions);
	snprintf(rev, sizeof(rev), "%.17g", f->revenue);
	jy_to_str(&o, ",\"revenue\":");
	jy_to_str(&o, rev);
	jy_to_str(&o, ",\"channels\":[");
	for (c = 0; c < f->nchannels; c++)
	{
		uint32_t	len;
		const char *name = jy_mkc_next_name(&p, &len);

		if (c > 0)
			jy_to_str(&o, ",");
		put_json_string(&o, name, len);
	}
	jy_to_str(&o, "],\"transitions\":[");
	for (i = 0; i < f->ngrams; i++)
	{
		jy_to_str(&o, i > 0 ? ",[" : "[");
		for (j = 0; j < w; j++)
		{
			jy_to_i64(&o, sym[i * w + j]);
			jy_to_str(&o, ",");
		}
		jy_to_i64(&o, cnt[i]);
		jy_to_str(&o, "]");
		if ((i & 0xffff) == 0xffff && tick)
			tick(arg);
	}
	jy_to_str(&o, "]}");
	return jy_to_finish(&o);
}

/* ---- binary ---------------------------------------------------------------- */

/* the header: its fields in order (jy_mkc_send, jy_mkc_recv) and their bytes */
#define HDR_FIELDS 9
static const int hdr_widths[HDR_FIELDS] = {1, 1, 2, 4, 4, 8, 8, 8, 8};

JyCodecStatus
jy_mkc_recv(const uint8_t *buf, size_t len, JyMkFlat *hdr, JyMkFlat *f,
			size_t *size, size_t *used, JyCodecError *err)
{
	JyWire		wi = {buf, len, 0, err};
	JyMkFlat	h;
	uint64_t	v[HDR_FIELDS];
	int			k,
				w,
				c,
				j;
	int64_t		i,
				namebytes = 0;
	char	   *names = NULL;

	for (k = 0; k < HDR_FIELDS; k++)
		if (!jy_wire_get(&wi, hdr_widths[k], &v[k]))
			return err->status;
	memset(&h, 0, sizeof(h));
	h.version = (uint8_t) v[0];
	h.order = (uint8_t) v[1];
	h.reserved = (uint16_t) v[2];
	h.nchannels = (int32_t) (uint32_t) v[3];
	h.reserved2 = (int32_t) (uint32_t) v[4];
	h.ngrams = (int64_t) v[5];
	h.paths = (int64_t) v[6];
	h.conversions = (int64_t) v[7];
	memcpy(&h.revenue, &v[8], sizeof(double));
	if (h.version != JY_MKC_VERSION || h.order < 1 || h.order > JY_MK_MAX_ORDER ||
		h.nchannels < 0 || h.nchannels > JY_MK_MAX_CHANNELS || h.ngrams < 0)
		return invalid(err, "Bad version, order, channel or transition count.");
	w = h.order + 1;
	/* every transition takes 4 (order + 1) + 8 bytes of the message */
	if (h.ngrams > (int64_t) ((len - wi.pos) / (size_t) (4 * w + 8)))
		return invalid(err, "Declared more transitions than the message holds.");
	if (f)
	{
		memcpy((char *) f + sizeof(int32_t), (char *) &h + sizeof(int32_t), sizeof(JyMkFlat) - sizeof(int32_t));
		names = JY_MKC_NAMES(f);
	}
	for (c = 0; c < h.nchannels; c++)
	{
		uint64_t	n;

		if (!jy_wire_get(&wi, 4, &n))
			return err->status;
		if (n > JY_MKC_MAX_CHANNEL_LEN)
			return invalid(err, "A channel name is too long.");
		if (len - wi.pos < n)
			return jy_codec_fail(err, JY_CODEC_ETRUNC, wi.pos, "insufficient data left in message");
		if (names)
		{
			uint32_t	n32 = (uint32_t) n;

			memcpy(names, &n32, sizeof(uint32_t));
			memcpy(names + sizeof(uint32_t), buf + wi.pos, n);
			names += sizeof(uint32_t) + n;
		}
		wi.pos += n;
		namebytes += (int64_t) n;
	}
	if (h.ngrams > (int64_t) ((len - wi.pos) / (size_t) (4 * w + 8)))
		return invalid(err, "Declared more transitions than the message holds.");
	if (f == NULL)
	{
		*hdr = h;
		*size = jy_mkc_size(h.order, h.ngrams, namebytes, h.nchannels);
		return JY_CODEC_OK;
	}
	for (i = 0; i < h.ngrams; i++)
	{
		uint64_t	x;

		for (j = 0; j < w; j++)
		{
			jy_wire_get(&wi, 4, &x);	/* cannot fail: checked above */
			JY_MKC_SYM(f)[i * w + j] = (int32_t) (uint32_t) x;
		}
		jy_wire_get(&wi, 8, &x);
		JY_MKC_CNT(f)[i] = (int64_t) x;
	}
	*used = wi.pos;
	if (wi.pos != len)
		return invalid(err, "It has trailing bytes.");
	return JY_CODEC_OK;
}

size_t
jy_mkc_send_size(const JyMkFlat *f)
{
	const char *p = JY_MKC_NAMES(f);
	size_t		n = HDR_WIRE + (size_t) f->ngrams * (size_t) (4 * (f->order + 1) + 8);
	int			c;

	for (c = 0; c < f->nchannels; c++)
	{
		uint32_t	len;

		(void) jy_mkc_next_name(&p, &len);
		n += sizeof(uint32_t) + len;
	}
	return n;
}

void
jy_mkc_send(const JyMkFlat *f, uint8_t *out)
{
	const char *p = JY_MKC_NAMES(f);
	const int32_t *sym = JY_MKC_SYM(f);
	const int64_t *cnt = JY_MKC_CNT(f);
	int			w = f->order + 1,
				c,
				j;
	int64_t		i;
	uint64_t	hdr[HDR_FIELDS] = {
		f->version, f->order, f->reserved, (uint32_t) f->nchannels, (uint32_t) f->reserved2,
		(uint64_t) f->ngrams, (uint64_t) f->paths, (uint64_t) f->conversions, 0
	};

	memcpy(&hdr[8], &f->revenue, sizeof(double));
	for (c = 0; c < HDR_FIELDS; c++)
		jy_wire_put(&out, hdr_widths[c], hdr[c]);
	for (c = 0; c < f->nchannels; c++)
	{
		uint32_t	len;
		const char *name = jy_mkc_next_name(&p, &len);

		jy_wire_put(&out, 4, len);
		memcpy(out, name, len);
		out += len;
	}
	for (i = 0; i < f->ngrams; i++)
	{
		for (j = 0; j < w; j++)
			jy_wire_put(&out, 4, (uint32_t) sym[i * w + j]);
		jy_wire_put(&out, 8, (uint64_t) cnt[i]);
	}
}
