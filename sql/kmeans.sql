-- kmeans: K-means segments (aggregate, window form, accessors, choosing k, errors).
CREATE SCHEMA kmeans; SET search_path = kmeans, public;
SET extra_float_digits = 0;

-- Four well-separated blobs in 3-D, deterministic noise in [-1, 1), 50 points each.
CREATE TABLE blobs AS
SELECT i, b AS truth,
       ARRAY[b * 20 + ((i * 7919) % 200) / 100.0 - 1,
             (b % 2) * 30 + ((i * 104729) % 200) / 100.0 - 1,
             (b / 2) * -25 + ((i * 1299709) % 200) / 100.0 - 1]::float8[] AS f
FROM generate_series(0, 199) i, LATERAL (SELECT i % 4 AS b) x;

-- the true clusters are recovered exactly: a bijection between truth and cluster
CREATE TABLE fit AS SELECT kmeans_segment(f, 4, '{"seed": 7}') AS m FROM blobs;
SELECT count(DISTINCT (truth, kmeans_assign(m, f))) AS pairs,
       count(DISTINCT truth) AS truths, count(DISTINCT kmeans_assign(m, f)) AS clusters
FROM blobs, fit;
SELECT k, dims, n, iterations > 0 AS iterated, converged, standardized, n_init, seed, silhouette
FROM fit, kmeans_summary(m);
-- sizes (numbered largest first; ties by centroid), and centroids = means of the members (original units)
SELECT c.cluster, c.size, c.share,
       (SELECT bool_and(abs(c.centroid[j] - (SELECT avg(b.f[j]) FROM blobs b WHERE kmeans_assign(m, b.f) = c.cluster)) < 1e-9)
        FROM generate_series(1, 3) j) AS centroid_is_mean
FROM fit, kmeans_clusters(m) c ORDER BY c.cluster;
-- inertia and within_ss equal a plain-SQL computation in the standardized space
CREATE TABLE z AS
SELECT i, truth, f, ARRAY(SELECT (f[j] - s.mu[j]) / s.sd[j] FROM generate_series(1, 3) j) AS zf
FROM blobs, (SELECT ARRAY[avg(f[1]), avg(f[2]), avg(f[3])]::float8[] AS mu,
                    ARRAY[stddev_pop(f[1]), stddev_pop(f[2]), stddev_pop(f[3])]::float8[] AS sd FROM blobs) s;
WITH lab AS (SELECT z.*, kmeans_assign(m, f) AS c FROM z, fit),
cen AS (SELECT c, ARRAY[avg(zf[1]), avg(zf[2]), avg(zf[3])] AS zc FROM lab GROUP BY c),
ss AS (SELECT lab.c, sum((zf[1] - zc[1])^2 + (zf[2] - zc[2])^2 + (zf[3] - zc[3])^2) AS w
       FROM lab JOIN cen USING (c) GROUP BY lab.c)
SELECT abs((SELECT sum(w) FROM ss) / s.inertia - 1) < 1e-9 AS inertia_matches,
       (SELECT bool_and(abs(ss.w / c.within_ss - 1) < 1e-9) FROM ss JOIN kmeans_clusters(m) c ON c.cluster = ss.c) AS within_matches,
       (SELECT bool_and(abs(cz.z - cen.zc[cz.feature]) < 1e-9) FROM kmeans_centroids(m) cz JOIN cen ON cen.c = cz.cluster) AS z_matches
FROM fit, kmeans_summary(m) s;
-- kmeans_distance: distance in the standardized space to the nearest centroid
WITH cen AS (SELECT cluster, array_agg(z ORDER BY feature) AS zc FROM fit, kmeans_centroids(m) GROUP BY cluster)
SELECT bool_and(abs(kmeans_distance(m, f) -
       sqrt((zf[1] - zc[1])^2 + (zf[2] - zc[2])^2 + (zf[3] - zc[3])^2)) < 1e-9) AS distance_ok
FROM z, fit, cen WHERE cen.cluster = kmeans_assign(m, f);

-- determinism: same seed and same rows -> identical model, whatever the row order
SELECT (SELECT m::text FROM fit) = kmeans_segment(f, 4, '{"seed": 7}' ORDER BY i DESC)::text AS same_reversed,
       (SELECT m::text FROM fit) = kmeans_segment(f, 4, '{"seed": 7}' ORDER BY (i * 37) % 200)::text AS same_shuffled
FROM blobs;
-- the default seed is 0; the seed and the options are recorded
SELECT (kmeans_summary(kmeans_segment(f, 4))).seed, kmeans_segment(f, 4)::text = kmeans_segment(f, 4, '{"seed": 0}')::text AS default_seed_0
FROM blobs;

-- window form: one fit per partition, each row gets its cluster; equals kmeans_assign with the aggregate's model
SELECT count(*) AS rows, count(*) FILTER (WHERE w = kmeans_assign(m, f)) AS agree
FROM (SELECT f, kmeans_cluster(f, 4, '{"seed": 7}') OVER () AS w FROM blobs) x, fit;
-- the aggregate used as a window aggregate gives the model on every row
SELECT count(DISTINCT kmeans_assign(wm, f)) AS clusters, bool_and(wm::text = (SELECT m::text FROM fit)) AS same_model
FROM (SELECT f, kmeans_segment(f, 4, '{"seed": 7}') OVER () AS wm FROM blobs) x;
-- with a growing frame (ORDER BY) each row gets the model of the rows so far: k = 1 gives the running mean
SELECT i, (SELECT centroid FROM kmeans_clusters(wm)) AS running_centroid
FROM (SELECT i, kmeans_segment(f, 1) OVER (ORDER BY i) AS wm
      FROM (VALUES (1, ARRAY[1, 10]::float8[]), (2, ARRAY[3, 20]), (3, ARRAY[8, 30])) v(i, f)) x ORDER BY i;
-- kmeans_cluster ignores the frame: the fit is over the whole partition whatever the ORDER BY
SELECT bool_and(a = b) AS frame_ignored
FROM (SELECT kmeans_cluster(f, 4, '{"seed": 7}') OVER (ORDER BY i) AS a,
             kmeans_cluster(f, 4, '{"seed": 7}') OVER () AS b FROM blobs) x;
-- window partitions = per-group fits; NULL features get NULL; an all-NULL partition gives NULLs
CREATE TABLE grp AS
SELECT truth % 2 AS g, i, f FROM blobs
UNION ALL SELECT 5, 1000, NULL UNION ALL SELECT 0, 1001, NULL;
SELECT g, count(*) AS rows, count(c) AS assigned, count(DISTINCT c) AS clusters
FROM (SELECT g, kmeans_cluster(f, 2, '{"seed": 3}') OVER (PARTITION BY g) AS c FROM grp) x
GROUP BY g ORDER BY g;
-- GROUP BY gives one model per group (the window form agrees with it)
SELECT g, (kmeans_summary(kmeans_segment(f, 2, '{"seed": 3}'))).n FROM grp GROUP BY g ORDER BY g;
SELECT bool_and(w = kmeans_assign(m, f)) AS window_equals_group_models
FROM (SELECT g, f, kmeans_cluster(f, 2, '{"seed": 3}') OVER (PARTITION BY g) AS w FROM grp WHERE g < 5) x
JOIN (SELECT g, kmeans_segment(f, 2, '{"seed": 3}') AS m FROM grp GROUP BY g) y USING (g)
WHERE f IS NOT NULL;

-- choosing k: inertia for each k and the silhouette (exact here: sample >= n)
CREATE TABLE scan AS SELECT kmeans_scan(f, 2, 6, '{"seed": 7}') AS ms FROM blobs;
SELECT s.k, round(s.inertia::numeric, 6) AS inertia, round(s.silhouette::numeric, 6) AS silhouette
FROM scan, unnest(ms) m, kmeans_summary(m) s ORDER BY s.k;
-- the silhouette of k = 4 equals a plain-SQL silhouette on the standardized points
WITH lab AS (SELECT i, zf, kmeans_assign(ms[3], f) AS c FROM z, scan),
d AS (SELECT a.i, a.c AS ca, b.c AS cb,
             avg(sqrt((a.zf[1] - b.zf[1])^2 + (a.zf[2] - b.zf[2])^2 + (a.zf[3] - b.zf[3])^2)) AS md,
             sum(sqrt((a.zf[1] - b.zf[1])^2 + (a.zf[2] - b.zf[2])^2 + (a.zf[3] - b.zf[3])^2)) AS sd,
             count(*) AS cnt
      FROM lab a JOIN lab b ON a.i <> b.i GROUP BY a.i, a.c, b.c),
per AS (SELECT i, max(md) FILTER (WHERE ca = cb) AS a, min(md) FILTER (WHERE ca <> cb) AS b FROM d GROUP BY i)
SELECT abs(avg((b - a) / greatest(a, b)) - (SELECT silhouette FROM scan, kmeans_summary(ms[3]))) < 1e-9 AS silhouette_matches
FROM per;
-- each scanned model equals the single fit with the same k and options (silhouette aside)
SELECT (kmeans_summary(ms[3])).inertia = (SELECT (kmeans_summary(m)).inertia FROM fit) AS scan_k4_equals_fit FROM scan;
-- the silhouette on a sample smaller than n is a number in [-1, 1]
SELECT s.silhouette BETWEEN -1 AND 1 AS sampled_ok
FROM (SELECT kmeans_segment(f, 4, '{"silhouette_sample": 50}') m FROM blobs) x, kmeans_summary(m) s;

-- standardize off: scaling is identity, centroids are in original units already
SELECT s.standardized, (SELECT bool_and(value = z) FROM kmeans_centroids(m)) AS value_is_z
FROM (SELECT kmeans_segment(f, 4, '{"standardize": false}') m FROM blobs) x, kmeans_summary(m) s;
-- k = 1: the centroid is the mean; k = number of distinct points: inertia 0
SELECT (SELECT centroid FROM kmeans_clusters(kmeans_segment(f, 1))) AS centroid
FROM (VALUES (ARRAY[1, 2]::float8[]), (ARRAY[3, 6]), (ARRAY[5, 10])) v(f);
SELECT (kmeans_summary(kmeans_segment(f, 3))).inertia < 1e-20 AS inertia_zero, (SELECT array_agg(size) FROM kmeans_clusters(kmeans_segment(f, 3))) AS sizes
FROM (VALUES (ARRAY[1]::float8[]), (ARRAY[1]), (ARRAY[2]), (ARRAY[7]), (ARRAY[7]), (ARRAY[7])) v(f);
-- empty input and all-NULL input give NULL (like avg); NULL rows are skipped
SELECT kmeans_segment(f, 2) IS NULL AS empty_is_null FROM blobs WHERE false;
SELECT kmeans_segment(NULL::float8[], 2) IS NULL AS all_null_is_null FROM generate_series(1, 3);
SELECT (kmeans_summary(kmeans_segment(f, 2))).n FROM grp;
-- sample_fraction keeps a point iff a hash of its coordinates (and the seed) falls below the fraction
SELECT (kmeans_summary(m)).n BETWEEN 60 AND 140 AS about_half, kmeans_segment_sampled_same
FROM (SELECT kmeans_segment(f, 4, '{"sample_fraction": 0.5}') AS m,
             kmeans_segment(f, 4, '{"sample_fraction": 0.5}' ORDER BY i DESC)::text =
             kmeans_segment(f, 4, '{"sample_fraction": 0.5}')::text AS kmeans_segment_sampled_same FROM blobs) x;
-- progress notices, one per iteration
SELECT kmeans_segment(f, 2, '{"progress": true, "n_init": 1, "seed": 1}') IS NOT NULL AS fitted
FROM (VALUES (ARRAY[0]::float8[]), (ARRAY[1]), (ARRAY[10]), (ARRAY[11])) v(f);

-- parallel aggregation: Partial Aggregate in the plan, same model as serial
CREATE TABLE big AS
SELECT i, ARRAY[(i % 5) * 3 + ((i * 7919) % 1000) / 500.0, ((i * 104729) % 1000) / 250.0]::float8[] AS f
FROM generate_series(1, 60000::bigint) i;
ANALYZE big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT kmeans_segment(f, 5, '{"n_init": 2}') FROM big;
CREATE TABLE par AS SELECT kmeans_segment(f, 5, '{"n_init": 2}')::text AS m FROM big;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT m FROM par) = kmeans_segment(f, 5, '{"n_init": 2}')::text AS parallel_equals_serial FROM big;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

-- text I/O is lossless; binary send/recv round-trips (COPY BINARY)
SELECT m::text::kmeans_model::text = m::text AS text_roundtrip FROM fit;
CREATE TABLE bin_in (m kmeans_model);
-- (file named by backend pid, so runs by different users or at the same time do not collide)
SELECT '/tmp/journey_kmeans_regress_' || pg_backend_pid() AS binfile \gset
\setenv JY_BINFILE :binfile
\copy fit TO PROGRAM 'cat > "$JY_BINFILE"' (FORMAT binary)
\copy bin_in FROM PROGRAM 'cat "$JY_BINFILE"; rm -f "$JY_BINFILE"' (FORMAT binary)
SELECT (SELECT m::text FROM bin_in) = (SELECT m::text FROM fit) AS binary_roundtrip;
SELECT kmeans_assign('{"v":1,"k":2,"dims":1,"n":3,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":0,"inertia":0.5,"silhouette":null,"mean":[0],"scale":[1],"sizes":[2,1],"within":[0.5,0],"centers":[[0.5],[10]]}', ARRAY[6]) AS hand_made;

-- errors
SELECT kmeans_segment(f, 0) FROM blobs;
SELECT kmeans_segment(f, NULL) FROM blobs;
SELECT kmeans_segment(f, 201) FROM blobs;
SELECT kmeans_segment(f, 3) FROM (VALUES (ARRAY[1, 1]::float8[]), (ARRAY[1, 1]), (ARRAY[2, 2])) v(f);
SELECT kmeans_segment(f, (i % 2)::int + 1) FROM blobs;
SELECT kmeans_segment(ARRAY[1, NULL]::float8[], 1);
SELECT kmeans_segment(ARRAY[1, 'NaN']::float8[], 1);
SELECT kmeans_segment(ARRAY['-Infinity', 1]::float8[], 1);
SELECT kmeans_segment(f, 1) FROM (VALUES (ARRAY[1, 2]::float8[]), (ARRAY[1, 2, 3])) v(f);
SELECT kmeans_segment('{}'::float8[], 1);
SELECT kmeans_segment('{{1,2},{3,4}}'::float8[], 1);
SELECT kmeans_segment(array_fill(1::float8, ARRAY[1025]), 1);
SELECT kmeans_segment(f, 2, '{"bogus": 1}') FROM blobs;
SELECT kmeans_segment(f, 2, '[1]') FROM blobs;
SELECT kmeans_segment(f, 2, '{"n_init": 0}') FROM blobs;
SELECT kmeans_segment(f, 2, '{"tol": -1}') FROM blobs;
SELECT kmeans_segment(f, 2, '{"seed": 1.5}') FROM blobs;
SELECT kmeans_segment(f, 2, '{"standardize": "yes"}') FROM blobs;
SELECT kmeans_segment(f, 2, '{"sample_fraction": 0}') FROM blobs;
SELECT kmeans_segment(f, 2, '{"max_memory_mb": 1}') FROM big;
SELECT kmeans_scan(f, 3, 2) FROM blobs;
SELECT kmeans_scan(f, 2, 300) FROM blobs;
SELECT kmeans_scan(f, 1, 3) FROM (VALUES (ARRAY[1]::float8[]), (ARRAY[2]), (ARRAY[2])) v(f);
SELECT kmeans_cluster(f, (i % 3)::int + 1) OVER () FROM blobs;
SELECT kmeans_assign(m, ARRAY[1, 2]) FROM fit;
SELECT kmeans_assign(m, ARRAY[1, 2, 'NaN']::float8[]) FROM fit;
-- malformed text input
SELECT 'garbage'::kmeans_model;
SELECT '{"v":2,"k":1}'::kmeans_model;
SELECT '{"v":1,"k":2,"dims":1,"n":3,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":0,"inertia":0.5,"silhouette":null,"mean":[0],"scale":[1],"sizes":[2,2],"within":[0.5,0],"centers":[[0.5],[10]]}'::kmeans_model;
SELECT '{"v":1,"k":2,"dims":1,"n":3,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":0,"inertia":0.7,"silhouette":null,"mean":[0],"scale":[1],"sizes":[2,1],"within":[0.5,0],"centers":[[0.5],[10]]}'::kmeans_model;
SELECT '{"v":1,"k":2,"dims":1,"n":3,"standardized":true,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":0,"inertia":0.5,"silhouette":null,"mean":[0],"scale":[0],"sizes":[2,1],"within":[0.5,0],"centers":[[0.5],[10]]}'::kmeans_model;
SELECT '{"v":1,"k":2,"dims":1,"n":3,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":0,"inertia":0.5,"silhouette":null,"mean":[0],"scale":[1],"sizes":[2,1],"within":[0.5,0],"centers":[[NaN],[10]]}'::kmeans_model;
SELECT '{"v":1,"k":2,"dims":1,"n":3,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":0,"inertia":0.5,"silhouette":2,"mean":[0],"scale":[1],"sizes":[2,1],"within":[0.5,0],"centers":[[0.5],[10]]}'::kmeans_model;
SELECT '{"v":1,"k":2,"dims":1,"n":3,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":0,"inertia":0.5,"silhouette":null,"mean":[0],"scale":[1],"sizes":[2,1],"within":[0.5,0],"centers":[[0.5],[10]]} x'::kmeans_model;
SELECT '{"v":1,"k":2,"dims":1,"n":3,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":0,"inertia":0.5,"silhouette":null,"mean":[0],"scale":[1],"sizes":[2,1],"within":[0.5,0],"centers":[[0.5,1],[10]]}'::kmeans_model;
SELECT '{"v":1,"k":2,"dims":1,"n":3,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":0,"inertia":1e999,"silhouette":null,"mean":[0],"scale":[1],"sizes":[2,1],"within":[0.5,0],"centers":[[0.5],[10]]}'::kmeans_model;

-- a long fit stops at statement_timeout (the engine checks for interrupts every 16384 points of work)
CREATE TABLE slow AS SELECT ARRAY[(i * 7919) % 100003, (i * 104729) % 99991]::float8[] AS f FROM generate_series(1, 200000::bigint) i;
SET statement_timeout = '1s';
SELECT kmeans_scan(f, 2, 60, '{"n_init": 100}') FROM slow;
RESET statement_timeout;
