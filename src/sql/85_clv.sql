-- Customer lifetime value: per-customer statistics (clv_customer), BG/NBD and
-- Gamma-Gamma fitted by maximum likelihood (bgnbd_fit, gamma_gamma_fit ->
-- clv_model), predictions per customer, CLV, RFM scores.  doc/clv.md.
#include "jy_sqldefs.h"

CREATE TYPE clv_model;
JY_VARLENA_IO(clv_model, jy_clv_model)
CREATE TYPE clv_model (
    INPUT = clv_model_in, OUTPUT = clv_model_out,
    RECEIVE = clv_model_recv, SEND = clv_model_send,
    INTERNALLENGTH = VARIABLE, ALIGNMENT = double, STORAGE = plain
);
COMMENT ON TYPE clv_model IS
'a fitted BG/NBD or Gamma-Gamma model: parameters, log-likelihood, customers, iterations, convergence; lossless JSON text';
JY_VARLENA_IO_COMMENTS(clv_model,
    'text input of clv_model (the JSON form clv_model_out prints; validated)',
    'text output of clv_model: lossless JSON (17 significant digits)',
    'binary input of clv_model (a version byte and the text form, validated like the text input)',
    'binary output of clv_model')

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
    JY_AGG_NO_COMBINE(clv_customer_trans, clv_customer_final)
);
COMMENT ON AGGREGATE clv_customer(date, float8, date) IS
'per-customer value and BG/NBD statistics from its orders up to calibration_end (same-day orders merged), time in days';
CREATE AGGREGATE clv_customer(order_date date, amount float8, calibration_end date, period_days float8) (
    JY_AGG_NO_COMBINE(clv_customer_trans, clv_customer_final)
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
    JY_AGG_NO_COMBINE(bgnbd_fit_trans, bgnbd_fit_final)
);
COMMENT ON AGGREGATE bgnbd_fit(float8, float8, float8) IS
'BG/NBD model (r, alpha, a, b) fitted by maximum likelihood over one row per customer (frequency, recency, age from clv_customer); warns and marks the model when the optimizer did not converge';
CREATE AGGREGATE gamma_gamma_fit(frequency float8, monetary float8) (
    JY_AGG_NO_COMBINE(gamma_gamma_fit_trans, gamma_gamma_fit_final)
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
