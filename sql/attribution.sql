-- multi-touch attribution: journey_conversion_paths, journey_attribution_credit, journey_markov_attribution
SET timezone = 'UTC';
CREATE TABLE at_events (user_id int, ts timestamptz, channel text, conversion boolean, revenue float8);
INSERT INTO at_events VALUES
  (1, '2024-01-01 10:00', 'google', false, NULL),
  (1, '2024-01-05 10:00', 'facebook', false, NULL),
  (1, '2024-01-06 10:00', 'direct', false, NULL),
  (1, '2024-01-06 12:00', NULL, true, 100),        -- path google > facebook > direct
  (1, '2024-01-10 10:00', NULL, true, 50),         -- tie: the newsletter touch at the same instant counts
  (1, '2024-01-10 10:00', 'newsletter', false, NULL),
  (1, '2024-01-10 10:00', NULL, true, 20),         -- second conversion at that instant: nothing left
  (1, '2024-03-01 09:00', NULL, true, 30),         -- no touchpoint: direct/none
  (1, '2024-03-02 09:00', 'tiktok', false, NULL),  -- after the last conversion: a non-converting path
  (1, '2024-03-03 09:00', NULL, NULL, NULL),       -- neither touch nor conversion
  (2, '2024-01-01 10:00', 'google', false, NULL),
  (2, '2024-02-20 10:00', NULL, true, 10),         -- google is 50 days back: outside a 30-day window
  (3, '2024-01-01 10:00', 'facebook', false, NULL),
  (3, '2024-01-02 10:00', 'google', false, NULL),  -- never converts
  (4, NULL, 'google', false, NULL);                -- no time: ignored
CREATE TABLE at_paths AS
SELECT user_id, (unnest(journey_conversion_paths(ts, channel, conversion, revenue, '30 days'))).*
FROM at_events GROUP BY user_id;
SELECT * FROM at_paths ORDER BY user_id, conversion_number NULLS LAST;
-- reuse: every conversion sees every touchpoint in its window
SELECT user_id, (p).conversion_number, (p).channels
FROM (SELECT user_id, unnest(journey_conversion_paths(ts, channel, conversion, revenue, '30 days', true)) p
      FROM at_events GROUP BY user_id) s ORDER BY 1, 2 NULLS LAST;
-- the same paths with a 1-day window
SELECT user_id, (p).conversion_number, (p).channels
FROM (SELECT user_id, unnest(journey_conversion_paths(ts, channel, conversion, revenue, '1 day')) p
      FROM at_events GROUP BY user_id) s ORDER BY 1, 2 NULLS LAST;
-- every model on the first conversion (google 5 d 2 h, facebook 1 d 2 h, direct 2 h before it)
SELECT m.model, c.touch, c.channel, round(c.credit::numeric, 6) AS credit
FROM at_paths p, unnest(ARRAY['first', 'last', 'last_non_direct', 'linear', 'time_decay', 'position']) m(model),
     journey_attribution_credit(p.channels, p.touch_ts, p.conversion_ts, m.model) c
WHERE p.user_id = 1 AND p.conversion_number = 1 ORDER BY 1, 2;
-- time decay by hand: 2^(-age/7 days) normalised
SELECT round((2 ^ (-(122.0 / 168)) / (2 ^ (-(122.0 / 168)) + 2 ^ (-(26.0 / 168)) + 2 ^ (-(2.0 / 168))))::numeric, 6) AS google_by_hand;
-- position weights 30/40/30 and a 1-day half-life
SELECT * FROM journey_attribution_credit('{a,b,c,d}', NULL, '2024-01-01', 'position', position_weights => '{3,4,3}');
SELECT * FROM journey_attribution_credit('{a,b}', '{2024-01-01,2024-01-02}', '2024-01-02', 'time_decay', half_life => '1 day');
-- last_non_direct with every touch direct, and a custom direct list
SELECT * FROM journey_attribution_credit('{direct,direct}', NULL, '2024-01-01', 'last_non_direct');
SELECT * FROM journey_attribution_credit('{seo,direct,(none)}', NULL, '2024-01-01', 'last_non_direct', direct_channels => '{direct,(none)}');
-- no touchpoints: direct/none; a non-converting path: no credit
SELECT * FROM journey_attribution_credit('{}', '{}', '2024-01-01', 'linear');
SELECT count(*) FROM journey_attribution_credit('{a}', NULL, NULL, 'linear');
-- BI rows: channel, conversions credited, revenue credited, share (linear and last touch)
SELECT m.model, c.channel, round(sum(c.credit)::numeric, 4) AS conversions,
       round(sum(c.credit * coalesce(p.revenue, 0))::numeric, 2) AS revenue,
       round((sum(c.credit) / sum(sum(c.credit)) OVER (PARTITION BY m.model))::numeric, 4) AS share
FROM at_paths p, unnest(ARRAY['last', 'linear']) m(model),
     journey_attribution_credit(p.channels, p.touch_ts, p.conversion_ts, m.model) c
WHERE p.converted GROUP BY 1, 2 ORDER BY 1, 2;
-- Markov on these paths
SELECT (r).channel, round((r).removal_effect::numeric, 6) AS removal_effect, round((r).conversions::numeric, 4) AS conversions,
       round((r).revenue::numeric, 2) AS revenue, round((r).share::numeric, 6) AS share
FROM (SELECT unnest(journey_markov_attribution(channels, converted, revenue)) r FROM at_paths) s;
-- a chain solved by hand: A>B converts, A does not, B converts.  P(conv) = 2/3; without A 1/3
-- (removal effect 1/2), without B 0 (removal effect 1): shares 1/3 and 2/3
SELECT (r).* FROM (SELECT unnest(journey_markov_attribution(c, v, 1)) r
  FROM (VALUES ('{A,B}'::text[], true), ('{A}', false), ('{B}', true), (NULL, true), ('{A}', NULL)) t(c, v)) s;
-- nothing converts: removal effects 0
SELECT (r).* FROM (SELECT unnest(journey_markov_attribution('{A}', false, NULL)) r) s;
-- no paths: NULL
SELECT journey_markov_attribution(c, true, 1) IS NULL FROM (SELECT '{}'::text[] WHERE false) t(c);
SELECT journey_markov_attribution('{}', false, 1) IS NULL;
-- order 2 by hand: A>B converts, B>A does not, A converts.  States (start,start), (start,A), (start,B),
-- (A,B), (B,A).  P = 2/3; without A every state but (start,B) goes: 0 (removal effect 1); without B
-- (start,B) and (A,B) go: 2/3 * 1/2 = 1/3 (removal effect 1/2).  Order 1 on the same paths differs.
SELECT k, (r).channel, round((r).removal_effect::numeric, 12) AS removal_effect, round((r).share::numeric, 12) AS share
FROM (SELECT k, unnest(journey_markov_attribution(c, v, 1, k)) r
      FROM (VALUES ('{A,B}'::text[], true), ('{B,A}', false), ('{A}', true)) t(c, v), (VALUES (1), (2)) o(k)
      GROUP BY k) s ORDER BY 1, 2;
-- the chain itself: transition counts (symbols: 0 start padding, 1.. channels by name, -1 conversion, -2 null)
SELECT journey_markov_chain(c, v, 1, 2) FROM (VALUES ('{A,B}'::text[], true), ('{B,A}', false), ('{A}', true)) t(c, v);
SELECT journey_markov_credits(journey_markov_chain(c, v, 1, 2)) = journey_markov_attribution(c, v, 1, 2) AS same
FROM (VALUES ('{A,B}'::text[], true), ('{B,A}', false), ('{A}', true)) t(c, v);
-- per-conversion Markov rows (drill-down): removal effects shared within each path; they sum to one per conversion
CREATE TABLE at_mk AS SELECT journey_markov_attribution(channels, converted, revenue) AS cr FROM at_paths;
SELECT p.user_id, p.conversion_number, c.touch, c.channel, round(c.credit::numeric, 6) AS credit
FROM at_paths p, at_mk m, journey_markov_credit(p.channels, p.converted, m.cr) c ORDER BY 1, 2, 3;
SELECT c.channel, round(sum(c.credit)::numeric, 6) AS conversions, round(sum(c.credit * p.revenue)::numeric, 4) AS revenue
FROM at_paths p, at_mk m, journey_markov_credit(p.channels, p.converted, m.cr) c GROUP BY 1 ORDER BY 1;
SELECT * FROM journey_markov_credit('{a,b,a}', true, '{"(a,0,0,0,0)","(b,0,0,0,0)"}');
SELECT count(*) FROM journey_markov_credit('{a}', false, '{"(a,1,1,1,1)"}');
-- roll-up: partial chains (per user here; per partition, day or node alike) add up to the chain of all paths
SELECT rollup(m)::text = (SELECT journey_markov_chain(channels, converted, revenue)::text FROM at_paths) AS rollup_equals_all,
       journey_markov_credits(rollup(m)) = (SELECT cr FROM at_mk) AS same_credits
FROM (SELECT user_id, journey_markov_chain(channels, converted, revenue) m FROM at_paths GROUP BY user_id) s;
-- text I/O is lossless; binary send/recv round-trips through COPY BINARY
CREATE TABLE at_chains AS
SELECT k, journey_markov_chain(channels, converted, revenue * 1.1, k) AS m FROM at_paths, generate_series(1, 4) k GROUP BY k;
SELECT k, m::text::journey_markov_chain::text = m::text AS text_roundtrip FROM at_chains ORDER BY k;
CREATE TABLE at_bin (k int, m journey_markov_chain);
SELECT '/tmp/journey_attribution_' || pg_backend_pid() || '.bin' AS binfile \gset
\setenv JY_BINFILE :binfile
\copy at_chains TO PROGRAM 'cat > "$JY_BINFILE"' (FORMAT binary)
\copy at_bin FROM PROGRAM 'cat "$JY_BINFILE"; rm -f "$JY_BINFILE"' (FORMAT binary)
SELECT bool_and(b.m::text = c.m::text) AS binary_roundtrip, count(*) FROM at_bin b JOIN at_chains c USING (k);
SELECT '{"version":1,"order":1,"paths":2,"conversions":1,"revenue":2.5,"channels":["a","b \"q\"\u0001"],"transitions":[[0,1,2],[1,-2,1],[1,2,1],[2,-1,1]]}'::journey_markov_chain;
-- parallel plans: the chain aggregates have a combine function (state journey_markov_chain)
CREATE TABLE at_many AS
SELECT g AS id, ARRAY(SELECT (ARRAY['seo', 'ads', 'mail', 'social'])[1 + abs(hashint4(g * 8 + i)) % 4] FROM generate_series(1, 1 + g % 4) i) AS c,
       abs(hashint4(g)) % 3 = 0 AS v, (g % 50)::float8 AS r
FROM generate_series(1, 20000) g;
ANALYZE at_many;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT journey_markov_attribution(c, v, r, 2) FROM at_many;
EXPLAIN (COSTS OFF) SELECT journey_markov_chain(c, v, r) FROM at_many;
CREATE TABLE at_parallel AS SELECT journey_markov_chain(c, v, r, 2)::text AS m, journey_markov_attribution(c, v, r, 2)::text AS a FROM at_many;
SET max_parallel_workers_per_gather = 0;
SELECT p.m = s.m AS chain_equal, p.a = s.a AS credits_equal
FROM at_parallel p, (SELECT journey_markov_chain(c, v, r, 2)::text AS m, journey_markov_attribution(c, v, r, 2)::text AS a FROM at_many) s;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
SELECT k, (r).channel, round((r).removal_effect::numeric, 6) AS removal_effect, round((r).share::numeric, 6) AS share
FROM (SELECT k, unnest(journey_markov_attribution(c, v, r, k)) r FROM at_many, generate_series(1, 3) k GROUP BY k) s ORDER BY 1, 2;
-- stored journeys: touchpoints as events named utm:<source>, conversions as purchase
CREATE TABLE at_journeys AS
SELECT user_id, journey_agg(ts, coalesce('utm:' || channel, 'purchase')) AS j
FROM at_events WHERE ts IS NOT NULL AND (channel IS NOT NULL OR conversion) GROUP BY user_id;
SELECT user_id, (p).conversion_number, (p).channels
FROM (SELECT s.user_id, unnest(journey_conversion_paths(e.ts, CASE WHEN e.event LIKE 'utm:%' THEN substr(e.event, 5) END, e.event = 'purchase', NULL, '30 days')) p
      FROM at_journeys s, journey_events(s.j) e WHERE e.event LIKE 'utm:%' OR e.event = 'purchase' GROUP BY s.user_id) q
ORDER BY 1, 2 NULLS LAST;
-- errors
\set VERBOSITY terse
SELECT journey_conversion_paths(ts, channel, conversion, revenue, NULL) FROM at_events;
SELECT journey_conversion_paths(ts, channel, conversion, revenue, '0') FROM at_events;
SELECT journey_conversion_paths(ts, channel, conversion, revenue, '-1 day') FROM at_events;
SELECT journey_conversion_paths(ts, channel, conversion, revenue, CASE WHEN user_id = 1 THEN '1 day' ELSE '2 days' END::interval) FROM at_events;
SELECT journey_conversion_paths(ts, channel, conversion, revenue, '1 day', NULL) FROM at_events;
SELECT journey_conversion_paths('infinity', 'x', true, 1, '1 day');
SELECT journey_conversion_paths(now(), 'x', true, 'NaN', '1 day');
SELECT journey_conversion_paths(now(), repeat('x', 1025), true, 1, '1 day');
SELECT journey_conversion_paths_trans(NULL, now(), 'x', true, 1, '1 day');
SELECT * FROM journey_attribution_credit('{a}', NULL, now(), 'nope');
SELECT * FROM journey_attribution_credit('{a}', NULL, now(), NULL);
SELECT * FROM journey_attribution_credit(NULL, NULL, now(), 'linear');
SELECT * FROM journey_attribution_credit('{a,NULL}', NULL, now(), 'linear');
SELECT * FROM journey_attribution_credit('{a,b}', '{2024-01-01}', now(), 'linear');
SELECT * FROM journey_attribution_credit('{a}', NULL, now(), 'time_decay');
SELECT * FROM journey_attribution_credit('{a}', '{infinity}', now(), 'time_decay');
SELECT * FROM journey_attribution_credit('{a}', '{2024-01-01}', now(), 'time_decay', '0');
SELECT * FROM journey_attribution_credit('{a}', '{2024-01-01}', now(), 'time_decay', NULL);
SELECT * FROM journey_attribution_credit('{a}', NULL, now(), 'position', position_weights => '{1,2}');
SELECT * FROM journey_attribution_credit('{a}', NULL, now(), 'position', position_weights => '{1,-2,1}');
SELECT * FROM journey_attribution_credit('{a}', NULL, now(), 'position', position_weights => '{0,0,0}');
SELECT * FROM journey_attribution_credit('{a}', NULL, now(), 'position', position_weights => '{1,NaN,1}');
SELECT * FROM journey_attribution_credit('{a}', NULL, now(), 'position', position_weights => NULL);
SELECT * FROM journey_attribution_credit('{{a}}', NULL, now(), 'linear');
SELECT * FROM journey_attribution_credit('{a}', NULL, now(), 'last_non_direct', direct_channels => '{NULL}');
SELECT journey_markov_attribution('{a,NULL}', true, 1);
SELECT journey_markov_attribution('{a}', true, 'Infinity');
SELECT journey_markov_attribution(ARRAY['c' || g], true, 1) FROM generate_series(1, 300) g;
SELECT journey_markov_chain_trans(NULL, '{a}', true, 1);
SELECT journey_markov_chain_merge(NULL, NULL);
SELECT journey_markov_attribution('{a}', true, 1, 0);
SELECT journey_markov_attribution('{a}', true, 1, 5);
SELECT journey_markov_attribution('{a}', true, 1, NULL);
SELECT journey_markov_attribution(c, true, 1, k) FROM (VALUES ('{a}'::text[], 1), ('{b}', 2)) t(c, k);
SELECT rollup(m) FROM at_chains;
SELECT journey_markov_attribution(ARRAY['c' || g % 50, 'd' || (g / 50) % 50], true, 1, 2) FROM generate_series(1, 2500) g;
SELECT journey_markov_attribution(ARRAY[repeat('x', 1025)], true, 1, 2);
SELECT * FROM journey_markov_credit('{a}', true, NULL);
SELECT * FROM journey_markov_credit(NULL, true, '{}');
SELECT * FROM journey_markov_credit('{a}', true, '{"(b,1,1,1,1)"}');
SELECT * FROM journey_markov_credit('{a}', true, '{"(a,-1,1,1,1)"}');
SELECT * FROM journey_markov_credit('{a}', true, '{"(a,,1,1,1)"}');
SELECT * FROM journey_markov_credit('{a}', true, ARRAY[NULL]::journey_channel_credit[]);
SELECT * FROM journey_markov_credit('{a}', true, '{"(a,1,1,1,1)","(a,0,0,0,0)"}');
SELECT '{"version":2,"order":1,"paths":0,"conversions":0,"revenue":0,"channels":[],"transitions":[]}'::journey_markov_chain;
SELECT '{"version":1,"order":5,"paths":0,"conversions":0,"revenue":0,"channels":[],"transitions":[]}'::journey_markov_chain;
SELECT '{"version":1,"order":1,"paths":1,"conversions":2,"revenue":0,"channels":[],"transitions":[]}'::journey_markov_chain;
SELECT '{"version":1,"order":1,"paths":1,"conversions":1,"revenue":0,"channels":["b","a"],"transitions":[]}'::journey_markov_chain;
SELECT '{"version":1,"order":1,"paths":1,"conversions":1,"revenue":0,"channels":["a"],"transitions":[[0,2,1]]}'::journey_markov_chain;
SELECT '{"version":1,"order":2,"paths":1,"conversions":1,"revenue":0,"channels":["a"],"transitions":[[1,0,-1,1]]}'::journey_markov_chain;
SELECT '{"version":1,"order":1,"paths":1,"conversions":1,"revenue":0,"channels":["a"],"transitions":[[1,-1,1],[0,1,1]]}'::journey_markov_chain;
SELECT '{"version":1,"order":1,"paths":1,"conversions":1,"revenue":0,"channels":["a"],"transitions":[[0,1,0]]}'::journey_markov_chain;
SELECT '{"version":1,"order":1,"paths":1,"conversions":1,"revenue":0,"channels":["a\u0000"],"transitions":[]}'::journey_markov_chain;
SELECT '{"version":1,"order":1,"paths":1,"conversions":1,"revenue":0,"channels":[],"transitions":[]} x'::journey_markov_chain;
\set VERBOSITY default
DROP TABLE at_events, at_paths, at_journeys, at_mk, at_chains, at_bin, at_many, at_parallel;
RESET timezone;
