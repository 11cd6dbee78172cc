\pset footer off
\echo
\echo '== sessions: sessionize() splits each user''s events at 30 minutes of inactivity'
SELECT user_id, ts, event,
       sessionize(ts) OVER w AS session,
       session_key(user_id, session_start(ts) OVER w) AS session_key
FROM events WHERE user_id = 7
WINDOW w AS (PARTITION BY user_id ORDER BY ts)
ORDER BY ts LIMIT 8;
\echo
\echo '-- session KPIs overall: per-user session_stats(), rolled up'
SELECT (session_kpis(rollup(s))).*
FROM (SELECT user_id, session_stats(ts) AS s FROM events GROUP BY user_id) per_user;
\echo
\echo '-- session KPIs by first-touch channel (utm_source of the first event of each user)'
SELECT utm_source, session_count(r) AS sessions, round(bounce_rate(r)::numeric, 3) AS bounce_rate,
       round(events_per_session(r)::numeric, 2) AS events_per_session, median_duration(r) AS median_duration
FROM (SELECT utm_source, rollup(s) AS r
      FROM (SELECT user_id, (array_agg(utm_source ORDER BY ts))[1] AS utm_source, session_stats(ts) AS s FROM events GROUP BY user_id) u
      GROUP BY utm_source) c
ORDER BY sessions DESC;
