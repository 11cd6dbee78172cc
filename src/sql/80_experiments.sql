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
