-- @name journey type: build per-user journeys, read paths back from stored journeys
-- Build: journey_agg(ts, event) per user vs the plain array_agg of (ts, event) in order (what the
-- journey replaces).  Read: the path text of every user from stored journeys vs from the raw rows.
-- Storage (bytes per event, journey vs heap row) is printed by the check's companion query in
-- doc/journey.md; the check here proves the stored journeys hold exactly the raw events.
-- @setup
CREATE TABLE IF NOT EXISTS bench_journeys AS SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id;
ANALYZE bench_journeys;
-- @check
SELECT (SELECT count(*) FROM bench_journeys b, journey_events(b.j)) = (SELECT count(*) FROM events)
   AND (SELECT bool_and(p.path = journey_path(b.j))
        FROM bench_journeys b
        JOIN (SELECT user_id, string_agg(event, ' > ' ORDER BY ts, event COLLATE "C") AS path FROM events GROUP BY user_id) p
        USING (user_id))
-- @floor
SELECT user_id, count(*) FROM events GROUP BY user_id
-- @plain
SELECT user_id, array_agg(ts ORDER BY ts, event COLLATE "C"), array_agg(event ORDER BY ts, event COLLATE "C") FROM events GROUP BY user_id
-- @journey build journey_agg
SELECT user_id, journey_agg(ts, event) FROM events GROUP BY user_id
-- @journey path from stored journeys (plain: string_agg over events)
SELECT user_id, journey_path(j) FROM bench_journeys
