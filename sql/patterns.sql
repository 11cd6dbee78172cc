-- patterns: journey_match / journey_count / journey_matches and ClickHouse sequence_match / sequence_count
CREATE SCHEMA patterns; SET search_path = patterns, public;
SET timezone = 'UTC';

-- a hand-made journey (times are minutes after 10:00)
CREATE TABLE ev (u int, ts timestamptz, event text);
INSERT INTO ev VALUES
 (1, '2024-01-01 10:00', 'view'),    -- pos 1
 (1, '2024-01-01 10:01', 'view'),    -- pos 2
 (1, '2024-01-01 10:05', 'cart'),    -- pos 3
 (1, '2024-01-01 10:20', 'view'),    -- pos 4
 (1, '2024-01-01 10:21', 'view'),    -- pos 5
 (1, '2024-01-01 10:22', 'view'),    -- pos 6
 (1, '2024-01-01 10:40', 'page'),    -- pos 7
 (1, '2024-01-01 10:41', 'cart'),    -- pos 8
 (2, '2024-01-01 09:00', 'view'),
 (2, '2024-01-01 09:10', 'purchase'),
 (2, NULL, 'view'),                  -- NULL time: ignored
 (2, '2024-01-01 09:30', NULL),      -- NULL event: ignored
 (3, NULL, 'view');
CREATE TABLE j AS
  SELECT u, array_agg(ts ORDER BY ts, event) AS t, array_agg(event ORDER BY ts, event) AS e FROM ev GROUP BY u;

-- matches as rows: earliest-ending match first, reported from its latest start
CREATE FUNCTION m(pat text) RETURNS TABLE (u int, match_no bigint, start_pos int, end_pos int,
    start_ts text, end_ts text, n_events int, events text[])
LANGUAGE sql AS $$
  SELECT j.u, m.match_no, m.start_pos, m.end_pos, to_char(m.start_ts, 'HH24:MI'), to_char(m.end_ts, 'HH24:MI'),
         m.n_events, m.events
  FROM j, journey_matches(j.t, j.e, pat) m ORDER BY j.u, m.match_no $$;

SELECT * FROM m('view .* cart');                 -- (2,3) then (6,8); user 2 has no cart
SELECT * FROM m('view (?t<=1min) view');         -- adjacent views at most 1 minute apart: (1,2), (4,5)
SELECT * FROM m('view (?t<1min) view');          -- exactly 60 s apart: none
SELECT * FROM m('view (?t=60s) view');           -- equality at the bound: (1,2), (4,5)
SELECT * FROM m('view{3}');                      -- (4,6)
SELECT * FROM m('view{2,}');                     -- (1,2), (4,5): shortest at the earliest end
SELECT * FROM m('view+');                        -- every view on its own
SELECT * FROM m('^view');                        -- first event of each journey
SELECT * FROM m('cart$');                        -- last event of user 1
SELECT * FROM m('^cart');                        -- none
SELECT * FROM m('!view');                        -- cart, page, cart, purchase
SELECT * FROM m('[cart purchase]');
SELECT * FROM m('(cart | page) cart');           -- (7,8)
SELECT * FROM m('view .* cart within 5min');     -- 10:01 -> 10:05 (4 min); 10:22 -> 10:41 is too long
SELECT * FROM m('view .* cart within < 4min');   -- exactly 4 minutes is not < 4 minutes: none
SELECT * FROM m('(?t>15min) .');                 -- session starts: first event and after gaps > 15 min
-- trigger rule "viewed, then no cart within 10 minutes": view, non-carts, then an event > 10 min later
SELECT * FROM m('view !cart* . span > 10min');   -- user 1 (6,7): 10:22 -> 10:40; user 2: 10 min is not > 10 min
SELECT * FROM m('view !cart* . span >= 10min');  -- now user 2 fires too
SELECT * FROM m('view !cart* $');                -- never added to cart afterwards: user 2
SELECT * FROM m('"view"  "unknown event"? view'); -- quoted names; unknown names never match
SELECT * FROM m('nope');

-- aggregates over raw rows: input order does not matter, NULL ts / event rows are skipped
SELECT u, journey_match(ts, event, 'view .* cart') AS m, journey_count(ts, event, 'view .* cart') AS c,
       journey_count(ts, event, 'view') AS views, journey_count(ts, event, '.') AS events
FROM ev GROUP BY u ORDER BY u;
SELECT journey_count(ts, event, 'view .* cart' ORDER BY ts DESC) AS desc_order,
       journey_count(ts, event, 'view .* cart' ORDER BY ts) AS asc_order FROM ev WHERE u = 1;
-- no rows: match is NULL, count is 0
SELECT journey_match(ts, event, 'view') IS NULL AS null_match, journey_count(ts, event, 'view') AS zero FROM ev WHERE false;
-- the array functions agree with the aggregates
SELECT u, journey_match(t, e, 'view .* cart'), journey_count(t, e, 'view+ cart') FROM j ORDER BY u;

-- overlapping vs non-overlapping: 'a a' on five a's is 2 matches, (1,2) and (3,4)
SELECT journey_count(ARRAY['2024-01-01 10:00','2024-01-01 10:01','2024-01-01 10:02','2024-01-01 10:03','2024-01-01 10:04']::timestamptz[],
                     ARRAY['a','a','a','a','a'], 'a a') AS non_overlapping;
-- unsorted arrays are sorted by time (ties keep their array order)
SELECT start_pos, end_pos, events FROM journey_matches(
  ARRAY['2024-01-01 10:02','2024-01-01 10:00','2024-01-01 10:01']::timestamptz[], ARRAY['c','a','b'], 'a b c');

-- events at the same time are ordered by name (as in the journey type), whatever the input order
SELECT start_pos, end_pos, events FROM journey_matches(
  ARRAY['2024-01-01 10:00','2024-01-01 10:00','2024-01-01 10:01']::timestamptz[], ARRAY['b','a','c'], 'a b c');
SELECT journey_count(ts, e, 'a . b') AS asc_input, journey_count(ts, e, 'a . b' ORDER BY e DESC) AS desc_input,
       journey_count(ts, e, 'a b') AS a_b_not_adjacent
FROM (VALUES ('2024-01-01 10:00'::timestamptz, 'a'), ('2024-01-01 10:00', 'b'), ('2024-01-01 10:00', 'zz'), ('2024-01-01 10:00', 'aa')) v(ts, e);

-- the journey type: same answers as the aggregates over raw rows (ties in both by name)
CREATE TABLE js AS SELECT user_id, journey_agg(ts, event) AS j FROM journey_sample_events(1000, 3) GROUP BY user_id;
SELECT count(*) AS users,
  count(*) FILTER (WHERE journey_count(js.j, 'product_view .* add_to_cart within 30 minutes') = a.c) AS count_agree,
  count(*) FILTER (WHERE journey_match(js.j, 'product_view ([^add_to_cart]* product_view){2,} within 10 minutes') = a.m) AS match_agree
FROM js JOIN (SELECT user_id, journey_count(ts, event, 'product_view .* add_to_cart within 30 minutes') c,
   journey_match(ts, event, 'product_view ([^add_to_cart]* product_view){2,} within 10 minutes') m
   FROM journey_sample_events(1000, 3) GROUP BY user_id) a USING (user_id);
SELECT * FROM journey_matches('[2024-01-01 10:00:00Z view, +1m view, +4m cart, +15m view]'::journey, 'view .* cart');
SELECT journey_match('[2024-01-01 10:00:00Z view, +1m view]'::journey, 'view{2}') AS m,
       journey_count('[2024-01-01 10:00:00Z view, +1m view]'::journey, 'view') AS c,
       journey_first_fired('[2024-01-01 10:00:00Z view, +1m view]'::journey, 'view') AS first_fired,
       journey_last_fired('[2024-01-01 10:00:00Z view, +1m view]'::journey, 'view') AS last_fired;
SELECT journey_match('[]'::journey, 'view') AS empty_match, journey_count('[]'::journey, '.') AS empty_count,
       journey_match(NULL::journey, 'view') IS NULL AS null_journey;

-- path analysis: the events just before and after each match (sequenceNextNode-like)
SELECT j.u, m.match_no, m.prev_event, m.events, m.next_event FROM j, journey_matches(j.t, j.e, 'view .* cart') m ORDER BY 1, 2;
SELECT j.u, m.match_no, m.prev_event, m.next_event FROM j, journey_matches(j.t, j.e, 'page') m ORDER BY 1, 2;
-- next / previous events around the first or last match; transitions (Sankey)
SELECT journey_next_events(t, e, 'a', 2) AS next2, journey_next_events(t, e, 'a', 2, true) AS next2_after_last,
       journey_prev_events(t, e, 'd', 3) AS prev3, journey_prev_events(t, e, 'a', 3) AS prev_at_start,
       journey_next_events(t, e, 'x', 3) AS no_match, journey_next_events(t, e, 'd', 3) AS at_end
FROM (SELECT ARRAY['2024-01-01 10:00','2024-01-01 10:01','2024-01-01 10:02','2024-01-01 10:03','2024-01-01 10:04']::timestamptz[] AS t,
             ARRAY['a','b','c','a','d'] AS e) x;
SELECT journey_next_events(t, e, 'a', -1) FROM (SELECT ARRAY[now()] AS t, ARRAY['a'] AS e) x;
SELECT * FROM journey_transitions(ARRAY['2024-01-01 10:05','2024-01-01 10:00','2024-01-01 10:00', NULL]::timestamptz[], ARRAY['c','b','a','d']);
SELECT * FROM journey_transitions('[2024-01-01 10:00:00Z view, +1m view, +4m cart]'::journey);
SELECT journey_next_events('[2024-01-01 10:00:00Z view, +1m view, +4m cart]'::journey, 'view', 5) AS next,
       journey_prev_events('[2024-01-01 10:00:00Z view, +1m view, +4m cart]'::journey, 'cart', 5) AS prev;
-- transitions agree with lag() in plain SQL
SELECT (SELECT count(*) FROM js, journey_transitions(js.j)) AS transitions,
       (SELECT count(*) FROM (SELECT lag(event) OVER (PARTITION BY user_id ORDER BY ts, event) AS f FROM journey_sample_events(1000, 3)) x WHERE f IS NOT NULL) AS plain,
       (SELECT count(*) FROM (SELECT t.from_event, t.to_event, count(*) FROM js, journey_transitions(js.j) t GROUP BY 1, 2
         EXCEPT SELECT f, event, count(*) FROM (SELECT lag(event) OVER (PARTITION BY user_id ORDER BY ts, event) AS f, event FROM journey_sample_events(1000, 3)) x WHERE f IS NOT NULL GROUP BY 1, 2) d) AS differing_pairs;

-- triggers: when did "viewed, no cart within 10 minutes" first / last fire; cooldown check
SELECT u, to_char(journey_first_fired(t, e, 'view !cart* . span >= 10min'), 'HH24:MI') AS first_fired,
          to_char(journey_last_fired(t, e, 'view'), 'HH24:MI') AS last_view,
          journey_last_fired(t, e, 'view') >= '2024-01-01 10:30'::timestamptz - interval '15 minutes' AS viewed_in_last_15min_at_1030
FROM j ORDER BY u;

-- ClickHouse's own sequenceMatch/sequenceCount test (00222), expected values from ClickHouse
CREATE TABLE st (time int, data int);
INSERT INTO st VALUES (0,0),(1,0),(2,0),(3,0),(4,1),(5,2),(6,0),(7,0),(8,0),(9,0),(10,1),(11,1);
CREATE TABLE ch_expected (pat text, ncond int, want_match bool, want_count bigint);
INSERT INTO ch_expected VALUES
 ('.', 4, true, 12), ('.*', 4, true, 12), ('(?1)', 4, true, 8), ('(?2)', 4, true, 3), ('(?3)', 4, true, 1),
 ('(?4)', 4, false, 0), ('(?1)(?1)', 4, true, 4), ('(?1)(?1)(?1)', 4, true, 2), ('(?1)(?1)(?1)(?1)', 4, true, 2),
 ('(?1)(?1)(?1)(?1)(?1)', 4, false, 0), ('(?1)(?1)(?1)(?1)(?2)', 4, true, 2),
 ('(?1)(?t>10)(?2)', 4, true, 1), ('(?1)(?t>11)(?2)', 4, false, 0), ('(?1)(?t<11)(?2)', 4, true, 2),
 ('(?1)(?t<3)(?3)', 4, true, 1), ('(?1)(?t<=2)(?3)', 4, true, 1), ('(?1)(?t<2)(?3)', 4, false, 0),
 ('(?2)(?t>=7)(?2)', 4, true, 1), ('(?2)(?t>7)(?2)', 4, false, 0), ('(?2)(?3)(?1)', 4, true, 1),
 ('(?1)(?t==2)(?2)', 2, false, 0), ('(?1)(?t==1)(?2)', 2, true, 1);
SELECT e.pat, x.got_match, x.got_count, x.got_match = e.want_match AND x.got_count = e.want_count AS same_as_clickhouse
FROM ch_expected e, LATERAL (
  SELECT sequence_match(e.pat, to_timestamp(time), data = 0, data = 1, data = 2, data = 3) AS got_match,
         sequence_count(e.pat, to_timestamp(time), data = 0, data = 1, data = 2, data = 3) AS got_count
  FROM st) x
WHERE e.ncond = 4
UNION ALL
SELECT e.pat, x.got_match, x.got_count, x.got_match = e.want_match AND x.got_count = e.want_count
FROM ch_expected e, LATERAL (
  SELECT sequence_match(e.pat, to_timestamp(time), data = 1, data = 2) AS got_match,
         sequence_count(e.pat, to_timestamp(time), data = 1, data = 2) AS got_count
  FROM st) x
WHERE e.ncond = 2
ORDER BY 1;
-- ties and rows that satisfy no condition: only rows with a true condition are kept, as in ClickHouse
SELECT sequence_count('(?1)(?2)', ts, event = 'view', event = 'cart') AS adjacent_among_kept,
       sequence_count('(?1).(?2)', ts, event = 'view', event = 'cart', event = 'page') AS any_between
FROM ev WHERE u = 1;

-- on the sample data: ClickHouse patterns agree with the equivalent journey patterns
CREATE TABLE sample AS SELECT * FROM journey_sample_events(1000, 3);
-- (?1)(?2) adjacent among the rows that satisfy a condition == 'a b' over those rows
-- (sequence_* order ties by condition mask, journey_* by name: naming the events c1, c2 after
-- their conditions makes the two tie orders the same, whatever order the rows arrive in)
SELECT count(*) AS users, count(*) FILTER (WHERE s_m = j_m AND s_c = j_c) AS agree, count(*) FILTER (WHERE s_m) AS matched FROM (
  SELECT user_id,
    sequence_match('(?1)(?2)', ts, event = 'product_view', event = 'add_to_cart' ORDER BY ts DESC) AS s_m,
    sequence_count('(?1)(?2)', ts, event = 'product_view', event = 'add_to_cart') AS s_c,
    coalesce(journey_match(ts, CASE event WHEN 'product_view' THEN 'c1' ELSE 'c2' END, 'c1 c2')
             FILTER (WHERE event IN ('product_view', 'add_to_cart')), false) AS j_m,
    journey_count(ts, CASE event WHEN 'product_view' THEN 'c1' ELSE 'c2' END, 'c1 c2')
      FILTER (WHERE event IN ('product_view', 'add_to_cart')) AS j_c
  FROM sample GROUP BY user_id) x;
-- (?1)(?t<=600)(?2) == 'a .* b within 600s'
SELECT count(*) AS users, count(*) FILTER (WHERE s_m = j_m AND s_c = j_c) AS agree, count(*) FILTER (WHERE s_m) AS matched FROM (
  SELECT user_id,
    sequence_match('(?1)(?t<=600)(?2)', ts, event = 'product_view', event = 'purchase') AS s_m,
    sequence_count('(?1)(?t<=600)(?2)', ts, event = 'product_view', event = 'purchase') AS s_c,
    journey_match(ts, event, 'product_view .* purchase within 600s') AS j_m,
    journey_count(ts, event, 'product_view .* purchase within 600s') AS j_c
  FROM sample GROUP BY user_id) x;
-- journey_match agrees with a plain-SQL EXISTS for 'search .* purchase within 1 hour'
SELECT count(*) AS users, count(*) FILTER (WHERE j = p) AS agree, count(*) FILTER (WHERE j) AS matched FROM (
  SELECT s.user_id, journey_match(s.ts, s.event, 'search .* purchase within 1 hour') AS j,
    EXISTS (SELECT 1 FROM sample a JOIN sample b ON a.user_id = b.user_id
            WHERE a.user_id = s.user_id AND a.event = 'search' AND b.event = 'purchase'
              AND b.ts >= a.ts AND b.ts - a.ts <= '1 hour') AS p
  FROM sample s GROUP BY s.user_id) x;

-- parallel aggregation: Partial Aggregate in the plan, same result as serial
CREATE TABLE big AS SELECT * FROM journey_sample_events(20000, 9);
ANALYZE big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT journey_count(ts, event, 'product_view .* purchase'), sequence_count('(?1).*(?2)', ts, event = 'search', event = 'purchase') FROM big;
CREATE TABLE par AS SELECT journey_count(ts, event, 'product_view .* purchase') AS j,
  sequence_count('(?1).*(?2)', ts, event = 'search', event = 'purchase') AS s,
  journey_match(ts, event, 'signup') AS m FROM big;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT j FROM par) = journey_count(ts, event, 'product_view .* purchase')
   AND (SELECT s FROM par) = sequence_count('(?1).*(?2)', ts, event = 'search', event = 'purchase')
   AND (SELECT m FROM par) = journey_match(ts, event, 'signup') AS parallel_equals_serial FROM big;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;

-- errors: 2201B with a caret, 54000 for absurd bounds, 0A000 for unsupported combinations
CREATE FUNCTION sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error'; EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE; END $$;
SELECT q, sqlstate_of(q) FROM (VALUES
  ('SELECT journey_match(t, e, ''view (cart'') FROM patterns.j'),
  ('SELECT journey_match(t, e, '''') FROM patterns.j'),
  ('SELECT journey_match(t, e, ''view{1001}'') FROM patterns.j'),
  ('SELECT journey_match(t, e, ''((view{1000}){1000}){1000}'') FROM patterns.j'),
  ('SELECT journey_match(t, e, ''view within 1h span > 1min'') FROM patterns.j'),
  ('SELECT journey_match(ts, event, NULL) FROM patterns.ev'),
  ('SELECT sequence_match(''(?1)(?3)'', ts, event = ''view'') FROM patterns.ev'),
  ('SELECT sequence_match(''(?1)'', ts, VARIADIC array_fill(true, ARRAY[33])) FROM patterns.ev')) v(q);
SELECT journey_match(t, e, 'view (cart') FROM j;
SELECT journey_match(t, e, 'view cart)') FROM j;
SELECT journey_match(t, e, '') FROM j;
SELECT journey_match(t, e, '*view') FROM j;
SELECT journey_match(t, e, 'view{3,1}') FROM j;
SELECT journey_match(t, e, 'view{1001}') FROM j;
SELECT journey_match(t, e, '((view{1000}){1000}){1000}') FROM j;
SELECT journey_match(t, e, 'view (?t<=5 fortnights) cart') FROM j;
SELECT journey_match(t, e, 'view (?t<=5min)') FROM j;
SELECT journey_match(t, e, 'view (?t<=5min) cart*') FROM j;
SELECT journey_match(t, e, 'view within 1h span > 1min') FROM j;
SELECT journey_match(t, e, 'view within > 1h') FROM j;
SELECT journey_match(t, e, '"view') FROM j;
SELECT journey_match(ts, event, NULL) FROM ev;
SELECT journey_match(ts, event, CASE WHEN u = 1 THEN 'view' ELSE 'cart' END) FROM ev;
SELECT journey_match(ARRAY[now()], ARRAY['a', 'b'], 'a');
SELECT sequence_match('(?1)(?3)', ts, event = 'view', event = 'cart') FROM ev;
SELECT sequence_match('(?1)(?t<5)(?t>1)(?2)', ts, event = 'view', event = 'cart') FROM ev;
SELECT sequence_match('(?1) x', ts, event = 'view') FROM ev;
SELECT sequence_match('(?1)(?t~5)(?1)', ts, event = 'view') FROM ev;
SELECT sequence_match('', ts, event = 'view') FROM ev;
SELECT sequence_match('(?1)', ts, VARIADIC '{}'::boolean[]) FROM ev;
