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
