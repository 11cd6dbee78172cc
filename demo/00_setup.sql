\pset footer off
\echo
\echo '== journey demo: customer-journey analytics inside PostgreSQL'
CREATE EXTENSION journey;
SET timezone = 'UTC';
CREATE TABLE events AS SELECT * FROM journey_sample_events(2000, 1);
\echo '-- sample data: journey_sample_events(2000 users, seed 1)'
SELECT count(*) AS events, count(DISTINCT user_id) AS users, min(ts)::date AS first_day, max(ts)::date AS last_day,
       count(*) FILTER (WHERE event = 'purchase') AS purchases, sum(revenue) AS revenue
FROM events;
SELECT * FROM events WHERE user_id = 7 ORDER BY ts LIMIT 8;
