-- journey demo: funnels over stored journeys (same engine and answers as from the raw rows).
\echo
\echo '== funnel from stored journeys: one call per user, no GROUP BY over the events'
CREATE TEMP TABLE demo_funnel_journeys AS
SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id;
SELECT funnel_step(j, '1 day', ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS deepest_step,
       count(*) AS users
FROM demo_funnel_journeys GROUP BY 1 ORDER BY 1;

\echo '== the same answer as the raw-row aggregate, for every user and mode shown'
SELECT m.mode, count(*) AS users, count(*) FILTER (WHERE r.lvl <> s.lvl) AS differ
FROM (VALUES (''), ('strict_order'), ('strict_once, strict_increase')) m(mode)
CROSS JOIN LATERAL (
  SELECT user_id, funnel_step(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'], m.mode) AS lvl
  FROM events GROUP BY user_id) r
JOIN LATERAL (
  SELECT user_id, funnel_step(j, '1 day', ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'], m.mode) AS lvl
  FROM demo_funnel_journeys) s USING (user_id)
GROUP BY m.mode ORDER BY m.mode;
DROP TABLE demo_funnel_journeys;
