/*
 * test_identity.c — identity stitching engine: components against a plain
 * reference (label propagation), canonical ids, order independence, guard
 * rails and incremental merges.
 */
#include <stdint.h>

#include "identity.h"
#include "unit.h"

static void *
rs(void *arg, void *p, size_t n)
{
	(void) arg;
	return realloc(p, n);
}

static void
rl(void *arg, void *p)
{
	(void) arg;
	free(p);
}

static const JyIdMem mem = {rs, rl, NULL};

static uint32_t
nd(JyIdGraph *g, const char *k, const char *v)
{
	uint32_t	n = 0;

	if (jy_id_node(g, k, strlen(k), v, strlen(v), &n) != JY_ID_OK)
		abort();
	return n;
}

/* person of (k, v) as "kind:value" into buf */
static const char *
person_of(JyIdGraph *g, const char *k, const char *v, char *buf)
{
	uint32_t	p = jy_id_person(g, nd(g, k, v));
	const char *pk,
			   *pv;
	size_t		kl,
				vl;

	jy_id_get(g, p, &pk, &kl, &pv, &vl);
	snprintf(buf, 128, "%.*s:%.*s", (int) kl, pk, (int) vl, pv);
	return buf;
}

static void
test_basic(void)
{
	JyIdGraph  *g = jy_id_new(&mem, 0, NULL, NULL);
	char		b[128];

	jy_id_link(g, nd(g, "anon", "x9"), nd(g, "user", "u2"), 0, 1);
	jy_id_link(g, nd(g, "user", "u2"), nd(g, "anon", "a1"), 0, 2);
	jy_id_link(g, nd(g, "anon", "zz"), nd(g, "email", "e"), 0, 3);
	nd(g, "anon", "alone");
	jy_id_apply(g, NULL, NULL);
	CHECK(strcmp(person_of(g, "user", "u2", b), "anon:a1") == 0);
	CHECK(strcmp(person_of(g, "anon", "x9", b), "anon:a1") == 0);
	CHECK(strcmp(person_of(g, "email", "e", b), "anon:zz") == 0);
	CHECK(strcmp(person_of(g, "anon", "alone", b), "anon:alone") == 0);
	CHECK_EQ_I64(jy_id_nnodes(g), 6);
	jy_id_free(g);
}

static void
test_priority(void)
{
	const char *prio[] = {"user", "email"};
	JyIdGraph  *g = jy_id_new(&mem, 2, prio, NULL);
	char		b[128];

	jy_id_link(g, nd(g, "anon", "a"), nd(g, "email", "m"), 0, 1);
	CHECK(strcmp(person_of(g, "anon", "a", b), "email:m") == 0);
	jy_id_link(g, nd(g, "email", "m"), nd(g, "user", "zz"), 0, 2);
	CHECK(strcmp(person_of(g, "anon", "a", b), "user:zz") == 0);
	/* byte order of values, shorter prefix first */
	jy_id_link(g, nd(g, "user", "z"), nd(g, "anon", "a"), 0, 3);
	CHECK(strcmp(person_of(g, "email", "m", b), "user:z") == 0);
	jy_id_free(g);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#define RN 300
#define RL 400

/* reference components: repeated label propagation to the minimum index of a sorted universe */
static void
test_random_vs_reference(void)
{
	int			round;

	for (round = 0; round < 30; round++)
	{
		int			la[RL],
					lb[RL],
					lab[RN],
					i,
					changed;
		int			nl = (int) (rnd() % RL);
		JyIdGraph  *g = jy_id_new(&mem, 0, NULL, NULL),
				   *h = jy_id_new(&mem, 0, NULL, NULL);
		char		v[16],
					w[16],
					b1[128],
					b2[128];

		for (i = 0; i < nl; i++)
		{
			/* hubs: a few nodes take a third of the links */
			la[i] = rnd() % 3 == 0 ? (int) (rnd() % 4) : (int) (rnd() % RN);
			lb[i] = (int) (rnd() % RN);
		}
		for (i = 0; i < RN; i++)
			lab[i] = i;
		do
		{
			changed = 0;
			for (i = 0; i < nl; i++)
			{
				int			m = lab[la[i]] < lab[lb[i]] ? lab[la[i]] : lab[lb[i]];

				if (lab[la[i]] != m || lab[lb[i]] != m)
				{
					lab[la[i]] = lab[lb[i]] = m;
					changed = 1;
				}
			}
		} while (changed);
		/* values "k%03d" so byte order = index order; h gets the links reversed and swapped */
		for (i = 0; i < RN; i++)
		{
			snprintf(v, sizeof(v), "k%03d", i);
			nd(g, "t", v);
			nd(h, "t", v);
		}
		for (i = 0; i < nl; i++)
		{
			snprintf(v, sizeof(v), "k%03d", la[i]);
			snprintf(w, sizeof(w), "k%03d", lb[i]);
			jy_id_link(g, nd(g, "t", v), nd(g, "t", w), 0, (uint64_t) i);
			snprintf(v, sizeof(v), "k%03d", la[nl - 1 - i]);
			snprintf(w, sizeof(w), "k%03d", lb[nl - 1 - i]);
			jy_id_link(h, nd(h, "t", w), nd(h, "t", v), 0, (uint64_t) i);
		}
		for (i = 0; i < RN; i++)
		{
			snprintf(v, sizeof(v), "k%03d", i);
			snprintf(w, sizeof(w), "t:k%03d", lab[i]);
			CHECK(strcmp(person_of(g, "t", v, b1), w) == 0);
			CHECK(strcmp(person_of(h, "t", v, b2), w) == 0);
		}
		jy_id_free(g);
		jy_id_free(h);
	}
}

static void
test_limits(void)
{
	const char *prio[] = {"user", "anon"};
	int32_t		lim[] = {1, -1};
	JyIdGraph  *g = jy_id_new(&mem, 2, prio, lim);
	char		b[128];
	const char *k;
	size_t		kl;
	int32_t		l;
	const JyIdLink *r;

	/* a shared device: anon d logs in to u1 (t=10), then u2 (t=20); given in reverse */
	jy_id_link(g, nd(g, "anon", "d"), nd(g, "user", "u2"), 20, 1);
	jy_id_link(g, nd(g, "anon", "d"), nd(g, "user", "u1"), 10, 2);
	jy_id_link(g, nd(g, "anon", "e"), nd(g, "user", "u2"), 30, 3);
	jy_id_apply(g, NULL, NULL);
	CHECK(strcmp(person_of(g, "anon", "d", b), "user:u1") == 0);
	CHECK(strcmp(person_of(g, "anon", "e", b), "user:u2") == 0);
	CHECK_EQ_I64(jy_id_nrefused(g), 1);
	r = jy_id_refused(g, 0, &k, &kl, &l);
	CHECK_EQ_I64(r->seq, 1);
	CHECK_EQ_I64(r->ts, 20);
	CHECK(kl == 4 && memcmp(k, "user", 4) == 0 && l == 1);
	jy_id_free(g);
}

/* with limits, the result does not depend on input order (same timestamps: identifier order decides) */
static void
test_limits_order_independent(void)
{
	const char *prio[] = {"user", "anon"};
	int32_t		lim[] = {2, -1};
	int			round;

	for (round = 0; round < 20; round++)
	{
		int			la[200],
					lb[200],
					perm[200],
					i,
					n = 200;
		JyIdGraph  *g = jy_id_new(&mem, 2, prio, lim),
				   *h = jy_id_new(&mem, 2, prio, lim);
		char		v[16],
					w[16],
					b1[128],
					b2[128];

		for (i = 0; i < n; i++)
		{
			la[i] = (int) (rnd() % 60);
			lb[i] = (int) (rnd() % 30);
			perm[i] = i;
		}
		for (i = n - 1; i > 0; i--)
		{
			int			j = (int) (rnd() % (uint64_t) (i + 1)),
						t = perm[i];

			perm[i] = perm[j];
			perm[j] = t;
		}
		for (i = 0; i < n; i++)
		{
			snprintf(v, sizeof(v), "a%d", la[i]);
			snprintf(w, sizeof(w), "u%d", lb[i]);
			jy_id_link(g, nd(g, "anon", v), nd(g, "user", w), la[i] % 3, (uint64_t) i);
			snprintf(v, sizeof(v), "a%d", la[perm[i]]);
			snprintf(w, sizeof(w), "u%d", lb[perm[i]]);
			jy_id_link(h, nd(h, "user", w), nd(h, "anon", v), la[perm[i]] % 3, (uint64_t) i);
		}
		jy_id_apply(g, NULL, NULL);
		jy_id_apply(h, NULL, NULL);
		CHECK_EQ_I64(jy_id_nrefused(g), jy_id_nrefused(h));
		CHECK(jy_id_nrefused(g) > 0);
		for (i = 0; i < 60; i++)
		{
			snprintf(v, sizeof(v), "a%d", i);
			if (strcmp(person_of(g, "anon", v, b1), person_of(h, "anon", v, b2)) != 0)
				CHECK(0);
		}
		jy_id_free(g);
		jy_id_free(h);
	}
}

/* incremental: history as a mapping + a new batch == all links at once */
static void
test_incremental(void)
{
	int			round;

	for (round = 0; round < 20; round++)
	{
		int			la[300],
					lb[300],
					i,
					n = 300,
					cut = (int) (rnd() % 300);
		JyIdGraph  *full = jy_id_new(&mem, 0, NULL, NULL),
				   *old = jy_id_new(&mem, 0, NULL, NULL),
				   *inc = jy_id_new(&mem, 0, NULL, NULL);
		char		v[16],
					w[16],
					b1[128],
					b2[128];
		uint32_t	k;

		for (i = 0; i < n; i++)
		{
			la[i] = (int) (rnd() % 200);
			lb[i] = (int) (rnd() % 200);
			snprintf(v, sizeof(v), "%d", la[i]);
			snprintf(w, sizeof(w), "%d", lb[i]);
			jy_id_link(full, nd(full, "x", v), nd(full, "x", w), 0, (uint64_t) i);
			if (i < cut)
				jy_id_link(old, nd(old, "x", v), nd(old, "x", w), 0, (uint64_t) i);
		}
		/* the old mapping into inc */
		for (k = 0; k < jy_id_nnodes(old); k++)
		{
			const char *kk,
					   *vv;
			size_t		kl,
						vl;
			uint32_t	a,
						p;

			jy_id_get(old, k, &kk, &kl, &vv, &vl);
			jy_id_node(inc, kk, kl, vv, vl, &a);
			jy_id_get(old, jy_id_person(old, k), &kk, &kl, &vv, &vl);
			jy_id_node(inc, kk, kl, vv, vl, &p);
			CHECK(jy_id_existing(inc, a, p) == JY_ID_OK);
		}
		for (i = cut; i < n; i++)
		{
			snprintf(v, sizeof(v), "%d", la[i]);
			snprintf(w, sizeof(w), "%d", lb[i]);
			jy_id_link(inc, nd(inc, "x", v), nd(inc, "x", w), 0, (uint64_t) i);
		}
		for (i = 0; i < 200; i++)
		{
			snprintf(v, sizeof(v), "%d", i);
			if (strcmp(person_of(full, "x", v, b1), person_of(inc, "x", v, b2)) != 0)
				CHECK(0);
		}
		jy_id_free(full);
		jy_id_free(old);
		jy_id_free(inc);
	}
}

static void
test_conflict_and_limits(void)
{
	JyIdGraph  *g = jy_id_new(&mem, 0, NULL, NULL);
	char		big[JY_ID_MAX_VALUE_LEN + 2];
	uint32_t	n;
	int			i;

	CHECK(jy_id_existing(g, nd(g, "a", "1"), nd(g, "a", "1")) == JY_ID_OK);
	CHECK(jy_id_existing(g, nd(g, "a", "1"), nd(g, "a", "2")) == JY_ID_CONFLICT);
	memset(big, 'x', sizeof(big));
	CHECK(jy_id_node(g, "a", 1, big, JY_ID_MAX_VALUE_LEN + 1, &n) == JY_ID_VALUE_TOO_LONG);
	CHECK(jy_id_node(g, "a", 1, big, JY_ID_MAX_VALUE_LEN, &n) == JY_ID_OK);
	CHECK(jy_id_node(g, big, JY_ID_MAX_KIND_LEN, "v", 1, &n) == JY_ID_KIND_TOO_LONG);
	CHECK(jy_id_node(g, "", 0, "", 0, &n) == JY_ID_OK);
	for (i = 0; i < JY_ID_MAX_KINDS; i++)
	{
		char		k[8];

		snprintf(k, sizeof(k), "k%d", i);
		if (jy_id_node(g, k, strlen(k), "v", 1, &n) != JY_ID_OK)
			break;
	}
	CHECK(i < JY_ID_MAX_KINDS);	/* "a" and "" already took two */
	jy_id_free(g);
}

int
main(void)
{
	RUN(test_basic);
	RUN(test_priority);
	RUN(test_random_vs_reference);
	RUN(test_limits);
	RUN(test_limits_order_independent);
	RUN(test_incremental);
	RUN(test_conflict_and_limits);
	UNIT_DONE();
}
