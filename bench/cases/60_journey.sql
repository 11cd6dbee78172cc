-- @name journey type: build per-user journeys; read paths back from stored journeys
-- Build: journey_agg(ts, event) per user vs the plain array_agg of ts and event in (ts, event) order
-- (what a journey replaces).  Read: every user's path text from stored journeys (@journey path) vs
-- string_agg over the raw rows.  HAVING / WHERE reference the aggregate so that the harness's
-- SELECT count(*) FROM (...) cannot drop the unused aggregate column (PostgreSQL removes unused
-- subquery outputs; without this every variant would measure only the GROUP BY).
-- @setup
CREATE TABLE IF NOT EXISTS bench_journeys AS SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id;
ANALYZE bench_journeys;
-- @check
SELECT (SELECT count(*) FROM bench_journeys b, journey_events(b.j)) = (SELECT count(*) FROM events)
   AND (SELECT bool_and(p.path = journey_path(b.j))
        FROM bench_journeys b
        JOIN (SELECT user_id, string_agg(event, ' > ' ORDER BY ts, event COLLATE "C") AS path FROM events GROUP BY user_id) p
        USING (user_id))
-- @measure journey storage, bytes/event (the stored table bench_journeys(user_id, j) with TOAST and no index)
SELECT pg_total_relation_size('bench_journeys')::float8 / (SELECT count(*) FROM events)
-- @measure journey values alone, bytes/event (sum of pg_column_size(j))
SELECT sum(pg_column_size(j))::float8 / (SELECT count(*) FROM events) FROM bench_journeys
-- @measure events heap, bytes/event (the same events as rows: user_id, ts, event and the other columns)
SELECT pg_relation_size('events')::float8 / (SELECT count(*) FROM events)
-- @measure the same information as rows, bytes/event (a table of just user_id, ts, event)
CREATE TEMP TABLE bench_narrow AS SELECT user_id, ts, event FROM events;
SELECT pg_relation_size('bench_narrow')::float8 / (SELECT count(*) FROM events)
-- @once plain
-- @floor
SELECT user_id, count(*) FROM events GROUP BY user_id HAVING count(*) > 0
-- @plain
SELECT user_id, array_agg(ts ORDER BY ts, event COLLATE "C") AS t, array_agg(event ORDER BY ts, event COLLATE "C") AS e
FROM events GROUP BY user_id
HAVING array_agg(ts ORDER BY ts, event COLLATE "C") IS NOT NULL AND array_agg(event ORDER BY ts, event COLLATE "C") IS NOT NULL
-- @journey build journey_agg
SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id HAVING journey_agg(ts, event) IS NOT NULL
-- @journey path from stored journeys (plain equivalent: string_agg over events, see doc/journey.md)
SELECT user_id, journey_path(j) AS p FROM bench_journeys WHERE journey_path(j) IS NOT NULL
