/*
 * statfn.h — special functions and a small optimizer shared by the
 * experiments (A/B tests) and CLV engines.  Plain C, no PostgreSQL.
 *
 * Accuracy targets (checked against scipy in test/t/08_experiments_scipy.pl
 * and test/unit/test_experiments.c): relative error below 1e-12 in the
 * documented ranges.
 */
#ifndef JY_STATFN_H
#define JY_STATFN_H

#include <stddef.h>

/* standard normal: cdf, upper tail (accurate far in the tail), quantile */
double		jy_norm_cdf(double x);
double		jy_norm_sf(double x);
double		jy_norm_ppf(double p);	/* p in (0,1); NaN otherwise */

/* regularized incomplete gamma P(a,x), Q(a,x) = 1 - P(a,x); a > 0, x >= 0 */
double		jy_gamma_p(double a, double x);
double		jy_gamma_q(double a, double x);

/* chi-square upper tail with k > 0 degrees of freedom */
double		jy_chi2_sf(double x, double k);

/* log Beta function, digamma */
double		jy_lbeta(double a, double b);
/* lbeta(a1,b1) - lbeta(a2,b2) - lbeta(a3,b3) in long double */
long double jy_lbeta_diff3(double a1, double b1, double a2, double b2, double a3, double b3);
double		jy_digamma(double x);

/*
 * Gauss hypergeometric 2F1(a, b; c; z) for 0 <= z < 1 by its power series.
 * Returns NaN when the series has not converged after max_terms terms.
 */
double		jy_hyp2f1(double a, double b, double c, double z, long max_terms);

/*
 * log 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z < 1 (all terms positive),
 * summed with a running scale so that terms beyond the double range (huge
 * a, b) do not overflow.  NaN when not converged after max_terms terms.
 */
double		jy_hyp2f1_log(double a, double b, double c, double z, long max_terms);

/*
 * P(X > Y) for independent X ~ Beta(a1, b1), Y ~ Beta(a2, b2), exact (a finite
 * sum of positive terms), which needs one of the four parameters to be an
 * integer; the sum runs over the smallest integer one.  Returns 0 and sets
 * *p; -1 when no parameter is an integer <= max_terms (nothing computed).
 * tick(arg) is called every 2^20 terms (cancellation; may longjmp).
 */
int			jy_beta_prob_gt(double a1, double b1, double a2, double b2, double max_terms,
							double *p, void (*tick) (void *), void *arg);

/*
 * Regularized incomplete beta of Beta(a, b) at x, both tails in logs:
 * *lF = log I_x(a, b), *lS = log(1 - I_x(a, b)).  The caller gives x and
 * y = 1 - x exactly (whichever is small carries the digits) and their logs
 * lx, ly in long double (a * lx with a ~ 1e9 needs them).  The smaller tail
 * comes from the continued fraction (modified Lentz, O(sqrt(min(a, b)))
 * terms near the mean), the other as log1p of its negation.  Also writes
 * *lpdf = log density when lpdf is not NULL.  Returns 0, or -1 when the
 * continued fraction has not converged (a, b beyond ~1e12).
 */
int			jy_betainc_log(double a, double b, double x, double y, long double lx, long double ly,
						   long double lbeta_ab, double *lF, double *lS, double *lpdf);

/* log B(a, b) in long double (Stirling forms for large arguments) */
long double jy_lbeta_l(double a, double b);

/* Neumaier compensated sum */
typedef struct JySum
{
	double		s;
	double		c;
} JySum;
static inline void
jy_sum_add(JySum *k, double x)
{
	double		t = k->s + x;

	if ((k->s >= 0 ? k->s : -k->s) >= (x >= 0 ? x : -x))
		k->c += (k->s - t) + x;
	else
		k->c += (x - t) + k->s;
	k->s = t;
}
static inline double
jy_sum_get(const JySum *k)
{
	return k->s + k->c;
}

/*
 * Minimize f over R^n (n <= JY_OPT_MAXN) with BFGS and a backtracking
 * (Armijo) line search; fg(x, grad, ctx) returns f(x) and writes the
 * gradient (return NaN/inf for "outside the domain": the line search backs
 * off).  Stops when max |grad_i| <= gtol (converged) or after max_iter
 * iterations or when no step decreases f (then converged only if the
 * gradient test holds).
 */
#define JY_OPT_MAXN 8
typedef double (*JyOptFn) (const double *x, double *grad, void *ctx);
typedef struct JyOptResult
{
	double		fmin;
	double		gradmax;		/* max |grad_i| at the returned point */
	int			iterations;
	int			evaluations;
	int			converged;		/* 1 when gradmax <= gtol */
} JyOptResult;
void		jy_bfgs(JyOptFn fg, void *ctx, int n, double *x, double gtol, int max_iter,
					JyOptResult *res, void (*tick) (void *), void *arg);

#endif
