/*
 * jy_agg.c — the aggregate toolkit (jy_agg.h).
 */
#include "jy_agg.h"

#include "common/int.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "jy_sort.h"

MemoryContext
jy_agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		elog(ERROR, "%s called in non-aggregate context", fn);
	return cxt;
}

void *
jy_agg_final_state(FunctionCallInfo fcinfo, const char *fn)
{
	(void) jy_agg_context(fcinfo, fn);
	return PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0);
}

Datum
jy_agg_unchanged(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

struct varlena *
jy_agg_merge_arg(FunctionCallInfo fcinfo, bool *inplace)
{
	Datum		ad = PG_GETARG_DATUM(0);
	struct varlena *a = PG_DETOAST_DATUM(ad);

	*inplace = AggCheckCallContext(fcinfo, NULL) && (Pointer) a == DatumGetPointer(ad);
	return a;
}

#define JY_GROW_MIN 8

int64
jy_grow_cap(int64 cap, int64 need, int64 limit, const char *what, const char *per)
{
	int64		c;

	if (need > limit)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many %s", what),
				 errdetail("The limit is " INT64_FORMAT " %s.", limit, per)));
	c = cap > limit / 2 ? limit : Max(cap * 2, (int64) JY_GROW_MIN);
	return Min(Max(need, c), limit);
}

int64
jy_class_cap(const uint32 *caps, int ncaps, int64 cap, int64 need,
			 int64 limit, const char *what, const char *per)
{
	int			i;

	for (i = 0; i < ncaps; i++)
		if ((int64) caps[i] >= need)
			return caps[i];
	return jy_grow_cap(cap, need, limit, what, per);
}

void *
jy_grow(MemoryContext cxt, void *p, int64 *cap, int64 need, Size elemsize,
		int64 limit, const char *what, const char *per)
{
	int64		c;

	if (need <= *cap && p != NULL)
		return p;
	/* the byte size must stay below palloc's huge limit whatever limit says */
	limit = Min(limit, (int64) (MaxAllocHugeSize / elemsize));
	c = jy_grow_cap(*cap, need, limit, what, per);
	if (p == NULL)
		p = MemoryContextAllocHuge(cxt, (Size) c * elemsize);
	else
		p = repalloc_huge(p, (Size) c * elemsize);
	*cap = c;
	return p;
}

void
jy_tick(void *arg)
{
	(void) arg;
	CHECK_FOR_INTERRUPTS();
}

void
jy_sort(void *base, int64 n, Size size, int (*cmp) (const void *, const void *, void *), void *cmp_arg)
{
	void	   *scratch = n > JY_SORT_RUN ? palloc_extended((Size) n * size, MCXT_ALLOC_HUGE) : NULL;

	jy_sort_ex(base, (size_t) n, size, cmp, cmp_arg, scratch, jy_tick, NULL);
	if (scratch)
		pfree(scratch);
}

/* r, or 22003 with msg when the operation overflowed */
static int64
checked(bool overflow, int64 r, const char *msg)
{
	if (overflow)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s", msg)));
	return r;
}

int64
jy_add_checked(int64 a, int64 b, const char *msg)
{
	int64		r;
	bool		overflow = pg_add_s64_overflow(a, b, &r);

	return checked(overflow, r, msg);
}

int64
jy_mul_checked(int64 a, int64 b, const char *msg)
{
	int64		r;
	bool		overflow = pg_mul_s64_overflow(a, b, &r);

	return checked(overflow, r, msg);
}

void
jy_arg_differs(const char *what, const char *scope, const char *detail_fmt,...)
{
	StringInfoData detail;

	if (detail_fmt == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be the same for every row of a %s", what, scope)));
	initStringInfo(&detail);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, detail_fmt);
		needed = appendStringInfoVA(&detail, detail_fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&detail, needed);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be the same for every row of a %s", what, scope),
			 errdetail("%s", detail.data)));
}

bool
jy_arg_stable(FunctionCallInfo fcinfo, int argno)
{
	return PG_NARGS() <= argno || get_fn_expr_arg_stable(fcinfo->flinfo, argno);
}

void
jy_serial_begin(StringInfo buf, Size bytes, const char *what)
{
	if (bytes > MaxAllocSize - VARHDRSZ - 1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s too large to pass between parallel workers", what)));
	pq_begintypsend(buf);
	enlargeStringInfo(buf, (int) bytes);
}

void
jy_deserial_begin(FunctionCallInfo fcinfo, StringInfo buf, const char *fn)
{
	bytea	   *in;

	(void) jy_agg_context(fcinfo, fn);
	in = PG_GETARG_BYTEA_PP(0);
	buf->data = VARDATA_ANY(in);
	buf->len = VARSIZE_ANY_EXHDR(in);
	buf->maxlen = buf->len;
	buf->cursor = 0;
}

void
jy_deserial_end(StringInfo buf)
{
	pq_getmsgend(buf);
}

/* ---- per-group blocks (jy_slab) ------------------------------------------ */

#define JY_SLAB_NLIST (JY_SLAB_SMALL_CHUNK / 8 + 1)
#define JY_SLAB_BLOCK_MIN ((Size) 1024)	/* a group context (sorted grouping) starts small */
#define JY_SLAB_BLOCK_MAX ((Size) 1048576)

struct JySlabSlot
{
	MemoryContext cxt;
	JySlab	   *slab;			/* NULL when cxt was reset or deleted */
	JySlabSlot *next;
};

struct JySlab
{
	MemoryContext cxt;
	char	   *blk;			/* current block */
	Size		used,
				size;
	JySlabSlot *slot;			/* NULL: owned by the caller (jy_slab_create) */
	MemoryContextCallback cb;
	void	   *free[JY_SLAB_NLIST];	/* per size / 8: freed blocks */
	Size		large_size[JY_SLAB_NLARGE];	/* 0: unused list */
	void	   *large_free[JY_SLAB_NLARGE];
};

static void
jy_slab_forget(void *arg)
{
	JySlab	   *s = (JySlab *) arg;

	if (s->slot->slab == s)
		s->slot->slab = NULL;
}

JySlab *
jy_slab_create(MemoryContext cxt)
{
	JySlab	   *s = (JySlab *) MemoryContextAllocZero(cxt, sizeof(JySlab));

	s->cxt = cxt;
	return s;
}

JySlab *
jy_slab_get(JySlabSlot **slots, MemoryContext slotcxt, MemoryContext aggcxt)
{
	JySlabSlot *sl,
			   *free_slot = NULL;
	JySlab	   *s;

	for (sl = *slots; sl != NULL; sl = sl->next)
	{
		if (sl->slab != NULL && sl->cxt == aggcxt)
			return sl->slab;
		if (sl->slab == NULL && free_slot == NULL)
			free_slot = sl;
	}
	if (free_slot == NULL)
	{
		free_slot = (JySlabSlot *) MemoryContextAllocZero(slotcxt, sizeof(JySlabSlot));
		free_slot->next = *slots;
		*slots = free_slot;
	}
	s = jy_slab_create(aggcxt);
	s->slot = free_slot;
	s->cb.func = jy_slab_forget;
	s->cb.arg = s;
	MemoryContextRegisterResetCallback(aggcxt, &s->cb);
	free_slot->cxt = aggcxt;
	free_slot->slab = s;
	return s;
}

/* the free list of a size above JY_SLAB_SMALL_CHUNK, NULL when there is none (add: claim one) */
static void **
jy_slab_large_list(JySlab *s, Size bytes, bool add)
{
	int			i;

	for (i = 0; i < JY_SLAB_NLARGE; i++)
	{
		if (s->large_size[i] == bytes)
			return &s->large_free[i];
		if (s->large_size[i] == 0)
		{
			if (!add)
				return NULL;
			s->large_size[i] = bytes;
			return &s->large_free[i];
		}
	}
	return NULL;
}

void *
jy_slab_alloc(JySlab *s, Size bytes)
{
	void	  **list;
	void	   *p;

	bytes = MAXALIGN(bytes);
	if (bytes > JY_SLAB_MAX_CHUNK)
		return MemoryContextAllocExtended(s->cxt, bytes, MCXT_ALLOC_HUGE);
	list = bytes <= JY_SLAB_SMALL_CHUNK ? &s->free[bytes / 8] : jy_slab_large_list(s, bytes, false);
	if (list != NULL && *list != NULL)
	{
		p = *list;
		*list = *(void **) p;
		return p;
	}
	if (s->size - s->used < bytes)
	{
		/* the tail of the old block (less than JY_SLAB_MAX_CHUNK) is left unused */
		s->size = Max(Min(Max(s->size * 2, JY_SLAB_BLOCK_MIN), JY_SLAB_BLOCK_MAX), bytes);
		s->blk = (char *) MemoryContextAlloc(s->cxt, s->size);
		s->used = 0;
	}
	p = s->blk + s->used;
	s->used += bytes;
	return p;
}

void
jy_slab_free(JySlab *s, void *p, Size bytes)
{
	void	  **list;

	bytes = MAXALIGN(bytes);
	if (bytes > JY_SLAB_MAX_CHUNK)
	{
		pfree(p);
		return;
	}
	if (bytes < sizeof(void *))
		return;
	list = bytes <= JY_SLAB_SMALL_CHUNK ? &s->free[bytes / 8] : jy_slab_large_list(s, bytes, true);
	if (list != NULL)
	{
		*(void **) p = *list;
		*list = p;
	}
}

void *
jy_slab_move(JySlab *s, void *p, Size keep_bytes, Size old_bytes, Size new_bytes)
{
	void	   *x = jy_slab_alloc(s, new_bytes);

	memcpy(x, p, keep_bytes);
	jy_slab_free(s, p, old_bytes);
	return x;
}
