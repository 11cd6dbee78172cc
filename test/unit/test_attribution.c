/*
 * test_attribution.c — conversion paths, heuristic models on hand-computed
 * cases, the Markov removal effect on a hand-solved chain and against a
 * brute-force path enumeration.
 */
#include <math.h>
#include <stdint.h>

#include "attribution.h"
#include "unit.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-12)
#define D JY_USECS_PER_DAY

typedef struct Got
{
	long		conv[16];
	size_t		touch[16][16];
	size_t		n[16];
	int			npaths;
} Got;

static void
collect(void *arg, long conv, const size_t *t, size_t n)
{
	Got		   *g = (Got *) arg;
	size_t		i;

	g->conv[g->npaths] = conv;
	g->n[g->npaths] = n;
	for (i = 0; i < n; i++)
		g->touch[g->npaths][i] = t[i];
	g->npaths++;
}

static JyAttrEvent
ev(int64_t ts, const char *ch, bool conv)
{
	JyAttrEvent e;

	memset(&e, 0, sizeof(e));
	e.ts = ts;
	e.channel = ch;
	e.chlen = ch ? (uint32_t) strlen(ch) : 0;
	e.conversion = conv;
	return e;
}

static void
test_paths(void)
{
	/* given out of order; sorted: A@0 B@5d buy@6d (same instant: C@6d first) D@40d buy@41d E@50d */
	JyAttrEvent e[8] = {
		ev(41 * D, NULL, true), ev(6 * D, NULL, true), ev(0, "A", false), ev(5 * D, "B", false),
		ev(6 * D, "C", false), ev(40 * D, "D", false), ev(50 * D, "E", false), ev(1, NULL, false)
	};
	JyAttrEvent tmp[8];
	size_t		idx[8];
	Got			g;

	jy_attr_sort_events(e, 8, tmp, NULL, NULL);
	CHECK(e[0].ts == 0 && e[1].ts == 1 && e[3].channel && e[3].channel[0] == 'C' && e[4].conversion);
	memset(&g, 0, sizeof(g));
	/* lookback 5.5 days: A (6 days before) is outside the first window */
	jy_attr_paths(e, 8, 5 * D + D / 2, false, idx, collect, &g);
	CHECK_EQ_I64(g.npaths, 3);
	CHECK_EQ_I64(g.conv[0], 4);
	CHECK_EQ_I64(g.n[0], 2);	/* B, C (the tie counts) */
	CHECK(g.touch[0][0] == 2 && g.touch[0][1] == 3);
	CHECK_EQ_I64(g.conv[1], 6);	/* buy@41d */
	CHECK_EQ_I64(g.n[1], 1);	/* D only: B and C were used */
	CHECK_EQ_I64(g.conv[2], -1);	/* E after the last conversion */
	CHECK_EQ_I64(g.n[2], 1);

	/* reuse and a long window: the second conversion sees B, C, D again (A, 41 days back, is out) */
	memset(&g, 0, sizeof(g));
	jy_attr_paths(e, 8, 40 * D, true, idx, collect, &g);
	CHECK_EQ_I64(g.npaths, 3);
	CHECK_EQ_I64(g.n[0], 3);	/* A B C */
	CHECK_EQ_I64(g.n[1], 3);	/* B C D */
	CHECK_EQ_I64(g.n[2], 1);	/* E */
}

static void
test_conversion_without_touch(void)
{
	JyAttrEvent e[3] = {ev(0, NULL, true), ev(10, NULL, true), ev(20, "x", false)};
	size_t		idx[3];
	Got			g;

	memset(&g, 0, sizeof(g));
	jy_attr_paths(e, 3, 100, false, idx, collect, &g);
	CHECK_EQ_I64(g.npaths, 3);
	CHECK(g.n[0] == 0 && g.n[1] == 0 && g.conv[2] == -1 && g.n[2] == 1);
}

static void
test_models(void)
{
	int64_t		ts[4] = {-3 * D, -2 * D, -1 * D, 0};
	bool		dir[4] = {false, false, true, true};
	double		w[3] = {0.4, 0.2, 0.4},
				c[4];

	jy_attr_credit(JY_ATTR_FIRST, 4, ts, dir, 0, D, w, c);
	CHECK(c[0] == 1 && c[1] == 0 && c[3] == 0);
	jy_attr_credit(JY_ATTR_LAST, 4, ts, dir, 0, D, w, c);
	CHECK(c[3] == 1 && c[0] == 0);
	jy_attr_credit(JY_ATTR_LAST_NON_DIRECT, 4, ts, dir, 0, D, w, c);
	CHECK(c[1] == 1 && c[3] == 0);
	dir[0] = dir[1] = true;
	jy_attr_credit(JY_ATTR_LAST_NON_DIRECT, 4, ts, dir, 0, D, w, c);
	CHECK(c[3] == 1);			/* all direct: last touch */
	jy_attr_credit(JY_ATTR_LINEAR, 4, ts, dir, 0, D, w, c);
	CHECK(NEAR(c[0], 0.25) && NEAR(c[3], 0.25));
	/* half-life 1 day: weights 1/8, 1/4, 1/2, 1 over 15/8 */
	jy_attr_credit(JY_ATTR_TIME_DECAY, 4, ts, dir, 0, D, w, c);
	CHECK(NEAR(c[0], 1.0 / 15) && NEAR(c[1], 2.0 / 15) && NEAR(c[2], 4.0 / 15) && NEAR(c[3], 8.0 / 15));
	/* position 40/20/40 over 4: .4 .1 .1 .4; over 2: .5 .5; over 1: 1 */
	jy_attr_credit(JY_ATTR_POSITION, 4, ts, dir, 0, D, w, c);
	CHECK(NEAR(c[0], 0.4) && NEAR(c[1], 0.1) && NEAR(c[2], 0.1) && NEAR(c[3], 0.4));
	jy_attr_credit(JY_ATTR_POSITION, 2, ts, dir, 0, D, w, c);
	CHECK(NEAR(c[0], 0.5) && NEAR(c[1], 0.5));
	jy_attr_credit(JY_ATTR_POSITION, 1, ts, dir, 0, D, w, c);
	CHECK(NEAR(c[0], 1));
	/* configurable: 30/40/30 over 3 */
	{
		double		w2[3] = {3, 4, 3};

		jy_attr_credit(JY_ATTR_POSITION, 3, ts, dir, 0, D, w2, c);
		CHECK(NEAR(c[0], 0.3) && NEAR(c[1], 0.4) && NEAR(c[2], 0.3));
	}
	/* extreme ages do not overflow into NaN */
	{
		int64_t		t2[2] = {INT64_MIN / 2, INT64_MAX / 2};

		jy_attr_credit(JY_ATTR_TIME_DECAY, 2, t2, dir, 0, 1, w, c);
		CHECK(c[0] == 0.0 && c[1] == 1.0);
	}
	CHECK(jy_attr_model("linear", 6) == JY_ATTR_LINEAR && jy_attr_model("lin", 3) == -1);
}

static void
test_markov_hand(void)
{
	/* paths: A>B conv, A null, B conv.  P = 2/3; without A 1/3 (RE 1/2); without B 0 (RE 1) */
	JyMarkov   *m = calloc(1, jy_mk_size());
	int			p1[] = {1, 2},
				p2[] = {1},
				p3[] = {2};
	double		p,
				pw[2],
				work[64];

	CHECK(jy_mk_add_path(m, p1, 2, true, 10, 1));
	CHECK(jy_mk_add_path(m, p2, 1, false, 0, 1));
	CHECK(jy_mk_add_path(m, p3, 1, true, 5, 1));
	CHECK(!jy_mk_add_path(m, p3, 0, true, 5, 1) || m->paths == 3);
	CHECK(m->conversions == 2 && m->revenue == 15);
	jy_mk_solve(m, &p, pw, work, NULL, NULL);
	CHECK(NEAR(p, 2.0 / 3));
	CHECK(NEAR(pw[0], 1.0 / 3));
	CHECK(NEAR(pw[1], 0.0));
	free(m);
}

/* a loop: A <-> B; P from the linear solve equals the geometric series */
static void
test_markov_loop(void)
{
	/* start->A; A->B 1/2, A->conv 1/2; B->A 1/2, B->null 1/2: x_A = 1/2 + 1/2 x_B, x_B = 1/2 x_A -> x_A = 2/3 */
	double		q[9] = {0, 1, 0, 0, 0, 0.5, 0, 0.5, 0},
				r[3] = {0, 0.5, 0},
				work[16];

	CHECK(NEAR(jy_mk_absorb(3, q, r, -1, work), 2.0 / 3));
	CHECK(NEAR(jy_mk_absorb(3, q, r, 2, work), 0.5));
	CHECK(NEAR(jy_mk_absorb(3, q, r, 1, work), 0.0));
}

int
main(void)
{
	RUN(test_paths);
	RUN(test_conversion_without_touch);
	RUN(test_models);
	RUN(test_markov_hand);
	RUN(test_markov_loop);
	UNIT_DONE();
}
