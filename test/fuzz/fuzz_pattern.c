/*
 * fuzz_pattern.c — libFuzzer target over the pattern compiler and matchers.
 *
 * Input: the first line is a pattern; the bytes after the newline drive a
 * small journey (each byte: low 2 bits pick the event a/b/c/other, high bits
 * the gap in seconds).  The pattern is compiled as a journey pattern and as a
 * ClickHouse sequence pattern; whatever compiles is run (match, count, rows)
 * and checked for internal consistency: rows are non-overlapping, in order,
 * and their number equals the count.  When jy_pat_skips_others says events
 * the pattern does not name can be left out, the matches without them must be
 * the same events.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/engine \
 *         test/fuzz/fuzz_pattern.c src/engine/(all .c files) -lm
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"

typedef struct Arena
{
	void	  **b;
	size_t		n,
				cap;
} Arena;

static void *
aalloc(void *arg, size_t sz)
{
	Arena	   *a = arg;
	void	   *p = malloc(sz ? sz : 1);

	if (!p)
		abort();
	if (a->n == a->cap)
	{
		a->cap = a->cap ? a->cap * 2 : 64;
		a->b = realloc(a->b, a->cap * sizeof(void *));
		if (!a->b)
			abort();
	}
	a->b[a->n++] = p;
	return p;
}

static void
afree(Arena *a)
{
	size_t		i;

	for (i = 0; i < a->n; i++)
		free(a->b[i]);
	free(a->b);
}

#define MAXEV 256

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Arena		arena = {0};
	JyAlloc		A = {aalloc, &arena};
	JyPatError	err;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t		plen = nl ? (size_t) (nl - data) : size;
	const uint8_t *ev = nl ? nl + 1 : data + size;
	size_t		nev = (size_t) (data + size - ev);
	int64_t		ts[MAXEV];
	int32_t		ids[MAXEV];
	uint32_t	mask[MAXEV];
	static const char *names[] = {"a", "b", "c"};
	JyPattern  *p;
	JyChPattern *cp;
	size_t		i;
	int64_t		t = 0;

	if (nev > MAXEV)
		nev = MAXEV;
	p = jy_pat_compile((const char *) data, plen, &A, &err);
	if (!p && (err.pos < 0 || (size_t) err.pos > plen || err.status == JY_PAT_OK))
		abort();
	for (i = 0; i < nev; i++)
	{
		int			k = ev[i] & 3;

		t += (int64_t) (ev[i] >> 2) * 1000000;
		ts[i] = t;
		ids[i] = (p && k < 3) ? jy_pat_lookup(p, names[k], 1) : -1;
		mask[i] = k < 3 ? (1u << k) : 0u;
	}
	if (p)
	{
		JyPatScratch *s = jy_pat_scratch(p, &A);
		JyEvents	e = {ts, ids, nev};
		size_t		from = 0,
					st,
					en;
		int64_t		rows = 0,
					cnt;
		bool		m;

		m = jy_pat_match(p, s, &e);
		cnt = jy_pat_count(p, s, &e);
		while (from < nev && jy_pat_next(p, s, &e, from, true, &st, &en))
		{
			if (st < from || en < st || en >= nev)
				abort();
			rows++;
			from = en + 1;
		}
		if (rows != cnt || m != (cnt > 0))
			abort();
		if (jy_pat_skips_others(p))
		{
			/* events the pattern does not name may be left out: the same matches */
			int64_t		kts[MAXEV];
			int32_t		kid[MAXEV];
			size_t		orig[MAXEV],
						nk = 0,
						f1 = 0,
						f2 = 0,
						s1,
						e1,
						s2,
						e2;
			JyEvents	k;

			for (i = 0; i < nev; i++)
				if (ids[i] >= 0)
				{
					kts[nk] = ts[i];
					kid[nk] = ids[i];
					orig[nk] = i;
					nk++;
				}
			k.ts = kts;
			k.ev = kid;
			k.n = nk;
			if (jy_pat_count(p, s, &k) != cnt || jy_pat_match(p, s, &k) != m)
				abort();
			for (;;)
			{
				bool		h1 = f1 < nev && jy_pat_next(p, s, &e, f1, true, &s1, &e1);
				bool		h2 = f2 < nk && jy_pat_next(p, s, &k, f2, true, &s2, &e2);

				if (h1 != h2)
					abort();
				if (!h1)
					break;
				if (orig[s2] != s1 || orig[e2] != e1)
					abort();
				f1 = e1 + 1;
				f2 = e2 + 1;
			}
		}
	}
	cp = jy_ch_compile((const char *) data, plen, 3, &A, &err);
	if (cp)
	{
		/* ClickHouse keeps only events with a condition */
		size_t		n = 0;

		for (i = 0; i < nev; i++)
			if (mask[i])
			{
				ts[n] = ts[i];
				mask[n] = mask[i];
				n++;
			}
		{
			bool		m = jy_ch_match(cp, ts, mask, n, &A, NULL, NULL);
			int64_t		c = jy_ch_count(cp, ts, mask, n, &A, NULL, NULL);

			if (c > (int64_t) n + 1 || (c > 0 && !m))
				abort();
		}
	}
	afree(&arena);
	return 0;
}
