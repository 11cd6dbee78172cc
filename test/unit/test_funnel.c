/*
 * Unit tests of the funnel engine.
 *
 * Two independent references:
 *   - ch_level(): a line-by-line transliteration of ClickHouse's
 *     AggregateFunctionWindowFunnel (add(), stable sort, getEventLevelNonStrictOnce
 *     and getEventLevelStrictOnce with its lists of sequences and event paths),
 *     run on raw rows.  Every mode combination is compared with it.
 *   - brute(): enumerates every chain (depth-first) and keeps the deepest valid
 *     one; used where the result is "does a chain exist" (default,
 *     strict_once, strict_once+strict_increase), with exclusions too, and to
 *     check the winning chain (earliest completion, latest start).
 */
#include "unit.h"
#include "funnel.h"

#include <stdint.h>

#define MAXR 40
#define MAXN 8
#define MAXX 3

typedef struct Row
{
	int64_t		ts;
	unsigned	steps;			/* bit k: matches step k+1 */
	unsigned	excl;			/* bit x: matches exclusion x */
} Row;

/* ---------------- ClickHouse transliteration ---------------------------- */

typedef struct ChEv
{
	int64_t		ts;
	int			ev;				/* 0 = no condition matched (strict_order), 1..N */
	uint64_t	uid;
} ChEv;

static void
ch_sort(ChEv *v, int n, bool with_uid)
{
	/* stable insertion sort on (ts, ev[, uid]) */
	int			i,
				j;

	for (i = 1; i < n; i++)
	{
		ChEv		x = v[i];

		for (j = i; j > 0; j--)
		{
			ChEv	   *p = &v[j - 1];
			bool		gt = p->ts > x.ts || (p->ts == x.ts && (p->ev > x.ev ||
														   (with_uid && p->ev == x.ev && p->uid > x.uid)));

			if (!gt)
				break;
			v[j] = v[j - 1];
		}
		v[j] = x;
	}
}

typedef struct ChSeq
{
	uint64_t	first,
				last;
	uint64_t	path[MAXN];
} ChSeq;

/*
 * ClickHouse takes tied rows in arrival order; journey fixes that order
 * (funnel.h: rows at one timestamp ranked by their step set as a binary
 * number).  The reference therefore runs ClickHouse's algorithm on the rows
 * as if they arrived in that order: sorted by (ts, steps), stably.  Rows
 * without ties keep their order, so this only matters for ties.
 */
static void
tie_order(const Row *in, int nr, Row *out)
{
	int			i,
				j;

	for (i = 0; i < nr; i++)
	{
		Row			x = in[i];

		for (j = i; j > 0 && (out[j - 1].ts > x.ts ||
							  (out[j - 1].ts == x.ts && out[j - 1].steps > x.steps)); j--)
			out[j] = out[j - 1];
		out[j] = x;
	}
}

static int ch_level_arrival(const Row *rows, int nr, int N, uint64_t window, unsigned modes);

static int
ch_level(const Row *rows, int nr, int N, uint64_t window, unsigned modes)
{
	Row			sorted[MAXR];

	tie_order(rows, nr, sorted);
	return ch_level_arrival(sorted, nr, N, window, modes);
}

/* ClickHouse, rows in the order given */
static int
ch_level_arrival(const Row *rows, int nr, int N, uint64_t window, unsigned modes)
{
	ChEv		evs[MAXR * (MAXN + 1)];
	int			n = 0,
				r,
				i;
	bool		dedup = modes & JY_FUNNEL_STRICT_DEDUP,
				order = modes & JY_FUNNEL_STRICT_ORDER,
				incr = modes & JY_FUNNEL_STRICT_INCREASE,
				once = modes & JY_FUNNEL_STRICT_ONCE,
				reentry = modes & JY_FUNNEL_ALLOW_REENTRY;
	uint64_t	uid = 1;

	for (r = 0; r < nr; r++)
	{
		bool		has = false;

		for (i = N; i > 0; i--)
			if (rows[r].steps & (1u << (i - 1)))
			{
				evs[n++] = (ChEv) {rows[r].ts, i, uid};
				has = true;
			}
		if (order && !has)
			evs[n++] = (ChEv) {rows[r].ts, 0, uid};
		uid++;
	}
	if (n == 0)
		return 0;
	if (!order && N == 1)
		return 1;
	ch_sort(evs, n, once);

	if (!once)
	{
		bool		has[MAXN] = {false};
		uint64_t	first[MAXN],
					last[MAXN];
		bool		first_event = false;

		for (i = 0; i < n; i++)
		{
			uint64_t	t = (uint64_t) evs[i].ts;
			int			idx = evs[i].ev - 1;

			if (order && idx == -1)
			{
				if (first_event)
					break;
				continue;
			}
			if (idx == 0)
			{
				has[0] = true;
				first[0] = last[0] = t;
				first_event = true;
			}
			else if (dedup && has[idx])
			{
				int			k;

				for (k = N; k > 0; k--)
					if (has[k - 1])
						return k;
				return 0;
			}
			else if (order && first_event && !has[idx - 1])
			{
				int			k;

				if (reentry)
					continue;
				for (k = 0; k < N; k++)
					if (!has[k])
						return k;
			}
			else if (has[idx - 1])
			{
				uint64_t	f = first[idx - 1];
				bool		tm = t <= f + window;

				if (incr)
					tm = tm && last[idx - 1] < t;
				if (tm)
				{
					has[idx] = true;
					first[idx] = f;
					last[idx] = t;
					if (idx + 1 == N)
						return N;
				}
			}
		}
		for (i = N; i > 0; i--)
			if (has[i - 1])
				return i;
		return 0;
	}
	else
	{
		static ChSeq seqs[MAXN][20000];
		int			cnt[MAXN] = {0};
		bool		has_first = false;

		for (i = 0; i < n; i++)
		{
			uint64_t	t = (uint64_t) evs[i].ts;
			int			idx = evs[i].ev - 1;
			uint64_t	u = evs[i].uid;

			if (order && idx == -1)
			{
				if (has_first)
					break;
				continue;
			}
			else if (idx == 0)
			{
				ChSeq	   *s;

				if (cnt[0] >= 20000)
					return -1;	/* the reference gives up (it keeps every sequence) */
				s = &seqs[0][cnt[0]++];
				s->first = s->last = t;
				s->path[0] = u;
				has_first = true;
			}
			else if (dedup && cnt[idx] > 0)
			{
				int			k;

				for (k = N; k > 0; k--)
					if (cnt[k - 1] > 0)
						return k;
				return 0;
			}
			else if (order && has_first && cnt[idx - 1] == 0)
			{
				int			k;

				if (reentry)
					continue;
				for (k = 0; k < N; k++)
					if (cnt[k] == 0)
						return k;
			}
			else if (cnt[idx - 1] > 0)
			{
				int			j = 0;

				while (j < cnt[idx - 1])
				{
					ChSeq	   *it = &seqs[idx - 1][j];
					uint64_t	f = it->first;
					bool		tm = t <= f + window;
					uint64_t	path[MAXN];
					int			q;

					if (!tm && cnt[idx - 1] > 1)
					{
						/* erase, keeping order */
						memmove(it, it + 1, (cnt[idx - 1] - j - 1) * sizeof(ChSeq));
						cnt[idx - 1]--;
						continue;
					}
					memcpy(path, it->path, sizeof(path));
					for (q = 0; q < idx; q++)
					{
						if (!tm)
							break;
						tm = path[q] != u;
					}
					if (tm && incr)
						tm = it->last < t;
					if (tm)
					{
						ChSeq	   *ns;

						if (cnt[idx] >= 20000)
							return -1;	/* the reference gives up */
						ns = &seqs[idx][cnt[idx]++];

						path[idx] = u;
						ns->first = f;
						ns->last = t;
						memcpy(ns->path, path, sizeof(path));
						if (idx + 1 == N)
							return N;
					}
					j++;
				}
			}
		}
		for (i = N; i > 0; i--)
			if (cnt[i - 1] > 0)
				return i;
		return 0;
	}
}

/* ---------------- engine driver ----------------------------------------- */

static int	g_nx;
static JyFunnelExcl g_excl[MAXX];

static size_t
make_entries(const Row *rows, int nr, int N, unsigned modes, JyFunnelEntry *e)
{
	size_t		n = 0;
	int			r,
				k;

	for (r = 0; r < nr; r++)
	{
		if ((modes & JY_FUNNEL_STRICT_ORDER) && rows[r].steps == 0)
			e[n++] = (JyFunnelEntry) {rows[r].ts, JY_FUNNEL_TAG_MARK, (uint32_t) r};
		for (k = 0; k < g_nx; k++)
			if (rows[r].excl & (1u << k))
				e[n++] = (JyFunnelEntry) {rows[r].ts, JY_FUNNEL_TAG_EXCL(k), (uint32_t) r};
		for (k = 0; k < N; k++)
			if (rows[r].steps & (1u << k))
				e[n++] = (JyFunnelEntry) {rows[r].ts, JY_FUNNEL_TAG_STEP(k), (uint32_t) r};
	}
	return n;
}

static int
run_engine(const Row *rows, int nr, int N, int64_t window, unsigned modes, int64_t *times, size_t *nent)
{
	JyFunnelEntry e[MAXR * (MAXN + MAXX + 1)],
				scratch[MAXR * (MAXN + MAXX + 1)];
	JyFunnelSpec spec = {window, N, modes, g_nx, g_excl};
	size_t		n = make_entries(rows, nr, N, modes, e);
	size_t		size = jy_funnel_work_size(&spec, n, 0),
				need = 0;
	void	   *work;
	int			lv;

	if (nent)
		*nent = n;
	jy_funnel_sort(e, n, scratch);
	for (;;)
	{
		work = malloc(size);
		lv = jy_funnel_eval(&spec, e, n, times, work, size, &need);
		free(work);
		if (lv != JY_FUNNEL_NEED_MORE)
			return lv;
		if (need <= size)
			return -100;
		size = need;
	}
}

/* ---------------- brute force over chains ------------------------------- */

typedef struct Brute
{
	const JyFunnelEntry *e;
	size_t		n;
	int			N;
	int64_t		window;
	bool		once,
				incr;
	int			best;
	size_t		best_last;		/* position of the deepest level's entry, earliest */
	int64_t		best_first;		/* latest start among chains ending there */
	size_t		pos[MAXN];
} Brute;

/*
 * Exclusions cancel partial chains: while a chain sits at level L (it has
 * reached step L, not yet step L+1), an exclusion x with from <= L < to
 * cancels it.  The chain pos[0..lv] is valid when no such exclusion entry lies
 * strictly between pos[lv-1] and pos[lv].
 */
static bool
excluded_at(const Brute *b, int lv)
{
	int			x,
				L = lv;			/* 1-based level held between pos[lv-1] and pos[lv] */
	size_t		q;

	for (x = 0; x < g_nx; x++)
	{
		if (!(g_excl[x].from <= L && L < g_excl[x].to))
			continue;
		for (q = b->pos[lv - 1] + 1; q < b->pos[lv]; q++)
			if (b->e[q].tag == JY_FUNNEL_TAG_EXCL(x))
				return true;
	}
	return false;
}

static void
brute_rec(Brute *b, int k)
{
	/* levels 0..k placed; consider recording and extending */
	int			lv = k + 1;
	size_t		q;

	if (lv > b->best || (lv == b->best && b->pos[k] < b->best_last) ||
		(lv == b->best && b->pos[k] == b->best_last && b->e[b->pos[0]].ts > b->best_first))
	{
		b->best = lv;
		b->best_last = b->pos[k];
		b->best_first = b->e[b->pos[0]].ts;
	}
	if (lv == b->N)
		return;
	for (q = b->pos[k] + 1; q < b->n; q++)
	{
		const JyFunnelEntry *c = &b->e[q];
		int			j;
		bool		ok = true;

		if (c->tag != JY_FUNNEL_TAG_STEP(lv))
			continue;
		if (jy_udiff(c->ts, b->e[b->pos[0]].ts) > (uint64_t) b->window)
			break;
		if (b->incr && !(c->ts > b->e[b->pos[k]].ts))
			continue;
		if (b->once)
			for (j = 0; j <= k; j++)
				if (b->e[b->pos[j]].row == c->row)
					ok = false;
		if (!ok)
			continue;
		b->pos[lv] = q;
		if (excluded_at(b, lv))
			continue;
		brute_rec(b, lv);
	}
}

static int
brute(const Row *rows, int nr, int N, int64_t window, unsigned modes, size_t *last, int64_t *first,
	  JyFunnelEntry *e, size_t *ne)
{
	JyFunnelEntry scratch[MAXR * (MAXN + MAXX + 1)];
	Brute		b;
	size_t		q;

	memset(&b, 0, sizeof(b));
	b.n = make_entries(rows, nr, N, modes, e);
	jy_funnel_sort(e, b.n, scratch);
	b.e = e;
	b.N = N;
	b.window = window;
	b.once = modes & JY_FUNNEL_STRICT_ONCE;
	b.incr = modes & JY_FUNNEL_STRICT_INCREASE;
	for (q = 0; q < b.n; q++)
		if (e[q].tag == JY_FUNNEL_TAG_STEP(0))
		{
			b.pos[0] = q;
			brute_rec(&b, 0);
		}
	*last = b.best_last;
	*first = b.best_first;
	*ne = b.n;
	return b.best;
}

/* ---------------- random inputs ----------------------------------------- */

static uint64_t rng = 12345;
static uint64_t
rnd(void)
{
	uint64_t	z = (rng += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static int
random_rows(Row *rows, int N, bool with_excl)
{
	int			nr = 1 + (int) (rnd() % 14),
				r;
	int64_t		t = 1000;
	int			span = 1 + (int) (rnd() % 6);

	for (r = 0; r < nr; r++)
	{
		unsigned	m = 0;
		int			k;

		t += (int64_t) (rnd() % (unsigned) span);	/* many ties */
		rows[r].ts = t;
		/* usually one step, sometimes none or several */
		switch (rnd() % 6)
		{
			case 0:
				break;
			case 1:
				for (k = 0; k < N; k++)
					if (rnd() % 2)
						m |= 1u << k;
				break;
			default:
				m = 1u << (rnd() % (unsigned) N);
		}
		rows[r].steps = m;
		rows[r].excl = (with_excl && rnd() % 5 == 0) ? 1u << (rnd() % (unsigned) g_nx) : 0;
		if (rows[r].excl && rnd() % 2)
			rows[r].steps = 0;
	}
	/* shuffle: input order must not matter */
	for (r = nr - 1; r > 0; r--)
	{
		int			j = (int) (rnd() % (unsigned) (r + 1));
		Row			x = rows[r];

		rows[r] = rows[j];
		rows[j] = x;
	}
	return nr;
}

static bool
times_valid(const int64_t *times, int lv, int64_t window, unsigned modes)
{
	int			k;

	for (k = 1; k < lv; k++)
	{
		if (times[k] < times[k - 1])
			return false;
		if ((modes & JY_FUNNEL_STRICT_INCREASE) && times[k] == times[k - 1])
			return false;
	}
	return lv == 0 || jy_udiff(times[lv - 1], times[0]) <= (uint64_t) window;
}

static void
test_random_vs_clickhouse(void)
{
	unsigned	modes;
	int			iter;

	g_nx = 0;
	for (modes = 0; modes <= JY_FUNNEL_ALL_MODES; modes++)
	{
		if ((modes & JY_FUNNEL_ALLOW_REENTRY) && !(modes & JY_FUNNEL_STRICT_ORDER))
			continue;
		for (iter = 0; iter < 3000; iter++)
		{
			Row			rows[MAXR];
			int			N = 1 + (int) (rnd() % 5);
			int			nr = random_rows(rows, N, false);
			int64_t		window = 1 + (int64_t) (rnd() % 8);
			int64_t		times[MAXN];
			int			want = ch_level(rows, nr, N, (uint64_t) window, modes);
			int			got = run_engine(rows, nr, N, window, modes, times, NULL);

			CHECK(want >= 0);
			if (got != want)
			{
				int			r;

				printf("  modes=%#x N=%d window=%lld: engine %d, ClickHouse %d\n", modes, N,
					   (long long) window, got, want);
				for (r = 0; r < nr; r++)
					printf("    ts=%lld steps=%#x\n", (long long) rows[r].ts, rows[r].steps);
			}
			CHECK_EQ_I64(got, want);
			CHECK(times_valid(times, got, window, modes));
		}
	}
}

static void
test_random_vs_brute_force(void)
{
	static const unsigned mm[] = {0, JY_FUNNEL_STRICT_ONCE, JY_FUNNEL_STRICT_ONCE | JY_FUNNEL_STRICT_INCREASE};
	int			m,
				iter;

	for (m = 0; m < 3; m++)
		for (iter = 0; iter < 20000; iter++)
		{
			Row			rows[MAXR];
			int			N = 1 + (int) (rnd() % 6);
			int			nr,
						got,
						want,
						k;
			int64_t		window = 1 + (int64_t) (rnd() % 10);
			int64_t		times[MAXN];
			JyFunnelEntry e[MAXR * (MAXN + MAXX + 1)];
			size_t		ne,
						last,
						q;
			int64_t		first;

			g_nx = 0;
			if (N >= 2 && rnd() % 2)
			{
				g_nx = 1 + (int) (rnd() % MAXX);
				for (k = 0; k < g_nx; k++)
				{
					int			a = 1 + (int) (rnd() % (unsigned) (N - 1));
					int			b = a + 1 + (int) (rnd() % (unsigned) (N - a));

					g_excl[k].from = (uint16_t) a;
					g_excl[k].to = (uint16_t) b;
				}
			}
			nr = random_rows(rows, N, g_nx > 0);
			want = brute(rows, nr, N, window, mm[m], &last, &first, e, &ne);
			got = run_engine(rows, nr, N, window, mm[m], times, NULL);
			if (got != want)
			{
				int			r;

				printf("  modes=%#x N=%d window=%lld nx=%d: engine %d, brute %d\n", mm[m], N,
					   (long long) window, g_nx, got, want);
				for (k = 0; k < g_nx; k++)
					printf("    excl %d: %d..%d\n", k, g_excl[k].from, g_excl[k].to);
				for (r = 0; r < nr; r++)
					printf("    ts=%lld steps=%#x excl=%#x\n", (long long) rows[r].ts, rows[r].steps, rows[r].excl);
			}
			CHECK_EQ_I64(got, want);
			if (got > 0)
			{
				/* winning chain: completes at the earliest possible entry, starts as late as possible */
				CHECK(times_valid(times, got, window, mm[m]));
				CHECK_EQ_I64(times[got - 1], e[last].ts);
				CHECK_EQ_I64(times[0], first);
			}
			(void) q;
		}
	g_nx = 0;
}

/* ---------------- hand-checked cases ------------------------------------- */

static int
lvl(const Row *rows, int nr, int N, int64_t window, unsigned modes, int64_t *times)
{
	int64_t		tt[MAXN];

	return run_engine(rows, nr, N, window, modes, times ? times : tt, NULL);
}

#define A 1u
#define B 2u
#define C 4u
#define D 8u

static void
test_modes_by_hand(void)
{
	/* A B C within the window; window boundary inclusive */
	Row			r1[] = {{0, A, 0}, {5, B, 0}, {10, C, 0}};
	Row			r2[] = {{0, A, 0}, {1, B, 0}, {2, C, 0}, {3, B, 0}, {4, D, 0}};	/* A-B-C-B-D */
	Row			r3[] = {{0, A, 0}, {1, B, 0}, {2, 0, 0}, {3, C, 0}};	/* A-B-x-C */
	Row			r4[] = {{0, A, 0}, {0, B, 0}, {1, C, 0}};	/* A,B tie */
	Row			r5[] = {{0, A | B, 0}, {1, C, 0}};	/* one row, two steps */
	Row			r6[] = {{0, A, 0}, {1, C, 0}, {2, B, 0}, {3, C, 0}};	/* A-C-B-C */
	Row			r7[] = {{0, A, 0}, {5, B, 0}, {7, B, 0}, {7, C, 0}};	/* greedy overwrite */
	int64_t		t[MAXN];

	g_nx = 0;
	CHECK_EQ_I64(lvl(r1, 3, 3, 10, 0, t), 3);
	CHECK_EQ_I64(t[0], 0);
	CHECK_EQ_I64(t[1], 5);
	CHECK_EQ_I64(t[2], 10);
	CHECK_EQ_I64(lvl(r1, 3, 3, 9, 0, NULL), 2);
	/* strict_deduplication: A-B-C-B-D stops at the second B */
	CHECK_EQ_I64(lvl(r2, 5, 4, 100, 0, NULL), 4);
	CHECK_EQ_I64(lvl(r2, 5, 4, 100, JY_FUNNEL_STRICT_DEDUP, NULL), 3);
	/* strict_order: another event interrupts */
	CHECK_EQ_I64(lvl(r3, 4, 3, 100, 0, NULL), 3);
	CHECK_EQ_I64(lvl(r3, 4, 3, 100, JY_FUNNEL_STRICT_ORDER, NULL), 2);
	/* ties: ordered by step index; strict_increase needs a later timestamp */
	CHECK_EQ_I64(lvl(r4, 3, 3, 100, 0, NULL), 3);
	CHECK_EQ_I64(lvl(r4, 3, 3, 100, JY_FUNNEL_STRICT_INCREASE, NULL), 1);
	/* one row matching two steps advances two levels, except with strict_once / strict_increase */
	CHECK_EQ_I64(lvl(r5, 2, 3, 100, 0, NULL), 3);
	CHECK_EQ_I64(lvl(r5, 2, 3, 100, JY_FUNNEL_STRICT_ONCE, NULL), 1);
	CHECK_EQ_I64(lvl(r5, 2, 3, 100, JY_FUNNEL_STRICT_INCREASE, NULL), 1);
	/* strict_order: a later step before its predecessor stops; allow_reentry skips it */
	CHECK_EQ_I64(lvl(r6, 4, 3, 100, 0, NULL), 3);
	CHECK_EQ_I64(lvl(r6, 4, 3, 100, JY_FUNNEL_STRICT_ORDER, NULL), 1);
	CHECK_EQ_I64(lvl(r6, 4, 3, 100, JY_FUNNEL_STRICT_ORDER | JY_FUNNEL_ALLOW_REENTRY, NULL), 3);
	/* ClickHouse's strict_increase overwrites B@5 by B@7, then C@7 is not later: 2 */
	CHECK_EQ_I64(lvl(r7, 4, 3, 100, JY_FUNNEL_STRICT_INCREASE, NULL), 2);
	CHECK_EQ_I64(lvl(r7, 4, 3, 100, JY_FUNNEL_STRICT_INCREASE | JY_FUNNEL_STRICT_ONCE, NULL), 3);
	/* empty input */
	CHECK_EQ_I64(lvl(r1, 0, 3, 10, 0, NULL), 0);
}

static void
test_exclusions_by_hand(void)
{
	Row			r1[] = {{0, A, 0}, {1, 0, 1}, {2, B, 0}, {3, C, 0}};	/* A x B C */
	Row			r5[] = {{0, A, 0}, {1, B, 0}, {2, 0, 1}, {3, C, 0}};	/* A B x C */
	Row			r2[] = {{0, A, 0}, {1, 0, 1}, {2, A, 0}, {3, B, 0}, {4, C, 0}};	/* A x A B C */
	Row			r3[] = {{0, A, 0}, {2, 0, 1}, {2, B, 0}};	/* x at the same time as B: counts */
	Row			r4[] = {{0, 0, 1}, {0, A, 0}, {2, B, 0}};	/* x at the same time as A: does not */
	int64_t		t[MAXN];

	g_nx = 1;
	g_excl[0].from = 1;
	g_excl[0].to = 2;
	CHECK_EQ_I64(lvl(r1, 4, 3, 100, 0, NULL), 1);
	CHECK_EQ_I64(lvl(r2, 5, 3, 100, 0, t), 3);
	CHECK_EQ_I64(t[0], 2);
	CHECK_EQ_I64(lvl(r3, 3, 2, 100, 0, NULL), 1);
	CHECK_EQ_I64(lvl(r4, 3, 2, 100, 0, NULL), 2);
	/* x between steps 1 and 3 cancels a chain that has reached step 1 or 2 */
	g_excl[0].to = 3;
	CHECK_EQ_I64(lvl(r5, 4, 3, 100, 0, NULL), 2);
	CHECK_EQ_I64(lvl(r1, 4, 3, 100, 0, NULL), 1);
	/* exclusion between steps 2 and 3 does not touch a chain before step 2 */
	g_excl[0].from = 2;
	g_excl[0].to = 3;
	CHECK_EQ_I64(lvl(r1, 4, 3, 100, 0, NULL), 3);
	g_nx = 0;
}

static void
test_many_steps(void)
{
	/* 300 steps, one event each, one microsecond apart; and window exactly the span */
	enum
	{
		NS = 300
	};
	static JyFunnelEntry e[NS],
				s[NS];
	static int64_t times[NS];
	JyFunnelSpec spec = {NS - 1, NS, 0, 0, NULL};
	size_t		size,
				need;
	void	   *work;
	int			k;

	for (k = 0; k < NS; k++)
		e[NS - 1 - k] = (JyFunnelEntry) {k, JY_FUNNEL_TAG_STEP(k), (uint32_t) k};
	jy_funnel_sort(e, NS, s);
	size = jy_funnel_work_size(&spec, NS, 0);
	work = malloc(size);
	CHECK_EQ_I64(jy_funnel_eval(&spec, e, NS, times, work, size, &need), NS);
	CHECK_EQ_I64(times[NS - 1], NS - 1);
	spec.window = NS - 2;
	CHECK_EQ_I64(jy_funnel_eval(&spec, e, NS, times, work, size, &need), NS - 1);
	spec.modes = JY_FUNNEL_STRICT_ONCE | JY_FUNNEL_STRICT_ORDER;
	spec.window = NS;
	free(work);
	size = jy_funnel_work_size(&spec, NS, 0);
	work = malloc(size);
	CHECK_EQ_I64(jy_funnel_eval(&spec, e, NS, times, work, size, &need), NS);
	free(work);
}

static void
test_extreme_timestamps(void)
{
	Row			r[] = {{INT64_MIN, A, 0}, {INT64_MAX, B, 0}};

	g_nx = 0;
	CHECK_EQ_I64(lvl(r, 2, 2, INT64_MAX, 0, NULL), 1);	/* span 2^64-1 > window */
	r[0].ts = -1;
	CHECK_EQ_I64(lvl(r, 2, 2, INT64_MAX, 0, NULL), 1);	/* span 2^63 */
	r[0].ts = 0;
	CHECK_EQ_I64(lvl(r, 2, 2, INT64_MAX, 0, NULL), 2);
}

static void
test_sort(void)
{
	static JyFunnelEntry e[5000],
				s[5000];
	int			iter,
				i;

	for (iter = 0; iter < 50; iter++)
	{
		int			n = (int) (rnd() % 5000);

		for (i = 0; i < n; i++)
			e[i] = (JyFunnelEntry) {(int64_t) (rnd() % 100) - 50, (uint32_t) (rnd() % 4), (uint32_t) i};
		jy_funnel_sort(e, (size_t) n, s);
		for (i = 1; i < n; i++)
		{
			CHECK(!jy_funnel_entry_gt(&e[i - 1], &e[i]));
			/* stable: equal keys keep their row order */
			if (e[i - 1].ts == e[i].ts && e[i - 1].tag == e[i].tag)
				CHECK(e[i - 1].row < e[i].row);
		}
	}
}

/* ---------------- ties: rows sharing a timestamp -------------------------- */

/* the tie order itself: rows at one time ranked by their step set as a binary number */
static void
test_tie_order(void)
{
	/* rows 0..3 at t=5: {1,2,3} {2} {1,2} {3}; row 4 at t=6: {1}; an exclusion row at t=5 */
	JyFunnelEntry e[] = {
		{5, JY_FUNNEL_TAG_STEP(0), 0}, {5, JY_FUNNEL_TAG_STEP(1), 0}, {5, JY_FUNNEL_TAG_STEP(2), 0},
		{5, JY_FUNNEL_TAG_STEP(1), 1},
		{6, JY_FUNNEL_TAG_STEP(0), 4},
		{5, JY_FUNNEL_TAG_STEP(0), 2}, {5, JY_FUNNEL_TAG_STEP(1), 2},
		{5, JY_FUNNEL_TAG_EXCL(0), 5},
		{5, JY_FUNNEL_TAG_STEP(2), 3},
	};
	/* rank {2} < {1,2} < {3} < {1,2,3}: rows 1, 2, 3, 0 take the ids 0, 1, 2, 3 */
	static const JyFunnelEntry want[] = {
		{5, JY_FUNNEL_TAG_EXCL(0), 5},
		{5, JY_FUNNEL_TAG_STEP(0), 1}, {5, JY_FUNNEL_TAG_STEP(0), 3},
		{5, JY_FUNNEL_TAG_STEP(1), 0}, {5, JY_FUNNEL_TAG_STEP(1), 1}, {5, JY_FUNNEL_TAG_STEP(1), 3},
		{5, JY_FUNNEL_TAG_STEP(2), 2}, {5, JY_FUNNEL_TAG_STEP(2), 3},
		{6, JY_FUNNEL_TAG_STEP(0), 4},
	};
	const size_t n = sizeof(e) / sizeof(e[0]);
	JyFunnelEntry s[sizeof(e) / sizeof(e[0])],
				again[sizeof(e) / sizeof(e[0])];
	size_t		i;

	CHECK_EQ_I64(jy_funnel_ties_scratch(e, n), 0);	/* unsorted: no adjacent equal steps yet */
	jy_funnel_sort(e, n, s);
	for (i = 0; i < n; i++)
	{
		CHECK_EQ_I64(e[i].ts, want[i].ts);
		CHECK_EQ_I64(e[i].tag, want[i].tag);
		CHECK_EQ_I64(e[i].row, want[i].row);
	}
	/* idempotent, and the (ts, tag)-sorted path (state arrived sorted) gives the same order */
	memcpy(again, e, sizeof(e));
	CHECK_EQ_I64(jy_funnel_ties_scratch(again, n), 7);
	jy_funnel_order_ties(again, n, s, NULL, NULL);
	CHECK(memcmp(again, e, sizeof(e)) == 0);
}

/* the case of issue 13: cart {2}, checkout {3}, view {1,2} at one instant, dedup + once */
static void
test_ties_issue_case(void)
{
	static const int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	const Row	base[3] = {{7, B, 0}, {7, C, 0}, {7, A | B, 0}};
	unsigned	modes = JY_FUNNEL_STRICT_DEDUP | JY_FUNNEL_STRICT_ONCE;
	int			p;

	g_nx = 0;
	/* ClickHouse's answer depends on arrival: 2 in this order, 3 reversed */
	{
		Row			fwd[3] = {base[0], base[1], base[2]},
					rev[3] = {base[2], base[1], base[0]};

		CHECK_EQ_I64(ch_level_arrival(fwd, 3, 3, 10, modes), 2);
		CHECK_EQ_I64(ch_level_arrival(rev, 3, 3, 10, modes), 3);
	}
	/*
	 * ours: view {1,2} = 3 ranks after cart {2} = 2, so at step 2 cart comes
	 * first and extends view's chain; view's own step-2 entry is then a
	 * repeated step: strict_deduplication stops at level 2 in every order.
	 */
	for (p = 0; p < 6; p++)
	{
		Row			r[3];
		int			k;

		for (k = 0; k < 3; k++)
			r[k] = base[perm[p][k]];
		CHECK_EQ_I64(lvl(r, 3, 3, 10, modes, NULL), 2);
		CHECK_EQ_I64(ch_level(r, 3, 3, 10, modes), 2);
	}
}

static void
shuffle_rows(Row *r, int nr)
{
	int			i;

	for (i = nr - 1; i > 0; i--)
	{
		int			j = (int) (rnd() % (unsigned) (i + 1));
		Row			t = r[i];

		r[i] = r[j];
		r[j] = t;
	}
}

/*
 * Every mode, with and without exclusions, overlapping steps, repeated
 * (identical) rows, many ties: the level and the winning chain's times are
 * the same for the rows in any order.
 */
static void
test_ties_any_order(void)
{
	unsigned	modes;
	long		comparisons = 0;

	for (modes = 0; modes <= JY_FUNNEL_ALL_MODES; modes++)
	{
		int			iter;

		if ((modes & JY_FUNNEL_ALLOW_REENTRY) && !(modes & JY_FUNNEL_STRICT_ORDER))
			continue;
		for (iter = 0; iter < 1500; iter++)
		{
			Row			rows[MAXR],
						perm[MAXR];
			int			N = 1 + (int) (rnd() % 5),
						nr,
						k,
						p,
						lv0;
			int64_t		window = 1 + (int64_t) (rnd() % 8),
						t0[MAXN],
						t1[MAXN];

			g_nx = 0;
			if (N >= 2 && rnd() % 3 == 0)
			{
				g_nx = 1 + (int) (rnd() % MAXX);
				for (k = 0; k < g_nx; k++)
				{
					int			a = 1 + (int) (rnd() % (unsigned) (N - 1));

					g_excl[k].from = (uint16_t) a;
					g_excl[k].to = (uint16_t) (a + 1 + (int) (rnd() % (unsigned) (N - a)));
				}
			}
			nr = random_rows(rows, N, g_nx > 0);
			/* fewer rows under strict_once (its chains at one time grow factorially) */
			if ((modes & JY_FUNNEL_STRICT_ONCE) && nr > 10)
				nr = 10;
			/* repeated rows: copies of earlier ones */
			for (k = 1; k < nr; k++)
				if (rnd() % 6 == 0)
					rows[k] = rows[rnd() % (unsigned) k];
			memset(t0, 0, sizeof(t0));
			lv0 = run_engine(rows, nr, N, window, modes, t0, NULL);
			CHECK(lv0 >= 0);
			for (p = 0; p < 4; p++)
			{
				int			lv;

				memcpy(perm, rows, nr * sizeof(Row));
				if (p == 0)
					for (k = 0; k < nr; k++)
						perm[k] = rows[nr - 1 - k];
				else
					shuffle_rows(perm, nr);
				memset(t1, 0, sizeof(t1));
				lv = run_engine(perm, nr, N, window, modes, t1, NULL);
				comparisons++;
				if (lv != lv0)
				{
					printf("  modes=%#x N=%d window=%lld nx=%d: %d in one order, %d in another\n",
						   modes, N, (long long) window, g_nx, lv0, lv);
					for (k = 0; k < nr; k++)
						printf("    ts=%lld steps=%#x excl=%#x\n", (long long) rows[k].ts,
							   rows[k].steps, rows[k].excl);
				}
				CHECK_EQ_I64(lv, lv0);
				for (k = 0; k < lv0 && lv == lv0; k++)
					CHECK_EQ_I64(t1[k], t0[k]);
			}
		}
	}
	g_nx = 0;
	printf("  %ld permuted evaluations compared\n", comparisons);
}

static void
test_parse_modes(void)
{
	unsigned	m = 99;
	const char *bad;
	int			len;

	CHECK_EQ_I64(jy_funnel_parse_modes("", &m, &bad, &len), JY_FUNNEL_MODE_OK);
	CHECK_EQ_I64(m, 0);
	CHECK_EQ_I64(jy_funnel_parse_modes(" strict_order ,strict_once", &m, &bad, &len), JY_FUNNEL_MODE_OK);
	CHECK_EQ_I64(m, JY_FUNNEL_STRICT_ORDER | JY_FUNNEL_STRICT_ONCE);
	CHECK_EQ_I64(jy_funnel_parse_modes("default", &m, &bad, &len), JY_FUNNEL_MODE_OK);
	CHECK_EQ_I64(m, 0);
	CHECK_EQ_I64(jy_funnel_parse_modes("strict_order,bogus", &m, &bad, &len), JY_FUNNEL_MODE_UNKNOWN);
	CHECK(len == 5 && memcmp(bad, "bogus", 5) == 0);
	CHECK_EQ_I64(jy_funnel_parse_modes("strict", &m, &bad, &len), JY_FUNNEL_MODE_STRICT);
	CHECK_EQ_I64(jy_funnel_parse_modes("allow_reentry", &m, &bad, &len), JY_FUNNEL_MODE_REENTRY);
	CHECK_EQ_I64(jy_funnel_parse_modes("Strict_Order", &m, &bad, &len), JY_FUNNEL_MODE_UNKNOWN);
}

static void
count_tick(void *arg)
{
	(*(int *) arg)++;
}

/* eval over e[0..n) with and without a tick; both levels must agree */
static int
eval_both(const JyFunnelSpec *spec, JyFunnelEntry *e, size_t n, int *ticks)
{
	size_t		size = jy_funnel_work_size(spec, n, 0),
				need = 0;
	int			lv[2],
				k;

	for (k = 0; k < 2; k++)
	{
		size = jy_funnel_work_size(spec, n, 0);
		*ticks = 0;
		for (;;)
		{
			void	   *work = malloc(size);

			lv[k] = k ? jy_funnel_eval_ex(spec, e, n, NULL, work, size, &need, count_tick, ticks)
				: jy_funnel_eval(spec, e, n, NULL, work, size, &need);
			free(work);
			if (lv[k] != JY_FUNNEL_NEED_MORE || need <= size)
				break;
			size = need;
		}
	}
	return lv[0] == lv[1] ? lv[0] : -100;
}

/*
 * jy_funnel_eval_ex calls tick every 2^18 steps of work: entries, and under
 * strict_once the chains visited at one timestamp (quadratic in rows sharing
 * a timestamp, so entries alone would not bound the stretch).
 */
static void
test_eval_ex_ticks(void)
{
	size_t		n = 600000,
				i;
	JyFunnelEntry *e = malloc(n * sizeof(JyFunnelEntry));
	JyFunnelSpec spec = {1000, 3, 0, 0, NULL};
	int			ticks;

	CHECK(e != NULL);
	/* default mode: step 1, step 2 alternate; step 3 never: level 2 */
	for (i = 0; i < n; i++)
		e[i] = (JyFunnelEntry) {(int64_t) i, JY_FUNNEL_TAG_STEP(i % 2), (uint32_t) i};
	CHECK_EQ_I64(eval_both(&spec, e, n, &ticks), 2);
	CHECK_EQ_I64(ticks, 2);		/* 600000 entries: at 2^18 and 2^19 */
	/* strict_once: 1100 rows matching step 1 and 1100 matching step 2, all at one time */
	spec.modes = JY_FUNNEL_STRICT_ONCE;
	n = 2200;
	for (i = 0; i < n; i++)
		e[i] = (JyFunnelEntry) {5, JY_FUNNEL_TAG_STEP(i < 1100 ? 0 : 1), (uint32_t) i};
	CHECK_EQ_I64(eval_both(&spec, e, n, &ticks), 2);
	CHECK(ticks >= 4);			/* 1100 x 1100 chains visited: 1.21M steps */
	free(e);
}

/* the tie pass calls tick on many short tied runs and inside one long one */
static void
test_order_ties_ticks(void)
{
	size_t		n = 600000,
				i;
	JyFunnelEntry *e = malloc(n * sizeof(JyFunnelEntry)),
			   *s = malloc(n * sizeof(JyFunnelEntry));
	int			ticks = 0;

	CHECK(e != NULL && s != NULL);
	/* 200,000 timestamps with rows {1,2} then {2}: 3 entries each, step 2 repeated */
	for (i = 0; i < n; i += 3)
	{
		e[i] = (JyFunnelEntry) {(int64_t) i, JY_FUNNEL_TAG_STEP(0), (uint32_t) i};
		e[i + 1] = (JyFunnelEntry) {(int64_t) i, JY_FUNNEL_TAG_STEP(1), (uint32_t) i};
		e[i + 2] = (JyFunnelEntry) {(int64_t) i, JY_FUNNEL_TAG_STEP(1), (uint32_t) i + 1};
	}
	jy_funnel_sort_ts_tag(e, n, s, NULL, NULL);
	jy_funnel_order_ties(e, n, s, count_tick, &ticks);
	CHECK(ticks >= 2);
	/* {2} (value 2) before {1,2} (value 3) at step 2 */
	CHECK_EQ_I64(e[1].row, 0);
	CHECK_EQ_I64(e[2].row, 1);
	CHECK_EQ_I64(e[0].row, 1);
	/* one timestamp, 300,000 rows matching steps {1,2} or {2}: one long run */
	for (i = 0; i < n; i += 2)
	{
		e[i] = (JyFunnelEntry) {7, JY_FUNNEL_TAG_STEP(1), (uint32_t) i};
		e[i + 1] = (JyFunnelEntry) {7, JY_FUNNEL_TAG_STEP((i / 2) % 2 ? 0 : 2), (uint32_t) i};
	}
	ticks = 0;
	jy_funnel_sort_ex(e, n, s, count_tick, &ticks);
	CHECK(ticks >= 10);
	for (i = 1; i < n; i++)
		CHECK(!jy_funnel_entry_gt(&e[i - 1], &e[i]));
	free(e);
	free(s);
}

int
main(void)
{
	RUN(test_parse_modes);
	RUN(test_sort);
	RUN(test_modes_by_hand);
	RUN(test_exclusions_by_hand);
	RUN(test_many_steps);
	RUN(test_extreme_timestamps);
	RUN(test_random_vs_clickhouse);
	RUN(test_random_vs_brute_force);
	RUN(test_eval_ex_ticks);
	RUN(test_tie_order);
	RUN(test_ties_issue_case);
	RUN(test_ties_any_order);
	RUN(test_order_ties_ticks);
	UNIT_DONE();
}
