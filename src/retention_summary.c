/*
 * retention_summary.c — retention_summary(user_id, ts, period, periods, tz):
 * the cohort_retention value of many users in one pass.
 */
#include "retention_glue.h"

#include "common/hashfn.h"
#include "utils/hsearch.h"
#include "utils/builtins.h"
#include "utils/uuid.h"

/* ---- one pass across users: retention_summary(user_id, ts, period, periods, tz) ----
 * Calendar periods and any activity only (the common heatmap); a hash table
 * of users with a bitmap of their periods relative to their first one.  The
 * result is the same cohort_retention value as rollup() over per-user
 * cohort_retention(ts, period, periods, tz).
 */
PG_FUNCTION_INFO_V1(jy_retention_summary_trans);
PG_FUNCTION_INFO_V1(jy_retention_summary_combine);
PG_FUNCTION_INFO_V1(jy_retention_summary_serial);
PG_FUNCTION_INFO_V1(jy_retention_summary_deserial);
PG_FUNCTION_INFO_V1(jy_retention_summary_final);

/*
 * User ids: bigint ids are the table's keys; text and uuid ids are interned
 * into a dictionary (exact bytes -> ordinal 0, 1, ...) and the ordinal is the
 * key.  Text ids are compared byte for byte.
 */
#define SUM_ID_BIGINT 0
#define SUM_ID_TEXT 1
#define SUM_ID_UUID 2
#define SUM_MAX_ID_LEN (1024 * 1024)

typedef struct IdKey
{
	const char *p;
	uint32		len;
} IdKey;

typedef struct IdEnt
{
	IdKey		key;
	int64		ord;
} IdEnt;

typedef struct SumState
{
	RetParams	p;
	JyRetTable	t;
	int64		max_key;		/* latest period seen */
	int64		last_user;		/* slot cache for consecutive rows of one user */
	int64	   *last_slot;
	uint8		idkind;			/* SUM_ID_* */
	HTAB	   *ids;			/* text / uuid: IdKey -> ordinal */
	IdKey	   *byord;			/* ordinal -> id bytes */
	int64		nids,
				idcap;
} SumState;

static uint32
idkey_hash(const void *key, Size keysize)
{
	const IdKey *k = (const IdKey *) key;

	(void) keysize;
	return hash_bytes((const unsigned char *) k->p, (int) k->len);
}

static int
idkey_match(const void *a, const void *b, Size keysize)
{
	const IdKey *x = (const IdKey *) a;
	const IdKey *y = (const IdKey *) b;

	(void) keysize;
	return x->len == y->len && memcmp(x->p, y->p, x->len) == 0 ? 0 : 1;
}

static void
sum_ids_init(SumState *st, MemoryContext cxt)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(IdKey);
	ctl.entrysize = sizeof(IdEnt);
	ctl.hash = idkey_hash;
	ctl.match = idkey_match;
	ctl.hcxt = cxt;
	st->ids = hash_create("retention_summary user ids", 1024, &ctl,
						  HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	st->idcap = 1024;
	st->byord = (IdKey *) MemoryContextAlloc(cxt, st->idcap * sizeof(IdKey));
	st->nids = 0;
}

/* the ordinal of an id, interning a copy of its bytes when new */
static int64
sum_intern(SumState *st, const char *bytes, uint32 len, MemoryContext cxt)
{
	IdKey		k;
	IdEnt	   *e;
	bool		found;

	k.p = bytes;
	k.len = len;
	e = (IdEnt *) hash_search(st->ids, &k, HASH_ENTER, &found);
	if (!found)
	{
		char	   *copy = MemoryContextAlloc(cxt, Max(len, 1));

		memcpy(copy, bytes, len);
		e->key.p = copy;
		e->key.len = len;
		if (st->nids == st->idcap)
		{
			if (st->idcap > (int64) (MaxAllocHugeSize / sizeof(IdKey)) / 2)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("too many users for retention_summary")));
			st->idcap *= 2;
			st->byord = (IdKey *) repalloc_huge(st->byord, st->idcap * sizeof(IdKey));
		}
		e->ord = st->nids;
		st->byord[st->nids++] = e->key;
	}
	return e->ord;
}

static void
sum_table_alloc(JyRetTable *t, size_t cap, int32 periods, MemoryContext cxt)
{
	size_t		sw = JY_RET_SLOT_WORDS((periods + 1 + 63) / 64);

	if (cap > (SIZE_MAX / sizeof(int64)) / sw)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many users for retention_summary")));
	jy_ret_table_init(t, (int64_t *) MemoryContextAllocHuge(cxt, cap * sw * sizeof(int64)), cap, periods);
}

/* a table size that holds n users without growing (load factor 3/4) */
static size_t
table_cap(size_t n)
{
	size_t		cap = 1024;

	while (cap * 3 < n * 4 + 4)
		cap *= 2;
	return cap;
}

static SumState *
sum_new(const RetParams *p, uint8 idkind, size_t cap, MemoryContext cxt)
{
	SumState   *st = (SumState *) MemoryContextAllocZero(cxt, sizeof(SumState));

	st->p = *p;
	st->idkind = idkind;
	if (idkind != SUM_ID_BIGINT)
		sum_ids_init(st, cxt);
	st->max_key = PG_INT64_MIN;
	sum_table_alloc(&st->t, cap, p->periods, cxt);
	return st;
}

/* make room for one more user */
static void
sum_reserve(SumState *st, MemoryContext cxt)
{
	JyRetTable	nt;

	if (!jy_ret_table_full(&st->t))
		return;
	sum_table_alloc(&nt, st->t.cap * 2, st->p.periods, cxt);
	jy_ret_table_rehash(&st->t, &nt);
	pfree(st->t.slots);
	st->t = nt;
	st->last_slot = NULL;
}

static Datum
retention_summary_trans_common(FunctionCallInfo fcinfo, uint8 idkind, bool naive)
{
	MemoryContext aggcxt = jy_agg_context(fcinfo, "retention_summary_trans");
	SumState   *st;
	RetCall    *call;
	int64		user,
				key;
	TimestampTz ts;

	call = row_params(fcinfo, 3);
	if (PG_ARGISNULL(0))
	{
		if (JY_CR_PER_USER(call->p.unit))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("retention_summary supports calendar periods only"),
					 errhint("For rolling windows and elapsed months use rollup(cohort_retention(ts, period, periods, tz)) over a GROUP BY user.")));
		st = sum_new(&call->p, idkind, 1024, aggcxt);
	}
	else
	{
		st = (SumState *) PG_GETARG_POINTER(0);
		if (!params_equal(&st->p, &call->p) || st->idkind != idkind)
			jy_arg_differs("retention settings", "group", NULL);
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	if (idkind == SUM_ID_BIGINT)
		user = PG_GETARG_INT64(1);
	else if (idkind == SUM_ID_UUID)
		user = sum_intern(st, (const char *) PG_GETARG_UUID_P(1)->data, UUID_LEN, aggcxt);
	else
	{
		text	   *t = PG_GETARG_TEXT_PP(1);

		if (VARSIZE_ANY_EXHDR(t) > SUM_MAX_ID_LEN)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("user id too long for retention_summary"),
					 errdetail("A text user id may have at most %d bytes.", SUM_MAX_ID_LEN)));
		user = sum_intern(st, VARDATA_ANY(t), (uint32) VARSIZE_ANY_EXHDR(t), aggcxt);
	}
	ts = naive ? naive_in_tz(PG_GETARG_TIMESTAMP(2), st->p.tz) : PG_GETARG_TIMESTAMPTZ(2);
	key = period_of(call, st->p.unit, st->p.tz, ts);
	if (key > st->max_key)
		st->max_key = key;
	if (st->last_slot != NULL && st->last_user == user)
		jy_ret_slot_add(st->last_slot, key, st->t.periods, st->t.words);
	else
	{
		sum_reserve(st, aggcxt);
		st->last_slot = jy_ret_table_add(&st->t, user, key);
		st->last_user = user;
	}
	PG_RETURN_POINTER(st);
}

JY_FMGR_VARIANT(jy_retention_summary_trans, retention_summary_trans_common, SUM_ID_BIGINT, false);

PG_FUNCTION_INFO_V1(jy_retention_summary_naive_trans);
PG_FUNCTION_INFO_V1(jy_retention_summary_text_trans);
PG_FUNCTION_INFO_V1(jy_retention_summary_text_naive_trans);
PG_FUNCTION_INFO_V1(jy_retention_summary_uuid_trans);
PG_FUNCTION_INFO_V1(jy_retention_summary_uuid_naive_trans);

JY_FMGR_VARIANT(jy_retention_summary_naive_trans, retention_summary_trans_common, SUM_ID_BIGINT, true);

JY_FMGR_VARIANT(jy_retention_summary_text_trans, retention_summary_trans_common, SUM_ID_TEXT, false);

JY_FMGR_VARIANT(jy_retention_summary_text_naive_trans, retention_summary_trans_common, SUM_ID_TEXT, true);

JY_FMGR_VARIANT(jy_retention_summary_uuid_trans, retention_summary_trans_common, SUM_ID_UUID, false);

JY_FMGR_VARIANT(jy_retention_summary_uuid_naive_trans, retention_summary_trans_common, SUM_ID_UUID, true);

Datum
jy_retention_summary_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = jy_agg_context(fcinfo, "retention_summary_combine");
	SumState   *a,
			   *b;
	size_t		sw,
				i;
	int64	   *tmp = NULL;

	JY_COMBINE_ARGS(SumState, a, b);
	if (a == NULL)
		a = sum_new(&b->p, b->idkind, table_cap(b->t.n), aggcxt);
	else if (!params_equal(&a->p, &b->p) || a->idkind != b->idkind)
		jy_arg_differs("retention settings", "group", NULL);
	a->max_key = Max(a->max_key, b->max_key);
	a->last_slot = NULL;
	sw = JY_RET_SLOT_WORDS(b->t.words);
	for (i = 0; i < b->t.cap; i++)
	{
		const int64 *s = b->t.slots + i * sw;

		if (s[1] == JY_RET_EMPTY)
			continue;
		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		sum_reserve(a, aggcxt);
		if (b->idkind != SUM_ID_BIGINT)
		{
			/* b's ordinal -> the id -> a's ordinal */
			const IdKey *id = &b->byord[s[0]];

			if (tmp == NULL)
				tmp = (int64 *) palloc(sw * sizeof(int64));
			memcpy(tmp, s, sw * sizeof(int64));
			tmp[0] = sum_intern(a, id->p, id->len, aggcxt);
			s = tmp;
		}
		jy_ret_table_merge_slot(&a->t, s);
	}
	if (tmp)
		pfree(tmp);
	PG_RETURN_POINTER(a);
}

/*
 * Serialized state: the settings (params_send), idkind (1 byte), max_key, n
 * (8 each), the n occupied slots; then for text / uuid ids: nids (8) and nids
 * x (len (4), bytes[len]), by ordinal.  Native order (states only travel
 * between processes of one server).
 */
Datum
jy_retention_summary_serial(PG_FUNCTION_ARGS)
{
	SumState   *st = (SumState *) PG_GETARG_POINTER(0);
	size_t		sw = JY_RET_SLOT_WORDS(st->t.words),
				i;
	Size		sz = params_wire_size(&st->p) + 17 + st->t.n * sw * sizeof(int64);
	StringInfoData buf;
	int64		o;

	if (st->idkind != SUM_ID_BIGINT)
	{
		sz += 8;
		for (o = 0; o < st->nids && sz <= MaxAllocSize; o++)
			sz += 4 + st->byord[o].len;
	}
	jy_serial_begin(&buf, sz, "retention_summary aggregate state");
	params_send(&buf, &st->p);
	pq_sendbyte(&buf, st->idkind);
	pq_sendint64(&buf, st->max_key);
	pq_sendint64(&buf, (int64) st->t.n);
	for (i = 0; i < st->t.cap; i++)
	{
		const int64 *s = st->t.slots + i * sw;

		if (s[1] != JY_RET_EMPTY)
			pq_sendbytes(&buf, (const char *) s, sw * sizeof(int64));
	}
	if (st->idkind != SUM_ID_BIGINT)
	{
		pq_sendint64(&buf, st->nids);
		for (o = 0; o < st->nids; o++)
		{
			pq_sendint32(&buf, st->byord[o].len);
			pq_sendbytes(&buf, st->byord[o].p, st->byord[o].len);
		}
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* the state in the per-row context: combine copies it into the aggregate's */
Datum
jy_retention_summary_deserial(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	SumState   *st;
	RetParams	rp;
	int64		n,
				max_key;
	size_t		sw,
				i;
	uint8		idkind;
	const char *slots;

	jy_deserial_begin(fcinfo, &buf, "retention_summary_deserial");
	params_recv(&buf, &rp, "retention_summary aggregate state");
	idkind = (uint8) pq_getmsgbyte(&buf);
	max_key = pq_getmsgint64(&buf);
	n = pq_getmsgint64(&buf);
	if (rp.periods < 0 || rp.periods > JY_RET_MAX_PERIODS ||
		n < 0 || idkind > SUM_ID_UUID || rp.unit < JY_RET_DAY || rp.unit > JY_RET_MONTH)
		elog(ERROR, "corrupt retention_summary aggregate state");
	sw = JY_RET_SLOT_WORDS((rp.periods + 1 + 63) / 64);
	if ((Size) n > (Size) (buf.len - buf.cursor) / (sw * sizeof(int64)))
		elog(ERROR, "corrupt retention_summary aggregate state");
	st = sum_new(&rp, idkind, table_cap((size_t) n), CurrentMemoryContext);
	st->max_key = max_key;
	slots = pq_getmsgbytes(&buf, (int) (n * sw * sizeof(int64)));
	if (idkind != SUM_ID_BIGINT)
	{
		/* the dictionary, interned in ordinal order so ordinals are kept */
		int64		nids = pq_getmsgint64(&buf),
					o;

		if (nids < 0 || nids > (buf.len - buf.cursor) / 4)
			elog(ERROR, "corrupt retention_summary aggregate state");
		for (o = 0; o < nids; o++)
		{
			uint32		l;

			if ((o & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
			l = pq_getmsgint(&buf, 4);
			if (l > SUM_MAX_ID_LEN || l > (uint32) (buf.len - buf.cursor) ||
				(idkind == SUM_ID_UUID && l != UUID_LEN) ||
				sum_intern(st, pq_getmsgbytes(&buf, (int) l), l, CurrentMemoryContext) != o)
				elog(ERROR, "corrupt retention_summary aggregate state");
		}
	}
	jy_deserial_end(&buf);
	for (i = 0; i < (size_t) n; i++)
	{
		int64		slot[JY_RET_SLOT_WORDS(JY_RET_BITWORDS)];

		if ((i & 0xffff) == 0)
			CHECK_FOR_INTERRUPTS();
		memcpy(slot, slots + i * sw * sizeof(int64), sw * sizeof(int64));
		if (slot[1] == JY_RET_EMPTY || (idkind != SUM_ID_BIGINT && (slot[0] < 0 || slot[0] >= st->nids)))
			elog(ERROR, "corrupt retention_summary aggregate state");
		jy_ret_table_merge_slot(&st->t, slot);
	}
	PG_RETURN_POINTER(st);
}

Datum
jy_retention_summary_final(PG_FUNCTION_ARGS)
{
	SumState   *st;
	size_t		nc;
	int64	   *bases,
			   *scratch;
	CohortRetention *r;
	const char *tzname;

	st = jy_agg_final_state(fcinfo, "retention_summary final function");
	if (st == NULL || st->t.n == 0)
		PG_RETURN_NULL();
	/* distinct cohorts */
	bases = (int64 *) palloc_extended(st->t.n * sizeof(int64), MCXT_ALLOC_HUGE);
	scratch = (int64 *) palloc_extended(st->t.n * sizeof(int64), MCXT_ALLOC_HUGE);
	nc = jy_cr_table_bases(&st->t, bases, scratch, jy_tick, NULL);
	pfree(scratch);
	if (nc > UINT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many cohorts for retention_summary")));
	tzname = pg_get_timezone_name(st->p.tz);
	r = cr_alloc(st->p.unit, JY_CR_FIRST_TIME, st->p.periods, 0, tzname, (uint16) strlen(tzname),
				 st->max_key, (uint32) nc);
	jy_cr_fill_from_table(r, &st->t, bases, nc, jy_tick, NULL);
	pfree(bases);
	PG_RETURN_POINTER(r);
}
