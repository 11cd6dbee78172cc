/*
 * test_attribution.c — conversion paths, heuristic models on hand-computed
 * cases, the Markov removal effect on a hand-solved chain and against a
 * brute-force path enumeration.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* sort and merge the grams of paths (order k) into sym/cnt; returns the number of distinct grams */
static int	g_order;
static int
gram_qcmp(const void *a, const void *b)
{
	return jy_mk_gram_cmp(g_order, (const int32_t *) a, (const int32_t *) b);
}

static size_t
build_grams(int order, const int32_t *const *paths, const size_t *len, const bool *conv, int npaths,
			int32_t *sym, double *cnt)
{
	int32_t		all[64 * 5],
				g[16 * 5];
	size_t		n = 0,
				ng = 0,
				i;
	int			p;

	for (p = 0; p < npaths; p++)
	{
		jy_mk_path_grams(order, paths[p], len[p], conv[p], g);
		memcpy(all + n * (order + 1), g, sizeof(int32_t) * (len[p] + 1) * (order + 1));
		n += len[p] + 1;
	}
	g_order = order;
	qsort(all, n, sizeof(int32_t) * (order + 1), gram_qcmp);
	for (i = 0; i < n; i++)
	{
		if (ng > 0 && jy_mk_gram_cmp(order, sym + (ng - 1) * (order + 1), all + i * (order + 1)) == 0)
			cnt[ng - 1] += 1;
		else
		{
			memcpy(sym + ng * (order + 1), all + i * (order + 1), sizeof(int32_t) * (order + 1));
			cnt[ng++] = 1;
		}
	}
	return ng;
}

static void
test_markov_hand(void)
{
	/* paths: A>B conv, A null, B conv.  P = 2/3; without A 1/3 (RE 1/2); without B 0 (RE 1) */
	const int32_t p1[] = {1, 2},
				p2[] = {1},
				p3[] = {2};
	const int32_t *paths[] = {p1, p2, p3};
	size_t		len[] = {2, 1, 1};
	bool		conv[] = {true, false, true};
	int32_t		sym[64 * 5];
	double		cnt[64],
				p,
				pw[2],
				work[256];
	size_t		ng = build_grams(1, paths, len, conv, 3, sym, cnt),
				ns = jy_mk_count_states(1, ng, sym);
	int32_t		g[3 * 3];

	/* grams of A>B converting with order 2: (0,0,A) (0,A,B) (A,B,conv) */
	jy_mk_path_grams(2, p1, 2, true, g);
	CHECK(g[0] == 0 && g[1] == 0 && g[2] == 1 && g[3] == 0 && g[4] == 1 && g[5] == 2 &&
		  g[6] == 1 && g[7] == 2 && g[8] == JY_MK_CONV);
	CHECK(ns == 3);
	CHECK(jy_mk_work_bytes(ns, ng) <= sizeof(work));
	jy_mk_solve_k(1, 2, ng, sym, cnt, ns, &p, pw, work, NULL, NULL);
	CHECK(NEAR(p, 2.0 / 3));
	CHECK(NEAR(pw[0], 1.0 / 3));
	CHECK(NEAR(pw[1], 0.0));
}

/*
 * Order 2 by hand: paths A>B conv, B>A null, A conv.  States (0,0), (0,A),
 * (0,B), (A,B), (B,A).  start: (0,A) 2/3, (0,B) 1/3; (0,A): (A,B) 1/2, conv
 * 1/2; (A,B): conv; (0,B): (B,A); (B,A): null.  P = 2/3 (1/2 + 1/2) = 2/3.
 * Without A (removes (0,A), (A,B), (B,A)): 0.  Without B (removes (0,B),
 * (A,B)): 2/3 * 1/2 = 1/3.
 */
static void
test_markov_order2(void)
{
	const int32_t p1[] = {1, 2},
				p2[] = {2, 1},
				p3[] = {1};
	const int32_t *paths[] = {p1, p2, p3};
	size_t		len[] = {2, 2, 1};
	bool		conv[] = {true, false, true};
	int32_t		sym[64 * 5];
	double		cnt[64],
				p,
				pw[2],
				work[512];
	size_t		ng = build_grams(2, paths, len, conv, 3, sym, cnt),
				ns = jy_mk_count_states(2, ng, sym);

	CHECK(ns == 5);
	CHECK(jy_mk_work_bytes(ns, ng) <= sizeof(work));
	jy_mk_solve_k(2, 2, ng, sym, cnt, ns, &p, pw, work, NULL, NULL);
	CHECK(NEAR(p, 2.0 / 3));
	CHECK(NEAR(pw[0], 0.0));
	CHECK(NEAR(pw[1], 1.0 / 3));
	/* no grams: one (virtual) start state, nothing converts */
	CHECK(jy_mk_count_states(3, 0, sym) == 1);
	jy_mk_solve_k(3, 0, 0, sym, cnt, 1, &p, pw, work, NULL, NULL);
	CHECK(p == 0.0);
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
	RUN(test_markov_order2);
	RUN(test_markov_loop);
	UNIT_DONE();
}
