\pset footer off
\echo
\echo '== retention: weekly cohorts (first activity), share of each cohort active k weeks later'
SELECT cohort, max(cohort_size) AS users,
       string_agg(to_char(100 * retention_rate, 'FM990') || '%', ' ' ORDER BY period_index) AS "week 0 1 2 3 ..."
FROM retention_matrix((SELECT retention_summary(user_id, ts, 'week', 8, 'UTC') FROM events))
GROUP BY cohort ORDER BY cohort LIMIT 5;
\echo
\echo '-- the same, heatmap rows for a BI tool (cohort, period_index, cohort_size, retained_users, retention_rate)'
SELECT * FROM retention_matrix((SELECT retention_summary(user_id, ts, 'week', 8, 'UTC') FROM events)) LIMIT 3;
\echo
\echo '-- re-aggregated by first-touch channel: week-1 retention of all cohorts, from per-user summaries'
WITH per_user AS (
  SELECT user_id, (array_agg(utm_source ORDER BY ts))[1] AS channel, cohort_retention(ts, 'week', 8, 'UTC') AS r
  FROM events GROUP BY user_id)
SELECT channel, sum(cohort_size) FILTER (WHERE period_index = 0) AS users,
       round(sum(retained_users) FILTER (WHERE period_index = 1) / sum(cohort_size) FILTER (WHERE period_index = 1), 3) AS week1
FROM (SELECT channel, rollup(r) AS r FROM per_user GROUP BY channel) c, retention_matrix(c.r)
GROUP BY channel ORDER BY users DESC LIMIT 5;
\echo
\echo '-- lifecycle per week: new / returning / resurrecting / dormant users'
SELECT * FROM retention_lifecycle((SELECT retention_summary(user_id, ts, 'week', 12, 'UTC') FROM events)) LIMIT 5;
\echo
\echo '-- ClickHouse retention(): signed up, then purchased, then came back after 30 days'
SELECT sum(r[1]) AS signed_up, sum(r[2]) AS purchased, sum(r[3]) AS active_after_30_days
FROM (SELECT retention(event = 'signup', event = 'purchase', ts > min_ts + interval '30 days') AS r
      FROM (SELECT *, min(ts) OVER (PARTITION BY user_id) AS min_ts FROM events) e GROUP BY user_id) x;
