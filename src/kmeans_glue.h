/*
 * kmeans_glue.h — what the kmeans glue files share: the kmeans_model value
 * (layout and codec: src/engine/kmeans_model.h), the options, reading a
 * feature vector.
 *
 *   kmeans_model_io.c   the kmeans_model type's I/O, checking a fitted model
 *   kmeans_agg.c        options; kmeans_segment, kmeans_scan (aggregates) and
 *                       kmeans_cluster (window): collecting points and fitting
 *   kmeans_fn.c         reading features; kmeans_assign, kmeans_distance,
 *                       kmeans_summary, kmeans_clusters, kmeans_centroids
 *   kmeans_dist_glue.c  the distributed form (kmeans_partial, kmeans_fit_distributed)
 */
#ifndef JY_KMEANS_GLUE_H
#define JY_KMEANS_GLUE_H

#include "journey.h"

#include "utils/array.h"
#include "utils/jsonb.h"

#include "kmeans.h"
#include "kmeans_model.h"

typedef JyKmModel KmModel;

#define DatumGetKmModelP(d) ((KmModel *) PG_DETOAST_DATUM(d))
#define PG_GETARG_KMMODEL_P(n) DatumGetKmModelP(PG_GETARG_DATUM(n))

typedef struct KmOpts
{
	int32		k_min;			/* kmeans_segment: k_min = k_max = k */
	int32		k_max;
	int32		n_init;
	int32		max_iter;
	float8		tol;
	int64		seed;
	bool		standardize;
	bool		progress;
	int64		silhouette_sample;
	float8		sample_fraction;
	int64		max_memory_mb;
	int32		init;			/* JY_KM_INIT_PP or JY_KM_INIT_DISTRIBUTED */
	bool		init_set;		/* the option was given (not compared between rows) */
} KmOpts;

/* kmeans_agg.c */
extern void jy_km_opts_defaults(KmOpts *o, bool scan);
extern void jy_km_opts_parse(KmOpts *o, Jsonb *jb);
extern void jy_km_check_k(int64 k, const char *what);

/* kmeans_fn.c: dims of a features array (errors for anything but a finite
 * 1-D float8 vector within +-1e100, of expect elements when expect > 0);
 * copies to out (when not NULL) */
extern int	jy_km_read_point(ArrayType *arr, int expect, double *out);
/* 0-based nearest cluster of a features array; *d2 (when not NULL) its
 * squared distance in the working space */
extern int	jy_km_assign_point(const KmModel *m, ArrayType *arr, double *d2);

/* kmeans_model_io.c */
/* a zeroed model of k clusters of d dimensions (version 1, k, dims set) */
extern KmModel *jy_km_model_alloc(MemoryContext cxt, int k, int d);
/* a fitted model must pass the input functions' rules (else 22003: a dump
 * of it could not be restored) */
extern void jy_km_model_check_fitted(const KmModel *m);

#endif
