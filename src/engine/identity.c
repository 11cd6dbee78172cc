/*
 * identity.c — identity stitching engine (see identity.h for the semantics).
 */
#include <string.h>

#include "identity.h"
#include "jy_util.h"

typedef struct Node
{
	uint64_t	off;			/* value bytes in the arena */
	uint32_t	len;
	uint32_t	parent;
	uint32_t	size;			/* component size (roots) */
	uint32_t	best;			/* best identifier of the component (roots) */
	uint32_t	prev;			/* previous person (incremental merges) */
	uint16_t	kind;
} Node;

typedef struct Kind
{
	char		name[JY_ID_MAX_KIND_LEN];
	uint32_t	len;
	int32_t		rank;			/* position in the priority list, INT32_MAX when absent */
	int32_t		limit;			/* < 0: none */
	int32_t		slot;			/* index into a node's counters, -1 when unlimited */
} Kind;

typedef struct Refusal
{
	JyIdLink	link;
	uint16_t	kind;
} Refusal;

struct JyIdGraph
{
	JyIdMem		m;
	Kind		kinds[JY_ID_MAX_KINDS];
	int			nkinds;
	int			nprio;
	int			nlimited;
	/* nodes */
	Node	   *nodes;
	uint32_t	nnodes,
				capnodes;
	uint32_t   *counts;			/* nnodes * nlimited, valid at roots */
	/* value arena */
	char	   *arena;
	uint64_t	arenalen,
				arenacap;
	/* open-addressing hash of node numbers, JY_ID_NONE = empty */
	uint32_t   *hash;
	uint64_t	hashcap;		/* power of two */
	/* stored links (limits only) and refusals */
	JyIdLink   *links;
	size_t		nlinks,
				caplinks;
	Refusal    *refused;
	size_t		nrefused,
				caprefused;
};

static void *
grow(JyIdGraph *g, void *p, size_t *cap, size_t need, size_t elsize)
{
	size_t		c = *cap ? *cap : 64;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	p = g->m.resize(g->m.arg, p, c * elsize);
	*cap = c;
	return p;
}

JyIdGraph *
jy_id_new(const JyIdMem *m, int nprio, const char *const *prio, const int32_t *limits)
{
	JyIdGraph  *g = (JyIdGraph *) m->resize(m->arg, NULL, sizeof(JyIdGraph));
	int			i;

	memset(g, 0, sizeof(*g));
	g->m = *m;
	for (i = 0; i < nprio && g->nkinds < JY_ID_MAX_KINDS; i++)
	{
		size_t		len = strlen(prio[i]);
		int			j;
		bool		dup = false;

		if (len >= JY_ID_MAX_KIND_LEN)
			len = JY_ID_MAX_KIND_LEN - 1;
		for (j = 0; j < g->nkinds; j++)
			if (g->kinds[j].len == len && memcmp(g->kinds[j].name, prio[i], len) == 0)
				dup = true;
		if (dup)
			continue;
		memcpy(g->kinds[g->nkinds].name, prio[i], len);
		g->kinds[g->nkinds].len = (uint32_t) len;
		g->kinds[g->nkinds].rank = g->nkinds;
		g->kinds[g->nkinds].limit = limits ? limits[i] : -1;
		g->kinds[g->nkinds].slot = -1;
		if (g->kinds[g->nkinds].limit >= 0)
			g->kinds[g->nkinds].slot = g->nlimited++;
		g->nkinds++;
	}
	g->nprio = g->nkinds;
	g->hashcap = 1024;
	g->hash = (uint32_t *) m->resize(m->arg, NULL, g->hashcap * sizeof(uint32_t));
	memset(g->hash, 0xff, g->hashcap * sizeof(uint32_t));
	return g;
}

void
jy_id_free(JyIdGraph *g)
{
	void	   *ps[] = {g->nodes, g->counts, g->arena, g->hash, g->links, g->refused};
	size_t		i;

	for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		if (ps[i])
			g->m.release(g->m.arg, ps[i]);
	g->m.release(g->m.arg, g);
}

bool
jy_id_limited(const JyIdGraph *g)
{
	return g->nlimited > 0;
}

static uint64_t
hash_bytes(uint16_t kind, const char *p, size_t n)
{
	uint64_t	h = UINT64_C(1469598103934665603) ^ kind;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		h ^= (unsigned char) p[i];
		h *= UINT64_C(1099511628211);
	}
	return jy_mix64(h);
}

static int
find_kind(JyIdGraph *g, const char *kind, size_t klen)
{
	int			i;

	for (i = 0; i < g->nkinds; i++)
		if (g->kinds[i].len == klen && memcmp(g->kinds[i].name, kind, klen) == 0)
			return i;
	if (g->nkinds >= JY_ID_MAX_KINDS)
		return -1;
	memcpy(g->kinds[g->nkinds].name, kind, klen);
	g->kinds[g->nkinds].len = (uint32_t) klen;
	g->kinds[g->nkinds].rank = INT32_MAX;
	g->kinds[g->nkinds].limit = -1;
	g->kinds[g->nkinds].slot = -1;
	return g->nkinds++;
}

static void
rehash(JyIdGraph *g)
{
	uint64_t	cap = g->hashcap * 2;
	uint32_t   *h = (uint32_t *) g->m.resize(g->m.arg, NULL, cap * sizeof(uint32_t));
	uint32_t	i;

	memset(h, 0xff, cap * sizeof(uint32_t));
	for (i = 0; i < g->nnodes; i++)
	{
		Node	   *n = &g->nodes[i];
		uint64_t	s = hash_bytes(n->kind, g->arena + n->off, n->len) & (cap - 1);

		while (h[s] != JY_ID_NONE)
			s = (s + 1) & (cap - 1);
		h[s] = i;
	}
	g->m.release(g->m.arg, g->hash);
	g->hash = h;
	g->hashcap = cap;
}

JyIdStatus
jy_id_node(JyIdGraph *g, const char *kind, size_t klen, const char *val, size_t vlen, uint32_t *node)
{
	int			k;
	uint64_t	s;
	Node	   *n;
	uint32_t	id;

	if (klen >= JY_ID_MAX_KIND_LEN)
		return JY_ID_KIND_TOO_LONG;
	if (vlen > JY_ID_MAX_VALUE_LEN)
		return JY_ID_VALUE_TOO_LONG;
	k = find_kind(g, kind, klen);
	if (k < 0)
		return JY_ID_TOO_MANY_KINDS;
	s = hash_bytes((uint16_t) k, val, vlen) & (g->hashcap - 1);
	while (g->hash[s] != JY_ID_NONE)
	{
		n = &g->nodes[g->hash[s]];
		if (n->kind == k && n->len == vlen && memcmp(g->arena + n->off, val, vlen) == 0)
		{
			*node = g->hash[s];
			return JY_ID_OK;
		}
		s = (s + 1) & (g->hashcap - 1);
	}
	if (g->nnodes >= JY_ID_MAX_NODES)
		return JY_ID_TOO_MANY_NODES;
	id = g->nnodes;
	{
		size_t		cap = g->capnodes;

		g->nodes = (Node *) grow(g, g->nodes, &cap, (size_t) id + 1, sizeof(Node));
		if (g->nlimited && cap != g->capnodes)
			g->counts = (uint32_t *) g->m.resize(g->m.arg, g->counts, cap * g->nlimited * sizeof(uint32_t));
		g->capnodes = (uint32_t) cap;
	}
	{
		size_t		cap = g->arenacap;

		g->arena = (char *) grow(g, g->arena, &cap, g->arenalen + vlen + 1, 1);
		g->arenacap = cap;
	}
	memcpy(g->arena + g->arenalen, val, vlen);
	n = &g->nodes[id];
	n->off = g->arenalen;
	n->len = (uint32_t) vlen;
	n->parent = id;
	n->size = 1;
	n->best = id;
	n->prev = JY_ID_NONE;
	n->kind = (uint16_t) k;
	g->arenalen += vlen;
	if (g->nlimited)
	{
		uint32_t   *c = g->counts + (size_t) id * g->nlimited;

		memset(c, 0, g->nlimited * sizeof(uint32_t));
		if (g->kinds[k].slot >= 0)
			c[g->kinds[k].slot] = 1;
	}
	g->hash[s] = id;
	g->nnodes++;
	if ((uint64_t) g->nnodes * 2 > g->hashcap)
		rehash(g);
	*node = id;
	return JY_ID_OK;
}

int
jy_id_cmp(const JyIdGraph *g, uint32_t a, uint32_t b)
{
	const Node *x = &g->nodes[a],
			   *y = &g->nodes[b];
	int			c;
	size_t		m;

	if (x->kind != y->kind)
	{
		const Kind *kx = &g->kinds[x->kind],
				   *ky = &g->kinds[y->kind];

		if (kx->rank != ky->rank)
			return kx->rank < ky->rank ? -1 : 1;
		m = kx->len < ky->len ? kx->len : ky->len;
		c = memcmp(kx->name, ky->name, m);
		if (c != 0)
			return c;
		return kx->len < ky->len ? -1 : 1;	/* distinct names: lengths differ */
	}
	m = x->len < y->len ? x->len : y->len;
	c = m ? memcmp(g->arena + x->off, g->arena + y->off, m) : 0;
	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len ? 1 : 0;
}

static uint32_t
find_root(JyIdGraph *g, uint32_t x)
{
	Node	   *n = g->nodes;

	while (n[x].parent != x)
	{
		n[x].parent = n[n[x].parent].parent;	/* path halving */
		x = n[x].parent;
	}
	return x;
}

/* union of two roots; returns the limited kind that would overflow (refused), or -1 */
static int
unite(JyIdGraph *g, uint32_t ra, uint32_t rb, bool check)
{
	Node	   *n = g->nodes;
	uint32_t	t;
	int			k;

	if (ra == rb)
		return -1;
	if (g->nlimited)
	{
		uint32_t   *ca = g->counts + (size_t) ra * g->nlimited,
				   *cb = g->counts + (size_t) rb * g->nlimited;

		if (check)
			for (k = 0; k < g->nkinds; k++)
			{
				int			s = g->kinds[k].slot;

				if (s >= 0 && (int64_t) ca[s] + cb[s] > g->kinds[k].limit)
					return k;
			}
		for (k = 0; k < g->nlimited; k++)
			ca[k] += cb[k];		/* at most nnodes: no overflow */
		if (n[ra].size < n[rb].size)
			memcpy(cb, ca, g->nlimited * sizeof(uint32_t));
	}
	if (n[ra].size < n[rb].size)
	{
		t = ra;
		ra = rb;
		rb = t;
	}
	n[rb].parent = ra;
	n[ra].size += n[rb].size;
	if (jy_id_cmp(g, n[rb].best, n[ra].best) < 0)
		n[ra].best = n[rb].best;
	return -1;
}

void
jy_id_link(JyIdGraph *g, uint32_t a, uint32_t b, int64_t ts, uint64_t seq)
{
	if (!g->nlimited)
	{
		unite(g, find_root(g, a), find_root(g, b), false);
		return;
	}
	g->links = (JyIdLink *) grow(g, g->links, &g->caplinks, g->nlinks + 1, sizeof(JyIdLink));
	g->links[g->nlinks].ts = ts;
	g->links[g->nlinks].a = a;
	g->links[g->nlinks].b = b;
	g->links[g->nlinks].seq = seq;
	g->nlinks++;
}

JyIdStatus
jy_id_existing(JyIdGraph *g, uint32_t node, uint32_t person)
{
	if (g->nodes[node].prev != JY_ID_NONE && g->nodes[node].prev != person)
		return JY_ID_CONFLICT;
	g->nodes[node].prev = person;
	unite(g, find_root(g, node), find_root(g, person), false);
	return JY_ID_OK;
}

/* ---- ordering of stored links --------------------------------------- */

/*
 * Node order key: the kind's position in the kind order, the first 8 value
 * bytes big-endian (zero-padded: "ab" < "ab\0" is settled by the full
 * comparison), then jy_id_cmp when those are equal.  Most comparisons never
 * touch the arena.
 */
typedef struct NodeKey
{
	uint64_t	prefix;
	uint32_t	node;
	uint32_t	kord;
} NodeKey;

static inline int
nodekey_cmp(const JyIdGraph *g, const NodeKey *x, const NodeKey *y)
{
	if (x->kord != y->kord)
		return x->kord < y->kord ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return jy_id_cmp(g, x->node, y->node);
}

/* link order: ts, then lower endpoint rank, then higher endpoint rank, then input position */
typedef struct LinkKey
{
	int64_t		ts;
	uint32_t	lo,
				hi;
	uint64_t	idx;
} LinkKey;

static inline int
key_cmp(const LinkKey *x, const LinkKey *y)
{
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	/* equal links: the order among them changes nothing but the reported position */
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return 0;
}

/* bottom-up merge sort of TYPE v[n] by CMP, tick every 64k moves */
#define DEFINE_MSORT(NAME, TYPE, CMP) \
static void \
NAME(const JyIdGraph *g, TYPE *v, TYPE *tmp, size_t n, void (*tick) (void *), void *arg) \
{ \
	size_t		w, i, steps = 0; \
	TYPE	   *src = v, *dst = tmp, *t; \
	(void) g; \
	for (w = 1; w < n; w *= 2) \
	{ \
		for (i = 0; i < n; i += 2 * w) \
		{ \
			size_t		lo = i, \
						mid = i + w < n ? i + w : n, \
						hi = i + 2 * w < n ? i + 2 * w : n, \
						a = lo, b = mid, o = lo; \
			while (a < mid && b < hi) \
				dst[o++] = CMP(&src[b], &src[a]) < 0 ? src[b++] : src[a++]; \
			while (a < mid) \
				dst[o++] = src[a++]; \
			while (b < hi) \
				dst[o++] = src[b++]; \
			steps += hi - lo; \
			if (tick && steps >= 65536) \
			{ \
				tick(arg); \
				steps = 0; \
			} \
		} \
		t = src; src = dst; dst = t; \
	} \
	if (src != v) \
		memcpy(v, src, n * sizeof(TYPE)); \
}

#define NODEKEY_CMP(x, y) nodekey_cmp(g, x, y)
DEFINE_MSORT(sort_nodes, NodeKey, NODEKEY_CMP)
DEFINE_MSORT(sort_keys, LinkKey, key_cmp)

void
jy_id_apply(JyIdGraph *g, void (*tick) (void *), void *arg)
{
	NodeKey    *nk,
			   *ntmp;
	uint32_t   *rank;
	LinkKey    *keys,
			   *ktmp;
	uint32_t	kord[JY_ID_MAX_KINDS];
	size_t		i;
	int			k,
				j;

	if (!g->nlimited || g->nlinks == 0)
		return;
	/* kinds in their order: rank, then name */
	for (k = 0; k < g->nkinds; k++)
	{
		kord[k] = 0;
		for (j = 0; j < g->nkinds; j++)
		{
			const Kind *a = &g->kinds[j],
					   *b = &g->kinds[k];
			size_t		m = a->len < b->len ? a->len : b->len;
			int			c;

			if (a->rank != b->rank)
				c = a->rank < b->rank ? -1 : 1;
			else
			{
				c = memcmp(a->name, b->name, m);
				if (c == 0)
					c = a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
			}
			if (c < 0)
				kord[k]++;
		}
	}
	/* rank of every node in the canonical order */
	nk = (NodeKey *) g->m.resize(g->m.arg, NULL, ((size_t) g->nnodes + 1) * sizeof(NodeKey));
	for (i = 0; i < g->nnodes; i++)
	{
		const Node *n = &g->nodes[i];
		const unsigned char *p = (const unsigned char *) g->arena + n->off;
		uint64_t	pre = 0;
		size_t		b;

		for (b = 0; b < 8; b++)
			pre = (pre << 8) | (b < n->len ? p[b] : 0);
		nk[i].prefix = pre;
		nk[i].node = (uint32_t) i;
		nk[i].kord = kord[n->kind];
	}
	ntmp = (NodeKey *) g->m.resize(g->m.arg, NULL, ((size_t) g->nnodes + 1) * sizeof(NodeKey));
	sort_nodes(g, nk, ntmp, g->nnodes, tick, arg);
	g->m.release(g->m.arg, ntmp);
	rank = (uint32_t *) g->m.resize(g->m.arg, NULL, ((size_t) g->nnodes + 1) * sizeof(uint32_t));
	for (i = 0; i < g->nnodes; i++)
		rank[nk[i].node] = (uint32_t) i;
	g->m.release(g->m.arg, nk);

	keys = (LinkKey *) g->m.resize(g->m.arg, NULL, g->nlinks * sizeof(LinkKey));
	for (i = 0; i < g->nlinks; i++)
	{
		uint32_t	ra = rank[g->links[i].a],
					rb = rank[g->links[i].b];

		keys[i].ts = g->links[i].ts;
		keys[i].lo = ra < rb ? ra : rb;
		keys[i].hi = ra < rb ? rb : ra;
		keys[i].idx = i;
	}
	g->m.release(g->m.arg, rank);
	ktmp = (LinkKey *) g->m.resize(g->m.arg, NULL, g->nlinks * sizeof(LinkKey));
	sort_keys(g, keys, ktmp, g->nlinks, tick, arg);
	g->m.release(g->m.arg, ktmp);

	for (i = 0; i < g->nlinks; i++)
	{
		const JyIdLink *l = &g->links[keys[i].idx];

		if (tick && (i & 0xffff) == 0xffff)
			tick(arg);
		k = unite(g, find_root(g, l->a), find_root(g, l->b), true);
		if (k >= 0)
		{
			g->refused = (Refusal *) grow(g, g->refused, &g->caprefused, g->nrefused + 1, sizeof(Refusal));
			g->refused[g->nrefused].link = *l;
			g->refused[g->nrefused].kind = (uint16_t) k;
			g->nrefused++;
		}
	}
	g->m.release(g->m.arg, keys);
	g->m.release(g->m.arg, g->links);
	g->links = NULL;
	g->nlinks = g->caplinks = 0;
}

uint32_t
jy_id_nnodes(const JyIdGraph *g)
{
	return g->nnodes;
}

uint32_t
jy_id_person(JyIdGraph *g, uint32_t node)
{
	return g->nodes[find_root(g, node)].best;
}

uint32_t
jy_id_previous(const JyIdGraph *g, uint32_t node)
{
	return g->nodes[node].prev;
}

void
jy_id_get(const JyIdGraph *g, uint32_t node, const char **kind, size_t *klen, const char **val, size_t *vlen)
{
	const Node *n = &g->nodes[node];

	*kind = g->kinds[n->kind].name;
	*klen = g->kinds[n->kind].len;
	*val = g->arena ? g->arena + n->off : "";
	*vlen = n->len;
}

size_t
jy_id_nrefused(const JyIdGraph *g)
{
	return g->nrefused;
}

const JyIdLink *
jy_id_refused(const JyIdGraph *g, size_t i, const char **kind, size_t *klen, int32_t *limit)
{
	const Kind *k = &g->kinds[g->refused[i].kind];

	*kind = k->name;
	*klen = k->len;
	*limit = k->limit;
	return &g->refused[i].link;
}
