/*
 * attribution_paths.c — journey_conversion_paths(ts, channel, conversion,
 * revenue, lookback [, reuse]): aggregate per user, journey_conversion_path[]
 * (engine: jy_attr_sort_events, jy_attr_paths in src/engine/attribution.c).
 */
#include "attribution_glue.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(jy_conversion_paths_trans);
PG_FUNCTION_INFO_V1(jy_conversion_paths_final);

#define MAX_EVENTS ((int64) (MaxAllocHugeSize / sizeof(JyAttrEvent) / 2))

typedef struct PathState
{
	MemoryContext cxt;
	JyAttrEvent *ev;
	int64		n,
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

/* lookback (argument 5) and reuse (argument 6, false when absent) */
static void
path_settings(FunctionCallInfo fcinfo, int64 *lookback, bool *reuse)
{
	*lookback = jy_positive_interval_arg(fcinfo, 5, "lookback");
	*reuse = false;
	if (PG_NARGS() > 6)
	{
		if (PG_ARGISNULL(6))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("reuse must not be NULL")));
		*reuse = PG_GETARG_BOOL(6);
	}
}

Datum
jy_conversion_paths_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = jy_agg_context(fcinfo, "journey_conversion_paths transition function");
	PathState  *st = PG_ARGISNULL(0) ? NULL : (PathState *) PG_GETARG_POINTER(0);
	int64		lookback;
	bool		reuse;
	JyAttrEvent *e;

	if (st == NULL)
	{
		st = (PathState *) MemoryContextAllocZero(cxt, sizeof(PathState));
		st->cxt = cxt;
		path_settings(fcinfo, &st->lookback, &st->reuse);
	}
	else if (!jy_arg_stable(fcinfo, 5) || !jy_arg_stable(fcinfo, 6))
	{
		path_settings(fcinfo, &lookback, &reuse);
		if (st->lookback != lookback || st->reuse != reuse)
			jy_arg_differs("lookback and reuse", "group", NULL);
	}
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
	st->ev = jy_grow(cxt, st->ev, &st->cap, st->n + 1, sizeof(JyAttrEvent), MAX_EVENTS,
					 "touchpoints and conversions in one group", "touchpoints and conversions per group");
	e = &st->ev[st->n];
	memset(e, 0, sizeof(*e));
	e->ts = PG_GETARG_TIMESTAMPTZ(1);
	if (!PG_ARGISNULL(2))
	{
		text	   *t = PG_GETARG_TEXT_PP(2);
		size_t		len = VARSIZE_ANY_EXHDR(t);

		jy_attr_check_channel_len(len);
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
	int64		nrows,
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
	o->rows = jy_grow(CurrentMemoryContext, o->rows, &o->caprows, o->nrows + 1, sizeof(Datum),
					  PG_INT64_MAX, "conversion paths in one group", "paths per group");
	o->rows[o->nrows++] = HeapTupleGetDatum(heap_form_tuple(o->td, values, nulls));
	if ((o->nrows & 0x3ff) == 0)
		CHECK_FOR_INTERRUPTS();
}

Datum
jy_conversion_paths_final(PG_FUNCTION_ARGS)
{
	PathState  *st;
	PathOut		o;
	size_t	   *idx;
	JyAttrEvent *tmp;

	jy_agg_context(fcinfo, "journey_conversion_paths final function");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (PathState *) PG_GETARG_POINTER(0);
	if (st->n == 0)
		PG_RETURN_NULL();
	tmp = palloc_extended(st->n * sizeof(JyAttrEvent), MCXT_ALLOC_HUGE);
	jy_attr_sort_events(st->ev, st->n, tmp, jy_tick, NULL);
	pfree(tmp);
	CHECK_FOR_INTERRUPTS();
	memset(&o, 0, sizeof(o));
	o.st = st;
	o.td = jy_attr_result_element_desc(fcinfo, &o.elemtype);
	idx = palloc_extended(st->n * sizeof(size_t), MCXT_ALLOC_HUGE);
	jy_attr_paths(st->ev, st->n, st->lookback, st->reuse, idx, emit_path, &o);
	if (o.nrows == 0)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(jy_attr_rows_array(o.rows, (int) o.nrows, o.elemtype));
}
