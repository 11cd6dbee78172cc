/*
 * sessionize.c — session totals over a sorted run of timestamps, and the
 * shared int64 sort.  No postgres.h here.
 */
#include <string.h>
#include "sessionize.h"

bool
jy_session_totals(const int64_t *ts, size_t n, int64_t gap, int64_t max_len,
				  JySessionTotals *out,
				  void (*on_session) (void *arg, int64_t duration, int64_t events),
				  void *arg)
{
	return jy_session_totals_ex(ts, n, gap, max_len, out, on_session, arg, NULL, NULL);
}

bool
jy_session_totals_ex(const int64_t *ts, size_t n, int64_t gap, int64_t max_len,
					 JySessionTotals *out,
					 void (*on_session) (void *arg, int64_t duration, int64_t events),
					 void *arg, void (*tick) (void *), void *tick_arg)
{
	JySessionizer s;
	int64_t		first = 0,
				last = 0,
				count = 0;
	size_t		i;

	jy_sessionizer_init(&s, gap, max_len);
	for (i = 0; i <= n; i++)
	{
		bool		brk;

		if (tick && (i & ((1u << 20) - 1)) == 0 && i > 0)
			tick(tick_arg);
		brk = (i == n) || jy_sessionizer_step(&s, ts[i], false) == JY_SESS_NEW;
		if (brk && count > 0)
		{
			int64_t		d = (int64_t) jy_udiff(last, first);

			if (d < 0 || out->duration_sum > INT64_MAX - d)
				return false;
			out->sessions++;
			out->events += count;
			out->bounces += (count == 1);
			out->duration_sum += d;
			if (on_session)
				on_session(arg, d, count);
			count = 0;
		}
		if (i == n)
			break;
		if (count == 0)
			first = ts[i];
		last = ts[i];
		count++;
	}
	return true;
}

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
