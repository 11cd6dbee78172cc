-- A/B significance: ab_counts, ab_readout, ab_chisq, ab_ztest, Bayesian, planning
CREATE TEMP TABLE exp_users AS
SELECT g AS user_id, CASE WHEN g % 3 = 0 THEN 'control' WHEN g % 3 = 1 THEN 'treatment' ELSE 'treatment_2' END AS variant,
       (g * 7919) % 100 < CASE g % 3 WHEN 0 THEN 10 WHEN 1 THEN 14 ELSE 11 END AS converted
FROM generate_series(1, 30000) g;
SELECT ab_counts(variant, converted) FROM exp_users;
-- NULL rows are left out; empty input gives NULL
SELECT ab_counts(v, c) FROM (VALUES ('a', true), (NULL, true), ('a', NULL), ('b', false)) t(v, c);
SELECT ab_counts(v, c) FROM (VALUES ('a', true)) t(v, c) WHERE false;
-- from stored per-variant counts
SELECT ab_counts(v, u, c) FROM (VALUES ('A', 1000::bigint, 120::bigint), ('B', 1000, 150), ('A', 10, 1)) t(v, u, c);
SELECT ab_counts(v, u, c) FROM (VALUES ('A', 10::bigint, 11::bigint)) t(v, u, c);
SELECT ab_counts(v, u, c) FROM (VALUES ('A', -1::bigint, 0::bigint)) t(v, u, c);

SELECT variant, users, conversions, round(rate::numeric, 6) AS rate, round(lift::numeric, 6) AS lift,
       round(diff_low::numeric, 6) AS diff_low, round(diff_high::numeric, 6) AS diff_high,
       round(p_value::numeric, 8) AS p_value, round(prob_beats_control::numeric, 8) AS p_beats,
       round(expected_loss::numeric, 10) AS loss, is_control
FROM ab_readout((SELECT ab_counts(variant, converted) FROM exp_users), 'control');
-- default control: the first variant by name; alpha and priors
SELECT variant, is_control, round(lift_low::numeric, 6), round(lift_high::numeric, 6)
FROM ab_readout('{"B": [1000, 150], "A": [1000, 120]}', alpha => 0.01, prior_alpha => 2, prior_beta => 20);
-- zero conversions and 100 % conversion: undefined statistics are NULL, not invented
SELECT variant, rate, lift, z, p_value, round(prob_beats_control::numeric, 10) FROM ab_readout('{"a": [10, 0], "b": [10, 0]}');
SELECT variant, rate, lift, z, p_value, round(prob_beats_control::numeric, 10) FROM ab_readout('{"a": [10, 10], "b": [10, 10]}');
SELECT * FROM ab_readout('{}');
-- bad summaries and arguments
SELECT * FROM ab_readout('{"a": [10, 11]}');
SELECT * FROM ab_readout('{"a": [10, 1.5]}');
SELECT * FROM ab_readout('[1, 2]');
SELECT * FROM ab_readout('{"a": [10, 1]}', 'nope');
SELECT * FROM ab_readout('{"a": [10, 1]}', alpha => 0);
SELECT * FROM ab_readout('{"a": [10, 1]}', alpha => 'NaN');
SELECT * FROM ab_readout('{"a": [10, 1]}', prior_alpha => -1);
-- non-integer priors (Jeffreys): quadrature, not refused
SELECT variant, round(prob_beats_control::numeric, 10) AS p_beats, round(expected_loss::numeric, 10) AS loss,
       round(prob_best::numeric, 10) AS p_best, round(expected_loss_best::numeric, 10) AS loss_best
FROM ab_readout('{"a": [10, 1], "b": [10, 2]}', prior_alpha => 0.5, prior_beta => 0.5);
-- A/B/n: P(best) over all variants sums to 1; the best variant has the smallest expected loss
SELECT variant, round(prob_best::numeric, 10) AS p_best, round(expected_loss_best::numeric, 12) AS loss_best
FROM ab_readout((SELECT ab_counts(variant, converted) FROM exp_users), 'control');
SELECT round(sum(prob_best)::numeric, 12) FROM ab_readout('{"a": [1000, 120], "b": [1000, 150], "c": [1000, 130], "d": [1000, 0], "e": [0, 0]}', prior_alpha => 0.5, prior_beta => 0.5);
-- more than 20 variants: prob_best is NULL (the frequentist columns are still there)
SELECT count(*), count(prob_best), count(p_value) FROM ab_readout((SELECT ab_counts('v' || (g % 21), g % 7 = 0) FROM generate_series(1, 2100) g));
SELECT * FROM ab_readout(NULL);

SELECT round(statistic::numeric, 8), df, round(p_value::numeric, 10) FROM ab_chisq((SELECT ab_counts(variant, converted) FROM exp_users));
SELECT * FROM ab_chisq('{"a": [10, 0], "b": [5, 0]}');
SELECT * FROM ab_chisq('{"a": [10, 3], "b": [0, 0]}');

SELECT round(z::numeric, 8) z, round(p_value::numeric, 10) p, round(diff::numeric, 6) diff, round(lift::numeric, 6) lift
FROM ab_ztest(120, 1000, 150, 1000);
SELECT * FROM ab_ztest(0, 0, 1, 1);
SELECT * FROM ab_ztest(5, 4, 1, 1);
SELECT * FROM ab_ztest(1, 1, 1, 1, 1.5);

-- always-valid (sequential) test: p-value and confidence sequence, wider than the fixed-horizon interval
SELECT round(diff::numeric, 6) AS diff, round(p_value::numeric, 10) AS p, round(diff_low::numeric, 6) AS low, round(diff_high::numeric, 6) AS high
FROM ab_sequential(120, 1000, 150, 1000, 0.02);
SELECT round(p_value::numeric, 10) AS p FROM ab_sequential(1200, 10000, 1400, 10000, 0.01);
SELECT s.diff_low < z.diff_low AND s.diff_high > z.diff_high AS wider, s.p_value > z.p_value AS more_conservative
FROM ab_sequential(1200, 10000, 1400, 10000, 0.01) s, ab_ztest(1200, 10000, 1400, 10000) z;
SELECT * FROM ab_sequential(0, 10, 0, 10, 0.01);
SELECT * FROM ab_sequential(1, 10, 2, 10, 0);
SELECT * FROM ab_sequential(1, 10, 2, 10, 0.01, 1);
SELECT * FROM ab_sequential(11, 10, 2, 10, 0.01);

SELECT round(ab_prob_beats(120, 1000, 150, 1000)::numeric, 12), round(ab_expected_loss(120, 1000, 150, 1000)::numeric, 12);
SELECT ab_prob_beats(0, 0, 0, 0);
SELECT round(ab_prob_beats(1, 10000000, 3, 10000000)::numeric, 12);
SELECT round(ab_prob_beats(1, 2, 1, 2, 0.5, 0.5)::numeric, 12), round(ab_expected_loss(1, 2, 1, 2, 0.5, 0.5)::numeric, 12);
SELECT round(ab_prob_beats(0, 1000, 1000, 1000, 0.1, 0.3)::numeric, 12), round(ab_prob_beats(1000, 1000, 0, 1000, 0.1, 0.3)::numeric, 12);
SELECT ab_prob_beats(100000000000, 300000000000, 100000000000, 300000000000, 0.5, 0.5);

SELECT ab_sample_size(0.1, 0.01), ab_sample_size(0.1, 0.01, 0.01, 0.9), ab_sample_size(0.5, -0.1);
SELECT round(ab_mde(0.1, 14751)::numeric, 8), ab_mde(0.5, 2);
SELECT ab_sample_size(0.1, 0);
SELECT ab_sample_size(0.95, 0.1);
SELECT ab_sample_size(0, 0.1);
SELECT ab_sample_size(0.1, 0.01, 0.05, 1);
SELECT ab_mde(0.1, 0);
