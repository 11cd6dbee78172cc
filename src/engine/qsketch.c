/*
 * qsketch.c — mergeable log-linear histogram; see qsketch.h.
 */
#include <math.h>
#include <string.h>
#include "qsketch.h"

void
jy_qs_bucket_range(uint32_t bucket, int64_t *lo, int64_t *width)
{
	uint32_t	e,
				sub;

	if (bucket < JY_QS_SUB)
	{
		*lo = bucket;
		*width = 1;
		return;
	}
	e = bucket / JY_QS_SUB + JY_QS_SUB_BITS - 1;
	sub = bucket % JY_QS_SUB;
	*lo = (int64_t) (((uint64_t) JY_QS_SUB + sub) << (e - JY_QS_SUB_BITS));
	*width = (int64_t) (UINT64_C(1) << (e - JY_QS_SUB_BITS));
}

double
jy_qs_bucket_value(uint32_t bucket)
{
	int64_t		lo,
				w;

	jy_qs_bucket_range(bucket, &lo, &w);
	{
		uint64_t	hi = (uint64_t) lo + (uint64_t) (w - 1);
		uint64_t	p = UINT64_C(1000000000000000000);

		/* the multiple of the largest power of ten in [lo, hi] */
		for (; p > 1; p /= 10)
		{
			uint64_t	m = ((uint64_t) lo + p - 1) / p * p;

			if (m >= (uint64_t) lo && m <= hi)
				return (double) m;
		}
		return (double) lo;
	}
}

bool
jy_qs_valid(const uint64_t *e, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (JY_QS_BUCKET(e[i]) > JY_QS_MAX_BUCKET || JY_QS_COUNT(e[i]) == 0)
			return false;
		if (i > 0 && JY_QS_BUCKET(e[i]) <= JY_QS_BUCKET(e[i - 1]))
			return false;
	}
	return true;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t
sat_mul(uint64_t a, uint64_t b)
{
	return (b != 0 && a > UINT64_MAX / b) ? UINT64_MAX : a * b;
}

void
jy_qs_sum_bounds(const uint64_t *e, size_t n, uint64_t *lo, uint64_t *hi)
{
	uint64_t	l = 0,
				h = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		int64_t		blo,
					w;
		uint64_t	c = JY_QS_COUNT(e[i]);

		jy_qs_bucket_range(JY_QS_BUCKET(e[i]), &blo, &w);
		l = sat_add(l, sat_mul((uint64_t) blo, c));
		h = sat_add(h, sat_mul((uint64_t) blo + (uint64_t) (w - 1), c));
	}
	*lo = l;
	*hi = h;
}

bool
jy_qs_total(const uint64_t *e, size_t n, uint64_t *total)
{
	uint64_t	t = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (t > UINT64_MAX - JY_QS_COUNT(e[i]))
			return false;
		t += JY_QS_COUNT(e[i]);
	}
	*total = t;
	return true;
}

size_t
jy_qs_lower_bound(const uint64_t *e, size_t n, uint32_t bucket)
{
	const uint64_t *base = e;

	/*
	 * Branch-free binary search (the comparison becomes a conditional move):
	 * rollup() adds a user's one or two buckets into a histogram of hundreds,
	 * and a mispredicted branch per halving cost more than the rest of the
	 * merge.  Invariant: the answer lies in [base, base + n].
	 */
	if (n == 0)
		return 0;
	while (n > 1)
	{
		size_t		half = n / 2;

		base = JY_QS_BUCKET(base[half]) < bucket ? base + half : base;
		n -= half;
	}
	return (size_t) (base - e) + (JY_QS_BUCKET(*base) < bucket);
}

size_t
jy_qs_add(uint64_t *e, size_t n, uint32_t bucket, uint64_t count)
{
	size_t		lo = jy_qs_lower_bound(e, n, bucket);

	if (lo < n && JY_QS_BUCKET(e[lo]) == bucket)
	{
		if (JY_QS_COUNT(e[lo]) + count > JY_QS_COUNT_MAX)
			return (size_t) -1;
		e[lo] += count;
		return n;
	}
	if (count > JY_QS_COUNT_MAX)
		return (size_t) -1;
	memmove(e + lo + 1, e + lo, (n - lo) * sizeof(uint64_t));
	e[lo] = JY_QS_ENTRY(bucket, count);
	return n + 1;
}

size_t
jy_qs_merge(uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	size_t		i,
				j,
				k,
				miss = 0;

	if (nb == 0)
		return na;
	/* few entries into many: insert one by one (binary search each) */
	if (nb * 8 < na)
	{
		for (j = 0; j < nb; j++)
		{
			na = jy_qs_add(a, na, JY_QS_BUCKET(b[j]), JY_QS_COUNT(b[j]));
			if (na == (size_t) -1)
				return na;
		}
		return na;
	}
	/* count b's buckets missing from a: the merged size is na + miss */
	for (i = 0, j = 0; j < nb; j++)
	{
		while (i < na && JY_QS_BUCKET(a[i]) < JY_QS_BUCKET(b[j]))
			i++;
		miss += !(i < na && JY_QS_BUCKET(a[i]) == JY_QS_BUCKET(b[j]));
	}
	/* merge from the back; it ends exactly where a's untouched prefix ends */
	i = na;
	j = nb;
	k = na + miss;
	while (j > 0)
	{
		if (i > 0 && JY_QS_BUCKET(a[i - 1]) > JY_QS_BUCKET(b[j - 1]))
			a[--k] = a[--i];
		else if (i > 0 && JY_QS_BUCKET(a[i - 1]) == JY_QS_BUCKET(b[j - 1]))
		{
			uint64_t	c = JY_QS_COUNT(a[i - 1]) + JY_QS_COUNT(b[j - 1]);

			if (c > JY_QS_COUNT_MAX)
				return (size_t) -1;
			a[--k] = JY_QS_ENTRY(JY_QS_BUCKET(b[j - 1]), c);
			i--;
			j--;
		}
		else
			a[--k] = b[--j];
	}
	return na + miss;
}

bool
jy_qs_quantile(const uint64_t *e, size_t n, double q, double *out)
{
	uint64_t	total,
				rank,
				seen = 0;
	size_t		i;

	if (n == 0 || !jy_qs_total(e, n, &total) || total == 0)
		return false;
	if (q <= 0.0)
		rank = 1;
	else if (q >= 1.0)
		rank = total;
	else
	{
		rank = (uint64_t) ceil(q * (double) total);
		if (rank < 1)
			rank = 1;
		if (rank > total)
			rank = total;
	}
	for (i = 0; i < n; i++)
	{
		seen += JY_QS_COUNT(e[i]);
		if (seen >= rank)
		{
			*out = jy_qs_bucket_value(JY_QS_BUCKET(e[i]));
			return true;
		}
	}
	*out = jy_qs_bucket_value(JY_QS_BUCKET(e[n - 1]));
	return true;
}
