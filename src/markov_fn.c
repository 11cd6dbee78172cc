/*
 * markov_fn.c — functions of a journey_markov_chain:
 *   journey_markov_credits(chain) journey_channel_credit[] (also the final
 *       function of journey_markov_attribution): removal effects solved
 *       exactly (engine: jy_mk_solve_k in src/engine/attribution.c)
 *   journey_markov_credit(channels, converted, credits): one conversion's
 *       touches credited by their channels' removal effects
 */
#include "attribution_glue.h"

#include <math.h>

#include "access/htup_details.h"
#include "executor/executor.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(jy_markov_credits);
PG_FUNCTION_INFO_V1(jy_markov_credit);

typedef struct MkSolved
{
	int			nch;
	double		p;
	double	   *re;				/* removal effect per channel (name order) */
} MkSolved;

static void
mk_solve(const JyMkFlat *f, MkSolved *out)
{
	int			c;
	size_t		ns = jy_mk_count_states(f->order, (size_t) f->ngrams, JY_MKC_SYM(f));
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
	cnt = palloc_extended(sizeof(double) * Max(f->ngrams, 1), MCXT_ALLOC_HUGE);
	for (i = 0; i < f->ngrams; i++)
		cnt[i] = (double) JY_MKC_CNT(f)[i];
	pw = palloc(sizeof(double) * Max(f->nchannels, 1));
	work = palloc_extended(jy_mk_work_bytes(ns, (size_t) f->ngrams), MCXT_ALLOC_HUGE);
	jy_mk_solve_k(f->order, f->nchannels, (size_t) f->ngrams, JY_MKC_SYM(f), cnt, ns, &out->p, pw, work, jy_tick, NULL);
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
	JyMkFlat   *f;
	MkSolved	s;
	int			c;
	double		sumre = 0;
	Datum	   *rows;
	Oid			elemtype;
	TupleDesc	td;
	const char *p;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	f = DatumGetMkFlatP(PG_GETARG_DATUM(0));
	if (f->nchannels == 0)
		PG_RETURN_NULL();
	mk_solve(f, &s);
	for (c = 0; c < s.nch; c++)
		sumre += s.re[c];
	td = jy_attr_result_element_desc(fcinfo, &elemtype);
	rows = palloc(sizeof(Datum) * s.nch);
	p = JY_MKC_NAMES(f);
	for (c = 0; c < s.nch; c++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		double		share = sumre > 0 ? s.re[c] / sumre : 0.0;
		uint32		len;
		const char *name = jy_mkc_next_name(&p, &len);

		values[0] = PointerGetDatum(cstring_to_text_with_len(name, (int) len));
		values[1] = Float8GetDatum(s.re[c]);
		values[2] = Float8GetDatum((double) f->conversions * share);
		values[3] = Float8GetDatum(f->revenue * share);
		values[4] = Float8GetDatum(share);
		rows[c] = HeapTupleGetDatum(heap_form_tuple(td, values, nulls));
	}
	PG_RETURN_ARRAYTYPE_P(jy_attr_rows_array(rows, s.nch, elemtype));
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
	ch = jy_attr_channels_arg(fcinfo, 0, &n);
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
		ch[0] = CStringGetTextDatum(JY_DIRECT_NONE);
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
			uint32		s = jy_attr_name_hash(crname[j], crlen[j]) & (hcap - 1);

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
			uint32		s = jy_attr_name_hash(VARDATA_ANY(t), len) & (hcap - 1);

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
