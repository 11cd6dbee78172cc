-- sessionize / session_start / session_key: hand-checked cases.
CREATE SCHEMA sessionize; SET search_path = sessionize, public;
SET timezone = 'UTC';
CREATE TABLE ev (u int, ts timestamptz, mark boolean);
INSERT INTO ev VALUES
 (1, '2024-01-01 10:00', false),
 (1, '2024-01-01 10:30', false),     -- gap exactly 30 min: same session
 (1, '2024-01-01 11:00:00.000001', false), -- 30 min + 1 us: new session
 (1, '2024-01-01 11:00:00.000001', false), -- same timestamp: same session
 (1, '2024-01-01 11:20', true),      -- forced split
 (1, NULL, false),                   -- NULL ts: NULL result, ignored
 (2, '2024-01-01 09:00', NULL),      -- NULL marker counts as false
 (2, '2024-01-02 09:00', false);

-- default gap of 30 minutes, boundary is "strictly greater"
SELECT u, ts, sessionize(ts) OVER w AS s, session_start(ts) OVER w AS start
FROM ev WINDOW w AS (PARTITION BY u ORDER BY ts) ORDER BY u, ts NULLS LAST;

-- forced split marker, named arguments
SELECT u, ts, mark, sessionize(ts, split => mark) OVER w AS s
FROM ev WINDOW w AS (PARTITION BY u ORDER BY ts) ORDER BY u, ts NULLS LAST;

-- a larger gap merges; a smaller gap splits more
SELECT u, ts, sessionize(ts, '1 day') OVER w AS day_gap, sessionize(ts, '10 minutes') OVER w AS ten_min
FROM ev WINDOW w AS (PARTITION BY u ORDER BY ts) ORDER BY u, ts NULLS LAST;

-- maximum session length: a session is cut when it would exceed it (exactly max stays)
CREATE TABLE clicks AS
SELECT 7 AS u, '2024-03-01 00:00'::timestamptz + make_interval(mins => m) AS ts
FROM generate_series(0, 130, 10) m;
SELECT ts, sessionize(ts, '15 minutes', '1 hour') OVER w AS s,
       session_start(ts, '15 minutes', '1 hour') OVER w AS start
FROM clicks WINDOW w AS (ORDER BY ts) ORDER BY ts;

-- NULLS FIRST: NULL rows come first and get NULL; the rest is unaffected
SELECT u, ts, sessionize(ts) OVER (PARTITION BY u ORDER BY ts NULLS FIRST) AS s
FROM ev WHERE u = 1 ORDER BY ts NULLS FIRST;

-- timestamp without time zone works the same
SELECT u, ts::timestamp, sessionize(ts::timestamp) OVER w AS s, session_start(ts::timestamp) OVER w AS start
FROM ev WHERE ts IS NOT NULL WINDOW w AS (PARTITION BY u ORDER BY ts::timestamp) ORDER BY u, ts;

-- the gap is interpreted like interval comparison: 1 day = 24 hours, 1 month = 30 days
SELECT sessionize(ts, '1 month') OVER (ORDER BY ts) FROM (VALUES ('2024-01-01'::timestamptz), ('2024-01-31'), ('2024-03-01 00:00:01')) v(ts);

-- same answer as the LAG + running SUM formulation on the sample data
CREATE TABLE sample AS SELECT * FROM journey_sample_events(300, 3);
SELECT count(*) AS rows, count(DISTINCT user_id) AS users FROM sample;
WITH j AS (
  SELECT user_id, ts, sessionize(ts, '30 minutes') OVER (PARTITION BY user_id ORDER BY ts) AS s FROM sample
), p AS (
  SELECT user_id, ts, sum(CASE WHEN prev IS NULL OR ts - prev > '30 minutes' THEN 1 ELSE 0 END)
                        OVER (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS s
  FROM (SELECT user_id, ts, lag(ts) OVER (PARTITION BY user_id ORDER BY ts) AS prev FROM sample) x
)
SELECT (SELECT array_agg(s ORDER BY user_id, ts, s) FROM j) = (SELECT array_agg(s ORDER BY user_id, ts, s) FROM p) AS same,
       (SELECT max(s) FROM j) AS max_sessions_per_user;

-- session_key: deterministic, depends on user key and session start only
SELECT session_key(42, '2024-01-01 10:00+00') = session_key('42', '2024-01-01 10:00+00') AS int_eq_text,
       session_key(42, '2024-01-01 10:00+00') = session_key(42, '2024-01-01 10:00+00') AS stable,
       session_key(42, '2024-01-01 10:00+00') <> session_key(43, '2024-01-01 10:00+00') AS differs_by_user,
       session_key(42, '2024-01-01 10:00+00') <> session_key(42, '2024-01-01 10:00:00.000001+00') AS differs_by_us,
       session_key('a', '2024-01-01') <> session_key('', '2024-01-01') AS empty_key_ok,
       substr(session_key(42, '2024-01-01 10:00+00')::text, 15, 1) AS uuid_version;
SELECT session_key(42, '2024-01-01 10:00+00');
SELECT session_key(NULL::text, now()) IS NULL AS strict;
-- incremental loads: a key computed on yesterday's rows equals today's for the same session
SELECT count(*) AS sessions, count(DISTINCT k) AS keys FROM (
  SELECT DISTINCT user_id, session_key(user_id, session_start(ts) OVER (PARTITION BY user_id ORDER BY ts)) AS k
  FROM sample) x;

-- errors
SELECT sessionize(ts, '0 seconds') OVER (ORDER BY ts) FROM ev;
SELECT sessionize(ts, '-5 minutes') OVER (ORDER BY ts) FROM ev;
SELECT sessionize(ts, NULL) OVER (ORDER BY ts) FROM ev;
SELECT sessionize(ts, '30 minutes', '10 minutes') OVER (ORDER BY ts) FROM ev;
SELECT sessionize(ts, '2147483647 months') OVER (ORDER BY ts) FROM ev;
SELECT sessionize(ts) OVER (ORDER BY ts DESC) FROM ev;          -- not ordered by ts
SELECT sessionize(ts) OVER (PARTITION BY u) FROM ev;            -- no ORDER BY: rows in any order
SELECT sessionize(ts) FROM ev;                                  -- not a window
SELECT sessionize(ts, make_interval(mins => u * 10)) OVER (ORDER BY ts) FROM ev WHERE ts IS NOT NULL; -- gap varies
