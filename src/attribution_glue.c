/*
 * attribution_glue.c — multi-touch attribution (engine: src/engine/attribution.c):
 *
 *   journey_conversion_paths(ts, channel, conversion, revenue, lookback [, reuse])
 *       aggregate (per user): journey_conversion_path[]
 *   journey_attribution_credit(channels, touch_ts, conversion_ts, model, half_life,
 *       position_weights, direct_channels)  SETOF (touch, channel, credit)
 *   journey_markov_attribution(channels text[], converted, revenue)
 *       aggregate (over all paths): journey_channel_credit[]
 */
#include "journey.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#include "attribution.h"

PG_FUNCTION_INFO_V1(jy_conversion_paths_trans);
PG_FUNCTION_INFO_V1(jy_conversion_paths_final);
PG_FUNCTION_INFO_V1(jy_attribution_credit);
PG_FUNCTION_INFO_V1(jy_markov_trans);
PG_FUNCTION_INFO_V1(jy_markov_final);

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

/* ======== journey_markov_attribution =================================== */

#define MK_HASH 1024			/* > 2 * JY_MK_MAX_CHANNELS + 1 (direct/none) */

typedef struct MarkovState
{
	MemoryContext cxt;
	char	   *names[JY_MK_MAX_CHANNELS + 1];	/* 1-based */
	uint32		lens[JY_MK_MAX_CHANNELS + 1];
	int16		hash[MK_HASH];	/* channel number, 0 = empty */
	int		   *buf;
	int			bufcap;
	JyMarkov	m;				/* last: flexible */
} MarkovState;

static uint32
name_hash(const char *p, size_t n)
{
	uint32		h = 2166136261u;
	size_t		i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char) p[i]) * 16777619u;
	return h;
}

static int
channel_number(MarkovState *st, const char *p, size_t n)
{
	uint32		s = name_hash(p, n) & (MK_HASH - 1);
	int			c;

	while ((c = st->hash[s]) != 0)
	{
		if (st->lens[c] == n && memcmp(st->names[c], p, n) == 0)
			return c;
		s = (s + 1) & (MK_HASH - 1);
	}
	if (st->m.nchannels >= JY_MK_MAX_CHANNELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct channels for the Markov model"),
				 errdetail("At most %d channels are supported (the exact solution costs O(channels^4)).",
						   JY_MK_MAX_CHANNELS),
				 errhint("Group rare channels into one, e.g. with a CASE expression.")));
	c = ++st->m.nchannels;
	st->names[c] = MemoryContextAlloc(st->cxt, n + 1);
	memcpy(st->names[c], p, n);
	st->lens[c] = (uint32) n;
	st->hash[s] = (int16) c;
	return c;
}

Datum
jy_markov_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "journey_markov_attribution");
	MarkovState *st = PG_ARGISNULL(0) ? NULL : (MarkovState *) PG_GETARG_POINTER(0);
	Datum	   *d;
	int			n,
				i;
	double		revenue = 0;
	bool		converted;

	if (st == NULL)
	{
		st = (MarkovState *) MemoryContextAllocZero(cxt, offsetof(MarkovState, m) + jy_mk_size());
		st->cxt = cxt;
	}
	/* a row without a path or an outcome is no path */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
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
	if (n + 1 > st->bufcap)
	{
		int			cap = Max(n + 1, 64);

		st->buf = st->buf ? repalloc(st->buf, cap * sizeof(int)) : MemoryContextAlloc(cxt, cap * sizeof(int));
		st->bufcap = cap;
	}
	if (n == 0)
	{
		/* a conversion without touchpoints: the direct/none channel */
		if (!converted)
			PG_RETURN_POINTER(st);
		st->buf[0] = channel_number(st, DIRECT_NONE, strlen(DIRECT_NONE));
		n = 1;
	}
	else
		for (i = 0; i < n; i++)
		{
			text	   *t = DatumGetTextPP(d[i]);

			st->buf[i] = channel_number(st, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		}
	if (!jy_mk_add_path(&st->m, st->buf, (size_t) n, converted, revenue, 1.0))
		elog(ERROR, "channel number out of range");
	PG_RETURN_POINTER(st);
}

static int
name_cmp(const MarkovState *st, int a, int b)
{
	uint32		m = Min(st->lens[a], st->lens[b]);
	int			r = m ? memcmp(st->names[a], st->names[b], m) : 0;

	if (r != 0)
		return r;
	return st->lens[a] < st->lens[b] ? -1 : st->lens[a] > st->lens[b] ? 1 : 0;
}


Datum
jy_markov_final(PG_FUNCTION_ARGS)
{
	MarkovState *st;
	int			n,
				c,
				k,
			   *order;
	double		p,
			   *pw,
			   *work,
				sumre = 0;
	Datum	   *rows;
	Oid			elemtype;
	TupleDesc	td;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	agg_context(fcinfo, "journey_markov_attribution");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (MarkovState *) PG_GETARG_POINTER(0);
	n = st->m.nchannels;
	if (n == 0)
		PG_RETURN_NULL();
	pw = palloc(sizeof(double) * n);
	work = palloc(sizeof(double) * (2 * (size_t) (n + 1) * (n + 1) + 2 * (size_t) (n + 1)));
	jy_mk_solve(&st->m, &p, pw, work, tick, NULL);
	for (c = 0; c < n; c++)
	{
		/* removal effect 1 - P(without c)/P, 0 when nothing converts */
		pw[c] = p > 0 ? 1.0 - pw[c] / p : 0.0;
		if (pw[c] < 0)
			pw[c] = 0;			/* rounding: removing a state never raises P(conversion) */
		sumre += pw[c];
	}
	td = result_element_desc(fcinfo, &elemtype);
	rows = palloc(sizeof(Datum) * n);
	/* rows in channel-name byte order, whatever the input order */
	order = palloc(sizeof(int) * n);
	for (c = 0; c < n; c++)
	{
		int			k = c;

		while (k > 0 && name_cmp(st, order[k - 1] + 1, c + 1) > 0)
		{
			order[k] = order[k - 1];
			k--;
		}
		order[k] = c;
	}
	for (k = 0; k < n; k++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		double		share;

		c = order[k];
		share = sumre > 0 ? pw[c] / sumre : 0.0;

		values[0] = PointerGetDatum(cstring_to_text_with_len(st->names[c + 1], (int) st->lens[c + 1]));
		values[1] = Float8GetDatum(pw[c]);
		values[2] = Float8GetDatum(st->m.conversions * share);
		values[3] = Float8GetDatum(st->m.revenue * share);
		values[4] = Float8GetDatum(share);
		rows[k] = HeapTupleGetDatum(heap_form_tuple(td, values, nulls));
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(rows, n, elemtype, typlen, typbyval, typalign));
}
