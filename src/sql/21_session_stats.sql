-- Session KPIs, two-step: session_stats(ts, ...) per user -> rollup() -> accessors.
#include "jy_sqldefs.h"

CREATE TYPE session_stats;

JY_VARLENA_TYPE(session_stats, jy_session_stats, double)
COMMENT ON TYPE session_stats IS
'summary of sessions (counts, total duration, duration histogram); mergeable with rollup(), read with session_kpis() and accessors';

-- per-user aggregate (support functions are documented too: \df+ shows them)
CREATE FUNCTION session_stats_trans(internal, timestamptz) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_session_stats_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION session_stats_trans(internal, timestamptz, interval) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_session_stats_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION session_stats_trans(internal, timestamptz, interval, interval) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_session_stats_trans' LANGUAGE C PARALLEL SAFE;
JY_AGG_STATE_FUNCS(session_stats, jy_session_stats)
CREATE FUNCTION session_stats_final(internal) RETURNS session_stats
AS 'MODULE_PATHNAME', 'jy_session_stats_final' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE session_stats(ts timestamptz) (
    SFUNC = session_stats_trans, STYPE = internal, SSPACE = 160,
    JY_AGG_PARALLEL(session_stats_final, SHAREABLE, session_stats)
);
CREATE AGGREGATE session_stats(ts timestamptz, gap interval) (
    SFUNC = session_stats_trans, STYPE = internal, SSPACE = 160,
    JY_AGG_PARALLEL(session_stats_final, SHAREABLE, session_stats)
);
CREATE AGGREGATE session_stats(ts timestamptz, gap interval, max_length interval) (
    SFUNC = session_stats_trans, STYPE = internal, SSPACE = 160,
    JY_AGG_PARALLEL(session_stats_final, SHAREABLE, session_stats)
);
COMMENT ON FUNCTION session_stats_trans(internal, timestamptz) IS 'transition function of session_stats(timestamptz)';
COMMENT ON FUNCTION session_stats_trans(internal, timestamptz, interval) IS 'transition function of session_stats(timestamptz, interval)';
COMMENT ON FUNCTION session_stats_trans(internal, timestamptz, interval, interval) IS 'transition function of session_stats(timestamptz, interval, interval)';
JY_AGG_STATE_COMMENTS(session_stats,
    'combine function of session_stats (parallel aggregation)',
    'serialize function of session_stats (parallel aggregation)',
    'deserialize function of session_stats (parallel aggregation)')
COMMENT ON FUNCTION session_stats_final(internal) IS 'final function of session_stats: sessionizes the collected timestamps';
JY_VARLENA_IO_COMMENTS(session_stats,
    'text input of session_stats',
    'text output of session_stats',
    'binary input of session_stats',
    'binary output of session_stats')
COMMENT ON AGGREGATE session_stats(timestamptz) IS
'session summary of one group''s events (usually GROUP BY user), 30-minute gap; input order does not matter';
COMMENT ON AGGREGATE session_stats(timestamptz, interval) IS
'session summary of one group''s events with the given inactivity gap; input order does not matter';
COMMENT ON AGGREGATE session_stats(timestamptz, interval, interval) IS
'session summary of one group''s events with the given gap and maximum session length';

-- cross-user rollup: varlena state, so it can be combined anywhere
CREATE FUNCTION session_stats_merge(session_stats, session_stats) RETURNS session_stats
AS 'MODULE_PATHNAME', 'jy_session_stats_merge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION session_stats_merge(session_stats, session_stats) IS
'merge two session summaries (what rollup() does row by row)';

JY_ROLLUP(session_stats)
COMMENT ON AGGREGATE rollup(session_stats) IS
'merge session summaries (across users, days, channels or nodes); the result is again a session_stats';

-- accessors
CREATE FUNCTION session_count(s session_stats) RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_session_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION event_count(s session_stats) RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_event_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bounce_count(s session_stats) RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_bounce_count' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bounce_rate(s session_stats) RETURNS float8
AS 'MODULE_PATHNAME', 'jy_bounce_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION events_per_session(s session_stats) RETURNS float8
AS 'MODULE_PATHNAME', 'jy_events_per_session' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION avg_duration(s session_stats) RETURNS interval
AS 'MODULE_PATHNAME', 'jy_avg_duration' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION total_duration(s session_stats) RETURNS interval
AS 'MODULE_PATHNAME', 'jy_total_duration' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION duration_percentile(s session_stats, q float8) RETURNS interval
AS 'MODULE_PATHNAME', 'jy_session_stats_percentile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION median_duration(s session_stats) RETURNS interval
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN @extschema@.duration_percentile(s, 0.5);

CREATE FUNCTION session_kpis(s session_stats,
    OUT sessions bigint, OUT events bigint, OUT bounces bigint, OUT bounce_rate float8,
    OUT events_per_session float8, OUT avg_duration interval, OUT median_duration interval,
    OUT p90_duration interval, OUT avg_duration_s float8, OUT median_duration_s float8,
    OUT p90_duration_s float8)
AS 'MODULE_PATHNAME', 'jy_session_stats_kpis' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION session_count(session_stats) IS 'number of sessions';
COMMENT ON FUNCTION event_count(session_stats) IS 'number of events (NULL timestamps are not counted)';
COMMENT ON FUNCTION bounce_count(session_stats) IS 'number of single-event sessions';
COMMENT ON FUNCTION bounce_rate(session_stats) IS 'share of sessions with a single event (NULL when there is no session)';
COMMENT ON FUNCTION events_per_session(session_stats) IS 'average events per session';
COMMENT ON FUNCTION avg_duration(session_stats) IS 'average session duration (last event minus first; 0 for a bounce), exact to the microsecond';
COMMENT ON FUNCTION total_duration(session_stats) IS 'sum of session durations';
COMMENT ON FUNCTION duration_percentile(session_stats, float8) IS 'q-quantile (nearest rank, like percentile_disc) of session durations, within 0.4% (exact below 128 microseconds)';
COMMENT ON FUNCTION median_duration(session_stats) IS 'median session duration (nearest rank), within 0.4%';
COMMENT ON FUNCTION session_kpis(session_stats) IS 'all session KPIs as one row of scalar columns (sessions, events, bounces, bounce_rate, events_per_session, avg/median/p90 duration as interval and again as float8 seconds)';

-- the durations again as float8 seconds (what BI tools and drivers can average and chart)
CREATE FUNCTION avg_duration_s(s session_stats) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN extract(epoch FROM @extschema@.avg_duration(s))::float8;
CREATE FUNCTION total_duration_s(s session_stats) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN extract(epoch FROM @extschema@.total_duration(s))::float8;
CREATE FUNCTION duration_percentile_s(s session_stats, q float8) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN extract(epoch FROM @extschema@.duration_percentile(s, q))::float8;
CREATE FUNCTION median_duration_s(s session_stats) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN extract(epoch FROM @extschema@.duration_percentile(s, 0.5))::float8;
COMMENT ON FUNCTION avg_duration_s(session_stats) IS 'avg_duration in seconds (float8)';
COMMENT ON FUNCTION total_duration_s(session_stats) IS 'total_duration in seconds (float8)';
COMMENT ON FUNCTION duration_percentile_s(session_stats, float8) IS 'duration_percentile in seconds (float8)';
COMMENT ON FUNCTION median_duration_s(session_stats) IS 'median_duration in seconds (float8)';
