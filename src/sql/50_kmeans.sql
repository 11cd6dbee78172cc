-- K-means segments: kmeans_segment(features, k [, options]) -> kmeans_model,
-- accessors, assignment, kmeans_scan for choosing k, kmeans_cluster() window form.
#include "jy_sqldefs.h"

CREATE TYPE kmeans_model;

JY_VARLENA_TYPE(kmeans_model, jy_kmeans_model, double)
COMMENT ON TYPE kmeans_model IS
'a fitted K-means model: centroids, scaling, cluster sizes, inertia, iterations, convergence; read with kmeans_summary(), kmeans_clusters(), kmeans_centroids(), apply with kmeans_assign()';
JY_VARLENA_IO_COMMENTS(kmeans_model,
    'text input of kmeans_model (the JSON form kmeans_model_out prints; validated)',
    'text output of kmeans_model: lossless JSON (17 significant digits)',
    'binary input of kmeans_model (validated like the text input)',
    'binary output of kmeans_model')

-- aggregate support
CREATE FUNCTION kmeans_trans(internal, float8[], integer) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_kmeans_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION kmeans_trans(internal, float8[], integer, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_kmeans_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION kmeans_scan_trans(internal, float8[], integer, integer) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_kmeans_scan_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION kmeans_scan_trans(internal, float8[], integer, integer, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_kmeans_scan_trans' LANGUAGE C PARALLEL SAFE;
JY_AGG_STATE_FUNCS(kmeans, jy_kmeans)
CREATE FUNCTION kmeans_final(internal) RETURNS kmeans_model
AS 'MODULE_PATHNAME', 'jy_kmeans_final' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION kmeans_scan_final(internal) RETURNS kmeans_model[]
AS 'MODULE_PATHNAME', 'jy_kmeans_scan_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_trans(internal, float8[], integer) IS 'internal: transition function of kmeans_segment';
COMMENT ON FUNCTION kmeans_trans(internal, float8[], integer, jsonb) IS 'internal: transition function of kmeans_segment';
COMMENT ON FUNCTION kmeans_scan_trans(internal, float8[], integer, integer) IS 'internal: transition function of kmeans_scan';
COMMENT ON FUNCTION kmeans_scan_trans(internal, float8[], integer, integer, jsonb) IS 'internal: transition function of kmeans_scan';
JY_AGG_STATE_COMMENTS(kmeans,
    'internal: combine function of kmeans_segment and kmeans_scan (concatenates points)',
    'internal: serialize a kmeans aggregate state',
    'internal: deserialize a kmeans aggregate state')
COMMENT ON FUNCTION kmeans_final(internal) IS 'internal: fit the model (final function of kmeans_segment)';
COMMENT ON FUNCTION kmeans_scan_final(internal) IS 'internal: fit one model per k (final function of kmeans_scan)';

-- FINALFUNC_MODIFY = READ_ONLY: the final function sorts the collected points
-- into canonical order and caches their z-scores, which leaves the state's
-- meaning (a multiset of points) unchanged: a later transition (a window
-- aggregate with a growing frame) appends and drops the cache, a repeated
-- final call gives the identical model.  READ_ONLY is what lets
-- kmeans_segment(...) OVER (...) work as a window aggregate.
CREATE AGGREGATE kmeans_segment(features float8[], k integer) (
    SFUNC = kmeans_trans, STYPE = internal,
    JY_AGG_PARALLEL(kmeans_final, READ_ONLY, kmeans)
);
CREATE AGGREGATE kmeans_segment(features float8[], k integer, options jsonb) (
    SFUNC = kmeans_trans, STYPE = internal,
    JY_AGG_PARALLEL(kmeans_final, READ_ONLY, kmeans)
);
COMMENT ON AGGREGATE kmeans_segment(float8[], integer) IS
'K-means model of the group''s feature vectors with k clusters (z-scored, k-means++, 10 restarts, seed 0); NULL rows are skipped; row order does not matter';
COMMENT ON AGGREGATE kmeans_segment(float8[], integer, jsonb) IS
'K-means model with options {seed, n_init, max_iter, tol, standardize, init, silhouette_sample, sample_fraction, max_memory_mb, progress}; init "distributed" gives the model of kmeans_fit_distributed';

CREATE AGGREGATE kmeans_scan(features float8[], k_min integer, k_max integer) (
    SFUNC = kmeans_scan_trans, STYPE = internal,
    JY_AGG_PARALLEL(kmeans_scan_final, READ_ONLY, kmeans)
);
CREATE AGGREGATE kmeans_scan(features float8[], k_min integer, k_max integer, options jsonb) (
    SFUNC = kmeans_scan_trans, STYPE = internal,
    JY_AGG_PARALLEL(kmeans_scan_final, READ_ONLY, kmeans)
);
COMMENT ON AGGREGATE kmeans_scan(float8[], integer, integer) IS
'one K-means model per k in k_min..k_max (for the elbow and silhouette), each with the silhouette on a sample of 10000 points';
COMMENT ON AGGREGATE kmeans_scan(float8[], integer, integer, jsonb) IS
'one K-means model per k in k_min..k_max, with kmeans_segment''s options';

-- window form: fits on the whole partition, returns the row's cluster
CREATE FUNCTION kmeans_cluster(features float8[], k integer) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_kmeans_cluster_window' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_cluster(features float8[], k integer, options jsonb) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_kmeans_cluster_window' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_cluster(float8[], integer) IS
'window function: fits K-means on the whole partition (frame ignored) and returns the row''s cluster 1..k (NULL for NULL features)';
COMMENT ON FUNCTION kmeans_cluster(float8[], integer, jsonb) IS
'window function: kmeans_cluster with kmeans_segment''s options';

-- applying and reading a model
CREATE FUNCTION kmeans_assign(model kmeans_model, features float8[]) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_kmeans_assign' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmeans_distance(model kmeans_model, features float8[]) RETURNS float8
AS 'MODULE_PATHNAME', 'jy_kmeans_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_assign(kmeans_model, float8[]) IS
'cluster 1..k whose centroid is nearest to the features (in the model''s standardized space; lowest number on ties)';
COMMENT ON FUNCTION kmeans_distance(kmeans_model, float8[]) IS
'Euclidean distance from the features to their nearest centroid, in the model''s standardized space';

CREATE FUNCTION kmeans_summary(model kmeans_model,
    OUT k integer, OUT dims integer, OUT n bigint, OUT inertia float8, OUT silhouette float8,
    OUT iterations integer, OUT converged boolean, OUT standardized boolean, OUT n_init integer,
    OUT seed bigint)
AS 'MODULE_PATHNAME', 'jy_kmeans_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_summary(kmeans_model) IS
'one row describing the model: k, dims, n, inertia (in the standardized space), silhouette (NULL unless computed), iterations, converged, standardized, n_init, seed';

CREATE FUNCTION kmeans_clusters(model kmeans_model,
    OUT cluster integer, OUT size bigint, OUT share float8, OUT within_ss float8, OUT centroid float8[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_kmeans_clusters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION kmeans_clusters(kmeans_model) IS
'one row per cluster: number (1 = largest), size, share of points, within-cluster sum of squares, centroid in original units';

CREATE FUNCTION kmeans_centroids(model kmeans_model,
    OUT cluster integer, OUT feature integer, OUT value float8, OUT z float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_kmeans_centroids' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 32;
COMMENT ON FUNCTION kmeans_centroids(kmeans_model) IS
'centroids in long form for BI tools: cluster, feature (1-based position in the features array), value in original units, z-score';
