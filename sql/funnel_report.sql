-- funnel_report: funnel_summary across users, rollup, report rows, type I/O.
CREATE SCHEMA funnel_report; SET search_path = funnel_report, public;
SET timezone = 'UTC';

-- per-user results as funnel_times() returns them (hand-checked below)
CREATE TABLE per_user (u int, day int, times timestamptz[]);
INSERT INTO per_user VALUES
 (1, 1, ARRAY['2024-01-01 10:00', '2024-01-01 10:05', '2024-01-01 10:20']::timestamptz[]),  -- 3 steps: +5 min, +15 min
 (2, 1, ARRAY['2024-01-01 10:00', '2024-01-01 10:10', NULL]::timestamptz[]),                -- 2 steps: +10 min
 (3, 2, ARRAY['2024-01-02 10:00', NULL, NULL]::timestamptz[]),                              -- 1 step
 (4, 2, ARRAY[NULL, NULL, NULL]::timestamptz[]),                                            -- 0 steps
 (5, 2, ARRAY['2024-01-02 10:00', '2024-01-02 10:05', '2024-01-02 10:35']::timestamptz[]),  -- 3 steps: +5 min, +30 min
 (6, 2, NULL);                                                                              -- skipped

SELECT funnel_summary(times) FROM per_user;
-- users 5; step 1: 4 (drop 1); step 2: 3 of 4, times 5, 10, 5 min -> median 5 min, p90 10 min;
-- step 3: 2 of 3, times 15, 30 min -> median 15 min, p90 30 min (nearest rank)
SELECT * FROM funnel_report((SELECT funnel_summary(times) FROM per_user));

-- rollup of per-day summaries equals the summary of all users
CREATE TABLE per_day AS SELECT day, funnel_summary(times) AS s FROM per_user GROUP BY day;
SELECT day, s FROM per_day ORDER BY day;
SELECT (SELECT rollup(s) FROM per_day)::text = (SELECT funnel_summary(times) FROM per_user)::text AS rollup_equals_all;
SELECT rollup(s) IS NULL AS empty_rollup FROM per_day WHERE false;
SELECT funnel_summary(times) IS NULL AS empty_summary FROM per_user WHERE false;
SELECT funnel_summary_merge(a.s, b.s)::text = (SELECT rollup(s) FROM per_day)::text AS merge_equals_rollup
FROM per_day a, per_day b WHERE a.day = 1 AND b.day = 2;

-- text I/O is lossless; binary send/recv round-trips through COPY BINARY
SELECT s::text::funnel_summary::text = s::text AS text_roundtrip FROM per_day;
CREATE TABLE bin (day int, s funnel_summary);
-- (written and read by psql, \copy, so a database owner without superuser runs this file)
SELECT '/tmp/journey_funnel_report_' || pg_backend_pid() || '.bin' AS binfile \gset
\setenv JY_BINFILE :binfile
\copy (SELECT day, s FROM funnel_report.per_day) TO PROGRAM 'cat > "$JY_BINFILE"' (FORMAT binary)
\copy funnel_report.bin FROM PROGRAM 'cat "$JY_BINFILE"; rm -f "$JY_BINFILE"' (FORMAT binary)
SELECT bool_and(b.s::text = d.s::text) AS binary_roundtrip, count(*) FROM bin b JOIN per_day d USING (day);
-- (binary input validated like text input, patched bytes: sql/server_files.sql)

-- the whole pipeline on the sample data, with a breakdown by channel (plain GROUP BY),
-- checked against plain SQL: counts exact, median times within 0.4%
CREATE TABLE sample AS SELECT * FROM journey_sample_events(3000, 3);
CREATE TABLE users_t AS
  SELECT user_id, min(utm_source) AS channel,
         funnel_times(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS times
  FROM sample GROUP BY user_id;
SELECT channel, r.step, r.users, round(r.conversion_from_first::numeric, 3) AS conv_first
FROM (SELECT channel, funnel_summary(times) AS s FROM users_t GROUP BY channel) x, funnel_report(x.s) r
WHERE channel IN ('google', 'tiktok') ORDER BY channel, step;
CREATE TABLE rep AS SELECT r.* FROM funnel_report((SELECT funnel_summary(times) FROM users_t)) r;
CREATE TABLE plain AS
  SELECT k AS step,
         count(*) FILTER (WHERE times[k] IS NOT NULL) AS users,
         percentile_disc(0.5) WITHIN GROUP (ORDER BY times[k] - times[k - 1]) AS med,
         percentile_disc(0.9) WITHIN GROUP (ORDER BY times[k] - times[k - 1]) AS p90
  FROM users_t, generate_series(1, 4) k GROUP BY k;
SELECT r.step, r.users = p.users AS users_exact,
       r.drop_off = coalesce(lag(p.users) OVER (ORDER BY p.step), (SELECT count(*) FROM users_t)) - p.users AS drop_off_exact,
       abs(r.conversion_from_first - p.users::float8 / first_value(p.users) OVER (ORDER BY p.step)) < 1e-12 AS conv_exact,
       CASE WHEN p.step = 1 THEN r.median_time_from_previous IS NULL
            ELSE abs(extract(epoch FROM r.median_time_from_previous) / extract(epoch FROM p.med) - 1) <= 0.004 END AS median_close,
       CASE WHEN p.step = 1 THEN r.p90_time_from_previous IS NULL
            ELSE abs(extract(epoch FROM r.p90_time_from_previous) / extract(epoch FROM p.p90) - 1) <= 0.004 END AS p90_close
FROM rep r JOIN plain p USING (step) ORDER BY step;

-- parallel: Partial Aggregate, same summary as serial
CREATE TABLE many AS SELECT g, times FROM users_t, generate_series(1, 20) g;
ANALYZE many;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT funnel_summary(times) FROM many;
CREATE TABLE par AS SELECT funnel_summary(times)::text AS s FROM many;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT s FROM par) = funnel_summary(times)::text AS parallel_equals_serial FROM many;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

-- errors
SELECT funnel_summary(t) FROM (VALUES (ARRAY['2024-01-01 10:00', '2024-01-01 09:00']::timestamptz[])) v(t);
SELECT funnel_summary(t) FROM (VALUES (ARRAY['2024-01-01 10:00', NULL, '2024-01-01 11:00']::timestamptz[])) v(t);
SELECT funnel_summary(t) FROM (VALUES (ARRAY['2024-01-01 10:00']::timestamptz[]), (ARRAY[NULL, NULL]::timestamptz[])) v(t);
SELECT funnel_summary(t) FROM (VALUES (ARRAY[]::timestamptz[])) v(t);
SELECT rollup(s) FROM (VALUES ('{"v":1,"users":1,"reached":[1],"hist":[[]]}'::funnel_summary),
                              ('{"v":1,"users":1,"reached":[1,0],"hist":[[],[]]}'::funnel_summary)) v(s);
-- malformed text input
SELECT 'garbage'::funnel_summary;
SELECT '{"v":2,"users":1,"reached":[1],"hist":[[]]}'::funnel_summary;
SELECT '{"v":1,"users":1,"reached":[2],"hist":[[]]}'::funnel_summary;
SELECT '{"v":1,"users":2,"reached":[1,2],"hist":[[],[[0,2]]]}'::funnel_summary;
SELECT '{"v":1,"users":2,"reached":[2,1],"hist":[[],[]]}'::funnel_summary;
SELECT '{"v":1,"users":2,"reached":[2,2],"hist":[[[5,1]],[[0,2]]]}'::funnel_summary;
SELECT '{"v":1,"users":2,"reached":[2,2],"hist":[[],[[9,1],[3,1]]]}'::funnel_summary;
SELECT '{"v":1,"users":2,"reached":[2,2],"hist":[[]]}'::funnel_summary;
SELECT '{"v":1,"users":-1,"reached":[0],"hist":[[]]}'::funnel_summary;
SELECT '{"v":1,"users":1,"reached":[1],"hist":[[]]} x'::funnel_summary;
-- valid: white space between tokens
SELECT ' { "v" : 1 , "users" : 2 , "reached" : [ 2 , 1 ] , "hist" : [ [ ] , [ [ 300 , 1 ] ] ] } '::funnel_summary;
