/*
 * kmeans_fn.c — applying and reading a kmeans_model:
 *
 *   kmeans_assign(model, features), kmeans_distance(model, features)
 *   kmeans_summary(model), kmeans_clusters(model), kmeans_centroids(model)
 *
 * and reading a feature vector (shared by every kmeans function that takes
 * features).  The model's layout is the engine's (src/engine/kmeans_model.h).
 */
#include "kmeans_glue.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"

PG_FUNCTION_INFO_V1(jy_kmeans_assign);
PG_FUNCTION_INFO_V1(jy_kmeans_distance);
PG_FUNCTION_INFO_V1(jy_kmeans_summary);
PG_FUNCTION_INFO_V1(jy_kmeans_clusters);
PG_FUNCTION_INFO_V1(jy_kmeans_centroids);

/* ---- reading one point -------------------------------------------------- */

/*
 * Returns the number of dimensions of a features array and copies it to out
 * (when not NULL).  Errors for anything that is not a finite 1-D float8 vector.
 */
int
jy_km_read_point(ArrayType *arr, int expect, double *out)
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
		if (fabs(v[j]) > JY_KMM_FEATURE_MAX)
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

/* ---- assignment --------------------------------------------------------- */

/* 0-based cluster of a features array; *dist2 in the working space */
int
jy_km_assign_point(const KmModel *m, ArrayType *arr, double *d2)
{
	double		x[JY_KM_MAX_DIMS];

	jy_km_read_point(arr, m->dims, x);
	if (m->flags & JY_KMM_STANDARDIZED)
		jy_km_scale_point(x, jy_kmm_mean(m), jy_kmm_scale(m), m->dims, x);
	return jy_km_nearest(x, jy_kmm_centers(m), m->k, m->dims, d2);
}

Datum
jy_kmeans_assign(PG_FUNCTION_ARGS)
{
	KmModel    *m = PG_GETARG_KMMODEL_P(0);

	PG_RETURN_INT32(jy_km_assign_point(m, PG_GETARG_ARRAYTYPE_P(1), NULL) + 1);
}

Datum
jy_kmeans_distance(PG_FUNCTION_ARGS)
{
	KmModel    *m = PG_GETARG_KMMODEL_P(0);
	double		d2;

	jy_km_assign_point(m, PG_GETARG_ARRAYTYPE_P(1), &d2);
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
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Int32GetDatum(m->k);
	values[1] = Int32GetDatum(m->dims);
	values[2] = Int64GetDatum(m->n);
	values[3] = Float8GetDatum(m->inertia);
	values[4] = Float8GetDatum(m->silhouette);
	nulls[4] = isnan(m->silhouette);
	values[5] = Int32GetDatum(m->iterations);
	values[6] = BoolGetDatum((m->flags & JY_KMM_CONVERGED) != 0);
	values[7] = BoolGetDatum((m->flags & JY_KMM_STANDARDIZED) != 0);
	values[8] = Int32GetDatum(m->n_init);
	values[9] = Int64GetDatum(m->seed);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

static double
orig_coord(const KmModel *m, int a, int j)
{
	return jy_kmm_mean(m)[j] + jy_kmm_scale(m)[j] * jy_kmm_centers(m)[(Size) a * m->dims + j];
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
		values[1] = Int64GetDatum(jy_kmm_sizes(m)[a]);
		values[2] = Float8GetDatum((double) jy_kmm_sizes(m)[a] / (double) m->n);
		values[3] = Float8GetDatum(jy_kmm_within(m)[a]);
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
			values[3] = Float8GetDatum(jy_kmm_centers(m)[(Size) a * m->dims + j]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}
