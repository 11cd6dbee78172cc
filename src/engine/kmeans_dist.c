/*
 * kmeans_dist.c — the kmeans_partial codec and the distributed K-means
 * arithmetic.  See kmeans_dist.h.
 */
#include "kmeans_dist.h"
#include "kmeans_model.h"
#include "jy_util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {NULL, "stats", "lloyd", "draw", "potential"};

const char *
jy_kmp_kind_name(int kind)
{
	return (kind >= 1 && kind <= 4) ? kind_names[kind] : "?";
}

void
jy_kmp_init(JyKmPartial *p, int kind, int k, int d)
{
	int32_t		len = p->vl_len_;

	memset(p, 0, jy_kmp_size(k, d));
	p->vl_len_ = len;
	p->version = JY_KMP_VERSION;
	p->kind = (uint8_t) kind;
	p->k = k;
	p->dims = d;
}

static bool
all_zero(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] != 0.0)
			return false;
	return true;
}

/* every coordinate of a point within +-JY_KMP_FEATURE_MAX (the bound of a feature) */
static bool
within_feature_max(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(fabs(v[i]) <= JY_KMP_FEATURE_MAX))
			return false;
	return true;
}

const char *
jy_kmp_check(const JyKmPartial *p)
{
	const int64_t *cnt;
	const double *s1,
			   *s2,
			   *a,
			   *b;
	size_t		kd;
	int64_t		tot = 0;

	if (p->version != JY_KMP_VERSION)
		return "Unsupported format version";
	if (p->kind < JY_KMP_STATS || p->kind > JY_KMP_POTENTIAL)
		return "Unknown kind";
	if (p->reserved != 0)
		return "Reserved bits are set";
	if (p->dims < 1 || p->dims > JY_KM_MAX_DIMS)
		return "The number of dimensions is out of range";
	if (p->k < 1 || p->k > JY_KM_MAX_K)
		return "k is out of range";
	if (p->kind == JY_KMP_STATS && p->k != 1)
		return "A stats partial has k = 1";
	if ((p->kind == JY_KMP_DRAW || p->kind == JY_KMP_POTENTIAL) && p->k > JY_KMP_MAX_TRIALS)
		return "Too many trials";
	if (p->n < 0)
		return "n is negative";
	if (p->changed < 0 || p->changed > p->n || (p->kind != JY_KMP_LLOYD && p->changed != 0))
		return "changed is out of range";
	cnt = jy_kmp_counts(p);
	s1 = jy_kmp_s1(p);
	s2 = jy_kmp_s2(p);
	a = jy_kmp_a(p);
	b = jy_kmp_b(p);
	kd = (size_t) p->k * p->dims;
	for (size_t i = 0; i < 2 * (size_t) p->k + 2 * kd; i++)
		if (!isfinite(s1[i]))
			return "A number is not finite";
	for (int c = 0; c < p->k; c++)
	{
		const double *ac = a + (size_t) c * p->dims,
				   *bc = b + (size_t) c * p->dims;

		switch (p->kind)
		{
			case JY_KMP_STATS:
				if (cnt[c] != p->n)
					return "The count differs from n";
				if (s1[c] != 0.0 || s2[c] != 0.0)
					return "Unused numbers are not 0";
				for (int j = 0; j < p->dims; j++)
					if (!(bc[j] >= 0.0))
						return "A sum of squared deviations is negative";
				if (p->n == 0 && (!all_zero(ac, p->dims) || !all_zero(bc, p->dims)))
					return "An empty partial has nonzero sums";
				break;
			case JY_KMP_LLOYD:
				if (cnt[c] < 0 || cnt[c] > p->n)
					return "A cluster size is out of range";
				if (cnt[c] > p->n - tot)	/* (no int64 overflow) */
					return "Cluster sizes do not add up to n";
				tot += cnt[c];
				if (!(s1[c] >= 0.0) || !(s2[c] >= 0.0))
					return "A sum of squares or a distance is negative";
				if (cnt[c] == 0 && (s1[c] != 0.0 || s2[c] != 0.0 || !all_zero(ac, p->dims) || !all_zero(bc, p->dims)))
					return "An empty cluster has nonzero numbers";
				if (!within_feature_max(bc, p->dims))
					return "A point coordinate is beyond 1e100";
				break;
			case JY_KMP_DRAW:
				if (cnt[c] != 0 && cnt[c] != 1)
					return "A trial count is not 0 or 1";
				tot += cnt[c];
				if (s2[c] != 0.0 || !all_zero(bc, p->dims))
					return "Unused numbers are not 0";
				if (cnt[c] == 0 && (s1[c] != 0.0 || !all_zero(ac, p->dims)))
					return "A trial without a point has nonzero numbers";
				if (!within_feature_max(ac, p->dims))
					return "A point coordinate is beyond 1e100";
				break;
			case JY_KMP_POTENTIAL:
				if (cnt[c] != 0)
					return "Unused counts are not 0";
				if (!(s1[c] >= 0.0))
					return "A potential is negative";
				if (s2[c] != 0.0 || !all_zero(ac, p->dims) || !all_zero(bc, p->dims))
					return "Unused numbers are not 0";
				break;
		}
	}
	if (p->kind == JY_KMP_LLOYD && tot != p->n)
		return "Cluster sizes do not add up to n";
	/* every trial sees the same points of positive weight: all or none found one */
	if (p->kind == JY_KMP_DRAW && tot != 0 && (tot != p->k || p->n < 1))
		return "Some trials found a point and others did not";
	return NULL;
}

/* ---- merge -------------------------------------------------------------- */

/* sums of valid partials can overflow only for crafted values (features are
 * bounded by 1e100), but a merged value must still be a valid one */
static const char *
finite_or_reason(const JyKmPartial *p)
{
	const double *f = jy_kmp_s1(p);

	for (size_t i = 0; i < 2 * (size_t) p->k + 2 * (size_t) p->k * p->dims; i++)
		if (!isfinite(f[i]))
			return "A sum overflows";
	return NULL;
}

const char *
jy_kmp_merge(JyKmPartial *dst, const JyKmPartial *src)
{
	const int	k = dst->k,
				d = dst->dims;
	int64_t    *dc = jy_kmp_counts(dst);
	const int64_t *sc = jy_kmp_counts(src);
	double	   *d1 = jy_kmp_s1(dst),
			   *d2 = jy_kmp_s2(dst),
			   *da = jy_kmp_a(dst),
			   *db = jy_kmp_b(dst);
	const double *s1 = jy_kmp_s1(src),
			   *s2 = jy_kmp_s2(src),
			   *sa = jy_kmp_a(src),
			   *sb = jy_kmp_b(src);

	if (dst->kind != src->kind)
		return "The partials are of different kinds";
	if (dst->k != src->k || dst->dims != src->dims)
		return "The partials have different k or dimensions";
	if (src->n == 0)
		return NULL;
	if (src->n > INT64_MAX - dst->n)
		return "The number of points overflows";
	if (dst->kind == JY_KMP_STATS)
	{
		/* Chan et al.: M2 = M2a + M2b + delta^2 na nb / n */
		double		na = (double) dst->n,
					nb = (double) src->n,
					nt = na + nb;

		for (int j = 0; j < d; j++)
		{
			double		delta = sa[j] - da[j];

			if (dst->n == 0)
			{
				da[j] = sa[j];
				db[j] = sb[j];
				continue;
			}
			da[j] = da[j] + delta * (nb / nt);
			db[j] = db[j] + sb[j] + delta * delta * (na * nb / nt);
		}
		dst->n += src->n;
		dc[0] = dst->n;
		return finite_or_reason(dst);
	}
	for (int c = 0; c < k; c++)
	{
		double	   *dac = da + (size_t) c * d,
				   *dbc = db + (size_t) c * d;
		const double *sac = sa + (size_t) c * d,
				   *sbc = sb + (size_t) c * d;

		switch (dst->kind)
		{
			case JY_KMP_LLOYD:
				if (sc[c] == 0)
					break;
				if (dc[c] == 0 || s2[c] > d2[c] || (s2[c] == d2[c] && jy_km_lex_cmp(sbc, dbc, d) < 0))
				{
					d2[c] = s2[c];
					memcpy(dbc, sbc, (size_t) d * 8);
				}
				dc[c] += sc[c];
				d1[c] += s1[c];
				for (int j = 0; j < d; j++)
					dac[j] += sac[j];
				break;
			case JY_KMP_DRAW:
				if (sc[c] == 0)
					break;
				if (dc[c] == 0 || s1[c] < d1[c] || (s1[c] == d1[c] && jy_km_lex_cmp(sac, dac, d) < 0))
				{
					dc[c] = 1;
					d1[c] = s1[c];
					memcpy(dac, sac, (size_t) d * 8);
				}
				break;
			case JY_KMP_POTENTIAL:
				d1[c] += s1[c];
				break;
		}
	}
	dst->n += src->n;
	dst->changed += src->changed;
	return finite_or_reason(dst);
}

/* ---- transition steps --------------------------------------------------- */

void
jy_kmp_add_stats(JyKmPartial *p, const double *x)
{
	double	   *mean = jy_kmp_a(p),
			   *m2 = jy_kmp_b(p);
	double		nn;

	p->n++;
	jy_kmp_counts(p)[0] = p->n;
	nn = (double) p->n;
	for (int j = 0; j < p->dims; j++)
	{
		double		delta = x[j] - mean[j];

		mean[j] += delta / nn;
		m2[j] += delta * (x[j] - mean[j]);
	}
}

void
jy_kmp_add_lloyd(JyKmPartial *p, const double *x, const double *z,
				 const double *centres, const double *prev)
{
	const int	d = p->dims;
	double		dd;
	int			a = jy_km_nearest(z, centres, p->k, d, &dd);
	int64_t    *cnt = jy_kmp_counts(p);
	double	   *sum = jy_kmp_a(p) + (size_t) a * d,
			   *far = jy_kmp_b(p) + (size_t) a * d,
			   *fd = jy_kmp_s2(p) + a;

	if (cnt[a] == 0 || dd > *fd || (dd == *fd && jy_km_lex_cmp(x, far, d) < 0))
	{
		*fd = dd;
		memcpy(far, x, (size_t) d * 8);
	}
	cnt[a]++;
	jy_kmp_s1(p)[a] += dd;
	for (int j = 0; j < d; j++)
		sum[j] += z[j];
	p->n++;
	if (prev == NULL || jy_km_nearest(z, prev, p->k, d, NULL) != a)
		p->changed++;
}

uint64_t
jy_kmp_stream(uint64_t seed, int restart, int round)
{
	return jy_mix64(jy_mix64(seed ^ UINT64_C(0x243F6A8885A308D3)) + (uint64_t) (uint32_t) restart * UINT64_C(0x9E3779B97F4A7C15)
				 + (uint64_t) (uint32_t) round * UINT64_C(0xD1B54A32D192ED03));
}

double
jy_kmp_draw_key(uint64_t h, int t, double lw)
{
	uint64_t	ht = jy_mix64(h + (uint64_t) (t + 1) * UINT64_C(0x9E3779B97F4A7C15));
	double		u = ((double) (ht >> 11) + 0.5) * (1.0 / 9007199254740992.0);

	return log(-log(u)) - lw;
}

void
jy_kmp_add_draw(JyKmPartial *p, const double *x, double w, uint64_t stream)
{
	const int	d = p->dims;
	uint64_t	h;
	double		lw;

	p->n++;
	if (!(w > 0.0))
		return;
	lw = log(w);
	h = jy_km_point_hash(x, d, stream);
	for (int t = 0; t < p->k; t++)
	{
		double		key = jy_kmp_draw_key(h, t, lw);
		int64_t    *cnt = jy_kmp_counts(p) + t;
		double	   *kt = jy_kmp_s1(p) + t,
				   *pt = jy_kmp_a(p) + (size_t) t * d;

		if (*cnt == 0 || key < *kt || (key == *kt && jy_km_lex_cmp(x, pt, d) < 0))
		{
			*cnt = 1;
			*kt = key;
			memcpy(pt, x, (size_t) d * 8);
		}
	}
}

void
jy_kmp_add_potential(JyKmPartial *p, const double *z, double d2, const double *cands)
{
	const int	d = p->dims;
	double	   *pot = jy_kmp_s1(p);

	for (int t = 0; t < p->k; t++)
	{
		double		q = jy_km_dist2(z, cands + (size_t) t * d, d);

		pot[t] += q < d2 ? q : d2;
	}
	p->n++;
}

/* ---- between passes ----------------------------------------------------- */

void
jy_kmp_scaling(const JyKmPartial *st, bool standardize, double tol,
			   double *mean, double *scale, double *tol_abs)
{
	const int	d = st->dims;
	const double *m = jy_kmp_a(st),
			   *m2 = jy_kmp_b(st);
	double		n = (double) st->n,
				tot = 0.0;

	for (int j = 0; j < d; j++)
	{
		double		var = st->n > 0 ? m2[j] / n : 1.0;

		mean[j] = st->n > 0 ? m[j] : 0.0;
		scale[j] = jy_km_scale_of(sqrt(var), mean[j]);
		if (standardize)
			tot += var / (scale[j] * scale[j]);
		else
			tot += var;
	}
	if (!standardize)
		for (int j = 0; j < d; j++)
		{
			mean[j] = 0.0;
			scale[j] = 1.0;
		}
	*tol_abs = (st->n == 0 || tol == 0.0) ? 0.0 : tol * tot / d;
}

int
jy_kmp_best_candidate(const JyKmPartial *pot)
{
	const double *s = jy_kmp_s1(pot);
	int			best = 0;

	for (int t = 1; t < pot->k; t++)
		if (s[t] < s[best])
			best = t;
	return best;
}

double
jy_kmp_update(const JyKmPartial *p, const double *mean, const double *scale,
			  double *c, void *work)
{
	const int	k = p->k,
				d = p->dims;
	int64_t    *cnt = (int64_t *) work;
	int64_t    *gave = cnt + k;
	double	   *sum = (double *) (gave + k);
	double		z[JY_KM_MAX_DIMS];
	double		tot = 0.0;

	memcpy(cnt, jy_kmp_counts(p), (size_t) k * 8);
	memset(gave, 0, (size_t) k * 8);
	memcpy(sum, jy_kmp_a(p), (size_t) k * d * 8);
	for (int e = 0; e < k; e++)
	{
		int			don = -1;

		if (cnt[e] > 0)
			continue;
		for (int a = 0; a < k; a++)
		{
			if (cnt[a] < 2 || gave[a])
				continue;
			if (don < 0 || jy_kmp_s2(p)[a] > jy_kmp_s2(p)[don] ||
				(jy_kmp_s2(p)[a] == jy_kmp_s2(p)[don] &&
				 jy_km_lex_cmp(jy_kmp_b(p) + (size_t) a * d, jy_kmp_b(p) + (size_t) don * d, d) < 0))
				don = a;
		}
		if (don < 0)
			continue;
		jy_km_scale_point(jy_kmp_b(p) + (size_t) don * d, mean, scale, d, z);
		for (int j = 0; j < d; j++)
		{
			sum[(size_t) don * d + j] -= z[j];
			sum[(size_t) e * d + j] = z[j];
		}
		cnt[don]--;
		cnt[e] = 1;
		gave[don] = 1;
	}
	for (int a = 0; a < k; a++)
	{
		double	   *ca = c + (size_t) a * d;
		double		old[JY_KM_MAX_DIMS];

		memcpy(old, ca, (size_t) d * 8);
		if (cnt[a] > 0)
		{
			double		inv = (double) cnt[a];

			for (int j = 0; j < d; j++)
				ca[j] = sum[(size_t) a * d + j] / inv;
		}
		{
			double		s = sqrt(jy_km_dist2(ca, old, d));

			tot += s * s;
		}
	}
	return tot;
}

void
jy_kmp_number(double *centres, int64_t *sizes, double *within, int k, int d, void *tmp)
{
	double	   *c2 = (double *) tmp;
	int64_t    *s2 = (int64_t *) (c2 + (size_t) k * d);
	double	   *w2 = (double *) (s2 + k);
	int32_t    *perm = (int32_t *) (w2 + k);

	jy_km_size_order(sizes, centres, k, d, perm);
	memcpy(c2, centres, (size_t) k * d * 8);
	memcpy(s2, sizes, (size_t) k * 8);
	memcpy(w2, within, (size_t) k * 8);
	for (int a = 0; a < k; a++)
	{
		memcpy(centres + (size_t) a * d, c2 + (size_t) perm[a] * d, (size_t) d * 8);
		sizes[a] = s2[perm[a]];
		within[a] = w2[perm[a]];
	}
}

/* ---- text form ---------------------------------------------------------- */

size_t
jy_kmp_text_bound(int k, int d)
{
	/* a %.17g double is at most 24 characters, an int64 20; one separator each */
	return 256 + (size_t) k * (21 + 2 * 25 + 8) + (size_t) k * d * 2 * 25;
}

size_t
jy_kmp_print(const JyKmPartial *p, char *buf)
{
	char	   *o = buf;

	o += sprintf(o, "{\"v\":%d,\"kind\":\"%s\",\"k\":%d,\"dims\":%d,\"n\":%lld,\"changed\":%lld,\"counts\":[",
				 p->version, jy_kmp_kind_name(p->kind), p->k, p->dims, (long long) p->n, (long long) p->changed);
	for (int c = 0; c < p->k; c++)
		o += sprintf(o, "%s%lld", c ? "," : "", (long long) jy_kmp_counts(p)[c]);
	o += sprintf(o, "],\"s1\":");
	o = jy_kmm_put_doubles(o, jy_kmp_s1(p), p->k);
	o += sprintf(o, ",\"s2\":");
	o = jy_kmm_put_doubles(o, jy_kmp_s2(p), p->k);
	for (int m = 0; m < 2; m++)
	{
		const double *v = m == 0 ? jy_kmp_a(p) : jy_kmp_b(p);

		o += sprintf(o, m == 0 ? ",\"a\":[" : "],\"b\":[");
		for (int c = 0; c < p->k; c++)
		{
			if (c)
				*o++ = ',';
			o = jy_kmm_put_doubles(o, v + (size_t) c * p->dims, p->dims);
		}
	}
	o += sprintf(o, "]}");
	return (size_t) (o - buf);
}

typedef struct Scan
{
	const char *start;
	const char *p;
	JyKmpErr   *e;
} Scan;

static JyKmpRc
fail(Scan *s, JyKmpRc rc, const char *what)
{
	s->e->pos = (size_t) (s->p - s->start);
	s->e->what = what;
	return rc;
}

static void
ws(Scan *s)
{
	while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
		s->p++;
}

#define TRY(x) do { JyKmpRc _rc = (x); if (_rc != JY_KMP_OK) return _rc; } while (0)

static JyKmpRc
lit(Scan *s, const char *l, const char *what)
{
	size_t		n = strlen(l);

	ws(s);
	if (strncmp(s->p, l, n) != 0)
		return fail(s, JY_KMP_ESYNTAX, what);
	s->p += n;
	return JY_KMP_OK;
}

static JyKmpRc
key(Scan *s, const char *k, const char *what, bool comma)
{
	if (comma)
		TRY(lit(s, ",", "','"));
	TRY(lit(s, k, what));
	return lit(s, ":", "':'");
}

static JyKmpRc
scan_int(Scan *s, int64_t min, int64_t max, int64_t *out)
{
	char	   *end;
	long long	v;

	ws(s);
	if (!(*s->p >= '0' && *s->p <= '9') && *s->p != '-')
		return fail(s, JY_KMP_ESYNTAX, "an integer");
	errno = 0;
	v = strtoll(s->p, &end, 10);
	if (end == s->p || (*end == '.' || *end == 'e' || *end == 'E'))
		return fail(s, JY_KMP_ESYNTAX, "an integer");
	if (errno == ERANGE || v < min || v > max)
		return fail(s, JY_KMP_ERANGE, "an integer in range");
	s->p = end;
	*out = (int64_t) v;
	return JY_KMP_OK;
}

static JyKmpRc
scan_double(Scan *s, double *out)
{
	char	   *end;
	double		v;

	ws(s);
	if (!(*s->p >= '0' && *s->p <= '9') && *s->p != '-')
		return fail(s, JY_KMP_ESYNTAX, "a number");
	if (s->p[0] == '-' && !(s->p[1] >= '0' && s->p[1] <= '9'))
		return fail(s, JY_KMP_ESYNTAX, "a number");
	errno = 0;
	v = strtod(s->p, &end);
	if (end == s->p)
		return fail(s, JY_KMP_ESYNTAX, "a number");
	if (errno == ERANGE)
	{
		/* overflow, or a nonzero number that rounds to 0 (like float8in) */
		if (isinf(v) || v == 0.0)
			return fail(s, JY_KMP_ERANGE, "a number within the range of float8");
	}
	if (!isfinite(v))
		return fail(s, JY_KMP_ERANGE, "a number within the range of float8");
	s->p = end;
	*out = v;
	return JY_KMP_OK;
}

static JyKmpRc
scan_doubles(Scan *s, double *out, int n)
{
	TRY(lit(s, "[", "'['"));
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			TRY(lit(s, ",", "','"));
		TRY(scan_double(s, &out[i]));
	}
	return lit(s, "]", "']'");
}

static JyKmpRc
parse_hdr(Scan *s, int *kind, int *k, int *d, int64_t *n, int64_t *changed)
{
	int64_t		v;

	TRY(lit(s, "{", "'{'"));
	TRY(key(s, "\"v\"", "'\"v\"'", false));
	TRY(scan_int(s, 0, 255, &v));
	if (v != JY_KMP_VERSION)
		return fail(s, JY_KMP_EINVALID, "Unsupported format version");
	TRY(key(s, "\"kind\"", "'\"kind\"'", true));
	ws(s);
	*kind = 0;
	for (int i = 1; i <= 4; i++)
	{
		char		q[16];

		snprintf(q, sizeof(q), "\"%s\"", kind_names[i]);
		if (strncmp(s->p, q, strlen(q)) == 0)
		{
			*kind = i;
			s->p += strlen(q);
			break;
		}
	}
	if (*kind == 0)
		return fail(s, JY_KMP_ESYNTAX, "\"stats\", \"lloyd\", \"draw\" or \"potential\"");
	TRY(key(s, "\"k\"", "'\"k\"'", true));
	TRY(scan_int(s, 1, JY_KM_MAX_K, &v));
	*k = (int) v;
	TRY(key(s, "\"dims\"", "'\"dims\"'", true));
	TRY(scan_int(s, 1, JY_KM_MAX_DIMS, &v));
	*d = (int) v;
	TRY(key(s, "\"n\"", "'\"n\"'", true));
	TRY(scan_int(s, 0, INT64_MAX, n));
	TRY(key(s, "\"changed\"", "'\"changed\"'", true));
	TRY(scan_int(s, 0, INT64_MAX, changed));
	return JY_KMP_OK;
}

JyKmpRc
jy_kmp_parse_header(const char *str, int *kind, int *k, int *d, JyKmpErr *e)
{
	Scan		s = {str, str, e};
	int64_t		n,
				ch;

	return parse_hdr(&s, kind, k, d, &n, &ch);
}

JyKmpRc
jy_kmp_parse(const char *str, JyKmPartial *p, JyKmpErr *e)
{
	Scan		s = {str, str, e};
	int			kind,
				k,
				d;
	int64_t		n,
				ch;
	const char *bad;

	TRY(parse_hdr(&s, &kind, &k, &d, &n, &ch));
	jy_kmp_init(p, kind, k, d);
	p->n = n;
	p->changed = ch;
	TRY(key(&s, "\"counts\"", "'\"counts\"'", true));
	TRY(lit(&s, "[", "'['"));
	for (int c = 0; c < k; c++)
	{
		if (c > 0)
			TRY(lit(&s, ",", "','"));
		TRY(scan_int(&s, 0, INT64_MAX, &jy_kmp_counts(p)[c]));
	}
	TRY(lit(&s, "]", "']'"));
	TRY(key(&s, "\"s1\"", "'\"s1\"'", true));
	TRY(scan_doubles(&s, jy_kmp_s1(p), k));
	TRY(key(&s, "\"s2\"", "'\"s2\"'", true));
	TRY(scan_doubles(&s, jy_kmp_s2(p), k));
	for (int m = 0; m < 2; m++)
	{
		double	   *v = m == 0 ? jy_kmp_a(p) : jy_kmp_b(p);

		TRY(key(&s, m == 0 ? "\"a\"" : "\"b\"", m == 0 ? "'\"a\"'" : "'\"b\"'", true));
		TRY(lit(&s, "[", "'['"));
		for (int c = 0; c < k; c++)
		{
			if (c > 0)
				TRY(lit(&s, ",", "','"));
			TRY(scan_doubles(&s, v + (size_t) c * d, d));
		}
		TRY(lit(&s, "]", "']'"));
	}
	TRY(lit(&s, "}", "'}'"));
	ws(&s);
	if (*s.p != '\0')
		return fail(&s, JY_KMP_ESYNTAX, "end of input");
	bad = jy_kmp_check(p);
	if (bad)
		return fail(&s, JY_KMP_EINVALID, bad);
	return JY_KMP_OK;
}

/* ---- binary form -------------------------------------------------------- */

static void
put_u64(uint8_t *o, uint64_t v)
{
	for (int i = 7; i >= 0; i--)
	{
		o[i] = (uint8_t) v;
		v >>= 8;
	}
}

static uint64_t
get_u64(const uint8_t *b)
{
	uint64_t	v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | b[i];
	return v;
}

void
jy_kmp_encode(const JyKmPartial *p, uint8_t *o)
{
	size_t		nd = 2 * (size_t) p->k + 2 * (size_t) p->k * p->dims;
	const double *f = jy_kmp_s1(p);

	o[0] = p->version;
	o[1] = p->kind;
	o[2] = (uint8_t) (p->reserved >> 8);
	o[3] = (uint8_t) p->reserved;
	o[4] = (uint8_t) ((uint32_t) p->k >> 24);
	o[5] = (uint8_t) ((uint32_t) p->k >> 16);
	o[6] = (uint8_t) ((uint32_t) p->k >> 8);
	o[7] = (uint8_t) p->k;
	o[8] = (uint8_t) ((uint32_t) p->dims >> 24);
	o[9] = (uint8_t) ((uint32_t) p->dims >> 16);
	o[10] = (uint8_t) ((uint32_t) p->dims >> 8);
	o[11] = (uint8_t) p->dims;
	put_u64(o + 12, (uint64_t) p->n);
	put_u64(o + 20, (uint64_t) p->changed);
	o += JY_KMP_WIRE_HDR;
	for (int c = 0; c < p->k; c++, o += 8)
		put_u64(o, (uint64_t) jy_kmp_counts(p)[c]);
	for (size_t i = 0; i < nd; i++, o += 8)
	{
		uint64_t	u;

		memcpy(&u, &f[i], 8);
		put_u64(o, u);
	}
}

JyKmpRc
jy_kmp_decode_header(const uint8_t *b, size_t len, int *kind, int *k, int *d, JyKmpErr *e)
{
	uint32_t	kk,
				dd;

	e->pos = 0;
	if (len < JY_KMP_WIRE_HDR)
	{
		e->pos = len;
		e->what = "The value is shorter than its header";
		return JY_KMP_ESYNTAX;
	}
	kk = ((uint32_t) b[4] << 24) | ((uint32_t) b[5] << 16) | ((uint32_t) b[6] << 8) | b[7];
	dd = ((uint32_t) b[8] << 24) | ((uint32_t) b[9] << 16) | ((uint32_t) b[10] << 8) | b[11];
	if (b[0] != JY_KMP_VERSION || b[1] < JY_KMP_STATS || b[1] > JY_KMP_POTENTIAL ||
		kk < 1 || kk > JY_KM_MAX_K || dd < 1 || dd > JY_KM_MAX_DIMS)
	{
		e->what = "Version, kind, k or dims is not supported";
		return JY_KMP_EINVALID;
	}
	if (len != jy_kmp_wire_size((int) kk, (int) dd))
	{
		e->pos = len;
		e->what = "The length does not match k and dims";
		return JY_KMP_ESYNTAX;
	}
	*kind = b[1];
	*k = (int) kk;
	*d = (int) dd;
	return JY_KMP_OK;
}

JyKmpRc
jy_kmp_decode(const uint8_t *b, size_t len, JyKmPartial *p, JyKmpErr *e)
{
	int			kind,
				k,
				d;
	size_t		nd;
	double	   *f;
	const uint8_t *q;
	JyKmpRc		rc = jy_kmp_decode_header(b, len, &kind, &k, &d, e);

	if (rc != JY_KMP_OK)
		return rc;
	jy_kmp_init(p, kind, k, d);
	p->reserved = (uint16_t) ((b[2] << 8) | b[3]);
	p->n = (int64_t) get_u64(b + 12);
	p->changed = (int64_t) get_u64(b + 20);
	q = b + JY_KMP_WIRE_HDR;
	for (int c = 0; c < k; c++, q += 8)
		jy_kmp_counts(p)[c] = (int64_t) get_u64(q);
	nd = 2 * (size_t) k + 2 * (size_t) k * d;
	f = jy_kmp_s1(p);
	for (size_t i = 0; i < nd; i++, q += 8)
	{
		uint64_t	u = get_u64(q);

		memcpy(&f[i], &u, 8);
	}
	e->what = jy_kmp_check(p);
	if (e->what)
		return JY_KMP_EINVALID;
	return JY_KMP_OK;
}
