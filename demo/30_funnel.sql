-- journey demo: window funnels (ClickHouse windowFunnel semantics) and the funnel report.
\echo
\echo '== funnel: how far do users get in view -> cart -> checkout -> purchase within 1 day?'
SELECT lvl AS deepest_step, count(*) AS users
FROM (SELECT user_id, funnel_step(ts, '1 day', event = 'product_view', event = 'add_to_cart',
                                  event = 'checkout', event = 'purchase') AS lvl
      FROM events GROUP BY user_id) u
GROUP BY lvl ORDER BY lvl;

\echo '== ClickHouse modes for user 46: strict_order (nothing else in between), strict_deduplication'
SELECT funnel_step(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS "default",
       funnel_step(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'], 'strict_order') AS strict_order,
       funnel_step(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'], 'strict_deduplication') AS dedup,
       (funnel_times(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']))[4]
     - (funnel_times(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']))[1] AS time_to_purchase
FROM events WHERE user_id = 46;

\echo '== the funnel report BI tools draw (plain rows), one scan'
SELECT step, users, round(conversion_from_first::numeric, 3) AS from_first,
       round(conversion_from_previous::numeric, 3) AS from_previous, drop_off,
       median_time_from_previous AS median_time, p90_time_from_previous AS p90_time
FROM funnel_report((SELECT funnel_summary(t) FROM (
       SELECT funnel_times(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS t
       FROM events GROUP BY user_id) u));

\echo '== breakdown by channel is a plain GROUP BY; rollup() re-aggregates the stored summaries'
CREATE TEMP TABLE funnel_by_channel AS
SELECT channel, funnel_summary(t) AS s
FROM (SELECT user_id, min(utm_source) AS channel,
             funnel_times(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS t
      FROM events GROUP BY user_id) u GROUP BY channel;
SELECT channel, r.users AS purchasers, round(r.conversion_from_first::numeric, 3) AS conversion
FROM funnel_by_channel c, funnel_report(c.s) r WHERE r.step = 4
UNION ALL
SELECT '(all, rolled up)', r.users, round(r.conversion_from_first::numeric, 3)
FROM funnel_report((SELECT rollup(s) FROM funnel_by_channel)) r WHERE r.step = 4
ORDER BY conversion DESC;
