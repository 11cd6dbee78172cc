-- Patterns over journeys: journey_match / journey_count / journey_matches in journey's pattern
-- language, and ClickHouse-compatible sequence_match / sequence_count.  See doc/patterns.md.
#include "jy_sqldefs.h"

CREATE FUNCTION journey_pattern_trans(internal, timestamptz, text, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_pattern_trans' LANGUAGE C PARALLEL SAFE;
JY_AGG_STATE_FUNCS(journey_pattern, jy_pattern)
CREATE FUNCTION journey_pattern_final_match(internal) RETURNS boolean
AS 'MODULE_PATHNAME', 'jy_pattern_final_match' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION journey_pattern_final_count(internal) RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_pattern_final_count' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION journey_pattern_trans(internal, timestamptz, text, text) IS 'internal: transition function of journey_match/journey_count';
JY_AGG_STATE_COMMENTS(journey_pattern,
    'internal: combine function of the pattern aggregates',
    'internal: serialize function of the pattern aggregates',
    'internal: deserialize function of the pattern aggregates')
COMMENT ON FUNCTION journey_pattern_final_match(internal) IS 'internal: final function of journey_match and sequence_match';
COMMENT ON FUNCTION journey_pattern_final_count(internal) IS 'internal: final function of journey_count and sequence_count';

-- SSPACE: a 16-byte header and 9 bytes per kept event in size classes (src/pattern_agg.c); 56 = a user
-- with 3-4 kept events, the average of the bench data (1.25M users, product_view .* purchase: 51.5)
CREATE AGGREGATE journey_match(ts timestamptz, event text, pattern text) (
    SFUNC = journey_pattern_trans, STYPE = internal, SSPACE = 56,
    JY_AGG_PARALLEL(journey_pattern_final_match, SHAREABLE, journey_pattern)
);
CREATE AGGREGATE journey_count(ts timestamptz, event text, pattern text) (
    SFUNC = journey_pattern_trans, STYPE = internal, SSPACE = 56,
    JY_AGG_PARALLEL(journey_pattern_final_count, SHAREABLE, journey_pattern)
);
COMMENT ON AGGREGATE journey_match(timestamptz, text, text) IS
'true when the group''s events (usually GROUP BY user), in time order, contain a match of the pattern; input order does not matter';
COMMENT ON AGGREGATE journey_count(timestamptz, text, text) IS
'number of non-overlapping matches of the pattern in the group''s time-ordered events (earliest-ending match first)';

CREATE FUNCTION journey_match(ts timestamptz[], events text[], pattern text) RETURNS boolean
AS 'MODULE_PATHNAME', 'jy_pattern_array_match' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_count(ts timestamptz[], events text[], pattern text) RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_pattern_array_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_matches(ts timestamptz[], events text[], pattern text,
    OUT match_no bigint, OUT start_pos integer, OUT end_pos integer,
    OUT start_ts timestamptz, OUT end_ts timestamptz, OUT n_events integer, OUT events text[],
    OUT prev_event text, OUT next_event text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_pattern_matches' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION journey_match(timestamptz[], text[], text) IS
'true when the journey given as parallel arrays (timestamps, event names) contains a match of the pattern';
COMMENT ON FUNCTION journey_count(timestamptz[], text[], text) IS
'number of non-overlapping matches of the pattern in the journey given as parallel arrays';
COMMENT ON FUNCTION journey_matches(timestamptz[], text[], text) IS
'one row per non-overlapping match (MATCH_RECOGNIZE ONE ROW PER MATCH): number, 1-based start/end position in the time-ordered journey, start/end time, number and names of the matched events, the events just before and after the match';

-- trigger support
CREATE FUNCTION journey_fired(ts timestamptz[], events text[], pattern text, last boolean) RETURNS timestamptz
AS 'MODULE_PATHNAME', 'jy_pattern_fired' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION journey_fired(timestamptz[], text[], text, boolean) IS
'internal: time of the last event of the first (last = false) or last (last = true) match';
CREATE FUNCTION journey_first_fired(ts timestamptz[], events text[], pattern text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN @extschema@.journey_fired(ts, events, pattern, false);
CREATE FUNCTION journey_last_fired(ts timestamptz[], events text[], pattern text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN @extschema@.journey_fired(ts, events, pattern, true);
COMMENT ON FUNCTION journey_first_fired(timestamptz[], text[], text) IS
'when a rule written as a pattern first fired: time of the last event of the first match (NULL if never)';
COMMENT ON FUNCTION journey_last_fired(timestamptz[], text[], text) IS
'when a rule last fired: time of the last event of the last non-overlapping match (NULL if never); compare with now() - interval for a cooldown';

-- ClickHouse sequenceMatch / sequenceCount
CREATE FUNCTION sequence_trans(internal, text, timestamptz, VARIADIC boolean[]) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_seq_trans' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION sequence_trans(internal, text, timestamptz, boolean[]) IS 'internal: transition function of sequence_match/sequence_count';

CREATE AGGREGATE sequence_match(pattern text, ts timestamptz, VARIADIC conds boolean[]) (
    SFUNC = sequence_trans, STYPE = internal, SSPACE = 56,
    JY_AGG_PARALLEL(journey_pattern_final_match, SHAREABLE, journey_pattern)
);
CREATE AGGREGATE sequence_count(pattern text, ts timestamptz, VARIADIC conds boolean[]) (
    SFUNC = sequence_trans, STYPE = internal, SSPACE = 56,
    JY_AGG_PARALLEL(journey_pattern_final_count, SHAREABLE, journey_pattern)
);
COMMENT ON AGGREGATE sequence_match(text, timestamptz, boolean[]) IS
'ClickHouse sequenceMatch(pattern)(ts, cond1, ...): (?N), ., .* and (?t op seconds); same answers, no TOO_SLOW limit';
COMMENT ON AGGREGATE sequence_count(text, timestamptz, boolean[]) IS
'ClickHouse sequenceCount(pattern)(ts, cond1, ...): number of non-overlapping matches, same answers, no TOO_SLOW limit';

-- the same over the journey type (src/sql/60_journey.sql)
CREATE FUNCTION journey_match(j journey, pattern text) RETURNS boolean
AS 'MODULE_PATHNAME', 'jy_pattern_j_match' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_count(j journey, pattern text) RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_pattern_j_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_matches(j journey, pattern text,
    OUT match_no bigint, OUT start_pos integer, OUT end_pos integer,
    OUT start_ts timestamptz, OUT end_ts timestamptz, OUT n_events integer, OUT events text[],
    OUT prev_event text, OUT next_event text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_pattern_j_matches' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
CREATE FUNCTION journey_fired(j journey, pattern text, last boolean) RETURNS timestamptz
AS 'MODULE_PATHNAME', 'jy_pattern_j_fired' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_first_fired(j journey, pattern text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN @extschema@.journey_fired(j, pattern, false);
CREATE FUNCTION journey_last_fired(j journey, pattern text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN @extschema@.journey_fired(j, pattern, true);
COMMENT ON FUNCTION journey_match(journey, text) IS 'true when the journey contains a match of the pattern';
COMMENT ON FUNCTION journey_count(journey, text) IS 'number of non-overlapping matches of the pattern in the journey';
COMMENT ON FUNCTION journey_matches(journey, text) IS
'one row per non-overlapping match of the pattern in the journey (MATCH_RECOGNIZE ONE ROW PER MATCH), with the events just before and after';
COMMENT ON FUNCTION journey_fired(journey, text, boolean) IS 'internal: time of the last event of the first (last = false) or last match';
COMMENT ON FUNCTION journey_first_fired(journey, text) IS 'when a rule written as a pattern first fired in the journey (NULL if never)';
COMMENT ON FUNCTION journey_last_fired(journey, text) IS 'when a rule last fired in the journey (NULL if never); compare with now() - interval for a cooldown';

-- paths: the events around a match (sequenceNextNode-like), and transitions for Sankey diagrams
CREATE FUNCTION journey_steps(ts timestamptz[], events text[], pattern text, n integer, last_match boolean, backward boolean)
RETURNS text[] AS 'MODULE_PATHNAME', 'jy_pattern_steps' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_steps(j journey, pattern text, n integer, last_match boolean, backward boolean)
RETURNS text[] AS 'MODULE_PATHNAME', 'jy_pattern_j_steps' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION journey_steps(timestamptz[], text[], text, integer, boolean, boolean) IS
'internal: the n events after (before, when backward) the first (last, when last_match) match';
COMMENT ON FUNCTION journey_steps(journey, text, integer, boolean, boolean) IS
'internal: the n events after (before, when backward) the first (last, when last_match) match';
CREATE FUNCTION journey_next_events(ts timestamptz[], events text[], pattern text, n integer DEFAULT 1, last_match boolean DEFAULT false)
RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.journey_steps(ts, events, pattern, n, last_match, false);
CREATE FUNCTION journey_prev_events(ts timestamptz[], events text[], pattern text, n integer DEFAULT 1, last_match boolean DEFAULT false)
RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.journey_steps(ts, events, pattern, n, last_match, true);
CREATE FUNCTION journey_next_events(j journey, pattern text, n integer DEFAULT 1, last_match boolean DEFAULT false)
RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.journey_steps(j, pattern, n, last_match, false);
CREATE FUNCTION journey_prev_events(j journey, pattern text, n integer DEFAULT 1, last_match boolean DEFAULT false)
RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN @extschema@.journey_steps(j, pattern, n, last_match, true);
COMMENT ON FUNCTION journey_next_events(timestamptz[], text[], text, integer, boolean) IS
'the n events right after the first (or last) match of the pattern, in order; NULL when there is no match';
COMMENT ON FUNCTION journey_prev_events(timestamptz[], text[], text, integer, boolean) IS
'the n events right before the first (or last) match of the pattern, in journey order; NULL when there is no match';
COMMENT ON FUNCTION journey_next_events(journey, text, integer, boolean) IS
'the n events right after the first (or last) match of the pattern, in order; NULL when there is no match';
COMMENT ON FUNCTION journey_prev_events(journey, text, integer, boolean) IS
'the n events right before the first (or last) match of the pattern, in journey order; NULL when there is no match';

CREATE FUNCTION journey_transitions(ts timestamptz[], events text[],
    OUT step integer, OUT from_event text, OUT to_event text, OUT from_ts timestamptz, OUT gap interval, OUT gap_s float8)
RETURNS SETOF record AS 'MODULE_PATHNAME', 'jy_transitions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_transitions(j journey,
    OUT step integer, OUT from_event text, OUT to_event text, OUT from_ts timestamptz, OUT gap interval, OUT gap_s float8)
RETURNS SETOF record AS 'MODULE_PATHNAME', 'jy_j_transitions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION journey_transitions(timestamptz[], text[]) IS
'one row per pair of consecutive events (ties ordered by name): step number, from, to, time of from, gap (interval, and gap_s in float8 seconds); GROUP BY from_event, to_event for a Sankey diagram';
COMMENT ON FUNCTION journey_transitions(journey) IS
'one row per pair of consecutive events of the journey: step number, from, to, time of from, gap (interval, and gap_s in float8 seconds); GROUP BY from_event, to_event for a Sankey diagram';
