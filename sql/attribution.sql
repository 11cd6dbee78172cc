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
SELECT journey_markov_trans(NULL, '{a}', true, 1);
\set VERBOSITY default
DROP TABLE at_events, at_paths, at_journeys;
RESET timezone;
