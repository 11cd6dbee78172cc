/*
 * attribution.c — conversion paths, heuristic credit models and the exact
 * first-order Markov removal effect (see attribution.h, doc/attribution.md).
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

#define MK_COLS (JY_MK_MAX_CHANNELS + 3)
#define MK_CONV (JY_MK_MAX_CHANNELS + 1)
#define MK_NULL (JY_MK_MAX_CHANNELS + 2)

size_t
jy_mk_size(void)
{
	return sizeof(JyMarkov) + sizeof(double) * (size_t) (JY_MK_MAX_CHANNELS + 1) * MK_COLS;
}

bool
jy_mk_add_path(JyMarkov *m, const int *ch, size_t n, bool converted, double revenue, double weight)
{
	size_t		i;
	int			prev = 0;

	for (i = 0; i < n; i++)
		if (ch[i] < 1 || ch[i] > JY_MK_MAX_CHANNELS)
			return false;
	if (n == 0)
		return true;
	for (i = 0; i < n; i++)
	{
		m->counts[(size_t) prev * MK_COLS + ch[i]] += weight;
		if (ch[i] > m->nchannels)
			m->nchannels = ch[i];
		prev = ch[i];
	}
	m->counts[(size_t) prev * MK_COLS + (converted ? MK_CONV : MK_NULL)] += weight;
	m->paths += weight;
	if (converted)
	{
		m->conversions += weight;
		m->revenue += revenue * weight;
	}
	return true;
}

double
jy_mk_absorb(int nt, const double *q, const double *r, int removed, double *work)
{
	/* solve (I - Q) x = r with row `removed` replaced by x_removed = 0; return x_0 */
	double	   *a = work;		/* nt x (nt + 1), augmented */
	int			w = nt + 1,
				i,
				j,
				k;

	for (i = 0; i < nt; i++)
	{
		for (j = 0; j < nt; j++)
			a[i * w + j] = (i == j ? 1.0 : 0.0) - (i == removed ? 0.0 : q[i * nt + j]);
		a[i * w + nt] = i == removed ? 0.0 : r[i];
	}
	for (k = 0; k < nt; k++)
	{
		int			p = k;
		double		best = fabs(a[k * w + k]);

		for (i = k + 1; i < nt; i++)
			if (fabs(a[i * w + k]) > best)
			{
				best = fabs(a[i * w + k]);
				p = i;
			}
		if (best == 0.0)
			continue;			/* singular column: cannot happen for an absorbing chain */
		if (p != k)
			for (j = k; j < w; j++)
			{
				double		t = a[k * w + j];

				a[k * w + j] = a[p * w + j];
				a[p * w + j] = t;
			}
		for (i = k + 1; i < nt; i++)
		{
			double		f = a[i * w + k] / a[k * w + k];

			if (f == 0.0)
				continue;
			for (j = k; j < w; j++)
				a[i * w + j] -= f * a[k * w + j];
		}
	}
	/* back substitution */
	for (i = nt - 1; i >= 0; i--)
	{
		double		s = a[i * w + nt];

		for (j = i + 1; j < nt; j++)
			s -= a[i * w + j] * a[j * w + nt];
		a[i * w + nt] = a[i * w + i] != 0.0 ? s / a[i * w + i] : 0.0;
	}
	return a[nt];
}

void
jy_mk_solve(const JyMarkov *m, double *p_conv, double *p_without, double *work,
			void (*tick) (void *), void *arg)
{
	int			n = m->nchannels,
				nt = n + 1,
				i,
				j,
				c;
	double	   *q = work,
			   *r = work + (size_t) nt * nt,
			   *scratch = r + nt;

	/* transition probabilities of the transient states 0..n */
	for (i = 0; i < nt; i++)
	{
		const double *row = m->counts + (size_t) i * MK_COLS;
		double		sum = row[MK_CONV] + row[MK_NULL];

		for (j = 1; j <= n; j++)
			sum += row[j];
		for (j = 0; j < nt; j++)
			q[i * nt + j] = (j == 0 || sum == 0.0) ? 0.0 : row[j] / sum;
		r[i] = sum == 0.0 ? 0.0 : row[MK_CONV] / sum;
	}
	*p_conv = jy_mk_absorb(nt, q, r, -1, scratch);
	for (c = 1; c <= n; c++)
	{
		if (tick)
			tick(arg);
		p_without[c - 1] = jy_mk_absorb(nt, q, r, c, scratch);
	}
}
