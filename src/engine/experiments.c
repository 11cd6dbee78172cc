/*
 * experiments.c — A/B(/n) significance of conversion rates (plain C, no
 * PostgreSQL).  See experiments.h and doc/experiments.md.
 */
#include "experiments.h"
#include "statfn.h"
#include "jy_util.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- counts codec ------------------------------------------------------- */

typedef struct Scan
{
	const char *s;
	size_t		len;
	size_t		pos;
	const char *reason;
} Scan;

static void
skip_ws(Scan *sc)
{
	while (sc->pos < sc->len &&
		   (sc->s[sc->pos] == ' ' || sc->s[sc->pos] == '\t' || sc->s[sc->pos] == '\n' || sc->s[sc->pos] == '\r'))
		sc->pos++;
}

static int
expect(Scan *sc, char c, const char *reason)
{
	skip_ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == c)
	{
		sc->pos++;
		return 1;
	}
	sc->reason = reason;
	return 0;
}

/* the XXXX of a \uXXXX escape (after the u) as UTF-8 into out; returns its length or -1 */
static int
scan_u_escape(Scan *sc, char *out)
{
	unsigned	cp = 0;
	int			n = 0;

	if (sc->len - sc->pos < 4)
	{
		sc->reason = "truncated \\u escape";
		return -1;
	}
	for (int i = 0; i < 4; i++)
	{
		int			h = jy_hex_digit((unsigned char) sc->s[sc->pos + i]);

		if (h < 0)
		{
			sc->reason = "invalid \\u escape";
			return -1;
		}
		cp = cp * 16 + (unsigned) h;
	}
	if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
	{
		sc->reason = "\\u0000 and surrogate escapes are not accepted";
		return -1;
	}
	sc->pos += 4;
	/* the \uXXXX form takes 6 bytes, its UTF-8 at most 3 */
	if (cp < 0x80)
		out[n++] = (char) cp;
	else if (cp < 0x800)
	{
		out[n++] = (char) (0xC0 | (cp >> 6));
		out[n++] = (char) (0x80 | (cp & 0x3F));
	}
	else
	{
		out[n++] = (char) (0xE0 | (cp >> 12));
		out[n++] = (char) (0x80 | ((cp >> 6) & 0x3F));
		out[n++] = (char) (0x80 | (cp & 0x3F));
	}
	return n;
}

/* a JSON string into out (UTF-8); returns its length or -1 */
static long
scan_string(Scan *sc, char *out)
{
	long		n = 0;

	if (!expect(sc, '"', "expected a variant name in double quotes"))
		return -1;
	for (;;)
	{
		unsigned char c;

		if (sc->pos >= sc->len)
		{
			sc->reason = "unterminated string";
			return -1;
		}
		c = (unsigned char) sc->s[sc->pos++];
		if (c == '"')
			return n;
		if (c < 0x20)
		{
			sc->reason = "control character in a string";
			sc->pos--;
			return -1;
		}
		if (c != '\\')
		{
			out[n++] = (char) c;
			continue;
		}
		if (sc->pos >= sc->len)
		{
			sc->reason = "unterminated escape";
			return -1;
		}
		c = (unsigned char) sc->s[sc->pos++];
		if (jy_json_escape(c) >= 0)
			out[n++] = (char) jy_json_escape(c);
		else if (c == 'u')
		{
			int			k = scan_u_escape(sc, out + n);

			if (k < 0)
				return -1;
			n += k;
		}
		else
		{
			sc->reason = "invalid escape in a string";
			sc->pos--;
			return -1;
		}
	}
}

static int
scan_count(Scan *sc, double *v)
{
	unsigned long long x = 0;
	size_t		start;

	skip_ws(sc);
	start = sc->pos;
	while (sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9')
	{
		x = x * 10 + (unsigned long long) (sc->s[sc->pos] - '0');
		if (x > 9007199254740992ULL)
		{
			sc->reason = "count above 2^53";
			return 0;
		}
		sc->pos++;
	}
	if (sc->pos == start)
	{
		sc->reason = "expected a non-negative integer count";
		return 0;
	}
	if (sc->pos - start > 1 && sc->s[start] == '0')
	{
		sc->pos = start;
		sc->reason = "leading zero in a count";
		return 0;
	}
	if (sc->pos < sc->len && (sc->s[sc->pos] == '.' || sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E'))
	{
		sc->reason = "counts are integers";
		return 0;
	}
	*v = (double) x;
	return 1;
}

static int
arm_cmp(const void *a, const void *b)
{
	const JyAbArm *x = a, *y = b;
	size_t		m = x->len < y->len ? x->len : y->len;
	int			c = memcmp(x->name, y->name, m);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len ? 1 : 0;
}

int
jy_ab_sort(JyAbArm *arms, int n)
{
	if (n > 1)
		qsort(arms, (size_t) n, sizeof(JyAbArm), arm_cmp);
	for (int i = 0; i + 1 < n; i++)
		if (arm_cmp(&arms[i], &arms[i + 1]) == 0)
			return i;
	return -1;
}

int
jy_ab_parse(const char *s, size_t len, JyAbArm *arms, char *names,
			const char **reason, size_t *errpos)
{
	Scan		sc = {s, len, 0, NULL};
	int			n = 0;
	size_t		used = 0;

	if (!expect(&sc, '{', "expected \"{\""))
		goto fail;
	skip_ws(&sc);
	if (sc.pos < sc.len && sc.s[sc.pos] == '}')
		sc.pos++;
	else
	{
		for (;;)
		{
			long		nl;
			JyAbArm    *a;

			if (n >= JY_AB_MAX_ARMS)
				return -2;
			a = &arms[n];
			nl = scan_string(&sc, names + used);
			if (nl < 0)
				goto fail;
			a->name = names + used;
			a->len = (size_t) nl;
			used += (size_t) nl;
			if (!expect(&sc, ':', "expected \":\" after a variant name") ||
				!expect(&sc, '[', "expected \"[users, conversions]\""))
				goto fail;
			if (!scan_count(&sc, &a->users))
				goto fail;
			if (!expect(&sc, ',', "expected \",\" between users and conversions"))
				goto fail;
			if (!scan_count(&sc, &a->conversions))
				goto fail;
			if (!expect(&sc, ']', "expected \"]\" after conversions"))
				goto fail;
			if (a->conversions > a->users)
			{
				sc.reason = "conversions exceed users";
				goto fail;
			}
			n++;
			skip_ws(&sc);
			if (sc.pos < sc.len && sc.s[sc.pos] == ',')
			{
				sc.pos++;
				continue;
			}
			if (!expect(&sc, '}', "expected \",\" or \"}\""))
				goto fail;
			break;
		}
	}
	skip_ws(&sc);
	if (sc.pos != sc.len)
	{
		sc.reason = "junk after the closing \"}\"";
		goto fail;
	}
	if (jy_ab_sort(arms, n) >= 0)
	{
		sc.reason = "duplicate variant name";
		sc.pos = 0;
		goto fail;
	}
	return n;
fail:
	*reason = sc.reason ? sc.reason : "invalid input";
	*errpos = sc.pos;
	return -1;
}

size_t
jy_ab_print_size(const JyAbArm *arms, int n)
{
	size_t		sz = 3;

	for (int i = 0; i < n; i++)
		sz += 6 * arms[i].len + 2 + 4 + 2 * 17 + 4;
	return sz;
}

size_t
jy_ab_print(const JyAbArm *arms, int n, char *out)
{
	char	   *p = out;

	*p++ = '{';
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
		{
			*p++ = ',';
			*p++ = ' ';
		}
		*p++ = '"';
		for (size_t j = 0; j < arms[i].len; j++)
		{
			unsigned char c = (unsigned char) arms[i].name[j];

			if (c == '"' || c == '\\')
			{
				*p++ = '\\';
				*p++ = (char) c;
			}
			else if (c < 0x20)
				p += sprintf(p, "\\u%04x", c);
			else
				*p++ = (char) c;
		}
		p += sprintf(p, "\": [%.0f, %.0f]", arms[i].users, arms[i].conversions);
	}
	*p++ = '}';
	*p = '\0';
	return (size_t) (p - out);
}

/* ---- frequentist ------------------------------------------------------- */

int
jy_ab_compare(double ca, double na, double cb, double nb, double alpha, JyAbCompare *o)
{
	double		zq = jy_norm_ppf(1.0 - alpha / 2.0);

	o->rate_a = na > 0 ? ca / na : NAN;
	o->rate_b = nb > 0 ? cb / nb : NAN;
	o->diff = o->rate_b - o->rate_a;
	o->diff_low = o->diff_high = NAN;
	o->lift = o->lift_low = o->lift_high = NAN;
	o->z = o->p_value = NAN;
	if (!(na > 0 && nb > 0))
		return 0;
	{
		double		se = sqrt(o->rate_a * (1.0 - o->rate_a) / na + o->rate_b * (1.0 - o->rate_b) / nb);

		o->diff_low = o->diff - zq * se;
		o->diff_high = o->diff + zq * se;
	}
	if (ca > 0)
		o->lift = o->rate_b / o->rate_a - 1.0;
	if (ca > 0 && cb > 0)
	{
		double		lr = log(o->rate_b / o->rate_a);
		double		se = sqrt(1.0 / ca - 1.0 / na + 1.0 / cb - 1.0 / nb);

		o->lift_low = expm1(lr - zq * se);
		o->lift_high = expm1(lr + zq * se);
	}
	{
		double		pp = (ca + cb) / (na + nb);
		double		se0 = sqrt(pp * (1.0 - pp) * (1.0 / na + 1.0 / nb));

		if (se0 > 0)
		{
			o->z = o->diff / se0;
			o->p_value = 2.0 * jy_norm_sf(fabs(o->z));
			if (o->p_value > 1.0)
				o->p_value = 1.0;
		}
	}
	return 0;
}

int
jy_ab_chisq(const JyAbArm *arms, int n, double *stat, double *df, double *p)
{
	double		N = 0, C = 0;
	int			k = 0;
	JySum		s = {0, 0};

	for (int i = 0; i < n; i++)
		if (arms[i].users > 0)
		{
			N += arms[i].users;
			C += arms[i].conversions;
			k++;
		}
	if (k < 2 || C <= 0 || C >= N)
		return -1;
	for (int i = 0; i < n; i++)
	{
		double		ni = arms[i].users, e1, e0, d1, d0;

		if (!(ni > 0))
			continue;
		e1 = ni * (C / N);
		e0 = ni * ((N - C) / N);
		d1 = arms[i].conversions - e1;
		d0 = (ni - arms[i].conversions) - e0;
		jy_sum_add(&s, d1 * d1 / e1);
		jy_sum_add(&s, d0 * d0 / e0);
	}
	*stat = jy_sum_get(&s);
	*df = k - 1;
	*p = jy_chi2_sf(*stat, *df);
	return 0;
}

/* ---- Bayesian ----------------------------------------------------------- */

int
jy_ab_prob_beats(double ca, double na, double cb, double nb, double pa, double pb,
				 double max_terms, double *p, void (*tick) (void *), void *arg)
{
	return jy_beta_prob_gt(pa + cb, pb + nb - cb, pa + ca, pb + na - ca, max_terms, p, tick, arg);
}

int
jy_ab_expected_loss(double ca, double na, double cb, double nb, double pa, double pb,
					double max_terms, double *loss, void (*tick) (void *), void *arg)
{
	double		aA = pa + ca, bA = pb + na - ca, aB = pa + cb, bB = pb + nb - cb;
	double		pAB, K, v;

	/*
	 * E[max(pA - pB, 0)] = (mA - mB) P(pA > pB) + K (1/(aA+bA) + 1/(aB+bB)),
	 * K = B(aA+aB, bA+bB) / (B(aA,bA) B(aB,bB)): from E[pA 1{pA>pB}] =
	 * mA P(A' > B) with A' ~ Beta(aA+1, bA) and I_y(a,b) - I_y(a+1,b) =
	 * y^a (1-y)^b / (a B(a,b)).  No difference of two nearly equal
	 * probabilities (the textbook form loses digits when the arms are close).
	 */
	if (jy_beta_prob_gt(aA, bA, aB, bB, max_terms, &pAB, tick, arg) < 0)
		return -1;
	K = (double) expl(jy_lbeta_diff3(aA + aB, bA + bB, aA, bA, aB, bB));
	v = (aA / (aA + bA) - aB / (aB + bB)) * pAB + K * (1.0 / (aA + bA) + 1.0 / (aB + bB));
	*loss = v > 0.0 ? v : 0.0;
	return 0;
}

/* ---- sequential (always valid) -------------------------------------------- */

void
jy_ab_sequential(double ca, double na, double cb, double nb, double tau, double alpha,
				 double *diff, double *p, double *low, double *high)
{
	double		ra, rb, V, t2, logL, half;

	*diff = *p = *low = *high = NAN;
	if (!(na > 0 && nb > 0 && tau > 0 && alpha > 0 && alpha < 1))
		return;
	ra = ca / na;
	rb = cb / nb;
	*diff = rb - ra;
	V = ra * (1.0 - ra) / na + rb * (1.0 - rb) / nb;
	if (!(V > 0))
		return;
	t2 = tau * tau;
	/* log(V / (V + t2)) = -log1p(t2 / V) */
	logL = -0.5 * log1p(t2 / V) + t2 * (*diff) * (*diff) / (2.0 * V * (V + t2));
	*p = logL <= 0.0 ? 1.0 : exp(-logL);
	half = sqrt(V * (V + t2) / t2 * (2.0 * -log(alpha) + log1p(t2 / V)));
	*low = *diff - half;
	*high = *diff + half;
}

/* ---- planning ----------------------------------------------------------- */

double
jy_ab_sample_size(double p1, double mde, double alpha, double power)
{
	double		p2 = p1 + mde, pbar, za, zb, num;

	if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1 && mde != 0 && alpha > 0 && alpha < 1 && power > 0 && power < 1))
		return NAN;
	pbar = 0.5 * (p1 + p2);
	za = jy_norm_ppf(1.0 - alpha / 2.0);
	zb = jy_norm_ppf(power);
	num = za * sqrt(2.0 * pbar * (1.0 - pbar)) + zb * sqrt(p1 * (1.0 - p1) + p2 * (1.0 - p2));
	return num * num / (mde * mde);
}

double
jy_ab_mde(double p1, double users, double alpha, double power)
{
	double		lo = 0.0, hi = 1.0 - p1;

	if (!(p1 > 0 && p1 < 1 && users > 0 && alpha > 0 && alpha < 1 && power > 0 && power < 1))
		return NAN;
	/* the largest possible effect still needs more users: none is detectable */
	if (!(jy_ab_sample_size(p1, hi * (1.0 - 1e-15), alpha, power) <= users))
		return NAN;
	for (int i = 0; i < 200 && hi - lo > 1e-17 * hi; i++)
	{
		double		mid = 0.5 * (lo + hi);
		double		n = jy_ab_sample_size(p1, mid, alpha, power);

		if (mid <= lo || mid >= hi)
			break;
		if (n > users || isnan(n))
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* ---- P(best) and expected loss of k arms: adaptive Gauss-Kronrod --------- */

/*
 * Integrals, for arm i of k with posteriors X_j ~ Beta(a_j, b_j):
 *   P(best_i) = int_0^1 f_i(x) prod_{j != i} F_j(x) dx
 *   loss_i    = E[max_j X_j - X_i] = int_0^1 F_i(u) (1 - prod_{j != i} F_j(u)) du
 * (the second from (M - X_i)^+ = int 1{X_i < u <= M} du, M = max_{j != i} X_j).
 * All 2k integrands are positive and share one adaptive partition of [0, 1]:
 * [0, 1/2] in the coordinate x and [1/2, 1] in y = 1 - x, so that a posterior
 * packed against 1 keeps its digits.  The first interval of each half is
 * mapped s = c u^q when an integrand has an integrable singularity there
 * (s^e with -1 < e < 0: priors below 1 with no conversions, or 100 %).
 * Integrands are evaluated in logs (jy_betainc_log) and summed with a
 * per-integral running scale, so results down to the double range are
 * relative-accurate.  Gauss-Kronrod 21 with QUADPACK's error estimate; the
 * interval with the largest relative error contribution is bisected until
 * every integral's estimate is below JY_AB_BEST_RTOL of its value.
 */
#define JY_AB_BEST_RTOL 1e-12
#define JY_AB_BEST_MAXI 3000

static const double gk_x[11] = {
	0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
	0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
	0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
	0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
	0.294392862701460198131126603103866, 0.148874338981631210884826001129720, 0.0};
static const double gk_wk[11] = {
	0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
	0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
	0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
	0.123491976262065851077600525452084, 0.134709217311473325928054001771707,
	0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
	0.149445554002916905664936468389821};
static const double gk_wg[5] = {	/* Gauss 10 at gk_x[1], [3], [5], [7], [9] */
	0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
	0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
	0.295524224714752870173892994651338};

typedef struct BestIval
{
	double		lo, hi;			/* in u (mapped) or s coordinates */
	unsigned char side;			/* 0: s = x, 1: s = y = 1 - x */
	unsigned char mapped;		/* 1: s = c u^q on the first interval of the side */
} BestIval;

typedef struct BestCtx
{
	int			k, nint;		/* arms, integrals (2k) */
	const double *a, *b;
	long double lbeta[JY_AB_MAX_BEST_ARMS];
	double		c[2], q[2];		/* end maps per side */
	double		M[2 * JY_AB_MAX_BEST_ARMS];	/* running log scale per integral */
	BestIval   *iv;
	double	   *res, *err;		/* [interval][integral] */
	int			n;
	void		(*tick) (void *);
	void	   *arg;
} BestCtx;

size_t
jy_ab_best_worksize(int k)
{
	return (size_t) JY_AB_BEST_MAXI * (sizeof(BestIval) + 2 * sizeof(double) * 2 * (size_t) k) +
		sizeof(double) * (size_t) (k * 80 + 8);
}

/* log integrand of every integral at one point (plus log Jacobian lj); -1 on failure */
static int
best_eval(BestCtx *cx, int side, long double ls, double s, long double lj, double *v)
{
	double		x, y, lF[JY_AB_MAX_BEST_ARMS], lS[JY_AB_MAX_BEST_ARMS], lf[JY_AB_MAX_BEST_ARMS];
	long double lx, ly;
	int			k = cx->k;

	if (side == 0)
	{
		x = s;
		y = 1.0 - s;
		lx = ls;
		ly = log1pl(-(long double) s);
	}
	else
	{
		y = s;
		x = 1.0 - s;
		ly = ls;
		lx = log1pl(-(long double) s);
	}
	for (int j = 0; j < k; j++)
		if (jy_betainc_log(cx->a[j], cx->b[j], x, y, lx, ly, cx->lbeta[j], &lF[j], &lS[j], &lf[j]) < 0)
			return -1;
	for (int i = 0; i < k; i++)
	{
		double		sf = 0.0;			/* sum_{j != i} log F_j */

		for (int j = 0; j < k; j++)
			if (j != i)
				sf += lF[j];
		v[i] = (double) (lf[i] + sf + lj);
		/* 1 - prod F_j = -expm1(sum log F_j), accurate when every F_j is near 1 */
		v[k + i] = (double) (lF[i] + log(-expm1(sf)) + lj);
		if (isnan(v[i]) || isnan(v[k + i]))
			return -1;
	}
	return 0;
}

/* Gauss-Kronrod 21 on interval t: writes res/err of row t; -1 on failure */
static int
best_gk(BestCtx *cx, int t)
{
	BestIval   *iv = &cx->iv[t];
	int			m = cx->nint;
	double		center = 0.5 * (iv->lo + iv->hi), half = 0.5 * (iv->hi - iv->lo);
	double		vals[21][2 * JY_AB_MAX_BEST_ARMS];
	double	   *res = cx->res + (size_t) t * m, *err = cx->err + (size_t) t * m;

	if (cx->tick)
		cx->tick(cx->arg);
	for (int j = 0; j < 21; j++)
	{
		double		node = j < 11 ? center - half * gk_x[j] : center + half * gk_x[20 - j];
		double		s;
		long double ls, lj = 0.0L;

		if (iv->mapped)
		{
			long double lu = logl(node);

			ls = logl(cx->c[iv->side]) + cx->q[iv->side] * lu;
			lj = logl(cx->c[iv->side]) + logl(cx->q[iv->side]) + (cx->q[iv->side] - 1.0L) * lu;
			s = (double) expl(ls);
		}
		else
		{
			s = node;
			ls = logl(node);
		}
		if (best_eval(cx, iv->side, ls, s, lj, vals[j]) < 0)
			return -1;
	}
	for (int i = 0; i < m; i++)
	{
		double		vmax = -INFINITY, f[21], resk = 0.0, resg = 0.0, resabs = 0.0, resasc = 0.0, mean;

		for (int j = 0; j < 21; j++)
			if (vals[j][i] > vmax)
				vmax = vals[j][i];
		if (vmax > cx->M[i])
		{
			/* a new high: rescale this integral's stored rows */
			double		fac = exp(cx->M[i] - vmax);

			for (int r = 0; r < cx->n; r++)
				if (r != t)
				{
					cx->res[(size_t) r * m + i] *= fac;
					cx->err[(size_t) r * m + i] *= fac;
				}
			cx->M[i] = vmax;
		}
		for (int j = 0; j < 21; j++)
			f[j] = cx->M[i] == -INFINITY ? 0.0 : exp(vals[j][i] - cx->M[i]);
		for (int j = 0; j < 21; j++)
		{
			int			g = j < 11 ? j : 20 - j;

			resk += gk_wk[g] * f[j];
			resabs += gk_wk[g] * fabs(f[j]);
			if (g % 2 == 1)
				resg += gk_wg[g / 2] * f[j];
		}
		mean = 0.5 * resk;
		for (int j = 0; j < 21; j++)
			resasc += gk_wk[j < 11 ? j : 20 - j] * fabs(f[j] - mean);
		res[i] = resk * half;
		err[i] = fabs((resk - resg) * half);
		resasc *= half;
		resabs *= half;
		if (resasc != 0.0 && err[i] != 0.0)
			err[i] = resasc * fmin(1.0, pow(200.0 * err[i] / resasc, 1.5));
		if (resabs > DBL_MIN / (50.0 * DBL_EPSILON))
			err[i] = fmax(50.0 * DBL_EPSILON * resabs, err[i]);
	}
	return 0;
}

static int
dbl_cmp(const void *p, const void *q)
{
	double		x = *(const double *) p, y = *(const double *) q;

	return x < y ? -1 : x > y ? 1 : 0;
}

int
jy_ab_best(int k, const double *a, const double *b, double *pbest, double *loss,
		   void *work, void (*tick) (void *), void *arg)
{
	BestCtx		cx;
	double	   *pts;
	int			nint = 2 * k;
	static const double tlist[] = {0, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 11, 15, 20, 27, 35, 45, 60, 80, 110, 150};
	int			ntl = (int) (sizeof(tlist) / sizeof(tlist[0]));

	if (k < 1 || k > JY_AB_MAX_BEST_ARMS)
		return -2;
	for (int j = 0; j < k; j++)
		if (!(a[j] > 0 && b[j] > 0 && a[j] <= JY_AB_MAX_BEST_PARAM && b[j] <= JY_AB_MAX_BEST_PARAM))
			return -2;
	if (k == 1)
	{
		pbest[0] = 1.0;
		loss[0] = 0.0;
		return 0;
	}
	memset(&cx, 0, sizeof(cx));
	cx.k = k;
	cx.nint = nint;
	cx.a = a;
	cx.b = b;
	cx.tick = tick;
	cx.arg = arg;
	cx.iv = (BestIval *) work;
	cx.res = (double *) ((char *) work + (size_t) JY_AB_BEST_MAXI * sizeof(BestIval));
	cx.err = cx.res + (size_t) JY_AB_BEST_MAXI * nint;
	pts = cx.err + (size_t) JY_AB_BEST_MAXI * nint;
	for (int j = 0; j < k; j++)
		cx.lbeta[j] = jy_lbeta_l(a[j], b[j]);
	for (int i = 0; i < nint; i++)
		cx.M[i] = -INFINITY;

	/* end maps: the most negative exponent of an integrand at x -> 0 and x -> 1 */
	for (int side = 0; side < 2; side++)
	{
		double		emin = 0.0;

		for (int i = 0; i < k; i++)
		{
			double		e = side == 0 ? a[i] - 1.0 : b[i] - 1.0;

			if (side == 0)
				for (int j = 0; j < k; j++)
					if (j != i)
						e += a[j];
			if (e < emin)
				emin = e;
		}
		cx.q[side] = 1.0 / (1.0 + emin);
	}

	/* partition: every arm's mean +- t sd, in the coordinate of each half */
	cx.n = 0;
	for (int side = 0; side < 2; side++)
	{
		int			np = 0;

		for (int j = 0; j < k; j++)
		{
			double		s0 = (side == 0 ? a[j] : b[j]) / (a[j] + b[j]);
			double		sd = sqrt(a[j] * b[j] / ((a[j] + b[j]) * (a[j] + b[j]) * (a[j] + b[j] + 1.0)));

			for (int t = 0; t < ntl; t++)
				for (int sg = -1; sg <= 1; sg += 2)
				{
					double		p = s0 + sg * tlist[t] * sd;

					if (p > 0.0 && p < 0.5)
						pts[np++] = p;
					if (t == 0)
						break;
				}
		}
		pts[np++] = 0.5;
		qsort(pts, (size_t) np, sizeof(double), dbl_cmp);
		{
			double		prev = 0.0;

			for (int i = 0; i < np; i++)
			{
				if (!(pts[i] > prev * (1.0 + 1e-13)))
					continue;
				if (cx.n >= JY_AB_BEST_MAXI - 2)
					return -1;
				cx.iv[cx.n].side = (unsigned char) side;
				if (prev == 0.0 && cx.q[side] != 1.0)
				{
					cx.iv[cx.n].mapped = 1;
					cx.iv[cx.n].lo = 0.0;
					cx.iv[cx.n].hi = 1.0;
					cx.c[side] = pts[i];
				}
				else
				{
					cx.iv[cx.n].mapped = 0;
					cx.iv[cx.n].lo = prev;
					cx.iv[cx.n].hi = pts[i];
				}
				cx.n++;
				prev = pts[i];
			}
		}
	}
	for (int t = 0; t < cx.n; t++)
		if (best_gk(&cx, t) < 0)
			return -1;

	/* bisect the worst interval until every integral meets the tolerance */
	for (;;)
	{
		double		tot[2 * JY_AB_MAX_BEST_ARMS], etot[2 * JY_AB_MAX_BEST_ARMS];
		double		worst = 0.0;
		int			wi = -1, done = 1;

		for (int i = 0; i < nint; i++)
		{
			JySum		s1 = {0, 0}, s2 = {0, 0};

			for (int t = 0; t < cx.n; t++)
			{
				jy_sum_add(&s1, cx.res[(size_t) t * nint + i]);
				jy_sum_add(&s2, cx.err[(size_t) t * nint + i]);
			}
			tot[i] = jy_sum_get(&s1);
			etot[i] = jy_sum_get(&s2);
			/* done: relative tolerance, or an error below 1e-304 in absolute terms (the value underflows) */
			if (etot[i] <= JY_AB_BEST_RTOL * tot[i] || cx.M[i] + log(etot[i]) < -700.0)
				etot[i] = 0.0;
			else
				done = 0;
		}
		if (done)
			break;
		for (int t = 0; t < cx.n; t++)
			for (int i = 0; i < nint; i++)
			{
				double		r = cx.err[(size_t) t * nint + i] / (JY_AB_BEST_RTOL * tot[i]);

				if (etot[i] > 0.0 && r > worst)
				{
					worst = r;
					wi = t;
				}
			}
		if (wi < 0 || cx.n + 1 >= JY_AB_BEST_MAXI)
			return -1;
		{
			BestIval	old = cx.iv[wi];
			double		mid = 0.5 * (old.lo + old.hi);

			if (!(mid > old.lo && mid < old.hi))
				return -1;		/* cannot split further: round-off floor */
			cx.iv[wi].hi = mid;
			cx.iv[cx.n] = old;
			cx.iv[cx.n].lo = mid;
			cx.n++;
			if (best_gk(&cx, wi) < 0 || best_gk(&cx, cx.n - 1) < 0)
				return -1;
		}
	}
	for (int i = 0; i < nint; i++)
	{
		JySum		s1 = {0, 0};
		double		v;

		for (int t = 0; t < cx.n; t++)
			jy_sum_add(&s1, cx.res[(size_t) t * nint + i]);
		v = (double) (expl((long double) cx.M[i]) * jy_sum_get(&s1));
		if (i < k)
			pbest[i] = v > 1.0 ? 1.0 : v;
		else
			loss[i - k] = v;
	}
	return 0;
}
