-- journey 0.1.0 install script. Generated from src/sql/*.sql by make: edit those.
\echo Use "CREATE EXTENSION journey" to load this file. \quit

-- ---- src/sql/10_sample.sql ----
-- Built-in sample data: a deterministic e-commerce event stream.
CREATE FUNCTION journey_sample_events(users integer, seed integer DEFAULT 1)
RETURNS TABLE (
    user_id     bigint,
    ts          timestamptz,
    event       text,
    utm_source  text,
    utm_medium  text,
    device      text,
    country     text,
    product_id  integer,
    category    text,
    revenue     numeric
)
AS 'MODULE_PATHNAME', 'jy_sample_events'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
ROWS 10000;

COMMENT ON FUNCTION journey_sample_events(integer, integer) IS
'deterministic e-commerce sample events for users 1..users (same seed, same rows): page views, searches, product views, carts, checkouts, purchases with revenue, signups; ordered by user_id, ts';

-- ---- src/sql/20_sessionize.sql ----
-- sessionize: split each partition's events into sessions by inactivity.
-- New session when the gap to the previous event is strictly greater than
-- gap, when the session would exceed max_length, or when split is true.

CREATE FUNCTION sessionize(ts timestamptz, gap interval DEFAULT '30 minutes',
                           max_length interval DEFAULT NULL, split boolean DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_sessionize_window'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION sessionize(ts timestamp, gap interval DEFAULT '30 minutes',
                           max_length interval DEFAULT NULL, split boolean DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_sessionize_window'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION session_start(ts timestamptz, gap interval DEFAULT '30 minutes',
                              max_length interval DEFAULT NULL, split boolean DEFAULT NULL)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'jy_session_start_window'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION session_start(ts timestamp, gap interval DEFAULT '30 minutes',
                              max_length interval DEFAULT NULL, split boolean DEFAULT NULL)
RETURNS timestamp
AS 'MODULE_PATHNAME', 'jy_session_start_window'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION session_key(user_key text, session_start timestamptz)
RETURNS uuid
AS 'MODULE_PATHNAME', 'jy_session_key_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION session_key(user_key bigint, session_start timestamptz)
RETURNS uuid
AS 'MODULE_PATHNAME', 'jy_session_key_int8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION sessionize(timestamptz, interval, interval, boolean) IS
'window function: session number (1, 2, ...) of the row within its partition; a new session starts when the gap to the previous event is > gap, the session would exceed max_length, or split is true; NULL ts gives NULL';
COMMENT ON FUNCTION sessionize(timestamp, interval, interval, boolean) IS
'window function: session number (1, 2, ...) of the row within its partition; a new session starts when the gap to the previous event is > gap, the session would exceed max_length, or split is true; NULL ts gives NULL';
COMMENT ON FUNCTION session_start(timestamptz, interval, interval, boolean) IS
'window function: timestamp of the first event of the row''s session (same rules as sessionize)';
COMMENT ON FUNCTION session_start(timestamp, interval, interval, boolean) IS
'window function: timestamp of the first event of the row''s session (same rules as sessionize)';
COMMENT ON FUNCTION session_key(text, timestamptz) IS
'deterministic session id (name-based uuid, version 3) from the user key and the session''s first timestamp: stable across incremental loads';
COMMENT ON FUNCTION session_key(bigint, timestamptz) IS
'deterministic session id (name-based uuid, version 3) from the user key and the session''s first timestamp; equals session_key(user_key::text, session_start)';

-- ---- src/sql/21_session_stats.sql ----
-- Session KPIs, two-step: session_stats(ts, ...) per user -> rollup() -> accessors.

CREATE TYPE session_stats;

CREATE FUNCTION session_stats_in(cstring) RETURNS session_stats
AS 'MODULE_PATHNAME', 'jy_session_stats_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION session_stats_out(session_stats) RETURNS cstring
AS 'MODULE_PATHNAME', 'jy_session_stats_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION session_stats_recv(internal) RETURNS session_stats
AS 'MODULE_PATHNAME', 'jy_session_stats_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION session_stats_send(session_stats) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_session_stats_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE session_stats (
    INPUT = session_stats_in,
    OUTPUT = session_stats_out,
    RECEIVE = session_stats_recv,
    SEND = session_stats_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE session_stats IS
'summary of sessions (counts, total duration, duration histogram); mergeable with rollup(), read with session_kpis() and accessors';

-- per-user aggregate (support functions are documented too: \df+ shows them)
CREATE FUNCTION session_stats_trans(internal, timestamptz) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_session_stats_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION session_stats_trans(internal, timestamptz, interval) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_session_stats_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION session_stats_trans(internal, timestamptz, interval, interval) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_session_stats_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION session_stats_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_session_stats_combine' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION session_stats_serial(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_session_stats_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION session_stats_deserial(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_session_stats_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION session_stats_final(internal) RETURNS session_stats
AS 'MODULE_PATHNAME', 'jy_session_stats_final' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE session_stats(ts timestamptz) (
    SFUNC = session_stats_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = session_stats_final, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = session_stats_combine,
    SERIALFUNC = session_stats_serial, DESERIALFUNC = session_stats_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE session_stats(ts timestamptz, gap interval) (
    SFUNC = session_stats_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = session_stats_final, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = session_stats_combine,
    SERIALFUNC = session_stats_serial, DESERIALFUNC = session_stats_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE session_stats(ts timestamptz, gap interval, max_length interval) (
    SFUNC = session_stats_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = session_stats_final, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = session_stats_combine,
    SERIALFUNC = session_stats_serial, DESERIALFUNC = session_stats_deserial,
    PARALLEL = SAFE
);
COMMENT ON FUNCTION session_stats_trans(internal, timestamptz) IS 'transition function of session_stats(timestamptz)';
COMMENT ON FUNCTION session_stats_trans(internal, timestamptz, interval) IS 'transition function of session_stats(timestamptz, interval)';
COMMENT ON FUNCTION session_stats_trans(internal, timestamptz, interval, interval) IS 'transition function of session_stats(timestamptz, interval, interval)';
COMMENT ON FUNCTION session_stats_combine(internal, internal) IS 'combine function of session_stats (parallel aggregation)';
COMMENT ON FUNCTION session_stats_serial(internal) IS 'serialize function of session_stats (parallel aggregation)';
COMMENT ON FUNCTION session_stats_deserial(bytea, internal) IS 'deserialize function of session_stats (parallel aggregation)';
COMMENT ON FUNCTION session_stats_final(internal) IS 'final function of session_stats: sessionizes the collected timestamps';
COMMENT ON FUNCTION session_stats_in(cstring) IS 'text input of session_stats';
COMMENT ON FUNCTION session_stats_out(session_stats) IS 'text output of session_stats';
COMMENT ON FUNCTION session_stats_recv(internal) IS 'binary input of session_stats';
COMMENT ON FUNCTION session_stats_send(session_stats) IS 'binary output of session_stats';
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

CREATE AGGREGATE rollup(session_stats) (
    SFUNC = session_stats_merge, STYPE = session_stats,
    COMBINEFUNC = session_stats_merge,
    PARALLEL = SAFE
);
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
    OUT p90_duration interval)
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
COMMENT ON FUNCTION session_kpis(session_stats) IS 'all session KPIs as one row of scalar columns (sessions, events, bounces, bounce_rate, events_per_session, avg/median/p90 duration)';

-- ---- src/sql/30_funnel.sql ----
-- Window funnels (ClickHouse windowFunnel semantics, every mode) and the funnel report.

-- ---- per user: funnel_step / funnel_times ------------------------------------
CREATE FUNCTION funnel_trans(internal, timestamptz, interval, VARIADIC "any") RETURNS internal
AS 'MODULE_PATHNAME', 'jy_funnel_trans_v' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_trans(internal, timestamptz, interval, text, VARIADIC "any") RETURNS internal
AS 'MODULE_PATHNAME', 'jy_funnel_trans_vm' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_trans(internal, timestamptz, interval, text, boolean[], boolean[], integer[]) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_funnel_trans_arr' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_trans(internal, timestamptz, interval, text, text[]) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_funnel_trans_names' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_trans(internal, timestamptz, interval, text, text[], text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_funnel_trans_names' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_funnel_combine' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_serial(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_funnel_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_deserial(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_funnel_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_final_level(internal) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_funnel_final_level' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_final_times(internal) RETURNS timestamptz[]
AS 'MODULE_PATHNAME', 'jy_funnel_final_times' LANGUAGE C PARALLEL SAFE;

COMMENT ON FUNCTION funnel_trans(internal, timestamptz, interval, VARIADIC "any") IS 'internal: transition function of funnel_step / funnel_times (boolean steps)';
COMMENT ON FUNCTION funnel_trans(internal, timestamptz, interval, text, VARIADIC "any") IS 'internal: transition function of funnel_step / funnel_times (mode, boolean steps)';
COMMENT ON FUNCTION funnel_trans(internal, timestamptz, interval, text, boolean[], boolean[], integer[]) IS 'internal: transition function of funnel_step / funnel_times (mode, steps, exclusions)';
COMMENT ON FUNCTION funnel_trans(internal, timestamptz, interval, text, text[]) IS 'internal: transition function of funnel_step / funnel_times (event name, step names)';
COMMENT ON FUNCTION funnel_trans(internal, timestamptz, interval, text, text[], text) IS 'internal: transition function of funnel_step / funnel_times (event name, step names, mode)';
COMMENT ON FUNCTION funnel_combine(internal, internal) IS 'internal: combine function of funnel_step / funnel_times';
COMMENT ON FUNCTION funnel_serial(internal) IS 'internal: serialize function of funnel_step / funnel_times';
COMMENT ON FUNCTION funnel_deserial(bytea, internal) IS 'internal: deserialize function of funnel_step / funnel_times';
COMMENT ON FUNCTION funnel_final_level(internal) IS 'internal: final function of funnel_step';
COMMENT ON FUNCTION funnel_final_times(internal) IS 'internal: final function of funnel_times';

CREATE AGGREGATE funnel_step(ts timestamptz, conversion_window interval, VARIADIC steps "any") (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = funnel_final_level, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = funnel_combine, SERIALFUNC = funnel_serial, DESERIALFUNC = funnel_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE funnel_step(ts timestamptz, conversion_window interval, mode text, VARIADIC steps "any") (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = funnel_final_level, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = funnel_combine, SERIALFUNC = funnel_serial, DESERIALFUNC = funnel_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE funnel_step(ts timestamptz, conversion_window interval, mode text, steps boolean[],
                             exclusions boolean[], exclusion_steps integer[]) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = funnel_final_level, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = funnel_combine, SERIALFUNC = funnel_serial, DESERIALFUNC = funnel_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE funnel_step(ts timestamptz, conversion_window interval, event text, step_names text[]) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = funnel_final_level, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = funnel_combine, SERIALFUNC = funnel_serial, DESERIALFUNC = funnel_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE funnel_step(ts timestamptz, conversion_window interval, event text, step_names text[], mode text) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = funnel_final_level, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = funnel_combine, SERIALFUNC = funnel_serial, DESERIALFUNC = funnel_deserial,
    PARALLEL = SAFE
);

CREATE AGGREGATE funnel_times(ts timestamptz, conversion_window interval, VARIADIC steps "any") (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = funnel_final_times, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = funnel_combine, SERIALFUNC = funnel_serial, DESERIALFUNC = funnel_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE funnel_times(ts timestamptz, conversion_window interval, mode text, VARIADIC steps "any") (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = funnel_final_times, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = funnel_combine, SERIALFUNC = funnel_serial, DESERIALFUNC = funnel_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE funnel_times(ts timestamptz, conversion_window interval, mode text, steps boolean[],
                              exclusions boolean[], exclusion_steps integer[]) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = funnel_final_times, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = funnel_combine, SERIALFUNC = funnel_serial, DESERIALFUNC = funnel_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE funnel_times(ts timestamptz, conversion_window interval, event text, step_names text[]) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = funnel_final_times, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = funnel_combine, SERIALFUNC = funnel_serial, DESERIALFUNC = funnel_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE funnel_times(ts timestamptz, conversion_window interval, event text, step_names text[], mode text) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    FINALFUNC = funnel_final_times, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = funnel_combine, SERIALFUNC = funnel_serial, DESERIALFUNC = funnel_deserial,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE funnel_step(timestamptz, interval, VARIADIC "any") IS
'deepest funnel step (0..N) reached by a chain step 1 -> 2 -> ... within the window of its step-1 event (ClickHouse windowFunnel, default mode); steps are boolean conditions; input order does not matter';
COMMENT ON AGGREGATE funnel_step(timestamptz, interval, text, VARIADIC "any") IS
'deepest funnel step with ClickHouse windowFunnel modes (''strict_deduplication'', ''strict_order'', ''strict_increase'', ''strict_once'', ''allow_reentry'', comma-separated)';
COMMENT ON AGGREGATE funnel_step(timestamptz, interval, text, boolean[], boolean[], integer[]) IS
'deepest funnel step with a mode, steps as boolean[], and exclusions: exclusions[i] cancels a partial chain between steps exclusion_steps[i][1] and exclusion_steps[i][2]';
COMMENT ON AGGREGATE funnel_step(timestamptz, interval, text, text[]) IS
'deepest funnel step where step k is "event = step_names[k]"';
COMMENT ON AGGREGATE funnel_step(timestamptz, interval, text, text[], text) IS
'deepest funnel step where step k is "event = step_names[k]", with ClickHouse windowFunnel modes';
COMMENT ON AGGREGATE funnel_times(timestamptz, interval, VARIADIC "any") IS
'timestamps of the winning funnel chain, one per step (NULL for steps not reached)';
COMMENT ON AGGREGATE funnel_times(timestamptz, interval, text, VARIADIC "any") IS
'timestamps of the winning funnel chain with ClickHouse windowFunnel modes (NULL for steps not reached)';
COMMENT ON AGGREGATE funnel_times(timestamptz, interval, text, boolean[], boolean[], integer[]) IS
'timestamps of the winning funnel chain with a mode and exclusions (NULL for steps not reached)';
COMMENT ON AGGREGATE funnel_times(timestamptz, interval, text, text[]) IS
'timestamps of the winning funnel chain where step k is "event = step_names[k]"';
COMMENT ON AGGREGATE funnel_times(timestamptz, interval, text, text[], text) IS
'timestamps of the winning funnel chain where step k is "event = step_names[k]", with modes';

-- ---- across users: funnel_summary -> rollup -> funnel_report ---------------------
CREATE TYPE funnel_summary;

CREATE FUNCTION funnel_summary_in(cstring) RETURNS funnel_summary
AS 'MODULE_PATHNAME', 'jy_funnel_summary_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_summary_out(funnel_summary) RETURNS cstring
AS 'MODULE_PATHNAME', 'jy_funnel_summary_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_summary_recv(internal) RETURNS funnel_summary
AS 'MODULE_PATHNAME', 'jy_funnel_summary_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_summary_send(funnel_summary) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_funnel_summary_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE funnel_summary (
    INPUT = funnel_summary_in,
    OUTPUT = funnel_summary_out,
    RECEIVE = funnel_summary_recv,
    SEND = funnel_summary_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE funnel_summary IS
'funnel report across users: users, users reaching each step, histogram of time from the previous step; mergeable with rollup(), read with funnel_report()';
COMMENT ON FUNCTION funnel_summary_in(cstring) IS 'text input of funnel_summary';
COMMENT ON FUNCTION funnel_summary_out(funnel_summary) IS 'text output of funnel_summary (lossless)';
COMMENT ON FUNCTION funnel_summary_recv(internal) IS 'binary input of funnel_summary (validated like text input)';
COMMENT ON FUNCTION funnel_summary_send(funnel_summary) IS 'binary output of funnel_summary';

CREATE FUNCTION funnel_summary_trans(funnel_summary, timestamptz[]) RETURNS funnel_summary
AS 'MODULE_PATHNAME', 'jy_funnel_summary_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_summary_merge(funnel_summary, funnel_summary) RETURNS funnel_summary
AS 'MODULE_PATHNAME', 'jy_funnel_summary_merge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_summary_trans(funnel_summary, timestamptz[]) IS 'internal: transition function of funnel_summary';
COMMENT ON FUNCTION funnel_summary_merge(funnel_summary, funnel_summary) IS
'merge two funnel summaries with the same number of steps (what rollup() does row by row)';

CREATE AGGREGATE funnel_summary(times timestamptz[]) (
    SFUNC = funnel_summary_trans, STYPE = funnel_summary,
    COMBINEFUNC = funnel_summary_merge,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_summary(timestamptz[]) IS
'funnel report of many users from their funnel_times() arrays (one row per user; NULL arrays are skipped)';

CREATE AGGREGATE rollup(funnel_summary) (
    SFUNC = funnel_summary_merge, STYPE = funnel_summary,
    COMBINEFUNC = funnel_summary_merge,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(funnel_summary) IS
'merge funnel summaries (across days, channels or nodes); the result is again a funnel_summary';

CREATE FUNCTION funnel_report(s funnel_summary,
    OUT step integer, OUT users bigint, OUT conversion_from_first float8,
    OUT conversion_from_previous float8, OUT drop_off bigint,
    OUT median_time_from_previous interval, OUT p90_time_from_previous interval)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_funnel_report' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION funnel_report(funnel_summary) IS
'the funnel as plain rows: per step, users reaching it, conversion from step 1 and from the previous step, drop-off, median and p90 time from the previous step (within 0.4%)';

-- ---- src/sql/40_retention.sql ----
-- Cohort retention, two-step: cohort_retention(...) per user -> rollup() -> retention_matrix() rows.

CREATE TYPE cohort_retention;

CREATE FUNCTION cohort_retention_in(cstring) RETURNS cohort_retention
AS 'MODULE_PATHNAME', 'jy_cohort_retention_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cohort_retention_out(cohort_retention) RETURNS cstring
AS 'MODULE_PATHNAME', 'jy_cohort_retention_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cohort_retention_recv(internal) RETURNS cohort_retention
AS 'MODULE_PATHNAME', 'jy_cohort_retention_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cohort_retention_send(cohort_retention) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_cohort_retention_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE cohort_retention (
    INPUT = cohort_retention_in,
    OUTPUT = cohort_retention_out,
    RECEIVE = cohort_retention_recv,
    SEND = cohort_retention_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE cohort_retention IS
'retention summary: per cohort, users active in each period 0..N, last active period and period-to-period continuity; mergeable with rollup(), read with retention_matrix() and retention_lifecycle()';
COMMENT ON FUNCTION cohort_retention_in(cstring) IS 'text input of cohort_retention (the JSON-like text that cohort_retention_out writes)';
COMMENT ON FUNCTION cohort_retention_out(cohort_retention) IS 'text output of cohort_retention (lossless)';
COMMENT ON FUNCTION cohort_retention_recv(internal) IS 'binary input of cohort_retention, validated like the text input';
COMMENT ON FUNCTION cohort_retention_send(cohort_retention) IS 'binary output of cohort_retention';

-- per-user aggregate (internal state: the user's distinct period keys)
CREATE FUNCTION cohort_retention_trans(internal, timestamptz, text, integer) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cohort_retention_trans(internal, timestamptz, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cohort_retention_trans(internal, timestamptz, boolean, boolean, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cohort_retention_trans(internal, timestamptz, boolean, boolean, text, integer, text, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cohort_retention_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_combine' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cohort_retention_serial(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_cohort_retention_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cohort_retention_deserial(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cohort_retention_final(internal) RETURNS cohort_retention
AS 'MODULE_PATHNAME', 'jy_cohort_retention_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION cohort_retention_trans(internal, timestamptz, text, integer) IS 'transition function of cohort_retention(ts, period, periods)';
COMMENT ON FUNCTION cohort_retention_trans(internal, timestamptz, text, integer, text) IS 'transition function of cohort_retention(ts, period, periods, tz)';
COMMENT ON FUNCTION cohort_retention_trans(internal, timestamptz, boolean, boolean, text, integer, text) IS 'transition function of cohort_retention(ts, is_start, is_return, period, periods, tz)';
COMMENT ON FUNCTION cohort_retention_trans(internal, timestamptz, boolean, boolean, text, integer, text, text) IS 'transition function of cohort_retention(ts, is_start, is_return, period, periods, tz, cohorts)';
COMMENT ON FUNCTION cohort_retention_combine(internal, internal) IS 'combine function of cohort_retention (parallel aggregation)';
COMMENT ON FUNCTION cohort_retention_serial(internal) IS 'serialize function of cohort_retention (parallel aggregation)';
COMMENT ON FUNCTION cohort_retention_deserial(bytea, internal) IS 'deserialize function of cohort_retention (parallel aggregation)';
COMMENT ON FUNCTION cohort_retention_final(internal) IS 'final function of cohort_retention: the user''s cohort(s) and active periods';

CREATE AGGREGATE cohort_retention(ts timestamptz, period text, periods integer) (
    SFUNC = cohort_retention_trans, STYPE = internal, SSPACE = 256,
    FINALFUNC = cohort_retention_final, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = cohort_retention_combine,
    SERIALFUNC = cohort_retention_serial, DESERIALFUNC = cohort_retention_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE cohort_retention(ts timestamptz, period text, periods integer, tz text) (
    SFUNC = cohort_retention_trans, STYPE = internal, SSPACE = 256,
    FINALFUNC = cohort_retention_final, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = cohort_retention_combine,
    SERIALFUNC = cohort_retention_serial, DESERIALFUNC = cohort_retention_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE cohort_retention(ts timestamptz, is_start boolean, is_return boolean,
                                  period text, periods integer, tz text) (
    SFUNC = cohort_retention_trans, STYPE = internal, SSPACE = 256,
    FINALFUNC = cohort_retention_final, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = cohort_retention_combine,
    SERIALFUNC = cohort_retention_serial, DESERIALFUNC = cohort_retention_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE cohort_retention(ts timestamptz, is_start boolean, is_return boolean,
                                  period text, periods integer, tz text, cohorts text) (
    SFUNC = cohort_retention_trans, STYPE = internal, SSPACE = 256,
    FINALFUNC = cohort_retention_final, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = cohort_retention_combine,
    SERIALFUNC = cohort_retention_serial, DESERIALFUNC = cohort_retention_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE cohort_retention(timestamptz, text, integer) IS
'retention summary of one user (GROUP BY user): cohort = period of the first event, active periods 0..periods; period ''day'', ''week'', ''month'' (calendar, session TimeZone) or ''rolling <interval>''';
COMMENT ON AGGREGATE cohort_retention(timestamptz, text, integer, text) IS
'retention summary of one user with calendar periods in the given time zone (date_trunc semantics)';
COMMENT ON AGGREGATE cohort_retention(timestamptz, boolean, boolean, text, integer, text) IS
'retention summary of one user: cohort = period of the first row with is_start, returning = rows with is_return';
COMMENT ON AGGREGATE cohort_retention(timestamptz, boolean, boolean, text, integer, text, text) IS
'retention summary of one user with cohort type ''first_time'' or ''recurring'' (one cohort per period with a start event)';

-- cross-user rollup: varlena state, so it can be combined anywhere
CREATE FUNCTION cohort_retention_merge(cohort_retention, cohort_retention) RETURNS cohort_retention
AS 'MODULE_PATHNAME', 'jy_cohort_retention_merge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cohort_retention_merge(cohort_retention, cohort_retention) IS
'merge two retention summaries (what rollup() does row by row)';
CREATE AGGREGATE rollup(cohort_retention) (
    SFUNC = cohort_retention_merge, STYPE = cohort_retention,
    COMBINEFUNC = cohort_retention_merge,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(cohort_retention) IS
'merge retention summaries (across users, channels, countries or nodes); the result is again a cohort_retention';

-- outputs
CREATE FUNCTION retention_matrix(r cohort_retention, mode text DEFAULT 'on',
    OUT cohort date, OUT period_index integer, OUT cohort_size bigint,
    OUT retained_users bigint, OUT retention_rate float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_retention_matrix' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION retention_matrix(cohort_retention, text) IS
'heatmap rows (cohort, period_index, cohort_size, retained_users, retention_rate); mode ''on'' = active in period k, ''on_or_after'' = active in k or later (up to N); calendar periods after the latest event are left out';

CREATE FUNCTION retention_lifecycle(r cohort_retention,
    OUT period date, OUT new_users bigint, OUT returning_users bigint,
    OUT resurrecting_users bigint, OUT dormant_users bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_retention_lifecycle' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION retention_lifecycle(cohort_retention) IS
'per calendar period: new users, returning (active in this and the previous period), resurrecting (active after a gap), dormant (active in the previous period only); first-time calendar summaries, periods up to the first cohort + N';

CREATE FUNCTION retention_cohort(r cohort_retention) RETURNS date
AS 'MODULE_PATHNAME', 'jy_retention_cohort' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION retention_cohort(cohort_retention) IS
'first day of the (earliest) cohort of a summary; for a per-user summary, the user''s cohort';
CREATE FUNCTION retention_periods(r cohort_retention) RETURNS integer[]
AS 'MODULE_PATHNAME', 'jy_retention_periods' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION retention_periods(cohort_retention) IS
'period indexes (0..N) in which the user of a one-user, one-cohort summary was active (drill-down)';
CREATE FUNCTION retention_users(r cohort_retention) RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_retention_users' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION retention_users(cohort_retention) IS
'number of cohort memberships in a summary (users, for first-time cohorts)';

-- ClickHouse retention(c1, ..., cn)
CREATE FUNCTION retention_ch_trans(bigint, VARIADIC boolean[]) RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_ch_retention_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_ch_combine(bigint, bigint) RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_ch_retention_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_ch_final(bigint) RETURNS smallint[]
AS 'MODULE_PATHNAME', 'jy_ch_retention_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION retention_ch_trans(bigint, boolean[]) IS 'transition function of retention(VARIADIC boolean[])';
COMMENT ON FUNCTION retention_ch_combine(bigint, bigint) IS 'combine function of retention(VARIADIC boolean[])';
COMMENT ON FUNCTION retention_ch_final(bigint) IS 'final function of retention(VARIADIC boolean[])';
CREATE AGGREGATE retention(VARIADIC conditions boolean[]) (
    SFUNC = retention_ch_trans, STYPE = bigint,
    FINALFUNC = retention_ch_final,
    COMBINEFUNC = retention_ch_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention(boolean[]) IS
'ClickHouse retention(c1, ..., cn) over a group: r[1] = c1 held on some row, r[i] = c1 and ci each held on some row; 1 to 32 conditions, NULL counts as false';

-- one pass across users (no GROUP BY user): calendar periods, any activity, first-time cohorts
CREATE FUNCTION retention_summary_trans(internal, bigint, timestamptz, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_retention_summary_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION retention_summary_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_retention_summary_combine' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION retention_summary_serial(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_retention_summary_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION retention_summary_deserial(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_retention_summary_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION retention_summary_final(internal) RETURNS cohort_retention
AS 'MODULE_PATHNAME', 'jy_retention_summary_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION retention_summary_trans(internal, bigint, timestamptz, text, integer, text) IS 'transition function of retention_summary';
COMMENT ON FUNCTION retention_summary_combine(internal, internal) IS 'combine function of retention_summary (parallel aggregation)';
COMMENT ON FUNCTION retention_summary_serial(internal) IS 'serialize function of retention_summary (parallel aggregation)';
COMMENT ON FUNCTION retention_summary_deserial(bytea, internal) IS 'deserialize function of retention_summary (parallel aggregation)';
COMMENT ON FUNCTION retention_summary_final(internal) IS 'final function of retention_summary: the cohort_retention of all users';
CREATE AGGREGATE retention_summary(user_id bigint, ts timestamptz, period text, periods integer, tz text) (
    SFUNC = retention_summary_trans, STYPE = internal,
    FINALFUNC = retention_summary_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = retention_summary_combine,
    SERIALFUNC = retention_summary_serial, DESERIALFUNC = retention_summary_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_summary(bigint, timestamptz, text, integer, text) IS
'cohort_retention of all users in one pass (no GROUP BY user): calendar periods (''day'', ''week'', ''month'') in tz, any activity, first-time cohorts; equals rollup() of per-user cohort_retention(ts, period, periods, tz)';

-- stickiness (PostHog): days a user was active in each week or month
CREATE FUNCTION retention_stickiness(r cohort_retention, per text DEFAULT 'week',
    OUT period date, OUT active_days integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_retention_stickiness' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION retention_stickiness(cohort_retention, text) IS
'stickiness of one user: for each week (or month) with activity, the number of days active in it; from a per-user cohort_retention(ts, ''day'', N, tz) (days after the first + N are not tracked)';

-- ---- src/sql/50_kmeans.sql ----
-- K-means segments: kmeans_segment(features, k [, options]) -> kmeans_model,
-- accessors, assignment, kmeans_scan for choosing k, kmeans_cluster() window form.

CREATE TYPE kmeans_model;

CREATE FUNCTION kmeans_model_in(cstring) RETURNS kmeans_model
AS 'MODULE_PATHNAME', 'jy_kmeans_model_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmeans_model_out(kmeans_model) RETURNS cstring
AS 'MODULE_PATHNAME', 'jy_kmeans_model_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmeans_model_recv(internal) RETURNS kmeans_model
AS 'MODULE_PATHNAME', 'jy_kmeans_model_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmeans_model_send(kmeans_model) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_kmeans_model_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE kmeans_model (
    INPUT = kmeans_model_in,
    OUTPUT = kmeans_model_out,
    RECEIVE = kmeans_model_recv,
    SEND = kmeans_model_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE kmeans_model IS
'a fitted K-means model: centroids, scaling, cluster sizes, inertia, iterations, convergence; read with kmeans_summary(), kmeans_clusters(), kmeans_centroids(), apply with kmeans_assign()';
COMMENT ON FUNCTION kmeans_model_in(cstring) IS 'text input of kmeans_model (the JSON form kmeans_model_out prints; validated)';
COMMENT ON FUNCTION kmeans_model_out(kmeans_model) IS 'text output of kmeans_model: lossless JSON (17 significant digits)';
COMMENT ON FUNCTION kmeans_model_recv(internal) IS 'binary input of kmeans_model (validated like the text input)';
COMMENT ON FUNCTION kmeans_model_send(kmeans_model) IS 'binary output of kmeans_model';

-- aggregate support
CREATE FUNCTION kmeans_trans(internal, float8[], integer) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_kmeans_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION kmeans_trans(internal, float8[], integer, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_kmeans_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION kmeans_scan_trans(internal, float8[], integer, integer) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_kmeans_scan_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION kmeans_scan_trans(internal, float8[], integer, integer, jsonb) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_kmeans_scan_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION kmeans_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_kmeans_combine' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION kmeans_serial(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_kmeans_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION kmeans_deserial(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_kmeans_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION kmeans_final(internal) RETURNS kmeans_model
AS 'MODULE_PATHNAME', 'jy_kmeans_final' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION kmeans_scan_final(internal) RETURNS kmeans_model[]
AS 'MODULE_PATHNAME', 'jy_kmeans_scan_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_trans(internal, float8[], integer) IS 'internal: transition function of kmeans_segment';
COMMENT ON FUNCTION kmeans_trans(internal, float8[], integer, jsonb) IS 'internal: transition function of kmeans_segment';
COMMENT ON FUNCTION kmeans_scan_trans(internal, float8[], integer, integer) IS 'internal: transition function of kmeans_scan';
COMMENT ON FUNCTION kmeans_scan_trans(internal, float8[], integer, integer, jsonb) IS 'internal: transition function of kmeans_scan';
COMMENT ON FUNCTION kmeans_combine(internal, internal) IS 'internal: combine function of kmeans_segment and kmeans_scan (concatenates points)';
COMMENT ON FUNCTION kmeans_serial(internal) IS 'internal: serialize a kmeans aggregate state';
COMMENT ON FUNCTION kmeans_deserial(bytea, internal) IS 'internal: deserialize a kmeans aggregate state';
COMMENT ON FUNCTION kmeans_final(internal) IS 'internal: fit the model (final function of kmeans_segment)';
COMMENT ON FUNCTION kmeans_scan_final(internal) IS 'internal: fit one model per k (final function of kmeans_scan)';

-- FINALFUNC_MODIFY = READ_ONLY: the final function sorts the collected points
-- into canonical order and caches their z-scores, which leaves the state's
-- meaning (a multiset of points) unchanged: a later transition (a window
-- aggregate with a growing frame) appends and drops the cache, a repeated
-- final call gives the identical model.  READ_ONLY is what lets
-- kmeans_segment(...) OVER (...) work as a window aggregate.
CREATE AGGREGATE kmeans_segment(features float8[], k integer) (
    SFUNC = kmeans_trans, STYPE = internal,
    FINALFUNC = kmeans_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = kmeans_combine,
    SERIALFUNC = kmeans_serial, DESERIALFUNC = kmeans_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE kmeans_segment(features float8[], k integer, options jsonb) (
    SFUNC = kmeans_trans, STYPE = internal,
    FINALFUNC = kmeans_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = kmeans_combine,
    SERIALFUNC = kmeans_serial, DESERIALFUNC = kmeans_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE kmeans_segment(float8[], integer) IS
'K-means model of the group''s feature vectors with k clusters (z-scored, k-means++, 10 restarts, seed 0); NULL rows are skipped; row order does not matter';
COMMENT ON AGGREGATE kmeans_segment(float8[], integer, jsonb) IS
'K-means model with options {seed, n_init, max_iter, tol, standardize, silhouette_sample, sample_fraction, max_memory_mb, progress}';

CREATE AGGREGATE kmeans_scan(features float8[], k_min integer, k_max integer) (
    SFUNC = kmeans_scan_trans, STYPE = internal,
    FINALFUNC = kmeans_scan_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = kmeans_combine,
    SERIALFUNC = kmeans_serial, DESERIALFUNC = kmeans_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE kmeans_scan(features float8[], k_min integer, k_max integer, options jsonb) (
    SFUNC = kmeans_scan_trans, STYPE = internal,
    FINALFUNC = kmeans_scan_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = kmeans_combine,
    SERIALFUNC = kmeans_serial, DESERIALFUNC = kmeans_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE kmeans_scan(float8[], integer, integer) IS
'one K-means model per k in k_min..k_max (for the elbow and silhouette), each with the silhouette on a sample of 10000 points';
COMMENT ON AGGREGATE kmeans_scan(float8[], integer, integer, jsonb) IS
'one K-means model per k in k_min..k_max, with kmeans_segment''s options';

-- window form: fits on the whole partition, returns the row's cluster
CREATE FUNCTION kmeans_cluster(features float8[], k integer) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_kmeans_cluster_window' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_cluster(features float8[], k integer, options jsonb) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_kmeans_cluster_window' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_cluster(float8[], integer) IS
'window function: fits K-means on the whole partition (frame ignored) and returns the row''s cluster 1..k (NULL for NULL features)';
COMMENT ON FUNCTION kmeans_cluster(float8[], integer, jsonb) IS
'window function: kmeans_cluster with kmeans_segment''s options';

-- applying and reading a model
CREATE FUNCTION kmeans_assign(model kmeans_model, features float8[]) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_kmeans_assign' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmeans_distance(model kmeans_model, features float8[]) RETURNS float8
AS 'MODULE_PATHNAME', 'jy_kmeans_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_assign(kmeans_model, float8[]) IS
'cluster 1..k whose centroid is nearest to the features (in the model''s standardized space; lowest number on ties)';
COMMENT ON FUNCTION kmeans_distance(kmeans_model, float8[]) IS
'Euclidean distance from the features to their nearest centroid, in the model''s standardized space';

CREATE FUNCTION kmeans_summary(model kmeans_model,
    OUT k integer, OUT dims integer, OUT n bigint, OUT inertia float8, OUT silhouette float8,
    OUT iterations integer, OUT converged boolean, OUT standardized boolean, OUT n_init integer,
    OUT seed bigint)
AS 'MODULE_PATHNAME', 'jy_kmeans_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_summary(kmeans_model) IS
'one row describing the model: k, dims, n, inertia (in the standardized space), silhouette (NULL unless computed), iterations, converged, standardized, n_init, seed';

CREATE FUNCTION kmeans_clusters(model kmeans_model,
    OUT cluster integer, OUT size bigint, OUT share float8, OUT within_ss float8, OUT centroid float8[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_kmeans_clusters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION kmeans_clusters(kmeans_model) IS
'one row per cluster: number (1 = largest), size, share of points, within-cluster sum of squares, centroid in original units';

CREATE FUNCTION kmeans_centroids(model kmeans_model,
    OUT cluster integer, OUT feature integer, OUT value float8, OUT z float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_kmeans_centroids' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 32;
COMMENT ON FUNCTION kmeans_centroids(kmeans_model) IS
'centroids in long form for BI tools: cluster, feature (1-based position in the features array), value in original units, z-score';

-- ---- src/sql/60_journey.sql ----
-- The journey type: one user's whole path (timestamped events) in one compact, lossless value.

CREATE TYPE journey;

CREATE FUNCTION journey_in(cstring) RETURNS journey
AS 'MODULE_PATHNAME', 'jy_journey_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_out(journey) RETURNS cstring
AS 'MODULE_PATHNAME', 'jy_journey_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_recv(internal) RETURNS journey
AS 'MODULE_PATHNAME', 'jy_journey_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_send(journey) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_journey_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE journey (
    INPUT = journey_in,
    OUTPUT = journey_out,
    RECEIVE = journey_recv,
    SEND = journey_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended
);
COMMENT ON TYPE journey IS
'one user''s ordered, timestamped events in a compact lossless value: build with journey_agg(ts, event), merge with rollup() or ||, read with length(), journey_events(), journey_path(), journey_sessions() and friends';
COMMENT ON FUNCTION journey_in(cstring) IS 'text input of journey: [2024-01-01 10:00:00+00 page_view, +12.5s search, ...]';
COMMENT ON FUNCTION journey_out(journey) IS 'text output of journey: first time absolute in UTC, then time steps; lossless';
COMMENT ON FUNCTION journey_recv(internal) IS 'binary input of journey (the storage format, fully validated)';
COMMENT ON FUNCTION journey_send(journey) IS 'binary output of journey (the storage format)';

-- construction: per-user aggregate, merge of journeys
CREATE FUNCTION journey_agg_trans(internal, timestamptz, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_journey_agg_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION journey_rollup_trans(internal, journey) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_journey_rollup_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION journey_agg_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_journey_agg_combine' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION journey_agg_serial(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_journey_agg_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION journey_agg_deserial(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_journey_agg_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION journey_agg_final(internal) RETURNS journey
AS 'MODULE_PATHNAME', 'jy_journey_agg_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION journey_agg_trans(internal, timestamptz, text) IS 'internal: transition function of journey_agg';
COMMENT ON FUNCTION journey_rollup_trans(internal, journey) IS 'internal: transition function of rollup(journey)';
COMMENT ON FUNCTION journey_agg_combine(internal, internal) IS 'internal: combine function of journey_agg and rollup(journey)';
COMMENT ON FUNCTION journey_agg_serial(internal) IS 'internal: serialize a journey_agg state (as journey bytes)';
COMMENT ON FUNCTION journey_agg_deserial(bytea, internal) IS 'internal: deserialize a journey_agg state (validated like journey_recv)';
COMMENT ON FUNCTION journey_agg_final(internal) IS 'internal: final function of journey_agg and rollup(journey)';

CREATE AGGREGATE journey_agg(ts timestamptz, event text) (
    SFUNC = journey_agg_trans, STYPE = internal, SSPACE = 168,
    FINALFUNC = journey_agg_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = journey_agg_combine,
    SERIALFUNC = journey_agg_serial, DESERIALFUNC = journey_agg_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE journey_agg(timestamptz, text) IS
'the journey of one group''s events (usually GROUP BY user): events in time order, ties by event name; input order does not matter; rows with a NULL time or event are skipped';

CREATE AGGREGATE rollup(journey) (
    SFUNC = journey_rollup_trans, STYPE = internal, SSPACE = 168,
    FINALFUNC = journey_agg_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = journey_agg_combine,
    SERIALFUNC = journey_agg_serial, DESERIALFUNC = journey_agg_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(journey) IS
'merge journeys (e.g. one per day) into one, in time order; equal to journey_agg over all their events';

CREATE FUNCTION journey_merge(a journey, b journey) RETURNS journey
AS 'MODULE_PATHNAME', 'jy_journey_merge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION journey_merge(journey, journey) IS
'merge two journeys in time order (all events of both; associative and commutative)';
CREATE OPERATOR || (LEFTARG = journey, RIGHTARG = journey, FUNCTION = journey_merge, COMMUTATOR = ||);
COMMENT ON OPERATOR ||(journey, journey) IS 'merge two journeys in time order';

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
COMMENT ON FUNCTION journey_events(journey) IS 'the events as rows: position (1-based), ts, event';
COMMENT ON FUNCTION event_at(journey, integer) IS 'event name at a 1-based position; negative positions count from the end (-1 = last); NULL when out of range';
COMMENT ON FUNCTION time_at(journey, integer) IS 'event time at a 1-based position; negative positions count from the end; NULL when out of range';
COMMENT ON FUNCTION distinct_events(journey) IS 'the distinct event names of the journey, in name (byte) order';
COMMENT ON FUNCTION event_count(journey, text) IS 'how many times the event occurs in the journey';
COMMENT ON FUNCTION journey_path(journey, boolean, text) IS 'the path as text (home > product > cart); collapse = true drops consecutive repeats';
COMMENT ON FUNCTION journey_slice(journey, timestamptz, timestamptz) IS 'the events with from_ts <= ts < to_ts, as a journey';
COMMENT ON FUNCTION journey_sessions(journey, interval, interval) IS 'split a journey into sessions by inactivity gap (and optional maximum length), the same rule as sessionize()';

-- ---- src/sql/65_funnel_journey.sql ----
-- Window funnels over a stored journey (same engine and rules as the event-name aggregates of 30_funnel.sql).

CREATE FUNCTION funnel_step(j journey, conversion_window interval, step_names text[]) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_funnel_journey_step' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_step(j journey, conversion_window interval, step_names text[], mode text) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_funnel_journey_step' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_times(j journey, conversion_window interval, step_names text[]) RETURNS timestamptz[]
AS 'MODULE_PATHNAME', 'jy_funnel_journey_times' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_times(j journey, conversion_window interval, step_names text[], mode text) RETURNS timestamptz[]
AS 'MODULE_PATHNAME', 'jy_funnel_journey_times' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION funnel_step(journey, interval, text[]) IS
'deepest funnel step (0..N) of a stored journey where step k is "event = step_names[k]"; same result as the aggregate funnel_step(ts, window, event, step_names) over the journey''s events';
COMMENT ON FUNCTION funnel_step(journey, interval, text[], text) IS
'deepest funnel step of a stored journey where step k is "event = step_names[k]", with ClickHouse windowFunnel modes; same result as the aggregate form over the journey''s events';
COMMENT ON FUNCTION funnel_times(journey, interval, text[]) IS
'timestamps of the winning funnel chain of a stored journey, one per step (NULL for steps not reached); same as the aggregate funnel_times(ts, window, event, step_names)';
COMMENT ON FUNCTION funnel_times(journey, interval, text[], text) IS
'timestamps of the winning funnel chain of a stored journey with ClickHouse windowFunnel modes (NULL for steps not reached)';

-- ---- src/sql/66_retention_journey.sql ----
-- Cohort retention over stored journeys (one journey per user): the same per-user code as
-- cohort_retention(ts, ...) and the same merge as rollup(cohort_retention), in one aggregate.
-- After 60_journey.sql (the journey type) and 40_retention.sql (cohort_retention).

CREATE FUNCTION cohort_retention_journey_trans(internal, journey, text, integer) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_journey_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cohort_retention_journey_trans(internal, journey, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_journey_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cohort_retention_journey_trans(internal, journey, text, text, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_journey_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cohort_retention_journey_trans(internal, journey, text, text, text, integer, text, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_journey_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cohort_retention_journey_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_journey_combine' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cohort_retention_journey_serial(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_cohort_retention_journey_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cohort_retention_journey_deserial(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_journey_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION cohort_retention_journey_final(internal) RETURNS cohort_retention
AS 'MODULE_PATHNAME', 'jy_cohort_retention_journey_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION cohort_retention_journey_trans(internal, journey, text, integer) IS 'transition function of cohort_retention(j journey, period, periods)';
COMMENT ON FUNCTION cohort_retention_journey_trans(internal, journey, text, integer, text) IS 'transition function of cohort_retention(j journey, period, periods, tz)';
COMMENT ON FUNCTION cohort_retention_journey_trans(internal, journey, text, text, text, integer, text) IS 'transition function of cohort_retention(j journey, start_event, return_event, period, periods, tz)';
COMMENT ON FUNCTION cohort_retention_journey_trans(internal, journey, text, text, text, integer, text, text) IS 'transition function of cohort_retention(j journey, start_event, return_event, period, periods, tz, cohorts)';
COMMENT ON FUNCTION cohort_retention_journey_combine(internal, internal) IS 'combine function of cohort_retention over journeys (parallel aggregation)';
COMMENT ON FUNCTION cohort_retention_journey_serial(internal) IS 'serialize function of cohort_retention over journeys (parallel aggregation)';
COMMENT ON FUNCTION cohort_retention_journey_deserial(bytea, internal) IS 'deserialize function of cohort_retention over journeys (parallel aggregation)';
COMMENT ON FUNCTION cohort_retention_journey_final(internal) IS 'final function of cohort_retention over journeys: the summary of all users with a cohort (NULL when none)';

CREATE AGGREGATE cohort_retention(j journey, period text, periods integer) (
    SFUNC = cohort_retention_journey_trans, STYPE = internal,
    FINALFUNC = cohort_retention_journey_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = cohort_retention_journey_combine,
    SERIALFUNC = cohort_retention_journey_serial, DESERIALFUNC = cohort_retention_journey_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE cohort_retention(j journey, period text, periods integer, tz text) (
    SFUNC = cohort_retention_journey_trans, STYPE = internal,
    FINALFUNC = cohort_retention_journey_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = cohort_retention_journey_combine,
    SERIALFUNC = cohort_retention_journey_serial, DESERIALFUNC = cohort_retention_journey_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE cohort_retention(j journey, start_event text, return_event text,
                                  period text, periods integer, tz text) (
    SFUNC = cohort_retention_journey_trans, STYPE = internal,
    FINALFUNC = cohort_retention_journey_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = cohort_retention_journey_combine,
    SERIALFUNC = cohort_retention_journey_serial, DESERIALFUNC = cohort_retention_journey_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE cohort_retention(j journey, start_event text, return_event text,
                                  period text, periods integer, tz text, cohorts text) (
    SFUNC = cohort_retention_journey_trans, STYPE = internal,
    FINALFUNC = cohort_retention_journey_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = cohort_retention_journey_combine,
    SERIALFUNC = cohort_retention_journey_serial, DESERIALFUNC = cohort_retention_journey_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE cohort_retention(journey, text, integer) IS
'retention summary of all users from their journeys (one row per user, NULL journeys skipped): equals rollup(cohort_retention(ts, period, periods)) over the users'' events; calendar periods in the session TimeZone or ''rolling <interval>''';
COMMENT ON AGGREGATE cohort_retention(journey, text, integer, text) IS
'retention summary of all users from their journeys with periods in time zone tz: equals rollup(cohort_retention(ts, period, periods, tz)) over the users'' events';
COMMENT ON AGGREGATE cohort_retention(journey, text, text, text, integer, text) IS
'retention summary of all users from their journeys: cohort = period of the first start_event, returning = return_event; equals rollup(cohort_retention(ts, event = start_event, event = return_event, period, periods, tz))';
COMMENT ON AGGREGATE cohort_retention(journey, text, text, text, integer, text, text) IS
'retention summary of all users from their journeys with cohort type ''first_time'' or ''recurring''; equals rollup() of the raw-row form with is_start = (event = start_event), is_return = (event = return_event)';

-- ---- src/sql/70_patterns.sql ----
-- Patterns over journeys: journey_match / journey_count / journey_matches in journey's pattern
-- language, and ClickHouse-compatible sequence_match / sequence_count.  See doc/patterns.md.

CREATE FUNCTION journey_pattern_trans(internal, timestamptz, text, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_pattern_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION journey_pattern_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_pattern_combine' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION journey_pattern_serial(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_pattern_serial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION journey_pattern_deserial(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_pattern_deserial' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION journey_pattern_final_match(internal) RETURNS boolean
AS 'MODULE_PATHNAME', 'jy_pattern_final_match' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION journey_pattern_final_count(internal) RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_pattern_final_count' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION journey_pattern_trans(internal, timestamptz, text, text) IS 'internal: transition function of journey_match/journey_count';
COMMENT ON FUNCTION journey_pattern_combine(internal, internal) IS 'internal: combine function of the pattern aggregates';
COMMENT ON FUNCTION journey_pattern_serial(internal) IS 'internal: serialize function of the pattern aggregates';
COMMENT ON FUNCTION journey_pattern_deserial(bytea, internal) IS 'internal: deserialize function of the pattern aggregates';
COMMENT ON FUNCTION journey_pattern_final_match(internal) IS 'internal: final function of journey_match and sequence_match';
COMMENT ON FUNCTION journey_pattern_final_count(internal) IS 'internal: final function of journey_count and sequence_count';

CREATE AGGREGATE journey_match(ts timestamptz, event text, pattern text) (
    SFUNC = journey_pattern_trans, STYPE = internal, SSPACE = 256,
    FINALFUNC = journey_pattern_final_match, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = journey_pattern_combine,
    SERIALFUNC = journey_pattern_serial, DESERIALFUNC = journey_pattern_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE journey_count(ts timestamptz, event text, pattern text) (
    SFUNC = journey_pattern_trans, STYPE = internal, SSPACE = 256,
    FINALFUNC = journey_pattern_final_count, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = journey_pattern_combine,
    SERIALFUNC = journey_pattern_serial, DESERIALFUNC = journey_pattern_deserial,
    PARALLEL = SAFE
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
    SFUNC = sequence_trans, STYPE = internal, SSPACE = 256,
    FINALFUNC = journey_pattern_final_match, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = journey_pattern_combine,
    SERIALFUNC = journey_pattern_serial, DESERIALFUNC = journey_pattern_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE sequence_count(pattern text, ts timestamptz, VARIADIC conds boolean[]) (
    SFUNC = sequence_trans, STYPE = internal, SSPACE = 256,
    FINALFUNC = journey_pattern_final_count, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = journey_pattern_combine,
    SERIALFUNC = journey_pattern_serial, DESERIALFUNC = journey_pattern_deserial,
    PARALLEL = SAFE
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
    OUT step integer, OUT from_event text, OUT to_event text, OUT from_ts timestamptz, OUT gap interval)
RETURNS SETOF record AS 'MODULE_PATHNAME', 'jy_transitions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_transitions(j journey,
    OUT step integer, OUT from_event text, OUT to_event text, OUT from_ts timestamptz, OUT gap interval)
RETURNS SETOF record AS 'MODULE_PATHNAME', 'jy_j_transitions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION journey_transitions(timestamptz[], text[]) IS
'one row per pair of consecutive events (ties ordered by name): step number, from, to, time of from, gap; GROUP BY from_event, to_event for a Sankey diagram';
COMMENT ON FUNCTION journey_transitions(journey) IS
'one row per pair of consecutive events of the journey: step number, from, to, time of from, gap; GROUP BY from_event, to_event for a Sankey diagram';
