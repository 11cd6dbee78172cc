-- @name patterns: viewed then purchased within 1 hour
-- Users with a product_view followed by a purchase at most one hour later: journey_match /
-- sequence_match (one pass per user, linear automaton) vs the plain-SQL self-join.  The "filtered"
-- variants ask the same question with WHERE event IN (<the pattern's names>), as the self-join does:
-- equivalent for patterns of the shape S1 .* S2 .* ... .* Sk and for sequence_* (doc/patterns.md,
-- "Performance"; checked below and in sql/patterns_prefilter.sql).
-- The last three journey queries show the linear curve on adversarial patterns over single journeys
-- of 10k, 100k and 1M events (ClickHouse's backtracking gives up with TOO_SLOW on such shapes).
-- @setup
DROP TABLE IF EXISTS bench_pattern_adv;
CREATE TABLE bench_pattern_adv AS
SELECT n, (SELECT array_agg('2024-01-01'::timestamptz + i * interval '1 second' ORDER BY i) FROM generate_series(1, n) i) AS ts,
          (SELECT array_agg(CASE WHEN i = n THEN 'c' ELSE 'a' END ORDER BY i) FROM generate_series(1, n) i) AS ev
FROM unnest(ARRAY[10000, 100000, 1000000]) n;
-- @teardown
DROP TABLE IF EXISTS bench_pattern_adv;
-- @check
WITH j AS (SELECT user_id FROM events GROUP BY user_id
           HAVING journey_match(ts, event, 'product_view .* purchase within 1 hour')),
p AS (SELECT DISTINCT a.user_id FROM events a JOIN events b ON a.user_id = b.user_id
      WHERE a.event = 'product_view' AND b.event = 'purchase' AND b.ts >= a.ts AND b.ts - a.ts <= '1 hour'),
s AS (SELECT user_id FROM events GROUP BY user_id
      HAVING sequence_match('(?1)(?t<=3600)(?2)', ts, event = 'product_view', event = 'purchase')),
f AS (SELECT user_id FROM events WHERE event IN ('product_view', 'purchase') GROUP BY user_id
      HAVING journey_match(ts, event, 'product_view .* purchase within 1 hour')),
g AS (SELECT user_id FROM events WHERE event IN ('product_view', 'purchase') GROUP BY user_id
      HAVING sequence_match('(?1)(?t<=3600)(?2)', ts, event = 'product_view', event = 'purchase'))
SELECT NOT EXISTS (SELECT * FROM j EXCEPT SELECT * FROM p) AND NOT EXISTS (SELECT * FROM p EXCEPT SELECT * FROM j)
   AND NOT EXISTS (SELECT * FROM s EXCEPT SELECT * FROM p) AND NOT EXISTS (SELECT * FROM p EXCEPT SELECT * FROM s)
   AND NOT EXISTS (SELECT * FROM f EXCEPT SELECT * FROM p) AND NOT EXISTS (SELECT * FROM p EXCEPT SELECT * FROM f)
   AND NOT EXISTS (SELECT * FROM g EXCEPT SELECT * FROM p) AND NOT EXISTS (SELECT * FROM p EXCEPT SELECT * FROM g)
-- @floor
SELECT user_id, count(*) FROM events GROUP BY user_id
-- @plain
SELECT DISTINCT a.user_id FROM events a JOIN events b ON a.user_id = b.user_id
WHERE a.event = 'product_view' AND b.event = 'purchase' AND b.ts >= a.ts AND b.ts - a.ts <= '1 hour'
-- @journey journey_match
SELECT user_id FROM events GROUP BY user_id HAVING journey_match(ts, event, 'product_view .* purchase within 1 hour')
-- @journey sequence_match (ClickHouse syntax)
SELECT user_id FROM events GROUP BY user_id HAVING sequence_match('(?1)(?t<=3600)(?2)', ts, event = 'product_view', event = 'purchase')
-- @journey journey_count (non-overlapping matches per user; HAVING forces the evaluation)
SELECT user_id FROM events GROUP BY user_id HAVING journey_count(ts, event, 'product_view .* purchase within 1 hour') > 0
-- @journey journey_match, filtered (WHERE event IN the pattern's names; same answer for this shape)
SELECT user_id FROM events WHERE event IN ('product_view', 'purchase') GROUP BY user_id HAVING journey_match(ts, event, 'product_view .* purchase within 1 hour')
-- @journey sequence_match, filtered (WHERE event IN the conditions' names; same answer)
SELECT user_id FROM events WHERE event IN ('product_view', 'purchase') GROUP BY user_id HAVING sequence_match('(?1)(?t<=3600)(?2)', ts, event = 'product_view', event = 'purchase')
-- @journey adversarial ((a|a)*|(a*a*)*)*c within 1 hour, 10k-event journey
SELECT journey_count(ts, ev, '((a|a)*|(a*a*)*)*c within 1 hour') FROM bench_pattern_adv WHERE n = 10000
-- @journey adversarial, 100k-event journey
SELECT journey_count(ts, ev, '((a|a)*|(a*a*)*)*c within 1 hour') FROM bench_pattern_adv WHERE n = 100000
-- @journey adversarial, 1M-event journey
SELECT journey_count(ts, ev, '((a|a)*|(a*a*)*)*c within 1 hour') FROM bench_pattern_adv WHERE n = 1000000
