-- bad_input: every SQL function of journey with NULLs in each argument, empty
-- input, huge and extreme values, malformed text.  Each case shows either its
-- result or "SQLSTATE: message | detail", caught by try() so the suite keeps
-- going and the server keeps serving.
CREATE SCHEMA bad_input; SET search_path = bad_input, public;
SET timezone = 'UTC';

CREATE FUNCTION try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text; st text; msg text; det text;
BEGIN
    EXECUTE q INTO r;
    RETURN 'ok: ' || coalesce(left(r, 300), 'NULL');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
    -- long messages (they quote the input) are cut; the detail is always shown
    RETURN st || ': ' || CASE WHEN length(msg) > 120 THEN left(msg, 120) || '...' ELSE msg END
              || CASE WHEN coalesce(det, '') <> '' THEN ' | ' || det ELSE '' END;
END $$;

CREATE TABLE ev (u int, ts timestamptz, t timestamp, sp boolean);
INSERT INTO ev VALUES
  (1, '2024-01-01 10:00', '2024-01-01 10:00', NULL),
  (1, '2024-01-01 10:20', '2024-01-01 10:20', true),
  (1, NULL, NULL, NULL),
  (1, '2024-01-01 11:00', '2024-01-01 11:00', false),
  (2, '-infinity', '-infinity', NULL),
  (2, 'infinity', 'infinity', NULL),
  (3, '4714-11-24 00:00:00+00 BC', '4714-11-24 00:00:00 BC', NULL),
  (3, '294276-12-31 23:59:59.999999+00', '294276-12-31 23:59:59.999999', NULL),
  -- three events whose span exceeds int64 microseconds: one session with a 106751991-day gap
  (5, '4714-11-24 00:00:00+00 BC', '4714-11-24 00:00:00 BC', NULL),
  (5, '2000-01-01 00:00:00+00', '2000-01-01 00:00:00', NULL),
  (5, '294276-12-31 23:59:59.999999+00', '294276-12-31 23:59:59.999999', NULL);
CREATE TABLE empty_ev (LIKE ev);
CREATE TABLE st AS SELECT u, session_stats(ts) AS s FROM ev GROUP BY u;
INSERT INTO st VALUES (4, NULL);

CREATE TABLE cases (id serial, q text);
INSERT INTO cases (q) VALUES
-- journey_sample_events(users, seed): STRICT; 0 users is empty; range checked
 ('SELECT count(*) FROM journey_sample_events(NULL, 1)'),
 ('SELECT count(*) FROM journey_sample_events(3, NULL)'),
 ('SELECT count(*) FROM journey_sample_events(0, 1)'),
 ('SELECT count(*) FROM journey_sample_events(-1, 1)'),
 ('SELECT count(*) FROM journey_sample_events(2147483647, 1)'),
 ('SELECT count(*) > 0 FROM journey_sample_events(1, -2147483648)'),
-- sessionize / session_start (timestamptz and timestamp): NULL ts row gets NULL;
-- NULL gap is an error; NULL max_length = no maximum; NULL split = no split
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts) OVER (PARTITION BY u ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(t) OVER (PARTITION BY u ORDER BY t) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts, NULL) OVER (ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts, ''30 minutes'', NULL, NULL) OVER (ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts, ''30 minutes'', NULL, sp) OVER (ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts, ''0'') OVER (ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts, ''-5 minutes'') OVER (ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts, ''1 day -24 hours'') OVER (ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts, ''178000000 years'') OVER (ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts, ''1 hour'', ''10 minutes'') OVER (ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts, ''1 hour'', ''-1 hour'') OVER (ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts, ''1 hour'', ''178000000 years'') OVER (ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts, ''1 microsecond'', ''1 microsecond'') OVER (ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts) OVER (ORDER BY ts DESC) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts) OVER () x FROM (SELECT * FROM ev WHERE u = 1 ORDER BY ts DESC) e) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts, (u * interval ''1 hour'')) OVER (ORDER BY ts) x FROM ev WHERE u IN (1, 2)) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts) OVER (PARTITION BY u ORDER BY ts) x FROM ev WHERE u IN (2, 3)) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(t, ''290000 years'') OVER (PARTITION BY u ORDER BY t) x FROM ev WHERE u IN (2, 3, 5)) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts, ''1000000 years'') OVER (ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT sessionize(ts) OVER (ORDER BY ts) x FROM empty_ev) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT session_start(ts) OVER (PARTITION BY u ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT session_start(t, ''1 hour'', NULL, sp) OVER (PARTITION BY u ORDER BY t) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT session_start(ts, NULL) OVER (ORDER BY ts) x FROM ev WHERE u = 1) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT session_start(ts) OVER (PARTITION BY u ORDER BY ts) x FROM ev WHERE u IN (2, 3)) s'),
 ('SELECT string_agg(coalesce(x::text, ''-''), '','') FROM (SELECT session_start(t, ''1 hour'', ''30 minutes'') OVER (ORDER BY t) x FROM ev WHERE u = 1) s'),
-- session_key: STRICT; empty key; extreme timestamps; text and bigint keys agree
 ('SELECT session_key(NULL::text, now())'),
 ('SELECT session_key(1::bigint, NULL)'),
 ('SELECT session_key('''', ''2024-01-01'')'),
 ('SELECT session_key(-9223372036854775808, ''infinity'')'),
 ('SELECT session_key(''-9223372036854775808'', ''infinity'') = session_key(-9223372036854775808, ''infinity'')'),
 ('SELECT session_key(repeat(''x'', 100000), ''-infinity'')'),
-- session_stats aggregate: NULL ts are skipped; no rows / only NULLs give NULL
 ('SELECT session_stats(ts)::text FROM empty_ev'),
 ('SELECT session_stats(ts)::text FROM ev WHERE ts IS NULL'),
 ('SELECT session_stats(ts, NULL)::text FROM ev WHERE u = 1'),
 ('SELECT session_stats(ts, ''30 minutes'', NULL)::text FROM ev WHERE u = 1'),
 ('SELECT session_stats(ts, ''0'')::text FROM ev WHERE u = 1'),
 ('SELECT session_stats(ts, ''-1 second'')::text FROM ev WHERE u = 1'),
 ('SELECT session_stats(ts, ''178000000 years'')::text FROM ev WHERE u = 1'),
 ('SELECT session_stats(ts, ''1 hour'', ''59 minutes'')::text FROM ev WHERE u = 1'),
 ('SELECT session_stats(ts, u * interval ''1 hour'')::text FROM ev'),
 ('SELECT session_stats(ts)::text FROM ev WHERE u = 2'),
 ('SELECT session_stats(ts, ''290000 years'')::text FROM ev WHERE u = 2'),
 ('SELECT session_stats(ts, ''290000 years'')::text FROM ev WHERE u = 3'),
 ('SELECT session_stats(ts, ''290000 years'')::text FROM ev WHERE u = 5'),
 ('SELECT string_agg(x::text, '','') FROM (SELECT sessionize(ts, ''106751991 days'') OVER (ORDER BY ts) x FROM ev WHERE u = 5) s'),
 ('SELECT session_stats(ts, ''106751991 days'')::text FROM ev WHERE u = 5'),
-- session_stats text input: malformed, out of range, inconsistent
 ('SELECT ''''::session_stats::text'),
 ('SELECT ''{}''::session_stats::text'),
 ('SELECT ''{"v":2,"sessions":0,"events":0,"bounces":0,"duration_us":0,"hist":[]}''::session_stats::text'),
 ('SELECT ''{"v":0,"sessions":0,"events":0,"bounces":0,"duration_us":0,"hist":[]}''::session_stats::text'),
 ('SELECT ''{"v":1,"events":0,"sessions":0,"bounces":0,"duration_us":0,"hist":[]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":0,"events":0,"bounces":0,"duration_us":0,"hist":[]} x''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":0,"events":0,"bounces":0,"duration_us":0,"hist":[]''::session_stats::text'),
 ('SELECT '' { "v" : 1 , "sessions" : 0 , "events" : 0 , "bounces" : 0 , "duration_us" : 0 , "hist" : [ ] } ''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":-1,"events":0,"bounces":0,"duration_us":0,"hist":[]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":99999999999999999999,"events":0,"bounces":0,"duration_us":0,"hist":[]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":1,"events":1,"bounces":1,"duration_us":0,"hist":[]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":1,"events":1,"bounces":2,"duration_us":0,"hist":[[0,1]]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":2,"events":1,"bounces":0,"duration_us":0,"hist":[[0,2]]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":1,"events":1,"bounces":0,"duration_us":5,"hist":[[5,1]]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":2,"events":4,"bounces":0,"duration_us":5,"hist":[[5,1],[3,1]]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":2,"events":4,"bounces":0,"duration_us":5,"hist":[[5,1],[5,1]]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":5,"hist":[[14336,1]]}''::session_stats::text'),
-- accepted although the duration (5 us) contradicts the histogram (one session of ~2^62 us): see doc/reliability.md
 ('SELECT ''{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":5,"hist":[[14335,1]]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":5,"hist":[[5,0]]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":5,"hist":[[5,1125899906842624]]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":5,"hist":[[5 1]]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":5,"hist":[[5,1],]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":5,"hist":[[+5,1]]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":5e0,"hist":[[5,1]]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":5,"hist":[[5,1]]}''::session_stats::text'),
 ('SELECT ''{"v":1,"sessions":1125899906842623,"events":2251799813685246,"bounces":0,"duration_us":9223372036854775807,"hist":[[14079,1125899906842623]]}''::session_stats::text'),
 ('SELECT length(repeat(''['', 100000)::session_stats::text)'),
 ('SELECT length((''{"v":1,"sessions":0,"events":0,"bounces":0,"duration_us":0,"hist":['' || repeat(''[1,1],'', 20000) || ''[2,1]]}'')::session_stats::text)'),
-- rollup / session_stats_merge: STRICT merge; NULLs skipped; overflow is an error
 ('SELECT rollup(s)::text FROM st WHERE false'),
 ('SELECT rollup(s)::text FROM st WHERE u = 4'),
 ('SELECT session_count(rollup(s)) FROM st'),
 ('SELECT session_stats_merge(NULL, s)::text FROM st WHERE u = 1'),
 ('SELECT session_stats_merge(s, NULL)::text FROM st WHERE u = 1'),
 ('SELECT session_stats_merge(x, x)::text FROM (SELECT ''{"v":1,"sessions":1125899906842623,"events":2251799813685246,"bounces":0,"duration_us":9223372036854775807,"hist":[[14079,1125899906842623]]}''::session_stats x) y'),
 ('SELECT session_stats_merge(x, ''{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":0,"hist":[[14079,1]]}'')::text FROM (SELECT ''{"v":1,"sessions":1125899906842623,"events":2251799813685246,"bounces":0,"duration_us":0,"hist":[[14079,1125899906842623]]}''::session_stats x) y'),
 ('SELECT rollup(x)::text FROM (SELECT ''{"v":1,"sessions":1125899906842623,"events":2251799813685246,"bounces":0,"duration_us":0,"hist":[[14079,1125899906842623]]}''::session_stats x FROM generate_series(1, 2)) y'),
-- accessors: STRICT (NULL in, NULL out); ratios and averages of nothing are NULL
 ('SELECT session_count(NULL)'),
 ('SELECT median_duration(NULL)'),
 ('SELECT (session_kpis(NULL)).sessions'),
 ('SELECT ROW(session_count(z), event_count(z), bounce_count(z), bounce_rate(z), events_per_session(z), avg_duration(z), total_duration(z), median_duration(z), duration_percentile(z, 0.9))::text FROM (SELECT ''{"v":1,"sessions":0,"events":0,"bounces":0,"duration_us":0,"hist":[]}''::session_stats z) y'),
 ('SELECT (session_kpis(''{"v":1,"sessions":0,"events":0,"bounces":0,"duration_us":0,"hist":[]}''))::text'),
 ('SELECT concat_ws('' / '', avg_duration(z), total_duration(z), median_duration(z)) FROM (SELECT ''{"v":1,"sessions":1125899906842623,"events":2251799813685246,"bounces":0,"duration_us":9223372036854775807,"hist":[[14079,1125899906842623]]}''::session_stats z) y'),
 ('SELECT duration_percentile(s, NULL) FROM st WHERE u = 1'),
 ('SELECT duration_percentile(s, -0.01) FROM st WHERE u = 1'),
 ('SELECT duration_percentile(s, 1.01) FROM st WHERE u = 1'),
 ('SELECT duration_percentile(s, ''NaN'') FROM st WHERE u = 1'),
 ('SELECT duration_percentile(s, ''Infinity'') FROM st WHERE u = 1'),
 ('SELECT duration_percentile(s, 0) || '' .. '' || duration_percentile(s, 1) FROM st WHERE u = 1'),
-- a text value whose total duration the histogram cannot hold (was accepted before)
 ('SELECT ''{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":5,"hist":[[14335,1]]}''::session_stats'),
 ('SELECT ''{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":600000000,"hist":[[0,1]]}''::session_stats'),
-- retention(...)'s int8 state is untrusted when its support functions are called directly (crashed the server before)
 ('SELECT retention_ch_final(9223372036854775807)'),
 ('SELECT retention_ch_final((40::bigint << 32) | 4294967295)'),
 ('SELECT retention_ch_final((33::bigint << 32) | 7)'),
 ('SELECT retention_ch_final(-1)'),
 ('SELECT retention_ch_final(0)'),
 ('SELECT retention_ch_final((3::bigint << 32) | 8)'),
 ('SELECT retention_ch_final((3::bigint << 32) | 5)'),
 ('SELECT retention_ch_final((32::bigint << 32) | 4294967295)'),
 ('SELECT retention_ch_trans((40::bigint << 32) | 1, true, false)'),
 ('SELECT retention_ch_trans(NULL, VARIADIC NULL::boolean[])'),
 ('SELECT retention_ch_trans(-1, VARIADIC NULL::boolean[])'),
 ('SELECT retention_ch_combine(-1, NULL)'),
 ('SELECT retention_ch_combine(NULL, (33::bigint << 32))'),
 ('SELECT retention_ch_combine((2::bigint << 32) | 1, (2::bigint << 32) | 2)'),
-- funnel_summary over times whose span int64 cannot hold (printed a bucket its input rejected: dump unrestorable)
 ('SELECT funnel_summary(ARRAY[''4713-01-01 00:00:00+00 BC'', ''294276-12-31 23:59:59.999999+00'']::timestamptz[])'),
 ('SELECT funnel_summary(ARRAY[''-infinity'', ''infinity'']::timestamptz[])'),
 ('SELECT funnel_summary(ARRAY[''2024-01-01'', ''infinity'']::timestamptz[])'),
-- its transition function called directly returns a new summary (was an internal error)
 ('SELECT funnel_summary_trans(funnel_summary(ARRAY[''2024-01-01'', ''2024-01-02'']::timestamptz[]), ARRAY[''2024-01-01'', ''2024-01-03'']::timestamptz[])');

\pset format unaligned
\pset tuples_only on
SELECT id || ': ' || q || E'\n    -> ' || try(q) FROM cases ORDER BY id;
\pset format aligned
\pset tuples_only off
-- the server kept serving through all of it
SELECT count(*) AS cases, count(*) FILTER (WHERE try(q) LIKE 'ok:%') AS answered,
       count(*) FILTER (WHERE try(q) NOT LIKE 'ok:%') AS rejected,
       count(*) FILTER (WHERE try(q) LIKE 'XX%') AS internal_errors
FROM cases;
