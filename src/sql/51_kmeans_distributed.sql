-- Distributed K-means: kmeans_fit_distributed(relation, column, k [, options])
-- runs one two-phase aggregate per pass; every aggregate's state is a
-- kmeans_partial (a real type: Citus splits them, k x d numbers per shard).
#include "jy_sqldefs.h"

CREATE TYPE kmeans_partial;

JY_VARLENA_TYPE(kmeans_partial, jy_kmeans_partial, double)
COMMENT ON TYPE kmeans_partial IS
'partial sums of one pass of distributed K-means (kind stats, draw, potential or lloyd: counts, sums, maxima; k x d numbers), the state of kmeans_stats, kmeans_seed_draw, kmeans_seed_potential and kmeans_step';
JY_VARLENA_IO_COMMENTS(kmeans_partial,
    'text input of kmeans_partial (the JSON form kmeans_partial_out prints; validated)',
    'text output of kmeans_partial: lossless JSON (17 significant digits)',
    'binary input of kmeans_partial (validated like the text input)',
    'binary output of kmeans_partial')

CREATE FUNCTION kmeans_partial_combine(kmeans_partial, kmeans_partial) RETURNS kmeans_partial
AS 'MODULE_PATHNAME', 'jy_kmeans_partial_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_partial_combine(kmeans_partial, kmeans_partial) IS
'internal: combine function of the kmeans_partial aggregates (adds counts and sums, keeps maxima / minimum keys)';

CREATE FUNCTION kmeans_stats_trans(kmeans_partial, float8[]) RETURNS kmeans_partial
AS 'MODULE_PATHNAME', 'jy_kmeans_stats_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_seed_draw_trans(kmeans_partial, float8[], kmeans_model, bigint, integer) RETURNS kmeans_partial
AS 'MODULE_PATHNAME', 'jy_kmeans_draw_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_seed_potential_trans(kmeans_partial, float8[], kmeans_model, kmeans_partial) RETURNS kmeans_partial
AS 'MODULE_PATHNAME', 'jy_kmeans_potential_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_step_trans(kmeans_partial, float8[], kmeans_model, kmeans_model) RETURNS kmeans_partial
AS 'MODULE_PATHNAME', 'jy_kmeans_step_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_stats_trans(kmeans_partial, float8[]) IS 'internal: transition function of kmeans_stats';
COMMENT ON FUNCTION kmeans_seed_draw_trans(kmeans_partial, float8[], kmeans_model, bigint, integer) IS 'internal: transition function of kmeans_seed_draw';
COMMENT ON FUNCTION kmeans_seed_potential_trans(kmeans_partial, float8[], kmeans_model, kmeans_partial) IS 'internal: transition function of kmeans_seed_potential';
COMMENT ON FUNCTION kmeans_step_trans(kmeans_partial, float8[], kmeans_model, kmeans_model) IS 'internal: transition function of kmeans_step';

CREATE AGGREGATE kmeans_stats(features float8[]) (
    JY_AGG_MERGEABLE(kmeans_stats_trans, kmeans_partial, kmeans_partial_combine)
);
COMMENT ON AGGREGATE kmeans_stats(float8[]) IS
'two-phase pass of kmeans_fit_distributed: number of points, per-feature mean and sum of squared deviations (a stats kmeans_partial); NULL rows are skipped';

CREATE AGGREGATE kmeans_seed_draw(features float8[], centres kmeans_model, stream bigint, trials integer) (
    JY_AGG_MERGEABLE(kmeans_seed_draw_trans, kmeans_partial, kmeans_partial_combine)
);
COMMENT ON AGGREGATE kmeans_seed_draw(float8[], kmeans_model, bigint, integer) IS
'two-phase pass of kmeans_fit_distributed: trials k-means++ draws (probability proportional to the squared distance to the nearest of the centres; uniform when centres is NULL), keyed by a hash of the point and the stream: independent of row order and shards';

CREATE AGGREGATE kmeans_seed_potential(features float8[], centres kmeans_model, candidates kmeans_partial) (
    JY_AGG_MERGEABLE(kmeans_seed_potential_trans, kmeans_partial, kmeans_partial_combine)
);
COMMENT ON AGGREGATE kmeans_seed_potential(float8[], kmeans_model, kmeans_partial) IS
'two-phase pass of kmeans_fit_distributed: for each drawn candidate, the k-means++ potential (sum of squared distances to the nearest of the centres and the candidate)';

CREATE AGGREGATE kmeans_step(features float8[], model kmeans_model, previous kmeans_model) (
    JY_AGG_MERGEABLE(kmeans_step_trans, kmeans_partial, kmeans_partial_combine)
);
COMMENT ON AGGREGATE kmeans_step(float8[], kmeans_model, kmeans_model) IS
'one Lloyd iteration as a two-phase aggregate: per cluster of the model, size, within-cluster sum of squares, sum of the (standardized) points, farthest point; and the points whose cluster differs from the previous model''s (NULL: all)';

CREATE AGGREGATE rollup(kmeans_partial) (
    JY_AGG_MERGEABLE(kmeans_partial_combine, kmeans_partial, kmeans_partial_combine)
);
COMMENT ON AGGREGATE rollup(kmeans_partial) IS
'merge kmeans partials of the same pass (e.g. one per postgres_fdw shard); the result is what the aggregate gives over all the rows';

CREATE FUNCTION kmeans_fit_distributed(relation regclass, features name, k integer, options jsonb DEFAULT NULL)
RETURNS kmeans_model
AS 'MODULE_PATHNAME', 'jy_kmeans_fit_distributed' LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION kmeans_fit_distributed(regclass, name, integer, jsonb) IS
'K-means of the float8[] column of a table or view, one two-phase aggregate per pass (runs distributed on Citus: k x d numbers per shard per pass); the same model as kmeans_segment(features, k, options || ''{"init": "distributed"}'')';
