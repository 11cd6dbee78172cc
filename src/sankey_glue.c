/*
 * sankey_glue.c — step-numbered Sankey links over stored journeys.
 *
 *   journey_sankey(journeys journey[], steps int = 5, top int = 5, collapse bool = true)
 *     -> (step int, source text, target text, users bigint)
 *
 * Nodes are "k event" for the k-th event of a journey (k = 1..steps; with collapse, consecutive
 * repeats of one event count once).  Per step, the `top` events reached by the most journeys keep
 * their name, the others become "k (other)".  A journey that ends before step `steps` adds a link
 * to "k+1 (drop-off)".  Every link goes from step k to step k+1, so the links form a DAG (what
 * d3-sankey, ECharts and Superset require); users = journeys taking that link.
 *
 * Two passes over the decoded journeys: node volumes per (step, event), then links between the
 * bucketed labels; both are sorts, no hashing.  Memory: about 80 bytes per (journey, step).
 */
#include "journey_glue.h"
#include "jy_agg.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(jy_journey_sankey);

#define SANKEY_MAX_STEPS 100
#define SANKEY_MAX_TOP 1000
#define SANKEY_MAX_ITEMS (64 * 1024 * 1024)

#define LABEL_OTHER (-1)
#define LABEL_DROP (-2)

typedef struct SkItem
{
	const char *name;			/* event name bytes (inside a decoded journey) */
	uint32		len;
	int32		step;			/* 0-based */
	int32		node;			/* node id after pass 1 */
} SkItem;

typedef struct SkNode
{
	const char *name;
	uint32		len;
	int32		step;
	int64		users;
	bool		keep;			/* among the top of its step */
} SkNode;

typedef struct SkLink
{
	int32		step;			/* of the source, 0-based */
	int32		src;			/* node id, or LABEL_OTHER */
	int32		tgt;			/* node id, LABEL_OTHER or LABEL_DROP */
} SkLink;

static int
name_cmp(const char *a, uint32 alen, const char *b, uint32 blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

/* items by (step, name) */
static int
item_idx_cmp(const void *pa, const void *pb, void *arg)
{
	const SkItem *items = (const SkItem *) arg;
	const SkItem *a = &items[*(const int64 *) pa];
	const SkItem *b = &items[*(const int64 *) pb];

	if (a->step != b->step)
		return a->step < b->step ? -1 : 1;
	return name_cmp(a->name, a->len, b->name, b->len);
}

/* nodes of one step by users descending, then name */
static int
node_rank_cmp(const void *pa, const void *pb, void *arg)
{
	const SkNode *nodes = (const SkNode *) arg;
	const SkNode *a = &nodes[*(const int32 *) pa];
	const SkNode *b = &nodes[*(const int32 *) pb];

	if (a->users != b->users)
		return a->users > b->users ? -1 : 1;
	return name_cmp(a->name, a->len, b->name, b->len);
}

static int
link_cmp(const void *pa, const void *pb, void *arg)
{
	const SkLink *a = (const SkLink *) pa;
	const SkLink *b = (const SkLink *) pb;

	(void) arg;
	if (a->step != b->step)
		return a->step < b->step ? -1 : 1;
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if (a->tgt != b->tgt)
		return a->tgt < b->tgt ? -1 : 1;
	return 0;
}

static text *
label_text(const SkNode *nodes, int32 step, int32 id)
{
	if (id == LABEL_OTHER)
		return cstring_to_text(psprintf("%d (other)", step + 1));
	if (id == LABEL_DROP)
		return cstring_to_text(psprintf("%d (drop-off)", step + 1));
	return cstring_to_text(psprintf("%d %.*s", step + 1, (int) nodes[id].len, nodes[id].name));
}

Datum
jy_journey_sankey(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	int32		steps = PG_GETARG_INT32(1);
	int32		top = PG_GETARG_INT32(2);
	bool		collapse = PG_GETARG_BOOL(3);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *elems;
	bool	   *nulls;
	int			nelems,
				i;
	int64		nitems = 0,
				cap,
				k,
				nlinks = 0,
				nnodes = 0;
	SkItem	   *items;
	int64	   *jstart;			/* per journey: first item, and count in jcount */
	int32	   *jcount;
	int64	   *idx;
	SkNode	   *nodes;
	SkLink	   *links;

	if (steps < 1 || steps > SANKEY_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of Sankey steps must be between 1 and %d", SANKEY_MAX_STEPS),
				 errdetail("The value given is %d.", steps)));
	if (top < 1 || top > SANKEY_MAX_TOP)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("number of Sankey nodes kept per step must be between 1 and %d", SANKEY_MAX_TOP),
				 errdetail("The value given is %d.", top)));
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("Sankey journeys must be a one-dimensional array")));
	InitMaterializedSRF(fcinfo, 0);
	{
		int16		typlen;
		bool		typbyval;
		char		typalign;

		get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
		deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign, &elems, &nulls, &nelems);
	}
	if (nelems == 0)
		return (Datum) 0;

	/* pass 0: the first `steps` events of every journey */
	cap = Min((int64) nelems * steps, (int64) SANKEY_MAX_ITEMS);
	if ((int64) nelems * steps > SANKEY_MAX_ITEMS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many journeys for a Sankey diagram: %d", nelems),
				 errdetail("The limit is %d journeys times steps.", SANKEY_MAX_ITEMS),
				 errhint("Sample the journeys, or use fewer steps.")));
	items = (SkItem *) MemoryContextAllocHuge(CurrentMemoryContext, Max(cap, 1) * sizeof(SkItem));
	jstart = (int64 *) palloc(nelems * sizeof(int64));
	jcount = (int32 *) palloc0(nelems * sizeof(int32));
	for (i = 0; i < nelems; i++)
	{
		JyJView    *v;
		uint32		e;
		int64		prev = -1;

		CHECK_FOR_INTERRUPTS();
		jstart[i] = nitems;
		if (nulls[i])
			continue;
		v = palloc0(sizeof(JyJView));
		jy_journey_view(elems[i], v);
		for (e = 0; e < v->n && jcount[i] < steps; e++)
		{
			uint32		id = v->ev[e];

			if (collapse && (int64) id == prev)
				continue;
			prev = id;
			items[nitems].name = v->name[id];
			items[nitems].len = v->name_len[id];
			items[nitems].step = jcount[i];
			items[nitems].node = -1;
			nitems++;
			jcount[i]++;
		}
		/* the items keep pointers to the name bytes (in the value), not to the view's arrays */
		pfree(v->ts);			/* one block holds the view's four arrays */
		pfree(v);
	}
	if (nitems == 0)
		return (Datum) 0;

	/* pass 1: nodes = distinct (step, event) with the journeys reaching them */
	idx = (int64 *) MemoryContextAllocHuge(CurrentMemoryContext, nitems * sizeof(int64));
	for (k = 0; k < nitems; k++)
		idx[k] = k;
	jy_sort(idx, nitems, sizeof(int64), item_idx_cmp, items);
	nodes = (SkNode *) MemoryContextAllocHuge(CurrentMemoryContext, nitems * sizeof(SkNode));
	for (k = 0; k < nitems; k++)
	{
		SkItem	   *it = &items[idx[k]];

		if ((k & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (nnodes == 0 || nodes[nnodes - 1].step != it->step ||
			name_cmp(nodes[nnodes - 1].name, nodes[nnodes - 1].len, it->name, it->len) != 0)
		{
			nodes[nnodes].name = it->name;
			nodes[nnodes].len = it->len;
			nodes[nnodes].step = it->step;
			nodes[nnodes].users = 0;
			nodes[nnodes].keep = false;
			nnodes++;
		}
		nodes[nnodes - 1].users++;
		it->node = (int32) (nnodes - 1);
	}
	pfree(idx);
	/* per step (nodes are grouped by step), keep the `top` largest */
	{
		int32	   *rank = (int32 *) palloc(nnodes * sizeof(int32));
		int64		a = 0;

		while (a < nnodes)
		{
			int64		b = a,
						r;

			while (b < nnodes && nodes[b].step == nodes[a].step)
				b++;
			for (r = a; r < b; r++)
				rank[r - a] = (int32) r;
			jy_sort(rank, b - a, sizeof(int32), node_rank_cmp, nodes);
			for (r = 0; r < b - a && r < top; r++)
				nodes[rank[r]].keep = true;
			a = b;
		}
		pfree(rank);
	}

	/* pass 2: links between the labels of consecutive steps, and drop-offs */
	links = (SkLink *) MemoryContextAllocHuge(CurrentMemoryContext, nitems * sizeof(SkLink));
	for (i = 0; i < nelems; i++)
	{
		int32		n = jcount[i],
					s;

		if ((i & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		for (s = 0; s < n; s++)
		{
			SkItem	   *it = &items[jstart[i] + s];

			if (s + 1 < n)
			{
				SkItem	   *nx = &items[jstart[i] + s + 1];

				links[nlinks].tgt = nodes[nx->node].keep ? nx->node : LABEL_OTHER;
			}
			else if (n < steps)
				links[nlinks].tgt = LABEL_DROP;
			else
				continue;
			links[nlinks].step = s;
			links[nlinks].src = nodes[it->node].keep ? it->node : LABEL_OTHER;
			nlinks++;
		}
	}
	jy_sort(links, nlinks, sizeof(SkLink), link_cmp, NULL);
	for (k = 0; k < nlinks;)
	{
		int64		e = k;
		Datum		values[4];
		bool		vnulls[4] = {false, false, false, false};

		CHECK_FOR_INTERRUPTS();
		while (e < nlinks && link_cmp(&links[e], &links[k], NULL) == 0)
			e++;
		values[0] = Int32GetDatum(links[k].step + 1);
		values[1] = PointerGetDatum(label_text(nodes, links[k].step, links[k].src));
		values[2] = PointerGetDatum(label_text(nodes, links[k].step + 1, links[k].tgt));
		values[3] = Int64GetDatum(e - k);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, vnulls);
		k = e;
	}
	return (Datum) 0;
}
