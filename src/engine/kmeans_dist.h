/*
 * kmeans_dist.h — distributed K-means: the kmeans_partial value (partial sums
 * of one pass over the data), its codec (layout, validation, merge, text and
 * binary form), the per-point transition steps, and the driver's arithmetic
 * between passes (scaling, seeding choice, Lloyd update, numbering).
 * Plain C, no PostgreSQL.
 *
 * A fit is a sequence of passes; each pass is one two-phase aggregate whose
 * state is a kmeans_partial (every shard builds one, the coordinator merges
 * them; merging is exact for counts and maxima, a float addition for sums):
 *
 *   STATS      k = 1: n, per-feature mean and M2 (Welford; Chan's merge)
 *   DRAW       k = T trials of a weighted draw: point i's key in trial t is
 *              log(-log(u)) - log(w), u in (0,1) from a hash of the point's
 *              raw coordinates and the (seed, restart, round, t) stream, w its
 *              squared distance to the nearest centre so far (1 for the first
 *              centre).  The point with the smallest key wins (ties: the
 *              lexicographically smaller point): P(i) = w_i / sum w — a
 *              k-means++ draw that depends on neither row order nor shards.
 *   POTENTIAL  k = T: for each candidate t, sum over points of
 *              min(D^2, |z - candidate_t|^2) (greedy k-means++'s choice)
 *   LLOYD      per cluster: size, within-cluster sum of squares, sum of the
 *              working-space points, and the farthest point (its raw
 *              coordinates and squared distance; ties: lexicographically
 *              smaller) for re-seeding empty clusters; plus how many points
 *              changed cluster against the previous centres.
 *
 * ---- layout (native order in memory; the binary form is big-endian) ------
 *   int32  vl_len_     the container's length word (PostgreSQL varlena); not read here
 *   uint8  version     = 1
 *   uint8  kind        1 STATS, 2 LLOYD, 3 DRAW, 4 POTENTIAL
 *   uint16 reserved    = 0
 *   int32  k           1..JY_KM_MAX_K (STATS: 1; DRAW, POTENTIAL: 1..JY_KMP_MAX_TRIALS)
 *   int32  dims        1..JY_KM_MAX_DIMS
 *   int64  n           points seen, >= 0
 *   int64  changed     LLOYD: points whose cluster changed, 0..n; else 0
 *   int64  counts[k]   STATS: n; LLOYD: sizes (sum = n); DRAW: 1 = trial found a point, else 0; POTENTIAL: 0
 *   float8 s1[k]       STATS: 0; LLOYD: within-cluster SS >= 0; DRAW: key; POTENTIAL: potential >= 0
 *   float8 s2[k]       LLOYD: squared distance of the farthest point >= 0; else 0
 *   float8 a[k * dims] STATS: mean; LLOYD: sums of z; DRAW: drawn point (raw); POTENTIAL: 0
 *   float8 b[k * dims] STATS: M2 >= 0; LLOYD: farthest point (raw); else 0
 * Every float8 is finite.  An empty cluster / a trial without a point has all
 * its numbers 0.  Binary: the same fields without vl_len_, big-endian, 28
 * header bytes then counts and the float8 arrays.
 */
#ifndef JY_KMEANS_DIST_H
#define JY_KMEANS_DIST_H

#include "jy_engine.h"
#include "kmeans.h"

#define JY_KMP_VERSION		1
#define JY_KMP_STATS		1
#define JY_KMP_LLOYD		2
#define JY_KMP_DRAW			3
#define JY_KMP_POTENTIAL	4
#define JY_KMP_MAX_TRIALS	64
#define JY_KMP_WIRE_HDR		28
/* feature values are bounded like kmeans_segment's (JY_KMM_FEATURE_MAX, kmeans_model.h) */
#define JY_KMP_FEATURE_MAX	1e100

typedef struct JyKmPartial
{
	int32_t		vl_len_;
	uint8_t		version;
	uint8_t		kind;
	uint16_t	reserved;
	int32_t		k;
	int32_t		dims;
	int64_t		n;
	int64_t		changed;
	int64_t		data[];			/* counts[k], then the float8 arrays */
} JyKmPartial;

#define JY_KMP_HDRSZ offsetof(JyKmPartial, data)

static inline size_t
jy_kmp_size(int k, int d)
{
	return JY_KMP_HDRSZ + (size_t) k * 8 * 3 + (size_t) k * d * 8 * 2;
}
static inline size_t
jy_kmp_wire_size(int k, int d)
{
	return JY_KMP_WIRE_HDR + (size_t) k * 8 * 3 + (size_t) k * d * 8 * 2;
}
static inline int64_t *jy_kmp_counts(const JyKmPartial *p) { return (int64_t *) p->data; }
static inline double *jy_kmp_s1(const JyKmPartial *p) { return (double *) (p->data + p->k); }
static inline double *jy_kmp_s2(const JyKmPartial *p) { return jy_kmp_s1(p) + p->k; }
static inline double *jy_kmp_a(const JyKmPartial *p) { return jy_kmp_s2(p) + p->k; }
static inline double *jy_kmp_b(const JyKmPartial *p) { return jy_kmp_a(p) + (size_t) p->k * p->dims; }

const char *jy_kmp_kind_name(int kind);

/* zeroed value of jy_kmp_size(k, d) bytes at p (vl_len_ left to the caller) */
void		jy_kmp_init(JyKmPartial *p, int kind, int k, int d);

/* NULL when valid, else the reason (a sentence without its period) */
const char *jy_kmp_check(const JyKmPartial *p);

/* dst += src; NULL on success, else why they cannot be merged: different
 * kind / k / dims (dst unchanged), or a count or sum overflows (dst is then
 * partly merged and must be discarded) */
const char *jy_kmp_merge(JyKmPartial *dst, const JyKmPartial *src);

/* ---- text form ----------------------------------------------------------
 * {"v":1,"kind":"lloyd","k":2,"dims":2,"n":10,"changed":3,
 *  "counts":[..],"s1":[..],"s2":[..],"a":[[..],..],"b":[[..],..]}
 * Floats with 17 significant digits: lossless.  White space is allowed
 * between tokens. */
size_t		jy_kmp_text_bound(int k, int d);	/* bytes enough for jy_kmp_print, NUL included */
size_t		jy_kmp_print(const JyKmPartial *p, char *buf);	/* returns strlen */

typedef enum
{
	JY_KMP_OK = 0,
	JY_KMP_ESYNTAX = 1,			/* text syntax / binary framing: 22P02 / 22P03 */
	JY_KMP_ERANGE = 2,			/* a number out of range: 22003 */
	JY_KMP_EINVALID = 3			/* well-formed but not a valid value: 22P02 / 22P03 */
} JyKmpRc;

typedef struct JyKmpErr
{
	size_t		pos;			/* 0-based character (text) or byte (binary) position */
	const char *what;			/* syntax: what was expected; else the reason */
} JyKmpErr;

/* pass 1: kind, k and dims (to size the value); pass 2: the whole value into
 * p (jy_kmp_size(k, d) bytes), validated */
JyKmpRc		jy_kmp_parse_header(const char *s, int *kind, int *k, int *d, JyKmpErr *e);
JyKmpRc		jy_kmp_parse(const char *s, JyKmPartial *p, JyKmpErr *e);

void		jy_kmp_encode(const JyKmPartial *p, uint8_t *out);	/* jy_kmp_wire_size bytes */
JyKmpRc		jy_kmp_decode_header(const uint8_t *b, size_t len, int *kind, int *k, int *d, JyKmpErr *e);
JyKmpRc		jy_kmp_decode(const uint8_t *b, size_t len, JyKmPartial *p, JyKmpErr *e);

/* ---- transition steps (one point) ------------------------------------- */

void		jy_kmp_add_stats(JyKmPartial *p, const double *x);

/* z: the point in the working space; centres k x d; prev (k x d) or NULL */
void		jy_kmp_add_lloyd(JyKmPartial *p, const double *x, const double *z,
							 const double *centres, const double *prev);

/* stream: jy_kmp_stream(seed, restart, round); w > 0 (w <= 0: not drawn) */
void		jy_kmp_add_draw(JyKmPartial *p, const double *x, double w, uint64_t stream);

/* cands: k x d working-space candidates; d2: the point's D^2 */
void		jy_kmp_add_potential(JyKmPartial *p, const double *z, double d2, const double *cands);

/* trial t's key of a point with hash h (jy_km_point_hash(x, d, stream)) and log weight lw */
double		jy_kmp_draw_key(uint64_t h, int t, double lw);

uint64_t	jy_kmp_stream(uint64_t seed, int restart, int round);

/* ---- between passes ----------------------------------------------------- */

/* mean/scale (jy_km_prepare's rule; standardize false: 0 and 1) and the
 * absolute tolerance tol * mean per-feature variance of the working space */
void		jy_kmp_scaling(const JyKmPartial *stats, bool standardize, double tol,
						   double *mean, double *scale, double *tol_abs);

/* first candidate with the lowest potential */
int			jy_kmp_best_candidate(const JyKmPartial *pot);

/*
 * Lloyd update from a LLOYD partial computed with centres c: empty clusters
 * (in index order) take the farthest point of the cluster with >= 2 points
 * whose farthest point is farthest (each cluster gives at most one point per
 * update; ties: smaller point, then lower cluster); then c <- sums / counts
 * (an empty cluster keeps its centre).  Returns the sum of squared shifts.
 * work: 2k int64 + k*d doubles.
 */
double		jy_kmp_update(const JyKmPartial *p, const double *mean, const double *scale,
						  double *c, void *work);

/* number clusters by size, largest first, ties by lexicographic centre (as
 * jy_km_fit): permutes centres (k x d), sizes, within; tmp: k*d + 2k doubles + k ints */
void		jy_kmp_number(double *centres, int64_t *sizes, double *within, int k, int d, void *tmp);

#endif
