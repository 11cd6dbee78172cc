\pset footer off
\echo
\echo '== patterns: which users did X, then Y, and when? (journey_match / journey_count / journey_matches)'
\echo '-- users who viewed a product and added it to the cart within 30 minutes, and how often'
SELECT count(*) FILTER (WHERE m) AS users_matched, count(*) AS users, sum(c) AS matches
FROM (SELECT user_id,
             journey_match(ts, event, 'product_view .* add_to_cart within 30 minutes') AS m,
             journey_count(ts, event, 'product_view .* add_to_cart within 30 minutes') AS c
      FROM events GROUP BY user_id) per_user;
\echo
\echo '-- the matches as rows (MATCH_RECOGNIZE style), with the event that came next'
SELECT x.user_id, m.match_no, m.start_pos, m.end_pos, m.end_ts - m.start_ts AS took, m.events, m.next_event
FROM (SELECT user_id, array_agg(ts ORDER BY ts) AS ts, array_agg(event ORDER BY ts) AS ev
      FROM events WHERE user_id <= 10 GROUP BY user_id) x,
     journey_matches(x.ts, x.ev, 'product_view .* add_to_cart') m
ORDER BY 1, 2;
\echo
\echo '-- trigger rule: viewed 3+ products without adding to cart, within 10 minutes'
SELECT count(*) AS users_to_nudge
FROM (SELECT user_id, array_agg(ts ORDER BY ts) AS ts, array_agg(event ORDER BY ts) AS ev FROM events GROUP BY user_id) x
WHERE journey_match(x.ts, x.ev, 'product_view ([^add_to_cart]* product_view){2,} within 10 minutes');
\echo
\echo '-- ClickHouse sequenceMatch / sequenceCount syntax, same answers, no TOO_SLOW'
SELECT count(*) FILTER (WHERE m) AS viewed_then_bought_within_1h, sum(c) AS view_cart_pairs
FROM (SELECT user_id,
             sequence_match('(?1)(?t<=3600)(?2)', ts, event = 'product_view', event = 'purchase') AS m,
             sequence_count('(?1).*(?2)', ts, event = 'product_view', event = 'add_to_cart') AS c
      FROM events GROUP BY user_id) x;
\echo
\echo '-- step-numbered Sankey links (a DAG for d3-sankey / ECharts): first 4 steps, top 3 events per step'
SELECT * FROM journey_sankey((SELECT array_agg(j) FROM (SELECT journey_agg(ts, event) AS j FROM events GROUP BY user_id) x), 4, 3)
ORDER BY step, users DESC LIMIT 10;
