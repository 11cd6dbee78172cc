/*
 * test_experiments.c — unit tests of src/engine/statfn.c and experiments.c.
 * Reference values: scipy 1.10 (stats.norm, stats.chi2, special.betaln) and
 * closed forms; the full grid against scipy is test/t/80_experiments.pl.
 */
#include <math.h>

#include "experiments.h"
#include "statfn.h"
#include "unit.h"

static int
rel_close(double a, double b, double tol)
{
	return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

static void
test_norm(void)
{
	CHECK(rel_close(jy_norm_ppf(0.975), 1.959963984540054, 1e-15));
	CHECK(rel_close(jy_norm_ppf(1e-300), -37.0470962993612, 1e-13));	/* scipy norm.ppf(1e-300) */
	CHECK(jy_norm_ppf(0.5) == 0.0);
	CHECK(isnan(jy_norm_ppf(0.0)) && isnan(jy_norm_ppf(1.0)) && isnan(jy_norm_ppf(NAN)));
	for (double p = 1e-12; p < 1; p *= 3.7)
		CHECK(rel_close(jy_norm_cdf(jy_norm_ppf(p)), p, 1e-13));
	CHECK(rel_close(jy_norm_sf(10.0), 7.61985302416047e-24, 1e-13));
}

static void
test_chi2(void)
{
	CHECK(rel_close(jy_chi2_sf(3.841458820694124, 1), 0.05, 1e-13));
	CHECK(rel_close(jy_chi2_sf(10.0, 3), 0.01856613546304325, 1e-12));	/* scipy chi2.sf(10, 3) */
	CHECK(rel_close(jy_chi2_sf(500.0, 5), 7.984661110562824e-106, 1e-11));	/* scipy chi2.sf(500, 5) */
	CHECK(jy_chi2_sf(0, 4) == 1.0 && jy_chi2_sf(-1, 4) == 1.0);
}

static void
test_lbeta_digamma(void)
{
	/* scipy.special.betaln(2, 2e7), betaln(5e6, 5e6) */
	CHECK(rel_close(jy_lbeta(2, 2e7), -33.622485713036525, 1e-13));
	CHECK(rel_close(jy_lbeta(5e6, 5e6), -6931478.252561569, 1e-14));
	CHECK(rel_close(jy_digamma(1.0), -0.5772156649015329, 1e-14));
	CHECK(rel_close(jy_digamma(0.25), -4.2274535333762655, 1e-14));
	CHECK(rel_close(jy_digamma(1e6), 13.81551005796419, 1e-14));
}

static void
test_prob_beats(void)
{
	double		p, p2;

	/* equal posteriors: 1/2; symmetric pairs sum to 1 */
	CHECK(jy_beta_prob_gt(5, 7, 5, 7, 1e8, &p, NULL, NULL) == 0 && rel_close(p, 0.5, 1e-14));
	CHECK(jy_beta_prob_gt(3, 9, 8, 2, 1e8, &p, NULL, NULL) == 0);
	CHECK(jy_beta_prob_gt(8, 2, 3, 9, 1e8, &p2, NULL, NULL) == 0 && rel_close(p + p2, 1.0, 1e-14));
	/* Beta(1,1) vs Beta(1,1) and Beta(2,1) vs Beta(1,1): 1/2, 2/3 */
	CHECK(jy_beta_prob_gt(2, 1, 1, 1, 1e8, &p, NULL, NULL) == 0 && rel_close(p, 2.0 / 3.0, 1e-15));
	/* no integer parameter: refused, not approximated */
	CHECK(jy_beta_prob_gt(0.5, 0.5, 1.5, 2.5, 1e8, &p, NULL, NULL) == -1);
	/* the 40-digit mpmath value of the 1e7-user example */
	CHECK(jy_ab_prob_beats(1, 1e7, 3, 1e7, 1, 1, 1e8, &p, NULL, NULL) == 0 && rel_close(p, 0.81250003125000078125, 1e-12));
	CHECK(jy_ab_expected_loss(4999000, 1e7, 5001000, 1e7, 1, 1, 1e8, &p, NULL, NULL) == 0 &&
		  rel_close(p, 2.2687370031869197e-5, 1e-9));
}

static void
test_best(void)
{
	/* 40-digit mpmath values (mpmath.betainc, mpmath.quad); see doc/experiments.md */
	double		a5[5] = {1.1, 1.1, 0.1, 2.1, 0.1}, b5[5] = {1.3, 2.3, 1.3, 0.3, 0.3};
	double		ref5[5] = {0.0732381869931656430534, 0.0226377172532618951677, 0.00567911404367185746951,
	0.794326461111341126915, 0.104118520545051826990};
	double		a2[2] = {10000000.5, 9999990.5}, b2[2] = {0.5, 10.5};
	double		p[20], l[20], sum = 0, lF, lS, lf;
	static double work[200000];
	long double lx, ly;

	CHECK(jy_ab_best_worksize(5) <= sizeof(work));
	CHECK(jy_ab_best(5, a5, b5, p, l, work, NULL, NULL) == 0);
	for (int i = 0; i < 5; i++)
	{
		CHECK(rel_close(p[i], ref5[i], 1e-9));
		sum += p[i];
	}
	CHECK(rel_close(sum, 1.0, 1e-11));
	/* a posterior packed against 100 % with a Jeffreys prior */
	CHECK(jy_ab_best(2, a2, b2, p, l, work, NULL, NULL) == 0 && rel_close(p[1], 0.000161459687823791487952, 1e-9));
	/* two arms with integer parameters: the closed form */
	{
		double		a[2] = {121, 151}, b[2] = {881, 851}, q;

		CHECK(jy_ab_best(2, a, b, p, l, work, NULL, NULL) == 0);
		CHECK(jy_beta_prob_gt(151, 851, 121, 881, 1e8, &q, NULL, NULL) == 0 && rel_close(p[1], q, 1e-11));
	}
	/* out of range: too many arms, a parameter above the cap */
	CHECK(jy_ab_best(JY_AB_MAX_BEST_ARMS + 1, a5, b5, p, l, work, NULL, NULL) == -2);
	{
		double		a[2] = {2e9, 1}, b[2] = {1, 1};

		CHECK(jy_ab_best(2, a, b, p, l, work, NULL, NULL) == -2);
	}
	/* the incomplete beta in logs: I_0.3(2.5, 3.5) and log I_0.001(50, 1e4) */
	lx = logl(0.3L);
	ly = log1pl(-0.3L);
	CHECK(jy_betainc_log(2.5, 3.5, 0.3, 0.7, lx, ly, jy_lbeta_l(2.5, 3.5), &lF, &lS, &lf) == 0);
	CHECK(rel_close(exp(lF), 0.296752989295666378323, 1e-13) && rel_close(-expm1(lS), 0.296752989295666378323, 1e-13));
	lx = logl(0.001L);
	ly = log1pl(-0.001L);
	CHECK(jy_betainc_log(50, 1e4, 0.001, 0.999, lx, ly, jy_lbeta_l(50, 1e4), &lF, &lS, NULL) == 0);
	CHECK(rel_close(lF, -43.0128721667930570777, 1e-13));
}

static void
test_compare(void)
{
	JyAbCompare c;

	jy_ab_compare(120, 1000, 150, 1000, 0.05, &c);
	CHECK(rel_close(c.diff, 0.03, 1e-12));
	CHECK(rel_close(c.lift, 0.25, 1e-12));
	CHECK(c.p_value > 0.04 && c.p_value < 0.06);
	/* zero conversions everywhere: no z, no lift */
	jy_ab_compare(0, 10, 0, 10, 0.05, &c);
	CHECK(isnan(c.z) && isnan(c.p_value) && isnan(c.lift) && c.diff == 0);
	/* 100 % conversion in both */
	jy_ab_compare(10, 10, 10, 10, 0.05, &c);
	CHECK(isnan(c.z) && c.lift == 0 && c.diff_low == 0 && c.diff_high == 0);
}

static void
test_codec(void)
{
	const char *in = " { \"b\" : [10, 2], \"a\\\"x\": [5, 5] , \"\\u00e9\": [0, 0]} ";
	JyAbArm		arms[16];
	char		names[64], out[256];
	const char *reason;
	size_t		pos;
	int			n = jy_ab_parse(in, strlen(in), arms, names, &reason, &pos);

	CHECK_EQ_I64(n, 3);
	CHECK(arms[0].len == 3 && memcmp(arms[0].name, "a\"x", 3) == 0 && arms[0].users == 5);
	CHECK(arms[2].len == 2 && (unsigned char) arms[2].name[0] == 0xC3);
	jy_ab_print(arms, n, out);
	CHECK(strcmp(out, "{\"a\\\"x\": [5, 5], \"b\": [10, 2], \"\xc3\xa9\": [0, 0]}") == 0);
	CHECK(jy_ab_parse("{\"a\": [1, 2]}", 13, arms, names, &reason, &pos) == -1 && strstr(reason, "exceed"));
	CHECK(jy_ab_parse("{\"a\": [1, 0], \"a\": [1, 0]}", 26, arms, names, &reason, &pos) == -1 && strstr(reason, "duplicate"));
	CHECK(jy_ab_parse("{\"a\": [1.0, 0]}", 15, arms, names, &reason, &pos) == -1);
	CHECK(jy_ab_parse("{\"a\": [9007199254740993, 0]}", 28, arms, names, &reason, &pos) == -1);
	CHECK(jy_ab_parse("{\"\\u0000\": [1, 0]}", 18, arms, names, &reason, &pos) == -1);
	CHECK(jy_ab_parse("{}", 2, arms, names, &reason, &pos) == 0);
}

static void
test_planning(void)
{
	double		n = jy_ab_sample_size(0.1, 0.01, 0.05, 0.8);

	CHECK(n > 14000 && n < 15000);	/* the usual 14,751 per arm */
	CHECK(rel_close(jy_ab_mde(0.1, n, 0.05, 0.8), 0.01, 1e-12));
	CHECK(isnan(jy_ab_mde(0.5, 2, 0.05, 0.8)));
	CHECK(isnan(jy_ab_sample_size(0.9, 0.2, 0.05, 0.8)));
}

int
main(void)
{
	RUN(test_norm);
	RUN(test_chi2);
	RUN(test_lbeta_digamma);
	RUN(test_prob_beats);
	RUN(test_best);
	RUN(test_compare);
	RUN(test_codec);
	RUN(test_planning);
	UNIT_DONE();
}
