\echo '== clv: what is a customer worth? BG/NBD + Gamma-Gamma fitted inside PostgreSQL'
\getenv datadir JOURNEY_DATA_DIR
SELECT :'datadir' <> '' AND (pg_stat_file(:'datadir' || '/cdnow/cdnow_master.csv', true)).size IS NOT NULL AS have_cdnow \gset
\if :have_cdnow
\echo '-- CDNOW (23,570 customers of the Q1 1997 cohort): 39-week calibration ending 1997-09-30, weeks'
CREATE TEMP TABLE cdnow (customer_id int, order_date date, cds int, amount float8);
SELECT format('COPY cdnow FROM %L CSV HEADER', :'datadir' || '/cdnow/cdnow_master.csv') AS copy_cmd \gset
:copy_cmd;
CREATE TEMP TABLE cust AS
SELECT customer_id, (clv_customer(order_date, amount, '1997-09-30', 7)).* FROM cdnow GROUP BY customer_id;
CREATE TEMP TABLE models AS
SELECT (SELECT bgnbd_fit(frequency, recency, age) FROM cust) AS bg,
       (SELECT gamma_gamma_fit(frequency, monetary) FROM cust WHERE monetary > 0) AS gg;
SELECT model_type, round(p1::numeric, 4) AS r_or_p, round(p2::numeric, 4) AS alpha_or_q, round(p3::numeric, 4) AS a_or_gamma,
       round(p4::numeric, 4) AS b, round(log_likelihood::numeric, 2) AS log_likelihood, customers, converged
FROM models, LATERAL (SELECT * FROM clv_model_summary(bg) UNION ALL SELECT * FROM clv_model_summary(gg)) s;
\echo '-- the 8 most valuable customers: 52-week CLV at 0.2% per week discount, with RFM scores'
WITH scored AS (
  SELECT c.*, round(clv_value(bg, gg, frequency, recency, age, monetary, 52, 0.002)::numeric, 2) AS clv_52w,
         round(bgnbd_prob_alive(bg, frequency, recency, age)::numeric, 3) AS p_alive,
         round(bgnbd_expected_purchases(bg, 52, frequency, recency, age)::numeric, 2) AS purchases_52w
  FROM cust c, models WHERE monetary > 0 OR frequency = 0),
 breaks AS (SELECT percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY recency) AS r,
                   percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY frequency) AS f,
                   percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY revenue) AS m FROM cust)
SELECT customer_id, orders, round(revenue::numeric, 2) AS revenue,
       rfm_score(recency, r)::text || rfm_score(frequency, f) || rfm_score(revenue, m) AS rfm,
       p_alive, purchases_52w, clv_52w
FROM scored, breaks ORDER BY clv_52w DESC, customer_id LIMIT 8;
\else
\echo '-- CDNOW data not found ($JOURNEY_DATA_DIR/cdnow): CLV demo skipped'
\endif
