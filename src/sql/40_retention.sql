-- Cohort retention, two-step: cohort_retention(...) per user -> rollup() -> retention_matrix() rows.
#include "jy_sqldefs.h"

CREATE TYPE cohort_retention;

JY_VARLENA_TYPE(cohort_retention, jy_cohort_retention, double)
COMMENT ON TYPE cohort_retention IS
'retention summary: per cohort, users active in each period 0..N, last active period and period-to-period continuity; mergeable with rollup(), read with retention_matrix() and retention_lifecycle()';
JY_VARLENA_IO_COMMENTS(cohort_retention,
    'text input of cohort_retention (the JSON-like text that cohort_retention_out writes)',
    'text output of cohort_retention (lossless)',
    'binary input of cohort_retention, validated like the text input',
    'binary output of cohort_retention')

-- per-user aggregate (internal state: the user's distinct period keys)
JY_COHORT_RETENTION_TRANS(cohort_retention_trans, timestamptz)
JY_AGG_STATE_FUNCS(cohort_retention, jy_cohort_retention)
CREATE FUNCTION cohort_retention_final(internal) RETURNS cohort_retention
AS 'MODULE_PATHNAME', 'jy_cohort_retention_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION cohort_retention_trans(internal, timestamptz, text, integer) IS 'transition function of cohort_retention(ts, period, periods)';
COMMENT ON FUNCTION cohort_retention_trans(internal, timestamptz, text, integer, text) IS 'transition function of cohort_retention(ts, period, periods, tz)';
COMMENT ON FUNCTION cohort_retention_trans(internal, timestamptz, boolean, boolean, text, integer, text) IS 'transition function of cohort_retention(ts, is_start, is_return, period, periods, tz)';
COMMENT ON FUNCTION cohort_retention_trans(internal, timestamptz, boolean, boolean, text, integer, text, text) IS 'transition function of cohort_retention(ts, is_start, is_return, period, periods, tz, cohorts)';
JY_AGG_STATE_COMMENTS(cohort_retention,
    'combine function of cohort_retention (parallel aggregation)',
    'serialize function of cohort_retention (parallel aggregation)',
    'deserialize function of cohort_retention (parallel aggregation)')
COMMENT ON FUNCTION cohort_retention_final(internal) IS 'final function of cohort_retention: the user''s cohort(s) and active periods';

JY_COHORT_RETENTION_AGGS(timestamptz, cohort_retention_trans)
COMMENT ON AGGREGATE cohort_retention(timestamptz, text, integer) IS
'retention summary of one user (GROUP BY user): cohort = period of the first event, active periods 0..periods; period ''day'', ''week'', ''month'' (calendar, in UTC whatever the session TimeZone: use the tz form for another zone) or ''rolling <interval>''';
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
JY_ROLLUP(cohort_retention)
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
JY_AGG_STATE_FUNCS(retention_summary, jy_retention_summary)
CREATE FUNCTION retention_summary_final(internal) RETURNS cohort_retention
AS 'MODULE_PATHNAME', 'jy_retention_summary_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION retention_summary_trans(internal, bigint, timestamptz, text, integer, text) IS 'transition function of retention_summary';
JY_AGG_STATE_COMMENTS(retention_summary,
    'combine function of retention_summary (parallel aggregation)',
    'serialize function of retention_summary (parallel aggregation)',
    'deserialize function of retention_summary (parallel aggregation)')
COMMENT ON FUNCTION retention_summary_final(internal) IS 'final function of retention_summary: the cohort_retention of all users';
JY_RETENTION_SUMMARY_AGG(bigint, timestamptz)
COMMENT ON AGGREGATE retention_summary(bigint, timestamptz, text, integer, text) IS
'cohort_retention of all users in one pass (no GROUP BY user): calendar periods (''day'', ''week'', ''month'') in tz, any activity, first-time cohorts; equals rollup() of per-user cohort_retention(ts, period, periods, tz)';

-- stickiness (PostHog): days a user was active in each week or month
CREATE FUNCTION retention_stickiness(r cohort_retention, per text DEFAULT 'week',
    OUT period date, OUT active_days integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_retention_stickiness' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION retention_stickiness(cohort_retention, text) IS
'stickiness of one user: for each week (or month) with activity, the number of days active in it; from a per-user cohort_retention(ts, ''day'', N, tz) (days after the first + N are not tracked)';

-- timestamp without time zone: wall-clock time in the tz argument (as ts AT TIME ZONE tz), whatever the
-- session TimeZone; without a tz argument, wall-clock time read as UTC
JY_COHORT_RETENTION_TRANS(cohort_retention_naive_trans, timestamp)
COMMENT ON FUNCTION cohort_retention_naive_trans(internal, timestamp, text, integer) IS 'transition function of cohort_retention(ts timestamp, period, periods)';
COMMENT ON FUNCTION cohort_retention_naive_trans(internal, timestamp, text, integer, text) IS 'transition function of cohort_retention(ts timestamp, period, periods, tz)';
COMMENT ON FUNCTION cohort_retention_naive_trans(internal, timestamp, boolean, boolean, text, integer, text) IS 'transition function of cohort_retention(ts timestamp, is_start, is_return, period, periods, tz)';
COMMENT ON FUNCTION cohort_retention_naive_trans(internal, timestamp, boolean, boolean, text, integer, text, text) IS 'transition function of cohort_retention(ts timestamp, is_start, is_return, period, periods, tz, cohorts)';

JY_COHORT_RETENTION_AGGS(timestamp, cohort_retention_naive_trans)
COMMENT ON AGGREGATE cohort_retention(timestamp, text, integer) IS
'retention summary of one user from timestamps without time zone: wall-clock periods (the summary''s time zone is UTC), independent of the session TimeZone';
COMMENT ON AGGREGATE cohort_retention(timestamp, text, integer, text) IS
'retention summary of one user from timestamps without time zone, read as wall-clock time in tz (equals cohort_retention(ts AT TIME ZONE tz, period, periods, tz))';
COMMENT ON AGGREGATE cohort_retention(timestamp, boolean, boolean, text, integer, text) IS
'retention summary of one user (start / return rows) from timestamps without time zone, read as wall-clock time in tz';
COMMENT ON AGGREGATE cohort_retention(timestamp, boolean, boolean, text, integer, text, text) IS
'retention summary of one user with cohort type from timestamps without time zone, read as wall-clock time in tz';

-- retention_summary for text and uuid user ids (exact: ids are compared byte for byte) and naive timestamps
CREATE FUNCTION retention_summary_trans(internal, bigint, timestamp, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_retention_summary_naive_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION retention_summary_trans(internal, text, timestamptz, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_retention_summary_text_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION retention_summary_trans(internal, text, timestamp, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_retention_summary_text_naive_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION retention_summary_trans(internal, uuid, timestamptz, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_retention_summary_uuid_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION retention_summary_trans(internal, uuid, timestamp, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_retention_summary_uuid_naive_trans' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION retention_summary_trans(internal, bigint, timestamp, text, integer, text) IS 'transition function of retention_summary(bigint, timestamp, ...)';
COMMENT ON FUNCTION retention_summary_trans(internal, text, timestamptz, text, integer, text) IS 'transition function of retention_summary(text, timestamptz, ...)';
COMMENT ON FUNCTION retention_summary_trans(internal, text, timestamp, text, integer, text) IS 'transition function of retention_summary(text, timestamp, ...)';
COMMENT ON FUNCTION retention_summary_trans(internal, uuid, timestamptz, text, integer, text) IS 'transition function of retention_summary(uuid, timestamptz, ...)';
COMMENT ON FUNCTION retention_summary_trans(internal, uuid, timestamp, text, integer, text) IS 'transition function of retention_summary(uuid, timestamp, ...)';
JY_RETENTION_SUMMARY_AGG(bigint, timestamp)
JY_RETENTION_SUMMARY_AGG(text, timestamptz)
JY_RETENTION_SUMMARY_AGG(text, timestamp)
JY_RETENTION_SUMMARY_AGG(uuid, timestamptz)
JY_RETENTION_SUMMARY_AGG(uuid, timestamp)
COMMENT ON AGGREGATE retention_summary(bigint, timestamp, text, integer, text) IS
'retention_summary over timestamps without time zone, read as wall-clock time in tz whatever the session TimeZone';
COMMENT ON AGGREGATE retention_summary(text, timestamptz, text, integer, text) IS
'retention_summary keyed by text user ids (compared byte for byte; exact, no hashing collisions)';
COMMENT ON AGGREGATE retention_summary(text, timestamp, text, integer, text) IS
'retention_summary keyed by text user ids over timestamps without time zone (wall-clock time in tz)';
COMMENT ON AGGREGATE retention_summary(uuid, timestamptz, text, integer, text) IS
'retention_summary keyed by uuid user ids (exact)';
COMMENT ON AGGREGATE retention_summary(uuid, timestamp, text, integer, text) IS
'retention_summary keyed by uuid user ids over timestamps without time zone (wall-clock time in tz)';

-- last activity: users by the period of their last activity (lifetime = last - first, in periods)
CREATE FUNCTION retention_last_activity(r cohort_retention,
    OUT cohort date, OUT period_index integer, OUT last_active date, OUT cohort_size bigint,
    OUT users bigint, OUT share float8, OUT complete boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_retention_last_activity' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION retention_last_activity(cohort_retention) IS
'per cohort and k = 0..N: users whose last active period is k (lifetime of k periods), last_active = first day of that calendar period (NULL for rolling windows and elapsed months), share of the cohort; complete = false when the data seen reaches past period N of the cohort, so later activity may be cut off (use a larger N)';
