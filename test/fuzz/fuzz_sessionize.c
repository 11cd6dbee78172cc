/*
 * fuzz_sessionize.c — libFuzzer target for src/engine/sessionize.{c,h}.
 *
 * Input: byte 0 = mode/flags, 8 bytes gap, 8 bytes max_len, then events of
 * 9 bytes each (int64 timestamp or delta + 1 flag byte for the split marker).
 * Timestamps cover the whole int64 range (PostgreSQL's own range is narrower),
 * so wrap-around in the gap arithmetic would show up.
 *
 * Checked against a reference written with 128-bit arithmetic:
 *   - jy_sort_int64 (radix and insertion paths) vs qsort
 *   - jy_sessionizer_step: NEW / SAME / UNORDERED and session numbers, with
 *     split markers, on ordered and unordered input
 *   - jy_session_totals: sessions, events, bounces, duration sum, each
 *     session's (duration, events) handed to the callback, and the overflow
 *     report (false exactly when a duration or the sum exceeds INT64_MAX)
 * Any disagreement abort()s; ASan/UBSan catch memory errors and UB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sessionize.h"

#define FAIL(...) do { fprintf(stderr, "fuzz_sessionize: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

typedef __int128 i128;

static int
cmp_i64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a,
				y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

typedef struct Cb
{
	size_t		n;
	size_t		cap;
	int64_t    *dur;
	int64_t    *ev;
} Cb;

static void
on_session(void *arg, int64_t duration, int64_t events)
{
	Cb		   *c = (Cb *) arg;

	if (c->n >= c->cap)
		FAIL("more sessions reported than events");
	c->dur[c->n] = duration;
	c->ev[c->n] = events;
	c->n++;
}

static int64_t
rd_i64(const uint8_t **p, size_t *n)
{
	int64_t		v = 0;
	size_t		k = *n < 8 ? *n : 8;

	memcpy(&v, *p, k);
	*p += k;
	*n -= k;
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data;
	size_t		left = size,
				n = 0,
				i;
	uint8_t		mode;
	int64_t		gap,
				max_len;
	int64_t    *ts,
			   *sorted,
			   *scratch;
	bool	   *split;

	if (size < 1)
		return 0;
	mode = *p++;
	left--;
	gap = rd_i64(&p, &left);
	max_len = rd_i64(&p, &left);
	/* the engine's contract: gap > 0, max_len == 0 or >= gap (the glue enforces it) */
	if (mode & 1)
		gap = (int64_t) ((uint64_t) gap % 7200000000u) + 1;	/* realistic: up to 2 hours */
	else if (gap <= 0)
		gap = gap == INT64_MIN ? INT64_MAX : (gap == 0 ? 1 : -gap);
	if (mode & 2)
		max_len = 0;
	else if (max_len < gap)
	{
		uint64_t	m = (uint64_t) gap + (uint64_t) max_len % 1000;

		max_len = m > (uint64_t) INT64_MAX ? INT64_MAX : (int64_t) m;
	}

	ts = malloc((left / 9 + 1) * sizeof(int64_t));
	split = malloc((left / 9 + 1) * sizeof(bool));
	{
		int64_t		cur = 0;

		while (left >= 9)
		{
			int64_t		v = rd_i64(&p, &left);
			uint8_t		f = *p++;

			left--;
			if (mode & 4)
			{
				/* deltas: small steps around the gap, so boundaries are hit */
				int64_t		d = (int64_t) ((uint64_t) v % 64) - 2;

				if (f & 2)
					d = (int64_t) ((uint64_t) gap + (uint64_t) v % 5 - 2);	/* wraps like the engine must cope with */
				if (f & 4)
					d = 0;
				cur = (int64_t) ((uint64_t) cur + (uint64_t) d);
				ts[n] = cur;
			}
			else
				ts[n] = v;
			split[n] = (f & 1) != 0;
			n++;
		}
	}

	/* 1. sort vs qsort */
	sorted = malloc((n ? n : 1) * sizeof(int64_t));
	scratch = malloc((n ? n : 1) * sizeof(int64_t));
	memcpy(sorted, ts, n * sizeof(int64_t));
	jy_sort_int64(sorted, n, scratch);
	qsort(ts, n, sizeof(int64_t), cmp_i64);	/* ts becomes the reference order */
	if (memcmp(sorted, ts, n * sizeof(int64_t)) != 0)
		FAIL("jy_sort_int64 disagrees with qsort (n=%zu)", n);
	/* restore input order for the step check on unordered data */
	{
		const uint8_t *q = data + 17;
		size_t		k;

		if (!(mode & 4) && (mode & 8))
			for (k = 0; k < n; k++, q += 9)
				memcpy(&ts[k], q, 8);
	}

	/* 2. step-by-step rule vs reference (ts as given; unordered when mode & 8) */
	{
		JySessionizer s;
		int64_t		number = 0,
					prev = 0,
					start = 0;
		bool		any = false;

		jy_sessionizer_init(&s, gap, max_len);
		for (i = 0; i < n; i++)
		{
			JySessStep got = jy_sessionizer_step(&s, ts[i], split[i]);
			JySessStep want;

			if (!any)
				want = JY_SESS_NEW;
			else if (ts[i] < prev)
				want = JY_SESS_UNORDERED;
			else if (split[i] || (i128) ts[i] - (i128) prev > (i128) gap ||
					 (max_len > 0 && (i128) ts[i] - (i128) start > (i128) max_len))
				want = JY_SESS_NEW;
			else
				want = JY_SESS_SAME;
			if (got != want)
				FAIL("step %zu: engine %d, reference %d (ts=%lld prev=%lld start=%lld gap=%lld max=%lld)",
					 i, got, want, (long long) ts[i], (long long) prev, (long long) start,
					 (long long) gap, (long long) max_len);
			if (want == JY_SESS_UNORDERED)
				continue;		/* state unchanged */
			any = true;
			prev = ts[i];
			if (want == JY_SESS_NEW)
			{
				number++;
				start = ts[i];
			}
			if (s.number != number || s.prev != prev || s.start != start)
				FAIL("step %zu: sessionizer state differs", i);
		}
	}

	/* 3. totals over the sorted run vs reference */
	{
		JySessionTotals tot = {0, 0, 0, 0};
		Cb			cb = {0, n, malloc((n ? n : 1) * sizeof(int64_t)), malloc((n ? n : 1) * sizeof(int64_t))};
		bool		ok = jy_session_totals(sorted, n, gap, max_len, &tot, on_session, &cb);
		i128		sum = 0;
		int64_t		sessions = 0,
					bounces = 0;
		bool		want_ok = true;
		size_t		first = 0;

		for (i = 0; i <= n && want_ok; i++)
		{
			bool		brk = (i == n) || i == 0 ||
				(i128) sorted[i] - (i128) sorted[i - 1] > (i128) gap ||
				(max_len > 0 && (i128) sorted[i] - (i128) sorted[first] > (i128) max_len);

			if (i > 0 && brk)
			{
				i128		d = (i128) sorted[i - 1] - (i128) sorted[first];
				int64_t		cnt = (int64_t) (i - first);

				if (d > INT64_MAX || sum + d > INT64_MAX)
				{
					want_ok = false;
					break;
				}
				if (ok)
				{
					if ((size_t) sessions >= cb.n || cb.dur[sessions] != (int64_t) d || cb.ev[sessions] != cnt)
						FAIL("session %lld: callback (%lld, %lld), reference (%lld, %lld)",
							 (long long) sessions,
							 (long long) ((size_t) sessions < cb.n ? cb.dur[sessions] : -1),
							 (long long) ((size_t) sessions < cb.n ? cb.ev[sessions] : -1),
							 (long long) d, (long long) cnt);
				}
				sum += d;
				sessions++;
				bounces += (cnt == 1);
			}
			if (brk)
				first = i;
		}
		if (ok != want_ok)
			FAIL("jy_session_totals returned %d, reference %d", ok, want_ok);
		if (ok && (tot.sessions != sessions || tot.events != (int64_t) n || tot.bounces != bounces ||
				   tot.duration_sum != (int64_t) sum || cb.n != (size_t) sessions))
			FAIL("totals differ: engine %lld/%lld/%lld/%lld, reference %lld/%zu/%lld/%lld",
				 (long long) tot.sessions, (long long) tot.events, (long long) tot.bounces,
				 (long long) tot.duration_sum, (long long) sessions, n, (long long) bounces,
				 (long long) sum);
		free(cb.dur);
		free(cb.ev);
	}
	free(ts);
	free(split);
	free(sorted);
	free(scratch);
	return 0;
}
