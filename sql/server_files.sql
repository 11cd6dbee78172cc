-- server_files: binary input (recv) of arbitrary, patched bytes, driven from PL/pgSQL through
-- server-side COPY files. Those need a superuser (or pg_read_server_files and pg_write_server_files), so
-- for any other role the checks are skipped, and say so (expected/server_files_1.out): `make installcheck`
-- passes as a database owner without superuser, `make test` (as postgres) runs them.
CREATE SCHEMA server_files; SET search_path = server_files, public;
SET timezone = 'UTC';
SELECT r.rolsuper OR (pg_has_role('pg_read_server_files', 'USAGE') AND pg_has_role('pg_write_server_files', 'USAGE'))
       AS can_copy_files FROM pg_roles r WHERE r.rolname = current_user \gset
\if :can_copy_files
-- ---- journey (was in sql/journey.sql)
-- recv of arbitrary bytes: bytea written with COPY BINARY is read back as journey
CREATE TABLE recv_tmp (j journey);
CREATE FUNCTION recv(b bytea) RETURNS journey LANGUAGE plpgsql AS $$
DECLARE r journey;
BEGIN
  TRUNCATE recv_tmp;
  EXECUTE format('COPY (SELECT %L::bytea) TO %L WITH (FORMAT binary)', b, '/tmp/journey_type_regress_' || pg_backend_pid());
  EXECUTE format('COPY recv_tmp FROM %L WITH (FORMAT binary)', '/tmp/journey_type_regress_' || pg_backend_pid());
  SELECT j INTO r FROM recv_tmp;
  RETURN r;
END $$;
SELECT recv('\x01060202004702780005') AS valid;
SELECT recv('\x01060202004702780005') = '[2000-01-01 00:00:00+00 page_view, +2s x]'::journey AS same;
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT recv('\x');                                  -- empty
SELECT recv('\x02060202004702780005');              -- wrong version
SELECT recv('\x01160202004702780005');              -- reserved bits set
SELECT recv('\x010602020047027800');                -- truncated
SELECT recv('\x01060202004702780085');              -- bad varint (ends inside)
SELECT recv('\x0106020200470278008500');            -- over-long varint
SELECT recv('\x01060f02004702780005');              -- more events declared than bytes
SELECT recv('\x01060203004702780005');              -- more names than events
SELECT recv('\x01060202000278470005');              -- names out of order
SELECT recv('\x01060202004702780100');              -- same time, events not in name order
SELECT recv('\x01060202004702780005ff');            -- trailing byte
SELECT recv('\x01050202004702780029');              -- unit 5 with a step of 20: not canonical
SELECT recv('\x0106010100087669657700');            -- well-known name written out
SELECT recv('\x01068180800801');                    -- 2^24 + 1 events: limit
SELECT recv('\x0106010100020000');                  -- name containing a zero byte
SELECT recv('\x010601010002ff00');                -- name that is not valid UTF-8
SELECT recv('\x01060101000000');                    -- the empty name is fine
\set VERBOSITY terse
\set SHOW_CONTEXT errors

-- ---- funnel_summary (was in sql/funnel_report.sql)
\set VERBOSITY default
CREATE TABLE fbin (day int, s funnel_summary);
-- day 1 of sql/funnel_report.sql's per-user results
CREATE TABLE per_day AS SELECT 1 AS day, funnel_summary(times) AS s FROM (VALUES
  (ARRAY['2024-01-01 10:00', '2024-01-01 10:05', '2024-01-01 10:20']::timestamptz[]),
  (ARRAY['2024-01-01 10:00', '2024-01-01 10:10', NULL]::timestamptz[])) v(times);
-- binary input is validated like text input: patch the version byte (offset 33 of the COPY file:
-- 19-byte header, 2-byte field count, day as 4 + 4 bytes, 4-byte length) and the reserved flags byte
CREATE FUNCTION patched_copy(pos int, val int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE f text := '/tmp/journey_funnel_report_patch_' || pg_backend_pid() || '.bin';
BEGIN
  EXECUTE format('COPY (SELECT day, s FROM server_files.per_day WHERE day = 1) TO %L (FORMAT binary)', f);
  EXECUTE format('COPY server_files.fbin FROM PROGRAM %L (FORMAT binary)',
                 format('printf ''\%s'' | dd of=%s bs=1 seek=%s conv=notrunc 2>/dev/null; cat %s; rm -f %s',
                        to_char(val, 'FM000'), f, pos, f, f));
  RETURN 'accepted';
END $$;
\set SHOW_CONTEXT never
SELECT patched_copy(33, 1) AS same_version;
SELECT patched_copy(33, 2) AS version_2;
SELECT patched_copy(34, 1) AS flags_set;
SELECT patched_copy(35, 4) AS reserved_set;
\set SHOW_CONTEXT errors
\set VERBOSITY terse
\else
\echo 'server-side COPY files need superuser (or pg_read_server_files and pg_write_server_files): checks skipped'
\endif
