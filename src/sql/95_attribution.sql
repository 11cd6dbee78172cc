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

CREATE FUNCTION journey_markov_trans(internal, text[], boolean, double precision)
RETURNS internal
AS 'MODULE_PATHNAME', 'jy_markov_trans'
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;

COMMENT ON FUNCTION journey_markov_trans(internal, text[], boolean, double precision) IS
'transition function of journey_markov_attribution: counts the transitions of one path';

CREATE FUNCTION journey_markov_final(internal)
RETURNS journey_channel_credit[]
AS 'MODULE_PATHNAME', 'jy_markov_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION journey_markov_final(internal) IS
'final function of journey_markov_attribution: solves the absorbing chain with and without each channel';

CREATE AGGREGATE journey_markov_attribution(channels text[], converted boolean, revenue double precision) (
    SFUNC = journey_markov_trans,
    STYPE = internal,
    FINALFUNC = journey_markov_final,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE journey_markov_attribution(text[], boolean, double precision) IS
'data-driven attribution over all paths: first-order Markov chain (start, channels, conversion, null), credit proportional to each channel''s removal effect, computed exactly (linear solve); one journey_channel_credit per channel, by channel name';
