/*
 * kmeans_glue.c — K-means segments inside PostgreSQL.
 *
 *   kmeans_segment(features float8[], k int [, options jsonb])   aggregate -> kmeans_model
 *   kmeans_scan(features, k_min, k_max [, options])              aggregate -> kmeans_model[]
 *   kmeans_cluster(features, k [, options]) OVER (...)           window: the row's cluster
 *   kmeans_assign(model, features), kmeans_distance(model, features)
 *   kmeans_summary(model), kmeans_clusters(model), kmeans_centroids(model)
 *
 * The fit itself is the engine's (src/engine/kmeans.h).  The aggregate keeps
 * every point (n x d doubles) in its internal state; parallel workers ship
 * their points to the leader (combine = concatenation).  Because the engine
 * sorts points canonically before seeding, the result does not depend on the
 * order of the rows, hence not on the plan either.
 *
 * kmeans_model on-disk layout (native in memory; send/recv use network order):
 *   int32  vl_len_
 *   uint8  version      = 1
 *   uint8  flags        bit 0 standardized, bit 1 converged, others must be 0
 *   uint16 reserved     must be 0
 *   int32  k, dims, iterations, n_init
 *   int64  n            points the model was fitted on
 *   int64  seed
 *   float8 tol, inertia, silhouette (NaN: not computed)
 *   int64  sizes[k]
 *   float8 mean[dims], scale[dims], within[k], centers[k * dims]
 * Centres are stored in the working space of the fit (z-scores when
 * standardized) so that assignment is bit-exact; accessors report them in the
 * original units as mean + scale * z.
 *
 * Numbers: every float8 is finite (subnormals included) except silhouette,
 * which is NaN when not computed.  That NaN is always the canonical one
 * (the NAN macro, 0x7FF8000000000000): recv turns any NaN bit pattern into
 * it and send writes it, so text ("null") and binary round trips give the
 * same bytes.  Feature values are bounded by KM_FEATURE_MAX so that no sum
 * of squared distances can overflow, and the final functions check the
 * fitted model like recv does: an aggregate never returns a model that the
 * input functions would reject (which would make a dump unrestorable).
 */
#include "journey.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "windowapi.h"

#include "kmeans.h"

#include "kmeans_glue.h"

PG_FUNCTION_INFO_V1(jy_kmeans_model_in);
PG_FUNCTION_INFO_V1(jy_kmeans_model_out);
PG_FUNCTION_INFO_V1(jy_kmeans_model_recv);
PG_FUNCTION_INFO_V1(jy_kmeans_model_send);
PG_FUNCTION_INFO_V1(jy_kmeans_trans);
PG_FUNCTION_INFO_V1(jy_kmeans_scan_trans);
PG_FUNCTION_INFO_V1(jy_kmeans_combine);
PG_FUNCTION_INFO_V1(jy_kmeans_serial);
PG_FUNCTION_INFO_V1(jy_kmeans_deserial);
PG_FUNCTION_INFO_V1(jy_kmeans_final);
PG_FUNCTION_INFO_V1(jy_kmeans_scan_final);
PG_FUNCTION_INFO_V1(jy_kmeans_assign);
PG_FUNCTION_INFO_V1(jy_kmeans_distance);
PG_FUNCTION_INFO_V1(jy_kmeans_summary);
PG_FUNCTION_INFO_V1(jy_kmeans_clusters);
PG_FUNCTION_INFO_V1(jy_kmeans_centroids);
PG_FUNCTION_INFO_V1(jy_kmeans_cluster_window);

/* ---- options ------------------------------------------------------------ */

#define KM_DEFAULT_MAX_MEMORY_MB 1024
#define KM_MAX_MEMORY_MB_LIMIT (INT64CONST(1) << 20)	/* 1 TB */

static void
opts_defaults(KmOpts *o, bool scan)
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

static void
opts_parse(KmOpts *o, Jsonb *jb)
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

static void
check_k(int64 k, const char *what)
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

	opts_defaults(o, scan);
	if (PG_ARGISNULL(argno) || (scan && PG_ARGISNULL(argno + 1)))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the number of clusters must not be NULL")));
	o->k_min = PG_GETARG_INT32(argno);
	check_k(o->k_min, scan ? "k_min" : "the number of clusters k");
	o->k_max = o->k_min;
	if (scan)
	{
		o->k_max = PG_GETARG_INT32(argno + 1);
		check_k(o->k_max, "k_max");
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
		opts_parse(o, PG_GETARG_JSONB_P(optarg));
}

/* ---- reading one point -------------------------------------------------- */

/*
 * Returns the number of dimensions of a features array and copies it to out
 * (when not NULL).  Errors for anything that is not a finite 1-D float8 vector.
 */
static int
read_point(ArrayType *arr, int expect, double *out)
{
	int			d;
	const float8 *v;

	if (ARR_NDIM(arr) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("kmeans features must not be an empty array")));
	if (ARR_NDIM(arr) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("kmeans features must be a one-dimensional array"),
				 errdetail("The array has %d dimensions.", ARR_NDIM(arr))));
	d = ARR_DIMS(arr)[0];
	if (d > JY_KM_MAX_DIMS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans features have too many dimensions"),
				 errdetail("The array has %d elements; the limit is %d.", d, JY_KM_MAX_DIMS)));
	if (expect > 0 && d != expect)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("kmeans features have different dimensions %d and %d", expect, d),
				 errdetail("Every feature vector must have the same number of elements.")));
	if (ARR_HASNULL(arr))
	{
		bits8	   *bm = ARR_NULLBITMAP(arr);

		for (int j = 0; j < d; j++)
			if (!(bm[j / 8] & (1 << (j % 8))))
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("kmeans features must not contain NULL"),
						 errdetail("Element %d is NULL.", j + 1),
						 errhint("Replace missing values first, e.g. with coalesce(x, 0), or filter the row out.")));
	}
	v = (const float8 *) ARR_DATA_PTR(arr);
	for (int j = 0; j < d; j++)
	{
		if (!isfinite(v[j]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("kmeans features must be finite"),
					 errdetail("Element %d is %s.", j + 1, isnan(v[j]) ? "NaN" : (v[j] > 0 ? "Infinity" : "-Infinity"))));
		if (fabs(v[j]) > KM_FEATURE_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("kmeans features must be between -1e100 and 1e100"),
					 errdetail("Element %d is %.17g.", j + 1, v[j]),
					 errhint("Rescale the feature (for example take its logarithm): larger values would overflow the sums of squared distances.")));
		if (out)
			out[j] = v[j] + 0.0;	/* -0 becomes +0: one canonical form */
	}
	return d;
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
km_reserve(KmAgg *st, int64 more)
{
	int64		need = st->n + more;
	int64		cap;

	if (need <= st->cap)
		return;
	if (km_bytes(need, st->d, &st->o) > (double) st->o.max_memory_mb * 1024.0 * 1024.0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans input exceeds the memory budget of " INT64_FORMAT " MB", st->o.max_memory_mb),
				 errdetail("Fitting " INT64_FORMAT " points of %d dimensions needs about %.1f MB.",
						   need, st->d, km_bytes(need, st->d, &st->o) / 1048576.0),
				 errhint("Raise the budget with the option max_memory_mb, or fit on a sample with the option sample_fraction (e.g. '{\"sample_fraction\": 0.1}').")));
	cap = Max(need, Max(st->cap * 2, 1024));
	st->X = st->X ? repalloc_huge(st->X, (Size) cap * st->d * sizeof(double))
		: MemoryContextAllocHuge(CurrentMemoryContext, (Size) cap * st->d * sizeof(double));
	st->cap = cap;
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
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("k and the kmeans options must be the same for every row of a group")));
}

static Datum
km_trans_common(FunctionCallInfo fcinfo, bool scan)
{
	MemoryContext aggcxt,
				old;
	KmAgg	   *st;
	int			optarg = scan ? 4 : 3;
	ArrayType  *arr;
	double		tmp[JY_KM_MAX_DIMS];
	int			d;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "kmeans transition function called in non-aggregate context");
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
	d = read_point(arr, st->d, tmp);
	if (st->o.sample_fraction < 1.0 &&
		(double) jy_km_point_hash(tmp, d, (uint64) st->o.seed) >= st->o.sample_fraction * 18446744073709551616.0)
		PG_RETURN_POINTER(st);
	st->d = d;
	if (st->n == st->cap)
	{
		old = MemoryContextSwitchTo(aggcxt);
		km_reserve(st, 1);
		MemoryContextSwitchTo(old);
	}
	memcpy(st->X + (Size) st->n * d, tmp, d * sizeof(double));
	st->n++;
	PG_RETURN_POINTER(st);
}

Datum
jy_kmeans_trans(PG_FUNCTION_ARGS)
{
	return km_trans_common(fcinfo, false);
}

Datum
jy_kmeans_scan_trans(PG_FUNCTION_ARGS)
{
	return km_trans_common(fcinfo, true);
}

Datum
jy_kmeans_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt,
				old;
	KmAgg	   *a,
			   *b;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "kmeans_combine called in non-aggregate context");
	a = PG_ARGISNULL(0) ? NULL : (KmAgg *) PG_GETARG_POINTER(0);
	b = PG_ARGISNULL(1) ? NULL : (KmAgg *) PG_GETARG_POINTER(1);
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	old = MemoryContextSwitchTo(aggcxt);
	if (a == NULL)
	{
		a = (KmAgg *) palloc0(sizeof(KmAgg));
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
		km_reserve(a, b->n);
		memcpy(a->X + (Size) a->n * a->d, b->X, (Size) b->n * b->d * sizeof(double));
		a->n += b->n;
	}
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(a);
}

/* serialized state: KmOpts, d, n, then n * d doubles */
#define KM_SER_HDR (sizeof(KmOpts) + sizeof(int32) + sizeof(int64))

Datum
jy_kmeans_serial(PG_FUNCTION_ARGS)
{
	KmAgg	   *st = (KmAgg *) PG_GETARG_POINTER(0);
	double		sz = (double) VARHDRSZ + KM_SER_HDR + (double) st->n * st->d * sizeof(double);
	bytea	   *out;
	char	   *p;

	if (sz > (double) MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans aggregate state too large to pass between parallel workers"),
				 errdetail("The state holds " INT64_FORMAT " points of %d dimensions.", st->n, st->d),
				 errhint("Disable parallel query for this statement (SET max_parallel_workers_per_gather = 0) or use the option sample_fraction.")));
	out = (bytea *) palloc((Size) sz);
	SET_VARSIZE(out, (Size) sz);
	p = VARDATA(out);
	memcpy(p, &st->o, sizeof(KmOpts));
	memcpy(p + sizeof(KmOpts), &st->d, sizeof(int32));
	memcpy(p + sizeof(KmOpts) + sizeof(int32), &st->n, sizeof(int64));
	if (st->n > 0)
		memcpy(p + KM_SER_HDR, st->X, (Size) st->n * st->d * sizeof(double));
	PG_RETURN_BYTEA_P(out);
}

Datum
jy_kmeans_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const char *p = VARDATA_ANY(in);
	Size		len = VARSIZE_ANY_EXHDR(in);
	KmAgg	   *st;
	int32		d;
	int64		n;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "kmeans_deserial called in non-aggregate context");
	if (len < KM_SER_HDR)
		elog(ERROR, "kmeans: truncated aggregate state");
	memcpy(&d, p + sizeof(KmOpts), sizeof(int32));
	memcpy(&n, p + sizeof(KmOpts) + sizeof(int32), sizeof(int64));
	if (d < 0 || d > JY_KM_MAX_DIMS || n < 0 || (d == 0 && n != 0) ||
		(d > 0 && (Size) n > (len - KM_SER_HDR) / ((Size) d * sizeof(double))) ||
		len != KM_SER_HDR + (Size) n * d * sizeof(double))
		elog(ERROR, "kmeans: corrupt aggregate state");
	st = (KmAgg *) palloc0(sizeof(KmAgg));
	memcpy(&st->o, p, sizeof(KmOpts));
	st->d = d;
	if (n > 0)
	{
		st->X = (double *) palloc_extended((Size) n * d * sizeof(double), MCXT_ALLOC_HUGE);
		memcpy(st->X, p + KM_SER_HDR, (Size) n * d * sizeof(double));
		st->n = st->cap = n;
	}
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

static const char *km_check(const KmModel *m);

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
	m = (KmModel *) palloc0(KM_SIZE(k, st->d));
	SET_VARSIZE(m, KM_SIZE(k, st->d));
	m->version = KM_VERSION;
	m->k = k;
	m->dims = st->d;
	m->n = st->n;
	m->seed = st->o.seed;
	m->tol = st->o.tol;
	m->n_init = st->o.n_init;
	memcpy(KM_MEAN(m), st->mean, st->d * sizeof(double));
	memcpy(KM_SCALE(m), st->scale, st->d * sizeof(double));

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
	r.centers = KM_CENTERS(m);
	r.sizes = KM_SIZES(m);
	r.within = KM_WITHIN(m);
	rc = jy_km_fit(st->Z, st->n, st->d, &eo, ws, &r);
	if (rc == JY_KM_TOO_FEW_DISTINCT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k is larger than the number of distinct points"),
				 errdetail("k is %d but the input has fewer distinct feature vectors.", k),
				 errhint("Choose a smaller k.")));
	if (rc != JY_KM_OK)
		elog(ERROR, "kmeans: engine returned %d", rc);
	m->inertia = r.inertia;
	m->silhouette = r.silhouette;
	m->iterations = r.iterations;
	m->flags = (st->o.standardize ? KM_FLAG_STANDARDIZED : 0) | (r.converged ? KM_FLAG_CONVERGED : 0);
	if (isnan(m->silhouette))
		m->silhouette = NAN;	/* the canonical NaN (see the file header) */

	/*
	 * Never return a model that kmeans_model_in / _recv would reject: a dump
	 * of it could not be restored.  With features bounded by KM_FEATURE_MAX
	 * this does not happen; the check is cheap (O(k * dims)) and turns any
	 * numerical surprise into an error instead of an unrestorable value.
	 */
	{
		const char *bad = km_check(m);

		if (bad)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("kmeans result is not representable"),
					 errdetail("%s.", bad),
					 errhint("Rescale the features to a smaller range.")));
	}
	return m;
}

static void *
km_workspace(KmAgg *st)
{
	return palloc_extended(jy_km_workspace_bytes(st->n, st->d, st->o.k_max, st->o.silhouette_sample),
						   MCXT_ALLOC_HUGE);
}

Datum
jy_kmeans_final(PG_FUNCTION_ARGS)
{
	KmAgg	   *st;
	void	   *ws;
	KmModel    *m;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (KmAgg *) PG_GETARG_POINTER(0);
	if (st->n == 0)
		PG_RETURN_NULL();
	km_prepare_state(st, GetMemoryChunkContext(st));
	ws = km_workspace(st);
	m = km_fit(st, st->o.k_min, ws);
	pfree(ws);
	PG_RETURN_POINTER(m);
}

Datum
jy_kmeans_scan_final(PG_FUNCTION_ARGS)
{
	KmAgg	   *st;
	void	   *ws;
	Datum	   *ms;
	int			nk;
	Oid			elemtype;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (KmAgg *) PG_GETARG_POINTER(0);
	if (st->n == 0)
		PG_RETURN_NULL();
	km_prepare_state(st, GetMemoryChunkContext(st));
	if (st->o.k_max > st->distinct)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k_max is larger than the number of distinct points"),
				 errdetail("k_max is %d but the input has only " INT64_FORMAT " distinct feature vectors (" INT64_FORMAT " rows).",
						   st->o.k_max, st->distinct, st->n)));
	elemtype = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	if (!OidIsValid(elemtype))
		elog(ERROR, "kmeans_scan: could not determine the result type");
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	nk = st->o.k_max - st->o.k_min + 1;
	ms = (Datum *) palloc(nk * sizeof(Datum));
	ws = km_workspace(st);
	for (int i = 0; i < nk; i++)
		ms[i] = PointerGetDatum(km_fit(st, st->o.k_min + i, ws));
	pfree(ws);
	PG_RETURN_ARRAYTYPE_P(construct_array(ms, nk, elemtype, typlen, typbyval, typalign));
}

/* ---- model validation, text and binary I/O ------------------------------ */

/* NULL when m is a valid model, else why not (a sentence without its period) */
static const char *
km_check(const KmModel *m)
{
	const char *bad = NULL;
	int64		tot = 0;
	double		wsum = 0.0;

	if (m->version != KM_VERSION)
		bad = psprintf("Unsupported format version %u", m->version);
	else if ((m->flags & ~KM_FLAGS_KNOWN) != 0 || m->reserved != 0)
		bad = "Reserved bits are set";
	else if (m->k < 1 || m->k > JY_KM_MAX_K)
		bad = "k is out of range";
	else if (m->dims < 1 || m->dims > JY_KM_MAX_DIMS)
		bad = "The number of dimensions is out of range";
	else if (m->iterations < 0 || m->n_init < 1 || m->n < m->k)
		bad = "iterations, n_init or n is out of range";
	else if (!(m->tol >= 0.0) || !isfinite(m->tol) || !(m->inertia >= 0.0) || !isfinite(m->inertia))
		bad = "tol or inertia is negative or not finite";
	else if (!isnan(m->silhouette) && !(m->silhouette >= -1.0 && m->silhouette <= 1.0))
		bad = "The silhouette is outside [-1, 1]";
	if (!bad)
	{
		for (int a = 0; a < m->k && !bad; a++)
		{
			if (KM_SIZES(m)[a] < 0 || KM_SIZES(m)[a] > m->n)
				bad = "A cluster size is out of range";
			else
				tot += KM_SIZES(m)[a];
			if (!(KM_WITHIN(m)[a] >= 0.0) || !isfinite(KM_WITHIN(m)[a]))
				bad = "A within-cluster sum of squares is negative or not finite";
			wsum += KM_WITHIN(m)[a];
		}
		if (!bad && tot != m->n)
			bad = "Cluster sizes do not add up to n";
		else if (!bad && fabs(wsum - m->inertia) > 1e-9 * Max(wsum, 1e-300) + 1e-300)
			bad = "The within-cluster sums of squares do not add up to the inertia";
	}
	for (int j = 0; j < m->dims && !bad; j++)
	{
		if (!isfinite(KM_MEAN(m)[j]) || !isfinite(KM_SCALE(m)[j]) || !(KM_SCALE(m)[j] > 0.0))
			bad = "A mean is not finite or a scale is not positive";
		else if (!(m->flags & KM_FLAG_STANDARDIZED) && (KM_MEAN(m)[j] != 0.0 || KM_SCALE(m)[j] != 1.0))
			bad = "An unstandardized model must have means 0 and scales 1";
	}
	for (int i = 0; i < m->k * m->dims && !bad; i++)
		if (!isfinite(KM_CENTERS(m)[i]))
			bad = "A centre coordinate is not finite";
	return bad;
}

static void
km_validate(const KmModel *m, int errc)
{
	const char *bad = km_check(m);

	if (bad)
		ereport(ERROR,
				(errcode(errc),
				 errmsg("invalid kmeans_model value"),
				 errdetail("%s.", bad)));
}

/*
 * Text form (JSON, keys in this order, white space allowed between tokens):
 * {"v":1,"k":2,"dims":2,"n":10,"standardized":true,"converged":true,
 *  "iterations":3,"n_init":10,"seed":0,"tol":0.0001,"inertia":1.5,
 *  "silhouette":null,"mean":[..],"scale":[..],"sizes":[..],"within":[..],
 *  "centers":[[..],[..]]}
 * Floats are printed with 17 significant digits: the text form is lossless.
 */

static void
scan_doubles(JyTextScan *sc, double *out, int n)
{
	jy_scan_lit(sc, "[");
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			jy_scan_lit(sc, ",");
		out[i] = jy_scan_double(sc);
	}
	jy_scan_lit(sc, "]");
}

Datum
jy_kmeans_model_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	JyTextScan		sc = {str, str, "kmeans_model"};
	KmModel		h;
	KmModel    *m;
	int64		v;

	memset(&h, 0, sizeof(h));
	jy_scan_lit(&sc, "{");
	jy_scan_key(&sc, "v", false);
	v = jy_scan_int(&sc, 0, 255);
	if (v != KM_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("unsupported kmeans_model format version " INT64_FORMAT, v),
				 errdetail("This version of journey reads version %d.", KM_VERSION)));
	h.version = (uint8) v;
	jy_scan_key(&sc, "k", true);
	h.k = (int32) jy_scan_int(&sc, 1, JY_KM_MAX_K);
	jy_scan_key(&sc, "dims", true);
	h.dims = (int32) jy_scan_int(&sc, 1, JY_KM_MAX_DIMS);
	jy_scan_key(&sc, "n", true);
	h.n = jy_scan_int(&sc, 1, PG_INT64_MAX);
	jy_scan_key(&sc, "standardized", true);
	h.flags |= jy_scan_bool(&sc) ? KM_FLAG_STANDARDIZED : 0;
	jy_scan_key(&sc, "converged", true);
	h.flags |= jy_scan_bool(&sc) ? KM_FLAG_CONVERGED : 0;
	jy_scan_key(&sc, "iterations", true);
	h.iterations = (int32) jy_scan_int(&sc, 0, PG_INT32_MAX);
	jy_scan_key(&sc, "n_init", true);
	h.n_init = (int32) jy_scan_int(&sc, 1, PG_INT32_MAX);
	jy_scan_key(&sc, "seed", true);
	h.seed = jy_scan_int(&sc, PG_INT64_MIN, PG_INT64_MAX);
	jy_scan_key(&sc, "tol", true);
	h.tol = jy_scan_double(&sc);
	jy_scan_key(&sc, "inertia", true);
	h.inertia = jy_scan_double(&sc);
	jy_scan_key(&sc, "silhouette", true);
	jy_scan_ws(&sc);
	if (strncmp(sc.p, "null", 4) == 0)
	{
		sc.p += 4;
		h.silhouette = NAN;
	}
	else
		h.silhouette = jy_scan_double(&sc);

	m = (KmModel *) palloc0(KM_SIZE(h.k, h.dims));
	memcpy(m, &h, KM_HDRSZ);
	SET_VARSIZE(m, KM_SIZE(h.k, h.dims));
	jy_scan_key(&sc, "mean", true);
	scan_doubles(&sc, KM_MEAN(m), m->dims);
	jy_scan_key(&sc, "scale", true);
	scan_doubles(&sc, KM_SCALE(m), m->dims);
	jy_scan_key(&sc, "sizes", true);
	jy_scan_lit(&sc, "[");
	for (int a = 0; a < m->k; a++)
	{
		if (a > 0)
			jy_scan_lit(&sc, ",");
		KM_SIZES(m)[a] = jy_scan_int(&sc, 0, PG_INT64_MAX);
	}
	jy_scan_lit(&sc, "]");
	jy_scan_key(&sc, "within", true);
	scan_doubles(&sc, KM_WITHIN(m), m->k);
	jy_scan_key(&sc, "centers", true);
	jy_scan_lit(&sc, "[");
	for (int a = 0; a < m->k; a++)
	{
		/* up to 10000 x 1024 numbers: seconds of strtod */
		CHECK_FOR_INTERRUPTS();
		if (a > 0)
			jy_scan_lit(&sc, ",");
		scan_doubles(&sc, KM_CENTERS(m) + (Size) a * m->dims, m->dims);
	}
	jy_scan_lit(&sc, "]");
	jy_scan_lit(&sc, "}");
	jy_scan_ws(&sc);
	if (*sc.p != '\0')
		jy_scan_fail(&sc, "end of input");
	km_validate(m, ERRCODE_INVALID_TEXT_REPRESENTATION);
	PG_RETURN_POINTER(m);
}

static void
append_doubles(StringInfo buf, const double *v, int n)
{
	appendStringInfoChar(buf, '[');
	for (int i = 0; i < n; i++)
		appendStringInfo(buf, "%s%.17g", i ? "," : "", v[i]);
	appendStringInfoChar(buf, ']');
}

Datum
jy_kmeans_model_out(PG_FUNCTION_ARGS)
{
	KmModel    *m = PG_GETARG_KMMODEL_P(0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"v\":%d,\"k\":%d,\"dims\":%d,\"n\":" INT64_FORMAT ",\"standardized\":%s,\"converged\":%s,"
					 "\"iterations\":%d,\"n_init\":%d,\"seed\":" INT64_FORMAT ",\"tol\":%.17g,\"inertia\":%.17g,\"silhouette\":",
					 m->version, m->k, m->dims, m->n,
					 (m->flags & KM_FLAG_STANDARDIZED) ? "true" : "false",
					 (m->flags & KM_FLAG_CONVERGED) ? "true" : "false",
					 m->iterations, m->n_init, m->seed, m->tol, m->inertia);
	if (isnan(m->silhouette))
		appendStringInfoString(&buf, "null");
	else
		appendStringInfo(&buf, "%.17g", m->silhouette);
	appendStringInfoString(&buf, ",\"mean\":");
	append_doubles(&buf, KM_MEAN(m), m->dims);
	appendStringInfoString(&buf, ",\"scale\":");
	append_doubles(&buf, KM_SCALE(m), m->dims);
	appendStringInfoString(&buf, ",\"sizes\":[");
	for (int a = 0; a < m->k; a++)
		appendStringInfo(&buf, "%s" INT64_FORMAT, a ? "," : "", KM_SIZES(m)[a]);
	appendStringInfoString(&buf, "],\"within\":");
	append_doubles(&buf, KM_WITHIN(m), m->k);
	appendStringInfoString(&buf, ",\"centers\":[");
	for (int a = 0; a < m->k; a++)
	{
		CHECK_FOR_INTERRUPTS();
		if (a > 0)
			appendStringInfoChar(&buf, ',');
		append_doubles(&buf, KM_CENTERS(m) + (Size) a * m->dims, m->dims);
	}
	appendStringInfoString(&buf, "]}");
	PG_RETURN_CSTRING(buf.data);
}

Datum
jy_kmeans_model_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	KmModel		h;
	KmModel    *m;
	int			nd;

	memset(&h, 0, sizeof(h));
	h.version = (uint8) pq_getmsgbyte(buf);
	h.flags = (uint8) pq_getmsgbyte(buf);
	h.reserved = (uint16) pq_getmsgint(buf, 2);
	h.k = (int32) pq_getmsgint(buf, 4);
	h.dims = (int32) pq_getmsgint(buf, 4);
	h.iterations = (int32) pq_getmsgint(buf, 4);
	h.n_init = (int32) pq_getmsgint(buf, 4);
	h.n = pq_getmsgint64(buf);
	h.seed = pq_getmsgint64(buf);
	h.tol = pq_getmsgfloat8(buf);
	h.inertia = pq_getmsgfloat8(buf);
	h.silhouette = pq_getmsgfloat8(buf);
	/* any NaN bit pattern means "not computed": store the canonical NaN */
	if (isnan(h.silhouette))
		h.silhouette = NAN;
	if (h.version != KM_VERSION || h.k < 1 || h.k > JY_KM_MAX_K || h.dims < 1 || h.dims > JY_KM_MAX_DIMS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid kmeans_model value"),
				 errdetail("Version %u, k %d or dims %d is not supported.", h.version, h.k, h.dims)));
	nd = h.k + 2 * h.dims + h.k + h.k * h.dims;
	if ((Size) nd * 8 != (Size) (buf->len - buf->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid kmeans_model value"),
				 errdetail("The message holds %d bytes after the header; %d were expected.",
						   buf->len - buf->cursor, nd * 8)));
	m = (KmModel *) palloc0(KM_SIZE(h.k, h.dims));
	memcpy(m, &h, KM_HDRSZ);
	SET_VARSIZE(m, KM_SIZE(h.k, h.dims));
	for (int a = 0; a < m->k; a++)
		KM_SIZES(m)[a] = pq_getmsgint64(buf);
	for (int i = 0; i < nd - m->k; i++)
		KM_MEAN(m)[i] = pq_getmsgfloat8(buf);
	pq_getmsgend(buf);
	km_validate(m, ERRCODE_INVALID_BINARY_REPRESENTATION);
	PG_RETURN_POINTER(m);
}

Datum
jy_kmeans_model_send(PG_FUNCTION_ARGS)
{
	KmModel    *m = PG_GETARG_KMMODEL_P(0);
	StringInfoData buf;
	int			nd = 2 * m->dims + m->k + m->k * m->dims;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, m->version);
	pq_sendbyte(&buf, m->flags);
	pq_sendint16(&buf, m->reserved);
	pq_sendint32(&buf, m->k);
	pq_sendint32(&buf, m->dims);
	pq_sendint32(&buf, m->iterations);
	pq_sendint32(&buf, m->n_init);
	pq_sendint64(&buf, m->n);
	pq_sendint64(&buf, m->seed);
	pq_sendfloat8(&buf, m->tol);
	pq_sendfloat8(&buf, m->inertia);
	pq_sendfloat8(&buf, isnan(m->silhouette) ? NAN : m->silhouette);	/* canonical NaN */
	for (int a = 0; a < m->k; a++)
		pq_sendint64(&buf, KM_SIZES(m)[a]);
	for (int i = 0; i < nd; i++)
		pq_sendfloat8(&buf, KM_MEAN(m)[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- assignment --------------------------------------------------------- */

/* 0-based cluster of a features array; *dist2 in the working space */
static int
km_assign_point(const KmModel *m, ArrayType *arr, double *d2)
{
	double		x[JY_KM_MAX_DIMS];

	read_point(arr, m->dims, x);
	if (m->flags & KM_FLAG_STANDARDIZED)
		jy_km_scale_point(x, KM_MEAN(m), KM_SCALE(m), m->dims, x);
	return jy_km_nearest(x, KM_CENTERS(m), m->k, m->dims, d2);
}

Datum
jy_kmeans_assign(PG_FUNCTION_ARGS)
{
	KmModel    *m = PG_GETARG_KMMODEL_P(0);

	PG_RETURN_INT32(km_assign_point(m, PG_GETARG_ARRAYTYPE_P(1), NULL) + 1);
}

Datum
jy_kmeans_distance(PG_FUNCTION_ARGS)
{
	KmModel    *m = PG_GETARG_KMMODEL_P(0);
	double		d2;

	km_assign_point(m, PG_GETARG_ARRAYTYPE_P(1), &d2);
	PG_RETURN_FLOAT8(sqrt(d2));
}

/* ---- accessors ---------------------------------------------------------- */

Datum
jy_kmeans_summary(PG_FUNCTION_ARGS)
{
	KmModel    *m = PG_GETARG_KMMODEL_P(0);
	TupleDesc	tupdesc;
	Datum		values[10];
	bool		nulls[10] = {false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "kmeans_summary: return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Int32GetDatum(m->k);
	values[1] = Int32GetDatum(m->dims);
	values[2] = Int64GetDatum(m->n);
	values[3] = Float8GetDatum(m->inertia);
	values[4] = Float8GetDatum(m->silhouette);
	nulls[4] = isnan(m->silhouette);
	values[5] = Int32GetDatum(m->iterations);
	values[6] = BoolGetDatum((m->flags & KM_FLAG_CONVERGED) != 0);
	values[7] = BoolGetDatum((m->flags & KM_FLAG_STANDARDIZED) != 0);
	values[8] = Int32GetDatum(m->n_init);
	values[9] = Int64GetDatum(m->seed);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

static double
orig_coord(const KmModel *m, int a, int j)
{
	return KM_MEAN(m)[j] + KM_SCALE(m)[j] * KM_CENTERS(m)[(Size) a * m->dims + j];
}

/* kmeans_clusters(model): cluster, size, share, within_ss, centroid (original units) */
Datum
jy_kmeans_clusters(PG_FUNCTION_ARGS)
{
	KmModel    *m = PG_GETARG_KMMODEL_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *cv = (Datum *) palloc(m->dims * sizeof(Datum));

	InitMaterializedSRF(fcinfo, 0);
	for (int a = 0; a < m->k; a++)
	{
		Datum		values[5];
		bool		nulls[5] = {false};

		for (int j = 0; j < m->dims; j++)
			cv[j] = Float8GetDatum(orig_coord(m, a, j));
		values[0] = Int32GetDatum(a + 1);
		values[1] = Int64GetDatum(KM_SIZES(m)[a]);
		values[2] = Float8GetDatum((double) KM_SIZES(m)[a] / (double) m->n);
		values[3] = Float8GetDatum(KM_WITHIN(m)[a]);
		values[4] = PointerGetDatum(construct_array(cv, m->dims, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* kmeans_centroids(model): long form cluster, feature, value, z */
Datum
jy_kmeans_centroids(PG_FUNCTION_ARGS)
{
	KmModel    *m = PG_GETARG_KMMODEL_P(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int a = 0; a < m->k; a++)
	{
		CHECK_FOR_INTERRUPTS();	/* k x dims rows: up to 10 M */
		for (int j = 0; j < m->dims; j++)
		{
			Datum		values[4];
			bool		nulls[4] = {false};

			values[0] = Int32GetDatum(a + 1);
			values[1] = Int32GetDatum(j + 1);
			values[2] = Float8GetDatum(orig_coord(m, a, j));
			values[3] = Float8GetDatum(KM_CENTERS(m)[(Size) a * m->dims + j]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
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
		if (!get_fn_expr_arg_stable(fcinfo->flinfo, 1) ||
			(PG_NARGS() > 2 && !get_fn_expr_arg_stable(fcinfo->flinfo, 2)))
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
				int			dd = read_point(arr, st.d, tmp);

				if (st.o.sample_fraction < 1.0 &&
					(double) jy_km_point_hash(tmp, dd, (uint64) st.o.seed) >= st.o.sample_fraction * 18446744073709551616.0)
					continue;
				st.d = dd;
				if (st.n == st.cap)
					km_reserve(&st, 1);
				memcpy(st.X + (Size) st.n * dd, tmp, dd * sizeof(double));
				st.n++;
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
	PG_RETURN_INT32(km_assign_point(ws->model, DatumGetArrayTypeP(d), NULL) + 1);
}

/* ---- shared with kmeans_dist_glue.c ------------------------------------- */

void
jy_km_opts_defaults(KmOpts *o, bool scan)
{
	opts_defaults(o, scan);
}

void
jy_km_opts_parse(KmOpts *o, Jsonb *jb)
{
	opts_parse(o, jb);
}

void
jy_km_check_k(int64 k, const char *what)
{
	check_k(k, what);
}

int
jy_km_read_point(ArrayType *arr, int expect, double *out)
{
	return read_point(arr, expect, out);
}

const char *
jy_km_model_check(const KmModel *m)
{
	return km_check(m);
}
