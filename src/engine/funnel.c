/*
 * funnel.c — window funnel engine (see funnel.h and doc/funnel.md).
 */
#include "funnel.h"

#include <string.h>

const char *const jy_funnel_mode_names =
	"default, strict_deduplication, strict_order, strict_increase, strict_once, allow_reentry";

static const struct
{
	const char *name;
	unsigned	flag;
} mode_table[] = {
	{"default", 0},
	{"strict_deduplication", JY_FUNNEL_STRICT_DEDUP},
	{"strict_order", JY_FUNNEL_STRICT_ORDER},
	{"strict_increase", JY_FUNNEL_STRICT_INCREASE},
	{"strict_once", JY_FUNNEL_STRICT_ONCE},
	{"allow_reentry", JY_FUNNEL_ALLOW_REENTRY},
};

static bool
is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
jy_funnel_parse_modes(const char *s, unsigned *modes, const char **bad, int *badlen)
{
	unsigned	m = 0;

	*bad = NULL;
	*badlen = 0;
	while (*s)
	{
		const char *tok;
		size_t		len,
					k;
		bool		found = false;

		while (*s && is_sep(*s))
			s++;
		if (!*s)
			break;
		tok = s;
		while (*s && !is_sep(*s))
			s++;
		len = (size_t) (s - tok);
		for (k = 0; k < sizeof(mode_table) / sizeof(mode_table[0]); k++)
		{
			if (strlen(mode_table[k].name) == len && memcmp(mode_table[k].name, tok, len) == 0)
			{
				m |= mode_table[k].flag;
				found = true;
				break;
			}
		}
		if (!found)
		{
			*bad = tok;
			*badlen = (int) len;
			return (len == 6 && memcmp(tok, "strict", 6) == 0) ? JY_FUNNEL_MODE_STRICT : JY_FUNNEL_MODE_UNKNOWN;
		}
	}
	if ((m & JY_FUNNEL_ALLOW_REENTRY) && !(m & JY_FUNNEL_STRICT_ORDER))
		return JY_FUNNEL_MODE_REENTRY;
	*modes = m;
	return JY_FUNNEL_MODE_OK;
}

/* ---- sort ---------------------------------------------------------------- */

void
jy_funnel_sort(JyFunnelEntry *e, size_t n, JyFunnelEntry *scratch)
{
	jy_funnel_sort_ex(e, n, scratch, NULL, NULL);
}

void
jy_funnel_sort_ex(JyFunnelEntry *e, size_t n, JyFunnelEntry *scratch, void (*tick) (void *), void *arg)
{
	jy_funnel_sort_ts_tag(e, n, scratch, tick, arg);
	jy_funnel_order_ties(e, n, scratch, tick, arg);
}

void
jy_funnel_sort_ts_tag(JyFunnelEntry *e, size_t n, JyFunnelEntry *scratch, void (*tick) (void *), void *arg)
{
	size_t		width,
				i;
	JyFunnelEntry *src = e,
			   *dst = scratch;

	if (n < 2)
		return;
	/* insertion-sort runs of 16, then merge bottom-up (stable) */
	for (i = 0; i < n; i += 16)
	{
		size_t		end = i + 16 < n ? i + 16 : n,
					j;

		for (j = i + 1; j < end; j++)
		{
			JyFunnelEntry x = e[j];
			size_t		k = j;

			while (k > i && jy_funnel_entry_gt(&e[k - 1], &x))
			{
				e[k] = e[k - 1];
				k--;
			}
			e[k] = x;
		}
	}
	for (width = 16; width < n; width *= 2)
	{
		if (tick)
			tick(arg);
		for (i = 0; i < n; i += 2 * width)
		{
			size_t		mid = i + width < n ? i + width : n,
						end = i + 2 * width < n ? i + 2 * width : n,
						a = i,
						b = mid,
						o = i;

			if (mid == end || !jy_funnel_entry_gt(&src[mid - 1], &src[mid]))
			{
				memcpy(dst + i, src + i, (end - i) * sizeof(JyFunnelEntry));
				continue;
			}
			while (a < mid && b < end)
				dst[o++] = jy_funnel_entry_gt(&src[a], &src[b]) ? src[b++] : src[a++];
			while (a < mid)
				dst[o++] = src[a++];
			while (b < end)
				dst[o++] = src[b++];
		}
		{
			JyFunnelEntry *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != e)
		memcpy(e, src, n * sizeof(JyFunnelEntry));
}

/* ---- rows sharing a timestamp -------------------------------------------- */

/*
 * The order of step entries of one (ts, tag) is the only part of the entry
 * sequence that the (ts, tag) sort leaves to arrival order; the engine reads
 * rows only through it and through row equality (strict_once).  Ranking the
 * rows of one timestamp by their step set (see funnel.h) and ordering each
 * (ts, tag) group by rank makes the sequence a function of the multiset of
 * rows: rows with equal step sets at one timestamp are interchangeable.
 */

typedef int (*EntryCmp) (const void *ctx, const JyFunnelEntry *a, const JyFunnelEntry *b);

/* (a1, a2) against (b1, b2), lexicographically */
static inline int
cmp_pair(uint64_t a1, uint64_t a2, uint64_t b1, uint64_t b2)
{
	if (a1 != b1)
		return a1 < b1 ? -1 : 1;
	return a2 < b2 ? -1 : a2 > b2;
}

/* (row, tag): groups a row's entries, its steps ascending; (row, tag) is unique */
static int
cmp_row_tag(const void *ctx, const JyFunnelEntry *a, const JyFunnelEntry *b)
{
	(void) ctx;
	return cmp_pair(a->row, a->tag, b->row, b->tag);
}

/* (tag, row) */
static int
cmp_tag_row(const void *ctx, const JyFunnelEntry *a, const JyFunnelEntry *b)
{
	(void) ctx;
	return cmp_pair(a->tag, a->row, b->tag, b->row);
}

/*
 * Row descriptors: ts = first entry of the row in the (row, tag)-sorted copy
 * ctx, tag = its number of steps, row = the row.  Order: the step sets as
 * binary numbers (step k is bit k-1), i.e. compared from the highest step
 * down; equal sets by row (arbitrary: such rows are interchangeable).
 */
static int
cmp_step_set(const void *ctx, const JyFunnelEntry *a, const JyFunnelEntry *b)
{
	const JyFunnelEntry *s = (const JyFunnelEntry *) ctx;
	size_t		i = (size_t) a->ts + a->tag,
				j = (size_t) b->ts + b->tag;

	while (i > (size_t) a->ts && j > (size_t) b->ts)
	{
		uint32_t	x = s[--i].tag,
					y = s[--j].tag;

		if (x != y)
			return x < y ? -1 : 1;
	}
	if (i > (size_t) a->ts)
		return 1;
	if (j > (size_t) b->ts)
		return -1;
	return a->row < b->row ? -1 : a->row > b->row;
}

/* heapsort (in place; every order used is total, so stability is moot) */
static void
sift_down(JyFunnelEntry *v, size_t root, size_t n, EntryCmp cmp, const void *ctx)
{
	JyFunnelEntry x = v[root];

	for (;;)
	{
		size_t		c = 2 * root + 1;

		if (c >= n)
			break;
		if (c + 1 < n && cmp(ctx, &v[c + 1], &v[c]) > 0)
			c++;
		if (cmp(ctx, &v[c], &x) <= 0)
			break;
		v[root] = v[c];
		root = c;
	}
	v[root] = x;
}

static void
heap_sort(JyFunnelEntry *v, size_t n, EntryCmp cmp, const void *ctx, void (*tick) (void *), void *arg)
{
	size_t		i;

	if (n < 2)
		return;
	if (n <= 16)
	{
		/* insertion sort: tied runs are usually a handful of entries */
		for (i = 1; i < n; i++)
		{
			JyFunnelEntry x = v[i];
			size_t		k = i;

			while (k > 0 && cmp(ctx, &v[k - 1], &x) > 0)
			{
				v[k] = v[k - 1];
				k--;
			}
			v[k] = x;
		}
		return;
	}
	for (i = n / 2; i-- > 0;)
	{
		if (tick && (i & 0xffff) == 0)
			tick(arg);
		sift_down(v, i, n, cmp, ctx);
	}
	for (i = n - 1; i > 0; i--)
	{
		JyFunnelEntry t = v[0];

		if (tick && (i & 0xffff) == 0)
			tick(arg);
		v[0] = v[i];
		v[i] = t;
		sift_down(v, 0, i, cmp, ctx);
	}
}

/* the step entries e[0..m) of one timestamp, sorted by tag: order each tag's group by row rank */
static void
order_tied_steps(JyFunnelEntry *e, size_t m, JyFunnelEntry *scratch, void (*tick) (void *), void *arg)
{
	size_t		i,
				nrows = 0,
				k;

	memcpy(scratch, e, m * sizeof(JyFunnelEntry));
	heap_sort(scratch, m, cmp_row_tag, NULL, tick, arg);
	/* every row matches one step here: rows sharing a step have the same set, nothing to order */
	for (i = 1; i < m; i++)
		if (scratch[i].row == scratch[i - 1].row)
			break;
	if (i >= m)
		return;
	/* one descriptor per row, kept in e (its entries are safe in scratch) */
	for (i = 0; i < m; i++)
	{
		if (i == 0 || scratch[i].row != scratch[i - 1].row)
		{
			e[nrows].ts = (int64_t) i;
			e[nrows].tag = 0;
			e[nrows].row = scratch[i].row;
			nrows++;
		}
		e[nrows - 1].tag++;
	}
	heap_sort(e, nrows, cmp_step_set, scratch, tick, arg);

	/*
	 * Renumber: the row of rank k takes the k-th smallest of these rows' ids
	 * (scratch lists the rows by id), so ids stay unique in the whole group
	 * and a second pass changes nothing.
	 */
	for (i = 0, k = 0; i < m; i++)
		if (i == 0 || scratch[i].row != scratch[i - 1].row)
			e[k++].row = scratch[i].row;
	for (k = 0; k < nrows; k++)
	{
		size_t		from = (size_t) e[k].ts,
					to = from + e[k].tag;

		for (i = from; i < to; i++)
			scratch[i].row = e[k].row;
	}
	memcpy(e, scratch, m * sizeof(JyFunnelEntry));
	heap_sort(e, m, cmp_tag_row, NULL, tick, arg);
}

/*
 * Calls visit(e + s, m) for each run of step entries at one timestamp in
 * which a step occurs twice (matched by two rows); returns the longest m.
 */
static size_t
tied_runs(JyFunnelEntry *e, size_t n, JyFunnelEntry *scratch, void (*tick) (void *), void *arg, bool visit)
{
	size_t		i = 0,
				longest = 0,
				next_tick = (size_t) 1 << 18;

	while (i < n)
	{
		size_t		s,
					j;
		bool		repeated = false;

		if (tick && i >= next_tick)
		{
			/* many short tied runs: the scan and their sorts add up */
			tick(arg);
			next_tick = i + ((size_t) 1 << 18);
		}
		/* skip to the step entries of the timestamp e[i].ts (they come last) */
		if (JY_FUNNEL_TAG_CLASS(e[i].tag) != 2)
		{
			i++;
			continue;
		}
		s = i;
		for (j = s + 1; j < n && e[j].ts == e[s].ts; j++)
			if (e[j].tag == e[j - 1].tag)
				repeated = true;
		/* a step matched by two rows at one time: their order is the arrival order so far */
		if (repeated)
		{
			if (j - s > longest)
				longest = j - s;
			if (visit)
				order_tied_steps(e + s, j - s, scratch, tick, arg);
		}
		i = j;
	}
	return longest;
}

size_t
jy_funnel_ties_scratch(const JyFunnelEntry *e, size_t n)
{
	return tied_runs((JyFunnelEntry *) e, n, NULL, NULL, NULL, false);
}

void
jy_funnel_order_ties(JyFunnelEntry *e, size_t n, JyFunnelEntry *scratch, void (*tick) (void *), void *arg)
{
	(void) tied_runs(e, n, scratch, tick, arg, true);
}

/* ---- evaluation ---------------------------------------------------------- */

typedef struct Work
{
	int32_t    *cur;			/* per level: live record (or best "old" one, strict_once) */
	int32_t    *head;			/* strict_once: per level list of records ending at the current ts */
	int32_t    *touched;		/* strict_once: levels whose list is non-empty */
	uint8_t    *reached;		/* per level: bit 1 ever reached, bit 2 in touched[] */
	JyFunnelRec *recs;
	int32_t    *next;			/* strict_once: list links */
	size_t		nrecs;
} Work;

/* level s reached by record r: r ends the longest chain so far when s is beyond it */
static inline void
reach(Work *w, int s, int32_t r, int *max, int32_t *win)
{
	w->reached[s] |= 1;
	if (s + 1 > *max)
	{
		*max = s + 1;
		*win = r;
	}
}

#define ALIGN8(x) (((x) + 7) & ~(size_t) 7)

size_t
jy_funnel_work_size(const JyFunnelSpec *spec, size_t n, size_t nrecs)
{
	size_t		N = (size_t) spec->nsteps;
	bool		once = (spec->modes & JY_FUNNEL_STRICT_ONCE) != 0;

	if (nrecs < n + 1)
		nrecs = n + 1;
	return ALIGN8(N * sizeof(int32_t)) * (once ? 3 : 1) + ALIGN8(N) +
		ALIGN8(nrecs * (sizeof(JyFunnelRec) + (once ? sizeof(int32_t) : 0)));
}

static void
work_layout(Work *w, const JyFunnelSpec *spec, void *mem, size_t size)
{
	size_t		N = (size_t) spec->nsteps;
	bool		once = (spec->modes & JY_FUNNEL_STRICT_ONCE) != 0;
	char	   *p = (char *) mem;
	size_t		fixed = ALIGN8(N * sizeof(int32_t)) * (once ? 3 : 1) + ALIGN8(N);
	size_t		per = sizeof(JyFunnelRec) + (once ? sizeof(int32_t) : 0);

	w->cur = (int32_t *) p;
	p += ALIGN8(N * sizeof(int32_t));
	if (once)
	{
		w->head = (int32_t *) p;
		p += ALIGN8(N * sizeof(int32_t));
		w->touched = (int32_t *) p;
		p += ALIGN8(N * sizeof(int32_t));
	}
	else
		w->head = w->touched = NULL;
	w->reached = (uint8_t *) p;
	p += ALIGN8(N);
	w->nrecs = size > fixed ? (size - fixed) / per : 0;
	w->recs = (JyFunnelRec *) p;
	p += w->nrecs * sizeof(JyFunnelRec);
	w->next = once ? (int32_t *) p : NULL;
	memset(w->cur, 0xff, N * sizeof(int32_t));
	if (once)
		memset(w->head, 0xff, N * sizeof(int32_t));
	memset(w->reached, 0, N);
}

static inline bool
in_window(const JyFunnelSpec *spec, int64_t t, int64_t first)
{
	return jy_udiff(t, first) <= (uint64_t) spec->window;
}

/* does the chain ending at record r use input row `row` at time t? */
static bool
chain_has_row(const Work *w, const JyFunnelEntry *e, int32_t r, uint32_t row, int64_t t)
{
	while (r >= 0 && e[w->recs[r].entry].ts == t)
	{
		if (e[w->recs[r].entry].row == row)
			return true;
		r = w->recs[r].parent;
	}
	return false;
}

int
jy_funnel_eval(const JyFunnelSpec *spec, const JyFunnelEntry *e, size_t n,
			   int64_t *times, void *work, size_t worksize, size_t *need)
{
	return jy_funnel_eval_ex(spec, e, n, times, work, worksize, need, NULL, NULL);
}

int
jy_funnel_eval_ex(const JyFunnelSpec *spec, const JyFunnelEntry *e, size_t n,
				  int64_t *times, void *work, size_t worksize, size_t *need,
				  void (*tick) (void *), void *arg)
{
	Work		w;
	const int	N = spec->nsteps;
	const unsigned modes = spec->modes;
	const bool	once = (modes & JY_FUNNEL_STRICT_ONCE) != 0;
	const bool	dedup = (modes & JY_FUNNEL_STRICT_DEDUP) != 0;
	const bool	order = (modes & JY_FUNNEL_STRICT_ORDER) != 0;
	const bool	incr = (modes & JY_FUNNEL_STRICT_INCREASE) != 0;
	const bool	reentry = (modes & JY_FUNNEL_ALLOW_REENTRY) != 0;
	size_t		nrec = 0,
				i;
	int			max = 0,
				ntouched = 0;
	int32_t		win = -1;
	bool		has_first = false;
	int64_t		curts = 0;
	uint32_t	steps = 0;		/* work counter for tick */

	work_layout(&w, spec, work, worksize);
	if (w.nrecs < (once ? 1 : n))
	{
		*need = jy_funnel_work_size(spec, n, n);
		return JY_FUNNEL_NEED_MORE;
	}

#define LINK(lv, r) do { \
		if (!(w.reached[lv] & 2)) { \
			w.touched[ntouched++] = (lv); \
			w.reached[lv] |= 2; \
		} \
		w.next[r] = w.head[lv]; \
		w.head[lv] = (r); \
	} while (0)

#define NEW_REC(f, ent, par, out) do { \
		if (nrec >= w.nrecs) { \
			size_t _want = w.nrecs * 2; \
			if (_want > JY_FUNNEL_MAX_RECS) return JY_FUNNEL_TOO_MANY; \
			*need = jy_funnel_work_size(spec, n, _want); \
			return JY_FUNNEL_NEED_MORE; \
		} \
		w.recs[nrec].first = (f); w.recs[nrec].entry = (int32_t) (ent); w.recs[nrec].parent = (par); \
		(out) = (int32_t) nrec++; \
	} while (0)

	for (i = 0; i < n; i++)
	{
		const int64_t t = e[i].ts;
		const uint32_t cls = JY_FUNNEL_TAG_CLASS(e[i].tag);
		const uint32_t idx = JY_FUNNEL_TAG_INDEX(e[i].tag);
		int			s;

		if (tick && (++steps & ((1u << 18) - 1)) == 0)
			tick(arg);
		if (once && (i == 0 || t != curts))
		{
			/* fold the chains that ended at the previous timestamp */
			int			k;

			for (k = 0; k < ntouched; k++)
			{
				int			lv = w.touched[k];
				int32_t		r;

				for (r = w.head[lv]; r >= 0; r = w.next[r])
					if (w.cur[lv] < 0 || w.recs[r].first > w.recs[w.cur[lv]].first)
						w.cur[lv] = r;
				w.head[lv] = -1;
				w.reached[lv] &= 1;
			}
			ntouched = 0;
			curts = t;
		}

		if (cls == 0)
		{
			/* a row matching no step (only present in strict_order) */
			if (!order)
				continue;
			if (has_first)
				break;
			continue;
		}
		if (cls == 1)
		{
			int			k;

			if ((int) idx >= spec->nexcl)
				continue;
			for (k = spec->excl[idx].from - 1; k <= spec->excl[idx].to - 2; k++)
			{
				w.cur[k] = -1;
				if (once)
					w.head[k] = -1;
			}
			continue;
		}
		if (cls != 2 || (int) idx >= N)
			continue;
		s = (int) idx;
		if (s == 0)
		{
			int32_t		r;

			NEW_REC(t, i, -1, r);
			if (once)
				LINK(0, r);
			else
				w.cur[0] = r;
			reach(&w, 0, r, &max, &win);
			has_first = true;
			if (N == 1)
				break;
			continue;
		}
		if (dedup && (w.reached[s] & 1))
			break;
		if (order && has_first && !(w.reached[s - 1] & 1))
		{
			if (reentry)
				continue;
			break;
		}
		if (!once)
		{
			int32_t		p = w.cur[s - 1],
						r;

			if (p < 0 || !in_window(spec, t, w.recs[p].first))
				continue;
			if (incr && !(e[w.recs[p].entry].ts < t))
				continue;
			NEW_REC(w.recs[p].first, i, p, r);
			w.cur[s] = r;
			reach(&w, s, r, &max, &win);
			if (s + 1 == N)
				break;
		}
		else
		{
			int32_t		p = w.cur[s - 1],
						r,
						best = -1;
			bool		have_old = false;
			int64_t		old_first = 0;

			/* the best chain that ended before t: can always be extended */
			if (p >= 0 && in_window(spec, t, w.recs[p].first))
			{
				NEW_REC(w.recs[p].first, i, p, r);
				have_old = true;
				old_first = w.recs[p].first;
				best = r;
				LINK(s, r);
			}
			/*
			 * chains ending at t: never with strict_increase, never through
			 * this row; and only those starting later than the old chain
			 * (the old one dominates: it shares no row with anything at t).
			 */
			if (!incr)
			{
				int32_t		q;

				for (q = w.head[s - 1]; q >= 0; q = w.next[q])
				{
					int64_t		f = w.recs[q].first;

					/* rows sharing a timestamp: this loop is quadratic in them */
					if (tick && (++steps & ((1u << 18) - 1)) == 0)
						tick(arg);
					if (!in_window(spec, t, f) || (have_old && f <= old_first))
						continue;
					if (chain_has_row(&w, e, q, e[i].row, t))
						continue;
					NEW_REC(f, i, q, r);
					if (best < 0 || f > w.recs[best].first)
						best = r;
					LINK(s, r);
				}
			}
			if (best < 0)
				continue;
			reach(&w, s, best, &max, &win);
			if (s + 1 == N)
				break;
		}
	}
#undef NEW_REC
#undef LINK

	if (times && win >= 0)
	{
		int			k = max - 1;
		int32_t		r = win;

		while (r >= 0 && k >= 0)
		{
			times[k--] = e[w.recs[r].entry].ts;
			r = w.recs[r].parent;
		}
	}
	return max;
}
