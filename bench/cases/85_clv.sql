-- @name clv pipeline
-- Customer lifetime value on the purchase events: per-user sufficient statistics (x, t_x, T, mean
-- value), then the BG/NBD fit over them.
-- floor: the GROUP BY user_id over purchases that any per-customer statistic needs;
-- plain: the same statistics in plain SQL (distinct purchase days, first/last day, revenue);
-- journey: clv_customer(...) per user, and the whole pipeline with bgnbd_fit on top.
-- @setup
CREATE TABLE clv_purchases AS SELECT user_id, ts::date AS d, revenue::float8 AS amount FROM events WHERE event = 'purchase';
ANALYZE clv_purchases;
-- @check
-- (a row-valued `x IS NOT NULL` is true only when every field is non-null: test one field)
SELECT (SELECT count(*) FROM (SELECT user_id FROM clv_purchases GROUP BY user_id HAVING (clv_customer(d, amount, '2024-03-31', 7)).frequency IS NOT NULL) s)
     = (SELECT count(DISTINCT user_id) FROM clv_purchases)
-- @floor
SELECT user_id FROM clv_purchases GROUP BY user_id HAVING count(*) > 0
-- @plain
SELECT user_id FROM clv_purchases GROUP BY user_id
HAVING count(DISTINCT d) - 1 + (max(d) - min(d)) / 7.0 + (date '2024-03-31' - min(d)) / 7.0 + sum(amount) IS NOT NULL
-- @journey clv_customer
SELECT user_id FROM clv_purchases GROUP BY user_id HAVING (clv_customer(d, amount, '2024-03-31', 7)).frequency IS NOT NULL
-- @journey clv_customer + bgnbd_fit
SELECT 1 FROM (SELECT (clv_customer(d, amount, '2024-03-31', 7)).* FROM clv_purchases GROUP BY user_id) c
HAVING bgnbd_fit(frequency, recency, age) IS NOT NULL
-- @teardown
DROP TABLE clv_purchases;
