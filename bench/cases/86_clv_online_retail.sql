-- @name clv pipeline, Online Retail
-- Customer lifetime value on real purchases: the UCI Online Retail table (Dec 2010 - Dec 2011,
-- purchase lines with a customer, quantity > 0, price > 0, no cancellations: 397,884 lines,
-- 4,338 customers), weekly periods, calibration ending on the last day of the data.
-- floor: the GROUP BY customer over the purchase lines that any per-customer statistic needs;
-- plain: the same statistics in plain SQL (distinct purchase days, first/last day, revenue);
-- journey: clv_customer(...) per customer, then the BG/NBD fit, then BG/NBD + Gamma-Gamma fits.
-- Skipped when $JOURNEY_DATA_DIR/online-retail/online_retail.csv.gz is absent.
-- @requires online-retail/online_retail.csv.gz
-- @setup
CREATE TABLE clv_retail_raw (invoice text, stock_code text, description text, quantity int,
                             invoice_date timestamp, unit_price float8, customer_id int, country text);
\copy clv_retail_raw FROM PROGRAM 'gzip -dc "$JOURNEY_DATA_DIR/online-retail/online_retail.csv.gz"' (FORMAT csv, HEADER)
CREATE TABLE clv_retail AS
SELECT customer_id, invoice_date::date AS d, quantity * unit_price AS amount
FROM clv_retail_raw
WHERE customer_id IS NOT NULL AND quantity > 0 AND unit_price > 0 AND invoice NOT LIKE 'C%';
DROP TABLE clv_retail_raw;
ANALYZE clv_retail;
-- @check
SELECT bool_and(j.orders = p.days AND abs(j.revenue - p.revenue) <= 1e-9 * p.revenue
                AND j.first_order = p.first_d AND j.last_order = p.last_d)
       AND count(*) = 4338
FROM (SELECT customer_id, (clv_customer(d, amount, '2011-12-09', 7)).* FROM clv_retail GROUP BY customer_id) j
JOIN (SELECT customer_id, count(DISTINCT d) AS days, sum(amount) AS revenue, min(d) AS first_d, max(d) AS last_d
      FROM clv_retail GROUP BY customer_id) p USING (customer_id)
-- @floor
SELECT customer_id FROM clv_retail GROUP BY customer_id HAVING count(*) > 0
-- @plain
SELECT customer_id FROM clv_retail GROUP BY customer_id
HAVING count(DISTINCT d) - 1 + (max(d) - min(d)) / 7.0 + (date '2011-12-09' - min(d)) / 7.0 + sum(amount) IS NOT NULL
-- @journey clv_customer
SELECT customer_id FROM clv_retail GROUP BY customer_id HAVING (clv_customer(d, amount, '2011-12-09', 7)).frequency IS NOT NULL
-- @journey +bgnbd_fit
SELECT 1 FROM (SELECT (clv_customer(d, amount, '2011-12-09', 7)).* FROM clv_retail GROUP BY customer_id) c
HAVING bgnbd_fit(frequency, recency, age) IS NOT NULL
-- @journey +bgnbd+gamma_gamma
SELECT 1 FROM (SELECT (clv_customer(d, amount, '2011-12-09', 7)).* FROM clv_retail GROUP BY customer_id) c
HAVING bgnbd_fit(frequency, recency, age) IS NOT NULL
   AND gamma_gamma_fit(frequency, monetary) FILTER (WHERE frequency > 0 AND monetary > 0) IS NOT NULL
-- @teardown
DROP TABLE clv_retail;
