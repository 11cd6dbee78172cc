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
