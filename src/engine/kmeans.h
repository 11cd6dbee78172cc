/*
 * kmeans.h — K-means clustering engine (plain C, no PostgreSQL).
 *
 * Pipeline, as the SQL glue drives it:
 *
 *   1. jy_km_prepare(X, n, d, standardize, ...)
 *        sorts the n points of X (row-major, n x d) into a canonical order
 *        (lexicographic on the coordinates, ties keep input order — they are
 *        identical points), computes per-feature mean and population standard
 *        deviation (like scikit-learn's StandardScaler: a constant feature gets
 *        scale 1), writes z-scores to Z when `standardize`, and counts distinct
 *        points.  Because every later step only sees the canonical order, the
 *        fit does not depend on the order in which rows arrived: the same
 *        multiset of points and the same seed give bit-identical results.
 *
 *   2. jy_km_fit(Z, n, d, opts, ws, res)
 *        n_init restarts of: greedy k-means++ seeding (scikit-learn's variant:
 *        2 + floor(ln k) candidates per step, keep the one that lowers the
 *        potential most), then Lloyd iterations accelerated with Hamerly's
 *        bounds (one upper bound, one lower bound per point; results equal plain
 *        Lloyd's, see test_kmeans.c).  Keeps the restart with the lowest
 *        inertia (the first one on ties).  Clusters are finally numbered by
 *        size, largest first (ties: lexicographic centroid).
 *
 * Convergence (scikit-learn's rule): an iteration assigns every point to its
 * nearest centre, then moves each centre to the mean of its points.  Stop when
 * no assignment changed ("strict") or when the sum over centres of the squared
 * centre shift is <= tol * mean(per-feature variance of Z).  Unless strict, one
 * more assignment pass makes labels, sizes and inertia consistent with the
 * final centres.  `iterations` counts the Lloyd iterations of the kept restart.
 *
 * Empty clusters (possible after an update): each empty cluster, in index
 * order, takes the point farthest (exact distance) from its current centre
 * among points whose cluster has at least 2 points (ties: lowest canonical
 * index); the point moves to the empty cluster, which is centred on it.
 *
 * Memory: the caller passes one workspace of jy_km_workspace_bytes() bytes;
 * the engine never allocates.  Cancellation: opts->cancel is called at least
 * every JY_KM_CHECK_EVERY points of work; it may longjmp (PostgreSQL's
 * CHECK_FOR_INTERRUPTS) or return true, in which case jy_km_fit returns
 * JY_KM_CANCELLED.
 */
#ifndef JY_KMEANS_H
#define JY_KMEANS_H

#include "jy_engine.h"

#include <string.h>

#define JY_KM_MAX_DIMS		1024
#define JY_KM_MAX_K			10000
#define JY_KM_CHECK_EVERY	16384

typedef struct JyKmOptions
{
	int			k;				/* >= 1 */
	int			n_init;			/* >= 1 */
	int			max_iter;		/* >= 1 */
	double		tol;			/* >= 0, relative to mean feature variance */
	uint64_t	seed;
	int64_t		silhouette_sample;	/* 0: no silhouette; else sample size */
	int			init;			/* JY_KM_INIT_PP (default) or JY_KM_INIT_DISTRIBUTED */
	const double *raw;			/* INIT_DISTRIBUTED: the points in original units, canonical order */
	bool		(*cancel) (void *arg);	/* may be NULL */
	void		(*progress) (void *arg, int init, int iter, int64_t changed, double shift);
	void	   *cb_arg;
} JyKmOptions;

typedef struct JyKmResult
{
	/* caller-provided arrays */
	double	   *centers;		/* k * d, in the (standardized) working space */
	int64_t    *sizes;			/* k */
	double	   *within;			/* k: within-cluster sum of squared distances */
	/* scalars */
	double		inertia;		/* sum of within[] */
	double		silhouette;		/* NaN when not computed */
	int			iterations;
	int			best_init;		/* 0-based restart that was kept */
	bool		converged;
} JyKmResult;

/* seeding: greedy k-means++ over the canonical order (kmeans_segment's
 * default), or the same greedy k-means++ with order-free draws that
 * kmeans_fit_distributed runs (kmeans_dist.h) */
#define JY_KM_INIT_PP			0
#define JY_KM_INIT_DISTRIBUTED	1

enum
{
	JY_KM_OK = 0,
	JY_KM_CANCELLED = 1,
	JY_KM_TOO_FEW_DISTINCT = 2	/* k > number of distinct points */
};

/* Sort X canonically (in place), compute mean/scale, write the working-space
 * points to Z (z-scores when standardize, else a copy; Z may be X itself);
 * returns the number of distinct points of Z.  ws: jy_km_workspace_bytes. */
int64_t		jy_km_prepare(double *X, int64_t n, int d, bool standardize,
						  double *mean, double *scale, double *Z, void *ws);

size_t		jy_km_workspace_bytes(int64_t n, int d, int k, int64_t silhouette_sample);

int			jy_km_fit(const double *Z, int64_t n, int d, const JyKmOptions *o,
					  void *ws, JyKmResult *res);

/* lexicographic order of two points of d coordinates: -1, 0, 1 */
static inline int
jy_km_lex_cmp(const double *x, const double *y, int d)
{
	for (int j = 0; j < d; j++)
	{
		if (x[j] < y[j])
			return -1;
		if (x[j] > y[j])
			return 1;
	}
	return 0;
}

/* The numbering of clusters: by size, largest first, ties by lexicographic
 * centre (k x d centres).  perm[a] (k entries) is the cluster that becomes
 * number a. */
void		jy_km_size_order(const int64_t *sizes, const double *centres, int k, int d, int32_t *perm);

/* nearest centre (lowest index on ties) of a working-space point; *dist2 = its squared distance */
int			jy_km_nearest(const double *x, const double *centers, int k, int d, double *dist2);

/* squared Euclidean distance (the engine's fixed summation order) */
double		jy_km_dist2(const double *a, const double *b, int d);

/* the scale of a feature from its population standard deviation: a constant
 * (or numerically constant) feature gets 1, like StandardScaler */
static inline double
jy_km_scale_of(double sd, double mean)
{
	if (!(sd > 10.0 * 2.220446049250313e-16 * (mean < 0 ? -mean : mean)) || !(sd - sd == 0.0))
		return 1.0;
	return sd;
}

/* z-score one point with the model's scaling (the same arithmetic as prepare) */
static inline void
jy_km_scale_point(const double *x, const double *mean, const double *scale, int d, double *out)
{
	for (int j = 0; j < d; j++)
		out[j] = (x[j] - mean[j]) / scale[j];
}

/* Order-free hash of a point (for the sample_fraction option): depends only
 * on the coordinates' bits and the seed. */
static inline uint64_t
jy_km_point_hash(const double *x, int d, uint64_t seed)
{
	uint64_t	h = seed ^ UINT64_C(0x6A09E667F3BCC909);

	for (int j = 0; j < d; j++)
	{
		uint64_t	b;

		memcpy(&b, &x[j], sizeof(b));
		h ^= b + UINT64_C(0x9E3779B97F4A7C15) + (h << 6) + (h >> 2);
		h ^= h >> 33;
		h *= UINT64_C(0xFF51AFD7ED558CCD);
		h ^= h >> 33;
	}
	return h;
}

/* Plain (unaccelerated) Lloyd from given centres, for tests: same stopping
 * rule, same empty-cluster rule; labels out (n).  ws: jy_km_workspace_bytes. */
int			jy_km_lloyd_plain(const double *Z, int64_t n, int d, int k, int max_iter,
							  double tol_abs, double *centers, int32_t *labels,
							  int *iterations, void *ws);
/* Accelerated Lloyd from given centres (what jy_km_fit runs per restart). */
int			jy_km_lloyd_hamerly(const double *Z, int64_t n, int d, int k, int max_iter,
								double tol_abs, double *centers, int32_t *labels,
								int *iterations, void *ws);

/* Mean silhouette of the points with the given labels (exact, O(n^2 d)). */
double		jy_km_silhouette_exact(const double *Z, const int32_t *labels, int64_t n, int d, int k);

#endif
