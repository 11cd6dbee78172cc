-- @name weekly retention matrix
-- Weekly cohorts (UTC), periods 0..12: cohort size and retained users per (cohort, week),
-- the plain-SQL way (date_trunc + count(DISTINCT)) and journey's two ways.
-- @check
WITH j AS (SELECT cohort, period_index AS k, retained_users AS n
           FROM retention_matrix((SELECT retention_summary(user_id, ts, 'week', 12, 'UTC') FROM events))
           WHERE retained_users > 0),
j2 AS (SELECT cohort, period_index AS k, retained_users AS n
       FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'week', 12, 'UTC') r FROM events GROUP BY user_id) u))
       WHERE retained_users > 0),
a AS (SELECT user_id, date_trunc('week', ts, 'UTC') AS p FROM events),
f AS (SELECT user_id, min(p) AS c FROM a GROUP BY user_id),
p AS (SELECT (f.c AT TIME ZONE 'UTC')::date AS cohort, (extract(epoch FROM a.p - f.c) / 604800)::int AS k,
             count(DISTINCT a.user_id) AS n
      FROM a JOIN f USING (user_id) GROUP BY 1, 2 HAVING (extract(epoch FROM a.p - f.c) / 604800)::int <= 12)
SELECT NOT EXISTS (SELECT * FROM j EXCEPT SELECT * FROM p) AND NOT EXISTS (SELECT * FROM p EXCEPT SELECT * FROM j)
   AND NOT EXISTS (SELECT * FROM j2 EXCEPT SELECT * FROM j) AND NOT EXISTS (SELECT * FROM j EXCEPT SELECT * FROM j2)
   AND (SELECT count(*) FROM p) > 0;
-- @once plain
-- @floor
SELECT user_id, min(ts) FROM events GROUP BY user_id
-- @plain
WITH a AS (SELECT user_id, date_trunc('week', ts, 'UTC') AS p FROM events),
f AS (SELECT user_id, min(p) AS c FROM a GROUP BY user_id)
SELECT f.c AS cohort, (extract(epoch FROM a.p - f.c) / 604800)::int AS k, count(DISTINCT a.user_id) AS retained
FROM a JOIN f USING (user_id) GROUP BY 1, 2
-- @journey one-pass summary
SELECT * FROM retention_matrix((SELECT retention_summary(user_id, ts, 'week', 12, 'UTC') FROM events))
-- @journey two-step rollup
SELECT * FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'week', 12, 'UTC') r FROM events GROUP BY user_id) u))
