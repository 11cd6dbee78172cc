-- Cohort retention over stored journeys (one journey per user): the same per-user code as
-- cohort_retention(ts, ...) and the same merge as rollup(cohort_retention), in one aggregate.
-- After 60_journey.sql (the journey type) and 40_retention.sql (cohort_retention).
#include "jy_sqldefs.h"

CREATE FUNCTION cohort_retention_journey_trans(internal, journey, text, integer) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_journey_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cohort_retention_journey_trans(internal, journey, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_journey_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cohort_retention_journey_trans(internal, journey, text, text, text, integer, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_journey_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION cohort_retention_journey_trans(internal, journey, text, text, text, integer, text, text) RETURNS internal
AS 'MODULE_PATHNAME', 'jy_cohort_retention_journey_trans' LANGUAGE C PARALLEL SAFE;
JY_AGG_STATE_FUNCS(cohort_retention_journey, jy_cohort_retention_journey)
CREATE FUNCTION cohort_retention_journey_final(internal) RETURNS cohort_retention
AS 'MODULE_PATHNAME', 'jy_cohort_retention_journey_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION cohort_retention_journey_trans(internal, journey, text, integer) IS 'transition function of cohort_retention(j journey, period, periods)';
COMMENT ON FUNCTION cohort_retention_journey_trans(internal, journey, text, integer, text) IS 'transition function of cohort_retention(j journey, period, periods, tz)';
COMMENT ON FUNCTION cohort_retention_journey_trans(internal, journey, text, text, text, integer, text) IS 'transition function of cohort_retention(j journey, start_event, return_event, period, periods, tz)';
COMMENT ON FUNCTION cohort_retention_journey_trans(internal, journey, text, text, text, integer, text, text) IS 'transition function of cohort_retention(j journey, start_event, return_event, period, periods, tz, cohorts)';
JY_AGG_STATE_COMMENTS(cohort_retention_journey,
    'combine function of cohort_retention over journeys (parallel aggregation)',
    'serialize function of cohort_retention over journeys (parallel aggregation)',
    'deserialize function of cohort_retention over journeys (parallel aggregation)')
COMMENT ON FUNCTION cohort_retention_journey_final(internal) IS 'final function of cohort_retention over journeys: the summary of all users with a cohort (NULL when none)';

CREATE AGGREGATE cohort_retention(j journey, period text, periods integer) (
    SFUNC = cohort_retention_journey_trans, STYPE = internal,
    JY_AGG_PARALLEL(cohort_retention_journey_final, READ_ONLY, cohort_retention_journey)
);
CREATE AGGREGATE cohort_retention(j journey, period text, periods integer, tz text) (
    SFUNC = cohort_retention_journey_trans, STYPE = internal,
    JY_AGG_PARALLEL(cohort_retention_journey_final, READ_ONLY, cohort_retention_journey)
);
CREATE AGGREGATE cohort_retention(j journey, start_event text, return_event text,
                                  period text, periods integer, tz text) (
    SFUNC = cohort_retention_journey_trans, STYPE = internal,
    JY_AGG_PARALLEL(cohort_retention_journey_final, READ_ONLY, cohort_retention_journey)
);
CREATE AGGREGATE cohort_retention(j journey, start_event text, return_event text,
                                  period text, periods integer, tz text, cohorts text) (
    SFUNC = cohort_retention_journey_trans, STYPE = internal,
    JY_AGG_PARALLEL(cohort_retention_journey_final, READ_ONLY, cohort_retention_journey)
);
COMMENT ON AGGREGATE cohort_retention(journey, text, integer) IS
'retention summary of all users from their journeys (one row per user, NULL journeys skipped): equals rollup(cohort_retention(ts, period, periods)) over the users'' events; calendar periods in UTC (not the session TimeZone) or ''rolling <interval>''';
COMMENT ON AGGREGATE cohort_retention(journey, text, integer, text) IS
'retention summary of all users from their journeys with periods in time zone tz: equals rollup(cohort_retention(ts, period, periods, tz)) over the users'' events';
COMMENT ON AGGREGATE cohort_retention(journey, text, text, text, integer, text) IS
'retention summary of all users from their journeys: cohort = period of the first start_event, returning = return_event; equals rollup(cohort_retention(ts, event = start_event, event = return_event, period, periods, tz))';
COMMENT ON AGGREGATE cohort_retention(journey, text, text, text, integer, text, text) IS
'retention summary of all users from their journeys with cohort type ''first_time'' or ''recurring''; equals rollup() of the raw-row form with is_start = (event = start_event), is_return = (event = return_event)';
