/*
 * fuzz_retention.c — libFuzzer target for src/engine/retention.c.
 *
 * The first input byte picks a mode; the rest drives it.  Every mode checks
 * the engine against a slow reference and abort()s on disagreement.
 *
 *   mode 0  one-pass table: (user, key) rows in input order vs per-user
 *           min key + bitmap; a split of the rows into two tables merged
 *           slot by slot gives the same slots; growth by rehash
 *   mode 1  untrusted cohort records (what text/binary input hands over):
 *           jy_ret_cohort_invalid vs a reference validator
 *   mode 2  per-user bits (calendar and rolling, int64 extremes) and the
 *           count arrays vs direct counting
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "retention.h"

#define FAIL(...) do { fprintf(stderr, "fuzz_retention: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

typedef struct Reader
{
	const uint8_t *p;
	size_t		n;
} Reader;

static uint64_t
rd(Reader *r, int bytes)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < bytes && r->n > 0; i++, r->p++, r->n--)
		v |= (uint64_t) r->p[0] << (8 * i);
	return v;
}

/* ---- mode 0 --------------------------------------------------------------- */

#define MAXROWS 512
#define MAXUSERS 16

static void
table_grow(JyRetTable *t)
{
	JyRetTable	nt;
	size_t		sw = JY_RET_SLOT_WORDS(t->words);

	jy_ret_table_init(&nt, malloc(t->cap * 2 * sw * sizeof(int64_t)), t->cap * 2, t->periods);
	jy_ret_table_rehash(t, &nt);
	if (nt.n != t->n)
		FAIL("rehash lost slots");
	free(t->slots);
	*t = nt;
}

static const int64_t *
find_slot(const JyRetTable *t, int64_t user)
{
	size_t		sw = JY_RET_SLOT_WORDS(t->words),
				i;
	const int64_t *hit = NULL;

	for (i = 0; i < t->cap; i++)
	{
		const int64_t *s = t->slots + i * sw;

		if (s[1] != JY_RET_EMPTY && s[0] == user)
		{
			if (hit)
				FAIL("user twice in the table");
			hit = s;
		}
	}
	return hit;
}

static void
mode_table(Reader *r)
{
	int32_t		n = (int32_t) (rd(r, 2) % (JY_RET_MAX_PERIODS + 1));
	int			words = (n + 1 + 63) / 64;
	size_t		sw = JY_RET_SLOT_WORDS(words);
	int64_t		users[MAXROWS],
				keys[MAXROWS];
	int			rows = 0,
				i,
				u;
	int64_t		ulist[MAXUSERS];
	JyRetTable	t,
				a,
				b;

	for (u = 0; u < MAXUSERS; u++)
		ulist[u] = (int64_t) rd(r, 8);
	while (r->n > 0 && rows < MAXROWS)
	{
		users[rows] = ulist[rd(r, 1) % MAXUSERS];
		keys[rows] = (int64_t) (int16_t) rd(r, 2);
		rows++;
	}
	jy_ret_table_init(&t, malloc(2 * sw * sizeof(int64_t)), 2, n);
	jy_ret_table_init(&a, malloc(2 * sw * sizeof(int64_t)), 2, n);
	jy_ret_table_init(&b, malloc(2 * sw * sizeof(int64_t)), 2, n);
	for (i = 0; i < rows; i++)
	{
		JyRetTable *h = (i % 3 == 0) ? &a : &b;

		if (jy_ret_table_full(&t))
			table_grow(&t);
		jy_ret_table_add(&t, users[i], keys[i]);
		if (jy_ret_table_full(h))
			table_grow(h);
		jy_ret_table_add(h, users[i], keys[i]);
	}
	for (i = 0; (size_t) i < b.cap; i++)
		if (b.slots[i * sw + 1] != JY_RET_EMPTY)
		{
			if (jy_ret_table_full(&a))
				table_grow(&a);
			jy_ret_table_merge_slot(&a, b.slots + i * sw);
		}
	if (a.n != t.n)
		FAIL("merged table has %zu users, direct %zu", a.n, t.n);
	for (u = 0; u < MAXUSERS; u++)
	{
		int64_t		mn = INT64_MAX;
		uint64_t	bits[JY_RET_BITWORDS] = {0};
		const int64_t *s = find_slot(&t, ulist[u]),
				   *s2 = find_slot(&a, ulist[u]);
		int			seen = 0,
					w;

		for (i = 0; i < rows; i++)
			if (users[i] == ulist[u])
			{
				seen = 1;
				if (keys[i] < mn)
					mn = keys[i];
			}
		if (!seen)
		{
			if (s || s2)
				FAIL("user without rows in the table");
			continue;
		}
		if (!s || !s2)
			FAIL("user missing");
		for (i = 0; i < rows; i++)
			if (users[i] == ulist[u] && keys[i] - mn <= n)
				bits[(keys[i] - mn) >> 6] |= UINT64_C(1) << ((keys[i] - mn) & 63);
		if (s[1] != mn || s2[1] != mn)
			FAIL("base %lld / %lld, expected %lld", (long long) s[1], (long long) s2[1], (long long) mn);
		for (w = 0; w < words; w++)
			if ((uint64_t) s[2 + w] != bits[w] || (uint64_t) s2[2 + w] != bits[w])
				FAIL("bitmap word %d differs", w);
	}
	free(t.slots);
	free(a.slots);
	free(b.slots);
}

/* ---- mode 1 --------------------------------------------------------------- */

static const char *
ref_invalid(int64_t size, const int64_t *act, const int64_t *last, const int64_t *both, int32_t n)
{
	int32_t		k,
				j;
	__int128	sum = 0;

	if (size <= 0 || act[0] != size || both[0] != 0)
		return "x";
	for (k = 0; k <= n; k++)
	{
		if (act[k] < 0 || act[k] > size || last[k] < 0 || last[k] > act[k])
			return "x";
		if (k > 0 && (both[k] < 0 || both[k] > act[k] || both[k] > act[k - 1]))
			return "x";
		sum += last[k];
	}
	if (sum != size)
		return "x";
	for (k = 0; k <= n; k++)
	{
		__int128	oa = 0;

		for (j = k; j <= n; j++)
			oa += last[j];
		if (oa < act[k])
			return "x";
	}
	return NULL;
}

static void
mode_validate(Reader *r)
{
	int32_t		n = (int32_t) (rd(r, 1) % 9);
	int64_t		size = (int64_t) (int8_t) rd(r, 1);
	int64_t	   *act = malloc((n + 1) * sizeof(int64_t)),
			   *last = malloc((n + 1) * sizeof(int64_t)),
			   *both = malloc((n + 1) * sizeof(int64_t));
	int32_t		k;
	bool		big = rd(r, 1) & 1;

	for (k = 0; k <= n; k++)
	{
		/* small values make valid records likely; big ones probe overflow */
		act[k] = big ? (int64_t) rd(r, 8) : (int64_t) (int8_t) rd(r, 1);
		last[k] = big ? (int64_t) rd(r, 8) : (int64_t) (int8_t) rd(r, 1);
		both[k] = big ? (int64_t) rd(r, 8) : (int64_t) (int8_t) rd(r, 1);
	}
	if (big)
		size = (int64_t) rd(r, 8);
	if ((jy_ret_cohort_invalid(size, act, last, both, n) == NULL) !=
		(ref_invalid(size, act, last, both, n) == NULL))
		FAIL("validator disagrees with the reference (n %d, size %lld)", n, (long long) size);
	free(act);
	free(last);
	free(both);
}

/* ---- mode 2 --------------------------------------------------------------- */

static void
mode_bits(Reader *r)
{
	int32_t		n = (int32_t) (rd(r, 2) % (JY_RET_MAX_PERIODS + 1));
	int64_t		window = (rd(r, 1) & 1) ? (int64_t) (rd(r, 8) & INT64_MAX) : 0;
	int64_t		c = (int64_t) rd(r, 8);
	int64_t		keys[64];
	int			nk = 0,
				i,
				j,
				any;
	uint64_t	bits[JY_RET_BITWORDS];
	char		expect[JY_RET_MAX_PERIODS + 1];
	int64_t    *act = calloc(n + 1, sizeof(int64_t)),
			   *last = calloc(n + 1, sizeof(int64_t)),
			   *both = calloc(n + 1, sizeof(int64_t)),
			   *oa = calloc(n + 1, sizeof(int64_t));

	if (window == 0 && (rd(r, 1) & 1))
		window = 0;				/* calendar */
	while (r->n > 0 && nk < 64)
	{
		int			kind = (int) rd(r, 1) % 4;

		/* wrapping arithmetic: keys anywhere in int64, many near c */
		keys[nk++] = kind == 0 ? (int64_t) rd(r, 8) :
			kind == 1 ? (int64_t) ((uint64_t) c + (uint64_t) (int64_t) (int16_t) rd(r, 2)) :
			kind == 2 ? (rd(r, 1) & 1 ? INT64_MAX : INT64_MIN) :
			(int64_t) ((uint64_t) c + rd(r, 2) * (uint64_t) (window > 0 ? (window / 2 + 1) : 1));
	}
	/* sort (the contract) */
	for (i = 1; i < nk; i++)
		for (j = i; j > 0 && keys[j - 1] > keys[j]; j--)
		{
			int64_t		t = keys[j];

			keys[j] = keys[j - 1];
			keys[j - 1] = t;
		}
	jy_ret_user_bits(keys, (size_t) nk, c, window, n, bits);
	/*
	 * reference: period i is active when i = 0 or some key at or after c lies
	 * in period i (128-bit arithmetic, no wrapping).  Each key's period is
	 * computed once (a loop over periods x keys with 128-bit divisions was
	 * most of this target's time at n = 1000).
	 */
	memset(expect, 0, (size_t) (n + 1));
	expect[0] = 1;
	for (j = 0; j < nk; j++)
	{
		unsigned __int128 d;

		if (keys[j] < c)
			continue;
		d = (unsigned __int128) ((__int128) keys[j] - (__int128) c);
		if (window > 0)
			d /= (uint64_t) window;
		if (d <= (unsigned __int128) n)
			expect[(int) d] = 1;
	}
	for (i = 0; i <= n; i++)
		if ((int) ((bits[i >> 6] >> (i & 63)) & 1) != expect[i])
			FAIL("bit %d is %d, expected %d", i, (int) ((bits[i >> 6] >> (i & 63)) & 1), expect[i]);
	for (i = n + 1; i < JY_RET_BITWORDS * 64; i++)
		if ((bits[i >> 6] >> (i & 63)) & 1)
			FAIL("bit %d beyond N is set", i);
	jy_ret_add_user(act, last, both, bits, n);
	jy_ret_on_or_after(last, n, oa);
	any = 0;
	for (i = n; i >= 0; i--)
	{
		int			b = (int) ((bits[i >> 6] >> (i & 63)) & 1);

		/* any: some bit set in periods i..n (a suffix OR, formerly O(n^2)) */
		any |= b;
		if (act[i] != b)
			FAIL("active[%d]", i);
		if (both[i] != (i > 0 && b && ((bits[(i - 1) >> 6] >> ((i - 1) & 63)) & 1)))
			FAIL("both[%d]", i);
		if (oa[i] != any)
			FAIL("on_or_after[%d]", i);
	}
	if (jy_ret_cohort_invalid(1, act, last, both, n) != NULL)
		FAIL("one user's record is invalid");
	free(act);
	free(last);
	free(both);
	free(oa);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Reader		r = {data, size};

	if (size < 1)
		return 0;
	switch (rd(&r, 1) % 3)
	{
		case 0:
			mode_table(&r);
			break;
		case 1:
			mode_validate(&r);
			break;
		default:
			mode_bits(&r);
			break;
	}
	return 0;
}
