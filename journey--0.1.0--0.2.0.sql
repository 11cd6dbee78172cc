-- journey 0.1.0 -> 0.2.0.  Frozen once 0.2.0 is released: later changes go into journey--0.2.0--X.sql.
-- Every SQL-level change between the 0.1.0 install script (journey--0.1.0.sql, commit 3ea4238) and
-- journey--0.2.0.sql; test/t/02_update_chain.pl checks that the result equals a fresh 0.2.0 install.
\echo Use "ALTER EXTENSION journey UPDATE TO '0.2.0'" to load this file. \quit

-- ---- changed: functions whose OUT columns changed (DROP + CREATE; nothing in 0.1.0 depends on them) ----
DROP FUNCTION session_kpis(session_stats);
CREATE FUNCTION session_kpis(s session_stats,
    OUT sessions bigint, OUT events bigint, OUT bounces bigint, OUT bounce_rate float8,
    OUT events_per_session float8, OUT avg_duration interval, OUT median_duration interval,
    OUT p90_duration interval, OUT avg_duration_s float8, OUT median_duration_s float8,
    OUT p90_duration_s float8)
AS 'MODULE_PATHNAME', 'jy_session_stats_kpis' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION session_kpis(session_stats) IS 'all session KPIs as one row of scalar columns (sessions, events, bounces, bounce_rate, events_per_session, avg/median/p90 duration as interval and again as float8 seconds)';

DROP FUNCTION funnel_report(funnel_summary);
CREATE FUNCTION funnel_report(s funnel_summary,
    OUT step integer, OUT users bigint, OUT conversion_from_first float8,
    OUT conversion_from_previous float8, OUT drop_off bigint,
    OUT median_time_from_previous interval, OUT p90_time_from_previous interval,
    OUT median_time_from_previous_s float8, OUT p90_time_from_previous_s float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_funnel_report' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION funnel_report(funnel_summary) IS
'the funnel as plain rows: per step, users reaching it, conversion from step 1 and from the previous step, drop-off, median and p90 time from the previous step (within 0.4%) as interval and again as float8 seconds (the _s columns)';

DROP FUNCTION journey_transitions(timestamptz[], text[]);
DROP FUNCTION journey_transitions(journey);
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

-- ---- changed: the mode forms of funnel_step / funnel_times take (mode varchar, VARIADIC boolean[]) ----
DROP AGGREGATE funnel_step(timestamptz, interval, text, VARIADIC "any");
DROP AGGREGATE funnel_times(timestamptz, interval, text, VARIADIC "any");
DROP FUNCTION funnel_trans(internal, timestamptz, interval, text, VARIADIC "any");
CREATE FUNCTION funnel_trans(internal, timestamptz, interval, varchar, VARIADIC boolean[]) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_funnel_trans_vm' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION funnel_trans(internal, timestamptz, interval, varchar, VARIADIC boolean[]) IS 'internal: transition function of funnel_step / funnel_times (mode, boolean steps)';
-- The mode is varchar, not text, on purpose: beside (ts, window, event text, step_names text[]) a text
-- mode made a step list bound as unknown or varchar[] ambiguous (42725); with varchar, a text event
-- column matches the step-name form exactly and wins, and a mode bound as unknown still resolves here.
CREATE AGGREGATE funnel_step(ts timestamptz, conversion_window interval, mode varchar, VARIADIC steps boolean[]) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 96,
    FINALFUNC = funnel_final_level, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = funnel_combine, SERIALFUNC = funnel_serial, DESERIALFUNC = funnel_deserial,
    PARALLEL = SAFE
);
-- The mode is varchar, not text, on purpose: beside (ts, window, event text, step_names text[]) a text
-- mode made a step list bound as unknown or varchar[] ambiguous (42725); with varchar, a text event
-- column matches the step-name form exactly and wins, and a mode bound as unknown still resolves here.
CREATE AGGREGATE funnel_times(ts timestamptz, conversion_window interval, mode varchar, VARIADIC steps boolean[]) (
    SFUNC = funnel_trans, STYPE = internal, SSPACE = 96,
    FINALFUNC = funnel_final_times, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = funnel_combine, SERIALFUNC = funnel_serial, DESERIALFUNC = funnel_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_step(timestamptz, interval, varchar, VARIADIC boolean[]) IS
'deepest funnel step with ClickHouse windowFunnel modes (''strict_deduplication'', ''strict_order'', ''strict_increase'', ''strict_once'', ''allow_reentry'', comma-separated); steps are boolean conditions';
COMMENT ON AGGREGATE funnel_times(timestamptz, interval, varchar, VARIADIC boolean[]) IS
'timestamps of the winning funnel chain with ClickHouse windowFunnel modes (NULL for steps not reached)';


-- ---- changed: the per-user retention aggregates without tz use UTC calendar periods (IMMUTABLE) ----
ALTER FUNCTION cohort_retention_trans(internal, timestamptz, text, integer) IMMUTABLE;
ALTER FUNCTION cohort_retention_journey_trans(internal, journey, text, integer) IMMUTABLE;
COMMENT ON AGGREGATE cohort_retention(timestamptz, text, integer) IS
'retention summary of one user (GROUP BY user): cohort = period of the first event, active periods 0..periods; period ''day'', ''week'', ''month'' (calendar, in UTC whatever the session TimeZone: use the tz form for another zone) or ''rolling <interval>''';
COMMENT ON AGGREGATE cohort_retention(journey, text, integer) IS
'retention summary of all users from their journeys (one row per user, NULL journeys skipped): equals rollup(cohort_retention(ts, period, periods)) over the users'' events; calendar periods in UTC (not the session TimeZone) or ''rolling <interval>''';

-- ---- new: durations in float8 seconds ----
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
CREATE FUNCTION duration_s(j journey) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN extract(epoch FROM @extschema@.duration(j))::float8;
COMMENT ON FUNCTION duration_s(journey) IS 'duration() in seconds (float8; NULL for an empty journey)';

-- ---- new: journey_union ----
CREATE FUNCTION journey_union(a journey, b journey) RETURNS journey
AS 'MODULE_PATHNAME', 'jy_journey_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION journey_union(journey, journey) IS
'idempotent merge: an event (time, name) occurring x times in a and y times in b occurs max(x, y) times, so journey_union(j, j) = j and re-applying a load changes nothing; associative and commutative';

-- ---- new: journey_session_stats (per-user session summary of a stored journey) ----
CREATE FUNCTION journey_session_stats(j journey, gap interval DEFAULT '30 minutes', max_length interval DEFAULT NULL)
RETURNS session_stats
AS 'MODULE_PATHNAME', 'jy_journey_session_stats' LANGUAGE C IMMUTABLE PARALLEL SAFE COST 100;
COMMENT ON FUNCTION journey_session_stats(journey, interval, interval) IS
'session summary of one stored journey (sessions, events, bounces, durations): equals session_stats(ts, gap, max_length) over the journey''s events, without a row per session; NULL for an empty journey; rollup() across users, read with session_count() / session_kpis()';

-- ---- new: retention over timestamp, text and uuid ids; retention_last_activity ----
-- timestamp without time zone: wall-clock time in the tz argument (as ts AT TIME ZONE tz), whatever the
-- session TimeZone; without a tz argument, wall-clock time read as UTC
CREATE FUNCTION cohort_retention_naive_trans(internal, timestamp, text, integer) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_naive_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cohort_retention_naive_trans(internal, timestamp, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_naive_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cohort_retention_naive_trans(internal, timestamp, boolean, boolean, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_naive_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cohort_retention_naive_trans(internal, timestamp, boolean, boolean, text, integer, text, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_naive_trans' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION cohort_retention_naive_trans(internal, timestamp, text, integer) IS 'transition function of cohort_retention(ts timestamp, period, periods)';
COMMENT ON FUNCTION cohort_retention_naive_trans(internal, timestamp, text, integer, text) IS 'transition function of cohort_retention(ts timestamp, period, periods, tz)';
COMMENT ON FUNCTION cohort_retention_naive_trans(internal, timestamp, boolean, boolean, text, integer, text) IS 'transition function of cohort_retention(ts timestamp, is_start, is_return, period, periods, tz)';
COMMENT ON FUNCTION cohort_retention_naive_trans(internal, timestamp, boolean, boolean, text, integer, text, text) IS 'transition function of cohort_retention(ts timestamp, is_start, is_return, period, periods, tz, cohorts)';

CREATE AGGREGATE cohort_retention(ts timestamp, period text, periods integer) (
    SFUNC = cohort_retention_naive_trans, STYPE = internal, SSPACE = 104,
    FINALFUNC = cohort_retention_final, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = cohort_retention_combine,
    SERIALFUNC = cohort_retention_serial, DESERIALFUNC = cohort_retention_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE cohort_retention(ts timestamp, period text, periods integer, tz text) (
    SFUNC = cohort_retention_naive_trans, STYPE = internal, SSPACE = 104,
    FINALFUNC = cohort_retention_final, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = cohort_retention_combine,
    SERIALFUNC = cohort_retention_serial, DESERIALFUNC = cohort_retention_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE cohort_retention(ts timestamp, is_start boolean, is_return boolean,
                                  period text, periods integer, tz text) (
    SFUNC = cohort_retention_naive_trans, STYPE = internal, SSPACE = 104,
    FINALFUNC = cohort_retention_final, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = cohort_retention_combine,
    SERIALFUNC = cohort_retention_serial, DESERIALFUNC = cohort_retention_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE cohort_retention(ts timestamp, is_start boolean, is_return boolean,
                                  period text, periods integer, tz text, cohorts text) (
    SFUNC = cohort_retention_naive_trans, STYPE = internal, SSPACE = 104,
    FINALFUNC = cohort_retention_final, FINALFUNC_MODIFY = SHAREABLE,
    COMBINEFUNC = cohort_retention_combine,
    SERIALFUNC = cohort_retention_serial, DESERIALFUNC = cohort_retention_deserial,
    PARALLEL = SAFE
);
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
CREATE AGGREGATE retention_summary(user_id bigint, ts timestamp, period text, periods integer, tz text) (
    SFUNC = retention_summary_trans, STYPE = internal,
    FINALFUNC = retention_summary_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = retention_summary_combine,
    SERIALFUNC = retention_summary_serial, DESERIALFUNC = retention_summary_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE retention_summary(user_id text, ts timestamptz, period text, periods integer, tz text) (
    SFUNC = retention_summary_trans, STYPE = internal,
    FINALFUNC = retention_summary_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = retention_summary_combine,
    SERIALFUNC = retention_summary_serial, DESERIALFUNC = retention_summary_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE retention_summary(user_id text, ts timestamp, period text, periods integer, tz text) (
    SFUNC = retention_summary_trans, STYPE = internal,
    FINALFUNC = retention_summary_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = retention_summary_combine,
    SERIALFUNC = retention_summary_serial, DESERIALFUNC = retention_summary_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE retention_summary(user_id uuid, ts timestamptz, period text, periods integer, tz text) (
    SFUNC = retention_summary_trans, STYPE = internal,
    FINALFUNC = retention_summary_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = retention_summary_combine,
    SERIALFUNC = retention_summary_serial, DESERIALFUNC = retention_summary_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE retention_summary(user_id uuid, ts timestamp, period text, periods integer, tz text) (
    SFUNC = retention_summary_trans, STYPE = internal,
    FINALFUNC = retention_summary_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = retention_summary_combine,
    SERIALFUNC = retention_summary_serial, DESERIALFUNC = retention_summary_deserial,
    PARALLEL = SAFE
);
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

-- ---- new: src/sql/71_sankey.sql ----
-- Step-numbered Sankey links over stored journeys: a DAG ("1 page_view" -> "2 product_view") with
-- "(other)" buckets and drop-offs, as rows for d3-sankey, ECharts, Superset (src/sankey_glue.c).

CREATE FUNCTION journey_sankey(journeys journey[], steps integer DEFAULT 5, top integer DEFAULT 5,
    collapse boolean DEFAULT true,
    OUT step integer, OUT source text, OUT target text, OUT users bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_journey_sankey' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 50;
COMMENT ON FUNCTION journey_sankey(journey[], integer, integer, boolean) IS
'Sankey links of the first `steps` events of each journey (consecutive repeats counted once when collapse): nodes "k event", the `top` events of each step by journeys, others "k (other)", journeys ending early go to "k+1 (drop-off)"; every link goes from step k to k+1 (a DAG)';

-- ---- new: src/sql/80_experiments.sql ----
-- A/B(/n) significance of conversion rates: ab_counts(...) builds a jsonb
-- summary {"variant": [users, conversions], ...}; ab_readout(summary) gives
-- one BI-ready row per variant.  Formulas: doc/experiments.md.

CREATE FUNCTION ab_counts_trans(internal, text, boolean) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_sql_ab_counts_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ab_counts_trans(internal, text, bigint, bigint) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_sql_ab_counts_trans3' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ab_counts_final(internal) RETURNS jsonb
AS 'MODULE_PATHNAME', 'jy_sql_ab_counts_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION ab_counts_trans(internal, text, boolean) IS 'internal: transition function of ab_counts(variant, converted)';
COMMENT ON FUNCTION ab_counts_trans(internal, text, bigint, bigint) IS 'internal: transition function of ab_counts(variant, users, conversions)';
COMMENT ON FUNCTION ab_counts_final(internal) IS 'internal: final function of ab_counts (the jsonb summary)';

CREATE AGGREGATE ab_counts(variant text, converted boolean) (
    SFUNC = ab_counts_trans, STYPE = internal,
    FINALFUNC = ab_counts_final, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ab_counts(text, boolean) IS
'A/B summary over one row per user: {"variant": [users, conversions], ...} as jsonb; rows with a NULL variant or a NULL converted are left out';
CREATE AGGREGATE ab_counts(variant text, users bigint, conversions bigint) (
    SFUNC = ab_counts_trans, STYPE = internal,
    FINALFUNC = ab_counts_final, FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ab_counts(text, bigint, bigint) IS
'A/B summary from stored counts (e.g. one funnel summary per variant): sums users and conversions per variant into {"variant": [users, conversions], ...}';

CREATE FUNCTION ab_readout(counts jsonb, control text DEFAULT NULL, alpha float8 DEFAULT 0.05,
                           prior_alpha float8 DEFAULT 1, prior_beta float8 DEFAULT 1)
RETURNS TABLE (variant text, users bigint, conversions bigint, rate float8,
               diff float8, diff_low float8, diff_high float8,
               lift float8, lift_low float8, lift_high float8,
               z float8, p_value float8, prob_beats_control float8, expected_loss float8,
               prob_best float8, expected_loss_best float8, is_control boolean)
AS 'MODULE_PATHNAME', 'jy_sql_ab_readout' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ab_readout(jsonb, text, float8, float8, float8) IS
'one row per variant of an ab_counts summary against the control (default: the first variant by name): rate, difference and relative lift with (1 - alpha) confidence intervals, two-proportion z-test p-value, exact Bayesian P(variant > control) and expected loss under Beta(prior_alpha, prior_beta) priors, P(variant is the best of all) and its expected loss against the best (quadrature, up to 20 variants); fixed-horizon statistics: evaluate once at the planned sample size, not repeatedly (peeking inflates false positives)';

CREATE FUNCTION ab_chisq(counts jsonb, OUT statistic float8, OUT df integer, OUT p_value float8)
AS 'MODULE_PATHNAME', 'jy_sql_ab_chisq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ab_chisq(jsonb) IS
'Pearson chi-square test of independence of variant and conversion over all variants of an ab_counts summary (no continuity correction); NULL when undefined';

CREATE FUNCTION ab_ztest(conversions_a bigint, users_a bigint, conversions_b bigint, users_b bigint,
                         alpha float8 DEFAULT 0.05,
                         OUT z float8, OUT p_value float8, OUT diff float8, OUT diff_low float8, OUT diff_high float8,
                         OUT lift float8, OUT lift_low float8, OUT lift_high float8)
AS 'MODULE_PATHNAME', 'jy_sql_ab_ztest' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ab_ztest(bigint, bigint, bigint, bigint, float8) IS
'two-proportion z-test of B against A (pooled z, two-sided p-value), difference of rates with its Wald interval and relative lift with its log-ratio interval';

CREATE FUNCTION ab_sequential(conversions_a bigint, users_a bigint, conversions_b bigint, users_b bigint,
                              tau float8, alpha float8 DEFAULT 0.05,
                              OUT diff float8, OUT p_value float8, OUT diff_low float8, OUT diff_high float8)
AS 'MODULE_PATHNAME', 'jy_sql_ab_sequential' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ab_sequential(bigint, bigint, bigint, bigint, float8, float8) IS
'always-valid (peeking-safe) test of B against A: mixture SPRT p-value and confidence sequence of the difference of rates (normal mixture with standard deviation tau over the difference); valid however often it is evaluated and whenever the test is stopped';

CREATE FUNCTION ab_prob_beats(conversions_a bigint, users_a bigint, conversions_b bigint, users_b bigint,
                              prior_alpha float8 DEFAULT 1, prior_beta float8 DEFAULT 1) RETURNS float8
AS 'MODULE_PATHNAME', 'jy_sql_ab_prob_beats' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ab_prob_beats(bigint, bigint, bigint, bigint, float8, float8) IS
'exact Bayesian probability that B''s conversion rate exceeds A''s under independent Beta(prior_alpha, prior_beta) priors (closed-form sum when a posterior parameter is an integer, adaptive quadrature otherwise; not sampled)';

CREATE FUNCTION ab_expected_loss(conversions_a bigint, users_a bigint, conversions_b bigint, users_b bigint,
                                 prior_alpha float8 DEFAULT 1, prior_beta float8 DEFAULT 1) RETURNS float8
AS 'MODULE_PATHNAME', 'jy_sql_ab_expected_loss' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ab_expected_loss(bigint, bigint, bigint, bigint, float8, float8) IS
'exact Bayesian expected loss of choosing B: E[max(rate_A - rate_B, 0)] under independent Beta priors';

CREATE FUNCTION ab_sample_size(baseline float8, mde float8, alpha float8 DEFAULT 0.05, power float8 DEFAULT 0.8) RETURNS bigint
AS 'MODULE_PATHNAME', 'jy_sql_ab_sample_size' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ab_sample_size(float8, float8, float8, float8) IS
'users per arm a two-sided two-proportion z-test needs to detect baseline + mde (absolute difference of rates) with the given power';

CREATE FUNCTION ab_mde(baseline float8, users_per_arm bigint, alpha float8 DEFAULT 0.05, power float8 DEFAULT 0.8) RETURNS float8
AS 'MODULE_PATHNAME', 'jy_sql_ab_mde' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ab_mde(float8, bigint, float8, float8) IS
'minimum detectable (absolute, upward) effect for a planned test with users_per_arm users in each arm; NULL when no effect is detectable';

-- ---- new: src/sql/80_json.sql ----
-- jsonb casts of journey and of every summary type: clients (JDBC, ODBC, Npgsql, dbt) know jsonb and text,
-- not journey's own types.  SQL-bodied, built from the documented accessors; STABLE because float8 and
-- timestamptz render through extra_float_digits and TimeZone.  Shapes are documented in doc/clients.md.

CREATE FUNCTION journey_to_jsonb(j journey) RETURNS jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT jsonb_build_object(
           'length', @extschema@.length(j),
           'first_time', @extschema@.first_time(j),
           'last_time', @extschema@.last_time(j),
           'duration_s', @extschema@.duration_s(j),
           'events', COALESCE((SELECT jsonb_agg(jsonb_build_object('ts', e.ts, 'event', e.event) ORDER BY e."position")
                               FROM @extschema@.journey_events(j) e), '[]'::jsonb));
END;
COMMENT ON FUNCTION journey_to_jsonb(journey) IS
'the journey as jsonb: {"length", "first_time", "last_time", "duration_s", "events": [{"ts", "event"}, ...]} (also the cast journey::jsonb)';
CREATE CAST (journey AS jsonb) WITH FUNCTION journey_to_jsonb(journey);
COMMENT ON CAST (journey AS jsonb) IS 'journey as jsonb (see journey_to_jsonb)';

CREATE FUNCTION funnel_summary_to_jsonb(s funnel_summary) RETURNS jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT jsonb_build_object(
           'users', (SELECT r.users + r.drop_off FROM @extschema@.funnel_report(s) r WHERE r.step = 1),
           'steps', (SELECT jsonb_agg(jsonb_build_object(
                               'step', r.step, 'users', r.users,
                               'conversion_from_first', r.conversion_from_first,
                               'conversion_from_previous', r.conversion_from_previous,
                               'drop_off', r.drop_off,
                               'median_time_from_previous_s', r.median_time_from_previous_s,
                               'p90_time_from_previous_s', r.p90_time_from_previous_s) ORDER BY r.step)
                     FROM @extschema@.funnel_report(s) r));
END;
COMMENT ON FUNCTION funnel_summary_to_jsonb(funnel_summary) IS
'the funnel report as jsonb: {"users", "steps": [one object per funnel_report row, durations in seconds]} (also the cast funnel_summary::jsonb)';
CREATE CAST (funnel_summary AS jsonb) WITH FUNCTION funnel_summary_to_jsonb(funnel_summary);
COMMENT ON CAST (funnel_summary AS jsonb) IS 'funnel_summary as jsonb (see funnel_summary_to_jsonb)';

CREATE FUNCTION cohort_retention_to_jsonb(r cohort_retention) RETURNS jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT jsonb_build_object(
           'first_cohort', @extschema@.retention_cohort(r),
           'users', @extschema@.retention_users(r),
           'matrix', COALESCE((SELECT jsonb_agg(jsonb_build_object(
                                        'cohort', m.cohort, 'period_index', m.period_index,
                                        'cohort_size', m.cohort_size, 'retained_users', m.retained_users,
                                        'retention_rate', m.retention_rate) ORDER BY m.cohort, m.period_index)
                               FROM @extschema@.retention_matrix(r) m), '[]'::jsonb));
END;
COMMENT ON FUNCTION cohort_retention_to_jsonb(cohort_retention) IS
'the retention triangle as jsonb: {"first_cohort", "users", "matrix": [one object per retention_matrix(r, ''on'') row]} (also the cast cohort_retention::jsonb)';
CREATE CAST (cohort_retention AS jsonb) WITH FUNCTION cohort_retention_to_jsonb(cohort_retention);
COMMENT ON CAST (cohort_retention AS jsonb) IS 'cohort_retention as jsonb (see cohort_retention_to_jsonb)';

CREATE FUNCTION session_stats_to_jsonb(s session_stats) RETURNS jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT jsonb_build_object(
           'sessions', k.sessions, 'events', k.events, 'bounces', k.bounces, 'bounce_rate', k.bounce_rate,
           'events_per_session', k.events_per_session, 'avg_duration_s', k.avg_duration_s,
           'median_duration_s', k.median_duration_s, 'p90_duration_s', k.p90_duration_s,
           'total_duration_s', @extschema@.total_duration_s(s))
  FROM @extschema@.session_kpis(s) k;
END;
COMMENT ON FUNCTION session_stats_to_jsonb(session_stats) IS
'the session KPIs as jsonb: the session_kpis columns with durations in seconds, plus total_duration_s (also the cast session_stats::jsonb)';
CREATE CAST (session_stats AS jsonb) WITH FUNCTION session_stats_to_jsonb(session_stats);
COMMENT ON CAST (session_stats AS jsonb) IS 'session_stats as jsonb (see session_stats_to_jsonb)';

CREATE FUNCTION kmeans_model_to_jsonb(m kmeans_model) RETURNS jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT to_jsonb(s) || jsonb_build_object(
           'clusters', COALESCE((SELECT jsonb_agg(to_jsonb(c) ORDER BY c.cluster)
                                 FROM @extschema@.kmeans_clusters(m) c), '[]'::jsonb))
  FROM @extschema@.kmeans_summary(m) s;
END;
COMMENT ON FUNCTION kmeans_model_to_jsonb(kmeans_model) IS
'the model as jsonb: the kmeans_summary columns plus "clusters": [one object per kmeans_clusters row, centroid as an array] (also the cast kmeans_model::jsonb)';
CREATE CAST (kmeans_model AS jsonb) WITH FUNCTION kmeans_model_to_jsonb(kmeans_model);
COMMENT ON CAST (kmeans_model AS jsonb) IS 'kmeans_model as jsonb (see kmeans_model_to_jsonb)';

-- ---- new: src/sql/85_clv.sql ----
-- Customer lifetime value: per-customer statistics (clv_customer), BG/NBD and
-- Gamma-Gamma fitted by maximum likelihood (bgnbd_fit, gamma_gamma_fit ->
-- clv_model), predictions per customer, CLV, RFM scores.  doc/clv.md.

CREATE TYPE clv_model;
CREATE FUNCTION clv_model_in(cstring) RETURNS clv_model
AS 'MODULE_PATHNAME', 'jy_clv_model_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_model_out(clv_model) RETURNS cstring
AS 'MODULE_PATHNAME', 'jy_clv_model_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_model_recv(internal) RETURNS clv_model
AS 'MODULE_PATHNAME', 'jy_clv_model_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_model_send(clv_model) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_clv_model_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE clv_model (
    INPUT = clv_model_in, OUTPUT = clv_model_out,
    RECEIVE = clv_model_recv, SEND = clv_model_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = plain
);
COMMENT ON TYPE clv_model IS
'a fitted BG/NBD or Gamma-Gamma model: parameters, log-likelihood, customers, iterations, convergence; lossless JSON text';
COMMENT ON FUNCTION clv_model_in(cstring) IS 'text input of clv_model (the JSON form clv_model_out prints; validated)';
COMMENT ON FUNCTION clv_model_out(clv_model) IS 'text output of clv_model: lossless JSON (17 significant digits)';
COMMENT ON FUNCTION clv_model_recv(internal) IS 'binary input of clv_model (a version byte and the text form, validated like the text input)';
COMMENT ON FUNCTION clv_model_send(clv_model) IS 'binary output of clv_model';

CREATE TYPE clv_customer AS (
    orders bigint, revenue float8, first_order date, last_order date,
    frequency float8, recency float8, age float8, monetary float8, aov float8
);
COMMENT ON TYPE clv_customer IS
'historical value and sufficient statistics of one customer: orders (distinct purchase days), revenue, first/last order, frequency (repeat purchase days), recency and age in periods, monetary (mean value of repeat days), average order value';

CREATE FUNCTION clv_customer_trans(internal, date, float8, date) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_clv_customer_trans3' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION clv_customer_trans(internal, date, float8, date, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_clv_customer_trans4' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION clv_customer_final(internal) RETURNS clv_customer
AS 'MODULE_PATHNAME', 'jy_clv_customer_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION clv_customer_trans(internal, date, float8, date) IS 'internal: transition function of clv_customer';
COMMENT ON FUNCTION clv_customer_trans(internal, date, float8, date, float8) IS 'internal: transition function of clv_customer';
COMMENT ON FUNCTION clv_customer_final(internal) IS 'internal: final function of clv_customer';
CREATE AGGREGATE clv_customer(order_date date, amount float8, calibration_end date) (
    SFUNC = clv_customer_trans, STYPE = internal, FINALFUNC = clv_customer_final,
    FINALFUNC_MODIFY = READ_ONLY, PARALLEL = SAFE
);
COMMENT ON AGGREGATE clv_customer(date, float8, date) IS
'per-customer value and BG/NBD statistics from its orders up to calibration_end (same-day orders merged), time in days';
CREATE AGGREGATE clv_customer(order_date date, amount float8, calibration_end date, period_days float8) (
    SFUNC = clv_customer_trans, STYPE = internal, FINALFUNC = clv_customer_final,
    FINALFUNC_MODIFY = READ_ONLY, PARALLEL = SAFE
);
COMMENT ON AGGREGATE clv_customer(date, float8, date, float8) IS
'per-customer value and BG/NBD statistics from its orders up to calibration_end (same-day orders merged), time in periods of period_days days (7: weeks)';

CREATE FUNCTION bgnbd_fit_trans(internal, float8, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_bgnbd_fit_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION bgnbd_fit_final(internal) RETURNS clv_model
AS 'MODULE_PATHNAME', 'jy_bgnbd_fit_final' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_fit_trans(internal, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_gg_fit_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_fit_final(internal) RETURNS clv_model
AS 'MODULE_PATHNAME', 'jy_gg_fit_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_fit_trans(internal, float8, float8, float8) IS 'internal: transition function of bgnbd_fit';
COMMENT ON FUNCTION bgnbd_fit_final(internal) IS 'internal: maximum-likelihood fit (final function of bgnbd_fit)';
COMMENT ON FUNCTION gamma_gamma_fit_trans(internal, float8, float8) IS 'internal: transition function of gamma_gamma_fit';
COMMENT ON FUNCTION gamma_gamma_fit_final(internal) IS 'internal: maximum-likelihood fit (final function of gamma_gamma_fit)';
CREATE AGGREGATE bgnbd_fit(frequency float8, recency float8, age float8) (
    SFUNC = bgnbd_fit_trans, STYPE = internal, FINALFUNC = bgnbd_fit_final,
    FINALFUNC_MODIFY = READ_ONLY, PARALLEL = SAFE
);
COMMENT ON AGGREGATE bgnbd_fit(float8, float8, float8) IS
'BG/NBD model (r, alpha, a, b) fitted by maximum likelihood over one row per customer (frequency, recency, age from clv_customer); warns and marks the model when the optimizer did not converge';
CREATE AGGREGATE gamma_gamma_fit(frequency float8, monetary float8) (
    SFUNC = gamma_gamma_fit_trans, STYPE = internal, FINALFUNC = gamma_gamma_fit_final,
    FINALFUNC_MODIFY = READ_ONLY, PARALLEL = SAFE
);
COMMENT ON AGGREGATE gamma_gamma_fit(float8, float8) IS
'Gamma-Gamma spend model (p, q, gamma) fitted by maximum likelihood over customers with repeat purchases (frequency > 0, monetary > 0; frequency 0 rows are left out)';

CREATE FUNCTION bgnbd_expected_purchases(model clv_model, t float8, frequency float8, recency float8, age float8) RETURNS float8
AS 'MODULE_PATHNAME', 'jy_bgnbd_expected_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_expected_purchases(clv_model, float8, float8, float8, float8) IS
'BG/NBD expected number of purchases of a customer in the next t periods';
CREATE FUNCTION bgnbd_prob_alive(model clv_model, frequency float8, recency float8, age float8) RETURNS float8
AS 'MODULE_PATHNAME', 'jy_bgnbd_prob_alive' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_prob_alive(clv_model, float8, float8, float8) IS
'BG/NBD probability that a customer is still active at the end of calibration';
CREATE FUNCTION gamma_gamma_expected_value(model clv_model, frequency float8, monetary float8) RETURNS float8
AS 'MODULE_PATHNAME', 'jy_gg_expected_value' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION gamma_gamma_expected_value(clv_model, float8, float8) IS
'Gamma-Gamma expected value of a purchase given frequency and mean repeat value (the population mean when frequency is 0 and monetary NULL)';
CREATE FUNCTION clv_value(bgnbd clv_model, gamma_gamma clv_model, frequency float8, recency float8, age float8,
                          monetary float8, horizon integer, discount_rate float8) RETURNS float8
AS 'MODULE_PATHNAME', 'jy_clv_value' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION clv_value(clv_model, clv_model, float8, float8, float8, float8, integer, float8) IS
'customer lifetime value over horizon periods: expected value per purchase times expected purchases in each period, discounted by (1 + discount_rate) per period';
CREATE FUNCTION clv_model_summary(model clv_model, OUT model_type text, OUT p1 float8, OUT p2 float8, OUT p3 float8, OUT p4 float8,
                                  OUT log_likelihood float8, OUT customers bigint, OUT iterations integer,
                                  OUT converged boolean, OUT gradient float8)
AS 'MODULE_PATHNAME', 'jy_clv_model_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_model_summary(clv_model) IS
'the fields of a clv_model: type, parameters (bgnbd: r, alpha, a, b; gamma_gamma: p, q, gamma), log-likelihood, customers, iterations, convergence, final gradient';
CREATE FUNCTION rfm_score(value float8, breaks float8[], higher_is_better boolean DEFAULT true) RETURNS integer
AS 'MODULE_PATHNAME', 'jy_rfm_score' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rfm_score(float8, float8[], boolean) IS
'quantile score of a value against ascending breaks (e.g. percentile_cont(ARRAY[0.2,0.4,0.6,0.8])): 1 .. n+1, reversed when higher_is_better is false';

-- ---- new: src/sql/90_identity.sql ----
-- Identity stitching: connected components over identifier links (doc/identity.md).
CREATE FUNCTION journey_identity_stitch(links text, priority text[] DEFAULT NULL, max_per_person integer[] DEFAULT NULL)
RETURNS TABLE (kind text, identifier text, person_kind text, person_id text)
AS 'MODULE_PATHNAME', 'jy_identity_stitch'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED
ROWS 100000;

COMMENT ON FUNCTION journey_identity_stitch(text, text[], integer[]) IS
'identity stitching: runs the links query (kind_a, id_a, kind_b, id_b [, ts timestamptz]) read-only and returns every identifier with its person (the best identifier of its connected component: priority order of kinds, then kind name, then identifier bytes); max_per_person[i] limits identifiers of kind priority[i] per person, refusing the links (in time order) that would exceed it';

CREATE FUNCTION journey_identity_refused(links text, priority text[] DEFAULT NULL, max_per_person integer[] DEFAULT NULL)
RETURNS TABLE (kind_a text, id_a text, kind_b text, id_b text, ts timestamptz, link_number bigint, limit_kind text, max_per_person integer)
AS 'MODULE_PATHNAME', 'jy_identity_refused'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED
ROWS 100;

COMMENT ON FUNCTION journey_identity_refused(text, text[], integer[]) IS
'the links journey_identity_stitch refuses with the same arguments (a union that would give a person more than max_per_person identifiers of a kind): the link, its 1-based row number in the links query and the kind whose limit it would exceed';

CREATE FUNCTION journey_identity_merge(persons text, links text, priority text[] DEFAULT NULL, max_per_person integer[] DEFAULT NULL)
RETURNS TABLE (kind text, identifier text, person_kind text, person_id text, previous_person_kind text, previous_person_id text)
AS 'MODULE_PATHNAME', 'jy_identity_merge'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED
ROWS 1000;

COMMENT ON FUNCTION journey_identity_merge(text, text, text[], integer[]) IS
'incremental identity stitching: persons query (kind, identifier, person_kind, person_id) = the existing mapping (at least every row of the persons a new link touches), links query = the new batch; returns only identifiers that are new (previous person NULL) or whose person changed (persons merged)';

CREATE FUNCTION journey_sample_identities(users integer, seed integer DEFAULT 1)
RETURNS TABLE (kind_a text, id_a text, kind_b text, id_b text, ts timestamptz)
AS 'MODULE_PATHNAME', 'jy_sample_identities'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
ROWS 1000;

COMMENT ON FUNCTION journey_sample_identities(integer, integer) IS
'identifier links for journey_sample_events(users, seed): logins (anonymous_id = the sample user_id as text -> user_id account), e-mail hashes of accounts, and a shared QA account; about a quarter of sample users are a further device of the previous user''s account';

-- ---- new: src/sql/95_attribution.sql ----
-- Multi-touch attribution (doc/attribution.md).
CREATE TYPE journey_conversion_path AS (
    conversion_number integer,
    converted boolean,
    conversion_ts timestamptz,
    revenue double precision,
    channels text[],
    touch_ts timestamptz[]
);

COMMENT ON TYPE journey_conversion_path IS
'one conversion of a user with its touchpoints in the lookback window (time order), or (converted = false, conversion_number NULL) the touchpoints after the last conversion';

CREATE TYPE journey_channel_credit AS (
    channel text,
    removal_effect double precision,
    conversions double precision,
    revenue double precision,
    share double precision
);

COMMENT ON TYPE journey_channel_credit IS
'one channel of a Markov attribution: removal effect 1 - P(conversion without the channel) / P(conversion), credited conversions and revenue, share of the total';

CREATE FUNCTION journey_conversion_paths_trans(internal, timestamptz, text, boolean, double precision, interval)
RETURNS internal
AS 'MODULE_PATHNAME', 'jy_conversion_paths_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;

COMMENT ON FUNCTION journey_conversion_paths_trans(internal, timestamptz, text, boolean, double precision, interval) IS
'transition function of journey_conversion_paths(ts, channel, conversion, revenue, lookback)';

CREATE FUNCTION journey_conversion_paths_trans(internal, timestamptz, text, boolean, double precision, interval, boolean)
RETURNS internal
AS 'MODULE_PATHNAME', 'jy_conversion_paths_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;

COMMENT ON FUNCTION journey_conversion_paths_trans(internal, timestamptz, text, boolean, double precision, interval, boolean) IS
'transition function of journey_conversion_paths(ts, channel, conversion, revenue, lookback, reuse)';

CREATE FUNCTION journey_conversion_paths_final(internal)
RETURNS journey_conversion_path[]
AS 'MODULE_PATHNAME', 'jy_conversion_paths_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION journey_conversion_paths_final(internal) IS
'final function of journey_conversion_paths: sorts the events and cuts them into conversion paths';

CREATE AGGREGATE journey_conversion_paths(ts timestamptz, channel text, conversion boolean, revenue double precision, lookback interval) (
    SFUNC = journey_conversion_paths_trans,
    STYPE = internal,
    FINALFUNC = journey_conversion_paths_final,
    FINALFUNC_MODIFY = READ_WRITE,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE journey_conversion_paths(timestamptz, text, boolean, double precision, interval) IS
'per user: one journey_conversion_path per conversion (touchpoints = rows with a non-NULL channel within lookback before it, each used by one conversion), then the touchpoints after the last conversion as a non-converting path';

CREATE AGGREGATE journey_conversion_paths(ts timestamptz, channel text, conversion boolean, revenue double precision, lookback interval, reuse boolean) (
    SFUNC = journey_conversion_paths_trans,
    STYPE = internal,
    FINALFUNC = journey_conversion_paths_final,
    FINALFUNC_MODIFY = READ_WRITE,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE journey_conversion_paths(timestamptz, text, boolean, double precision, interval, boolean) IS
'journey_conversion_paths with reuse: when true every conversion sees every touchpoint in its window, including ones an earlier conversion used';

CREATE FUNCTION journey_attribution_credit(
    channels text[], touch_ts timestamptz[], conversion_ts timestamptz, model text,
    half_life interval DEFAULT '7 days', position_weights double precision[] DEFAULT '{0.4,0.2,0.4}',
    direct_channels text[] DEFAULT '{direct}')
RETURNS TABLE (touch integer, channel text, credit double precision)
AS 'MODULE_PATHNAME', 'jy_attribution_credit'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE
ROWS 4;

COMMENT ON FUNCTION journey_attribution_credit(text[], timestamptz[], timestamptz, text, interval, double precision[], text[]) IS
'credit of each touchpoint of one conversion (credits sum to 1): model first, last, last_non_direct, linear, time_decay (weight 2^(-age/half_life)) or position (first/middle/last weights); no touchpoints: one row direct/none; conversion_ts NULL (non-converting path): no rows';

-- Markov chains: the transition counts are a real type (combinable: parallel plans, Citus two-phase)
CREATE TYPE journey_markov_chain;

CREATE FUNCTION journey_markov_chain_in(cstring) RETURNS journey_markov_chain
AS 'MODULE_PATHNAME', 'jy_markov_chain_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_markov_chain_out(journey_markov_chain) RETURNS cstring
AS 'MODULE_PATHNAME', 'jy_markov_chain_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_markov_chain_recv(internal) RETURNS journey_markov_chain
AS 'MODULE_PATHNAME', 'jy_markov_chain_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION journey_markov_chain_send(journey_markov_chain) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_markov_chain_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE journey_markov_chain (
    INPUT = journey_markov_chain_in,
    OUTPUT = journey_markov_chain_out,
    RECEIVE = journey_markov_chain_recv,
    SEND = journey_markov_chain_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE journey_markov_chain IS
'transition counts of an order-k Markov chain over conversion paths (start padding, conversion and null states), with path, conversion and revenue totals; additive: merge with rollup(), solve with journey_markov_credits()';
COMMENT ON FUNCTION journey_markov_chain_in(cstring) IS 'text input of journey_markov_chain';
COMMENT ON FUNCTION journey_markov_chain_out(journey_markov_chain) IS 'text output of journey_markov_chain';
COMMENT ON FUNCTION journey_markov_chain_recv(internal) IS 'binary input of journey_markov_chain';
COMMENT ON FUNCTION journey_markov_chain_send(journey_markov_chain) IS 'binary output of journey_markov_chain';

CREATE FUNCTION journey_markov_chain_trans(journey_markov_chain, text[], boolean, double precision)
RETURNS journey_markov_chain
AS 'MODULE_PATHNAME', 'jy_markov_chain_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;

COMMENT ON FUNCTION journey_markov_chain_trans(journey_markov_chain, text[], boolean, double precision) IS
'transition function of journey_markov_chain and journey_markov_attribution (order 1): counts the transitions of one path';

CREATE FUNCTION journey_markov_chain_trans(journey_markov_chain, text[], boolean, double precision, integer)
RETURNS journey_markov_chain
AS 'MODULE_PATHNAME', 'jy_markov_chain_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;

COMMENT ON FUNCTION journey_markov_chain_trans(journey_markov_chain, text[], boolean, double precision, integer) IS
'transition function of journey_markov_chain and journey_markov_attribution with an order: counts the transitions of one path between states of the last k channels';

CREATE FUNCTION journey_markov_chain_merge(journey_markov_chain, journey_markov_chain)
RETURNS journey_markov_chain
AS 'MODULE_PATHNAME', 'jy_markov_chain_merge'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;

COMMENT ON FUNCTION journey_markov_chain_merge(journey_markov_chain, journey_markov_chain) IS
'adds the transition counts of two chains of the same order (transition function of rollup, combine function of the chain aggregates)';

CREATE FUNCTION journey_markov_credits(chain journey_markov_chain)
RETURNS journey_channel_credit[]
AS 'MODULE_PATHNAME', 'jy_markov_credits'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION journey_markov_credits(journey_markov_chain) IS
'solves the absorbing chain exactly with and without each channel (every state holding it removed): one journey_channel_credit per channel, by channel name; NULL without channels';

CREATE AGGREGATE journey_markov_chain(channels text[], converted boolean, revenue double precision) (
    SFUNC = journey_markov_chain_trans,
    STYPE = journey_markov_chain,
    COMBINEFUNC = journey_markov_chain_merge,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE journey_markov_chain(text[], boolean, double precision) IS
'first-order Markov chain of the paths (transition counts); partial chains per partition or node add up with rollup()';

CREATE AGGREGATE journey_markov_chain(channels text[], converted boolean, revenue double precision, markov_order integer) (
    SFUNC = journey_markov_chain_trans,
    STYPE = journey_markov_chain,
    COMBINEFUNC = journey_markov_chain_merge,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE journey_markov_chain(text[], boolean, double precision, integer) IS
'order-k Markov chain of the paths (states = the last k channels, start-padded; k from 1 to 4); partial chains add up with rollup()';

CREATE AGGREGATE rollup(journey_markov_chain) (
    SFUNC = journey_markov_chain_merge,
    STYPE = journey_markov_chain,
    COMBINEFUNC = journey_markov_chain_merge,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE rollup(journey_markov_chain) IS
'adds Markov chains of the same order (across partitions, days or nodes): exact, the counts are additive';

CREATE AGGREGATE journey_markov_attribution(channels text[], converted boolean, revenue double precision) (
    SFUNC = journey_markov_chain_trans,
    STYPE = journey_markov_chain,
    COMBINEFUNC = journey_markov_chain_merge,
    FINALFUNC = journey_markov_credits,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE journey_markov_attribution(text[], boolean, double precision) IS
'data-driven attribution over all paths: first-order Markov chain (start, channels, conversion, null), credit proportional to each channel''s removal effect, computed exactly (linear solve); one journey_channel_credit per channel, by channel name';

-- ---- distributed K-means (issue 19): kmeans_partial, its two-phase aggregates, kmeans_fit_distributed;
-- the init option of kmeans_segment
COMMENT ON AGGREGATE kmeans_segment(float8[], integer, jsonb) IS
'K-means model with options {seed, n_init, max_iter, tol, standardize, init, silhouette_sample, sample_fraction, max_memory_mb, progress}; init "distributed" gives the model of kmeans_fit_distributed';

-- Distributed K-means: kmeans_fit_distributed(relation, column, k [, options])
-- runs one two-phase aggregate per pass; every aggregate's state is a
-- kmeans_partial (a real type: Citus splits them, k x d numbers per shard).

CREATE TYPE kmeans_partial;

CREATE FUNCTION kmeans_partial_in(cstring) RETURNS kmeans_partial
AS 'MODULE_PATHNAME', 'jy_kmeans_partial_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmeans_partial_out(kmeans_partial) RETURNS cstring
AS 'MODULE_PATHNAME', 'jy_kmeans_partial_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmeans_partial_recv(internal) RETURNS kmeans_partial
AS 'MODULE_PATHNAME', 'jy_kmeans_partial_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmeans_partial_send(kmeans_partial) RETURNS bytea
AS 'MODULE_PATHNAME', 'jy_kmeans_partial_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE kmeans_partial (
    INPUT = kmeans_partial_in,
    OUTPUT = kmeans_partial_out,
    RECEIVE = kmeans_partial_recv,
    SEND = kmeans_partial_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE kmeans_partial IS
'partial sums of one pass of distributed K-means (kind stats, draw, potential or lloyd: counts, sums, maxima; k x d numbers), the state of kmeans_stats, kmeans_seed_draw, kmeans_seed_potential and kmeans_step';
COMMENT ON FUNCTION kmeans_partial_in(cstring) IS 'text input of kmeans_partial (the JSON form kmeans_partial_out prints; validated)';
COMMENT ON FUNCTION kmeans_partial_out(kmeans_partial) IS 'text output of kmeans_partial: lossless JSON (17 significant digits)';
COMMENT ON FUNCTION kmeans_partial_recv(internal) IS 'binary input of kmeans_partial (validated like the text input)';
COMMENT ON FUNCTION kmeans_partial_send(kmeans_partial) IS 'binary output of kmeans_partial';

CREATE FUNCTION kmeans_partial_combine(kmeans_partial, kmeans_partial) RETURNS kmeans_partial
AS 'MODULE_PATHNAME', 'jy_kmeans_partial_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_partial_combine(kmeans_partial, kmeans_partial) IS
'internal: combine function of the kmeans_partial aggregates (adds counts and sums, keeps maxima / minimum keys)';

CREATE FUNCTION kmeans_stats_trans(kmeans_partial, float8[]) RETURNS kmeans_partial
AS 'MODULE_PATHNAME', 'jy_kmeans_stats_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_seed_draw_trans(kmeans_partial, float8[], kmeans_model, bigint, integer) RETURNS kmeans_partial
AS 'MODULE_PATHNAME', 'jy_kmeans_draw_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_seed_potential_trans(kmeans_partial, float8[], kmeans_model, kmeans_partial) RETURNS kmeans_partial
AS 'MODULE_PATHNAME', 'jy_kmeans_potential_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_step_trans(kmeans_partial, float8[], kmeans_model, kmeans_model) RETURNS kmeans_partial
AS 'MODULE_PATHNAME', 'jy_kmeans_step_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kmeans_stats_trans(kmeans_partial, float8[]) IS 'internal: transition function of kmeans_stats';
COMMENT ON FUNCTION kmeans_seed_draw_trans(kmeans_partial, float8[], kmeans_model, bigint, integer) IS 'internal: transition function of kmeans_seed_draw';
COMMENT ON FUNCTION kmeans_seed_potential_trans(kmeans_partial, float8[], kmeans_model, kmeans_partial) IS 'internal: transition function of kmeans_seed_potential';
COMMENT ON FUNCTION kmeans_step_trans(kmeans_partial, float8[], kmeans_model, kmeans_model) IS 'internal: transition function of kmeans_step';

CREATE AGGREGATE kmeans_stats(features float8[]) (
    SFUNC = kmeans_stats_trans, STYPE = kmeans_partial,
    COMBINEFUNC = kmeans_partial_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE kmeans_stats(float8[]) IS
'two-phase pass of kmeans_fit_distributed: number of points, per-feature mean and sum of squared deviations (a stats kmeans_partial); NULL rows are skipped';

CREATE AGGREGATE kmeans_seed_draw(features float8[], centres kmeans_model, stream bigint, trials integer) (
    SFUNC = kmeans_seed_draw_trans, STYPE = kmeans_partial,
    COMBINEFUNC = kmeans_partial_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE kmeans_seed_draw(float8[], kmeans_model, bigint, integer) IS
'two-phase pass of kmeans_fit_distributed: trials k-means++ draws (probability proportional to the squared distance to the nearest of the centres; uniform when centres is NULL), keyed by a hash of the point and the stream: independent of row order and shards';

CREATE AGGREGATE kmeans_seed_potential(features float8[], centres kmeans_model, candidates kmeans_partial) (
    SFUNC = kmeans_seed_potential_trans, STYPE = kmeans_partial,
    COMBINEFUNC = kmeans_partial_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE kmeans_seed_potential(float8[], kmeans_model, kmeans_partial) IS
'two-phase pass of kmeans_fit_distributed: for each drawn candidate, the k-means++ potential (sum of squared distances to the nearest of the centres and the candidate)';

CREATE AGGREGATE kmeans_step(features float8[], model kmeans_model, previous kmeans_model) (
    SFUNC = kmeans_step_trans, STYPE = kmeans_partial,
    COMBINEFUNC = kmeans_partial_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE kmeans_step(float8[], kmeans_model, kmeans_model) IS
'one Lloyd iteration as a two-phase aggregate: per cluster of the model, size, within-cluster sum of squares, sum of the (standardized) points, farthest point; and the points whose cluster differs from the previous model''s (NULL: all)';

CREATE AGGREGATE rollup(kmeans_partial) (
    SFUNC = kmeans_partial_combine, STYPE = kmeans_partial,
    COMBINEFUNC = kmeans_partial_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(kmeans_partial) IS
'merge kmeans partials of the same pass (e.g. one per postgres_fdw shard); the result is what the aggregate gives over all the rows';

CREATE FUNCTION kmeans_fit_distributed(relation regclass, features name, k integer, options jsonb DEFAULT NULL)
RETURNS kmeans_model
AS 'MODULE_PATHNAME', 'jy_kmeans_fit_distributed' LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION kmeans_fit_distributed(regclass, name, integer, jsonb) IS
'K-means of the float8[] column of a table or view, one two-phase aggregate per pass (runs distributed on Citus: k x d numbers per shard per pass); the same model as kmeans_segment(features, k, options || ''{"init": "distributed"}'')';
CREATE AGGREGATE journey_markov_attribution(channels text[], converted boolean, revenue double precision, markov_order integer) (
    SFUNC = journey_markov_chain_trans,
    STYPE = journey_markov_chain,
    COMBINEFUNC = journey_markov_chain_merge,
    FINALFUNC = journey_markov_credits,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE journey_markov_attribution(text[], boolean, double precision, integer) IS
'journey_markov_attribution with an order-k chain (states = the last k channels, start-padded; removing a channel removes every state holding it), solved exactly';

CREATE FUNCTION journey_markov_credit(channels text[], converted boolean, credits journey_channel_credit[])
RETURNS TABLE (touch integer, channel text, credit double precision)
AS 'MODULE_PATHNAME', 'jy_markov_credit'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE
ROWS 4;

COMMENT ON FUNCTION journey_markov_credit(text[], boolean, journey_channel_credit[]) IS
'per-conversion Markov credit rows (drill-down): the path''s distinct channels share 1 in proportion to their removal effects (evenly when all are 0), each channel''s part split evenly over its touches; no touchpoints: one row direct/none; not converted: no rows';

-- planner costs of the functions that decode a whole stored journey (src/sql/99_planner_costs.sql)
ALTER FUNCTION last_time(journey) COST 100;
ALTER FUNCTION duration(journey) COST 100;
ALTER FUNCTION journey_events(journey) COST 100;
ALTER FUNCTION event_at(journey, integer) COST 100;
ALTER FUNCTION time_at(journey, integer) COST 100;
ALTER FUNCTION distinct_events(journey) COST 100;
ALTER FUNCTION event_count(journey, text) COST 100;
ALTER FUNCTION journey_path(journey, boolean, text) COST 100;
ALTER FUNCTION journey_slice(journey, timestamptz, timestamptz) COST 100;
ALTER FUNCTION journey_sessions(journey, interval, interval) COST 100;
ALTER FUNCTION funnel_step(journey, interval, text[]) COST 100;
ALTER FUNCTION funnel_step(journey, interval, text[], text) COST 100;
ALTER FUNCTION funnel_times(journey, interval, text[]) COST 100;
ALTER FUNCTION funnel_times(journey, interval, text[], text) COST 100;
ALTER FUNCTION cohort_retention_journey_trans(internal, journey, text, integer) COST 100;
ALTER FUNCTION cohort_retention_journey_trans(internal, journey, text, integer, text) COST 100;
ALTER FUNCTION cohort_retention_journey_trans(internal, journey, text, text, text, integer, text) COST 100;
ALTER FUNCTION cohort_retention_journey_trans(internal, journey, text, text, text, integer, text, text) COST 100;
ALTER FUNCTION journey_match(journey, text) COST 100;
ALTER FUNCTION journey_count(journey, text) COST 100;
ALTER FUNCTION journey_matches(journey, text) COST 100;
ALTER FUNCTION journey_fired(journey, text, boolean) COST 100;
ALTER FUNCTION journey_steps(journey, text, integer, boolean, boolean) COST 100;
ALTER FUNCTION journey_transitions(journey) COST 100;

-- ---- changed: per-group state sizes (SSPACE) of the raw-row per-user aggregates ----
-- Their states are now slab blocks sized to what they hold (issue 20): the planner's hash-aggregate
-- memory estimate uses these figures.  CREATE AGGREGATE has no ALTER form for SSPACE, and dropping the
-- aggregates would drop the user's views over them, so the catalog rows of this extension's aggregates
-- are updated in place (the script runs as a superuser).
UPDATE pg_catalog.pg_aggregate a
   SET aggtransspace = CASE WHEN p.proname = 'cohort_retention' THEN 104 ELSE 96 END
  FROM pg_catalog.pg_proc p
 WHERE a.aggfnoid = p.oid
   AND p.pronamespace = '@extschema@'::regnamespace
   AND p.proname IN ('funnel_step', 'funnel_times', 'session_stats', 'cohort_retention')
   AND a.aggtranstype = 'internal'::regtype
   AND a.aggtransspace IN (160, 256);
-- ---- changed: SSPACE (the planner's bytes per group state) of the pattern aggregates (smaller states,
-- src/pattern_agg.c) and journey_agg, measured on the bench data (issue 20).  ALTER AGGREGATE cannot change
-- it and DROP + CREATE would fail on views that use the aggregates, so the catalog rows are updated (the
-- update script runs as superuser, also for this trusted extension). ----
UPDATE pg_catalog.pg_aggregate SET aggtransspace = 56
 WHERE aggfnoid IN ('@extschema@.journey_match(timestamptz, text, text)'::pg_catalog.regprocedure,
                    '@extschema@.journey_count(timestamptz, text, text)'::pg_catalog.regprocedure,
                    '@extschema@.sequence_match(text, timestamptz, boolean[])'::pg_catalog.regprocedure,
                    '@extschema@.sequence_count(text, timestamptz, boolean[])'::pg_catalog.regprocedure);
UPDATE pg_catalog.pg_aggregate SET aggtransspace = 136
 WHERE aggfnoid = '@extschema@.journey_agg(timestamptz, text)'::pg_catalog.regprocedure;
