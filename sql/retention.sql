-- retention: cohorts, retention matrices, lifecycle, ClickHouse retention().
CREATE SCHEMA retention; SET search_path = retention, public;
SET timezone = 'UTC';
SET datestyle = 'ISO';
CREATE TABLE ev (u int, ts timestamptz);

-- Independent plain-SQL formulation (date_trunc on local time + count(DISTINCT)) over table ev(u, ts).
CREATE FUNCTION plain_matrix(unit text, n int, tz text)
RETURNS TABLE (cohort date, k int, size bigint, retained bigint) LANGUAGE sql AS $$
  WITH a AS (SELECT u, date_trunc(unit, ts AT TIME ZONE tz)::date AS p FROM ev WHERE ts IS NOT NULL),
  f AS (SELECT u, min(p) AS c FROM a GROUP BY u),
  s AS (SELECT c, count(*) AS size FROM f GROUP BY c),
  x AS (SELECT f.c, a.u,
               CASE unit WHEN 'month' THEN ((extract(year FROM a.p) * 12 + extract(month FROM a.p))
                                            - (extract(year FROM f.c) * 12 + extract(month FROM f.c)))::int
                         WHEN 'week' THEN (a.p - f.c) / 7
                         ELSE a.p - f.c END AS k
        FROM a JOIN f USING (u))
  SELECT x.c, x.k, s.size, count(DISTINCT x.u) FROM x JOIN s USING (c) WHERE x.k <= n GROUP BY 1, 2, 3
$$;
-- "on or after": users whose latest active period (within 0..n) is k or later
CREATE FUNCTION plain_on_or_after(unit text, n int, tz text)
RETURNS TABLE (cohort date, k int, size bigint, retained bigint) LANGUAGE sql AS $$
  WITH a AS (SELECT u, date_trunc(unit, ts AT TIME ZONE tz)::date AS p FROM ev WHERE ts IS NOT NULL),
  f AS (SELECT u, min(p) AS c FROM a GROUP BY u),
  s AS (SELECT c, count(*) AS size FROM f GROUP BY c),
  x AS (SELECT f.c, a.u,
               CASE unit WHEN 'month' THEN ((extract(year FROM a.p) * 12 + extract(month FROM a.p))
                                            - (extract(year FROM f.c) * 12 + extract(month FROM f.c)))::int
                         WHEN 'week' THEN (a.p - f.c) / 7
                         ELSE a.p - f.c END AS k
        FROM a JOIN f USING (u)),
  m AS (SELECT c, u, max(k) AS m FROM x WHERE k <= n GROUP BY c, u)
  SELECT m.c, g.k, s.size, count(*) FROM m JOIN s USING (c), generate_series(0, m.m) g(k) GROUP BY 1, 2, 3
$$;
-- journey's matrix of ev, same shape
CREATE FUNCTION journey_matrix(unit text, n int, tz text, mode text DEFAULT 'on')
RETURNS TABLE (cohort date, k int, size bigint, retained bigint) LANGUAGE sql AS $$
  SELECT m.cohort, m.period_index, m.cohort_size, m.retained_users
  FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(ts, unit, n, tz) AS r FROM ev GROUP BY u) x), mode) m
$$;
-- agreement: every non-zero journey cell is in plain, every plain cell is in journey
CREATE FUNCTION agree(unit text, n int, tz text) RETURNS boolean LANGUAGE sql AS $$
  SELECT NOT EXISTS (SELECT * FROM journey_matrix(unit, n, tz) WHERE retained > 0
                     EXCEPT SELECT * FROM plain_matrix(unit, n, tz))
     AND NOT EXISTS (SELECT * FROM plain_matrix(unit, n, tz) EXCEPT SELECT * FROM journey_matrix(unit, n, tz))
     AND NOT EXISTS (SELECT * FROM journey_matrix(unit, n, tz, 'on_or_after') WHERE retained > 0
                     EXCEPT SELECT * FROM plain_on_or_after(unit, n, tz))
     AND NOT EXISTS (SELECT * FROM plain_on_or_after(unit, n, tz) EXCEPT SELECT * FROM journey_matrix(unit, n, tz, 'on_or_after'))
$$;

-- 1. Monthly cohorts, month ends, users with one event, NULL timestamps.
INSERT INTO ev VALUES
 (1, '2024-01-31 23:59:59.999999'), (1, '2024-02-01 00:00'), (1, '2024-02-29 12:00'), (1, '2024-04-30 23:00'),
 (2, '2024-01-01 00:00'), (2, '2024-03-31 23:59:59'),
 (3, '2024-02-29 00:00'),                 -- one event
 (4, NULL),                               -- no timestamp at all: no cohort
 (5, '2024-02-10'), (5, '2024-03-05'), (5, NULL);
-- per user (drill-down): cohort and active periods. 1: Jan {0,1,3}; 2: Jan {0,2}; 3: Feb {0}; 5: Feb {0,1}
SELECT u, retention_cohort(r), retention_periods(r), r IS NULL AS no_cohort
FROM (SELECT u, cohort_retention(ts, 'month', 3, 'UTC') AS r FROM ev GROUP BY u) x ORDER BY u;
SELECT u, cohort_retention(ts, 'month', 3, 'UTC') FROM ev GROUP BY u ORDER BY u;
-- hand-computed matrix: Jan cohort (1, 2): k1 1, k2 1, k3 1; Feb cohort (3, 5): k1 1, k2 0, k3 is May (after the data: left out)
SELECT * FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'month', 3, 'UTC') r FROM ev GROUP BY u) x));
-- on or after: Jan k1 2 (1 in Feb, 2 in Mar), k2 2, k3 1; Feb k1 1, k2 0
SELECT * FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'month', 3, 'UTC') r FROM ev GROUP BY u) x), 'on_or_after');
SELECT * FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'month', 3, 'UTC') r FROM ev GROUP BY u) x), 'UNBOUNDED')
EXCEPT SELECT * FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'month', 3, 'UTC') r FROM ev GROUP BY u) x), 'on_or_after');
-- lifecycle: Jan new 2; Feb new 2, returning 1 (user 1), dormant 1 (user 2);
-- Mar returning 1 (5), resurrecting 1 (2), dormant 2 (1, 3); Apr resurrecting 1 (1), dormant 2 (2, 5)
SELECT * FROM retention_lifecycle((SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'month', 3, 'UTC') r FROM ev GROUP BY u) x));
SELECT agree('month', 3, 'UTC') AS agree_month_utc, agree('week', 20, 'UTC') AS agree_week_utc, agree('day', 100, 'UTC') AS agree_day_utc;
-- the same events in New York: user 2's 2024-01-01 00:00 UTC is 2023-12-31 locally; user 1's Feb 1 00:00 UTC is Jan 31
SELECT u, retention_cohort(r), retention_periods(r)
FROM (SELECT u, cohort_retention(ts, 'month', 3, 'America/New_York') AS r FROM ev GROUP BY u) x WHERE r IS NOT NULL ORDER BY u;
SELECT agree('month', 3, 'America/New_York') AS agree_month_ny;
-- no time zone argument: UTC, whatever the session's TimeZone (the same answer on every node);
-- New York periods differ for some users, so the tz argument is not ignored either
SET timezone = 'America/New_York';
SELECT bool_and(a::text = b::text) AS no_tz_is_utc, bool_or(a::text <> c::text) AS ny_differs
FROM (SELECT cohort_retention(ts, 'month', 3) a, cohort_retention(ts, 'month', 3, 'UTC') b,
             cohort_retention(ts, 'month', 3, 'America/New_York') c FROM ev WHERE u <> 4 GROUP BY u) x;
SET timezone = 'UTC';

-- 2. DST weeks and days in America/New_York (spring forward 2024-03-10, fall back 2024-11-03).
TRUNCATE ev;
INSERT INTO ev VALUES
 (10, '2024-03-04 05:00'),        -- Mon Mar 4 00:00 EST: week of Mar 4
 (10, '2024-03-11 03:59:59'),     -- Sun Mar 10 23:59:59 EDT: still week 0
 (10, '2024-03-11 04:00'),        -- Mon Mar 11 00:00 EDT: week 1
 (11, '2024-03-04 04:59:59'),     -- Sun Mar 3 23:59:59 EST: week of Feb 26
 (11, '2024-03-11 04:30'),        -- Mon Mar 11 00:30 EDT: week 2
 (12, '2024-11-03 04:00'),        -- Sun Nov 3 00:00 EDT
 (12, '2024-11-04 04:30'),        -- Sun Nov 3 23:30 EST: same (25-hour) day, but 24.5 hours later
 (13, '2024-11-03 03:59'),        -- Sat Nov 2 23:59 EDT
 (13, '2024-11-04 05:00');        -- Mon Nov 4 00:00 EST: day 2
SELECT u, retention_cohort(r), retention_periods(r)
FROM (SELECT u, cohort_retention(ts, 'week', 4, 'America/New_York') AS r FROM ev GROUP BY u) x ORDER BY u;
SELECT u, retention_cohort(r), retention_periods(r)
FROM (SELECT u, cohort_retention(ts, 'day', 3, 'America/New_York') AS r FROM ev GROUP BY u) x ORDER BY u;
-- rolling 24-hour windows from the first event: user 12 is back in window 1, user 13 (25 h 1 min) in window 1
SELECT u, retention_cohort(r), retention_periods(r)
FROM (SELECT u, cohort_retention(ts, 'rolling 1 day', 3, 'America/New_York') AS r FROM ev GROUP BY u) x ORDER BY u;
SELECT agree('week', 4, 'America/New_York') AS agree_week_ny, agree('day', 300, 'America/New_York') AS agree_day_ny,
       agree('month', 12, 'Asia/Kolkata') AS agree_month_kolkata, agree('week', 40, 'Pacific/Chatham') AS agree_week_chatham;

-- 3. Rolling windows: boundaries are inclusive at the start of each window.
TRUNCATE ev;
INSERT INTO ev VALUES (20, '2024-01-01 10:00'), (20, '2024-01-08 09:59:59.999999'), (20, '2024-01-08 10:00'),
                      (20, '2024-01-22 10:00'), (20, '2024-03-01 00:00'),
                      (21, '2024-01-01 23:00'), (21, '2024-01-02 22:59');
-- user 20: windows 0, 1, 3 (2024-03-01 is window 8, beyond N = 4); user 21: window 0 only
SELECT u, retention_cohort(r), retention_periods(r)
FROM (SELECT u, cohort_retention(ts, 'rolling 7 days', 4, 'UTC') AS r FROM ev GROUP BY u) x ORDER BY u;
-- rolling cohorts are the day of the first event; all periods are shown (no calendar cut-off)
SELECT * FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(ts, ' Rolling 1 week ', 4, 'UTC') r FROM ev GROUP BY u) x));

-- 4. Start and return events, first-time and recurring cohorts, activity before the start.
CREATE TABLE act (u int, ts timestamptz, e text);
INSERT INTO act VALUES
 (20, '2024-01-02', 'purchase'),          -- before the signup: not retention
 (20, '2024-01-03', 'visit'),
 (20, '2024-01-10', 'signup'),            -- cohort: week of Mon Jan 8
 (20, '2024-01-20', 'purchase'),          -- week of Jan 15: k1
 (20, '2024-02-01', 'purchase'),          -- week of Jan 29: k3
 (21, '2024-01-05', 'purchase'),          -- never signs up: no cohort
 (22, '2024-01-09', 'signup'), (22, '2024-01-16', 'signup'),
 (23, '2024-01-01', 'signup'), (23, '2024-01-09', 'purchase'), (23, '2024-01-10', 'signup'), (23, '2024-01-17', 'purchase');
SELECT u, retention_cohort(r), retention_periods(r), r IS NULL AS no_cohort
FROM (SELECT u, cohort_retention(ts, e = 'signup', e = 'purchase', 'week', 4, 'UTC') AS r FROM act GROUP BY u) x ORDER BY u;
-- first time: Jan 1 (23: k1, k2); Jan 8 (20: k1, k3; 22: nothing)
SELECT * FROM retention_matrix((SELECT rollup(r) FROM
  (SELECT cohort_retention(ts, e = 'signup', e = 'purchase', 'week', 4, 'UTC', 'first_time') AS r FROM act GROUP BY u) x));
-- recurring: 22 joins Jan 8 and Jan 15; 23 joins Jan 1 (k1, k2) and Jan 8 (k1)
SELECT u, cohort_retention(ts, e = 'signup', e = 'purchase', 'week', 4, 'UTC', 'recurring') FROM act WHERE u IN (22, 23) GROUP BY u ORDER BY u;
SELECT * FROM retention_matrix((SELECT rollup(r) FROM
  (SELECT cohort_retention(ts, e = 'signup', e = 'purchase', 'week', 4, 'UTC', 'Recurring') AS r FROM act GROUP BY u) x));
SELECT retention_users(rollup(r)) AS memberships FROM
  (SELECT cohort_retention(ts, e = 'signup', e = 'purchase', 'week', 4, 'UTC', 'recurring') AS r FROM act GROUP BY u) x;
-- NULL flags count as false
SELECT retention_periods(cohort_retention(ts, e = 'signup', NULLIF(e = 'purchase', true), 'week', 4, 'UTC')) FROM act WHERE u = 20;

-- 5. ClickHouse retention(c1, ..., cn): r[1] = c1, r[i] = c1 and ci (on any rows of the group)
CREATE TABLE user_events (id int, user_id int, event_date date, event_type text);
INSERT INTO user_events VALUES (1, 1, '2022-01-01', 'signup'), (2, 1, '2022-01-02', 'login'),
  (3, 2, '2022-01-01', 'signup'), (4, 2, '2022-01-03', 'purchase'), (5, 3, '2022-01-01', 'signup'), (6, 3, '2022-01-02', 'login'),
  (7, 4, '2022-01-02', 'login');
SELECT user_id, retention(event_type = 'signup', event_type = 'login', event_type = 'purchase') AS r
FROM user_events GROUP BY user_id ORDER BY user_id;
SELECT user_id, retention(event_date = '2022-01-01') AS r1,
       retention(event_date = '2022-01-01', event_date = '2022-01-02', NULL) AS r3
FROM user_events GROUP BY user_id ORDER BY user_id;
SELECT sum(r[1]) AS signed_up, sum(r[2]) AS then_login, sum(r[3]) AS then_purchase FROM
  (SELECT retention(event_type = 'signup', event_type = 'login', event_type = 'purchase') AS r FROM user_events GROUP BY user_id) x;
SELECT retention(event_type = 'x') AS no_rows FROM user_events WHERE false;

-- 6. Sample data: agreement with plain SQL, re-aggregation by channel, lifecycle against plain SQL.
DROP TABLE ev;
CREATE TABLE ev AS SELECT user_id AS u, ts, utm_source, country FROM journey_sample_events(2000, 3);
SELECT agree('week', 12, 'UTC') AS week_utc, agree('month', 3, 'America/New_York') AS month_ny,
       agree('day', 30, 'Europe/Berlin') AS day_berlin, agree('day', 0, 'UTC') AS day_n0;
-- Havana springs forward at midnight (2024-03-10 00:00 does not exist): day and week starts as date_trunc puts them
SELECT agree('day', 90, 'America/Havana') AS day_havana, agree('week', 12, 'America/Havana') AS week_havana,
       (SELECT count(*) FROM ev WHERE ts >= '2024-03-10 05:00+00' AND ts < '2024-03-11 04:00+00') > 0 AS has_that_day;
CREATE TABLE per_user AS
  SELECT u, (array_agg(utm_source ORDER BY ts))[1] AS channel, min(country) AS country,
         cohort_retention(ts, 'week', 12, 'UTC') AS r
  FROM ev GROUP BY u;
-- rollup of per-channel rollups = rollup of all users; per country too
SELECT (SELECT rollup(r) FROM per_user)::text = (SELECT rollup(r) FROM (SELECT rollup(r) r FROM per_user GROUP BY channel) x)::text AS by_channel,
       (SELECT rollup(r) FROM per_user)::text = (SELECT rollup(r) FROM (SELECT rollup(r) r FROM per_user GROUP BY country) x)::text AS by_country,
       (SELECT retention_users(rollup(r)) FROM per_user) = (SELECT count(DISTINCT u) FROM ev) AS all_users;
-- the first rows of the heatmap by channel
SELECT x.channel, m.* FROM (SELECT channel, rollup(r) r FROM per_user GROUP BY channel) x, retention_matrix(x.r) m
WHERE m.cohort = '2024-01-01' AND m.period_index <= 2 ORDER BY 1, 3 LIMIT 9;
-- lifecycle against plain SQL (per user and week: new, returning, resurrecting, dormant)
CREATE TABLE lc_plain AS
  WITH a AS (SELECT DISTINCT u, date_trunc('week', ts AT TIME ZONE 'UTC')::date AS p FROM ev),
  f AS (SELECT u, min(p) AS c FROM a GROUP BY u),
  g AS (SELECT f.u, f.c, d::date AS p FROM f, generate_series(f.c, (SELECT max(p) FROM a), '7 days') d),
  s AS (SELECT g.p, g.p = g.c AS is_new,
               EXISTS (SELECT 1 FROM a WHERE a.u = g.u AND a.p = g.p) AS cur,
               EXISTS (SELECT 1 FROM a WHERE a.u = g.u AND a.p = g.p - 7) AS prev FROM g)
  SELECT p, count(*) FILTER (WHERE is_new) AS new_users,
         count(*) FILTER (WHERE NOT is_new AND cur AND prev) AS returning_users,
         count(*) FILTER (WHERE NOT is_new AND cur AND NOT prev) AS resurrecting_users,
         count(*) FILTER (WHERE NOT is_new AND NOT cur AND prev) AS dormant_users
  FROM s GROUP BY p;
SELECT count(*) AS weeks, (SELECT count(*) FROM lc_plain) AS plain_weeks,
       bool_and((l.new_users, l.returning_users, l.resurrecting_users, l.dormant_users)
                IS NOT DISTINCT FROM (q.new_users, q.returning_users, q.resurrecting_users, q.dormant_users)) AS lifecycle_agrees
FROM retention_lifecycle((SELECT rollup(r) FROM per_user)) l
LEFT JOIN lc_plain q ON q.p = l.period;
SELECT * FROM retention_lifecycle((SELECT rollup(r) FROM per_user)) LIMIT 3;

-- stickiness: days active per week / month of one user (Jan 1 2024 is a Monday)
SELECT s.* FROM (SELECT cohort_retention(t, 'day', 60, 'UTC') r FROM (VALUES
  ('2024-01-01 08:00'::timestamptz), ('2024-01-02 09:00'), ('2024-01-02 23:00'), ('2024-01-07 12:00'),
  ('2024-01-08 00:00'), ('2024-02-01 10:00'), (NULL)) v(t)) x, retention_stickiness(x.r) s;
SELECT s.* FROM (SELECT cohort_retention(t, 'day', 60, 'UTC') r FROM (VALUES
  ('2024-01-01 08:00'::timestamptz), ('2024-01-02 09:00'), ('2024-01-07 12:00'), ('2024-01-08 00:00'), ('2024-02-01 10:00')) v(t)) x,
  retention_stickiness(x.r, 'Month') s;
-- against plain SQL on the sample data: (week, days active, users)
CREATE TABLE per_user_day AS SELECT u, cohort_retention(ts, 'day', 120, 'Europe/Berlin') AS r FROM ev GROUP BY u;
CREATE TABLE st_j AS SELECT s.period, s.active_days, count(*) AS users FROM per_user_day, retention_stickiness(r) s GROUP BY 1, 2;
CREATE TABLE st_p AS
  SELECT w AS period, d AS active_days, count(*) AS users
  FROM (SELECT u, date_trunc('week', ts AT TIME ZONE 'Europe/Berlin')::date AS w,
               count(DISTINCT (ts AT TIME ZONE 'Europe/Berlin')::date)::int AS d
        FROM ev GROUP BY 1, 2) x GROUP BY 1, 2;
SELECT NOT EXISTS (SELECT * FROM st_j EXCEPT SELECT * FROM st_p) AND NOT EXISTS (SELECT * FROM st_p EXCEPT SELECT * FROM st_j) AS stickiness_agrees,
       (SELECT count(*) FROM st_p) AS cells, (SELECT max(active_days) FROM st_j) AS max_days;
SELECT retention_stickiness(r, 'year') FROM per_user_day WHERE u = 1;
SELECT retention_stickiness(r) FROM per_user WHERE u = 1;
SELECT retention_stickiness(rollup(r)) FROM per_user_day;

-- 7. Lossless text I/O, binary send/recv round trip, merge function.
SELECT bool_and(r::text::cohort_retention::text = r::text) AS text_roundtrip FROM per_user;
-- (written and read by psql, \copy, so a database owner without superuser runs this file)
SELECT '/tmp/journey_retention_' || pg_backend_pid() || '.bin' AS binfile \gset
\setenv JY_BINFILE :binfile
CREATE TABLE bin_out AS SELECT u, r FROM per_user;
\copy bin_out TO PROGRAM 'cat > "$JY_BINFILE"' (FORMAT binary)
CREATE TABLE bin_in (u bigint, r cohort_retention);
\copy bin_in FROM PROGRAM 'cat "$JY_BINFILE"' (FORMAT binary)
SELECT count(*) AS rows, bool_and(i.r::text = o.r::text) AS binary_roundtrip FROM bin_in i JOIN bin_out o USING (u);
SELECT cohort_retention_merge(a.r, b.r)::text = (SELECT rollup(r) FROM per_user WHERE u IN (1, 2))::text AS merge_fn
FROM per_user a, per_user b WHERE a.u = 1 AND b.u = 2;
-- binary input is validated like text input (bytes from outside are untrusted)
CREATE TABLE bad (b bytea);
CREATE TABLE bad_in (r cohort_retention);
INSERT INTO bad SELECT set_byte(cohort_retention_send(r), 3, 1) FROM per_user WHERE u = 1;   -- reserved flags
\copy bad TO PROGRAM 'cat > "$JY_BINFILE"' (FORMAT binary)
\copy bad_in FROM PROGRAM 'cat "$JY_BINFILE"' (FORMAT binary)
TRUNCATE bad;
INSERT INTO bad SELECT set_byte(cohort_retention_send(r), 0, 2) FROM per_user WHERE u = 1;   -- version 2
\copy bad TO PROGRAM 'cat > "$JY_BINFILE"' (FORMAT binary)
\copy bad_in FROM PROGRAM 'cat "$JY_BINFILE"' (FORMAT binary)
TRUNCATE bad;
INSERT INTO bad SELECT substr(cohort_retention_send(r), 1, 60) FROM per_user WHERE u = 1;    -- truncated
\copy bad TO PROGRAM 'cat > "$JY_BINFILE"' (FORMAT binary)
\copy bad_in FROM PROGRAM 'cat "$JY_BINFILE"' (FORMAT binary)
TRUNCATE bad;
-- cohort size 1 -> 2 (32 header bytes, 3 tz bytes, 8 cohort bytes, then the size, big-endian: low byte at 50)
INSERT INTO bad SELECT set_byte(cohort_retention_send(r), 50, 2) FROM per_user WHERE u = 1;
\copy bad TO PROGRAM 'cat > "$JY_BINFILE"' (FORMAT binary)
\copy bad_in FROM PROGRAM 'cat "$JY_BINFILE"' (FORMAT binary)
\! rm -f "$JY_BINFILE"

-- 8. Parallel aggregation: Partial Aggregate in the plan, same result as serial.
CREATE TABLE big AS SELECT * FROM journey_sample_events(20000, 9);
ANALYZE big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT cohort_retention(ts, 'day', 60, 'UTC') FROM big;
CREATE TABLE par AS SELECT cohort_retention(ts, 'day', 60, 'UTC')::text AS a,
  cohort_retention(ts, event = 'signup', event = 'purchase', 'week', 8, 'Europe/Paris', 'recurring')::text AS b,
  cohort_retention(ts, 'rolling 36 hours', 30, 'UTC')::text AS c,
  retention(event = 'page_view', event = 'purchase', event = 'signup') AS d FROM big;
CREATE TABLE par_users AS SELECT rollup(r)::text AS r FROM (SELECT user_id, cohort_retention(ts, 'week', 8, 'UTC') r FROM big GROUP BY user_id) x;
SET max_parallel_workers_per_gather = 0;
SELECT p.a = s.a AS day_equal, p.b = s.b AS recurring_equal, p.c = s.c AS rolling_equal, p.d = s.d AS clickhouse_equal
FROM par p, (SELECT cohort_retention(ts, 'day', 60, 'UTC')::text AS a,
  cohort_retention(ts, event = 'signup', event = 'purchase', 'week', 8, 'Europe/Paris', 'recurring')::text AS b,
  cohort_retention(ts, 'rolling 36 hours', 30, 'UTC')::text AS c,
  retention(event = 'page_view', event = 'purchase', event = 'signup') AS d FROM big) s;
SELECT (SELECT r FROM par_users) = rollup(r)::text AS per_user_parallel_equals_serial
FROM (SELECT user_id, cohort_retention(ts, 'week', 8, 'UTC') r FROM big GROUP BY user_id) x;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

-- 8b. One pass across users: retention_summary(user_id, ts, ...) equals rollup() of per-user summaries,
--     whatever the input order; N > 63 uses several bitmap words.
SELECT (SELECT retention_summary(user_id, ts, 'week', 8, 'UTC') FROM big)::text = (SELECT r FROM par_users) AS week_equal,
       (SELECT retention_summary(user_id, ts, 'month', 2, 'America/New_York') FROM (SELECT * FROM big ORDER BY md5(ts::text)) x)::text
        = (SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'month', 2, 'America/New_York') r FROM big GROUP BY user_id) x)::text AS month_unordered_equal,
       (SELECT retention_summary(user_id, ts, 'day', 130, 'Asia/Tokyo') FROM (SELECT * FROM big ORDER BY ts DESC) x)::text
        = (SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'day', 130, 'Asia/Tokyo') r FROM big GROUP BY user_id) x)::text AS day130_desc_equal;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT retention_summary(user_id, ts, 'day', 70, 'UTC') FROM big;
CREATE TABLE par_sum AS SELECT retention_summary(user_id, ts, 'day', 70, 'UTC')::text AS s FROM big;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT s FROM par_sum) = retention_summary(user_id, ts, 'day', 70, 'UTC')::text AS summary_parallel_equals_serial,
       (SELECT s FROM par_sum) = (SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'day', 70, 'UTC') r FROM big GROUP BY user_id) x)::text AS summary_equals_two_step
FROM big;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
-- NULL users and NULL timestamps are skipped; no rows gives NULL
SELECT retention_summary(u, t, 'day', 3, 'UTC') FROM (VALUES (NULL::bigint, '2024-01-01'::timestamptz), (1, NULL), (2, '2024-01-02'), (2, '2024-01-04')) v(u, t);
SELECT retention_summary(u, t, 'day', 3, 'UTC') IS NULL AS empty FROM (VALUES (NULL::bigint, '2024-01-01'::timestamptz)) v(u, t);
SELECT retention_summary(1, t, 'rolling 1 day', 3, 'UTC') FROM (VALUES ('2024-01-01'::timestamptz)) v(t);

-- 9. Errors.
CREATE TABLE e1 (u int, ts timestamptz, n int, unit text);
INSERT INTO e1 VALUES (1, '2024-01-01', 3, 'day'), (1, '2024-01-02', 4, 'week');
SELECT cohort_retention(ts, 'year', 3, 'UTC') FROM e1;
SELECT cohort_retention(ts, 'rolling 0 days', 3, 'UTC') FROM e1;
SELECT cohort_retention(ts, 'rolling -1 day', 3, 'UTC') FROM e1;
SELECT cohort_retention(ts, 'rolling banana', 3, 'UTC') FROM e1;
SELECT cohort_retention(ts, 'day', -1, 'UTC') FROM e1;
SELECT cohort_retention(ts, 'day', 1001, 'UTC') FROM e1;
SELECT cohort_retention(ts, NULL, 3, 'UTC') FROM e1;
SELECT cohort_retention(ts, 'day', NULL, 'UTC') FROM e1;
SELECT cohort_retention(ts, 'day', 3, NULL) FROM e1;
SELECT cohort_retention(ts, 'day', 3, 'Mars/Olympus_Mons') FROM e1;
SELECT cohort_retention(ts, true, true, 'day', 3, 'UTC', 'sometimes') FROM e1;
SELECT cohort_retention(ts, true, true, 'day', 3, 'UTC', NULL) FROM e1;
SELECT cohort_retention(ts, true, true, 'rolling 1 day', 3, 'UTC', 'recurring') FROM e1;
SELECT cohort_retention(ts, 'day', n, 'UTC') FROM e1 GROUP BY u;
SELECT cohort_retention(ts, unit, 3, 'UTC') FROM e1 GROUP BY u;
SELECT cohort_retention(ts, unit, 3, 'UTC') FROM e1 GROUP BY u, unit ORDER BY unit;  -- fine: constant within each group
SELECT cohort_retention(t, 'day', 3, 'UTC') FROM (VALUES ('infinity'::timestamptz)) v(t);
SELECT cohort_retention(t, 'rolling 1 day', 3, 'UTC') FROM (VALUES ('-infinity'::timestamptz)) v(t);
SELECT * FROM retention_matrix((SELECT rollup(r) FROM per_user), 'sideways');
SELECT rollup(r) FROM (SELECT r FROM per_user WHERE u = 1 UNION ALL
                       SELECT cohort_retention(ts, 'week', 8, 'UTC') FROM ev WHERE u = 2) x;
SELECT retention_periods(rollup(r)) FROM per_user;
SELECT retention_lifecycle(cohort_retention(ts, 'rolling 1 day', 3, 'UTC')) FROM e1;
SELECT retention_lifecycle(cohort_retention(ts, true, true, 'day', 3, 'UTC', 'recurring')) FROM e1;
SELECT retention(VARIADIC ARRAY[true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true,
                                true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true]);
SELECT retention(VARIADIC '{}'::boolean[]);
SELECT retention(VARIADIC a) FROM (VALUES (ARRAY[true]), (ARRAY[true, false])) v(a);
SELECT retention(VARIADIC '{{true},{false}}'::boolean[]);
-- malformed text input
SELECT 'garbage'::cohort_retention;
SELECT '{"v":2,"period":"day","window_us":0,"tz":"UTC","periods":0,"cohorts":"first_time","last_period":0,"data":[[0,1,[1],[1],[0]]]}'::cohort_retention;
SELECT '{"v":1,"period":"year","window_us":0,"tz":"UTC","periods":0,"cohorts":"first_time","last_period":0,"data":[[0,1,[1],[1],[0]]]}'::cohort_retention;
SELECT '{"v":1,"period":"day","window_us":5,"tz":"UTC","periods":0,"cohorts":"first_time","last_period":0,"data":[[0,1,[1],[1],[0]]]}'::cohort_retention;
SELECT '{"v":1,"period":"day","window_us":0,"tz":"UTC","periods":0,"cohorts":"first_time","last_period":0,"data":[]}'::cohort_retention;
SELECT '{"v":1,"period":"day","window_us":0,"tz":"UTC","periods":1,"cohorts":"first_time","last_period":5,"data":[[0,1,[1,1],[0,1],[0,1]],[0,1,[1,0],[1,0],[0,0]]]}'::cohort_retention;
SELECT '{"v":1,"period":"day","window_us":0,"tz":"UTC","periods":1,"cohorts":"first_time","last_period":5,"data":[[0,2,[2,3],[0,2],[0,1]]]}'::cohort_retention;
SELECT '{"v":1,"period":"day","window_us":0,"tz":"UTC","periods":1,"cohorts":"first_time","last_period":5,"data":[[0,2,[2,1],[2,0],[0,1]]]}'::cohort_retention;
SELECT '{"v":1,"period":"day","window_us":0,"tz":"UTC","periods":1,"cohorts":"first_time","last_period":5,"data":[[7,1,[1,0],[1,0],[0,0]]]}'::cohort_retention;
SELECT '{"v":1,"period":"day","window_us":0,"tz":"UTC","periods":1,"cohorts":"first_time","last_period":5,"data":[[0,1,[1,0],[1,0]]]}'::cohort_retention;
SELECT '{"v":1,"period":"day","window_us":0,"tz":"U\"TC","periods":0,"cohorts":"first_time","last_period":0,"data":[[0,1,[1],[1],[0]]]}'::cohort_retention;
SELECT '{"v":1,"period":"day","window_us":0,"tz":"UTC","periods":1001,"cohorts":"first_time","last_period":0,"data":[]}'::cohort_retention;
SELECT '{"v":1,"period":"day","window_us":0,"tz":"UTC","periods":0,"cohorts":"first_time","last_period":0,"data":[[0,1,[1],[1],[0]]]} x'::cohort_retention;
SELECT '{"v":1,"period":"day","window_us":0,"tz":"UTC","periods":1,"cohorts":"first_time","last_period":5,"data":[[0,4611686018427387904,[4611686018427387904,4611686018427387904],[4611686018427387904,4611686018427387904],[0,4611686018427387904]]]}'::cohort_retention;
-- valid, with white space
SELECT ' { "v" : 1 , "period" : "day" , "window_us" : 0 , "tz" : "UTC" , "periods" : 1 , "cohorts" : "first_time" , "last_period" : 5 , "data" : [ [ 0 , 2 , [ 2 , 1 ] , [ 1 , 1 ] , [ 0 , 1 ] ] ] } '::cohort_retention;
SELECT * FROM retention_matrix('{"v":1,"period":"day","window_us":0,"tz":"UTC","periods":1,"cohorts":"first_time","last_period":5,"data":[[0,2,[2,1],[1,1],[0,1]]]}');
