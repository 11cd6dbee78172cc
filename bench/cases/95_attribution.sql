-- @name attribution: conversion paths per user + channel credit (touchpoints = page views' utm_source)
-- Per user: purchases are conversions, page views carry the channel; 30-day lookback, touchpoints reused
-- (so last touch has a plain-SQL twin).  Floor: one GROUP BY user_id pass.  Plain: last touch per purchase
-- with a LATERAL ... ORDER BY ts DESC LIMIT 1 over an index, counted per channel.
-- @setup
CREATE INDEX IF NOT EXISTS events_attr_idx ON events (user_id, ts) WHERE event = 'page_view';
ANALYZE events;
-- @check
WITH j AS (SELECT c.channel, sum(c.credit) AS n
           FROM (SELECT unnest(journey_conversion_paths(ts, CASE WHEN event = 'page_view' THEN utm_source END,
                                                        event = 'purchase', revenue::float8, '30 days', true)) p
                 FROM events GROUP BY user_id) s,
                journey_attribution_credit((p).channels, (p).touch_ts, (p).conversion_ts, 'last') c
           WHERE (p).converted GROUP BY 1),
p AS (SELECT coalesce(t.utm_source, 'direct/none') AS channel, count(*) AS n
      FROM events b LEFT JOIN LATERAL (SELECT utm_source FROM events v WHERE v.user_id = b.user_id AND v.event = 'page_view'
                                       AND v.ts <= b.ts AND v.ts >= b.ts - interval '30 days'
                                       ORDER BY v.ts DESC, v.utm_source DESC LIMIT 1) t ON true
      WHERE b.event = 'purchase' GROUP BY 1)
SELECT count(*) = (SELECT count(*) FROM p) AND bool_and(j.n = p.n) FROM j JOIN p USING (channel)
-- @floor
SELECT user_id, count(*) FROM events GROUP BY user_id
-- @plain
SELECT coalesce(t.utm_source, 'direct/none') AS channel, count(*)
FROM events b LEFT JOIN LATERAL (SELECT utm_source FROM events v WHERE v.user_id = b.user_id AND v.event = 'page_view'
                                 AND v.ts <= b.ts AND v.ts >= b.ts - interval '30 days'
                                 ORDER BY v.ts DESC, v.utm_source DESC LIMIT 1) t ON true
WHERE b.event = 'purchase' GROUP BY 1
-- @journey last touch
SELECT c.channel, sum(c.credit)
FROM (SELECT unnest(journey_conversion_paths(ts, CASE WHEN event = 'page_view' THEN utm_source END,
                                             event = 'purchase', revenue::float8, '30 days', true)) p
      FROM events GROUP BY user_id) s,
     journey_attribution_credit((p).channels, (p).touch_ts, (p).conversion_ts, 'last') c
WHERE (p).converted GROUP BY 1
-- @journey paths only
SELECT user_id, journey_conversion_paths(ts, CASE WHEN event = 'page_view' THEN utm_source END,
                                         event = 'purchase', revenue::float8, '30 days', true)
FROM events GROUP BY user_id
-- @journey markov
SELECT (r).* FROM (SELECT unnest(journey_markov_attribution((p).channels, (p).converted, (p).revenue)) r
  FROM (SELECT unnest(journey_conversion_paths(ts, CASE WHEN event = 'page_view' THEN utm_source END,
                                               event = 'purchase', revenue::float8, '30 days')) p
        FROM events GROUP BY user_id) s) m
-- @journey markov order 2
SELECT (r).* FROM (SELECT unnest(journey_markov_attribution((p).channels, (p).converted, (p).revenue, 2)) r
  FROM (SELECT unnest(journey_conversion_paths(ts, CASE WHEN event = 'page_view' THEN utm_source END,
                                               event = 'purchase', revenue::float8, '30 days')) p
        FROM events GROUP BY user_id) s) m
-- @teardown
DROP INDEX IF EXISTS events_attr_idx;
