-- journey type: construction, text/binary round trips, accessors, merge, equality, limits, malformed input.
CREATE SCHEMA journey_type; SET search_path = journey_type, public;
SET timezone = 'UTC';

-- ---- text I/O: readable and lossless ----------------------------------------
SELECT '[]'::journey AS empty,
       '[2024-01-01 10:00:00+00 page_view]'::journey AS one,
       '[2024-01-01 10:00:00+00 page_view, +12.5s search, +0s add_to_cart, +1d2h3m4.000001s "my event"]'::journey AS four;
-- ties are put in name order; absolute times and offsets are accepted; output is UTC with steps
SELECT '[2024-01-01T12:00:00+02:00 b, +0s a, 2024-01-01 10:00:07.250Z c,+1h c]'::journey;
-- quoting: names with special characters, escapes, the empty name, UTF-8 stays bare
SELECT '[2024-01-01 10:00:00Z "Order Completed", +1s "a,b", +1s "q\"x\\y", +1s "line\nbreak", +1s "", +1s café]'::journey;
-- out(in(x)) = x, and in(out(x)) is the same value (binary equal)
CREATE TABLE lit (id int, j journey);
INSERT INTO lit VALUES
 (1, '[]'), (2, '[2024-01-01 10:00:00+00 page_view]'),
 (3, '[2024-01-01 10:00:00+00 page_view, +12.5s search, +0s add_to_cart, +1d2h3m4.000001s "my event"]'),
 (4, '[0001-01-01 00:00:00+00 a, 9999-12-31 23:59:59.999999+00 b]'),
 (5, '[2024-01-01 10:00:00Z "Order Completed", +1s "a,b", +1s "q\"x\\y", +1s "line\nbreak", +1s "", +1s café]'),
 (6, '[1999-12-31 23:59:59.999999Z x, +1s y, +0.000001s y, +3652d z]');
SELECT id, j::text::journey = j AS text_roundtrip, j::text = j::text::journey::text AS text_stable,
       journey_send(j::text::journey) = journey_send(j) AS same_bytes
FROM lit ORDER BY id;

-- ---- construction on the sample data, checked against plain SQL -------------
CREATE TABLE ev AS SELECT user_id, ts, event FROM journey_sample_events(500, 3);
CREATE TABLE uj AS SELECT user_id, journey_agg(ts, event) AS j FROM ev GROUP BY user_id;
-- every event, in (time, name) order, nothing lost or invented
SELECT count(*) AS mismatches FROM (
  (SELECT u.user_id, e.position, e.ts, e.event FROM uj u, journey_events(u.j) e
   EXCEPT ALL
   SELECT user_id, row_number() OVER (PARTITION BY user_id ORDER BY ts, event COLLATE "C")::int, ts, event FROM ev)
  UNION ALL
  (SELECT user_id, row_number() OVER (PARTITION BY user_id ORDER BY ts, event COLLATE "C")::int, ts, event FROM ev
   EXCEPT ALL
   SELECT u.user_id, e.position, e.ts, e.event FROM uj u, journey_events(u.j) e)) d;
-- scalar accessors agree with plain SQL for every user
SELECT count(*) AS users,
       count(*) FILTER (WHERE length(u.j) = p.n AND first_time(u.j) = p.f AND last_time(u.j) = p.l
                        AND duration(u.j) = p.l - p.f AND distinct_events(u.j) = p.d
                        AND event_at(u.j, 1) = p.e1 AND event_at(u.j, -1) = p.elast
                        AND time_at(u.j, -1) = p.l AND event_count(u.j, 'page_view') = p.pv
                        AND journey_path(u.j) = p.path) AS agree
FROM uj u JOIN (
  SELECT user_id, count(*)::int AS n, min(ts) AS f, max(ts) AS l,
         array_agg(DISTINCT event COLLATE "C") AS d,
         (array_agg(event ORDER BY ts, event COLLATE "C"))[1] AS e1,
         (array_agg(event ORDER BY ts DESC, event COLLATE "C" DESC))[1] AS elast,
         count(*) FILTER (WHERE event = 'page_view')::int AS pv,
         string_agg(event, ' > ' ORDER BY ts, event COLLATE "C") AS path
  FROM ev GROUP BY user_id) p USING (user_id);
-- text round trip of every user's journey
SELECT count(*) AS users, count(*) FILTER (WHERE j::text::journey = j) AS text_roundtrip FROM uj;
-- input order does not matter (the value is byte-identical)
SELECT bool_and(a = b) AS order_free FROM (
  SELECT journey_agg(ts, event ORDER BY ts DESC, event DESC) AS a, journey_agg(ts, event ORDER BY md5(ts::text || event)) AS b
  FROM ev GROUP BY user_id) x;
SELECT bool_and(j = (SELECT journey_agg(ts, event) FROM ev e WHERE e.user_id = uj.user_id)) AS deterministic FROM uj;
-- NULL times and NULL events are skipped; a group with no usable row gives NULL
SELECT journey_agg(t, e) FROM (VALUES ('2024-01-01 10:00'::timestamptz, 'a'), (NULL, 'b'), ('2024-01-01 11:00', NULL)) v(t, e);
SELECT journey_agg(t, e) IS NULL AS all_null FROM (VALUES (NULL::timestamptz, 'a'), ('2024-01-01', NULL::text)) v(t, e);
SELECT journey_agg(ts, event) IS NULL AS no_rows FROM ev WHERE false;
-- duplicate (time, event) pairs are kept: a journey is a multiset
SELECT journey_agg(t, e) FROM (VALUES ('2024-01-01 10:00'::timestamptz, 'a'), ('2024-01-01 10:00', 'a')) v(t, e);
-- journey(ts[], events[])
SELECT journey(ARRAY['2024-01-01 10:05', '2024-01-01 10:00', NULL]::timestamptz[], ARRAY['b', 'a', 'c']);
SELECT journey(ARRAY['2024-01-01 10:05']::timestamptz[], ARRAY['b', 'a']);

-- ---- size: bytes per event, journey vs heap rows -----------------------------
SELECT round(sum(pg_column_size(j))::numeric / (SELECT count(*) FROM ev), 2) AS journey_bytes_per_event,
       round((SELECT sum(pg_column_size(e.*)) FROM journey_sample_events(500, 3) e)::numeric / (SELECT count(*) FROM ev), 2) AS heap_row_bytes_per_event,
       round((SELECT sum(pg_column_size(e.*)) FROM ev e)::numeric / (SELECT count(*) FROM ev), 2) AS heap_ts_event_bytes_per_event
FROM uj;

-- ---- binary I/O: send/recv and COPY (FORMAT binary) --------------------------
-- (files named by backend pid, so concurrent test runs do not collide; written and read by psql, \copy)
SELECT '/tmp/journey_type_regress_' || pg_backend_pid() AS tmpf \gset
\setenv JY_BINFILE :tmpf
\copy lit TO PROGRAM 'cat > "$JY_BINFILE"' (FORMAT binary)
CREATE TABLE lit2 (id int, j journey);
\copy lit2 FROM PROGRAM 'cat "$JY_BINFILE"' (FORMAT binary)
SELECT count(*) AS rows, count(*) FILTER (WHERE l.j = l2.j AND journey_send(l.j) = journey_send(l2.j)) AS equal
FROM lit l JOIN lit2 l2 USING (id);
\copy uj TO PROGRAM 'cat > "$JY_BINFILE"' (FORMAT binary)
CREATE TABLE uj2 (user_id bigint, j journey);
\copy uj2 FROM PROGRAM 'cat "$JY_BINFILE"' (FORMAT binary)
SELECT count(*) AS rows, count(*) FILTER (WHERE a.j = b.j) AS equal FROM uj a JOIN uj2 b USING (user_id);
-- the binary format is the storage format: version 1, flags (time unit), counts, first time, names, events
SELECT journey_send('[2000-01-01 00:00:00+00 page_view, +2s x]') AS bytes;
-- (recv of arbitrary bytes: sql/server_files.sql)

-- ---- merge: journey_merge, ||, rollup; associativity -------------------------
SELECT '[2024-01-01 10:00:00Z a, +2s c]'::journey || '[2024-01-01 10:00:01Z b, +1s a]'::journey AS merged;
-- daily journeys rolled up equal the whole journey (incremental loads)
CREATE TABLE daily AS SELECT user_id, date_trunc('day', ts) AS day, journey_agg(ts, event) AS j FROM ev GROUP BY 1, 2;
SELECT count(*) AS users, count(*) FILTER (WHERE r.j = u.j) AS rollup_equals_whole
FROM (SELECT user_id, rollup(j) AS j FROM daily GROUP BY user_id) r JOIN uj u USING (user_id);
-- (a || b) || c = a || (b || c), a || b = b || a, on three arbitrary parts of each user's events
CREATE TABLE parts AS
  SELECT user_id,
         journey_agg(ts, event) FILTER (WHERE hashtext(ts::text || event) % 3 = 0) AS a,
         journey_agg(ts, event) FILTER (WHERE hashtext(ts::text || event) % 3 IN (1, -1)) AS b,
         journey_agg(ts, event) FILTER (WHERE hashtext(ts::text || event) % 3 IN (2, -2)) AS c
  FROM ev GROUP BY user_id;
SELECT count(*) AS triples,
       count(*) FILTER (WHERE (a || b) || c = a || (b || c)) AS associative,
       count(*) FILTER (WHERE a || b = b || a) AS commutative,
       count(*) FILTER (WHERE (a || b) || c = u.j) AS equals_whole
FROM parts JOIN uj u USING (user_id) WHERE a IS NOT NULL AND b IS NOT NULL AND c IS NOT NULL;
-- rollup skips NULLs; rollup of empty journeys is an empty journey; of nothing, NULL
SELECT rollup(j) FROM (VALUES (NULL::journey), ('[]'), ('[2024-01-01 10:00:00Z a]')) v(j);
SELECT rollup(j) FROM (VALUES ('[]'::journey), ('[]')) v(j);
SELECT rollup(j) IS NULL AS nothing FROM uj WHERE false;

-- ---- parallel aggregation: Partial Aggregate, same results as serial ---------
CREATE TABLE big AS SELECT user_id % 50 AS g, ts, event FROM journey_sample_events(4000, 7);
ANALYZE big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT g, journey_agg(ts, event) FROM big GROUP BY g;
CREATE TABLE par AS SELECT g, journey_agg(ts, event) AS j FROM big GROUP BY g;
CREATE TABLE parr AS SELECT g, rollup(j) AS j FROM (SELECT g, date_trunc('week', ts) w, journey_agg(ts, event) AS j FROM big GROUP BY 1, 2) x GROUP BY g;
SET max_parallel_workers_per_gather = 0;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.j = s.j) AS parallel_equals_serial,
       count(*) FILTER (WHERE r.j = s.j) AS rollup_equals
FROM (SELECT g, journey_agg(ts, event) AS j FROM big GROUP BY g) s JOIN par p USING (g) JOIN parr r USING (g);
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
-- hash aggregation over work_mem (spills input batches to disk): the same journeys
SET work_mem = '64kB'; SET enable_sort = off;
CREATE TABLE spilled AS SELECT user_id, journey_agg(ts, event) AS j FROM ev GROUP BY user_id;
RESET work_mem; RESET enable_sort;
SELECT count(*) AS users, count(*) FILTER (WHERE s.j = u.j) AS spilled_equals FROM spilled s JOIN uj u USING (user_id);

-- the aggregate state: one name dictionary per aggregate context shared by all groups, one block of
-- events per group; every way of running the aggregate gives the journey that journey(ts[], events[])
-- (no dictionary, no interning) builds from the same rows
CREATE TABLE names AS
  SELECT g, '2024-01-01'::timestamptz + (i * 37 % 101) * interval '1 min' AS ts,
         CASE WHEN i % 3 = 0 THEN 'page_view'
              WHEN i % 3 = 1 THEN 'ev_' || ((g * 31 + i) % 4000)
              ELSE repeat(chr(97 + i % 26), 1 + (g + i) % 300) END AS event
  FROM generate_series(1, 3000) g, generate_series(1, 1 + g % 40) i;
SELECT count(*) AS rows, count(DISTINCT g) AS groups, count(DISTINCT event) AS names,
       (SELECT max(c) FROM (SELECT count(*) AS c FROM names GROUP BY g) x) AS max_events FROM names;
CREATE TABLE names_ref AS SELECT g, journey(array_agg(ts), array_agg(event)) AS j FROM names GROUP BY g;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT g, journey_agg(ts, event) FROM names GROUP BY g;
CREATE TABLE names_hash AS SELECT g, journey_agg(ts, event) AS j FROM names GROUP BY g;
RESET enable_sort; SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT g, journey_agg(ts, event) FROM names GROUP BY g;
CREATE TABLE names_sort AS SELECT g, journey_agg(ts, event) AS j FROM names GROUP BY g;
-- grouping sets: several aggregate contexts (one dictionary each) in one node
CREATE TABLE names_sets AS
  SELECT g, g % 7 AS m, journey_agg(ts, event) AS j FROM names GROUP BY GROUPING SETS ((g), (g % 7), ());
RESET enable_hashagg;
CREATE TABLE names_sets_h AS
  SELECT g, g % 7 AS m, journey_agg(ts, event) AS j FROM names GROUP BY GROUPING SETS ((g), (g % 7));
SELECT count(*) AS groups,
       count(*) FILTER (WHERE h.j = r.j) AS hash_equals,
       count(*) FILTER (WHERE s.j = r.j) AS sort_equals,
       count(*) FILTER (WHERE gs.j = r.j) AS sets_equals,
       count(*) FILTER (WHERE gh.j = r.j) AS hashed_sets_equals,
       count(*) FILTER (WHERE h.j::text::journey = r.j) AS text_equals
FROM names_ref r JOIN names_hash h USING (g) JOIN names_sort s USING (g)
     JOIN names_sets gs ON gs.g = r.g JOIN names_sets_h gh ON gh.g = r.g;
SELECT count(*) AS sets, count(*) FILTER (WHERE s.j = x.j) AS equal
FROM (SELECT g % 7 AS m, journey(array_agg(ts), array_agg(event)) AS j FROM names GROUP BY 1
      UNION ALL SELECT NULL, journey(array_agg(ts), array_agg(event)) FROM names) x
JOIN (SELECT m, j FROM names_sets WHERE g IS NULL) s ON s.m IS NOT DISTINCT FROM x.m;
SELECT count(*) AS sets, count(*) FILTER (WHERE s.j = x.j) AS equal
FROM (SELECT g % 7 AS m, journey(array_agg(ts), array_agg(event)) AS j FROM names GROUP BY 1) x
JOIN (SELECT m, j FROM names_sets_h WHERE g IS NULL) s USING (m);
-- window aggregate: the final function runs on a growing state, the context resets per partition
SELECT count(*) AS rows,
       count(*) FILTER (WHERE length(w) = rn) AS length_is_row_number,
       count(*) FILTER (WHERE rn = n AND w = r.j) AS last_equals_whole
FROM (SELECT g, journey_agg(ts, event) OVER (PARTITION BY g ORDER BY ts, event COLLATE "C" ROWS UNBOUNDED PRECEDING) AS w,
             row_number() OVER (PARTITION BY g ORDER BY ts, event COLLATE "C") AS rn,
             count(*) OVER (PARTITION BY g) AS n
      FROM names WHERE g <= 300) x JOIN names_ref r USING (g);
-- rollup over states from many groups (names re-interned), and parallel combine of those states
SELECT count(*) AS groups, count(*) FILTER (WHERE x.j = r.j) AS rollup_equals
FROM (SELECT g, rollup(journey(ARRAY[ts], ARRAY[event])) AS j FROM names GROUP BY g) x JOIN names_ref r USING (g);
ANALYZE names;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT g % 5, journey_agg(ts, event) FROM names GROUP BY 1;
CREATE TABLE names_par AS SELECT g % 5 AS m, journey_agg(ts, event) AS j FROM names GROUP BY 1;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size; RESET enable_sort;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.j = x.j) AS parallel_equals
FROM names_par p JOIN (SELECT g % 5 AS m, journey(array_agg(ts), array_agg(event)) AS j FROM names GROUP BY 1) x USING (m);
-- states growing through every size class and past it, with a fresh dictionary per group (sorted
-- aggregation resets the aggregate context per group), built row by row and by rollup of halves
CREATE TABLE grow AS SELECT g, '2024-01-01'::timestamptz + i * interval '1 s' AS ts, 'e' || (i % 17) AS event
FROM generate_series(1, 12) g, generate_series(1, g * g * 7) i;
SET enable_hashagg = off;
SELECT count(*) AS groups, max(length(j)) AS max_length, count(*) FILTER (WHERE j = r) AS agg_equals,
       count(*) FILTER (WHERE h = r) AS rollup_equals
FROM (SELECT g, journey_agg(ts, event) AS j, journey(array_agg(ts), array_agg(event)) AS r FROM grow GROUP BY g) a
JOIN (SELECT g, rollup(j) AS h FROM (SELECT g, ts > '2024-01-01 00:05' AS late, journey_agg(ts, event) AS j
                                     FROM grow GROUP BY 1, 2) x GROUP BY g) b USING (g);
RESET enable_hashagg;

-- ---- equality, hashing, btree: DISTINCT / GROUP BY / joins / index ----------
-- the first three steps of each user, on a common clock: many users share a path
CREATE TABLE paths AS SELECT user_id, journey_agg('2024-01-01'::timestamptz + rn * interval '1 s', event) AS j
FROM (SELECT user_id, event, row_number() OVER (PARTITION BY user_id ORDER BY ts, event) AS rn FROM ev) x
WHERE rn <= 3 GROUP BY user_id;
SELECT (SELECT count(DISTINCT j) FROM paths) AS distinct_j, (SELECT count(DISTINCT j::text) FROM paths) AS distinct_text,
       (SELECT count(DISTINCT journey_path(j)) FROM paths) AS distinct_paths;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT j FROM paths GROUP BY j;
SELECT count(*) AS hash_groups FROM (SELECT j FROM paths GROUP BY j) x;
RESET enable_sort;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT j FROM paths GROUP BY j;
SELECT count(*) AS sort_groups FROM (SELECT j FROM paths GROUP BY j) x;
RESET enable_hashagg;
SET enable_mergejoin = off; SET enable_nestloop = off;
SELECT count(*) AS hash_join FROM uj a JOIN uj2 b ON a.j = b.j AND a.user_id = b.user_id;
RESET enable_mergejoin; RESET enable_nestloop;
CREATE INDEX ON uj2 USING btree (j);
CREATE INDEX ON uj2 USING hash (j);
SELECT '[2024-01-01 10:00:00Z a]'::journey = '[2024-01-01 10:00:00+00 a]'::journey AS eq,
       '[2024-01-01 10:00:00Z a]'::journey <> '[2024-01-01 10:00:00.000001Z a]'::journey AS ne,
       journey_hash('[2024-01-01 10:00:00Z a, +0s b]') = journey_hash('[2024-01-01 10:00:00Z b, +0s a]') AS hash_eq;

-- ---- accessors on a hand-checked journey ------------------------------------
CREATE TABLE h AS SELECT '[2024-03-01 09:00:00Z home, +10s product, +5s product, +1m cart, +2h home, +0s search, +29m59.5s home, +30m0.000001s purchase]'::journey AS j;
SELECT length(j), first_time(j), last_time(j), duration(j), distinct_events(j), event_count(j, 'home'), event_count(j, 'nope') FROM h;
SELECT * FROM journey_events((SELECT j FROM h));
SELECT event_at(j, 1) AS p1, event_at(j, 8) AS p8, event_at(j, 9) AS p9, event_at(j, 0) AS p0, event_at(j, -1) AS m1,
       event_at(j, -8) AS m8, event_at(j, -9) AS m9, time_at(j, 5) AS t5 FROM h;
SELECT journey_path(j), journey_path(j, true), journey_path(j, collapse => true, separator => ' → ') FROM h;
-- slice: from <= ts < to
SELECT journey_slice(j, '2024-03-01 09:00:10Z', '2024-03-01 09:01:15Z') AS s1,
       journey_slice(j, '2024-03-01 09:01:15Z', '2024-03-01 09:01:15.000001Z') AS s_point,
       journey_slice(j, '-infinity', 'infinity') = j AS s_all,
       journey_slice(j, '2025-01-01', '2026-01-01') AS s_none FROM h;
-- sessions: the gap rule of sessionize (gap > 30 min splits; exactly 30 min does not)
SELECT s.* FROM h, journey_sessions(h.j) s;
SELECT s.* FROM h, journey_sessions(h.j, '1 hour', '2 hours') s;
SELECT count(*) FROM journey_sessions('[]');
-- sessions per user agree with sessionize() on the sample data
SELECT count(*) AS users, count(*) FILTER (WHERE a.n = b.n) AS agree FROM
  (SELECT user_id, count(*) AS n FROM uj, journey_sessions(j) GROUP BY user_id) a JOIN
  (SELECT user_id, max(s) AS n FROM (SELECT user_id, sessionize(ts) OVER (PARTITION BY user_id ORDER BY ts) s FROM ev) x GROUP BY user_id) b
  USING (user_id);
SELECT count(*) AS sessions_rolled_back FROM (SELECT user_id, rollup(session) AS j FROM uj, journey_sessions(j) GROUP BY user_id) r JOIN uj USING (user_id) WHERE r.j = uj.j;
-- journey_session_stats: the per-user session summary of a stored journey, no row per session
SELECT journey_session_stats(j) AS s30, journey_session_stats(j, '1 hour', '2 hours') AS s1h_max2h,
       journey_session_stats(j, '1 microsecond') AS s1us FROM h;
SELECT journey_session_stats('[]') IS NULL AS empty_is_null, journey_session_stats(NULL) IS NULL AS null_is_null,
       journey_session_stats(NULL, '1 hour', NULL) IS NULL AS null_max_is_no_max;
-- three ways agree, per user and in total: session_stats(ts) over the raw rows, journey_session_stats(j),
-- and the rows of journey_sessions(j) (sessions, events, bounces, total duration)
SELECT count(*) AS users,
       count(*) FILTER (WHERE r.s::text = j.s::text) AS raw_eq_stored,
       count(*) FILTER (WHERE session_count(j.s) = x.sessions AND event_count(j.s) = x.events
                          AND bounce_count(j.s) = x.bounces AND total_duration(j.s) = x.duration) AS rows_eq_stored
FROM (SELECT user_id, session_stats(ts) AS s FROM ev GROUP BY user_id) r
JOIN (SELECT user_id, journey_session_stats(j) AS s FROM uj) j USING (user_id)
JOIN (SELECT user_id, count(*) AS sessions, sum(length(session)) AS events, count(*) FILTER (WHERE length(session) = 1) AS bounces,
             sum(duration(session)) AS duration FROM uj, journey_sessions(j) GROUP BY user_id) x USING (user_id);
-- with a gap and a maximum length
SELECT count(*) AS users, count(*) FILTER (WHERE r.s::text = j.s::text) AS raw_eq_stored
FROM (SELECT user_id, session_stats(ts, '10 minutes', '20 minutes') AS s FROM ev GROUP BY user_id) r
JOIN (SELECT user_id, journey_session_stats(j, '10 minutes', '20 minutes') AS s FROM uj) j USING (user_id);
SELECT (SELECT session_kpis(rollup(journey_session_stats(j))) FROM uj)
     = (SELECT session_kpis(rollup(s)) FROM (SELECT session_stats(ts) AS s FROM ev GROUP BY user_id) r) AS kpis_agree,
       (SELECT session_count(rollup(journey_session_stats(j))) FROM uj) = (SELECT count(*) FROM uj, journey_sessions(j)) AS count_agrees;
-- accessors on the empty journey
SELECT length(j), first_time(j), last_time(j), duration(j), distinct_events(j), event_at(j, 1), journey_path(j) = '' AS empty_path
FROM (SELECT '[]'::journey AS j) x;

-- ---- errors ------------------------------------------------------------------
\set VERBOSITY default
SELECT journey_sessions(j, '0 s') FROM h;
SELECT journey_sessions(j, '1 hour', '5 minutes') FROM h;
SELECT journey_session_stats(j, '0 s') FROM h;
SELECT journey_session_stats(j, NULL) FROM h;
SELECT journey_session_stats(j, '1 hour', '5 minutes') FROM h;
SELECT journey_agg(t, 'a') FROM (VALUES ('infinity'::timestamptz)) v(t);
SELECT journey_agg('0044-03-15 BC'::timestamptz, 'a');
-- limits: name length, distinct names (54000)
SELECT journey_agg('2024-01-01'::timestamptz, repeat('x', 1025));
SELECT length(journey_agg('2024-01-01'::timestamptz, repeat('x', 1024)));
SELECT journey_agg('2024-01-01'::timestamptz, i::text) FROM generate_series(1, 65536) i;
SELECT length(journey_agg('2024-01-01'::timestamptz, i::text)) FROM generate_series(1, 65535) i;
SELECT ('[2024-01-01 00:00:00Z ' || repeat('y', 1025) || ']')::journey;
-- malformed text, with the position
SELECT 'garbage'::journey;
SELECT '[2024-01-01 10:00:00 a]'::journey;
SELECT '[+1s a]'::journey;
SELECT '[2024-01-01 10:00:00Z a, 2024-01-01 09:59:59Z b]'::journey;
SELECT '[2024-02-30 10:00:00Z a]'::journey;
SELECT '[2024-01-01 10:00:00Z a, +5x b]'::journey;
SELECT '[2024-01-01 10:00:00Z a, +1m2h b]'::journey;
SELECT '[2024-01-01 10:00:00Z "a]'::journey;
SELECT '[2024-01-01 10:00:00Z "a\qb"]'::journey;
SELECT '[2024-01-01 10:00:00Z a b]'::journey;
SELECT '[2024-01-01 10:00:00Z a,]'::journey;
SELECT '[2024-01-01 10:00:00Z a] trailing'::journey;
SELECT '[2024-01-01 10:00:00.1234567Z a]'::journey;
SELECT '[9999-12-31 23:59:59Z a, +1s b]'::journey;
SELECT '[2024-01-01 10:00:00Z "\xff"]'::journey;
SELECT '[2024-01-01 10:00:00Z "\x00"]'::journey;
\set VERBOSITY terse

-- ---- TOAST: large journeys are stored out of line; regular ones compress ----
-- A journey is already dense, so TOAST compression only helps when the steps repeat:
-- regular one-second steps compress to under a quarter, the sample's random steps do not compress.
CREATE TABLE large (kind text, j journey);
INSERT INTO large SELECT 'regular', journey_agg('2024-01-01'::timestamptz + i * interval '1 second', CASE WHEN i % 4 = 0 THEN 'page_view' ELSE 'scroll' END)
FROM generate_series(1, 200000) i;
INSERT INTO large SELECT 'sample', journey_agg(ts, event) FROM ev;
SELECT kind, length(j), octet_length(journey_send(j)) AS raw_bytes,
       pg_column_size(j) < octet_length(journey_send(j)) / 4 AS compressed_to_a_quarter,
       pg_column_size(j) <= octet_length(journey_send(j)) + 4 AS never_larger
FROM large ORDER BY kind;
SELECT kind, j = (SELECT l.j FROM large l WHERE l.kind = large.kind) AS detoasted_equal,
       j::text::journey = j AS text_roundtrip FROM large ORDER BY kind;
