/*
 * journey_type_glue.c — the `journey` type: one user's whole path in one
 * compact, lossless value (codec and format: src/engine/jcodec.h).
 *
 *   journey_agg(ts, event)       build a journey (input order irrelevant)
 *   rollup(journey), a || b      merge journeys (multiset union, time order)
 *   length, first_time, last_time, duration, journey_events, event_at, time_at,
 *   distinct_events, event_count, journey_path, journey_slice, journey_sessions,
 *   journey_session_stats
 *   = <> < <= > >=, hash and btree operator classes (DISTINCT, GROUP BY, indexes)
 *
 * Binary send/recv: the bytes are the storage format itself (after the
 * varlena header), and recv runs the full validation of the decoder.
 */
#include "journey_type.h"
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

#define DatumGetJourneyPP(d) ((struct varlena *) PG_DETOAST_DATUM_PACKED(d))
#define PG_GETARG_JOURNEY_PP(n) DatumGetJourneyPP(PG_GETARG_DATUM(n))

PG_FUNCTION_INFO_V1(jy_journey_in);
PG_FUNCTION_INFO_V1(jy_journey_out);
PG_FUNCTION_INFO_V1(jy_journey_recv);
PG_FUNCTION_INFO_V1(jy_journey_send);
PG_FUNCTION_INFO_V1(jy_journey_agg_trans);
PG_FUNCTION_INFO_V1(jy_journey_rollup_trans);
PG_FUNCTION_INFO_V1(jy_journey_agg_combine);
PG_FUNCTION_INFO_V1(jy_journey_agg_serial);
PG_FUNCTION_INFO_V1(jy_journey_agg_deserial);
PG_FUNCTION_INFO_V1(jy_journey_agg_final);
PG_FUNCTION_INFO_V1(jy_journey_merge);
PG_FUNCTION_INFO_V1(jy_journey_eq);
PG_FUNCTION_INFO_V1(jy_journey_ne);
PG_FUNCTION_INFO_V1(jy_journey_lt);
PG_FUNCTION_INFO_V1(jy_journey_le);
PG_FUNCTION_INFO_V1(jy_journey_gt);
PG_FUNCTION_INFO_V1(jy_journey_ge);
PG_FUNCTION_INFO_V1(jy_journey_cmp);
PG_FUNCTION_INFO_V1(jy_journey_hash);
PG_FUNCTION_INFO_V1(jy_journey_hash_extended);
PG_FUNCTION_INFO_V1(jy_journey_length);
PG_FUNCTION_INFO_V1(jy_journey_first_time);
PG_FUNCTION_INFO_V1(jy_journey_last_time);
PG_FUNCTION_INFO_V1(jy_journey_duration);
PG_FUNCTION_INFO_V1(jy_journey_events);
PG_FUNCTION_INFO_V1(jy_journey_event_at);
PG_FUNCTION_INFO_V1(jy_journey_time_at);
PG_FUNCTION_INFO_V1(jy_journey_distinct_events);
PG_FUNCTION_INFO_V1(jy_journey_event_count);
PG_FUNCTION_INFO_V1(jy_journey_path);
PG_FUNCTION_INFO_V1(jy_journey_slice);
PG_FUNCTION_INFO_V1(jy_journey_sessions);
PG_FUNCTION_INFO_V1(jy_journey_session_stats);
PG_FUNCTION_INFO_V1(jy_journey_from_arrays);

/* ---- shared helpers (journey_type.h) -------------------------------------- */

/*
 * Raise the error of a codec result.  Text input reports 1-based characters,
 * binary input and stored values 0-based byte offsets (as xxd shows them).
 */
static void
report(const JyJcError *e, int malformed_code, const char *what)
{
	bool		text = malformed_code == ERRCODE_INVALID_TEXT_REPRESENTATION;

	if (e->status == JY_JC_ELIMIT && malformed_code == ERRCODE_INVALID_PARAMETER_VALUE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey exceeds a limit"),
				 errdetail("%s", e->msg)));
	if (e->status == JY_JC_ELIMIT)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey exceeds a limit at %s %zu", text ? "character" : "byte",
						text ? e->pos + 1 : e->pos),
				 errdetail("%s", e->msg)));
	if (e->status == JY_JC_ERANGE)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("journey time out of range"),
				 errdetail("%s", e->msg),
				 errhint("Journeys hold times from 0001-01-01 to 9999-12-31 UTC; infinity is not allowed.")));
	ereport(ERROR,
			(errcode(malformed_code),
			 errmsg("%s at %s %zu", what, text ? "character" : "byte", text ? e->pos + 1 : e->pos),
			 errdetail("%s", e->msg)));
}

void
jy_journey_view_alloc(JyJView *v, uint32 n, uint32 ndict)
{
	v->n = n;
	v->ndict = ndict;
	v->ts = (int64_t *) palloc(Max(n, 1) * sizeof(int64_t));
	v->ev = (uint32_t *) palloc(Max(n, 1) * sizeof(uint32_t));
	v->name = (const char **) palloc(Max(ndict, 1) * sizeof(const char *));
	v->name_len = (uint32_t *) palloc(Max(ndict, 1) * sizeof(uint32_t));
}

static void
view_of_bytes(const uint8 *buf, size_t len, JyJView *v, int malformed_code, const char *what)
{
	uint32		n,
				ndict;
	JyJcError	e;

	if (jy_jc_header(buf, len, &n, &ndict, &e) != JY_JC_OK)
		report(&e, malformed_code, what);
	jy_journey_view_alloc(v, n, ndict);
	if (jy_jc_decode_ex(buf, len, v, &e, jy_tick, NULL) != JY_JC_OK)
		report(&e, malformed_code, what);
}

void
jy_journey_view(Datum d, JyJView *v)
{
	struct varlena *j = DatumGetJourneyPP(d);

	view_of_bytes((const uint8 *) VARDATA_ANY(j), VARSIZE_ANY_EXHDR(j), v,
				  ERRCODE_DATA_CORRUPTED, "corrupt journey value");
}

struct varlena *
jy_journey_from_view(const JyJView *v)
{
	size_t		sz = jy_jc_encoded_size_ex(v, jy_tick, NULL);
	struct varlena *r;

	if (sz > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey is too large"),
				 errdetail("Its encoding would take %zu bytes.", sz)));
	r = (struct varlena *) palloc(sz + VARHDRSZ);
	SET_VARSIZE(r, sz + VARHDRSZ);
	jy_jc_encode_ex(v, (uint8_t *) VARDATA(r), jy_tick, NULL);
	return r;
}

struct varlena *
jy_journey_build(JyJView *v)
{
	JyJcError	e;
	void	   *scratch = palloc_extended(jy_jc_canon_scratch(v->n, v->ndict), MCXT_ALLOC_HUGE);

	if (jy_jc_canonicalize_ex(v, scratch, &e, jy_tick, NULL) != JY_JC_OK)
		report(&e, ERRCODE_INVALID_PARAMETER_VALUE, "invalid journey");
	pfree(scratch);
	return jy_journey_from_view(v);
}

static void
verify_names(const JyJView *v)
{
	uint32		i;

	for (i = 0; i < v->ndict; i++)
		pg_verifymbstr(v->name[i], (int) v->name_len[i], false);
}

/* ---- text and binary I/O ------------------------------------------------- */

Datum
jy_journey_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	size_t		len = strlen(str);
	uint32		cap = Min(jy_jc_text_max_events(str, len), JY_JC_MAX_EVENTS);
	JyJView		v;
	JyJcError	e;
	char	   *namebuf = palloc(len + 1);
	void	   *scratch = palloc_extended(jy_jc_canon_scratch(cap, cap), MCXT_ALLOC_HUGE);

	v.ts = palloc_extended((Size) cap * sizeof(int64_t), MCXT_ALLOC_HUGE);
	v.ev = palloc_extended((Size) cap * sizeof(uint32_t), MCXT_ALLOC_HUGE);
	v.name = palloc_extended((Size) cap * sizeof(const char *), MCXT_ALLOC_HUGE);
	v.name_len = palloc_extended((Size) cap * sizeof(uint32_t), MCXT_ALLOC_HUGE);
	if (jy_jc_parse_text_ex(str, len, &v, cap, namebuf, scratch, &e, jy_tick, NULL) != JY_JC_OK)
		report(&e, ERRCODE_INVALID_TEXT_REPRESENTATION, "invalid input syntax for type journey");
	verify_names(&v);
	PG_RETURN_POINTER(jy_journey_from_view(&v));
}

Datum
jy_journey_out(PG_FUNCTION_ARGS)
{
	JyJView		v;
	char	   *out;
	size_t		sz;

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	sz = jy_jc_text_size_ex(&v, jy_tick, NULL);
	/* the text repeats every name (the value stores each once): it can outgrow 1 GB */
	if (sz >= MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey is too large to print as text"),
				 errdetail("Its text form would take %zu bytes; the limit is %zu bytes.", sz, (size_t) MaxAllocSize - 1),
				 errhint("Read it with journey_events(), or copy it in binary format.")));
	out = palloc(sz + 1);
	jy_jc_print_text_ex(&v, out, jy_tick, NULL);
	PG_RETURN_CSTRING(out);
}

Datum
jy_journey_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	size_t		len = (size_t) (buf->len - buf->cursor);
	const uint8 *bytes = (const uint8 *) buf->data + buf->cursor;
	JyJView		v;
	struct varlena *r;

	view_of_bytes(bytes, len, &v, ERRCODE_INVALID_BINARY_REPRESENTATION,
				  "invalid external binary representation of type journey");
	verify_names(&v);
	r = (struct varlena *) palloc(len + VARHDRSZ);
	SET_VARSIZE(r, len + VARHDRSZ);
	memcpy(VARDATA(r), bytes, len);
	buf->cursor = buf->len;
	PG_RETURN_POINTER(r);
}

Datum
jy_journey_send(PG_FUNCTION_ARGS)
{
	struct varlena *j = PG_GETARG_JOURNEY_PP(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA_ANY(j), VARSIZE_ANY_EXHDR(j));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

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
 *          slab (big blocks of the aggregate context) in size classes of
 *          2, 4, 6, 8, 12, ... 512 events without per-chunk headers or
 *          power-of-two rounding; a state that grows moves to the next class
 *          (the transition function returns the new pointer) and its old
 *          block goes to that class's free list for other groups.  States
 *          above 512 events are ordinary (huge) allocations.
 *
 * The final (and serial) function maps the ids a group uses to the journey's
 * own dictionary and canonicalizes as any journey is built, so values do not
 * depend on the dictionary, on input order or on how states were combined.
 * Limits: a name longer than JY_JC_MAX_NAME_LEN fails at the row, too many
 * events when the state grows, too many distinct names (per journey) when
 * the value is built.
 */

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
	void	   *freelist[16];	/* per JAGG_CAPS class: free state blocks */
	char	   *slab;			/* current slab block */
	Size		slab_used,
				slab_size;
	JDictSlot  *slot;			/* the fn_extra slot that points here */
	MemoryContextCallback cb;	/* clears slot->dict when cxt is reset or deleted */
} JDict;

struct JDictSlot
{
	MemoryContext cxt;
	JDict	   *dict;
	JDictSlot  *next;
};

/* state capacities (events) served by the slab; larger states are pallocs */
static const uint32 JAGG_CAPS[16] = {2, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512};
#define JAGG_NCLASS 16
#define JAGG_SLAB_MAX ((Size) 1048576)

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

static int
jagg_class(uint32 cap)
{
	int			c;

	for (c = 0; c < JAGG_NCLASS; c++)
		if (JAGG_CAPS[c] == cap)
			return c;
	return -1;
}

/* a state block for cap events (uninitialized) */
static JAgg *
jagg_alloc(JDict *d, uint32 cap)
{
	int			c = jagg_class(cap);
	Size		bytes = JAGG_BYTES(cap);
	JAgg	   *st;

	if (c < 0)
		return (JAgg *) MemoryContextAllocExtended(d->cxt, bytes, MCXT_ALLOC_HUGE);
	if (d->freelist[c] != NULL)
	{
		st = (JAgg *) d->freelist[c];
		d->freelist[c] = *(void **) st;
		return st;
	}
	if (d->slab_size - d->slab_used < bytes)
	{
		/* the tail of the old slab is left unused (less than the largest class) */
		d->slab_size = Max(Min(Max(d->slab_size * 2, (Size) 1024), JAGG_SLAB_MAX), bytes);
		d->slab = (char *) MemoryContextAlloc(d->cxt, d->slab_size);
		d->slab_used = 0;
	}
	st = (JAgg *) (d->slab + d->slab_used);
	d->slab_used += bytes;
	return st;
}

static void
jagg_free(JDict *d, JAgg *st)
{
	int			c = jagg_class(st->cap);

	if (c < 0)
		pfree(st);
	else
	{
		*(void **) st = d->freelist[c];
		d->freelist[c] = st;
	}
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
	int			c;

	if (need <= st->cap)
		return st;
	if (need > JY_JC_MAX_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey has too many events"),
				 errdetail("A journey holds at most %u events.", JY_JC_MAX_EVENTS)));
	cap = 0;
	for (c = 0; c < JAGG_NCLASS; c++)
		if (JAGG_CAPS[c] >= need)
		{
			cap = JAGG_CAPS[c];
			break;
		}
	if (cap == 0)
		cap = Min(Max(need, (uint64) st->cap * 2), (uint64) JY_JC_MAX_EVENTS);
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

static void
check_time(TimestampTz t)
{
	if (t < JY_JC_MIN_TS || t > JY_JC_MAX_TS)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("journey time out of range"),
				 errdetail("Journeys hold times from 0001-01-01 to 9999-12-31 UTC; infinity is not allowed.")));
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
		report(&e, ERRCODE_INVALID_PARAMETER_VALUE, "invalid journey");
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
	check_time(t);
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

/* ---- merge ---------------------------------------------------------------- */

/*
 * journey_merge (every event of both) and journey_union (the idempotent
 * merge: events in both count once) of arguments 0 and 1
 */
static struct varlena *
merge_args(FunctionCallInfo fcinfo, bool idempotent)
{
	JyJView		a,
				b,
				r;
	JyJcError	e;
	JyJcStatus	rc;
	uint32	   *scratch;

	jy_journey_view(PG_GETARG_DATUM(0), &a);
	jy_journey_view(PG_GETARG_DATUM(1), &b);
	if (!idempotent && (uint64) a.n + b.n > JY_JC_MAX_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey has too many events"),
				 errdetail("The merged journey would have " UINT64_FORMAT " events; a journey holds at most %u.",
						   (uint64) a.n + b.n, JY_JC_MAX_EVENTS)));
	jy_journey_view_alloc(&r, Min((uint64) a.n + b.n, JY_JC_MAX_EVENTS), a.ndict + b.ndict);
	scratch = palloc(Max(a.ndict + b.ndict, 1) * sizeof(uint32));
	rc = idempotent ? jy_jc_union(&a, &b, &r, scratch, &e, jy_tick, NULL)
		: jy_jc_merge_ex(&a, &b, &r, scratch, &e, jy_tick, NULL);
	if (rc != JY_JC_OK)
		report(&e, ERRCODE_INVALID_PARAMETER_VALUE, "cannot merge journeys");
	return jy_journey_from_view(&r);
}

Datum
jy_journey_merge(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(merge_args(fcinfo, false));
}

/* ---- comparison and hashing (on the canonical bytes) ---------------------- */

static int
journey_cmp_internal(FunctionCallInfo fcinfo)
{
	struct varlena *a = PG_GETARG_JOURNEY_PP(0);
	struct varlena *b = PG_GETARG_JOURNEY_PP(1);
	Size		la = VARSIZE_ANY_EXHDR(a),
				lb = VARSIZE_ANY_EXHDR(b);
	int			c = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(la, lb));

	if (c == 0 && la != lb)
		c = la < lb ? -1 : 1;
	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	return c;
}

Datum
jy_journey_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(journey_cmp_internal(fcinfo) == 0);
}

Datum
jy_journey_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(journey_cmp_internal(fcinfo) != 0);
}

Datum
jy_journey_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(journey_cmp_internal(fcinfo) < 0);
}

Datum
jy_journey_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(journey_cmp_internal(fcinfo) <= 0);
}

Datum
jy_journey_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(journey_cmp_internal(fcinfo) > 0);
}

Datum
jy_journey_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(journey_cmp_internal(fcinfo) >= 0);
}

Datum
jy_journey_cmp(PG_FUNCTION_ARGS)
{
	int			c = journey_cmp_internal(fcinfo);

	PG_RETURN_INT32(c < 0 ? -1 : c > 0 ? 1 : 0);
}

Datum
jy_journey_hash(PG_FUNCTION_ARGS)
{
	struct varlena *j = PG_GETARG_JOURNEY_PP(0);
	Datum		h = hash_any((const unsigned char *) VARDATA_ANY(j), (int) VARSIZE_ANY_EXHDR(j));

	PG_FREE_IF_COPY(j, 0);
	return h;
}

Datum
jy_journey_hash_extended(PG_FUNCTION_ARGS)
{
	struct varlena *j = PG_GETARG_JOURNEY_PP(0);
	Datum		h = hash_any_extended((const unsigned char *) VARDATA_ANY(j), (int) VARSIZE_ANY_EXHDR(j),
									  PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(j, 0);
	return h;
}

/* ---- accessors ------------------------------------------------------------ */

Datum
jy_journey_length(PG_FUNCTION_ARGS)
{
	struct varlena *j = PG_GETARG_JOURNEY_PP(0);
	uint32		n,
				nd;
	JyJcError	e;

	if (jy_jc_header((const uint8_t *) VARDATA_ANY(j), VARSIZE_ANY_EXHDR(j), &n, &nd, &e) != JY_JC_OK)
		report(&e, ERRCODE_DATA_CORRUPTED, "corrupt journey value");
	PG_RETURN_INT32((int32) n);
}

Datum
jy_journey_first_time(PG_FUNCTION_ARGS)
{
	JyJView		v;

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	if (v.n == 0)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(v.ts[0]);
}

Datum
jy_journey_last_time(PG_FUNCTION_ARGS)
{
	JyJView		v;

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	if (v.n == 0)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(v.ts[v.n - 1]);
}

Datum
jy_journey_duration(PG_FUNCTION_ARGS)
{
	JyJView		v;

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	if (v.n == 0)
		PG_RETURN_NULL();
	PG_RETURN_INTERVAL_P(jy_usecs_to_interval(v.ts[v.n - 1] - v.ts[0]));
}

static text *
jname_text(const JyJView *v, uint32 id)
{
	return cstring_to_text_with_len(v->name[id], (int) v->name_len[id]);
}

Datum
jy_journey_events(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	JyJView		v;
	uint32		i;
	text	  **names;

	jy_init_row_srf(fcinfo);
	jy_journey_view(PG_GETARG_DATUM(0), &v);
	names = palloc(Max(v.ndict, 1) * sizeof(text *));
	for (i = 0; i < v.ndict; i++)
		names[i] = jname_text(&v, i);
	for (i = 0; i < v.n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		CHECK_FOR_INTERRUPTS();
		values[0] = Int32GetDatum((int32) i + 1);
		values[1] = TimestampTzGetDatum(v.ts[i]);
		values[2] = PointerGetDatum(names[v.ev[i]]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* 1-based position; negative counts from the end (-1 = last); false when out of range */
static bool
position_index(const JyJView *v, int32 pos, uint32 *idx)
{
	int64		i = pos > 0 ? (int64) pos - 1 : (int64) v->n + pos;

	if (pos == 0 || i < 0 || i >= (int64) v->n)
		return false;
	*idx = (uint32) i;
	return true;
}

Datum
jy_journey_event_at(PG_FUNCTION_ARGS)
{
	JyJView		v;
	uint32		i;

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	if (!position_index(&v, PG_GETARG_INT32(1), &i))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(jname_text(&v, v.ev[i]));
}

Datum
jy_journey_time_at(PG_FUNCTION_ARGS)
{
	JyJView		v;
	uint32		i;

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	if (!position_index(&v, PG_GETARG_INT32(1), &i))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(v.ts[i]);
}

Datum
jy_journey_distinct_events(PG_FUNCTION_ARGS)
{
	JyJView		v;
	Datum	   *d;
	uint32		i;

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	d = palloc(Max(v.ndict, 1) * sizeof(Datum));
	for (i = 0; i < v.ndict; i++)
		d[i] = PointerGetDatum(jname_text(&v, i));
	PG_RETURN_ARRAYTYPE_P(construct_array(d, (int) v.ndict, TEXTOID, -1, false, TYPALIGN_INT));
}

Datum
jy_journey_event_count(PG_FUNCTION_ARGS)
{
	JyJView		v;
	text	   *name = PG_GETARG_TEXT_PP(1);
	int64		id;
	int32		c = 0;
	uint32		i;

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	id = jy_jc_find_name(&v, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
	if (id < 0)
		PG_RETURN_INT32(0);
	for (i = 0; i < v.n; i++)
		c += v.ev[i] == (uint32) id;
	PG_RETURN_INT32(c);
}

Datum
jy_journey_path(PG_FUNCTION_ARGS)
{
	JyJView		v;
	bool		collapse = PG_GETARG_BOOL(1);
	text	   *sep = PG_GETARG_TEXT_PP(2);
	StringInfoData buf;
	uint32		i;
	bool		first = true;

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	initStringInfo(&buf);
	for (i = 0; i < v.n; i++)
	{
		if (collapse && i > 0 && v.ev[i] == v.ev[i - 1])
			continue;
		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		if (!first)
			appendBinaryStringInfo(&buf, VARDATA_ANY(sep), VARSIZE_ANY_EXHDR(sep));
		appendBinaryStringInfo(&buf, v.name[v.ev[i]], (int) v.name_len[v.ev[i]]);
		first = false;
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/* a canonical journey of events [lo, hi) of v (unused names dropped) */
static struct varlena *
sub_journey(const JyJView *v, uint32 lo, uint32 hi)
{
	JyJView		s;

	uint32	   *map;
	uint32		i,
				k = 0;

	/*
	 * A run of a canonical view is canonical once the names it does not use
	 * are dropped: its events stay in (time, name) order, and renumbering the
	 * kept names in dictionary order keeps that order.  No sort needed.
	 */
	s.n = hi - lo;
	s.ts = v->ts + lo;
	s.ev = palloc(Max(s.n, 1) * sizeof(uint32));
	s.name = palloc(Max(v->ndict, 1) * sizeof(const char *));
	s.name_len = palloc(Max(v->ndict, 1) * sizeof(uint32));
	map = palloc0(Max(v->ndict, 1) * sizeof(uint32));	/* old id -> new id + 1, 0 = unused */
	for (i = lo; i < hi; i++)
		map[v->ev[i]] = 1;
	for (i = 0; i < v->ndict; i++)
		if (map[i])
		{
			s.name[k] = v->name[i];
			s.name_len[k] = v->name_len[i];
			map[i] = ++k;
		}
	s.ndict = k;
	for (i = lo; i < hi; i++)
		s.ev[i - lo] = map[v->ev[i]] - 1;
	pfree(map);
	return jy_journey_from_view(&s);
}

Datum
jy_journey_slice(PG_FUNCTION_ARGS)
{
	JyJView		v;
	TimestampTz from = PG_GETARG_TIMESTAMPTZ(1),
				to = PG_GETARG_TIMESTAMPTZ(2);
	uint32		lo = 0,
				hi;

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	while (lo < v.n && v.ts[lo] < from)
		lo++;
	hi = lo;
	while (hi < v.n && v.ts[hi] < to)
		hi++;
	PG_RETURN_POINTER(sub_journey(&v, lo, hi));
}

/*
 * The session gap (argument 1, positive) and the optional maximum session
 * length (argument 2; 0 when NULL), which must not be shorter than the gap.
 */
static int64
session_args(FunctionCallInfo fcinfo, int64 *max_len)
{
	int64		gap = jy_positive_interval_arg(fcinfo, 1, "session gap");

	*max_len = 0;
	if (!PG_ARGISNULL(2))
	{
		*max_len = jy_interval_usecs(PG_GETARG_INTERVAL_P(2), "maximum session length");
		if (*max_len < gap)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("maximum session length must not be shorter than the session gap")));
	}
	return gap;
}

Datum
jy_journey_sessions(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	JyJView		v;
	int64		gap,
				max_len = 0;
	JySessionizer s;
	uint32		i,
				start = 0;
	int32		number = 0;

	jy_init_row_srf(fcinfo);
	gap = session_args(fcinfo, &max_len);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	jy_journey_view(PG_GETARG_DATUM(0), &v);
	jy_sessionizer_init(&s, gap, max_len);
	for (i = 0; i <= v.n; i++)
	{
		bool		brk = (i == v.n) || jy_sessionizer_step(&s, v.ts[i], false) == JY_SESS_NEW;

		CHECK_FOR_INTERRUPTS();
		if (brk && i > start)
		{
			Datum		values[2];
			bool		nulls[2] = {false, false};

			values[0] = Int32GetDatum(++number);
			values[1] = PointerGetDatum(sub_journey(&v, start, i));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			start = i;
		}
	}
	return (Datum) 0;
}

/* ---- journey_session_stats: one session_stats value per journey ---------------
 *
 * The per-user session summary without emitting a row per session: decode
 * only the times (jy_jc_decode_times_ex, fully validating), sessionize them
 * with the engine of session_stats(ts) (jy_session_totals_ex) and build the
 * same value that aggregate builds from the same timestamps.  The times and
 * the histogram go into buffers kept across calls (fn_extra) up to
 * SS_CACHE_MAX events; larger journeys get their own, freed at once.
 */

#define SS_CACHE_MAX 65536u

typedef struct SessStatsCache
{
	int64_t    *ts;				/* [cap] */
	uint64_t   *hist;			/* [cap + 1] histogram entries */
	uint32		cap;
} SessStatsCache;

typedef struct SsHist
{
	uint64_t   *e;
	size_t		n;
} SsHist;

static void
ss_hist_on_session(void *arg, int64_t duration, int64_t events)
{
	SsHist	   *h = (SsHist *) arg;

	(void) events;
	/* room for n + 1 entries: at most one entry per session */
	h->n = jy_qs_add(h->e, h->n, jy_qs_bucket(duration), 1);
}

Datum
jy_journey_session_stats(PG_FUNCTION_ARGS)
{
	int64		gap,
				max_len = 0;
	struct varlena *j;
	const uint8 *buf;
	size_t		len;
	uint32		n,
				nd;
	JyJcError	e;
	SessStatsCache *c;
	int64_t    *ts;
	SsHist		h;
	JySessionTotals tot = {0, 0, 0, 0};
	JySessionStats *r;
	bool		own;

	gap = session_args(fcinfo, &max_len);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	j = DatumGetJourneyPP(PG_GETARG_DATUM(0));
	buf = (const uint8 *) VARDATA_ANY(j);
	len = VARSIZE_ANY_EXHDR(j);
	if (jy_jc_header(buf, len, &n, &nd, &e) != JY_JC_OK)
		report(&e, ERRCODE_DATA_CORRUPTED, "corrupt journey value");
	own = n > SS_CACHE_MAX;
	if (own)
	{
		ts = (int64_t *) palloc_extended((Size) n * sizeof(int64_t), MCXT_ALLOC_HUGE);
		h.e = (uint64_t *) palloc((Size) (Min(n, JY_SS_MAX_ENTRIES) + 1) * sizeof(uint64_t));
	}
	else
	{
		c = (SessStatsCache *) fcinfo->flinfo->fn_extra;
		if (c == NULL)
		{
			c = (SessStatsCache *) MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SessStatsCache));
			fcinfo->flinfo->fn_extra = c;
		}
		if (c->cap < Max(n, 1))
		{
			uint32		cap = Max(Max(n, 1), Min(c->cap * 2, SS_CACHE_MAX));

			if (c->ts != NULL)
			{
				pfree(c->ts);
				pfree(c->hist);
			}
			c->ts = (int64_t *) MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, (Size) cap * sizeof(int64_t));
			c->hist = (uint64_t *) MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, (Size) (cap + 1) * sizeof(uint64_t));
			c->cap = cap;
		}
		ts = c->ts;
		h.e = c->hist;
	}
	if (jy_jc_decode_times_ex(buf, len, ts, &n, &e, jy_tick, NULL) != JY_JC_OK)
		report(&e, ERRCODE_DATA_CORRUPTED, "corrupt journey value");
	/* as session_stats(ts) over no rows: no summary */
	if (n == 0)
		PG_RETURN_NULL();
	h.n = 0;
	if (!jy_session_totals_ex(ts, n, gap, max_len, &tot, ss_hist_on_session, &h, jy_tick, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("total session duration out of range")));
	r = ss_alloc((uint32) h.n);
	r->sessions = tot.sessions;
	r->events = tot.events;
	r->bounces = tot.bounces;
	r->duration_sum = tot.duration_sum;
	memcpy(r->entries, h.e, h.n * sizeof(uint64_t));
	if (own)
	{
		pfree(ts);
		pfree(h.e);
	}
	PG_RETURN_POINTER(r);
}

/* journey(ts timestamptz[], events text[]): pairs by position; NULL pairs skipped */
Datum
jy_journey_from_arrays(PG_FUNCTION_ARGS)
{
	ArrayType  *ta = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *ea = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *td,
			   *ed;
	bool	   *tn,
			   *en;
	int			nt,
				ne,
				i;
	JyJView		v;
	uint32		k = 0;

	if (ARR_NDIM(ta) > 1 || ARR_NDIM(ea) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("journey() takes one-dimensional arrays")));
	/* sizes first: deconstructing a huge array costs 9 bytes per element */
	nt = ArrayGetNItems(ARR_NDIM(ta), ARR_DIMS(ta));
	ne = ArrayGetNItems(ARR_NDIM(ea), ARR_DIMS(ea));
	if (nt != ne)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("journey() needs arrays of the same length"),
				 errdetail("The time array has %d elements and the event array %d.", nt, ne)));
	if ((uint32) nt > JY_JC_MAX_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("journey has too many events"),
				 errdetail("The arrays have %d elements; a journey holds at most %u events (NULL elements included).",
						   nt, JY_JC_MAX_EVENTS),
				 errhint("Split the events into several journeys, e.g. one per session or per month.")));
	deconstruct_array(ta, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &td, &tn, &nt);
	deconstruct_array(ea, TEXTOID, -1, false, TYPALIGN_INT, &ed, &en, &ne);
	jy_journey_view_alloc(&v, (uint32) nt, (uint32) nt);
	for (i = 0; i < nt; i++)
	{
		text	   *t;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (tn[i] || en[i])
			continue;
		check_time(DatumGetTimestampTz(td[i]));
		t = DatumGetTextPP(ed[i]);
		v.ts[k] = DatumGetTimestampTz(td[i]);
		v.ev[k] = k;
		v.name[k] = VARDATA_ANY(t);
		v.name_len[k] = VARSIZE_ANY_EXHDR(t);
		if (v.name_len[k] > JY_JC_MAX_NAME_LEN)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("journey event name is too long"),
					 errdetail("The name is %u bytes long; the limit is %u bytes.", v.name_len[k], JY_JC_MAX_NAME_LEN)));
		k++;
	}
	v.n = k;
	v.ndict = k;
	PG_RETURN_POINTER(jy_journey_build(&v));
}

/* ---- union: the idempotent merge -------------------------------------------- */

PG_FUNCTION_INFO_V1(jy_journey_union);

Datum
jy_journey_union(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(merge_args(fcinfo, true));
}
