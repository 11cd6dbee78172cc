/*
 * fuzz_attribution.c — libFuzzer target for src/engine/attribution.c.
 *
 * Input: byte 0 = lookback (in steps) and reuse bit, byte 1 = model, then
 * 3-byte events (time step, channel 0..7 or none, conversion bit).  Checks,
 * abort()ing on failure:
 *  - sorting: non-decreasing times, touchpoints before conversions at a tie;
 *  - paths: every touchpoint of a conversion's path lies in its window and
 *    before it, in time order; without reuse no touchpoint is used twice;
 *    the non-converting path only holds touchpoints after the last conversion;
 *  - credits: non-negative, finite, summing to 1 for every model;
 *  - Markov on the resulting paths, order 1..3 (from byte 1): 0 <= P(without
 *    c) <= P <= 1; order 1 equals the dense solve jy_mk_absorb.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attribution.h"

#define FAIL(...) do { fprintf(stderr, "fuzz_attribution: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)
#define MAXE 256

static const char *const chans[8] = {"a", "b", "direct", "d", "e", "f", "g", "h"};

typedef struct Ctx
{
	JyAttrEvent *ev;
	size_t		n;
	int64_t		lookback;
	bool		reuse;
	int			used[MAXE];
	long		lastconv;
	int			model;
	int			order;
	int32_t    *grams;			/* (order + 1) symbols, then the count in the last slot */
	size_t		ngrams;
} Ctx;

static int	g_w;

static int
gcmp(const void *a, const void *b)
{
	return jy_mk_gram_cmp(g_w - 1, (const int32_t *) a, (const int32_t *) b);
}

static void
emit(void *arg, long conv, const size_t *t, size_t n)
{
	Ctx		   *c = (Ctx *) arg;
	size_t		i;
	int64_t		ts[MAXE];
	bool		dir[MAXE];
	double		cr[MAXE],
				sum = 0,
				w[3] = {0.4, 0.2, 0.4};
	int32_t		ch[MAXE + 1],
				g[(MAXE + 2) * (JY_MK_MAX_ORDER + 1)];

	for (i = 0; i < n; i++)
	{
		const JyAttrEvent *e = &c->ev[t[i]];

		if (e->channel == NULL)
			FAIL("a path holds a non-touchpoint");
		if (i > 0 && (t[i] <= t[i - 1]))
			FAIL("path not in order");
		if (conv >= 0)
		{
			if ((long) t[i] > conv)
				FAIL("touchpoint after its conversion");
			if (c->ev[conv].ts - e->ts > c->lookback)
				FAIL("touchpoint outside the window");
		}
		else if ((long) t[i] <= c->lastconv)
			FAIL("non-converting path holds a touchpoint before the last conversion");
		if (!c->reuse && c->used[t[i]]++)
			FAIL("touchpoint used twice");
		ts[i] = e->ts;
		dir[i] = e->chlen == 6;
		ch[i] = 1;
		{
			int			k;

			for (k = 0; k < 8; k++)
				if (e->channel == chans[k])
					ch[i] = k + 1;
		}
	}
	if (conv >= 0)
	{
		jy_attr_credit((JyAttrModel) c->model, n, ts, dir, c->ev[conv].ts, 5, w, cr);
		for (i = 0; i < n; i++)
		{
			if (!(cr[i] >= 0) || !isfinite(cr[i]))
				FAIL("bad credit");
			sum += cr[i];
		}
		if (n > 0 && fabs(sum - 1) > 1e-9)
			FAIL("credits sum to %g", sum);
	}
	if (n == 0)
		return;
	jy_mk_path_grams(c->order, ch, n, conv >= 0, g);
	for (i = 0; i <= n; i++)
	{
		memcpy(c->grams + c->ngrams * (c->order + 2), g + i * (c->order + 1), sizeof(int32_t) * (c->order + 1));
		c->grams[c->ngrams * (c->order + 2) + c->order + 1] = 1;
		c->ngrams++;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	JyAttrEvent ev[MAXE],
				tmp[MAXE];
	size_t		idx[MAXE],
				n = 0,
				i;
	Ctx			c;
	double		p,
				pw[8];

	if (size < 2)
		return 0;
	memset(&c, 0, sizeof(c));
	c.lookback = (int64_t) (data[0] >> 1) + 1;
	c.reuse = data[0] & 1;
	c.model = data[1] % JY_ATTR_NMODELS;
	for (i = 2; i + 3 <= size && n < MAXE; i += 3)
	{
		JyAttrEvent *e = &ev[n++];

		memset(e, 0, sizeof(*e));
		e->ts = data[i];
		if (data[i + 1] & 8)
		{
			e->channel = chans[data[i + 1] & 7];
			e->chlen = (uint32_t) strlen(e->channel);
		}
		e->conversion = data[i + 2] & 1;
	}
	jy_attr_sort_events(ev, n, tmp, NULL, NULL);
	for (i = 1; i < n; i++)
		if (ev[i].ts < ev[i - 1].ts ||
			(ev[i].ts == ev[i - 1].ts && ev[i].channel != NULL && ev[i - 1].channel == NULL))
			FAIL("sort order");
	c.ev = ev;
	c.n = n;
	c.lastconv = -1;
	for (i = 0; i < n; i++)
		if (ev[i].conversion)
			c.lastconv = (long) i;
	c.order = (data[1] >> 4) % 3 + 1;
	c.grams = malloc(sizeof(int32_t) * (c.order + 2) * (MAXE * MAXE + 2 * MAXE + 2));	/* reuse: a touch in many paths */
	jy_attr_paths(ev, n, c.lookback, c.reuse, idx, emit, &c);
	{
		/* sort, merge equal grams (counts add up) */
		int			w = c.order + 2,
					nch = 0;
		size_t		ng = 0,
					ns,
					k;
		int32_t    *sym = malloc(sizeof(int32_t) * (c.order + 1) * (c.ngrams + 1));
		double	   *cnt = malloc(sizeof(double) * (c.ngrams + 1));
		void	   *work;

		g_w = w;
		qsort(c.grams, c.ngrams, sizeof(int32_t) * w, gcmp);
		for (k = 0; k < c.ngrams; k++)
		{
			const int32_t *gk = c.grams + k * w;
			int			j;

			if (ng > 0 && jy_mk_gram_cmp(c.order, sym + (ng - 1) * (c.order + 1), gk) == 0)
				cnt[ng - 1] += gk[w - 1];
			else
			{
				memcpy(sym + ng * (c.order + 1), gk, sizeof(int32_t) * (c.order + 1));
				cnt[ng++] = gk[w - 1];
			}
			for (j = 0; j <= c.order; j++)
				if (gk[j] > nch)
					nch = gk[j];
		}
		if (nch > 8)
			FAIL("too many channels");
		ns = jy_mk_count_states(c.order, ng, sym);
		work = malloc(jy_mk_work_bytes(ns, ng));
		jy_mk_solve_k(c.order, nch, ng, sym, cnt, ns, &p, pw, work, NULL, NULL);
		if (!(p >= -1e-12 && p <= 1 + 1e-12))
			FAIL("P out of range: %g", p);
		for (i = 0; i < (size_t) nch; i++)
			if (!(pw[i] >= -1e-12 && pw[i] <= p + 1e-9))
				FAIL("P without channel %zu out of range: %g (P %g)", i, pw[i], p);
		if (c.order == 1)
		{
			/* dense first-order chain: states 0 = start, 1..8 channels */
			double		q[81],
						r[9],
						tot[9],
						dw[90];

			memset(q, 0, sizeof(q));
			memset(r, 0, sizeof(r));
			memset(tot, 0, sizeof(tot));
			for (k = 0; k < ng; k++)
				tot[sym[2 * k]] += cnt[k];
			for (k = 0; k < ng; k++)
			{
				int			a = sym[2 * k],
							b = sym[2 * k + 1];

				if (b == JY_MK_CONV)
					r[a] += cnt[k] / tot[a];
				else if (b > 0)
					q[a * 9 + b] += cnt[k] / tot[a];
			}
			if (fabs(jy_mk_absorb(9, q, r, -1, dw) - p) > 1e-9)
				FAIL("order 1: sparse and dense solves differ");
			for (i = 0; i < (size_t) nch; i++)
				if (fabs(jy_mk_absorb(9, q, r, (int) i + 1, dw) - pw[i]) > 1e-9)
					FAIL("order 1: removal of channel %zu differs", i + 1);
		}
		free(work);
		free(sym);
		free(cnt);
	}
	free(c.grams);
	return 0;
}
