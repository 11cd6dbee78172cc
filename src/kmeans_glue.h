/*
 * kmeans_glue.h — what kmeans_glue.c (kmeans_segment, the kmeans_model type)
 * shares with kmeans_dist_glue.c (the distributed form): the kmeans_model
 * layout, the options, reading a feature vector, validating a model.
 */
#ifndef JY_KMEANS_GLUE_H
#define JY_KMEANS_GLUE_H

#include "journey.h"

#include "utils/array.h"
#include "utils/jsonb.h"

#include "kmeans.h"

#define KM_VERSION 1
#define KM_FLAG_STANDARDIZED 0x01
#define KM_FLAG_CONVERGED	0x02
#define KM_FLAGS_KNOWN		0x03

/*
 * |feature| <= 1e100: a squared distance is then at most 1024 * (2e100)^2
 * ~ 4e203, and a sum of 2^63 of them stays below 1e223, far from DBL_MAX.
 */
#define KM_FEATURE_MAX		1e100

typedef struct KmModel
{
	int32		vl_len_;
	uint8		version;
	uint8		flags;
	uint16		reserved;
	int32		k;
	int32		dims;
	int32		iterations;
	int32		n_init;
	int64		n;
	int64		seed;
	float8		tol;
	float8		inertia;
	float8		silhouette;
	int64		data[FLEXIBLE_ARRAY_MEMBER];	/* sizes[k], then float8 arrays */
} KmModel;

#define KM_HDRSZ offsetof(KmModel, data)
#define KM_SIZE(k, d) (KM_HDRSZ + (Size) (k) * 8 + ((Size) 2 * (d) + (k) + (Size) (k) * (d)) * 8)
#define KM_SIZES(m)	((m)->data)
#define KM_MEAN(m)	((float8 *) ((m)->data + (m)->k))
#define KM_SCALE(m) (KM_MEAN(m) + (m)->dims)
#define KM_WITHIN(m) (KM_SCALE(m) + (m)->dims)
#define KM_CENTERS(m) (KM_WITHIN(m) + (m)->k)
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


extern void jy_km_opts_defaults(KmOpts *o, bool scan);
extern void jy_km_opts_parse(KmOpts *o, Jsonb *jb);
extern void jy_km_check_k(int64 k, const char *what);
/* dims of a features array (errors for anything but a finite 1-D float8
 * vector within +-1e100, of expect elements when expect > 0); copies to out */
extern int	jy_km_read_point(ArrayType *arr, int expect, double *out);
/* NULL when m is a valid model, else why not */
extern const char *jy_km_model_check(const KmModel *m);

#endif
