-- security: what a DBA checks before installing a C extension.
CREATE SCHEMA security; SET search_path = security, public;
SET timezone = 'UTC';

-- 1. the catalog: trusted, no SECURITY DEFINER, no per-function settings, only
--    C (from journey's own library, jy_* symbols) and SQL-bodied functions
SELECT name, version, superuser, trusted FROM pg_available_extension_versions WHERE name = 'journey';
SELECT p.oid::regprocedure AS suspicious, l.lanname, p.prosecdef, p.proconfig, p.probin
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'journey'
WHERE p.prosecdef OR p.proconfig IS NOT NULL
   OR l.lanname NOT IN ('c', 'sql', 'internal')
   OR (l.lanname = 'c' AND (p.probin <> '$libdir/journey' OR p.prosrc NOT LIKE 'jy\_%'))
ORDER BY 1;
-- how many functions of each language were checked
SELECT l.lanname, count(*) AS functions
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'journey'
GROUP BY 1 ORDER BY 1;
-- SQL-bodied functions are SQL-standard bodies (parsed and bound at CREATE time),
-- not strings re-parsed under the caller's search_path
SELECT p.oid::regprocedure AS string_body_sql_function
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang AND l.lanname = 'sql'
JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'journey'
WHERE p.prosqlbody IS NULL;

-- 2. a hostile search_path at run time: a schema placed before pg_catalog
--    shadows the function journey's SQL body (median_duration) calls, with a "better" match
CREATE TABLE ev (u int, ts timestamptz);
INSERT INTO ev VALUES (1, '2024-01-01 10:00'), (1, '2024-01-01 10:10'), (1, '2024-01-01 12:00'),
                      (2, '2024-01-01 09:00'), (2, '2024-01-01 09:45');
CREATE TABLE st AS SELECT u, session_stats(ts) AS s FROM ev GROUP BY u;
CREATE TABLE clean AS
  SELECT u, session_count(s), event_count(s), bounce_count(s), bounce_rate(s), events_per_session(s),
         avg_duration(s), total_duration(s), median_duration(s), duration_percentile(s, 0.9)
  FROM st;
SELECT * FROM clean ORDER BY u;
CREATE SCHEMA hostile;
CREATE FUNCTION hostile.duration_percentile(public.session_stats, numeric) RETURNS interval
  LANGUAGE sql AS 'SELECT interval ''667 years''';
CREATE FUNCTION hostile.interval_out(interval) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT ''667 years''::text';
SET search_path = hostile, pg_catalog, security, public;
-- the hostile functions do capture the caller's own unqualified calls (that is
-- PostgreSQL's name resolution: 0.9 is numeric, an exact match for the hostile one) ...
SELECT duration_percentile(s, 0.9) AS captured_call
FROM security.st WHERE u = 1;
-- ... but not the calls inside journey's own functions: every KPI equals the clean run
SELECT u, (session_count(s), event_count(s), bounce_count(s), bounce_rate(s), events_per_session(s),
           avg_duration(s), total_duration(s), median_duration(s), duration_percentile(s, 0.9::float8))
          IS NOT DISTINCT FROM
          (c.session_count, c.event_count, c.bounce_count, c.bounce_rate, c.events_per_session,
           c.avg_duration, c.total_duration, c.median_duration, c.duration_percentile) AS same_as_clean
FROM security.st JOIN security.clean c USING (u) ORDER BY u;
SELECT (session_kpis(s)).* FROM security.st WHERE u = 1;
RESET search_path;
SET search_path = security, public;

-- 3. a hostile search_path at install time, in a fresh database: objects that
--    would capture the install script's references if it resolved names through
--    the caller's search_path (aggregate support functions, the type's I/O)
SELECT current_database() AS regress_db \gset
CREATE DATABASE journey_security;
\c journey_security
SET client_min_messages = warning;
CREATE SCHEMA hostile;
CREATE SCHEMA jx;
CREATE FUNCTION hostile.session_stats_merge(anyelement, anyelement) RETURNS anyelement
  LANGUAGE sql AS 'SELECT $1';
CREATE FUNCTION hostile.journey_sample_events(integer, integer) RETURNS integer
  LANGUAGE sql AS 'SELECT 666';
CREATE FUNCTION hostile.jy_interval(text) RETURNS interval LANGUAGE sql AS 'SELECT interval ''1 second''';
SET search_path = hostile, public, pg_catalog;
CREATE EXTENSION journey SCHEMA jx;
-- every function the extension's objects depend on lives in jx or pg_catalog
SELECT DISTINCT n.nspname AS schema_of_referenced_function
FROM pg_depend d
JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND d.refobjid = p.oid
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE d.classid IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_aggregate'::regclass)
  AND d.objid IN (SELECT objid FROM pg_depend WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'journey') AND deptype = 'e')
ORDER BY 1;
-- the rollup aggregate's transition function is jx's, not the hostile one
SELECT aggfnoid::regprocedure, aggtransfn::regprocedure, aggcombinefn::regprocedure
FROM pg_aggregate WHERE aggfnoid::regproc::text LIKE '%rollup%';
-- and it works, with the hostile schema still first on the path
SELECT jx.session_count(jx.rollup(s)) AS sessions,
       jx.session_count(jx.rollup(s)) = (SELECT count(*) FROM (
           SELECT ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) AS d FROM jx.journey_sample_events(20, 1)) q
         WHERE d IS NULL OR d > interval '30 minutes') AS agrees_with_plain_sql
FROM (SELECT jx.session_stats(ts) AS s FROM jx.journey_sample_events(20, 1) GROUP BY user_id) x;
DROP EXTENSION journey;

-- 4. an object planted in the target schema before installation is not taken
--    over (the install script never uses CREATE OR REPLACE): the install fails
CREATE FUNCTION jx.session_key(bigint, timestamptz) RETURNS uuid
  LANGUAGE sql AS 'SELECT ''00000000-0000-0000-0000-000000000666''::uuid';
\set VERBOSITY sqlstate
CREATE EXTENSION journey SCHEMA jx;
\set VERBOSITY default
SELECT count(*) AS journey_installed FROM pg_extension WHERE extname = 'journey';
\c :regress_db
DROP DATABASE journey_security;
