/*
 * test_pattern.c — the pattern compiler and the Pike-VM matcher against an
 * independent reference (set-of-reachable-boundaries evaluation of a random
 * AST, i.e. exhaustive backtracking), plus hand cases, errors, durations, and
 * the ClickHouse-compatible matcher against a port of ClickHouse's own
 * backtracking algorithm.
 */
#include "unit.h"
#include "pattern.h"

#include <stdint.h>

/* ---- arena allocator ------------------------------------------------------ */
typedef struct Arena
{
	void	  **blocks;
	size_t		n,
				cap;
} Arena;

static void *
arena_alloc(void *arg, size_t sz)
{
	Arena	   *a = (Arena *) arg;
	void	   *p = malloc(sz ? sz : 1);

	if (!p)
		abort();
	if (a->n == a->cap)
	{
		a->cap = a->cap ? a->cap * 2 : 64;
		a->blocks = realloc(a->blocks, a->cap * sizeof(void *));
	}
	a->blocks[a->n++] = p;
	return p;
}

static void
arena_free(Arena *a)
{
	size_t		i;

	for (i = 0; i < a->n; i++)
		free(a->blocks[i]);
	free(a->blocks);
	memset(a, 0, sizeof(*a));
}

static Arena arena;
static JyAlloc A = {arena_alloc, &arena};

/* ---- events by name --------------------------------------------------------- */
#define MAXN 64
typedef struct Ev
{
	int64_t		ts[MAXN];
	int			nm[MAXN];		/* 0=a 1=b 2=c 3=x (never in patterns) */
	int32_t		id[MAXN];
	size_t		n;
} Ev;

static const char *NM[] = {"a", "b", "c", "x"};

static void
map_ids(const JyPattern *p, Ev *e)
{
	size_t		i;

	for (i = 0; i < e->n; i++)
		e->id[i] = jy_pat_lookup(p, NM[e->nm[i]], 1);
}

static JyEvents
view(const Ev *e)
{
	JyEvents	v = {e->ts, e->id, e->n};

	return v;
}

/* build events from a string like "a b x c" with 1-second steps */
static void
evs(Ev *e, const char *s, const int64_t *secs)
{
	size_t		i = 0;

	e->n = 0;
	for (; *s; s++)
	{
		int			k;

		if (*s == ' ')
			continue;
		k = *s == 'a' ? 0 : *s == 'b' ? 1 : *s == 'c' ? 2 : 3;
		e->nm[e->n] = k;
		e->ts[e->n] = (secs ? secs[i] : (int64_t) i) * JY_USECS_PER_SEC;
		e->n++;
		i++;
	}
}

static JyPattern *
comp(const char *s)
{
	JyPatError	err;
	JyPattern  *p = jy_pat_compile(s, strlen(s), &A, &err);

	if (!p)
		printf("    compile error for [%s]: %s at %d\n", s, err.msg, err.pos);
	return p;
}

/* matches as "s-e,s-e" */
static void
rows(const char *pat, Ev *e, char *out)
{
	JyPattern  *p = comp(pat);
	JyPatScratch *s;
	JyEvents	v;
	size_t		from = 0,
				st,
				en;

	out[0] = 0;
	if (!p)
	{
		strcpy(out, "ERR");
		return;
	}
	map_ids(p, e);
	v = view(e);
	s = jy_pat_scratch(p, &A);
	while (from < e->n && jy_pat_next(p, s, &v, from, true, &st, &en))
	{
		sprintf(out + strlen(out), "%s%zu-%zu", out[0] ? "," : "", st, en);
		from = en + 1;
	}
}

static void
test_hand_cases(void)
{
	Ev			e;
	char		r[512];
	int64_t		t1[] = {0, 100, 700, 701, 2000, 2001};

	evs(&e, "a b a a b", NULL);
	rows("a b", &e, r);
	CHECK(strcmp(r, "0-1,3-4") == 0);
	rows("a .* b", &e, r);			/* earliest end, then latest start */
	CHECK(strcmp(r, "0-1,3-4") == 0);
	rows("a+ b", &e, r);
	CHECK(strcmp(r, "0-1,3-4") == 0);
	rows("^a", &e, r);
	CHECK(strcmp(r, "0-0") == 0);
	rows("b$", &e, r);
	CHECK(strcmp(r, "4-4") == 0);
	rows("[^a]", &e, r);
	CHECK(strcmp(r, "1-1,4-4") == 0);
	rows("!b", &e, r);
	CHECK(strcmp(r, "0-0,2-2,3-3") == 0);
	rows("a{2}", &e, r);
	CHECK(strcmp(r, "2-3") == 0);
	rows("(a|b){3}", &e, r);
	CHECK(strcmp(r, "0-2") == 0);
	rows("zzz", &e, r);				/* unknown names never match */
	CHECK(strcmp(r, "") == 0);
	rows("[zzz a]", &e, r);
	CHECK(strcmp(r, "0-0,2-2,3-3") == 0);
	rows("!zzz", &e, r);			/* ... and negations of them match everything */
	CHECK(strcmp(r, "0-0,1-1,2-2,3-3,4-4") == 0);

	/* time: a at 0, b at 100s, a at 700, a at 701, b at 2000, c at 2001 */
	evs(&e, "a b a a b c", t1);
	rows("a (?t<=100) b", &e, r);
	CHECK(strcmp(r, "0-1") == 0);
	rows("a (?t<100) b", &e, r);
	CHECK(strcmp(r, "") == 0);
	rows("a (?t<=1) a", &e, r);
	CHECK(strcmp(r, "2-3") == 0);
	rows("a (?t=1) a", &e, r);
	CHECK(strcmp(r, "2-3") == 0);
	rows("(?t>10min) .", &e, r);	/* session starts: first event (infinite gap) and gaps > 10 min */
	CHECK(strcmp(r, "0-0,4-4") == 0);
	rows("a .* b within 100s", &e, r);
	CHECK(strcmp(r, "0-1") == 0);
	rows("a .* b within < 100s", &e, r);
	CHECK(strcmp(r, "") == 0);
	rows("a .* b within 1300s", &e, r);
	CHECK(strcmp(r, "0-1,3-4") == 0);
	rows("a .* c span > 1300s", &e, r);
	CHECK(strcmp(r, "2-5") == 0);
	rows("a .* c span >= 1301s", &e, r);
	CHECK(strcmp(r, "2-5") == 0);
	rows("a .* c span > 1301s", &e, r);
	CHECK(strcmp(r, "0-5") == 0);
	/* A not followed by B within 10 minutes: A, non-Bs, then an event more than 10 min after A */
	rows("a !b* . span > 10min", &e, r);
	CHECK(strcmp(r, "3-4") == 0);
	rows("a !b* $", &e, r);
	CHECK(strcmp(r, "") == 0);
}

static void
test_errors(void)
{
	JyPatError	err;
	struct
	{
		const char *pat;
		JyPatStatus st;
		int			pos;
	}			cases[] = {
		{"", JY_PAT_EMPTY, 0},
		{"   ", JY_PAT_EMPTY, 0},
		{"a (", JY_PAT_SYNTAX, 3},
		{"a )", JY_PAT_SYNTAX, 2},
		{"a | * b", JY_PAT_SYNTAX, 4},
		{"a{3,2}", JY_PAT_SYNTAX, 4},
		{"a{2000}", JY_PAT_LIMIT, 2},
		{"(a{1000}){1000}", JY_PAT_LIMIT, 0},
		{"a (?t<=10min)", JY_PAT_SYNTAX, 2},
		{"a (?t<=10min) b?", JY_PAT_SYNTAX, 14},
		{"a (?t<=10 parsecs) b", JY_PAT_SYNTAX, 10},
		{"a (?x) b", JY_PAT_SYNTAX, 4},
		{"\"a", JY_PAT_SYNTAX, 0},
		{"[]", JY_PAT_SYNTAX, 0},
		{"a within 1h span > 1min", JY_PAT_UNSUPPORTED, 12},
		{"a within > 1h", JY_PAT_SYNTAX, 2},
		{"a b within 1h c", JY_PAT_SYNTAX, 14},
		{"^*", JY_PAT_SYNTAX, 1},
		{"a#", JY_PAT_SYNTAX, 1},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		JyPattern  *p = jy_pat_compile(cases[i].pat, strlen(cases[i].pat), &A, &err);

		if (p != NULL || err.status != cases[i].st || err.pos != cases[i].pos)
			printf("    case [%s]: got %s status %d pos %d (%s)\n", cases[i].pat, p ? "pattern" : "error",
				   err.status, err.pos, err.msg);
		CHECK(p == NULL);
		CHECK(err.status == cases[i].st);
		CHECK(err.pos == cases[i].pos);
	}
	/* quoting, sets with commas, nesting */
	CHECK(comp("\"add to cart\" [a, \"b\"\"q\"] (x|(y z)*)+") != NULL);
	CHECK(jy_pat_compile("WITHIN", 6, &A, &err) == NULL && err.status == JY_PAT_EMPTY);
	CHECK(comp("\"within\" within 5m") != NULL);
}

static void
test_durations(void)
{
	int64_t		d;

	CHECK(jy_pat_parse_duration("600", 3, &d) == 3 && d == 600 * JY_USECS_PER_SEC);
	CHECK(jy_pat_parse_duration("10min", 5, &d) == 5 && d == 10 * JY_USECS_PER_MINUTE);
	CHECK(jy_pat_parse_duration("1.5 hours", 9, &d) == 9 && d == 90 * JY_USECS_PER_MINUTE);
	CHECK(jy_pat_parse_duration("'1 day 02:00:00'", 16, &d) == 16 && d == 26 * JY_USECS_PER_HOUR);
	CHECK(jy_pat_parse_duration("00:10", 5, &d) == 5 && d == 10 * JY_USECS_PER_MINUTE);
	CHECK(jy_pat_parse_duration("1 hour 30 minutes", 17, &d) == 17 && d == 90 * JY_USECS_PER_MINUTE);
	CHECK(jy_pat_parse_duration("250ms", 5, &d) == 5 && d == 250000);
	CHECK(jy_pat_parse_duration("2 mons", 6, &d) == 6 && d == 60 * JY_USECS_PER_DAY);
	CHECK(jy_pat_parse_duration("x", 1, &d) == 0);
	CHECK(jy_pat_parse_duration("'5 parsecs'", 11, &d) == 0);
	CHECK(jy_pat_parse_duration("99999999999999 years", 20, &d) == 0);
}

/* ---- random patterns vs the reference ---------------------------------------- */

typedef enum
{
	R_NAME, R_ANY, R_SET, R_NSET, R_CAT, R_ALT, R_REP, R_BOL, R_EOL, R_GAP
} RKind;

typedef struct RNode
{
	RKind		k;
	int			name;			/* R_NAME */
	int			setmask;		/* R_SET/R_NSET: bits over names 0..2 */
	struct RNode *kid[3];
	int			nk;
	int			min,
				max;
	int			op;
	int64_t		d;
} RNode;

static uint64_t rng = 88172645463325252ULL;
static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t) (rng % n);
}

static RNode *
rnode(RKind k)
{
	RNode	   *n = arena_alloc(&arena, sizeof(RNode));

	memset(n, 0, sizeof(*n));
	n->k = k;
	return n;
}

static RNode *gen_node(int depth);

static RNode *
gen_atom(void)
{
	RNode	   *n;

	switch (rnd(6))
	{
		case 0:
			return rnode(R_ANY);
		case 1:
			n = rnode(R_SET);
			n->setmask = 1 + rnd(7);
			return n;
		case 2:
			n = rnode(R_NSET);
			n->setmask = 1 + rnd(7);
			return n;
		default:
			n = rnode(R_NAME);
			n->name = rnd(3);
			return n;
	}
}

static RNode *
gen_node(int depth)
{
	RNode	   *n;
	uint32_t	c = rnd(depth > 2 ? 3 : 10);

	if (c < 3)
		return gen_atom();
	switch (c)
	{
		case 3:
		case 4:
			n = rnode(R_CAT);
			n->nk = 2 + rnd(2);
			for (int i = 0; i < n->nk; i++)
				n->kid[i] = gen_node(depth + 1);
			return n;
		case 5:
			n = rnode(R_ALT);
			n->nk = 2;
			n->kid[0] = gen_node(depth + 1);
			n->kid[1] = gen_node(depth + 1);
			return n;
		case 6:
		case 7:
			n = rnode(R_REP);
			n->kid[0] = gen_node(depth + 1);
			switch (rnd(6))
			{
				case 0: n->min = 0; n->max = -1; break;
				case 1: n->min = 1; n->max = -1; break;
				case 2: n->min = 0; n->max = 1; break;
				case 3: n->min = n->max = rnd(3); break;
				case 4: n->min = rnd(3); n->max = -1; break;
				default: n->min = rnd(2); n->max = n->min + rnd(3); break;
			}
			return n;
		case 8:
			n = rnode(R_CAT);
			n->nk = 2;
			n->kid[0] = rnode(rnd(2) ? R_BOL : R_EOL);
			n->kid[1] = gen_node(depth + 1);
			if (rnd(2))
			{
				RNode	   *t = n->kid[0];

				n->kid[0] = n->kid[1];
				n->kid[1] = t;
			}
			return n;
		default:
			/* gap constraint before a consuming atom */
			n = rnode(R_CAT);
			n->nk = 2;
			n->kid[0] = rnode(R_GAP);
			n->kid[0]->op = rnd(5);
			n->kid[0]->d = rnd(4);
			n->kid[1] = gen_atom();
			return n;
	}
}

static const char *OPS[] = {"<", "<=", ">", ">=", "="};

static void
print_node(const RNode *n, char *out)
{
	char	   *o = out + strlen(out);
	int			i;

	switch (n->k)
	{
		case R_NAME:
			sprintf(o, "%s ", NM[n->name]);
			break;
		case R_ANY:
			strcpy(o, ". ");
			break;
		case R_SET:
		case R_NSET:
			strcpy(o, n->k == R_SET ? "[" : "[^");
			for (i = 0; i < 3; i++)
				if (n->setmask & (1 << i))
					sprintf(out + strlen(out), "%s ", NM[i]);
			strcat(out, "] ");
			break;
		case R_CAT:
			strcpy(o, "(");
			for (i = 0; i < n->nk; i++)
				print_node(n->kid[i], out);
			strcat(out, ") ");
			break;
		case R_ALT:
			strcpy(o, "(");
			print_node(n->kid[0], out);
			strcat(out, "| ");
			print_node(n->kid[1], out);
			strcat(out, ") ");
			break;
		case R_REP:
			strcpy(o, "(");
			print_node(n->kid[0], out);
			if (n->max < 0 && n->min == 0)
				strcat(out, ")* ");
			else if (n->max < 0 && n->min == 1 && rnd(2))
				strcat(out, ")+ ");
			else if (n->max < 0)
				sprintf(out + strlen(out), "){%d,} ", n->min);
			else if (n->min == 0 && n->max == 1)
				strcat(out, ")? ");
			else if (n->min == n->max)
				sprintf(out + strlen(out), "){%d} ", n->min);
			else
				sprintf(out + strlen(out), "){%d,%d} ", n->min, n->max);
			break;
		case R_BOL:
			strcpy(o, "^ ");
			break;
		case R_EOL:
			strcpy(o, "$ ");
			break;
		case R_GAP:
			sprintf(o, "(?t%s%llds) ", OPS[n->op], (long long) n->d);
			break;
	}
}

static bool
ref_cmp(int op, int64_t v, int64_t d)
{
	switch (op)
	{
		case 0: return v < d;
		case 1: return v <= d;
		case 2: return v > d;
		case 3: return v >= d;
		default: return v == d;
	}
}

/* set of boundaries reachable from boundary b (bitmask over 0..n) */
static uint64_t
ref_ends(const RNode *nd, const Ev *e, int b)
{
	uint64_t	r = 0,
				cur;
	int			i,
				k;

	switch (nd->k)
	{
		case R_NAME:
			return (b < (int) e->n && e->nm[b] == nd->name) ? 1ULL << (b + 1) : 0;
		case R_ANY:
			return b < (int) e->n ? 1ULL << (b + 1) : 0;
		case R_SET:
			return (b < (int) e->n && e->nm[b] < 3 && (nd->setmask >> e->nm[b]) & 1) ? 1ULL << (b + 1) : 0;
		case R_NSET:
			return (b < (int) e->n && !(e->nm[b] < 3 && (nd->setmask >> e->nm[b]) & 1)) ? 1ULL << (b + 1) : 0;
		case R_BOL:
			return b == 0 ? 1ULL << b : 0;
		case R_EOL:
			return b == (int) e->n ? 1ULL << b : 0;
		case R_GAP:
			if (b >= (int) e->n)
				return 0;
			if (b == 0)
				return (nd->op == 2 || nd->op == 3) ? 1ULL << b : 0;
			return ref_cmp(nd->op, (e->ts[b] - e->ts[b - 1]) / JY_USECS_PER_SEC, nd->d) &&
				(e->ts[b] - e->ts[b - 1]) % JY_USECS_PER_SEC == 0 ? 1ULL << b : 0;
		case R_CAT:
			cur = 1ULL << b;
			for (i = 0; i < nd->nk; i++)
			{
				uint64_t	nx = 0;

				for (k = 0; k <= (int) e->n; k++)
					if (cur & (1ULL << k))
						nx |= ref_ends(nd->kid[i], e, k);
				cur = nx;
			}
			return cur;
		case R_ALT:
			return ref_ends(nd->kid[0], e, b) | ref_ends(nd->kid[1], e, b);
		case R_REP:
			cur = 1ULL << b;
			if (nd->min == 0)
				r = cur;
			for (i = 1; nd->max < 0 ? i <= (int) e->n + 2 + nd->min : i <= nd->max; i++)
			{
				uint64_t	nx = 0;

				for (k = 0; k <= (int) e->n; k++)
					if (cur & (1ULL << k))
						nx |= ref_ends(nd->kid[0], e, k);
				cur = nx;
				if (i >= nd->min)
					r |= cur;
			}
			return r;
	}
	return 0;
}

/* reference: next match (earliest end, latest start) with an optional span constraint */
static bool
ref_next(const RNode *root, const Ev *e, int from, int span_op, int64_t span_d, int *ms, int *me)
{
	int			en,
				st;

	for (en = from; en < (int) e->n; en++)
		for (st = en; st >= from; st--)
			if ((ref_ends(root, e, st) >> (en + 1)) & 1)
			{
				if (span_op >= 0 && !ref_cmp(span_op, (e->ts[en] - e->ts[st]) / JY_USECS_PER_SEC, span_d))
					continue;
				*ms = st;
				*me = en;
				return true;
			}
	return false;
}

static void
test_random_vs_reference(void)
{
	int			iter,
				fails = 0;

	for (iter = 0; iter < 3000 && fails < 5; iter++)
	{
		RNode	   *root = gen_node(0);
		char		pat[4096] = "";
		int			span_op = -1;
		int64_t		span_d = 0;
		JyPattern  *p;
		JyPatScratch *s;
		int			trial;

		print_node(root, pat);
		if (rnd(4) == 0)
		{
			span_op = rnd(4);
			span_d = rnd(8);
			sprintf(pat + strlen(pat), "span %s %llds", OPS[span_op], (long long) span_d);
		}
		p = comp(pat);
		if (!p)
		{
			fails++;
			/* the generator only builds valid patterns, except a gap before a nullable: never */
			continue;
		}
		s = jy_pat_scratch(p, &A);
		for (trial = 0; trial < 8; trial++)
		{
			Ev			e;
			size_t		i;
			int64_t		t = 0;
			char		got[1024] = "",
						want[1024] = "";
			int			from = 0,
						ms,
						me;
			size_t		fst,
						fen;
			JyEvents	v;

			e.n = rnd(10);
			for (i = 0; i < e.n; i++)
			{
				t += rnd(4) * JY_USECS_PER_SEC;
				e.ts[i] = t;
				e.nm[i] = rnd(4);
			}
			map_ids(p, &e);
			v = view(&e);
			while (ref_next(root, &e, from, span_op, span_d, &ms, &me))
			{
				sprintf(want + strlen(want), "%d-%d,", ms, me);
				from = me + 1;
			}
			from = 0;
			while ((size_t) from < e.n && jy_pat_next(p, s, &v, from, true, &fst, &fen))
			{
				sprintf(got + strlen(got), "%zu-%zu,", fst, fen);
				from = (int) fen + 1;
			}
			if (strcmp(got, want) != 0 ||
				jy_pat_match(p, s, &v) != (want[0] != 0))
			{
				printf("    pattern [%s] events", pat);
				for (i = 0; i < e.n; i++)
					printf(" %s@%lld", NM[e.nm[i]], (long long) (e.ts[i] / JY_USECS_PER_SEC));
				printf("\n      got %s want %s\n", got, want);
				fails++;
				break;
			}
		}
	}
	CHECK(fails == 0);
}

/* pathological shapes stay linear: (a*)*b over 200k a's */
static void
test_adversarial_linear(void)
{
	static int64_t ts[200000];
	static int32_t id[200000];
	JyPattern  *p = comp("(a*)*b");
	JyPattern  *q = comp("((a|a)*|(a*a*)*)* b within 1h");
	JyPatScratch *s;
	JyEvents	v = {ts, id, 200000};
	size_t		i;

	CHECK(p && q);
	for (i = 0; i < 200000; i++)
	{
		ts[i] = (int64_t) i * JY_USECS_PER_SEC;
		id[i] = 0;
	}
	s = jy_pat_scratch(p, &A);
	CHECK(!jy_pat_match(p, s, &v));
	CHECK(jy_pat_count(p, s, &v) == 0);
	s = jy_pat_scratch(q, &A);
	CHECK(!jy_pat_match(q, s, &v));
	id[199999] = jy_pat_lookup(q, "b", 1);
	CHECK(jy_pat_match(q, s, &v));
}

/* ---- ClickHouse compat: port of the backtracking algorithm as the reference ----- */

typedef struct CAct
{
	int			kind;			/* 0 spec, 1 any, 2 kleene, 3 time */
	int			op;
	int			cond;
	int64_t		c;
} CAct;

/* returns match, advances *it like ClickHouse's backtrackingMatch */
static bool
ch_ref_match(const CAct *acts, int L, const int64_t *ts, const uint32_t *mask, int n, int *it)
{
	int			stack_a[4096],
				stack_e[4096],
				stack_b[4096],
				sp = 0;
	int			a = 0,
				e = *it,
				base = *it,
				begin = *it;

#define BT() ({ bool ok_ = false; while (sp > 0) { sp--; a = stack_a[sp]; e = stack_e[sp] + 1; base = stack_b[sp]; \
		if (e != n) { ok_ = true; break; } } ok_; })
	while (a < L && e < n)
	{
		const CAct *x = &acts[a];

		if (sp >= 4000)
			abort();
		if (x->kind == 0)
		{
			if ((mask[e] >> x->cond) & 1)
			{
				base = e;
				a++, e++;
			}
			else if (!BT())
				break;
		}
		else if (x->kind == 1)
		{
			base = e;
			a++, e++;
		}
		else if (x->kind == 2)
		{
			stack_a[sp] = a, stack_e[sp] = e, stack_b[sp] = base, sp++;
			base = e;
			a++;
		}
		else
		{
			int64_t		dt = ts[e] - ts[base];
			bool		ok = ref_cmp(x->op, dt, x->c);

			if (ok)
			{
				stack_a[sp] = a, stack_e[sp] = e, stack_b[sp] = base, sp++;
				base = e;
				a++;
			}
			else if (x->op <= 1)
			{
				if (!BT())
					break;
			}
			else if (++e == n && !BT())
				break;
		}
	}
	if (a != L)
		while (a < L && (acts[a].kind == 2 || (acts[a].kind == 3 && (acts[a].op <= 1 || (acts[a].op == 3 && acts[a].c == 0)))))
			a++;
	if (e == begin)
		e++;
	*it = e;
	return a == L;
#undef BT
}

static void
test_clickhouse_vs_port(void)
{
	int			iter,
				fails = 0;

	for (iter = 0; iter < 4000 && fails < 5; iter++)
	{
		char		pat[256] = "";
		CAct		acts[16];
		int			L = 1,
					k,
					nt = 1 + rnd(5),
					trial;
		JyPatError	err;
		JyChPattern *p;

		acts[0].kind = 2;
		for (k = 0; k < nt; k++)
		{
			int			prev = acts[L - 1].kind;
			uint32_t	c = rnd(prev == 3 ? 3 : 5);

			if (c <= 1)
			{
				acts[L].kind = 0;
				acts[L].cond = rnd(3);
				sprintf(pat + strlen(pat), "(?%d)", acts[L].cond + 1);
			}
			else if (c == 2)
			{
				acts[L].kind = rnd(2) ? 1 : 2;
				strcat(pat, acts[L].kind == 1 ? "." : ".*");
			}
			else
			{
				static const char *chops[] = {"<", "<=", ">", ">=", "=="};

				acts[L].kind = 3;
				acts[L].op = rnd(5);
				acts[L].c = rnd(4);
				sprintf(pat + strlen(pat), "(?t%s%lld)", chops[acts[L].op], (long long) acts[L].c);
			}
			L++;
		}
		p = jy_ch_compile(pat, strlen(pat), 3, &A, &err);
		if (!p)
		{
			printf("    ch compile [%s]: %s\n", pat, err.msg);
			fails++;
			continue;
		}
		for (trial = 0; trial < 10; trial++)
		{
			int64_t		ts[16],
						tsus[16],
						t = 0;
			uint32_t	mask[16];
			int			n = rnd(9),
						i,
						it = 0;
			int64_t		want_count = 0,
						got_count;
			bool		want_match,
						got_match;

			for (i = 0; i < n; i++)
			{
				t += rnd(3);
				ts[i] = t;
				tsus[i] = t * JY_USECS_PER_SEC;
				mask[i] = 1 + rnd(7);
			}
			{
				int			it2 = 0;

				want_match = ch_ref_match(acts, L, ts, mask, n, &it2);
			}
			while (it < n && ch_ref_match(acts, L, ts, mask, n, &it))
				want_count++;
			got_match = jy_ch_match(p, tsus, mask, n, &A, NULL, NULL);
			got_count = jy_ch_count(p, tsus, mask, n, &A, NULL, NULL);
			if (got_match != want_match || got_count != want_count)
			{
				printf("    ch [%s] events", pat);
				for (i = 0; i < n; i++)
					printf(" %u@%lld", mask[i], (long long) ts[i]);
				printf("\n      got match %d count %lld, want %d %lld\n", got_match, (long long) got_count,
					   want_match, (long long) want_count);
				fails++;
				break;
			}
		}
	}
	CHECK(fails == 0);
}

static void
test_clickhouse_errors(void)
{
	JyPatError	err;

	CHECK(jy_ch_compile("", 0, 2, &A, &err) == NULL && err.status == JY_PAT_EMPTY);
	CHECK(jy_ch_compile("(?3)", 4, 2, &A, &err) == NULL && err.status == JY_PAT_SYNTAX && err.pos == 2);
	CHECK(jy_ch_compile("(?0)", 4, 2, &A, &err) == NULL && err.status == JY_PAT_SYNTAX);
	CHECK(jy_ch_compile("(?1)(?t<=5)(?t>1)(?2)", 21, 2, &A, &err) == NULL && err.pos == 11);
	CHECK(jy_ch_compile("(?1)(?t!5)", 10, 2, &A, &err) == NULL && err.pos == 7);
	CHECK(jy_ch_compile("(?1)x", 5, 2, &A, &err) == NULL && err.pos == 4);
	CHECK(jy_ch_compile("(?t<=5)(?1)", 11, 2, &A, &err) != NULL);
	CHECK(jy_ch_compile("(?1) .* (?2)", 12, 2, &A, &err) != NULL);
}

static void
test_tie_keys(void)
{
	JyPattern  *p = comp("view | cart | \"add to cart\" | cartx");
	uint32_t	k_add,
				k_cart,
				k_cartx,
				k_view,
				k_a,
				k_zzz,
				k_carta;

	CHECK(p != NULL);
	/* ids follow name order: "add to cart" < cart < cartx < view */
	CHECK(jy_pat_lookup(p, "add to cart", 11) == 0);
	CHECK(jy_pat_lookup(p, "cart", 4) == 1);
	CHECK(jy_pat_lookup(p, "cartx", 5) == 2);
	CHECK(jy_pat_lookup(p, "view", 4) == 3);
	CHECK(jy_pat_lookup(p, "car", 3) == -1);
	k_add = jy_pat_tie_key(p, "add to cart", 11);
	k_cart = jy_pat_tie_key(p, "cart", 4);
	k_cartx = jy_pat_tie_key(p, "cartx", 5);
	k_view = jy_pat_tie_key(p, "view", 4);
	k_a = jy_pat_tie_key(p, "a", 1);			/* before everything */
	k_zzz = jy_pat_tie_key(p, "zzz", 3);		/* after everything */
	k_carta = jy_pat_tie_key(p, "carta", 5);	/* between cart and cartx */
	CHECK(k_a == 0 && k_add == 1 && k_cart == 3 && k_carta == 4 && k_cartx == 5 && k_view == 7 && k_zzz == 8);
}


/* ---- leaving out events the pattern does not name ---------------------------- */

/* the matches of p over e, as indexes into `orig` (identity when orig is NULL) */
static int
match_list(const JyPattern *p, const Ev *e, const size_t *orig, size_t *out, int cap)
{
	JyPatScratch *s = jy_pat_scratch(p, &A);
	JyEvents	v = view(e);
	size_t		from = 0,
				st,
				en;
	int			n = 0;

	while (from < e->n && jy_pat_next(p, s, &v, from, true, &st, &en) && n + 2 <= cap)
	{
		out[n++] = orig ? orig[st] : st;
		out[n++] = orig ? orig[en] : en;
		from = en + 1;
	}
	return n;
}

static void
test_skips_others(void)
{
	const char *yes[] = {"a", "[a b]", "(a|c)", "a .* b", "[a b] .* (a|c) within 10min",
	"a .{0,} b .* c span > 5s", "(a) .* (b|(c))"};
	const char *no[] = {"a b", "a . b", "a .+ b", "a [^b]* c", "^a .* b", "a .* b $", "a (?t<5) b",
		"a* .* b", ".* a", "a .* .* b", "!a .* b", "a .? b", "(a b) .* c", "a .* b?", "a .*",
	"[^x] .* a", "(a|.) .* b"};
	const char *sym[] = {"a", "b", "c", "[a b]", "(a|c)", "[b, c]"};
	size_t		i;
	int			iter,
				checked = 0,
				nonzero = 0;
	JyPattern  *p;
	Ev			full,
				kept;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
	{
		p = comp(yes[i]);
		CHECK(p != NULL && jy_pat_skips_others(p));
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
	{
		p = comp(no[i]);
		if (p && jy_pat_skips_others(p))
			printf("    [%s] should keep other events\n", no[i]);
		CHECK(p != NULL && !jy_pat_skips_others(p));
	}
	/* why it matters: "a b" over a x b has no match, over a b (x left out) it has one */
	p = comp("a b");
	memset(&full, 0, sizeof(full));
	full.n = 3;
	full.nm[0] = 0;
	full.nm[1] = 3;
	full.nm[2] = 1;
	full.ts[1] = 1;
	full.ts[2] = 2;
	map_ids(p, &full);
	memset(&kept, 0, sizeof(kept));
	kept.n = 2;
	kept.nm[0] = 0;
	kept.nm[1] = 1;
	kept.ts[1] = 2;
	map_ids(p, &kept);
	{
		JyPatScratch *sc = jy_pat_scratch(p, &A);
		JyEvents	v1 = view(&full),
					v2 = view(&kept);

		CHECK(jy_pat_count(p, sc, &v1) == 0);
		CHECK(jy_pat_count(p, sc, &v2) == 1);
	}

	/* random patterns of the qualifying shape and random journeys with other events:
	 * the same matches (first and last event of each) with and without the others */
	for (iter = 0; iter < 20000; iter++)
	{
		char		pat[256];
		int			k = 1 + (int) rnd(4),
					j,
					nm,
					n1,
					n2;
		size_t		orig[MAXN],
					m1[MAXN * 2],
					m2[MAXN * 2];
		int64_t		t = 0;
		JyPatScratch *sc;
		JyEvents	v1,
					v2;

		pat[0] = 0;
		for (j = 0; j < k; j++)
			sprintf(pat + strlen(pat), "%s%s", j ? " .* " : "", sym[rnd(6)]);
		if (rnd(2))
			sprintf(pat + strlen(pat), " within %us", 1 + rnd(40));
		else if (rnd(4) == 0)
			sprintf(pat + strlen(pat), " span > %us", rnd(20));
		p = comp(pat);
		CHECK(p != NULL && jy_pat_skips_others(p));
		if (!p || !jy_pat_skips_others(p))
			continue;
		memset(&full, 0, sizeof(full));
		memset(&kept, 0, sizeof(kept));
		full.n = rnd(40);
		for (i = 0; i < full.n; i++)
		{
			t += rnd(3) == 0 ? 0 : (int64_t) rnd(10);	/* ties too */
			nm = rnd(10) < 4 ? 3 : (int) rnd(3);
			full.nm[i] = nm;
			full.ts[i] = t * JY_USECS_PER_SEC;
		}
		map_ids(p, &full);
		for (i = 0; i < full.n; i++)
			if (full.id[i] >= 0)
			{
				orig[kept.n] = i;
				kept.nm[kept.n] = full.nm[i];
				kept.ts[kept.n] = full.ts[i];
				kept.id[kept.n] = full.id[i];
				kept.n++;
			}
		n1 = match_list(p, &full, NULL, m1, MAXN * 2);
		n2 = match_list(p, &kept, orig, m2, MAXN * 2);
		if (n1 != n2 || memcmp(m1, m2, (size_t) n1 * sizeof(size_t)) != 0)
			printf("    [%s]: %d vs %d match bounds with and without other events\n", pat, n1 / 2, n2 / 2);
		CHECK(n1 == n2 && memcmp(m1, m2, (size_t) n1 * sizeof(size_t)) == 0);
		sc = jy_pat_scratch(p, &A);
		v1 = view(&full);
		v2 = view(&kept);
		CHECK(jy_pat_count(p, sc, &v1) == jy_pat_count(p, sc, &v2));
		CHECK(jy_pat_match(p, sc, &v1) == jy_pat_match(p, sc, &v2));
		checked++;
		nonzero += n1 > 0;
	}
	/* the property was tested on journeys that do match, not only on empty results */
	CHECK(checked == 20000 && nonzero > 5000);
}


/* names every match needs (jy_pat_required) */
static uint64_t
req_of(const char *pat, const char *names)
{
	JyPattern  *p = comp(pat);
	uint64_t	m = 0;
	const char *c;

	if (!p)
		return UINT64_MAX;
	for (c = names; *c; c++)
	{
		int32_t		id = jy_pat_lookup(p, c, 1);

		if (id >= 0)
			m |= UINT64_C(1) << id;
	}
	return jy_pat_required(p) == m ? 0 : jy_pat_required(p) | (UINT64_C(1) << 63);
}

static void
test_required(void)
{
	const char *sym[] = {"a", "b", "c", "[a b]", "(a|c)", "a*", "b+", "c?", ".", ".*", "[^a]", "(a b|a c)",
	"(?t<5)", "^", "$", "(a|b c){2}", "!b"};
	int			iter,
				pruned = 0;
	JyPattern  *p;
	Ev			e;

	/* the analysis itself: 0 = the expected names exactly */
	CHECK(req_of("a .* b", "ab") == 0);
	CHECK(req_of("a b c within 1h", "abc") == 0);
	CHECK(req_of("(a|b)", "") == 0);
	CHECK(req_of("(a b|a c)", "a") == 0);
	CHECK(req_of("a* b", "b") == 0);
	CHECK(req_of("a+ b?", "a") == 0);
	CHECK(req_of("(a b){2,3}", "ab") == 0);
	CHECK(req_of("a{0,2} c", "c") == 0);
	CHECK(req_of("[a b] .* [^c]", "") == 0);
	CHECK(req_of("^a .* (?t<5) b $", "ab") == 0);

	/*
	 * The property the glue relies on: a journey lacking a required name has
	 * no match.  Random patterns of many shapes over a, b, c and random
	 * journeys (with a name x the patterns never mention).
	 */
	for (iter = 0; iter < 20000; iter++)
	{
		char		pat[256];
		int			k = 1 + (int) rnd(4),
					j;
		size_t		i;
		int64_t		t = 0;
		uint64_t	need,
					have = 0;
		JyPatScratch *sc;
		JyEvents	v;

		pat[0] = 0;
		for (j = 0; j < k; j++)
			sprintf(pat + strlen(pat), "%s%s", j ? " " : "", sym[rnd(sizeof(sym) / sizeof(sym[0]))]);
		if (rnd(3) == 0)
			sprintf(pat + strlen(pat), " within %us", 1 + rnd(40));
		{
			JyPatError	perr;

			p = jy_pat_compile(pat, strlen(pat), &A, &perr);
		}
		if (!p)
			continue;			/* e.g. a time constraint before an anchor */
		memset(&e, 0, sizeof(e));
		e.n = rnd(12);
		for (i = 0; i < e.n; i++)
		{
			t += (int64_t) rnd(10);
			e.nm[i] = (int) rnd(4);
			e.ts[i] = t * JY_USECS_PER_SEC;
		}
		map_ids(p, &e);
		for (i = 0; i < e.n; i++)
			if (e.id[i] >= 0 && e.id[i] < 64)
				have |= UINT64_C(1) << e.id[i];
		need = jy_pat_required(p);
		if ((need & ~have) == 0)
			continue;
		sc = jy_pat_scratch(p, &A);
		v = view(&e);
		if (jy_pat_count(p, sc, &v) != 0)
			printf("    [%s]: a match without a required name\n", pat);
		CHECK(jy_pat_count(p, sc, &v) == 0 && !jy_pat_match(p, sc, &v));
		pruned++;
	}
	CHECK(pruned > 2000);
}


/* ---- cancellation ticks ----------------------------------------------------- */

typedef struct TickRec
{
	const JyPatScratch *s;		/* journey matcher: read its work counter */
	uint64_t	last;
	uint64_t	maxgap;
	int			calls;
} TickRec;

static void
rec_tick(void *arg)
{
	TickRec    *t = arg;

	t->calls++;
	if (t->s)
	{
		uint64_t	w = jy_pat_work(t->s);

		if (w - t->last > t->maxgap)
			t->maxgap = w - t->last;
		t->last = w;
	}
}

/* events a b c a b c ... (1 s apart), ids from the pattern */
static void
abc_events(const JyPattern *p, size_t n, int64_t **ts, int32_t **id)
{
	size_t		i;
	int32_t		ids[3];

	*ts = arena_alloc(&arena, n * sizeof(int64_t));
	*id = arena_alloc(&arena, n * sizeof(int32_t));
	for (i = 0; i < 3; i++)
		ids[i] = jy_pat_lookup(p, NM[i], 1);
	for (i = 0; i < n; i++)
	{
		(*ts)[i] = (int64_t) i * JY_USECS_PER_SEC;
		(*id)[i] = ids[i % 3];
	}
}

/*
 * The tick is called by cost, not every 2^16 events: with a pattern of ~2500
 * instructions one event costs thousands of work units, and 20 000 events
 * (fewer than the 65 536 events between two ticks of the old rule) must see
 * ticks no more than JY_PAT_TICK_WORK + 3 x program size units apart.
 */
static void
test_tick_by_cost(void)
{
	JyPattern  *p = comp("(a .* b .* c .* a .* b .* c .*){100} x");
	JyPatScratch *sc;
	TickRec		t = {0};
	int64_t    *ts;
	int32_t    *id;
	JyEvents	e;
	uint64_t	bound;

	CHECK(p != NULL);
	sc = jy_pat_scratch(p, &A);
	t.s = sc;
	jy_pat_set_tick(sc, rec_tick, &t);
	abc_events(p, 20000, &ts, &id);
	e.ts = ts;
	e.ev = id;
	e.n = 20000;
	CHECK(jy_pat_count(p, sc, &e) == 0);
	bound = JY_PAT_TICK_WORK + 3 * (uint64_t) jy_pat_proglen(p) + 1;
	/* every event keeps ~1800 threads alive: the work is far above the events */
	CHECK(jy_pat_work(sc) > (uint64_t) 1000 * 20000);
	CHECK(t.calls >= (int) (jy_pat_work(sc) / bound));
	CHECK(t.calls > 100);
	CHECK(t.maxgap <= bound);
	/* the work after the last tick is below the bound too */
	CHECK(jy_pat_work(sc) - t.last <= bound);

	/* a one-name pattern: about 2 units per event, so a tick every ~2^15 events */
	p = comp("a");
	CHECK(p != NULL);
	sc = jy_pat_scratch(p, &A);
	memset(&t, 0, sizeof(t));
	t.s = sc;
	jy_pat_set_tick(sc, rec_tick, &t);
	abc_events(p, 400000, &ts, &id);
	e.ts = ts;
	e.ev = id;
	e.n = 400000;
	CHECK(jy_pat_count(p, sc, &e) == 133334);
	CHECK(t.calls >= 4);
	CHECK(t.maxgap <= JY_PAT_TICK_WORK + 3 * (uint64_t) jy_pat_proglen(p) + 1);
}

static char *
repeat_str(const char *head, const char *unit, size_t times, const char *tail)
{
	size_t		hl = strlen(head),
				ul = strlen(unit),
				tl = strlen(tail),
				i;
	char	   *r = arena_alloc(&arena, hl + ul * times + tl + 1);

	memcpy(r, head, hl);
	for (i = 0; i < times; i++)
		memcpy(r + hl + i * ul, unit, ul);
	memcpy(r + hl + times * ul, tail, tl + 1);
	return r;
}

static void
count_tick(void *arg)
{
	(*(int *) arg)++;
}

/*
 * The compiler ticks (bytes scanned, nodes built, names compared), rejects a
 * pattern that cannot fit as soon as that is certain, and does not reject one
 * that {0} makes fit.
 */
static void
test_compile_ticks_and_early_limit(void)
{
	JyPatError	err;
	JyPattern  *p;
	int			calls = 0;
	char	   *s;
	char		names[4096 * 8];
	size_t		nl = 0;
	int			i;

	/* 200 000 alternatives: too large, found after ~33 000 of them */
	s = repeat_str("", "a|", 200000, "a");
	p = jy_pat_compile_ex(s, strlen(s), &A, &err, count_tick, &calls);
	CHECK(p == NULL && err.status == JY_PAT_LIMIT && err.pos == 0);
	CHECK(strcmp(err.msg, "the compiled pattern is too large") == 0);
	/* early: the parser stopped long before the syntax error at the end */
	s = repeat_str("", "a|", 200000, "a)");
	p = jy_pat_compile_ex(s, strlen(s), &A, &err, NULL, NULL);
	CHECK(p == NULL && err.status == JY_PAT_LIMIT && err.pos == 0);
	/* at the limit: 33 333 alternatives -> 33 333 + 2 x 33 332 + MATCH = 99 998 */
	s = repeat_str("", "a|", 33332, "a");
	p = jy_pat_compile(s, strlen(s), &A, &err);
	CHECK(p != NULL && jy_pat_proglen(p) == 99998);
	s = repeat_str("", "a|", 33332, "a b c");
	p = jy_pat_compile_ex(s, strlen(s), &A, &err, count_tick, &calls);
	CHECK(p != NULL && jy_pat_proglen(p) == 100000);
	s = repeat_str("", "a|", 33332, "a b c d");
	p = jy_pat_compile_ex(s, strlen(s), &A, &err, count_tick, &calls);
	CHECK(p == NULL && err.status == JY_PAT_LIMIT);
	/* elements that {0} removes do not count: valid */
	{
		/* (200 alternatives){ 0 }, 300 times: 60 000 elements, 0 instructions */
		char	   *g = repeat_str("(", "a|", 199, "a){ 0 }");

		s = repeat_str("", g, 300, " b");
	}
	p = jy_pat_compile(s, strlen(s), &A, &err);
	if (!p)
		printf("    %s\n", err.msg);
	CHECK(p != NULL && jy_pat_proglen(p) == 2);

	/* the quadratic step: 4000 names, then 100 000 occurrences of the last one */
	for (i = 0; i < 4000; i++)
		nl += (size_t) snprintf(names + nl, sizeof(names) - nl, "%sn%d", i ? "|" : "(", 1000 + i);
	memcpy(names + nl, "){0}", 5);
	s = repeat_str(names, " n4999{0}", 100000, " a");
	calls = 0;
	p = jy_pat_compile_ex(s, strlen(s), &A, &err, count_tick, &calls);
	CHECK(p != NULL && jy_pat_proglen(p) == 2);
	/* >= 100 000 x 4000 name comparisons: thousands of ticks */
	CHECK(calls >= 1000);
	/* ... and the same pattern without a tick gives the same program */
	p = jy_pat_compile(s, strlen(s), &A, &err);
	CHECK(p != NULL && jy_pat_proglen(p) == 2);
}

/* sequence_*: a pattern of 2^17 actions ticks inside one event's loops; its compiler ticks too */
static void
test_clickhouse_ticks(void)
{
	JyPatError	err;
	JyChPattern *p;
	char	   *s = repeat_str("", ".", 1 << 17, "(?2)");
	int			calls = 0;
	int64_t		ts[3] = {0, 1000000, 2000000};
	uint32_t	mask[3] = {1, 1, 1};

	p = jy_ch_compile_ex(s, strlen(s), 2, &A, &err, count_tick, &calls);
	CHECK(p != NULL);
	CHECK(calls >= 1);
	calls = 0;
	CHECK(jy_ch_count(p, ts, mask, 3, &A, count_tick, &calls) == 0);
	/* 3 events x (2 x 2^17 actions) = 2^19.6 units: at least 6 ticks (the old rule: none) */
	CHECK(calls >= 6);
	calls = 0;
	CHECK(!jy_ch_match(p, ts, mask, 3, &A, count_tick, &calls));
	CHECK(calls >= 6);
	/* a short pattern: about 2^16 / 5 events per tick */
	{
		size_t		n = 200000,
					i;
		int64_t    *t2 = arena_alloc(&arena, n * sizeof(int64_t));
		uint32_t   *m2 = arena_alloc(&arena, n * sizeof(uint32_t));

		for (i = 0; i < n; i++)
		{
			t2[i] = (int64_t) i;
			m2[i] = 1;
		}
		p = jy_ch_compile("(?1)(?2)", 8, 2, &A, &err);
		CHECK(p != NULL);
		calls = 0;
		CHECK(jy_ch_count(p, t2, m2, n, &A, count_tick, &calls) == 0);
		CHECK(calls >= 10);
	}
}

int
main(void)
{
	RUN(test_tie_keys);
	RUN(test_hand_cases);
	RUN(test_errors);
	RUN(test_durations);
	RUN(test_random_vs_reference);
	RUN(test_adversarial_linear);
	RUN(test_skips_others);
	RUN(test_required);
	RUN(test_clickhouse_vs_port);
	RUN(test_clickhouse_errors);
	RUN(test_tick_by_cost);
	RUN(test_compile_ticks_and_early_limit);
	RUN(test_clickhouse_ticks);
	arena_free(&arena);
	UNIT_DONE();
}
