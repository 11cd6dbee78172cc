--
-- Filtering rows to the pattern's names before the aggregate (doc/patterns.md, "Performance"):
-- for a pattern of the shape S1 .* S2 .* ... .* Sk (names or sets of names joined by .*, optional
-- within / span), events with other names change no result, so
--   ... WHERE event IN (<the pattern's names>) GROUP BY user_id HAVING journey_match(...)
-- returns the same users as the query without the WHERE, and journey_count gives the same count to
-- every user that still has a row (users left without rows have no match: count 0).  For sequence_*
-- the aggregate drops rows with no true condition itself, so WHERE <c1> OR <c2> ... never changes
-- the answer of a remaining group.
--
CREATE TEMP TABLE pf AS SELECT user_id, ts, event FROM journey_sample_events(3000, 7);
-- ties: a second event at the same time as an existing one, with a name outside the patterns
INSERT INTO pf SELECT user_id, ts, 'zz_tie' FROM pf WHERE event = 'product_view' AND user_id % 5 = 0;
INSERT INTO pf SELECT user_id, ts, 'a_tie' FROM pf WHERE event = 'purchase' AND user_id % 7 = 0;
CREATE FUNCTION pf_same(unfiltered text, filtered text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  a bigint; b bigint; d1 bigint; d2 bigint;
BEGIN
  EXECUTE format('SELECT count(*) FROM (%s) q', unfiltered) INTO a;
  EXECUTE format('SELECT count(*) FROM (%s) q', filtered) INTO b;
  EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) q', unfiltered, filtered) INTO d1;
  EXECUTE format('SELECT count(*) FROM ((%s) EXCEPT ALL (%s)) q', filtered, unfiltered) INTO d2;
  RETURN format('%s rows unfiltered, %s filtered, %s only unfiltered, %s only filtered', a, b, d1, d2);
END $$;
-- journey_match in HAVING
SELECT pf_same(
  $q$SELECT user_id FROM pf GROUP BY user_id HAVING journey_match(ts, event, 'product_view .* purchase within 2 minutes')$q$,
  $q$SELECT user_id FROM pf WHERE event IN ('product_view', 'purchase') GROUP BY user_id
     HAVING journey_match(ts, event, 'product_view .* purchase within 2 minutes')$q$) AS journey_match;
-- journey_count: same count for every user with a match (three steps, a set, a span clause)
SELECT pf_same(
  $q$SELECT user_id, journey_count(ts, event, 'page_view .* [add_to_cart checkout] .* purchase span <= 2 days') c
     FROM pf GROUP BY user_id HAVING journey_count(ts, event, 'page_view .* [add_to_cart checkout] .* purchase span <= 2 days') > 0$q$,
  $q$SELECT user_id, journey_count(ts, event, 'page_view .* [add_to_cart checkout] .* purchase span <= 2 days') c
     FROM pf WHERE event IN ('page_view', 'add_to_cart', 'checkout', 'purchase') GROUP BY user_id
     HAVING journey_count(ts, event, 'page_view .* [add_to_cart checkout] .* purchase span <= 2 days') > 0$q$) AS journey_count;
-- ... and for every user that keeps a row, the count is the same, zeros included
SELECT pf_same(
  $q$SELECT user_id, journey_count(ts, event, 'product_view .* purchase within 1 hour') c FROM pf
     WHERE user_id IN (SELECT user_id FROM pf WHERE event IN ('product_view', 'purchase')) GROUP BY user_id$q$,
  $q$SELECT user_id, journey_count(ts, event, 'product_view .* purchase within 1 hour') c
     FROM pf WHERE event IN ('product_view', 'purchase') GROUP BY user_id$q$) AS journey_count_all;
-- sequence_match / sequence_count with the conditions as the filter
SELECT pf_same(
  $q$SELECT user_id, sequence_count('(?1)(?t<=3600)(?2)', ts, event = 'product_view', event = 'purchase') c
     FROM pf GROUP BY user_id HAVING sequence_match('(?1)(?t<=3600)(?2)', ts, event = 'product_view', event = 'purchase')$q$,
  $q$SELECT user_id, sequence_count('(?1)(?t<=3600)(?2)', ts, event = 'product_view', event = 'purchase') c
     FROM pf WHERE event = 'product_view' OR event = 'purchase' GROUP BY user_id
     HAVING sequence_match('(?1)(?t<=3600)(?2)', ts, event = 'product_view', event = 'purchase')$q$) AS sequence_match;
-- not this shape: adjacency ('product_view purchase' = no event in between) sees the other events,
-- and filtering them out changes the answer (more users match)
SELECT pf_same(
  $q$SELECT user_id FROM pf GROUP BY user_id HAVING journey_match(ts, event, 'product_view purchase')$q$,
  $q$SELECT user_id FROM pf WHERE event IN ('product_view', 'purchase') GROUP BY user_id
     HAVING journey_match(ts, event, 'product_view purchase')$q$) AS adjacent_differs;
DROP FUNCTION pf_same(text, text);
DROP TABLE pf;
