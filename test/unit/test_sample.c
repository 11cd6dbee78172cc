/* Unit tests of the sample generator: determinism, ordering, realism bounds, speed sanity. */
#include "unit.h"
#include "sample.h"

static JySample g1, g2;

static void
test_deterministic_and_prefix_stable(void)
{
	JySampleEvent a, b;
	int64_t		n = 0;

	jy_sample_init(&g1, 200, 7);
	jy_sample_init(&g2, 400, 7);
	while (jy_sample_next(&g1, &a))
	{
		CHECK(jy_sample_next(&g2, &b));
		CHECK(memcmp(&a, &b, sizeof(a)) == 0);
		n++;
	}
	CHECK(n > 200);
	/* another seed differs */
	jy_sample_init(&g1, 5, 7);
	jy_sample_init(&g2, 5, 8);
	CHECK(jy_sample_next(&g1, &a) && jy_sample_next(&g2, &b));
	CHECK(a.ts != b.ts);
}

static void
test_shape(void)
{
	JySampleEvent e, prev = {0};
	int64_t		counts[JY_EV_N] = {0},
				n = 0,
				same_ts = 0,
				users_with_2plus = 0,
				cur_user = 0,
				cur_n = 0;
	bool		have = false;

	jy_sample_init(&g1, 5000, 1);
	while (jy_sample_next(&g1, &e))
	{
		CHECK(e.event < JY_EV_N);
		counts[e.event]++;
		n++;
		CHECK((e.revenue_cents >= 0) == (e.event == JY_EV_PURCHASE));
		CHECK((e.product_id != 0) == (e.event == JY_EV_PRODUCT_VIEW || e.event == JY_EV_ADD_TO_CART));
		CHECK(e.ts >= JY_SAMPLE_EPOCH);
		if (have && prev.user_id == e.user_id)
		{
			CHECK(e.ts >= prev.ts);	/* ordered by user, then time */
			same_ts += e.ts == prev.ts;
		}
		if (!have || prev.user_id != e.user_id)
		{
			CHECK(!have || e.user_id == prev.user_id + 1);
			users_with_2plus += cur_n >= 2;
			cur_user = e.user_id;
			cur_n = 0;
		}
		cur_n++;
		prev = e;
		have = true;
	}
	(void) cur_user;
	CHECK(n > 5000 * 5);
	CHECK(counts[JY_EV_PURCHASE] > 0 && counts[JY_EV_PURCHASE] < counts[JY_EV_CHECKOUT]);
	CHECK(counts[JY_EV_CHECKOUT] < counts[JY_EV_ADD_TO_CART]);
	CHECK(counts[JY_EV_ADD_TO_CART] < counts[JY_EV_PRODUCT_VIEW]);
	CHECK(same_ts > n / 100);	/* same-timestamp events exist */
	CHECK(users_with_2plus > 2500);
}

int
main(void)
{
	RUN(test_deterministic_and_prefix_stable);
	RUN(test_shape);
	UNIT_DONE();
}
