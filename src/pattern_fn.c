/*
 * pattern_fn.c — pattern functions over arrays and over the journey type
 * (engine: src/engine/pattern.h):
 *
 *   journey_match(ts[], event[], pattern)    boolean        (and over a journey)
 *   journey_count(ts[], event[], pattern)    bigint
 *   journey_matches(ts[], event[], pattern)  set-returning: one row per match
 *   journey_first_fired / journey_last_fired   trigger helpers (time of the first / last match)
 *   journey_next_events / journey_prev_events  the n events after / before a match
 *   journey_transitions(ts[], event[])       consecutive pairs (Sankey)
 */
#include "pattern_glue.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "journey_glue.h"

PG_FUNCTION_INFO_V1(jy_pattern_array_match);
PG_FUNCTION_INFO_V1(jy_pattern_array_count);
PG_FUNCTION_INFO_V1(jy_pattern_matches);
PG_FUNCTION_INFO_V1(jy_pattern_fired);
PG_FUNCTION_INFO_V1(jy_pattern_j_match);
PG_FUNCTION_INFO_V1(jy_pattern_j_count);
PG_FUNCTION_INFO_V1(jy_pattern_j_matches);
PG_FUNCTION_INFO_V1(jy_pattern_j_fired);
PG_FUNCTION_INFO_V1(jy_pattern_steps);
PG_FUNCTION_INFO_V1(jy_pattern_j_steps);
PG_FUNCTION_INFO_V1(jy_transitions);
PG_FUNCTION_INFO_V1(jy_j_transitions);

/* (ts, name) sort for functions that need the full name order (transitions) */
typedef struct NameTs
{
	int64		ts;
	char	   *name;
	int64		idx;
} NameTs;

static int
namets_cmp(const void *a, const void *b, void *arg)
{
	const NameTs *x = a,
			   *y = b;
	size_t		lx,
				ly;
	int			c;

	(void) arg;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	lx = strlen(x->name);
	ly = strlen(y->name);
	c = memcmp(x->name, y->name, Min(lx, ly));
	if (c != 0)
		return c;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}


/* ---- array forms ---------------------------------------------------------- */

/*
 * The array forms sort one 24-byte entry per array element (TsIdx, NameTs) in
 * one allocation, which PostgreSQL caps at 1 GB: arrays of more elements
 * (NULL elements included) are refused with 54000 before any work is done,
 * instead of failing in palloc with a generic XX000.
 */
#define JY_ARRAY_MAX_EVENTS ((int) (MaxAllocSize / Max(sizeof(TsIdx), sizeof(NameTs))))

static void
check_event_arrays(ArrayType *tsa, ArrayType *eva)
{
	int			nts = ArrayGetNItems(ARR_NDIM(tsa), ARR_DIMS(tsa)),
				nev = ArrayGetNItems(ARR_NDIM(eva), ARR_DIMS(eva));

	if (ARR_NDIM(tsa) > 1 || ARR_NDIM(eva) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("timestamps and events must be one-dimensional arrays")));
	if (nts != nev)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("timestamps and events must have the same number of elements"),
				 errdetail("There are %d timestamps and %d events.", nts, nev)));
	if (nts > JY_ARRAY_MAX_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("event arrays are too large"),
				 errdetail("The arrays have %d elements; the array forms accept at most %d (NULL elements included).",
						   nts, JY_ARRAY_MAX_EVENTS),
				 errhint("Split the arrays, or use the aggregates journey_match(ts, event, pattern) and journey_count(ts, event, pattern) over rows.")));
}

/* the elements of the (checked) timestamp and event arrays; returns their number */
static int
event_arrays(ArrayType *tsa, ArrayType *eva, Datum **tsd, bool **tsn, Datum **evd, bool **evn)
{
	int			nts,
				nev;

	check_event_arrays(tsa, eva);
	deconstruct_array(tsa, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, tsd, tsn, &nts);
	deconstruct_array(eva, TEXTOID, -1, false, TYPALIGN_INT, evd, evn, &nev);
	Assert(nts == nev);
	return nts;
}

typedef struct ArrJourney
{
	int64	   *ts;
	int32	   *ev;
	int32	   *orig;			/* index in the input arrays of each kept event */
	char	  **names;			/* event text of each kept event (journey_matches only) */
	int64		n;
	/* journey-type input: names come from the decoded view's dictionary */
	JyJView    *view;
} ArrJourney;

/* text datum of the name of event i */
static Datum
event_name_datum(const ArrJourney *j, size_t i)
{
	if (j->view)
	{
		uint32		id = j->view->ev[i];

		return PointerGetDatum(cstring_to_text_with_len(j->view->name[id], (int) j->view->name_len[id]));
	}
	return CStringGetTextDatum(j->names[i]);
}

/* name of event i (not NUL-terminated) */
static inline const char *
event_name(const ArrJourney *j, size_t i, Size *len)
{
	if (j->view)
	{
		uint32		id = j->view->ev[i];

		*len = j->view->name_len[id];
		return j->view->name[id];
	}
	*len = strlen(j->names[i]);
	return j->names[i];
}

/*
 * text[] of the names of events [from, to).  Built here, with a check for
 * cancellation every 65536 elements, rather than as one text datum per event
 * handed to construct_array, which loops over every element without a check
 * (journey_next_events over 16 M events held the backend ~10 s).  The same
 * bytes as construct_array (elements int-aligned, padding zeroed).
 */
static ArrayType *
names_array(const ArrJourney *j, size_t from, size_t to)
{
	Size		nbytes = ARR_OVERHEAD_NONULLS(1),
				len;
	size_t		i;
	ArrayType  *a;
	char	   *p;

	if (to <= from)
		return construct_empty_array(TEXTOID);
	for (i = from; i < to; i++)
	{
		if (((i - from) & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		(void) event_name(j, i, &len);
		nbytes += INTALIGN(VARHDRSZ + len);
		if (nbytes > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("array size exceeds the maximum allowed (%d)", (int) MaxAllocSize)));
	}
	a = (ArrayType *) palloc(nbytes);
	memset(a, 0, ARR_OVERHEAD_NONULLS(1));
	SET_VARSIZE(a, nbytes);
	a->ndim = 1;
	a->dataoffset = 0;
	a->elemtype = TEXTOID;
	ARR_DIMS(a)[0] = (int) (to - from);
	ARR_LBOUND(a)[0] = 1;
	p = ARR_DATA_PTR(a);
	for (i = from; i < to; i++)
	{
		const char *nm = event_name(j, i, &len);
		Size		sz = VARHDRSZ + len;

		if (((i - from) & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		SET_VARSIZE(p, sz);
		memcpy(VARDATA(p), nm, len);
		memset(p + sz, 0, INTALIGN(sz) - sz);
		p += INTALIGN(sz);
	}
	return a;
}

/* decode a journey value into pattern-local ids (names resolved once per dictionary entry) */
static void
journey_value_to_events(Datum d, const JyPattern *p, ArrJourney *j)
{
	JyJView    *v = palloc0(sizeof(JyJView));
	int32	   *map;
	uint32		i;

	jy_journey_view(d, v);
	map = palloc(Max(v->ndict, 1) * sizeof(int32));
	for (i = 0; i < v->ndict; i++)
		map[i] = jy_pat_lookup(p, v->name[i], v->name_len[i]);
	j->view = v;
	j->n = v->n;
	j->ts = v->ts;
	j->ev = palloc(Max(v->n, 1) * sizeof(int32));
	for (i = 0; i < v->n; i++)
		j->ev[i] = map[v->ev[i]];
	j->names = NULL;
	j->orig = NULL;
}

/*
 * Events the pattern does not name share a tie key when no pattern name sorts
 * between them: the matcher cannot tell them apart, but the functions that
 * return names and positions can.  Order each run of such ties, sorted by
 * (ts, key), by name (the journey type's byte order), then input position.
 */
static void
order_unnamed_ties(TsIdx *t, int64 n, const Datum *evd)
{
	int64		i = 1;

	while (i < n)
	{
		int64		s = i - 1,
					e,
					k;
		NameTs	   *nt;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (t[i].ts != t[s].ts || t[i].key != t[s].key || (t[s].key & 1))
		{
			i++;
			continue;
		}
		for (e = i + 1; e < n && t[e].ts == t[s].ts && t[e].key == t[s].key; e++)
			;
		nt = palloc((e - s) * sizeof(NameTs));
		for (k = s; k < e; k++)
		{
			nt[k - s].ts = t[k].ts;
			nt[k - s].name = text_to_cstring(DatumGetTextPP(evd[t[k].idx]));
			nt[k - s].idx = t[k].idx;
		}
		jy_sort(nt, e - s, sizeof(NameTs), namets_cmp, NULL);
		for (k = s; k < e; k++)
		{
			t[k].idx = nt[k - s].idx;
			pfree(nt[k - s].name);
		}
		pfree(nt);
		i = e + 1;
	}
}

/*
 * Decode (ts[], event[]) into a time-ordered journey of pattern-local ids.
 * Events at the same time are ordered by name (like the journey type) as far
 * as the pattern can tell, and fully by name when names are kept (they are
 * returned); pairs with a NULL timestamp or event are skipped.
 */
static void
arrays_to_journey(ArrayType *tsa, ArrayType *eva, const JyPattern *p, bool keep_names, ArrJourney *j)
{
	Datum	   *tsd,
			   *evd;
	bool	   *tsn,
			   *evn;
	int			nts = event_arrays(tsa, eva, &tsd, &tsn, &evd, &evn),
				i;
	TsIdx	   *t;
	bool		sorted = true;

	t = palloc(Max(nts, 1) * sizeof(TsIdx));
	j->n = 0;
	for (i = 0; i < nts; i++)
	{
		text	   *ev;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (tsn[i] || evn[i])
			continue;
		ev = DatumGetTextPP(evd[i]);
		t[j->n].ts = DatumGetTimestampTz(tsd[i]);
		t[j->n].key = jy_pat_tie_key(p, VARDATA_ANY(ev), VARSIZE_ANY_EXHDR(ev));
		t[j->n].idx = i;
		if (j->n > 0 && jy_pat_tsidx_cmp(&t[j->n], &t[j->n - 1], NULL) < 0)
			sorted = false;
		j->n++;
	}
	if (!sorted)
		jy_sort(t, j->n, sizeof(TsIdx), jy_pat_tsidx_cmp, NULL);
	if (keep_names)
		order_unnamed_ties(t, j->n, evd);
	j->ts = palloc(Max(j->n, 1) * sizeof(int64));
	j->ev = palloc(Max(j->n, 1) * sizeof(int32));
	j->orig = palloc(Max(j->n, 1) * sizeof(int32));
	j->names = keep_names ? palloc(Max(j->n, 1) * sizeof(char *)) : NULL;
	j->view = NULL;
	for (i = 0; i < j->n; i++)
	{
		text	   *ev = DatumGetTextPP(evd[t[i].idx]);

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		j->ts[i] = t[i].ts;
		j->orig[i] = (int32) t[i].idx;
		j->ev[i] = (t[i].key & 1) ? (int32) ((t[i].key - 1) / 2) : -1;
		if (keep_names)
			j->names[i] = text_to_cstring(ev);
	}
}

/* the answer of journey_match (boolean) or journey_count (bigint) over e */
static Datum
match_or_count(PatCache *c, const JyEvents *e, bool count)
{
	if (count)
		return Int64GetDatum(jy_pat_count(c->jp, c->scratch, e));
	return BoolGetDatum(jy_pat_match(c->jp, c->scratch, e));
}

/*
 * The arguments of a journey function: (ts[], event[], pattern, ...) when
 * arrays, else (j journey, pattern, ...).  Returns the compiled pattern
 * (cached in fn_extra) and the journey in pattern-local ids in *j
 * (keep_names: the array form keeps the event names, for results that
 * return them).
 */
static PatCache *
journey_args(FunctionCallInfo fcinfo, bool arrays, bool keep_names, ArrJourney *j)
{
	text	   *pat = PG_GETARG_TEXT_PP(arrays ? 2 : 1);
	PatCache   *c = jy_pat_cache_get(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat), KIND_JOURNEY, 0);

	if (arrays)
		arrays_to_journey(PG_GETARG_ARRAYTYPE_P(0), PG_GETARG_ARRAYTYPE_P(1), c->jp, keep_names, j);
	else
		journey_value_to_events(PG_GETARG_DATUM(0), c->jp, j);
	return c;
}

/* journey_match / journey_count over arrays (ts[], event[], pattern) */
static Datum
array_run(FunctionCallInfo fcinfo, bool count)
{
	ArrJourney	j;
	PatCache   *c = journey_args(fcinfo, true, false, &j);
	JyEvents	e;

	e.ts = j.ts;
	e.ev = j.ev;
	e.n = j.n;
	return match_or_count(c, &e, count);
}

JY_FMGR_VARIANT(jy_pattern_array_match, array_run, false);
JY_FMGR_VARIANT(jy_pattern_array_count, array_run, true);

/*
 * journey_matches(ts[], event[], pattern): match_no, start_pos, end_pos
 * (1-based positions in the time-ordered journey), start_ts, end_ts,
 * n_events, events (text[] of the matched events).
 */
static void
emit_matches(FunctionCallInfo fcinfo, PatCache *c, ArrJourney *j)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	JyEvents	e;
	size_t		from = 0,
				ms,
				me;
	int64		no = 0;

	e.ts = j->ts;
	e.ev = j->ev;
	e.n = j->n;
	while (from < e.n && jy_pat_next(c->jp, c->scratch, &e, from, true, &ms, &me))
	{
		Datum		values[9];
		bool		nulls[9] = {false};
		ArrayType  *names;

		CHECK_FOR_INTERRUPTS();
		no++;
		names = names_array(j, ms, me + 1);
		values[0] = Int64GetDatum(no);
		values[1] = Int32GetDatum((int32) ms + 1);
		values[2] = Int32GetDatum((int32) me + 1);
		values[3] = TimestampTzGetDatum(j->ts[ms]);
		values[4] = TimestampTzGetDatum(j->ts[me]);
		values[5] = Int32GetDatum((int32) (me - ms + 1));
		values[6] = PointerGetDatum(names);
		if (ms > 0)
			values[7] = event_name_datum(j, ms - 1);
		else
			nulls[7] = true;
		if (me + 1 < e.n)
			values[8] = event_name_datum(j, me + 1);
		else
			nulls[8] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		pfree(names);
		from = me + 1;
	}
}

/*
 * journey_matches(ts[], event[], pattern): match_no, start_pos, end_pos
 * (1-based positions in the time-ordered journey), start_ts, end_ts,
 * n_events, events (text[] of the matched events), prev_event, next_event.
 */
Datum
jy_pattern_matches(PG_FUNCTION_ARGS)
{
	ArrJourney	j;
	PatCache   *c;

	jy_init_row_srf(fcinfo);
	c = journey_args(fcinfo, true, true, &j);
	emit_matches(fcinfo, c, &j);
	return (Datum) 0;
}

/* the same over a journey value */
Datum
jy_pattern_j_matches(PG_FUNCTION_ARGS)
{
	ArrJourney	j;
	PatCache   *c;
	uint64		need,
				have = 0;
	uint32		i;

	jy_init_row_srf(fcinfo);
	c = journey_args(fcinfo, false, false, &j);
	need = jy_pat_required(c->jp);
	if (need != 0)
	{
		/* a name every match needs is absent: no rows, without running the matcher */
		for (i = 0; i < j.n; i++)
			if (j.ev[i] >= 0 && j.ev[i] < 64)
				have |= UINT64CONST(1) << j.ev[i];
		if ((need & ~have) != 0)
			return (Datum) 0;
	}
	emit_matches(fcinfo, c, &j);
	return (Datum) 0;
}

/*
 * What the selective decode of journey_value_run asks once the dictionary is
 * known: the journey's names as pattern ids (map), and, when every name a
 * match needs is present, which events go to the matcher: only the named
 * ones (the pattern's shape makes the others irrelevant).  NULL (no event)
 * when a needed name is absent.
 */
typedef struct PatSelect
{
	const JyPattern *jp;
	uint64		need;
	bool		called;
	bool		absent;			/* a name every match needs is absent */
	int32	   *map;			/* [ndict] pattern id of each name, -1 = unnamed */
	uint8	   *keep;			/* [ndict] */
} PatSelect;

static const uint8_t *
pat_select(void *arg, const JyJView *v)
{
	PatSelect  *sa = (PatSelect *) arg;
	uint64		have = 0;
	uint32		i;

	sa->called = true;
	sa->map = palloc(Max(v->ndict, 1) * (sizeof(int32) + sizeof(uint8)));
	sa->keep = (uint8 *) (sa->map + Max(v->ndict, 1));
	for (i = 0; i < v->ndict; i++)
	{
		sa->map[i] = jy_pat_lookup(sa->jp, v->name[i], v->name_len[i]);
		if (sa->map[i] >= 0 && sa->map[i] < 64)
			have |= UINT64CONST(1) << sa->map[i];
		sa->keep[i] = (uint8) (sa->map[i] >= 0);
	}
	sa->absent = (sa->need & ~have) != 0;
	return sa->absent ? NULL : sa->keep;
}

static Datum
journey_value_run(FunctionCallInfo fcinfo, bool count)
{
	text	   *pat = PG_GETARG_TEXT_PP(1);
	PatCache   *c = jy_pat_cache_get(fcinfo->flinfo, VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat), KIND_JOURNEY, 0);
	JyEvents	e;
	JyJView		v;
	PatSelect	sa;
	int32	   *ev;
	uint32		i;

	/*
	 * Decode, map the journey's names to pattern ids once per dictionary
	 * entry, and answer at once when a name every match needs is absent.
	 * When the pattern's shape makes unnamed events irrelevant (S1 .* S2 ...),
	 * only the named events are decoded into the view and go to the matcher.
	 */
	sa.jp = c->jp;
	sa.need = jy_pat_required(c->jp);
	sa.called = false;
	sa.absent = false;
	if (jy_pat_skips_others(c->jp))
	{
		uint32	   *row;

		jy_journey_view_select(PG_GETARG_DATUM(0), &v, &row, pat_select, &sa);
	}
	else
	{
		jy_journey_view(PG_GETARG_DATUM(0), &v);
		if (v.n > 0)
			(void) pat_select(&sa, &v);
	}
	if (!sa.called)
		sa.absent = sa.need != 0;	/* an empty journey has none of the names */
	if (sa.absent)
		return count ? Int64GetDatum(0) : BoolGetDatum(false);
	ev = palloc(Max(v.n, 1) * sizeof(int32));
	for (i = 0; i < v.n; i++)
		ev[i] = sa.map[v.ev[i]];
	e.ts = v.ts;
	e.ev = ev;
	e.n = v.n;
	return match_or_count(c, &e, count);
}

JY_FMGR_VARIANT(jy_pattern_j_match, journey_value_run, false);
JY_FMGR_VARIANT(jy_pattern_j_count, journey_value_run, true);

static bool
fired_time(PatCache *c, ArrJourney *j, bool last, int64 *when)
{
	JyEvents	e;
	size_t		from = 0,
				ms,
				me;
	bool		found = false;

	e.ts = j->ts;
	e.ev = j->ev;
	e.n = j->n;
	while (from < e.n && jy_pat_next(c->jp, c->scratch, &e, from, false, &ms, &me))
	{
		found = true;
		*when = j->ts[me];
		if (!last)
			break;
		from = me + 1;
	}
	return found;
}

/*
 * journey_first_fired / journey_last_fired (ts[], event[], pattern, last) and
 * (j journey, pattern, last): the time of the last event of the first (last)
 * non-overlapping match, i.e. when a rule written as a pattern fired first
 * (last); NULL when it never fired.  The C-level argument `last` selects the
 * last (true) or first (false) match.
 */
static Datum
fired_run(FunctionCallInfo fcinfo, bool arrays)
{
	bool		last = PG_GETARG_BOOL(arrays ? 3 : 2);
	ArrJourney	j;
	PatCache   *c = journey_args(fcinfo, arrays, false, &j);
	int64		when;

	if (!fired_time(c, &j, last, &when))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(when);
}

JY_FMGR_VARIANT(jy_pattern_fired, fired_run, true);
JY_FMGR_VARIANT(jy_pattern_j_fired, fired_run, false);

/* ---- paths ------------------------------------------------------------------ */

/*
 * The n events after the end (forward) or before the start (backward) of the
 * first or last match, nearest first for backward = false and in journey
 * order for backward = true; NULL when there is no match, an empty array
 * when the match touches the end (start) of the journey.
 */
static Datum
steps_around(FunctionCallInfo fcinfo, PatCache *c, ArrJourney *j, int32 n, bool backward, bool last)
{
	JyEvents	e;
	size_t		from = 0,
				ms,
				me,
				bs = 0,
				be = 0;
	bool		found = false;
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the number of steps must not be negative")));
	e.ts = j->ts;
	e.ev = j->ev;
	e.n = j->n;
	while (from < e.n && jy_pat_next(c->jp, c->scratch, &e, from, backward, &ms, &me))
	{
		found = true;
		bs = ms;
		be = me;
		if (!last)
			break;
		from = me + 1;
	}
	if (!found)
		return (Datum) 0;
	/* n is the caller's (up to 2^31 - 1): at most the journey's events are returned */
	(void) fcinfo;
	if (backward)
		return PointerGetDatum(names_array(j, bs >= (size_t) n ? bs - n : 0, bs));
	return PointerGetDatum(names_array(j, be + 1, Min(e.n, be + 1 + (size_t) n)));
}

/*
 * journey_next_events / journey_prev_events (ts[], event[], pattern, n,
 * last_match, backward) and (j journey, pattern, n, last_match, backward)
 */
static Datum
steps_run(FunctionCallInfo fcinfo, bool arrays)
{
	int			a = arrays ? 3 : 2;		/* argument n */
	ArrJourney	j;
	PatCache   *c = journey_args(fcinfo, arrays, arrays, &j);
	Datum		r;

	r = steps_around(fcinfo, c, &j, PG_GETARG_INT32(a), PG_GETARG_BOOL(a + 2), PG_GETARG_BOOL(a + 1));
	if (r == (Datum) 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(r);
}

JY_FMGR_VARIANT(jy_pattern_steps, steps_run, true);
JY_FMGR_VARIANT(jy_pattern_j_steps, steps_run, false);

/*
 * transitions between consecutive events: step, from_event, to_event, from_ts, gap
 *
 * One row per pair, so the per-row work is what counts: the name of a journey
 * value's event is one text datum per dictionary entry, built once per call,
 * and the gap is one Interval filled in place (tuplestore_putvalues copies
 * every datum into the stored tuple at once, so both can be reused).
 */
static void
emit_transitions(FunctionCallInfo fcinfo, ArrJourney *j)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		i;
	Datum	   *dict = NULL;
	Interval	gap;
	bool		nulls[6] = {false};

	if (j->view)
	{
		uint32		k;

		dict = palloc(Max(j->view->ndict, 1) * sizeof(Datum));
		for (k = 0; k < j->view->ndict; k++)
			dict[k] = PointerGetDatum(cstring_to_text_with_len(j->view->name[k], (int) j->view->name_len[k]));
	}
	gap.month = 0;
	for (i = 1; i < j->n; i++)
	{
		Datum		values[6];
		int64		d = j->ts[i] - j->ts[i - 1];

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();

		/* as jy_usecs_to_interval(d) */
		gap.day = (int32) (d / USECS_PER_DAY);
		gap.time = d % USECS_PER_DAY;
		values[0] = Int32GetDatum((int32) i);
		if (dict)
		{
			values[1] = dict[j->view->ev[i - 1]];
			values[2] = dict[j->view->ev[i]];
		}
		else
		{
			values[1] = event_name_datum(j, i - 1);
			values[2] = event_name_datum(j, i);
		}
		values[3] = TimestampTzGetDatum(j->ts[i - 1]);
		values[4] = IntervalPGetDatum(&gap);
		values[5] = Float8GetDatum((double) d / 1e6);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* an empty pattern-less view: every event is "other" for the sort (ties by name need the names) */
Datum
jy_transitions(PG_FUNCTION_ARGS)
{
	ArrayType  *tsa = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *eva = PG_GETARG_ARRAYTYPE_P(1);
	ArrJourney	j;
	Datum	   *tsd,
			   *evd;
	bool	   *tsn,
			   *evn;
	int			nts,
				i;
	NameTs	   *t;

	jy_init_row_srf(fcinfo);
	nts = event_arrays(tsa, eva, &tsd, &tsn, &evd, &evn);
	t = palloc(Max(nts, 1) * sizeof(NameTs));
	j.n = 0;
	for (i = 0; i < nts; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (tsn[i] || evn[i])
			continue;
		t[j.n].ts = DatumGetTimestampTz(tsd[i]);
		t[j.n].name = text_to_cstring(DatumGetTextPP(evd[i]));
		t[j.n].idx = i;
		j.n++;
	}
	jy_sort(t, j.n, sizeof(NameTs), namets_cmp, NULL);
	j.ts = palloc(Max(j.n, 1) * sizeof(int64));
	j.names = palloc(Max(j.n, 1) * sizeof(char *));
	j.view = NULL;
	for (i = 0; i < j.n; i++)
	{
		j.ts[i] = t[i].ts;
		j.names[i] = t[i].name;
	}
	emit_transitions(fcinfo, &j);
	return (Datum) 0;
}

Datum
jy_j_transitions(PG_FUNCTION_ARGS)
{
	JyJView    *v = palloc0(sizeof(JyJView));
	ArrJourney	j;

	jy_init_row_srf(fcinfo);
	jy_journey_view(PG_GETARG_DATUM(0), v);
	j.view = v;
	j.n = v->n;
	j.ts = v->ts;
	j.names = NULL;
	emit_transitions(fcinfo, &j);
	return (Datum) 0;
}
