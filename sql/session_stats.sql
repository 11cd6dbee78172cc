-- session_stats: per-user session summaries, rollup and KPI accessors.
CREATE SCHEMA session_stats; SET search_path = session_stats, public;
SET timezone = 'UTC';
CREATE TABLE ev (u int, ts timestamptz);
INSERT INTO ev VALUES
 (1, '2024-01-01 10:00'), (1, '2024-01-01 10:10'), (1, '2024-01-01 10:20'),  -- 20 min, 3 events
 (1, '2024-01-01 12:00'),                                                    -- bounce
 (1, '2024-01-01 15:00'), (1, '2024-01-01 15:05'),                           -- 5 min, 2 events
 (2, '2024-01-02 08:00'), (2, NULL),                                          -- bounce; NULL ignored
 (3, NULL);                                                                   -- no events at all

SELECT u, s FROM (SELECT u, session_stats(ts) AS s FROM ev GROUP BY u) x ORDER BY u;
SELECT u, (session_kpis(session_stats(ts))).* FROM ev GROUP BY u ORDER BY u;
-- input order does not matter
SELECT session_stats(ts ORDER BY ts DESC)::text = session_stats(ts ORDER BY ts)::text AS order_free FROM ev WHERE u = 1;
-- gap and maximum length
SELECT session_count(session_stats(ts, '3 hours')) AS gap_3h,
       session_count(session_stats(ts, '3 hours', '4 hours')) AS gap_3h_max_4h FROM ev WHERE u = 1;

-- rollup across users, and accessors
CREATE TABLE per_user AS SELECT u, session_stats(ts) AS s FROM ev GROUP BY u;
SELECT session_count(r), event_count(r), bounce_count(r), bounce_rate(r), events_per_session(r),
       avg_duration(r), total_duration(r), median_duration(r), duration_percentile(r, 0.9),
       duration_percentile(r, 0), duration_percentile(r, 1)
FROM (SELECT rollup(s) AS r FROM per_user) x;
SELECT (session_kpis(rollup(s))).* FROM per_user;
-- rollup of nothing is NULL; NULL summaries are skipped
SELECT rollup(s) IS NULL AS empty FROM per_user WHERE false;
SELECT session_count(rollup(s)) FROM per_user;

-- text I/O is lossless; binary send/recv round-trips
SELECT s::text::session_stats::text = s::text AS text_roundtrip FROM per_user WHERE s IS NOT NULL;
-- binary: COPY (FORMAT binary) goes through session_stats_send / session_stats_recv
\copy (SELECT u, s FROM per_user) TO 'results/session_stats.bin' WITH (FORMAT binary)
CREATE TABLE per_user_bin (u int, s session_stats);
\copy per_user_bin FROM 'results/session_stats.bin' WITH (FORMAT binary)
SELECT count(*) AS rows, bool_and(b.s::text IS NOT DISTINCT FROM p.s::text) AS binary_roundtrip
FROM per_user p JOIN per_user_bin b USING (u);

-- agreement with plain SQL on the sample data: counts and durations exact, medians within 0.4%
CREATE TABLE sample AS SELECT * FROM journey_sample_events(2000, 5);
CREATE TABLE s_journey AS
  SELECT (session_kpis(rollup(s))).* FROM (SELECT user_id, session_stats(ts) s FROM sample GROUP BY user_id) x;
CREATE TABLE s_plain AS
  WITH marked AS (
    SELECT user_id, ts, CASE WHEN lag(ts) OVER w IS NULL OR ts - lag(ts) OVER w > '30 minutes' THEN 1 ELSE 0 END AS brk
    FROM sample WINDOW w AS (PARTITION BY user_id ORDER BY ts)),
  numbered AS (SELECT user_id, ts, sum(brk) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sn FROM marked),
  sess AS (SELECT user_id, sn, count(*) AS n, max(ts) - min(ts) AS d FROM numbered GROUP BY user_id, sn)
  SELECT count(*) AS sessions, sum(n) AS events, count(*) FILTER (WHERE n = 1) AS bounces,
         avg(d) AS avg_duration, percentile_disc(0.5) WITHIN GROUP (ORDER BY d) AS median_duration,
         percentile_disc(0.9) WITHIN GROUP (ORDER BY d) AS p90_duration
  FROM sess;
SELECT j.sessions = p.sessions AS sessions, j.events = p.events AS events, j.bounces = p.bounces AS bounces,
       abs(extract(epoch FROM j.avg_duration - p.avg_duration)) < 0.000001 AS avg_exact,
       abs(extract(epoch FROM j.median_duration) / extract(epoch FROM p.median_duration) - 1) <= 0.004 AS median_close,
       abs(extract(epoch FROM j.p90_duration) / extract(epoch FROM p.p90_duration) - 1) <= 0.004 AS p90_close
FROM s_journey j, s_plain p;

-- parallel aggregation: Partial Aggregate in the plan, same result as serial
CREATE TABLE big AS SELECT * FROM journey_sample_events(20000, 9);
ANALYZE big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT session_stats(ts) FROM big;
CREATE TABLE par AS SELECT session_stats(ts)::text AS s FROM big;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT s FROM par) = session_stats(ts)::text AS parallel_equals_serial FROM big;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

-- errors
SELECT session_stats(ts, '0 minutes') FROM ev;
SELECT session_stats(ts, NULL) FROM ev;
SELECT session_stats(ts, '1 hour', '5 minutes') FROM ev;
SELECT session_stats(ts, make_interval(mins => u)) FROM ev;
SELECT duration_percentile(s, 1.5) FROM per_user;
SELECT duration_percentile(s, 'NaN') FROM per_user;
-- malformed text input
SELECT 'garbage'::session_stats;
SELECT '{"v":2,"sessions":0,"events":0,"bounces":0,"duration_us":0,"hist":[]}'::session_stats;
SELECT '{"v":1,"sessions":1,"events":1,"bounces":1,"duration_us":0,"hist":[]}'::session_stats;
SELECT '{"v":1,"sessions":1,"events":1,"bounces":2,"duration_us":0,"hist":[[0,1]]}'::session_stats;
SELECT '{"v":1,"sessions":2,"events":3,"bounces":0,"duration_us":5,"hist":[[3,1],[2,1]]}'::session_stats;
SELECT '{"v":1,"sessions":1,"events":1,"bounces":1,"duration_us":0,"hist":[[0,1]]} x'::session_stats;
SELECT '{"v":1,"sessions":99999999999999999999,"events":1,"bounces":1,"duration_us":0,"hist":[[0,1]]}'::session_stats;
SELECT '{"v":1,"sessions":1,"events":1,"bounces":1,"duration_us":0,"hist":[[0,1]]}'::session_stats;
SELECT ' { "v" : 1 , "sessions" : 0 , "events" : 0 , "bounces" : 0 , "duration_us" : 0 , "hist" : [ ] } '::session_stats;
-- consistent extreme values still merge-check their counts
SELECT session_stats_merge(
  '{"v":1,"sessions":1125899906842623,"events":1125899906842623,"bounces":1125899906842623,"duration_us":0,"hist":[[0,1125899906842623]]}',
  '{"v":1,"sessions":1,"events":1,"bounces":1,"duration_us":0,"hist":[[0,1]]}');
SELECT session_stats_merge(
  '{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":9223372036854775807,"hist":[[14335,1]]}',
  '{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":1,"hist":[[1,1]]}');
-- a total duration the histogram cannot hold is rejected
SELECT '{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":5,"hist":[[14335,1]]}'::session_stats;
