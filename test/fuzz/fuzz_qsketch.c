/*
 * fuzz_qsketch.c — libFuzzer target for src/engine/qsketch.c.
 *
 * The first input byte picks a mode; the rest is interpreted by that mode.
 * Every mode compares the engine against a slow, obviously-correct reference
 * and abort()s on any disagreement (libFuzzer then reports a crash and saves
 * the input).  Built with ASan + UBSan by test/fuzz/build.sh, so reads or
 * writes outside the arrays handed to the engine are caught too: every array
 * is malloc'd with exactly the room the engine's contract promises.
 *
 *   mode 0  bucket math:   jy_qs_bucket / jy_qs_bucket_range / jy_qs_bucket_value
 *   mode 1  untrusted entries (what a decoder hands over): jy_qs_valid,
 *           jy_qs_total, jy_qs_quantile on arbitrary 64-bit words
 *   mode 2  jy_qs_add sequence vs a reference histogram
 *   mode 3  jy_qs_merge of two valid sketches vs the reference merge,
 *           including count overflow
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qsketch.h"

#define FAIL(...) do { fprintf(stderr, "fuzz_qsketch: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

typedef struct Reader
{
	const uint8_t *p;
	size_t		n;
} Reader;

static uint64_t
rd_u64(Reader *r)
{
	uint64_t	v = 0;
	size_t		k = r->n < 8 ? r->n : 8;

	memcpy(&v, r->p, k);
	r->p += k;
	r->n -= k;
	return v;
}

static uint32_t
rd_u16(Reader *r)
{
	uint32_t	v = 0;

	if (r->n >= 2)
	{
		v = (uint32_t) r->p[0] | ((uint32_t) r->p[1] << 8);
		r->p += 2;
		r->n -= 2;
	}
	else if (r->n == 1)
	{
		v = r->p[0];
		r->p++;
		r->n--;
	}
	return v;
}

static uint8_t
rd_u8(Reader *r)
{
	uint8_t		v = 0;

	if (r->n)
	{
		v = r->p[0];
		r->p++;
		r->n--;
	}
	return v;
}

/* ---- reference histogram: dense counts per bucket ---------------------- */

#define NB (JY_QS_MAX_BUCKET + 1)

static void
check_bucket(int64_t v)
{
	uint32_t	b = jy_qs_bucket(v);
	int64_t		lo,
				w;
	double		rep;

	if (b > JY_QS_MAX_BUCKET)
		FAIL("bucket %u of %lld out of range", b, (long long) v);
	jy_qs_bucket_range(b, &lo, &w);
	if (w < 1 || lo < 0 || v < lo || (uint64_t) v - (uint64_t) lo >= (uint64_t) w)
		FAIL("value %lld outside its bucket %u [%lld, +%lld)", (long long) v, b, (long long) lo, (long long) w);
	/* both ends of the bucket map back to it */
	if (jy_qs_bucket(lo) != b || jy_qs_bucket((int64_t) ((uint64_t) lo + (uint64_t) w - 1)) != b)
		FAIL("bucket %u ends do not map back", b);
	/* exact below 256; above, width is at most 1/256 of the lower bound */
	if (v < JY_QS_SUB && (lo != v || w != 1))
		FAIL("small value %lld not exact", (long long) v);
	if (v >= JY_QS_SUB && (uint64_t) w * JY_QS_SUB > (uint64_t) lo)
		FAIL("bucket %u too wide", b);
	/* previous bucket ends right before this one */
	if (b > 0)
	{
		int64_t		plo,
					pw;

		jy_qs_bucket_range(b - 1, &plo, &pw);
		if ((uint64_t) plo + (uint64_t) pw != (uint64_t) lo)
			FAIL("buckets %u and %u not contiguous", b - 1, b);
	}
	rep = jy_qs_bucket_value(b);
	if (!(rep >= (double) lo && rep <= (double) lo + (double) (w - 1)))
		FAIL("representative %.17g of bucket %u outside [%lld, +%lld)", rep, b, (long long) lo, (long long) w);
}

static double
q_from(Reader *r)
{
	uint32_t	x = rd_u16(r);

	/* a few exact edge values, else a fraction in [0, 1] */
	switch (x % 8)
	{
		case 0:
			return 0.0;
		case 1:
			return 1.0;
		case 2:
			return 0.5;
		default:
			return (double) (x >> 3) / 8191.0;
	}
}

/* reference nearest-rank quantile over entries known valid */
static bool
ref_quantile(const uint64_t *e, size_t n, double q, double *out)
{
	unsigned __int128 total = 0;
	uint64_t	rank;
	unsigned __int128 seen = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		total += JY_QS_COUNT(e[i]);
	if (total == 0 || total > UINT64_MAX)
		return false;
	if (q <= 0)
		rank = 1;
	else if (q >= 1)
		rank = (uint64_t) total;
	else
	{
		double		x = ceil(q * (double) (uint64_t) total);

		rank = x < 1 ? 1 : (x >= (double) (uint64_t) total ? (uint64_t) total : (uint64_t) x);
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
	FAIL("reference quantile: rank %llu beyond total", (unsigned long long) rank);
}

static void
mode_untrusted(Reader *r)
{
	size_t		n = r->n / 8,
				i;
	uint64_t   *e = malloc((n ? n : 1) * sizeof(uint64_t));
	bool		ok = true;
	unsigned __int128 sum = 0;
	uint64_t	total;
	bool		tok;
	double		q,
				v1,
				v2;
	bool		r1,
				r2;

	/* keep the tail for q */
	for (i = 0; i < n; i++)
		e[i] = rd_u64(r);
	/* fold some entries toward valid ones, so validation passes often */
	for (i = 0; i < n; i++)
	{
		if ((e[i] & 3) == 0)
			e[i] = JY_QS_ENTRY((uint32_t) ((e[i] >> 2) % 64 + i * 64) % (JY_QS_MAX_BUCKET + 1),
							   ((e[i] >> 20) & 0xffff) + 1);
	}
	for (i = 0; i < n; i++)
	{
		if (JY_QS_BUCKET(e[i]) > JY_QS_MAX_BUCKET || JY_QS_COUNT(e[i]) == 0)
			ok = false;
		if (i > 0 && JY_QS_BUCKET(e[i]) <= JY_QS_BUCKET(e[i - 1]))
			ok = false;
		sum += JY_QS_COUNT(e[i]);
	}
	if (jy_qs_valid(e, n) != ok)
		FAIL("jy_qs_valid says %d, reference %d (n=%zu)", !ok, ok, n);
	tok = jy_qs_total(e, n, &total);
	if (tok != (sum <= UINT64_MAX) || (tok && total != (uint64_t) sum))
		FAIL("jy_qs_total disagrees");
	if (ok)
	{
		q = q_from(r);
		r1 = jy_qs_quantile(e, n, q, &v1);
		r2 = ref_quantile(e, n, q, &v2);
		if (r1 != r2 || (r1 && v1 != v2))
			FAIL("quantile(%.17g): engine %d %.17g, reference %d %.17g", q, r1, v1, r2, v2);
	}
	free(e);
}

/* a valid sketch from the input: bucket steps and counts */
static size_t
build_ref(Reader *r, size_t maxn, uint64_t *out)
{
	size_t		n = 0;
	uint32_t	b = rd_u16(r) % 300;

	while (n < maxn && r->n > 0)
	{
		uint8_t		k = rd_u8(r);
		uint64_t	c;

		if (k == 0)
			break;				/* end of this sketch */
		if (b > JY_QS_MAX_BUCKET)
			break;
		if (k & 0x80)
			c = JY_QS_COUNT_MAX - (k & 0x7);	/* near-overflow counts */
		else
			c = (k & 0x3f) + 1;
		out[n++] = JY_QS_ENTRY(b, c);
		b += 1 + (rd_u8(r) % 50) * ((k & 0x40) ? 100 : 1);
	}
	return n;
}

static void
mode_add(Reader *r)
{
	static uint64_t dense[NB];
	uint64_t   *e = NULL;
	size_t		n = 0,
				i;
	bool		overflowed = false;

	memset(dense, 0, sizeof(dense));
	while (r->n >= 3 && !overflowed && n < 1024)
	{
		uint32_t	b = rd_u16(r) % (JY_QS_MAX_BUCKET + 1);
		uint8_t		k = rd_u8(r);
		uint64_t	c = (k & 0x80) ? JY_QS_COUNT_MAX - (k & 0x7f) : (uint64_t) k + 1;
		uint64_t   *ne = malloc((n + 1) * sizeof(uint64_t));	/* exactly the promised room */
		size_t		nn;

		if (n)
			memcpy(ne, e, n * sizeof(uint64_t));
		free(e);
		e = ne;
		nn = jy_qs_add(e, n, b, c);
		if (dense[b] + c > JY_QS_COUNT_MAX)
		{
			if (nn != (size_t) -1)
				FAIL("jy_qs_add: count overflow not reported");
			overflowed = true;
			break;
		}
		if (nn == (size_t) -1)
			FAIL("jy_qs_add: spurious overflow");
		if (nn != n + (dense[b] == 0))
			FAIL("jy_qs_add: size %zu, expected %zu", nn, n + (dense[b] == 0));
		dense[b] += c;
		n = nn;
	}
	if (!overflowed)
	{
		size_t		j = 0;

		if (!jy_qs_valid(e, n))
			FAIL("jy_qs_add produced an invalid sketch");
		for (i = 0; i < NB; i++)
		{
			if (dense[i] == 0)
				continue;
			if (j >= n || JY_QS_BUCKET(e[j]) != i || JY_QS_COUNT(e[j]) != dense[i])
				FAIL("jy_qs_add: entry %zu wrong", j);
			j++;
		}
		if (j != n)
			FAIL("jy_qs_add: %zu entries, reference %zu", n, j);
	}
	free(e);
}

static void
mode_merge(Reader *r)
{
	uint64_t	a0[512],
				b0[512];
	size_t		na,
				nb,
				i,
				j,
				miss = 0,
				n;
	uint64_t   *a,
			   *b,
			   *ref;
	size_t		nref = 0;
	bool		over = false;

	na = build_ref(r, 512, a0);
	nb = build_ref(r, 512, b0);
	/* reference merge */
	ref = malloc((na + nb + 1) * sizeof(uint64_t));
	for (i = 0, j = 0; i < na || j < nb;)
	{
		if (j >= nb || (i < na && JY_QS_BUCKET(a0[i]) < JY_QS_BUCKET(b0[j])))
			ref[nref++] = a0[i++];
		else if (i >= na || JY_QS_BUCKET(b0[j]) < JY_QS_BUCKET(a0[i]))
		{
			ref[nref++] = b0[j++];
			miss++;
		}
		else
		{
			uint64_t	c = JY_QS_COUNT(a0[i]) + JY_QS_COUNT(b0[j]);

			if (c > JY_QS_COUNT_MAX)
				over = true;
			ref[nref++] = JY_QS_ENTRY(JY_QS_BUCKET(a0[i]), c & JY_QS_COUNT_MAX);
			i++;
			j++;
		}
	}
	/* a gets exactly na + miss slots, b exactly nb: ASan sees any stray access */
	a = malloc((na + miss ? na + miss : 1) * sizeof(uint64_t));
	b = malloc((nb ? nb : 1) * sizeof(uint64_t));
	memcpy(a, a0, na * sizeof(uint64_t));
	memcpy(b, b0, nb * sizeof(uint64_t));
	if (!jy_qs_valid(a, na) || !jy_qs_valid(b, nb))
		FAIL("harness built an invalid sketch");
	n = jy_qs_merge(a, na, b, nb);
	if (over)
	{
		if (n != (size_t) -1)
			FAIL("jy_qs_merge: count overflow not reported");
	}
	else
	{
		if (n != nref)
			FAIL("jy_qs_merge: %zu entries, reference %zu (na=%zu nb=%zu)", n, nref, na, nb);
		if (memcmp(a, ref, n * sizeof(uint64_t)) != 0)
			FAIL("jy_qs_merge: entries differ from the reference");
		if (!jy_qs_valid(a, n))
			FAIL("jy_qs_merge: result invalid");
		if (memcmp(b, b0, nb * sizeof(uint64_t)) != 0)
			FAIL("jy_qs_merge: modified its input b");
		/* quantiles of the merge equal quantiles of the reference */
		{
			double		q = q_from(r),
						v1,
						v2;
			bool		r1 = jy_qs_quantile(a, n, q, &v1),
						r2 = ref_quantile(ref, nref, q, &v2);

			if (r1 != r2 || (r1 && v1 != v2))
				FAIL("quantile after merge disagrees");
		}
	}
	free(a);
	free(b);
	free(ref);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Reader		r = {data, size};
	uint8_t		mode;

	if (size < 1)
		return 0;
	mode = rd_u8(&r);
	switch (mode % 4)
	{
		case 0:
			while (r.n > 0)
			{
				uint64_t	v = rd_u64(&r);

				check_bucket((int64_t) (v & (uint64_t) INT64_MAX));
				/* also the value's small neighbourhood and its power-of-two edge */
				check_bucket((int64_t) ((v >> (v & 63)) & (uint64_t) INT64_MAX));
			}
			break;
		case 1:
			mode_untrusted(&r);
			break;
		case 2:
			mode_add(&r);
			break;
		case 3:
			mode_merge(&r);
			break;
	}
	return 0;
}
