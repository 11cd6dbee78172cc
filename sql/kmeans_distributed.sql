-- kmeans_distributed: K-means as one two-phase aggregate per pass (kmeans_fit_distributed),
-- the kmeans_partial type, and its agreement with kmeans_segment(..., '{"init": "distributed"}').
CREATE SCHEMA kmeans_distributed; SET search_path = kmeans_distributed, public;
SET extra_float_digits = 0;
-- synthetic blobs: 4 centres in 3 dimensions, deterministic noise (exact arithmetic, no symmetry)
CREATE TABLE pts AS
SELECT i, ARRAY[(i % 4) * 3.0 + ((i * 7919) % 1009) / 400.0,
                ((i % 4) / 2) * 4.0 + ((i * 104729) % 1013) / 350.0,
                ((i * 15485863) % 1019) / 100.0]::float8[] AS f
FROM generate_series(1::bigint, 4000) i;
INSERT INTO pts VALUES (0, NULL);   -- NULL rows are skipped
-- a helper comparing two models: same k, n, sizes, iterations, convergence, the same
-- cluster for every point, centroids and inertia equal to 1e-12 (relative)
CREATE FUNCTION same_model(a kmeans_model, b kmeans_model, OUT same_summary boolean, OUT same_sizes boolean,
    OUT points_differ bigint, OUT max_centroid_rel_diff_below_1e12 boolean, OUT inertia_rel_diff_below_1e12 boolean)
LANGUAGE sql AS $$
  SELECT (SELECT (k, dims, n, iterations, converged, standardized, n_init, seed) FROM kmeans_summary(a))
       = (SELECT (k, dims, n, iterations, converged, standardized, n_init, seed) FROM kmeans_summary(b)),
         (SELECT array_agg(size ORDER BY cluster) FROM kmeans_clusters(a)) = (SELECT array_agg(size ORDER BY cluster) FROM kmeans_clusters(b)),
         (SELECT count(*) FROM pts WHERE f IS NOT NULL AND kmeans_assign(a, f) <> kmeans_assign(b, f)),
         (SELECT max(abs(x.z - y.z) / greatest(abs(x.z), 1)) < 1e-12
          FROM kmeans_centroids(a) x JOIN kmeans_centroids(b) y USING (cluster, feature)),
         (SELECT abs(x.inertia - y.inertia) / x.inertia < 1e-12 FROM kmeans_summary(a) x, kmeans_summary(b) y)
$$;
-- the driver and the single-node aggregate with the same seeding
CREATE TABLE m AS
SELECT kmeans_fit_distributed('pts', 'f', 4, '{"seed": 7, "n_init": 3}') AS dist,
       (SELECT kmeans_segment(f, 4, '{"seed": 7, "n_init": 3, "init": "distributed"}') FROM pts) AS single;
SELECT k, dims, n, round(inertia::numeric, 6) AS inertia, silhouette, iterations, converged, standardized, n_init, seed
FROM m, kmeans_summary(dist);
SELECT cluster, size, round(within_ss::numeric, 6) AS within_ss,
       (SELECT array_agg(round(c::numeric, 6)) FROM unnest(centroid) c) AS centroid
FROM m, kmeans_clusters(dist) ORDER BY cluster;
SELECT (same_model(dist, single)).* FROM m;
-- unstandardized, tol 0 (stops when no point changes cluster), k = 7, default n_init (10)
SELECT (same_model(kmeans_fit_distributed('pts', 'f', 7, '{"seed": -3, "standardize": false, "tol": 0}'),
                   (SELECT kmeans_segment(f, 7, '{"seed": -3, "standardize": false, "tol": 0, "init": "distributed"}') FROM pts))).*;
-- max_iter 2: not converged, same iteration count
SELECT (same_model(kmeans_fit_distributed('pts', 'f', 5, '{"seed": 1, "n_init": 1, "max_iter": 2}'),
                   (SELECT kmeans_segment(f, 5, '{"seed": 1, "n_init": 1, "max_iter": 2, "init": "distributed"}') FROM pts))).*;
SELECT iterations, converged FROM kmeans_summary(kmeans_fit_distributed('pts', 'f', 5, '{"seed": 1, "n_init": 1, "max_iter": 2}'));
-- row order does not matter: the same rows in another physical order give the same model
CREATE TABLE pts_rev AS SELECT * FROM pts ORDER BY i DESC;
SELECT (same_model(dist, kmeans_fit_distributed('pts_rev', 'f', 4, '{"seed": 7, "n_init": 3}'))).* FROM m;
-- a view works too (e.g. feature rows built on the workers), and the model applies as usual
CREATE VIEW pts_view AS SELECT i, f FROM pts WHERE i % 2 = 0;
SELECT kmeans_assign(kmeans_fit_distributed('pts_view', 'f', 3, '{"n_init": 1}'), ARRAY[0, 0, 0]::float8[]) BETWEEN 1 AND 3 AS assigned;
-- kmeans_segment's default seeding is another k-means++ (draws along one global order): another
-- run, in general another local optimum (here: other clusters, a higher inertia)
SELECT round(d.inertia::numeric, 3) AS distributed_inertia, round(s.inertia::numeric, 3) AS default_seeding_inertia
FROM m, kmeans_summary(dist) d, kmeans_summary((SELECT kmeans_segment(f, 4, '{"seed": 7, "n_init": 3}') FROM pts)) s;

-- ---- the passes are two-phase aggregates --------------------------------------------------
-- a manual two-phase run: three "shards" each compute their partial, the partials travel as text
-- and are merged with rollup(); the result equals the aggregate over all rows
CREATE TABLE shard_partials AS
SELECT i % 3 AS shard,
       kmeans_stats(f)::text AS stats,
       kmeans_step(f, (SELECT dist FROM m), NULL)::text AS step,
       kmeans_seed_draw(f, (SELECT dist FROM m), 42, 3)::text AS draw,
       kmeans_seed_draw(f, NULL, 42, 1)::text AS first_draw
FROM pts GROUP BY 1;
SELECT shard, length(step) < 2000 AS step_is_small FROM shard_partials ORDER BY shard;
CREATE TABLE merged AS
SELECT rollup(stats::kmeans_partial) AS stats, rollup(step::kmeans_partial) AS step,
       rollup(draw::kmeans_partial) AS draw, rollup(first_draw::kmeans_partial) AS first_draw
FROM shard_partials;
CREATE TABLE whole AS
SELECT kmeans_stats(f) AS stats, kmeans_step(f, (SELECT dist FROM m), NULL) AS step,
       kmeans_seed_draw(f, (SELECT dist FROM m), 42, 3) AS draw, kmeans_seed_draw(f, NULL, 42, 1) AS first_draw
FROM pts;
-- draws (minimum keys, exact) are identical; counts, changed and the farthest points of a Lloyd
-- step are identical; sums agree to rounding
SELECT w.draw::text = g.draw::text AS draw_identical, w.first_draw::text = g.first_draw::text AS first_draw_identical,
       (w.step::text::json->'counts')::text = (g.step::text::json->'counts')::text AS counts_identical,
       (w.step::text::json->'b')::text = (g.step::text::json->'b')::text AS farthest_identical,
       (w.step::text::json->>'changed') = (g.step::text::json->>'changed') AS changed_identical,
       (SELECT max(abs(x::text::float8 - y::text::float8) / greatest(abs(x::text::float8), 1))
        FROM json_array_elements((w.step::text::json->'a')->0) WITH ORDINALITY a(x, o)
        JOIN json_array_elements((g.step::text::json->'a')->0) WITH ORDINALITY b(y, o) USING (o)) < 1e-12 AS sums_agree,
       (SELECT max(abs(x::text::float8 - y::text::float8) / greatest(abs(x::text::float8), 1))
        FROM json_array_elements((w.stats::text::json->'b')->0) WITH ORDINALITY a(x, o)
        JOIN json_array_elements((g.stats::text::json->'b')->0) WITH ORDINALITY b(y, o) USING (o)) < 1e-12 AS m2_agree
FROM whole w, merged g;
SELECT kind, k, dims, n, changed FROM merged,
  LATERAL (SELECT (step::text::json->>'kind') AS kind, (step::text::json->>'k')::int AS k,
                  (step::text::json->>'dims')::int AS dims, (step::text::json->>'n')::int AS n,
                  (step::text::json->>'changed')::int AS changed) x;
-- the model may differ between groups (and rows may alternate between them): each group's
-- partial is the one of its own model
CREATE TABLE two AS SELECT 1 AS g, dist AS model FROM m
  UNION ALL SELECT 2, (SELECT kmeans_segment(f, 4, '{"seed": 7, "n_init": 3}') FROM pts);
CREATE TABLE per_group AS SELECT g, kmeans_step(p.f, t.model, NULL) AS step
FROM pts p CROSS JOIN two t GROUP BY g;
SELECT g, (step::text::json->'counts')::text = (SELECT (kmeans_step(f, t.model, NULL)::text::json->'counts')::text FROM pts) AS own_model,
       (step::text::json->'b')::text = (SELECT (kmeans_step(f, t.model, NULL)::text::json->'b')::text FROM pts) AS own_farthest
FROM per_group JOIN two t USING (g) ORDER BY g;
-- text and binary forms are lossless
SELECT p::text::kmeans_partial::text = p::text AS text_round_trip,
       kmeans_partial_send(p::text::kmeans_partial) = kmeans_partial_send(p) AS same_bytes
FROM whole, LATERAL (VALUES (stats), (step), (draw), (first_draw)) v(p);
-- parallel plans: Partial Aggregate in the workers, Finalize Aggregate combining the partials
CREATE TABLE big AS SELECT g, f FROM pts, generate_series(1, 10) g;
ANALYZE big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT kmeans_step(f, (SELECT dist FROM m), NULL) FROM big;
CREATE TABLE par AS SELECT kmeans_step(f, (SELECT dist FROM m), NULL) AS step, kmeans_stats(f) AS stats FROM big;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE ser AS SELECT kmeans_step(f, (SELECT dist FROM m), NULL) AS step, kmeans_stats(f) AS stats FROM big;
RESET max_parallel_workers_per_gather;
SELECT (p.step::text::json->'counts')::text = (s.step::text::json->'counts')::text AS counts_identical,
       (p.step::text::json->'b')::text = (s.step::text::json->'b')::text AS farthest_identical,
       (p.stats::text::json->>'n') = (s.stats::text::json->>'n') AS n_identical
FROM par p, ser s;

-- ---- edge values and errors ---------------------------------------------------------------
CREATE TABLE empty_pts (f float8[]);
SELECT kmeans_fit_distributed('empty_pts', 'f', 2) IS NULL AS empty_gives_null;
INSERT INTO empty_pts VALUES (NULL), ('{1,2}'), ('{1,2}'), ('{3,4}');
SELECT kmeans_fit_distributed('empty_pts', 'f', 3);
SELECT kmeans_fit_distributed('empty_pts', 'f', 2, '{"n_init": 1}') IS NOT NULL AS two_distinct_ok;
SELECT kmeans_fit_distributed('empty_pts', 'g', 2);
SELECT kmeans_fit_distributed('pts', 'i', 2);
SELECT kmeans_fit_distributed('pts', 'f', 0);
SELECT kmeans_fit_distributed('pts', 'f', NULL);
SELECT kmeans_fit_distributed(NULL, 'f', 2);
SELECT kmeans_fit_distributed('pts', 'f', 2, '{"silhouette_sample": 10}');
SELECT kmeans_fit_distributed('pts', 'f', 2, '{"init": "k-means++"}');
SELECT kmeans_fit_distributed('pts', 'f', 2, '{"bogus": 1}');
SELECT kmeans_segment(f, 2, '{"init": "random"}') FROM pts;
INSERT INTO empty_pts VALUES ('{1,NaN}');
SELECT kmeans_fit_distributed('empty_pts', 'f', 2);
DELETE FROM empty_pts WHERE f[2] = 'NaN';
INSERT INTO empty_pts VALUES ('{1,Infinity}');
SELECT kmeans_stats(f) FROM empty_pts;
DELETE FROM empty_pts WHERE f[2] = 'Infinity';
INSERT INTO empty_pts VALUES ('{1,2,3}');
SELECT kmeans_fit_distributed('empty_pts', 'f', 2);
-- a model of other dimensions, partials of different passes
SELECT kmeans_step(f, (SELECT dist FROM m), NULL) FROM (VALUES ('{1,2}'::float8[])) v(f);
SELECT rollup(p) FROM (SELECT stats FROM whole UNION ALL SELECT step FROM whole) x(p);
SELECT kmeans_seed_draw(f, NULL, 1, 0) FROM pts;
-- text input: syntax, ranges, validation
SELECT '{"v":1,"kind":"stats","k":1,"dims":1,"n":0,"changed":0,"counts":[0],"s1":[0],"s2":[0],"a":[[0]],"b":[[0]]}'::kmeans_partial;
SELECT '{"v":2,"kind":"stats","k":1,"dims":1,"n":0,"changed":0,"counts":[0],"s1":[0],"s2":[0],"a":[[0]],"b":[[0]]}'::kmeans_partial;
SELECT '{"v":1,"kind":"median","k":1,"dims":1,"n":0,"changed":0,"counts":[0],"s1":[0],"s2":[0],"a":[[0]],"b":[[0]]}'::kmeans_partial;
SELECT '{"v":1,"kind":"lloyd","k":2,"dims":1,"n":3,"changed":0,"counts":[1,1],"s1":[0,0],"s2":[0,0],"a":[[1],[2]],"b":[[1],[2]]}'::kmeans_partial;
SELECT '{"v":1,"kind":"lloyd","k":1,"dims":1,"n":1,"changed":2,"counts":[1],"s1":[0],"s2":[0],"a":[[1]],"b":[[1]]}'::kmeans_partial;
SELECT '{"v":1,"kind":"lloyd","k":1,"dims":1,"n":1,"changed":0,"counts":[1],"s1":[-1],"s2":[0],"a":[[1]],"b":[[1]]}'::kmeans_partial;
SELECT '{"v":1,"kind":"lloyd","k":1,"dims":1,"n":1,"changed":0,"counts":[1],"s1":[0],"s2":[0],"a":[[1e309]],"b":[[1]]}'::kmeans_partial;
SELECT '{"v":1,"kind":"lloyd","k":1,"dims":1,"n":1,"changed":0,"counts":[1],"s1":[0],"s2":[0],"a":[[NaN]],"b":[[1]]}'::kmeans_partial;
SELECT '{"v":1,"kind":"draw","k":1,"dims":1,"n":1,"changed":0,"counts":[1],"s1":[-3.5],"s2":[0],"a":[[5e-324]],"b":[[0]]} '::kmeans_partial;
SELECT '{"v":1,"kind":"draw","k":1,"dims":1,"n":1,"changed":0,"counts":[2],"s1":[0],"s2":[0],"a":[[0]],"b":[[0]]}'::kmeans_partial;
SELECT '{"v":1,"kind":"lloyd","k":1,"dims":1,"n":1,"changed":0,"counts":[1],"s1":[0],"s2":[0],"a":[[1]],"b":[[2e100]]}'::kmeans_partial;
SELECT '{"v":1,"kind":"stats","k":1,"dims":1,"n":1,"changed":0,"counts":[1],"s1":[0],"s2":[0],"a":[[1]],"b":[[-1]]}'::kmeans_partial;
SELECT '{"v":1,"kind":"potential","k":1,"dims":1,"n":1,"changed":0,"counts":[0],"s1":[2],"s2":[0],"a":[[0]],"b":[[0]]} x'::kmeans_partial;
SELECT '{"v":1,"kind":"stats","k":1,"dims":1,"n":2,"changed":0,"counts":[2],"s1":[0],"s2":[0],"a":[[-0]],"b":[[1e-400]]}'::kmeans_partial;
