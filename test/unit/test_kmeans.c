/* Unit tests of the K-means engine (no server). */
#include <math.h>
#include <stdint.h>

#include "kmeans.h"
#include "unit.h"

static uint64_t trng = 12345;

static double
urand(void)
{
	trng ^= trng << 13;
	trng ^= trng >> 7;
	trng ^= trng << 17;
	return (double) (trng >> 11) / 9007199254740992.0;
}

static double
nrand(void)
{
	double		u = urand() + 1e-300,
				v = urand();

	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* blobs: k centres on a big grid, sd 1, n points; truth[i] = blob */
static void
make_blobs(double *X, int *truth, int64_t n, int d, int k, double spread)
{
	for (int64_t i = 0; i < n; i++)
	{
		int			b = (int) (i % k);

		truth[i] = b;
		for (int j = 0; j < d; j++)
			X[i * d + j] = spread * (double) ((b * 7 + j * 3) % 11) + (j == 0 ? spread * b : 0) + nrand();
	}
}

static void *
ws_for(int64_t n, int d, int k, int64_t sil)
{
	return malloc(jy_km_workspace_bytes(n, d, k, sil));
}

static JyKmOptions
opts(int k, uint64_t seed)
{
	JyKmOptions o;

	memset(&o, 0, sizeof(o));
	o.k = k;
	o.n_init = 10;
	o.max_iter = 300;
	o.tol = 1e-4;
	o.seed = seed;
	return o;
}

static void
test_prepare(void)
{
	double		X[] = {3, 1, 1, 5, 1, 5, 2, 7, 3, 1};	/* 5 points, d = 2; (1,5) twice, (3,1) twice */
	double		mean[2],
				scale[2];
	void	   *ws = ws_for(5, 2, 1, 0);
	int64_t		dist = jy_km_prepare(X, 5, 2, false, mean, scale, X, ws);

	CHECK_EQ_I64(dist, 3);
	CHECK(X[0] == 1 && X[1] == 5 && X[2] == 1 && X[3] == 5 && X[4] == 2 && X[5] == 7 &&
		  X[6] == 3 && X[7] == 1 && X[8] == 3 && X[9] == 1);
	CHECK(mean[0] == 0 && scale[0] == 1);
	{
		double		Y[] = {1, 10, 3, 10, 5, 10};	/* second feature constant */

		jy_km_prepare(Y, 3, 2, true, mean, scale, Y, ws);
		CHECK(mean[0] == 3 && fabs(scale[0] - sqrt(8.0 / 3.0)) < 1e-15);
		CHECK(mean[1] == 10 && scale[1] == 1);	/* constant feature: scale 1 */
		CHECK(Y[1] == 0 && Y[3] == 0 && Y[5] == 0);
		CHECK(fabs(Y[0] + Y[4]) < 1e-15 && Y[2] == 0);
	}
	free(ws);
}

/* well-separated blobs are recovered exactly */
static void
test_blobs_recovered(void)
{
	const int64_t n = 3000;
	const int	d = 3,
				k = 5;
	double	   *X = malloc(n * d * 8),
			   *mean = malloc(d * 8),
			   *scale = malloc(d * 8),
			   *C = malloc(k * d * 8),
			   *W = malloc(k * 8);
	int64_t    *S = malloc(k * 8);
	int		   *truth = malloc(n * sizeof(int));
	double	   *raw = malloc(n * d * 8);
	void	   *ws = ws_for(n, d, k, 0);
	JyKmOptions o = opts(k, 7);
	JyKmResult	r = {C, S, W, 0, 0, 0, 0, 0};
	int			map[5];

	make_blobs(X, truth, n, d, k, 20.0);
	memcpy(raw, X, n * d * 8);
	jy_km_prepare(X, n, d, true, mean, scale, X, ws);
	CHECK_EQ_I64(jy_km_fit(X, n, d, &o, ws, &r), JY_KM_OK);
	CHECK(r.converged);
	for (int a = 0; a < k; a++)
		CHECK_EQ_I64(S[a], n / k);
	for (int b = 0; b < k; b++)
		map[b] = -1;
	for (int64_t i = 0; i < n; i++)
	{
		double		z[3];
		int			c;

		jy_km_scale_point(raw + i * d, mean, scale, d, z);
		c = jy_km_nearest(z, C, k, d, NULL);
		if (map[truth[i]] < 0)
			map[truth[i]] = c;
		CHECK_EQ_I64(map[truth[i]], c);
	}
	for (int a = 0; a < k; a++)
		for (int b = a + 1; b < k; b++)
			CHECK(map[a] != map[b]);
	free(X); free(mean); free(scale); free(C); free(W); free(S); free(truth); free(raw); free(ws);
}

/* accelerated Lloyd gives exactly plain Lloyd's labels, centres and iterations */
static void
test_hamerly_equals_plain(void)
{
	for (int rep = 0; rep < 12; rep++)
	{
		int64_t		n = 500 + rep * 173;
		int			d = 1 + rep % 6,
					k = 2 + (rep * 5) % 17;
		double	   *X = malloc(n * d * 8),
				   *c1 = malloc(k * d * 8),
				   *c2 = malloc(k * d * 8);
		int32_t    *l1 = malloc(n * 4),
				   *l2 = malloc(n * 4);
		void	   *ws = ws_for(n, d, k, 0);
		int			it1,
					it2,
					cv1,
					cv2;

		for (int64_t i = 0; i < n * d; i++)
			X[i] = rep % 3 == 0 ? floor(urand() * 10) : nrand() + (i % 4) * 1.5;	/* ties with integer data */
		for (int a = 0; a < k; a++)
			memcpy(c1 + a * d, X + ((a * 37) % n) * d, d * 8);
		memcpy(c2, c1, k * d * 8);
		cv1 = jy_km_lloyd_plain(X, n, d, k, 300, 0.0, c1, l1, &it1, ws);
		cv2 = jy_km_lloyd_hamerly(X, n, d, k, 300, 0.0, c2, l2, &it2, ws);
		CHECK_EQ_I64(cv1, cv2);
		CHECK_EQ_I64(it1, it2);
		CHECK(memcmp(l1, l2, n * 4) == 0);
		CHECK(memcmp(c1, c2, k * d * 8) == 0);
		/* labels are the nearest centres */
		for (int64_t i = 0; i < n; i++)
			CHECK_EQ_I64(l2[i], jy_km_nearest(X + i * d, c2, k, d, NULL));
		free(X); free(c1); free(c2); free(l1); free(l2); free(ws);
	}
}

/* same multiset of points in another order, same seed: bit-identical model */
static void
test_order_independent(void)
{
	const int64_t n = 2000;
	const int	d = 4,
				k = 6;
	double	   *X = malloc(n * d * 8),
			   *Y = malloc(n * d * 8),
			   m1[4], s1[4], m2[4], s2[4],
			   C1[24], C2[24], W1[6], W2[6];
	int64_t		S1[6], S2[6];
	void	   *ws = ws_for(n, d, k, 500);
	JyKmOptions o = opts(k, 99);
	JyKmResult	r1 = {C1, S1, W1, 0, 0, 0, 0, 0},
				r2 = {C2, S2, W2, 0, 0, 0, 0, 0};

	o.silhouette_sample = 500;
	for (int64_t i = 0; i < n * d; i++)
		X[i] = floor(nrand() * 3) + (i % 7);
	for (int64_t i = 0; i < n; i++)		/* reversed, then rotated */
		memcpy(Y + ((n - 1 - i + 311) % n) * d, X + i * d, d * 8);
	jy_km_prepare(X, n, d, true, m1, s1, X, ws);
	CHECK_EQ_I64(jy_km_fit(X, n, d, &o, ws, &r1), JY_KM_OK);
	jy_km_prepare(Y, n, d, true, m2, s2, Y, ws);
	CHECK_EQ_I64(jy_km_fit(Y, n, d, &o, ws, &r2), JY_KM_OK);
	CHECK(memcmp(m1, m2, sizeof(m1)) == 0 && memcmp(s1, s2, sizeof(s1)) == 0);
	CHECK(memcmp(C1, C2, sizeof(C1)) == 0);
	CHECK(memcmp(S1, S2, sizeof(S1)) == 0);
	CHECK(r1.inertia == r2.inertia && r1.iterations == r2.iterations);
	CHECK(r1.silhouette == r2.silhouette && !isnan(r1.silhouette));
	/* sizes are numbered largest first */
	for (int a = 1; a < k; a++)
		CHECK(S1[a - 1] >= S1[a]);
	/* another seed is (almost surely) another path but a valid model */
	o.seed = 100;
	CHECK_EQ_I64(jy_km_fit(Y, n, d, &o, ws, &r2), JY_KM_OK);
	{
		int64_t		tot = 0;

		for (int a = 0; a < k; a++)
			tot += S2[a];
		CHECK_EQ_I64(tot, n);
	}
	free(X); free(Y); free(ws);
}

/* a centre that attracts no point is re-seeded with the farthest point */
static void
test_empty_cluster(void)
{
	double		X[] = {0, 0.1, 0.2, 10, 10.1, 10.2, 10.3};
	double		C[] = {0.1, 10.1, 1000};	/* third centre gets no point */
	int32_t		L[7];
	int			it;
	void	   *ws = ws_for(7, 1, 3, 0);
	int64_t		cnt[3] = {0, 0, 0};

	jy_km_lloyd_hamerly(X, 7, 1, 3, 100, 0.0, C, L, &it, ws);
	for (int i = 0; i < 7; i++)
		cnt[L[i]]++;
	CHECK(cnt[0] > 0 && cnt[1] > 0 && cnt[2] > 0);
	CHECK(C[2] < 11);
	/* the same with plain Lloyd */
	{
		double		C2[] = {0.1, 10.1, 1000};
		int32_t		L2[7];
		int			it2;

		jy_km_lloyd_plain(X, 7, 1, 3, 100, 0.0, C2, L2, &it2, ws);
		CHECK(memcmp(L, L2, sizeof(L)) == 0 && memcmp(C, C2, sizeof(C)) == 0);
	}
	free(ws);
}

static int	cancel_calls;
static bool
cancel_after_3(void *arg)
{
	(void) arg;
	return ++cancel_calls > 3;
}

static void
test_cancel(void)
{
	const int64_t n = 200000;
	const int	d = 2,
				k = 4;
	double	   *X = malloc(n * d * 8),
				m[2], s[2], C[8], W[4];
	int64_t		S[4];
	void	   *ws = ws_for(n, d, k, 0);
	JyKmOptions o = opts(k, 1);
	JyKmResult	r = {C, S, W, 0, 0, 0, 0, 0};

	for (int64_t i = 0; i < n * d; i++)
		X[i] = nrand();
	jy_km_prepare(X, n, d, true, m, s, X, ws);
	o.cancel = cancel_after_3;
	cancel_calls = 0;
	CHECK_EQ_I64(jy_km_fit(X, n, d, &o, ws, &r), JY_KM_CANCELLED);
	CHECK_EQ_I64(cancel_calls, 4);
	free(X); free(ws);
}

/* silhouette on a sample covering all points equals the exact silhouette */
static void
test_silhouette(void)
{
	const int64_t n = 400;
	const int	d = 2,
				k = 3;
	double	   *X = malloc(n * d * 8),
				m[2], s[2], C[6], W[3];
	int64_t		S[3];
	int32_t    *lab = malloc(n * 4);
	int		   *truth = malloc(n * sizeof(int));
	void	   *ws = ws_for(n, d, k, n);
	JyKmOptions o = opts(k, 3);
	JyKmResult	r = {C, S, W, 0, 0, 0, 0, 0};
	double		ex;

	make_blobs(X, truth, n, d, k, 3.0);
	jy_km_prepare(X, n, d, true, m, s, X, ws);
	o.silhouette_sample = n;
	CHECK_EQ_I64(jy_km_fit(X, n, d, &o, ws, &r), JY_KM_OK);
	for (int64_t i = 0; i < n; i++)
		lab[i] = jy_km_nearest(X + i * d, C, k, d, NULL);
	ex = jy_km_silhouette_exact(X, lab, n, d, k);
	CHECK(fabs(ex - r.silhouette) < 1e-12);
	CHECK(r.silhouette > 0.3 && r.silhouette <= 1.0);
	/* hand-computed: two pairs */
	{
		double		P[] = {0, 1, 10, 11};
		int32_t		pl[] = {0, 0, 1, 1};

		/* a = 1; b = 10.5 for the outer points, 9.5 for the inner ones */
		CHECK(fabs(jy_km_silhouette_exact(P, pl, 4, 1, 2) - (9.5 / 10.5 + 8.5 / 9.5) / 2) < 1e-15);
	}
	free(X); free(lab); free(truth); free(ws);
}

/* 1-D, k = 2: the optimum is a split of the sorted points; k-means++ with
 * restarts finds it */
static void
test_optimal_1d(void)
{
	int			hits = 0;

	for (int rep = 0; rep < 20; rep++)
	{
		int64_t		n = 30 + rep;
		double		X[64],
					m,
					s,
					C[2],
					W[2],
					best = INFINITY;
		int64_t		S[2];
		void	   *ws = ws_for(n, 1, 2, 0);
		JyKmOptions o = opts(2, (uint64_t) rep);
		JyKmResult	r = {C, S, W, 0, 0, 0, 0, 0};

		o.tol = 0.0;			/* run to a fixed point (tol > 0 may stop a hair early) */
		for (int64_t i = 0; i < n; i++)
			X[i] = nrand() * 2 + (urand() < 0.3 ? 5 : 0);
		jy_km_prepare(X, n, 1, false, &m, &s, X, ws);
		for (int64_t cut = 1; cut < n; cut++)
		{
			double		m1 = 0,
						m2 = 0,
						ss = 0;

			for (int64_t i = 0; i < cut; i++)
				m1 += X[i];
			for (int64_t i = cut; i < n; i++)
				m2 += X[i];
			m1 /= cut;
			m2 /= (n - cut);
			for (int64_t i = 0; i < n; i++)
				ss += (X[i] - (i < cut ? m1 : m2)) * (X[i] - (i < cut ? m1 : m2));
			if (ss < best)
				best = ss;
		}
		CHECK_EQ_I64(jy_km_fit(X, n, 1, &o, ws, &r), JY_KM_OK);
		/* Lloyd may end in another fixed point (scikit-learn does too on
		 * these data): within 1% always, the optimum almost always */
		CHECK(r.inertia <= best * 1.01);
		hits += r.inertia <= best * (1 + 1e-9);
		free(ws);
	}
	CHECK(hits >= 17);
}

/* k = number of distinct points: every point its own centre, inertia 0 */
static void
test_k_equals_distinct(void)
{
	double		X[] = {1, 1, 2, 2, 2, 7, 9, 9};	/* 4 distinct */
	double		m,
				s,
				C[4],
				W[4];
	int64_t		S[4];
	void	   *ws = ws_for(8, 1, 4, 0);
	JyKmOptions o = opts(4, 5);
	JyKmResult	r = {C, S, W, 0, 0, 0, 0, 0};

	CHECK_EQ_I64(jy_km_prepare(X, 8, 1, true, &m, &s, X, ws), 4);
	CHECK_EQ_I64(jy_km_fit(X, 8, 1, &o, ws, &r), JY_KM_OK);
	CHECK(r.inertia == 0.0);
	CHECK(S[0] == 3 && S[1] == 2 && S[2] == 2 && S[3] == 1);
	free(ws);
}

int
main(void)
{
	RUN(test_prepare);
	RUN(test_blobs_recovered);
	RUN(test_hamerly_equals_plain);
	RUN(test_order_independent);
	RUN(test_empty_cluster);
	RUN(test_cancel);
	RUN(test_silhouette);
	RUN(test_optimal_1d);
	RUN(test_k_equals_distinct);
	UNIT_DONE();
}
