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

#define TICK_MASK (((size_t) 1 << 16) - 1)

/* swap two elements of `size` bytes, in word-sized pieces where possible */
static inline void
swap_elems(char *a, char *b, size_t size)
{
	while (size >= sizeof(uint64_t))
	{
		uint64_t	x,
					y;

		memcpy(&x, a, sizeof(x));
		memcpy(&y, b, sizeof(y));
		memcpy(a, &y, sizeof(y));
		memcpy(b, &x, sizeof(x));
		a += sizeof(x);
		b += sizeof(x);
		size -= sizeof(x);
	}
	while (size-- > 0)
	{
		char		c = *a;

		*a++ = *b;
		*b++ = c;
	}
}

void
jy_sort_ex(void *base, size_t n, size_t size,
		   int (*cmp) (const void *, const void *, void *), void *cmp_arg,
		   void *scratch, void (*tick) (void *), void *tick_arg)
{
	char	   *t = base,
			   *src = base,
			   *dst = scratch;
	size_t		width,
				i;

	/* runs: insertion sort by adjacent swaps (stable) */
	for (i = 0; i < n; i += JY_SORT_RUN)
	{
		size_t		end = n - i < JY_SORT_RUN ? n : i + JY_SORT_RUN,
					j,
					k;

		for (j = i + 1; j < end; j++)
			for (k = j; k > i && cmp(t + (k - 1) * size, t + k * size, cmp_arg) > 0; k--)
				swap_elems(t + (k - 1) * size, t + k * size, size);
		if (tick && (i & TICK_MASK) == 0 && i > 0)
			tick(tick_arg);
	}
	for (width = JY_SORT_RUN; width < n; width *= 2)
	{
		char	   *x;

		if (tick)
			tick(tick_arg);
		for (i = 0; i < n; i += 2 * width)
		{
			size_t		mid = n - i > width ? i + width : n,
						end = n - i > 2 * width ? i + 2 * width : n,
						a = i,
						b = mid;
			size_t		k = i;

			/* take from the left run on ties: stable */
			while (a < mid && b < end)
			{
				if (tick && (k & TICK_MASK) == 0 && k > 0)
					tick(tick_arg);
				if (cmp(src + b * size, src + a * size, cmp_arg) < 0)
					memcpy(dst + k * size, src + b++ * size, size);
				else
					memcpy(dst + k * size, src + a++ * size, size);
				k++;
			}
			if (a < mid)
				memcpy(dst + k * size, src + a * size, (mid - a) * size);
			else if (b < end)
				memcpy(dst + k * size, src + b * size, (end - b) * size);
		}
		x = src;
		src = dst;
		dst = x;
	}
	if (src != t)
		memcpy(t, src, n * size);
}
