-- Step-numbered Sankey links over stored journeys: a DAG ("1 page_view" -> "2 product_view") with
-- "(other)" buckets and drop-offs, as rows for d3-sankey, ECharts, Superset (src/sankey_glue.c).

CREATE FUNCTION journey_sankey(journeys journey[], steps integer DEFAULT 5, top integer DEFAULT 5,
    collapse boolean DEFAULT true,
    OUT step integer, OUT source text, OUT target text, OUT users bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'jy_journey_sankey' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 50;
COMMENT ON FUNCTION journey_sankey(journey[], integer, integer, boolean) IS
'Sankey links of the first `steps` events of each journey (consecutive repeats counted once when collapse): nodes "k event", the `top` events of each step by journeys, others "k (other)", journeys ending early go to "k+1 (drop-off)"; every link goes from step k to k+1 (a DAG)';
