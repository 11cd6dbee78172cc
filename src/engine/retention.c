/*
 * retention.c — cohort retention engine (see retention.h).
 */
#include "retention.h"

#include <string.h>

/* floor division for a possibly negative numerator, positive divisor */
static inline int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t		q = a / b;

	if ((a % b) != 0 && a < 0)
		q--;
	return q;
}

/*
 * Howard Hinnant's days_from_civil, shifted so that 2000-01-01 is day 0
 * (10957 days after 1970-01-01).
 */
int64_t
jy_ret_days_from_civil(int64_t y, int m, int d)
{
	int64_t		era,
				yoe,
				doy,
				doe;

	y -= m <= 2;
	era = floordiv(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468 - 10957;
}

void
jy_ret_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t		z = days + 10957 + 719468,
				era = floordiv(z, 146097),
				doe = z - era * 146097,
				yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365,
				doy = doe - (365 * yoe + yoe / 4 - yoe / 100),
				mp = (5 * doy + 2) / 153;

	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int64_t
jy_ret_period_of_date(JyRetUnit unit, int64_t y, int m, int d)
{
	switch (unit)
	{
		case JY_RET_MONTH:
			return (y - 2000) * 12 + (m - 1);
		case JY_RET_WEEK:
			/* Monday 2000-01-03 is day 2 */
			return floordiv(jy_ret_days_from_civil(y, m, d) - 2, 7);
		default:
			return jy_ret_days_from_civil(y, m, d);
	}
}

int64_t
jy_ret_period_start_days(JyRetUnit unit, int64_t idx)
{
	switch (unit)
	{
		case JY_RET_MONTH:
			return jy_ret_days_from_civil(2000 + floordiv(idx, 12), (int) (idx - floordiv(idx, 12) * 12) + 1, 1);
		case JY_RET_WEEK:
			return 2 + 7 * idx;
		default:
			return idx;
	}
}

void
jy_ret_period_start(JyRetUnit unit, int64_t idx, int64_t *y, int *m, int *d)
{
	jy_ret_civil_from_days(jy_ret_period_start_days(unit, idx), y, m, d);
}

int64_t
jy_ret_period_k(int64_t x, int64_t c, int64_t window)
{
	uint64_t	diff = jy_udiff(x, c);
	uint64_t	k = window > 0 ? diff / (uint64_t) window : diff;

	return k > (uint64_t) INT32_MAX ? -1 : (int64_t) k;
}

void
jy_ret_user_bits(const int64_t *keys, size_t n, int64_t c, int64_t window,
				 int32_t periods, uint64_t *bits)
{
	size_t		i;

	memset(bits, 0, JY_RET_BITWORDS * sizeof(uint64_t));
	bits[0] = 1;
	for (i = 0; i < n; i++)
	{
		int64_t		k;

		if (keys[i] < c)
			continue;
		k = jy_ret_period_k(keys[i], c, window);
		if (k < 0 || k > periods)
			break;				/* sorted: every later key is further out */
		bits[k >> 6] |= UINT64_C(1) << (k & 63);
	}
}

#define BIT(b, k) (((b)[(k) >> 6] >> ((k) & 63)) & 1)

void
jy_ret_add_user(int64_t *active, int64_t *last, int64_t *both,
				const uint64_t *bits, int32_t periods)
{
	int32_t		k,
				lastk = 0;
	int			prev = 0;

	for (k = 0; k <= periods; k++)
	{
		int			cur = (int) BIT(bits, k);

		if (cur)
		{
			active[k]++;
			lastk = k;
			if (prev)
				both[k]++;
		}
		prev = cur;
	}
	last[lastk]++;
}

bool
jy_ret_add_counts(int64_t *dst, const int64_t *src, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (__builtin_add_overflow(dst[i], src[i], &dst[i]))
			return false;
	}
	return true;
}

void
jy_ret_on_or_after(const int64_t *last, int32_t periods, int64_t *out)
{
	int64_t		s = 0;
	int32_t		k;

	for (k = periods; k >= 0; k--)
	{
		s += last[k];
		out[k] = s;
	}
}

const char *
jy_ret_cohort_invalid(int64_t size, const int64_t *active, const int64_t *last,
					  const int64_t *both, int32_t periods)
{
	int64_t		suffix = 0;
	int32_t		k;

	if (size <= 0)
		return "A cohort size is not positive";
	if (active[0] != size)
		return "Period 0 activity differs from the cohort size";
	if (both[0] != 0)
		return "The period-0 continuity count is not zero";
	for (k = 0; k <= periods; k++)
	{
		if (active[k] < 0 || active[k] > size)
			return "An active count is negative or larger than the cohort size";
		if (last[k] < 0 || last[k] > active[k])
			return "A last-period count is negative or larger than the active count";
		if (k > 0 && (both[k] < 0 || both[k] > active[k] || both[k] > active[k - 1]))
			return "A continuity count is negative or larger than an active count";
	}
	for (k = periods; k >= 0; k--)
	{
		/* 0 <= suffix <= size and 0 <= last[k] here: compare before adding (no overflow) */
		if (last[k] > size - suffix)
			return "The last-period counts add up to more than the cohort size";
		suffix += last[k];
		if (suffix < active[k])
			return "Fewer users are active on or after a period than in it";
	}
	if (suffix != size)
		return "The last-period counts do not add up to the cohort size";
	return NULL;
}

size_t
jy_ret_sort_unique(int64_t *v, size_t n, int64_t *scratch)
{
	return jy_ret_sort_unique_ex(v, n, scratch, NULL, NULL);
}

size_t
jy_ret_sort_unique_ex(int64_t *v, size_t n, int64_t *scratch, void (*tick) (void *), void *arg)
{
	size_t		i,
				j;

	if (n < 2)
		return n;
	jy_sort_int64_ex(v, n, scratch, tick, arg);
	for (i = 1, j = 1; i < n; i++)
		if (v[i] != v[j - 1])
			v[j++] = v[i];
	return j;
}

void
jy_ret_clickhouse(uint32_t seen, int n, int16_t *out)
{
	int			i;
	int			first = (int) (seen & 1);

	for (i = 0; i < n; i++)
		out[i] = (int16_t) (first && ((seen >> i) & 1));
}

int
jy_ret_ch_state_check(int64_t state, const char **reason)
{
	uint64_t	st = (uint64_t) state;
	uint64_t	n = st >> 32;

	if (n > 0xFF)
	{
		*reason = "Bits 40 to 63 must be zero.";
		return -1;
	}
	if (n < 1 || n > JY_RET_CH_MAX)
	{
		*reason = "The condition count in bits 32 to 39 must be between 1 and 32.";
		return -1;
	}
	if (n < 32 && ((uint32_t) st >> n) != 0)
	{
		*reason = "A condition bit above the condition count is set.";
		return -1;
	}
	return (int) n;
}

/* ---- one-pass summary table ------------------------------------------- */

static inline size_t
hash_user(int64_t user, size_t cap)
{
	uint64_t	h = (uint64_t) user * UINT64_C(0x9E3779B97F4A7C15);

	h ^= h >> 29;
	return (size_t) (h & (cap - 1));
}

void
jy_ret_table_init(JyRetTable *t, int64_t *mem, size_t cap, int32_t periods)
{
	size_t		i,
				sw;

	t->slots = mem;
	t->cap = cap;
	t->n = 0;
	t->periods = periods;
	t->words = (periods + 1 + 63) / 64;
	sw = JY_RET_SLOT_WORDS(t->words);
	for (i = 0; i < cap; i++)
		mem[i * sw + 1] = JY_RET_EMPTY;
}

/* bits <<= s (towards higher period indexes), keeping only bits 0 .. periods */
static void
bits_shift_up(uint64_t *b, int words, uint64_t s, int32_t periods)
{
	int			i,
				ws,
				bs;

	if (s > (uint64_t) periods)
	{
		memset(b, 0, words * sizeof(uint64_t));
		return;
	}
	ws = (int) (s / 64);
	bs = (int) (s % 64);
	for (i = words - 1; i >= 0; i--)
	{
		uint64_t	v = 0;

		if (i - ws >= 0)
			v = b[i - ws] << bs;
		if (bs != 0 && i - ws - 1 >= 0)
			v |= b[i - ws - 1] >> (64 - bs);
		b[i] = v;
	}
	if ((periods + 1) % 64 != 0)
		b[words - 1] &= (UINT64_C(1) << ((periods + 1) % 64)) - 1;
}

void
jy_ret_slot_add(int64_t *slot, int64_t key, int32_t periods, int words)
{
	uint64_t   *b = (uint64_t *) (slot + 2);
	int64_t		base = slot[1];

	if (key >= base)
	{
		uint64_t	k = jy_udiff(key, base);

		if (k <= (uint64_t) periods)
			b[k >> 6] |= UINT64_C(1) << (k & 63);
	}
	else
	{
		bits_shift_up(b, words, jy_udiff(base, key), periods);
		b[0] |= 1;
		slot[1] = key;
	}
}

static int64_t *
table_find(JyRetTable *t, int64_t user, bool *found)
{
	size_t		sw = JY_RET_SLOT_WORDS(t->words),
				i = hash_user(user, t->cap);

	for (;;)
	{
		int64_t    *s = t->slots + i * sw;

		if (s[1] == JY_RET_EMPTY)
		{
			*found = false;
			return s;
		}
		if (s[0] == user)
		{
			*found = true;
			return s;
		}
		i = (i + 1) & (t->cap - 1);
	}
}

int64_t *
jy_ret_table_add(JyRetTable *t, int64_t user, int64_t key)
{
	bool		found;
	int64_t    *s = table_find(t, user, &found);

	if (found)
		jy_ret_slot_add(s, key, t->periods, t->words);
	else
	{
		memset(s + 2, 0, t->words * sizeof(uint64_t));
		s[0] = user;
		s[1] = key;
		s[2] = 1;
		t->n++;
	}
	return s;
}

void
jy_ret_table_merge_slot(JyRetTable *t, const int64_t *src)
{
	bool		found;
	int64_t    *s = table_find(t, src[0], &found);
	size_t		sw = JY_RET_SLOT_WORDS(t->words);
	int			i;

	if (!found)
	{
		memcpy(s, src, sw * sizeof(int64_t));
		t->n++;
		return;
	}
	if (src[1] < s[1])
	{
		bits_shift_up((uint64_t *) (s + 2), t->words, jy_udiff(s[1], src[1]), t->periods);
		s[1] = src[1];
		for (i = 0; i < t->words; i++)
			s[2 + i] |= src[2 + i];
	}
	else
	{
		uint64_t	tmp[JY_RET_BITWORDS];

		memcpy(tmp, src + 2, t->words * sizeof(uint64_t));
		bits_shift_up(tmp, t->words, jy_udiff(src[1], s[1]), t->periods);
		for (i = 0; i < t->words; i++)
			s[2 + i] |= (int64_t) tmp[i];
	}
}

void
jy_ret_table_rehash(const JyRetTable *from, JyRetTable *to)
{
	size_t		sw = JY_RET_SLOT_WORDS(from->words),
				i;

	for (i = 0; i < from->cap; i++)
	{
		const int64_t *s = from->slots + i * sw;
		bool		found;
		int64_t    *d;

		if (s[1] == JY_RET_EMPTY)
			continue;
		d = table_find(to, s[0], &found);
		memcpy(d, s, sw * sizeof(int64_t));
		to->n++;
	}
}
