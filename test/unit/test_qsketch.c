/* Unit tests of the quantile sketch engine. */
#include <math.h>
#include "unit.h"
#include "qsketch.h"

static void
test_bucket_bounds(void)
{
	int64_t		vals[] = {0, 1, 127, 128, 129, 255, 256, 1000, 123456789, INT64_C(1) << 40, INT64_MAX};
	size_t		i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
	{
		uint32_t	b = jy_qs_bucket(vals[i]);
		int64_t		lo,
					w;

		CHECK(b <= JY_QS_MAX_BUCKET);
		jy_qs_bucket_range(b, &lo, &w);
		CHECK(vals[i] >= lo);
		CHECK((uint64_t) vals[i] - (uint64_t) lo < (uint64_t) w);
		/* representative value lies in the bucket: within 1/256 relative */
		CHECK(jy_qs_bucket_value(b) >= (double) lo && jy_qs_bucket_value(b) <= (double) lo + (double) (w - 1));
		CHECK(fabs(jy_qs_bucket_value(b) - (double) vals[i]) <= (double) vals[i] / 256.0 + 0.5);
	}
	CHECK_EQ_I64(jy_qs_bucket(INT64_MAX), JY_QS_MAX_BUCKET);
	CHECK(JY_QS_MAX_BUCKET < (1 << (64 - JY_QS_COUNT_BITS)));
	/* round durations come back exactly */
	CHECK(jy_qs_bucket_value(jy_qs_bucket(INT64_C(300000000))) == 300000000.0);
	CHECK(jy_qs_bucket_value(jy_qs_bucket(INT64_C(312000000))) == 312000000.0);
	CHECK(jy_qs_bucket_value(jy_qs_bucket(INT64_C(3600000000))) == 3600000000.0);
	/* monotone */
	for (i = 1; i < 100000; i++)
		CHECK(jy_qs_bucket((int64_t) i) >= jy_qs_bucket((int64_t) i - 1));
}

static void
test_add_merge_quantile(void)
{
	uint64_t	a[64],
				b[64];
	size_t		na = 0,
				nb = 0;
	double		q;
	uint64_t	t;
	int			i;

	for (i = 1; i <= 10; i++)
		na = jy_qs_add(a, na, jy_qs_bucket(i), 1);	/* 1..10, exact */
	for (i = 6; i <= 15; i++)
		nb = jy_qs_add(b, nb, jy_qs_bucket(i), 2);
	CHECK(jy_qs_valid(a, na));
	CHECK(jy_qs_valid(b, nb));
	na = jy_qs_merge(a, na, b, nb);
	CHECK_EQ_I64(na, 15);
	CHECK(jy_qs_valid(a, na));
	CHECK(jy_qs_total(a, na, &t));
	CHECK_EQ_I64(t, 30);
	/* values: 1..5 once, 6..10 three times, 11..15 twice; cumulative 5,8,11,14,17: rank 15 is 9 */
	CHECK(jy_qs_quantile(a, na, 0.5, &q));
	CHECK(q == 9.0);
	CHECK(jy_qs_quantile(a, na, 0.0, &q));
	CHECK(q == 1.0);
	CHECK(jy_qs_quantile(a, na, 1.0, &q));
	CHECK(q == 15.0);
	CHECK(!jy_qs_quantile(a, 0, 0.5, &q));
}

static void
test_merge_small_into_large(void)
{
	uint64_t	a[300],
				b[4];
	size_t		na = 0,
				nb = 0;
	int			i;

	for (i = 0; i < 200; i++)
		na = jy_qs_add(a, na, (uint32_t) (i * 3), 1);
	nb = jy_qs_add(b, nb, 3, 5);	/* existing */
	nb = jy_qs_add(b, nb, 4, 1);	/* new */
	na = jy_qs_merge(a, na, b, nb);
	CHECK_EQ_I64(na, 201);
	CHECK(jy_qs_valid(a, na));
	CHECK_EQ_I64(JY_QS_COUNT(a[1]), 6);
	CHECK_EQ_I64(JY_QS_BUCKET(a[2]), 4);
}

static void
test_invalid_and_overflow(void)
{
	uint64_t	a[4];

	a[0] = JY_QS_ENTRY(5, 1);
	a[1] = JY_QS_ENTRY(5, 1);
	CHECK(!jy_qs_valid(a, 2));	/* duplicate bucket */
	a[1] = JY_QS_ENTRY(4, 1);
	CHECK(!jy_qs_valid(a, 2));	/* decreasing */
	a[1] = JY_QS_ENTRY(6, 0);
	CHECK(!jy_qs_valid(a, 2));	/* zero count */
	a[1] = JY_QS_ENTRY(JY_QS_MAX_BUCKET + 1, 1);
	CHECK(!jy_qs_valid(a, 2));	/* out of range */
	a[0] = JY_QS_ENTRY(1, JY_QS_COUNT_MAX);
	CHECK(jy_qs_add(a, 1, 1, 1) == (size_t) -1);
}

/* jy_qs_lower_bound (branch-free) against a linear scan: every size 0..130, every bucket in and around */
static void
test_lower_bound(void)
{
	static uint64_t e[200];
	uint64_t	seed = 7;
	size_t		n,
				i;

	for (n = 0; n <= 130; n++)
	{
		uint32_t	b = 0,
					q;

		for (i = 0; i < n; i++)
		{
			seed = seed * UINT64_C(6364136223846793005) + 1442695040888963407u;
			b += 1 + (uint32_t) ((seed >> 33) % 5);		/* strictly increasing buckets */
			e[i] = ((uint64_t) b << JY_QS_COUNT_BITS) | (1 + (seed >> 40) % 1000);
		}
		for (q = 0; q <= b + 2; q++)
		{
			size_t		ref = 0;

			while (ref < n && JY_QS_BUCKET(e[ref]) < q)
				ref++;
			CHECK(jy_qs_lower_bound(e, n, q) == ref);
		}
	}
}

int
main(void)
{
	RUN(test_bucket_bounds);
	RUN(test_add_merge_quantile);
	RUN(test_merge_small_into_large);
	RUN(test_invalid_and_overflow);
	RUN(test_lower_bound);
	UNIT_DONE();
}
