-- @name sessionize
-- The same session numbers three ways, each summed so nothing is optimized away.
-- @check
SELECT (SELECT count(*) FROM (
          SELECT user_id, ts, sessionize(ts, '30 minutes') OVER w AS s FROM events WINDOW w AS (PARTITION BY user_id ORDER BY ts)
          EXCEPT ALL
          SELECT user_id, ts, sum(b) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING)
          FROM (SELECT user_id, ts, CASE WHEN ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) <= '30 minutes' THEN 0 ELSE 1 END AS b
                FROM events) y) d) = 0
   AND (SELECT count(*) FROM events) > 0;
-- @floor
SELECT sum(rn) FROM (SELECT row_number() OVER (PARTITION BY user_id ORDER BY ts) AS rn FROM events) x
-- @plain
SELECT sum(s) FROM (
  SELECT sum(b) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS s
  FROM (SELECT user_id, ts, CASE WHEN ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) <= '30 minutes' THEN 0 ELSE 1 END AS b
        FROM events) y) x
-- @journey sessionize
SELECT sum(s) FROM (SELECT sessionize(ts, '30 minutes') OVER (PARTITION BY user_id ORDER BY ts) AS s FROM events) x
