/*
 * journey_codec.c — the journey codec (format in journey_codec.h).  No postgres.h here;
 * nothing is allocated: every array comes from the caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>

#include "journey_codec.h"
#include "jy_util.h"

/* Frozen with format 1: never reorder, remove or insert; sorted in name order. */
const char *const jy_jc_well_known[] = {
	"$autocapture", "$exception", "$groupidentify", "$identify", "$pageleave", "$pageview",
	"$screen", "$set", "add_payment_info", "add_shipping_info", "add_to_cart",
	"add_to_wishlist", "app_install", "app_open", "app_remove", "begin_checkout", "cart",
	"checkout", "click", "close", "error", "file_download", "first_open", "first_visit",
	"form_start", "form_submit", "generate_lead", "home", "join_group", "level_end",
	"level_start", "login", "logout", "notification_open", "open", "page_view", "product",
	"product_view", "purchase", "refund", "remove_from_cart", "screen_view", "scroll",
	"search", "select_content", "select_item", "select_promotion", "session_start", "share",
	"sign_up", "signup", "subscribe", "trial_start", "tutorial_begin", "tutorial_complete",
	"unsubscribe", "user_engagement", "video_complete", "video_progress", "video_start",
	"view", "view_cart", "view_item", "view_item_list", "view_promotion",
	"view_search_results", "visit"
};
const uint32_t jy_jc_n_well_known = sizeof(jy_jc_well_known) / sizeof(jy_jc_well_known[0]);

static const int64_t pow10_tab[7] = {1, 10, 100, 1000, 10000, 100000, 1000000};

/* strlen of each well-known name, filled on first use (the decoder's dictionary loop) */
static uint8_t wk_len[256];
static bool wk_len_ready = false;

static inline uint32_t
well_known_len(uint64_t k)
{
	if (!wk_len_ready)
	{
		uint32_t	i;

		for (i = 0; i < jy_jc_n_well_known && i < 256; i++)
			wk_len[i] = (uint8_t) strlen(jy_jc_well_known[i]);
		wk_len_ready = true;
	}
	return k < 256 ? wk_len[k] : (uint32_t) strlen(jy_jc_well_known[k]);
}

/*
 * Division of 32-bit values by a fixed divisor d >= 1 without a divide
 * instruction (Lemire, Kaser, Kurz 2019, "Faster remainder by direct
 * computation"): with M = ceil(2^64 / d), n / d = floor(M * n / 2^64) and
 * n % d = floor(((M * n) mod 2^64) * d / 2^64) for every 32-bit n.  d = 1
 * has no 64-bit M (the quotient is n, the remainder 0).
 */
typedef struct FastDiv
{
	uint64_t	m;
	uint32_t	d;
} FastDiv;

/*
 * UINT64_MAX / d for the dictionary sizes of most journeys, computed once:
 * the decoder needs that quotient for every value (the magic number below
 * and the escape code), and a 64-bit division costs as much as decoding a
 * few events.
 */
#define QMAX_SMALL 64
static uint64_t qmax_small[QMAX_SMALL];

static inline uint64_t
qmax_of(uint32_t d)
{
	if (d < QMAX_SMALL)
	{
		if (qmax_small[d] == 0)
			qmax_small[d] = UINT64_MAX / d;		/* d >= 1; never 0 */
		return qmax_small[d];
	}
	return UINT64_MAX / d;
}

/* qmax = UINT64_MAX / d (qmax_of) */
static inline FastDiv
fastdiv_init(uint32_t d, uint64_t qmax)
{
	FastDiv		f;

	f.d = d;
	f.m = d > 1 ? qmax + 1 : 0;
	return f;
}

static inline void
fastdiv_u64(const FastDiv *f, uint64_t n, uint64_t *q, uint32_t *r)
{
	if (f->d == 1)
	{
		*q = n;
		*r = 0;
	}
	else if (n <= UINT32_MAX)
	{
		uint64_t	low = f->m * n;

		*q = (uint64_t) (((unsigned __int128) f->m * n) >> 64);
		*r = (uint32_t) (((unsigned __int128) low * f->d) >> 64);
	}
	else
	{
		*q = n / f->d;
		*r = (uint32_t) (n % f->d);
	}
}

static JyJcStatus fail(JyJcError *err, JyJcStatus st, size_t pos, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

static JyJcStatus
fail(JyJcError *err, JyJcStatus st, size_t pos, const char *fmt,...)
{
	va_list		ap;

	if (err)
	{
		err->status = st;
		err->pos = pos;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return st;
}

/* ---- names ---------------------------------------------------------------- */

int
jy_jc_name_cmp(const char *a, uint32_t alen, const char *b, uint32_t blen)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* name order of a NUL-terminated table entry against (name, len) */
static inline int
cstr_cmp(const char *w, const char *name, uint32_t len)
{
	uint32_t	i;

	for (i = 0; i < len; i++)
	{
		if (w[i] == '\0')
			return -1;
		if (w[i] != name[i])
			return (unsigned char) w[i] < (unsigned char) name[i] ? -1 : 1;
	}
	return w[len] == '\0' ? 0 : 1;
}

/*
 * Names of a decoded journey that are well-known point at the table's own
 * strings; re-encoding them (journey_sessions, slices) asks for their number
 * again and again.  A small cache by address answers those without a search:
 * an entry counts only when the table's string at the cached number is that
 * very address (so a stale or colliding entry is simply a miss).
 */
static uint16_t wk_by_addr[64];

static inline unsigned
wk_addr_slot(const char *name)
{
	return (unsigned) (((uintptr_t) name >> 3) ^ ((uintptr_t) name >> 9)) & 63;
}

static int64_t
well_known_index(const char *name, uint32_t len)
{
	size_t		lo = 0,
				hi = jy_jc_n_well_known;
	unsigned	slot = wk_addr_slot(name);

	if (len > 24 || len < 3)
		return -1;
	if (wk_by_addr[slot] < jy_jc_n_well_known && jy_jc_well_known[wk_by_addr[slot]] == name &&
		well_known_len(wk_by_addr[slot]) == len)
		return wk_by_addr[slot];
	while (lo < hi)
	{
		size_t		mid = (lo + hi) / 2;
		int			c = cstr_cmp(jy_jc_well_known[mid], name, len);

		if (c == 0)
		{
			if (jy_jc_well_known[mid] == name)
				wk_by_addr[slot] = (uint16_t) mid;
			return (int64_t) mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int64_t
jy_jc_find_name(const JyJView *v, const char *name, uint32_t len)
{
	size_t		lo = 0,
				hi = v->ndict;

	while (lo < hi)
	{
		size_t		mid = (lo + hi) / 2;
		int			c = jy_jc_name_cmp(v->name[mid], v->name_len[mid], name, len);

		if (c == 0)
			return (int64_t) mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---- varints -------------------------------------------------------------- */

static inline size_t
vsize(uint64_t v)
{
	size_t		n = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		n++;
	}
	return n;
}

static inline uint8_t *
vput(uint8_t *p, uint64_t v)
{
	while (v >= 0x80)
	{
		*p++ = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t) v;
	return p;
}

/* 0 ok, 1 truncated, 2 malformed (over-long or more than 64 bits) */
static inline int
vget(const uint8_t *buf, size_t len, size_t *pos, uint64_t *out)
{
	size_t		p = *pos;
	uint64_t	r = 0;
	int			i;

	for (i = 0; i < 10; i++)
	{
		uint8_t		b;

		if (p >= len)
			return 1;
		b = buf[p++];
		if (i == 9 && b > 1)
			return 2;
		r |= (uint64_t) (b & 0x7f) << (7 * i);
		if (!(b & 0x80))
		{
			if (b == 0 && i > 0)
				return 2;
			*pos = p;
			*out = r;
			return 0;
		}
	}
	return 2;
}

/*
 * vget with the one- to three-byte varints inline (an event code on the
 * sample data is 2-3 bytes: a ~40 s step in ms times a few names); longer
 * ones, and any varint within 3 bytes of the end, take vget.  Same results,
 * same errors: a zero last byte after the first is over-long (2).
 */
static inline int
vget3(const uint8_t *buf, size_t len, size_t *pos, uint64_t *out)
{
	size_t		p = *pos;

	if (len - p >= 3)
	{
		uint8_t		b0 = buf[p],
					b1,
					b2;

		if (b0 < 0x80)
		{
			*out = b0;
			*pos = p + 1;
			return 0;
		}
		b1 = buf[p + 1];
		if (b1 < 0x80)
		{
			if (b1 == 0)
				return 2;
			*out = (uint64_t) (b0 & 0x7f) | ((uint64_t) b1 << 7);
			*pos = p + 2;
			return 0;
		}
		b2 = buf[p + 2];
		if (b2 < 0x80)
		{
			if (b2 == 0)
				return 2;
			*out = (uint64_t) (b0 & 0x7f) | ((uint64_t) (b1 & 0x7f) << 7) | ((uint64_t) b2 << 14);
			*pos = p + 3;
			return 0;
		}
	}
	return vget(buf, len, pos, out);
}

static inline uint64_t
zigzag(int64_t v)
{
	return ((uint64_t) v << 1) ^ (uint64_t) (v >> 63);
}

static inline int64_t
unzigzag(uint64_t u)
{
	return (int64_t) (u >> 1) ^ -(int64_t) (u & 1);
}

#define VGET(what, posvar, dst) \
	do { \
		size_t _at = (posvar); \
		int _r = vget(buf, len, &(posvar), (dst)); \
		if (_r == 1) \
			return fail(err, JY_JC_EMALFORMED, _at, "The value ends inside %s at byte %zu.", what, _at); \
		if (_r == 2) \
			return fail(err, JY_JC_EMALFORMED, _at, "Bad varint in %s at byte %zu.", what, _at); \
	} while (0)

/* ---- decoding ------------------------------------------------------------- */

static JyJcStatus
read_header(const uint8_t *buf, size_t len, size_t *pos, uint32_t *n, uint32_t *ndict,
			unsigned *unit, JyJcError *err)
{
	uint64_t	un,
				ud;
	size_t		p = 2;

	if (len < 2)
		return fail(err, JY_JC_EMALFORMED, len, "The value ends inside the header at byte %zu.", len);
	if (buf[0] != JY_JC_VERSION)
		return fail(err, JY_JC_EMALFORMED, 0, "Unsupported format version %u at byte 0; this version of journey reads version %d.",
					(unsigned) buf[0], JY_JC_VERSION);
	if (buf[1] & ~JY_JC_FLAG_UNIT_MASK)
		return fail(err, JY_JC_EMALFORMED, 1, "Reserved flag bits 0x%02x are set at byte 1.",
					(unsigned) (buf[1] & ~JY_JC_FLAG_UNIT_MASK));
	*unit = buf[1] & JY_JC_FLAG_UNIT_MASK;
	if (*unit > 6)
		return fail(err, JY_JC_EMALFORMED, 1, "Time unit exponent %u at byte 1 is out of range (0 to 6).", *unit);
	VGET("the event count", p, &un);
	VGET("the name count", p, &ud);
	if (un > JY_JC_MAX_EVENTS)
		return fail(err, JY_JC_ELIMIT, 2, "The value declares %llu events; a journey holds at most %u.",
					(unsigned long long) un, JY_JC_MAX_EVENTS);
	if (ud > JY_JC_MAX_NAMES)
		return fail(err, JY_JC_ELIMIT, 2, "The value declares %llu distinct event names; a journey holds at most %u.",
					(unsigned long long) ud, JY_JC_MAX_NAMES);
	if (un == 0 && (ud != 0 || *unit != 0))
		return fail(err, JY_JC_EMALFORMED, 2, "An empty journey must declare 0 names and time unit 0.");
	if (un > 0 && (ud == 0 || ud > un))
		return fail(err, JY_JC_EMALFORMED, 2, "The value declares %llu names for %llu events; it needs between 1 and the number of events.",
					(unsigned long long) ud, (unsigned long long) un);
	if (un + ud > len - p)
		return fail(err, JY_JC_EMALFORMED, p, "The value declares %llu events and %llu names, more than its remaining %zu bytes can hold.",
					(unsigned long long) un, (unsigned long long) ud, len - p);
	*n = (uint32_t) un;
	*ndict = (uint32_t) ud;
	*pos = p;
	return JY_JC_OK;
}

JyJcStatus
jy_jc_header(const uint8_t *buf, size_t len, uint32_t *n, uint32_t *ndict, JyJcError *err)
{
	size_t		pos;
	unsigned	unit;

	return read_header(buf, len, &pos, n, ndict, &unit, err);
}

/* the optional tick of the _ex functions: every 2^16 events or names */
static inline void
jc_tick(uint32_t i, void (*tick) (void *), void *arg)
{
	if ((i & 0xFFFF) == 0xFFFF && tick)
		tick(arg);
}


/*
 * The decoder, shared by the full decode and the times-only decode: `full`
 * is a constant at both call sites, so each gets its own specialized copy.
 * Every rule of the format is checked in both; the times-only form just does
 * not write the name ids and the dictionary (names in use are tracked in a
 * bitmap, JY_JC_MAX_NAMES bits on the stack, of which only ndict are cleared).
 */
static inline __attribute__((always_inline)) JyJcStatus
decode_core(const uint8_t *buf, size_t len, JyJView *v, int64_t *ts, uint32_t *pn,
			JyJcError *err, void (*tick) (void *), void *arg, const bool full,
			JyJcSelect sel, void *sel_arg, uint32_t *row)
{
	size_t		pos;
	uint32_t	n,
				ndict,
				i;
	unsigned	unit;
	JyJcStatus	st;
	int64_t		p10,
				prev = 0;
	uint64_t	u,
				esc;
	uint32_t	prev_id = 0;
	bool		all_div10;
	FastDiv		kdiv;
	const char *prev_nm = NULL;
	uint32_t	prev_nl = 0;
	int64_t		prev_wk = -1;	/* well-known number of the previous name, -1 if none */
	uint64_t	used[(JY_JC_MAX_NAMES + 64) / 64];
	const uint8_t *keep = NULL;
	uint32_t	kept = 0;

	st = read_header(buf, len, &pos, &n, &ndict, &unit, err);
	if (st != JY_JC_OK)
		return st;
	*pn = n;
	if (full)
		v->ndict = ndict;
	if (n == 0)
	{
		if (pos != len)
			return fail(err, JY_JC_EMALFORMED, pos, "Unexpected bytes after the end of the value at byte %zu.", pos);
		return JY_JC_OK;
	}
	p10 = pow10_tab[unit];

	/* first time, in microseconds */
	{
		size_t		at = pos;
		int64_t		f;

		VGET("the first time", pos, &u);
		f = unzigzag(u);
		if (f < JY_JC_MIN_TS || f > JY_JC_MAX_TS)
			return fail(err, JY_JC_EMALFORMED, at, "The first time at byte %zu is outside the years 1 to 9999.", at);
		prev = f;
		all_div10 = true;
	}

	/* dictionary */
	for (i = 0; i < ndict; i++)
	{
		size_t		at = pos;
		const char *nm;
		uint32_t	nl;
		int64_t		wk = -1;

		jc_tick(i, tick, arg);
		VGET("a name", pos, &u);
		if (u & 1)
		{
			uint64_t	k = u >> 1;

			if (k >= jy_jc_n_well_known)
				return fail(err, JY_JC_EMALFORMED, at, "Unknown well-known name number %llu at byte %zu.",
							(unsigned long long) k, at);
			nm = jy_jc_well_known[k];
			nl = well_known_len(k);
			wk = (int64_t) k;
		}
		else
		{
			uint64_t	l = u >> 1;

			if (l > JY_JC_MAX_NAME_LEN)
				return fail(err, JY_JC_ELIMIT, at, "Name %u at byte %zu is %llu bytes long; the limit is %u bytes.",
							i + 1, at, (unsigned long long) l, JY_JC_MAX_NAME_LEN);
			if (l > len - pos)
				return fail(err, JY_JC_EMALFORMED, at, "The value ends inside name %u (declared %llu bytes at byte %zu).",
							i + 1, (unsigned long long) l, at);
			nm = (const char *) buf + pos;
			nl = (uint32_t) l;
			if (memchr(nm, 0, nl) != NULL)
				return fail(err, JY_JC_EMALFORMED, at, "Name %u at byte %zu contains a zero byte.", i + 1, at);
			if (well_known_index(nm, nl) >= 0)
				return fail(err, JY_JC_EMALFORMED, at, "Name %u at byte %zu is a well-known name written out in full.", i + 1, at);
			pos += nl;
		}
		/* two well-known names: the table is in name order, so compare their numbers */
		if (i > 0 && (wk >= 0 && prev_wk >= 0 ? wk <= prev_wk : jy_jc_name_cmp(prev_nm, prev_nl, nm, nl) >= 0))
			return fail(err, JY_JC_EMALFORMED, at, "Name %u at byte %zu is not after the previous name in name order.", i + 1, at);
		prev_nm = nm;
		prev_nl = nl;
		prev_wk = wk;
		if (full)
		{
			v->name[i] = nm;
			v->name_len[i] = nl;
		}
	}

	/* the caller picks the events it needs, knowing the dictionary */
	if (sel)
	{
		v->n = n;
		keep = sel(sel_arg, v);
	}

	/* events */
	{
		uint64_t	qmax = qmax_of(ndict);

		esc = qmax - 1;
		kdiv = fastdiv_init(ndict, qmax);
	}
	if (n > len - pos)
		return fail(err, JY_JC_EMALFORMED, pos, "The value declares %u events, more than its remaining %zu bytes can hold.", n, len - pos);
	memset(used, 0, ((ndict + 63) / 64) * sizeof(uint64_t));
	st = JY_JC_OK;
	for (i = 0; i < n; i++)
	{
		size_t		at = pos;
		uint64_t	q,
					step;
		uint32_t	id;
		int			r;

		jc_tick(i, tick, arg);
		r = vget3(buf, len, &pos, &u);
		if (r != 0)
		{
			st = fail(err, JY_JC_EMALFORMED, at, r == 1 ? "The value ends inside event %u at byte %zu." :
					  "Bad varint in event %u at byte %zu.", i + 1, at);
			break;
		}
		fastdiv_u64(&kdiv, u, &q, &id);
		if (q > esc)
		{
			st = fail(err, JY_JC_EMALFORMED, at, "Event %u at byte %zu has an invalid code.", i + 1, at);
			break;
		}
		if (q == esc)
		{
			size_t		at2 = pos;

			r = vget(buf, len, &pos, &q);
			if (r != 0)
			{
				st = fail(err, JY_JC_EMALFORMED, at2, r == 1 ? "The value ends inside event %u at byte %zu." :
						  "Bad varint in event %u at byte %zu.", i + 1, at2);
				break;
			}
			if (q < esc)
			{
				st = fail(err, JY_JC_EMALFORMED, at, "Event %u at byte %zu uses the long form for a short time step.", i + 1, at);
				break;
			}
		}
		if (i == 0 && q != 0)
		{
			st = fail(err, JY_JC_EMALFORMED, at, "The first event at byte %zu has a non-zero time step.", at);
			break;
		}
		/* q * p10 > MAX_TS - prev, i.e. q > (MAX_TS - prev) / p10, without a division */
		if (__builtin_mul_overflow(q, (uint64_t) p10, &step) ||
			step > (uint64_t) (JY_JC_MAX_TS - prev))
		{
			st = fail(err, JY_JC_EMALFORMED, at, "Event %u at byte %zu lies after the year 9999.", i + 1, at);
			break;
		}
		if (i > 0 && q == 0 && id < prev_id)
		{
			st = fail(err, JY_JC_EMALFORMED, at, "Event %u at byte %zu has the same time as the previous event but comes before it in name order.",
					  i + 1, at);
			break;
		}
		if (q % 10 != 0)
			all_div10 = false;
		prev += (int64_t) step;
		if (sel)
		{
			/* branch-free: the slot is overwritten unless the event is kept */
			ts[kept] = prev;
			v->ev[kept] = id;
			row[kept] = i;
			kept += keep != NULL && keep[id];
		}
		else
		{
			ts[i] = prev;
			if (full)
				v->ev[i] = id;
		}
		used[id >> 6] |= UINT64_C(1) << (id & 63);
		prev_id = id;
	}
	if (st != JY_JC_OK)
		return st;
	for (i = 0; i < ndict; i++)
		if (!(used[i >> 6] & (UINT64_C(1) << (i & 63))))
			return fail(err, JY_JC_EMALFORMED, pos, "Name %u of the dictionary is not used by any event.", i + 1);
	if (unit < 6 && all_div10)
		return fail(err, JY_JC_EMALFORMED, 1, "The time unit at byte 1 is not the largest that divides every time step (non-canonical value).");
	if (pos != len)
		return fail(err, JY_JC_EMALFORMED, pos, "Unexpected bytes after the last event at byte %zu.", pos);
	if (sel)
		*pn = kept;
	return JY_JC_OK;
}

JyJcStatus
jy_jc_decode_ex(const uint8_t *buf, size_t len, JyJView *v, JyJcError *err,
				void (*tick) (void *), void *arg)
{
	return decode_core(buf, len, v, v->ts, &v->n, err, tick, arg, true, NULL, NULL, NULL);
}

JyJcStatus
jy_jc_decode_times_ex(const uint8_t *buf, size_t len, int64_t *ts, uint32_t *n, JyJcError *err,
					  void (*tick) (void *), void *arg)
{
	return decode_core(buf, len, NULL, ts, n, err, tick, arg, false, NULL, NULL, NULL);
}

JyJcStatus
jy_jc_decode_select_ex(const uint8_t *buf, size_t len, JyJView *v, uint32_t *row,
					   JyJcSelect sel, void *sel_arg, JyJcError *err,
					   void (*tick) (void *), void *arg)
{
	return decode_core(buf, len, v, v->ts, &v->n, err, tick, arg, true, sel, sel_arg, row);
}

/* ---- encoding ------------------------------------------------------------- */

static unsigned
unit_of(const JyJView *v)
{
	unsigned	e = 6;
	uint32_t	i;

	if (v->n == 0)
		return 0;
	for (i = 1; i < v->n && e > 0; i++)
	{
		uint64_t	d = jy_udiff(v->ts[i], v->ts[i - 1]);

		while (e > 0 && d % (uint64_t) pow10_tab[e] != 0)
			e--;
	}
	return e;
}

static inline size_t
event_size(uint64_t q, uint64_t K, uint64_t esc, uint32_t id)
{
	if (q < esc)
		return vsize(q * K + id);
	return vsize(esc * K + id) + vsize(q);
}

static size_t
dict_entry_size(const char *nm, uint32_t nl)
{
	int64_t		k = well_known_index(nm, nl);

	if (k >= 0)
		return vsize(((uint64_t) k << 1) | 1);
	return vsize((uint64_t) nl << 1) + nl;
}


size_t
jy_jc_encoded_size_ex(const JyJView *v, void (*tick) (void *), void *arg)
{
	size_t		sz = 2 + vsize(v->n) + vsize(v->ndict);
	unsigned	e;
	int64_t		p10;
	uint64_t	K,
				esc;
	uint32_t	i;

	if (v->n == 0)
		return sz;
	e = unit_of(v);
	p10 = pow10_tab[e];
	sz += vsize(zigzag(v->ts[0]));
	for (i = 0; i < v->ndict; i++)
	{
		jc_tick(i, tick, arg);
		sz += dict_entry_size(v->name[i], v->name_len[i]);
	}
	K = v->ndict;
	esc = UINT64_MAX / K - 1;
	for (i = 0; i < v->n; i++)
	{
		uint64_t	q = i == 0 ? 0 : jy_udiff(v->ts[i], v->ts[i - 1]) / (uint64_t) p10;

		jc_tick(i, tick, arg);
		sz += event_size(q, K, esc, v->ev[i]);
	}
	return sz;
}


size_t
jy_jc_encode_ex(const JyJView *v, uint8_t *out, void (*tick) (void *), void *arg)
{
	uint8_t    *p = out;
	unsigned	e = unit_of(v);
	int64_t		p10 = pow10_tab[e];
	uint64_t	K,
				esc;
	uint32_t	i;

	*p++ = JY_JC_VERSION;
	*p++ = (uint8_t) e;
	p = vput(p, v->n);
	p = vput(p, v->ndict);
	if (v->n == 0)
		return (size_t) (p - out);
	p = vput(p, zigzag(v->ts[0]));
	for (i = 0; i < v->ndict; i++)
	{
		int64_t		k = well_known_index(v->name[i], v->name_len[i]);

		jc_tick(i, tick, arg);
		if (k >= 0)
			p = vput(p, ((uint64_t) k << 1) | 1);
		else
		{
			p = vput(p, (uint64_t) v->name_len[i] << 1);
			memcpy(p, v->name[i], v->name_len[i]);
			p += v->name_len[i];
		}
	}
	K = v->ndict;
	esc = UINT64_MAX / K - 1;
	for (i = 0; i < v->n; i++)
	{
		uint64_t	q = i == 0 ? 0 : jy_udiff(v->ts[i], v->ts[i - 1]) / (uint64_t) p10;

		jc_tick(i, tick, arg);
		if (q < esc)
			p = vput(p, q * K + v->ev[i]);
		else
		{
			p = vput(p, esc * K + v->ev[i]);
			p = vput(p, q);
		}
	}
	return (size_t) (p - out);
}

/* ---- canonicalization ----------------------------------------------------- */

typedef struct TsEv
{
	int64_t		ts;
	uint32_t	ev;
	uint32_t	pad;
} TsEv;

static int
tsev_cmp(const void *a, const void *b)
{
	const TsEv *x = (const TsEv *) a;
	const TsEv *y = (const TsEv *) b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->ev < y->ev ? -1 : x->ev > y->ev ? 1 : 0;
}

/* merge sort of name ids by name (stable, no callbacks with context needed) */
static void
sort_ids_by_name(uint32_t *ids, uint32_t *tmp, uint32_t n, const char **name, const uint32_t *len,
				 void (*tick) (void *), void *arg)
{
	uint32_t	width,
				i;

	/* insertion sort runs of 16, then bottom-up merges */
	for (i = 0; i < n; i += 16)
	{
		uint32_t	end = i + 16 < n ? i + 16 : n,
					j;

		for (j = i + 1; j < end; j++)
		{
			uint32_t	x = ids[j],
						k = j;

			while (k > i && jy_jc_name_cmp(name[ids[k - 1]], len[ids[k - 1]], name[x], len[x]) > 0)
			{
				ids[k] = ids[k - 1];
				k--;
			}
			ids[k] = x;
		}
	}
	if (tick)
		tick(arg);
	for (width = 16; width < n; width *= 2)
	{
		for (i = 0; i < n; i += 2 * width)
		{
			uint32_t	mid = i + width < n ? i + width : n,
						end = i + 2 * width < n ? i + 2 * width : n,
						a = i,
						b = mid,
						k = i;

			while (a < mid && b < end)
			{
				if (jy_jc_name_cmp(name[ids[b]], len[ids[b]], name[ids[a]], len[ids[a]]) < 0)
					tmp[k++] = ids[b++];
				else
					tmp[k++] = ids[a++];
			}
			while (a < mid)
				tmp[k++] = ids[a++];
			while (b < end)
				tmp[k++] = ids[b++];
		}
		memcpy(ids, tmp, n * sizeof(uint32_t));
		if (tick)
			tick(arg);
	}
}

/*
 * Sort (ts, ev) pairs: qsort runs of TSEV_RUN pairs, then bottom-up merge
 * passes through tmp (n pairs), calling tick between runs and passes so the
 * caller can honour cancellation (glibc's qsort allocates the same n-pair
 * buffer itself for large inputs).  Equal pairs are identical, so the result
 * is that of one qsort.
 */
#define TSEV_RUN 1024

static void
sort_pairs(TsEv *p, TsEv *tmp, uint32_t n, void (*tick) (void *), void *arg)
{
	uint32_t	width,
				i;
	TsEv	   *src = p,
			   *dst = tmp;

	for (i = 0; i < n; i += TSEV_RUN)
	{
		qsort(p + i, (n - i < TSEV_RUN ? n - i : TSEV_RUN), sizeof(TsEv), tsev_cmp);
		if (tick && (i & (64 * TSEV_RUN - 1)) == 0)
			tick(arg);
	}
	for (width = TSEV_RUN; width < n; width *= 2)
	{
		TsEv	   *t;

		for (i = 0; i < n; i += 2 * width)
		{
			uint32_t	mid = (n - i > width) ? i + width : n,
						end = (n - i > 2 * width) ? i + 2 * width : n,
						a = i,
						b = mid,
						k = i;

			while (a < mid && b < end)
			{
				if (tsev_cmp(&src[b], &src[a]) < 0)
					dst[k++] = src[b++];
				else
					dst[k++] = src[a++];
			}
			while (a < mid)
				dst[k++] = src[a++];
			while (b < end)
				dst[k++] = src[b++];
		}
		t = src;
		src = dst;
		dst = t;
		if (tick)
			tick(arg);
	}
	if (src != p)
		memcpy(p, src, (size_t) n * sizeof(TsEv));
}

#define ALIGN8(x) (((x) + 7) & ~(size_t) 7)

size_t
jy_jc_canon_scratch(uint32_t n, uint32_t ndict)
{
	return ALIGN8((size_t) ndict * sizeof(const char *)) +
		ALIGN8((size_t) ndict * sizeof(uint32_t)) * 3 +
		(size_t) n * sizeof(TsEv) * 2 + 8;
}


JyJcStatus
jy_jc_canonicalize_ex(JyJView *v, void *scratch, JyJcError *err, void (*tick) (void *), void *arg)
{
	char	   *s = (char *) scratch;
	const char **tname = (const char **) s;
	uint32_t   *perm,
			   *remap,
			   *tlen;
	TsEv	   *pairs;
	uint32_t	i,
				nd = 0;
	bool		sorted = true;

	if (v->n > JY_JC_MAX_EVENTS)
		return fail(err, JY_JC_ELIMIT, 0, "The journey would have %u events; a journey holds at most %u.", v->n, JY_JC_MAX_EVENTS);
	s += ALIGN8((size_t) v->ndict * sizeof(const char *));
	perm = (uint32_t *) s;
	s += ALIGN8((size_t) v->ndict * sizeof(uint32_t));
	remap = (uint32_t *) s;
	s += ALIGN8((size_t) v->ndict * sizeof(uint32_t));
	tlen = (uint32_t *) s;
	s += ALIGN8((size_t) v->ndict * sizeof(uint32_t));
	pairs = (TsEv *) s;

	for (i = 0; i < v->n; i++)
		if (v->ts[i] < JY_JC_MIN_TS || v->ts[i] > JY_JC_MAX_TS)
			return fail(err, JY_JC_ERANGE, i, "Event %u lies outside the years 1 to 9999.", i + 1);
	for (i = 0; i < v->ndict; i++)
	{
		if (v->name_len[i] > JY_JC_MAX_NAME_LEN)
			return fail(err, JY_JC_ELIMIT, i, "An event name is %u bytes long; the limit is %u bytes.",
						v->name_len[i], JY_JC_MAX_NAME_LEN);
		perm[i] = i;
		remap[i] = UINT32_MAX;
	}
	for (i = 0; i < v->n; i++)
		remap[v->ev[i]] = 0;	/* used */
	sort_ids_by_name(perm, tlen, v->ndict, v->name, v->name_len, tick, arg);
	/* new ids in name order; equal names share one; unused names go */
	for (i = 0; i < v->ndict; i++)
	{
		uint32_t	id = perm[i];

		if (remap[id] == UINT32_MAX)
			continue;
		if (nd > 0 && jy_jc_name_cmp(tname[nd - 1], tlen[nd - 1], v->name[id], v->name_len[id]) == 0)
		{
			remap[id] = nd - 1;
			continue;
		}
		tname[nd] = v->name[id];
		tlen[nd] = v->name_len[id];
		remap[id] = nd++;
	}
	if (nd > JY_JC_MAX_NAMES)
		return fail(err, JY_JC_ELIMIT, 0, "The journey would have %u distinct event names; a journey holds at most %u.",
					nd, JY_JC_MAX_NAMES);
	for (i = 0; i < nd; i++)
	{
		v->name[i] = tname[i];
		v->name_len[i] = tlen[i];
	}
	v->ndict = nd;
	for (i = 0; i < v->n; i++)
	{
		v->ev[i] = remap[v->ev[i]];
		if (i > 0 && (v->ts[i] < v->ts[i - 1] || (v->ts[i] == v->ts[i - 1] && v->ev[i] < v->ev[i - 1])))
			sorted = false;
	}
	if (!sorted)
	{
		for (i = 0; i < v->n; i++)
		{
			pairs[i].ts = v->ts[i];
			pairs[i].ev = v->ev[i];
			pairs[i].pad = 0;
		}
		if (tick)
			tick(arg);
		sort_pairs(pairs, pairs + v->n, v->n, tick, arg);
		for (i = 0; i < v->n; i++)
		{
			v->ts[i] = pairs[i].ts;
			v->ev[i] = pairs[i].ev;
		}
	}
	return JY_JC_OK;
}

/* ---- merge ---------------------------------------------------------------- */


/*
 * The side a two-way merge of sorted lists takes while one is exhausted:
 * 1 (b) when a's na items are all taken, -1 (a) when b's are, 0 when both
 * have items left (the caller compares them).  Shared by the name and the
 * event merges below, whose comparisons and outputs differ.
 */
static inline int
merge_side(uint32_t i, uint32_t na, uint32_t j, uint32_t nb)
{
	return i == na ? 1 : (j == nb ? -1 : 0);
}

/*
 * The events of a merge (idempotent false: every event of both) or a union
 * (true: a (time, name) pair present in both is taken once from each side
 * in lockstep, so a pair occurring x times in a and y times in b occurs
 * max(x, y) times).  Both inputs are in (time, name) order; ra / rb map
 * their name ids to out's.  A merge has checked its total beforehand.
 */
static JyJcStatus
merge_events(const JyJView *a, const JyJView *b, const uint32_t *ra, const uint32_t *rb, JyJView *out,
			 bool idempotent, JyJcError *err, void (*tick) (void *), void *arg)
{
	uint32_t	i = 0,
				j = 0,
				k = 0;

	while (i < a->n || j < b->n)
	{
		int			c = merge_side(i, a->n, j, b->n);

		jc_tick(k, tick, arg);
		if (c == 0 && a->ts[i] != b->ts[j])
			c = a->ts[i] < b->ts[j] ? -1 : 1;
		else if (c == 0)
			c = ra[a->ev[i]] < rb[b->ev[j]] ? -1 : (ra[a->ev[i]] > rb[b->ev[j]] ? 1 : 0);
		if (k == JY_JC_MAX_EVENTS)
			return fail(err, JY_JC_ELIMIT, 0, "The union would have more than %u events; a journey holds at most %u.",
						JY_JC_MAX_EVENTS, JY_JC_MAX_EVENTS);
		if (c <= 0)
		{
			out->ts[k] = a->ts[i];
			out->ev[k] = ra[a->ev[i]];
			i++;
			if (c == 0 && idempotent)
				j++;
		}
		else
		{
			out->ts[k] = b->ts[j];
			out->ev[k] = rb[b->ev[j]];
			j++;
		}
		k++;
	}
	out->n = k;
	return JY_JC_OK;
}

/*
 * The dictionary of a merge or union: the sorted union of both name lists
 * into out->name; ra[i] / rb[j] = the new id of a's / b's name i / j.
 * Returns the number of names, which may exceed JY_JC_MAX_NAMES (the caller
 * reports it).
 */
static uint32_t
union_dict(const JyJView *a, const JyJView *b, JyJView *out, uint32_t *ra, uint32_t *rb,
		   void (*tick) (void *), void *arg)
{
	uint32_t	i = 0,
				j = 0,
				k = 0;

	while (i < a->ndict || j < b->ndict)
	{
		int			c = merge_side(i, a->ndict, j, b->ndict);

		jc_tick(k, tick, arg);
		if (c == 0)
			c = jy_jc_name_cmp(a->name[i], a->name_len[i], b->name[j], b->name_len[j]);
		if (c <= 0)
		{
			out->name[k] = a->name[i];
			out->name_len[k] = a->name_len[i];
			ra[i++] = k;
			if (c == 0)
				rb[j++] = k;
		}
		else
		{
			out->name[k] = b->name[j];
			out->name_len[k] = b->name_len[j];
			rb[j++] = k;
		}
		k++;
	}
	return k;
}

JyJcStatus
jy_jc_merge_ex(const JyJView *a, const JyJView *b, JyJView *out, uint32_t *scratch, JyJcError *err,
			   void (*tick) (void *), void *arg)
{
	uint32_t   *ra = scratch,
			   *rb = scratch + a->ndict;
	uint32_t	k;

	if ((uint64_t) a->n + b->n > JY_JC_MAX_EVENTS)
		return fail(err, JY_JC_ELIMIT, 0, "The merged journey would have %llu events; a journey holds at most %u.",
					(unsigned long long) a->n + b->n, JY_JC_MAX_EVENTS);
	k = union_dict(a, b, out, ra, rb, tick, arg);
	if (k > JY_JC_MAX_NAMES)
		return fail(err, JY_JC_ELIMIT, 0, "The merged journey would have %u distinct event names; a journey holds at most %u.",
					k, JY_JC_MAX_NAMES);
	out->ndict = k;
	return merge_events(a, b, ra, rb, out, false, err, tick, arg);
}

/* ---- time text ------------------------------------------------------------ */

#define DAYS_1970_TO_2000 10957
#define USECS_PER_DAY_ INT64_C(86400000000)

/* days since 1970-01-01 -> civil date (H. Hinnant's algorithm) */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t		era,
				yy;
	unsigned	doe,
				yoe,
				doy,
				mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned) (z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t) yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era;
	unsigned	yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned) (y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t) doe - 719468;
}

size_t
jy_jc_print_time(int64_t ts, char *out)
{
	int64_t		days = ts / USECS_PER_DAY_,
				rem = ts % USECS_PER_DAY_,
				y;
	unsigned	m,
				d;
	int			len;

	if (rem < 0)
	{
		rem += USECS_PER_DAY_;
		days--;
	}
	civil_from_days(days + DAYS_1970_TO_2000, &y, &m, &d);
	len = sprintf(out, "%04lld-%02u-%02u %02u:%02u:%02u", (long long) y, m, d,
				  (unsigned) (rem / JY_USECS_PER_HOUR), (unsigned) (rem / JY_USECS_PER_MINUTE % 60),
				  (unsigned) (rem / JY_USECS_PER_SEC % 60));
	if (rem % JY_USECS_PER_SEC)
	{
		unsigned	f = (unsigned) (rem % JY_USECS_PER_SEC);
		int			digits = 6;

		while (f % 10 == 0)
		{
			f /= 10;
			digits--;
		}
		len += sprintf(out + len, ".%0*u", digits, f);
	}
	memcpy(out + len, "+00", 4);
	return (size_t) len + 3;
}

/* "+2d3h4m5.5s" for a non-negative step; returns length (out may be NULL) */
static size_t
print_step(uint64_t us, char *out)
{
	char		tmp[64];
	size_t		len = 0;
	uint64_t	d = us / (uint64_t) USECS_PER_DAY_,
				r = us % (uint64_t) USECS_PER_DAY_;
	unsigned	h = (unsigned) (r / JY_USECS_PER_HOUR),
				mi = (unsigned) (r / JY_USECS_PER_MINUTE % 60),
				s = (unsigned) (r / JY_USECS_PER_SEC % 60),
				f = (unsigned) (r % JY_USECS_PER_SEC);

	tmp[len++] = '+';
	if (d)
		len += (size_t) sprintf(tmp + len, "%llud", (unsigned long long) d);
	if (h)
		len += (size_t) sprintf(tmp + len, "%uh", h);
	if (mi)
		len += (size_t) sprintf(tmp + len, "%um", mi);
	if (s || f || us == 0)
	{
		len += (size_t) sprintf(tmp + len, "%u", s);
		if (f)
		{
			int			digits = 6;

			while (f % 10 == 0)
			{
				f /= 10;
				digits--;
			}
			len += (size_t) sprintf(tmp + len, ".%0*u", digits, f);
		}
		tmp[len++] = 's';
	}
	if (out)
		memcpy(out, tmp, len);
	return len;
}

/* ---- names in text -------------------------------------------------------- */

static inline bool
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static inline bool
bare_ok(unsigned char c)
{
	return !(c < 0x20 || c == 0x7f || c == ' ' || c == ',' || c == '[' || c == ']' ||
			 c == '"' || c == '\\');
}

/* text of a name, bare or quoted; returns length (out may be NULL) */
static size_t
print_name(const char *nm, uint32_t nl, char *out)
{
	uint32_t	i;
	bool		bare = nl > 0;
	size_t		len = 0;
	static const char hex[] = "0123456789abcdef";

	for (i = 0; i < nl && bare; i++)
		bare = bare_ok((unsigned char) nm[i]);
	if (bare)
	{
		if (out)
			memcpy(out, nm, nl);
		return nl;
	}
#define PUT(c) do { if (out) out[len] = (c); len++; } while (0)
	PUT('"');
	for (i = 0; i < nl; i++)
	{
		unsigned char c = (unsigned char) nm[i];

		if (c == '"' || c == '\\')
		{
			PUT('\\');
			PUT((char) c);
		}
		else if (c == '\n')
		{
			PUT('\\');
			PUT('n');
		}
		else if (c == '\t')
		{
			PUT('\\');
			PUT('t');
		}
		else if (c == '\r')
		{
			PUT('\\');
			PUT('r');
		}
		else if (c < 0x20 || c == 0x7f)
		{
			PUT('\\');
			PUT('x');
			PUT(hex[c >> 4]);
			PUT(hex[c & 15]);
		}
		else
			PUT((char) c);
	}
	PUT('"');
#undef PUT
	return len;
}


size_t
jy_jc_text_size_ex(const JyJView *v, void (*tick) (void *), void *arg)
{
	size_t		sz = 2;
	uint32_t	i;
	char		tb[40];

	for (i = 0; i < v->n; i++)
	{
		jc_tick(i, tick, arg);
		if (i == 0)
			sz += jy_jc_print_time(v->ts[0], tb);
		else
			sz += 2 + print_step(jy_udiff(v->ts[i], v->ts[i - 1]), NULL);
		sz += 1 + print_name(v->name[v->ev[i]], v->name_len[v->ev[i]], NULL);
	}
	return sz;
}


size_t
jy_jc_print_text_ex(const JyJView *v, char *out, void (*tick) (void *), void *arg)
{
	char	   *p = out;
	uint32_t	i;

	*p++ = '[';
	for (i = 0; i < v->n; i++)
	{
		jc_tick(i, tick, arg);
		if (i == 0)
			p += jy_jc_print_time(v->ts[0], p);
		else
		{
			*p++ = ',';
			*p++ = ' ';
			p += print_step(jy_udiff(v->ts[i], v->ts[i - 1]), p);
		}
		*p++ = ' ';
		p += print_name(v->name[v->ev[i]], v->name_len[v->ev[i]], p);
	}
	*p++ = ']';
	*p = '\0';
	return (size_t) (p - out);
}

/* ---- text parsing --------------------------------------------------------- */

typedef struct Scan
{
	const char *s;
	size_t		len;
	size_t		p;
	JyJcError  *err;
} Scan;

#define PEEK(sc) ((sc)->p < (sc)->len ? (unsigned char) (sc)->s[(sc)->p] : 0)
#define SYNTAX(sc, at, what) \
	fail((sc)->err, JY_JC_EMALFORMED, (at), "Expected %s at character %zu.", (what), (at) + 1)

static void
skip_ws(Scan *sc)
{
	while (sc->p < sc->len && is_ws((unsigned char) sc->s[sc->p]))
		sc->p++;
}

/* exactly `w` digits */
static bool
digits_fixed(Scan *sc, int w, unsigned *out)
{
	unsigned	v = 0;
	int			i;

	for (i = 0; i < w; i++)
	{
		unsigned char c = PEEK(sc);

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
		sc->p++;
	}
	*out = v;
	return true;
}

static bool
lit(Scan *sc, char c)
{
	if (PEEK(sc) == (unsigned char) c && sc->p < sc->len)
	{
		sc->p++;
		return true;
	}
	return false;
}

/* '.' and 1..6 digits -> microseconds; false on bad syntax (no '.' = 0) */
static JyJcStatus
fraction(Scan *sc, int64_t *us)
{
	int			nd = 0;
	int64_t		f = 0;

	*us = 0;
	if (!lit(sc, '.'))
		return JY_JC_OK;
	while (PEEK(sc) >= '0' && PEEK(sc) <= '9')
	{
		if (nd == 6)
			return fail(sc->err, JY_JC_EMALFORMED, sc->p, "More than 6 fractional digits at character %zu (journeys keep microseconds).", sc->p + 1);
		f = f * 10 + (PEEK(sc) - '0');
		nd++;
		sc->p++;
	}
	if (nd == 0)
		return SYNTAX(sc, sc->p, "a digit");
	while (nd++ < 6)
		f *= 10;
	*us = f;
	return JY_JC_OK;
}

static JyJcStatus
parse_absolute(Scan *sc, int64_t *ts)
{
	size_t		at = sc->p;
	unsigned	y,
				mo,
				d,
				h,
				mi,
				s,
				oh = 0,
				om = 0;
	static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t		frac,
				t;
	int			sign = 0;
	JyJcStatus	st;

	if (!digits_fixed(sc, 4, &y) || !lit(sc, '-') || !digits_fixed(sc, 2, &mo) || !lit(sc, '-') ||
		!digits_fixed(sc, 2, &d))
		return SYNTAX(sc, sc->p, "a date YYYY-MM-DD");
	if (!lit(sc, ' ') && !lit(sc, 'T'))
		return SYNTAX(sc, sc->p, "' ' or 'T' between date and time");
	if (!digits_fixed(sc, 2, &h) || !lit(sc, ':') || !digits_fixed(sc, 2, &mi) || !lit(sc, ':') ||
		!digits_fixed(sc, 2, &s))
		return SYNTAX(sc, sc->p, "a time HH:MM:SS");
	if ((st = fraction(sc, &frac)) != JY_JC_OK)
		return st;
	if (lit(sc, 'Z'))
		sign = 0;
	else if (PEEK(sc) == '+' || PEEK(sc) == '-')
	{
		sign = PEEK(sc) == '+' ? 1 : -1;
		sc->p++;
		if (!digits_fixed(sc, 2, &oh))
			return SYNTAX(sc, sc->p, "a zone offset hour HH");
		if (lit(sc, ':'))
		{
			if (!digits_fixed(sc, 2, &om))
				return SYNTAX(sc, sc->p, "zone offset minutes MM");
		}
		else if (PEEK(sc) >= '0' && PEEK(sc) <= '9')
		{
			if (!digits_fixed(sc, 2, &om))
				return SYNTAX(sc, sc->p, "zone offset minutes MM");
		}
	}
	else
		return SYNTAX(sc, sc->p, "a time zone ('Z', '+HH', '+HH:MM' or '-HH:MM'); journeys do not use the session time zone");
	if (y < 1 || mo < 1 || mo > 12 || d < 1 ||
		d > mdays[mo - 1] + (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) ||
		h > 23 || mi > 59 || s > 59 || oh > 15 || om > 59)
		return fail(sc->err, JY_JC_EMALFORMED, at, "Field value out of range in the time at character %zu.", at + 1);
	t = (days_from_civil(y, mo, d) - DAYS_1970_TO_2000) * USECS_PER_DAY_ +
		(int64_t) h * JY_USECS_PER_HOUR + (int64_t) mi * JY_USECS_PER_MINUTE + (int64_t) s * JY_USECS_PER_SEC + frac;
	t -= sign * ((int64_t) oh * JY_USECS_PER_HOUR + (int64_t) om * JY_USECS_PER_MINUTE);
	if (t < JY_JC_MIN_TS || t > JY_JC_MAX_TS)
		return fail(sc->err, JY_JC_ERANGE, at, "The time at character %zu lies outside the years 1 to 9999 UTC.", at + 1);
	*ts = t;
	return JY_JC_OK;
}

/* after '+': [D d][H h][M m][S[.f] s] */
static JyJcStatus
parse_step(Scan *sc, uint64_t *us)
{
	size_t		at = sc->p;
	static const char units[] = "dhms";
	static const uint64_t mult[] = {(uint64_t) USECS_PER_DAY_, (uint64_t) JY_USECS_PER_HOUR,
	(uint64_t) JY_USECS_PER_MINUTE, (uint64_t) JY_USECS_PER_SEC};
	int			next = 0,
				parts = 0;
	uint64_t	total = 0;
	const uint64_t cap = (uint64_t) (JY_JC_MAX_TS - JY_JC_MIN_TS);

	while (PEEK(sc) >= '0' && PEEK(sc) <= '9')
	{
		size_t		nat = sc->p;
		uint64_t	v = 0;
		int64_t		frac = 0;
		int			u;
		JyJcStatus	st;

		while (PEEK(sc) >= '0' && PEEK(sc) <= '9')
		{
			if (v > cap)
				return fail(sc->err, JY_JC_EMALFORMED, nat, "Time step out of range at character %zu.", nat + 1);
			v = v * 10 + (PEEK(sc) - '0');
			sc->p++;
		}
		if (PEEK(sc) == '.')
		{
			if ((st = fraction(sc, &frac)) != JY_JC_OK)
				return st;
			if (PEEK(sc) != 's')
				return SYNTAX(sc, sc->p, "'s' after a fractional number of seconds");
		}
		for (u = next; u < 4; u++)
			if (PEEK(sc) == (unsigned char) units[u])
				break;
		if (u == 4)
			return SYNTAX(sc, sc->p, next == 0 ? "a unit d, h, m or s" : "a unit smaller than the previous one");
		sc->p++;
		if (v > cap / mult[u] || total > cap - v * mult[u] - (uint64_t) frac)
			return fail(sc->err, JY_JC_EMALFORMED, nat, "Time step out of range at character %zu.", nat + 1);
		total += v * mult[u] + (uint64_t) frac;
		next = u + 1;
		parts++;
		if (next == 4)
			break;
	}
	if (parts == 0)
		return SYNTAX(sc, at, "a time step such as 12.5s, 3m or 1d2h");
	if (PEEK(sc) >= '0' && PEEK(sc) <= '9')
		return SYNTAX(sc, sc->p, "no number after the seconds (units go d, h, m, s)");
	*us = total;
	return JY_JC_OK;
}

static JyJcStatus
parse_name(Scan *sc, bool had_ws, const char **nm, uint32_t *nl, char **nbuf)
{
	size_t		at = sc->p;

	if (PEEK(sc) == '"' && sc->p < sc->len)
	{
		char	   *start = *nbuf;
		char	   *o = start;

		sc->p++;
		for (;;)
		{
			unsigned char c;

			if (sc->p >= sc->len)
				return fail(sc->err, JY_JC_EMALFORMED, at, "Unterminated quoted name starting at character %zu.", at + 1);
			c = (unsigned char) sc->s[sc->p++];
			if (c == '"')
				break;
			if (c == '\\')
			{
				size_t		eat = sc->p - 1;
				unsigned char e = PEEK(sc);

				if (sc->p >= sc->len)
					return fail(sc->err, JY_JC_EMALFORMED, eat, "Unterminated quoted name starting at character %zu.", at + 1);
				sc->p++;
				if (e == '"' || e == '\\')
					c = e;
				else if (e == 'n')
					c = '\n';
				else if (e == 't')
					c = '\t';
				else if (e == 'r')
					c = '\r';
				else if (e == 'x')
				{
					int			h1 = jy_hex_digit(PEEK(sc)),
								h2;

					if (h1 < 0)
						return fail(sc->err, JY_JC_EMALFORMED, eat, "Bad \\x escape at character %zu (two hex digits expected).", eat + 1);
					sc->p++;
					h2 = jy_hex_digit(PEEK(sc));
					if (h2 < 0 || sc->p >= sc->len)
						return fail(sc->err, JY_JC_EMALFORMED, eat, "Bad \\x escape at character %zu (two hex digits expected).", eat + 1);
					sc->p++;
					c = (unsigned char) (h1 * 16 + h2);
					if (c == 0)
						return fail(sc->err, JY_JC_EMALFORMED, eat, "Zero byte in a name at character %zu.", eat + 1);
				}
				else
					return fail(sc->err, JY_JC_EMALFORMED, eat, "Unknown escape at character %zu (use \\\", \\\\, \\n, \\t, \\r or \\xHH).", eat + 1);
			}
			else if (c == 0)
				return fail(sc->err, JY_JC_EMALFORMED, sc->p - 1, "Zero byte in a name at character %zu.", sc->p);
			if ((size_t) (o - start) >= JY_JC_MAX_NAME_LEN)
				return fail(sc->err, JY_JC_ELIMIT, at, "The name at character %zu is longer than %u bytes.", at + 1, JY_JC_MAX_NAME_LEN);
			*o++ = (char) c;
		}
		*nm = start;
		*nl = (uint32_t) (o - start);
		*nbuf = o;
		return JY_JC_OK;
	}
	if (!had_ws)
		return SYNTAX(sc, at, "white space before the event name");
	while (sc->p < sc->len && bare_ok((unsigned char) sc->s[sc->p]))
		sc->p++;
	if (sc->p == at)
		return SYNTAX(sc, at, "an event name (quote names with special characters)");
	if (sc->p - at > JY_JC_MAX_NAME_LEN)
		return fail(sc->err, JY_JC_ELIMIT, at, "The name at character %zu is longer than %u bytes.", at + 1, JY_JC_MAX_NAME_LEN);
	*nm = sc->s + at;
	*nl = (uint32_t) (sc->p - at);
	return JY_JC_OK;
}

uint32_t
jy_jc_text_max_events(const char *text, size_t len)
{
	(void) text;
	/* the shortest event after the first is ",+0s x" (6 bytes); the first is longer */
	return (uint32_t) (len / 6 + 1 > UINT32_MAX ? UINT32_MAX : len / 6 + 1);
}

JyJcStatus
jy_jc_parse_text(const char *text, size_t len, JyJView *v, uint32_t cap_events,
				 char *namebuf, void *scratch, JyJcError *err)
{
	return jy_jc_parse_text_ex(text, len, v, cap_events, namebuf, scratch, err, NULL, NULL);
}

JyJcStatus
jy_jc_parse_text_ex(const char *text, size_t len, JyJView *v, uint32_t cap_events,
					char *namebuf, void *scratch, JyJcError *err,
					void (*tick) (void *), void *arg)
{
	Scan		sc = {text, len, 0, err};
	uint32_t	n = 0;
	int64_t		prev = 0;
	JyJcStatus	st;

	skip_ws(&sc);
	if (!lit(&sc, '['))
		return SYNTAX(&sc, sc.p, "'['");
	skip_ws(&sc);
	if (!lit(&sc, ']'))
	{
		for (;;)
		{
			size_t		at;
			int64_t		t = 0;
			bool		had_ws;

			jc_tick(n, tick, arg);
			skip_ws(&sc);
			at = sc.p;
			if (PEEK(&sc) == '+' && sc.p < sc.len)
			{
				uint64_t	step = 0;

				if (n == 0)
					return fail(err, JY_JC_EMALFORMED, at, "The first event's time must be absolute, not a step, at character %zu.", at + 1);
				sc.p++;
				if ((st = parse_step(&sc, &step)) != JY_JC_OK)
					return st;
				if (step > (uint64_t) (JY_JC_MAX_TS - prev))
					return fail(err, JY_JC_ERANGE, at, "The time at character %zu lies outside the years 1 to 9999 UTC.", at + 1);
				t = prev + (int64_t) step;
			}
			else if (PEEK(&sc) >= '0' && PEEK(&sc) <= '9')
			{
				if ((st = parse_absolute(&sc, &t)) != JY_JC_OK)
					return st;
				if (n > 0 && t < prev)
					return fail(err, JY_JC_EMALFORMED, at, "Times must not decrease: the time at character %zu is before the previous event's.", at + 1);
			}
			else
				return SYNTAX(&sc, at, n == 0 ? "a time YYYY-MM-DD HH:MM:SS+ZZ" : "a time (absolute, or a step such as +12.5s)");
			had_ws = sc.p < sc.len && is_ws((unsigned char) sc.s[sc.p]);
			skip_ws(&sc);
			if (n >= cap_events || n >= JY_JC_MAX_EVENTS)
				return fail(err, JY_JC_ELIMIT, at, "Too many events at character %zu; a journey holds at most %u.", at + 1, JY_JC_MAX_EVENTS);
			if ((st = parse_name(&sc, had_ws, &v->name[n], &v->name_len[n], &namebuf)) != JY_JC_OK)
				return st;
			v->ts[n] = t;
			v->ev[n] = n;
			prev = t;
			n++;
			skip_ws(&sc);
			if (lit(&sc, ','))
				continue;
			if (lit(&sc, ']'))
				break;
			return SYNTAX(&sc, sc.p, "',' or ']'");
		}
	}
	skip_ws(&sc);
	if (sc.p != sc.len)
		return SYNTAX(&sc, sc.p, "end of input");
	v->n = n;
	v->ndict = n;
	return jy_jc_canonicalize_ex(v, scratch, err, tick, arg);
}

/* ---- union (idempotent merge) --------------------------------------------- */

JyJcStatus
jy_jc_union(const JyJView *a, const JyJView *b, JyJView *out, uint32_t *scratch, JyJcError *err,
			void (*tick) (void *), void *arg)
{
	uint32_t   *ra = scratch,
			   *rb = scratch + a->ndict;
	uint32_t	k;

	/* dictionary: the sorted union of both name lists */
	k = union_dict(a, b, out, ra, rb, tick, arg);
	if (k > JY_JC_MAX_NAMES)
		return fail(err, JY_JC_ELIMIT, 0, "The union would have %u distinct event names; a journey holds at most %u.",
					k, JY_JC_MAX_NAMES);
	out->ndict = k;
	return merge_events(a, b, ra, rb, out, true, err, tick, arg);
}
