/*
 * pattern.c — compiler and linear-time matcher of journey's pattern language,
 * and the ClickHouse-compatible sequenceMatch/sequenceCount matcher.
 * See pattern.h for the semantics and doc/patterns.md for the grammar.
 */
#include "pattern.h"

#include <string.h>
#include <stdio.h>
#include <math.h>

/* ======================================================================== */
/* AST                                                                      */
/* ======================================================================== */

typedef enum
{
	N_SET, N_ANY, N_CAT, N_ALT, N_REP, N_BOL, N_EOL, N_GAP, N_EMPTY
} NKind;

typedef struct Node
{
	NKind		k;
	int			min,
				max;			/* N_REP; max -1 = unbounded */
	struct Node *a;				/* N_REP child */
	struct Node **kids;			/* N_CAT, N_ALT children */
	int			nkids;
	int			set;			/* N_SET: index into sets */
	JyCmpOp		op;				/* N_GAP */
	int64_t		d;
	int			pos;
} Node;

typedef struct SetDef
{
	int		   *ids;
	int			n;
	bool		neg;
} SetDef;

typedef struct NameDef
{
	char	   *s;
	size_t		len;
} NameDef;

enum
{
	I_SET, I_ANY, I_SPLIT, I_JMP, I_BOL, I_EOL, I_GAP, I_MATCH
};

typedef struct Inst
{
	uint8_t		op;
	uint8_t		cmp;
	int32_t		x,
				y;
	int64_t		d;
} Inst;

struct JyPattern
{
	NameDef    *names;
	int			nnames;
	int			nwords;			/* 64-bit words per set bitmap */
	uint64_t   *bits;			/* nsets * nwords; bit 0 = other, bit id+1 = name id */
	int			nsets;
	Inst	   *fwd;
	Inst	   *rev;
	int			proglen;
	/* span constraint on the whole match */
	bool		has_span;
	JyCmpOp		span_op;
	int64_t		span_d;
	int			span_pref;		/* +1 prefer later starts, -1 earlier, 0 any */
	bool		skips_others;	/* events outside the pattern's names change no result */
	uint64_t	required;		/* bit i: name id i occurs in every match (nnames <= 64) */
};

/* ======================================================================== */
/* parser                                                                   */
/* ======================================================================== */

#define MAX_DEPTH 200

typedef struct Parser
{
	const char *src;
	size_t		len;
	size_t		p;
	const JyAlloc *a;
	JyPatError *err;
	bool		failed;
	int			depth;
	NameDef    *names;
	int			nnames,
				capnames;
	SetDef	   *sets;
	int			nsets,
				capsets;
	/* cancellation: tick(tick_arg) every JY_PAT_TICK_WORK units of work */
	void		(*tick) (void *);
	void	   *tick_arg;
	uint64_t	work,
				tick_at;
	/*
	 * Early size check: min_prog is a lower bound of the compiled program's
	 * size (one instruction per element, two per extra alternative), exact as
	 * a bound only when no repeat can have a maximum of 0 (`{0}`, `{0,0}`),
	 * the only construct that removes elements; may_vanish says one might.
	 */
	int64_t		min_prog;
	bool		may_vanish;
} Parser;

/* units of work done; calls the tick when JY_PAT_TICK_WORK have passed */
static inline void
ps_work(Parser *ps, uint64_t units)
{
	ps->work += units;
	if (ps->work >= ps->tick_at)
	{
		ps->tick_at = ps->work + JY_PAT_TICK_WORK;
		if (ps->tick)
			ps->tick(ps->tick_arg);
	}
}

static void *
palloc_(Parser *ps, size_t sz)
{
	void	   *r = ps->a->alloc(ps->a->arg, sz);

	memset(r, 0, sz);
	return r;
}

static void
fail(Parser *ps, JyPatStatus st, size_t pos, const char *msg)
{
	if (ps->failed)
		return;
	ps->failed = true;
	ps->err->status = st;
	ps->err->pos = (int) pos;
	snprintf(ps->err->msg, sizeof(ps->err->msg), "%s", msg);
}

static void
skip_ws(Parser *ps)
{
	while (ps->p < ps->len &&
		   (ps->src[ps->p] == ' ' || ps->src[ps->p] == '\t' ||
			ps->src[ps->p] == '\n' || ps->src[ps->p] == '\r'))
	{
		ps->p++;
		ps_work(ps, 1);
	}
}

static bool
is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		(c >= '0' && c <= '9') || c >= 0x80;
}

static bool
is_name_char(unsigned char c)
{
	return is_name_start(c) || c == '-' || c == ':' || c == '/' || c == '@';
}

/* name order of the journey type: bytes, then the shorter first */
static int
name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static Node *
mknode(Parser *ps, NKind k, size_t pos)
{
	Node	   *n = palloc_(ps, sizeof(Node));

	n->k = k;
	n->pos = (int) pos;
	/* an allocation and a few passes over the node later: a few units */
	ps_work(ps, 4);
	if (k == N_SET || k == N_ANY || k == N_BOL || k == N_EOL || k == N_GAP)
		ps->min_prog++;
	return n;
}

static int
intern(Parser *ps, const char *s, size_t len)
{
	int			i;

	for (i = 0; i < ps->nnames; i++)
		if (ps->names[i].len == len)
		{
			/* up to 4096 names compared per occurrence: count the bytes too */
			ps_work(ps, 1 + len / 64);
			if (memcmp(ps->names[i].s, s, len) == 0)
				return i;
		}
	ps_work(ps, 1 + (uint64_t) ps->nnames / 8 + len / 64);
	if (ps->nnames >= JY_PAT_MAX_NAMES)
	{
		fail(ps, JY_PAT_LIMIT, ps->p, "too many distinct event names in the pattern");
		return 0;
	}
	if (ps->nnames == ps->capnames)
	{
		int			cap = ps->capnames ? ps->capnames * 2 : 16;
		NameDef    *nn = palloc_(ps, cap * sizeof(NameDef));

		if (ps->nnames)
			memcpy(nn, ps->names, ps->nnames * sizeof(NameDef));
		ps->names = nn;
		ps->capnames = cap;
	}
	ps->names[ps->nnames].s = palloc_(ps, len + 1);
	memcpy(ps->names[ps->nnames].s, s, len);
	ps->names[ps->nnames].len = len;
	return ps->nnames++;
}

/* a name at ps->p (bare or "quoted"); returns its id, -1 on error */
static int
parse_name(Parser *ps)
{
	size_t		start = ps->p;

	if (ps->p < ps->len && ps->src[ps->p] == '"')
	{
		/* "..." with "" for a quote */
		char	   *buf = palloc_(ps, ps->len - ps->p + 1);
		size_t		n = 0;

		ps->p++;
		for (;;)
		{
			if (ps->p >= ps->len)
			{
				fail(ps, JY_PAT_SYNTAX, start, "unterminated quoted event name");
				return -1;
			}
			if (ps->src[ps->p] == '"')
			{
				if (ps->p + 1 < ps->len && ps->src[ps->p + 1] == '"')
				{
					buf[n++] = '"';
					ps->p += 2;
					continue;
				}
				ps->p++;
				break;
			}
			buf[n++] = ps->src[ps->p++];
			ps_work(ps, 1);
		}
		return intern(ps, buf, n);
	}
	if (ps->p < ps->len && is_name_start((unsigned char) ps->src[ps->p]))
	{
		while (ps->p < ps->len && is_name_char((unsigned char) ps->src[ps->p]))
		{
			ps->p++;
			ps_work(ps, 1);
		}
		return intern(ps, ps->src + start, ps->p - start);
	}
	fail(ps, JY_PAT_SYNTAX, start, "expected an event name");
	return -1;
}

static int
add_set(Parser *ps, int *ids, int n, bool neg)
{
	if (ps->nsets == ps->capsets)
	{
		int			cap = ps->capsets ? ps->capsets * 2 : 16;
		SetDef	   *ns = palloc_(ps, cap * sizeof(SetDef));

		if (ps->nsets)
			memcpy(ns, ps->sets, ps->nsets * sizeof(SetDef));
		ps->sets = ns;
		ps->capsets = cap;
	}
	ps->sets[ps->nsets].ids = ids;
	ps->sets[ps->nsets].n = n;
	ps->sets[ps->nsets].neg = neg;
	return ps->nsets++;
}

/* '[' ['^'] name (','? name)* ']' at ps->p, or a single name with neg */
static Node *
parse_set(Parser *ps, bool neg)
{
	size_t		start = ps->p;
	int		   *ids;
	int			n = 0,
				cap = 8;
	Node	   *nd;

	ids = palloc_(ps, cap * sizeof(int));
	if (ps->src[ps->p] == '[')
	{
		ps->p++;
		skip_ws(ps);
		if (ps->p < ps->len && ps->src[ps->p] == '^')
		{
			neg = !neg;
			ps->p++;
		}
		for (;;)
		{
			int			id;

			skip_ws(ps);
			if (ps->p < ps->len && ps->src[ps->p] == ']')
			{
				ps->p++;
				break;
			}
			if (ps->p >= ps->len)
			{
				fail(ps, JY_PAT_SYNTAX, start, "unterminated set: expected ]");
				return NULL;
			}
			if (n > 0 && ps->src[ps->p] == ',')
			{
				ps->p++;
				skip_ws(ps);
			}
			id = parse_name(ps);
			if (id < 0 || ps->failed)
				return NULL;
			if (n == cap)
			{
				int		   *ni = palloc_(ps, cap * 2 * sizeof(int));

				memcpy(ni, ids, n * sizeof(int));
				ids = ni;
				cap *= 2;
			}
			ids[n++] = id;
		}
		if (n == 0)
		{
			fail(ps, JY_PAT_SYNTAX, start, "empty set: write at least one event name between [ and ]");
			return NULL;
		}
	}
	else
	{
		int			id = parse_name(ps);

		if (id < 0 || ps->failed)
			return NULL;
		ids[n++] = id;
	}
	nd = mknode(ps, N_SET, start);
	nd->set = add_set(ps, ids, n, neg);
	return nd;
}

/* ---- durations ---------------------------------------------------------- */

static int64_t
unit_usecs(const char *w, size_t n)
{
	static const struct
	{
		const char *name;
		int64_t		us;
	}			units[] = {
		{"us", 1}, {"usec", 1}, {"usecs", 1}, {"microsecond", 1}, {"microseconds", 1},
		{"ms", 1000}, {"msec", 1000}, {"msecs", 1000}, {"millisecond", 1000}, {"milliseconds", 1000},
		{"s", JY_USECS_PER_SEC}, {"sec", JY_USECS_PER_SEC}, {"secs", JY_USECS_PER_SEC},
		{"second", JY_USECS_PER_SEC}, {"seconds", JY_USECS_PER_SEC},
		{"m", JY_USECS_PER_MINUTE}, {"min", JY_USECS_PER_MINUTE}, {"mins", JY_USECS_PER_MINUTE},
		{"minute", JY_USECS_PER_MINUTE}, {"minutes", JY_USECS_PER_MINUTE},
		{"h", JY_USECS_PER_HOUR}, {"hr", JY_USECS_PER_HOUR}, {"hrs", JY_USECS_PER_HOUR},
		{"hour", JY_USECS_PER_HOUR}, {"hours", JY_USECS_PER_HOUR},
		{"d", JY_USECS_PER_DAY}, {"day", JY_USECS_PER_DAY}, {"days", JY_USECS_PER_DAY},
		{"w", 7 * JY_USECS_PER_DAY}, {"week", 7 * JY_USECS_PER_DAY}, {"weeks", 7 * JY_USECS_PER_DAY},
		{"mon", 30 * JY_USECS_PER_DAY}, {"mons", 30 * JY_USECS_PER_DAY},
		{"month", 30 * JY_USECS_PER_DAY}, {"months", 30 * JY_USECS_PER_DAY},
		{"y", 360 * JY_USECS_PER_DAY}, {"yr", 360 * JY_USECS_PER_DAY}, {"yrs", 360 * JY_USECS_PER_DAY},
		{"year", 360 * JY_USECS_PER_DAY}, {"years", 360 * JY_USECS_PER_DAY},
	};
	size_t		i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == n)
		{
			size_t		k;

			for (k = 0; k < n; k++)
				if ((w[k] | 0x20) != units[i].name[k])
					break;
			if (k == n)
				return units[i].us;
		}
	return 0;
}

#define DUR_MAX ((double) (INT64_C(1) << 62))

/* a number at s: digits with an optional fraction; returns chars used */
static size_t
scan_number(const char *s, size_t len, double *v)
{
	size_t		i = 0;
	double		r = 0,
				f = 0.1;
	bool		any = false;

	while (i < len && s[i] >= '0' && s[i] <= '9')
	{
		r = r * 10 + (s[i] - '0');
		i++;
		any = true;
	}
	if (i < len && s[i] == '.' && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9')
	{
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
		{
			r += f * (s[i] - '0');
			f /= 10;
			i++;
		}
		any = true;
	}
	if (!any)
		return 0;
	*v = r;
	return i;
}

/* unquoted duration body: parts "N unit" or "hh:mm[:ss]"; a bare N alone = seconds */
static size_t
parse_duration_body(const char *s, size_t len, int64_t *usecs, bool quoted)
{
	size_t		i = 0,
				last_ok = 0;
	double		total = 0;
	int			parts = 0;
	bool		bare = false;

	for (;;)
	{
		size_t		j = i,
					k;
		double		v;

		while (j < len && (s[j] == ' ' || s[j] == '\t'))
			j++;
		k = scan_number(s + j, len - j, &v);
		if (k == 0)
			break;
		j += k;
		if (j < len && s[j] == ':')
		{
			/* hh:mm[:ss[.frac]] */
			double		mm,
						ss = 0;
			size_t		k2;

			if (v != floor(v))
				return 0;
			k2 = scan_number(s + j + 1, len - j - 1, &mm);
			if (k2 == 0 || mm != floor(mm) || mm >= 60)
				return 0;
			j += 1 + k2;
			if (j < len && s[j] == ':')
			{
				k2 = scan_number(s + j + 1, len - j - 1, &ss);
				if (k2 == 0 || ss >= 60)
					return 0;
				j += 1 + k2;
			}
			total += v * 3600e6 + mm * 60e6 + ss * 1e6;
		}
		else
		{
			size_t		u = j,
						ul;
			int64_t		mult;

			while (u < len && (s[u] == ' ' || s[u] == '\t'))
				u++;
			ul = 0;
			while (u + ul < len && ((s[u + ul] | 0x20) >= 'a' && (s[u + ul] | 0x20) <= 'z'))
				ul++;
			mult = ul ? unit_usecs(s + u, ul) : 0;
			if (mult == 0)
			{
				/* a bare number: seconds, only as the whole duration */
				if (parts > 0)
					break;
				bare = true;
				total += v * 1e6;
			}
			else
			{
				if (bare)
					return 0;
				total += v * (double) mult;
				j = u + ul;
			}
		}
		if (total >= DUR_MAX)
			return 0;
		parts++;
		i = j;
		last_ok = j;
		if (bare)
			break;
	}
	if (parts == 0)
		return 0;
	if (quoted)
	{
		while (last_ok < len && (s[last_ok] == ' ' || s[last_ok] == '\t'))
			last_ok++;
	}
	*usecs = (int64_t) llround(total);
	return last_ok;
}

size_t
jy_pat_parse_duration(const char *s, size_t len, int64_t *usecs)
{
	if (len > 0 && (s[0] == '\'' || s[0] == '"'))
	{
		char		q = s[0];
		size_t		end = 1,
					used;

		while (end < len && s[end] != q)
			end++;
		if (end >= len)
			return 0;
		used = parse_duration_body(s + 1, end - 1, usecs, true);
		if (used != end - 1)
			return 0;
		return end + 1;
	}
	return parse_duration_body(s, len, usecs, false);
}

static bool
parse_op(Parser *ps, JyCmpOp *op)
{
	const char *s = ps->src + ps->p;
	size_t		rem = ps->len - ps->p;

	if (rem >= 2 && s[0] == '<' && s[1] == '=')
	{
		*op = JY_OP_LE;
		ps->p += 2;
	}
	else if (rem >= 2 && s[0] == '>' && s[1] == '=')
	{
		*op = JY_OP_GE;
		ps->p += 2;
	}
	else if (rem >= 2 && s[0] == '=' && s[1] == '=')
	{
		*op = JY_OP_EQ;
		ps->p += 2;
	}
	else if (rem >= 1 && s[0] == '<')
	{
		*op = JY_OP_LT;
		ps->p++;
	}
	else if (rem >= 1 && s[0] == '>')
	{
		*op = JY_OP_GT;
		ps->p++;
	}
	else if (rem >= 1 && s[0] == '=')
	{
		*op = JY_OP_EQ;
		ps->p++;
	}
	else
		return false;
	return true;
}

static bool
parse_dur_at(Parser *ps, int64_t *d)
{
	size_t		used;

	skip_ws(ps);
	used = jy_pat_parse_duration(ps->src + ps->p, ps->len - ps->p, d);
	if (used == 0)
	{
		fail(ps, JY_PAT_SYNTAX, ps->p,
			 "expected a duration such as 600, 10min, 1.5 hours, 00:10:00 or '1 day 2 hours'");
		return false;
	}
	ps->p += used;
	return true;
}

/* ---- grammar ------------------------------------------------------------ */

static bool
nullable(const Node *n)
{
	switch (n->k)
	{
		case N_SET:
		case N_ANY:
			return false;
		case N_CAT:
			{
				int			i;

				for (i = 0; i < n->nkids; i++)
					if (!nullable(n->kids[i]))
						return false;
				return true;
			}
		case N_ALT:
			{
				int			i;

				for (i = 0; i < n->nkids; i++)
					if (nullable(n->kids[i]))
						return true;
				return false;
			}
		case N_REP:
			return n->min == 0 || nullable(n->a);
		default:
			return true;
	}
}

/* is the text at p the keyword kw (case-insensitive, not followed by a name char)? */
static bool
at_keyword(Parser *ps, const char *kw)
{
	size_t		n = strlen(kw),
				i;

	if (ps->len - ps->p < n)
		return false;
	for (i = 0; i < n; i++)
		if ((ps->src[ps->p + i] | 0x20) != kw[i])
			return false;
	return ps->p + n >= ps->len || !is_name_char((unsigned char) ps->src[ps->p + n]);
}

static Node *parse_alt(Parser *ps);

static int
parse_int(Parser *ps, size_t *start)
{
	long		v = 0;

	skip_ws(ps);
	*start = ps->p;
	if (ps->p >= ps->len || ps->src[ps->p] < '0' || ps->src[ps->p] > '9')
	{
		fail(ps, JY_PAT_SYNTAX, ps->p, "expected a repeat count");
		return -1;
	}
	while (ps->p < ps->len && ps->src[ps->p] >= '0' && ps->src[ps->p] <= '9')
	{
		if (v <= 100000000L)
			v = v * 10 + (ps->src[ps->p] - '0');
		ps->p++;
		ps_work(ps, 1);
	}
	if (v > JY_PAT_MAX_REPEAT)
	{
		fail(ps, JY_PAT_LIMIT, *start, "repeat count is too large");
		return -1;
	}
	return (int) v;
}

static Node *
parse_quants(Parser *ps, Node *atom)
{
	int			stacked = 0;

	for (;;)
	{
		int			mn,
					mx;
		size_t		qpos = ps->p,
					ipos;
		Node	   *r;

		if (ps->p >= ps->len)
			return atom;
		switch (ps->src[ps->p])
		{
			case '*':
				mn = 0;
				mx = -1;
				ps->p++;
				break;
			case '+':
				mn = 1;
				mx = -1;
				ps->p++;
				break;
			case '?':
				mn = 0;
				mx = 1;
				ps->p++;
				break;
			case '{':
				ps->p++;
				mn = parse_int(ps, &ipos);
				if (mn < 0)
					return NULL;
				skip_ws(ps);
				if (ps->p < ps->len && ps->src[ps->p] == ',')
				{
					ps->p++;
					skip_ws(ps);
					if (ps->p < ps->len && ps->src[ps->p] == '}')
						mx = -1;
					else
					{
						mx = parse_int(ps, &ipos);
						if (mx < 0)
							return NULL;
						if (mx < mn)
						{
							fail(ps, JY_PAT_SYNTAX, ipos, "invalid repeat bounds: the maximum is smaller than the minimum");
							return NULL;
						}
					}
				}
				else
					mx = mn;
				skip_ws(ps);
				if (ps->p >= ps->len || ps->src[ps->p] != '}')
				{
					fail(ps, JY_PAT_SYNTAX, ps->p, "expected } to close the repeat count");
					return NULL;
				}
				ps->p++;
				break;
			default:
				return atom;
		}
		if (atom->k == N_BOL || atom->k == N_EOL || atom->k == N_GAP)
		{
			fail(ps, JY_PAT_SYNTAX, qpos, "a quantifier cannot follow an anchor or a time constraint");
			return NULL;
		}
		if (++stacked > 8)
		{
			fail(ps, JY_PAT_LIMIT, qpos, "too many quantifiers on one element");
			return NULL;
		}
		r = mknode(ps, N_REP, (size_t) atom->pos);
		r->min = mn;
		r->max = mx;
		r->a = atom;
		atom = r;
	}
}

/* an item: atom with quantifiers, an anchor, or a time constraint; NULL at the end of a sequence */
static Node *
parse_item(Parser *ps, bool *end)
{
	size_t		start;
	char		c;
	Node	   *n;

	*end = false;
	skip_ws(ps);
	start = ps->p;
	if (ps->p >= ps->len)
	{
		*end = true;
		return NULL;
	}
	c = ps->src[ps->p];
	if (c == ')' || c == '|')
	{
		*end = true;
		return NULL;
	}
	if (at_keyword(ps, "within") || at_keyword(ps, "span"))
	{
		*end = true;
		return NULL;
	}
	if (c == '(' && ps->p + 1 < ps->len && ps->src[ps->p + 1] == '?')
	{
		JyCmpOp		op;

		ps->p += 2;
		if (ps->p >= ps->len || ps->src[ps->p] != 't')
		{
			fail(ps, JY_PAT_SYNTAX, ps->p, "expected t after (? (a time constraint is written (?t<=10min))");
			return NULL;
		}
		ps->p++;
		skip_ws(ps);
		if (!parse_op(ps, &op))
		{
			fail(ps, JY_PAT_SYNTAX, ps->p, "expected one of < <= > >= = after (?t");
			return NULL;
		}
		n = mknode(ps, N_GAP, start);
		n->op = op;
		if (!parse_dur_at(ps, &n->d))
			return NULL;
		skip_ws(ps);
		if (ps->p >= ps->len || ps->src[ps->p] != ')')
		{
			fail(ps, JY_PAT_SYNTAX, ps->p, "expected ) to close the time constraint");
			return NULL;
		}
		ps->p++;
		return n;
	}
	if (c == '(')
	{
		Node	   *inner;

		if (++ps->depth > MAX_DEPTH)
		{
			fail(ps, JY_PAT_LIMIT, start, "pattern nesting is too deep");
			return NULL;
		}
		ps->p++;
		inner = parse_alt(ps);
		if (ps->failed)
			return NULL;
		skip_ws(ps);
		if (ps->p >= ps->len || ps->src[ps->p] != ')')
		{
			fail(ps, JY_PAT_SYNTAX, ps->p, "expected ) to close the group");
			return NULL;
		}
		ps->p++;
		ps->depth--;
		return parse_quants(ps, inner);
	}
	if (c == '^' || c == '$')
	{
		ps->p++;
		n = mknode(ps, c == '^' ? N_BOL : N_EOL, start);
		return parse_quants(ps, n);
	}
	if (c == '.')
	{
		ps->p++;
		return parse_quants(ps, mknode(ps, N_ANY, start));
	}
	if (c == '!')
	{
		ps->p++;
		skip_ws(ps);
		if (ps->p >= ps->len)
		{
			fail(ps, JY_PAT_SYNTAX, ps->p, "expected an event name or a set after !");
			return NULL;
		}
		n = parse_set(ps, true);
		if (!n)
			return NULL;
		return parse_quants(ps, n);
	}
	if (c == '[' || c == '"' || is_name_start((unsigned char) c))
	{
		n = parse_set(ps, false);
		if (!n)
			return NULL;
		return parse_quants(ps, n);
	}
	if (c == '*' || c == '+' || c == '?' || c == '{')
		fail(ps, JY_PAT_SYNTAX, start, "quantifier without an element before it");
	else
		fail(ps, JY_PAT_SYNTAX, start, "unexpected character");
	return NULL;
}

/* growable child list */
static void
push_kid(Parser *ps, Node *parent, Node *kid, int *cap)
{
	if (parent->nkids == *cap)
	{
		int			nc = *cap ? *cap * 2 : 8;
		Node	  **nk = palloc_(ps, nc * sizeof(Node *));

		if (parent->nkids)
			memcpy(nk, parent->kids, parent->nkids * sizeof(Node *));
		parent->kids = nk;
		*cap = nc;
	}
	parent->kids[parent->nkids++] = kid;
}

/*
 * The compiled program will exceed JY_PAT_MAX_PROG whatever follows: fail
 * now, with the error the size check after parsing would give, instead of
 * building a syntax tree for the rest of a huge text first.
 */
static bool
too_large_early(Parser *ps)
{
	if (ps->may_vanish || ps->min_prog + 1 <= JY_PAT_MAX_PROG)
		return false;
	fail(ps, JY_PAT_LIMIT, 0, "the compiled pattern is too large");
	return true;
}

static Node *
parse_seq(Parser *ps)
{
	Node	   *seq = mknode(ps, N_CAT, ps->p);
	Node	   *pending_gap = NULL;
	int			cap = 0;

	for (;;)
	{
		bool		end;
		Node	   *it = parse_item(ps, &end);

		if (ps->failed)
			return NULL;
		if (end)
			break;
		if (pending_gap && nullable(it))
		{
			fail(ps, JY_PAT_SYNTAX, (size_t) it->pos,
				 "a time constraint must be followed by an element that matches at least one event");
			return NULL;
		}
		pending_gap = it->k == N_GAP ? it : NULL;
		push_kid(ps, seq, it, &cap);
		if (too_large_early(ps))
			return NULL;
	}
	if (pending_gap)
	{
		fail(ps, JY_PAT_SYNTAX, (size_t) pending_gap->pos,
			 "a time constraint must be followed by an element that matches at least one event");
		return NULL;
	}
	if (seq->nkids == 1)
		return seq->kids[0];
	return seq;
}

static Node *
parse_alt(Parser *ps)
{
	Node	   *first = parse_seq(ps);
	Node	   *alt;
	int			cap = 0;

	if (ps->failed || ps->p >= ps->len || ps->src[ps->p] != '|')
		return first;
	alt = mknode(ps, N_ALT, ps->p);
	push_kid(ps, alt, first, &cap);
	while (!ps->failed && ps->p < ps->len && ps->src[ps->p] == '|')
	{
		Node	   *n;

		ps->p++;
		ps->min_prog += 2;		/* the SPLIT and JMP of one more alternative */
		n = parse_seq(ps);
		if (ps->failed || too_large_early(ps))
			return NULL;
		push_kid(ps, alt, n, &cap);
	}
	return alt;
}

/* ======================================================================== */
/* code generation                                                          */
/* ======================================================================== */

static int64_t
prog_size(const Node *n)
{
	int64_t		a,
				b;

	switch (n->k)
	{
		case N_SET:
		case N_ANY:
		case N_BOL:
		case N_EOL:
		case N_GAP:
			return 1;
		case N_EMPTY:
			return 0;
		case N_CAT:
		case N_ALT:
			{
				int			i;

				a = n->k == N_ALT ? 2 * (int64_t) (n->nkids - 1) : 0;
				for (i = 0; i < n->nkids; i++)
				{
					a += prog_size(n->kids[i]);
					if (a > JY_PAT_MAX_PROG)
						return JY_PAT_MAX_PROG + 1;
				}
				return a;
			}
		case N_REP:
			a = prog_size(n->a);
			if (a > JY_PAT_MAX_PROG)
				return a;
			b = (int64_t) n->min * a +
				(n->max < 0 ? a + 2 : (int64_t) (n->max - n->min) * (a + 1));
			return b > JY_PAT_MAX_PROG ? JY_PAT_MAX_PROG + 1 : b;
	}
	return 0;
}

typedef struct Gen
{
	Inst	   *code;
	int			n;
	bool		rev;
} Gen;

static int
emit(Gen *g, uint8_t op)
{
	Inst	   *i = &g->code[g->n];

	memset(i, 0, sizeof(*i));
	i->op = op;
	return g->n++;
}

static void
gen(Gen *g, const Node *n)
{
	int			i,
				l1,
				l2;

	switch (n->k)
	{
		case N_SET:
			i = emit(g, I_SET);
			g->code[i].x = n->set;
			break;
		case N_ANY:
			emit(g, I_ANY);
			break;
		case N_BOL:
			emit(g, I_BOL);
			break;
		case N_EOL:
			emit(g, I_EOL);
			break;
		case N_GAP:
			i = emit(g, I_GAP);
			g->code[i].cmp = (uint8_t) n->op;
			g->code[i].d = n->d;
			break;
		case N_EMPTY:
			break;
		case N_CAT:
			for (i = 0; i < n->nkids; i++)
				gen(g, n->kids[g->rev ? n->nkids - 1 - i : i]);
			break;
		case N_ALT:
			{
				int			last_jmp = -1;

				for (i = 0; i < n->nkids; i++)
				{
					if (i < n->nkids - 1)
					{
						l1 = emit(g, I_SPLIT);
						g->code[l1].x = g->n;
						gen(g, n->kids[i]);
						l2 = emit(g, I_JMP);
						g->code[l2].x = last_jmp;	/* chain of jumps to patch */
						last_jmp = l2;
						g->code[l1].y = g->n;
					}
					else
						gen(g, n->kids[i]);
				}
				while (last_jmp >= 0)
				{
					int			nxt = g->code[last_jmp].x;

					g->code[last_jmp].x = g->n;
					last_jmp = nxt;
				}
			}
			break;
		case N_REP:
			for (i = 0; i < n->min; i++)
				gen(g, n->a);
			if (n->max < 0)
			{
				l1 = emit(g, I_SPLIT);
				g->code[l1].x = g->n;
				gen(g, n->a);
				l2 = emit(g, I_JMP);
				g->code[l2].x = l1;
				g->code[l1].y = g->n;
			}
			else
			{
				/* (max - min) optional copies, each [SPLIT][e]; every SPLIT skips to the end */
				int			nopt = n->max - n->min,
							k,
							first = g->n,
							step = (int) prog_size(n->a) + 1;

				for (k = 0; k < nopt; k++)
				{
					l1 = emit(g, I_SPLIT);
					g->code[l1].x = g->n;
					gen(g, n->a);
				}
				for (k = 0; k < nopt; k++)
					g->code[first + k * step].y = g->n;
			}
			break;
	}
}

/*
 * Can events whose names the pattern does not mention ("other" events) be
 * dropped without changing any result?  True for the shape
 *     S1 .* S2 .* ... .* Sk        (k >= 1, optional within / span clause)
 * where each Si matches only named events: a name, a set of names, or a group
 * of alternatives that are themselves such symbols — no negation, no `.`
 * other than the `.*` between symbols, no quantifier on a symbol, no anchors
 * and no gap tests.  Then every match starts and ends on named events and
 * only their order and times matter; dropping the other events maps the
 * named events' positions monotonically, so the matches found (each one's
 * first and last event), their non-overlapping choice and the span clause are
 * the same.  Conservative: other shapes (e.g. `a .* .* b`) may also qualify
 * and are simply not recognized.
 */
static bool
named_symbol(const Parser *ps, const Node *n)
{
	int			i;

	if (n->k == N_SET)
		return !ps->sets[n->set].neg;
	if (n->k == N_ALT && n->nkids > 0)
	{
		for (i = 0; i < n->nkids; i++)
			if (!named_symbol(ps, n->kids[i]))
				return false;
		return true;
	}
	return false;
}

static bool
any_star(const Node *n)
{
	return n->k == N_REP && n->min == 0 && n->max == -1 && n->a != NULL && n->a->k == N_ANY;
}

/*
 * Names that every match contains (bit = pattern-local id, ids < 64): a
 * one-name set; the union over a sequence; the common part of alternatives;
 * a repeat's element when it must occur at least once.  Anything else
 * requires nothing.  Conservative (a subset of the truly required names).
 */
static uint64_t
required_names(const Parser *ps, const Node *n)
{
	uint64_t	r = 0;
	int			i;

	switch (n->k)
	{
		case N_SET:
			if (!ps->sets[n->set].neg && ps->sets[n->set].n == 1 &&
				ps->sets[n->set].ids[0] >= 0 && ps->sets[n->set].ids[0] < 64)
				r = UINT64_C(1) << ps->sets[n->set].ids[0];
			break;
		case N_CAT:
			for (i = 0; i < n->nkids; i++)
				r |= required_names(ps, n->kids[i]);
			break;
		case N_ALT:
			if (n->nkids > 0)
			{
				r = ~UINT64_C(0);
				for (i = 0; i < n->nkids; i++)
					r &= required_names(ps, n->kids[i]);
			}
			break;
		case N_REP:
			if (n->min >= 1 && n->a != NULL)
				r = required_names(ps, n->a);
			break;
		default:
			break;
	}
	return r;
}

static bool
others_irrelevant(const Parser *ps, const Node *root)
{
	int			i;

	if (root->k != N_CAT)
		return named_symbol(ps, root);
	if (root->nkids % 2 == 0)
		return false;
	for (i = 0; i < root->nkids; i++)
		if (i % 2 == 0 ? !named_symbol(ps, root->kids[i]) : !any_star(root->kids[i]))
			return false;
	return true;
}

/*
 * Can a repeat with a maximum of 0 occur (`{0}`, `{ 00 }`, `{0,0}`: it
 * removes its element from the program)?  Conservative: any `{` followed by
 * white space and a 0, quoted or not, counts.
 */
static bool
repeat_may_vanish(const char *src, size_t len)
{
	const char *p = src,
			   *end = src + len;

	while (p < end && (p = memchr(p, '{', (size_t) (end - p))) != NULL)
	{
		p++;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		if (p < end && *p == '0')
			return true;
	}
	return false;
}

JyPattern *
jy_pat_compile(const char *src, size_t len, const JyAlloc *a, JyPatError *err)
{
	return jy_pat_compile_ex(src, len, a, err, NULL, NULL);
}

JyPattern *
jy_pat_compile_ex(const char *src, size_t len, const JyAlloc *a, JyPatError *err,
				  void (*tick) (void *), void *tick_arg)
{
	Parser		ps;
	Node	   *root;
	JyPattern  *p;
	int64_t		sz;
	Gen			g;
	int			s,
				k;
	bool		have_upper = false,
				have_lower = false;

	memset(&ps, 0, sizeof(ps));
	memset(err, 0, sizeof(*err));
	ps.src = src;
	ps.len = len;
	ps.a = a;
	ps.err = err;
	ps.tick = tick;
	ps.tick_arg = tick_arg;
	ps.tick_at = JY_PAT_TICK_WORK;
	ps.may_vanish = repeat_may_vanish(src, len);
	ps_work(&ps, len / 256);	/* that scan */

	skip_ws(&ps);
	if (ps.p >= len)
	{
		fail(&ps, JY_PAT_EMPTY, 0, "the pattern is empty");
		return NULL;
	}
	p = palloc_(&ps, sizeof(JyPattern));
	root = parse_alt(&ps);
	if (ps.failed)
		return NULL;
	if (root->k == N_CAT && root->nkids == 0)
	{
		fail(&ps, JY_PAT_EMPTY, ps.p, "the pattern has no elements before its span constraint");
		return NULL;
	}
	/* trailing clauses: within [<|<=] d, span op d */
	for (;;)
	{
		JyCmpOp		op;
		int64_t		d;
		size_t		kpos;

		skip_ws(&ps);
		if (ps.p >= len)
			break;
		kpos = ps.p;
		if (at_keyword(&ps, "within"))
		{
			ps.p += 6;
			skip_ws(&ps);
			if (!parse_op(&ps, &op))
				op = JY_OP_LE;
			if (op != JY_OP_LE && op != JY_OP_LT)
			{
				fail(&ps, JY_PAT_SYNTAX, kpos, "within takes < or <= (use span > d for a minimum span)");
				return NULL;
			}
		}
		else if (at_keyword(&ps, "span"))
		{
			ps.p += 4;
			skip_ws(&ps);
			if (!parse_op(&ps, &op))
			{
				fail(&ps, JY_PAT_SYNTAX, ps.p, "expected one of < <= > >= after span");
				return NULL;
			}
		}
		else if (ps.src[ps.p] == ')')
		{
			fail(&ps, JY_PAT_SYNTAX, ps.p, "unbalanced ): no group to close");
			return NULL;
		}
		else
		{
			fail(&ps, JY_PAT_SYNTAX, ps.p, "unexpected text after the span constraint");
			return NULL;
		}
		if (!parse_dur_at(&ps, &d))
			return NULL;
		if (op == JY_OP_EQ)
		{
			fail(&ps, JY_PAT_UNSUPPORTED, kpos, "span = d is not supported");
			return NULL;
		}
		if ((op == JY_OP_LE || op == JY_OP_LT) ? have_upper || have_lower : have_lower || have_upper)
		{
			fail(&ps, JY_PAT_UNSUPPORTED, kpos, "only one span constraint (within or span) per pattern is supported");
			return NULL;
		}
		if (op == JY_OP_LE || op == JY_OP_LT)
			have_upper = true;
		else
			have_lower = true;
		p->has_span = true;
		p->span_op = op;
		p->span_d = d;
		p->span_pref = (op == JY_OP_LE || op == JY_OP_LT) ? 1 : -1;
	}

	p->skips_others = others_irrelevant(&ps, root);

	sz = prog_size(root) + 1;
	if (sz > JY_PAT_MAX_PROG)
	{
		fail(&ps, JY_PAT_LIMIT, 0, "the compiled pattern is too large");
		return NULL;
	}

	/* ids follow name order (bytes, shorter first on a common prefix), so that
	 * ties in time can be ordered by name, like the journey type does */
	{
		int		   *order = palloc_(&ps, (size_t) (ps.nnames ? ps.nnames : 1) * sizeof(int));
		int		   *remap = palloc_(&ps, (size_t) (ps.nnames ? ps.nnames : 1) * sizeof(int));
		NameDef    *sorted = palloc_(&ps, (size_t) (ps.nnames ? ps.nnames : 1) * sizeof(NameDef));
		int			i2,
					j2;

		for (i2 = 0; i2 < ps.nnames; i2++)
			order[i2] = i2;
		/* insertion sort: patterns have few names */
		for (i2 = 1; i2 < ps.nnames; i2++)
		{
			int			x = order[i2];

			for (j2 = i2; j2 > 0 && name_cmp(ps.names[order[j2 - 1]].s, ps.names[order[j2 - 1]].len,
											  ps.names[x].s, ps.names[x].len) > 0; j2--)
			{
				order[j2] = order[j2 - 1];
				ps_work(&ps, 1 + ps.names[x].len / 64);
			}
			order[j2] = x;
		}
		for (i2 = 0; i2 < ps.nnames; i2++)
		{
			sorted[i2] = ps.names[order[i2]];
			remap[order[i2]] = i2;
		}
		for (s = 0; s < ps.nsets; s++)
		{
			ps_work(&ps, 1 + (uint64_t) ps.sets[s].n);
			for (k = 0; k < ps.sets[s].n; k++)
				ps.sets[s].ids[k] = remap[ps.sets[s].ids[k]];
		}
		ps.names = sorted;
	}

	/* names every match needs (ids are final now) */
	p->required = ps.nnames <= 64 ? required_names(&ps, root) : 0;

	/* sets -> bitmaps */
	p->names = ps.names;
	p->nnames = ps.nnames;
	p->nsets = ps.nsets;
	p->nwords = (ps.nnames + 1 + 63) / 64;
	p->bits = palloc_(&ps, (size_t) (ps.nsets ? ps.nsets : 1) * p->nwords * sizeof(uint64_t));
	for (s = 0; s < ps.nsets; s++)
	{
		uint64_t   *w = p->bits + (size_t) s * p->nwords;

		ps_work(&ps, 1 + (uint64_t) ps.sets[s].n + (uint64_t) p->nwords);

		for (k = 0; k < ps.sets[s].n; k++)
		{
			int			bit = ps.sets[s].ids[k] + 1;

			w[bit / 64] |= UINT64_C(1) << (bit % 64);
		}
		if (ps.sets[s].neg)
		{
			for (k = 0; k < p->nwords; k++)
				w[k] = ~w[k];
			/* clear bits beyond nnames */
			for (k = ps.nnames + 1; k < p->nwords * 64; k++)
				w[k / 64] &= ~(UINT64_C(1) << (k % 64));
		}
	}

	p->proglen = (int) sz;
	g.code = palloc_(&ps, sz * sizeof(Inst));
	g.n = 0;
	g.rev = false;
	gen(&g, root);
	emit(&g, I_MATCH);
	p->fwd = g.code;
	g.code = palloc_(&ps, sz * sizeof(Inst));
	g.n = 0;
	g.rev = true;
	gen(&g, root);
	emit(&g, I_MATCH);
	p->rev = g.code;
	return p;
}

uint64_t
jy_pat_required(const JyPattern *p)
{
	return p->required;
}

bool
jy_pat_skips_others(const JyPattern *p)
{
	return p->skips_others;
}

int
jy_pat_nnames(const JyPattern *p)
{
	return p->nnames;
}

const char *
jy_pat_name(const JyPattern *p, int id, size_t *len)
{
	*len = p->names[id].len;
	return p->names[id].s;
}

/* binary search: the index of the first name >= (name, len); *found when equal */
static int
name_search(const JyPattern *p, const char *name, size_t len, bool *found)
{
	int			lo = 0,
				hi = p->nnames;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (name_cmp(p->names[mid].s, p->names[mid].len, name, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < p->nnames && name_cmp(p->names[lo].s, p->names[lo].len, name, len) == 0;
	return lo;
}

int32_t
jy_pat_lookup(const JyPattern *p, const char *name, size_t len)
{
	bool		found;
	int			i = name_search(p, name, len, &found);

	return found ? i : -1;
}

uint32_t
jy_pat_tie_key(const JyPattern *p, const char *name, size_t len)
{
	bool		found;
	int			i = name_search(p, name, len, &found);

	return found ? 2 * (uint32_t) i + 1 : 2 * (uint32_t) i;
}

int
jy_pat_proglen(const JyPattern *p)
{
	return p->proglen;
}

/* ======================================================================== */
/* Pike VM                                                                  */
/* ======================================================================== */

typedef struct TList
{
	int32_t    *pc;
	int64_t    *start;
	int			n;
} TList;

struct JyPatScratch
{
	TList		a,
				b;
	uint32_t   *mark;			/* epsilon pcs visited in the current closure group */
	uint32_t   *smark;			/* consuming pcs stored in the current list */
	uint32_t	gen;
	uint32_t	egen;
	int32_t    *stack;
	int			proglen;
	void		(*tick) (void *);
	void	   *tick_arg;
	uint64_t	work;			/* work units done (see JY_PAT_TICK_WORK) */
	uint64_t	tick_at;		/* call tick once work reaches this */
};

JyPatScratch *
jy_pat_scratch(const JyPattern *p, const JyAlloc *a)
{
	JyPatScratch *s = a->alloc(a->arg, sizeof(JyPatScratch));
	size_t		n = (size_t) p->proglen;

	memset(s, 0, sizeof(*s));
	s->proglen = p->proglen;
	s->a.pc = a->alloc(a->arg, n * sizeof(int32_t));
	s->a.start = a->alloc(a->arg, n * sizeof(int64_t));
	s->b.pc = a->alloc(a->arg, n * sizeof(int32_t));
	s->b.start = a->alloc(a->arg, n * sizeof(int64_t));
	s->mark = a->alloc(a->arg, n * sizeof(uint32_t));
	memset(s->mark, 0, n * sizeof(uint32_t));
	s->smark = a->alloc(a->arg, n * sizeof(uint32_t));
	memset(s->smark, 0, n * sizeof(uint32_t));
	/* every pc is pushed at most once per closure, MATCH at most once per incoming edge */
	s->stack = a->alloc(a->arg, 3 * n * sizeof(int32_t));
	return s;
}

void
jy_pat_set_tick(JyPatScratch *s, void (*tick) (void *), void *arg)
{
	s->tick = tick;
	s->tick_arg = arg;
	s->tick_at = s->work + JY_PAT_TICK_WORK;
}

uint64_t
jy_pat_work(const JyPatScratch *s)
{
	return s->work;
}

/*
 * Once per event: one unit for the event itself (the closures it caused have
 * added theirs), and the tick when JY_PAT_TICK_WORK units have passed since
 * the last one.  One event's closures cost at most ~3 x proglen units, so two
 * ticks are at most JY_PAT_TICK_WORK + 3 x JY_PAT_MAX_PROG units apart.
 */
static inline void
tick(JyPatScratch *s)
{
	s->work++;
	if (s->work >= s->tick_at)
	{
		s->tick_at = s->work + JY_PAT_TICK_WORK;
		if (s->tick)
			s->tick(s->tick_arg);
	}
}

/* a new list (stored consuming pcs are deduplicated per list) */
static inline void
next_gen(JyPatScratch *s)
{
	if (++s->gen == 0)
	{
		memset(s->smark, 0, (size_t) s->proglen * sizeof(uint32_t));
		s->gen = 1;
	}
}

/*
 * A new closure group: fresh-start threads (which may not end an empty match)
 * and advanced threads walk the epsilon graph separately, so that a fresh
 * thread's visit cannot hide a MATCH from an advanced one.
 */
static inline void
next_egen(JyPatScratch *s)
{
	if (++s->egen == 0)
	{
		memset(s->mark, 0, (size_t) s->proglen * sizeof(uint32_t));
		s->egen = 1;
	}
}

static inline bool
visit(JyPatScratch *s, const Inst *code, int pc)
{
	uint32_t   *m = (code[pc].op == I_SET || code[pc].op == I_ANY) ? s->smark : s->mark;
	uint32_t	g = (code[pc].op == I_SET || code[pc].op == I_ANY) ? s->gen : s->egen;

	if (m[pc] == g)
		return false;
	m[pc] = g;
	return true;
}

static inline bool
cmp_op(JyCmpOp op, uint64_t v, uint64_t d)
{
	switch (op)
	{
		case JY_OP_LT:
			return v < d;
		case JY_OP_LE:
			return v <= d;
		case JY_OP_GT:
			return v > d;
		case JY_OP_GE:
			return v >= d;
		case JY_OP_EQ:
			return v == d;
	}
	return false;
}

/* gap assertion on the event right of boundary b (the first event has an infinite gap) */
static inline bool
gap_ok(const Inst *in, const JyEvents *e, size_t b)
{
	if (b >= e->n)
		return false;
	if (b == 0)
		return in->cmp == JY_OP_GT || in->cmp == JY_OP_GE;
	return cmp_op((JyCmpOp) in->cmp, jy_udiff(e->ts[b], e->ts[b - 1]), (uint64_t) in->d);
}

static inline bool
span_ok(const JyPattern *p, int64_t first, int64_t last)
{
	if (!p->has_span)
		return true;
	return cmp_op(p->span_op, jy_udiff(last, first), (uint64_t) p->span_d);
}

static inline bool
set_has(const JyPattern *p, int set, int32_t ev)
{
	const uint64_t *w = p->bits + (size_t) set * p->nwords;
	uint32_t	bit = (uint32_t) (ev + 1);

	if (ev < -1 || ev >= p->nnames)
		bit = 0;
	return (w[bit / 64] >> (bit % 64)) & 1;
}

/*
 * Closure of pc0 at boundary b into list l.  Threads at consuming
 * instructions are stored; MATCH is reported through *matched (for non-fresh
 * threads whose span is acceptable, `last` = time of the last consumed event).
 */
static void
closure(const JyPattern *p, const Inst *code, JyPatScratch *s, TList *l, int pc0,
		const JyEvents *e, size_t b, int64_t start, bool fresh, int64_t last, bool *matched)
{
	int			sp = 0;

	if (code[pc0].op != I_MATCH && !visit(s, code, pc0))
		return;
	s->stack[sp++] = pc0;
	while (sp > 0)
	{
		int			pc = s->stack[--sp];
		const Inst *in = &code[pc];
		int			nx[2],
					nn = 0,
					k;

		s->work++;

		switch (in->op)
		{
			case I_SET:
			case I_ANY:
				l->pc[l->n] = pc;
				l->start[l->n] = start;
				l->n++;
				continue;
			case I_MATCH:
				if (!fresh && span_ok(p, start, last))
					*matched = true;
				continue;
			case I_JMP:
				nx[nn++] = in->x;
				break;
			case I_SPLIT:
				nx[nn++] = in->y;
				nx[nn++] = in->x;
				break;
			case I_BOL:
				if (b == 0)
					nx[nn++] = pc + 1;
				break;
			case I_EOL:
				if (b == e->n)
					nx[nn++] = pc + 1;
				break;
			case I_GAP:
				if (gap_ok(in, e, b))
					nx[nn++] = pc + 1;
				break;
		}
		for (k = 0; k < nn; k++)
		{
			int			t = nx[k];

			if (code[t].op == I_MATCH)
			{
				if (!fresh && span_ok(p, start, last))
					*matched = true;
				continue;
			}
			if (!visit(s, code, t))
				continue;
			s->stack[sp++] = t;
		}
	}
}

static inline bool
consumes(const JyPattern *p, const Inst *in, int32_t ev)
{
	return in->op == I_ANY || set_has(p, in->x, ev);
}

/* earliest end >= from of a match starting at or after from */
static bool
forward_end(const JyPattern *p, JyPatScratch *s, const JyEvents *e, size_t from, size_t *end)
{
	TList	   *cl = &s->a,
			   *nl = &s->b,
			   *tmp;
	size_t		j;
	bool		matched = false;

	if (from >= e->n)
		return false;
	next_gen(s);
	next_egen(s);
	cl->n = 0;
	closure(p, p->fwd, s, cl, 0, e, from, e->ts[from], true, 0, &matched);
	for (j = from; j < e->n; j++)
	{
		int			i;
		int32_t		ev = e->ev[j];
		bool		fresh_next = j + 1 < e->n;

		tick(s);
		next_gen(s);
		nl->n = 0;
		matched = false;
		if (p->span_pref > 0 && fresh_next)
		{
			next_egen(s);
			closure(p, p->fwd, s, nl, 0, e, j + 1, e->ts[j + 1], true, 0, &matched);
		}
		next_egen(s);
		for (i = 0; i < cl->n; i++)
		{
			const Inst *in = &p->fwd[cl->pc[i]];

			if (consumes(p, in, ev))
				closure(p, p->fwd, s, nl, cl->pc[i] + 1, e, j + 1, cl->start[i], false, e->ts[j], &matched);
		}
		if (matched)
		{
			*end = j;
			return true;
		}
		if (p->span_pref <= 0 && fresh_next)
		{
			next_egen(s);
			closure(p, p->fwd, s, nl, 0, e, j + 1, e->ts[j + 1], true, 0, &matched);
		}
		tmp = cl;
		cl = nl;
		nl = tmp;
	}
	return false;
}

/* latest start in [lo, end] of a match ending at end */
static bool
backward_start(const JyPattern *p, JyPatScratch *s, const JyEvents *e, size_t lo, size_t end, size_t *start)
{
	TList	   *cl = &s->a,
			   *nl = &s->b,
			   *tmp;
	size_t		j;
	bool		matched = false;
	int64_t		tend = e->ts[end];

	next_gen(s);
	next_egen(s);
	cl->n = 0;
	closure(p, p->rev, s, cl, 0, e, end + 1, 0, true, 0, &matched);
	for (j = end + 1; j-- > lo;)
	{
		int			i;
		int32_t		ev = e->ev[j];

		tick(s);
		next_gen(s);
		next_egen(s);
		nl->n = 0;
		matched = false;
		for (i = 0; i < cl->n; i++)
		{
			const Inst *in = &p->rev[cl->pc[i]];

			if (consumes(p, in, ev))
				closure(p, p->rev, s, nl, cl->pc[i] + 1, e, j, e->ts[j], false, tend, &matched);
		}
		if (matched)
		{
			*start = j;
			return true;
		}
		if (nl->n == 0)
			return false;
		if (p->has_span && p->span_pref > 0 && !span_ok(p, e->ts[j], tend))
			return false;
		tmp = cl;
		cl = nl;
		nl = tmp;
	}
	return false;
}

bool
jy_pat_next(const JyPattern *p, JyPatScratch *s, const JyEvents *e,
			size_t from, bool need_start, size_t *mstart, size_t *mend)
{
	size_t		end;

	if (!forward_end(p, s, e, from, &end))
		return false;
	*mend = end;
	if (need_start)
	{
		if (!backward_start(p, s, e, from, end, mstart))
			*mstart = end;		/* cannot happen: forward found a match */
	}
	return true;
}

bool
jy_pat_match(const JyPattern *p, JyPatScratch *s, const JyEvents *e)
{
	size_t		st,
				en;

	return jy_pat_next(p, s, e, 0, false, &st, &en);
}

int64_t
jy_pat_count(const JyPattern *p, JyPatScratch *s, const JyEvents *e)
{
	size_t		from = 0,
				st,
				en;
	int64_t		c = 0;

	while (from < e->n && jy_pat_next(p, s, e, from, false, &st, &en))
	{
		c++;
		from = en + 1;
	}
	return c;
}

/* ======================================================================== */
/* ClickHouse sequenceMatch / sequenceCount                                 */
/* ======================================================================== */

enum
{
	CH_SPEC, CH_ANY, CH_KLEENE, CH_TIME
};

typedef struct ChAct
{
	uint8_t		kind;
	uint8_t		op;
	uint32_t	cond;			/* CH_SPEC: 0-based condition */
	int64_t		c;				/* CH_TIME: microseconds */
	bool		c_zero;
} ChAct;

struct JyChPattern
{
	ChAct	   *acts;
	int			n;
	bool		has_eq;
	bool		all_skippable;	/* only .* and (?t<..), (?t<=..), (?t>=0) */
};

JyChPattern *
jy_ch_compile(const char *src, size_t len, int nconds, const JyAlloc *a, JyPatError *err)
{
	return jy_ch_compile_ex(src, len, nconds, a, err, NULL, NULL);
}

JyChPattern *
jy_ch_compile_ex(const char *src, size_t len, int nconds, const JyAlloc *a, JyPatError *err,
				 void (*tick) (void *), void *tick_arg)
{
	JyChPattern *p;
	size_t		pos = 0,
				tick_pos = JY_PAT_TICK_WORK;
	int			cap = (int) len + 2;

	memset(err, 0, sizeof(*err));
	p = a->alloc(a->arg, sizeof(JyChPattern));
	memset(p, 0, sizeof(*p));
	p->acts = a->alloc(a->arg, (size_t) cap * sizeof(ChAct));
	/*
	 * Room for one action per byte, zeroed one slot at a time as the parser
	 * reaches it: a memset of the whole array (24 bytes per byte of a
	 * pattern of megabytes) would fault in every page in one stretch.
	 */
	memset(p->acts, 0, 2 * sizeof(ChAct));
	p->acts[0].kind = CH_KLEENE;	/* implicit leading .* */
	p->n = 1;

#define CH_FAIL(st, at, m) do { err->status = (st); err->pos = (int) (at); \
		snprintf(err->msg, sizeof(err->msg), "%s", (m)); return NULL; } while (0)

	{
		size_t		k = 0;

		while (k < len && (src[k] == ' ' || src[k] == '\t' || src[k] == '\n' || src[k] == '\r'))
			k++;
		if (k == len)
			CH_FAIL(JY_PAT_EMPTY, 0, "the pattern is empty");
	}
	while (pos < len)
	{
		size_t		tok = pos;
		char		ch = src[pos];

		if (pos >= tick_pos)
		{
			tick_pos = pos + JY_PAT_TICK_WORK;
			if (tick)
				tick(tick_arg);
		}
		memset(&p->acts[p->n], 0, sizeof(ChAct));	/* the next action's slot */

		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
		{
			pos++;
			continue;
		}
		if (ch == '(' && pos + 1 < len && src[pos + 1] == '?')
		{
			pos += 2;
			if (pos < len && src[pos] == 't')
			{
				uint8_t		op;
				uint64_t	v = 0;
				size_t		d0;
				uint8_t		prev = p->acts[p->n - 1].kind;

				pos++;
				if (pos + 1 < len && src[pos] == '<' && src[pos + 1] == '=')
					op = JY_OP_LE, pos += 2;
				else if (pos + 1 < len && src[pos] == '>' && src[pos + 1] == '=')
					op = JY_OP_GE, pos += 2;
				else if (pos + 1 < len && src[pos] == '=' && src[pos + 1] == '=')
					op = JY_OP_EQ, pos += 2;
				else if (pos < len && src[pos] == '<')
					op = JY_OP_LT, pos++;
				else if (pos < len && src[pos] == '>')
					op = JY_OP_GT, pos++;
				else
					CH_FAIL(JY_PAT_SYNTAX, pos, "unknown time condition: expected one of < <= > >= == after (?t");
				d0 = pos;
				while (pos < len && src[pos] >= '0' && src[pos] <= '9')
				{
					if (v > UINT64_C(9223372036854))	/* seconds that fit in int64 microseconds */
						CH_FAIL(JY_PAT_LIMIT, d0, "time condition is out of range");
					v = v * 10 + (uint64_t) (src[pos] - '0');
					pos++;
				}
				if (pos == d0)
					CH_FAIL(JY_PAT_SYNTAX, d0, "could not parse the number of seconds");
				if (v > UINT64_C(9223372036854))
					CH_FAIL(JY_PAT_LIMIT, d0, "time condition is out of range");
				if (prev != CH_SPEC && prev != CH_ANY && prev != CH_KLEENE)
					CH_FAIL(JY_PAT_SYNTAX, tok, "a time condition must follow an event condition, . or .*");
				p->acts[p->n].kind = CH_TIME;
				p->acts[p->n].op = op;
				p->acts[p->n].c = (int64_t) v * JY_USECS_PER_SEC;
				p->acts[p->n].c_zero = v == 0;
				if (op == JY_OP_EQ)
					p->has_eq = true;
				p->n++;
			}
			else
			{
				uint64_t	v = 0;
				size_t		d0 = pos;

				while (pos < len && src[pos] >= '0' && src[pos] <= '9')
				{
					if (v < 1000000)
						v = v * 10 + (uint64_t) (src[pos] - '0');
					pos++;
				}
				if (pos == d0)
					CH_FAIL(JY_PAT_SYNTAX, d0, "could not parse the condition number");
				if (v < 1 || v > (uint64_t) nconds)
				{
					char		m[120];

					snprintf(m, sizeof(m), "condition number %llu is out of range: there are %d conditions",
							 (unsigned long long) v, nconds);
					CH_FAIL(JY_PAT_SYNTAX, d0, m);
				}
				p->acts[p->n].kind = CH_SPEC;
				p->acts[p->n].cond = (uint32_t) (v - 1);
				p->n++;
			}
			if (pos >= len || src[pos] != ')')
				CH_FAIL(JY_PAT_SYNTAX, pos, "expected )");
			pos++;
		}
		else if (ch == '.' && pos + 1 < len && src[pos + 1] == '*')
		{
			p->acts[p->n++].kind = CH_KLEENE;
			pos += 2;
		}
		else if (ch == '.')
		{
			p->acts[p->n++].kind = CH_ANY;
			pos++;
		}
		else
			CH_FAIL(JY_PAT_SYNTAX, pos, "could not parse the pattern: unexpected character");
	}
#undef CH_FAIL
	p->all_skippable = true;
	{
		int			k;

		for (k = 0; k < p->n; k++)
		{
			const ChAct *x = &p->acts[k];

			if (!(x->kind == CH_KLEENE ||
				  (x->kind == CH_TIME && (x->op == JY_OP_LE || x->op == JY_OP_LT ||
										  (x->op == JY_OP_GE && x->c_zero)))))
				p->all_skippable = false;
		}
	}
	return p;
}

/*
 * Simulation of ClickHouse's backtracking matcher as an automaton over
 * (action index, base time).  The base is read only by a time condition, so
 * per action one base suffices for < <= (the latest) and > >= (the earliest);
 * == keeps a queue of candidate bases (nondecreasing, each popped once).
 */
typedef struct ChRun
{
	const JyChPattern *p;
	bool	   *act,
			   *nact;
	int64_t    *base,
			   *nbase;
	/* == queues: one per action, ring of capacity n + 2 */
	int64_t   **q;
	size_t	   *qh,
			   *qt;
	size_t		qcap;
	void		(*tick) (void *);
	void	   *tick_arg;
	uint64_t	work;			/* work units, as in the journey matcher */
	uint64_t	tick_at;
} ChRun;

/*
 * Cost-based tick: `units` of work were (or are about to be) done.  One event
 * costs 1 + 2 x the number of actions (two passes over them); a pattern of
 * 2^16 actions or more counts its per-event loops inside them instead, 2^16
 * units per 2^16 actions (ch_tick_inner), so no stretch between two checks
 * exceeds ~2 x JY_PAT_TICK_WORK units whatever the pattern length.
 */
static inline void
ch_work(ChRun *r, uint64_t units)
{
	r->work += units;
	if (r->work >= r->tick_at)
	{
		r->tick_at = r->work + JY_PAT_TICK_WORK;
		if (r->tick)
			r->tick(r->tick_arg);
	}
}

static inline void
ch_tick_inner(ChRun *r, int a)
{
	if ((a & 0xFFFF) == 0xFFFF)
		ch_work(r, 0x10000);
}

static void
ch_push(ChRun *r, bool *act, int64_t *base, int a, int64_t b)
{
	const ChAct *x;

	if (a >= r->p->n)
	{
		act[a] = true;
		return;
	}
	x = &r->p->acts[a];
	if (x->kind != CH_TIME)
	{
		act[a] = true;
		return;
	}
	if (x->op == JY_OP_EQ)
	{
		/* bases arrive in nondecreasing order */
		if (r->qt[a] == r->qh[a] || r->q[a][(r->qt[a] - 1) % r->qcap] < b)
		{
			r->q[a][r->qt[a] % r->qcap] = b;
			r->qt[a]++;
		}
		act[a] = true;
		return;
	}
	if (!act[a])
		base[a] = b;
	else if (x->op == JY_OP_LE || x->op == JY_OP_LT)
	{
		if (b > base[a])
			base[a] = b;
	}
	else if (b < base[a])
		base[a] = b;
	act[a] = true;
}

static bool
ch_cond(ChRun *r, int a, int64_t t)
{
	const ChAct *x = &r->p->acts[a];

	if (x->op == JY_OP_EQ)
	{
		int64_t		want = t - x->c;

		while (r->qh[a] != r->qt[a] && r->q[a][r->qh[a] % r->qcap] < want)
			r->qh[a]++;
		return r->qh[a] != r->qt[a] && r->q[a][r->qh[a] % r->qcap] == want;
	}
	return cmp_op((JyCmpOp) x->op, jy_udiff(t, r->base[a]), (uint64_t) x->c);
}

/* earliest boundary >= from at which the pattern is matched, searching from `from` */
static bool
ch_search(ChRun *r, const int64_t *ts, const uint32_t *mask, size_t n, size_t from, size_t *endb)
{
	const JyChPattern *p = r->p;
	int			L = p->n,
				a;
	size_t		j;

	memset(r->act, 0, (size_t) (L + 1) * sizeof(bool));
	for (a = 0; a < L; a++)
		if (r->q[a])			/* only == actions have queues */
			r->qh[a] = r->qt[a] = 0;
	r->act[0] = true;
	for (j = from;; j++)
	{
		bool		atend = j >= n;

		ch_work(r, 1 + (L <= 0xFFFF ? 2 * (uint64_t) L : 0));

		/* epsilon closure at boundary j (edges only go a -> a+1) */
		for (a = 0; a < L; a++)
		{
			const ChAct *x = &p->acts[a];

			ch_tick_inner(r, a);
			if (!r->act[a])
				continue;
			if (x->kind == CH_KLEENE)
				ch_push(r, r->act, r->base, a + 1, atend ? 0 : ts[j]);
			else if (x->kind == CH_TIME)
			{
				if (atend)
				{
					if (x->op == JY_OP_LE || x->op == JY_OP_LT || (x->op == JY_OP_GE && x->c_zero))
						ch_push(r, r->act, r->base, a + 1, 0);
				}
				else if (ch_cond(r, a, ts[j]))
					ch_push(r, r->act, r->base, a + 1, ts[j]);
			}
		}
		if (r->act[L])
		{
			*endb = j;
			return true;
		}
		if (atend)
		{
			/*
			 * ClickHouse quirk: when backtracking is exhausted its matcher is
			 * left at the end of the events, and a pattern whose every action
			 * may match nothing at the end then counts as matched there.
			 */
			if (p->all_skippable && from < n)
			{
				*endb = n;
				return true;
			}
			return false;
		}
		/* consume event j */
		memset(r->nact, 0, (size_t) (L + 1) * sizeof(bool));
		for (a = 0; a < L; a++)
		{
			const ChAct *x = &p->acts[a];

			ch_tick_inner(r, a);
			if (!r->act[a])
				continue;
			switch (x->kind)
			{
				case CH_SPEC:
					if ((mask[j] >> x->cond) & 1)
						ch_push(r, r->nact, r->nbase, a + 1, ts[j]);
					break;
				case CH_ANY:
					ch_push(r, r->nact, r->nbase, a + 1, ts[j]);
					break;
				case CH_KLEENE:
					/* ClickHouse never reaches the end of the events by skipping */
					if (j + 1 < n)
						r->nact[a] = true;
					break;
				case CH_TIME:
					if (j + 1 >= n)
						break;
					if (x->op == JY_OP_EQ)
						r->nact[a] = true;	/* queue carries over */
					else if (x->op == JY_OP_GE || x->op == JY_OP_GT || ch_cond(r, a, ts[j]))
						ch_push(r, r->nact, r->nbase, a, r->base[a]);
					break;
			}
		}
		{
			bool	   *t = r->act;
			int64_t    *tb = r->base;

			r->act = r->nact;
			r->nact = t;
			r->base = r->nbase;
			r->nbase = tb;
		}
		if (r->act[L])
		{
			*endb = j + 1;
			return true;
		}
	}
}

static void
ch_init(ChRun *r, const JyChPattern *p, size_t n, const JyAlloc *al)
{
	int			L = p->n,
				a;

	r->p = p;
	r->act = al->alloc(al->arg, (size_t) (L + 1) * sizeof(bool));
	r->nact = al->alloc(al->arg, (size_t) (L + 1) * sizeof(bool));
	r->base = al->alloc(al->arg, (size_t) (L + 1) * sizeof(int64_t));
	r->nbase = al->alloc(al->arg, (size_t) (L + 1) * sizeof(int64_t));
	r->q = al->alloc(al->arg, (size_t) (L + 1) * sizeof(int64_t *));
	r->qh = al->alloc(al->arg, (size_t) (L + 1) * sizeof(size_t));
	r->qt = al->alloc(al->arg, (size_t) (L + 1) * sizeof(size_t));
	r->qcap = n + 2;
	for (a = 0; a <= L; a++)
	{
		r->q[a] = NULL;
		if (a < L && p->acts[a].kind == CH_TIME && p->acts[a].op == JY_OP_EQ)
			r->q[a] = al->alloc(al->arg, r->qcap * sizeof(int64_t));
	}
}

bool
jy_ch_match(const JyChPattern *p, const int64_t *ts, const uint32_t *mask, size_t n, const JyAlloc *a,
			void (*tick) (void *), void *tick_arg)
{
	ChRun		r;
	size_t		e;

	ch_init(&r, p, n, a);
	r.tick = tick;
	r.tick_arg = tick_arg;
	r.work = 0;
	r.tick_at = JY_PAT_TICK_WORK;
	return ch_search(&r, ts, mask, n, 0, &e);
}

int64_t
jy_ch_count(const JyChPattern *p, const int64_t *ts, const uint32_t *mask, size_t n, const JyAlloc *a,
			void (*tick) (void *), void *tick_arg)
{
	ChRun		r;
	size_t		from = 0,
				e;
	int64_t		c = 0;

	ch_init(&r, p, n, a);
	r.tick = tick;
	r.tick_arg = tick_arg;
	r.work = 0;
	r.tick_at = JY_PAT_TICK_WORK;
	while (from < n && ch_search(&r, ts, mask, n, from, &e))
	{
		c++;
		from = e == from ? from + 1 : e;
	}
	return c;
}
