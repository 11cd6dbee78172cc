/*
 * qsketch.h — a mergeable log-linear histogram of non-negative int64 values
 * (durations in microseconds) for medians and percentiles.
 *
 * Values below 256 are kept exactly.  Above, each power of two is split into
 * 256 equal buckets, so every value of a bucket is within 1/256 (0.39%) of
 * any other.  A bucket is reported as its "roundest" value (the one with the
 * most trailing decimal zeros), so durations such as 5 minutes come back
 * exactly.  Bucket numbers run from 0 to JY_QS_MAX_BUCKET.
 *
 * A sketch is a sorted array of entries; each entry packs the bucket number in
 * its top 14 bits and the count in its low 50 bits.  The same array is the
 * on-disk form, so merging is an in-place sorted merge.
 */
#ifndef JY_QSKETCH_H
#define JY_QSKETCH_H

#include "jy_engine.h"

#define JY_QS_SUB_BITS		8
#define JY_QS_SUB			(1 << JY_QS_SUB_BITS)
#define JY_QS_MAX_BUCKET	((63 - JY_QS_SUB_BITS) * JY_QS_SUB + JY_QS_SUB - 1)
#define JY_QS_COUNT_BITS	50
#define JY_QS_COUNT_MAX		((UINT64_C(1) << JY_QS_COUNT_BITS) - 1)

#define JY_QS_ENTRY(b, c)	(((uint64_t) (b) << JY_QS_COUNT_BITS) | (uint64_t) (c))
#define JY_QS_BUCKET(e)		((uint32_t) ((e) >> JY_QS_COUNT_BITS))
#define JY_QS_COUNT(e)		((e) & JY_QS_COUNT_MAX)

/* bucket of a value >= 0 */
static inline uint32_t
jy_qs_bucket(int64_t v)
{
	uint64_t	u = (uint64_t) v;
	int			e;

	if (u < JY_QS_SUB)
		return (uint32_t) u;
	e = 63 - __builtin_clzll(u);
	return (uint32_t) ((e - JY_QS_SUB_BITS + 1) * JY_QS_SUB +
					   ((u >> (e - JY_QS_SUB_BITS)) & (JY_QS_SUB - 1)));
}

/* smallest value in a bucket, and the bucket's width */
void jy_qs_bucket_range(uint32_t bucket, int64_t *lo, int64_t *width);

/* representative value of a bucket: its roundest decimal value (exact below 256) */
double jy_qs_bucket_value(uint32_t bucket);

/* true when every entry is well-formed: buckets strictly increasing and in range, counts > 0 */
bool jy_qs_valid(const uint64_t *e, size_t n);

/*
 * The smallest and largest possible sum of the values a sketch counts (each
 * value anywhere in its bucket); saturates at UINT64_MAX.  An exact sum kept
 * beside a sketch must lie in [lo, hi].
 */
void jy_qs_sum_bounds(const uint64_t *e, size_t n, uint64_t *lo, uint64_t *hi);

/* index of the first entry whose bucket is >= bucket in sorted e[0..n) (n when none) */
size_t jy_qs_lower_bound(const uint64_t *e, size_t n, uint32_t bucket);

/* total count; false on overflow */
bool jy_qs_total(const uint64_t *e, size_t n, uint64_t *total);

/*
 * Add `count` to `bucket` in a sorted array of n entries with room for n+1.
 * Returns the new number of entries, or (size_t) -1 when the count overflows.
 */
size_t jy_qs_add(uint64_t *e, size_t n, uint32_t bucket, uint64_t count);

/*
 * Merge sorted b[0..nb) into sorted a[0..na), which has room for na + m
 * entries where m is the number of b's buckets that a lacks.  Returns the
 * new number of entries, or (size_t) -1 when a count overflows (a is then
 * partly merged and must be discarded).
 */
size_t jy_qs_merge(uint64_t *a, size_t na, const uint64_t *b, size_t nb);

/*
 * The q-quantile (0 <= q <= 1) as the representative value of the bucket
 * holding the value of rank ceil(q * total) (rank 1 when q = 0): the
 * "nearest rank" definition.  Returns false for an empty sketch.
 */
bool jy_qs_quantile(const uint64_t *e, size_t n, double q, double *out);

#endif
