\echo '== experiments: did the change work? A/B readout inside PostgreSQL'
\echo '-- users split 50/50 by id (variant B), converted = made at least one purchase (the sample data has no real variants: expect no significant difference)'
CREATE TEMP TABLE ab_users AS
SELECT user_id, CASE WHEN user_id % 2 = 0 THEN 'A' ELSE 'B' END AS variant,
       coalesce(bool_or(event = 'purchase'), false) AS converted
FROM events GROUP BY user_id;
SELECT ab_counts(variant, converted) AS summary FROM ab_users;
\echo '-- BI-ready rows: rate, lift with 95% CI, z-test p-value, exact Bayesian P(B > A), expected loss and P(best)'
SELECT variant, users, conversions, round(rate::numeric, 4) AS rate, round(lift::numeric, 3) AS lift,
       round(lift_low::numeric, 3) AS lift_low, round(lift_high::numeric, 3) AS lift_high,
       round(p_value::numeric, 4) AS p_value, round(prob_beats_control::numeric, 4) AS p_beats_a,
       round(expected_loss::numeric, 5) AS expected_loss, round(prob_best::numeric, 4) AS p_best
FROM ab_readout((SELECT ab_counts(variant, converted) FROM ab_users), 'A');
\echo '-- A/B/n with a Jeffreys Beta(0.5, 0.5) prior: three arms by user_id % 3, P(each arm is the best) and its expected loss against the best'
SELECT variant, users, conversions, round(rate::numeric, 4) AS rate, round(p_value::numeric, 4) AS p_value_vs_a,
       round(prob_best::numeric, 4) AS p_best, round(expected_loss_best::numeric, 5) AS loss_vs_best
FROM ab_readout((SELECT ab_counts(chr(65 + (user_id % 3)::int), converted) FROM ab_users), 'A',
                prior_alpha => 0.5, prior_beta => 0.5);
\echo '-- looking every day? the always-valid (sequential) p-value and interval of B - A stay valid under peeking (tau = 0.02: effects of about 2 points)'
SELECT round(diff::numeric, 4) AS diff, round(p_value::numeric, 4) AS p_value_any_time,
       round(diff_low::numeric, 4) AS diff_low, round(diff_high::numeric, 4) AS diff_high
FROM (SELECT (ab_sequential(count(*) FILTER (WHERE converted AND variant = 'A'), count(*) FILTER (WHERE variant = 'A'),
                            count(*) FILTER (WHERE converted AND variant = 'B'), count(*) FILTER (WHERE variant = 'B'),
                            tau => 0.02)).* FROM ab_users) s;
\echo '-- planning the next test: users per arm to detect +1 point on a 10% baseline (alpha 5%, power 80%), and the MDE of 5,000 per arm'
SELECT ab_sample_size(0.10, 0.01) AS users_per_arm, round(ab_mde(0.10, 5000)::numeric, 4) AS mde_at_5000;
