-- Text round trips of every journey type, byte for byte (issue 13): values built by the
-- extension's own aggregates and functions with edge values (subnormals, NaN silhouette,
-- extreme timestamps, empty values, the documented limits: 65535 names, 1024 steps,
-- 1000 periods, 1024 dimensions, ...), see test/edge_values.sql.  For each value v of type T:
--   v::text::T::text = v::text      and      T_send(v::text::T) = T_send(v)
-- The binary round trips (COPY BINARY out and in, pg_dump/pg_restore) of the same table are
-- in test/t/01_dump_restore.pl.
\set ECHO none
\i test/edge_values.sql
\set ECHO all
SELECT count(*) AS edge_values FROM edge_values;
-- one row per type: values checked, text or send bytes that differ after ::text::T
WITH c AS (
  SELECT 'journey' AS type, label, j::text::journey::text IS DISTINCT FROM j::text AS text_differs,
         journey_send(j::text::journey) IS DISTINCT FROM journey_send(j) AS send_differs
  FROM edge_values WHERE label LIKE 'journey:%'
  UNION ALL
  SELECT 'session_stats', label, ss::text::session_stats::text IS DISTINCT FROM ss::text,
         session_stats_send(ss::text::session_stats) IS DISTINCT FROM session_stats_send(ss)
  FROM edge_values WHERE label LIKE 'session_stats:%'
  UNION ALL
  SELECT 'funnel_summary', label, fs::text::funnel_summary::text IS DISTINCT FROM fs::text,
         funnel_summary_send(fs::text::funnel_summary) IS DISTINCT FROM funnel_summary_send(fs)
  FROM edge_values WHERE label LIKE 'funnel_summary:%'
  UNION ALL
  SELECT 'cohort_retention', label, cr::text::cohort_retention::text IS DISTINCT FROM cr::text,
         cohort_retention_send(cr::text::cohort_retention) IS DISTINCT FROM cohort_retention_send(cr)
  FROM edge_values WHERE label LIKE 'cohort_retention:%'
  UNION ALL
  SELECT 'kmeans_model', label, km::text::kmeans_model::text IS DISTINCT FROM km::text,
         kmeans_model_send(km::text::kmeans_model) IS DISTINCT FROM kmeans_model_send(km)
  FROM edge_values WHERE label LIKE 'kmeans_model:%'
  UNION ALL
  SELECT 'kmeans_model[]', label, kms::text::kmeans_model[]::text IS DISTINCT FROM kms::text,
         array_send(kms::text::kmeans_model[]) IS DISTINCT FROM array_send(kms)
  FROM edge_values WHERE label LIKE 'kmeans_model[]:%'
  UNION ALL
  SELECT 'kmeans_partial', label, kp::text::kmeans_partial::text IS DISTINCT FROM kp::text,
         kmeans_partial_send(kp::text::kmeans_partial) IS DISTINCT FROM kmeans_partial_send(kp)
  FROM edge_values WHERE label LIKE 'kmeans_partial:%'
  UNION ALL
  SELECT 'journey_markov_chain', label, mc::text::journey_markov_chain::text IS DISTINCT FROM mc::text,
         journey_markov_chain_send(mc::text::journey_markov_chain) IS DISTINCT FROM journey_markov_chain_send(mc)
  FROM edge_values WHERE label LIKE 'journey_markov_chain:%'
)
SELECT type, count(*) AS "values", count(*) FILTER (WHERE text_differs) AS text_differs,
       count(*) FILTER (WHERE send_differs) AS send_differs,
       string_agg(label, '; ' ORDER BY label) FILTER (WHERE text_differs OR send_differs) AS failing
FROM c GROUP BY type ORDER BY type;
-- binary and text COPY out and in: every value's send bytes are unchanged (COPY BINARY goes
-- through T_send / T_recv, text COPY through T_out / T_in)
\copy edge_values TO 'results/roundtrip.bin' WITH (FORMAT binary)
\copy edge_values TO 'results/roundtrip.txt'
CREATE TABLE edge_values_bin (LIKE edge_values);
CREATE TABLE edge_values_txt (LIKE edge_values);
\copy edge_values_bin FROM 'results/roundtrip.bin' WITH (FORMAT binary)
\copy edge_values_txt FROM 'results/roundtrip.txt'
SELECT r.round_trip, count(*) AS "rows",
       count(*) FILTER (WHERE a.label IS DISTINCT FROM r.label
                           OR journey_send(a.j) IS DISTINCT FROM journey_send(r.j)
                           OR session_stats_send(a.ss) IS DISTINCT FROM session_stats_send(r.ss)
                           OR funnel_summary_send(a.fs) IS DISTINCT FROM funnel_summary_send(r.fs)
                           OR cohort_retention_send(a.cr) IS DISTINCT FROM cohort_retention_send(r.cr)
                           OR kmeans_model_send(a.km) IS DISTINCT FROM kmeans_model_send(r.km)
                           OR array_send(a.kms) IS DISTINCT FROM array_send(r.kms)
                           OR kmeans_partial_send(a.kp) IS DISTINCT FROM kmeans_partial_send(r.kp)
                           OR journey_markov_chain_send(a.mc) IS DISTINCT FROM journey_markov_chain_send(r.mc)) AS "differ"
FROM edge_values a
FULL JOIN (SELECT 'COPY binary' AS round_trip, * FROM edge_values_bin
           UNION ALL SELECT 'COPY text', * FROM edge_values_txt) r USING (id)
GROUP BY r.round_trip ORDER BY 1;
-- every row holds exactly one non-NULL value or is one of the NULL rows
SELECT label FROM edge_values
WHERE num_nonnulls(j, ss, fs, cr, km, kms, kp, mc) <> CASE WHEN label LIKE '%: NULL' THEN 0 ELSE 1 END;
-- the edge values are what their labels say
SELECT label, (kmeans_summary(km)).* FROM edge_values WHERE km IS NOT NULL ORDER BY id;
SELECT label, (SELECT min(abs(x::text::float8)) FILTER (WHERE x::text::float8 <> 0)
               FROM json_array_elements(km::text::json -> 'centers') c, json_array_elements(c) x) AS smallest_nonzero_centre
FROM edge_values WHERE label LIKE 'kmeans_model: s%' ORDER BY id;
SELECT label, length(j) AS events, cardinality(distinct_events(j)) AS names, first_time(j) AT TIME ZONE 'UTC' AS first_utc, last_time(j) AT TIME ZONE 'UTC' AS last_utc
FROM edge_values WHERE j IS NOT NULL ORDER BY id;
SELECT label, octet_length(funnel_summary_send(fs)) AS send_bytes FROM edge_values WHERE fs IS NOT NULL ORDER BY id;
SELECT fs FROM edge_values WHERE label LIKE 'funnel_summary: steps 0001%';
SELECT label, octet_length(cohort_retention_send(cr)) AS send_bytes FROM edge_values WHERE cr IS NOT NULL ORDER BY id;
-- a model without a silhouette sends the canonical NaN (bytes 53..60 of the send form)
SELECT count(*) AS no_silhouette, count(*) FILTER (WHERE substr(kmeans_model_send(km), 53, 8) = '\x7ff8000000000000') AS canonical_nan
FROM edge_values WHERE km IS NOT NULL AND (kmeans_summary(km)).silhouette IS NULL;
-- subnormal and extreme literals of kmeans_model text input (issue 13: subnormals were 22003)
SELECT '{"v":1,"k":1,"dims":1,"n":2,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":4.9406564584124654e-324,"inertia":0,"silhouette":null,"mean":[0],"scale":[1],"sizes":[2],"within":[0],"centers":[[-2.2250738585072009e-308]]}'::kmeans_model;
SELECT '{"v":1,"k":1,"dims":1,"n":2,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":1.7976931348623157e308,"inertia":0,"silhouette":-0,"mean":[-0],"scale":[1],"sizes":[2],"within":[-0],"centers":[[-1.7976931348623157e+308]]}'::kmeans_model;
-- underflow to zero and overflow are out of range (like float8in); NaN and infinity are not numbers here
SELECT '{"v":1,"k":1,"dims":1,"n":2,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":2e-324,"inertia":0,"silhouette":null,"mean":[0],"scale":[1],"sizes":[2],"within":[0],"centers":[[0]]}'::kmeans_model;
SELECT '{"v":1,"k":1,"dims":1,"n":2,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":0,"inertia":0,"silhouette":null,"mean":[0],"scale":[1],"sizes":[2],"within":[0],"centers":[[1.8e308]]}'::kmeans_model;
SELECT '{"v":1,"k":1,"dims":1,"n":2,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":0,"inertia":0,"silhouette":null,"mean":[0],"scale":[1],"sizes":[2],"within":[0],"centers":[[-inf]]}'::kmeans_model;
SELECT '{"v":1,"k":1,"dims":1,"n":2,"standardized":false,"converged":true,"iterations":1,"n_init":1,"seed":0,"tol":0,"inertia":0,"silhouette":NaN,"mean":[0],"scale":[1],"sizes":[2],"within":[0],"centers":[[0]]}'::kmeans_model;
-- features beyond +-1e100 would overflow the sums of squared distances: 22003 before the fit
SELECT kmeans_segment(ARRAY[x], 1) FROM (VALUES (1e100::float8), (-1.0000000000000002e100)) v(x);
SELECT kmeans_assign(km, ARRAY[1e101::float8]) FROM edge_values WHERE label = 'kmeans_model: subnormal centre (issue 13)';
