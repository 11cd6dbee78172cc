-- incremental: daily loads, late data and retried runs against a full rebuild (doc/incremental.md).
-- A loader appends batches to raw (event_id identifies an event; a retried load appends the same rows
-- again); models are refreshed per load with the recipes of the doc and must equal a full rebuild.
CREATE SCHEMA incremental; SET search_path = incremental, public;
SET timezone = 'UTC';
SET datestyle = 'ISO';
CREATE TABLE src AS
  SELECT row_number() OVER (ORDER BY user_id, ts, event) AS event_id, user_id, ts, event
  FROM journey_sample_events(2000, 1);
-- load 1: everything before the cutoff except the late events; load 2: the rest, with the late events
-- (every 5th event of the 2 days before the cutoff, as a delayed mobile upload would deliver them)
CREATE TABLE plan AS
  SELECT *, CASE WHEN ts >= '2024-02-15' OR (ts >= '2024-02-13' AND event_id % 5 = 0) THEN 2 ELSE 1 END AS load
  FROM src;
SELECT load, count(*) AS events, count(DISTINCT user_id) AS users, min(ts)::date AS first_day, max(ts)::date AS last_day,
       count(*) FILTER (WHERE load = 2 AND ts < '2024-02-15') AS late_events
FROM plan GROUP BY load ORDER BY load;
-- genuinely repeated events (same user, same microsecond, same name) in the source
SELECT count(*) AS repeated_pairs FROM (SELECT user_id, ts, event FROM src GROUP BY 1, 2, 3 HAVING count(*) > 1) x;
CREATE TABLE raw (event_id bigint, user_id bigint, ts timestamptz, event text, load int);

-- the models, refreshed after every load (:'n' = the load just appended)
CREATE TABLE journeys (user_id bigint PRIMARY KEY, j journey NOT NULL);         -- recompute touched users
CREATE TABLE journeys_u (user_id bigint PRIMARY KEY, j journey NOT NULL);       -- journey_union upsert
CREATE TABLE user_kpis (user_id bigint PRIMARY KEY, sessions session_stats, funnel timestamptz[],
                        retention cohort_retention);
\set refresh_journeys 'DELETE FROM journeys WHERE user_id IN (SELECT user_id FROM raw WHERE load = :n); INSERT INTO journeys SELECT user_id, journey_agg(ts, event) FROM (SELECT DISTINCT ON (event_id) user_id, ts, event FROM raw WHERE user_id IN (SELECT user_id FROM raw WHERE load = :n)) e GROUP BY user_id;'
\set refresh_union 'INSERT INTO journeys_u SELECT user_id, journey_agg(ts, event) FROM (SELECT DISTINCT ON (event_id) user_id, ts, event FROM raw WHERE load = :n) e GROUP BY user_id ON CONFLICT (user_id) DO UPDATE SET j = journey_union(journeys_u.j, EXCLUDED.j);'
\set refresh_kpis 'DELETE FROM user_kpis WHERE user_id IN (SELECT user_id FROM raw WHERE load = :n); INSERT INTO user_kpis SELECT user_id, (SELECT session_stats(e.ts) FROM journey_events(j) e), funnel_times(j, interval ''1 day'', ARRAY[''product_view'', ''add_to_cart'', ''checkout'', ''purchase'']), cohort_retention(j, ''week'', 8, ''UTC'') FROM journeys WHERE user_id IN (SELECT user_id FROM raw WHERE load = :n) GROUP BY user_id;'

-- load 1
\set n 1
INSERT INTO raw SELECT event_id, user_id, ts, event, load FROM plan WHERE load = 1;
:refresh_journeys
:refresh_union
:refresh_kpis
-- load 2 (new days and late events)
\set n 2
INSERT INTO raw SELECT event_id, user_id, ts, event, load FROM plan WHERE load = 2;
:refresh_journeys
:refresh_union
:refresh_kpis
CREATE TABLE after_2 AS SELECT 'journeys' AS t, * FROM journeys UNION ALL SELECT 'journeys_u', * FROM journeys_u;
-- load 2 retried: the loader appends the batch again and every model runs again
INSERT INTO raw SELECT event_id, user_id, ts, event, load FROM plan WHERE load = 2;
:refresh_journeys
:refresh_union
:refresh_kpis
SELECT count(*) AS raw_rows, count(DISTINCT event_id) AS events FROM raw;
-- the retry changed nothing
SELECT NOT EXISTS (SELECT 'journeys', * FROM journeys UNION ALL SELECT 'journeys_u', * FROM journeys_u
                   EXCEPT SELECT * FROM after_2)
   AND (SELECT count(*) FROM after_2) = (SELECT count(*) FROM journeys) + (SELECT count(*) FROM journeys_u) AS retry_changed_nothing;

-- the full rebuild from the deduplicated events
CREATE TABLE ev AS SELECT DISTINCT ON (event_id) user_id, ts, event FROM raw;
CREATE TABLE full_j AS SELECT user_id, journey_agg(ts, event) AS j FROM ev GROUP BY user_id;
SELECT (SELECT count(*) FROM full_j) AS users,
       NOT EXISTS (SELECT * FROM journeys EXCEPT SELECT * FROM full_j)
   AND NOT EXISTS (SELECT * FROM full_j EXCEPT SELECT * FROM journeys) AS recompute_equals_rebuild,
       (SELECT count(*) FROM journeys_u u JOIN full_j f USING (user_id) WHERE u.j <> f.j) AS union_differs;
-- journey_union keeps max(x, y) copies of a (time, name) pair found x times in one load and y times in the
-- other: the union recipe loses exactly the smaller counts of pairs repeated across loads, and nothing else
SELECT (SELECT sum(length(j)) FROM full_j) - (SELECT sum(length(j)) FROM journeys_u) AS union_events_missing,
       (SELECT sum(least(c1, c2)) FROM (SELECT count(*) FILTER (WHERE load = 1) c1, count(*) FILTER (WHERE load = 2) c2
                                       FROM plan GROUP BY user_id, ts, event) x) AS pairs_repeated_across_loads,
       NOT EXISTS (SELECT u.user_id FROM journeys_u u JOIN full_j f USING (user_id)
                   WHERE u.j <> f.j AND NOT EXISTS (SELECT 1 FROM plan p WHERE p.user_id = u.user_id
                                                    GROUP BY ts, event HAVING count(DISTINCT load) = 2)) AS only_those_users_differ,
       NOT EXISTS (SELECT u.user_id FROM journeys_u u JOIN full_j f USING (user_id)
                   WHERE journey_union(u.j, f.j) <> f.j) AS union_is_within_rebuild;
-- sessions that span the two loads (begun before the cutoff, with events of load 2): whole in the models
SELECT count(*) AS sessions_across_loads
FROM (SELECT user_id, s.session FROM full_j, journey_sessions(j) s) x
WHERE first_time(session) < '2024-02-15' AND last_time(session) >= '2024-02-15'
   OR EXISTS (SELECT 1 FROM journey_events(session) e JOIN plan p ON p.user_id = x.user_id AND p.ts = e.ts AND p.event = e.event
              GROUP BY () HAVING count(DISTINCT p.load) = 2);
-- the reports from the per-user model rows equal the reports of the rebuild
SELECT (SELECT rollup(sessions) FROM user_kpis)::text
     = (SELECT rollup(s) FROM (SELECT session_stats(ts) AS s FROM ev GROUP BY user_id) x)::text AS sessions_equal,
       (SELECT funnel_summary(funnel) FROM user_kpis)::text
     = (SELECT funnel_summary(t) FROM (SELECT funnel_times(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS t
                                       FROM ev GROUP BY user_id) x)::text AS funnel_equal,
       (SELECT rollup(retention) FROM user_kpis)::text
     = (SELECT retention_summary(user_id, ts, 'week', 8, 'UTC') FROM ev)::text AS retention_equal,
       (SELECT cohort_retention(j, 'week', 8, 'UTC') FROM journeys)::text
     = (SELECT retention_summary(user_id, ts, 'week', 8, 'UTC') FROM ev)::text AS retention_from_journeys_equal;
SELECT (session_kpis(rollup(sessions))).sessions FROM user_kpis;

-- what goes wrong with the other recipes (the figures quoted in doc/incremental.md)
-- 1. upsert with || : right once, a retried run doubles the batch
CREATE TABLE journeys_concat (user_id bigint PRIMARY KEY, j journey NOT NULL);
INSERT INTO journeys_concat SELECT user_id, journey_agg(ts, event) FROM plan WHERE load = 1 GROUP BY user_id;
INSERT INTO journeys_concat SELECT user_id, journey_agg(ts, event) FROM plan WHERE load = 2 GROUP BY user_id
  ON CONFLICT (user_id) DO UPDATE SET j = journeys_concat.j || EXCLUDED.j;
SELECT sum(length(j)) - (SELECT count(*) FROM ev) AS extra_events_once FROM journeys_concat;
INSERT INTO journeys_concat SELECT user_id, journey_agg(ts, event) FROM plan WHERE load = 2 GROUP BY user_id
  ON CONFLICT (user_id) DO UPDATE SET j = journeys_concat.j || EXCLUDED.j;
SELECT sum(length(j)) - (SELECT count(*) FROM ev) AS extra_events_after_retry,
       count(*) FILTER (WHERE j <> (SELECT f.j FROM full_j f WHERE f.user_id = c.user_id)) AS wrong_journeys
FROM journeys_concat c;
-- 2. the usual "ts > max(ts) of the model" filter drops the late events
SELECT count(*) AS late_events_dropped FROM plan
WHERE load = 2 AND ts <= (SELECT max(ts) FROM plan WHERE load = 1);
-- 3. summaries rolled up across time partitions of the same users
SELECT (SELECT round(100.0 * (SELECT users FROM funnel_report(r) WHERE step = 4) / (SELECT users FROM funnel_report(r) WHERE step = 1), 1)
        FROM (SELECT funnel_summary(funnel) r FROM user_kpis) x) AS conversion_pct_per_user,
       (SELECT round(100.0 * (SELECT users FROM funnel_report(r) WHERE step = 4) / (SELECT users FROM funnel_report(r) WHERE step = 1), 1)
        FROM (SELECT rollup(s) r FROM (SELECT funnel_summary(t) s FROM (SELECT ts::date d, funnel_times(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS t
                                                                        FROM ev GROUP BY user_id, ts::date) a GROUP BY d) b) x) AS conversion_pct_per_day_rolled_up;
SELECT (SELECT sum(cohort_size) FROM retention_matrix((SELECT rollup(retention) FROM user_kpis)) WHERE period_index = 0) AS cohort_users,
       (SELECT sum(cohort_size) FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'week', 8, 'UTC') r FROM ev GROUP BY user_id, ts::date) x))
        WHERE period_index = 0) AS cohort_users_per_user_day;
SELECT (SELECT session_count(rollup(sessions)) FROM user_kpis) AS sessions,
       (SELECT session_count(rollup(s)) FROM (SELECT session_stats(ts) s FROM ev GROUP BY user_id, ts::date) x) AS sessions_per_user_day;
