-- Window funnels (ClickHouse windowFunnel semantics, every mode) and the funnel report.
#include "jy_sqldefs.h"

-- ---- per user: funnel_step / funnel_times ------------------------------------
CREATE FUNCTION funnel_trans(internal, timestamptz, interval, VARIADIC "any") RETURNS internal
AS 'MODULE_PATHNAME', 'jy_funnel_trans_v' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_trans(internal, timestamptz, interval, varchar, VARIADIC boolean[]) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_funnel_trans_vm' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_trans(internal, timestamptz, interval, text, boolean[], boolean[], integer[]) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_funnel_trans_arr' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_trans(internal, timestamptz, interval, text, text[]) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_funnel_trans_names' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_trans(internal, timestamptz, interval, text, text[], text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_funnel_trans_names' LANGUAGE C PARALLEL SAFE;
JY_AGG_STATE_FUNCS(funnel, jy_funnel)
CREATE FUNCTION funnel_final_level(internal) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_funnel_final_level' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_final_times(internal) RETURNS timestamptz[]
AS 'MODULE_PATHNAME', 'jy_funnel_final_times' LANGUAGE C PARALLEL SAFE;

COMMENT ON FUNCTION funnel_trans(internal, timestamptz, interval, VARIADIC "any") IS 'internal: transition function of funnel_step / funnel_times (boolean steps)';
COMMENT ON FUNCTION funnel_trans(internal, timestamptz, interval, varchar, VARIADIC boolean[]) IS 'internal: transition function of funnel_step / funnel_times (mode, boolean steps)';
COMMENT ON FUNCTION funnel_trans(internal, timestamptz, interval, text, boolean[], boolean[], integer[]) IS 'internal: transition function of funnel_step / funnel_times (mode, steps, exclusions)';
COMMENT ON FUNCTION funnel_trans(internal, timestamptz, interval, text, text[]) IS 'internal: transition function of funnel_step / funnel_times (event name, step names)';
COMMENT ON FUNCTION funnel_trans(internal, timestamptz, interval, text, text[], text) IS 'internal: transition function of funnel_step / funnel_times (event name, step names, mode)';
JY_AGG_STATE_COMMENTS(funnel,
    'internal: combine function of funnel_step / funnel_times',
    'internal: serialize function of funnel_step / funnel_times',
    'internal: deserialize function of funnel_step / funnel_times')
COMMENT ON FUNCTION funnel_final_level(internal) IS 'internal: final function of funnel_step';
COMMENT ON FUNCTION funnel_final_times(internal) IS 'internal: final function of funnel_times';

CREATE AGGREGATE funnel_step(ts timestamptz, conversion_window interval, VARIADIC steps "any") (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    JY_AGG_PARALLEL_PACKED(funnel_final_level, SHAREABLE, funnel)
);
-- The mode is varchar, not text, on purpose: beside (ts, window, event text, step_names text[]) a text
-- mode made a step list bound as unknown or varchar[] ambiguous (42725); with varchar, a text event
-- column matches the step-name form exactly and wins, and a mode bound as unknown still resolves here.
CREATE AGGREGATE funnel_step(ts timestamptz, conversion_window interval, mode varchar, VARIADIC steps boolean[]) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    JY_AGG_PARALLEL_PACKED(funnel_final_level, SHAREABLE, funnel)
);
CREATE AGGREGATE funnel_step(ts timestamptz, conversion_window interval, mode text, steps boolean[],
                             exclusions boolean[], exclusion_steps integer[]) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    JY_AGG_PARALLEL_PACKED(funnel_final_level, SHAREABLE, funnel)
);
CREATE AGGREGATE funnel_step(ts timestamptz, conversion_window interval, event text, step_names text[]) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    JY_AGG_PARALLEL_PACKED(funnel_final_level, SHAREABLE, funnel)
);
CREATE AGGREGATE funnel_step(ts timestamptz, conversion_window interval, event text, step_names text[], mode text) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    JY_AGG_PARALLEL_PACKED(funnel_final_level, SHAREABLE, funnel)
);

CREATE AGGREGATE funnel_times(ts timestamptz, conversion_window interval, VARIADIC steps "any") (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    JY_AGG_PARALLEL_PACKED(funnel_final_times, SHAREABLE, funnel)
);
-- The mode is varchar, not text, on purpose: beside (ts, window, event text, step_names text[]) a text
-- mode made a step list bound as unknown or varchar[] ambiguous (42725); with varchar, a text event
-- column matches the step-name form exactly and wins, and a mode bound as unknown still resolves here.
CREATE AGGREGATE funnel_times(ts timestamptz, conversion_window interval, mode varchar, VARIADIC steps boolean[]) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    JY_AGG_PARALLEL_PACKED(funnel_final_times, SHAREABLE, funnel)
);
CREATE AGGREGATE funnel_times(ts timestamptz, conversion_window interval, mode text, steps boolean[],
                              exclusions boolean[], exclusion_steps integer[]) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    JY_AGG_PARALLEL_PACKED(funnel_final_times, SHAREABLE, funnel)
);
CREATE AGGREGATE funnel_times(ts timestamptz, conversion_window interval, event text, step_names text[]) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    JY_AGG_PARALLEL_PACKED(funnel_final_times, SHAREABLE, funnel)
);
CREATE AGGREGATE funnel_times(ts timestamptz, conversion_window interval, event text, step_names text[], mode text) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 160,
    JY_AGG_PARALLEL_PACKED(funnel_final_times, SHAREABLE, funnel)
);

COMMENT ON AGGREGATE funnel_step(timestamptz, interval, VARIADIC "any") IS
'deepest funnel step (0..N) reached by a chain step 1 -> 2 -> ... within the window of its step-1 event (ClickHouse windowFunnel, default mode); steps are boolean conditions; input order does not matter';
COMMENT ON AGGREGATE funnel_step(timestamptz, interval, varchar, VARIADIC boolean[]) IS
'deepest funnel step with ClickHouse windowFunnel modes (''strict_deduplication'', ''strict_order'', ''strict_increase'', ''strict_once'', ''allow_reentry'', comma-separated); steps are boolean conditions';
COMMENT ON AGGREGATE funnel_step(timestamptz, interval, text, boolean[], boolean[], integer[]) IS
'deepest funnel step with a mode, steps as boolean[], and exclusions: exclusions[i] cancels a partial chain between steps exclusion_steps[i][1] and exclusion_steps[i][2]';
COMMENT ON AGGREGATE funnel_step(timestamptz, interval, text, text[]) IS
'deepest funnel step where step k is "event = step_names[k]"';
COMMENT ON AGGREGATE funnel_step(timestamptz, interval, text, text[], text) IS
'deepest funnel step where step k is "event = step_names[k]", with ClickHouse windowFunnel modes';
COMMENT ON AGGREGATE funnel_times(timestamptz, interval, VARIADIC "any") IS
'timestamps of the winning funnel chain, one per step (NULL for steps not reached)';
COMMENT ON AGGREGATE funnel_times(timestamptz, interval, varchar, VARIADIC boolean[]) IS
'timestamps of the winning funnel chain with ClickHouse windowFunnel modes (NULL for steps not reached)';
COMMENT ON AGGREGATE funnel_times(timestamptz, interval, text, boolean[], boolean[], integer[]) IS
'timestamps of the winning funnel chain with a mode and exclusions (NULL for steps not reached)';
COMMENT ON AGGREGATE funnel_times(timestamptz, interval, text, text[]) IS
'timestamps of the winning funnel chain where step k is "event = step_names[k]"';
COMMENT ON AGGREGATE funnel_times(timestamptz, interval, text, text[], text) IS
'timestamps of the winning funnel chain where step k is "event = step_names[k]", with modes';

-- ---- across users: funnel_summary -> rollup -> funnel_report ---------------------
CREATE TYPE funnel_summary;

JY_VARLENA_TYPE(funnel_summary, jy_funnel_summary, double)
COMMENT ON TYPE funnel_summary IS
'funnel report across users: users, users reaching each step, histogram of time from the previous step; mergeable with rollup(), read with funnel_report()';
JY_VARLENA_IO_COMMENTS(funnel_summary,
    'text input of funnel_summary',
    'text output of funnel_summary (lossless)',
    'binary input of funnel_summary (validated like text input)',
    'binary output of funnel_summary')

CREATE FUNCTION funnel_summary_trans(funnel_summary, timestamptz[]) RETURNS funnel_summary
AS 'MODULE_PATHNAME', 'jy_funnel_summary_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION funnel_summary_merge(funnel_summary, funnel_summary) RETURNS funnel_summary
AS 'MODULE_PATHNAME', 'jy_funnel_summary_merge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION funnel_summary_trans(funnel_summary, timestamptz[]) IS 'internal: transition function of funnel_summary';
COMMENT ON FUNCTION funnel_summary_merge(funnel_summary, funnel_summary) IS
'merge two funnel summaries with the same number of steps (what rollup() does row by row)';

CREATE AGGREGATE funnel_summary(times timestamptz[]) (
    JY_AGG_MERGEABLE(funnel_summary_trans, funnel_summary, funnel_summary_merge)
);
COMMENT ON AGGREGATE funnel_summary(timestamptz[]) IS
'funnel report of many users from their funnel_times() arrays (one row per user; NULL arrays are skipped)';

JY_ROLLUP(funnel_summary)
COMMENT ON AGGREGATE rollup(funnel_summary) IS
'merge funnel summaries (across days, channels or nodes); the result is again a funnel_summary';

CREATE FUNCTION funnel_report(s funnel_summary,
    OUT step integer, OUT users bigint, OUT conversion_from_first float8,
    OUT conversion_from_previous float8, OUT drop_off bigint,
    OUT median_time_from_previous interval, OUT p90_time_from_previous interval,
    OUT median_time_from_previous_s float8, OUT p90_time_from_previous_s float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_funnel_report' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION funnel_report(funnel_summary) IS
'the funnel as plain rows: per step, users reaching it, conversion from step 1 and from the previous step, drop-off, median and p90 time from the previous step (within 0.4%) as interval and again as float8 seconds (the _s columns)';
