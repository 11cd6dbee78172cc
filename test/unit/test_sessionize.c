/* Unit tests of the sessionize engine (the shared sorts: test_jy_sort.c). */
#include "unit.h"
#include "sessionize.h"

#define MIN JY_USECS_PER_MINUTE

static void
test_gap_boundary_is_inclusive(void)
{
	JySessionizer s;

	jy_sessionizer_init(&s, 30 * MIN, 0);
	CHECK(jy_sessionizer_step(&s, 0, false) == JY_SESS_NEW);
	CHECK(jy_sessionizer_step(&s, 30 * MIN, false) == JY_SESS_SAME);	/* equal gap stays */
	CHECK(jy_sessionizer_step(&s, 60 * MIN + 1, false) == JY_SESS_NEW);	/* one µs more splits */
	CHECK_EQ_I64(s.number, 2);
	CHECK_EQ_I64(s.start, 60 * MIN + 1);
}

static void
test_max_length_and_split(void)
{
	JySessionizer s;

	jy_sessionizer_init(&s, 30 * MIN, 60 * MIN);
	CHECK(jy_sessionizer_step(&s, 0, false) == JY_SESS_NEW);
	CHECK(jy_sessionizer_step(&s, 25 * MIN, false) == JY_SESS_SAME);
	CHECK(jy_sessionizer_step(&s, 50 * MIN, false) == JY_SESS_SAME);
	CHECK(jy_sessionizer_step(&s, 60 * MIN, false) == JY_SESS_SAME);	/* exactly max stays */
	CHECK(jy_sessionizer_step(&s, 61 * MIN, false) == JY_SESS_NEW);	/* would exceed */
	CHECK(jy_sessionizer_step(&s, 62 * MIN, true) == JY_SESS_NEW);	/* forced */
	CHECK(jy_sessionizer_step(&s, 62 * MIN, true) == JY_SESS_NEW);	/* forced again, same ts */
	CHECK_EQ_I64(s.number, 4);
}

static void
test_unordered_and_extremes(void)
{
	JySessionizer s;

	jy_sessionizer_init(&s, 30 * MIN, 0);
	CHECK(jy_sessionizer_step(&s, 100, false) == JY_SESS_NEW);
	CHECK(jy_sessionizer_step(&s, 99, false) == JY_SESS_UNORDERED);
	/* differences that overflow int64 do not wrap */
	jy_sessionizer_init(&s, INT64_MAX, 0);
	CHECK(jy_sessionizer_step(&s, INT64_MIN, false) == JY_SESS_NEW);
	CHECK(jy_sessionizer_step(&s, INT64_MAX, false) == JY_SESS_NEW);	/* diff = 2^64-1 > gap */
	jy_sessionizer_init(&s, 1, 0);
	CHECK(jy_sessionizer_step(&s, -5, false) == JY_SESS_NEW);
	CHECK(jy_sessionizer_step(&s, -4, false) == JY_SESS_SAME);
	CHECK(jy_sessionizer_step(&s, -2, false) == JY_SESS_NEW);
}

static int64_t seen_d[16], seen_n[16];
static int	nseen;
static void
on_sess(void *arg, int64_t d, int64_t n)
{
	(void) arg;
	seen_d[nseen] = d;
	seen_n[nseen++] = n;
}

static void
test_totals(void)
{
	int64_t		ts[] = {0, 10 * MIN, 20 * MIN, 100 * MIN, 200 * MIN, 205 * MIN};
	JySessionTotals t = {0, 0, 0, 0};

	nseen = 0;
	CHECK(jy_session_totals(ts, 6, 30 * MIN, 0, &t, on_sess, NULL));
	CHECK_EQ_I64(t.sessions, 3);
	CHECK_EQ_I64(t.events, 6);
	CHECK_EQ_I64(t.bounces, 1);
	CHECK_EQ_I64(t.duration_sum, 25 * MIN);
	CHECK_EQ_I64(nseen, 3);
	CHECK_EQ_I64(seen_d[0], 20 * MIN);
	CHECK_EQ_I64(seen_n[0], 3);
	CHECK_EQ_I64(seen_d[1], 0);
	CHECK_EQ_I64(seen_d[2], 5 * MIN);
	/* empty input */
	t = (JySessionTotals) {0, 0, 0, 0};
	CHECK(jy_session_totals(ts, 0, 30 * MIN, 0, &t, NULL, NULL));
	CHECK_EQ_I64(t.sessions, 0);
}

static void
count_tick(void *arg)
{
	(*(int *) arg)++;
}

/* jy_session_totals_ex: same totals as jy_session_totals, tick every 2^20 events */
static void
test_totals_ex_ticks(void)
{
	size_t		n = 3000000,
				i;
	int64_t    *ts = malloc(n * sizeof(int64_t));
	JySessionTotals a = {0, 0, 0, 0},
				b = {0, 0, 0, 0};
	int			ticks = 0;

	CHECK(ts != NULL);
	for (i = 0; i < n; i++)
		ts[i] = (int64_t) i * 1000 + (i / 100000) * JY_USECS_PER_HOUR;	/* 30 sessions */
	CHECK(jy_session_totals(ts, n, JY_USECS_PER_MINUTE, 0, &a, NULL, NULL));
	CHECK(jy_session_totals_ex(ts, n, JY_USECS_PER_MINUTE, 0, &b, NULL, NULL, count_tick, &ticks));
	free(ts);
	CHECK_EQ_I64(a.sessions, 30);
	CHECK_EQ_I64(b.sessions, a.sessions);
	CHECK_EQ_I64(b.events, a.events);
	CHECK_EQ_I64(b.bounces, a.bounces);
	CHECK_EQ_I64(b.duration_sum, a.duration_sum);
	CHECK_EQ_I64(ticks, 2);		/* at events 2^20 and 2^21 */
}

int
main(void)
{
	RUN(test_gap_boundary_is_inclusive);
	RUN(test_max_length_and_split);
	RUN(test_unordered_and_extremes);
	RUN(test_totals);
	RUN(test_totals_ex_ticks);
	UNIT_DONE();
}
