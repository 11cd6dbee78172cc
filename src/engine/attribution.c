/*
 * attribution.c — conversion paths, heuristic credit models and the exact
 * order-k Markov removal effect (see attribution.h, doc/attribution.md).
 */
#include <math.h>
#include <string.h>

#include "attribution.h"

/* ---- paths ----------------------------------------------------------- */

static int
ev_cmp(const JyAttrEvent *a, const JyAttrEvent *b)
{
	bool		ta = a->channel != NULL,
				tb = b->channel != NULL;
	size_t		m;
	int			c;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	/* an event that is a touchpoint comes before one that is only a conversion */
	if (ta != tb)
		return ta ? -1 : 1;
	if (a->conversion != b->conversion)
		return a->conversion ? 1 : -1;
	if (!ta)
		return 0;
	m = a->chlen < b->chlen ? a->chlen : b->chlen;
	c = m ? memcmp(a->channel, b->channel, m) : 0;
	if (c != 0)
		return c;
	return a->chlen < b->chlen ? -1 : a->chlen > b->chlen ? 1 : 0;
}

void
jy_attr_sort_events(JyAttrEvent *ev, size_t n, JyAttrEvent *tmp, void (*tick) (void *), void *arg)
{
	size_t		w,
				i,
				steps = 0;
	bool		sorted = true;

	for (i = 1; i < n && sorted; i++)
		if (ev_cmp(&ev[i - 1], &ev[i]) > 0)
			sorted = false;
	if (sorted)
		return;
	for (w = 1; w < n; w *= 2)
	{
		for (i = 0; i < n; i += 2 * w)
		{
			size_t		lo = i,
						mid = i + w < n ? i + w : n,
						hi = i + 2 * w < n ? i + 2 * w : n,
						a = lo,
						b = mid,
						o = lo;

			while (a < mid && b < hi)
				tmp[o++] = ev_cmp(&ev[b], &ev[a]) < 0 ? ev[b++] : ev[a++];
			while (a < mid)
				tmp[o++] = ev[a++];
			while (b < hi)
				tmp[o++] = ev[b++];
			steps += hi - lo;
			if (tick && steps >= 65536)
			{
				tick(arg);
				steps = 0;
			}
		}
		memcpy(ev, tmp, n * sizeof(JyAttrEvent));
	}
}

void
jy_attr_paths(const JyAttrEvent *ev, size_t n, int64_t lookback, bool reuse,
			  size_t *idx, JyAttrEmit emit, void *arg)
{
	size_t		npend = 0,		/* pending touchpoints idx[0..npend) */
				i;

	for (i = 0; i < n; i++)
	{
		if (ev[i].channel != NULL)
			idx[npend++] = i;
		if (ev[i].conversion)
		{
			size_t		first = 0;

			/* window: ts >= conv.ts - lookback (computed without overflow) */
			while (first < npend && jy_udiff(ev[i].ts, ev[idx[first]].ts) > (uint64_t) lookback)
				first++;
			emit(arg, (long) i, idx + first, npend - first);
			if (reuse)
			{
				/* older touchpoints can never be in a later window: drop them */
				memmove(idx, idx + first, (npend - first) * sizeof(size_t));
				npend -= first;
			}
			else
				npend = 0;
		}
	}
	if (npend > 0)
	{
		/* touchpoints after the last conversion; with reuse, only those after it */
		size_t		first = 0;
		long		lastconv = -1;

		for (i = 0; i < n; i++)
			if (ev[i].conversion)
				lastconv = (long) i;
		while (first < npend && (long) idx[first] <= lastconv)
			first++;
		if (first < npend)
			emit(arg, -1, idx + first, npend - first);
	}
}

/* ---- heuristic models ------------------------------------------------ */

const char *const jy_attr_model_names[JY_ATTR_NMODELS] = {
	"first", "last", "last_non_direct", "linear", "time_decay", "position"
};

int
jy_attr_model(const char *name, size_t len)
{
	int			i;

	for (i = 0; i < JY_ATTR_NMODELS; i++)
		if (strlen(jy_attr_model_names[i]) == len && memcmp(jy_attr_model_names[i], name, len) == 0)
			return i;
	return -1;
}

void
jy_attr_credit(JyAttrModel model, size_t n, const int64_t *ts, const bool *direct,
			   int64_t conv_ts, int64_t half_life, const double weights[3], double *credit)
{
	size_t		i;

	(void) conv_ts;
	for (i = 0; i < n; i++)
		credit[i] = 0.0;
	if (n == 0)
		return;
	switch (model)
	{
		case JY_ATTR_FIRST:
			credit[0] = 1.0;
			break;
		case JY_ATTR_LAST:
			credit[n - 1] = 1.0;
			break;
		case JY_ATTR_LAST_NON_DIRECT:
			{
				size_t		k = n;

				while (k > 0 && direct[k - 1])
					k--;
				/* all direct: the last touchpoint, like last touch */
				credit[k > 0 ? k - 1 : n - 1] = 1.0;
				break;
			}
		case JY_ATTR_LINEAR:
			for (i = 0; i < n; i++)
				credit[i] = 1.0 / (double) n;
			break;
		case JY_ATTR_TIME_DECAY:
			{
				/*
				 * w_i = 2^(-(conv_ts - ts_i) / half_life); normalised, so the
				 * common factor 2^(-(conv_ts - t_max)/half_life) cancels: use
				 * t_max - ts_i (>= 0), which never overflows into inf/inf.
				 */
				int64_t		tmax = ts[0];
				double		sum = 0.0;

				for (i = 1; i < n; i++)
					if (ts[i] > tmax)
						tmax = ts[i];
				for (i = 0; i < n; i++)
				{
					credit[i] = exp2(-((double) jy_udiff(tmax, ts[i])) / (double) half_life);
					sum += credit[i];
				}
				/* sum >= 1: the latest touchpoint has weight 1 */
				for (i = 0; i < n; i++)
					credit[i] /= sum;
				break;
			}
		case JY_ATTR_POSITION:
			{
				double		wf = weights[0],
							wm = weights[1],
							wl = weights[2];

				if (n == 1)
					credit[0] = 1.0;
				else if (n == 2 || wm == 0.0)
				{
					/* no middle: first and last share in proportion wf : wl */
					double		s = wf + wl;

					if (s > 0)
					{
						credit[0] = wf / s;
						credit[n - 1] += wl / s;
					}
					else
						for (i = 1; i + 1 < n; i++)
							credit[i] = 1.0 / (double) (n - 2);
				}
				else
				{
					double		s = wf + wm + wl;

					credit[0] = wf / s;
					credit[n - 1] = wl / s;
					for (i = 1; i + 1 < n; i++)
						credit[i] = wm / s / (double) (n - 2);
				}
				break;
			}
		default:
			break;
	}
}

/* ---- Markov ---------------------------------------------------------- */

void
jy_mk_path_grams(int order, const int32_t *ch, size_t n, bool converted, int32_t *g)
{
	size_t		i;
	int			j;

	for (i = 0; i <= n; i++)
		for (j = 0; j <= order; j++)
		{
			/* symbol s[i - order + j] of the padded path, 0-based: s[t] = ch[t] */
			long		t = (long) i - order + j;

			g[i * (order + 1) + j] = t < 0 ? 0 : (size_t) t < n ? ch[t] : (converted ? JY_MK_CONV : JY_MK_NULL);
		}
}

int
jy_mk_gram_cmp(int order, const int32_t *a, const int32_t *b)
{
	int			j;

	for (j = 0; j <= order; j++)
		if (a[j] != b[j])
			return a[j] < b[j] ? -1 : 1;
	return 0;
}

static bool
same_prefix(int order, const int32_t *a, const int32_t *b)
{
	int			j;

	for (j = 0; j < order; j++)
		if (a[j] != b[j])
			return false;
	return true;
}

static bool
is_start(int order, const int32_t *a)
{
	int			j;

	for (j = 0; j < order; j++)
		if (a[j] != 0)
			return false;
	return true;
}

size_t
jy_mk_count_states(int order, size_t ngrams, const int32_t *sym)
{
	size_t		i,
				ns = 0;
	int			w = order + 1;

	for (i = 0; i < ngrams; i++)
		if (i == 0 || !same_prefix(order, sym + (i - 1) * w, sym + i * w))
			ns++;
	/* the start state is state 0 even when no gram leaves it */
	if (ngrams == 0 || !is_start(order, sym))
		ns++;
	return ns;
}

size_t
jy_mk_work_bytes(size_t ns, size_t ngrams)
{
	return sizeof(double) * (ns * (ns + 1) + ns) + sizeof(size_t) * (ns + 1)
		+ sizeof(int32_t) * (ngrams + ns) + ns + 8;
}

/*
 * Gaussian elimination with partial pivoting of the augmented m x (m + 1)
 * system a; the solution is left in column m.
 */
static void
gauss(int m, double *a, void (*tick) (void *), void *arg)
{
	int			w = m + 1,
				i,
				j,
				k;

	for (k = 0; k < m; k++)
	{
		int			p = k;
		double		best = fabs(a[(size_t) k * w + k]);

		if (tick && (k & 7) == 0)
			tick(arg);
		for (i = k + 1; i < m; i++)
			if (fabs(a[(size_t) i * w + k]) > best)
			{
				best = fabs(a[(size_t) i * w + k]);
				p = i;
			}
		if (best == 0.0)
			continue;			/* singular column: cannot happen for an absorbing chain */
		if (p != k)
			for (j = k; j < w; j++)
			{
				double		t = a[(size_t) k * w + j];

				a[(size_t) k * w + j] = a[(size_t) p * w + j];
				a[(size_t) p * w + j] = t;
			}
		for (i = k + 1; i < m; i++)
		{
			double		f = a[(size_t) i * w + k] / a[(size_t) k * w + k];
			double	   *ri = a + (size_t) i * w;
			const double *rk = a + (size_t) k * w;

			if (f == 0.0)
				continue;
			for (j = k; j < w; j++)
				ri[j] -= f * rk[j];
		}
	}
	/* back substitution */
	for (i = m - 1; i >= 0; i--)
	{
		double		s = a[(size_t) i * w + m];

		for (j = i + 1; j < m; j++)
			s -= a[(size_t) i * w + j] * a[(size_t) j * w + m];
		a[(size_t) i * w + m] = a[(size_t) i * w + i] != 0.0 ? s / a[(size_t) i * w + i] : 0.0;
	}
}

double
jy_mk_absorb(int nt, const double *q, const double *r, int removed, double *work)
{
	/* solve (I - Q) x = r with row `removed` replaced by x_removed = 0; return x_0 */
	double	   *a = work;		/* nt x (nt + 1), augmented */
	int			w = nt + 1,
				i,
				j;

	for (i = 0; i < nt; i++)
	{
		for (j = 0; j < nt; j++)
			a[i * w + j] = (i == j ? 1.0 : 0.0) - (i == removed ? 0.0 : q[i * nt + j]);
		a[i * w + nt] = i == removed ? 0.0 : r[i];
	}
	gauss(nt, a, NULL, NULL);
	return a[nt];
}

/* find the state whose from-tuple is key[0..order) (binary search over state starts); -1 if none */
static int32_t
find_state(int order, const int32_t *sym, const size_t *rs, size_t ns, bool start_virtual, const int32_t *key)
{
	size_t		lo = start_virtual ? 1 : 0,
				hi = ns;

	if (is_start(order, key))
		return 0;
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		const int32_t *s = sym + rs[mid] * (order + 1);
		int			c = 0,
					j;

		for (j = 0; j < order && c == 0; j++)
			if (s[j] != key[j])
				c = s[j] < key[j] ? -1 : 1;
		if (c == 0)
			return (int32_t) mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* P(conversion | start) with the states removed[] made null states */
static double
solve_once(int order, size_t ngrams, const int32_t *sym, const double *cnt, size_t ns,
		   const size_t *rs, const double *tot, const int32_t *tgt, const uint8_t *removed,
		   int32_t *map, double *a, void (*tick) (void *), void *arg)
{
	size_t		s,
				g;
	int			m = 0,
				w;

	(void) ngrams;
	for (s = 0; s < ns; s++)
		map[s] = removed[s] ? -1 : m++;
	w = m + 1;
	memset(a, 0, sizeof(double) * (size_t) m * w);
	for (s = 0; s < ns; s++)
	{
		int			i = map[s];

		if (i < 0)
			continue;
		a[(size_t) i * w + i] = 1.0;
		if (tot[s] <= 0.0)
			continue;
		for (g = rs[s]; g < rs[s + 1]; g++)
		{
			int32_t		next = sym[g * (order + 1) + order];
			double		p = cnt[g] / tot[s];

			if (next == JY_MK_CONV)
				a[(size_t) i * w + m] += p;
			else if (next > 0 && tgt[g] >= 0 && map[tgt[g]] >= 0)
				a[(size_t) i * w + map[tgt[g]]] -= p;
		}
	}
	gauss(m, a, tick, arg);
	return map[0] >= 0 ? a[(size_t) map[0] * w + m] : 0.0;
}

void
jy_mk_solve_k(int order, int nch, size_t ngrams, const int32_t *sym, const double *cnt,
			  size_t ns, double *p_conv, double *p_without, void *work,
			  void (*tick) (void *), void *arg)
{
	double	   *a = (double *) work,
			   *tot = a + ns * (ns + 1);
	size_t	   *rs = (size_t *) (tot + ns);
	int32_t    *tgt = (int32_t *) (rs + ns + 1),
			   *map = tgt + ngrams;
	uint8_t    *removed = (uint8_t *) (map + ns);
	bool		start_virtual = ngrams == 0 || !is_start(order, sym);
	size_t		s = 0,
				g;
	int			c,
				j;

	/* state ranges: state s holds grams [rs[s], rs[s + 1]) */
	if (start_virtual)
	{
		rs[0] = 0;
		s = 1;
	}
	for (g = 0; g < ngrams; g++)
		if (g == 0 || !same_prefix(order, sym + (g - 1) * (order + 1), sym + g * (order + 1)))
			rs[s++] = g;
	/* now s == ns (jy_mk_count_states) */
	rs[ns] = ngrams;			/* a virtual start state 0 is [0, 0): rs[1] = 0 */
	for (s = 0; s < ns; s++)
	{
		tot[s] = 0.0;
		for (g = rs[s]; g < rs[s + 1]; g++)
			tot[s] += cnt[g];
	}
	for (g = 0; g < ngrams; g++)
	{
		const int32_t *gs = sym + g * (order + 1);

		tgt[g] = gs[order] > 0 ? find_state(order, sym, rs, ns, start_virtual, gs + 1) : -1;
	}
	memset(removed, 0, ns);
	*p_conv = solve_once(order, ngrams, sym, cnt, ns, rs, tot, tgt, removed, map, a, tick, arg);
	for (c = 1; c <= nch; c++)
	{
		for (s = 0; s < ns; s++)
		{
			const int32_t *st = sym + rs[s] * (order + 1);

			removed[s] = 0;
			if (start_virtual && s == 0)
				continue;
			for (j = 0; j < order; j++)
				if (st[j] == c)
					removed[s] = 1;
		}
		p_without[c - 1] = solve_once(order, ngrams, sym, cnt, ns, rs, tot, tgt, removed, map, a, tick, arg);
	}
}
