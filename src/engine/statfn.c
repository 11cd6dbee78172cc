/*
 * statfn.c — special functions and BFGS for the experiments and CLV engines
 * (plain C, no PostgreSQL).  See statfn.h.
 */
#include "statfn.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#define SQRT2		1.41421356237309504880
#define SQRT2PI		2.50662827463100050242

double
jy_norm_cdf(double x)
{
	return 0.5 * erfc(-x / SQRT2);
}

double
jy_norm_sf(double x)
{
	return 0.5 * erfc(x / SQRT2);
}

/* lower-tail quantile for 0 < p <= 0.5: a rational start, then Halley steps */
static double
norm_ppf_lower(double p)
{
	double		t = sqrt(-2.0 * log(p));
	double		x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
					  (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t));

	for (int i = 0; i < 50; i++)
	{
		double		e = jy_norm_cdf(x) - p;
		double		u = e * SQRT2PI * exp(0.5 * x * x);
		double		dx = u / (1.0 + 0.5 * x * u);

		x -= dx;
		if (fabs(dx) <= 1e-16 * fabs(x) || dx == 0.0)
			break;
	}
	return x;
}

double
jy_norm_ppf(double p)
{
	if (!(p > 0.0 && p < 1.0))
		return NAN;
	if (p == 0.5)
		return 0.0;
	if (p < 0.5)
		return norm_ppf_lower(p);
	return -norm_ppf_lower(1.0 - p);
}

#define GAM_EPS 1e-17
#define GAM_FPMIN 1e-300

static double
gamma_prefactor(double a, double x)
{
	return exp(-x + a * log(x) - lgamma(a));
}

/* series for P(a,x), x < a + 1 */
static double
gamma_series(double a, double x)
{
	double		ap = a, del = 1.0 / a, sum = del;

	for (int n = 0; n < 100000; n++)
	{
		ap += 1.0;
		del *= x / ap;
		sum += del;
		if (fabs(del) < fabs(sum) * GAM_EPS)
			break;
	}
	return sum * gamma_prefactor(a, x);
}

/* continued fraction for Q(a,x), x >= a + 1 (modified Lentz) */
static double
gamma_cfrac(double a, double x)
{
	double		b = x + 1.0 - a, c = 1.0 / GAM_FPMIN, d = 1.0 / b, h = d;

	for (int i = 1; i < 100000; i++)
	{
		double		an = -i * (i - a), del;

		b += 2.0;
		d = an * d + b;
		if (fabs(d) < GAM_FPMIN)
			d = GAM_FPMIN;
		c = b + an / c;
		if (fabs(c) < GAM_FPMIN)
			c = GAM_FPMIN;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < GAM_EPS)
			break;
	}
	return gamma_prefactor(a, x) * h;
}

/* the regularized incomplete gamma function P(a, x), or Q(a, x) = 1 - P(a, x) when upper */
static double
gamma_pq(double a, double x, bool upper)
{
	bool		by_series;
	double		v;

	if (!(a > 0.0) || !(x >= 0.0))
		return NAN;
	if (x == 0.0 || isinf(x))
		return (x == 0.0) == upper ? 1.0 : 0.0;
	/* the series converges fast below a + 1 and gives P; the continued fraction gives Q */
	by_series = x < a + 1.0;
	v = by_series ? gamma_series(a, x) : gamma_cfrac(a, x);
	return by_series == upper ? 1.0 - v : v;
}

double
jy_gamma_p(double a, double x)
{
	return gamma_pq(a, x, false);
}

double
jy_gamma_q(double a, double x)
{
	return gamma_pq(a, x, true);
}

double
jy_chi2_sf(double x, double k)
{
	if (!(k > 0.0) || isnan(x))
		return NAN;
	if (x <= 0.0)
		return 1.0;
	if (k == 1.0)
		return erfc(sqrt(0.5 * x));
	if (k == 2.0)
		return exp(-0.5 * x);
	return jy_gamma_q(0.5 * k, 0.5 * x);
}

/* Stirling series remainder: lgamma(x) = (x-0.5) ln x - x + ln sqrt(2 pi) + lgammacor(x), x >= 10 */
static double
lgammacor(double x)
{
	double		f = 1.0 / x, f2 = f * f;

	return f * (1.0 / 12 - f2 * (1.0 / 360 - f2 * (1.0 / 1260 - f2 * (1.0 / 1680 - f2 * (1.0 / 1188 - f2 * (691.0 / 360360 - f2 / 156.0))))));
}

#define LN_SQRT_2PI 0.918938533204672741780329736406

/*
 * log B(a, b) without the cancellation of lgamma(a) + lgamma(b) - lgamma(a+b)
 * for large arguments (R's lbeta: Stirling forms with log1p).
 */
/* the same in long double (x87 extended on x86-64): sums of large log terms keep ~19 digits */
static long double
lgammacor_l(long double x)
{
	long double f = 1.0L / x, f2 = f * f;

	return f * (1.0L / 12 - f2 * (1.0L / 360 - f2 * (1.0L / 1260 - f2 * (1.0L / 1680 - f2 * (1.0L / 1188 - f2 * (691.0L / 360360 - f2 / 156.0L))))));
}

static long double
lbeta_l(long double a, long double b)
{
	long double p = a < b ? a : b, q = a < b ? b : a;

	if (p >= 10.0L)
		return -0.5L * logl(q) + 0.918938533204672741780329736406L +
			lgammacor_l(p) + lgammacor_l(q) - lgammacor_l(p + q) +
			(p - 0.5L) * logl(p / (p + q)) + q * log1pl(-p / (p + q));
	if (q >= 10.0L)
		return lgammal(p) + lgammacor_l(q) - lgammacor_l(p + q) + p - p * logl(p + q) +
			(q - 0.5L) * log1pl(-p / (p + q));
	return lgammal(p) + lgammal(q) - lgammal(p + q);
}

long double
jy_lbeta_l(double a, double b)
{
	return lbeta_l(a, b);
}

#define BETACF_TINY 1e-4000L

/* one term aa of the modified Lentz method: updates c and d, returns the factor of h */
static long double
lentz_step(long double aa, long double *c, long double *d)
{
	*d = 1.0L + aa * *d;
	if (fabsl(*d) < BETACF_TINY)
		*d = BETACF_TINY;
	*c = 1.0L + aa / *c;
	if (fabsl(*c) < BETACF_TINY)
		*c = BETACF_TINY;
	*d = 1.0L / *d;
	return *d * *c;
}

/* continued fraction of I_x(a, b) (Numerical Recipes' betacf, modified Lentz) in long double */
static int
betacf(double a, double b, double x, long double *h_out)
{
	const long double tiny = BETACF_TINY;
	long double qab = (long double) a + b, qap = (long double) a + 1, qam = (long double) a - 1;
	long double c = 1.0L, d = 1.0L - qab * x / qap, h;
	long		maxit = 200 + (long) (40.0 * sqrt(a < b ? b : a));

	if (fabsl(d) < tiny)
		d = tiny;
	d = 1.0L / d;
	h = d;
	for (long m = 1; m <= maxit; m++)
	{
		long double m2 = 2.0L * m, aa, del;

		aa = (long double) m * ((long double) b - m) * (long double) x / ((qam + m2) * ((long double) a + m2));
		h *= lentz_step(aa, &c, &d);
		aa = -((long double) a + m) * (qab + m) * (long double) x / (((long double) a + m2) * (qap + m2));
		del = lentz_step(aa, &c, &d);
		h *= del;
		if (fabsl(del - 1.0L) <= 4e-19L)
		{
			*h_out = h;
			return 0;
		}
	}
	return -1;
}

int
jy_betainc_log(double a, double b, double x, double y, long double lx, long double ly,
			   long double lbeta_ab, double *lF, double *lS, double *lpdf)
{
	long double h, lt;

	if (lpdf)
		*lpdf = (double) ((a - 1.0L) * lx + (b - 1.0L) * ly - lbeta_ab);
	if (lx == -INFINITY)
	{
		*lF = -INFINITY;
		*lS = 0.0;
		return 0;
	}
	if (ly == -INFINITY)
	{
		*lF = 0.0;
		*lS = -INFINITY;
		return 0;
	}
	if ((long double) x < ((long double) a + 1.0L) / ((long double) a + b + 2.0L))
	{
		if (betacf(a, b, x, &h) < 0)
			return -1;
		lt = a * lx + b * ly - lbeta_ab - logl(a) + logl(h);
		*lF = (double) lt;
		*lS = (double) log1pl(-expl(lt));
	}
	else
	{
		if (betacf(b, a, y, &h) < 0)
			return -1;
		lt = a * lx + b * ly - lbeta_ab - logl(b) + logl(h);
		*lS = (double) lt;
		*lF = (double) log1pl(-expl(lt));
	}
	return 0;
}

long double
jy_lbeta_diff3(double a1, double b1, double a2, double b2, double a3, double b3)
{
	return lbeta_l(a1, b1) - lbeta_l(a2, b2) - lbeta_l(a3, b3);
}

double
jy_lbeta(double a, double b)
{
	double		p = a < b ? a : b, q = a < b ? b : a;

	if (!(p > 0.0))
		return NAN;
	if (p >= 10.0)
	{
		double		corr = lgammacor(p) + lgammacor(q) - lgammacor(p + q);

		return -0.5 * log(q) + LN_SQRT_2PI + corr + (p - 0.5) * log(p / (p + q)) + q * log1p(-p / (p + q));
	}
	if (q >= 10.0)
	{
		double		corr = lgammacor(q) - lgammacor(p + q);

		return lgamma(p) + corr + p - p * log(p + q) + (q - 0.5) * log1p(-p / (p + q));
	}
	return lgamma(p) + lgamma(q) - lgamma(p + q);
}

double
jy_digamma(double x)
{
	double		r = 0.0, f, x2;

	if (!(x > 0.0))
		return NAN;
	while (x < 10.0)
	{
		r -= 1.0 / x;
		x += 1.0;
	}
	f = 1.0 / x;
	x2 = f * f;
	return r + log(x) - 0.5 * f -
		x2 * (1.0 / 12 - x2 * (1.0 / 120 - x2 * (1.0 / 252 - x2 * (1.0 / 240 - x2 * (1.0 / 132 - x2 * (691.0 / 32760 - x2 / 12.0))))));
}

double
jy_hyp2f1(double a, double b, double c, double z, long max_terms)
{
	JySum		s = {1.0, 0.0};
	double		t = 1.0;

	if (!(z >= 0.0 && z < 1.0))
		return NAN;
	for (long k = 0; k < max_terms; k++)
	{
		t *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
		jy_sum_add(&s, t);
		if (fabs(t) <= 1e-17 * fabs(jy_sum_get(&s)))
			return jy_sum_get(&s);
		if (!isfinite(t))
			return NAN;
	}
	return NAN;
}

double
jy_hyp2f1_log(double a, double b, double c, double z, long max_terms)
{
	double		t = 1.0, logscale = 0.0;
	JySum		s = {1.0, 0.0};

	if (!(z >= 0.0 && z < 1.0 && a > 0 && b > 0 && c > 0))
		return NAN;
	for (long k = 0; k < max_terms; k++)
	{
		double		ratio = (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;

		t *= ratio;
		jy_sum_add(&s, t);
		if (jy_sum_get(&s) > 1e250)
		{
			s.s *= 1e-250;
			s.c *= 1e-250;
			t *= 1e-250;
			logscale += 250.0 * M_LN10;
		}
		if (!isfinite(t))
			return NAN;
		/* terms only shrink from here on: the tail is below t r / (1 - r) */
		if (ratio < 1.0 && t * ratio / (1.0 - ratio) <= 1e-17 * jy_sum_get(&s))
			return logscale + log(jy_sum_get(&s));
	}
	return NAN;
}

/*
 * Evan Miller's closed form: for X ~ Beta(a1, b1), Y ~ Beta(a2, b2) and
 * integer a1,
 *   P(X > Y) = sum_{i=0}^{a1-1} B(a2+i, b1+b2) / ((b1+i) B(1+i, b1) B(a2, b2))
 * term_0 = B(a2, b1+b2) / B(a2, b2), term_{i+1}/term_i =
 * (a2+i)(b1+i) / ((a2+b2+b1+i)(i+1)).  Terms are positive: the sum is
 * accumulated in linear space with a running power-of-two scale.
 */
static double
miller_sum(double a1, double b1, double a2, double b2, void (*tick) (void *), void *arg)
{
	long double logscale = lbeta_l(a2, (long double) b1 + b2) - lbeta_l(a2, b2);
	double		t = 1.0;
	JySum		s = {0.0, 0.0};
	long		n = (long) a1;

	for (long i = 0; i < n; i++)
	{
		jy_sum_add(&s, t);
		if (t > 1e250 || jy_sum_get(&s) > 1e250)
		{
			s.s *= 1e-250;
			s.c *= 1e-250;
			t *= 1e-250;
			logscale += 250.0L * 2.302585092994045684017991454684364208L;
		}
		t *= (a2 + i) * (b1 + i) / ((a2 + b2 + b1 + i) * (i + 1.0));
		if (tick && (i & 0xFFFFF) == 0xFFFFF)
			tick(arg);
	}
	{
		double		sum = jy_sum_get(&s);

		if (sum <= 0.0)
			return 0.0;
		return (double) expl(logscale + logl(sum));
	}
}

static int
is_small_int(double v, double max_terms)
{
	return v >= 1.0 && v <= max_terms && v == floor(v);
}

int
jy_beta_prob_gt(double a1, double b1, double a2, double b2, double max_terms,
				double *p, void (*tick) (void *), void *arg)
{
	/* the four ways: direct over a1, direct over b2, complement over a2, complement over b1 */
	double		cost[4] = {a1, b2, a2, b1};
	int			best = -1, bestdirect = -1;

	for (int k = 0; k < 4; k++)
		if (is_small_int(cost[k], max_terms))
		{
			if (best < 0 || cost[k] < cost[best])
				best = k;
			if (k < 2 && (bestdirect < 0 || cost[k] < cost[bestdirect]))
				bestdirect = k;
		}
	if (best < 0)
		return -1;
	for (int pass = 0; pass < 2; pass++)
	{
		int			k = pass == 0 ? best : bestdirect;
		double		v;

		switch (k)
		{
			case 0:
				v = miller_sum(a1, b1, a2, b2, tick, arg);
				break;
			case 1:				/* X > Y  <=>  1-Y > 1-X */
				v = miller_sum(b2, a2, b1, a1, tick, arg);
				break;
			case 2:				/* 1 - P(Y > X) */
				v = 1.0 - miller_sum(a2, b2, a1, b1, tick, arg);
				break;
			default:			/* 1 - P(1-X > 1-Y) */
				v = 1.0 - miller_sum(b1, a1, b2, a2, tick, arg);
				break;
		}
		if (v < 0.0)
			v = 0.0;
		if (v > 1.0)
			v = 1.0;
		*p = v;
		/* a complement that came out small lost its relative accuracy: redo directly */
		if (k >= 2 && v < 0.01 && bestdirect >= 0)
			continue;
		break;
	}
	return 0;
}

/* ---- BFGS ---------------------------------------------------------------- */

static double
vmaxabs(const double *g, int n)
{
	double		m = 0.0;

	for (int i = 0; i < n; i++)
		if (fabs(g[i]) > m || isnan(g[i]))
			m = isnan(g[i]) ? INFINITY : fabs(g[i]);
	return m;
}

void
jy_bfgs(JyOptFn fg, void *ctx, int n, double *x, double gtol, int max_iter,
		JyOptResult *res, void (*tick) (void *), void *arg)
{
	double		H[JY_OPT_MAXN][JY_OPT_MAXN];
	double		g[JY_OPT_MAXN], gn[JY_OPT_MAXN], xn[JY_OPT_MAXN], d[JY_OPT_MAXN];
	double		s[JY_OPT_MAXN], y[JY_OPT_MAXN], Hy[JY_OPT_MAXN];
	double		f, fn = 0.0;
	int			it, evals = 0, stalled = 0;

	memset(H, 0, sizeof(H));
	for (int i = 0; i < n; i++)
		H[i][i] = 1.0;
	f = fg(x, g, ctx);
	evals++;
	for (it = 0; it < max_iter; it++)
	{
		double		gd = 0.0, step = 1.0, dn = 0.0;
		int			ok = 0;

		if (tick)
			tick(arg);
		if (!isfinite(f) || vmaxabs(g, n) <= gtol)
			break;
		for (int i = 0; i < n; i++)
		{
			d[i] = 0.0;
			for (int j = 0; j < n; j++)
				d[i] -= H[i][j] * g[j];
			gd += d[i] * g[i];
			dn += d[i] * d[i];
		}
		if (!(gd < 0.0))
		{
			/* not a descent direction: restart from steepest descent */
			memset(H, 0, sizeof(H));
			for (int i = 0; i < n; i++)
			{
				H[i][i] = 1.0;
				d[i] = -g[i];
			}
			gd = 0.0;
			dn = 0.0;
			for (int i = 0; i < n; i++)
			{
				gd += d[i] * g[i];
				dn += d[i] * d[i];
			}
		}
		/* keep a step in log-parameter space to at most 5 */
		if (sqrt(dn) > 5.0)
			step = 5.0 / sqrt(dn);
		for (int ls = 0; ls < 80; ls++)
		{
			for (int i = 0; i < n; i++)
				xn[i] = x[i] + step * d[i];
			fn = fg(xn, gn, ctx);
			evals++;
			if (isfinite(fn) && fn <= f + 1e-4 * step * gd)
			{
				ok = 1;
				break;
			}
			step *= 0.5;
		}
		if (!ok)
		{
			/* no decrease found: round-off floor reached (or a bad direction twice) */
			if (++stalled >= 2)
				break;
			memset(H, 0, sizeof(H));
			for (int i = 0; i < n; i++)
				H[i][i] = 1.0;
			continue;
		}
		stalled = 0;
		{
			double		sy = 0.0, yHy = 0.0;

			for (int i = 0; i < n; i++)
			{
				s[i] = xn[i] - x[i];
				y[i] = gn[i] - g[i];
				sy += s[i] * y[i];
			}
			if (sy > 1e-300)
			{
				for (int i = 0; i < n; i++)
				{
					Hy[i] = 0.0;
					for (int j = 0; j < n; j++)
						Hy[i] += H[i][j] * y[j];
					yHy += y[i] * Hy[i];
				}
				for (int i = 0; i < n; i++)
					for (int j = 0; j < n; j++)
						H[i][j] += ((sy + yHy) * s[i] * s[j]) / (sy * sy) -
							(Hy[i] * s[j] + s[i] * Hy[j]) / sy;
			}
		}
		memcpy(x, xn, sizeof(double) * n);
		memcpy(g, gn, sizeof(double) * n);
		f = fn;
	}
	res->fmin = f;
	res->gradmax = vmaxabs(g, n);
	res->iterations = it;
	res->evaluations = evals;
	res->converged = isfinite(f) && res->gradmax <= gtol;
}
