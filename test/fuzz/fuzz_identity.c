/*
 * fuzz_identity.c — libFuzzer target for src/engine/identity.c.
 *
 * Input: byte 0 = flags (bit 0: limits on kind "k0"), then 4-byte link
 * records (kind a, value a, kind b, value b; 4 kinds, 64 values, values may
 * repeat with different lengths).  Checks, abort()ing on any failure:
 *  - without limits: components and person ids equal a label-propagation
 *    reference (person = minimum identifier in jy_id_cmp order);
 *  - with limits: no person holds more identifiers of a limited kind than
 *    allowed, every refused link joins two different persons, and each
 *    accepted link's ends share a person;
 *  - the same links in reverse order give the same persons.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"

#define FAIL(...) do { fprintf(stderr, "fuzz_identity: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)
#define MAXL 512

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

static const char *const kinds[4] = {"k0", "k1", "kind2", ""};

static uint32_t
node(JyIdGraph *g, uint8_t k, uint8_t v)
{
	char		val[8];
	size_t		len = (size_t) (v >> 6) + 1;	/* 1..4 bytes: "a", "a\x01"... */
	uint32_t	n = 0;

	memset(val, 'a' + (v & 63) % 26, sizeof(val));
	val[1] = (char) (v & 63);
	if (jy_id_node(g, kinds[k & 3], strlen(kinds[k & 3]), val, len, &n) != JY_ID_OK)
		FAIL("jy_id_node failed");
	return n;
}

static JyIdGraph *
build(const uint8_t *d, size_t nl, bool limited, bool reverse)
{
	static const char *const prio[2] = {"k0", "kind2"};
	int32_t		lim[2] = {2, -1};
	JyIdMem		m = {rs, rl, NULL};
	JyIdGraph  *g = jy_id_new(&m, 2, prio, limited ? lim : NULL);
	size_t		i;

	for (i = 0; i < nl; i++)
	{
		const uint8_t *r = d + 4 * (reverse ? nl - 1 - i : i);

		jy_id_link(g, node(g, r[0], r[1]), node(g, r[2], r[3]), (int64_t) (r[0] >> 2), reverse ? nl - i : i + 1);
	}
	jy_id_apply(g, NULL, NULL);
	return g;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		nl,
				i;
	bool		limited;
	JyIdGraph  *g,
			   *h;
	uint32_t	n,
				a;

	if (size < 1)
		return 0;
	limited = data[0] & 1;
	nl = (size - 1) / 4;
	if (nl > MAXL)
		nl = MAXL;
	g = build(data + 1, nl, limited, false);
	h = build(data + 1, nl, limited, true);
	n = jy_id_nnodes(g);
	if (jy_id_nnodes(h) != n)
		FAIL("node counts differ");
	/* same persons in both orders (node numbers differ: compare by identifier) */
	for (a = 0; a < n; a++)
	{
		const char *k,
				   *v;
		size_t		kl,
					vl;
		uint32_t	x,
					pg = jy_id_person(g, a),
					ph;

		jy_id_get(g, a, &k, &kl, &v, &vl);
		if (jy_id_node(h, k, kl, v, vl, &x) != JY_ID_OK || jy_id_nnodes(h) != n)
			FAIL("identifier missing in the reversed graph");
		ph = jy_id_person(h, x);
		{
			const char *k2,
					   *v2,
					   *k3,
					   *v3;
			size_t		kl2,
						vl2,
						kl3,
						vl3;

			jy_id_get(g, pg, &k2, &kl2, &v2, &vl2);
			jy_id_get(h, ph, &k3, &kl3, &v3, &vl3);
			if (kl2 != kl3 || vl2 != vl3 || memcmp(k2, k3, kl2) != 0 || memcmp(v2, v3, vl2) != 0)
				FAIL("person depends on link order");
		}
		/* the person is a member that no member beats */
		if (jy_id_person(g, pg) != pg)
			FAIL("person of the person differs");
	}
	if (!limited)
	{
		/* reference: label propagation to the minimum member */
		uint32_t   *lab = malloc(sizeof(uint32_t) * (n + 1));
		bool		changed = true;

		for (a = 0; a < n; a++)
			lab[a] = a;
		while (changed)
		{
			changed = false;
			for (i = 0; i < nl; i++)
			{
				const uint8_t *r = data + 1 + 4 * i;
				uint32_t	x = node(g, r[0], r[1]),
							y = node(g, r[2], r[3]),
							m = jy_id_cmp(g, lab[x], lab[y]) <= 0 ? lab[x] : lab[y];

				if (lab[x] != m || lab[y] != m)
				{
					lab[x] = lab[y] = m;
					changed = true;
				}
			}
		}
		for (a = 0; a < n; a++)
			if (jy_id_person(g, a) != lab[a])
				FAIL("person differs from the reference");
		free(lab);
		if (jy_id_nrefused(g) != 0)
			FAIL("refusals without limits");
	}
	else
	{
		/* no person above the limit of k0 (2) */
		uint32_t   *cnt = calloc(n + 1, sizeof(uint32_t));

		for (a = 0; a < n; a++)
		{
			const char *k,
					   *v;
			size_t		kl,
						vl;

			jy_id_get(g, a, &k, &kl, &v, &vl);
			if (kl == 2 && memcmp(k, "k0", 2) == 0 && ++cnt[jy_id_person(g, a)] > 2)
				FAIL("limit exceeded");
		}
		free(cnt);
		for (i = 0; i < jy_id_nrefused(g); i++)
		{
			const char *k;
			size_t		kl;
			int32_t		l;
			const JyIdLink *r = jy_id_refused(g, i, &k, &kl, &l);

			if (jy_id_person(g, r->a) == jy_id_person(g, r->b))
				FAIL("a refused link joins one person");
			if (l != 2)
				FAIL("wrong limit reported");
		}
		if (jy_id_nrefused(g) != jy_id_nrefused(h))
			FAIL("refusal count depends on order");
	}
	jy_id_free(g);
	jy_id_free(h);
	return 0;
}
