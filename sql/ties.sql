-- One multiset of rows, one answer: the tie rules of funnels and sequence_*
-- (issues 13 and 22).  The randomized check over plans is test/t/08_ties.pl.

-- issue 13's smallest case: three rows at one instant; ClickHouse gives 2 or 3
-- depending on arrival, the tie rule (step set as a binary number) gives 2
SELECT funnel_step(ts, '1 hour', 'strict_deduplication, strict_once',
                   e = 'view', e IN ('view', 'cart'), e = 'checkout' ORDER BY o) AS arrival,
       funnel_step(ts, '1 hour', 'strict_deduplication, strict_once',
                   e = 'view', e IN ('view', 'cart'), e = 'checkout' ORDER BY o DESC) AS reversed,
       funnel_times(ts, '1 hour', 'strict_deduplication, strict_once',
                    e = 'view', e IN ('view', 'cart'), e = 'checkout' ORDER BY o DESC) AS times
FROM (VALUES (1, 'cart'), (2, 'checkout'), (3, 'view')) v(o, e),
     (VALUES (timestamptz '2024-01-01 10:00+00')) t(ts);

-- 40 arrival orders of issue 13's three tied rows and two identical later ones, every
-- mode: one answer per mode (before 0.2.0 the strict_deduplication + strict_once modes gave {2,3})
WITH modes(m) AS (
  VALUES ('default'), ('strict_deduplication'), ('strict_order'), ('strict_order, allow_reentry'),
         ('strict_increase'), ('strict_once'), ('strict_deduplication, strict_once'),
         ('strict_order, strict_once'), ('strict_order, allow_reentry, strict_once'),
         ('strict_deduplication, strict_order, strict_once'), ('strict_once, strict_increase')),
rows(id, ts, e) AS (
  VALUES (1, 0, 'cart'), (2, 0, 'view'), (3, 0, 'checkout'), (4, 1, 'view'), (5, 1, 'view')),
perms(p, id, pos) AS (
  SELECT p, id, row_number() OVER (PARTITION BY p ORDER BY md5(p::text || id::text))
  FROM generate_series(1, 40) p, rows)
SELECT m, array_agg(DISTINCT lv) AS levels, count(*) AS orders
FROM (SELECT m, p, funnel_step(timestamptz '2024-01-01' + r.ts * interval '1 minute', '1 hour', m,
                               e = 'view', e IN ('view', 'cart'), e = 'checkout'
                               ORDER BY pos) AS lv
      FROM modes, perms JOIN rows r USING (id) GROUP BY m, p) x
GROUP BY m ORDER BY m;

-- sequence_*: rows at one time are ordered by condition mask ((?1) before (?2))
SELECT sequence_count('(?1)(?2)', ts, e = 'view', e = 'purchase' ORDER BY o) AS arrival,
       sequence_count('(?1)(?2)', ts, e = 'view', e = 'purchase' ORDER BY o DESC) AS reversed,
       sequence_match('(?2)(?1)', ts, e = 'view', e = 'purchase' ORDER BY o) AS purchase_then_view
FROM (VALUES (1, 'purchase'), (2, 'view')) v(o, e), (VALUES (timestamptz '2024-01-01 10:00+00')) t(ts);

-- a row where both conditions hold (mask 3) comes after one where only (?2) holds (mask 2):
-- b, ab has no (?1) before a (?2); ClickHouse gives 1 for the arrival order ab, b
SELECT sequence_count('(?1)(?2)', ts, e = 'ab', e IN ('b', 'ab') ORDER BY o) AS arrival,
       sequence_count('(?1)(?2)', ts, e = 'ab', e IN ('b', 'ab') ORDER BY o DESC) AS reversed
FROM (VALUES (1, 'ab'), (2, 'b')) v(o, e), (VALUES (timestamptz '2024-01-01 10:00+00')) t(ts);

-- array forms: events the pattern does not name are ordered by name too when names are returned
SELECT (journey_matches(ARRAY[t, t, t], ARRAY['a', 'y', 'x'], 'a . .')).events AS forward,
       (journey_matches(ARRAY[t, t, t], ARRAY['x', 'y', 'a'], 'a . .')).events AS reversed,
       journey_next_events(ARRAY[t, t, t], ARRAY['a', 'z', 'y'], 'a', 2) AS next_fwd,
       journey_next_events(ARRAY[t, t, t], ARRAY['y', 'z', 'a'], 'a', 2) AS next_rev
FROM (VALUES (timestamptz '2024-01-01 10:00+00')) v(t);

-- the sample data (243 of 2,000 users have tied events): every mode, overlapping steps,
-- rows in time order and in reverse inside the aggregate: no user differs
CREATE TEMP TABLE tie_ev AS SELECT * FROM journey_sample_events(2000, 3);
WITH modes(m) AS (
  VALUES ('default'), ('strict_deduplication'), ('strict_order'), ('strict_order, allow_reentry'),
         ('strict_increase'), ('strict_once'), ('strict_deduplication, strict_once'),
         ('strict_order, strict_once'), ('strict_deduplication, strict_order, allow_reentry, strict_once'),
         ('strict_once, strict_increase'))
SELECT m, count(*) AS users, count(*) FILTER (WHERE a IS DISTINCT FROM b) AS differ
FROM (SELECT m, user_id,
             funnel_times(ts, '1 day', m, event IN ('product_view', 'page_view'), event IN ('product_view', 'add_to_cart'),
                          event IN ('add_to_cart', 'checkout'), event IN ('checkout', 'purchase') ORDER BY ts, event) AS a,
             funnel_times(ts, '1 day', m, event IN ('product_view', 'page_view'), event IN ('product_view', 'add_to_cart'),
                          event IN ('add_to_cart', 'checkout'), event IN ('checkout', 'purchase') ORDER BY ts DESC, event DESC) AS b
      FROM tie_ev, modes GROUP BY m, user_id) x
GROUP BY m ORDER BY m;
SELECT count(*) AS users,
       count(*) FILTER (WHERE a IS DISTINCT FROM b) AS sequence_count_differ
FROM (SELECT user_id,
             sequence_count('(?1)(?2)', ts, event IN ('product_view', 'add_to_cart'), event IN ('add_to_cart', 'checkout') ORDER BY ts, event) AS a,
             sequence_count('(?1)(?2)', ts, event IN ('product_view', 'add_to_cart'), event IN ('add_to_cart', 'checkout') ORDER BY ts DESC, event DESC) AS b
      FROM tie_ev GROUP BY user_id) x;
