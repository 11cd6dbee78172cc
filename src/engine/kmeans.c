/*
 * kmeans.c — K-means engine: canonical order, k-means++ seeding, Lloyd with
 * Hamerly bounds, restarts, silhouette on a sample.  See kmeans.h.
 */
#include "kmeans.h"
#include "kmeans_dist.h"
#include "jy_util.h"

#include <math.h>
#include <string.h>

/* ---- random numbers: splitmix64 (seeding) + xoshiro256** ---------------- */

typedef struct KmRng
{
	uint64_t	s[4];
} KmRng;

static void
rng_init(KmRng *r, uint64_t seed, uint64_t stream)
{
	uint64_t	x = seed ^ (stream * UINT64_C(0xD1B54A32D192ED03));

	for (int i = 0; i < 4; i++)
		r->s[i] = jy_splitmix64(&x);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(KmRng *r)
{
	uint64_t   *s = r->s;
	uint64_t	res = rotl(s[1] * 5, 7) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

/* uniform in [0, 1) with 53 random bits */
static double
rng_unit(KmRng *r)
{
	return (double) (rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* uniform integer in [0, n) (n > 0), unbiased */
static uint64_t
rng_below(KmRng *r, uint64_t n)
{
	uint64_t	lim = UINT64_MAX - UINT64_MAX % n;
	uint64_t	v;

	do
		v = rng_next(r);
	while (v >= lim);
	return v % n;
}

/* ---- small helpers ------------------------------------------------------ */

static inline double
dist2(const double *a, const double *b, int d)
{
	/* four independent partial sums (a fixed order: results are reproducible) */
	double		s0 = 0.0,
				s1 = 0.0,
				s2 = 0.0,
				s3 = 0.0;
	int			j = 0;

	for (; j + 4 <= d; j += 4)
	{
		double		t0 = a[j] - b[j],
					t1 = a[j + 1] - b[j + 1],
					t2 = a[j + 2] - b[j + 2],
					t3 = a[j + 3] - b[j + 3];

		s0 += t0 * t0;
		s1 += t1 * t1;
		s2 += t2 * t2;
		s3 += t3 * t3;
	}
	for (; j < d; j++)
	{
		double		t = a[j] - b[j];

		s0 += t * t;
	}
	return (s0 + s1) + (s2 + s3);
}

double
jy_km_dist2(const double *a, const double *b, int d)
{
	return dist2(a, b, d);
}

int
jy_km_nearest(const double *x, const double *centers, int k, int d, double *out)
{
	int			best = 0;
	double		bd = dist2(x, centers, d);

	for (int c = 1; c < k; c++)
	{
		double		t = dist2(x, centers + (size_t) c * d, d);

		if (t < bd)
		{
			bd = t;
			best = c;
		}
	}
	if (out)
		*out = bd;
	return best;
}

/* nearest and second-nearest squared distances */
static inline int
nearest2(const double *x, const double *centers, int k, int d, double *d1, double *d2)
{
	int			best = 0;
	double		b1 = INFINITY,
				b2 = INFINITY;

	for (int c = 0; c < k; c++)
	{
		double		t = dist2(x, centers + (size_t) c * d, d);

		if (t < b1)
		{
			b2 = b1;
			b1 = t;
			best = c;
		}
		else if (t < b2)
			b2 = t;
	}
	*d1 = b1;
	*d2 = b2;
	return best;
}

/* Workspace carving: 16-byte aligned pieces out of one block. */
typedef struct Carve
{
	char	   *p;
} Carve;

static void *
carve(Carve *c, size_t bytes)
{
	void	   *r = c->p;

	c->p += (bytes + 15) & ~(size_t) 15;
	return r;
}

#define CARVE_SZ(b) ((((size_t) (b)) + 15) & ~(size_t) 15)

/* ---- canonical order ---------------------------------------------------- */

static inline int
row_cmp(const double *X, int d, int64_t a, int64_t b)
{
	return jy_km_lex_cmp(X + (size_t) a * d, X + (size_t) b * d, d);
}

/* stable bottom-up merge sort of row indices */
static void
sort_rows(const double *X, int d, int64_t *idx, int64_t *tmp, int64_t n)
{
	int64_t    *src = idx,
			   *dst = tmp;
	const int64_t RUN = 16;

	/* insertion sort on runs */
	for (int64_t lo = 0; lo < n; lo += RUN)
	{
		int64_t		hi = lo + RUN < n ? lo + RUN : n;

		for (int64_t i = lo + 1; i < hi; i++)
		{
			int64_t		v = idx[i],
						j = i;

			while (j > lo && row_cmp(X, d, idx[j - 1], v) > 0)
			{
				idx[j] = idx[j - 1];
				j--;
			}
			idx[j] = v;
		}
	}
	for (int64_t w = RUN; w < n; w *= 2)
	{
		int64_t    *t;

		for (int64_t lo = 0; lo < n; lo += 2 * w)
		{
			int64_t		mid = lo + w < n ? lo + w : n,
						hi = lo + 2 * w < n ? lo + 2 * w : n,
						i = lo,
						j = mid,
						o = lo;

			while (i < mid && j < hi)
				dst[o++] = row_cmp(X, d, src[j], src[i]) < 0 ? src[j++] : src[i++];
			while (i < mid)
				dst[o++] = src[i++];
			while (j < hi)
				dst[o++] = src[j++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != idx)
		memcpy(idx, src, (size_t) n * sizeof(int64_t));
}

/* per-column mean and population variance (n > 0: else 0 and 1) */
static void
col_moments(const double *X, int64_t n, int d, double *mean, double *var)
{
	for (int j = 0; j < d; j++)
	{
		mean[j] = 0.0;
		var[j] = 0.0;
	}
	if (n == 0)
	{
		for (int j = 0; j < d; j++)
			var[j] = 1.0;
		return;
	}
	for (int64_t i = 0; i < n; i++)
		for (int j = 0; j < d; j++)
			mean[j] += X[(size_t) i * d + j];
	for (int j = 0; j < d; j++)
		mean[j] /= (double) n;
	for (int64_t i = 0; i < n; i++)
		for (int j = 0; j < d; j++)
		{
			double		t = X[(size_t) i * d + j] - mean[j];

			var[j] += t * t;
		}
	for (int j = 0; j < d; j++)
		var[j] /= (double) n;
}

/* order-preserving unsigned key of a double */
static inline uint64_t
dkey(double x)
{
	uint64_t	b;

	memcpy(&b, &x, sizeof(b));
	return (b & UINT64_C(0x8000000000000000)) ? ~b : b | UINT64_C(0x8000000000000000);
}

typedef struct KeyIdx
{
	uint64_t	key;
	int64_t		idx;
} KeyIdx;

/*
 * Canonical order: LSD radix sort of (key of the first coordinate, index),
 * then runs of equal first coordinates are ordered by the full rows.
 */
static void
canonical_order(const double *X, int64_t n, int d, KeyIdx *a, KeyIdx *b, int64_t *idx, int64_t *tmp)
{
	size_t		cnt[65536];

	for (int64_t i = 0; i < n; i++)
	{
		a[i].key = dkey(X[(size_t) i * d]);
		a[i].idx = i;
	}
	for (int pass = 0; pass < 4; pass++)
	{
		int			sh = pass * 16;
		size_t		sum = 0;
		bool		trivial = false;
		KeyIdx	   *t;

		memset(cnt, 0, sizeof(cnt));
		for (int64_t i = 0; i < n; i++)
			cnt[(a[i].key >> sh) & 0xFFFF]++;
		for (int v = 0; v < 65536; v++)
		{
			size_t		c = cnt[v];

			if (c == (size_t) n)
				trivial = true;
			cnt[v] = sum;
			sum += c;
		}
		if (trivial)
			continue;
		for (int64_t i = 0; i < n; i++)
			b[cnt[(a[i].key >> sh) & 0xFFFF]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	for (int64_t i = 0; i < n; i++)
		idx[i] = a[i].idx;
	if (d > 1)
	{
		for (int64_t lo = 0; lo < n;)
		{
			int64_t		hi = lo + 1;

			while (hi < n && a[hi].key == a[lo].key)
				hi++;
			if (hi - lo > 1)
				sort_rows(X, d, idx + lo, tmp, hi - lo);
			lo = hi;
		}
	}
}

int64_t
jy_km_prepare(double *X, int64_t n, int d, bool standardize,
			  double *mean, double *scale, double *Z, void *ws)
{
	Carve		cv = {(char *) ws};
	KeyIdx	   *ka = carve(&cv, (size_t) n * sizeof(KeyIdx));
	KeyIdx	   *kb = carve(&cv, (size_t) n * sizeof(KeyIdx));
	int64_t    *idx = carve(&cv, (size_t) n * sizeof(int64_t));
	int64_t    *tmp = carve(&cv, (size_t) n * sizeof(int64_t));
	double	   *row = carve(&cv, (size_t) d * sizeof(double));
	int64_t		distinct;
	bool		sorted = true;

	for (int64_t i = 1; i < n && sorted; i++)
		if (row_cmp(X, d, i - 1, i) > 0)
			sorted = false;
	if (!sorted)
	{
		canonical_order(X, n, d, ka, kb, idx, tmp);
		if (Z != X)
		{
			/* gather into Z, copy back: sequential writes */
			for (int64_t i = 0; i < n; i++)
				memcpy(Z + (size_t) i * d, X + (size_t) idx[i] * d, (size_t) d * sizeof(double));
			memcpy(X, Z, (size_t) n * d * sizeof(double));
		}
		else
		{
			/* apply the permutation in place: row i <- row idx[i] */
			for (int64_t s = 0; s < n; s++)
			{
				int64_t		j = s;

				if (idx[s] == s)
					continue;
				memcpy(row, X + (size_t) s * d, (size_t) d * sizeof(double));
				while (idx[j] != s)
				{
					int64_t		nx = idx[j];

					memcpy(X + (size_t) j * d, X + (size_t) nx * d, (size_t) d * sizeof(double));
					idx[j] = j;
					j = nx;
				}
				memcpy(X + (size_t) j * d, row, (size_t) d * sizeof(double));
				idx[j] = j;
			}
		}
	}

	/* mean and population standard deviation: two row-wise passes */
	col_moments(X, n, d, mean, scale);
	for (int j = 0; j < d; j++)
	{
		/* constant (or numerically constant) feature: scale 1, like StandardScaler */
		scale[j] = jy_km_scale_of(sqrt(scale[j]), mean[j]);
	}
	if (standardize)
	{
		for (int64_t i = 0; i < n; i++)
			jy_km_scale_point(X + (size_t) i * d, mean, scale, d, Z + (size_t) i * d);
	}
	else
	{
		for (int j = 0; j < d; j++)
		{
			mean[j] = 0.0;
			scale[j] = 1.0;
		}
		if (Z != X)
			memcpy(Z, X, (size_t) n * d * sizeof(double));
	}
	distinct = n > 0 ? 1 : 0;
	for (int64_t i = 1; i < n; i++)
		if (row_cmp(Z, d, i - 1, i) != 0)
			distinct++;
	return distinct;
}

/* ---- workspace ---------------------------------------------------------- */

size_t
jy_km_workspace_bytes(int64_t n, int d, int k, int64_t sil)
{
	size_t		prep = CARVE_SZ(n * 16) * 2 + CARVE_SZ(n * 8) * 2 + CARVE_SZ(d * 8);
	size_t		fit;

	if (sil > n)
		sil = n;
	fit = CARVE_SZ(n * 4) * 2		/* labels, best labels unused -> tmp labels */
		+ CARVE_SZ(n * 8) * 2		/* upper, lower bounds (seeding: D^2, cumsum) */
		+ CARVE_SZ((size_t) k * d * 8) * 4	/* centers, old centers, sums, best centers */
		+ CARVE_SZ(k * 8) * 8		/* counts, shift, half-gap, best sizes, best within, ... */
		+ CARVE_SZ(k * 4) * 2 + CARVE_SZ(d * 16)
		+ CARVE_SZ(sil * (size_t) d * 8) + CARVE_SZ(sil * 4) + CARVE_SZ(k * 8) * 2
		+ 64;
	return prep > fit ? prep : fit;
}

/* ---- Lloyd ------------------------------------------------------------- */

typedef struct Lloyd
{
	const double *Z;
	int64_t		n;
	int			d,
				k;
	int32_t    *lab;
	double	   *ub,
			   *lb;
	double	   *c,				/* current centres */
			   *oc,				/* previous centres */
			   *sum;
	int64_t    *cnt;
	double	   *p,				/* shift of each centre */
			   *s;				/* half distance to the nearest other centre */
	int32_t    *moved;			/* points relocated into empty clusters this iteration */
	int			nmoved;
	const JyKmOptions *o;
	int64_t		work;			/* points since the last cancel check */
	bool		accelerated;
} Lloyd;

/* a Lloyd run over Z (n x d) with k centres, its arrays carved from cv */
static void
lloyd_init(Lloyd *L, Carve *cv, const double *Z, int64_t n_, int d, int k_, const JyKmOptions *o,
		   bool accelerated)
{
	size_t		n = (size_t) n_,
				kd = (size_t) k_ * d,
				k = (size_t) k_;

	*L = (Lloyd) {.Z = Z, .n = n_, .d = d, .k = k_, .o = o, .accelerated = accelerated};

	L->lab = carve(cv, n * 4);
	L->ub = carve(cv, n * 8);
	L->lb = carve(cv, n * 8);
	L->c = carve(cv, kd * 8);
	L->oc = carve(cv, kd * 8);
	L->sum = carve(cv, kd * 8);
	L->cnt = carve(cv, k * 8);
	L->p = carve(cv, k * 8);
	L->s = carve(cv, k * 8);
	L->moved = carve(cv, k * 4);
}

/* true when cancelled */
static inline bool
tick(Lloyd *L, int64_t pts)
{
	L->work += pts;
	if (L->work >= JY_KM_CHECK_EVERY)
	{
		L->work = 0;
		if (L->o && L->o->cancel && L->o->cancel(L->o->cb_arg))
			return true;
	}
	return false;
}

/* safety margins so that floating rounding in the bounds never skips a point
 * whose nearest centre changed (bounds are then slightly conservative) */
#define UB_INFL (1.0 + 1e-10)
#define LB_DEFL (1.0 - 1e-10)

/* full assignment: labels, and exact bounds */
static bool
assign_full(Lloyd *L, int64_t *changed)
{
	int64_t		ch = 0;

	for (int64_t i = 0; i < L->n; i++)
	{
		double		d1,
					d2;
		int			a = nearest2(L->Z + (size_t) i * L->d, L->c, L->k, L->d, &d1, &d2);

		if (a != L->lab[i])
			ch++;
		L->lab[i] = a;
		L->ub[i] = sqrt(d1);
		L->lb[i] = sqrt(d2);
		if ((i & 1023) == 1023 && tick(L, 1024))
			return true;
	}
	*changed = ch;
	return false;
}

/* Hamerly assignment using bounds (requires L->s to be current) */
static bool
assign_hamerly(Lloyd *L, int64_t *changed)
{
	int64_t		ch = 0;
	const int	d = L->d,
				k = L->k;

	for (int64_t i = 0; i < L->n; i++)
	{
		int			a = L->lab[i];
		double		m = L->s[a] > L->lb[i] ? L->s[a] : L->lb[i];

		if ((i & 1023) == 1023 && tick(L, 1024))
			return true;
		if (L->ub[i] * UB_INFL < m * LB_DEFL)
			continue;
		{
			const double *x = L->Z + (size_t) i * d;
			double		u = sqrt(dist2(x, L->c + (size_t) a * d, d));
			double		d1,
						d2;
			int			b;

			L->ub[i] = u;
			if (u * UB_INFL < m * LB_DEFL)
				continue;
			b = nearest2(x, L->c, k, d, &d1, &d2);
			if (b != a)
			{
				ch++;
				L->lab[i] = b;
			}
			L->ub[i] = sqrt(d1);
			L->lb[i] = sqrt(d2);
		}
	}
	*changed = ch;
	return false;
}

static void
half_gaps(Lloyd *L)
{
	const int	d = L->d,
				k = L->k;

	for (int a = 0; a < k; a++)
		L->s[a] = INFINITY;
	for (int a = 0; a < k; a++)
		for (int b = a + 1; b < k; b++)
		{
			double		t = 0.5 * sqrt(dist2(L->c + (size_t) a * d, L->c + (size_t) b * d, d));

			if (t < L->s[a])
				L->s[a] = t;
			if (t < L->s[b])
				L->s[b] = t;
		}
}

/* Recompute sums and counts from labels; relocate into empty clusters; new
 * centres into L->c (old kept in L->oc); returns the total squared shift. */
static bool
update_centres(Lloyd *L, double *shift_tot)
{
	const int	d = L->d,
				k = L->k;
	double		tot = 0.0;

	memset(L->sum, 0, (size_t) k * d * sizeof(double));
	memset(L->cnt, 0, (size_t) k * sizeof(int64_t));
	for (int64_t i = 0; i < L->n; i++)
	{
		const double *x = L->Z + (size_t) i * d;
		double	   *sm = L->sum + (size_t) L->lab[i] * d;

		for (int j = 0; j < d; j++)
			sm[j] += x[j];
		L->cnt[L->lab[i]]++;
		if ((i & 4095) == 4095 && tick(L, 4096))
			return true;
	}
	L->nmoved = 0;
	for (int e = 0; e < k; e++)
	{
		int64_t		far = -1;
		double		fd = -1.0;

		if (L->cnt[e] > 0)
			continue;
		/* farthest point (exact distance to its current centre) in a cluster of >= 2 */
		for (int64_t i = 0; i < L->n; i++)
		{
			int			a = L->lab[i];
			double		t;

			if (L->cnt[a] < 2)
				continue;
			t = dist2(L->Z + (size_t) i * d, L->c + (size_t) a * d, d);
			if (t > fd)
			{
				fd = t;
				far = i;
			}
			if ((i & 4095) == 4095 && tick(L, 4096))
				return true;
		}
		if (far < 0)
			continue;
		{
			const double *x = L->Z + (size_t) far * d;
			int			a = L->lab[far];

			for (int j = 0; j < d; j++)
			{
				L->sum[(size_t) a * d + j] -= x[j];
				L->sum[(size_t) e * d + j] = x[j];
			}
			L->cnt[a]--;
			L->cnt[e] = 1;
			L->lab[far] = e;
			L->moved[L->nmoved++] = (int32_t) far;
		}
	}
	memcpy(L->oc, L->c, (size_t) k * d * sizeof(double));
	for (int a = 0; a < k; a++)
	{
		double	   *c = L->c + (size_t) a * d;

		if (L->cnt[a] > 0)
		{
			double		inv = (double) L->cnt[a];

			for (int j = 0; j < d; j++)
				c[j] = L->sum[(size_t) a * d + j] / inv;
		}
		L->p[a] = sqrt(dist2(c, L->oc + (size_t) a * d, d));
		tot += L->p[a] * L->p[a];
	}
	*shift_tot = tot;
	return false;
}

/* after centres moved: loosen bounds */
static void
update_bounds(Lloyd *L)
{
	int			k = L->k,
				r1 = 0;
	double		m1 = 0.0,
				m2 = 0.0;

	for (int a = 0; a < k; a++)
	{
		if (L->p[a] > m1)
		{
			m2 = m1;
			m1 = L->p[a];
			r1 = a;
		}
		else if (L->p[a] > m2)
			m2 = L->p[a];
	}
	for (int64_t i = 0; i < L->n; i++)
	{
		int			a = L->lab[i];

		L->ub[i] += L->p[a];
		L->lb[i] -= (a == r1) ? m2 : m1;
	}
	for (int t = 0; t < L->nmoved; t++)
	{
		L->ub[L->moved[t]] = 0.0;	/* its centre is the point itself */
		L->lb[L->moved[t]] = 0.0;
	}
}

/*
 * Lloyd from the centres in L->c; returns true when cancelled.
 */
static bool
lloyd_run(Lloyd *L, int max_iter, double tol_abs, int init, int *iters, bool *converged)
{
	int64_t		changed = 0;
	double		shift = 0.0;
	bool		strict = false;
	int			it;

	*converged = false;
	for (int64_t i = 0; i < L->n; i++)
		L->lab[i] = -1;
	for (it = 1; it <= max_iter; it++)
	{
		if (it == 1 || !L->accelerated)
		{
			if (assign_full(L, &changed))
				return true;
		}
		else
		{
			half_gaps(L);
			if (assign_hamerly(L, &changed))
				return true;
		}
		if (it > 1 && changed == 0)
		{
			if (L->o && L->o->progress)
				L->o->progress(L->o->cb_arg, init, it, 0, 0.0);
			strict = true;
			*converged = true;
			break;
		}
		if (update_centres(L, &shift))
			return true;
		update_bounds(L);
		if (L->o && L->o->progress)
			L->o->progress(L->o->cb_arg, init, it, changed, shift);
		if (shift <= tol_abs)
		{
			*converged = true;
			break;
		}
	}
	if (it > max_iter)
		it = max_iter;
	*iters = it;
	if (!strict)
	{
		/* labels consistent with the final centres */
		if (L->accelerated)
		{
			half_gaps(L);
			if (assign_hamerly(L, &changed))
				return true;
		}
		else if (assign_full(L, &changed))
			return true;
	}
	return false;
}

static double
tol_abs_of(const double *Z, int64_t n, int d, double tol, double *m, double *v)
{
	double		tot = 0.0;

	if (n == 0 || tol == 0.0)
		return 0.0;
	col_moments(Z, n, d, m, v);
	for (int j = 0; j < d; j++)
		tot += v[j];
	return tol * tot / d;
}

/* ---- k-means++ (greedy, scikit-learn's variant) ------------------------- */

/*
 * Potential of each of nt candidate points (canonical indexes cand):
 * pot[t] = sum over points of min(closest[i], |z_i - z_cand[t]|^2).  True
 * when cancelled.
 */
static bool
cand_potentials(Lloyd *L, const int64_t *cand, int nt, const double *closest, double *pot)
{
	const int	d = L->d;

	for (int t = 0; t < nt; t++)
		pot[t] = 0.0;
	for (int64_t i = 0; i < L->n; i++)
	{
		const double *z = L->Z + (size_t) i * d;

		for (int t = 0; t < nt; t++)
		{
			double		q = dist2(z, L->Z + (size_t) cand[t] * d, d);

			pot[t] += q < closest[i] ? q : closest[i];
		}
		if ((i & 1023) == 1023 && tick(L, 1024 * nt))
			return true;
	}
	return false;
}

/* the first candidate of lowest potential */
static int
lowest(const double *pot, int nt)
{
	int			best = 0;

	for (int t = 1; t < nt; t++)
		if (pot[t] < pot[best])
			best = t;
	return best;
}

/*
 * Centre c becomes point idx; closest[i] becomes the squared distance to the
 * nearest centre so far (c == 0: to this one).  True when cancelled.
 */
static bool
add_centre(Lloyd *L, int c, int64_t idx, double *closest)
{
	const int	d = L->d;

	memcpy(L->c + (size_t) c * d, L->Z + (size_t) idx * d, (size_t) d * sizeof(double));
	for (int64_t i = 0; i < L->n; i++)
	{
		double		q = dist2(L->Z + (size_t) i * d, L->c + (size_t) c * d, d);

		if (c == 0 || q < closest[i])
			closest[i] = q;
		if ((i & 4095) == 4095 && tick(L, 4096))
			return true;
	}
	return false;
}

static bool
seed_pp(Lloyd *L, KmRng *rng, double *closest, double *cum)
{
	const int	k = L->k;
	const int64_t n = L->n;
	int			trials = 2 + (int) log((double) k);
	int64_t		cand[64];
	double		pot[64];

	if (trials > 64)
		trials = 64;
	if (add_centre(L, 0, (int64_t) rng_below(rng, (uint64_t) n), closest))
		return true;
	for (int c = 1; c < k; c++)
	{
		double		acc = 0.0;

		for (int64_t i = 0; i < n; i++)
		{
			acc += closest[i];
			cum[i] = acc;
		}
		for (int t = 0; t < trials; t++)
		{
			double		r = rng_unit(rng) * acc;
			int64_t		lo = 0,
						hi = n - 1;

			/* first index with cum > r (a point with D^2 > 0) */
			while (lo < hi)
			{
				int64_t		mid = lo + (hi - lo) / 2;

				if (cum[mid] > r)
					hi = mid;
				else
					lo = mid + 1;
			}
			cand[t] = lo;
		}
		if (cand_potentials(L, cand, trials, closest, pot) ||
			add_centre(L, c, cand[lowest(pot, trials)], closest))
			return true;
	}
	return false;
}

/*
 * The same greedy k-means++ with order-free draws (kmeans_fit_distributed's
 * seeding, kmeans_dist.h): the first centre is the point with the smallest
 * key for weight 1, each next one the candidate of lowest potential among
 * 2 + floor(ln k) draws with weights D^2.  Keys come from jy_kmp_draw_key on
 * the raw coordinates; ties go to the lexicographically smaller raw point,
 * which is the lower canonical index.  Returns 1 when cancelled, 2 when fewer
 * distinct points than k.
 */
static int
seed_distributed(Lloyd *L, const double *raw, uint64_t seed, int init, double *closest)
{
	const int	d = L->d,
				k = L->k;
	const int64_t n = L->n;
	int			trials = 2 + (int) log((double) k);
	int64_t		cand[JY_KMP_MAX_TRIALS];
	double		ckey[JY_KMP_MAX_TRIALS];
	double		pot[JY_KMP_MAX_TRIALS];

	if (trials > JY_KMP_MAX_TRIALS)
		trials = JY_KMP_MAX_TRIALS;
	for (int c = 0; c < k; c++)
	{
		uint64_t	stream = jy_kmp_stream(seed, init, c);
		int			nt = c == 0 ? 1 : trials;
		int			best = 0;

		for (int t = 0; t < nt; t++)
			cand[t] = -1;
		for (int64_t i = 0; i < n; i++)
		{
			const double *x = raw + (size_t) i * d;
			double		w = c == 0 ? 1.0 : closest[i];
			uint64_t	h;
			double		lw;

			if ((i & 4095) == 4095 && tick(L, 4096))
				return 1;
			if (!(w > 0.0))
				continue;
			lw = log(w);
			h = jy_km_point_hash(x, d, stream);
			for (int t = 0; t < nt; t++)
			{
				double		key = jy_kmp_draw_key(h, t, lw);

				/* canonical order: an equal key at a later index is never smaller */
				if (cand[t] < 0 || key < ckey[t])
				{
					cand[t] = i;
					ckey[t] = key;
				}
			}
		}
		if (cand[0] < 0)
			return 2;
		if (c > 0)
		{
			if (cand_potentials(L, cand, nt, closest, pot))
				return 1;
			best = lowest(pot, nt);
		}
		if (add_centre(L, c, cand[best], closest))
			return 1;
	}
	return 0;
}

/* ---- fit ---------------------------------------------------------------- */

void
jy_km_size_order(const int64_t *sizes, const double *centres, int k, int d, int32_t *perm)
{
	for (int a = 0; a < k; a++)
		perm[a] = a;
	/* insertion sort: stable, and k is at most JY_KM_MAX_K */
	for (int a = 1; a < k; a++)
	{
		int32_t		v = perm[a];
		int			b = a;

		while (b > 0)
		{
			int32_t		u = perm[b - 1];
			int			cmp;

			if (sizes[u] != sizes[v])
				cmp = sizes[u] < sizes[v] ? 1 : -1;
			else
				cmp = jy_km_lex_cmp(centres + (size_t) u * d, centres + (size_t) v * d, d);
			if (cmp <= 0)
				break;
			perm[b] = u;
			b--;
		}
		perm[b] = v;
	}
}

typedef struct OrderKey
{
	int64_t		size;
	int			idx;
} OrderKey;

int
jy_km_fit(const double *Z, int64_t n, int d, const JyKmOptions *o, void *ws, JyKmResult *res)
{
	Carve		cv = {(char *) ws};
	Lloyd		L;
	const int	k = o->k;
	double	   *bestc,
			   *within;
	int64_t    *sizes;
	int32_t    *perm;
	double	   *mv;
	double		best_inertia = INFINITY;
	double		tol_abs;
	int64_t		sil = o->silhouette_sample < n ? o->silhouette_sample : n;

	lloyd_init(&L, &cv, Z, n, d, k, o, true);
	bestc = carve(&cv, (size_t) k * d * 8);
	within = carve(&cv, (size_t) k * 8);
	sizes = carve(&cv, (size_t) k * 8);
	perm = carve(&cv, (size_t) k * 4);
	mv = carve(&cv, (size_t) d * 16);

	res->silhouette = NAN;
	res->converged = false;
	res->iterations = 0;
	res->best_init = 0;
	tol_abs = tol_abs_of(Z, n, d, o->tol, mv, mv + d);

	for (int init = 0; init < o->n_init; init++)
	{
		KmRng		rng;
		int			iters;
		bool		conv;
		double		inertia = 0.0;

		rng_init(&rng, o->seed, (uint64_t) init);
		if (o->init == JY_KM_INIT_DISTRIBUTED)
		{
			int			src = seed_distributed(&L, o->raw ? o->raw : Z, o->seed, init, L.ub);

			if (src == 1)
				return JY_KM_CANCELLED;
			if (src == 2)
				return JY_KM_TOO_FEW_DISTINCT;
		}
		else if (seed_pp(&L, &rng, L.ub, L.lb))
			return JY_KM_CANCELLED;
		if (lloyd_run(&L, o->max_iter, tol_abs, init, &iters, &conv))
			return JY_KM_CANCELLED;
		memset(within, 0, (size_t) k * 8);
		memset(sizes, 0, (size_t) k * 8);
		for (int64_t i = 0; i < n; i++)
		{
			int			a = L.lab[i];

			within[a] += dist2(Z + (size_t) i * d, L.c + (size_t) a * d, d);
			sizes[a]++;
			if ((i & 4095) == 4095 && tick(&L, 4096))
				return JY_KM_CANCELLED;
		}
		for (int a = 0; a < k; a++)
			inertia += within[a];
		if (inertia < best_inertia)
		{
			best_inertia = inertia;
			memcpy(bestc, L.c, (size_t) k * d * 8);
			memcpy(res->within, within, (size_t) k * 8);
			memcpy(res->sizes, sizes, (size_t) k * 8);
			res->iterations = iters;
			res->converged = conv;
			res->best_init = init;
		}
	}
	res->inertia = best_inertia;

	/* number clusters by size (largest first), ties by lexicographic centre */
	jy_km_size_order(res->sizes, bestc, k, d, perm);
	memcpy(within, res->within, (size_t) k * 8);
	memcpy(sizes, res->sizes, (size_t) k * 8);
	for (int a = 0; a < k; a++)
	{
		memcpy(res->centers + (size_t) a * d, bestc + (size_t) perm[a] * d, (size_t) d * 8);
		res->within[a] = within[perm[a]];
		res->sizes[a] = sizes[perm[a]];
	}

	/* silhouette on a sample (selection sampling, Knuth's algorithm S) */
	if (sil > 0 && k >= 2)
	{
		double	   *S = carve(&cv, (size_t) sil * d * 8);
		int32_t    *sl = carve(&cv, (size_t) sil * 4);
		double	   *csum = carve(&cv, (size_t) k * 8);
		int64_t    *ccnt = carve(&cv, (size_t) k * 8);
		KmRng		rng;
		int64_t		m = 0;
		double		total = 0.0;

		rng_init(&rng, o->seed, UINT64_C(0x5111));
		for (int64_t i = 0; i < n && m < sil; i++)
		{
			if (sil == n || (double) (n - i) * rng_unit(&rng) < (double) (sil - m))
			{
				memcpy(S + (size_t) m * d, Z + (size_t) i * d, (size_t) d * 8);
				sl[m] = jy_km_nearest(S + (size_t) m * d, res->centers, k, d, NULL);
				m++;
			}
		}
		memset(ccnt, 0, (size_t) k * 8);
		for (int64_t i = 0; i < m; i++)
			ccnt[sl[i]]++;
		for (int64_t i = 0; i < m; i++)
		{
			double		a,
						b = INFINITY;

			memset(csum, 0, (size_t) k * 8);
			for (int64_t j = 0; j < m; j++)
				csum[sl[j]] += sqrt(dist2(S + (size_t) i * d, S + (size_t) j * d, d));
			if (tick(&L, m))
				return JY_KM_CANCELLED;
			if (ccnt[sl[i]] <= 1)
				continue;		/* s = 0 for a singleton (scikit-learn's convention) */
			a = csum[sl[i]] / (double) (ccnt[sl[i]] - 1);
			for (int c = 0; c < k; c++)
				if (c != sl[i] && ccnt[c] > 0 && csum[c] / (double) ccnt[c] < b)
					b = csum[c] / (double) ccnt[c];
			if (isfinite(b))
			{
				double		mx = a > b ? a : b;

				total += mx > 0 ? (b - a) / mx : 0.0;
			}
		}
		res->silhouette = m > 0 ? total / (double) m : NAN;
	}
	return JY_KM_OK;
}

/* ---- test entry points -------------------------------------------------- */

static int
lloyd_entry(const double *Z, int64_t n, int d, int k, int max_iter, double tol_abs,
			double *centers, int32_t *labels, int *iterations, void *ws, bool acc)
{
	Carve		cv = {(char *) ws};
	Lloyd		L;
	bool		conv;

	lloyd_init(&L, &cv, Z, n, d, k, NULL, acc);
	memcpy(L.c, centers, (size_t) k * d * 8);
	lloyd_run(&L, max_iter, tol_abs, 0, iterations, &conv);
	memcpy(centers, L.c, (size_t) k * d * 8);
	memcpy(labels, L.lab, (size_t) n * 4);
	return conv ? 1 : 0;
}

int
jy_km_lloyd_plain(const double *Z, int64_t n, int d, int k, int max_iter, double tol_abs,
				  double *centers, int32_t *labels, int *iterations, void *ws)
{
	return lloyd_entry(Z, n, d, k, max_iter, tol_abs, centers, labels, iterations, ws, false);
}

int
jy_km_lloyd_hamerly(const double *Z, int64_t n, int d, int k, int max_iter, double tol_abs,
					double *centers, int32_t *labels, int *iterations, void *ws)
{
	return lloyd_entry(Z, n, d, k, max_iter, tol_abs, centers, labels, iterations, ws, true);
}

double
jy_km_silhouette_exact(const double *Z, const int32_t *labels, int64_t n, int d, int k)
{
	double		total = 0.0;

	for (int64_t i = 0; i < n; i++)
	{
		double		a = 0.0,
					b = INFINITY;
		int64_t		own = 0;

		for (int c = 0; c < k; c++)
		{
			double		s = 0.0;
			int64_t		cnt = 0;

			for (int64_t j = 0; j < n; j++)
				if (labels[j] == c)
				{
					s += sqrt(dist2(Z + (size_t) i * d, Z + (size_t) j * d, d));
					cnt++;
				}
			if (c == labels[i])
			{
				a = s;
				own = cnt;
			}
			else if (cnt > 0 && s / (double) cnt < b)
				b = s / (double) cnt;
		}
		if (own <= 1 || !isfinite(b))
			continue;
		a /= (double) (own - 1);
		total += (b - a) / (a > b ? a : b);
	}
	return n > 0 ? total / (double) n : NAN;
}
