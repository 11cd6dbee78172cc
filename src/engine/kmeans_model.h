/*
 * kmeans_model.h — the kmeans_model type's codec: layout, validation, text
 * and binary forms.  Plain C, no postgres.h; nothing is allocated (the
 * caller sizes every buffer with the functions below).  The glue
 * (src/kmeans_model_io.c) allocates values and maps a JyCodecError to a
 * SQLSTATE with jy_codec_ereport (src/summary_type.h).  A model is not a
 * summary of rows, so there is no merge.
 *
 * ---- Layout, format version 1 (in memory and on disk, native byte order) ---
 *   int32  vl_len_      PostgreSQL's varlena header (the glue sets it)
 *   uint8  version      = 1
 *   uint8  flags        bit 0 standardized, bit 1 converged, others must be 0
 *   uint16 reserved     must be 0
 *   int32  k, dims, iterations, n_init
 *   int64  n            points the model was fitted on
 *   int64  seed
 *   float8 tol, inertia, silhouette (NaN: not computed)
 *   int64  sizes[k]
 *   float8 mean[dims], scale[dims], within[k], centers[k * dims]
 * Centres are stored in the working space of the fit (z-scores when
 * standardized) so that assignment is bit-exact; accessors report them in the
 * original units as mean + scale * z.
 *
 * Rules (jy_kmm_validate; text input, binary receive and the fits check
 * them): version 1, no unknown flag or reserved bit, 1 <= k <= JY_KM_MAX_K,
 * 1 <= dims <= JY_KM_MAX_DIMS, iterations >= 0, n_init >= 1, n >= k; tol and
 * inertia finite and >= 0; silhouette NaN or in [-1, 1]; every size in
 * [0, n] and the sizes adding up to n; every within-cluster sum finite and
 * >= 0, adding up to the inertia (relative 1e-9); means finite, scales
 * finite and > 0, an unstandardized model has means 0 and scales 1; every
 * centre coordinate finite.
 *
 * Numbers: every float8 is finite (subnormals included) except silhouette,
 * which is NaN when not computed.  That NaN is always the canonical one
 * (0x7FF8000000000000): receive turns any NaN bit pattern into it and send
 * writes it, so text ("null") and binary round trips give the same bytes.
 *
 * ---- Text form (keys in this order, white space allowed between tokens) -----
 *   {"v":1,"k":2,"dims":2,"n":10,"standardized":true,"converged":true,
 *    "iterations":3,"n_init":10,"seed":0,"tol":0.0001,"inertia":1.5,
 *    "silhouette":null,"mean":[..],"scale":[..],"sizes":[..],"within":[..],
 *    "centers":[[..],[..]]}
 * Floats are printed with 17 significant digits: the text form is lossless.
 *
 * ---- Binary form (send/recv), network byte order ----------------------------
 *   uint8 version, uint8 flags, uint16 reserved, int32 k, dims, iterations,
 *   n_init, int64 n, seed, float8 tol, inertia, silhouette — 60 bytes — then
 *   int64 sizes[k] and the float8 arrays in layout order.
 */
#ifndef JY_KMEANS_MODEL_H
#define JY_KMEANS_MODEL_H

#include "kmeans.h"
#include "summary_codec.h"

#define JY_KMM_VERSION		1
#define JY_KMM_STANDARDIZED	0x01
#define JY_KMM_CONVERGED	0x02
#define JY_KMM_FLAGS_KNOWN	0x03
#define JY_KMM_WIRE_HDR		60

/*
 * |feature| <= 1e100: a squared distance is then at most 1024 * (2e100)^2
 * ~ 4e203, and a sum of 2^63 of them stays below 1e223, far from DBL_MAX.
 */
#define JY_KMM_FEATURE_MAX	1e100

typedef struct JyKmModel
{
	int32_t		vl_len_;		/* varlena header: the glue's */
	uint8_t		version;
	uint8_t		flags;
	uint16_t	reserved;
	int32_t		k;
	int32_t		dims;
	int32_t		iterations;
	int32_t		n_init;
	int64_t		n;
	int64_t		seed;
	double		tol;
	double		inertia;
	double		silhouette;
	int64_t		data[];			/* sizes[k], then the float8 arrays */
} JyKmModel;

#define JY_KMM_HDRSZ offsetof(JyKmModel, data)

static inline size_t
jy_kmm_size(int k, int d)
{
	return JY_KMM_HDRSZ + (size_t) k * 8 + ((size_t) 2 * d + (size_t) k + (size_t) k * d) * 8;
}
static inline int64_t *jy_kmm_sizes(const JyKmModel *m) { return (int64_t *) m->data; }
static inline double *jy_kmm_mean(const JyKmModel *m) { return (double *) (m->data + m->k); }
static inline double *jy_kmm_scale(const JyKmModel *m) { return jy_kmm_mean(m) + m->dims; }
static inline double *jy_kmm_within(const JyKmModel *m) { return jy_kmm_scale(m) + m->dims; }
static inline double *jy_kmm_centers(const JyKmModel *m) { return jy_kmm_within(m) + m->k; }

/* Tick callback for long loops (may longjmp; may be NULL): once per cluster. */
typedef void (*JyKmmTick) (void *arg);

/*
 * A zeroed value of version 1 with k clusters of d dimensions (m has
 * jy_kmm_size(k, d) bytes; vl_len_ untouched).
 */
void		jy_kmm_init(JyKmModel *m, int k, int d);

/* Every rule of the layout; EINVALID with the broken rule as a sentence. */
JyCodecStatus jy_kmm_validate(const JyKmModel *m, JyCodecError *err);

/* ---- text ------------------------------------------------------------------ */

/*
 * Parse the text up to and including the silhouette into hdr (k and dims size
 * the value: jy_kmm_size(hdr->k, hdr->dims)).  ts is jy_ts_init'd on the
 * NUL-terminated text by the caller and is left after the silhouette.
 * ESYNTAX, ERANGE (details in err, as the scanner reported them), EVERSION.
 */
JyCodecStatus jy_kmm_parse_header(JyTs *ts, JyKmModel *hdr, JyCodecError *err);

/*
 * The rest of the text (ts as jy_kmm_parse_header left it) into m, which has
 * jy_kmm_size(hdr->k, hdr->dims) bytes: copies hdr's fields (not vl_len_),
 * reads the arrays, checks the end of input and validates.  ESYNTAX, ERANGE,
 * EINVALID.
 */
JyCodecStatus jy_kmm_parse_body(JyTs *ts, const JyKmModel *hdr, JyKmModel *m, JyCodecError *err,
								JyKmmTick tick, void *arg);

/* Bytes enough for jy_kmm_print (NUL included). */
size_t		jy_kmm_text_bound(int k, int d);

/* Print the text form (NUL-terminated); returns its length. */
size_t		jy_kmm_print(const JyKmModel *m, char *out, JyKmmTick tick, void *arg);

/* "[v0,v1,...]" (%.17g) at o, not NUL-terminated; returns the end (also kmeans_partial's) */
char	   *jy_kmm_put_doubles(char *o, const double *v, int n);

/* ---- binary ---------------------------------------------------------------- */

/*
 * Read the fixed part of a binary message into hdr (a NaN silhouette becomes
 * the canonical NaN) and check the version, k, dims and that the message
 * holds exactly the announced arrays.  ETRUNC (pq_getmsg*'s message),
 * EINVALID.
 */
JyCodecStatus jy_kmm_recv_header(const uint8_t *buf, size_t len, JyKmModel *hdr, JyCodecError *err);

/*
 * Decode the arrays of a message accepted by jy_kmm_recv_header into m
 * (jy_kmm_size(hdr->k, hdr->dims) bytes; hdr's fields are copied, not
 * vl_len_) and validate it.  EINVALID.  The whole message is read.
 */
JyCodecStatus jy_kmm_recv_body(const uint8_t *buf, size_t len, const JyKmModel *hdr, JyKmModel *m,
							   JyCodecError *err);

/* Size of the binary form, and writing it (the silhouette's NaN canonical). */
size_t		jy_kmm_send_size(const JyKmModel *m);
void		jy_kmm_send(const JyKmModel *m, uint8_t *out);

#endif
