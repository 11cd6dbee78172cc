-- @name identity stitching over as many links as events (10M at full scale)
-- Links: every device d<g> logs in to one of n/3 accounts (u<hash(g)>), so persons have ~3 devices;
-- one link in 1000 goes to a shared account.  Floor: one hash GROUP BY over the links (reading and hashing
-- every identifier once).  No plain-SQL variant: a recursive-CTE connected components takes hours at 10M.
-- @setup
CREATE UNLOGGED TABLE IF NOT EXISTS bench_links AS
SELECT 'anonymous_id'::text AS ka, 'd' || g AS a, 'user_id'::text AS kb,
       CASE WHEN g % 1000 = 0 THEN 'u-shared' ELSE 'u' || (g * 2654435761 % greatest(n / 3, 1)) END AS b,
       timestamptz '2024-01-01' + g * interval '1 second' AS ts
FROM (SELECT count(*) AS n FROM events) c, generate_series(1, c.n) g;
ANALYZE bench_links;
-- @check
SELECT count(*) = (SELECT count(DISTINCT a) + count(DISTINCT b) FROM bench_links)
FROM journey_identity_stitch('SELECT ka, a, kb, b FROM bench_links')
-- @floor
SELECT a, count(*) FROM bench_links GROUP BY a
-- @journey stitch
SELECT * FROM journey_identity_stitch('SELECT ka, a, kb, b FROM bench_links')
-- @journey stitch, at most 1 user_id per person (links sorted by time)
SELECT * FROM journey_identity_stitch('SELECT ka, a, kb, b, ts FROM bench_links', '{user_id}', '{1}')
-- @teardown
DROP TABLE IF EXISTS bench_links;
