-- funnel_journey: funnel_step / funnel_times over a stored journey (same engine as the
-- event-name aggregates): hand-checked cases in every mode, ties, NULLs, errors, and
-- agreement with the raw-row aggregates on every user of journey_sample_events(2000, 3).
CREATE SCHEMA funnel_journey; SET search_path = funnel_journey, public;
SET timezone = 'UTC';

CREATE FUNCTION try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text; st text; msg text;
BEGIN
    EXECUTE q INTO r;
    RETURN 'ok: ' || coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    RETURN st || ': ' || msg;
END $$;

-- The users of funnel.sql's mode table as rows; steps a, b, c, d (window 1 hour).
-- User 6 uses step names {a, a, c, d}: one 'a' event matches steps 1 and 2.
CREATE TABLE ev (u int, ts timestamptz, e text);
INSERT INTO ev VALUES
 (1, '2024-01-01 10:00', 'a'), (1, '2024-01-01 10:30', 'b'), (1, '2024-01-01 11:00', 'c'),
 (2, '2024-01-01 10:00', 'a'), (2, '2024-01-01 10:01', 'b'), (2, '2024-01-01 10:02', 'c'),
 (2, '2024-01-01 10:03', 'b'), (2, '2024-01-01 10:04', 'd'),
 (3, '2024-01-01 10:00', 'a'), (3, '2024-01-01 10:01', 'b'), (3, '2024-01-01 10:02', 'x'),
 (3, '2024-01-01 10:03', 'c'),
 (4, '2024-01-01 10:00', 'a'), (4, '2024-01-01 10:01', 'c'), (4, '2024-01-01 10:02', 'b'),
 (4, '2024-01-01 10:03', 'c'),
 (5, '2024-01-01 10:00', 'b'), (5, '2024-01-01 10:00', 'a'), (5, '2024-01-01 10:05', 'c'),
 (6, '2024-01-01 10:00', 'a'), (6, '2024-01-01 10:05', 'c'),
 (7, '2024-01-01 10:00', 'a'), (7, '2024-01-01 10:05', 'b'), (7, '2024-01-01 10:07', 'b'),
 (7, '2024-01-01 10:07', 'c');
CREATE TABLE jt AS SELECT u, journey_agg(ts, e) AS j FROM ev GROUP BY u;
CREATE TABLE steps AS
SELECT u, CASE WHEN u = 6 THEN ARRAY['a', 'a', 'c', 'd'] ELSE ARRAY['a', 'b', 'c', 'd'] END AS s FROM jt;

-- Expected (doc/funnel.md's table, checked there by hand):
--  u | default dedup order reentry incr once once_incr
--  1 |    3      3     3     3      3    3     3
--  2 |    4      3     4     4      4    4     4
--  3 |    3      3     2     2      3    3     3
--  4 |    3      3     1     3      3    3     3
--  5 |    3      3     3     3      1    3     1
--  6 |    3      3     3     3      1    1     1
--  7 |    3      2     3     3      2    3     3
SELECT jt.u, j,
       funnel_step(j, '1 hour', s) AS "default",
       funnel_step(j, '1 hour', s, 'strict_deduplication') AS dedup,
       funnel_step(j, '1 hour', s, 'strict_order') AS "order",
       funnel_step(j, '1 hour', s, 'strict_order, allow_reentry') AS reentry,
       funnel_step(j, '1 hour', s, 'strict_increase') AS incr,
       funnel_step(j, '1 hour', s, 'strict_once') AS once,
       funnel_step(j, '1 hour', s, 'strict_once, strict_increase') AS once_incr
FROM jt JOIN steps USING (u) ORDER BY u;

-- the same cells from the raw rows (aggregate form): no row may differ
WITH m(mode) AS (VALUES (''), ('strict_deduplication'), ('strict_order'), ('strict_order, allow_reentry'),
                        ('strict_increase'), ('strict_once'), ('strict_once, strict_increase')),
raw AS (SELECT ev.u, m.mode, funnel_step(ts, '1 hour', e, s, m.mode) AS lv,
               funnel_times(ts, '1 hour', e, s, m.mode) AS t
        FROM ev JOIN steps USING (u), m GROUP BY ev.u, m.mode),
jrn AS (SELECT jt.u, m.mode, funnel_step(j, '1 hour', s, m.mode) AS lv,
               funnel_times(j, '1 hour', s, m.mode) AS t
        FROM jt JOIN steps USING (u), m)
SELECT count(*) AS cells, count(*) FILTER (WHERE raw.lv IS DISTINCT FROM jrn.lv
                                            OR raw.t IS DISTINCT FROM jrn.t) AS differing
FROM raw FULL JOIN jrn USING (u, mode);

-- funnel_times, hand-checked: user 2 (a 10:00, b 10:01, c 10:02, d 10:04; the second b is skipped),
-- user 7 with strict_deduplication (the repeated b at 10:07 stops at level 2)
SELECT funnel_times(j, '1 hour', ARRAY['a', 'b', 'c', 'd']) FROM jt WHERE u = 2;
SELECT funnel_times(j, '1 hour', ARRAY['a', 'b', 'c', 'd'], 'strict_deduplication') FROM jt WHERE u = 7;
-- the window is inclusive: user 1's c is exactly one hour after a; one microsecond less and it is out
SELECT funnel_step(j, '1 hour', ARRAY['a', 'b', 'c']) AS inclusive,
       funnel_step(j, '59 minutes 59.999999 seconds', ARRAY['a', 'b', 'c']) AS just_short
FROM jt WHERE u = 1;
-- a name listed twice is two steps: a then a (two distinct events needed in strict_once)
SELECT funnel_step('[2024-01-01 10:00:00Z a]'::journey, '1 hour', ARRAY['a', 'a']) AS one_a_default,
       funnel_step('[2024-01-01 10:00:00Z a]'::journey, '1 hour', ARRAY['a', 'a'], 'strict_once') AS one_a_once,
       funnel_step('[2024-01-01 10:00:00Z a, +1m a]'::journey, '1 hour', ARRAY['a', 'a'], 'strict_once') AS two_a_once;

-- Ties.  The journey stores equal timestamps in name order; the funnel evaluates them in
-- step order (the raw-row rule).  Step 1 'z_view' and step 2 'a_cart' at the same instant:
-- the journey holds a_cart before z_view, the funnel still chains z_view -> a_cart (2);
-- strict_increase needs a later step 2 (1).
SELECT j, funnel_step(j, '1 hour', ARRAY['z_view', 'a_cart']) AS "default",
          funnel_step(j, '1 hour', ARRAY['z_view', 'a_cart'], 'strict_increase') AS incr,
          funnel_times(j, '1 hour', ARRAY['z_view', 'a_cart']) AS times
FROM (VALUES ('[2024-01-01 10:00:00Z z_view, +0s a_cart]'::journey)) v(j);
-- strict_order: an event matching no step stops the scan; at equal times it comes BEFORE the
-- steps (the raw rule), whatever its name.  'zz_other' ties with step 2 'a_cart': it stops the
-- chain at level 1 although the journey lists a_cart first.  'b_other' tying with step 1 comes
-- before the chain starts and does not stop it (2).
SELECT funnel_step('[2024-01-01 10:00:00Z z_view, +1m a_cart, +0s zz_other]'::journey, '1 hour',
                   ARRAY['z_view', 'a_cart'], 'strict_order') AS other_ties_step2,
       funnel_step('[2024-01-01 10:00:00Z b_other, +0s z_view, +1m a_cart]'::journey, '1 hour',
                   ARRAY['z_view', 'a_cart'], 'strict_order') AS other_ties_step1;
-- the same two cases from rows, in both input orders
SELECT funnel_step(ts, '1 hour', e, ARRAY['z_view', 'a_cart'], 'strict_order') AS rows_step2
FROM (VALUES ('2024-01-01 10:00'::timestamptz, 'z_view'), ('2024-01-01 10:01', 'a_cart'),
             ('2024-01-01 10:01', 'zz_other')) v(ts, e);
SELECT funnel_step(ts, '1 hour', e, ARRAY['z_view', 'a_cart'], 'strict_order') AS rows_step2_reordered
FROM (VALUES ('2024-01-01 10:01'::timestamptz, 'zz_other'), ('2024-01-01 10:00', 'z_view'),
             ('2024-01-01 10:01', 'a_cart')) v(ts, e);
SELECT funnel_step(ts, '1 hour', e, ARRAY['z_view', 'a_cart'], 'strict_order') AS rows_step1
FROM (VALUES ('2024-01-01 10:00'::timestamptz, 'z_view'), ('2024-01-01 10:00', 'b_other'),
             ('2024-01-01 10:01', 'a_cart')) v(ts, e);

-- NULLs: the functions are STRICT (any NULL argument gives NULL)
SELECT funnel_step(NULL::journey, '1 hour', ARRAY['a']) AS null_journey,
       funnel_step('[]'::journey, NULL, ARRAY['a']) AS null_window,
       funnel_step('[]'::journey, '1 hour', NULL) AS null_names,
       funnel_step('[]'::journey, '1 hour', ARRAY['a'], NULL) AS null_mode,
       funnel_times(NULL::journey, '1 hour', ARRAY['a']) AS null_times;
-- the empty journey and a journey matching no step: level 0, times all NULL
SELECT funnel_step('[]'::journey, '1 hour', ARRAY['a', 'b']) AS empty_level,
       funnel_times('[]'::journey, '1 hour', ARRAY['a', 'b']) AS empty_times,
       funnel_step('[2024-01-01 10:00:00Z x]'::journey, '1 hour', ARRAY['a', 'b'], 'strict_order') AS nomatch_level,
       funnel_times('[2024-01-01 10:00:00Z x]'::journey, '1 hour', ARRAY['a', 'b']) AS nomatch_times;

-- errors: the aggregates' checks and messages (checked even on the empty journey)
SELECT try($$SELECT funnel_step('[]'::journey, '0', ARRAY['a'])$$);
SELECT try($$SELECT funnel_step('[]'::journey, '-1 hour', ARRAY['a'])$$);
SELECT try($$SELECT funnel_step('[]'::journey, '1 hour', ARRAY[]::text[])$$);
SELECT try($$SELECT funnel_step('[]'::journey, '1 hour', ARRAY['a', NULL])$$);
SELECT try($$SELECT funnel_step('[]'::journey, '1 hour', ARRAY[['a', 'b']])$$);
SELECT try($$SELECT funnel_step('[]'::journey, '1 hour', array_fill('a'::text, ARRAY[1025]))$$);
SELECT try($$SELECT funnel_step('[]'::journey, '1 hour', ARRAY['a'], 'strict')$$);
SELECT try($$SELECT funnel_step('[]'::journey, '1 hour', ARRAY['a'], 'strict_order, bogus')$$);
SELECT try($$SELECT funnel_step('[]'::journey, '1 hour', ARRAY['a'], 'allow_reentry')$$);
-- a window in months is read as the aggregate reads it (no error in either form)
SELECT try($$SELECT funnel_times('[2024-01-01 10:00:00Z a]'::journey, '1 mon', ARRAY['a'])$$);
-- the same cases from the raw-row aggregate give the same SQLSTATEs and messages
SELECT try($$SELECT funnel_step(ts, '0', e, ARRAY['a']) FROM ev$$);
SELECT try($$SELECT funnel_step(ts, '1 hour', e, ARRAY['a', NULL]) FROM ev$$);
SELECT try($$SELECT funnel_step(ts, '1 hour', e, ARRAY['a'], 'allow_reentry') FROM ev$$);
SELECT try($$SELECT funnel_times(ts, '1 mon', e, ARRAY['a']) FROM ev$$);
-- The one case where the forms differ: a NULL event.  The aggregate sees the row (it matches no
-- step, so strict_order stops there: 1); journey_agg skips rows with a NULL event, so the journey
-- has no such event (2).  Without strict_order both give 2.
CREATE TABLE nev (ts timestamptz, e text);
INSERT INTO nev VALUES ('2024-01-01 10:00', 'a'), ('2024-01-01 10:01', NULL), ('2024-01-01 10:02', 'b');
SELECT (SELECT funnel_step(ts, '1 hour', e, ARRAY['a', 'b'], 'strict_order') FROM nev) AS rows_order,
       (SELECT funnel_step(journey_agg(ts, e), '1 hour', ARRAY['a', 'b'], 'strict_order') FROM nev) AS journey_order,
       (SELECT funnel_step(ts, '1 hour', e, ARRAY['a', 'b']) FROM nev) AS rows_default,
       (SELECT funnel_step(journey_agg(ts, e), '1 hour', ARRAY['a', 'b']) FROM nev) AS journey_default;
-- the step names may change from row to row (computed array): parsed per row
SELECT u, funnel_step(j, '1 hour', CASE WHEN u % 2 = 0 THEN ARRAY['a', 'b'] ELSE ARRAY['b', 'c'] END)
FROM jt ORDER BY u;

-- Agreement on sample data: every user of journey_sample_events(2000, 3), several step lists,
-- every mode below, level and times.  A stored journey (journey_agg, stored in a table, read back)
-- must give exactly the raw-row aggregate's answer.
CREATE TABLE sev AS SELECT user_id, ts, event FROM journey_sample_events(2000, 3);
CREATE TABLE sj AS SELECT user_id, journey_agg(ts, event) AS j FROM sev GROUP BY user_id;
CREATE TABLE cfg (id int, names text[], mode text);
INSERT INTO cfg
SELECT row_number() OVER (), names, mode
FROM (VALUES (ARRAY['page_view', 'product_view', 'add_to_cart', 'checkout', 'purchase']),
             (ARRAY['product_view', 'add_to_cart', 'purchase']),
             (ARRAY['search', 'product_view', 'product_view', 'add_to_cart']),
             (ARRAY['purchase', 'page_view', 'no_such_event']),
             (ARRAY['signup', 'page_view', 'search', 'product_view', 'add_to_cart', 'checkout', 'purchase', 'page_view']))
     AS s(names),
     (VALUES (''), ('strict_deduplication'), ('strict_order'), ('strict_order, allow_reentry'),
             ('strict_increase'), ('strict_once'), ('strict_once, strict_increase'),
             ('strict_deduplication, strict_order, strict_increase'),
             ('strict_order, allow_reentry, strict_once, strict_increase, strict_deduplication')) AS m(mode);
CREATE TABLE raw_res AS
SELECT c.id, s.user_id, funnel_step(s.ts, '1 day', s.event, c.names, c.mode) AS lv,
       funnel_times(s.ts, '1 day', s.event, c.names, c.mode) AS t
FROM sev s CROSS JOIN cfg c GROUP BY c.id, s.user_id;
CREATE TABLE jrn_res AS
SELECT c.id, sj.user_id, funnel_step(sj.j, '1 day', c.names, c.mode) AS lv,
       funnel_times(sj.j, '1 day', c.names, c.mode) AS t
FROM sj CROSS JOIN cfg c;
SELECT count(*) AS cells,
       count(*) FILTER (WHERE r.lv IS DISTINCT FROM j.lv) AS level_differs,
       count(*) FILTER (WHERE r.t IS DISTINCT FROM j.t) AS times_differ,
       count(DISTINCT r.user_id) AS users, count(DISTINCT r.id) AS configs
FROM raw_res r FULL JOIN jrn_res j USING (id, user_id);
-- the test is not trivial: per configuration, users reaching level >= 2 and the deepest level
SELECT c.id, c.names, c.mode, count(*) FILTER (WHERE lv >= 2) AS users_ge_2, max(lv) AS max_level
FROM jrn_res JOIN cfg c USING (id) GROUP BY c.id, c.names, c.mode ORDER BY c.id;
-- and ties are exercised: users with two different events at one timestamp
SELECT count(DISTINCT user_id) AS users_with_ties
FROM (SELECT user_id, ts FROM sev GROUP BY user_id, ts HAVING count(DISTINCT event) > 1) x;
-- an independent check of the default-mode level for the 3-step funnel (plain SQL, brute force over
-- chains view -> cart -> purchase with non-decreasing times within one day of the view)
WITH v AS (SELECT user_id, ts FROM sev WHERE event = 'product_view'),
     a AS (SELECT user_id, ts FROM sev WHERE event = 'add_to_cart'),
     p AS (SELECT user_id, ts FROM sev WHERE event = 'purchase'),
     lv AS (SELECT u.user_id,
                   CASE WHEN EXISTS (SELECT 1 FROM v JOIN a USING (user_id) JOIN p USING (user_id)
                                     WHERE v.user_id = u.user_id AND a.ts >= v.ts AND p.ts >= a.ts
                                       AND p.ts <= v.ts + interval '1 day') THEN 3
                        WHEN EXISTS (SELECT 1 FROM v JOIN a USING (user_id)
                                     WHERE v.user_id = u.user_id AND a.ts >= v.ts
                                       AND a.ts <= v.ts + interval '1 day') THEN 2
                        WHEN EXISTS (SELECT 1 FROM v WHERE v.user_id = u.user_id) THEN 1 ELSE 0 END AS lv
            FROM sj u)
SELECT count(*) AS users, count(*) FILTER (WHERE lv.lv <> r.lv) AS differ_from_plain_sql
FROM lv JOIN jrn_res r USING (user_id) JOIN cfg c ON c.id = r.id
WHERE c.names = ARRAY['product_view', 'add_to_cart', 'purchase'] AND c.mode = '';

-- plain function: parallel safe, usable in a parallel scan
SELECT p.oid::regprocedure, p.provolatile, p.proisstrict, p.proparallel
FROM pg_proc p WHERE p.proname IN ('funnel_step', 'funnel_times') AND p.prokind = 'f' ORDER BY 1::text;
