/*
 * kmeans_dist_glue.c — distributed K-means inside PostgreSQL.
 *
 *   type kmeans_partial                         partial sums of one pass (engine: kmeans_dist.h)
 *   kmeans_stats(features)                      aggregate: n, per-feature mean and M2
 *   kmeans_seed_draw(features, centres, stream, trials)
 *                                               aggregate: order-free k-means++ draws
 *   kmeans_seed_potential(features, centres, candidates)
 *                                               aggregate: greedy k-means++ potentials
 *   kmeans_step(features, model, previous)      aggregate: one Lloyd iteration's sums
 *   kmeans_fit_distributed(relation, column, k [, options])
 *                                               the driver: runs those aggregates through
 *                                               SPI until convergence -> kmeans_model
 *
 * Every aggregate's state is a kmeans_partial (a real type with lossless text
 * I/O and a combine function, no serial/deserial): Citus runs them as partial
 * aggregates on the workers and ships k x d numbers per shard per pass; the
 * driver runs one SELECT per pass on the coordinator.  The glue only
 * allocates, reads arguments and maps the engine's reasons to SQLSTATEs.
 */
#include "jy_agg.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "kmeans_dist.h"
#include "kmeans_glue.h"

PG_FUNCTION_INFO_V1(jy_kmeans_partial_in);
PG_FUNCTION_INFO_V1(jy_kmeans_partial_out);
PG_FUNCTION_INFO_V1(jy_kmeans_partial_recv);
PG_FUNCTION_INFO_V1(jy_kmeans_partial_send);
PG_FUNCTION_INFO_V1(jy_kmeans_partial_combine);
PG_FUNCTION_INFO_V1(jy_kmeans_stats_trans);
PG_FUNCTION_INFO_V1(jy_kmeans_draw_trans);
PG_FUNCTION_INFO_V1(jy_kmeans_potential_trans);
PG_FUNCTION_INFO_V1(jy_kmeans_step_trans);
PG_FUNCTION_INFO_V1(jy_kmeans_fit_distributed);

#define DatumGetKmPartialP(d) ((JyKmPartial *) PG_DETOAST_DATUM(d))
#define PG_GETARG_KMPARTIAL_P(n) DatumGetKmPartialP(PG_GETARG_DATUM(n))

static JyKmPartial *
kmp_alloc(MemoryContext cxt, int kind, int k, int d)
{
	JyKmPartial *p = (JyKmPartial *) MemoryContextAlloc(cxt, jy_kmp_size(k, d));

	SET_VARSIZE(p, jy_kmp_size(k, d));
	jy_kmp_init(p, kind, k, d);
	SET_VARSIZE(p, jy_kmp_size(k, d));
	return p;
}

/* ---- type I/O ----------------------------------------------------------- */

static void
kmp_text_error(const char *str, JyKmpRc rc, const JyKmpErr *e)
{
	if (rc == JY_KMP_ERANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range in kmeans_partial input at character %d", (int) e->pos + 1),
				 errdetail("Expected %s.", e->what)));
	if (rc == JY_KMP_EINVALID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid kmeans_partial value"),
				 errdetail("%s.", e->what)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type kmeans_partial: \"%s\"", str),
			 errdetail("Expected %s at character %d.", e->what, (int) e->pos + 1)));
}

Datum
jy_kmeans_partial_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	int			kind,
				k,
				d;
	JyKmpErr	e;
	JyKmpRc		rc;
	JyKmPartial *p;

	rc = jy_kmp_parse_header(str, &kind, &k, &d, &e);
	if (rc != JY_KMP_OK)
		kmp_text_error(str, rc, &e);
	p = kmp_alloc(CurrentMemoryContext, kind, k, d);
	rc = jy_kmp_parse(str, p, &e);
	if (rc != JY_KMP_OK)
		kmp_text_error(str, rc, &e);
	SET_VARSIZE(p, jy_kmp_size(k, d));
	PG_RETURN_POINTER(p);
}

Datum
jy_kmeans_partial_out(PG_FUNCTION_ARGS)
{
	JyKmPartial *p = PG_GETARG_KMPARTIAL_P(0);
	char	   *buf = palloc_extended(jy_kmp_text_bound(p->k, p->dims), MCXT_ALLOC_HUGE);

	jy_kmp_print(p, buf);
	PG_RETURN_CSTRING(buf);
}

Datum
jy_kmeans_partial_recv(PG_FUNCTION_ARGS)
{
	size_t		len;
	const uint8 *b = jy_recv_bytes(fcinfo, &len);
	int			kind,
				k,
				d;
	JyKmpErr	e;
	JyKmPartial *p;

	if (jy_kmp_decode_header(b, len, &kind, &k, &d, &e) != JY_KMP_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid kmeans_partial value"),
				 errdetail("%s.", e.what)));
	p = kmp_alloc(CurrentMemoryContext, kind, k, d);
	if (jy_kmp_decode(b, len, p, &e) != JY_KMP_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid kmeans_partial value"),
				 errdetail("%s.", e.what)));
	SET_VARSIZE(p, jy_kmp_size(k, d));
	jy_recv_consumed(fcinfo, len);
	PG_RETURN_POINTER(p);
}

Datum
jy_kmeans_partial_send(PG_FUNCTION_ARGS)
{
	JyKmPartial *p = PG_GETARG_KMPARTIAL_P(0);
	uint8	   *data;
	bytea	   *out = jy_bytea_alloc(jy_kmp_wire_size(p->k, p->dims), &data);

	jy_kmp_encode(p, data);
	PG_RETURN_BYTEA_P(out);
}

/* ---- aggregate support -------------------------------------------------- */

static void
kmp_merge_or_error(JyKmPartial *a, const JyKmPartial *b)
{
	const char *bad = jy_kmp_merge(a, b);

	if (bad)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kmeans partials cannot be combined"),
				 errdetail("%s: %s k=%d dims=%d and %s k=%d dims=%d.", bad,
						   jy_kmp_kind_name(a->kind), a->k, a->dims,
						   jy_kmp_kind_name(b->kind), b->k, b->dims)));
}

/* combine function of every kmeans_partial aggregate (exact for counts and
 * maxima; sums are float additions) */
Datum
jy_kmeans_partial_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	JyKmPartial *a,
			   *b;

	/* also callable as a plain function: then it merges into a copy */
	if (!AggCheckCallContext(fcinfo, &aggcxt))
		aggcxt = NULL;
	if (PG_ARGISNULL(1))
		return jy_agg_unchanged(fcinfo);
	b = PG_GETARG_KMPARTIAL_P(1);
	if (PG_ARGISNULL(0))
	{
		a = (JyKmPartial *) MemoryContextAlloc(aggcxt ? aggcxt : CurrentMemoryContext, VARSIZE(b));
		memcpy(a, b, VARSIZE(b));
		PG_RETURN_POINTER(a);
	}
	a = aggcxt ? PG_GETARG_KMPARTIAL_P(0) : (JyKmPartial *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));
	kmp_merge_or_error(a, b);
	PG_RETURN_POINTER(a);
}

/*
 * The state: the first call allocates it in the aggregate context; later
 * calls update it in place (allowed for a transition value in an aggregate).
 */
static JyKmPartial *
kmp_state(FunctionCallInfo fcinfo, int kind, int k, int d)
{
	MemoryContext aggcxt;
	JyKmPartial *p;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
	{
		/* a plain call: the result is a new value, the argument stays as it is */
		if (PG_ARGISNULL(0))
			return kmp_alloc(CurrentMemoryContext, kind, k, d);
		p = (JyKmPartial *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));
	}
	else if (PG_ARGISNULL(0))
		return kmp_alloc(aggcxt, kind, k, d);
	else
	{
		p = (JyKmPartial *) PG_GETARG_POINTER(0);
		if (VARATT_IS_EXTENDED(p))
		{
			/* cannot happen for a state we allocated; be safe */
			JyKmPartial *q = PG_GETARG_KMPARTIAL_P(0);

			p = (JyKmPartial *) MemoryContextAlloc(aggcxt, VARSIZE(q));
			memcpy(p, q, VARSIZE(q));
		}
	}
	if (p->kind != kind || p->k != k || p->dims != d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k, the dimensions and the model must be the same for every row of a group")));
	return p;
}

/*
 * A model argument, detoasted once per distinct datum and cached in
 * fn_extra together with its centres (and, for DRAW/POTENTIAL, candidates
 * in the working space).
 */
typedef struct KmpCache
{
	Datum		model_datum;	/* the datum the cache was built from */
	KmModel    *model;
	Datum		prev_datum;
	KmModel    *prev;
	Datum		cand_datum;
	JyKmPartial *cand_raw;		/* POTENTIAL: the candidates argument as given */
	bool		model_changed;	/* the last cached_model call replaced the model */
	double	   *cands;			/* POTENTIAL: k x d working-space candidates */
	int			ncand;
} KmpCache;

static KmpCache *
kmp_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(KmpCache));
	return (KmpCache *) fcinfo->flinfo->fn_extra;
}

/*
 * True when the aggregate's argument argno (of the transition function) is a
 * constant or an external parameter (the driver's $1): then the same datum
 * pointer means the same value for the whole execution.  Otherwise (a column,
 * an initplan or a correlated value) the value is compared byte for byte on
 * every row, since memory of another row's value could be reused.
 */
static bool
arg_is_fixed(FunctionCallInfo fcinfo, int argno)
{
	Aggref	   *ag = AggGetAggref(fcinfo);
	Node	   *e;

	if (ag == NULL || argno - 1 >= list_length(ag->args))
		return false;
	e = (Node *) ((TargetEntry *) list_nth(ag->args, argno - 1))->expr;
	return IsA(e, Const) || (IsA(e, Param) && ((Param *) e)->paramkind == PARAM_EXTERN);
}

static bool
cache_valid(FunctionCallInfo fcinfo, int argno, Datum slot, const void *cache)
{
	Datum		d = PG_GETARG_DATUM(argno);
	struct varlena *v;
	bool		same;

	if (cache == NULL)
		return false;
	if (slot == d && arg_is_fixed(fcinfo, argno))
		return true;
	v = PG_DETOAST_DATUM(d);
	same = VARSIZE(v) == VARSIZE(cache) && memcmp(v, cache, VARSIZE(v)) == 0;
	if ((Pointer) v != DatumGetPointer(d))
		pfree(v);
	return same;
}

static KmModel *
cached_model(FunctionCallInfo fcinfo, int argno, Datum *slot, KmModel **cache)
{
	Datum		d = PG_GETARG_DATUM(argno);

	if (!cache_valid(fcinfo, argno, *slot, *cache))
	{
		KmModel    *m = DatumGetKmModelP(d);
		KmModel    *c = (KmModel *) MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, VARSIZE(m));

		memcpy(c, m, VARSIZE(m));
		if (*cache)
			pfree(*cache);
		*cache = c;
		kmp_cache(fcinfo)->model_changed = true;
	}
	else
		kmp_cache(fcinfo)->model_changed = false;
	*slot = d;
	return *cache;
}

static void
null_arg(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s must not be NULL", what)));
}

static void
scale_if(const KmModel *m, const double *x, double *z)
{
	if (m->flags & JY_KMM_STANDARDIZED)
		jy_km_scale_point(x, jy_kmm_mean(m), jy_kmm_scale(m), m->dims, z);
	else
		memcpy(z, x, (size_t) m->dims * sizeof(double));
}

/* kmeans_stats(features) */
Datum
jy_kmeans_stats_trans(PG_FUNCTION_ARGS)
{
	double		x[JY_KM_MAX_DIMS];
	JyKmPartial *p;
	int			d;

	if (PG_ARGISNULL(1))
		return jy_agg_unchanged(fcinfo);
	d = jy_km_read_point(PG_GETARG_ARRAYTYPE_P(1),
						 PG_ARGISNULL(0) ? 0 : PG_GETARG_KMPARTIAL_P(0)->dims, x);
	p = kmp_state(fcinfo, JY_KMP_STATS, 1, d);
	jy_kmp_add_stats(p, x);
	PG_RETURN_POINTER(p);
}

/* kmeans_seed_draw(features, centres kmeans_model (NULL: first centre), stream bigint, trials int) */
Datum
jy_kmeans_draw_trans(PG_FUNCTION_ARGS)
{
	double		x[JY_KM_MAX_DIMS],
				z[JY_KM_MAX_DIMS];
	JyKmPartial *p;
	KmModel    *m = NULL;
	int			d,
				trials;
	double		w = 1.0;

	if (PG_ARGISNULL(3))
		null_arg("the stream");
	if (PG_ARGISNULL(4))
		null_arg("the number of trials");
	trials = PG_GETARG_INT32(4);
	if (trials < 1 || trials > JY_KMP_MAX_TRIALS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the number of trials must be between 1 and %d", JY_KMP_MAX_TRIALS)));
	if (!PG_ARGISNULL(2))
	{
		KmpCache   *c = kmp_cache(fcinfo);

		m = cached_model(fcinfo, 2, &c->model_datum, &c->model);
	}
	if (PG_ARGISNULL(1))
		return jy_agg_unchanged(fcinfo);
	d = jy_km_read_point(PG_GETARG_ARRAYTYPE_P(1), m ? m->dims : 0, x);
	p = kmp_state(fcinfo, JY_KMP_DRAW, trials, d);
	if (m)
	{
		scale_if(m, x, z);
		jy_km_nearest(z, jy_kmm_centers(m), m->k, d, &w);
	}
	jy_kmp_add_draw(p, x, w, (uint64) PG_GETARG_INT64(3));
	PG_RETURN_POINTER(p);
}

/* kmeans_seed_potential(features, centres kmeans_model, candidates kmeans_partial (a DRAW)) */
Datum
jy_kmeans_potential_trans(PG_FUNCTION_ARGS)
{
	double		x[JY_KM_MAX_DIMS],
				z[JY_KM_MAX_DIMS];
	JyKmPartial *p;
	KmpCache   *c;
	KmModel    *m;
	double		w;
	int			d;

	if (PG_ARGISNULL(2))
		null_arg("the centres");
	if (PG_ARGISNULL(3))
		null_arg("the candidates");
	c = kmp_cache(fcinfo);
	m = cached_model(fcinfo, 2, &c->model_datum, &c->model);
	if (c->cands == NULL || c->model_changed || !cache_valid(fcinfo, 3, c->cand_datum, c->cand_raw))
	{
		JyKmPartial *cp = PG_GETARG_KMPARTIAL_P(3);

		if (cp->kind != JY_KMP_DRAW || cp->dims != m->dims)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the candidates must be a draw partial of the model's dimensions")));
		for (int t = 0; t < cp->k; t++)
			if (jy_kmp_counts(cp)[t] != 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the candidates must be a draw partial of the model's dimensions"),
						 errdetail("Trial %d drew no point.", t + 1)));
		if (c->cands)
			pfree(c->cands);
		c->cands = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, (Size) cp->k * cp->dims * sizeof(double));
		for (int t = 0; t < cp->k; t++)
			scale_if(m, jy_kmp_a(cp) + (Size) t * cp->dims, c->cands + (Size) t * cp->dims);
		c->ncand = cp->k;
		if (c->cand_raw)
			pfree(c->cand_raw);
		c->cand_raw = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, VARSIZE(cp));
		memcpy(c->cand_raw, cp, VARSIZE(cp));
	}
	c->cand_datum = PG_GETARG_DATUM(3);
	if (PG_ARGISNULL(1))
		return jy_agg_unchanged(fcinfo);
	d = jy_km_read_point(PG_GETARG_ARRAYTYPE_P(1), m->dims, x);
	p = kmp_state(fcinfo, JY_KMP_POTENTIAL, c->ncand, d);
	scale_if(m, x, z);
	jy_km_nearest(z, jy_kmm_centers(m), m->k, d, &w);
	jy_kmp_add_potential(p, z, w, c->cands);
	PG_RETURN_POINTER(p);
}

/* kmeans_step(features, model, previous) */
Datum
jy_kmeans_step_trans(PG_FUNCTION_ARGS)
{
	double		x[JY_KM_MAX_DIMS],
				z[JY_KM_MAX_DIMS];
	JyKmPartial *p;
	KmpCache   *c;
	KmModel    *m,
			   *prev = NULL;
	int			d;

	if (PG_ARGISNULL(2))
		null_arg("the model");
	c = kmp_cache(fcinfo);
	m = cached_model(fcinfo, 2, &c->model_datum, &c->model);
	if (!PG_ARGISNULL(3))
	{
		prev = cached_model(fcinfo, 3, &c->prev_datum, &c->prev);
		if (prev->k != m->k || prev->dims != m->dims)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the previous model must have the model's k and dimensions"),
					 errdetail("The model has k = %d and %d dimensions, the previous one k = %d and %d.",
							   m->k, m->dims, prev->k, prev->dims)));
	}
	if (PG_ARGISNULL(1))
		return jy_agg_unchanged(fcinfo);
	d = jy_km_read_point(PG_GETARG_ARRAYTYPE_P(1), m->dims, x);
	p = kmp_state(fcinfo, JY_KMP_LLOYD, m->k, d);
	scale_if(m, x, z);
	jy_kmp_add_lloyd(p, x, z, jy_kmm_centers(m), prev ? jy_kmm_centers(prev) : NULL);
	PG_RETURN_POINTER(p);
}

/* ---- the driver --------------------------------------------------------- */

typedef struct Fit
{
	Oid			model_type;
	Oid			partial_type;
	SPIPlanPtr	stats,
				draw,
				potential,
				step;
	MemoryContext cxt;			/* survives SPI_finish: results live here */
	int			d;
	int64		n;
	double	   *mean,
			   *scale;
	bool		standardize;
	KmOpts		o;
} Fit;

static SPIPlanPtr
prepare(const char *q, int nargs, Oid *types)
{
	SPIPlanPtr	plan = SPI_prepare_cursor(q, nargs, types, CURSOR_OPT_PARALLEL_OK);

	if (plan == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not prepare the kmeans pass \"%s\": %s", q, SPI_result_code_string(SPI_result))));
	return plan;
}

/* one pass: the aggregate's value copied into f->cxt (NULL when no rows) */
static JyKmPartial *
run_pass(Fit *f, SPIPlanPtr plan, Datum *args, const char *nulls)
{
	int			rc = SPI_execute_plan(plan, args, nulls, true, 0);
	bool		isnull;
	Datum		d;
	JyKmPartial *res = NULL;

	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "kmeans pass returned %d (%d rows)", rc, (int) SPI_processed);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
	{
		JyKmPartial *p = DatumGetKmPartialP(d);

		res = (JyKmPartial *) MemoryContextAlloc(f->cxt, VARSIZE(p));
		memcpy(res, p, VARSIZE(p));
	}
	SPI_freetuptable(SPI_tuptable);
	return res;
}

/* a kmeans_model of the first kc centres (seeding) or of a fit */
static KmModel *
make_model(Fit *f, int k, const double *centres)
{
	KmModel    *m = jy_km_model_alloc(f->cxt, k, f->d);

	m->flags = f->standardize ? JY_KMM_STANDARDIZED : 0;
	m->n = f->n;
	m->n_init = f->o.n_init;
	m->seed = f->o.seed;
	m->tol = f->o.tol;
	m->silhouette = NAN;
	jy_kmm_sizes(m)[0] = f->n;
	memcpy(jy_kmm_mean(m), f->mean, f->d * sizeof(double));
	memcpy(jy_kmm_scale(m), f->scale, f->d * sizeof(double));
	memcpy(jy_kmm_centers(m), centres, (Size) k * f->d * sizeof(double));
	return m;
}

static void
too_few_distinct(int k, int have)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("k is larger than the number of distinct points"),
			 errdetail("k is %d but the input has only %d distinct feature vectors.", k, have),
			 errhint("Choose a smaller k.")));
}

/* seeding of one restart: k centres (working space) into c */
static void
seed(Fit *f, int k, int restart, double *c)
{
	int			trials = 2 + (int) log((double) k);

	if (trials > JY_KMP_MAX_TRIALS)
		trials = JY_KMP_MAX_TRIALS;
	for (int r = 0; r < k; r++)
	{
		Datum		args[2];
		char		nulls[4] = "   ";
		JyKmPartial *draw;
		KmModel    *sofar = r > 0 ? make_model(f, r, c) : NULL;
		int			best = 0;

		CHECK_FOR_INTERRUPTS();
		args[0] = PointerGetDatum(sofar);
		nulls[0] = sofar ? ' ' : 'n';
		{
			Datum		dargs[3] = {args[0], Int64GetDatum((int64) jy_kmp_stream((uint64) f->o.seed, restart, r)),
			Int32GetDatum(r == 0 ? 1 : trials)};

			draw = run_pass(f, f->draw, dargs, nulls);
		}
		if (draw == NULL || jy_kmp_counts(draw)[0] == 0)
			too_few_distinct(k, r);
		if (r > 0)
		{
			JyKmPartial *pot;
			Datum		pargs[2] = {PointerGetDatum(sofar), PointerGetDatum(draw)};

			pot = run_pass(f, f->potential, pargs, "  ");
			best = jy_kmp_best_candidate(pot);
			pfree(pot);
			pfree(sofar);
		}
		if (f->standardize)
			jy_km_scale_point(jy_kmp_a(draw) + (Size) best * f->d, f->mean, f->scale, f->d, c + (Size) r * f->d);
		else
			memcpy(c + (Size) r * f->d, jy_kmp_a(draw) + (Size) best * f->d, f->d * sizeof(double));
		pfree(draw);
	}
}

typedef struct RunResult
{
	double	   *c;
	int64	   *sizes;
	double	   *within;
	double		inertia;
	int			iterations;
	bool		converged;
} RunResult;

static void
lloyd(Fit *f, int k, int restart, double tol_abs, double *c, RunResult *res)
{
	const int	d = f->d;
	double	   *prev = (double *) MemoryContextAlloc(f->cxt, (Size) k * d * sizeof(double));
	void	   *work = MemoryContextAlloc(f->cxt, (Size) k * 16 + (Size) k * d * sizeof(double));
	bool		have_prev = false;
	JyKmPartial *p = NULL;
	int			it;

	res->converged = false;
	for (it = 1;; it++)
	{
		Datum		args[2];
		double		shift;

		CHECK_FOR_INTERRUPTS();
		if (p)
			pfree(p);
		args[0] = PointerGetDatum(make_model(f, k, c));
		args[1] = have_prev ? PointerGetDatum(make_model(f, k, prev)) : (Datum) 0;
		p = run_pass(f, f->step, args, have_prev ? "  " : " n");
		pfree(DatumGetPointer(args[0]));
		if (have_prev)
			pfree(DatumGetPointer(args[1]));
		if (it > 1 && p->changed == 0)
		{
			if (f->o.progress)
				ereport(NOTICE, (errmsg("kmeans_fit_distributed restart %d iteration %d: 0 points changed cluster", restart + 1, it)));
			res->converged = true;
			break;
		}
		memcpy(prev, c, (Size) k * d * sizeof(double));
		have_prev = true;
		shift = jy_kmp_update(p, f->mean, f->scale, c, work);
		if (f->o.progress)
			ereport(NOTICE,
					(errmsg("kmeans_fit_distributed restart %d iteration %d: " INT64_FORMAT " points changed cluster, centre shift %.6g",
							restart + 1, it, p->changed, shift)));
		if (shift <= tol_abs || it >= f->o.max_iter)
		{
			res->converged = shift <= tol_abs;
			/* one more pass: sizes and inertia of the final centres */
			args[0] = PointerGetDatum(make_model(f, k, c));
			args[1] = PointerGetDatum(make_model(f, k, prev));
			pfree(p);
			p = run_pass(f, f->step, args, "  ");
			break;
		}
	}
	res->iterations = it;
	res->inertia = 0.0;
	for (int a = 0; a < k; a++)
	{
		res->sizes[a] = jy_kmp_counts(p)[a];
		res->within[a] = jy_kmp_s1(p)[a];
		res->inertia += res->within[a];
	}
	memcpy(res->c, c, (Size) k * d * sizeof(double));
}

Datum
jy_kmeans_fit_distributed(PG_FUNCTION_ARGS)
{
	Oid			relid;
	char	   *col;
	int32		k;
	Fit			f;
	AttrNumber	att;
	Oid			atttype;
	const char *nsp,
			   *colq;
	char	   *relq,
			   *q;



	Oid			fnsp;
	JyKmPartial *stats;
	double		tol_abs;
	RunResult	best,
				cur;
	KmModel    *m;
	MemoryContext callcxt = CurrentMemoryContext;

	if (PG_ARGISNULL(0))
		null_arg("the relation");
	if (PG_ARGISNULL(1))
		null_arg("the column");
	if (PG_ARGISNULL(2))
		null_arg("the number of clusters");
	relid = PG_GETARG_OID(0);
	col = NameStr(*PG_GETARG_NAME(1));
	k = PG_GETARG_INT32(2);
	jy_km_check_k(k, "the number of clusters k");
	memset(&f, 0, sizeof(f));
	jy_km_opts_defaults(&f.o, false);
	f.o.k_min = f.o.k_max = k;
	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
		jy_km_opts_parse(&f.o, PG_GETARG_JSONB_P(3));
	if (f.o.silhouette_sample != 0 || f.o.sample_fraction != 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kmeans_fit_distributed does not support the options silhouette_sample and sample_fraction"),
				 errhint("Sample with a view (e.g. TABLESAMPLE) and compute the silhouette with kmeans_segment on a sample.")));
	if (f.o.init_set && f.o.init != JY_KM_INIT_DISTRIBUTED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kmeans_fit_distributed seeds only with init \"distributed\""),
				 errdetail("The default k-means++ seeding of kmeans_segment walks the points in one global order, which a distributed table does not have."),
				 errhint("Omit the option, or give kmeans_segment the option {\"init\": \"distributed\"} to get the same model on one node.")));
	f.standardize = f.o.standardize;

	if (get_rel_name(relid) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	att = get_attnum(relid, col);
	if (att == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist", col, get_rel_name(relid))));
	atttype = get_atttype(relid, att);
	if (atttype != FLOAT8ARRAYOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" must be of type float8[]", col),
				 errdetail("It is of type %s.", format_type_be(atttype))));

	fnsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	nsp = quote_identifier(get_namespace_name(fnsp));
	relq = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));
	colq = quote_identifier(col);
	f.model_type = get_func_rettype(fcinfo->flinfo->fn_oid);
	f.partial_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("kmeans_partial"),
									 ObjectIdGetDatum(fnsp));
	if (!OidIsValid(f.partial_type))
		elog(ERROR, "type kmeans_partial not found");
	f.cxt = AllocSetContextCreate(callcxt, "kmeans_fit_distributed", ALLOCSET_DEFAULT_SIZES);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	{
		Oid			t_draw[3] = {f.model_type, INT8OID, INT4OID};
		Oid			t_pot[2] = {f.model_type, f.partial_type};
		Oid			t_step[2] = {f.model_type, f.model_type};

		q = psprintf("SELECT %s.kmeans_stats(%s) FROM %s", nsp, colq, relq);
		f.stats = prepare(q, 0, NULL);
		q = psprintf("SELECT %s.kmeans_seed_draw(%s, $1, $2, $3) FROM %s", nsp, colq, relq);
		f.draw = prepare(q, 3, t_draw);
		q = psprintf("SELECT %s.kmeans_seed_potential(%s, $1, $2) FROM %s", nsp, colq, relq);
		f.potential = prepare(q, 2, t_pot);
		q = psprintf("SELECT %s.kmeans_step(%s, $1, $2) FROM %s", nsp, colq, relq);
		f.step = prepare(q, 2, t_step);
	}

	/* pass 0: n, mean, variance */
	stats = run_pass(&f, f.stats, NULL, NULL);
	if (stats == NULL || stats->n == 0)
	{
		SPI_finish();
		MemoryContextDelete(f.cxt);
		PG_RETURN_NULL();
	}
	f.d = stats->dims;
	f.n = stats->n;
	f.mean = MemoryContextAlloc(f.cxt, f.d * sizeof(double));
	f.scale = MemoryContextAlloc(f.cxt, f.d * sizeof(double));
	jy_kmp_scaling(stats, f.standardize, f.o.tol, f.mean, f.scale, &tol_abs);

	memset(&best, 0, sizeof(best));
	memset(&cur, 0, sizeof(cur));
	best.inertia = INFINITY;
	best.c = MemoryContextAlloc(f.cxt, (Size) k * f.d * sizeof(double));
	best.sizes = MemoryContextAlloc(f.cxt, k * sizeof(int64));
	best.within = MemoryContextAlloc(f.cxt, k * sizeof(double));
	cur.c = MemoryContextAlloc(f.cxt, (Size) k * f.d * sizeof(double));
	cur.sizes = MemoryContextAlloc(f.cxt, k * sizeof(int64));
	cur.within = MemoryContextAlloc(f.cxt, k * sizeof(double));
	for (int r = 0; r < f.o.n_init; r++)
	{
		double	   *c = MemoryContextAlloc(f.cxt, (Size) k * f.d * sizeof(double));

		seed(&f, k, r, c);
		lloyd(&f, k, r, tol_abs, c, &cur);
		if (cur.inertia < best.inertia)
		{
			RunResult	t = best;

			best = cur;
			cur = t;
			cur.inertia = INFINITY;
		}
	}
	SPI_finish();

	{
		void	   *tmp = MemoryContextAlloc(f.cxt, (Size) k * f.d * sizeof(double) + (Size) k * 24);

		jy_kmp_number(best.c, best.sizes, best.within, k, f.d, tmp);
	}
	m = jy_km_model_alloc(callcxt, k, f.d);
	m->n = f.n;
	m->seed = f.o.seed;
	m->tol = f.o.tol;
	m->n_init = f.o.n_init;
	m->iterations = best.iterations;
	m->inertia = best.inertia;
	m->silhouette = NAN;
	m->flags = (f.standardize ? JY_KMM_STANDARDIZED : 0) | (best.converged ? JY_KMM_CONVERGED : 0);
	memcpy(jy_kmm_sizes(m), best.sizes, k * sizeof(int64));
	memcpy(jy_kmm_mean(m), f.mean, f.d * sizeof(double));
	memcpy(jy_kmm_scale(m), f.scale, f.d * sizeof(double));
	memcpy(jy_kmm_within(m), best.within, k * sizeof(double));
	memcpy(jy_kmm_centers(m), best.c, (Size) k * f.d * sizeof(double));
	jy_km_model_check_fitted(m);
	MemoryContextDelete(f.cxt);
	PG_RETURN_POINTER(m);
}
