-- journey type: a user's whole path in one compact, lossless value
\echo '== journey type: one value per user, built with journey_agg(ts, event)'
CREATE TEMP TABLE demo_journeys AS SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id;
SELECT user_id, j FROM demo_journeys WHERE user_id = 2;
\echo '== size: bytes per event, journey vs one heap row per event'
SELECT round(sum(pg_column_size(j))::numeric / sum(length(j)), 2) AS journey_bytes_per_event,
       (SELECT round(avg(pg_column_size(e.*)), 2) FROM events e) AS heap_row_bytes_per_event
FROM demo_journeys;
\echo '== accessors: length, duration, path with repeats collapsed, sessions (30 min gap)'
SELECT user_id, length(j), duration(j), journey_path(j, collapse => true) AS path,
       (SELECT count(*) FROM journey_sessions(j)) AS sessions
FROM demo_journeys WHERE user_id IN (2, 3, 4) ORDER BY user_id;
\echo '== the most common session paths (repeats collapsed): GROUP BY over journey_sessions'
SELECT journey_path(s.session, true) AS session_path, count(*) AS sessions
FROM demo_journeys, journey_sessions(j) s
GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5;
\echo '== incremental loads: daily journeys rolled up equal the whole journey'
SELECT count(*) AS users, count(*) FILTER (WHERE r.j = d.j) AS equal
FROM (SELECT user_id, rollup(j) AS j
      FROM (SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id, date_trunc('day', ts)) x
      GROUP BY user_id) r
JOIN demo_journeys d USING (user_id);
