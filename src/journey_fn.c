/*
 * journey_fn.c — functions over a journey: a || b (journey_merge),
 * journey_union, length, first_time, last_time, duration, journey_events,
 * event_at, time_at, distinct_events, event_count, journey_path,
 * journey_slice, journey_sessions, journey_session_stats, and journey(ts[],
 * event[]) from arrays.
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

PG_FUNCTION_INFO_V1(jy_journey_merge);
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
		jy_journey_report(&e, ERRCODE_INVALID_PARAMETER_VALUE, "cannot merge journeys");
	return jy_journey_from_view(&r);
}

Datum
jy_journey_merge(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(merge_args(fcinfo, false));
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
		jy_journey_report(&e, ERRCODE_DATA_CORRUPTED, "corrupt journey value");
	PG_RETURN_INT32((int32) n);
}

/* first_time, last_time, duration: from the two ends of the journey, NULL when it is empty */
typedef enum JourneyEnds
{
	JE_FIRST_TIME,
	JE_LAST_TIME,
	JE_DURATION
} JourneyEnds;

static Datum
journey_ends(FunctionCallInfo fcinfo, JourneyEnds what)
{
	JyJView		v;

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	if (v.n == 0)
		PG_RETURN_NULL();
	switch (what)
	{
		case JE_FIRST_TIME:
			PG_RETURN_TIMESTAMPTZ(v.ts[0]);
		case JE_LAST_TIME:
			PG_RETURN_TIMESTAMPTZ(v.ts[v.n - 1]);
		case JE_DURATION:
			break;
	}
	PG_RETURN_INTERVAL_P(jy_usecs_to_interval(v.ts[v.n - 1] - v.ts[0]));
}

JY_FMGR_VARIANT(jy_journey_first_time, journey_ends, JE_FIRST_TIME);
JY_FMGR_VARIANT(jy_journey_last_time, journey_ends, JE_LAST_TIME);
JY_FMGR_VARIANT(jy_journey_duration, journey_ends, JE_DURATION);

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

/* event_at (the name) or time_at (the time) of position pos */
static Datum
at_position(FunctionCallInfo fcinfo, bool want_time)
{
	JyJView		v;
	uint32		i;

	jy_journey_view(PG_GETARG_DATUM(0), &v);
	if (!position_index(&v, PG_GETARG_INT32(1), &i))
		PG_RETURN_NULL();
	if (want_time)
		PG_RETURN_TIMESTAMPTZ(v.ts[i]);
	PG_RETURN_TEXT_P(jname_text(&v, v.ev[i]));
}

JY_FMGR_VARIANT(jy_journey_event_at, at_position, false);
JY_FMGR_VARIANT(jy_journey_time_at, at_position, true);

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
	uint64_t   *hist;
	JySessionStats *r;
	bool		own;

	gap = session_args(fcinfo, &max_len);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	j = DatumGetJourneyPP(PG_GETARG_DATUM(0));
	buf = (const uint8 *) VARDATA_ANY(j);
	len = VARSIZE_ANY_EXHDR(j);
	if (jy_jc_header(buf, len, &n, &nd, &e) != JY_JC_OK)
		jy_journey_report(&e, ERRCODE_DATA_CORRUPTED, "corrupt journey value");
	own = n > SS_CACHE_MAX;
	if (own)
	{
		ts = (int64_t *) palloc_extended((Size) n * sizeof(int64_t), MCXT_ALLOC_HUGE);
		hist = (uint64_t *) palloc((Size) (Min(n, JY_SS_MAX_ENTRIES) + 1) * sizeof(uint64_t));
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
		hist = c->hist;
	}
	if (jy_jc_decode_times_ex(buf, len, ts, &n, &e, jy_tick, NULL) != JY_JC_OK)
		jy_journey_report(&e, ERRCODE_DATA_CORRUPTED, "corrupt journey value");
	/* as session_stats(ts) over no rows: no summary */
	if (n == 0)
		PG_RETURN_NULL();
	r = ss_from_sorted(ts, n, gap, max_len, hist);
	if (own)
	{
		pfree(ts);
		pfree(hist);
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
		jy_journey_check_time(DatumGetTimestampTz(td[i]));
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
