-- @name sessionize
-- The same session numbers three ways, each summed so nothing is optimized away.
-- @check
-- One sort: the inner WindowAgg computes sessionize and the LAG flag over the same (user_id, ts)
-- order; the outer running SUM reads that order as it comes (no second sort), so each row's
-- sessionize number is compared with the plain running sum of the same row.
SELECT count(*) FILTER (WHERE s IS DISTINCT FROM p) = 0 AND count(*) = (SELECT count(*) FROM events) AND count(*) > 0
FROM (SELECT s, sum(b) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS p
      FROM (SELECT user_id, ts, sessionize(ts, '30 minutes') OVER w AS s,
                   CASE WHEN ts - lag(ts) OVER w <= '30 minutes' THEN 0 ELSE 1 END AS b
            FROM events WINDOW w AS (PARTITION BY user_id ORDER BY ts)) y) x;
-- @floor
SELECT sum(rn) FROM (SELECT row_number() OVER (PARTITION BY user_id ORDER BY ts) AS rn FROM events) x
-- @plain
SELECT sum(s) FROM (
  SELECT sum(b) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS s
  FROM (SELECT user_id, ts, CASE WHEN ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) <= '30 minutes' THEN 0 ELSE 1 END AS b
        FROM events) y) x
-- @journey sessionize
SELECT sum(s) FROM (SELECT sessionize(ts, '30 minutes') OVER (PARTITION BY user_id ORDER BY ts) AS s FROM events) x
