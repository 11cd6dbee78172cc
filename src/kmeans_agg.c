/*
 * kmeans_agg.c — fitting K-means segments inside PostgreSQL:
 *
 *   kmeans_segment(features float8[], k int [, options jsonb])   aggregate -> kmeans_model
 *   kmeans_scan(features, k_min, k_max [, options])              aggregate -> kmeans_model[]
 *   kmeans_cluster(features, k [, options]) OVER (...)           window: the row's cluster
 *
 * and the options they share with kmeans_fit_distributed.  The fit itself is
 * the engine's (src/engine/kmeans.h), the model's layout too
 * (src/engine/kmeans_model.h).  The aggregate keeps every point (n x d
 * doubles) in its internal state; parallel workers ship their points to the
 * leader (combine = concatenation).  Because the engine sorts points
 * canonically before seeding, the result does not depend on the order of
 * the rows, hence not on the plan either.
 *
 * Feature values are bounded by JY_KMM_FEATURE_MAX so that no sum of squared
 * distances can overflow, and the final functions check the fitted model like
 * the input functions do (jy_km_model_check_fitted): an aggregate never
 * returns a model that the input functions would reject (which would make a
 * dump unrestorable).
 */
#include "kmeans_glue.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "windowapi.h"

#include "jy_agg.h"

PG_FUNCTION_INFO_V1(jy_kmeans_trans);
PG_FUNCTION_INFO_V1(jy_kmeans_scan_trans);
PG_FUNCTION_INFO_V1(jy_kmeans_combine);
PG_FUNCTION_INFO_V1(jy_kmeans_serial);
PG_FUNCTION_INFO_V1(jy_kmeans_deserial);
PG_FUNCTION_INFO_V1(jy_kmeans_final);
PG_FUNCTION_INFO_V1(jy_kmeans_scan_final);
PG_FUNCTION_INFO_V1(jy_kmeans_cluster_window);

/* ---- options ------------------------------------------------------------ */

#define KM_DEFAULT_MAX_MEMORY_MB 1024
#define KM_MAX_MEMORY_MB_LIMIT (INT64CONST(1) << 20)	/* 1 TB */

void
jy_km_opts_defaults(KmOpts *o, bool scan)
{
	memset(o, 0, sizeof(*o));
	o->n_init = 10;
	o->max_iter = 300;
	o->tol = 1e-4;
	o->seed = 0;
	o->standardize = true;
	o->progress = false;
	o->silhouette_sample = scan ? 10000 : 0;
	o->sample_fraction = 1.0;
	o->max_memory_mb = KM_DEFAULT_MAX_MEMORY_MB;
	o->init = JY_KM_INIT_PP;
}

static void
opt_error(const char *key, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid kmeans option \"%s\"", key),
			 errdetail("%s", what)));
}

static float8
opt_num(const char *key, JsonbValue *v)
{
	if (v->type != jbvNumeric)
		opt_error(key, "The value must be a number.");
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v->val.numeric)));
}

static int64
opt_int(const char *key, JsonbValue *v, int64 min, int64 max)
{
	float8		f = opt_num(key, v);

	if (f != floor(f) || f < (float8) min || f > (float8) max)
		opt_error(key, psprintf("The value must be an integer between " INT64_FORMAT " and " INT64_FORMAT ".", min, max));
	return (int64) f;
}

void
jy_km_opts_parse(KmOpts *o, Jsonb *jb)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kmeans options must be a JSON object"),
				 errhint("For example '{\"seed\": 42, \"n_init\": 10}'.")));
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			key = pnstrdup(v.val.string.val, v.val.string.len);
			continue;
		}
		if (tok != WJB_VALUE)
			continue;
		if (strcmp(key, "seed") == 0)
			o->seed = opt_int(key, &v, -INT64CONST(9007199254740992), INT64CONST(9007199254740992));
		else if (strcmp(key, "n_init") == 0)
			o->n_init = (int32) opt_int(key, &v, 1, 1000);
		else if (strcmp(key, "max_iter") == 0)
			o->max_iter = (int32) opt_int(key, &v, 1, 100000);
		else if (strcmp(key, "tol") == 0)
		{
			o->tol = opt_num(key, &v);
			if (!(o->tol >= 0.0) || isinf(o->tol))
				opt_error(key, "The value must be a non-negative number.");
		}
		else if (strcmp(key, "standardize") == 0 || strcmp(key, "progress") == 0)
		{
			if (v.type != jbvBool)
				opt_error(key, "The value must be true or false.");
			if (key[0] == 's')
				o->standardize = v.val.boolean;
			else
				o->progress = v.val.boolean;
		}
		else if (strcmp(key, "silhouette_sample") == 0)
			o->silhouette_sample = opt_int(key, &v, 0, 100000);
		else if (strcmp(key, "sample_fraction") == 0)
		{
			o->sample_fraction = opt_num(key, &v);
			if (!(o->sample_fraction > 0.0 && o->sample_fraction <= 1.0))
				opt_error(key, "The value must be greater than 0 and at most 1.");
		}
		else if (strcmp(key, "init") == 0)
		{
			o->init_set = true;
			if (v.type == jbvString && v.val.string.len == 9 && memcmp(v.val.string.val, "k-means++", 9) == 0)
				o->init = JY_KM_INIT_PP;
			else if (v.type == jbvString && v.val.string.len == 11 && memcmp(v.val.string.val, "distributed", 11) == 0)
				o->init = JY_KM_INIT_DISTRIBUTED;
			else
				opt_error(key, "The value must be \"k-means++\" or \"distributed\".");
		}
		else if (strcmp(key, "max_memory_mb") == 0)
			o->max_memory_mb = opt_int(key, &v, 1, KM_MAX_MEMORY_MB_LIMIT);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown kmeans option \"%s\"", key),
					 errhint("Known options: seed, n_init, max_iter, tol, standardize, init, silhouette_sample, sample_fraction, max_memory_mb, progress.")));
	}
}

void
jy_km_check_k(int64 k, const char *what)
{
	if (k < 1 || k > JY_KM_MAX_K)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be between 1 and %d", what, JY_KM_MAX_K),
				 errdetail("The value given is " INT64_FORMAT ".", k)));
}

/*
 * Options from the arguments: kmeans_segment(features, k [, options]) has
 * k at argno and options at argno + 1; kmeans_scan(features, k_min, k_max
 * [, options]) has k_min, k_max, options.
 */
static void
opts_from_args(FunctionCallInfo fcinfo, int argno, bool scan, KmOpts *o)
{
	int			optarg = argno + (scan ? 2 : 1);

	jy_km_opts_defaults(o, scan);
	if (PG_ARGISNULL(argno) || (scan && PG_ARGISNULL(argno + 1)))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the number of clusters must not be NULL")));
	o->k_min = PG_GETARG_INT32(argno);
	jy_km_check_k(o->k_min, scan ? "k_min" : "the number of clusters k");
	o->k_max = o->k_min;
	if (scan)
	{
		o->k_max = PG_GETARG_INT32(argno + 1);
		jy_km_check_k(o->k_max, "k_max");
		if (o->k_max < o->k_min)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("k_max must not be less than k_min"),
					 errdetail("k_min is %d and k_max is %d.", o->k_min, o->k_max)));
		if (o->k_max - o->k_min >= 100)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("kmeans_scan fits at most 100 values of k"),
					 errdetail("k_min is %d and k_max is %d.", o->k_min, o->k_max)));
	}
	if (PG_NARGS() > optarg && !PG_ARGISNULL(optarg))
		jy_km_opts_parse(o, PG_GETARG_JSONB_P(optarg));
}

/* ---- aggregate state ---------------------------------------------------- */

typedef struct KmAgg
{
	KmOpts		o;
	int32		d;				/* 0 until the first point */
	bool		prepared;		/* X sorted, Z/mean/scale current (by a final call) */
	int64		n;
	int64		cap;
	double	   *X;				/* points as given (sorted canonically once prepared) */
	double	   *Z;				/* when prepared: working-space points (X itself when not standardizing) */
	double	   *mean;
	double	   *scale;
	int64		distinct;
	Jsonb	   *raw_opts;		/* options as given, to detect changes cheaply */
} KmAgg;

static int64
max_sil(const KmOpts *o)
{
	return o->silhouette_sample;
}

/* bytes a fit of n points will need in total (points, z-scores, engine workspace) */
static double
km_bytes(int64 n, int d, const KmOpts *o)
{
	return (double) n * d * 8.0 * (o->standardize ? 2 : 1) +
		(double) jy_km_workspace_bytes(n, d, o->k_max, max_sil(o));
}

static void
km_reserve(KmAgg *st, MemoryContext cxt, int64 more)
{
	int64		need = jy_add_checked(st->n, more, "kmeans point count out of range");

	if (need <= st->cap && st->X != NULL)
		return;
	if (km_bytes(need, st->d, &st->o) > (double) st->o.max_memory_mb * 1024.0 * 1024.0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans input exceeds the memory budget of " INT64_FORMAT " MB", st->o.max_memory_mb),
				 errdetail("Fitting " INT64_FORMAT " points of %d dimensions needs about %.1f MB.",
						   need, st->d, km_bytes(need, st->d, &st->o) / 1048576.0),
				 errhint("Raise the budget with the option max_memory_mb, or fit on a sample with the option sample_fraction (e.g. '{\"sample_fraction\": 0.1}').")));
	/* the memory budget (at most 1 TB) is the limit that matters */
	st->X = jy_grow(cxt, st->X, &st->cap, need, (Size) st->d * sizeof(double), PG_INT64_MAX,
					"kmeans points", "points");
}

/* add a point of d dimensions unless the option sample_fraction leaves it out */
static void
km_add_point(KmAgg *st, MemoryContext cxt, const double *x, int d)
{
	if (st->o.sample_fraction < 1.0 &&
		(double) jy_km_point_hash(x, d, (uint64) st->o.seed) >= st->o.sample_fraction * 18446744073709551616.0)
		return;
	st->d = d;
	if (st->n == st->cap)
		km_reserve(st, cxt, 1);
	memcpy(st->X + (Size) st->n * d, x, d * sizeof(double));
	st->n++;
}

static bool
opts_equal(const KmOpts *a, const KmOpts *b)
{
	return a->k_min == b->k_min && a->k_max == b->k_max && a->n_init == b->n_init &&
		a->max_iter == b->max_iter && a->tol == b->tol && a->seed == b->seed &&
		a->standardize == b->standardize && a->progress == b->progress &&
		a->silhouette_sample == b->silhouette_sample &&
		a->sample_fraction == b->sample_fraction && a->max_memory_mb == b->max_memory_mb &&
		a->init == b->init;
}

static void
opts_mismatch(void)
{
	jy_arg_differs("k and the kmeans options", "group", NULL);
}

static Datum
km_trans_common(FunctionCallInfo fcinfo, bool scan)
{
	MemoryContext aggcxt = jy_agg_context(fcinfo, "kmeans transition function");
	KmAgg	   *st;
	int			optarg = scan ? 4 : 3;
	ArrayType  *arr;
	double		tmp[JY_KM_MAX_DIMS];
	int			d;

	if (PG_ARGISNULL(0))
	{
		KmOpts		o;

		opts_from_args(fcinfo, 2, scan, &o);
		st = (KmAgg *) MemoryContextAllocZero(aggcxt, sizeof(KmAgg));
		st->o = o;
		if (PG_NARGS() > optarg && !PG_ARGISNULL(optarg))
		{
			Jsonb	   *j = PG_GETARG_JSONB_P(optarg);

			st->raw_opts = (Jsonb *) MemoryContextAlloc(aggcxt, VARSIZE(j));
			memcpy(st->raw_opts, j, VARSIZE(j));
		}
	}
	else
	{
		st = (KmAgg *) PG_GETARG_POINTER(0);
		/* k (and options) must not change within a group */
		if (PG_ARGISNULL(2) || PG_GETARG_INT32(2) != st->o.k_min ||
			(scan && (PG_ARGISNULL(3) || PG_GETARG_INT32(3) != st->o.k_max)))
			opts_mismatch();
		if (PG_NARGS() > optarg)
		{
			bool		same;

			if (PG_ARGISNULL(optarg) || st->raw_opts == NULL)
				same = PG_ARGISNULL(optarg) && st->raw_opts == NULL;
			else
			{
				Jsonb	   *j = PG_GETARG_JSONB_P(optarg);

				same = VARSIZE(j) == VARSIZE(st->raw_opts) && memcmp(j, st->raw_opts, VARSIZE(j)) == 0;
				if (!same)
				{
					KmOpts		o;

					opts_from_args(fcinfo, 2, scan, &o);
					same = opts_equal(&o, &st->o);
				}
			}
			if (!same)
				opts_mismatch();
		}
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	if (st->prepared)
	{
		/* a window aggregate goes on after a final call: drop the fit data */
		if (st->Z != st->X)
			pfree(st->Z);
		st->Z = NULL;
		st->prepared = false;
	}
	arr = PG_GETARG_ARRAYTYPE_P(1);
	d = jy_km_read_point(arr, st->d, tmp);
	km_add_point(st, aggcxt, tmp, d);
	PG_RETURN_POINTER(st);
}

JY_FMGR_VARIANT(jy_kmeans_trans, km_trans_common, false);

JY_FMGR_VARIANT(jy_kmeans_scan_trans, km_trans_common, true);

Datum
jy_kmeans_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = jy_agg_context(fcinfo, "kmeans_combine");
	KmAgg	   *a,
			   *b;

	JY_COMBINE_ARGS(KmAgg, a, b);
	if (a == NULL)
	{
		a = (KmAgg *) MemoryContextAllocZero(aggcxt, sizeof(KmAgg));
		a->o = b->o;
		a->d = b->d;
	}
	else if (!opts_equal(&a->o, &b->o))
		opts_mismatch();
	if (b->n > 0)
	{
		if (a->d != 0 && a->d != b->d)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("kmeans features have different dimensions %d and %d", a->d, b->d),
					 errdetail("Every feature vector must have the same number of elements.")));
		a->d = b->d;
		km_reserve(a, aggcxt, b->n);
		memcpy(a->X + (Size) a->n * a->d, b->X, (Size) b->n * b->d * sizeof(double));
		a->n += b->n;
	}
	PG_RETURN_POINTER(a);
}

/*
 * Serialized state: KmOpts, d, n, then the n x d points, in native layout and
 * byte order (states only travel between processes of one server).
 */
#define KM_SER_HDR (sizeof(KmOpts) + 4 + 8)

Datum
jy_kmeans_serial(PG_FUNCTION_ARGS)
{
	KmAgg	   *st = (KmAgg *) PG_GETARG_POINTER(0);
	double		pts = (double) st->n * st->d * sizeof(double);
	StringInfoData buf;

	if (KM_SER_HDR + pts > (double) (MaxAllocSize - VARHDRSZ - 1))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans aggregate state too large to pass between parallel workers"),
				 errdetail("The state holds " INT64_FORMAT " points of %d dimensions.", st->n, st->d),
				 errhint("Disable parallel query for this statement (SET max_parallel_workers_per_gather = 0) or use the option sample_fraction.")));
	jy_serial_begin(&buf, KM_SER_HDR + (Size) pts, "kmeans aggregate state");
	pq_sendbytes(&buf, (const char *) &st->o, sizeof(KmOpts));
	pq_sendint32(&buf, st->d);
	pq_sendint64(&buf, st->n);
	if (st->n > 0)
		pq_sendbytes(&buf, (const char *) st->X, (int) pts);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
jy_kmeans_deserial(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	KmAgg	   *st;
	int32		d;
	int64		n;

	jy_deserial_begin(fcinfo, &buf, "kmeans_deserial");
	st = (KmAgg *) palloc0(sizeof(KmAgg));
	pq_copymsgbytes(&buf, (char *) &st->o, sizeof(KmOpts));
	d = pq_getmsgint(&buf, 4);
	n = pq_getmsgint64(&buf);
	if (d < 0 || d > JY_KM_MAX_DIMS || n < 0 || (d == 0 && n != 0) ||
		(d > 0 && (Size) n > (Size) (buf.len - buf.cursor) / ((Size) d * sizeof(double))))
		elog(ERROR, "corrupt kmeans aggregate state");
	st->d = d;
	if (n > 0)
	{
		st->X = (double *) palloc_extended((Size) n * d * sizeof(double), MCXT_ALLOC_HUGE);
		pq_copymsgbytes(&buf, (char *) st->X, (int) ((Size) n * d * sizeof(double)));
		st->n = st->cap = n;
	}
	jy_deserial_end(&buf);
	PG_RETURN_POINTER(st);
}

/* ---- fitting ------------------------------------------------------------ */

static bool
km_cancel(void *arg)
{
	(void) arg;
	CHECK_FOR_INTERRUPTS();
	return false;
}

static void
km_progress(void *arg, int init, int iter, int64_t changed, double shift)
{
	int			k = *(int *) arg;

	ereport(NOTICE,
			(errmsg("kmeans k=%d restart %d iteration %d: " INT64_FORMAT " points changed cluster, centre shift %.6g",
					k, init + 1, iter, (int64) changed, shift)));
}

/*
 * Sort the state's points canonically and compute the working-space copy
 * (once; a re-run final function reuses it).  X keeps the original values,
 * so that a window aggregate can go on adding rows.
 */
static void
km_prepare_state(KmAgg *st, MemoryContext cxt)
{
	void	   *ws;

	if (st->prepared)
		return;
	if (!st->mean)
	{
		st->mean = (double *) MemoryContextAlloc(cxt, JY_KM_MAX_DIMS * sizeof(double));
		st->scale = (double *) MemoryContextAlloc(cxt, JY_KM_MAX_DIMS * sizeof(double));
	}
	st->Z = st->o.standardize
		? (double *) MemoryContextAllocHuge(cxt, (Size) st->n * st->d * sizeof(double))
		: st->X;
	ws = palloc_extended(jy_km_workspace_bytes(st->n, st->d, 1, 0), MCXT_ALLOC_HUGE);
	st->distinct = jy_km_prepare(st->X, st->n, st->d, st->o.standardize, st->mean, st->scale, st->Z, ws);
	pfree(ws);
	st->prepared = true;
}

static KmModel *
km_fit(KmAgg *st, int k, void *ws)
{
	KmModel    *m;
	JyKmOptions eo;
	JyKmResult	r;
	int			karg = k;
	int			rc;

	if (k > st->distinct)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k is larger than the number of distinct points"),
				 errdetail("k is %d but the input has only " INT64_FORMAT " distinct feature vectors (" INT64_FORMAT " rows).",
						   k, st->distinct, st->n),
				 errhint("Choose a smaller k.")));
	m = jy_km_model_alloc(CurrentMemoryContext, k, st->d);
	m->n = st->n;
	m->seed = st->o.seed;
	m->tol = st->o.tol;
	m->n_init = st->o.n_init;
	memcpy(jy_kmm_mean(m), st->mean, st->d * sizeof(double));
	memcpy(jy_kmm_scale(m), st->scale, st->d * sizeof(double));

	memset(&eo, 0, sizeof(eo));
	eo.k = k;
	eo.n_init = st->o.n_init;
	eo.max_iter = st->o.max_iter;
	eo.tol = st->o.tol;
	eo.seed = (uint64) st->o.seed;
	eo.silhouette_sample = st->o.silhouette_sample;
	eo.init = st->o.init;
	eo.raw = st->X;				/* canonical order (prepared), original units */
	eo.cancel = km_cancel;
	eo.progress = st->o.progress ? km_progress : NULL;
	eo.cb_arg = &karg;
	r.centers = jy_kmm_centers(m);
	r.sizes = jy_kmm_sizes(m);
	r.within = jy_kmm_within(m);
	rc = jy_km_fit(st->Z, st->n, st->d, &eo, ws, &r);
	if (rc == JY_KM_TOO_FEW_DISTINCT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k is larger than the number of distinct points"),
				 errdetail("k is %d but the input has fewer distinct feature vectors.", k),
				 errhint("Choose a smaller k.")));
	if (rc != JY_KM_OK)
		elog(ERROR, "unexpected K-means engine status %d", rc);
	m->inertia = r.inertia;
	m->silhouette = r.silhouette;
	m->iterations = r.iterations;
	m->flags = (st->o.standardize ? JY_KMM_STANDARDIZED : 0) | (r.converged ? JY_KMM_CONVERGED : 0);
	if (isnan(m->silhouette))
		m->silhouette = NAN;	/* the canonical NaN (kmeans_model.h) */
	jy_km_model_check_fitted(m);
	return m;
}

static void *
km_workspace(KmAgg *st)
{
	return palloc_extended(jy_km_workspace_bytes(st->n, st->d, st->o.k_max, st->o.silhouette_sample),
						   MCXT_ALLOC_HUGE);
}

/* the final functions' state, prepared; NULL when there is no point to fit */
static KmAgg *
km_final_state(FunctionCallInfo fcinfo)
{
	KmAgg	   *st = PG_ARGISNULL(0) ? NULL : (KmAgg *) PG_GETARG_POINTER(0);

	if (st == NULL || st->n == 0)
		return NULL;
	km_prepare_state(st, GetMemoryChunkContext(st));
	return st;
}

Datum
jy_kmeans_final(PG_FUNCTION_ARGS)
{
	KmAgg	   *st = km_final_state(fcinfo);
	void	   *ws;
	KmModel    *m;

	if (st == NULL)
		PG_RETURN_NULL();
	ws = km_workspace(st);
	m = km_fit(st, st->o.k_min, ws);
	pfree(ws);
	PG_RETURN_POINTER(m);
}

Datum
jy_kmeans_scan_final(PG_FUNCTION_ARGS)
{
	KmAgg	   *st = km_final_state(fcinfo);
	void	   *ws;
	Datum	   *ms;
	int			nk;
	Oid			elemtype;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (st == NULL)
		PG_RETURN_NULL();
	if (st->o.k_max > st->distinct)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k_max is larger than the number of distinct points"),
				 errdetail("k_max is %d but the input has only " INT64_FORMAT " distinct feature vectors (" INT64_FORMAT " rows).",
						   st->o.k_max, st->distinct, st->n)));
	elemtype = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	if (!OidIsValid(elemtype))
		elog(ERROR, "could not determine the result type of kmeans_scan");
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	nk = st->o.k_max - st->o.k_min + 1;
	ms = (Datum *) palloc(nk * sizeof(Datum));
	ws = km_workspace(st);
	for (int i = 0; i < nk; i++)
		ms[i] = PointerGetDatum(km_fit(st, st->o.k_min + i, ws));
	pfree(ws);
	PG_RETURN_ARRAYTYPE_P(construct_array(ms, nk, elemtype, typlen, typbyval, typalign));
}

/* ---- window: kmeans_cluster(features, k [, options]) OVER (...) --------- */

typedef struct KmWinState
{
	bool		fitted;
	bool		empty;			/* no non-NULL feature row in the partition */
	KmModel    *model;
} KmWinState;

Datum
jy_kmeans_cluster_window(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	KmWinState *ws = (KmWinState *) WinGetPartitionLocalMemory(winobj, sizeof(KmWinState));
	bool		isnull;
	Datum		d;

	if (!ws->fitted)
	{
		MemoryContext partcxt = GetMemoryChunkContext(ws);
		MemoryContext fitcxt = AllocSetContextCreate(CurrentMemoryContext, "kmeans window fit",
													 ALLOCSET_DEFAULT_SIZES);
		MemoryContext old = MemoryContextSwitchTo(fitcxt);
		KmAgg		st;
		int64		pos;
		bool		isout = false;

		memset(&st, 0, sizeof(st));
		/* k and options are read once, from the first row: they must be constants */
		if (!jy_arg_stable(fcinfo, 1) || !jy_arg_stable(fcinfo, 2))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("k and the options of kmeans_cluster must be constants"),
					 errhint("Use kmeans_segment() with GROUP BY for per-group parameters.")));
		{
			LOCAL_FCINFO(fc, 4);

			/* read k and options from the current row through a pseudo call */
			InitFunctionCallInfoData(*fc, fcinfo->flinfo, PG_NARGS() + 1, InvalidOid, NULL, NULL);
			fc->args[0].isnull = true;
			fc->args[1].isnull = true;
			fc->args[2].value = WinGetFuncArgCurrent(winobj, 1, &fc->args[2].isnull);
			if (PG_NARGS() > 2)
				fc->args[3].value = WinGetFuncArgCurrent(winobj, 2, &fc->args[3].isnull);
			opts_from_args(fc, 2, false, &st.o);
		}
		for (pos = 0;; pos++)
		{
			ArrayType  *arr;

			d = WinGetFuncArgInPartition(winobj, 0, pos, WINDOW_SEEK_HEAD, false, &isnull, &isout);
			if (isout)
				break;
			if ((pos & 1023) == 0)
				CHECK_FOR_INTERRUPTS();
			if (isnull)
				continue;
			arr = DatumGetArrayTypeP(d);
			{
				double		tmp[JY_KM_MAX_DIMS];
				int			dd = jy_km_read_point(arr, st.d, tmp);

				km_add_point(&st, fitcxt, tmp, dd);
			}
			if ((Pointer) arr != DatumGetPointer(d))
				pfree(arr);
		}
		if (st.n == 0)
			ws->empty = true;
		else
		{
			KmModel    *m;
			void	   *wsp;

			km_prepare_state(&st, fitcxt);
			wsp = km_workspace(&st);
			m = km_fit(&st, st.o.k_min, wsp);
			ws->model = (KmModel *) MemoryContextAlloc(partcxt, VARSIZE(m));
			memcpy(ws->model, m, VARSIZE(m));
		}
		MemoryContextSwitchTo(old);
		MemoryContextDelete(fitcxt);
		ws->fitted = true;
	}
	WinSetMarkPosition(winobj, WinGetCurrentPosition(winobj));
	d = WinGetFuncArgCurrent(winobj, 0, &isnull);
	if (isnull || ws->empty)
		PG_RETURN_NULL();
	PG_RETURN_INT32(jy_km_assign_point(ws->model, DatumGetArrayTypeP(d), NULL) + 1);
}
