-- @name sessionize+index
-- As 20_sessionize, with an index on (user_id, ts): the sort can come from the index.
-- @setup
CREATE INDEX events_user_ts ON events (user_id, ts);
VACUUM ANALYZE events;
-- @floor
SELECT sum(rn) FROM (SELECT row_number() OVER (PARTITION BY user_id ORDER BY ts) AS rn FROM events) x
-- @plain
SELECT sum(s) FROM (
  SELECT sum(b) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS s
  FROM (SELECT user_id, ts, CASE WHEN ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) <= '30 minutes' THEN 0 ELSE 1 END AS b
        FROM events) y) x
-- @journey sessionize
SELECT sum(s) FROM (SELECT sessionize(ts, '30 minutes') OVER (PARTITION BY user_id ORDER BY ts) AS s FROM events) x
-- @teardown
DROP INDEX events_user_ts;
