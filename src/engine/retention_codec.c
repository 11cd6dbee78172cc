/*
 * retention_codec.c — the cohort_retention summary type (see retention_codec.h).
 */
#include "retention_codec.h"
#include "summary_codec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const jy_cr_unit_names[] = {"", "day", "week", "month", "rolling", "elapsed month"};
const char *const jy_cr_ctype_names[] = {"first_time", "recurring"};

#define TICK_EVERY 0xFFFF

static JyCrStatus
fail(JyCrError *err, JyCrStatus st, const char *fmt,...) __attribute__((format(printf, 3, 4)));

static JyCrStatus
fail(JyCrError *err, JyCrStatus st, const char *fmt,...)
{
	va_list		ap;

	err->status = st;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return st;
}

/* ---- values ------------------------------------------------------------------ */

size_t
jy_cr_size(uint16_t tzlen, int32_t periods, uint32_t ncohorts, JyCrError *err)
{
	size_t		sz = JY_CR_SIZE(tzlen, periods, ncohorts);

	if (sz > JY_CR_MAX_SIZE)
	{
		fail(err, JY_CR_ELIMIT, "%u cohorts of %d periods need more than 1 GB.", ncohorts, periods);
		return 0;
	}
	return sz;
}

void
jy_cr_init(JyCr *r, uint8_t unit, uint8_t ctype, int32_t periods, int64_t window,
		   const char *tz, uint16_t tzlen, int64_t last_period, uint32_t ncohorts)
{
	r->version = JY_CR_VERSION;
	r->unit = unit;
	r->ctype = ctype;
	r->periods = periods;
	r->window_us = window;
	r->last_period = last_period;
	r->ncohorts = ncohorts;
	r->tzlen = tzlen;
	memcpy(JY_CR_TZ(r), tz, tzlen);
}

bool
jy_cr_tzname_ok(const char *s, size_t len)
{
	size_t		i;

	if (len < 1 || len > JY_CR_MAX_TZLEN)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

JyCrStatus
jy_cr_validate(const JyCr *r, size_t size, JyCrError *err)
{
	const char *bad = NULL;
	size_t		i;

	if (r->version != JY_CR_VERSION)
		return fail(err, JY_CR_EINVALID, "Unsupported format version %u.", r->version);
	if (r->flags != 0 || r->reserved != 0)
		bad = "Reserved bits are set";
	else if (r->unit < JY_RET_DAY || r->unit > JY_RET_ELAPSED_MONTH)
		return fail(err, JY_CR_EINVALID, "Unknown period code %u.", r->unit);
	else if (r->ctype > JY_CR_RECURRING)
		return fail(err, JY_CR_EINVALID, "Unknown cohort type code %u.", r->ctype);
	else if (r->periods < 0 || r->periods > JY_RET_MAX_PERIODS)
		bad = "The number of periods is out of range";
	else if ((r->unit == JY_RET_ROLLING) != (r->window_us > 0) || r->window_us < 0)
		bad = "The rolling window must be positive for rolling periods and zero otherwise";
	else if (JY_CR_PER_USER(r->unit) && r->ctype == JY_CR_RECURRING)
		bad = "Recurring cohorts cannot use rolling windows or elapsed months";
	else if (!jy_cr_tzname_ok(JY_CR_TZ(r), r->tzlen))
		bad = "The time-zone name is empty, too long or has invalid characters";
	else if (r->ncohorts < 1)
		bad = "There is no cohort";
	else if (size != JY_CR_SIZE(r->tzlen, r->periods, r->ncohorts))
		bad = "The size does not match the declared contents";
	else if (r->last_period < -JY_CR_MAX_ABS_INDEX || r->last_period > JY_CR_MAX_ABS_INDEX)
		bad = "The last period is out of range";
	else
	{
		for (i = JY_CR_RECOFF(r->tzlen) - JY_CR_HDRSZ; i > r->tzlen; i--)
			if (r->data[i - 1] != 0)
				bad = "Padding bytes are not zero";
		for (i = 0; bad == NULL && i < r->ncohorts; i++)
		{
			const int64_t *rec = JY_CR_REC(r, i);

			if (rec[0] < -JY_CR_MAX_ABS_INDEX || rec[0] > r->last_period)
				bad = "A cohort index is out of range or after the last period";
			else if (i > 0 && rec[0] <= JY_CR_REC(r, i - 1)[0])
				bad = "Cohorts are not strictly increasing";
			else
				bad = jy_ret_cohort_invalid(rec[1], JY_CR_ACTIVE(rec), JY_CR_LAST(rec, r->periods),
											JY_CR_BOTH(rec, r->periods), r->periods);
		}
	}
	if (bad)
		return fail(err, JY_CR_EINVALID, "%s.", bad);
	return JY_CR_OK;
}

void
jy_cr_set_user(int64_t *rec, int64_t cohort, const uint64_t *bits, int32_t periods)
{
	rec[0] = cohort;
	rec[1] = 1;
	jy_ret_add_user(JY_CR_ACTIVE(rec), JY_CR_LAST(rec, periods), JY_CR_BOTH(rec, periods), bits, periods);
}

/* ---- text input ------------------------------------------------------------- */

/* a quoted string of 1 .. maxlen printable ASCII characters without quotes or backslashes */
static bool
scan_str(JyTs *s, size_t maxlen, char *out)
{
	const char *b;
	size_t		n;

	if (!jy_ts_lit(s, "\""))
		return false;
	b = s->p;
	while (*s->p != '"')
	{
		if (*s->p < 0x20 || *s->p > 0x7e || *s->p == '\\')
			return jy_ts_fail(s, "a printable character without backslash");
		s->p++;
	}
	n = (size_t) (s->p - b);
	if (n < 1 || n > maxlen)
	{
		char		what[64];

		snprintf(what, sizeof(what), "a string of 1 to %zu characters", maxlen);
		return jy_ts_fail(s, what);
	}
	memcpy(out, b, n);
	out[n] = '\0';
	s->p++;
	return true;
}

/* [ n+1 integers >= 0 ] */
static bool
scan_array(JyTs *s, int64_t *out, int32_t n)
{
	int32_t		k;

	if (!jy_ts_lit(s, "["))
		return false;
	for (k = 0; k <= n; k++)
		if ((k > 0 && !jy_ts_lit(s, ",")) || !jy_ts_int(s, 0, INT64_MAX, &out[k]))
			return false;
	return jy_ts_lit(s, "]");
}

static bool
scan_record(JyTs *s, int64_t *rec, int32_t periods)
{
	return jy_ts_lit(s, "[") &&
		jy_ts_int(s, -JY_CR_MAX_ABS_INDEX, JY_CR_MAX_ABS_INDEX, &rec[0]) &&
		jy_ts_lit(s, ",") &&
		jy_ts_int(s, 0, INT64_MAX, &rec[1]) &&
		jy_ts_lit(s, ",") &&
		scan_array(s, JY_CR_ACTIVE(rec), periods) &&
		jy_ts_lit(s, ",") &&
		scan_array(s, JY_CR_LAST(rec, periods), periods) &&
		jy_ts_lit(s, ",") &&
		scan_array(s, JY_CR_BOTH(rec, periods), periods) &&
		jy_ts_lit(s, "]");
}

JyCrStatus
jy_cr_parse_text(JyTs *s, JyCrText *out, JyCrError *err,
				 void *(*grow) (void *old, size_t bytes, void *arg), void *arg)
{
	JyCrText   *h = out;
	int64_t		v;
	char		name[17];
	size_t		cap = 0,
				w;

	memset(out, 0, sizeof(*out));
	err->status = JY_CR_OK;
	if (!jy_ts_lit(s, "{") || !jy_ts_key(s, "v", false) || !jy_ts_int(s, 0, 255, &v))
		return JY_CR_ETEXT;
	if (v != JY_CR_VERSION)
	{
		err->value = v;
		return fail(err, JY_CR_EVERSION, "This version of journey reads version %d.", JY_CR_VERSION);
	}
	if (!jy_ts_key(s, "period", true) || !scan_str(s, 16, name))
		return JY_CR_ETEXT;
	for (h->unit = JY_RET_DAY; h->unit <= JY_RET_ELAPSED_MONTH; h->unit++)
		if (strcmp(name, jy_cr_unit_names[h->unit]) == 0)
			break;
	if (h->unit > JY_RET_ELAPSED_MONTH)
	{
		jy_ts_fail_msg(s, "Unknown period \"%s\"; valid are day, week, month, rolling and elapsed month.", name);
		return JY_CR_ETEXT;
	}
	if (!jy_ts_key(s, "window_us", true) || !jy_ts_int(s, 0, INT64_MAX, &h->window_us) ||
		!jy_ts_key(s, "tz", true) || !scan_str(s, JY_CR_MAX_TZLEN, out->tz) ||
		!jy_ts_key(s, "periods", true) || !jy_ts_int(s, 0, JY_RET_MAX_PERIODS, &v) ||
		!jy_ts_key(s, "cohorts", true) || !scan_str(s, 16, name))
		return JY_CR_ETEXT;
	h->periods = (int32_t) v;
	h->tzlen = (uint16_t) strlen(out->tz);
	if (strcmp(name, "first_time") == 0)
		h->ctype = JY_CR_FIRST_TIME;
	else if (strcmp(name, "recurring") == 0)
		h->ctype = JY_CR_RECURRING;
	else
	{
		jy_ts_fail_msg(s, "Unknown cohort type \"%s\"; valid are first_time and recurring.", name);
		return JY_CR_ETEXT;
	}
	if (!jy_ts_key(s, "last_period", true) ||
		!jy_ts_int(s, -JY_CR_MAX_ABS_INDEX, JY_CR_MAX_ABS_INDEX, &h->last_period) ||
		!jy_ts_key(s, "data", true) || !jy_ts_lit(s, "["))
		return JY_CR_ETEXT;
	w = JY_CR_RECWORDS(h->periods);
	if (!jy_ts_peek(s, ']'))
	{
		for (;;)
		{
			if (out->nrec >= (JY_CR_MAX_SIZE / sizeof(int64_t)) / w)
			{
				jy_ts_fail(s, "fewer cohorts");
				return JY_CR_ETEXT;
			}
			if (out->nrec == cap)
			{
				cap = cap ? cap * 2 : 8;
				out->recs = (int64_t *) grow(out->recs, cap * w * sizeof(int64_t), arg);
			}
			if (!scan_record(s, out->recs + out->nrec * w, h->periods))
				return JY_CR_ETEXT;
			out->nrec++;
			if (!jy_ts_peek(s, ','))
				break;
			if (!jy_ts_lit(s, ","))
				return JY_CR_ETEXT;
		}
	}
	if (!jy_ts_lit(s, "]") || !jy_ts_lit(s, "}"))
		return JY_CR_ETEXT;
	jy_ts_ws(s);
	if (*s->p != '\0' || out->nrec > UINT32_MAX)
	{
		jy_ts_fail(s, *s->p != '\0' ? "end of input" : "fewer cohorts");
		return JY_CR_ETEXT;
	}
	return JY_CR_OK;
}

/* ---- text output: a JyTextOut that counts (out == NULL) or writes ---------- */

/* ,"key":"s" (s needs no escaping) */
static void
put_key_str(JyTextOut *o, const char *key, const char *s, size_t len)
{
	jy_to_str(o, ",\"");
	jy_to_str(o, key);
	jy_to_str(o, "\":\"");
	jy_to_bytes(o, s, len);
	jy_to_str(o, "\"");
}

static void
put_array(JyTextOut *o, const int64_t *a, int32_t n)
{
	int32_t		k;

	jy_to_bytes(o, "[", 1);
	for (k = 0; k <= n; k++)
	{
		if (k)
			jy_to_bytes(o, ",", 1);
		jy_to_i64(o, a[k]);
	}
	jy_to_bytes(o, "]", 1);
}

static void
emit_text(const JyCr *r, JyTextOut *o)
{
	uint32_t	i;

	jy_to_str(o, "{\"v\":");
	jy_to_i64(o, r->version);
	put_key_str(o, "period", jy_cr_unit_names[r->unit], strlen(jy_cr_unit_names[r->unit]));
	jy_to_key_i64(o, "window_us", r->window_us);
	put_key_str(o, "tz", JY_CR_TZ(r), r->tzlen);
	jy_to_key_i64(o, "periods", r->periods);
	put_key_str(o, "cohorts", jy_cr_ctype_names[r->ctype], strlen(jy_cr_ctype_names[r->ctype]));
	jy_to_key_i64(o, "last_period", r->last_period);
	jy_to_str(o, ",\"data\":[");
	for (i = 0; i < r->ncohorts; i++)
	{
		const int64_t *rec = JY_CR_REC(r, i);

		jy_to_str(o, i ? ",[" : "[");
		jy_to_i64(o, rec[0]);
		jy_to_bytes(o, ",", 1);
		jy_to_i64(o, rec[1]);
		jy_to_bytes(o, ",", 1);
		put_array(o, JY_CR_ACTIVE(rec), r->periods);
		jy_to_bytes(o, ",", 1);
		put_array(o, JY_CR_LAST(rec, r->periods), r->periods);
		jy_to_bytes(o, ",", 1);
		put_array(o, JY_CR_BOTH(rec, r->periods), r->periods);
		jy_to_bytes(o, "]", 1);
	}
	jy_to_str(o, "]}");
}

size_t
jy_cr_text_size(const JyCr *r)
{
	JyTextOut	o = {NULL, 0};

	emit_text(r, &o);
	return o.len;
}

size_t
jy_cr_print_text(const JyCr *r, char *out)
{
	JyTextOut	o = {out, 0};

	emit_text(r, &o);
	return jy_to_finish(&o);
}

/* ---- binary ------------------------------------------------------------------ */

static uint64_t
get_be(const uint8_t *b, int bytes)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < bytes; i++)
		v = (v << 8) | b[i];
	return v;
}

static void
put_be(uint8_t *b, uint64_t v, int bytes)
{
	int			i;

	for (i = bytes - 1; i >= 0; i--)
	{
		b[i] = (uint8_t) v;
		v >>= 8;
	}
}

void
jy_cr_wire_header(const uint8_t *b, JyCr *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->version = b[0];
	hdr->unit = b[1];
	hdr->ctype = b[2];
	hdr->flags = b[3];
	hdr->periods = (int32_t) (uint32_t) get_be(b + 4, 4);
	hdr->window_us = (int64_t) get_be(b + 8, 8);
	hdr->last_period = (int64_t) get_be(b + 16, 8);
	hdr->ncohorts = (uint32_t) get_be(b + 24, 4);
	hdr->tzlen = (uint16_t) get_be(b + 28, 2);
	hdr->reserved = (uint16_t) get_be(b + 30, 2);
}

JyCrStatus
jy_cr_wire_check(const JyCr *hdr, size_t rest, JyCrError *err)
{
	size_t		words;

	if (hdr->periods < 0 || hdr->periods > JY_RET_MAX_PERIODS || hdr->tzlen < 1 ||
		hdr->tzlen > JY_CR_MAX_TZLEN)
		return fail(err, JY_CR_EINVALID, "The number of periods or the time-zone length is out of range.");
	words = (size_t) hdr->ncohorts * JY_CR_RECWORDS(hdr->periods);
	if ((size_t) hdr->tzlen + words * 8 != rest)
		return fail(err, JY_CR_EINVALID,
					"Declared %u cohorts of %d periods, which does not match the message length.",
					hdr->ncohorts, hdr->periods);
	return JY_CR_OK;
}

void
jy_cr_wire_body(JyCr *r, const JyCr *hdr, const uint8_t *rest)
{
	size_t		words = (size_t) hdr->ncohorts * JY_CR_RECWORDS(hdr->periods),
				i;
	int64_t    *w = JY_CR_REC(r, 0);

	r->version = hdr->version;
	r->flags = hdr->flags;
	r->reserved = hdr->reserved;
	memcpy(JY_CR_TZ(r), rest, hdr->tzlen);
	rest += hdr->tzlen;
	for (i = 0; i < words; i++)
		w[i] = (int64_t) get_be(rest + 8 * i, 8);
}

size_t
jy_cr_wire_size(const JyCr *r)
{
	return JY_CR_WIRE_HDR + r->tzlen + (size_t) r->ncohorts * JY_CR_RECWORDS(r->periods) * 8;
}

void
jy_cr_wire_write(const JyCr *r, uint8_t *out)
{
	size_t		words = (size_t) r->ncohorts * JY_CR_RECWORDS(r->periods),
				i;
	const int64_t *w = JY_CR_REC(r, 0);

	out[0] = r->version;
	out[1] = r->unit;
	out[2] = r->ctype;
	out[3] = r->flags;
	put_be(out + 4, (uint32_t) r->periods, 4);
	put_be(out + 8, (uint64_t) r->window_us, 8);
	put_be(out + 16, (uint64_t) r->last_period, 8);
	put_be(out + 24, r->ncohorts, 4);
	put_be(out + 28, r->tzlen, 2);
	put_be(out + 30, r->reserved, 2);
	out += JY_CR_WIRE_HDR;
	memcpy(out, JY_CR_TZ(r), r->tzlen);
	out += r->tzlen;
	for (i = 0; i < words; i++)
		put_be(out + 8 * i, (uint64_t) w[i], 8);
}

/* ---- merge -------------------------------------------------------------------- */

JyCrStatus
jy_cr_compatible(const JyCr *a, const JyCr *b, JyCrError *err)
{
	if (a->unit != b->unit || a->window_us != b->window_us || a->periods != b->periods ||
		a->ctype != b->ctype || a->tzlen != b->tzlen || memcmp(JY_CR_TZ(a), JY_CR_TZ(b), a->tzlen) != 0)
		return fail(err, JY_CR_ESETTINGS,
					"One has period %s, %d periods, cohorts %s, time zone %.*s; the other has period %s, %d periods, cohorts %s, time zone %.*s.",
					jy_cr_unit_names[a->unit], a->periods, jy_cr_ctype_names[a->ctype], (int) a->tzlen, JY_CR_TZ(a),
					jy_cr_unit_names[b->unit], b->periods, jy_cr_ctype_names[b->ctype], (int) b->tzlen, JY_CR_TZ(b));
	return JY_CR_OK;
}

/* index of cohort c in a, or of the first cohort after it */
static uint32_t
find_cohort(const JyCr *a, int64_t c, bool *found)
{
	uint32_t	lo = 0,
				hi = a->ncohorts;

	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;

		if (JY_CR_REC(a, mid)[0] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < a->ncohorts && JY_CR_REC(a, lo)[0] == c;
	return lo;
}

uint32_t
jy_cr_missing(const JyCr *a, const JyCr *b)
{
	uint32_t	j,
				missing = 0;
	bool		found;

	for (j = 0; j < b->ncohorts; j++)
	{
		find_cohort(a, JY_CR_REC(b, j)[0], &found);
		missing += !found;
	}
	return missing;
}

/* the counts of record src added to dst (the cohort stays) */
static JyCrStatus
add_rec(int64_t *dst, const int64_t *src, int32_t periods, JyCrError *err)
{
	if (!jy_ret_add_counts(dst + 1, src + 1, JY_CR_RECWORDS(periods) - 1))
		return fail(err, JY_CR_EOVERFLOW, "A count of the merged value is beyond the range of bigint.");
	return JY_CR_OK;
}

JyCrStatus
jy_cr_merge_inplace(JyCr *a, const JyCr *b, JyCrError *err, JyCrTick tick, void *arg)
{
	uint32_t	j;
	bool		found;

	for (j = 0; j < b->ncohorts; j++)
	{
		if (tick && (j & TICK_EVERY) == TICK_EVERY)
			tick(arg);
		if (add_rec(JY_CR_REC(a, find_cohort(a, JY_CR_REC(b, j)[0], &found)), JY_CR_REC(b, j),
					a->periods, err) != JY_CR_OK)
			return err->status;
	}
	if (b->last_period > a->last_period)
		a->last_period = b->last_period;
	return JY_CR_OK;
}

JyCrStatus
jy_cr_merge_into(JyCr *out, const JyCr *a, const JyCr *b, JyCrError *err, JyCrTick tick, void *arg)
{
	uint32_t	i,
				j,
				k;
	size_t		w = JY_CR_RECWORDS(a->periods);

	/* merge two sorted record lists */
	for (i = 0, j = 0, k = 0; i < a->ncohorts || j < b->ncohorts; k++)
	{
		const int64_t *ra = i < a->ncohorts ? JY_CR_REC(a, i) : NULL;
		const int64_t *rb = j < b->ncohorts ? JY_CR_REC(b, j) : NULL;
		int64_t    *dst = JY_CR_REC(out, k);

		if (tick && (k & TICK_EVERY) == TICK_EVERY)
			tick(arg);
		if (rb == NULL || (ra != NULL && ra[0] < rb[0]))
		{
			memcpy(dst, ra, w * sizeof(int64_t));
			i++;
		}
		else if (ra == NULL || rb[0] < ra[0])
		{
			memcpy(dst, rb, w * sizeof(int64_t));
			j++;
		}
		else
		{
			memcpy(dst, ra, w * sizeof(int64_t));
			if (add_rec(dst, rb, a->periods, err) != JY_CR_OK)
				return err->status;
			i++;
			j++;
		}
	}
	return JY_CR_OK;
}

/* ---- reports ------------------------------------------------------------------- */

bool
jy_cr_total_users(const JyCr *r, int64_t *out)
{
	int64_t		s = 0;
	uint32_t	i;

	for (i = 0; i < r->ncohorts; i++)
		if (__builtin_add_overflow(s, JY_CR_REC(r, i)[1], &s))
			return false;
	*out = s;
	return true;
}

void
jy_cr_lifecycle_span(const JyCr *r, int64_t *minc, int64_t *span)
{
	int64_t		first = JY_CR_REC(r, 0)[0],
				endp = first + r->periods;

	/* exact only where every earlier cohort is still within its N periods */
	if (r->last_period < endp)
		endp = r->last_period;
	*minc = first;
	*span = endp - first + 1;
}

bool
jy_cr_lifecycle(const JyCr *r, int64_t minc, int64_t span, int64_t *acc, JyCrTick tick, void *arg)
{
	int32_t		n = r->periods;
	int64_t		endp = minc + span - 1;
	uint32_t	i;

	for (i = 0; i < r->ncohorts; i++)
	{
		const int64_t *rec = JY_CR_REC(r, i);
		const int64_t *act = JY_CR_ACTIVE(rec);
		const int64_t *both = JY_CR_BOTH(rec, n);
		int64_t		k;

		if (tick)
			tick(arg);
		for (k = 0; k <= n && rec[0] + k <= endp; k++)
		{
			int64_t    *row = acc + (rec[0] + k - minc) * 4;
			bool		ovf;

			/* differences are >= 0 (validated); sums over cohorts may overflow */
			if (k == 0)
				ovf = __builtin_add_overflow(row[0], rec[1], &row[0]);
			else
				ovf = __builtin_add_overflow(row[1], both[k], &row[1]) ||
					__builtin_add_overflow(row[2], act[k] - both[k], &row[2]) ||
					__builtin_add_overflow(row[3], act[k - 1] - both[k], &row[3]);
			if (ovf)
				return false;
		}
	}
	return true;
}

bool
jy_cr_cohort_complete(const JyCr *r, const int64_t *rec)
{
	if (r->unit == JY_RET_ROLLING)
	{
		__int128	span = (__int128) (r->last_period - rec[0] + 1) * JY_USECS_PER_DAY;

		return span <= (__int128) (r->periods + 1) * r->window_us;
	}
	return rec[0] + r->periods >= r->last_period;
}

int32_t
jy_cr_active_periods(const JyCr *r, const int64_t *rec, int32_t *out)
{
	int32_t		k,
				n = 0;

	for (k = 0; k <= r->periods; k++)
		if (JY_CR_ACTIVE(rec)[k])
			out[n++] = k;
	return n;
}

int32_t
jy_cr_stickiness(const JyCr *r, JyRetUnit unit, int64_t *out_start, int32_t *out_days)
{
	const int64_t *rec = JY_CR_REC(r, 0);
	int64_t		cur = 0;
	int32_t		k,
				days = 0,
				n = 0;

	for (k = 0; k <= r->periods; k++)
	{
		int64_t		y,
					p;
		int			m,
					d;

		if (!JY_CR_ACTIVE(rec)[k])
			continue;
		jy_ret_civil_from_days(rec[0] + k, &y, &m, &d);
		p = jy_ret_period_of_date(unit, y, m, d);
		if (days > 0 && p != cur)
		{
			out_start[n] = jy_ret_period_start_days(unit, cur);
			out_days[n++] = days;
			days = 0;
		}
		cur = p;
		days++;
	}
	if (days > 0)
	{
		out_start[n] = jy_ret_period_start_days(unit, cur);
		out_days[n++] = days;
	}
	return n;
}

/* ---- values from the one-pass summary table ------------------------------------ */

size_t
jy_cr_table_bases(const JyRetTable *t, int64_t *bases, int64_t *scratch, JyCrTick tick, void *arg)
{
	size_t		sw = JY_RET_SLOT_WORDS(t->words),
				i,
				j;

	for (i = 0, j = 0; i < t->cap; i++)
		if (t->slots[i * sw + 1] != JY_RET_EMPTY)
			bases[j++] = t->slots[i * sw + 1];
	return jy_ret_sort_unique_ex(bases, j, scratch, tick, arg);
}

void
jy_cr_fill_from_table(JyCr *r, const JyRetTable *t, const int64_t *bases, size_t nc,
					  JyCrTick tick, void *arg)
{
	size_t		sw = JY_RET_SLOT_WORDS(t->words),
				i;
	int32_t		n = r->periods;

	for (i = 0; i < nc; i++)
		JY_CR_REC(r, i)[0] = bases[i];
	for (i = 0; i < t->cap; i++)
	{
		const int64_t *s = t->slots + i * sw;
		size_t		lo = 0,
					hi = nc;
		int64_t    *rec;

		if (s[1] == JY_RET_EMPTY)
			continue;
		if (tick && (i & TICK_EVERY) == 0)
			tick(arg);
		while (lo < hi)
		{
			size_t		mid = lo + (hi - lo) / 2;

			if (bases[mid] < s[1])
				lo = mid + 1;
			else
				hi = mid;
		}
		rec = JY_CR_REC(r, lo);
		rec[1]++;
		jy_ret_add_user(JY_CR_ACTIVE(rec), JY_CR_LAST(rec, n), JY_CR_BOTH(rec, n),
						(const uint64_t *) (s + 2), n);
	}
}
