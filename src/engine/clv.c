/*
 * clv.c — BG/NBD and Gamma-Gamma customer lifetime value models (plain C,
 * no PostgreSQL).  See clv.h and doc/clv.md.
 */
#include "clv.h"
#include "statfn.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLV_LOG_BOUND	30.0	/* |log parameter| beyond this is "a boundary" */
#define CLV_GTOL		1e-8	/* on the gradient of the mean log-likelihood */
#define CLV_MAX_ITER	2000

const char *
jy_clv_check_bgnbd_row(double x, double t_x, double T)
{
	if (!isfinite(x) || !isfinite(t_x) || !isfinite(T))
		return "frequency, recency and age must be finite";
	if (x < 0 || x != floor(x) || x > 9007199254740992.0)
		return "frequency must be a non-negative integer";
	if (!(T >= 0))
		return "age (T) must not be negative";
	if (x > 0 && !(T > 0))
		return "age (T) must be positive when frequency is positive";
	if (t_x < 0 || t_x > T)
		return "recency must lie between 0 and age";
	if (x == 0 && t_x != 0)
		return "recency must be 0 when frequency is 0";
	if (x > 0 && !(t_x > 0))
		return "recency must be positive when frequency is positive";
	return NULL;
}

const char *
jy_clv_check_gg_row(double x, double m)
{
	if (!isfinite(x) || !isfinite(m))
		return "frequency and monetary value must be finite";
	if (x < 1 || x != floor(x) || x > 9007199254740992.0)
		return "frequency must be a positive integer (customers without repeat purchases are left out)";
	if (!(m > 0))
		return "monetary value must be positive";
	return NULL;
}

static int
row_cmp(const void *a, const void *b)
{
	const JyClvRow *p = a, *q = b;

	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	if (p->t_x != q->t_x)
		return p->t_x < q->t_x ? -1 : 1;
	if (p->T != q->T)
		return p->T < q->T ? -1 : 1;
	if (p->m != q->m)
		return p->m < q->m ? -1 : 1;
	return 0;
}

size_t
jy_clv_compress(JyClvRow *rows, size_t n)
{
	size_t		k = 0;

	if (n == 0)
		return 0;
	qsort(rows, n, sizeof(JyClvRow), row_cmp);
	for (size_t i = 1; i < n; i++)
	{
		if (row_cmp(&rows[k], &rows[i]) == 0)
			rows[k].w += rows[i].w;
		else
			rows[++k] = rows[i];
	}
	return k + 1;
}

/* ---- BG/NBD ------------------------------------------------------------ */

double
jy_bgnbd_ll(const double *par, double x, double t_x, double T, double *g)
{
	double		r = par[0], al = par[1], a = par[2], b = par[3];
	double		A1 = lgamma(r + x) - lgamma(r) + r * log(al);
	double		A2 = lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
	double		A3 = -(r + x) * log(al + T);
	double		w = 0.0, mx, ll;

	if (x > 0)
	{
		double		A4 = log(a) - log(b + x - 1) - (r + x) * log(al + t_x);

		mx = A3 > A4 ? A3 : A4;
		ll = A1 + A2 + mx + log(exp(A3 - mx) + exp(A4 - mx));
		w = exp(A4 - mx) / (exp(A3 - mx) + exp(A4 - mx));
	}
	else
		ll = A1 + A2 + A3;
	if (g)
	{
		double		psi_ab = jy_digamma(a + b), psi_abx = jy_digamma(a + b + x);
		double		dr = jy_digamma(r + x) - jy_digamma(r) + log(al) - (1 - w) * log(al + T);
		double		dal = r / al - (1 - w) * (r + x) / (al + T);
		double		da = psi_ab - psi_abx;
		double		db = psi_ab + jy_digamma(b + x) - jy_digamma(b) - psi_abx;

		if (x > 0)
		{
			dr -= w * log(al + t_x);
			dal -= w * (r + x) / (al + t_x);
			da += w / a;
			db -= w / (b + x - 1);
		}
		g[0] = dr * r;
		g[1] = dal * al;
		g[2] = da * a;
		g[3] = db * b;
	}
	return ll;
}

double
jy_gg_ll(const double *par, double x, double m, double *g)
{
	double		p = par[0], q = par[1], v = par[2];
	double		ll = lgamma(p * x + q) - lgamma(p * x) - lgamma(q) + q * log(v) +
		(p * x - 1) * log(m) + p * x * log(x) - (p * x + q) * log(v + m * x);

	if (g)
	{
		double		psi = jy_digamma(p * x + q);

		g[0] = p * x * (psi - jy_digamma(p * x) + log(m) + log(x) - log(v + m * x));
		g[1] = q * (psi - jy_digamma(q) + log(v) - log(v + m * x));
		g[2] = v * (q / v - (p * x + q) / (v + m * x));
	}
	return ll;
}

typedef struct FitCtx
{
	const JyClvRow *rows;
	size_t		n;
	double		wsum;
	int			kind;
	int			np;
	void		(*tick) (void *);
	void	   *arg;
} FitCtx;

/* mean negative log-likelihood over the rows, gradient in log parameters */
static double
fit_fg(const double *th, double *grad, void *vctx)
{
	FitCtx	   *c = vctx;
	double		par[4] = {0, 0, 0, 0}, g[4];
	JySum		f = {0, 0}, gs[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};

	for (int i = 0; i < c->np; i++)
	{
		if (!(fabs(th[i]) <= CLV_LOG_BOUND))
			return NAN;
		par[i] = exp(th[i]);
	}
	for (size_t i = 0; i < c->n; i++)
	{
		const JyClvRow *rw = &c->rows[i];
		double		ll = c->kind == JY_CLV_BGNBD ?
			jy_bgnbd_ll(par, rw->x, rw->t_x, rw->T, g) : jy_gg_ll(par, rw->x, rw->m, g);

		jy_sum_add(&f, -rw->w * ll);
		for (int j = 0; j < c->np; j++)
			jy_sum_add(&gs[j], -rw->w * g[j]);
		if (c->tick && (i & 0xFFFF) == 0xFFFF)
			c->tick(c->arg);
	}
	for (int j = 0; j < c->np; j++)
		grad[j] = jy_sum_get(&gs[j]) / c->wsum;
	return jy_sum_get(&f) / c->wsum;
}

/* Cholesky of the finite-difference Hessian of the mean negative LL in log parameters */
static int
hessian_definite(FitCtx *c, const double *th)
{
	double		H[4][4], gp[4], gm[4], tp[4], maxd = 0;
	const double h = 1e-5;

	for (int j = 0; j < c->np; j++)
	{
		memcpy(tp, th, sizeof(tp));
		tp[j] = th[j] + h;
		if (!isfinite(fit_fg(tp, gp, c)))
			return 0;
		tp[j] = th[j] - h;
		if (!isfinite(fit_fg(tp, gm, c)))
			return 0;
		for (int i = 0; i < c->np; i++)
			H[i][j] = (gp[i] - gm[i]) / (2 * h);
	}
	for (int i = 0; i < c->np; i++)
	{
		for (int j = 0; j < i; j++)
			H[i][j] = H[j][i] = 0.5 * (H[i][j] + H[j][i]);
		if (fabs(H[i][i]) > maxd)
			maxd = fabs(H[i][i]);
	}
	if (!(maxd > 0))
		return 0;
	for (int k = 0; k < c->np; k++)
	{
		double		d = H[k][k];

		for (int m = 0; m < k; m++)
			d -= H[k][m] * H[k][m];
		if (!(d > 1e-7 * maxd))
			return 0;
		d = sqrt(d);
		H[k][k] = d;
		for (int i = k + 1; i < c->np; i++)
		{
			double		v = H[i][k];

			for (int m = 0; m < k; m++)
				v -= H[i][m] * H[k][m];
			H[i][k] = v / d;
		}
	}
	return 1;
}

static int
fit(int kind, const JyClvRow *rows, size_t n, const double *start, JyClvModel *out,
	void (*tick) (void *), void *arg)
{
	FitCtx		c = {rows, n, 0.0, kind, kind == JY_CLV_BGNBD ? 4 : 3, tick, arg};
	double		th[4] = {0, 0, 0, 0};
	JyOptResult res;
	int			boundary = 0;

	for (size_t i = 0; i < n; i++)
		c.wsum += rows[i].w;
	if (n == 0 || !(c.wsum > 0))
		return -1;
	for (int i = 0; i < c.np; i++)
		th[i] = log(start[i]);
	jy_bfgs(fit_fg, &c, c.np, th, CLV_GTOL, CLV_MAX_ITER, &res, tick, arg);
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	for (int i = 0; i < c.np; i++)
	{
		out->par[i] = exp(th[i]);
		if (fabs(th[i]) > CLV_LOG_BOUND - 1.0)
			boundary = 1;
	}
	out->ll = -res.fmin * c.wsum;
	out->n = c.wsum;
	out->iterations = res.iterations;
	out->gradient = res.gradmax;
	/*
	 * An interior maximum has a negative definite Hessian.  A flat direction
	 * (parameters not identified by the data, or a supremum approached at a
	 * boundary, e.g. no repeat purchase at all) shows as a near-zero pivot:
	 * then the "optimum" is not one, and the model says so.
	 */
	if (res.converged && !boundary && !hessian_definite(&c, th))
		boundary = 1;
	out->converged = res.converged && !boundary;
	return 0;
}

/* the weighted mean of the rows' age T (or monetary value m), 1 when it is not positive */
static double
start_scale(const JyClvRow *rows, size_t n, bool monetary)
{
	double		sum = 0, wsum = 0;

	for (size_t i = 0; i < n; i++)
	{
		sum += rows[i].w * (monetary ? rows[i].m : rows[i].T);
		wsum += rows[i].w;
	}
	return wsum > 0 && sum > 0 ? sum / wsum : 1.0;
}

int
jy_bgnbd_fit(const JyClvRow *rows, size_t n, JyClvModel *out, void (*tick) (void *), void *arg)
{
	double		start[4] = {1.0, start_scale(rows, n, false), 1.0, 1.0};

	return fit(JY_CLV_BGNBD, rows, n, start, out, tick, arg);
}

int
jy_gg_fit(const JyClvRow *rows, size_t n, JyClvModel *out, void (*tick) (void *), void *arg)
{
	double		start[3] = {1.0, 2.0, start_scale(rows, n, true)};

	return fit(JY_CLV_GAMMA_GAMMA, rows, n, start, out, tick, arg);
}

double
jy_bgnbd_p_alive(const JyClvModel *m, double x, double t_x, double T)
{
	double		r = m->par[0], al = m->par[1], a = m->par[2], b = m->par[3];

	if (x == 0)
		return 1.0;
	return 1.0 / (1.0 + a / (b + x - 1) * exp((r + x) * (log(al + T) - log(al + t_x))));
}

double
jy_bgnbd_expected(const JyClvModel *m, double t, double x, double t_x, double T)
{
	double		r = m->par[0], al = m->par[1], a = m->par[2], b = m->par[3];
	double		z, h, num, den;

	if (t == 0)
		return 0.0;
	z = t / (al + T + t);
	if (a + b + x - 1 > 0)
		h = jy_hyp2f1_log(r + x, b + x, a + b + x - 1, z, 100000000L);
	else
	{
		/* x = 0 and a + b < 1: terms change sign, small parameters: the plain series */
		double		hv = jy_hyp2f1(r + x, b + x, a + b + x - 1, z, 100000000L);

		if (!(hv > 0))
			return NAN;
		h = log(hv);
	}
	if (isnan(h))
		return NAN;
	/* ((al+T)/(al+T+t))^(r+x) 2F1(...) in logs: both factors leave the double range for huge x */
	num = (a + b + x - 1) / (a - 1) * -expm1(-(r + x) * log1p(t / (al + T)) + h);
	den = x > 0 ? 1.0 + a / (b + x - 1) * exp((r + x) * (log(al + T) - log(al + t_x))) : 1.0;
	return num / den;
}

double
jy_gg_expected(const JyClvModel *m, double x, double mval)
{
	double		p = m->par[0], q = m->par[1], v = m->par[2];

	if (!(p * x + q > 1.0))
		return NAN;
	if (x == 0)
		return v * p / (q - 1.0);
	return p * (v + mval * x) / (p * x + q - 1.0);
}

/* ---- codec --------------------------------------------------------------- */

static const char *const BG_KEYS[] = {"r", "alpha", "a", "b"};
static const char *const GG_KEYS[] = {"p", "q", "gamma"};

const char *
jy_clv_validate(const JyClvModel *m)
{
	int			np;

	if (m->kind != JY_CLV_BGNBD && m->kind != JY_CLV_GAMMA_GAMMA)
		return "unknown model kind";
	np = m->kind == JY_CLV_BGNBD ? 4 : 3;
	for (int i = 0; i < 4; i++)
	{
		if (i < np && !(isfinite(m->par[i]) && m->par[i] > 0))
			return "model parameters must be finite and positive";
		if (i >= np && m->par[i] != 0)
			return "unused parameter slot must be 0";
	}
	if (!isfinite(m->ll))
		return "log-likelihood must be finite";
	if (!(m->n >= 1 && m->n <= 9007199254740992.0 && m->n == floor(m->n)))
		return "customers must be an integer between 1 and 2^53";
	if (m->iterations < 0 || m->iterations > 1000000)
		return "iterations must lie between 0 and 1000000";
	if (m->converged != 0 && m->converged != 1)
		return "converged must be true or false";
	if (!(isfinite(m->gradient) && m->gradient >= 0))
		return "gradient must be finite and non-negative";
	return NULL;
}

size_t
jy_clv_print(const JyClvModel *m, char *out)
{
	int			np = m->kind == JY_CLV_BGNBD ? 4 : 3;
	const char *const *keys = m->kind == JY_CLV_BGNBD ? BG_KEYS : GG_KEYS;
	int			k;

	k = snprintf(out, JY_CLV_TEXT_MAX, "{\"model\": \"%s\"", m->kind == JY_CLV_BGNBD ? "bgnbd" : "gamma_gamma");
	for (int i = 0; i < np; i++)
		k += snprintf(out + k, JY_CLV_TEXT_MAX - k, ", \"%s\": %.17g", keys[i], m->par[i]);
	k += snprintf(out + k, JY_CLV_TEXT_MAX - k,
				  ", \"log_likelihood\": %.17g, \"customers\": %.0f, \"iterations\": %d, \"converged\": %s, \"gradient\": %.17g}",
				  m->ll, m->n, m->iterations, m->converged ? "true" : "false", m->gradient);
	return (size_t) k;
}

typedef struct PScan
{
	const char *s;
	size_t		len, pos;
} PScan;

static void
pws(PScan *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int
plit(PScan *p, const char *lit)
{
	size_t		l = strlen(lit);

	pws(p);
	if (p->len - p->pos < l || memcmp(p->s + p->pos, lit, l) != 0)
		return 0;
	p->pos += l;
	return 1;
}

/* a number: only [0-9+-.eE] characters (no hex, nan or inf), then strtod */
static int
pnum(PScan *p, double *v)
{
	char		buf[64];
	size_t		k = 0;
	char	   *end;

	pws(p);
	while (p->pos + k < p->len && k < sizeof(buf) - 1 && strchr("0123456789+-.eE", p->s[p->pos + k]) != NULL &&
		   p->s[p->pos + k] != '\0')
	{
		buf[k] = p->s[p->pos + k];
		k++;
	}
	if (k == 0 || k == sizeof(buf) - 1)
		return 0;
	buf[k] = '\0';
	*v = strtod(buf, &end);
	if (end != buf + k || !isfinite(*v))
		return 0;
	p->pos += k;
	return 1;
}

static int
pkey(PScan *p, const char *key)
{
	char		lit[32];

	snprintf(lit, sizeof(lit), "\"%s\"", key);
	return plit(p, ",") && plit(p, lit) && plit(p, ":");
}

const char *
jy_clv_parse(const char *s, size_t len, JyClvModel *m, size_t *errpos)
{
	PScan		p = {s, len, 0};
	const char *const *keys;
	int			np;
	double		it;
	const char *reason;

	memset(m, 0, sizeof(*m));
	if (!plit(&p, "{") || !plit(&p, "\"model\"") || !plit(&p, ":"))
		goto bad;
	if (plit(&p, "\"bgnbd\""))
		m->kind = JY_CLV_BGNBD;
	else if (plit(&p, "\"gamma_gamma\""))
		m->kind = JY_CLV_GAMMA_GAMMA;
	else
	{
		*errpos = p.pos;
		return "expected \"bgnbd\" or \"gamma_gamma\"";
	}
	np = m->kind == JY_CLV_BGNBD ? 4 : 3;
	keys = m->kind == JY_CLV_BGNBD ? BG_KEYS : GG_KEYS;
	for (int i = 0; i < np; i++)
		if (!pkey(&p, keys[i]) || !pnum(&p, &m->par[i]))
			goto bad;
	if (!pkey(&p, "log_likelihood") || !pnum(&p, &m->ll) ||
		!pkey(&p, "customers") || !pnum(&p, &m->n) ||
		!pkey(&p, "iterations") || !pnum(&p, &it) ||
		!pkey(&p, "converged"))
		goto bad;
	if (!(it >= 0 && it <= 1000000 && it == floor(it)))
	{
		*errpos = p.pos;
		return "iterations must be an integer between 0 and 1000000";
	}
	m->iterations = (int) it;
	if (plit(&p, "true"))
		m->converged = 1;
	else if (plit(&p, "false"))
		m->converged = 0;
	else
		goto bad;
	if (!pkey(&p, "gradient") || !pnum(&p, &m->gradient) || !plit(&p, "}"))
		goto bad;
	pws(&p);
	if (p.pos != p.len)
	{
		*errpos = p.pos;
		return "junk after the closing \"}\"";
	}
	reason = jy_clv_validate(m);
	if (reason)
		*errpos = 0;
	return reason;
bad:
	*errpos = p.pos;
	return "does not follow the layout {\"model\": ..., parameters, \"log_likelihood\", \"customers\", \"iterations\", \"converged\", \"gradient\"}";
}
