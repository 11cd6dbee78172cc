/*
 * clv.h — customer lifetime value models (plain C, no PostgreSQL).
 *
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way")
 * for the number of repeat purchases of a non-contractual customer, and
 * Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV") for the value of a
 * purchase.  Per customer: x = repeat purchases (purchase days after the
 * first), t_x = time of the last purchase since the first, T = time from the
 * first purchase to the end of calibration, m = mean value of the repeat
 * purchases.  Both fitted by maximum likelihood with BFGS on the logarithms
 * of the parameters (analytic gradients).
 *
 * The model codec: a JyClvModel prints as one JSON object with every double
 * at 17 significant digits (lossless: strtod reads back the same bits) and
 * fixed key order; the parser is strict (that order, no other keys) and
 * validates: parameters finite and > 0, log-likelihood finite, n an integer
 * in [1, 2^53], iterations in [0, 10^6], gradient finite and >= 0.  NaN and
 * infinities are never printed and always rejected.
 */
#ifndef JY_CLV_H
#define JY_CLV_H

#include <stddef.h>

#define JY_CLV_BGNBD		1
#define JY_CLV_GAMMA_GAMMA	2

typedef struct JyClvModel
{
	int			kind;			/* JY_CLV_BGNBD: r, alpha, a, b; JY_CLV_GAMMA_GAMMA: p, q, gamma */
	double		par[4];			/* unused entries 0 */
	double		ll;				/* total log-likelihood at par */
	double		n;				/* customers fitted */
	int			iterations;
	int			converged;		/* gradient test met and not at a boundary */
	double		gradient;		/* max |d mean LL / d log parameter| at par */
} JyClvModel;

/* one row of sufficient statistics, with a multiplicity */
typedef struct JyClvRow
{
	double		x, t_x, T, m;
	double		w;
} JyClvRow;

/* NULL when r is a valid row for BG/NBD; otherwise a reason */
const char *jy_clv_check_bgnbd_row(double x, double t_x, double T);
const char *jy_clv_check_gg_row(double x, double m);

/* sort rows and merge equal ones (adding weights); returns the new count */
size_t		jy_clv_compress(JyClvRow *rows, size_t n);

/* log-likelihood of one customer and its gradient in the log parameters */
double		jy_bgnbd_ll(const double *par, double x, double t_x, double T, double *glog);
double		jy_gg_ll(const double *par, double x, double m, double *glog);

/* fit; rows compressed or not; returns 0, -1 when there is nothing to fit */
int			jy_bgnbd_fit(const JyClvRow *rows, size_t n, JyClvModel *out, void (*tick) (void *), void *arg);
int			jy_gg_fit(const JyClvRow *rows, size_t n, JyClvModel *out, void (*tick) (void *), void *arg);

/* predictions; NaN when the 2F1 series does not converge (bgnbd) */
double		jy_bgnbd_expected(const JyClvModel *m, double t, double x, double t_x, double T);
double		jy_bgnbd_p_alive(const JyClvModel *m, double x, double t_x, double T);
/* E[M | x, m]; x = 0 gives the population mean; NaN when p x + q <= 1 */
double		jy_gg_expected(const JyClvModel *m, double x, double mval);

/* codec */
#define JY_CLV_TEXT_MAX 512
size_t		jy_clv_print(const JyClvModel *m, char *out);	/* out >= JY_CLV_TEXT_MAX */
/* returns NULL and fills *m, or a reason with *errpos */
const char *jy_clv_parse(const char *s, size_t len, JyClvModel *m, size_t *errpos);
const char *jy_clv_validate(const JyClvModel *m);

#endif
