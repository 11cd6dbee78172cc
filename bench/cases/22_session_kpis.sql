-- @name session KPIs
-- Overall session KPIs: per-user session_stats rolled up, vs the plain-SQL way.
-- @check
WITH j AS (SELECT (session_kpis(rollup(s))).* FROM (SELECT session_stats(ts) s FROM events GROUP BY user_id) x),
p AS (
  SELECT count(*) AS sessions, sum(n) AS events, count(*) FILTER (WHERE n = 1) AS bounces, avg(d) AS avg_duration,
         percentile_disc(0.5) WITHIN GROUP (ORDER BY d) AS median_duration
  FROM (SELECT user_id, sn, count(*) AS n, max(ts) - min(ts) AS d
        FROM (SELECT user_id, ts, sum(b) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sn
              FROM (SELECT user_id, ts, CASE WHEN ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) <= '30 minutes' THEN 0 ELSE 1 END AS b
                    FROM events) a) b
        GROUP BY user_id, sn) s)
SELECT j.sessions = p.sessions AND j.events = p.events AND j.bounces = p.bounces
   AND abs(extract(epoch FROM j.avg_duration - p.avg_duration)) < 1e-6
   AND abs(extract(epoch FROM j.median_duration) - extract(epoch FROM p.median_duration))
       <= 0.004 * extract(epoch FROM p.median_duration)
FROM j, p;
-- @once plain
-- @floor
SELECT user_id, count(*) FROM events GROUP BY user_id
-- @plain
SELECT count(*) AS sessions, sum(n) AS events, count(*) FILTER (WHERE n = 1) AS bounces, avg(d),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY d)
FROM (SELECT user_id, sn, count(*) AS n, max(ts) - min(ts) AS d
      FROM (SELECT user_id, ts, sum(b) OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS sn
            FROM (SELECT user_id, ts, CASE WHEN ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) <= '30 minutes' THEN 0 ELSE 1 END AS b
                  FROM events) a) b
      GROUP BY user_id, sn) s
-- @journey session_stats+rollup
SELECT (session_kpis(rollup(s))).* FROM (SELECT session_stats(ts) s FROM events GROUP BY user_id) x
