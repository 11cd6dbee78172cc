/* Unit tests of the retention engine. */
#include "unit.h"
#include "retention.h"

static void
test_civil_roundtrip(void)
{
	int64_t		days;

	CHECK_EQ_I64(jy_ret_days_from_civil(2000, 1, 1), 0);
	CHECK_EQ_I64(jy_ret_days_from_civil(2000, 3, 1), 60);	/* 2000 is a leap year */
	CHECK_EQ_I64(jy_ret_days_from_civil(1999, 12, 31), -1);
	CHECK_EQ_I64(jy_ret_days_from_civil(1970, 1, 1), -10957);
	CHECK_EQ_I64(jy_ret_days_from_civil(2024, 3, 10), 8835);
	for (days = -800000; days <= 800000; days += 37)
	{
		int64_t		y;
		int			m,
					d;

		jy_ret_civil_from_days(days, &y, &m, &d);
		CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		CHECK_EQ_I64(jy_ret_days_from_civil(y, m, d), days);
	}
}

static void
test_period_index(void)
{
	int64_t		y;
	int			m,
				d;

	/* weeks start on Monday; Monday 2000-01-03 is week 0 */
	CHECK_EQ_I64(jy_ret_period_of_date(JY_RET_WEEK, 2000, 1, 3), 0);
	CHECK_EQ_I64(jy_ret_period_of_date(JY_RET_WEEK, 2000, 1, 9), 0);	/* Sunday */
	CHECK_EQ_I64(jy_ret_period_of_date(JY_RET_WEEK, 2000, 1, 10), 1);
	CHECK_EQ_I64(jy_ret_period_of_date(JY_RET_WEEK, 2000, 1, 2), -1);	/* Sunday before */
	CHECK_EQ_I64(jy_ret_period_of_date(JY_RET_WEEK, 1999, 12, 27), -1);
	CHECK_EQ_I64(jy_ret_period_of_date(JY_RET_WEEK, 1999, 12, 26), -2);
	/* months */
	CHECK_EQ_I64(jy_ret_period_of_date(JY_RET_MONTH, 2000, 1, 31), 0);
	CHECK_EQ_I64(jy_ret_period_of_date(JY_RET_MONTH, 2024, 2, 29), 289);
	CHECK_EQ_I64(jy_ret_period_of_date(JY_RET_MONTH, 1999, 12, 1), -1);
	/* starts */
	jy_ret_period_start(JY_RET_MONTH, -1, &y, &m, &d);
	CHECK(y == 1999 && m == 12 && d == 1);
	jy_ret_period_start(JY_RET_MONTH, 289, &y, &m, &d);
	CHECK(y == 2024 && m == 2 && d == 1);
	jy_ret_period_start(JY_RET_WEEK, jy_ret_period_of_date(JY_RET_WEEK, 2024, 3, 10), &y, &m, &d);
	CHECK(y == 2024 && m == 3 && d == 4);	/* the Monday of the DST-change Sunday */
	jy_ret_period_start(JY_RET_WEEK, -2, &y, &m, &d);
	CHECK(y == 1999 && m == 12 && d == 20);
	jy_ret_period_start(JY_RET_DAY, 8835, &y, &m, &d);
	CHECK(y == 2024 && m == 3 && d == 10);
}

static void
test_user_bits_calendar(void)
{
	int64_t		keys[] = {3, 5, 6, 6, 9, 20};
	uint64_t	bits[JY_RET_BITWORDS];

	/* cohort 5: key 3 is before the cohort and ignored; 20 is beyond N = 4 */
	jy_ret_user_bits(keys, 6, 5, 0, 4, bits);
	CHECK_EQ_I64(bits[0], 1 | 2 | 16);
	CHECK_EQ_I64(bits[1], 0);
	/* period 0 is always active, even without a return event in it */
	jy_ret_user_bits(keys + 5, 1, 19, 0, 0, bits);
	CHECK_EQ_I64(bits[0], 1);
	/* high periods land in later words */
	jy_ret_user_bits(keys, 6, 3, 0, 1000, bits);
	CHECK_EQ_I64(bits[0], 1 | 4 | 8 | 64 | (1 << 17));
	jy_ret_user_bits(keys, 6, -100, 0, 1000, bits);
	CHECK_EQ_I64(bits[0], 1);
	CHECK_EQ_I64(bits[1], (UINT64_C(1) << (103 - 64)) | (UINT64_C(1) << (105 - 64)) |
				 (UINT64_C(1) << (106 - 64)) | (UINT64_C(1) << (109 - 64)) |
				 (UINT64_C(1) << (120 - 64)));
	CHECK_EQ_I64(bits[2], 0);
}

static void
test_user_bits_rolling(void)
{
	const int64_t D = JY_USECS_PER_DAY;
	int64_t		keys[] = {10 * D, 10 * D + 5, 11 * D - 1, 11 * D, 12 * D + 7, 14 * D};
	uint64_t	bits[JY_RET_BITWORDS];

	/* 24-hour windows from the first event at 10 D + 5 µs */
	jy_ret_user_bits(keys, 6, 10 * D + 5, D, 7, bits);
	/* 11 D - 1 is still window 0; 11 D is window 0 (5 µs short); 12 D + 7 is window 2; 14 D is window 3 */
	CHECK_EQ_I64(bits[0], 1 | 4 | 8);
	/* extremes: no overflow on the difference */
	{
		int64_t		ext[] = {INT64_MIN, INT64_MAX};

		jy_ret_user_bits(ext, 2, INT64_MIN, D, 7, bits);
		CHECK_EQ_I64(bits[0], 1);
		CHECK_EQ_I64(jy_ret_period_k(INT64_MAX, INT64_MIN, 1), -1);
		CHECK_EQ_I64(jy_ret_period_k(INT64_MAX, INT64_MIN, INT64_MAX), 2);
	}
}

static void
test_counts_and_invariants(void)
{
	int64_t		active[4] = {0},
				last[4] = {0},
				both[4] = {0},
				oa[4];
	uint64_t	u1[JY_RET_BITWORDS] = {1 | 2 | 8},	/* 0,1,3 */
				u2[JY_RET_BITWORDS] = {1},	/* 0 */
				u3[JY_RET_BITWORDS] = {1 | 4 | 8};	/* 0,2,3 */

	jy_ret_add_user(active, last, both, u1, 3);
	jy_ret_add_user(active, last, both, u2, 3);
	jy_ret_add_user(active, last, both, u3, 3);
	CHECK(active[0] == 3 && active[1] == 1 && active[2] == 1 && active[3] == 2);
	CHECK(last[0] == 1 && last[1] == 0 && last[2] == 0 && last[3] == 2);
	CHECK(both[0] == 0 && both[1] == 1 && both[2] == 0 && both[3] == 1);
	jy_ret_on_or_after(last, 3, oa);
	CHECK(oa[0] == 3 && oa[1] == 2 && oa[2] == 2 && oa[3] == 2);
	CHECK(jy_ret_cohort_invalid(3, active, last, both, 3) == NULL);
	CHECK(jy_ret_cohort_invalid(4, active, last, both, 3) != NULL);
	active[2] = 3;
	CHECK(jy_ret_cohort_invalid(3, active, last, both, 3) != NULL);	/* on-or-after < active */
	active[2] = 1;
	both[2] = 2;
	CHECK(jy_ret_cohort_invalid(3, active, last, both, 3) != NULL);
	both[2] = 0;
	last[0] = 2;
	CHECK(jy_ret_cohort_invalid(3, active, last, both, 3) != NULL);	/* sum(last) != size */
	last[0] = 1;
	CHECK(jy_ret_cohort_invalid(0, active, last, both, 3) != NULL);
	{
		int64_t		a[2] = {INT64_MAX, 1},
					b[2] = {1, 1};

		CHECK(!jy_ret_add_counts(a, b, 2));
		a[0] = 5;
		CHECK(jy_ret_add_counts(a, b, 2));
		CHECK(a[0] == 6 && a[1] == 2);
	}
}

static void
test_sort_unique(void)
{
	int64_t		v[200],
				scratch[200];
	size_t		n,
				i;

	for (i = 0; i < 200; i++)
		v[i] = (int64_t) ((i * 7919) % 50) - 25;
	n = jy_ret_sort_unique(v, 200, scratch);
	CHECK_EQ_I64(n, 50);
	for (i = 0; i < n; i++)
		CHECK_EQ_I64(v[i], (int64_t) i - 25);
	CHECK_EQ_I64(jy_ret_sort_unique(v, 0, scratch), 0);
	CHECK_EQ_I64(jy_ret_sort_unique(v, 1, scratch), 1);
}

static void
test_clickhouse(void)
{
	int16_t		out[4];

	jy_ret_clickhouse(1 | 2 | 8, 4, out);
	CHECK(out[0] == 1 && out[1] == 1 && out[2] == 0 && out[3] == 1);
	jy_ret_clickhouse(2 | 4 | 8, 4, out);	/* c1 never held: all zero */
	CHECK(out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 0);
	jy_ret_clickhouse(1, 1, out);
	CHECK(out[0] == 1);
}

/* the state is untrusted: only n in 1..32 with no bit above n is accepted */
static void
test_clickhouse_state_check(void)
{
	const char *why = NULL;
	int			n;

	CHECK(jy_ret_ch_state_check(((int64_t) 4 << 32) | 15, &why) == 4);
	CHECK(jy_ret_ch_state_check(((int64_t) 1 << 32), &why) == 1);
	CHECK(jy_ret_ch_state_check(((int64_t) 32 << 32) | 0xFFFFFFFF, &why) == 32);
	CHECK(jy_ret_ch_state_check(INT64_MAX, &why) == -1);
	CHECK(jy_ret_ch_state_check(-1, &why) == -1);
	CHECK(jy_ret_ch_state_check(0, &why) == -1);
	CHECK(jy_ret_ch_state_check(7, &why) == -1);	/* n = 0 */
	CHECK(jy_ret_ch_state_check(((int64_t) 33 << 32) | 7, &why) == -1);
	CHECK(jy_ret_ch_state_check(((int64_t) 40 << 32) | 0xFFFFFFFF, &why) == -1);
	CHECK(jy_ret_ch_state_check(((int64_t) 4 << 32) | 16, &why) == -1);	/* bit 4 with n = 4 */
	CHECK(jy_ret_ch_state_check(((int64_t) 0x100 << 32) | 1, &why) == -1);
	/* exhaustive over n and the lowest bit above it */
	for (n = 1; n <= 32; n++)
	{
		uint64_t	full = n == 32 ? 0xFFFFFFFFu : (((uint64_t) 1 << n) - 1);

		CHECK(jy_ret_ch_state_check((int64_t) (((uint64_t) n << 32) | full), &why) == n);
		if (n < 32)
			CHECK(jy_ret_ch_state_check((int64_t) (((uint64_t) n << 32) | ((uint64_t) 1 << n)), &why) == -1);
	}
}

/* brute force: counts from random users equal a direct per-period count */
static void
test_random_against_brute_force(void)
{
	uint64_t	seed = 12345;
	int			iter;

	for (iter = 0; iter < 200; iter++)
	{
		int32_t		n = (int32_t) (iter % 13);
		int64_t		active[13] = {0},
					last[13] = {0},
					both[13] = {0},
					oa[13];
		int64_t		ba[13] = {0},
					bl[13] = {0},
					bb[13] = {0},
					boa[13] = {0};
		int			users = 1 + iter % 7,
					u;

		for (u = 0; u < users; u++)
		{
			int64_t		keys[20];
			int			nk = 0,
						i,
						k;
			int64_t		c = 100;
			bool		act[13] = {false};
			uint64_t	bits[JY_RET_BITWORDS];
			int			lk = 0;

			for (i = 0; i < 20; i++)
			{
				seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
				if ((seed >> 60) & 1)
					keys[nk++] = 95 + (int64_t) ((seed >> 33) % 25);
			}
			/* sort */
			for (i = 1; i < nk; i++)
				for (k = i; k > 0 && keys[k - 1] > keys[k]; k--)
				{
					int64_t		t = keys[k];

					keys[k] = keys[k - 1];
					keys[k - 1] = t;
				}
			jy_ret_user_bits(keys, nk, c, 0, n, bits);
			jy_ret_add_user(active, last, both, bits, n);
			act[0] = true;
			for (i = 0; i < nk; i++)
				if (keys[i] >= c && keys[i] - c <= n)
					act[keys[i] - c] = true;
			for (k = 0; k <= n; k++)
			{
				if (act[k])
				{
					ba[k]++;
					lk = k;
				}
				if (k > 0 && act[k] && act[k - 1])
					bb[k]++;
			}
			bl[lk]++;
			for (k = 0; k <= n; k++)
			{
				int			j;
				bool		any = false;

				for (j = k; j <= n; j++)
					any |= act[j];
				boa[k] += any;
			}
		}
		jy_ret_on_or_after(last, n, oa);
		for (int k = 0; k <= n; k++)
		{
			CHECK_EQ_I64(active[k], ba[k]);
			CHECK_EQ_I64(last[k], bl[k]);
			CHECK_EQ_I64(both[k], bb[k]);
			CHECK_EQ_I64(oa[k], boa[k]);
		}
		CHECK(jy_ret_cohort_invalid(users, active, last, both, n) == NULL);
	}
}

/* the one-pass table: random users and keys in random order vs. per-user brute force */
static void
test_table_against_brute_force(void)
{
	uint64_t	seed = 777;
	int32_t		periods_list[] = {0, 5, 63, 64, 130};
	int			pi;

	for (pi = 0; pi < 5; pi++)
	{
		int32_t		n = periods_list[pi];
		int			words = (n + 1 + 63) / 64;
		size_t		sw = JY_RET_SLOT_WORDS(words),
					cap = 8;
		enum
		{
			USERS = 300, ROWS = 4000
		};
		static int64_t ukeys[USERS][ROWS / 10 + 20];
		int			nk[USERS] = {0};
		int64_t    *mem = malloc(cap * sw * sizeof(int64_t));
		JyRetTable	t;
		int			i,
					u;

		jy_ret_table_init(&t, mem, cap, n);
		for (i = 0; i < ROWS; i++)
		{
			int64_t		user,
						key;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			user = (int64_t) ((seed >> 33) % USERS) * 1000003 - 5000;	/* spread, some negative */
			key = (int64_t) ((seed >> 13) % 300) - 100;
			u = (int) ((user + 5000) / 1000003);
			if (nk[u] < ROWS / 10 + 20)
				ukeys[u][nk[u]++] = key;
			else
				continue;
			if (jy_ret_table_full(&t))
			{
				JyRetTable	nt;

				jy_ret_table_init(&nt, malloc(cap * 2 * sw * sizeof(int64_t)), cap * 2, n);
				jy_ret_table_rehash(&t, &nt);
				free(t.slots);
				t = nt;
				cap *= 2;
			}
			jy_ret_table_add(&t, user, key);
		}
		/* compare every user's slot with min key + bits computed directly */
		for (u = 0; u < USERS; u++)
		{
			size_t		j;
			int			found = 0;
			int64_t		mn = INT64_MAX;
			uint64_t	bits[JY_RET_BITWORDS] = {0};

			if (nk[u] == 0)
				continue;
			for (i = 0; i < nk[u]; i++)
				if (ukeys[u][i] < mn)
					mn = ukeys[u][i];
			for (i = 0; i < nk[u]; i++)
				if (ukeys[u][i] - mn <= n)
					bits[(ukeys[u][i] - mn) >> 6] |= UINT64_C(1) << ((ukeys[u][i] - mn) & 63);
			for (j = 0; j < t.cap; j++)
			{
				const int64_t *s = t.slots + j * sw;

				if (s[1] == JY_RET_EMPTY || s[0] != (int64_t) u * 1000003 - 5000)
					continue;
				found++;
				CHECK_EQ_I64(s[1], mn);
				for (i = 0; i < words; i++)
					CHECK_EQ_I64(s[2 + i], bits[i]);
			}
			CHECK_EQ_I64(found, 1);
		}
		/* merging a table split in two halves gives the same slots */
		{
			JyRetTable	a,
						b;
			int64_t    *ma = malloc(cap * sw * sizeof(int64_t)),
					   *mb = malloc(cap * sw * sizeof(int64_t));
			size_t		j;

			jy_ret_table_init(&a, ma, cap, n);
			jy_ret_table_init(&b, mb, cap, n);
			for (u = 0; u < USERS; u++)
				for (i = 0; i < nk[u]; i++)
					jy_ret_table_add(i % 2 ? &a : &b, (int64_t) u * 1000003 - 5000, ukeys[u][i]);
			for (j = 0; j < b.cap; j++)
				if (b.slots[j * sw + 1] != JY_RET_EMPTY)
					jy_ret_table_merge_slot(&a, b.slots + j * sw);
			CHECK_EQ_I64(a.n, t.n);
			for (j = 0; j < t.cap; j++)
			{
				const int64_t *s = t.slots + j * sw;
				size_t		k;
				int			ok = 0;

				if (s[1] == JY_RET_EMPTY)
					continue;
				for (k = 0; k < a.cap; k++)
					if (a.slots[k * sw + 1] != JY_RET_EMPTY && a.slots[k * sw] == s[0])
						ok = memcmp(a.slots + k * sw, s, sw * sizeof(int64_t)) == 0;
				CHECK(ok);
			}
			free(ma);
			free(mb);
		}
		free(t.slots);
	}
}

int
main(void)
{
	RUN(test_civil_roundtrip);
	RUN(test_period_index);
	RUN(test_user_bits_calendar);
	RUN(test_user_bits_rolling);
	RUN(test_counts_and_invariants);
	RUN(test_sort_unique);
	RUN(test_clickhouse);
	RUN(test_clickhouse_state_check);
	RUN(test_random_against_brute_force);
	RUN(test_table_against_brute_force);
	UNIT_DONE();
}
