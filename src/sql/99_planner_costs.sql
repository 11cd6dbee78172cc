-- Planner costs of the functions that decode a whole stored journey.
--
-- PostgreSQL charges a C function cpu_operator_cost (0.0025) times its COST per call; the default
-- COST 1 says "as cheap as int4 +".  Decoding a journey and running a funnel or a pattern over it
-- costs 20-100 times that even on a 10-event journey (doc/performance.md, "Stored journeys"), and
-- with COST 1 the planner sees no gain in running these calls in parallel workers: a GROUP BY over
-- their result (the level histogram of a funnel, a match count) stayed serial on a 1M-row journey
-- table.  COST 100 (the default of SQL-language functions) lets the planner move the calls into
-- the workers of a parallel scan.  Header-only accessors (length, first_time) keep COST 1.
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
