/*
 * pattern_common.c — shared by the pattern aggregates and functions: the
 * compiled-pattern cache (patterns are compiled once per query, cached in
 * fn_extra keyed on the pattern text and, for sequence_*, the number of
 * conditions), engine allocation, compile-error reporting, the sort key.
 *
 * Events at the same time are ordered by name (the journey type's order) for
 * the journey language, through jy_pat_tie_key; sequence_* order them by their
 * condition mask read as a number (condition 1 = bit 0), so no answer depends
 * on the order rows arrive in (ClickHouse leaves it unspecified).
 */
#include "pattern_glue.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"


/* ---- allocation and errors ----------------------------------------------- */

void *
jy_pat_ctx_alloc(void *arg, size_t sz)
{
	return MemoryContextAllocHuge((MemoryContext) arg, sz);
}

/*
 * The pattern on one line with a caret under byte offset pos.  A long pattern
 * is shown as a window of about PAT_SHOW bytes either side of pos, with "..."
 * where it was cut (a 10 MB pattern used to be copied into the message whole).
 */
#define PAT_SHOW 80

static void
report_pattern_error(const char *pat, int len, const JyPatError *err, bool clickhouse)
{
	int			code;
	char	   *disp;
	int			i,
				n,
				col,
				pos = Min(Max(err->pos, 0), len),
				from = 0,
				to = len;

	if (len > 3 * PAT_SHOW)
	{
		/* cut on character boundaries */
		while (from < pos - PAT_SHOW)
			from += pg_mblen(pat + from);
		to = from;
		while (to < len && to < pos + PAT_SHOW)
			to += pg_mblen(pat + to);
		to = Min(to, len);
	}
	disp = palloc(to - from + 7);
	n = 0;
	if (from > 0)
	{
		memcpy(disp, "...", 3);
		n = 3;
	}
	for (i = from; i < to; i++)
		disp[n++] = (pat[i] == '\n' || pat[i] == '\r' || pat[i] == '\t') ? ' ' : pat[i];
	if (to < len)
	{
		memcpy(disp + n, "...", 3);
		n += 3;
	}
	disp[n] = '\0';
	/* the caret's column in the display; the character number counts from the start */
	col = (from > 0 ? 3 : 0) + pg_mbstrlen_with_len(pat + from, pos - from);
	switch (err->status)
	{
		case JY_PAT_LIMIT:
			code = ERRCODE_PROGRAM_LIMIT_EXCEEDED;
			break;
		case JY_PAT_UNSUPPORTED:
			code = ERRCODE_FEATURE_NOT_SUPPORTED;
			break;
		default:
			code = ERRCODE_INVALID_REGULAR_EXPRESSION;
	}
	if (err->status == JY_PAT_EMPTY)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid %spattern: %s", clickhouse ? "sequence " : "", err->msg),
				 errhint(clickhouse ? "Write at least one of (?N), . or .*."
						 : "Write at least one event name, . or a set such as [a b].")));
	ereport(ERROR,
			(errcode(code),
			 errmsg("invalid %spattern: %s", clickhouse ? "sequence " : "", err->msg),
			 errdetail("At character %d of the pattern:\n%s\n%*s^",
					   pg_mbstrlen_with_len(pat, pos) + 1, disp, col, ""),
			 err->status == JY_PAT_LIMIT ?
			 errhint("Repeat counts are limited to %d and compiled patterns to %d instructions.",
					 JY_PAT_MAX_REPEAT, JY_PAT_MAX_PROG) : 0));
}

PatCache *
jy_pat_cache_get(FmgrInfo *flinfo, const char *pat, int len, int kind, int nconds)
{
	PatCache   *c = (PatCache *) flinfo->fn_extra;
	MemoryContext cxt = flinfo->fn_mcxt;
	JyPatError	err;

	if (c && c->kind == kind && c->nconds == nconds && c->keylen == len &&
		memcmp(c->key, pat, len) == 0)
		return c;
	/* a different pattern: the old one stays allocated until the query ends (rare) */
	c = MemoryContextAllocZero(cxt, sizeof(PatCache));
	c->alloc.alloc = jy_pat_ctx_alloc;
	c->alloc.arg = cxt;
	c->kind = kind;
	c->nconds = nconds;
	if (kind == KIND_JOURNEY)
	{
		c->jp = jy_pat_compile_ex(pat, len, &c->alloc, &err, jy_tick, NULL);
		if (!c->jp)
			report_pattern_error(pat, len, &err, false);
		c->scratch = jy_pat_scratch(c->jp, &c->alloc);
		jy_pat_set_tick(c->scratch, jy_tick, NULL);
		c->skips_others = jy_pat_skips_others(c->jp);
		/* tie keys are at most 2 * nnames (<= 8192) */
		c->pl_width = 2 * jy_pat_nnames(c->jp) <= PG_UINT8_MAX ? 1 : 2;
	}
	else
	{
		c->cp = jy_ch_compile_ex(pat, len, nconds, &c->alloc, &err, jy_tick, NULL);
		if (!c->cp)
			report_pattern_error(pat, len, &err, true);
		/* condition masks: one bit per condition */
		c->pl_width = nconds <= 8 ? 1 : nconds <= 16 ? 2 : 4;
	}
	c->arg_stable = -1;
	c->key = MemoryContextAlloc(cxt, len + 1);
	memcpy(c->key, pat, len);
	c->keylen = len;
	flinfo->fn_extra = c;
	return c;
}

int
jy_pat_tsidx_cmp(const void *a, const void *b, void *arg)
{
	const TsIdx *x = a,
			   *y = b;

	(void) arg;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}
