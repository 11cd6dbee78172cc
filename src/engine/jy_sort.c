/*
 * jy_sort.c — shared engine sorts (jy_sort.h).  No postgres.h here.
 */
#include <stdlib.h>
#include <string.h>
#include "jy_sort.h"

/*
 * LSD radix sort on the biased unsigned key, 8 passes of 8 bits, skipping
 * passes in which every key has the same byte.  Insertion sort for short runs.
 */
void
jy_sort_int64(int64_t *v, size_t n, int64_t *scratch)
{
	jy_sort_int64_ex(v, n, scratch, NULL, NULL);
}

void
jy_sort_int64_ex(int64_t *v, size_t n, int64_t *scratch, void (*tick) (void *), void *arg)
{
	size_t		i;

	if (n < 64)
	{
		for (i = 1; i < n; i++)
		{
			int64_t		x = v[i];
			size_t		j = i;

			while (j > 0 && v[j - 1] > x)
			{
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
		return;
	}
	{
		uint64_t   *src = (uint64_t *) v,
				   *dst = (uint64_t *) scratch;
		int			pass;

		for (i = 0; i < n; i++)
			src[i] ^= UINT64_C(1) << 63;
		for (pass = 0; pass < 8; pass++)
		{
			size_t		count[256];
			int			shift = pass * 8;
			size_t		sum = 0;

			if (tick)
				tick(arg);
			memset(count, 0, sizeof(count));
			for (i = 0; i < n; i++)
				count[(src[i] >> shift) & 0xff]++;
			if (count[(src[0] >> shift) & 0xff] == n)
				continue;
			for (i = 0; i < 256; i++)
			{
				size_t		c = count[i];

				count[i] = sum;
				sum += c;
			}
			for (i = 0; i < n; i++)
				dst[count[(src[i] >> shift) & 0xff]++] = src[i];
			{
				uint64_t   *t = src;

				src = dst;
				dst = t;
			}
		}
		for (i = 0; i < n; i++)
			src[i] ^= UINT64_C(1) << 63;
		if (src != (uint64_t *) v)
			memcpy(v, src, n * sizeof(int64_t));
	}
}

#define TICK_MASK ((size_t) 64 * JY_SORT_RUN - 1)

void
jy_sort_ex(void *base, size_t n, size_t size, int (*cmp) (const void *, const void *),
		   void *scratch, void (*tick) (void *), void *arg)
{
	char	   *t = base,
			   *src = base,
			   *dst = scratch;
	size_t		width,
				i;

	if (n <= JY_SORT_RUN)
	{
		if (n > 1)
			qsort(base, n, size, cmp);
		return;
	}
	for (i = 0; i < n; i += JY_SORT_RUN)
	{
		qsort(t + i * size, n - i < JY_SORT_RUN ? n - i : JY_SORT_RUN, size, cmp);
		if (tick && (i & TICK_MASK) == 0)
			tick(arg);
	}
	for (width = JY_SORT_RUN; width < n; width *= 2)
	{
		char	   *x;

		if (tick)
			tick(arg);
		for (i = 0; i < n; i += 2 * width)
		{
			size_t		mid = i + width < n ? i + width : n,
						end = i + 2 * width < n ? i + 2 * width : n,
						a = i,
						b = mid;
			char	   *out = dst + i * size;

			if (tick && (i & TICK_MASK) == 0)
				tick(arg);
			/* take from the left run on ties: stable merge of the runs */
			while (a < mid && b < end)
			{
				if (cmp(src + b * size, src + a * size) < 0)
					memcpy(out, src + b++ * size, size);
				else
					memcpy(out, src + a++ * size, size);
				out += size;
			}
			if (a < mid)
				memcpy(out, src + a * size, (mid - a) * size);
			else if (b < end)
				memcpy(out, src + b * size, (end - b) * size);
		}
		x = src;
		src = dst;
		dst = x;
	}
	if (src != t)
		memcpy(t, src, n * size);
}
