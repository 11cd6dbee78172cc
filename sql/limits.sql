-- limits: inputs whose size the caller controls, past journey's documented
-- limits, give 54000 (program_limit_exceeded) with a message naming the limit
-- before any work is done, not PostgreSQL's generic XX000 "invalid memory
-- alloc request size" from deep inside.  Arrays of NULLs keep the inputs
-- cheap: an all-NULL array stores one bit per element (45 M elements = 5.6 MB).
CREATE SCHEMA limits; SET search_path = limits, public;
SET timezone = 'UTC';

CREATE FUNCTION try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    r text; st text; msg text; det text; hint text;
BEGIN
    EXECUTE q INTO r;
    RETURN 'ok: ' || coalesce(left(r, 300), 'NULL');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
        det = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN st || ': ' || msg
              || CASE WHEN coalesce(det, '') <> '' THEN ' | ' || det ELSE '' END
              || CASE WHEN coalesce(hint, '') <> '' THEN ' | HINT: ' || hint ELSE '' END;
END $$;

-- 1 GB / 24 bytes = 44739242: the pattern array forms sort one 24-byte entry
-- per element in one allocation.  One element more is refused; the boundary
-- itself is not run here (it needs ~2 GB of memory).
SELECT (1024 * 1024 * 1024 - 1) / 24 AS array_form_limit;
CREATE TABLE big AS
SELECT array_fill(NULL::timestamptz, ARRAY[44739243]) AS ts,
       array_fill(NULL::text, ARRAY[44739243]) AS ev,
       array_fill(NULL::timestamptz, ARRAY[16777217]) AS ts24,
       array_fill(NULL::text, ARRAY[16777217]) AS ev24;
SELECT cardinality(ts) AS n, pg_column_size(ts) AS bytes, cardinality(ts24) AS n24 FROM big;

CREATE TABLE cases (id serial, q text);
INSERT INTO cases (q) VALUES
 ('SELECT journey_match(ts, ev, ''a b'') FROM big'),
 ('SELECT journey_count(ts, ev, ''a b'') FROM big'),
 ('SELECT count(*) FROM big, journey_matches(ts, ev, ''a b'')'),
 ('SELECT journey_first_fired(ts, ev, ''a'') FROM big'),
 ('SELECT journey_last_fired(ts, ev, ''a'') FROM big'),
 ('SELECT journey_next_events(ts, ev, ''a'', 3) FROM big'),
 ('SELECT journey_prev_events(ts, ev, ''a'', 3) FROM big'),
 ('SELECT count(*) FROM big, journey_transitions(ts, ev)'),
-- lengths are compared before the size
 ('SELECT journey_count(ts, ARRAY[''a''], ''a'') FROM big'),
-- one element more than 2^24 (a journey's limit), NULLs included
 ('SELECT length(journey(ts24, ev24)) FROM big'),
 ('SELECT length(journey(ts24[1:16777216], ev24[1:16777216])) FROM big'),
-- n is the caller's: asking for 2^31 - 1 events used to allocate 16 GB (XX000)
 ('SELECT journey_next_events(ARRAY[''2024-01-01'', ''2024-01-02'', ''2024-01-03'']::timestamptz[], ARRAY[''a'', ''b'', ''c''], ''a'', 2147483647)'),
 ('SELECT journey_prev_events(ARRAY[''2024-01-01'', ''2024-01-02'', ''2024-01-03'']::timestamptz[], ARRAY[''a'', ''b'', ''c''], ''c'', 2147483647)'),
 ('SELECT journey_next_events(journey(ARRAY[''2024-01-01'', ''2024-01-02'', ''2024-01-03'']::timestamptz[], ARRAY[''a'', ''b'', ''c'']), ''a'', 2147483647)'),
-- arrays that are checked for size before being taken apart
 ('SELECT funnel_summary(array_fill(NULL::timestamptz, ARRAY[100000000]))'),
 ('SELECT retention(VARIADIC array_fill(NULL::boolean, ARRAY[100000000]))');

CREATE TABLE results AS SELECT id, q, try(q) AS r FROM cases;
\pset format unaligned
\pset tuples_only on
SELECT id || ': ' || q || E'\n    -> ' || r FROM results ORDER BY id;
\pset format aligned
\pset tuples_only off
-- no case ended in an internal error
SELECT count(*) AS cases, count(*) FILTER (WHERE r LIKE '54000:%') AS limit_exceeded,
       count(*) FILTER (WHERE r LIKE 'XX%') AS internal_errors
FROM results;
