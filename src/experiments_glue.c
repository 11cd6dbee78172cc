/*
 * experiments_glue.c — A/B(/n) significance inside PostgreSQL (thin glue over
 * src/engine/experiments.c).
 *
 *   ab_counts(variant text, converted boolean)            aggregate -> jsonb
 *   ab_counts(variant text, users bigint, conversions bigint)  aggregate -> jsonb
 *   ab_readout(counts jsonb, control, alpha, prior_alpha, prior_beta)  SETOF rows
 *   ab_chisq(counts jsonb), ab_ztest(...), ab_prob_beats(...),
 *   ab_expected_loss(...), ab_sample_size(...), ab_mde(...)
 *
 * The summary is a jsonb object {"variant": [users, conversions], ...}: a
 * real varlena type with lossless text I/O, so a distributed planner can ship
 * it, and a stored summary per variant can be edited or merged in SQL.
 */
#include "journey.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"

#include "experiments.h"
#include "jy_agg.h"

/* exact Bayesian sums run over at most this many terms (about 0.5 s) */
#define AB_MAX_TERMS 1e8

/* ---- aggregate ---------------------------------------------------------- */

typedef struct AbState
{
	int			n;
	int			last;
	int64		cap;
	JyAbArm    *arms;
} AbState;

static AbState *
ab_state(FunctionCallInfo fcinfo, MemoryContext *aggcxt)
{
	*aggcxt = jy_agg_context(fcinfo, "ab_counts transition function");
	if (PG_ARGISNULL(0))
		return MemoryContextAllocZero(*aggcxt, sizeof(AbState));
	return (AbState *) PG_GETARG_POINTER(0);
}

static void ab_too_many_variants(void) pg_attribute_noreturn();

static void
ab_too_many_variants(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("too many variants"),
			 errdetail("An A/B summary holds at most %d variants.", JY_AB_MAX_ARMS)));
}

static JyAbArm *
ab_arm(AbState *st, MemoryContext aggcxt, text *name)
{
	const char *s = VARDATA_ANY(name);
	size_t		len = VARSIZE_ANY_EXHDR(name);
	JyAbArm    *a;

	if (st->last < st->n && st->arms[st->last].len == len && memcmp(st->arms[st->last].name, s, len) == 0)
		return &st->arms[st->last];
	for (int i = 0; i < st->n; i++)
		if (st->arms[i].len == len && memcmp(st->arms[i].name, s, len) == 0)
		{
			st->last = i;
			return &st->arms[i];
		}
	if (memchr(s, '\0', len) != NULL)	/* cannot happen for text; be safe */
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("variant name contains a NUL byte")));
	if (st->n >= JY_AB_MAX_ARMS)
		ab_too_many_variants();
	st->arms = jy_grow(aggcxt, st->arms, &st->cap, st->n + 1, sizeof(JyAbArm),
					   JY_AB_MAX_ARMS, "variants", "variants");
	a = &st->arms[st->n];
	{
		char	   *copy = MemoryContextAlloc(aggcxt, len + 1);

		memcpy(copy, s, len);
		copy[len] = '\0';
		a->name = copy;
	}
	a->len = len;
	a->users = 0;
	a->conversions = 0;
	st->last = st->n++;
	return a;
}

static void
ab_add(JyAbArm *a, double users, double conv)
{
	if (a->users + users > JY_AB_MAX_COUNT)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("too many users in one variant"),
				 errdetail("A variant counts at most 2^53 users.")));
	a->users += users;
	a->conversions += conv;
}

PG_FUNCTION_INFO_V1(jy_sql_ab_counts_trans);
Datum
jy_sql_ab_counts_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	AbState    *st = ab_state(fcinfo, &aggcxt);

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		JyAbArm    *a = ab_arm(st, aggcxt, PG_GETARG_TEXT_PP(1));

		ab_add(a, 1, PG_GETARG_BOOL(2) ? 1 : 0);
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(jy_sql_ab_counts_trans3);
Datum
jy_sql_ab_counts_trans3(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	AbState    *st = ab_state(fcinfo, &aggcxt);

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2) && !PG_ARGISNULL(3))
	{
		int64		users = PG_GETARG_INT64(2);
		int64		conv = PG_GETARG_INT64(3);
		JyAbArm    *a;

		if (users < 0 || conv < 0 || conv > users || (double) users > JY_AB_MAX_COUNT)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid counts: %lld users, %lld conversions", (long long) users, (long long) conv),
					 errdetail("Users and conversions must satisfy 0 <= conversions <= users <= 2^53.")));
		a = ab_arm(st, aggcxt, PG_GETARG_TEXT_PP(1));
		ab_add(a, (double) users, (double) conv);
	}
	PG_RETURN_POINTER(st);
}

static Datum
ab_to_jsonb(JyAbArm *arms, int n)
{
	char	   *buf;

	if (jy_ab_sort(arms, n) >= 0)
		elog(ERROR, "duplicate variant in an A/B state");
	buf = palloc(jy_ab_print_size(arms, n));
	jy_ab_print(arms, n, buf);
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf));
}

PG_FUNCTION_INFO_V1(jy_sql_ab_counts_final);
Datum
jy_sql_ab_counts_final(PG_FUNCTION_ARGS)
{
	AbState    *st;
	JyAbArm    *copy;

	st = jy_agg_final_state(fcinfo, "ab_counts final function");
	if (st == NULL)
		PG_RETURN_NULL();
	/* sort a copy: the state (and its "last" cache) stays as it was */
	copy = palloc(sizeof(JyAbArm) * Max(st->n, 1));
	memcpy(copy, st->arms, sizeof(JyAbArm) * st->n);
	PG_RETURN_DATUM(ab_to_jsonb(copy, st->n));
}

/* ---- reading a summary -------------------------------------------------- */

static int
ab_parse_jsonb(Jsonb *jb, JyAbArm **arms_out)
{
	char	   *txt = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	size_t		len = strlen(txt);
	JyAbArm    *arms = palloc(sizeof(JyAbArm) * (len / 8 + 1));
	char	   *names = palloc(len + 1);
	const char *reason = NULL;
	size_t		pos = 0;
	int			n = jy_ab_parse(txt, len, arms, names, &reason, &pos);

	if (n == -2)
		ab_too_many_variants();
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid A/B counts: %s", reason),
				 errdetail("At character %zu of %s.", pos + 1, len > 200 ? "the summary" : txt),
				 errhint("An A/B summary is a jsonb object {\"variant\": [users, conversions], ...} with integer counts, conversions <= users <= 2^53.")));
	*arms_out = arms;
	return n;
}

/*
 * A float8 argument in (0, max), or (0, max] when max_ok; out of range (or
 * NaN): 22023 "<name> must be <range>".
 */
static double
ab_float_arg(FunctionCallInfo fcinfo, int argno, const char *name, double max, bool max_ok, const char *range)
{
	double		v = PG_GETARG_FLOAT8(argno);

	if (!(v > 0.0 && (v < max || (max_ok && v == max))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be %s", name, range),
				 errdetail("Got %g.", v)));
	return v;
}

/* a probability strictly between 0 and 1 (alpha, power, baseline rate) */
static double
ab_unit_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	return ab_float_arg(fcinfo, argno, name, 1.0, false, "between 0 and 1 (exclusive)");
}

/* a Beta prior parameter */
static double
ab_prior_arg(FunctionCallInfo fcinfo, int argno, const char *name)
{
	return ab_float_arg(fcinfo, argno, name, 1e15, true, "positive and at most 1e15");
}

/* (conversions, users) arguments at argno, argno + 1 */
static void
ab_counts_args(FunctionCallInfo fcinfo, int argno, double *conv, double *users)
{
	int64		c = PG_GETARG_INT64(argno);
	int64		n = PG_GETARG_INT64(argno + 1);

	if (n < 0 || c < 0 || c > n || (double) n > JY_AB_MAX_COUNT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid counts: %lld conversions of %lld users", (long long) c, (long long) n),
				 errdetail("Counts must satisfy 0 <= conversions <= users <= 2^53.")));
	*conv = (double) c;
	*users = (double) n;
}

/*
 * P(best) and expected loss of every arm by quadrature (any real posterior
 * parameters); -2 when out of the quadrature's range (more than
 * JY_AB_MAX_BEST_ARMS arms or a posterior parameter above
 * JY_AB_MAX_BEST_PARAM), errors when it does not converge.
 */
static int
ab_best(int k, const double *a, const double *b, double *pbest, double *loss)
{
	void	   *work;
	int			rc;

	if (k > JY_AB_MAX_BEST_ARMS)
		return -2;
	for (int j = 0; j < k; j++)
		if (!(a[j] <= JY_AB_MAX_BEST_PARAM && b[j] <= JY_AB_MAX_BEST_PARAM))
			return -2;
	work = palloc0(jy_ab_best_worksize(k));
	rc = jy_ab_best(k, a, b, pbest, loss, work, jy_tick, NULL);
	pfree(work);
	if (rc == -1)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("Bayesian quadrature did not reach its tolerance"),
				 errdetail("The adaptive integration of P(best) and the expected loss stopped at its interval budget before the error estimate fell below 1e-12 relative.")));
	return rc;
}

static void
ab_bayes_out_of_reach(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("exact Bayesian comparison out of reach"),
			 errdetail("The closed-form sum needs one posterior parameter (prior + conversions, or prior + non-conversions) to be an integer of at most %.0f; the quadrature needs every posterior parameter to be at most %.0f.",
					   AB_MAX_TERMS, JY_AB_MAX_BEST_PARAM),
			 errhint("Use the z-test for counts this large.")));
}

static double
ab_bayes(int which, double ca, double na, double cb, double nb, double pa, double pb)
{
	double		v;
	int			rc;

	if (which == 0)
		rc = jy_ab_prob_beats(ca, na, cb, nb, pa, pb, AB_MAX_TERMS, &v, jy_tick, NULL);
	else
		rc = jy_ab_expected_loss(ca, na, cb, nb, pa, pb, AB_MAX_TERMS, &v, jy_tick, NULL);
	if (rc < 0)
	{
		/* no integer posterior parameter in reach (e.g. Jeffreys priors): quadrature */
		double		a[2] = {pa + ca, pa + cb};
		double		b[2] = {pb + na - ca, pb + nb - cb};
		double		pbest[2], loss[2];

		if (ab_best(2, a, b, pbest, loss) < 0)
			ab_bayes_out_of_reach();
		v = which == 0 ? pbest[1] : loss[1];
	}
	return v;
}

#define F8_OR_NULL(v, i) do { if (isnan(v)) nulls[i] = true; else values[i] = Float8GetDatum(v); } while (0)

/* the effect columns of a comparison from column i on: diff and lift, each with its interval */
static void
ab_effect_columns(const JyAbCompare *cmp, Datum *values, bool *nulls, int i)
{
	F8_OR_NULL(cmp->diff, i);
	F8_OR_NULL(cmp->diff_low, i + 1);
	F8_OR_NULL(cmp->diff_high, i + 2);
	F8_OR_NULL(cmp->lift, i + 3);
	F8_OR_NULL(cmp->lift_low, i + 4);
	F8_OR_NULL(cmp->lift_high, i + 5);
}

PG_FUNCTION_INFO_V1(jy_sql_ab_readout);
Datum
jy_sql_ab_readout(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Jsonb	   *jb;
	double		alpha;
	double		pa;
	double		pb;
	JyAbArm    *arms;
	int			n;
	int			ctl = 0;
	double	   *pbest, *lbest;
	bool		have_best;

	/* not STRICT (control may be NULL): no summary, no rows; the other arguments must be given */
	if (PG_ARGISNULL(0))
	{
		InitMaterializedSRF(fcinfo, 0);
		return (Datum) 0;
	}
	jy_arg_not_null(fcinfo, 2, "alpha", NULL);
	jy_arg_not_null(fcinfo, 3, "prior_alpha", NULL);
	jy_arg_not_null(fcinfo, 4, "prior_beta", NULL);
	jb = PG_GETARG_JSONB_P(0);
	alpha = ab_unit_arg(fcinfo, 2, "alpha");
	pa = ab_prior_arg(fcinfo, 3, "prior_alpha");
	pb = ab_prior_arg(fcinfo, 4, "prior_beta");
	n = ab_parse_jsonb(jb, &arms);
	if (!PG_ARGISNULL(1))
	{
		text	   *c = PG_GETARG_TEXT_PP(1);
		size_t		len = VARSIZE_ANY_EXHDR(c);

		ctl = -1;
		for (int i = 0; i < n; i++)
			if (arms[i].len == len && memcmp(arms[i].name, VARDATA_ANY(c), len) == 0)
				ctl = i;
		if (ctl < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("control variant \"%s\" is not in the summary", text_to_cstring(c))));
	}
	/* P(best) and the expected loss against the best, for up to JY_AB_MAX_BEST_ARMS arms */
	pbest = palloc(sizeof(double) * Max(n, 1));
	lbest = palloc(sizeof(double) * Max(n, 1));
	have_best = false;
	if (n >= 1 && n <= JY_AB_MAX_BEST_ARMS)
	{
		double	   *a = palloc(sizeof(double) * n), *b = palloc(sizeof(double) * n);

		for (int i = 0; i < n; i++)
		{
			a[i] = pa + arms[i].conversions;
			b[i] = pb + arms[i].users - arms[i].conversions;
		}
		/* out of the quadrature's range (a posterior parameter above 1e9): NULL columns */
		have_best = ab_best(n, a, b, pbest, lbest) == 0;
	}
	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < n; i++)
	{
		Datum		values[17];
		bool		nulls[17];
		JyAbCompare cmp;
		JyAbArm    *A = &arms[ctl], *B = &arms[i];

		CHECK_FOR_INTERRUPTS();
		memset(nulls, 0, sizeof(nulls));
		jy_ab_compare(A->conversions, A->users, B->conversions, B->users, alpha, &cmp);
		values[0] = PointerGetDatum(cstring_to_text_with_len(B->name, (int) B->len));
		values[1] = Int64GetDatum((int64) B->users);
		values[2] = Int64GetDatum((int64) B->conversions);
		F8_OR_NULL(cmp.rate_b, 3);
		if (i == ctl)
		{
			for (int j = 4; j < 14; j++)
				nulls[j] = true;
		}
		else
		{
			ab_effect_columns(&cmp, values, nulls, 4);
			F8_OR_NULL(cmp.z, 10);
			F8_OR_NULL(cmp.p_value, 11);
			values[12] = Float8GetDatum(ab_bayes(0, A->conversions, A->users, B->conversions, B->users, pa, pb));
			values[13] = Float8GetDatum(ab_bayes(1, A->conversions, A->users, B->conversions, B->users, pa, pb));
		}
		if (have_best)
		{
			values[14] = Float8GetDatum(pbest[i]);
			values[15] = Float8GetDatum(lbest[i]);
		}
		else
			nulls[14] = nulls[15] = true;
		values[16] = BoolGetDatum(i == ctl);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(jy_sql_ab_chisq);
Datum
jy_sql_ab_chisq(PG_FUNCTION_ARGS)
{
	JyAbArm    *arms;
	int			n = ab_parse_jsonb(PG_GETARG_JSONB_P(0), &arms);
	double		stat, df, p;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (jy_ab_chisq(arms, n, &stat, &df, &p) < 0)
		PG_RETURN_NULL();
	values[0] = Float8GetDatum(stat);
	values[1] = Int32GetDatum((int32) df);
	values[2] = Float8GetDatum(p);
	PG_RETURN_DATUM(jy_row_datum(fcinfo, values, nulls));
}

PG_FUNCTION_INFO_V1(jy_sql_ab_ztest);
Datum
jy_sql_ab_ztest(PG_FUNCTION_ARGS)
{
	double		ca, na, cb, nb;
	double		alpha = ab_unit_arg(fcinfo, 4, "alpha");
	JyAbCompare cmp;
	Datum		values[8];
	bool		nulls[8];

	ab_counts_args(fcinfo, 0, &ca, &na);
	ab_counts_args(fcinfo, 2, &cb, &nb);
	memset(nulls, 0, sizeof(nulls));
	jy_ab_compare(ca, na, cb, nb, alpha, &cmp);
	F8_OR_NULL(cmp.z, 0);
	F8_OR_NULL(cmp.p_value, 1);
	ab_effect_columns(&cmp, values, nulls, 2);
	PG_RETURN_DATUM(jy_row_datum(fcinfo, values, nulls));
}

PG_FUNCTION_INFO_V1(jy_sql_ab_sequential);
Datum
jy_sql_ab_sequential(PG_FUNCTION_ARGS)
{
	double		ca, na, cb, nb;
	double		tau = PG_GETARG_FLOAT8(4);
	double		alpha = ab_unit_arg(fcinfo, 5, "alpha");
	double		d, p, lo, hi;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	ab_counts_args(fcinfo, 0, &ca, &na);
	ab_counts_args(fcinfo, 2, &cb, &nb);
	if (!(tau > 0.0 && tau <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tau must be positive and at most 1"),
				 errdetail("Got %g.", tau),
				 errhint("tau is the standard deviation of the mixture over the absolute difference of rates, e.g. the minimum detectable effect.")));
	jy_ab_sequential(ca, na, cb, nb, tau, alpha, &d, &p, &lo, &hi);
	F8_OR_NULL(d, 0);
	F8_OR_NULL(p, 1);
	F8_OR_NULL(lo, 2);
	F8_OR_NULL(hi, 3);
	PG_RETURN_DATUM(jy_row_datum(fcinfo, values, nulls));
}

static Datum
ab_bayes_fn(FunctionCallInfo fcinfo, int which)
{
	double		ca, na, cb, nb;
	double		pa = ab_prior_arg(fcinfo, 4, "prior_alpha");
	double		pb = ab_prior_arg(fcinfo, 5, "prior_beta");

	ab_counts_args(fcinfo, 0, &ca, &na);
	ab_counts_args(fcinfo, 2, &cb, &nb);
	PG_RETURN_FLOAT8(ab_bayes(which, ca, na, cb, nb, pa, pb));
}

PG_FUNCTION_INFO_V1(jy_sql_ab_prob_beats);
JY_FMGR_VARIANT(jy_sql_ab_prob_beats, ab_bayes_fn, 0);

PG_FUNCTION_INFO_V1(jy_sql_ab_expected_loss);
JY_FMGR_VARIANT(jy_sql_ab_expected_loss, ab_bayes_fn, 1);

/* the design arguments of ab_sample_size and ab_mde: (baseline, x, alpha, power) */
static void
ab_design_args(FunctionCallInfo fcinfo, double *p1, double *alpha, double *power)
{
	*p1 = ab_unit_arg(fcinfo, 0, "baseline rate");
	*alpha = ab_unit_arg(fcinfo, 2, "alpha");
	*power = ab_unit_arg(fcinfo, 3, "power");
}

PG_FUNCTION_INFO_V1(jy_sql_ab_sample_size);
Datum
jy_sql_ab_sample_size(PG_FUNCTION_ARGS)
{
	double		p1, alpha, power, n;
	double		mde = PG_GETARG_FLOAT8(1);

	ab_design_args(fcinfo, &p1, &alpha, &power);
	if (!(mde != 0.0 && p1 + mde > 0.0 && p1 + mde < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("minimum detectable effect %g is out of range", mde),
				 errdetail("The effect is an absolute difference of rates: baseline + effect must lie strictly between 0 and 1, and the effect must not be 0.")));
	n = ceil(jy_ab_sample_size(p1, mde, alpha, power));
	if (!(n <= 9.2e18))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the required sample size is out of the range of bigint")));
	PG_RETURN_INT64((int64) n);
}

PG_FUNCTION_INFO_V1(jy_sql_ab_mde);
Datum
jy_sql_ab_mde(PG_FUNCTION_ARGS)
{
	double		p1, alpha, power, d;
	int64		users = PG_GETARG_INT64(1);

	ab_design_args(fcinfo, &p1, &alpha, &power);
	if (users <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("users per arm must be positive")));
	d = jy_ab_mde(p1, (double) users, alpha, power);
	if (isnan(d))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(d);
}
