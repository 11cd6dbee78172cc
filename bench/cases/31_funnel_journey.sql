-- @name window funnel over stored journeys, 4 steps, 1 day (default mode)
-- Per user: the deepest step of product_view -> add_to_cart -> checkout -> purchase within one day,
-- read from a stored journey per user (built once in @setup) instead of the raw rows.
-- Floor: reading the stored journeys.  Plain: the same question from the raw rows with the
-- event-name aggregate (journey's own fastest row-based form).
-- @setup
-- (the same table as 60_journey's, which drops it; built once for both)
CREATE TABLE IF NOT EXISTS bench_journeys AS SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id;
ANALYZE bench_journeys;
-- @check
SELECT count(*) = (SELECT count(DISTINCT user_id) FROM events) AND bool_and(r.lvl = s.lvl)
FROM (SELECT user_id, funnel_step(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS lvl
      FROM events GROUP BY user_id) r
JOIN (SELECT user_id, funnel_step(j, '1 day', ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS lvl
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
-- @journey report from stored journeys
SELECT * FROM funnel_report((SELECT funnel_summary(funnel_times(j, '1 day',
  ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'])) FROM bench_journeys))
