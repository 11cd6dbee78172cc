-- Multi-touch attribution (doc/attribution.md).
#include "jy_sqldefs.h"
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

JY_VARLENA_TYPE(journey_markov_chain, jy_markov_chain, double)

COMMENT ON TYPE journey_markov_chain IS
'transition counts of an order-k Markov chain over conversion paths (start padding, conversion and null states), with path, conversion and revenue totals; additive: merge with rollup(), solve with journey_markov_credits()';
JY_VARLENA_IO_COMMENTS(journey_markov_chain,
    'text input of journey_markov_chain',
    'text output of journey_markov_chain',
    'binary input of journey_markov_chain',
    'binary output of journey_markov_chain')

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
    JY_AGG_MERGEABLE_LINES(journey_markov_chain_trans, journey_markov_chain, journey_markov_chain_merge),
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE journey_markov_chain(text[], boolean, double precision) IS
'first-order Markov chain of the paths (transition counts); partial chains per partition or node add up with rollup()';

CREATE AGGREGATE journey_markov_chain(channels text[], converted boolean, revenue double precision, markov_order integer) (
    JY_AGG_MERGEABLE_LINES(journey_markov_chain_trans, journey_markov_chain, journey_markov_chain_merge),
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE journey_markov_chain(text[], boolean, double precision, integer) IS
'order-k Markov chain of the paths (states = the last k channels, start-padded; k from 1 to 4); partial chains add up with rollup()';

CREATE AGGREGATE rollup(journey_markov_chain) (
    JY_AGG_MERGEABLE_LINES(journey_markov_chain_merge, journey_markov_chain, journey_markov_chain_merge),
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE rollup(journey_markov_chain) IS
'adds Markov chains of the same order (across partitions, days or nodes): exact, the counts are additive';

CREATE AGGREGATE journey_markov_attribution(channels text[], converted boolean, revenue double precision) (
    JY_AGG_MERGEABLE_LINES(journey_markov_chain_trans, journey_markov_chain, journey_markov_chain_merge),
    FINALFUNC = journey_markov_credits,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE journey_markov_attribution(text[], boolean, double precision) IS
'data-driven attribution over all paths: first-order Markov chain (start, channels, conversion, null), credit proportional to each channel''s removal effect, computed exactly (linear solve); one journey_channel_credit per channel, by channel name';

CREATE AGGREGATE journey_markov_attribution(channels text[], converted boolean, revenue double precision, markov_order integer) (
    JY_AGG_MERGEABLE_LINES(journey_markov_chain_trans, journey_markov_chain, journey_markov_chain_merge),
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
