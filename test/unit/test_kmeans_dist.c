/* Unit tests of the distributed K-means engine: the kmeans_partial codec,
 * merge, the per-point steps, and a whole distributed fit against jy_km_fit
 * with init = distributed (no server). */
#include <math.h>
#include <stdint.h>

#include "kmeans.h"
#include "kmeans_dist.h"
#include "unit.h"

static uint64_t trng = 987654321;

static double
urand(void)
{
	trng ^= trng << 13;
	trng ^= trng >> 7;
	trng ^= trng << 17;
	return (double) (trng >> 11) / 9007199254740992.0;
}

static JyKmPartial *
palloc_kmp(int kind, int k, int d)
{
	JyKmPartial *p = calloc(1, jy_kmp_size(k, d));

	jy_kmp_init(p, kind, k, d);
	return p;
}

/* text and binary round trips give the same bytes; the value is valid */
static int
round_trips(const JyKmPartial *p)
{
	size_t		sz = jy_kmp_size(p->k, p->dims);
	char	   *txt = malloc(jy_kmp_text_bound(p->k, p->dims));
	uint8_t    *bin = malloc(jy_kmp_wire_size(p->k, p->dims));
	JyKmPartial *q = calloc(1, sz);
	JyKmpErr	e;
	int			kind,
				k,
				d,
				ok = 1;

	if (jy_kmp_check(p) != NULL)
		ok = 0;
	jy_kmp_print(p, txt);
	if (ok && (jy_kmp_parse_header(txt, &kind, &k, &d, &e) != JY_KMP_OK || k != p->k || d != p->dims ||
			   jy_kmp_parse(txt, q, &e) != JY_KMP_OK || memcmp(p, q, sz) != 0))
		ok = 0;
	memset(q, 0, sz);
	jy_kmp_encode(p, bin);
	if (ok && (jy_kmp_decode(bin, jy_kmp_wire_size(p->k, p->dims), q, &e) != JY_KMP_OK || memcmp(p, q, sz) != 0))
		ok = 0;
	free(txt);
	free(bin);
	free(q);
	return ok;
}

#define N 3000
#define D 3
#define K 4

static double X[N * D];

static void
make_points(void)
{
	for (int i = 0; i < N; i++)
		for (int j = 0; j < D; j++)
			X[i * D + j] = (double) ((i % K) * (j + 2)) + urand() * 1.5 + (j == 2 ? 100.0 : 0.0);
}

/* three shards in a scrambled order, merged, vs one pass in order */
static void
test_merge_equals_whole(void)
{
	double		cent[K * D],
				prev[K * D];
	int			kinds[4] = {JY_KMP_STATS, JY_KMP_LLOYD, JY_KMP_DRAW, JY_KMP_POTENTIAL};

	make_points();
	for (int a = 0; a < K * D; a++)
	{
		cent[a] = X[(a / D) * 97 * D + a % D];
		prev[a] = X[(a / D) * 31 * D + a % D];
	}
	for (int ki = 0; ki < 4; ki++)
	{
		int			kind = kinds[ki],
					k = kind == JY_KMP_STATS ? 1 : (kind == JY_KMP_LLOYD ? K : 3);
		JyKmPartial *whole = palloc_kmp(kind, k, D),
				   *sh[3];

		for (int s = 0; s < 3; s++)
			sh[s] = palloc_kmp(kind, k, D);
		for (int pass = 0; pass < 2; pass++)
			for (int ii = 0; ii < N; ii++)
			{
				/* pass 0: in order into whole; pass 1: reversed, round robin into shards */
				int			i = pass == 0 ? ii : N - 1 - ii;
				JyKmPartial *p = pass == 0 ? whole : sh[(ii * 7) % 3];
				const double *x = X + i * D;
				double		w;

				jy_km_nearest(x, cent, K, D, &w);
				switch (kind)
				{
					case JY_KMP_STATS:
						jy_kmp_add_stats(p, x);
						break;
					case JY_KMP_LLOYD:
						jy_kmp_add_lloyd(p, x, x, cent, prev);
						break;
					case JY_KMP_DRAW:
						jy_kmp_add_draw(p, x, w, jy_kmp_stream(42, 0, 3));
						break;
					case JY_KMP_POTENTIAL:
						jy_kmp_add_potential(p, x, w, prev);
						break;
				}
			}
		/* merge in two different orders: (0 + 1) + 2 and 2 + (1 + 0) */
		{
			JyKmPartial *m1 = palloc_kmp(kind, k, D),
					   *m2 = palloc_kmp(kind, k, D);

			CHECK(jy_kmp_merge(m1, sh[0]) == NULL && jy_kmp_merge(m1, sh[1]) == NULL && jy_kmp_merge(m1, sh[2]) == NULL);
			CHECK(jy_kmp_merge(m2, sh[2]) == NULL && jy_kmp_merge(m2, sh[1]) == NULL && jy_kmp_merge(m2, sh[0]) == NULL);
			for (const JyKmPartial *m = m1; m; m = (m == m1 ? m2 : NULL))
			{
				CHECK(round_trips(m));
				CHECK_EQ_I64(m->n, N);
				CHECK_EQ_I64(m->changed, whole->changed);
				CHECK(memcmp(jy_kmp_counts(m), jy_kmp_counts(whole), (size_t) k * 8) == 0);
				if (kind == JY_KMP_DRAW || kind == JY_KMP_LLOYD)
				{
					/* minimum keys and farthest points: exact */
					const double *a = kind == JY_KMP_DRAW ? jy_kmp_a(m) : jy_kmp_b(m),
							   *b = kind == JY_KMP_DRAW ? jy_kmp_a(whole) : jy_kmp_b(whole);

					CHECK(memcmp(a, b, (size_t) k * D * 8) == 0);
					CHECK(memcmp(jy_kmp_s2(m), jy_kmp_s2(whole), (size_t) k * 8) == 0);
				}
				if (kind == JY_KMP_DRAW)
					CHECK(memcmp(jy_kmp_s1(m), jy_kmp_s1(whole), (size_t) k * 8) == 0);
				else
					for (int c = 0; c < k; c++)
						CHECK(fabs(jy_kmp_s1(m)[c] - jy_kmp_s1(whole)[c]) <= 1e-12 * fabs(jy_kmp_s1(whole)[c]));
				for (int i = 0; i < k * D; i++)
				{
					double		u = jy_kmp_a(m)[i],
								v = jy_kmp_a(whole)[i];

					CHECK(fabs(u - v) <= 1e-12 * (fabs(v) > 1 ? fabs(v) : 1));
					if (kind == JY_KMP_STATS)
						CHECK(fabs(jy_kmp_b(m)[i] - jy_kmp_b(whole)[i]) <= 1e-12 * jy_kmp_b(whole)[i]);
				}
			}
			free(m1);
			free(m2);
		}
		CHECK(round_trips(whole));
		if (kind == JY_KMP_STATS)
		{
			double		mean[D],
						var[D];

			for (int j = 0; j < D; j++)
			{
				mean[j] = var[j] = 0;
				for (int i = 0; i < N; i++)
					mean[j] += X[i * D + j];
				mean[j] /= N;
				for (int i = 0; i < N; i++)
					var[j] += (X[i * D + j] - mean[j]) * (X[i * D + j] - mean[j]);
				CHECK(fabs(jy_kmp_a(whole)[j] - mean[j]) <= 1e-12 * fabs(mean[j]));
				CHECK(fabs(jy_kmp_b(whole)[j] - var[j]) <= 1e-10 * var[j]);
			}
		}
		free(whole);
		for (int s = 0; s < 3; s++)
			free(sh[s]);
	}
}

/* merging different kinds or shapes is refused, dst unchanged */
static void
test_merge_mismatch(void)
{
	JyKmPartial *a = palloc_kmp(JY_KMP_LLOYD, 2, 2),
			   *b = palloc_kmp(JY_KMP_LLOYD, 3, 2),
			   *c = palloc_kmp(JY_KMP_DRAW, 2, 2);
	double		x[2] = {1, 2},
				cent[6] = {0, 0, 5, 5, 9, 9};

	jy_kmp_add_lloyd(b, x, x, cent, NULL);
	jy_kmp_add_draw(c, x, 1.0, 1);
	CHECK(jy_kmp_merge(a, b) != NULL);
	CHECK(jy_kmp_merge(a, c) != NULL);
	CHECK_EQ_I64(a->n, 0);
	free(a);
	free(b);
	free(c);
}

/* the validation rejects each broken field; text and binary readers agree */
static void
test_validation(void)
{
	JyKmPartial *p = palloc_kmp(JY_KMP_LLOYD, 2, 2);
	double		x[2] = {1, 2},
				y[2] = {8, 9},
				cent[4] = {0, 0, 10, 10};
	size_t		sz = jy_kmp_size(2, 2);
	JyKmPartial *q = malloc(sz);

	jy_kmp_add_lloyd(p, x, x, cent, NULL);
	jy_kmp_add_lloyd(p, y, y, cent, NULL);
	CHECK(jy_kmp_check(p) == NULL);
	CHECK(round_trips(p));
#define BROKEN(stmt) do { memcpy(q, p, sz); stmt; CHECK(jy_kmp_check(q) != NULL); CHECK(!round_trips(q)); } while (0)
	BROKEN(q->version = 2);
	BROKEN(q->kind = 9);
	BROKEN(q->reserved = 1);
	BROKEN(q->n = 3);
	BROKEN(q->changed = 3);
	BROKEN(jy_kmp_counts(q)[0] = -1);
	BROKEN(jy_kmp_s1(q)[0] = -1);
	BROKEN(jy_kmp_s1(q)[1] = NAN);
	BROKEN(jy_kmp_a(q)[0] = INFINITY);
	BROKEN(jy_kmp_b(q)[0] = 2e100);
	free(p);
	free(q);
}

/* every prefix of a valid text and every truncated binary value is rejected */
static void
test_truncation(void)
{
	JyKmPartial *p = palloc_kmp(JY_KMP_STATS, 1, 3),
			   *q = palloc_kmp(JY_KMP_STATS, 1, 3);
	double		x[3] = {1.5, -0.0, 5e-324};
	char	   *txt = malloc(jy_kmp_text_bound(1, 3));
	uint8_t    *bin = malloc(jy_kmp_wire_size(1, 3));
	size_t		len;
	JyKmpErr	e;

	jy_kmp_add_stats(p, x);
	len = jy_kmp_print(p, txt);
	for (size_t cut = 0; cut < len; cut++)
	{
		char		save = txt[cut];
		int			kind,
					k,
					d;

		txt[cut] = '\0';
		if (jy_kmp_parse_header(txt, &kind, &k, &d, &e) == JY_KMP_OK)
			CHECK(jy_kmp_parse(txt, q, &e) != JY_KMP_OK);
		txt[cut] = save;
	}
	jy_kmp_encode(p, bin);
	for (size_t cut = 0; cut < jy_kmp_wire_size(1, 3); cut++)
		CHECK(jy_kmp_decode(bin, cut, q, &e) != JY_KMP_OK);
	CHECK(jy_kmp_decode(bin, jy_kmp_wire_size(1, 3), q, &e) == JY_KMP_OK);
	free(p);
	free(q);
	free(txt);
	free(bin);
}

/* a draw picks a point with probability proportional to its weight */
static void
test_draw_probability(void)
{
	double		a[1] = {1},
				b[1] = {2};
	int			wins_b = 0,
				runs = 20000;

	for (int r = 0; r < runs; r++)
	{
		JyKmPartial *p = palloc_kmp(JY_KMP_DRAW, 1, 1);

		jy_kmp_add_draw(p, a, 1.0, jy_kmp_stream(7, 0, r));
		jy_kmp_add_draw(p, b, 3.0, jy_kmp_stream(7, 0, r));
		jy_kmp_add_draw(p, b, 0.0, jy_kmp_stream(7, 0, r));	/* weight 0: never drawn */
		if (jy_kmp_a(p)[0] == 2)
			wins_b++;
		free(p);
	}
	/* expected 0.75; 20000 runs: sd 0.003 */
	CHECK(fabs((double) wins_b / runs - 0.75) < 0.015);
}

/* an empty cluster takes the farthest point of a cluster with >= 2 points */
static void
test_update_relocates(void)
{
	/* 1-D: points 0, 1, 10 and centres 0, 10, 100 (cluster 3 empty) */
	double		pts[3] = {0, 1, 10},
				c[3] = {0, 10, 100},
				mean[1] = {0},
				scale[1] = {1};
	JyKmPartial *p = palloc_kmp(JY_KMP_LLOYD, 3, 1);
	void	   *work = malloc(3 * 16 + 3 * 8);

	for (int i = 0; i < 3; i++)
		jy_kmp_add_lloyd(p, pts + i, pts + i, c, NULL);
	CHECK_EQ_I64(jy_kmp_counts(p)[2], 0);
	jy_kmp_update(p, mean, scale, c, work);
	/* cluster 1 (0 and 1) gives its farthest point 1 to cluster 3 */
	CHECK(c[0] == 0 && c[1] == 10 && c[2] == 1);
	free(p);
	free(work);
}

/* the whole distributed fit (passes over "shards") equals jy_km_fit with init = distributed */
static void
test_fit_equals_single_node(void)
{
	const int	k = K;
	double		Xs[N * D],
				Z[N * D],
				mean[D],
				scale[D],
				smean[D],
				sscale[D],
				tol_abs;
	JyKmOptions o;
	JyKmResult	r;
	double		centers[K * D],
				within[K];
	int64_t		sizes[K];
	void	   *ws;
	double		c[K * D],
				prev[K * D];
	JyKmPartial *st = palloc_kmp(JY_KMP_STATS, 1, D);
	int			trials = 2 + (int) log((double) k);
	int			it;
	JyKmPartial *lp = NULL;
	void	   *work = malloc(K * 16 + K * D * 8);

	make_points();
	/* single node */
	memcpy(Xs, X, sizeof(X));
	ws = malloc(jy_km_workspace_bytes(N, D, k, 0));
	jy_km_prepare(Xs, N, D, true, smean, sscale, Z, ws);
	memset(&o, 0, sizeof(o));
	o.k = k;
	o.n_init = 1;
	o.max_iter = 300;
	o.tol = 1e-4;
	o.seed = 99;
	o.init = JY_KM_INIT_DISTRIBUTED;
	o.raw = Xs;
	r.centers = centers;
	r.sizes = sizes;
	r.within = within;
	CHECK(jy_km_fit(Z, N, D, &o, ws, &r) == JY_KM_OK);

	/* distributed, rows in the original (unsorted) order */
	for (int i = 0; i < N; i++)
		jy_kmp_add_stats(st, X + i * D);
	jy_kmp_scaling(st, true, 1e-4, mean, scale, &tol_abs);
	for (int j = 0; j < D; j++)
		CHECK(fabs(mean[j] - smean[j]) <= 1e-12 * fabs(smean[j]) && fabs(scale[j] - sscale[j]) <= 1e-12 * sscale[j]);
	for (int rr = 0; rr < k; rr++)
	{
		int			nt = rr == 0 ? 1 : trials,
					best = 0;
		JyKmPartial *dr = palloc_kmp(JY_KMP_DRAW, nt, D);
		double		cz[64 * D];

		for (int i = 0; i < N; i++)
		{
			double		z[D],
						w = 1.0;

			jy_km_scale_point(X + i * D, mean, scale, D, z);
			if (rr > 0)
				jy_km_nearest(z, c, rr, D, &w);
			jy_kmp_add_draw(dr, X + i * D, w, jy_kmp_stream(99, 0, rr));
		}
		CHECK_EQ_I64(jy_kmp_counts(dr)[0], 1);
		for (int t = 0; t < nt; t++)
			jy_km_scale_point(jy_kmp_a(dr) + t * D, mean, scale, D, cz + t * D);
		if (rr > 0)
		{
			JyKmPartial *po = palloc_kmp(JY_KMP_POTENTIAL, nt, D);

			for (int i = 0; i < N; i++)
			{
				double		z[D],
							w;

				jy_km_scale_point(X + i * D, mean, scale, D, z);
				jy_km_nearest(z, c, rr, D, &w);
				jy_kmp_add_potential(po, z, w, cz);
			}
			best = jy_kmp_best_candidate(po);
			free(po);
		}
		memcpy(c + rr * D, cz + best * D, D * 8);
		free(dr);
	}
	for (it = 1;; it++)
	{
		double		shift;

		free(lp);
		lp = palloc_kmp(JY_KMP_LLOYD, k, D);
		for (int i = 0; i < N; i++)
		{
			double		z[D];

			jy_km_scale_point(X + i * D, mean, scale, D, z);
			jy_kmp_add_lloyd(lp, X + i * D, z, c, it > 1 ? prev : NULL);
		}
		if (it > 1 && lp->changed == 0)
			break;
		memcpy(prev, c, sizeof(c));
		shift = jy_kmp_update(lp, mean, scale, c, work);
		if (shift <= tol_abs || it >= 300)
		{
			free(lp);
			lp = palloc_kmp(JY_KMP_LLOYD, k, D);
			for (int i = 0; i < N; i++)
			{
				double		z[D];

				jy_km_scale_point(X + i * D, mean, scale, D, z);
				jy_kmp_add_lloyd(lp, X + i * D, z, c, prev);
			}
			break;
		}
	}
	{
		int64_t    *sz = jy_kmp_counts(lp);
		double	   *wi = jy_kmp_s1(lp);
		void	   *tmp = malloc(K * D * 8 + K * 24);

		jy_kmp_number(c, sz, wi, k, D, tmp);
		free(tmp);
		CHECK_EQ_I64(it, r.iterations);
		for (int a = 0; a < k; a++)
		{
			CHECK_EQ_I64(sz[a], sizes[a]);
			CHECK(fabs(wi[a] - within[a]) <= 1e-12 * within[a]);
			for (int j = 0; j < D; j++)
				CHECK(fabs(c[a * D + j] - centers[a * D + j]) <= 1e-12 * (fabs(centers[a * D + j]) > 1 ? fabs(centers[a * D + j]) : 1));
		}
	}
	free(lp);
	free(st);
	free(ws);
	free(work);
}

int
main(void)
{
	RUN(test_merge_equals_whole);
	RUN(test_merge_mismatch);
	RUN(test_validation);
	RUN(test_truncation);
	RUN(test_draw_probability);
	RUN(test_update_relocates);
	RUN(test_fit_equals_single_node);
	UNIT_DONE();
}
