-- customer lifetime value: clv_customer, bgnbd_fit, gamma_gamma_fit, predictions, clv_model I/O, rfm_score
-- orders simulated from the BG/NBD story (a purchase rate and a dropout probability per customer), deterministic
CREATE TEMP TABLE clv_orders (customer int, d date, amount float8);
SELECT setseed(0.42);
DO $$
DECLARE
	lam float8; p float8; t float8; spend float8;
BEGIN
	FOR c IN 1 .. 800 LOOP
		lam := 0.02 + 0.6 * random() ^ 2;		-- purchases per day
		p := 0.05 + 0.6 * random();			-- dropout after each purchase
		spend := 10 + 60 * random();
		t := floor(random() * 90);			-- first purchase in the first 90 days
		INSERT INTO clv_orders VALUES (c, date '2024-01-01' + t::int, round((spend * (0.5 + random()))::numeric, 2));
		LOOP
			EXIT WHEN random() < p;
			t := t - ln(1 - random()) / lam;
			EXIT WHEN t > 400;
			INSERT INTO clv_orders VALUES (c, date '2024-01-01' + t::int, round((spend * (0.5 + random()))::numeric, 2));
		END LOOP;
	END LOOP;
END $$;
-- same-day orders merge; orders after calibration_end are left out
SELECT (clv_customer(d, a, '2024-01-31')).* FROM (VALUES (date '2024-01-01', 10.0::float8), ('2024-01-01', 5), ('2024-01-15', 20), ('2024-02-15', 99)) t(d, a);
SELECT (clv_customer(d, a, '2024-01-31', 7)).* FROM (VALUES (date '2024-01-01', 10.0::float8)) t(d, a);
SELECT clv_customer(d, a, '2024-01-31') IS NULL FROM (VALUES (date '2024-03-01', 10.0::float8)) t(d, a);
SELECT clv_customer(d, a, c) FROM (VALUES (date '2024-01-01', 1::float8, date '2024-02-01'), ('2024-01-02', 1, '2024-03-01')) t(d, a, c);
SELECT clv_customer(d, a, '2024-01-31', 0) FROM (VALUES (date '2024-01-01', 1::float8)) t(d, a);
SELECT clv_customer(d, a, '2024-01-31') FROM (VALUES (date 'infinity', 1::float8)) t(d, a);
SELECT clv_customer(d, a, '2024-01-31') FROM (VALUES (date '2024-01-01', 'NaN'::float8)) t(d, a);
SELECT clv_customer(d, a, NULL) FROM (VALUES (date '2024-01-01', 1::float8)) t(d, a);

CREATE TEMP TABLE clv_stats AS
SELECT customer, (clv_customer(d, amount, '2024-09-30', 7)).* FROM clv_orders GROUP BY customer;
SELECT count(*), sum(frequency), round(avg(age)::numeric, 6) FROM clv_stats;
CREATE TEMP TABLE clv_models AS
SELECT (SELECT bgnbd_fit(frequency, recency, age) FROM clv_stats) AS bg,
       (SELECT gamma_gamma_fit(frequency, monetary) FROM clv_stats) AS gg;
SELECT model_type, round(p1::numeric, 4) p1, round(p2::numeric, 4) p2, round(p3::numeric, 4) p3, round(p4::numeric, 4) p4,
       round(log_likelihood::numeric, 4) ll, customers, converged, gradient < 1e-8 AS small_gradient
FROM clv_models, LATERAL (SELECT * FROM clv_model_summary(bg) UNION ALL SELECT * FROM clv_model_summary(gg)) s;
-- the text form is lossless
SELECT bg::text::clv_model::text = bg::text AS bg_roundtrip, gg::text::clv_model::text = gg::text AS gg_roundtrip FROM clv_models;
-- per customer
SELECT s.customer, frequency, round(recency::numeric, 3) recency, round(age::numeric, 3) age,
       round(bgnbd_prob_alive(bg, frequency, recency, age)::numeric, 6) p_alive,
       round(bgnbd_expected_purchases(bg, 26, frequency, recency, age)::numeric, 6) next_26,
       round(gamma_gamma_expected_value(gg, frequency, monetary)::numeric, 4) value,
       round(clv_value(bg, gg, frequency, recency, age, monetary, 52, 0.002)::numeric, 4) clv
FROM clv_stats s, clv_models ORDER BY s.customer LIMIT 6;
-- rfm scores from quantile breaks
SELECT rfm_score(v, ARRAY[1, 2, 3, 4]), rfm_score(v, ARRAY[1, 2, 3, 4], false) FROM (VALUES (0.5::float8), (2), (2.5), (9)) t(v);
SELECT rfm_score(1, ARRAY[3, 2]);
SELECT rfm_score(1, ARRAY[]::float8[]);
SELECT rfm_score('NaN', ARRAY[1]);
-- bad statistics and models
SELECT bgnbd_fit(1, 5, 4);
SELECT bgnbd_fit(0, 1, 4);
SELECT bgnbd_fit(1.5, 1, 4);
SELECT bgnbd_fit(1, 1, 'Infinity');
SELECT gamma_gamma_fit(2, -1);
SELECT gamma_gamma_fit(0, 5) IS NULL AS no_repeat_customers;
SELECT bgnbd_prob_alive(gg, 1, 1, 2) FROM clv_models;
SELECT gamma_gamma_expected_value(bg, 1, 1) FROM clv_models;
SELECT bgnbd_expected_purchases(bg, -1, 1, 1, 2) FROM clv_models;
SELECT clv_value(bg, gg, 1, 1, 2, 10, -1, 0) FROM clv_models;
SELECT clv_value(bg, gg, 1, 1, 2, 10, 12, -1) FROM clv_models;
SELECT '{"model": "bgnbd"}'::clv_model;
SELECT '{"model": "bgnbd", "r": 1, "alpha": 1, "a": 1, "b": 1, "log_likelihood": NaN, "customers": 1, "iterations": 0, "converged": true, "gradient": 0}'::clv_model;
SELECT '{"model": "bgnbd", "r": 1, "alpha": 1, "a": 1, "b": 0, "log_likelihood": -1, "customers": 1, "iterations": 0, "converged": true, "gradient": 0}'::clv_model;
SELECT '{"model": "gamma_gamma", "p": 1, "q": 1, "gamma": 1, "log_likelihood": -1, "customers": 3, "iterations": 0, "converged": false, "gradient": 0.5}'::clv_model;
-- the optimizer at a boundary: only one-purchase customers -> a warning and "converged": false
SELECT clv_model_summary(bgnbd_fit(0, 0, t)) IS NOT NULL FROM generate_series(1, 20) t;
