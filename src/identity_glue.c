/*
 * identity_glue.c — identity stitching (engine: src/engine/identity.c):
 *
 *   journey_identity_stitch(links text, priority text[], max_per_person int[])
 *   journey_identity_refused(links text, priority text[], max_per_person int[])
 *   journey_identity_merge(persons text, links text, priority text[], max_per_person int[])
 *
 * The link (and person) sets arrive as queries, read through a read-only SPI
 * cursor in batches, the way pgRouting's graph functions take their edges:
 * no intermediate array and no 1 GB value limit.  The union-find lives in its
 * own memory context (huge allocations allowed), freed before returning.
 */
#include "journey.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "identity.h"
#include "jy_agg.h"

PG_FUNCTION_INFO_V1(jy_identity_stitch);
PG_FUNCTION_INFO_V1(jy_identity_refused);
PG_FUNCTION_INFO_V1(jy_identity_merge);

#define FETCH_BATCH 10000

static void *
mem_resize(void *arg, void *p, size_t n)
{
	if (p == NULL)
		return MemoryContextAllocExtended((MemoryContext) arg, n, MCXT_ALLOC_HUGE);
	return repalloc_huge(p, n);
}

static void
mem_release(void *arg, void *p)
{
	(void) arg;
	pfree(p);
}

/* priority and limits: validated, into C strings and int32 limits */
static JyIdGraph *
new_graph(FunctionCallInfo fcinfo, int prio_arg, MemoryContext cxt)
{
	int			nprio = 0;
	char	  **names = NULL;
	int32	   *limits = NULL;
	JyIdMem		m = {mem_resize, mem_release, cxt};
	int			i,
				j;

	if (!PG_ARGISNULL(prio_arg))
	{
		ArrayType  *a = PG_GETARG_ARRAYTYPE_P(prio_arg);
		Datum	   *d;
		bool	   *nulls;

		if (ARR_NDIM(a) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("priority must be a one-dimensional array")));
		deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &d, &nulls, &nprio);
		if (nprio > JY_ID_MAX_KINDS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many identifier kinds in priority"),
					 errdetail("At most %d kinds are allowed; %d were given.", JY_ID_MAX_KINDS, nprio)));
		names = palloc(sizeof(char *) * (nprio + 1));
		for (i = 0; i < nprio; i++)
		{
			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("priority must not contain NULL")));
			names[i] = TextDatumGetCString(d[i]);
			if (strlen(names[i]) >= JY_ID_MAX_KIND_LEN)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("identifier kind is too long"),
						 errdetail("Kind names are at most %d bytes.", JY_ID_MAX_KIND_LEN - 1)));
			for (j = 0; j < i; j++)
				if (strcmp(names[i], names[j]) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("identifier kind \"%s\" appears twice in priority", names[i])));
		}
	}
	if (!PG_ARGISNULL(prio_arg + 1))
	{
		ArrayType  *a = PG_GETARG_ARRAYTYPE_P(prio_arg + 1);
		Datum	   *d;
		bool	   *nulls;
		int			n;

		if (ARR_NDIM(a) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("max_per_person must be a one-dimensional array")));
		deconstruct_array(a, INT4OID, 4, true, TYPALIGN_INT, &d, &nulls, &n);
		if (n != nprio)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("max_per_person must have one element per priority kind"),
					 errdetail("priority has %d elements, max_per_person has %d.", nprio, n),
					 errhint("Use NULL elements for kinds without a limit.")));
		limits = palloc(sizeof(int32) * (n + 1));
		for (i = 0; i < n; i++)
		{
			limits[i] = nulls[i] ? -1 : DatumGetInt32(d[i]);
			if (!nulls[i] && limits[i] < 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("max_per_person elements must be at least 1"),
						 errdetail("Element %d is %d.", i + 1, limits[i])));
		}
	}
	return jy_id_new(&m, nprio, (const char *const *) names, limits);
}

static void limit_exceeded(const char *msg, const char *detail) pg_attribute_noreturn();

/* 54000 for a limit of the engine */
static void
limit_exceeded(const char *msg, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s", msg),
			 errdetail("%s", detail)));
}

static void
check_status(JyIdStatus st)
{
	switch (st)
	{
		case JY_ID_OK:
			return;
		case JY_ID_TOO_MANY_KINDS:
			limit_exceeded("too many distinct identifier kinds",
						   psprintf("At most %d kinds are supported.", JY_ID_MAX_KINDS));
		case JY_ID_KIND_TOO_LONG:
			limit_exceeded("identifier kind is too long",
						   psprintf("Kind names are at most %d bytes.", JY_ID_MAX_KIND_LEN - 1));
		case JY_ID_VALUE_TOO_LONG:
			limit_exceeded("identifier is too long",
						   psprintf("Identifiers are at most %d bytes.", JY_ID_MAX_VALUE_LEN));
		case JY_ID_TOO_MANY_NODES:
			limit_exceeded("too many distinct identifiers",
						   psprintf("At most %u identifiers are supported in one call.", JY_ID_MAX_NODES));
		case JY_ID_CONFLICT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("an identifier has two different persons in the persons query"),
					 errhint("Each identifier must appear with one person_id only.")));
			break;
	}
}

static bool
is_text_type(Oid t)
{
	return t == TEXTOID || t == VARCHAROID || t == BPCHAROID || t == NAMEOID;
}

/* open a read-only cursor on a query whose first ntext columns are text (and optionally a timestamptz after) */
static Portal
open_query(FunctionCallInfo fcinfo, int argno, const char *what, int ntext, bool allow_ts, bool *has_ts)
{
	char	   *q;
	SPIPlanPtr	plan;
	Portal		portal;
	TupleDesc	td;
	int			i;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s query must not be NULL", what)));
	q = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	plan = SPI_prepare(q, 0, NULL);
	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not prepare the %s query: %s", what, SPI_result_code_string(SPI_result))));
	if (!SPI_is_cursor_plan(plan))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s query must be a single SELECT returning rows", what)));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	td = portal->tupDesc;
	if (td->natts < ntext || td->natts > ntext + (allow_ts ? 1 : 0))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg(allow_ts ? "the %s query must return %d text columns and optionally a timestamptz column" :
						"the %s query must return %d text columns", what, ntext),
				 errdetail("It returns %d columns.", td->natts)));
	for (i = 0; i < ntext; i++)
		if (!is_text_type(TupleDescAttr(td, i)->atttypid))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column %d of the %s query has type %s", i + 1, what,
							format_type_be(TupleDescAttr(td, i)->atttypid)),
					 errdetail("Columns 1 to %d must be text.", ntext),
					 errhint("Cast the column to text.")));
	*has_ts = false;
	if (td->natts == ntext + 1)
	{
		if (TupleDescAttr(td, ntext)->atttypid != TIMESTAMPTZOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column %d of the %s query has type %s", ntext + 1, what,
							format_type_be(TupleDescAttr(td, ntext)->atttypid)),
					 errdetail("The optional last column must be timestamptz.")));
		*has_ts = true;
	}
	return portal;
}

/* text datum of a column as bytes (NULL -> false) */
static bool
get_bytes(HeapTuple tup, TupleDesc td, int col, const char **p, size_t *n)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, td, col, &isnull);

	if (isnull)
		return false;
	if (TupleDescAttr(td, col - 1)->atttypid == NAMEOID)
	{
		*p = NameStr(*DatumGetName(d));
		*n = strlen(*p);
	}
	else if (TupleDescAttr(td, col - 1)->atttypid == BPCHAROID)
	{
		text	   *t = DatumGetTextPP(d);

		*p = VARDATA_ANY(t);
		*n = bpchartruelen((char *) *p, VARSIZE_ANY_EXHDR(t));
	}
	else
	{
		text	   *t = DatumGetTextPP(d);

		*p = VARDATA_ANY(t);
		*n = VARSIZE_ANY_EXHDR(t);
	}
	return true;
}

static bool
get_node(JyIdGraph *g, HeapTuple tup, TupleDesc td, int kcol, uint32 *node, const char *what, int64 row)
{
	const char *k,
			   *v;
	size_t		kl,
				vl;
	bool		hk = get_bytes(tup, td, kcol, &k, &kl);
	bool		hv = get_bytes(tup, td, kcol + 1, &v, &vl);

	if (hk != hv)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("row " INT64_FORMAT " of the %s query has a NULL kind or identifier but not both", row, what),
				 errdetail("An identifier is a (kind, identifier) pair; a side of a link is either both NULL or both set.")));
	if (!hk)
		return false;
	check_status(jy_id_node(g, k, kl, v, vl, node));
	return true;
}

/* every row of the cursor through fn (rows numbered from 1, allocations in cxt); closes it */
typedef void (*RowFn) (HeapTuple tup, TupleDesc td, int64 row, void *arg);

static void
scan_query(Portal portal, MemoryContext cxt, RowFn fn, void *arg)
{
	int64		row = 0;

	for (;;)
	{
		MemoryContext old;

		SPI_cursor_fetch(portal, true, FETCH_BATCH);
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(cxt);
		for (uint64 i = 0; i < SPI_processed; i++)
			fn(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, ++row, arg);
		MemoryContextSwitchTo(old);
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
}

typedef struct LinkScan
{
	JyIdGraph  *g;
	bool		has_ts;
} LinkScan;

static void
link_row(HeapTuple tup, TupleDesc td, int64 row, void *arg)
{
	LinkScan   *ls = (LinkScan *) arg;
	uint32		a = 0,
				b = 0;
	bool		ha = get_node(ls->g, tup, td, 1, &a, "links", row);
	bool		hb = get_node(ls->g, tup, td, 3, &b, "links", row);
	int64		ts = PG_INT64_MIN;

	if (ls->has_ts)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(tup, td, 5, &isnull);

		if (!isnull)
			ts = DatumGetTimestampTz(d);
	}
	if (ha && hb)
		jy_id_link(ls->g, a, b, ts, (uint64) row);
}

/* read the links query into the graph and apply it */
static void
read_links(FunctionCallInfo fcinfo, int argno, JyIdGraph *g, MemoryContext cxt)
{
	LinkScan	ls = {g, false};
	Portal		portal = open_query(fcinfo, argno, "links", 4, true, &ls.has_ts);
	MemoryContext old;

	scan_query(portal, cxt, link_row, &ls);
	old = MemoryContextSwitchTo(cxt);
	jy_id_apply(g, jy_tick, NULL);
	MemoryContextSwitchTo(old);
}

static void
person_row(HeapTuple tup, TupleDesc td, int64 row, void *arg)
{
	JyIdGraph  *g = (JyIdGraph *) arg;
	uint32		a = 0,
				p = 0;

	if (!get_node(g, tup, td, 1, &a, "persons", row) ||
		!get_node(g, tup, td, 3, &p, "persons", row))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("row " INT64_FORMAT " of the persons query has NULL values", row),
				 errdetail("Every persons row needs kind, identifier, person_kind and person_id.")));
	check_status(jy_id_existing(g, a, p));
}

static Datum
bytes_datum(const char *p, size_t n)
{
	return PointerGetDatum(cstring_to_text_with_len(p, (int) n));
}

/*
 * Start a call: the result set, the graph (with the priority and limit
 * arguments at prio_arg, prio_arg + 1) in its own context *cxt, and SPI.
 */
static JyIdGraph *
begin_graph(FunctionCallInfo fcinfo, int prio_arg, MemoryContext *cxt)
{
	JyIdGraph  *g;

	InitMaterializedSRF(fcinfo, 0);
	*cxt = AllocSetContextCreate(CurrentMemoryContext, "journey identity graph", ALLOCSET_DEFAULT_SIZES);
	g = new_graph(fcinfo, prio_arg, *cxt);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	return g;
}

/* one output row per identifier: kind, identifier, person_kind, person_id [, previous kind, previous id] */
static void
emit_members(FunctionCallInfo fcinfo, JyIdGraph *g, bool changes_only)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	uint32		n = jy_id_nnodes(g),
				i;
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "journey identity row", ALLOCSET_SMALL_SIZES);

	for (i = 0; i < n; i++)
	{
		Datum		values[6];
		bool		nulls[6] = {false, false, false, false, false, false};
		uint32		p = jy_id_person(g, i);
		uint32		prev = jy_id_previous(g, i);
		const char *k,
				   *v;
		size_t		kl,
					vl;
		MemoryContext old;

		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
		if (changes_only && prev == p)
			continue;
		old = MemoryContextSwitchTo(rowcxt);
		jy_id_get(g, i, &k, &kl, &v, &vl);
		values[0] = bytes_datum(k, kl);
		values[1] = bytes_datum(v, vl);
		jy_id_get(g, p, &k, &kl, &v, &vl);
		values[2] = bytes_datum(k, kl);
		values[3] = bytes_datum(v, vl);
		if (changes_only)
		{
			if (prev == JY_ID_NONE)
				nulls[4] = nulls[5] = true;
			else
			{
				jy_id_get(g, prev, &k, &kl, &v, &vl);
				values[4] = bytes_datum(k, kl);
				values[5] = bytes_datum(v, vl);
			}
		}
		MemoryContextSwitchTo(old);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextReset(rowcxt);
	}
	MemoryContextDelete(rowcxt);
}

Datum
jy_identity_stitch(PG_FUNCTION_ARGS)
{
	MemoryContext cxt;
	JyIdGraph  *g;

	g = begin_graph(fcinfo, 1, &cxt);
	read_links(fcinfo, 0, g, cxt);
	SPI_finish();
	emit_members(fcinfo, g, false);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

Datum
jy_identity_refused(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext cxt;
	JyIdGraph  *g;
	size_t		i,
				n;

	g = begin_graph(fcinfo, 1, &cxt);
	read_links(fcinfo, 0, g, cxt);
	SPI_finish();
	n = jy_id_nrefused(g);
	for (i = 0; i < n; i++)
	{
		Datum		values[8];
		bool		nulls[8] = {false, false, false, false, false, false, false, false};
		const char *k,
				   *v;
		size_t		kl,
					vl;
		int32		limit;
		const JyIdLink *l = jy_id_refused(g, i, &k, &kl, &limit);

		values[6] = bytes_datum(k, kl);
		values[7] = Int32GetDatum(limit);
		values[5] = Int64GetDatum((int64) l->seq);
		nulls[4] = l->ts == PG_INT64_MIN;
		values[4] = TimestampTzGetDatum(l->ts);
		jy_id_get(g, l->a, &k, &kl, &v, &vl);
		values[0] = bytes_datum(k, kl);
		values[1] = bytes_datum(v, vl);
		jy_id_get(g, l->b, &k, &kl, &v, &vl);
		values[2] = bytes_datum(k, kl);
		values[3] = bytes_datum(v, vl);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextDelete(cxt);
	return (Datum) 0;
}

Datum
jy_identity_merge(PG_FUNCTION_ARGS)
{
	MemoryContext cxt;
	JyIdGraph  *g;
	bool		has_ts;
	Portal		portal;

	g = begin_graph(fcinfo, 2, &cxt);
	portal = open_query(fcinfo, 0, "persons", 4, false, &has_ts);
	scan_query(portal, cxt, person_row, g);
	read_links(fcinfo, 1, g, cxt);
	SPI_finish();
	emit_members(fcinfo, g, true);
	MemoryContextDelete(cxt);
	return (Datum) 0;
}
