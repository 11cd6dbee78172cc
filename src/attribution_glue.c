/*
 * attribution_glue.c — multi-touch attribution (engine: src/engine/attribution.c):
 *
 *   journey_conversion_paths(ts, channel, conversion, revenue, lookback [, reuse])
 *       aggregate (per user): journey_conversion_path[]
 *   journey_attribution_credit(channels, touch_ts, conversion_ts, model, half_life,
 *       position_weights, direct_channels)  SETOF (touch, channel, credit)
 *   journey_markov_chain type: transition counts of an order-k chain (expanded
 *       object inside aggregates, canonical flat form outside)
 *   journey_markov_chain(channels text[], converted, revenue [, order]) and
 *   journey_markov_attribution(...): aggregates over all paths (state
 *       journey_markov_chain, combinable); rollup(journey_markov_chain)
 *   journey_markov_credits(chain): journey_channel_credit[] (exact solve)
 *   journey_markov_credit(channels, converted, credits): per-conversion rows
 */
#include "journey.h"

#include <math.h>

#include "access/htup_details.h"
#include "common/int.h"
#include "executor/executor.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#include "attribution.h"

PG_FUNCTION_INFO_V1(jy_conversion_paths_trans);
PG_FUNCTION_INFO_V1(jy_conversion_paths_final);
PG_FUNCTION_INFO_V1(jy_attribution_credit);
PG_FUNCTION_INFO_V1(jy_markov_chain_trans);
PG_FUNCTION_INFO_V1(jy_markov_chain_merge);
PG_FUNCTION_INFO_V1(jy_markov_chain_in);
PG_FUNCTION_INFO_V1(jy_markov_chain_out);
PG_FUNCTION_INFO_V1(jy_markov_chain_send);
PG_FUNCTION_INFO_V1(jy_markov_chain_recv);
PG_FUNCTION_INFO_V1(jy_markov_credits);
PG_FUNCTION_INFO_V1(jy_markov_credit);

#define DIRECT_NONE "direct/none"
#define MAX_EVENTS (MaxAllocHugeSize / sizeof(JyAttrEvent) / 2)
#define MAX_CHANNEL_LEN 1024

static MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *name)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", name)));
	return cxt;
}

static void
tick(void *arg)
{
	(void) arg;
	CHECK_FOR_INTERRUPTS();
}

/* ======== journey_conversion_paths ==================================== */

typedef struct PathState
{
	MemoryContext cxt;
	JyAttrEvent *ev;
	size_t		n,
				cap;
	char	   *chunk;			/* channel bytes: current arena chunk */
	size_t		chunkused,
				chunkcap;
	int64		lookback;
	bool		reuse;
} PathState;

static const char *
copy_bytes(PathState *st, const char *p, size_t n)
{
	char	   *d;

	if (n > 4096)
		d = MemoryContextAlloc(st->cxt, n + 1);
	else
	{
		if (st->chunk == NULL || st->chunkused + n > st->chunkcap)
		{
			st->chunkcap = 65536;
			st->chunk = MemoryContextAlloc(st->cxt, st->chunkcap);
			st->chunkused = 0;
		}
		d = st->chunk + st->chunkused;
		st->chunkused += n;
	}
	memcpy(d, p, n);
	return d;
}

Datum
jy_conversion_paths_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "journey_conversion_paths");
	PathState  *st = PG_ARGISNULL(0) ? NULL : (PathState *) PG_GETARG_POINTER(0);
	int64		lookback;
	bool		reuse = false;
	JyAttrEvent *e;

	lookback = jy_positive_interval_arg(fcinfo, 5, "lookback");
	if (PG_NARGS() > 6)
	{
		if (PG_ARGISNULL(6))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("reuse must not be NULL")));
		reuse = PG_GETARG_BOOL(6);
	}
	if (st == NULL)
	{
		st = (PathState *) MemoryContextAllocZero(cxt, sizeof(PathState));
		st->cxt = cxt;
		st->lookback = lookback;
		st->reuse = reuse;
	}
	else if (st->lookback != lookback || st->reuse != reuse)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lookback and reuse must be the same for every row of a group")));
	/* a row without a time is no event (like NULL in other aggregates) */
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	if (TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(1)))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("event times must be finite")));
	/* neither a touchpoint nor a conversion: nothing to keep */
	if (PG_ARGISNULL(2) && (PG_ARGISNULL(3) || !PG_GETARG_BOOL(3)))
		PG_RETURN_POINTER(st);
	if (st->n >= st->cap)
	{
		size_t		cap = st->cap ? st->cap * 2 : 64;

		if (st->n >= MAX_EVENTS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many touchpoints and conversions in one group"),
					 errdetail("At most %zu are supported.", (size_t) MAX_EVENTS)));
		st->ev = st->ev ? repalloc_huge(st->ev, cap * sizeof(JyAttrEvent))
			: MemoryContextAllocExtended(cxt, cap * sizeof(JyAttrEvent), MCXT_ALLOC_HUGE);
		st->cap = cap;
	}
	e = &st->ev[st->n];
	memset(e, 0, sizeof(*e));
	e->ts = PG_GETARG_TIMESTAMPTZ(1);
	if (!PG_ARGISNULL(2))
	{
		text	   *t = PG_GETARG_TEXT_PP(2);
		size_t		len = VARSIZE_ANY_EXHDR(t);

		if (len > MAX_CHANNEL_LEN)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("channel name is too long"),
					 errdetail("Channel names are at most %d bytes.", MAX_CHANNEL_LEN)));
		e->channel = copy_bytes(st, VARDATA_ANY(t), len);
		e->chlen = (uint32) len;
	}
	e->conversion = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	if (e->conversion && !PG_ARGISNULL(4))
	{
		double		r = PG_GETARG_FLOAT8(4);

		if (isnan(r) || isinf(r))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("revenue must be a finite number")));
		e->revenue = r;
		e->has_revenue = true;
	}
	st->n++;
	if ((st->n & 0xffff) == 0)
		CHECK_FOR_INTERRUPTS();
	PG_RETURN_POINTER(st);
}

typedef struct PathOut
{
	const PathState *st;
	TupleDesc	td;
	Oid			elemtype;
	Datum	   *rows;
	size_t		nrows,
				caprows;
	int32		nconv;
} PathOut;

static void
emit_path(void *arg, long conv, const size_t *touches, size_t ntouch)
{
	PathOut    *o = (PathOut *) arg;
	const JyAttrEvent *ev = o->st->ev;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	Datum	   *ch = palloc(sizeof(Datum) * (ntouch + 1)),
			   *ts = palloc(sizeof(Datum) * (ntouch + 1));
	size_t		i;

	for (i = 0; i < ntouch; i++)
	{
		ch[i] = PointerGetDatum(cstring_to_text_with_len(ev[touches[i]].channel, ev[touches[i]].chlen));
		ts[i] = TimestampTzGetDatum(ev[touches[i]].ts);
	}
	if (conv >= 0)
	{
		values[0] = Int32GetDatum(++o->nconv);
		values[1] = BoolGetDatum(true);
		values[2] = TimestampTzGetDatum(ev[conv].ts);
		values[3] = Float8GetDatum(ev[conv].revenue);
		nulls[3] = !ev[conv].has_revenue;
	}
	else
	{
		nulls[0] = nulls[2] = nulls[3] = true;
		values[1] = BoolGetDatum(false);
	}
	values[4] = PointerGetDatum(construct_array(ch, (int) ntouch, TEXTOID, -1, false, TYPALIGN_INT));
	values[5] = PointerGetDatum(construct_array(ts, (int) ntouch, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	if (o->nrows >= o->caprows)
	{
		o->caprows = o->caprows ? o->caprows * 2 : 16;
		o->rows = o->rows ? repalloc_huge(o->rows, o->caprows * sizeof(Datum))
			: palloc(o->caprows * sizeof(Datum));
	}
	o->rows[o->nrows++] = HeapTupleGetDatum(heap_form_tuple(o->td, values, nulls));
	if ((o->nrows & 0x3ff) == 0)
		CHECK_FOR_INTERRUPTS();
}

/* element composite type of the function's array result */
static TupleDesc
result_element_desc(FunctionCallInfo fcinfo, Oid *elemtype)
{
	Oid			rettype = get_fn_expr_rettype(fcinfo->flinfo);
	TupleDesc	td;

	*elemtype = get_element_type(rettype);
	if (!OidIsValid(*elemtype))
		elog(ERROR, "function result is not an array");
	td = lookup_rowtype_tupdesc_copy(*elemtype, -1);
	return BlessTupleDesc(td);
}

Datum
jy_conversion_paths_final(PG_FUNCTION_ARGS)
{
	PathState  *st;
	PathOut		o;
	size_t	   *idx;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	agg_context(fcinfo, "journey_conversion_paths");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (PathState *) PG_GETARG_POINTER(0);
	if (st->n == 0)
		PG_RETURN_NULL();
	{
		JyAttrEvent *tmp = palloc_extended(st->n * sizeof(JyAttrEvent), MCXT_ALLOC_HUGE);

		jy_attr_sort_events(st->ev, st->n, tmp, tick, NULL);
		pfree(tmp);
	}
	CHECK_FOR_INTERRUPTS();
	memset(&o, 0, sizeof(o));
	o.st = st;
	o.td = result_element_desc(fcinfo, &o.elemtype);
	idx = palloc_extended(st->n * sizeof(size_t), MCXT_ALLOC_HUGE);
	jy_attr_paths(st->ev, st->n, st->lookback, st->reuse, idx, emit_path, &o);
	if (o.nrows == 0)
		PG_RETURN_NULL();
	get_typlenbyvalalign(o.elemtype, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(o.rows, (int) o.nrows, o.elemtype, typlen, typbyval, typalign));
}

/* ======== journey_attribution_credit =================================== */

static Datum *
text_array_elems(ArrayType *a, const char *name, int *n, bool nulls_ok, bool **nulls_out)
{
	Datum	   *d;
	bool	   *nulls;
	int			i;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", name)));
	deconstruct_array(a, ARR_ELEMTYPE(a), ARR_ELEMTYPE(a) == TEXTOID ? -1 : 8,
					  ARR_ELEMTYPE(a) == TEXTOID ? false : FLOAT8PASSBYVAL,
					  ARR_ELEMTYPE(a) == TEXTOID ? TYPALIGN_INT : TYPALIGN_DOUBLE, &d, &nulls, n);
	if (!nulls_ok)
		for (i = 0; i < *n; i++)
			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("%s must not contain NULL", name)));
	if (nulls_out)
		*nulls_out = nulls;
	return d;
}

Datum
jy_attribution_credit(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *ch,
			   *tsd = NULL,
			   *dir = NULL;
	int			n,
				nts = 0,
				ndir = 0,
				model,
				i,
				j;
	int64	   *ts;
	bool	   *direct;
	double	   *credit;
	double		weights[3] = {0.4, 0.2, 0.4};
	int64		half_life = 7 * USECS_PER_DAY;
	text	   *mt;

	/* model first: every call needs it */
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model must not be NULL")));
	mt = PG_GETARG_TEXT_PP(3);
	model = jy_attr_model(VARDATA_ANY(mt), VARSIZE_ANY_EXHDR(mt));
	if (model < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown attribution model \"%s\"", text_to_cstring(mt)),
				 errhint("Use first, last, last_non_direct, linear, time_decay or position.")));
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("channels must not be NULL"),
				 errhint("Use an empty array for a conversion without touchpoints.")));
	ch = text_array_elems(PG_GETARG_ARRAYTYPE_P(0), "channels", &n, false, NULL);
	if (!PG_ARGISNULL(1))
	{
		tsd = text_array_elems(PG_GETARG_ARRAYTYPE_P(1), "touch_ts", &nts, false, NULL);
		if (nts != n)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("channels and touch_ts must have the same length"),
					 errdetail("channels has %d elements, touch_ts has %d.", n, nts)));
	}
	else if (model == JY_ATTR_TIME_DECAY && n > 0)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("touch_ts must not be NULL for the time_decay model")));
	if (!PG_ARGISNULL(4))
		half_life = jy_positive_interval_arg(fcinfo, 4, "half_life");
	else if (model == JY_ATTR_TIME_DECAY)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("half_life must not be NULL for the time_decay model")));
	if (!PG_ARGISNULL(5))
	{
		int			nw;
		Datum	   *w = text_array_elems(PG_GETARG_ARRAYTYPE_P(5), "position_weights", &nw, false, NULL);
		double		sum = 0;

		if (nw != 3)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("position_weights must have 3 elements (first, middle, last)"),
					 errdetail("It has %d.", nw)));
		for (i = 0; i < 3; i++)
		{
			weights[i] = DatumGetFloat8(w[i]);
			if (isnan(weights[i]) || isinf(weights[i]) || weights[i] < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("position_weights must be finite and non-negative")));
			sum += weights[i];
		}
		if (!(sum > 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("position_weights must not all be zero")));
	}
	else if (model == JY_ATTR_POSITION)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("position_weights must not be NULL for the position model")));
	if (!PG_ARGISNULL(6))
		dir = text_array_elems(PG_GETARG_ARRAYTYPE_P(6), "direct_channels", &ndir, false, NULL);

	InitMaterializedSRF(fcinfo, 0);
	/* a non-converting path earns no credit */
	if (PG_ARGISNULL(2))
		return (Datum) 0;
	if (n == 0)
	{
		Datum		values[3];
		bool		nulls[3] = {true, false, false};

		values[1] = CStringGetTextDatum(DIRECT_NONE);
		values[2] = Float8GetDatum(1.0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		return (Datum) 0;
	}
	ts = palloc0(sizeof(int64) * n);
	direct = palloc0(sizeof(bool) * n);
	credit = palloc(sizeof(double) * n);
	for (i = 0; i < n; i++)
	{
		if (tsd)
			ts[i] = DatumGetTimestampTz(tsd[i]);
		if (tsd && TIMESTAMP_NOT_FINITE(ts[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("touch_ts must be finite")));
		for (j = 0; j < ndir; j++)
			if (VARSIZE_ANY_EXHDR(DatumGetTextPP(dir[j])) == VARSIZE_ANY_EXHDR(DatumGetTextPP(ch[i])) &&
				memcmp(VARDATA_ANY(DatumGetTextPP(dir[j])), VARDATA_ANY(DatumGetTextPP(ch[i])),
					   VARSIZE_ANY_EXHDR(DatumGetTextPP(ch[i]))) == 0)
				direct[i] = true;
	}
	jy_attr_credit((JyAttrModel) model, (size_t) n, ts, direct, PG_GETARG_TIMESTAMPTZ(2), half_life, weights, credit);
	for (i = 0; i < n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		values[0] = Int32GetDatum(i + 1);
		values[1] = ch[i];
		values[2] = Float8GetDatum(credit[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ======== journey_markov_chain: the chain's transition counts ============ */

/*
 * Flat form (canonical: channels in byte order, numbered 1..n in that order;
 * grams strictly increasing, counts positive), then int64 cnt[ngrams], int32
 * sym[ngrams * (order + 1)], and per channel (uint32 length, bytes).  While
 * an aggregate runs, the state is an expanded object (MkChain) with hash
 * tables, flattened only when it leaves the aggregate.
 */
#define MK_VERSION 1
#define MK_MAX_BYTES ((Size) MaxAllocSize - 1024)

typedef struct MkFlat
{
	int32		vl_len_;
	uint8		version;
	uint8		order;
	uint16		reserved;
	int32		nchannels;
	int32		reserved2;
	int64		ngrams;
	int64		paths;
	int64		conversions;
	double		revenue;
} MkFlat;

#define MK_CNT(f) ((int64 *) ((char *) (f) + sizeof(MkFlat)))
#define MK_SYM(f) ((int32 *) (MK_CNT(f) + (f)->ngrams))
#define MK_NAMES(f) ((char *) (MK_SYM(f) + (f)->ngrams * ((f)->order + 1)))

typedef struct MkChain
{
	ExpandedObjectHeader hdr;
	int			order;
	int			nch;
	char	  **names;			/* 1-based, insertion order; capch entries */
	uint32	   *lens;
	int			capch;
	int16	   *nhash;			/* channel number, 0 = empty; nhcap slots, a power of 2 */
	int			nhcap;
	int64		namebytes;
	int32	   *gsym;			/* ngrams * (order + 1) */
	int64	   *gcnt;
	int64		ngrams,
				gcap;
	int32	   *ghash;			/* gram index + 1, 0 = empty; ghcap slots, a power of 2 */
	int64		ghcap;
	int64		paths,
				conversions;
	double		revenue;
	int32	   *buf;			/* one path's channels and grams */
	int64		bufcap;
} MkChain;

static Size mk_get_flat_size(ExpandedObjectHeader *eohptr);
static void mk_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods mk_methods = {mk_get_flat_size, mk_flatten_into};

static uint32
name_hash(const char *p, size_t n)
{
	uint32		h = 2166136261u;
	size_t		i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char) p[i]) * 16777619u;
	return h;
}

static void
mk_bad_order(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("order must be between 1 and %d", JY_MK_MAX_ORDER),
			 errdetail("An order-k chain has one state per sequence of k channels; its cost grows with the number of states.")));
}

static MkChain *
mk_new(MemoryContext parent, int order)
{
	/* small: a chain per group of a GROUP BY (per user, per day) must stay cheap */
	MemoryContext cxt = AllocSetContextCreate(parent, "journey_markov_chain", ALLOCSET_SMALL_SIZES);
	MkChain    *m = (MkChain *) MemoryContextAllocZero(cxt, sizeof(MkChain));

	EOH_init_header(&m->hdr, &mk_methods, cxt);
	m->order = order;
	m->gcap = 8;
	m->gsym = MemoryContextAlloc(cxt, sizeof(int32) * m->gcap * (order + 1));
	m->gcnt = MemoryContextAlloc(cxt, sizeof(int64) * m->gcap);
	m->ghcap = 16;
	m->ghash = MemoryContextAllocZero(cxt, sizeof(int32) * m->ghcap);
	return m;
}

static Size
mk_flat_size(int order, int64 ngrams, int64 namebytes, int nch)
{
	return sizeof(MkFlat) + (Size) ngrams * (sizeof(int64) + sizeof(int32) * (order + 1))
		+ (Size) namebytes + (Size) nch * sizeof(uint32);
}

static void
mk_too_big(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("Markov chain is too large"),
			 errdetail("A journey_markov_chain value holds at most 1 GB of transition counts."),
			 errhint("Use a lower order or group rare channels into one.")));
}

static int
mk_channel(MkChain *m, const char *p, size_t n)
{
	uint32		h = name_hash(p, n),
				s;
	int			c;
	MemoryContext cxt = m->hdr.eoh_context;

	if (m->nhcap > 0)
	{
		s = h & (m->nhcap - 1);
		while ((c = m->nhash[s]) != 0)
		{
			if (m->lens[c] == n && memcmp(m->names[c], p, n) == 0)
				return c;
			s = (s + 1) & (m->nhcap - 1);
		}
	}
	if (m->nch >= JY_MK_MAX_CHANNELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct channels for the Markov model"),
				 errdetail("At most %d channels are supported (one exact solve per channel).",
						   JY_MK_MAX_CHANNELS),
				 errhint("Group rare channels into one, e.g. with a CASE expression.")));
	c = ++m->nch;
	if (c >= m->capch)
	{
		int			cap = m->capch ? m->capch * 2 : 4;

		m->names = m->names ? repalloc(m->names, sizeof(char *) * cap) : MemoryContextAlloc(cxt, sizeof(char *) * cap);
		m->lens = m->lens ? repalloc(m->lens, sizeof(uint32) * cap) : MemoryContextAlloc(cxt, sizeof(uint32) * cap);
		m->capch = cap;
	}
	m->names[c] = MemoryContextAlloc(cxt, n + 1);
	memcpy(m->names[c], p, n);
	m->lens[c] = (uint32) n;
	m->namebytes += (int64) n;
	if (2 * c >= m->nhcap)
	{
		/* grow and rehash: at most half full */
		int			cap = m->nhcap ? m->nhcap * 2 : 8,
					k;

		if (m->nhash)
			pfree(m->nhash);
		m->nhash = MemoryContextAllocZero(cxt, sizeof(int16) * cap);
		m->nhcap = cap;
		for (k = 1; k <= c; k++)
		{
			s = name_hash(m->names[k], m->lens[k]) & (cap - 1);
			while (m->nhash[s] != 0)
				s = (s + 1) & (cap - 1);
			m->nhash[s] = (int16) k;
		}
	}
	else
	{
		s = h & (m->nhcap - 1);
		while (m->nhash[s] != 0)
			s = (s + 1) & (m->nhcap - 1);
		m->nhash[s] = (int16) c;
	}
	return c;
}

static uint32
gram_hash(const int32 *g, int w)
{
	uint32		h = 2166136261u;
	int			j;

	for (j = 0; j < w; j++)
		h = (h ^ (uint32) g[j]) * 16777619u;
	return h ^ (h >> 15);
}

static void
mk_add_gram(MkChain *m, const int32 *g, int64 count)
{
	int			w = m->order + 1;
	int64		s = gram_hash(g, w) & (m->ghcap - 1),
				i;
	MemoryContext cxt = m->hdr.eoh_context;

	while (m->ghash[s] != 0)
	{
		i = m->ghash[s] - 1;
		if (memcmp(m->gsym + i * w, g, sizeof(int32) * w) == 0)
		{
			if (pg_add_s64_overflow(m->gcnt[i], count, &m->gcnt[i]))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("Markov transition count out of range")));
			return;
		}
		s = (s + 1) & (m->ghcap - 1);
	}
	if (m->ngrams >= m->gcap)
	{
		int64		cap = m->gcap * 2;

		/* the flat form must stay under 1 GB: (8 + 4 (order + 1)) bytes per transition */
		if (m->ngrams >= (int64) (MK_MAX_BYTES / (sizeof(int64) + sizeof(int32) * w)))
			mk_too_big();
		m->gsym = repalloc_huge(m->gsym, sizeof(int32) * cap * w);
		m->gcnt = repalloc_huge(m->gcnt, sizeof(int64) * cap);
		m->gcap = cap;
	}
	i = m->ngrams++;
	memcpy(m->gsym + i * w, g, sizeof(int32) * w);
	m->gcnt[i] = count;
	m->ghash[s] = (int32) (i + 1);
	if (m->ngrams * 2 > m->ghcap)
	{
		int64		cap = m->ghcap * 2,
					k;

		pfree(m->ghash);
		m->ghash = MemoryContextAllocExtended(cxt, sizeof(int32) * cap, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		m->ghcap = cap;
		for (k = 0; k < m->ngrams; k++)
		{
			s = gram_hash(m->gsym + k * w, w) & (cap - 1);
			while (m->ghash[s] != 0)
				s = (s + 1) & (cap - 1);
			m->ghash[s] = (int32) (k + 1);
		}
	}
}

static void
mk_add_totals(MkChain *m, int64 paths, int64 conversions, double revenue)
{
	if (pg_add_s64_overflow(m->paths, paths, &m->paths) ||
		pg_add_s64_overflow(m->conversions, conversions, &m->conversions))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("Markov path count out of range")));
	m->revenue += revenue;
	if (isinf(m->revenue))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("Markov revenue total out of range")));
}

/* add the flat chain f into m (channels mapped by name) */
static void
mk_add_flat(MkChain *m, const MkFlat *f)
{
	int			w = f->order + 1,
				c,
				j;
	int32	   *map = palloc(sizeof(int32) * (f->nchannels + 1)),
			   *g = palloc(sizeof(int32) * w);
	const char *p = MK_NAMES(f);
	const int32 *sym = MK_SYM(f);
	const int64 *cnt = MK_CNT(f);
	int64		i;

	if (f->order != m->order)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge Markov chains of order %d and %d", m->order, f->order)));
	map[0] = 0;
	for (c = 1; c <= f->nchannels; c++)
	{
		uint32		len;

		memcpy(&len, p, sizeof(uint32));
		map[c] = mk_channel(m, p + sizeof(uint32), len);
		p += sizeof(uint32) + len;
	}
	for (i = 0; i < f->ngrams; i++)
	{
		for (j = 0; j < w; j++)
		{
			int32		s = sym[i * w + j];

			g[j] = s > 0 ? map[s] : s;
		}
		mk_add_gram(m, g, cnt[i]);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	mk_add_totals(m, f->paths, f->conversions, f->revenue);
	pfree(map);
	pfree(g);
}

static Size
mk_get_flat_size(ExpandedObjectHeader *eohptr)
{
	MkChain    *m = (MkChain *) eohptr;
	Size		sz = mk_flat_size(m->order, m->ngrams, m->namebytes, m->nch);

	if (sz > MK_MAX_BYTES)
		mk_too_big();
	return sz;
}

typedef struct MkSortCtx
{
	const MkChain *m;
	const int32 *rank;
} MkSortCtx;

static int
mk_name_cmp(const void *a, const void *b, void *arg)
{
	const MkChain *m = ((const MkSortCtx *) arg)->m;
	int			x = *(const int32 *) a,
				y = *(const int32 *) b;
	uint32		n = Min(m->lens[x], m->lens[y]);
	int			r = n ? memcmp(m->names[x], m->names[y], n) : 0;

	if (r != 0)
		return r;
	return m->lens[x] < m->lens[y] ? -1 : m->lens[x] > m->lens[y] ? 1 : 0;
}

static int
mk_gram_idx_cmp(const void *a, const void *b, void *arg)
{
	const MkSortCtx *sc = (const MkSortCtx *) arg;
	int			w = sc->m->order + 1,
				j;
	const int32 *x = sc->m->gsym + *(const int64 *) a * w,
			   *y = sc->m->gsym + *(const int64 *) b * w;

	for (j = 0; j < w; j++)
	{
		int32		u = x[j] > 0 ? sc->rank[x[j]] : x[j],
					v = y[j] > 0 ? sc->rank[y[j]] : y[j];

		if (u != v)
			return u < v ? -1 : 1;
	}
	return 0;
}

static void
mk_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	MkChain    *m = (MkChain *) eohptr;
	MkFlat	   *f = (MkFlat *) result;
	int			w = m->order + 1,
				c,
				j;
	int32	   *order = palloc(sizeof(int32) * (m->nch + 1)),
			   *rank = palloc(sizeof(int32) * (m->nch + 1));
	int64	   *gi = palloc_extended(sizeof(int64) * Max(m->ngrams, 1), MCXT_ALLOC_HUGE),
				i;
	MkSortCtx	sc;
	char	   *p;
	int32	   *sym;
	int64	   *cnt;

	Assert(allocated_size == mk_flat_size(m->order, m->ngrams, m->namebytes, m->nch));
	memset(f, 0, sizeof(MkFlat));
	SET_VARSIZE(f, allocated_size);
	f->version = MK_VERSION;
	f->order = (uint8) m->order;
	f->nchannels = m->nch;
	f->ngrams = m->ngrams;
	f->paths = m->paths;
	f->conversions = m->conversions;
	f->revenue = m->revenue;
	sc.m = m;
	sc.rank = rank;
	for (c = 0; c < m->nch; c++)
		order[c] = c + 1;
	qsort_arg(order, m->nch, sizeof(int32), mk_name_cmp, &sc);
	rank[0] = 0;
	for (c = 0; c < m->nch; c++)
		rank[order[c]] = c + 1;
	for (i = 0; i < m->ngrams; i++)
		gi[i] = i;
	qsort_arg(gi, m->ngrams, sizeof(int64), mk_gram_idx_cmp, &sc);
	cnt = MK_CNT(f);
	sym = MK_SYM(f);
	for (i = 0; i < m->ngrams; i++)
	{
		const int32 *g = m->gsym + gi[i] * w;

		cnt[i] = m->gcnt[gi[i]];
		for (j = 0; j < w; j++)
			sym[i * w + j] = g[j] > 0 ? rank[g[j]] : g[j];
	}
	p = MK_NAMES(f);
	for (c = 0; c < m->nch; c++)
	{
		uint32		len = m->lens[order[c]];

		memcpy(p, &len, sizeof(uint32));
		memcpy(p + sizeof(uint32), m->names[order[c]], len);
		p += sizeof(uint32) + len;
	}
	pfree(order);
	pfree(rank);
	pfree(gi);
}

/*
 * Check a flat chain of `size` bytes as the input functions must: version,
 * reserved zero, order, counts, canonical order, symbols in range.
 */
static void
mk_validate(const MkFlat *f, Size size, int code)
{
	const char *why = NULL;
	int			w,
				c,
				j;
	int64		i;
	Size		need;
	const char *p,
			   *prev = NULL;
	uint32		prevlen = 0;

	if (size < sizeof(MkFlat))
		why = "It is shorter than its header.";
	else if (f->version != MK_VERSION)
		why = psprintf("Unknown version %d.", (int) f->version);
	else if (f->reserved != 0 || f->reserved2 != 0)
		why = "Reserved fields are not zero.";
	else if (f->order < 1 || f->order > JY_MK_MAX_ORDER)
		why = psprintf("Order %d is out of range (1 to %d).", (int) f->order, JY_MK_MAX_ORDER);
	else if (f->nchannels < 0 || f->nchannels > JY_MK_MAX_CHANNELS)
		why = psprintf("%d channels (at most %d).", f->nchannels, JY_MK_MAX_CHANNELS);
	else if (f->ngrams < 0 || f->ngrams > (int64) (MK_MAX_BYTES / (sizeof(int64) + sizeof(int32) * (f->order + 1))))
		why = "The transition count is out of range.";
	else if (f->paths < 0 || f->conversions < 0 || f->conversions > f->paths)
		why = "Path and conversion counts must be non-negative, conversions at most paths.";
	else if (!isfinite(f->revenue))
		why = "Revenue must be finite.";
	if (why == NULL)
	{
		w = f->order + 1;
		need = sizeof(MkFlat) + (Size) f->ngrams * (sizeof(int64) + sizeof(int32) * w);
		if (need > size)
			why = "It is shorter than its transitions.";
		else
		{
			p = (const char *) f + need;
			for (c = 0; c < f->nchannels && why == NULL; c++)
			{
				uint32		len;

				if ((Size) (p - (const char *) f) + sizeof(uint32) > size)
				{
					why = "It is shorter than its channel names.";
					break;
				}
				memcpy(&len, p, sizeof(uint32));
				if (len > MAX_CHANNEL_LEN || (Size) (p - (const char *) f) + sizeof(uint32) + len > size)
					why = "A channel name is too long or cut off.";
				else if (memchr(p + sizeof(uint32), '\0', len) != NULL)
					why = "A channel name contains a zero byte.";
				else if (!pg_verifymbstr(p + sizeof(uint32), (int) len, true))
					why = "A channel name is not valid in the database encoding.";
				else if (prev != NULL)
				{
					int			r = memcmp(prev, p + sizeof(uint32), Min(prevlen, len));

					if (r > 0 || (r == 0 && prevlen >= len))
						why = "Channel names are not strictly increasing.";
				}
				prev = p + sizeof(uint32);
				prevlen = len;
				p += sizeof(uint32) + len;
			}
			if (why == NULL && (Size) (p - (const char *) f) != size)
				why = "It has trailing bytes.";
		}
	}
	if (why == NULL)
	{
		const int32 *sym = MK_SYM(f);
		const int64 *cnt = MK_CNT(f);

		for (i = 0; i < f->ngrams && why == NULL; i++)
		{
			const int32 *g = sym + i * w;
			bool		seen = false;

			if (cnt[i] <= 0)
				why = "Transition counts must be positive.";
			for (j = 0; j < w - 1 && why == NULL; j++)
			{
				if (g[j] < 0 || g[j] > f->nchannels || (seen && g[j] == 0))
					why = "A state symbol is out of range (start padding 0 only before the channels).";
				if (g[j] > 0)
					seen = true;
			}
			if (why == NULL && !(g[w - 1] == JY_MK_CONV || g[w - 1] == JY_MK_NULL ||
								 (g[w - 1] >= 1 && g[w - 1] <= f->nchannels)))
				why = "A next symbol is out of range (a channel, -1 conversion or -2 null).";
			if (why == NULL && i > 0 && jy_mk_gram_cmp(f->order, g - w, g) >= 0)
				why = "Transitions are not strictly increasing.";
		}
	}
	if (why != NULL)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid journey_markov_chain value"),
				 errdetail("%s", why)));
}

/* the chain of argument d as an expanded object we may modify, in context parent */
static MkChain *
mk_expand(Datum d, MemoryContext parent)
{
	MkFlat	   *f;
	MkChain    *m;

	if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)) &&
		DatumGetEOHP(d)->eoh_methods == &mk_methods)
		return (MkChain *) DatumGetEOHP(d);
	f = (MkFlat *) PG_DETOAST_DATUM(d);
	m = mk_new(parent, f->order);
	mk_add_flat(m, f);
	return m;
}

static int
order_arg(FunctionCallInfo fcinfo, int argno)
{
	int32		order;

	if (PG_NARGS() <= argno)
		return 1;
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("order must not be NULL")));
	order = PG_GETARG_INT32(argno);
	if (order < 1 || order > JY_MK_MAX_ORDER)
		mk_bad_order();
	return order;
}

/* transition: one path (channels, converted, revenue [, order]) */
Datum
jy_markov_chain_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "journey_markov_chain");
	int			order = order_arg(fcinfo, 4);
	MkChain    *m;
	Datum	   *d;
	int			n,
				i;
	double		revenue = 0;
	bool		converted;

	m = PG_ARGISNULL(0) ? mk_new(cxt, order) : mk_expand(PG_GETARG_DATUM(0), cxt);
	if (m->order != order)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order must be the same for every row of a group")));
	/* a row without a path or an outcome is no path */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_DATUM(EOHPGetRWDatum(&m->hdr));
	converted = PG_GETARG_BOOL(2);
	if (converted && !PG_ARGISNULL(3))
	{
		revenue = PG_GETARG_FLOAT8(3);
		if (isnan(revenue) || isinf(revenue))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("revenue must be a finite number")));
	}
	d = text_array_elems(PG_GETARG_ARRAYTYPE_P(1), "channels", &n, false, NULL);
	if (n == 0 && !converted)
		PG_RETURN_DATUM(EOHPGetRWDatum(&m->hdr));
	if ((int64) (Max(n, 1) + 1) * (order + 2) > m->bufcap)
	{
		int64		cap = Max((int64) (Max(n, 1) + 1) * (order + 2), 256);

		m->buf = m->buf ? repalloc_huge(m->buf, sizeof(int32) * cap)
			: MemoryContextAllocExtended(m->hdr.eoh_context, sizeof(int32) * cap, MCXT_ALLOC_HUGE);
		m->bufcap = cap;
	}
	if (n == 0)
	{
		/* a conversion without touchpoints: the direct/none channel */
		m->buf[0] = mk_channel(m, DIRECT_NONE, strlen(DIRECT_NONE));
		n = 1;
	}
	else
		for (i = 0; i < n; i++)
		{
			text	   *t = DatumGetTextPP(d[i]);

			if (VARSIZE_ANY_EXHDR(t) > MAX_CHANNEL_LEN)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("channel name is too long"),
						 errdetail("Channel names are at most %d bytes.", MAX_CHANNEL_LEN)));
			m->buf[i] = mk_channel(m, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
			if ((i & 0xffff) == 0xffff)
				CHECK_FOR_INTERRUPTS();
		}
	{
		int32	   *g = m->buf + n;
		int			w = order + 1;

		jy_mk_path_grams(order, m->buf, (size_t) n, converted, g);
		for (i = 0; i <= n; i++)
		{
			mk_add_gram(m, g + (size_t) i * w, 1);
			if ((i & 0xffff) == 0xffff)
				CHECK_FOR_INTERRUPTS();
		}
	}
	mk_add_totals(m, 1, converted ? 1 : 0, converted ? revenue : 0);
	PG_RETURN_DATUM(EOHPGetRWDatum(&m->hdr));
}

/* merge (rollup transition and combine function of every chain aggregate) */
Datum
jy_markov_chain_merge(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "journey_markov_chain_merge");
	MkChain    *m;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
	{
		MkFlat	   *f = (MkFlat *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));

		m = mk_new(cxt, f->order);
		mk_add_flat(m, f);
	}
	else
	{
		m = mk_expand(PG_GETARG_DATUM(0), cxt);
		mk_add_flat(m, (MkFlat *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1)));
	}
	PG_RETURN_DATUM(EOHPGetRWDatum(&m->hdr));
}

/* ---- text and binary I/O ---------------------------------------------- */

static void
put_json_string(StringInfo s, const char *p, uint32 n)
{
	uint32		i;

	appendStringInfoChar(s, '"');
	for (i = 0; i < n; i++)
	{
		unsigned char ch = (unsigned char) p[i];

		if (ch == '"' || ch == '\\')
		{
			appendStringInfoChar(s, '\\');
			appendStringInfoChar(s, (char) ch);
		}
		else if (ch < 0x20 || ch == 0x7f)
			appendStringInfo(s, "\\u%04x", ch);
		else
			appendStringInfoChar(s, (char) ch);
	}
	appendStringInfoChar(s, '"');
}

Datum
jy_markov_chain_out(PG_FUNCTION_ARGS)
{
	MkFlat	   *f = (MkFlat *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData s;
	const char *p = MK_NAMES(f);
	const int32 *sym = MK_SYM(f);
	const int64 *cnt = MK_CNT(f);
	int			w = f->order + 1,
				c,
				j;
	int64		i;

	initStringInfo(&s);
	appendStringInfo(&s, "{\"version\":%d,\"order\":%d,\"paths\":" INT64_FORMAT ",\"conversions\":" INT64_FORMAT
					 ",\"revenue\":%.17g,\"channels\":[", (int) f->version, (int) f->order, f->paths,
					 f->conversions, f->revenue);
	for (c = 0; c < f->nchannels; c++)
	{
		uint32		len;

		memcpy(&len, p, sizeof(uint32));
		if (c > 0)
			appendStringInfoChar(&s, ',');
		put_json_string(&s, p + sizeof(uint32), len);
		p += sizeof(uint32) + len;
	}
	appendStringInfoString(&s, "],\"transitions\":[");
	for (i = 0; i < f->ngrams; i++)
	{
		appendStringInfoString(&s, i > 0 ? ",[" : "[");
		for (j = 0; j < w; j++)
			appendStringInfo(&s, "%d,", sym[i * w + j]);
		appendStringInfo(&s, INT64_FORMAT "]", cnt[i]);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	appendStringInfoString(&s, "]}");
	PG_RETURN_CSTRING(s.data);
}

/* a JSON string as written by put_json_string (also \/ \b \f \n \r \t; \u below 0x80, not 0) */
static void
scan_json_string(JyTextScan *sc, StringInfo out)
{
	resetStringInfo(out);
	jy_scan_lit(sc, "\"");
	for (;;)
	{
		char		ch = *sc->p;

		if (ch == '\0')
			jy_scan_fail(sc, "'\"'");
		sc->p++;
		if (ch == '"')
			break;
		if (ch != '\\')
		{
			appendStringInfoChar(out, ch);
			continue;
		}
		ch = *sc->p;
		switch (ch)
		{
			case '"':
			case '\\':
			case '/':
				appendStringInfoChar(out, ch);
				break;
			case 'b':
				appendStringInfoChar(out, '\b');
				break;
			case 'f':
				appendStringInfoChar(out, '\f');
				break;
			case 'n':
				appendStringInfoChar(out, '\n');
				break;
			case 'r':
				appendStringInfoChar(out, '\r');
				break;
			case 't':
				appendStringInfoChar(out, '\t');
				break;
			case 'u':
				{
					int			v = 0,
								k;

					for (k = 1; k <= 4; k++)
					{
						char		h = sc->p[k];

						v <<= 4;
						if (h >= '0' && h <= '9')
							v |= h - '0';
						else if (h >= 'a' && h <= 'f')
							v |= h - 'a' + 10;
						else if (h >= 'A' && h <= 'F')
							v |= h - 'A' + 10;
						else
							jy_scan_fail(sc, "four hexadecimal digits");
					}
					if (v == 0 || v >= 0x80)
						jy_scan_fail(sc, "an escape \\u0001 to \\u007f");
					appendStringInfoChar(out, (char) v);
					sc->p += 4;
					break;
				}
			default:
				jy_scan_fail(sc, "an escape sequence");
		}
		sc->p++;
	}
}

Datum
jy_markov_chain_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	JyTextScan	sc;
	int			order,
				nch = 0,
				j;
	int64		paths,
				conversions,
				ngrams = 0,
				gcap = 16;
	double		revenue;
	StringInfoData names,
				one;
	int64	   *cnt;
	int32	   *sym;
	MkFlat	   *f;
	Size		sz;

	jy_scan_init(&sc, str, "journey_markov_chain");
	jy_scan_lit(&sc, "{");
	jy_scan_key(&sc, "version", false);
	if (jy_scan_int(&sc, 0, 255) != MK_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid journey_markov_chain value"),
				 errdetail("Unknown version.")));
	jy_scan_key(&sc, "order", true);
	order = (int) jy_scan_int(&sc, 1, JY_MK_MAX_ORDER);
	jy_scan_key(&sc, "paths", true);
	paths = jy_scan_int(&sc, 0, PG_INT64_MAX);
	jy_scan_key(&sc, "conversions", true);
	conversions = jy_scan_int(&sc, 0, PG_INT64_MAX);
	jy_scan_key(&sc, "revenue", true);
	revenue = jy_scan_double(&sc);
	jy_scan_key(&sc, "channels", true);
	jy_scan_lit(&sc, "[");
	initStringInfo(&names);
	initStringInfo(&one);
	if (!jy_scan_peek(&sc, ']'))
		for (;;)
		{
			uint32		len;

			scan_json_string(&sc, &one);
			if (++nch > JY_MK_MAX_CHANNELS)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid journey_markov_chain value"),
						 errdetail("More than %d channels.", JY_MK_MAX_CHANNELS)));
			len = (uint32) one.len;
			appendBinaryStringInfo(&names, (char *) &len, sizeof(uint32));
			appendBinaryStringInfo(&names, one.data, one.len);
			if (!jy_scan_peek(&sc, ','))
				break;
			jy_scan_lit(&sc, ",");
		}
	jy_scan_lit(&sc, "]");
	jy_scan_key(&sc, "transitions", true);
	jy_scan_lit(&sc, "[");
	cnt = palloc(sizeof(int64) * gcap);
	sym = palloc(sizeof(int32) * gcap * (order + 1));
	if (!jy_scan_peek(&sc, ']'))
		for (;;)
		{
			if (ngrams >= gcap)
			{
				if (gcap > (int64) (MK_MAX_BYTES / (sizeof(int64) + sizeof(int32) * (order + 1))))
					mk_too_big();
				gcap *= 2;
				cnt = repalloc_huge(cnt, sizeof(int64) * gcap);
				sym = repalloc_huge(sym, sizeof(int32) * gcap * (order + 1));
			}
			jy_scan_lit(&sc, "[");
			for (j = 0; j <= order; j++)
			{
				sym[ngrams * (order + 1) + j] = (int32) jy_scan_int(&sc, -2, JY_MK_MAX_CHANNELS);
				jy_scan_lit(&sc, ",");
			}
			cnt[ngrams] = jy_scan_int(&sc, 1, PG_INT64_MAX);
			jy_scan_lit(&sc, "]");
			ngrams++;
			if ((ngrams & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
			if (!jy_scan_peek(&sc, ','))
				break;
			jy_scan_lit(&sc, ",");
		}
	jy_scan_lit(&sc, "]");
	jy_scan_lit(&sc, "}");
	jy_scan_ws(&sc);
	if (*sc.p != '\0')
		jy_scan_fail(&sc, "end of input");
	sz = sizeof(MkFlat) + (Size) ngrams * (sizeof(int64) + sizeof(int32) * (order + 1)) + names.len;
	if (sz > MK_MAX_BYTES)
		mk_too_big();
	f = palloc_extended(sz, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	SET_VARSIZE(f, sz);
	f->version = MK_VERSION;
	f->order = (uint8) order;
	f->nchannels = nch;
	f->ngrams = ngrams;
	f->paths = paths;
	f->conversions = conversions;
	f->revenue = revenue;
	memcpy(MK_CNT(f), cnt, sizeof(int64) * ngrams);
	memcpy(MK_SYM(f), sym, sizeof(int32) * ngrams * (order + 1));
	memcpy(MK_NAMES(f), names.data, names.len);
	mk_validate(f, sz, ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_POINTER(f);
}

Datum
jy_markov_chain_send(PG_FUNCTION_ARGS)
{
	MkFlat	   *f = (MkFlat *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData buf;
	const char *p = MK_NAMES(f);
	const int32 *sym = MK_SYM(f);
	const int64 *cnt = MK_CNT(f);
	int			w = f->order + 1,
				c,
				j;
	int64		i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, f->version);
	pq_sendbyte(&buf, f->order);
	pq_sendint16(&buf, f->reserved);
	pq_sendint32(&buf, (uint32) f->nchannels);
	pq_sendint32(&buf, (uint32) f->reserved2);
	pq_sendint64(&buf, (uint64) f->ngrams);
	pq_sendint64(&buf, (uint64) f->paths);
	pq_sendint64(&buf, (uint64) f->conversions);
	pq_sendfloat8(&buf, f->revenue);
	for (c = 0; c < f->nchannels; c++)
	{
		uint32		len;

		memcpy(&len, p, sizeof(uint32));
		pq_sendint32(&buf, len);
		pq_sendbytes(&buf, p + sizeof(uint32), (int) len);
		p += sizeof(uint32) + len;
	}
	for (i = 0; i < f->ngrams; i++)
	{
		for (j = 0; j < w; j++)
			pq_sendint32(&buf, (uint32) sym[i * w + j]);
		pq_sendint64(&buf, (uint64) cnt[i]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
recv_fail(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid journey_markov_chain value"),
			 errdetail("%s", why)));
}

Datum
jy_markov_chain_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	MkFlat		h;
	MkFlat	   *f;
	StringInfoData names;
	int			w,
				c,
				j;
	int64		i;
	Size		sz;
	int32	   *sym;
	int64	   *cnt;

	memset(&h, 0, sizeof(h));
	h.version = (uint8) pq_getmsgbyte(buf);
	h.order = (uint8) pq_getmsgbyte(buf);
	h.reserved = (uint16) pq_getmsgint(buf, 2);
	h.nchannels = (int32) pq_getmsgint(buf, 4);
	h.reserved2 = (int32) pq_getmsgint(buf, 4);
	h.ngrams = (int64) pq_getmsgint64(buf);
	h.paths = (int64) pq_getmsgint64(buf);
	h.conversions = (int64) pq_getmsgint64(buf);
	h.revenue = pq_getmsgfloat8(buf);
	if (h.version != MK_VERSION || h.order < 1 || h.order > JY_MK_MAX_ORDER ||
		h.nchannels < 0 || h.nchannels > JY_MK_MAX_CHANNELS || h.ngrams < 0)
		recv_fail("Bad version, order, channel or transition count.");
	w = h.order + 1;
	/* every transition takes 4 (order + 1) + 8 bytes of the message */
	if (h.ngrams > (int64) ((buf->len - buf->cursor) / (4 * w + 8)))
		recv_fail("Declared more transitions than the message holds.");
	initStringInfo(&names);
	for (c = 0; c < h.nchannels; c++)
	{
		uint32		len = (uint32) pq_getmsgint(buf, 4);

		if (len > MAX_CHANNEL_LEN)
			recv_fail("A channel name is too long.");
		appendBinaryStringInfo(&names, (char *) &len, sizeof(uint32));
		appendBinaryStringInfo(&names, pq_getmsgbytes(buf, (int) len), (int) len);
	}
	if (h.ngrams > (int64) ((buf->len - buf->cursor) / (4 * w + 8)))
		recv_fail("Declared more transitions than the message holds.");
	sz = sizeof(MkFlat) + (Size) h.ngrams * (sizeof(int64) + sizeof(int32) * w) + names.len;
	f = palloc_extended(sz, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	memcpy(f, &h, sizeof(MkFlat));
	SET_VARSIZE(f, sz);
	cnt = MK_CNT(f);
	sym = MK_SYM(f);
	for (i = 0; i < h.ngrams; i++)
	{
		for (j = 0; j < w; j++)
			sym[i * w + j] = (int32) pq_getmsgint(buf, 4);
		cnt[i] = (int64) pq_getmsgint64(buf);
	}
	memcpy(MK_NAMES(f), names.data, names.len);
	if (buf->cursor != buf->len)
		recv_fail("It has trailing bytes.");
	mk_validate(f, sz, ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_POINTER(f);
}

/* ---- solving: journey_markov_credits(chain) ----------------------------- */

typedef struct MkSolved
{
	int			nch;
	double		p;
	double	   *re;				/* removal effect per channel (name order) */
} MkSolved;

static void
mk_solve(const MkFlat *f, MkSolved *out)
{
	int			w = f->order + 1,
				c;
	size_t		ns = jy_mk_count_states(f->order, (size_t) f->ngrams, MK_SYM(f));
	double	   *cnt,
			   *pw;
	void	   *work;
	int64		i;

	if (ns > JY_MK_MAX_STATES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many states for the order-%d Markov model", (int) f->order),
				 errdetail("The chain has %zu transient states; at most %d are supported (one dense exact solve of that size per channel).",
						   ns, JY_MK_MAX_STATES),
				 errhint("Use a lower order or group rare channels into one.")));
	(void) w;
	cnt = palloc_extended(sizeof(double) * Max(f->ngrams, 1), MCXT_ALLOC_HUGE);
	for (i = 0; i < f->ngrams; i++)
		cnt[i] = (double) MK_CNT(f)[i];
	pw = palloc(sizeof(double) * Max(f->nchannels, 1));
	work = palloc_extended(jy_mk_work_bytes(ns, (size_t) f->ngrams), MCXT_ALLOC_HUGE);
	jy_mk_solve_k(f->order, f->nchannels, (size_t) f->ngrams, MK_SYM(f), cnt, ns, &out->p, pw, work, tick, NULL);
	for (c = 0; c < f->nchannels; c++)
	{
		/* removal effect 1 - P(without c)/P, 0 when nothing converts */
		pw[c] = out->p > 0 ? 1.0 - pw[c] / out->p : 0.0;
		if (pw[c] < 0)
			pw[c] = 0;			/* rounding: removing states never raises P(conversion) */
	}
	out->nch = f->nchannels;
	out->re = pw;
	pfree(work);
	pfree(cnt);
}

Datum
jy_markov_credits(PG_FUNCTION_ARGS)
{
	MkFlat	   *f;
	MkSolved	s;
	int			c;
	double		sumre = 0;
	Datum	   *rows;
	Oid			elemtype;
	TupleDesc	td;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	const char *p;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	f = (MkFlat *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	if (f->nchannels == 0)
		PG_RETURN_NULL();
	mk_solve(f, &s);
	for (c = 0; c < s.nch; c++)
		sumre += s.re[c];
	td = result_element_desc(fcinfo, &elemtype);
	rows = palloc(sizeof(Datum) * s.nch);
	p = MK_NAMES(f);
	for (c = 0; c < s.nch; c++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		double		share = sumre > 0 ? s.re[c] / sumre : 0.0;
		uint32		len;

		memcpy(&len, p, sizeof(uint32));
		values[0] = PointerGetDatum(cstring_to_text_with_len(p + sizeof(uint32), (int) len));
		p += sizeof(uint32) + len;
		values[1] = Float8GetDatum(s.re[c]);
		values[2] = Float8GetDatum((double) f->conversions * share);
		values[3] = Float8GetDatum(f->revenue * share);
		values[4] = Float8GetDatum(share);
		rows[c] = HeapTupleGetDatum(heap_form_tuple(td, values, nulls));
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(rows, s.nch, elemtype, typlen, typbyval, typalign));
}

/* ---- drill-down: journey_markov_credit(channels, converted, credits) ---- */

Datum
jy_markov_credit(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *ch,
			   *cr;
	bool	   *crnulls;
	int			n,
				ncr,
				i,
				j,
				ndist = 0;
	ArrayType  *cra;
	char	  **crname;
	int		   *crlen,
			   *idx,
			   *mult;
	double	   *crre,
				sum = 0;
	bool		none = false;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("credits must not be NULL"),
				 errhint("Pass the result of journey_markov_attribution or journey_markov_credits.")));
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("channels must not be NULL"),
				 errhint("Use an empty array for a conversion without touchpoints.")));
	ch = text_array_elems(PG_GETARG_ARRAYTYPE_P(0), "channels", &n, false, NULL);
	cra = PG_GETARG_ARRAYTYPE_P(2);
	if (ARR_NDIM(cra) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("credits must be a one-dimensional array")));
	{
		int16		typlen;
		bool		typbyval;
		char		typalign;

		get_typlenbyvalalign(ARR_ELEMTYPE(cra), &typlen, &typbyval, &typalign);
		deconstruct_array(cra, ARR_ELEMTYPE(cra), typlen, typbyval, typalign, &cr, &crnulls, &ncr);
	}
	crname = palloc(sizeof(char *) * Max(ncr, 1));
	crlen = palloc(sizeof(int) * Max(ncr, 1));
	crre = palloc(sizeof(double) * Max(ncr, 1));
	for (i = 0; i < ncr; i++)
	{
		HeapTupleHeader t;
		bool		isnull1,
					isnull2;
		Datum		d1,
					d2;

		if (crnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("credits must not contain NULL")));
		t = DatumGetHeapTupleHeader(cr[i]);
		d1 = GetAttributeByNum(t, 1, &isnull1);
		d2 = GetAttributeByNum(t, 2, &isnull2);
		if (isnull1 || isnull2)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("credits must not hold a NULL channel or removal effect")));
		crname[i] = VARDATA_ANY(DatumGetTextPP(d1));
		crlen[i] = VARSIZE_ANY_EXHDR(DatumGetTextPP(d1));
		crre[i] = DatumGetFloat8(d2);
		if (!isfinite(crre[i]) || crre[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("removal effects must be finite and non-negative")));
	}
	InitMaterializedSRF(fcinfo, 0);
	/* a non-converting path earns no credit */
	if (PG_ARGISNULL(1) || !PG_GETARG_BOOL(1))
		return (Datum) 0;
	if (n == 0)
	{
		ch = palloc(sizeof(Datum));
		ch[0] = CStringGetTextDatum(DIRECT_NONE);
		n = 1;
		none = true;
	}
	/* per touch: the index of its channel in credits (hash of the credit names) */
	{
		int			hcap = 16;
		int		   *slot;

		while (hcap < 2 * ncr + 1)
			hcap *= 2;
		slot = palloc0(sizeof(int) * hcap);
		for (j = 0; j < ncr; j++)
		{
			uint32		s = name_hash(crname[j], crlen[j]) & (hcap - 1);

			while (slot[s] != 0)
			{
				int			o = slot[s] - 1;

				if (crlen[o] == crlen[j] && memcmp(crname[o], crname[j], crlen[j]) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("credits hold channel \"%s\" twice", pnstrdup(crname[j], crlen[j]))));
				s = (s + 1) & (hcap - 1);
			}
			slot[s] = j + 1;
		}
		idx = palloc(sizeof(int) * n);
		mult = palloc0(sizeof(int) * Max(ncr, 1));
		for (i = 0; i < n; i++)
		{
			text	   *t = DatumGetTextPP(ch[i]);
			int			len = VARSIZE_ANY_EXHDR(t);
			uint32		s = name_hash(VARDATA_ANY(t), len) & (hcap - 1);

			if ((i & 0xffff) == 0xffff)
				CHECK_FOR_INTERRUPTS();
			j = -1;
			while (slot[s] != 0)
			{
				int			o = slot[s] - 1;

				if (crlen[o] == len && memcmp(crname[o], VARDATA_ANY(t), len) == 0)
				{
					j = o;
					break;
				}
				s = (s + 1) & (hcap - 1);
			}
			if (j < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("channel \"%s\" is not in the Markov credits", text_to_cstring(t)),
						 errdetail("Every channel of the path must have a removal effect: use the credits computed from these paths.")));
			idx[i] = j;
			if (mult[j]++ == 0)
			{
				ndist++;
				sum += crre[j];
			}
		}
	}
	for (i = 0; i < n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		/* the channel's share of the path, split evenly over its touches */
		double		share = sum > 0 ? crre[idx[i]] / sum : 1.0 / ndist;

		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		values[0] = Int32GetDatum(i + 1);
		values[1] = ch[i];
		values[2] = Float8GetDatum(share / mult[idx[i]]);
		nulls[0] = none;		/* direct/none: no touch */
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
