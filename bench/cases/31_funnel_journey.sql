-- @name stored journeys: per-user questions over one journey per user
-- The "stored journeys" section: every per-user question of journey over a table of stored journeys
-- (bench_journeys(user_id, j), one journey_agg per user, built once in @setup; VACUUM ANALYZE as
-- autovacuum would leave a stored table), against the scan floor of that table.
-- Floor: length(j) of every stored journey (reads each value's header; the values are inline, so this
-- touches every value).  Plain: the raw-row funnel with the event-name aggregate (journey's own fastest
-- row-based form); the raw-row forms of the other questions are in 20_/22_ (sessions), 30_ (funnel),
-- 40_ (retention), 60_ (paths), 70_ (patterns); doc/performance.md puts them side by side.
-- @setup
-- (the same table as 60_journey's, which drops it; built once for both)
CREATE TABLE IF NOT EXISTS bench_journeys AS SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id;
VACUUM ANALYZE bench_journeys;
-- @check
SELECT count(*) = (SELECT count(DISTINCT user_id) FROM events) AND bool_and(r.lvl = s.lvl) AND bool_and(r.m = s.m)
   AND bool_and(r.ord = s.ord)
   AND (SELECT (session_count(ss), event_count(ss), bounce_count(ss), total_duration(ss))
        FROM (SELECT rollup(journey_session_stats(j)) AS ss FROM bench_journeys) x)
     = (SELECT (count(*), sum(length(s.session)), count(*) FILTER (WHERE length(s.session) = 1), sum(duration(s.session)))
        FROM bench_journeys b, journey_sessions(b.j) s)
   AND (SELECT array_agg(x ORDER BY x::text) FROM retention_matrix((SELECT cohort_retention(j, 'week', 12, 'UTC') FROM bench_journeys)) x)
     = (SELECT array_agg(x ORDER BY x::text) FROM retention_matrix((SELECT retention_summary(user_id, ts, 'week', 12, 'UTC') FROM events)) x)
FROM (SELECT user_id, funnel_step(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS lvl,
             funnel_step(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'], 'strict_order') AS ord,
             journey_match(ts, event, 'product_view .* purchase within 1 hour') AS m
      FROM events GROUP BY user_id) r
JOIN (SELECT user_id, funnel_step(j, '1 day', ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS lvl,
             funnel_step(j, '1 day', ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'], 'strict_order') AS ord,
             journey_match(j, 'product_view .* purchase within 1 hour') AS m
      FROM bench_journeys) s USING (user_id);
-- @once plain
-- @floor
SELECT user_id, length(j) FROM bench_journeys
-- @plain
SELECT user_id, funnel_step(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'])
FROM events GROUP BY user_id
-- @journey stored journey
SELECT user_id, funnel_step(j, '1 day', ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'])
FROM bench_journeys
-- @journey funnel strict_order
SELECT user_id, funnel_step(j, '1 day', ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'], 'strict_order')
FROM bench_journeys
-- @journey funnel strict_increase
SELECT user_id, funnel_step(j, '1 day', ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'], 'strict_increase')
FROM bench_journeys
-- @journey funnel level histogram (GROUP BY level)
SELECT funnel_step(j, '1 day', ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS level, count(*)
FROM bench_journeys GROUP BY 1
-- @journey report from stored journeys
SELECT * FROM funnel_report((SELECT funnel_summary(funnel_times(j, '1 day',
  ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'])) FROM bench_journeys))
-- @journey journey_match (sequence_match equivalent)
SELECT user_id FROM bench_journeys WHERE journey_match(j, 'product_view .* purchase within 1 hour')
-- @journey journey_count
SELECT user_id, journey_count(j, 'product_view .* purchase within 1 hour') FROM bench_journeys
-- @journey journey_matches (one row per match)
SELECT b.user_id, m.match_no FROM bench_journeys b, journey_matches(b.j, 'product_view .* purchase within 1 hour') m
-- @journey sessions (30 min), one row per session
SELECT b.user_id, s.session_number FROM bench_journeys b, journey_sessions(b.j) s
-- @journey session KPIs (sessions, events, bounces, mean duration)
SELECT count(*) AS sessions, sum(length(s.session)) AS events, count(*) FILTER (WHERE length(s.session) = 1) AS bounces,
       avg(duration(s.session)) AS avg_duration
FROM bench_journeys b, journey_sessions(b.j) s
-- @journey session count via journey_session_stats
SELECT user_id, session_count(journey_session_stats(j)) FROM bench_journeys
-- @journey KPIs via rollup(journey_session_stats)
SELECT * FROM session_kpis((SELECT rollup(journey_session_stats(j)) FROM bench_journeys))
-- @journey weekly retention matrix
SELECT * FROM retention_matrix((SELECT cohort_retention(j, 'week', 12, 'UTC') FROM bench_journeys))
-- @journey transitions (one row per consecutive pair)
SELECT b.user_id, t.step FROM bench_journeys b, journey_transitions(b.j) t
