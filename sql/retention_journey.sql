-- retention_journey: cohort_retention over stored journeys (one journey per user)
-- must give exactly rollup(cohort_retention(ts, ...)) of the same users' raw rows.
CREATE SCHEMA retention_journey; SET search_path = retention_journey, public;
SET timezone = 'UTC';
SET datestyle = 'ISO';

-- 1. Hand-checked: three users.
--   u1: 01-01 view, 01-02 view, 01-03 purchase   -> cohort 2024-01-01, active days 0, 1, 2
--   u2: 01-01 signup, 01-03 purchase             -> cohort 2024-01-01, active days 0, 2
--   u3: 01-02 signup, 01-02 view                 -> cohort 2024-01-02, active day 0
-- latest event 01-03, so cohort 01-01 shows k = 0..2 and cohort 01-02 shows k = 0..1.
CREATE TABLE raw (u int, ts timestamptz, event text);
INSERT INTO raw VALUES
  (1, '2024-01-01 10:00', 'view'), (1, '2024-01-02 09:00', 'view'), (1, '2024-01-03 23:59', 'purchase'),
  (2, '2024-01-01 00:00', 'signup'), (2, '2024-01-03 12:00', 'purchase'),
  (3, '2024-01-02 08:00', 'signup'), (3, '2024-01-02 08:00', 'view');
CREATE TABLE jr AS SELECT u, journey_agg(ts, event) AS j FROM raw GROUP BY u;
SELECT * FROM retention_matrix((SELECT cohort_retention(j, 'day', 3, 'UTC') FROM jr)) ORDER BY 1, 2;
-- the value itself equals rollup() of the raw-row per-user form
SELECT cohort_retention(j, 'day', 3, 'UTC')::text AS journey_form,
       (SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'day', 3, 'UTC') r FROM raw GROUP BY u) x)::text
         = cohort_retention(j, 'day', 3, 'UTC')::text AS equals_rollup
FROM jr;
-- session TimeZone form (no tz argument)
SELECT cohort_retention(j, 'day', 3)::text = cohort_retention(j, 'day', 3, 'UTC')::text AS session_tz_form FROM jr;
-- in America/New_York, u1's 01-01 10:00 UTC is 05:00 local, u2's 01-01 00:00 UTC is 12-31 19:00 local:
-- cohorts 2023-12-31 (u2: days 0, 3), 2024-01-01 (u1: days 0, 1, 2 — 01-03 23:59 UTC is 18:59 local), 2024-01-02 (u3)
SELECT * FROM retention_matrix((SELECT cohort_retention(j, 'day', 3, 'America/New_York') FROM jr)) ORDER BY 1, 2;

-- start / return events: cohort = first 'signup', return = 'purchase'; u1 never signs up (no cohort).
--   u2: signup 01-01, purchase 01-03 -> cohort 01-01, active 0 and 2;  u3: signup 01-02 -> active 0
SELECT * FROM retention_matrix((SELECT cohort_retention(j, 'signup', 'purchase', 'day', 3, 'UTC') FROM jr)) ORDER BY 1, 2;
SELECT cohort_retention(j, 'signup', 'purchase', 'day', 3, 'UTC')::text
     = (SELECT rollup(r) FROM (SELECT cohort_retention(ts, event = 'signup', event = 'purchase', 'day', 3, 'UTC') r
                              FROM raw GROUP BY u) x)::text AS start_return_equals_rollup
FROM jr;
-- event names absent from every journey: no user has a cohort -> NULL (like rollup of NULLs)
SELECT cohort_retention(j, 'nope', 'purchase', 'day', 3, 'UTC') IS NULL AS no_start_event_null FROM jr;
-- a return event that never occurs: period 0 only
SELECT * FROM retention_matrix((SELECT cohort_retention(j, 'view', 'nope', 'day', 3, 'UTC') FROM jr)) ORDER BY 1, 2;

-- 2. NULL journeys are skipped; no rows / only NULLs give NULL.
SELECT cohort_retention(j, 'day', 3, 'UTC')::text
     = (SELECT cohort_retention(j, 'day', 3, 'UTC') FROM jr)::text AS nulls_skipped
FROM (SELECT j FROM jr UNION ALL SELECT NULL::journey UNION ALL SELECT NULL::journey) x;
SELECT cohort_retention(j, 'day', 3, 'UTC') IS NULL AS only_null FROM (SELECT NULL::journey AS j) x;
SELECT cohort_retention(j, 'day', 3, 'UTC') IS NULL AS no_rows FROM jr WHERE false;
-- grouped: one summary per group, groups without users give NULL
SELECT u % 2 AS g, retention_users(cohort_retention(j, 'day', 3, 'UTC')) AS users FROM jr GROUP BY 1 ORDER BY 1;

-- 3. Errors (the settings checks of the raw-row form).
\set VERBOSITY sqlstate
SELECT cohort_retention(j, NULL, 3, 'UTC') FROM jr;
SELECT cohort_retention(j, 'day', NULL, 'UTC') FROM jr;
SELECT cohort_retention(j, 'day', 3, NULL) FROM jr;
SELECT cohort_retention(j, 'fortnight', 3, 'UTC') FROM jr;
SELECT cohort_retention(j, 'day', 1001, 'UTC') FROM jr;
SELECT cohort_retention(j, 'day', -1, 'UTC') FROM jr;
SELECT cohort_retention(j, 'day', 3, 'Mars/Olympus') FROM jr;
SELECT cohort_retention(j, 'rolling -1 day', 3, 'UTC') FROM jr;
SELECT cohort_retention(j, NULL, 'purchase', 'day', 3, 'UTC') FROM jr;
SELECT cohort_retention(j, 'signup', NULL, 'day', 3, 'UTC') FROM jr;
SELECT cohort_retention(j, 'signup', 'purchase', 'day', 3, 'UTC', 'sometimes') FROM jr;
SELECT cohort_retention(j, 'signup', 'purchase', 'rolling 7 days', 3, 'UTC', 'recurring') FROM jr;
SELECT cohort_retention(j, 'day', u, 'UTC') FROM jr;          -- settings change within the group
\set VERBOSITY default
SELECT cohort_retention(j, 'day', 3, 'Mars/Olympus') FROM jr;

-- 4. Agreement on sample data: journey form = rollup of the raw-row per-user form, as values and as matrices.
CREATE TABLE ev AS SELECT * FROM journey_sample_events(2000, 3);
CREATE TABLE jev AS SELECT user_id, journey_agg(ts, event) AS j FROM ev GROUP BY user_id;
CREATE FUNCTION agree(period text, n int, tz text) RETURNS TABLE (value_equal boolean, matrix_rows bigint, matrix_diff bigint)
LANGUAGE sql AS $$
  WITH a AS (SELECT cohort_retention(j, period, n, tz) r FROM jev),
       b AS (SELECT rollup(r) r FROM (SELECT cohort_retention(ts, period, n, tz) r FROM ev GROUP BY user_id) x),
       ma AS (SELECT m.* FROM a, retention_matrix(a.r) m),
       mb AS (SELECT m.* FROM b, retention_matrix(b.r) m)
  SELECT (SELECT r::text FROM a) = (SELECT r::text FROM b),
         (SELECT count(*) FROM ma),
         (SELECT count(*) FROM ((TABLE ma EXCEPT ALL TABLE mb) UNION ALL (TABLE mb EXCEPT ALL TABLE ma)) d)
$$;
SELECT p, n, tz, x.* FROM (VALUES ('day', 30, 'UTC'), ('week', 8, 'UTC'), ('month', 3, 'UTC'),
                                  ('day', 30, 'America/New_York'), ('week', 8, 'America/New_York'),
                                  ('month', 3, 'America/New_York'), ('rolling 7 days', 6, 'Asia/Tokyo')) v(p, n, tz),
  agree(p, n, tz) x ORDER BY 1, 2, 3;
-- start / return events, first-time and recurring cohorts, 'on_or_after' matrices
SELECT a.r::text = b.r::text AS first_time_equal,
       (SELECT count(*) FROM retention_matrix(a.r, 'on_or_after')) AS rows_on_or_after,
       NOT EXISTS ((SELECT * FROM retention_matrix(a.r, 'on_or_after')) EXCEPT ALL (SELECT * FROM retention_matrix(b.r, 'on_or_after'))) AS on_or_after_equal
FROM (SELECT cohort_retention(j, 'product_view', 'purchase', 'week', 8, 'America/New_York') r FROM jev) a,
     (SELECT rollup(r) r FROM (SELECT cohort_retention(ts, event = 'product_view', event = 'purchase', 'week', 8, 'America/New_York') r
                               FROM ev GROUP BY user_id) x) b;
SELECT a.r::text = b.r::text AS recurring_equal, retention_users(a.r) AS memberships
FROM (SELECT cohort_retention(j, 'page_view', 'purchase', 'month', 2, 'UTC', 'recurring') r FROM jev) a,
     (SELECT rollup(r) r FROM (SELECT cohort_retention(ts, event = 'page_view', event = 'purchase', 'month', 2, 'UTC', 'recurring') r
                               FROM ev GROUP BY user_id) x) b;
-- and the one-pass retention_summary gives the same value as well
SELECT (SELECT cohort_retention(j, 'week', 8, 'UTC') FROM jev)::text
     = (SELECT retention_summary(user_id, ts, 'week', 8, 'UTC') FROM ev)::text AS equals_retention_summary;

-- 5. Parallel aggregation: Partial Aggregate in the plan, same value as serial.
CREATE TABLE jbig AS SELECT user_id, journey_agg(ts, event) AS j FROM journey_sample_events(20000, 9) GROUP BY user_id;
ANALYZE jbig;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT cohort_retention(j, 'week', 8, 'UTC') FROM jbig;
CREATE TABLE par AS SELECT cohort_retention(j, 'week', 8, 'UTC')::text AS a,
  cohort_retention(j, 'signup', 'purchase', 'week', 8, 'Europe/Paris', 'recurring')::text AS b,
  cohort_retention(j, 'rolling 36 hours', 30, 'UTC')::text AS c FROM jbig;
SET max_parallel_workers_per_gather = 0;
SELECT p.a = s.a AS week_equal, p.b = s.b AS recurring_equal, p.c = s.c AS rolling_equal
FROM par p, (SELECT cohort_retention(j, 'week', 8, 'UTC')::text AS a,
  cohort_retention(j, 'signup', 'purchase', 'week', 8, 'Europe/Paris', 'recurring')::text AS b,
  cohort_retention(j, 'rolling 36 hours', 30, 'UTC')::text AS c FROM jbig) s;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
