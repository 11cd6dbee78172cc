-- The journey type: one user's whole path (timestamped events) in one compact, lossless value.
#include "jy_sqldefs.h"

CREATE TYPE journey;

JY_VARLENA_TYPE(journey, jy_journey, int4)
COMMENT ON TYPE journey IS
'one user''s ordered, timestamped events in a compact lossless value: build with journey_agg(ts, event), merge with rollup() or ||, read with length(), journey_events(), journey_path(), journey_sessions() and friends';
JY_VARLENA_IO_COMMENTS(journey,
    'text input of journey: [2024-01-01 10:00:00+00 page_view, +12.5s search, ...]',
    'text output of journey: first time absolute in UTC, then time steps; lossless',
    'binary input of journey (the storage format, fully validated)',
    'binary output of journey (the storage format)')

-- construction: per-user aggregate, merge of journeys
CREATE FUNCTION journey_agg_trans(internal, timestamptz, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_journey_agg_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION journey_rollup_trans(internal, journey) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_journey_rollup_trans' LANGUAGE C PARALLEL SAFE;
JY_AGG_STATE_FUNCS(journey_agg, jy_journey_agg)
CREATE FUNCTION journey_agg_final(internal) RETURNS journey
AS 'MODULE_PATHNAME', 'jy_journey_agg_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION journey_agg_trans(internal, timestamptz, text) IS 'internal: transition function of journey_agg';
COMMENT ON FUNCTION journey_rollup_trans(internal, journey) IS 'internal: transition function of rollup(journey)';
JY_AGG_STATE_COMMENTS(journey_agg,
    'internal: combine function of journey_agg and rollup(journey)',
    'internal: serialize a journey_agg state (as journey bytes)',
    'internal: deserialize a journey_agg state (validated like journey_recv)')
COMMENT ON FUNCTION journey_agg_final(internal) IS 'internal: final function of journey_agg and rollup(journey)';

-- SSPACE: 16 bytes + 12 per event in size classes (src/journey_agg.c); 136 = the average state of the
-- bench data (1.25M users, 8.3 events each: 121 bytes) with some slack
CREATE AGGREGATE journey_agg(ts timestamptz, event text) (
    SFUNC = journey_agg_trans, STYPE = internal, SSPACE = 136,
    JY_AGG_PARALLEL(journey_agg_final, READ_ONLY, journey_agg)
);
COMMENT ON AGGREGATE journey_agg(timestamptz, text) IS
'the journey of one group''s events (usually GROUP BY user): events in time order, ties by event name; input order does not matter; rows with a NULL time or event are skipped';

CREATE AGGREGATE rollup(journey) (
    SFUNC = journey_rollup_trans, STYPE = internal, SSPACE = 168,
    JY_AGG_PARALLEL(journey_agg_final, READ_ONLY, journey_agg)
);
COMMENT ON AGGREGATE rollup(journey) IS
'merge journeys (e.g. one per day) into one, in time order; equal to journey_agg over all their events';

CREATE FUNCTION journey_merge(a journey, b journey) RETURNS journey
AS 'MODULE_PATHNAME', 'jy_journey_merge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION journey_merge(journey, journey) IS
'merge two journeys in time order (all events of both; associative and commutative)';
CREATE OPERATOR || (LEFTARG = journey, RIGHTARG = journey, FUNCTION = journey_merge, COMMUTATOR = ||);
COMMENT ON OPERATOR ||(journey, journey) IS 'merge two journeys in time order';
CREATE FUNCTION journey_union(a journey, b journey) RETURNS journey
AS 'MODULE_PATHNAME', 'jy_journey_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION journey_union(journey, journey) IS
'idempotent merge: an event (time, name) occurring x times in a and y times in b occurs max(x, y) times, so journey_union(j, j) = j and re-applying a load changes nothing; associative and commutative';

CREATE FUNCTION journey(ts timestamptz[], events text[]) RETURNS journey
AS 'MODULE_PATHNAME', 'jy_journey_from_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION journey(timestamptz[], text[]) IS
'a journey from parallel arrays of times and event names (pairs with a NULL are skipped)';

-- equality, hashing, a btree order (by encoded bytes: consistent, not chronological)
CREATE FUNCTION journey_eq(journey, journey) RETURNS boolean
AS 'MODULE_PATHNAME', 'jy_journey_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION journey_ne(journey, journey) RETURNS boolean
AS 'MODULE_PATHNAME', 'jy_journey_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION journey_lt(journey, journey) RETURNS boolean
AS 'MODULE_PATHNAME', 'jy_journey_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_le(journey, journey) RETURNS boolean
AS 'MODULE_PATHNAME', 'jy_journey_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_gt(journey, journey) RETURNS boolean
AS 'MODULE_PATHNAME', 'jy_journey_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_ge(journey, journey) RETURNS boolean
AS 'MODULE_PATHNAME', 'jy_journey_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_cmp(journey, journey) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_journey_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_hash(journey) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_journey_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_hash_extended(journey, bigint) RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_journey_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION journey_eq(journey, journey) IS 'journeys are equal: the same events at the same times';
COMMENT ON FUNCTION journey_ne(journey, journey) IS 'journeys differ';
COMMENT ON FUNCTION journey_lt(journey, journey) IS 'btree order of journeys (by encoded bytes; consistent but not chronological)';
COMMENT ON FUNCTION journey_le(journey, journey) IS 'btree order of journeys (by encoded bytes)';
COMMENT ON FUNCTION journey_gt(journey, journey) IS 'btree order of journeys (by encoded bytes)';
COMMENT ON FUNCTION journey_ge(journey, journey) IS 'btree order of journeys (by encoded bytes)';
COMMENT ON FUNCTION journey_cmp(journey, journey) IS 'btree comparison of journeys (by encoded bytes)';
COMMENT ON FUNCTION journey_hash(journey) IS 'hash of a journey (for DISTINCT, GROUP BY, hash joins)';
COMMENT ON FUNCTION journey_hash_extended(journey, bigint) IS 'seeded 64-bit hash of a journey (hash partitioning)';

CREATE OPERATOR = (LEFTARG = journey, RIGHTARG = journey, FUNCTION = journey_eq,
    COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR <> (LEFTARG = journey, RIGHTARG = journey, FUNCTION = journey_ne,
    COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR < (LEFTARG = journey, RIGHTARG = journey, FUNCTION = journey_lt,
    COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR <= (LEFTARG = journey, RIGHTARG = journey, FUNCTION = journey_le,
    COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR > (LEFTARG = journey, RIGHTARG = journey, FUNCTION = journey_gt,
    COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR >= (LEFTARG = journey, RIGHTARG = journey, FUNCTION = journey_ge,
    COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel);
COMMENT ON OPERATOR =(journey, journey) IS 'journeys are equal';
COMMENT ON OPERATOR <>(journey, journey) IS 'journeys differ';
COMMENT ON OPERATOR <(journey, journey) IS 'btree order (by encoded bytes)';
COMMENT ON OPERATOR <=(journey, journey) IS 'btree order (by encoded bytes)';
COMMENT ON OPERATOR >(journey, journey) IS 'btree order (by encoded bytes)';
COMMENT ON OPERATOR >=(journey, journey) IS 'btree order (by encoded bytes)';

CREATE OPERATOR CLASS journey_ops DEFAULT FOR TYPE journey USING btree AS
    OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,
    FUNCTION 1 journey_cmp(journey, journey);
CREATE OPERATOR CLASS journey_hash_ops DEFAULT FOR TYPE journey USING hash AS
    OPERATOR 1 =,
    FUNCTION 1 journey_hash(journey),
    FUNCTION 2 journey_hash_extended(journey, bigint);

-- accessors
CREATE FUNCTION length(j journey) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_journey_length' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION first_time(j journey) RETURNS timestamptz
AS 'MODULE_PATHNAME', 'jy_journey_first_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION last_time(j journey) RETURNS timestamptz
AS 'MODULE_PATHNAME', 'jy_journey_last_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION duration(j journey) RETURNS interval
AS 'MODULE_PATHNAME', 'jy_journey_duration' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_events(j journey, OUT "position" integer, OUT ts timestamptz, OUT event text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_journey_events' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 20;
CREATE FUNCTION event_at(j journey, "position" integer) RETURNS text
AS 'MODULE_PATHNAME', 'jy_journey_event_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION time_at(j journey, "position" integer) RETURNS timestamptz
AS 'MODULE_PATHNAME', 'jy_journey_time_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION distinct_events(j journey) RETURNS text[]
AS 'MODULE_PATHNAME', 'jy_journey_distinct_events' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION event_count(j journey, event text) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_journey_event_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_path(j journey, collapse boolean DEFAULT false, separator text DEFAULT ' > ')
RETURNS text
AS 'MODULE_PATHNAME', 'jy_journey_path' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_slice(j journey, from_ts timestamptz, to_ts timestamptz) RETURNS journey
AS 'MODULE_PATHNAME', 'jy_journey_slice' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_sessions(j journey, gap interval DEFAULT '30 minutes', max_length interval DEFAULT NULL,
    OUT session_number integer, OUT session journey)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_journey_sessions' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 5;

COMMENT ON FUNCTION length(journey) IS 'number of events in the journey (reads only the header)';
COMMENT ON FUNCTION first_time(journey) IS 'time of the first event (NULL for an empty journey)';
COMMENT ON FUNCTION last_time(journey) IS 'time of the last event (NULL for an empty journey)';
COMMENT ON FUNCTION duration(journey) IS 'last event time minus first event time (NULL for an empty journey)';
CREATE FUNCTION duration_s(j journey) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN extract(epoch FROM @extschema@.duration(j))::float8;
COMMENT ON FUNCTION duration_s(journey) IS 'duration() in seconds (float8; NULL for an empty journey)';
COMMENT ON FUNCTION journey_events(journey) IS 'the events as rows: position (1-based), ts, event';
COMMENT ON FUNCTION event_at(journey, integer) IS 'event name at a 1-based position; negative positions count from the end (-1 = last); NULL when out of range';
COMMENT ON FUNCTION time_at(journey, integer) IS 'event time at a 1-based position; negative positions count from the end; NULL when out of range';
COMMENT ON FUNCTION distinct_events(journey) IS 'the distinct event names of the journey, in name (byte) order';
COMMENT ON FUNCTION event_count(journey, text) IS 'how many times the event occurs in the journey';
COMMENT ON FUNCTION journey_path(journey, boolean, text) IS 'the path as text (home > product > cart); collapse = true drops consecutive repeats';
COMMENT ON FUNCTION journey_slice(journey, timestamptz, timestamptz) IS 'the events with from_ts <= ts < to_ts, as a journey';
COMMENT ON FUNCTION journey_sessions(journey, interval, interval) IS 'split a journey into sessions by inactivity gap (and optional maximum length), the same rule as sessionize()';

-- per-user session summary straight from a stored journey (no row per session); not STRICT: max_length
-- defaults to NULL (no maximum), a NULL journey gives NULL
CREATE FUNCTION journey_session_stats(j journey, gap interval DEFAULT '30 minutes', max_length interval DEFAULT NULL)
RETURNS session_stats
AS 'MODULE_PATHNAME', 'jy_journey_session_stats' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 100;
COMMENT ON FUNCTION journey_session_stats(journey, interval, interval) IS
'session summary of one stored journey (sessions, events, bounces, durations): equals session_stats(ts, gap, max_length) over the journey''s events, without a row per session; NULL for an empty journey; rollup() across users, read with session_count() / session_kpis()';
