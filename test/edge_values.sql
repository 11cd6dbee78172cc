-- test/edge_values.sql: a table `edge_values` holding values of every journey type with edge
-- values, each built by the extension's own aggregates and functions (plus the extreme valid
-- literals of the summary types).  Used by sql/roundtrip.sql (text round trips, pg_regress)
-- and test/t/01_dump_restore.pl (pg_dump/pg_restore in both formats, COPY binary and text).
-- Deterministic: no now(), no random(), calendar arithmetic in UTC, rows in a fixed order.
-- One value per row, in the column of its type.
SET TimeZone = 'UTC';
CREATE TABLE edge_values (
    id serial PRIMARY KEY,
    label text NOT NULL,
    j journey,
    ss session_stats,
    fs funnel_summary,
    cr cohort_retention,
    km kmeans_model,
    kms kmeans_model[],
    kp kmeans_partial,
    mc journey_markov_chain
);

-- ---- journey -------------------------------------------------------------
INSERT INTO edge_values (label, j) VALUES
  ('journey: NULL', NULL),
  ('journey: empty (arrays)', journey('{}'::timestamptz[], '{}'::text[])),
  ('journey: empty (text)', '[]');
INSERT INTO edge_values (label, j)
SELECT 'journey: first and last representable instants', journey_agg(t, e)
FROM (VALUES (timestamptz '0001-01-01 00:00:00+00', 'first'), ('9999-12-31 23:59:59.999999+00', 'last')) v(t, e);
INSERT INTO edge_values (label, j)
SELECT 'journey: one event at the first instant', journey(ARRAY[timestamptz '0001-01-01 00:00:00+00'], ARRAY['x']);
INSERT INTO edge_values (label, j)
SELECT 'journey: one event at the last instant', journey(ARRAY[timestamptz '9999-12-31 23:59:59.999999+00'], ARRAY['']);
INSERT INTO edge_values (label, j)
SELECT 'journey: names that need quoting or escapes', journey_agg(timestamptz '2024-02-29 12:00:00+00' + i * interval '1 microsecond', e)
FROM (VALUES (1, ''), (2, ' '), (3, 'a"b'), (4, E'back\\slash'), (5, E'new\nline'), (6, E'tab\there'),
             (7, ','), (8, '['), (9, ']'), (10, '+0s'), (11, '2024-01-01 00:00:00+00'), (12, 'é'),
             (13, '日本語'), (14, '😀'), (15, chr(1)), (16, chr(127)), (17, ' lead'), (18, 'trail '),
             (19, E'\r'), (20, '"'), (21, '\x41'), (22, '-1s'), (23, 'null')) v(i, e);
INSERT INTO edge_values (label, j)
SELECT 'journey: longest names (1024 bytes, ASCII and 2-byte UTF-8)',
       journey(ARRAY[timestamptz '2000-01-01 00:00:00+00', '2000-01-01 00:00:00+00'], ARRAY[repeat('x', 1024), repeat('é', 512)]);
INSERT INTO edge_values (label, j)
SELECT 'journey: 5000 events tied at one instant', journey_agg(timestamptz '2024-01-01 00:00:00+00', 'e' || (i % 37))
FROM generate_series(1, 5000) i;
INSERT INTO edge_values (label, j)
SELECT 'journey: 65535 distinct names (the limit)', journey_agg(timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second', 'n' || i)
FROM generate_series(1, 65535) i;
INSERT INTO edge_values (label, j)
SELECT 'journey: 300000 events, steps from 2 ms to 3000 years', journey_agg(
         timestamptz '0001-01-01 00:00:00+00' + (i / 100000) * interval '3000 years' + i * interval '1 second'
           + ((i % 1000) ^ 2) * interval '1 microsecond',
         'ev' || (i % 7))
FROM generate_series(1, 300000) i;
INSERT INTO edge_values (label, j)
SELECT 'journey: rollup of the tied and the quoted journeys', rollup(j)
FROM edge_values WHERE label IN ('journey: 5000 events tied at one instant', 'journey: names that need quoting or escapes');
INSERT INTO edge_values (label, j)
SELECT 'journey: journey_merge of first/last with itself', journey_merge(j, j)
FROM edge_values WHERE label = 'journey: first and last representable instants';
INSERT INTO edge_values (label, j)
SELECT 'journey: empty slice', journey_slice(j, '2001-01-01 00:00:00+00', '2002-01-01 00:00:00+00')
FROM edge_values WHERE label = 'journey: first and last representable instants';
INSERT INTO edge_values (label, j)
SELECT 'journey: slice of the 300000', journey_slice(j, '1000-01-01 00:00:00+00', '6000-01-01 00:00:00+00')
FROM edge_values WHERE label = 'journey: 300000 events, steps from 2 ms to 3000 years';
INSERT INTO edge_values (label, j)
SELECT 'journey: session ' || s.session_number || ' of the first/last journey', s.session
FROM edge_values, journey_sessions(j) s WHERE label = 'journey: first and last representable instants';

-- ---- session_stats -------------------------------------------------------
INSERT INTO edge_values (label, ss) VALUES
  ('session_stats: NULL', NULL),
  ('session_stats: empty (literal)', '{"v":1,"sessions":0,"events":0,"bounces":0,"duration_us":0,"hist":[]}'),
  ('session_stats: extreme counts (literal)', '{"v":1,"sessions":1125899906842623,"events":1125899906842623,"bounces":1125899906842623,"duration_us":0,"hist":[[0,1125899906842623]]}'),
  ('session_stats: extreme duration (literal)', '{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":9223372036854775807,"hist":[[14335,1]]}');
INSERT INTO edge_values (label, ss)
SELECT 'session_stats: one event', session_stats(timestamptz '2024-01-01 00:00:00+00');
INSERT INTO edge_values (label, ss)
SELECT 'session_stats: first and last timestamptz, two bounces', session_stats(t)
FROM (VALUES (timestamptz '4714-11-24 00:00:00+00 BC'), ('294276-12-31 23:59:59.999999+00')) v(t);
INSERT INTO edge_values (label, ss)
SELECT 'session_stats: -infinity and infinity', session_stats(t, '290000 years')
FROM (VALUES (timestamptz '-infinity'), ('infinity')) v(t);
INSERT INTO edge_values (label, ss)
SELECT 'session_stats: one session over 0001..9999 (gap 200000 years)', session_stats(t, '200000 years')
FROM (VALUES (timestamptz '0001-01-01 00:00:00+00'), ('9999-12-31 23:59:59.999999+00')) v(t);
INSERT INTO edge_values (label, ss)
SELECT 'session_stats: max_length cuts, 1 us gaps', session_stats(timestamptz '2024-01-01 00:00:00+00' + i * interval '1 microsecond', '1 microsecond', '3 microseconds')
FROM generate_series(1, 1000) i;
INSERT INTO edge_values (label, ss)
SELECT 'session_stats: rollup of 4000 two-event sessions (wide histogram)', rollup(s) FROM (
  SELECT g, session_stats(t, '100 years') AS s
  FROM generate_series(1, 4000) g,
       LATERAL (VALUES (timestamptz '2024-01-01 00:00:00+00'), (timestamptz '2024-01-01 00:00:00+00' + g * interval '7.3 seconds')) v(t)
  GROUP BY g) x;
INSERT INTO edge_values (label, ss)
SELECT 'session_stats: rollup of everything above', rollup(ss)
FROM edge_values WHERE ss IS NOT NULL AND label NOT LIKE '%extreme%';

-- ---- funnel_summary ------------------------------------------------------
INSERT INTO edge_values (label, fs) VALUES ('funnel_summary: NULL', NULL);
INSERT INTO edge_values (label, fs)
SELECT 'funnel_summary: one step, one user', funnel_summary(ARRAY[timestamptz '2024-01-01 00:00:00+00']);
INSERT INTO edge_values (label, fs)
SELECT 'funnel_summary: first step only (NULLs after)', funnel_summary(ARRAY[timestamptz '2024-01-01 00:00:00+00', NULL, NULL]);
INSERT INTO edge_values (label, fs)
SELECT 'funnel_summary: steps 0001 -> 9999, and the longest delay (2^63 - 1 us from 4714 BC)', funnel_summary(t)
FROM (VALUES (ARRAY[timestamptz '0001-01-01 00:00:00+00', '9999-12-31 23:59:59.999999+00']),
             (ARRAY[timestamptz '4714-11-24 00:00:00+00 BC', timestamptz '4714-11-24 00:00:00+00 BC' + interval '9223372036854775807 microseconds'])) v(t);
INSERT INTO edge_values (label, fs)
SELECT 'funnel_summary: 1024 steps (the limit), 1 us apart', funnel_summary(
         ARRAY(SELECT timestamptz '2024-01-01 00:00:00+00' + i * interval '1 microsecond' FROM generate_series(1, 1024) i ORDER BY i));
INSERT INTO edge_values (label, fs)
SELECT 'funnel_summary: 5000 users, 4 steps, every delay bucket', funnel_summary(ARRAY[
         timestamptz '2024-01-01 00:00:00+00',
         timestamptz '2024-01-01 00:00:00+00' + (i * 7) * interval '1 second',
         CASE WHEN i % 3 > 0 THEN timestamptz '2024-01-01 00:00:00+00' + (i * 7 + i * i) * interval '1 second' END,
         CASE WHEN i % 9 = 1 THEN timestamptz '2024-01-01 00:00:00+00' + (i * 7 + i * i) * interval '1 second' + i * interval '1 day' END])
FROM generate_series(1, 5000) i;
INSERT INTO edge_values (label, fs)
SELECT 'funnel_summary: funnel_times of the sample data', funnel_summary(t) FROM (
  SELECT funnel_times(ts, '1 day', event = 'page_view', event = 'add_to_cart', event = 'purchase') AS t
  FROM journey_sample_events(200, 7) GROUP BY user_id) x;
INSERT INTO edge_values (label, fs)
SELECT 'funnel_summary: rollup of two 3-step summaries', rollup(fs)
FROM edge_values WHERE label IN ('funnel_summary: first step only (NULLs after)', 'funnel_summary: funnel_times of the sample data');

-- ---- cohort_retention ----------------------------------------------------
INSERT INTO edge_values (label, cr) VALUES ('cohort_retention: NULL', NULL);
INSERT INTO edge_values (label, cr)
SELECT 'cohort_retention: ' || p || ', ' || n || ' periods, first and last timestamptz', cohort_retention(t, p, n, 'UTC')
FROM (VALUES (timestamptz '4714-11-24 00:00:00+00 BC'), ('294276-12-31 23:59:59.999999+00')) v(t),
     (VALUES ('day'), ('week'), ('month'), ('rolling 1 microsecond'), ('rolling 100000 years')) u(p),
     (VALUES (0), (1000)) m(n)
GROUP BY p, n ORDER BY p, n;
INSERT INTO edge_values (label, cr)
SELECT 'cohort_retention: active every day of 1000 (' || tz || ')', cohort_retention(timestamptz '2024-01-01 00:00:00+00' + i * interval '1 day', 'day', 1000, tz)
FROM generate_series(0, 1000) i, (VALUES ('UTC'), ('Asia/Kathmandu'), ('America/St_Johns'), ('Pacific/Kiritimati')) z(tz)
GROUP BY tz ORDER BY tz;
INSERT INTO edge_values (label, cr)
SELECT 'cohort_retention: ' || tz || ' ' || p || 's at ' || w, cohort_retention(t, p, 1000, tz)
FROM (VALUES (timestamptz '4714-11-24 00:00:00+00 BC', 'the first timestamptz', 'Etc/GMT+12', 'week'),
             ('294276-12-31 23:59:59.999999+00', 'the last timestamptz', '+14:00', 'month'),
             ('2024-03-10 07:00:00+00', 'a DST change', 'EST5EDT,M3.2.0/2,M11.1.0/2', 'day'),
             ('2024-03-31 01:00:00+00', 'a DST change', '<-03>3<-02>,M3.5.0/-2,M10.5.0/-1', 'day')) v(t, w, tz, p)
GROUP BY t, w, tz, p ORDER BY t;
INSERT INTO edge_values (label, cr)
SELECT 'cohort_retention: rolling 292000 years over the whole timestamptz range', cohort_retention(t, 'rolling 292000 years', 3, 'UTC')
FROM (VALUES (timestamptz '4714-11-24 00:00:00+00 BC'), ('294276-12-31 23:59:59.999999+00')) v(t);
INSERT INTO edge_values (label, cr)
SELECT 'cohort_retention: recurring cohorts, start/return flags', cohort_retention(
         timestamptz '2024-01-01 00:00:00+00' + i * interval '5 hours', i % 3 = 0, i % 2 = 0, 'week', 52, 'UTC', 'recurring')
FROM generate_series(0, 2000) i;
INSERT INTO edge_values (label, cr)
SELECT 'cohort_retention: journey form', cohort_retention(j, 'day', 30, 'UTC')
FROM edge_values WHERE label = 'journey: 300000 events, steps from 2 ms to 3000 years';
INSERT INTO edge_values (label, cr)
SELECT 'cohort_retention: retention_summary, 1000 users, 300 daily cohorts, 1000 periods', retention_summary(u, timestamptz '2020-01-01 00:00:00+00' + ((u * 7) % 300) * interval '1 day' + d * interval '1 day', 'day', 1000, 'UTC')
FROM generate_series(1, 1000) u, generate_series(0, 60, 7) d;
INSERT INTO edge_values (label, cr)
SELECT 'cohort_retention: rollup of 1000-period per-user summaries', rollup(cr)
FROM edge_values WHERE label IN ('cohort_retention: active every day of 1000 (UTC)', 'cohort_retention: day, 1000 periods, first and last timestamptz');

-- ---- kmeans_model --------------------------------------------------------
INSERT INTO edge_values (label, km) VALUES ('kmeans_model: NULL', NULL);
INSERT INTO edge_values (label, km)
SELECT 'kmeans_model: subnormal centre (issue 13)', kmeans_segment(ARRAY[x], 1, '{"standardize": false}')
FROM (VALUES (1e-310::float8), (1e-310)) v(x);
INSERT INTO edge_values (label, km)
SELECT 'kmeans_model: smallest subnormal and -DBL_MIN', kmeans_segment(ARRAY[x, y], 2, '{"standardize": false, "silhouette_sample": 10}')
FROM (VALUES (5e-324::float8, -2.2250738585072014e-308::float8), (0, 0), (-5e-324, 2.2250738585072014e-308)) v(x, y);
INSERT INTO edge_values (label, km)
SELECT 'kmeans_model: subnormal tol option, standardized subnormal features', kmeans_segment(ARRAY[x], 2, '{"tol": 1e-310}')
FROM (VALUES (1e-310::float8), (3e-310), (7e-310), (2e-309)) v(x);
INSERT INTO edge_values (label, km)
SELECT 'kmeans_model: features at +-1e100 (the limit), raw', kmeans_segment(ARRAY[x, y, z], 2, '{"standardize": false, "silhouette_sample": 4}')
FROM (VALUES (1e100::float8, -1e100::float8, 1e100::float8), (-1e100, 1e100, -1e100), (1e100, 1e100, -1e100), (-1e100, -1e100, 1e100)) v(x, y, z);
INSERT INTO edge_values (label, km)
SELECT 'kmeans_model: features at +-1e100, standardized', kmeans_segment(ARRAY[x], 1)
FROM (VALUES (1e100::float8), (-1e100), (1e100)) v(x);
INSERT INTO edge_values (label, km)
SELECT 'kmeans_model: tol 0, max_iter 1 (not converged), seed -2^53', kmeans_segment(ARRAY[(i * 37) % 101, (i * 53) % 97]::float8[], 7,
         '{"tol": 0, "max_iter": 1, "n_init": 1, "seed": -9007199254740992, "silhouette_sample": 100}')
FROM generate_series(1, 500) i;
INSERT INTO edge_values (label, km)
SELECT 'kmeans_model: 1024 dimensions (the limit)', kmeans_segment(ARRAY(SELECT ((i * 31 + j * 17) % 23)::float8 FROM generate_series(1, 1024) j ORDER BY j), 3,
         '{"n_init": 1, "max_iter": 5}')
FROM generate_series(1, 40) i;
INSERT INTO edge_values (label, km)
SELECT 'kmeans_model: k = 2000 on 2000 distinct points', kmeans_segment(ARRAY[i::float8 / 7, (i % 13)::float8], 2000, '{"n_init": 1, "max_iter": 2}')
FROM generate_series(1, 2000) i;
INSERT INTO edge_values (label, kms)
SELECT 'kmeans_model[]: kmeans_scan k = 2..6 with silhouettes', kmeans_scan(ARRAY[(i * 37) % 101, (i * 53) % 97, i % 5]::float8[], 2, 6, '{"n_init": 2}')
FROM generate_series(1, 300) i;
INSERT INTO edge_values (label, kms)
SELECT 'kmeans_model[]: kmeans_scan of subnormal points', kmeans_scan(ARRAY[x], 1, 2, '{"standardize": false}')
FROM (VALUES (1e-310::float8), (2e-310), (5e-324), (0)) v(x);
-- ---- kmeans_partial ------------------------------------------------------
INSERT INTO edge_values (label, kp) VALUES ('kmeans_partial: NULL', NULL);
INSERT INTO edge_values (label, kp)
SELECT 'kmeans_partial: stats of subnormal and -0 features', kmeans_stats(ARRAY[x, y])
FROM (VALUES (5e-324::float8, -0::float8), (1e-310, -2.2250738585072014e-308), (0, 0)) v(x, y);
INSERT INTO edge_values (label, kp)
SELECT 'kmeans_partial: stats of features at +-1e100', kmeans_stats(ARRAY[x])
FROM (VALUES (1e100::float8), (-1e100), (1e100)) v(x);
INSERT INTO edge_values (label, kp)
SELECT 'kmeans_partial: lloyd step with an empty cluster, raw units', kmeans_step(ARRAY[x], m, NULL)
FROM (VALUES (1e-310::float8), (3e-310), (1e100)) v(x),
     (SELECT kmeans_segment(ARRAY[x], 3, '{"standardize": false, "n_init": 1}') AS m
      FROM (VALUES (-1e100::float8), (0), (1e100)) w(x)) mm;
INSERT INTO edge_values (label, kp)
SELECT 'kmeans_partial: lloyd step, 1024 dimensions, standardized', kmeans_step(f, m, m)
FROM (SELECT i, ARRAY(SELECT ((i * 31 + j * 17) % 23)::float8 FROM generate_series(1, 1024) j ORDER BY j) AS f FROM generate_series(1, 40) i) p,
     (SELECT km AS m FROM edge_values WHERE label = 'kmeans_model: 1024 dimensions (the limit)') mm;
INSERT INTO edge_values (label, kp)
SELECT 'kmeans_partial: draw of 64 trials (the limit), seed stream -2^63', kmeans_seed_draw(ARRAY[x, y], NULL, -9223372036854775808, 64)
FROM (VALUES (5e-324::float8, 1e100::float8), (-1e100, 0), (1, 2)) v(x, y);
INSERT INTO edge_values (label, kp)
SELECT 'kmeans_partial: weighted draw and its potential', kmeans_seed_potential(ARRAY[(i * 37) % 101, (i * 53) % 97]::float8[], m,
         (SELECT kmeans_seed_draw(ARRAY[(i * 37) % 101, (i * 53) % 97]::float8[], m, 5, 3) FROM generate_series(1, 500) i))
FROM generate_series(1, 500) i,
     (SELECT km AS m FROM edge_values WHERE label = 'kmeans_model: tol 0, max_iter 1 (not converged), seed -2^53') mm;
INSERT INTO edge_values (label, kp) VALUES
  ('kmeans_partial: extreme literals', '{"v":1,"kind":"lloyd","k":2,"dims":2,"n":9223372036854775807,"changed":9223372036854775807,"counts":[9223372036854775807,0],"s1":[1.7976931348623157e308,0],"s2":[4.9406564584124654e-324,0],"a":[[-1.7976931348623157e308,-0],[0,0]],"b":[[1e100,-1e100],[0,0]]}');
-- ---- journey_markov_chain ------------------------------------------------
INSERT INTO edge_values (label, mc)
SELECT 'journey_markov_chain: order 1, an empty converting path (direct/none), revenue NULL and 1e-310',
       journey_markov_chain(c, v, r) FROM (VALUES ('{a,b,a}'::text[], true, 1e-310::float8), ('{b}', false, 5), ('{}', true, NULL)) t(c, v, r);
INSERT INTO edge_values (label, mc)
SELECT 'journey_markov_chain: order 4, a 1024-byte name, quotes, backslash, control and non-ASCII bytes',
       journey_markov_chain(c, true, -2.5, 4) FROM (VALUES (ARRAY[repeat('x', 1024), E'q"\\\u0001\u007f', 'ü', 'a']), ('{a,a,a,a,a,a}')) t(c);
INSERT INTO edge_values (label, mc)
SELECT 'journey_markov_chain: empty (no paths)', journey_markov_chain(c, v, 1, 3) FROM (VALUES (NULL::text[], true)) t(c, v);
INSERT INTO edge_values (label, mc)
SELECT 'journey_markov_chain: 256 channels (the limit), order 2', journey_markov_chain(ARRAY['c' || g, 'c' || (g * 7) % 256], g % 3 = 0, g, 2)
FROM generate_series(0, 255) g;
INSERT INTO edge_values (label, mc) VALUES
  ('journey_markov_chain: int64-max counts, -0 revenue', '{"version":1,"order":1,"paths":9223372036854775807,"conversions":9223372036854775807,"revenue":-0,"channels":["a"],"transitions":[[0,1,9223372036854775807],[1,-1,9223372036854775807]]}'),
  ('journey_markov_chain: largest revenue, a to-state that is no from-state', '{"version":1,"order":2,"paths":1,"conversions":0,"revenue":1.7976931348623157e308,"channels":["a","b"],"transitions":[[0,0,1,1],[0,1,2,1]]}');
RESET TimeZone;
