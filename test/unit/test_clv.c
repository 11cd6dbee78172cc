/*
 * test_clv.c — unit tests of src/engine/clv.c (BG/NBD, Gamma-Gamma, the
 * clv_model codec).  The CDNOW fit against scipy is test/t/85_clv.pl.
 */
#include <math.h>
#include <stdint.h>

#include "clv.h"
#include "statfn.h"
#include "unit.h"

static int
rel_close(double a, double b, double tol)
{
	return fabs(a - b) <= tol * fmax(fmax(fabs(a), fabs(b)), 1e-300);
}

/* analytic gradients equal central differences */
static void
test_gradients(void)
{
	double		bg[4] = {0.25, 4.4, 0.8, 2.4}, gg[3] = {6.2, 3.7, 15.4}, g[4], gp[4];
	double		rows[4][3] = {{0, 0, 38.9}, {1, 12.3, 30}, {7, 29.5, 30}, {200, 39, 39}};

	for (int k = 0; k < 4; k++)
	{
		jy_bgnbd_ll(bg, rows[k][0], rows[k][1], rows[k][2], g);
		for (int i = 0; i < 4; i++)
		{
			double		p1[4], p2[4], h = 1e-6, num;

			memcpy(p1, bg, sizeof(p1));
			memcpy(p2, bg, sizeof(p2));
			p1[i] *= exp(h);
			p2[i] *= exp(-h);
			num = (jy_bgnbd_ll(p1, rows[k][0], rows[k][1], rows[k][2], gp) -
				   jy_bgnbd_ll(p2, rows[k][0], rows[k][1], rows[k][2], gp)) / (2 * h);
			CHECK(fabs(num - g[i]) <= 1e-5 * fmax(1.0, fabs(g[i])));
		}
	}
	jy_gg_ll(gg, 3, 41.5, g);
	for (int i = 0; i < 3; i++)
	{
		double		p1[3], p2[3], h = 1e-6, num;

		memcpy(p1, gg, sizeof(p1));
		memcpy(p2, gg, sizeof(p2));
		p1[i] *= exp(h);
		p2[i] *= exp(-h);
		num = (jy_gg_ll(p1, 3, 41.5, gp) - jy_gg_ll(p2, 3, 41.5, gp)) / (2 * h);
		CHECK(fabs(num - g[i]) <= 1e-5 * fmax(1.0, fabs(g[i])));
	}
}

static void
test_fit_and_boundary(void)
{
	static JyClvRow rows[2000];
	JyClvModel	m;
	size_t		n = 0;
	uint64_t	seed = 42;

	/* simulated from the BG/NBD story: rates 0.05..1 per period, dropout 0.02..0.92 after each purchase (spread: heterogeneous p; a fixed p puts the optimum at a, b -> infinity) */
	for (int i = 0; i < 2000; i++)
	{
		double		lam = 0.05 + 0.95 * (i % 20) / 19.0, T = 20 + (i % 20), t = 0, last = 0;
		int			x = 0;

		for (;;)
		{
			double		u;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			u = ((seed >> 11) + 0.5) / 9007199254740992.0;
			t += -log(u) / lam;
			if (t > T)
				break;
			x++;
			last = t;
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			if (((seed >> 11) + 0.5) / 9007199254740992.0 < 0.02 + 0.9 * ((i * 7) % 13) / 12.0)
				break;
		}
		rows[n].x = x;
		rows[n].t_x = last;
		rows[n].T = T;
		rows[n].m = 0;
		rows[n].w = 1;
		n++;
	}
	n = jy_clv_compress(rows, n);
	CHECK(jy_bgnbd_fit(rows, n, &m, NULL, NULL) == 0);
	CHECK(m.converged == 1 && m.n == 2000 && m.gradient <= 1e-8);
	CHECK(m.par[2] / (m.par[2] + m.par[3]) > 0.3 && m.par[2] / (m.par[2] + m.par[3]) < 0.65);	/* mean dropout near 0.47 */
	CHECK(jy_clv_validate(&m) == NULL);
	/* predictions: t = 0 gives 0, no repeat purchase means alive */
	CHECK(jy_bgnbd_expected(&m, 0, 2, 5, 10) == 0);
	CHECK(jy_bgnbd_p_alive(&m, 0, 0, 10) == 1.0);
	CHECK(jy_bgnbd_expected(&m, 5, 2, 5, 10) > 0);
	/* only one-purchase customers: the supremum is at a boundary -> not converged */
	for (int i = 0; i < 50; i++)
	{
		rows[i].x = 0;
		rows[i].t_x = 0;
		rows[i].T = 1 + i;
		rows[i].w = 1;
	}
	CHECK(jy_bgnbd_fit(rows, 50, &m, NULL, NULL) == 0);
	CHECK(m.converged == 0);
	/* nothing to fit */
	CHECK(jy_bgnbd_fit(rows, 0, &m, NULL, NULL) == -1);
}

static void
test_rows(void)
{
	CHECK(jy_clv_check_bgnbd_row(0, 0, 1) == NULL);
	CHECK(jy_clv_check_bgnbd_row(1, 1, 1) == NULL);	/* purchase on the last day */
	CHECK(jy_clv_check_bgnbd_row(1, 2, 1) != NULL);
	CHECK(jy_clv_check_bgnbd_row(0, 1, 2) != NULL);
	CHECK(jy_clv_check_bgnbd_row(1.5, 1, 2) != NULL);
	CHECK(jy_clv_check_bgnbd_row(NAN, 1, 2) != NULL);
	CHECK(jy_clv_check_bgnbd_row(1, 1, INFINITY) != NULL);
	CHECK(jy_clv_check_gg_row(0, 10) != NULL);
	CHECK(jy_clv_check_gg_row(2, 0) != NULL);
	CHECK(jy_clv_check_gg_row(2, 10) == NULL);
}

static void
test_hyp2f1(void)
{
	/* 2F1(1,1;2;z) = -ln(1-z)/z */
	CHECK(rel_close(jy_hyp2f1(1, 1, 2, 0.5, 1000000), -log(0.5) / 0.5, 1e-14));
	CHECK(rel_close(exp(jy_hyp2f1_log(1, 1, 2, 0.5, 1000000)), -log(0.5) / 0.5, 1e-14));
	/* huge parameters stay finite in logs: 2F1(a,b;b;z) = (1-z)^-a */
	CHECK(rel_close(jy_hyp2f1_log(1e6, 3, 3, 0.2, 100000000L), -1e6 * log(0.8), 1e-12));
}

static void
test_codec(void)
{
	JyClvModel	m = {JY_CLV_BGNBD, {0.1 + 0.2, 1e-300, 3.0, 1.7976931348623157e308}, -1234.5678901234567, 2357, 31, 1, 1e-9};
	JyClvModel	m2;
	char		t[JY_CLV_TEXT_MAX];
	size_t		pos, len = jy_clv_print(&m, t);

	CHECK(jy_clv_parse(t, len, &m2, &pos) == NULL);
	CHECK(memcmp(m.par, m2.par, sizeof(m.par)) == 0 && m.ll == m2.ll && m.n == m2.n && m2.converged == 1);
	CHECK(jy_clv_parse(t, len - 1, &m2, &pos) != NULL);
	{
		const char *bad[] = {
			"{\"model\": \"bgnbd\", \"r\": nan, \"alpha\": 1, \"a\": 1, \"b\": 1, \"log_likelihood\": 0, \"customers\": 1, \"iterations\": 0, \"converged\": true, \"gradient\": 0}",
			"{\"model\": \"bgnbd\", \"r\": 1e999, \"alpha\": 1, \"a\": 1, \"b\": 1, \"log_likelihood\": 0, \"customers\": 1, \"iterations\": 0, \"converged\": true, \"gradient\": 0}",
			"{\"model\": \"bgnbd\", \"r\": -1, \"alpha\": 1, \"a\": 1, \"b\": 1, \"log_likelihood\": 0, \"customers\": 1, \"iterations\": 0, \"converged\": true, \"gradient\": 0}",
			"{\"model\": \"bgnbd\", \"r\": 1, \"alpha\": 1, \"a\": 1, \"b\": 1, \"log_likelihood\": 0, \"customers\": 0.5, \"iterations\": 0, \"converged\": true, \"gradient\": 0}",
			"{\"model\": \"bgnbd\", \"r\": 0x1p3, \"alpha\": 1, \"a\": 1, \"b\": 1, \"log_likelihood\": 0, \"customers\": 1, \"iterations\": 0, \"converged\": true, \"gradient\": 0}",
			"{\"model\": \"other\"}",
			"",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			CHECK(jy_clv_parse(bad[i], strlen(bad[i]), &m2, &pos) != NULL);
	}
}

int
main(void)
{
	RUN(test_gradients);
	RUN(test_fit_and_boundary);
	RUN(test_rows);
	RUN(test_hyp2f1);
	RUN(test_codec);
	UNIT_DONE();
}
