-- @name window funnel, 4 steps, 1 day (default mode)
-- Per user: the deepest step of product_view -> add_to_cart -> checkout -> purchase within one day of
-- the product_view.  Floor: one GROUP BY user_id pass.  Plain: for every product_view, the earliest
-- next step at or after the previous one within the window (LATERAL min() over an index), best start per user.
-- @setup
CREATE INDEX IF NOT EXISTS events_funnel_idx ON events (user_id, event, ts);
ANALYZE events;
-- @check
WITH j AS (SELECT user_id, funnel_step(ts, '1 day', event = 'product_view', event = 'add_to_cart',
                                       event = 'checkout', event = 'purchase') AS lvl
           FROM events GROUP BY user_id),
p AS (SELECT u.user_id, coalesce(max(CASE WHEN t4 IS NOT NULL THEN 4 WHEN t3 IS NOT NULL THEN 3
                                          WHEN t2 IS NOT NULL THEN 2 WHEN s1.ts IS NOT NULL THEN 1 ELSE 0 END), 0) AS lvl
      FROM (SELECT DISTINCT user_id FROM events) u
      LEFT JOIN events s1 ON s1.user_id = u.user_id AND s1.event = 'product_view'
      LEFT JOIN LATERAL (SELECT min(ts) AS t2 FROM events s WHERE s.user_id = s1.user_id AND s.event = 'add_to_cart'
                         AND s.ts >= s1.ts AND s.ts <= s1.ts + interval '1 day') a ON true
      LEFT JOIN LATERAL (SELECT min(ts) AS t3 FROM events s WHERE s.user_id = s1.user_id AND s.event = 'checkout'
                         AND s.ts >= a.t2 AND s.ts <= s1.ts + interval '1 day') b ON true
      LEFT JOIN LATERAL (SELECT min(ts) AS t4 FROM events s WHERE s.user_id = s1.user_id AND s.event = 'purchase'
                         AND s.ts >= b.t3 AND s.ts <= s1.ts + interval '1 day') c ON true
      GROUP BY u.user_id)
SELECT count(*) = (SELECT count(DISTINCT user_id) FROM events) AND bool_and(j.lvl = p.lvl)
FROM j JOIN p USING (user_id);
-- @once plain
-- @floor
SELECT user_id, count(*) FROM events GROUP BY user_id
-- @plain
SELECT u.user_id, coalesce(max(CASE WHEN t4 IS NOT NULL THEN 4 WHEN t3 IS NOT NULL THEN 3
                                    WHEN t2 IS NOT NULL THEN 2 WHEN s1.ts IS NOT NULL THEN 1 ELSE 0 END), 0) AS lvl
FROM (SELECT DISTINCT user_id FROM events) u
LEFT JOIN events s1 ON s1.user_id = u.user_id AND s1.event = 'product_view'
LEFT JOIN LATERAL (SELECT min(ts) AS t2 FROM events s WHERE s.user_id = s1.user_id AND s.event = 'add_to_cart'
                   AND s.ts >= s1.ts AND s.ts <= s1.ts + interval '1 day') a ON true
LEFT JOIN LATERAL (SELECT min(ts) AS t3 FROM events s WHERE s.user_id = s1.user_id AND s.event = 'checkout'
                   AND s.ts >= a.t2 AND s.ts <= s1.ts + interval '1 day') b ON true
LEFT JOIN LATERAL (SELECT min(ts) AS t4 FROM events s WHERE s.user_id = s1.user_id AND s.event = 'purchase'
                   AND s.ts >= b.t3 AND s.ts <= s1.ts + interval '1 day') c ON true
GROUP BY u.user_id
-- @journey boolean steps
SELECT user_id, funnel_step(ts, '1 day', event = 'product_view', event = 'add_to_cart', event = 'checkout', event = 'purchase')
FROM events GROUP BY user_id
-- @journey step names
SELECT user_id, funnel_step(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'])
FROM events GROUP BY user_id
-- @journey report (times -> summary -> rows)
SELECT * FROM funnel_report((SELECT funnel_summary(t) FROM (
  SELECT funnel_times(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS t
  FROM events GROUP BY user_id) u))
-- @teardown
DROP INDEX IF EXISTS events_funnel_idx;
