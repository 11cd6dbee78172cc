/*
 * experiments.h — A/B(/n) significance of conversion rates (plain C, no
 * PostgreSQL).  Formulas in doc/experiments.md; every number is checked
 * against scipy by test/t/08_experiments_scipy.pl.
 *
 * Counts are doubles holding integers <= 2^53 (the glue checks that).
 *
 * The counts codec: the text of an `ab_counts` summary (a jsonb value
 * {"variant": [users, conversions], ...}, as jsonb prints it).  The parser
 * accepts any JSON whitespace and key order, JSON string escapes (\uXXXX of
 * the Basic Multilingual Plane, no surrogates, no \u0000), plain
 * non-negative integers (no sign, fraction or exponent) and rejects
 * duplicate names, conversions > users and values > 2^53.
 */
#ifndef JY_EXPERIMENTS_H
#define JY_EXPERIMENTS_H

#include <stddef.h>

#define JY_AB_MAX_ARMS		10000
#define JY_AB_MAX_COUNT		9007199254740992.0	/* 2^53 */

typedef struct JyAbArm
{
	const char *name;			/* not NUL-terminated; points into a caller buffer */
	size_t		len;
	double		users;
	double		conversions;
} JyAbArm;

/*
 * Parse text s[0..len).  arms must have room for len / 8 + 1 entries, names
 * for len bytes.  Returns the number of arms (>= 0, sorted by name bytewise),
 * or -1 with *reason and *errpos set; -2 when there are more than
 * JY_AB_MAX_ARMS arms.
 */
int			jy_ab_parse(const char *s, size_t len, JyAbArm *arms, char *names,
						const char **reason, size_t *errpos);

/* bytes jy_ab_print needs, including the terminating NUL */
size_t		jy_ab_print_size(const JyAbArm *arms, int n);
/* print arms (any order) as {"name": [users, conversions], ...}; returns strlen */
size_t		jy_ab_print(const JyAbArm *arms, int n, char *out);

/* sort arms by name bytewise; returns the index of a duplicate pair's first member, or -1 */
int			jy_ab_sort(JyAbArm *arms, int n);

/* two-proportion comparison of B against A (the control) */
typedef struct JyAbCompare
{
	double		rate_a, rate_b;	/* NaN when users = 0 */
	double		diff;			/* rate_b - rate_a */
	double		diff_low, diff_high;	/* unpooled Wald CI */
	double		lift;			/* diff / rate_a; NaN when rate_a = 0 */
	double		lift_low, lift_high;	/* CI of the ratio on the log scale (needs conversions > 0 in both) */
	double		z;				/* pooled z; NaN when the pooled rate is 0 or 1 */
	double		p_value;		/* two-sided */
} JyAbCompare;

/* returns 0; all outputs NaN where undefined (see above) */
int			jy_ab_compare(double conv_a, double users_a, double conv_b, double users_b,
						  double alpha, JyAbCompare *out);

/*
 * Pearson chi-square of the k x 2 table (converted / not) without continuity
 * correction; arms with 0 users are left out.  *df = (arms with users) - 1.
 * Returns 0, or -1 when undefined (fewer than 2 arms with users, or no
 * conversion at all, or every user converted).
 */
int			jy_ab_chisq(const JyAbArm *arms, int n, double *stat, double *df, double *p);

/*
 * Posterior Beta(prior_a + conv, prior_b + users - conv) per arm.
 * P(rate_b > rate_a), exact; returns -1 when no posterior parameter is an
 * integer <= max_terms.
 */
int			jy_ab_prob_beats(double conv_a, double users_a, double conv_b, double users_b,
							 double prior_a, double prior_b, double max_terms, double *p,
							 void (*tick) (void *), void *arg);

/* expected loss of choosing B: E[max(rate_a - rate_b, 0)]; same conditions */
int			jy_ab_expected_loss(double conv_a, double users_a, double conv_b, double users_b,
								double prior_a, double prior_b, double max_terms, double *loss,
								void (*tick) (void *), void *arg);

/*
 * Bayesian A/B/n with posteriors X_j ~ Beta(a[j], b[j]), j < k: P(X_i is the
 * largest) and the expected loss of choosing i, E[max_j X_j - X_i], for
 * every arm, by adaptive Gauss-Kronrod quadrature to 1e-12 relative (any
 * real parameters, no sampling).  work: jy_ab_best_worksize(k) bytes
 * (8-byte aligned).  tick(arg) once per 21-point rule (may longjmp).
 * Returns 0; -2 when k > JY_AB_MAX_BEST_ARMS or a parameter is outside
 * (0, JY_AB_MAX_BEST_PARAM]; -1 when the quadrature did not reach its
 * tolerance within its interval budget (nothing is returned then).
 */
#define JY_AB_MAX_BEST_ARMS 20
#define JY_AB_MAX_BEST_PARAM 1e9
size_t		jy_ab_best_worksize(int k);
int			jy_ab_best(int k, const double *a, const double *b, double *pbest, double *loss,
					   void *work, void (*tick) (void *), void *arg);

/*
 * Always-valid (sequential) comparison of B against A: the mixture SPRT of
 * Johari, Pekelis & Walsh ("Always valid inference", 2017) on the Gaussian
 * approximation of diff = rate_b - rate_a with the plug-in variance
 * V = ra(1-ra)/na + rb(1-rb)/nb and a N(0, tau^2) mixture over the effect:
 *   log L = 1/2 log(V / (V + tau^2)) + tau^2 diff^2 / (2 V (V + tau^2))
 *   p = min(1, 1/L)   (valid at any data-dependent stopping time: Ville)
 *   CI: diff +- sqrt(V (V + tau^2) / tau^2 (2 log(1/alpha) + log((V + tau^2) / V)))
 * Writes NaN where undefined (no users in an arm, V = 0).
 */
void		jy_ab_sequential(double conv_a, double users_a, double conv_b, double users_b,
							 double tau, double alpha, double *diff, double *p, double *low, double *high);

/*
 * Users per arm for a two-sided two-proportion z-test at level alpha with
 * the given power to detect rate baseline + mde (absolute difference):
 *   n = (z_{1-alpha/2} sqrt(2 pbar qbar) + z_{power} sqrt(p1 q1 + p2 q2))^2 / mde^2
 * (unrounded; the glue rounds up).  NaN when baseline + mde is outside (0, 1).
 */
double		jy_ab_sample_size(double baseline, double mde, double alpha, double power);

/*
 * Smallest absolute increase d > 0 detectable with users per arm (the
 * inverse of jy_ab_sample_size in mde); NaN when even baseline -> 1 needs
 * more users.
 */
double		jy_ab_mde(double baseline, double users, double alpha, double power);

#endif
