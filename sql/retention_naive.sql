-- retention_naive: timestamps without time zone are wall-clock time in the tz argument in every retention
-- form, whatever the session TimeZone; text and uuid user ids; 'elapsed month'; retention_last_activity.
CREATE SCHEMA retention_naive; SET search_path = retention_naive, public;
SET datestyle = 'ISO';
SET timezone = 'UTC';
-- naive wall-clock times around month ends and DST changes in New York and Sydney
CREATE TABLE ev AS
  SELECT user_id, (ts AT TIME ZONE 'UTC')::timestamp AS nts, event,
         'user-' || user_id AS tid, md5(user_id::text)::uuid AS uid
  FROM journey_sample_events(300, 7);
INSERT INTO ev VALUES
  (100001, '2024-01-31 23:30', 'purchase', 'user-100001', md5('100001')::uuid),
  (100001, '2024-02-29 23:29', 'purchase', 'user-100001', md5('100001')::uuid),
  (100001, '2024-03-10 02:30', 'purchase', 'user-100001', md5('100001')::uuid),   -- does not exist in New York
  (100001, '2024-03-31 23:30', 'purchase', 'user-100001', md5('100001')::uuid),
  (100002, '2024-03-31 00:30', 'purchase', 'user-100002', md5('100002')::uuid),
  (100002, '2024-04-07 02:30', 'purchase', 'user-100002', md5('100002')::uuid),   -- twice in Sydney
  (100002, '2024-04-30 23:59:59.999999', 'purchase', 'user-100002', md5('100002')::uuid);
-- every form, as text, in a session time zone; the session zone must not matter
CREATE TABLE results (session_tz text, form text, value text);
CREATE FUNCTION all_forms(session_tz text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('timezone', session_tz, true);
  INSERT INTO results
  SELECT session_tz, f, v FROM (VALUES
    ('summary bigint month NY', (SELECT retention_summary(user_id, nts, 'month', 6, 'America/New_York')::text FROM ev)),
    ('summary text week Sydney', (SELECT retention_summary(tid, nts, 'week', 10, 'Australia/Sydney')::text FROM ev)),
    ('summary uuid day NY', (SELECT retention_summary(uid, nts, 'day', 30, 'America/New_York')::text FROM ev)),
    ('per-user month NY', (SELECT rollup(r)::text FROM (SELECT cohort_retention(nts, 'month', 6, 'America/New_York') r FROM ev GROUP BY user_id) x)),
    ('per-user no tz', (SELECT rollup(r)::text FROM (SELECT cohort_retention(nts, 'week', 6) r FROM ev GROUP BY user_id) x)),
    ('per-user rolling Sydney', (SELECT rollup(r)::text FROM (SELECT cohort_retention(nts, 'rolling 7 days', 6, 'Australia/Sydney') r FROM ev GROUP BY user_id) x)),
    ('per-user elapsed NY', (SELECT rollup(r)::text FROM (SELECT cohort_retention(nts, 'elapsed month', 3, 'America/New_York') r FROM ev GROUP BY user_id) x)),
    ('start/return week NY', (SELECT rollup(r)::text FROM (SELECT cohort_retention(nts, event = 'signup', event = 'purchase', 'week', 8, 'America/New_York') r FROM ev GROUP BY user_id) x)),
    ('recurring month Sydney', (SELECT rollup(r)::text FROM (SELECT cohort_retention(nts, event = 'product_view', event = 'purchase', 'month', 3, 'Australia/Sydney', 'recurring') r FROM ev GROUP BY user_id) x))
  ) t(f, v);
END $$;
SELECT all_forms('UTC'), all_forms('America/Los_Angeles'), all_forms('Asia/Kolkata');
SELECT form, count(DISTINCT value) AS distinct_values, count(*) AS sessions, bool_and(value IS NOT NULL) AS all_computed
FROM results GROUP BY form ORDER BY form;
-- and each equals the timestamptz form over ts AT TIME ZONE tz (the no-tz form: wall clock read as UTC)
SET timezone = 'America/Los_Angeles';
SELECT
  (SELECT value FROM results WHERE session_tz = 'UTC' AND form = 'summary bigint month NY')
    = (SELECT retention_summary(user_id, nts AT TIME ZONE 'America/New_York', 'month', 6, 'America/New_York')::text FROM ev) AS summary_month,
  (SELECT value FROM results WHERE session_tz = 'UTC' AND form = 'per-user no tz')
    = (SELECT rollup(r)::text FROM (SELECT cohort_retention(nts AT TIME ZONE 'UTC', 'week', 6, 'UTC') r FROM ev GROUP BY user_id) x) AS no_tz_is_utc_wall_clock,
  (SELECT value FROM results WHERE session_tz = 'UTC' AND form = 'per-user rolling Sydney')
    = (SELECT rollup(r)::text FROM (SELECT cohort_retention(nts AT TIME ZONE 'Australia/Sydney', 'rolling 7 days', 6, 'Australia/Sydney') r FROM ev GROUP BY user_id) x) AS rolling,
  (SELECT value FROM results WHERE session_tz = 'UTC' AND form = 'recurring month Sydney')
    = (SELECT rollup(r)::text FROM (SELECT cohort_retention(nts AT TIME ZONE 'Australia/Sydney', event = 'product_view', event = 'purchase', 'month', 3, 'Australia/Sydney', 'recurring') r FROM ev GROUP BY user_id) x) AS recurring;
-- text and uuid ids give the bigint result exactly (also through a parallel plan)
SELECT (SELECT retention_summary(user_id, nts, 'week', 10, 'Australia/Sydney')::text FROM ev)
     = (SELECT value FROM results WHERE session_tz = 'UTC' AND form = 'summary text week Sydney') AS text_equals_bigint,
       (SELECT retention_summary(user_id, nts, 'day', 30, 'America/New_York')::text FROM ev)
     = (SELECT value FROM results WHERE session_tz = 'UTC' AND form = 'summary uuid day NY') AS uuid_equals_bigint;
-- ids that differ only in case or trailing spaces are different users
SELECT retention_users(retention_summary(id, ts, 'day', 1, 'UTC')) AS users
FROM (VALUES ('a', timestamptz '2024-01-01'), ('A', '2024-01-01'), ('a ', '2024-01-02'), ('a', '2024-01-02'), ('', '2024-01-03')) v(id, ts);
SELECT cohort, period_index, cohort_size, retained_users
FROM retention_matrix((SELECT retention_summary(id, ts, 'day', 1, 'UTC')
                       FROM (VALUES ('a', timestamptz '2024-01-01'), ('A', '2024-01-01'), ('a ', '2024-01-02'), ('a', '2024-01-02')) v(id, ts)));
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TABLE many AS SELECT 'customer-' || (i % 7001) AS tid, md5((i % 7001)::text)::uuid AS uid, i % 7001 AS id,
                            timestamp '2024-01-01' + (i * 7919 % 300) * interval '1 day' + (i % 24) * interval '1 hour' AS nts
                     FROM generate_series(1, 60000) i;
ANALYZE many;
EXPLAIN (COSTS OFF) SELECT retention_summary(tid, nts, 'month', 12, 'Europe/Berlin') FROM many;
CREATE TABLE par AS SELECT retention_summary(tid, nts, 'month', 12, 'Europe/Berlin')::text AS t,
                           retention_summary(uid, nts, 'month', 12, 'Europe/Berlin')::text AS u,
                           retention_summary(id, nts, 'month', 12, 'Europe/Berlin')::text AS b FROM many;
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
SELECT t = u AND u = b AS ids_agree,
       b = (SELECT retention_summary(id, nts, 'month', 12, 'Europe/Berlin')::text FROM many) AS parallel_equals_serial
FROM par;
RESET max_parallel_workers_per_gather;
SET timezone = 'UTC';

-- 'elapsed month': whole months since the user's first event, as timestamp + interval '1 month' counts them
-- (Jan 31 + 1 month = Feb 29; the cohort is the calendar month of the first event)
SELECT retention_periods(cohort_retention(ts, 'elapsed month', 4, 'UTC')) AS k
FROM (VALUES (timestamptz '2024-01-31 10:00'), ('2024-02-29 09:59'), ('2024-02-29 10:00'), ('2024-04-30 10:00')) v(ts);
SET timezone = 'America/New_York';
CREATE TABLE em_plain AS
  WITH e AS (SELECT user_id AS u, nts::timestamptz AS ts FROM ev),
  f AS (SELECT u, min(ts) AS m FROM e GROUP BY u),
  k AS (SELECT e.u, date_trunc('month', f.m)::date AS cohort,
               (SELECT max(g) FROM generate_series(0, 40) g WHERE f.m + make_interval(months => g) <= e.ts) AS k
        FROM e JOIN f USING (u))
  SELECT cohort, k, count(DISTINCT u) AS retained FROM k WHERE k <= 3 GROUP BY 1, 2;
CREATE TABLE em_j AS
  SELECT cohort, period_index AS k, retained_users AS retained
  FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(nts, 'elapsed month', 3, 'America/New_York') r FROM ev GROUP BY user_id) x));
SELECT NOT EXISTS (SELECT * FROM em_plain EXCEPT SELECT * FROM em_j)
   AND NOT EXISTS (SELECT * FROM em_j WHERE retained > 0 EXCEPT SELECT * FROM em_plain) AS elapsed_equals_plain_sql,
       (SELECT count(*) FROM em_plain) AS cells;
SET timezone = 'UTC';
SELECT * FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(nts, 'elapsed month', 3, 'America/New_York') r FROM ev GROUP BY user_id) x))
ORDER BY cohort, period_index;
SELECT cohort_retention(ts, 'elapsed month', 2, 'UTC')::text
FROM (VALUES (timestamptz '2024-01-31 10:00'), ('2024-03-30 10:00')) v(ts);
SELECT '{"v":1,"period":"elapsed month","window_us":0,"tz":"UTC","periods":1,"cohorts":"first_time","last_period":289,"data":[[288,1,[1,1],[0,1],[0,1]]]}'::cohort_retention::text;

-- last activity
SELECT * FROM retention_last_activity((SELECT retention_summary(user_id, nts, 'month', 3, 'UTC') FROM ev));
SELECT * FROM retention_last_activity((SELECT rollup(r) FROM (SELECT cohort_retention(nts, 'rolling 30 days', 2, 'UTC') r FROM ev GROUP BY user_id) x)) LIMIT 6;

-- errors
SELECT cohort_retention(ts, ' Elapsed Months ', 3, 'UTC')::text = cohort_retention(ts, 'elapsed month', 3, 'UTC')::text AS plural_ok
FROM (VALUES (timestamp '2024-01-01')) v(ts);
SELECT cohort_retention(ts, 'elapsed week', 3, 'UTC') FROM (VALUES (timestamp '2024-01-01')) v(ts);
SELECT cohort_retention(ts, true, true, 'elapsed month', 3, 'UTC', 'recurring') FROM (VALUES (timestamp '2024-01-01')) v(ts);
SELECT retention_summary(1, ts, 'elapsed month', 3, 'UTC') FROM (VALUES (timestamp '2024-01-01')) v(ts);
SELECT retention_lifecycle(cohort_retention(ts, 'elapsed month', 3, 'UTC')) FROM (VALUES (timestamp '2024-01-01')) v(ts);
SELECT retention_summary('u', ts, 'month', 3, NULL) FROM (VALUES (timestamp '2024-01-01')) v(ts);
SELECT retention_summary('u'::text, ts, 'month', 3, 'Mars/Olympus') FROM (VALUES (timestamp '2024-01-01')) v(ts);
SELECT retention_summary(gen_random_uuid(), ts, 'month', 3, 'UTC') FROM (VALUES (timestamp 'infinity')) v(ts);
SELECT cohort_retention(ts, 'month', 3, 'UTC') FROM (VALUES (timestamp '-infinity')) v(ts);
SELECT retention_summary(repeat('x', 1024 * 1024 + 1), now(), 'month', 3, 'UTC');
SELECT retention_last_activity(rollup(r)) FROM (SELECT cohort_retention(ts, true, true, 'month', 3, 'UTC', 'recurring') r
                                                 FROM (VALUES (timestamp '2024-01-01')) v(ts)) x;
-- NULL ids and times are skipped
SELECT retention_users(retention_summary(id, ts, 'day', 1, 'UTC'))
FROM (VALUES (NULL::uuid, timestamp '2024-01-01'), (md5('a')::uuid, NULL), (md5('b')::uuid, '2024-01-01')) v(id, ts);
