-- journey demo: multi-touch attribution (doc/attribution.md)
\echo
\echo '== attribution: touchpoints = the first event of each session (its utm_source); conversions = purchases'
CREATE TEMP TABLE conv_paths AS
SELECT person, (unnest(journey_conversion_paths(ts, channel, event = 'purchase', revenue::float8, '30 days'))).*
FROM (SELECT person, ts, event, revenue,
             CASE WHEN lag(ts) OVER w IS NULL OR ts - lag(ts) OVER w > interval '30 minutes' THEN utm_source END AS channel
      FROM events_p WINDOW w AS (PARTITION BY person ORDER BY ts)) t
GROUP BY person;
SELECT person, conversion_number, conversion_ts, revenue, channels FROM conv_paths WHERE converted ORDER BY person LIMIT 4;
\echo '== conversions credited per channel: last touch beside the multi-touch models and the Markov chain'
WITH h AS (
  SELECT c.channel, m.model, sum(c.credit) AS conv
  FROM conv_paths p, unnest(ARRAY['last', 'first', 'linear', 'time_decay', 'position', 'last_non_direct']) m(model),
       journey_attribution_credit(p.channels, p.touch_ts, p.conversion_ts, m.model) c
  WHERE p.converted GROUP BY 1, 2),
mk AS (SELECT (r).* FROM (SELECT unnest(journey_markov_attribution(channels, converted, revenue)) r FROM conv_paths) s),
mk2 AS (SELECT (r).* FROM (SELECT unnest(journey_markov_attribution(channels, converted, revenue, 2)) r FROM conv_paths) s)
SELECT h.channel,
       round((sum(conv) FILTER (WHERE model = 'last'))::numeric, 1) AS last_touch,
       round((sum(conv) FILTER (WHERE model = 'first'))::numeric, 1) AS first_touch,
       round((sum(conv) FILTER (WHERE model = 'last_non_direct'))::numeric, 1) AS last_non_direct,
       round((sum(conv) FILTER (WHERE model = 'linear'))::numeric, 1) AS linear,
       round((sum(conv) FILTER (WHERE model = 'time_decay'))::numeric, 1) AS time_decay,
       round((sum(conv) FILTER (WHERE model = 'position'))::numeric, 1) AS position_40_20_40,
       round(min(mk.conversions)::numeric, 1) AS markov,
       round(min(mk.removal_effect)::numeric, 3) AS removal_effect,
       round(min(mk2.conversions)::numeric, 1) AS markov_order2
FROM h LEFT JOIN mk USING (channel) LEFT JOIN mk2 USING (channel) GROUP BY h.channel ORDER BY last_touch DESC;
\echo '== BI rows (Markov): channel, conversions credited, revenue credited, share'
SELECT (r).channel, round((r).conversions::numeric, 1) AS conversions, round((r).revenue::numeric, 2) AS revenue,
       round((r).share::numeric, 3) AS share
FROM (SELECT unnest(journey_markov_attribution(channels, converted, revenue)) r FROM conv_paths) s
ORDER BY 4 DESC;
\echo '== drill-down: each conversion''s Markov credit, its channels sharing it by removal effect'
SELECT p.person, p.conversion_number, c.touch, c.channel, round(c.credit::numeric, 3) AS credit
FROM conv_paths p, (SELECT journey_markov_attribution(channels, converted, revenue) cr FROM conv_paths) m,
     journey_markov_credit(p.channels, p.converted, m.cr) c
WHERE p.converted AND cardinality(p.channels) >= 3 ORDER BY 1, 2, 3 LIMIT 6;
