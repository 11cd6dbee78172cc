/*
 * journey_agg.c — the journey aggregates: journey_agg(ts, event) builds one
 * user's journey (input order irrelevant) and rollup(journey) merges stored
 * journeys (multiset union, time order); combine, serial and deserial for
 * parallel aggregation.
 */
#include "journey_glue.h"
#include "jy_agg.h"

#include "access/hash.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "session_stats_type.h"
#include "sessionize.h"

PG_FUNCTION_INFO_V1(jy_journey_agg_trans);
PG_FUNCTION_INFO_V1(jy_journey_rollup_trans);
PG_FUNCTION_INFO_V1(jy_journey_agg_combine);
PG_FUNCTION_INFO_V1(jy_journey_agg_serial);
PG_FUNCTION_INFO_V1(jy_journey_agg_deserial);
PG_FUNCTION_INFO_V1(jy_journey_agg_final);

/* ---- aggregate state -------------------------------------------------------
 *
 * Built for GROUP BY user over millions of users: hash aggregation keeps one
 * state per group and rows arrive in random group order, so every separately
 * allocated piece of a state that a row touches is a cache miss per row.
 *
 *   JDict  one name dictionary per aggregate memory context: interned names
 *          -> dense uint32 ids, shared by every state of that context and
 *          found through the calling function's fn_extra (one slot per
 *          context, for grouping sets).  It lives in the aggregate context
 *          itself, so hash aggregation counts it against work_mem and frees
 *          it with the states it serves; a reset callback forgets it.
 *   JAgg   per group ONE block: a 16-byte header, then the times and the name
 *          ids (12 bytes per event).  Blocks come from the dictionary's own
 *          slab (jy_slab_create: big blocks of the aggregate context) in
 *          size classes of 2, 3, 4, 5, 6, 7, 8, 10, 12, ... 512 events without
 *          per-chunk headers or power-of-two rounding (MAXALIGNed: a class of
 *          an odd number of events takes 4 bytes more than 16 + 12 * cap);
 *          a state that grows moves to the next class (the transition
 *          function returns the new pointer) and its old block goes to the
 *          slab's free list for other groups.  States above 512 events are
 *          ordinary (huge) allocations.
 *
 * The final (and serial) function maps the ids a group uses to the journey's
 * own dictionary and canonicalizes as any journey is built, so values do not
 * depend on the dictionary, on input order or on how states were combined.
 * Limits: a name longer than JY_JC_MAX_NAME_LEN fails at the row, too many
 * events when the state grows, too many distinct names (per journey) when
 * the value is built.
 */

/*
 * Fine classes for short journeys (hash aggregation holds one state per user:
 * 131 bytes per user on the bench data with 2, 4, 6, 8, 12, ... became 121)
 */
#define JAGG_NCLASS 27
static const uint32 JAGG_CAPS[JAGG_NCLASS] = {2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 32, 40, 48, 64, 80,
96, 128, 160, 192, 256, 320, 384, 448, 512};

typedef struct JName
{
	const char *p;				/* name bytes (dictionary arena) */
	uint32		len;
	uint32		hash;
	uint32		stamp;			/* == dict->gen: `local` is valid for this pass */
	uint32		local;			/* id in the journey (or dictionary) being built */
} JName;

typedef struct JDictSlot JDictSlot;

typedef struct JDict
{
	MemoryContext cxt;			/* the aggregate context (holds the dict and states) */
	uint32		n,
				cap;
	JName	   *names;			/* [cap] */
	uint32	   *htab;			/* id + 1, 0 = empty; hmask + 1 slots (power of 2) */
	uint32		hmask;
	uint32		last;			/* the id found last (one-entry cache; valid when n > 0) */
	uint32		gen;			/* pass counter for JName.stamp */
	char	   *blk;			/* current arena block */
	Size		bused,
				bsize;
	uint32	   *map;			/* scratch: view id -> dictionary id */
	uint32		mapcap;
	JySlab	   *slab;			/* the states' blocks (in cxt) */
	JDictSlot  *slot;			/* the fn_extra slot that points here */
	MemoryContextCallback cb;	/* clears slot->dict when cxt is reset or deleted */
} JDict;

struct JDictSlot
{
	MemoryContext cxt;
	JDict	   *dict;
	JDictSlot  *next;
};

typedef struct JAgg
{
	JDict	   *dict;			/* NULL only in a deserialized state (JAggWire) */
	uint32		n;				/* events */
	uint32		cap;
	int64		ts[FLEXIBLE_ARRAY_MEMBER];	/* [cap], then uint32 id[cap] */
} JAgg;

/* a deserialized state: the decoded journey, in the per-tuple context */
typedef struct JAggWire
{
	JDict	   *dict;			/* always NULL */
	JyJView		v;
} JAggWire;

#define JAGG_IDS(st) ((uint32 *) ((st)->ts + (st)->cap))
#define JAGG_BYTES(cap) (offsetof(JAgg, ts) + (Size) (cap) * (sizeof(int64) + sizeof(uint32)))

StaticAssertDecl(JAGG_BYTES(512) <= JY_SLAB_MAX_CHUNK, "the largest class is a slab block");

static void
jdict_forget(void *arg)
{
	JDict	   *d = (JDict *) arg;

	if (d->slot->dict == d)
		d->slot->dict = NULL;
}

/* the dictionary of aggcxt for this call site, created on first use */
static JDict *
jdict_get(FunctionCallInfo fcinfo, MemoryContext aggcxt)
{
	JDictSlot  *s,
			   *free_slot = NULL;
	JDict	   *d;

	for (s = (JDictSlot *) fcinfo->flinfo->fn_extra; s != NULL; s = s->next)
	{
		if (s->cxt == aggcxt)
			break;
		if (s->dict == NULL && free_slot == NULL)
			free_slot = s;
	}
	if (s == NULL && free_slot != NULL)
		s = free_slot;
	else if (s == NULL)
	{
		s = (JDictSlot *) MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(JDictSlot));
		s->next = (JDictSlot *) fcinfo->flinfo->fn_extra;
		fcinfo->flinfo->fn_extra = s;
	}
	if (s->cxt == aggcxt && s->dict != NULL)
		return s->dict;
	s->cxt = aggcxt;
	d = (JDict *) MemoryContextAllocZero(aggcxt, sizeof(JDict));
	d->cxt = aggcxt;
	d->cap = 16;
	d->names = (JName *) MemoryContextAlloc(aggcxt, d->cap * sizeof(JName));
	d->hmask = 31;
	d->htab = (uint32 *) MemoryContextAllocZero(aggcxt, (d->hmask + 1) * sizeof(uint32));
	d->slab = jy_slab_create(aggcxt);
	d->slot = s;
	d->cb.func = jdict_forget;
	d->cb.arg = d;
	MemoryContextRegisterResetCallback(aggcxt, &d->cb);
	s->dict = d;
	return d;
}

/* a fast hash of short byte strings (in-memory table only, never stored) */
static inline uint32
jname_hash(const char *s, uint32 len)
{
	uint64		h = UINT64CONST(0x9E3779B97F4A7C15) ^ len;
	uint64		w;

	while (len >= 8)
	{
		memcpy(&w, s, 8);
		h = (h ^ w) * UINT64CONST(0xFF51AFD7ED558CCD);
		h ^= h >> 32;
		s += 8;
		len -= 8;
	}
	if (len > 0)
	{
		w = 0;
		memcpy(&w, s, len);
		h = (h ^ w) * UINT64CONST(0xFF51AFD7ED558CCD);
	}
	h ^= h >> 33;
	h *= UINT64CONST(0xC4CEB9FE1A85EC53);
	h ^= h >> 33;
	return (uint32) h;
}

static void
jdict_grow_table(JDict *d)
{
	uint32		size = (d->hmask + 1) * 2,
				i;
	uint32	   *t = (uint32 *) MemoryContextAllocExtended(d->cxt, (Size) size * sizeof(uint32),
														  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);

	for (i = 0; i < d->n; i++)
	{
		uint32		h = d->names[i].hash & (size - 1);

		while (t[h] != 0)
			h = (h + 1) & (size - 1);
		t[h] = i + 1;
	}
	pfree(d->htab);
	d->htab = t;
	d->hmask = size - 1;
}

/* the id of a name (len <= JY_JC_MAX_NAME_LEN), added when new */
static uint32
jdict_intern(JDict *d, const char *name, uint32 len)
{
	uint32		h,
				i,
				id;
	JName	   *e;

	if (d->n > 0)
	{
		e = &d->names[d->last];
		if (e->len == len && memcmp(e->p, name, len) == 0)
			return d->last;
	}
	h = jname_hash(name, len);
	i = h & d->hmask;
	while ((id = d->htab[i]) != 0)
	{
		e = &d->names[id - 1];
		if (e->hash == h && e->len == len && memcmp(e->p, name, len) == 0)
		{
			d->last = id - 1;
			return id - 1;
		}
		i = (i + 1) & d->hmask;
	}
	/* new name */
	if (d->n == PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct journey event names in one aggregation"),
				 errdetail("One aggregation can intern at most %d distinct event names.", PG_INT32_MAX)));
	if (d->n == d->cap)
	{
		d->cap *= 2;
		d->names = (JName *) repalloc_huge(d->names, (Size) d->cap * sizeof(JName));
	}
	if (len > d->bsize - d->bused)
	{
		d->bsize = Max(Min(Max(d->bsize * 2, (Size) 1024), (Size) 65536), (Size) len);
		d->blk = (char *) MemoryContextAlloc(d->cxt, d->bsize);
		d->bused = 0;
	}
	e = &d->names[d->n];
	e->p = len > 0 ? d->blk + d->bused : "";
	if (len > 0)
		memcpy(d->blk + d->bused, name, len);
	d->bused += len;
	e->len = len;
	e->hash = h;
	e->stamp = 0;
	e->local = 0;
	id = d->n++;
	d->htab[i] = id + 1;
	d->last = id;
	if ((uint64) d->n * 2 > (uint64) d->hmask + 1)
		jdict_grow_table(d);
	return id;
}

/* start a remapping pass: names with stamp == the result are mapped */
static uint32
jdict_next_gen(JDict *d)
{
	if (++d->gen == 0)
	{
		uint32		i;

		for (i = 0; i < d->n; i++)
			d->names[i].stamp = 0;
		d->gen = 1;
	}
	return d->gen;
}

/* a state block for cap events (uninitialized); the slab serves the classes (JAGG_BYTES(512) <= JY_SLAB_MAX_CHUNK) */
static inline JAgg *
jagg_alloc(JDict *d, uint32 cap)
{
	return (JAgg *) jy_slab_alloc(d->slab, JAGG_BYTES(cap));
}

static inline void
jagg_free(JDict *d, JAgg *st)
{
	jy_slab_free(d->slab, st, JAGG_BYTES(st->cap));
}

static JAgg *
jagg_new(JDict *d)
{
	JAgg	   *st = jagg_alloc(d, JAGG_CAPS[0]);

	st->dict = d;
	st->n = 0;
	st->cap = JAGG_CAPS[0];
	return st;
}

/*
 * Room for `more` events beyond st->n (errors past JY_JC_MAX_EVENTS); the
 * state may move: use the returned pointer.
 */
static JAgg *
jagg_reserve(JAgg *st, uint64 more)
{
	uint64		need = (uint64) st->n + more,
				cap;
	JDict	   *d = st->dict;
	JAgg	   *x;

	if (need <= st->cap)
		return st;
	if (need > JY_JC_MAX_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey has too many events"),
				 errdetail("A journey holds at most %u events.", JY_JC_MAX_EVENTS)));
	/* past the classes: doubling up to JY_JC_MAX_EVENTS (need is not above it: the limit's message is never used) */
	cap = (uint64) jy_class_cap(JAGG_CAPS, JAGG_NCLASS, st->cap, (int64) need, JY_JC_MAX_EVENTS,
								"events in one journey", "per journey");
	x = jagg_alloc(d, (uint32) cap);
	x->dict = d;
	x->n = st->n;
	x->cap = (uint32) cap;
	memcpy(x->ts, st->ts, (Size) st->n * sizeof(int64));
	memcpy(JAGG_IDS(x), JAGG_IDS(st), (Size) st->n * sizeof(uint32));
	jagg_free(d, st);
	return x;
}

/* append one event (room reserved before) */
static inline void
jagg_put(JAgg *st, int64 t, uint32 id)
{
	st->ts[st->n] = t;
	JAGG_IDS(st)[st->n] = id;
	st->n++;
}

/* append a whole decoded journey (its names interned in st's dictionary) */
static JAgg *
jagg_add_view(JAgg *st, const JyJView *v)
{
	JDict	   *d = st->dict;
	uint32		i;

	if (v->ndict > d->mapcap)
	{
		uint32		cap = Max(v->ndict, d->mapcap * 2);

		if (d->map)
			pfree(d->map);
		d->map = (uint32 *) MemoryContextAlloc(d->cxt, (Size) cap * sizeof(uint32));
		d->mapcap = cap;
	}
	for (i = 0; i < v->ndict; i++)
		d->map[i] = jdict_intern(d, v->name[i], v->name_len[i]);
	st = jagg_reserve(st, v->n);
	for (i = 0; i < v->n; i++)
	{
		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		jagg_put(st, v->ts[i], d->map[v->ev[i]]);
	}
	return st;
}

/* append another state's events (b may use another dictionary) */
static JAgg *
jagg_add_state(JAgg *a, const JAgg *b)
{
	uint32		i;

	a = jagg_reserve(a, b->n);
	if (a->dict == b->dict)
	{
		for (i = 0; i < b->n; i++)
		{
			if ((i & 0xFFFF) == 0xFFFF)
				CHECK_FOR_INTERRUPTS();
			jagg_put(a, b->ts[i], JAGG_IDS(b)[i]);
		}
	}
	else
	{
		JDict	   *bd = b->dict;
		uint32		gen = jdict_next_gen(bd);

		for (i = 0; i < b->n; i++)
		{
			JName	   *e = &bd->names[JAGG_IDS(b)[i]];

			if ((i & 0xFFFF) == 0xFFFF)
				CHECK_FOR_INTERRUPTS();
			if (e->stamp != gen)
			{
				e->local = jdict_intern(a->dict, e->p, e->len);
				e->stamp = gen;
			}
			jagg_put(a, b->ts[i], e->local);
		}
	}
	return a;
}

/*
 * Work memory of the final and serial functions, kept in their fn_extra
 * between groups while it is small (one palloc per group: the result).
 */
typedef struct JBuildBuf
{
	void	   *mem;
	Size		size;
} JBuildBuf;

#define JBUILD_KEEP ((Size) 65536)

/* the journey value of a state (the state is not changed) */
static struct varlena *
jagg_build(FunctionCallInfo fcinfo, const JAgg *st)
{
	JDict	   *d = st->dict;
	JBuildBuf  *bb = (JBuildBuf *) fcinfo->flinfo->fn_extra;
	uint32		n = st->n,
				ndmax = Min(n, d->n),
				nd = 0,
				gen,
				i;
	Size		szts = MAXALIGN((Size) n * sizeof(int64)),
				szev = MAXALIGN((Size) n * sizeof(uint32)),
				sznm = MAXALIGN((Size) ndmax * sizeof(const char *)),
				szln = MAXALIGN((Size) ndmax * sizeof(uint32)),
				need = szts + szev + sznm + szln + jy_jc_canon_scratch(n, ndmax) + 8;
	char	   *mem;
	JyJView		v;
	JyJcError	e;
	struct varlena *r;

	if (bb == NULL)
		bb = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(JBuildBuf));
	if (need <= bb->size)
		mem = bb->mem;
	else if (need <= JBUILD_KEEP)
	{
		if (bb->mem)
			pfree(bb->mem);
		bb->mem = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, JBUILD_KEEP);
		bb->size = JBUILD_KEEP;
		mem = bb->mem;
	}
	else
		mem = palloc_extended(need, MCXT_ALLOC_HUGE);
	v.n = n;
	v.ts = (int64_t *) mem;
	v.ev = (uint32_t *) (mem + szts);
	v.name = (const char **) (mem + szts + szev);
	v.name_len = (uint32_t *) (mem + szts + szev + sznm);
	gen = jdict_next_gen(d);
	for (i = 0; i < n; i++)
	{
		JName	   *nm = &d->names[JAGG_IDS(st)[i]];

		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		if (nm->stamp != gen)
		{
			if (nd == JY_JC_MAX_NAMES)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("journey has too many distinct event names"),
						 errdetail("A journey holds at most %u distinct event names.", JY_JC_MAX_NAMES)));
			nm->stamp = gen;
			nm->local = nd;
			v.name[nd] = nm->p;
			v.name_len[nd] = nm->len;
			nd++;
		}
		v.ts[i] = st->ts[i];
		v.ev[i] = nm->local;
	}
	v.ndict = nd;
	if (jy_jc_canonicalize_ex(&v, mem + szts + szev + sznm + szln, &e, jy_tick, NULL) != JY_JC_OK)
		jy_journey_report(&e, ERRCODE_INVALID_PARAMETER_VALUE, "invalid journey");
	r = jy_journey_from_view(&v);
	if (mem != bb->mem)
		pfree(mem);
	return r;
}

Datum
jy_journey_agg_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	JAgg	   *st;
	TimestampTz t;
	text	   *name;
	uint32		len;

	aggcxt = jy_agg_context(fcinfo, "journey_agg_trans");
	st = PG_ARGISNULL(0) ? NULL : (JAgg *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	t = PG_GETARG_TIMESTAMPTZ(1);
	jy_journey_check_time(t);
	name = PG_GETARG_TEXT_PP(2);
	len = VARSIZE_ANY_EXHDR(name);
	if (len > JY_JC_MAX_NAME_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey event name is too long"),
				 errdetail("The name is %u bytes long; the limit is %u bytes.", len, JY_JC_MAX_NAME_LEN)));
	if (st == NULL)
		st = jagg_new(jdict_get(fcinfo, aggcxt));
	if (st->n == st->cap)
		st = jagg_reserve(st, 1);
	jagg_put(st, t, jdict_intern(st->dict, VARDATA_ANY(name), len));
	PG_RETURN_POINTER(st);
}

Datum
jy_journey_rollup_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	JAgg	   *st;
	JyJView		v;

	aggcxt = jy_agg_context(fcinfo, "journey rollup");
	st = PG_ARGISNULL(0) ? NULL : (JAgg *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	jy_journey_view(PG_GETARG_DATUM(1), &v);
	if (st == NULL)
		st = jagg_new(jdict_get(fcinfo, aggcxt));
	st = jagg_add_view(st, &v);
	PG_RETURN_POINTER(st);
}

Datum
jy_journey_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	JAgg	   *a,
			   *b;

	aggcxt = jy_agg_context(fcinfo, "journey_agg_combine");
	JY_COMBINE_ARGS(JAgg, a, b);
	if (a == NULL)
		a = jagg_new(jdict_get(fcinfo, aggcxt));
	if (b->dict == NULL)
		a = jagg_add_view(a, &((JAggWire *) b)->v);
	else
		a = jagg_add_state(a, b);
	PG_RETURN_POINTER(a);
}

/* the serialized state is a journey value (canonical, validated on the way back) */
Datum
jy_journey_agg_serial(PG_FUNCTION_ARGS)
{
	JAgg	   *st = (JAgg *) PG_GETARG_POINTER(0);

	if (st->dict == NULL)
		PG_RETURN_POINTER(jy_journey_from_view(&((JAggWire *) st)->v));
	PG_RETURN_POINTER(jagg_build(fcinfo, st));
}

/*
 * The decoded journey, in the caller's (per-input-tuple) context: combine
 * copies it into its own state at once.
 */
Datum
jy_journey_agg_deserial(PG_FUNCTION_ARGS)
{
	JAggWire   *w;

	(void) jy_agg_context(fcinfo, "journey_agg_deserial");
	w = (JAggWire *) palloc(sizeof(JAggWire));
	w->dict = NULL;
	jy_journey_view(PG_GETARG_DATUM(0), &w->v);
	PG_RETURN_POINTER(w);
}

Datum
jy_journey_agg_final(PG_FUNCTION_ARGS)
{
	JAgg	   *st;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	/* a state exists once a non-NULL row came; rollup of empty journeys is empty */
	st = (JAgg *) PG_GETARG_POINTER(0);
	if (st->dict == NULL)
		PG_RETURN_POINTER(jy_journey_from_view(&((JAggWire *) st)->v));
	PG_RETURN_POINTER(jagg_build(fcinfo, st));
}
