-- funnel: funnel_step / funnel_times (every ClickHouse windowFunnel mode), exclusions, errors.
CREATE SCHEMA funnel; SET search_path = funnel, public;
SET timezone = 'UTC';

-- Steps are a, b, c, d; 'x' matches no step; 'ab' matches steps a and b.
CREATE TABLE ev (u int, ts timestamptz, e text);
INSERT INTO ev VALUES
 -- 1: a, b, c, c exactly one hour after a (window is inclusive)
 (1, '2024-01-01 10:00', 'a'), (1, '2024-01-01 10:30', 'b'), (1, '2024-01-01 11:00', 'c'),
 -- 2: a-b-c-b-d: strict_deduplication stops at the repeated b
 (2, '2024-01-01 10:00', 'a'), (2, '2024-01-01 10:01', 'b'), (2, '2024-01-01 10:02', 'c'),
 (2, '2024-01-01 10:03', 'b'), (2, '2024-01-01 10:04', 'd'),
 -- 3: a-b-x-c: strict_order stops at x
 (3, '2024-01-01 10:00', 'a'), (3, '2024-01-01 10:01', 'b'), (3, '2024-01-01 10:02', 'x'),
 (3, '2024-01-01 10:03', 'c'),
 -- 4: a-c-b-c: strict_order stops at the early c; allow_reentry skips it
 (4, '2024-01-01 10:00', 'a'), (4, '2024-01-01 10:01', 'c'), (4, '2024-01-01 10:02', 'b'),
 (4, '2024-01-01 10:03', 'c'),
 -- 5: a and b at the same instant (ties are ordered by step), then c
 (5, '2024-01-01 10:00', 'b'), (5, '2024-01-01 10:00', 'a'), (5, '2024-01-01 10:05', 'c'),
 -- 6: one row matching steps a and b, then c
 (6, '2024-01-01 10:00', 'ab'), (6, '2024-01-01 10:05', 'c'),
 -- 7: a, b, b and c at the same instant: ClickHouse's strict_increase keeps only the latest b
 (7, '2024-01-01 10:00', 'a'), (7, '2024-01-01 10:05', 'b'), (7, '2024-01-01 10:07', 'b'),
 (7, '2024-01-01 10:07', 'c'),
 -- 8: NULL timestamps are skipped, NULL events match nothing
 (8, NULL, 'a'), (8, '2024-01-01 10:00', NULL), (8, '2024-01-01 10:01', 'a'), (8, NULL, 'b'),
 -- 9: nothing matches
 (9, '2024-01-01 10:00', 'x'),
 -- 10: c before a: order matters, a chain starts at step 1
 (10, '2024-01-01 10:00', 'b'), (10, '2024-01-01 10:01', 'a');

SELECT u,
       funnel_step(ts, '1 hour', e IN ('a','ab'), e IN ('b','ab'), e = 'c', e = 'd') AS "default",
       funnel_step(ts, '1 hour' - '1 microsecond'::interval, e IN ('a','ab'), e IN ('b','ab'), e = 'c', e = 'd') AS short_window,
       funnel_step(ts, '1 hour', 'strict_deduplication', e IN ('a','ab'), e IN ('b','ab'), e = 'c', e = 'd') AS dedup,
       funnel_step(ts, '1 hour', 'strict_order', e IN ('a','ab'), e IN ('b','ab'), e = 'c', e = 'd') AS "order",
       funnel_step(ts, '1 hour', 'strict_order, allow_reentry', e IN ('a','ab'), e IN ('b','ab'), e = 'c', e = 'd') AS reentry,
       funnel_step(ts, '1 hour', 'strict_increase', e IN ('a','ab'), e IN ('b','ab'), e = 'c', e = 'd') AS incr,
       funnel_step(ts, '1 hour', 'strict_once', e IN ('a','ab'), e IN ('b','ab'), e = 'c', e = 'd') AS once,
       funnel_step(ts, '1 hour', 'strict_once,strict_increase', e IN ('a','ab'), e IN ('b','ab'), e = 'c', e = 'd') AS once_incr
FROM ev GROUP BY u ORDER BY u;

-- the winning chain's timestamps (NULL past the level reached)
SELECT u, funnel_times(ts, '1 hour', e IN ('a','ab'), e IN ('b','ab'), e = 'c', e = 'd') AS times
FROM ev GROUP BY u ORDER BY u;
-- several chains: the winner completes the deepest level first and starts as late as possible
CREATE TABLE ev2 (ts timestamptz, e text);
INSERT INTO ev2 VALUES ('2024-01-01 09:00', 'a'), ('2024-01-01 09:30', 'a'), ('2024-01-01 09:45', 'b'),
  ('2024-01-01 09:50', 'a'), ('2024-01-01 10:00', 'c'), ('2024-01-01 10:20', 'b'), ('2024-01-01 10:25', 'c');
SELECT funnel_times(ts, '1 hour', e = 'a', e = 'b', e = 'c') AS winner,
       funnel_times(ts, '1 hour', e = 'a', e = 'b', e = 'c', e = 'd') AS winner_of_3_of_4 FROM ev2;

-- the convenience form (event name, step names) gives the same answers
SELECT u, funnel_step(ts, '1 hour', e, ARRAY['a','b','c','d']) AS by_name,
          funnel_step(ts, '1 hour', e = 'a', e = 'b', e = 'c', e = 'd') AS by_condition,
          funnel_step(ts, '1 hour', e, ARRAY['a','b','c','d'], 'strict_order') AS by_name_order,
          funnel_times(ts, '1 hour', e, ARRAY['a','b','c','d'], 'strict_order') AS by_name_order_times
FROM ev GROUP BY u ORDER BY u;
-- a name listed twice is two steps
SELECT funnel_step(ts, '1 hour', e, ARRAY['a','b','b']) AS twice_b FROM ev WHERE u = 2;

-- input order does not matter
SELECT u, funnel_times(ts, '1 hour', e = 'a', e = 'b', e = 'c', e = 'd' ORDER BY ts DESC, e DESC)
        = funnel_times(ts, '1 hour', e = 'a', e = 'b', e = 'c', e = 'd' ORDER BY ts, e) AS order_free
FROM ev GROUP BY u ORDER BY u;

-- arguments computed per row (not constants) are read on every row: same answers when equal
SELECT u, funnel_step(ts, make_interval(hours => 1 + 0 * u), rtrim('strict_order ' || repeat(' ', u % 3)),
                      e IN ('a','ab'), e IN ('b','ab'), e = 'c', e = 'd') AS computed_args,
          funnel_step(ts, '1 hour', e, string_to_array('a,b,' || 'c,d', ','), rtrim('strict_order' || repeat(' ', u % 2))) AS computed_names
FROM ev GROUP BY u ORDER BY u;

-- VARIADIC array, and many steps: 300 steps one minute apart
SELECT funnel_step(ts, '1 hour', VARIADIC ARRAY[e = 'a', e = 'b', e = 'c']) AS variadic_array FROM ev WHERE u = 1;
CREATE TABLE long_ev AS SELECT k, '2024-01-01'::timestamptz + k * interval '1 minute' AS ts FROM generate_series(1, 300) k;
SELECT funnel_step(ts, '299 minutes', VARIADIC (SELECT array_agg(s = k ORDER BY s) FROM generate_series(1, 300) s)) AS all_300,
       funnel_step(ts, '298 minutes', VARIADIC (SELECT array_agg(s = k ORDER BY s) FROM generate_series(1, 300) s)) AS window_one_short
FROM long_ev;
SELECT (funnel_times(ts, '299 minutes', VARIADIC (SELECT array_agg(s = k ORDER BY s) FROM generate_series(1, 300) s)))[300] AS step_300_at
FROM long_ev;

-- empty input: level 0, no times; a group with rows but no match: level 0, NULL times
SELECT funnel_step(ts, '1 hour', e = 'a') AS empty_level, funnel_times(ts, '1 hour', e = 'a') AS empty_times FROM ev WHERE false;
SELECT funnel_step(ts, '1 hour', e = 'a', e = 'b') AS lvl, funnel_times(ts, '1 hour', e = 'a', e = 'b') AS times FROM ev WHERE u = 9;

-- exclusions: 'x' between steps 1 and 2 cancels the partial chain; a new a restarts it
CREATE TABLE ex (u int, ts timestamptz, e text);
INSERT INTO ex VALUES
 (1, '2024-01-01 10:00', 'a'), (1, '2024-01-01 10:01', 'x'), (1, '2024-01-01 10:02', 'b'), (1, '2024-01-01 10:03', 'c'),
 (2, '2024-01-01 10:00', 'a'), (2, '2024-01-01 10:01', 'x'), (2, '2024-01-01 10:02', 'a'), (2, '2024-01-01 10:03', 'b'), (2, '2024-01-01 10:04', 'c'),
 (3, '2024-01-01 10:00', 'a'), (3, '2024-01-01 10:01', 'b'), (3, '2024-01-01 10:02', 'x'), (3, '2024-01-01 10:03', 'c'),
 (4, '2024-01-01 10:00', 'a'), (4, '2024-01-01 10:02', 'x'), (4, '2024-01-01 10:02', 'b'), (4, '2024-01-01 10:03', 'c'),
 (5, '2024-01-01 10:00', 'x'), (5, '2024-01-01 10:00', 'a'), (5, '2024-01-01 10:02', 'b'), (5, '2024-01-01 10:03', 'c');
SELECT u,
       funnel_step(ts, '1 hour', 'default', ARRAY[e = 'a', e = 'b', e = 'c'], ARRAY[]::boolean[], ARRAY[]::int[]) AS no_exclusion,
       funnel_step(ts, '1 hour', 'default', ARRAY[e = 'a', e = 'b', e = 'c'], ARRAY[e = 'x'], ARRAY[[1, 2]]) AS x_1_2,
       funnel_step(ts, '1 hour', 'default', ARRAY[e = 'a', e = 'b', e = 'c'], ARRAY[e = 'x'], ARRAY[[2, 3]]) AS x_2_3,
       funnel_step(ts, '1 hour', 'default', ARRAY[e = 'a', e = 'b', e = 'c'], ARRAY[e = 'x'], ARRAY[[1, 3]]) AS x_1_3,
       funnel_step(ts, '1 hour', 'strict_once', ARRAY[e = 'a', e = 'b', e = 'c'], ARRAY[e = 'x'], ARRAY[[1, 3]]) AS once_x_1_3,
       funnel_times(ts, '1 hour', 'default', ARRAY[e = 'a', e = 'b', e = 'c'], ARRAY[e = 'x'], ARRAY[[1, 2]]) AS times_x_1_2
FROM ex GROUP BY u ORDER BY u;

-- agreement with an independent plain-SQL formulation on the sample data (default mode):
-- for each step-1 event, the earliest next step at or after the previous one within the window
CREATE TABLE sample AS SELECT * FROM journey_sample_events(2000, 5);
CREATE INDEX ON sample (user_id, event, ts);
ANALYZE sample;
CREATE TABLE f_journey AS
  SELECT user_id, funnel_step(ts, '1 day', event = 'product_view', event = 'add_to_cart', event = 'checkout', event = 'purchase') AS lvl,
         funnel_times(ts, '1 day', event = 'product_view', event = 'add_to_cart', event = 'checkout', event = 'purchase') AS times
  FROM sample GROUP BY user_id;
CREATE TABLE f_plain AS
  SELECT u.user_id, coalesce(max(CASE WHEN t4 IS NOT NULL THEN 4 WHEN t3 IS NOT NULL THEN 3 WHEN t2 IS NOT NULL THEN 2 WHEN s1.ts IS NOT NULL THEN 1 ELSE 0 END), 0) AS lvl
  FROM (SELECT DISTINCT user_id FROM sample) u
  LEFT JOIN sample s1 ON s1.user_id = u.user_id AND s1.event = 'product_view'
  LEFT JOIN LATERAL (SELECT min(ts) AS t2 FROM sample s WHERE s.user_id = s1.user_id AND s.event = 'add_to_cart'
                     AND s.ts >= s1.ts AND s.ts <= s1.ts + interval '1 day') a ON true
  LEFT JOIN LATERAL (SELECT min(ts) AS t3 FROM sample s WHERE s.user_id = s1.user_id AND s.event = 'checkout'
                     AND s.ts >= a.t2 AND s.ts <= s1.ts + interval '1 day') b ON true
  LEFT JOIN LATERAL (SELECT min(ts) AS t4 FROM sample s WHERE s.user_id = s1.user_id AND s.event = 'purchase'
                     AND s.ts >= b.t3 AND s.ts <= s1.ts + interval '1 day') c ON true
  GROUP BY u.user_id;
SELECT count(*) AS users, count(*) FILTER (WHERE j.lvl = p.lvl) AS agree FROM f_journey j JOIN f_plain p USING (user_id);
SELECT lvl, count(*) FROM f_journey GROUP BY lvl ORDER BY lvl;
-- the times are a valid chain: steps in order, the last within a day of the first, each step's event at that time
SELECT bool_and(times[lvl] - times[1] <= interval '1 day'
                AND (SELECT bool_and(times[k] <= times[k + 1]) FROM generate_series(1, lvl - 1) k) IS NOT FALSE
                AND (SELECT bool_and(EXISTS (SELECT 1 FROM sample s WHERE s.user_id = j.user_id AND s.ts = times[k]
                       AND s.event = (ARRAY['product_view','add_to_cart','checkout','purchase'])[k]))
                     FROM generate_series(1, lvl) k)) AS times_valid,
       bool_and(cardinality(array_remove(times, NULL)) = lvl) AS times_match_level
FROM f_journey j WHERE lvl > 0;

-- parallel aggregation: Partial Aggregate in the plan, same result as serial
CREATE TABLE big AS SELECT * FROM journey_sample_events(20000, 9);
ANALYZE big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT funnel_step(ts, '1 day', event = 'product_view', event = 'add_to_cart') FROM big;
CREATE TABLE par0 AS SELECT funnel_times(ts, '1 hour', event = 'search', event = 'product_view', event = 'add_to_cart', event = 'checkout') AS t FROM big;
EXPLAIN (COSTS OFF)
SELECT user_id % 5 AS g, funnel_times(ts, '1 day', 'strict_once', event = 'product_view', event = 'add_to_cart', event = 'checkout')
FROM big GROUP BY 1;
CREATE TABLE par AS
SELECT user_id % 5 AS g,
       funnel_times(ts, '1 day', 'strict_once', event = 'product_view', event = 'add_to_cart', event = 'checkout') AS t1,
       funnel_times(ts, '1 hour', 'default', ARRAY[event = 'search', event = 'product_view', event = 'purchase'],
                    ARRAY[event = 'page_view'], ARRAY[[1, 3]]) AS t2,
       funnel_step(ts, '1 hour', 'strict_order', event = 'search', event = 'product_view') AS l3
FROM big GROUP BY 1;
SET max_parallel_workers_per_gather = 0;
SELECT bool_and(p.t1 IS NOT DISTINCT FROM s.t1 AND p.t2 IS NOT DISTINCT FROM s.t2 AND p.l3 = s.l3) AS parallel_equals_serial, count(*)
FROM par p JOIN (
  SELECT user_id % 5 AS g,
         funnel_times(ts, '1 day', 'strict_once', event = 'product_view', event = 'add_to_cart', event = 'checkout') AS t1,
         funnel_times(ts, '1 hour', 'default', ARRAY[event = 'search', event = 'product_view', event = 'purchase'],
                      ARRAY[event = 'page_view'], ARRAY[[1, 3]]) AS t2,
         funnel_step(ts, '1 hour', 'strict_order', event = 'search', event = 'product_view') AS l3
  FROM big GROUP BY 1) s USING (g);
SELECT (SELECT t FROM par0) = funnel_times(ts, '1 hour', event = 'search', event = 'product_view', event = 'add_to_cart', event = 'checkout') AS parallel_equals_serial_all
FROM big;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

-- errors
SELECT funnel_step(ts, '0 minutes', e = 'a') FROM ev;
SELECT funnel_step(ts, '-1 hour', e = 'a') FROM ev;
SELECT funnel_step(ts, NULL, e = 'a') FROM ev;
SELECT funnel_step(ts, '1 hour', VARIADIC ARRAY[]::boolean[]) FROM ev;
SELECT funnel_step(ts, '1 hour', VARIADIC array_fill(true, ARRAY[1025])) FROM ev;
SELECT funnel_step(ts, '1 hour', 'strict_order,bogus', e = 'a') FROM ev;
SELECT funnel_step(ts, '1 hour', 'strict', e = 'a') FROM ev;
SELECT funnel_step(ts, '1 hour', 'allow_reentry', e = 'a') FROM ev;
SELECT funnel_step(ts, '1 hour', NULL::text, e = 'a') FROM ev;
SELECT funnel_step(ts, '1 hour', e, e = 'a') FROM ev;
SELECT funnel_step(ts, '1 hour', 'default', 1) FROM ev;
SELECT funnel_step(ts, make_interval(mins => u), e = 'a') FROM ev;
SELECT funnel_step(ts, '1 hour', CASE WHEN u < 5 THEN 'default' ELSE 'strict_order' END, e = 'a') FROM ev;
SELECT funnel_step(ts, '1 hour', e, ARRAY['a', NULL]) FROM ev;
SELECT funnel_step(ts, '1 hour', e, ARRAY[]::text[]) FROM ev;
SELECT funnel_step(ts, '1 hour', 'default', ARRAY[e = 'a', e = 'b'], ARRAY[e = 'x'], ARRAY[[2, 1]]) FROM ev;
SELECT funnel_step(ts, '1 hour', 'default', ARRAY[e = 'a', e = 'b'], ARRAY[e = 'x'], ARRAY[[1, 3]]) FROM ev;
SELECT funnel_step(ts, '1 hour', 'default', ARRAY[e = 'a', e = 'b'], ARRAY[e = 'x'], ARRAY[[1, 2], [1, 2]]) FROM ev;
SELECT funnel_step(ts, '1 hour', 'default', ARRAY[e = 'a', e = 'b'], ARRAY[e = 'x'], ARRAY[1, 2, 3]) FROM ev;
SELECT funnel_step(ts, '1 hour', 'default', ARRAY[e = 'a', e = 'b'], NULL, ARRAY[[1, 2]]) FROM ev;

-- parameters as drivers bind them (0.2.0 overload set: no (ts, window, mode text, VARIADIC "any")
-- beside (ts, window, event text, step_names text[]), so every step-list binding resolves to the names form)
-- unknown (psycopg 3 list, node-postgres array, JDBC stringtype=unspecified, psqlODBC), varchar[] (JDBC
-- setArray / String[]), text[]; window as interval or unknown; mode as unknown, varchar or text
PREPARE d1(unknown, unknown) AS SELECT u, funnel_step(ts, $1, e, $2) FROM ev GROUP BY u ORDER BY u;
PREPARE d2(interval, varchar[]) AS SELECT u, funnel_step(ts, $1, e, $2) FROM ev GROUP BY u ORDER BY u;
PREPARE d3(interval, text[]) AS SELECT u, funnel_step(ts, $1, e, $2) FROM ev GROUP BY u ORDER BY u;
SELECT u, funnel_step(ts, '1 hour', e, ARRAY['a', 'b', 'c']) AS literal_array FROM ev GROUP BY u ORDER BY u;
EXECUTE d1('1 hour', '{a,b,c}');
EXECUTE d2('1 hour', '{a,b,c}');
EXECUTE d3('1 hour', '{a,b,c}');
PREPARE d4(unknown, unknown, unknown) AS SELECT u, funnel_times(ts, $1, e, $2, $3) FROM ev GROUP BY u ORDER BY u;
PREPARE d5(interval, varchar[], varchar) AS SELECT u, funnel_times(ts, $1, e, $2, $3) FROM ev GROUP BY u ORDER BY u;
SELECT (SELECT array_agg(t ORDER BY u) FROM (SELECT u, funnel_times(ts, '1 hour', e, ARRAY['a', 'b', 'c'], 'strict_order') t FROM ev GROUP BY u) s) AS literal;
EXECUTE d4('1 hour', '{a,b,c}', 'strict_order');
EXECUTE d5('1 hour', '{a,b,c}', 'strict_order');
-- the mode of the boolean form as a parameter: unknown, varchar, text
PREPARE d6(unknown) AS SELECT u, funnel_step(ts, '1 hour', $1, e = 'a', e = 'b', e = 'c') FROM ev GROUP BY u ORDER BY u;
PREPARE d7(varchar) AS SELECT u, funnel_step(ts, '1 hour', $1, e = 'a', e = 'b', e = 'c') FROM ev GROUP BY u ORDER BY u;
PREPARE d8(text) AS SELECT u, funnel_step(ts, '1 hour', $1, e = 'a', e = 'b', e = 'c') FROM ev GROUP BY u ORDER BY u;
EXECUTE d6('strict_order');
EXECUTE d7('strict_order');
EXECUTE d8('strict_order');
-- a mode column of type char(n) and varchar
SELECT funnel_step(ts, '1 hour', 'strict_order'::varchar, e = 'a') AS mode_varchar,
       funnel_step(ts, '1 hour', 'strict_order'::char(12), e = 'a') AS mode_char FROM ev WHERE u = 1;
-- the stored-journey form with the same bindings
PREPARE d9(unknown, unknown) AS SELECT funnel_step(journey_agg(ts, e), $1, $2) FROM ev WHERE u = 1;
PREPARE d10(interval, varchar[], varchar) AS SELECT funnel_step(journey_agg(ts, e), $1, $2, $3) FROM ev WHERE u = 1;
EXECUTE d9('1 hour', '{a,b,c}');
EXECUTE d10('1 hour', '{a,b,c}', 'strict_order');
-- wrong calls name the right form: a step list bound as one varchar (not an array) lands in the boolean
-- form with the event column read as the mode; a step name given as the mode; no steps at all
PREPARE d11(interval, varchar) AS SELECT funnel_step(ts, $1, e, $2) FROM ev;
EXECUTE d11('1 hour', '{a,b,c}');
SELECT funnel_step(ts, '1 hour', 'page_view', e = 'a') FROM ev;
SELECT funnel_step(ts, '1 hour', e) FROM ev;
SELECT funnel_step(ts, '1 hour', 'a', 'b') FROM ev;
SELECT funnel_step(ts, '1 hour', VARIADIC ARRAY['a', 'b']) FROM ev;
-- a varchar event column with an unknown step list picks the mode form (documented: cast it, event::text)
SELECT funnel_step(ts, '1 hour', e::varchar, '{a,b,c}') FROM ev;
SELECT funnel_step(ts, '1 hour', e::varchar::text, '{a,b,c}') FROM ev WHERE u = 1;
-- the mode form with VARIADIC array
SELECT funnel_step(ts, '1 hour', 'strict_order', VARIADIC ARRAY[e = 'a', e = 'b']) FROM ev WHERE u = 1;
DEALLOCATE ALL;
