/*
 * kmeans_model.c — the kmeans_model type's codec (kmeans_model.h).
 */
#include "kmeans_model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void
jy_kmm_init(JyKmModel *m, int k, int d)
{
	memset((char *) m + sizeof(int32_t), 0, jy_kmm_size(k, d) - sizeof(int32_t));
	m->version = JY_KMM_VERSION;
	m->k = k;
	m->dims = d;
}

/* ---- validation ------------------------------------------------------------ */

static JyCodecStatus
invalid(JyCodecError *err, const char *why)
{
	return jy_codec_fail(err, JY_CODEC_EINVALID, 0, "%s.", why);
}

JyCodecStatus
jy_kmm_validate(const JyKmModel *m, JyCodecError *err)
{
	const char *bad = NULL;
	int64_t		tot = 0;
	bool		over = false;
	double		wsum = 0.0;

	if (m->version != JY_KMM_VERSION)
		return jy_codec_fail(err, JY_CODEC_EINVALID, 0, "Unsupported format version %u.", m->version);
	if ((m->flags & ~JY_KMM_FLAGS_KNOWN) != 0 || m->reserved != 0)
		bad = "Reserved bits are set";
	else if (m->k < 1 || m->k > JY_KM_MAX_K)
		bad = "k is out of range";
	else if (m->dims < 1 || m->dims > JY_KM_MAX_DIMS)
		bad = "The number of dimensions is out of range";
	else if (m->iterations < 0 || m->n_init < 1 || m->n < m->k)
		bad = "iterations, n_init or n is out of range";
	else if (!(m->tol >= 0.0) || !isfinite(m->tol) || !(m->inertia >= 0.0) || !isfinite(m->inertia))
		bad = "tol or inertia is negative or not finite";
	else if (!isnan(m->silhouette) && !(m->silhouette >= -1.0 && m->silhouette <= 1.0))
		bad = "The silhouette is outside [-1, 1]";
	if (!bad)
	{
		const int64_t *sizes = jy_kmm_sizes(m);
		const double *within = jy_kmm_within(m);

		for (int a = 0; a < m->k && !bad; a++)
		{
			if (sizes[a] < 0 || sizes[a] > m->n)
				bad = "A cluster size is out of range";
			else if (sizes[a] > m->n - tot)
				over = true;	/* the sum passes n (and could leave int64) */
			else
				tot += sizes[a];
			if (!(within[a] >= 0.0) || !isfinite(within[a]))
				bad = "A within-cluster sum of squares is negative or not finite";
			wsum += within[a];
		}
		if (!bad && (over || tot != m->n))
			bad = "Cluster sizes do not add up to n";
		else if (!bad && (!isfinite(wsum) ||	/* finite sums can add up to infinity */
						  fabs(wsum - m->inertia) > 1e-9 * (wsum > 1e-300 ? wsum : 1e-300) + 1e-300))
			bad = "The within-cluster sums of squares do not add up to the inertia";
	}
	for (int j = 0; j < m->dims && !bad; j++)
	{
		double		mean = jy_kmm_mean(m)[j],
					scale = jy_kmm_scale(m)[j];

		if (!isfinite(mean) || !isfinite(scale) || !(scale > 0.0))
			bad = "A mean is not finite or a scale is not positive";
		else if (!(m->flags & JY_KMM_STANDARDIZED) && (mean != 0.0 || scale != 1.0))
			bad = "An unstandardized model must have means 0 and scales 1";
	}
	for (size_t i = 0; i < (size_t) m->k * m->dims && !bad; i++)
		if (!isfinite(jy_kmm_centers(m)[i]))
			bad = "A centre coordinate is not finite";
	if (bad)
		return invalid(err, bad);
	err->status = JY_CODEC_OK;
	return JY_CODEC_OK;
}

/* ---- text ------------------------------------------------------------------ */

static bool
scan_doubles(JyTs *ts, double *out, int n)
{
	if (!jy_ts_lit(ts, "["))
		return false;
	for (int i = 0; i < n; i++)
		if ((i > 0 && !jy_ts_lit(ts, ",")) || !jy_ts_double(ts, &out[i]))
			return false;
	return jy_ts_lit(ts, "]");
}

/* an int64 key after a comma, in [min, max] */
static bool
key_int(JyTs *ts, const char *key, int64_t min, int64_t max, int64_t *out)
{
	return jy_ts_key(ts, key, true) && jy_ts_int(ts, min, max, out);
}

JyCodecStatus
jy_kmm_parse_header(JyTs *ts, JyKmModel *h, JyCodecError *err)
{
	int64_t		v,
				k,
				dims,
				it,
				ninit;
	bool		std,
				conv;

	memset(h, 0, sizeof(*h));
	if (!jy_ts_lit(ts, "{") || !jy_ts_key(ts, "v", false) || !jy_ts_int(ts, 0, 255, &v))
		return jy_codec_scan_failed(err, ts);
	if (v != JY_KMM_VERSION)
	{
		err->value = v;
		return jy_codec_fail(err, JY_CODEC_EVERSION, (size_t) (ts->p - ts->start),
							 "This version of journey reads version %d.", JY_KMM_VERSION);
	}
	h->version = (uint8_t) v;
	if (!key_int(ts, "k", 1, JY_KM_MAX_K, &k) ||
		!key_int(ts, "dims", 1, JY_KM_MAX_DIMS, &dims) ||
		!key_int(ts, "n", 1, INT64_MAX, &h->n) ||
		!jy_ts_key(ts, "standardized", true) || !jy_ts_bool(ts, &std) ||
		!jy_ts_key(ts, "converged", true) || !jy_ts_bool(ts, &conv) ||
		!key_int(ts, "iterations", 0, INT32_MAX, &it) ||
		!key_int(ts, "n_init", 1, INT32_MAX, &ninit) ||
		!key_int(ts, "seed", INT64_MIN, INT64_MAX, &h->seed) ||
		!jy_ts_key(ts, "tol", true) || !jy_ts_double(ts, &h->tol) ||
		!jy_ts_key(ts, "inertia", true) || !jy_ts_double(ts, &h->inertia) ||
		!jy_ts_key(ts, "silhouette", true))
		return jy_codec_scan_failed(err, ts);
	h->k = (int32_t) k;
	h->dims = (int32_t) dims;
	h->iterations = (int32_t) it;
	h->n_init = (int32_t) ninit;
	h->flags = (std ? JY_KMM_STANDARDIZED : 0) | (conv ? JY_KMM_CONVERGED : 0);
	jy_ts_ws(ts);
	if (strncmp(ts->p, "null", 4) == 0)
	{
		ts->p += 4;
		h->silhouette = NAN;
	}
	else if (!jy_ts_double(ts, &h->silhouette))
		return jy_codec_scan_failed(err, ts);
	err->status = JY_CODEC_OK;
	return JY_CODEC_OK;
}

JyCodecStatus
jy_kmm_parse_body(JyTs *ts, const JyKmModel *h, JyKmModel *m, JyCodecError *err,
				  JyKmmTick tick, void *arg)
{
	jy_kmm_init(m, h->k, h->dims);
	memcpy((char *) m + sizeof(int32_t), (const char *) h + sizeof(int32_t),
		   JY_KMM_HDRSZ - sizeof(int32_t));
	if (!jy_ts_key(ts, "mean", true) || !scan_doubles(ts, jy_kmm_mean(m), m->dims) ||
		!jy_ts_key(ts, "scale", true) || !scan_doubles(ts, jy_kmm_scale(m), m->dims) ||
		!jy_ts_key(ts, "sizes", true) || !jy_ts_lit(ts, "["))
		return jy_codec_scan_failed(err, ts);
	for (int a = 0; a < m->k; a++)
		if ((a > 0 && !jy_ts_lit(ts, ",")) || !jy_ts_int(ts, 0, INT64_MAX, &jy_kmm_sizes(m)[a]))
			return jy_codec_scan_failed(err, ts);
	if (!jy_ts_lit(ts, "]") ||
		!jy_ts_key(ts, "within", true) || !scan_doubles(ts, jy_kmm_within(m), m->k) ||
		!jy_ts_key(ts, "centers", true) || !jy_ts_lit(ts, "["))
		return jy_codec_scan_failed(err, ts);
	for (int a = 0; a < m->k; a++)
	{
		/* up to 10000 x 1024 numbers: seconds of strtod */
		if (tick)
			tick(arg);
		if ((a > 0 && !jy_ts_lit(ts, ",")) ||
			!scan_doubles(ts, jy_kmm_centers(m) + (size_t) a * m->dims, m->dims))
			return jy_codec_scan_failed(err, ts);
	}
	if (!jy_ts_lit(ts, "]") || !jy_ts_lit(ts, "}") || !jy_ts_end(ts))
		return jy_codec_scan_failed(err, ts);
	return jy_kmm_validate(m, err);
}

size_t
jy_kmm_text_bound(int k, int d)
{
	/* a %.17g double is at most 24 characters, an int64 20; one separator each */
	return 512 + (size_t) d * 2 * 25 + (size_t) k * (21 + 25 + 3) + (size_t) k * d * 25;
}

char *
jy_kmm_put_doubles(char *o, const double *v, int n)
{
	*o++ = '[';
	for (int i = 0; i < n; i++)
		o += sprintf(o, "%s%.17g", i ? "," : "", v[i]);
	*o++ = ']';
	return o;
}

size_t
jy_kmm_print(const JyKmModel *m, char *out, JyKmmTick tick, void *arg)
{
	char	   *o = out;

	o += sprintf(o, "{\"v\":%d,\"k\":%d,\"dims\":%d,\"n\":%lld,\"standardized\":%s,\"converged\":%s,"
				 "\"iterations\":%d,\"n_init\":%d,\"seed\":%lld,\"tol\":%.17g,\"inertia\":%.17g,\"silhouette\":",
				 m->version, m->k, m->dims, (long long) m->n,
				 (m->flags & JY_KMM_STANDARDIZED) ? "true" : "false",
				 (m->flags & JY_KMM_CONVERGED) ? "true" : "false",
				 m->iterations, m->n_init, (long long) m->seed, m->tol, m->inertia);
	if (isnan(m->silhouette))
		o += sprintf(o, "null");
	else
		o += sprintf(o, "%.17g", m->silhouette);
	o += sprintf(o, ",\"mean\":");
	o = jy_kmm_put_doubles(o, jy_kmm_mean(m), m->dims);
	o += sprintf(o, ",\"scale\":");
	o = jy_kmm_put_doubles(o, jy_kmm_scale(m), m->dims);
	o += sprintf(o, ",\"sizes\":[");
	for (int a = 0; a < m->k; a++)
		o += sprintf(o, "%s%lld", a ? "," : "", (long long) jy_kmm_sizes(m)[a]);
	o += sprintf(o, "],\"within\":");
	o = jy_kmm_put_doubles(o, jy_kmm_within(m), m->k);
	o += sprintf(o, ",\"centers\":[");
	for (int a = 0; a < m->k; a++)
	{
		if (tick)
			tick(arg);
		if (a > 0)
			*o++ = ',';
		o = jy_kmm_put_doubles(o, jy_kmm_centers(m) + (size_t) a * m->dims, m->dims);
	}
	o += sprintf(o, "]}");
	return (size_t) (o - out);
}

/* ---- binary ---------------------------------------------------------------- */

static double
u64_double(uint64_t u)
{
	double		v;

	memcpy(&v, &u, 8);
	return v;
}

static uint64_t
double_u64(double v)
{
	uint64_t	u;

	memcpy(&u, &v, 8);
	return u;
}

/* 8 bytes big-endian (the arrays: one load or store and a byte swap each) */
static inline uint64_t
be64_get(const uint8_t *b)
{
	uint64_t	v;

	memcpy(&v, b, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void
be64_put(uint8_t *o, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(o, &v, 8);
}

/* doubles after the header and the sizes */
static size_t
n_doubles(int k, int d)
{
	return (size_t) 2 * d + (size_t) k + (size_t) k * d;
}

/* the binary header: its fields in order (jy_kmm_send, jy_kmm_recv_header) and their bytes */
#define HDR_FIELDS 12
static const int hdr_widths[HDR_FIELDS] = {1, 1, 2, 4, 4, 4, 4, 8, 8, 8, 8, 8};

JyCodecStatus
jy_kmm_recv_header(const uint8_t *buf, size_t len, JyKmModel *h, JyCodecError *err)
{
	JyWire		w = {buf, len, 0, err};
	uint64_t	f[HDR_FIELDS];
	size_t		expect;

	memset(h, 0, sizeof(*h));
	for (int i = 0; i < HDR_FIELDS; i++)
		if (!jy_wire_get(&w, hdr_widths[i], &f[i]))
			return err->status;
	h->version = (uint8_t) f[0];
	h->flags = (uint8_t) f[1];
	h->reserved = (uint16_t) f[2];
	h->k = (int32_t) (uint32_t) f[3];
	h->dims = (int32_t) (uint32_t) f[4];
	h->iterations = (int32_t) (uint32_t) f[5];
	h->n_init = (int32_t) (uint32_t) f[6];
	h->n = (int64_t) f[7];
	h->seed = (int64_t) f[8];
	h->tol = u64_double(f[9]);
	h->inertia = u64_double(f[10]);
	h->silhouette = u64_double(f[11]);
	/* any NaN bit pattern means "not computed": store the canonical NaN */
	if (isnan(h->silhouette))
		h->silhouette = NAN;
	if (h->version != JY_KMM_VERSION || h->k < 1 || h->k > JY_KM_MAX_K ||
		h->dims < 1 || h->dims > JY_KM_MAX_DIMS)
		return jy_codec_fail(err, JY_CODEC_EINVALID, 0, "Version %u, k %d or dims %d is not supported.",
							 h->version, h->k, h->dims);
	expect = ((size_t) h->k + n_doubles(h->k, h->dims)) * 8;
	if (expect != len - JY_KMM_WIRE_HDR)
		return jy_codec_fail(err, JY_CODEC_EINVALID, JY_KMM_WIRE_HDR,
							 "The message holds %d bytes after the header; %d were expected.",
							 (int) (len - JY_KMM_WIRE_HDR), (int) expect);
	err->status = JY_CODEC_OK;
	return JY_CODEC_OK;
}

JyCodecStatus
jy_kmm_recv_body(const uint8_t *buf, size_t len, const JyKmModel *h, JyKmModel *m,
				 JyCodecError *err)
{
	const uint8_t *q = buf + JY_KMM_WIRE_HDR;
	size_t		nd = n_doubles(h->k, h->dims);
	double	   *f;

	(void) len;					/* jy_kmm_recv_header checked it */
	jy_kmm_init(m, h->k, h->dims);
	memcpy((char *) m + sizeof(int32_t), (const char *) h + sizeof(int32_t),
		   JY_KMM_HDRSZ - sizeof(int32_t));
	for (int a = 0; a < m->k; a++, q += 8)
		jy_kmm_sizes(m)[a] = (int64_t) be64_get(q);
	f = jy_kmm_mean(m);
	for (size_t i = 0; i < nd; i++, q += 8)
		f[i] = u64_double(be64_get(q));
	return jy_kmm_validate(m, err);
}

size_t
jy_kmm_send_size(const JyKmModel *m)
{
	return JY_KMM_WIRE_HDR + ((size_t) m->k + n_doubles(m->k, m->dims)) * 8;
}

void
jy_kmm_send(const JyKmModel *m, uint8_t *o)
{
	size_t		nd = n_doubles(m->k, m->dims);
	const double *f = jy_kmm_mean(m);
	const uint64_t hdr[HDR_FIELDS] = {
		m->version, m->flags, m->reserved, (uint32_t) m->k, (uint32_t) m->dims,
		(uint32_t) m->iterations, (uint32_t) m->n_init, (uint64_t) m->n, (uint64_t) m->seed,
		double_u64(m->tol), double_u64(m->inertia),
		double_u64(isnan(m->silhouette) ? NAN : m->silhouette)	/* canonical NaN */
	};

	for (int i = 0; i < HDR_FIELDS; i++)
		jy_wire_put(&o, hdr_widths[i], hdr[i]);
	for (int a = 0; a < m->k; a++, o += 8)
		be64_put(o, (uint64_t) jy_kmm_sizes(m)[a]);
	for (size_t i = 0; i < nd; i++, o += 8)
		be64_put(o, double_u64(f[i]));
}
