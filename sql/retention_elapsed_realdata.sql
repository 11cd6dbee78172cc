-- retention_elapsed_realdata: elapsed-month cohorts on UCI Online Retail (the "cohort index" table of the
-- published analyses: month 0 = 885 customers for the December 2010 cohort) and last-activity tables on
-- CDNOW.  The expected output was computed with plain SQL (doc/retention.md, "Elapsed months"); journey
-- must print the same table.  Skips (expected/retention_elapsed_realdata_1.out) without $JOURNEY_DATA_DIR.
CREATE SCHEMA retention_elapsed_realdata; SET search_path = retention_elapsed_realdata, public;
SET datestyle = 'ISO';
SET timezone = 'America/Los_Angeles';   -- must not matter: the invoice times are naive UK wall-clock times
\getenv datadir JOURNEY_DATA_DIR
\if :{?datadir}
\else
\set datadir ''
\endif
\set retail :datadir '/online-retail/online_retail.csv.gz'
\set cdnow :datadir '/cdnow/cdnow_master.csv'
SELECT :'datadir' <> '' AND (pg_stat_file(:'retail', true)).size IS NOT NULL
                        AND (pg_stat_file(:'cdnow', true)).size IS NOT NULL AS have_data \gset
\if :have_data
CREATE TABLE retail (invoice_no text, stock_code text, description text, quantity int,
                     invoice_date timestamp, unit_price numeric, customer_id bigint, country text);
\set cmd 'gzip -dc ' :'retail'
COPY retail FROM PROGRAM :'cmd' (FORMAT csv, HEADER);
-- the usual cleaning: a customer id, no cancellations
CREATE TABLE ev AS SELECT customer_id AS u, invoice_date AS ts FROM retail
  WHERE customer_id IS NOT NULL AND invoice_no NOT LIKE 'C%';
SELECT count(*) AS rows, count(DISTINCT u) AS customers FROM ev;
-- cohort = calendar month of the first invoice; k = whole months elapsed since the first invoice
CREATE TABLE m AS
  SELECT cohort, period_index AS k, cohort_size AS size, retained_users AS retained
  FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'elapsed month', 12, 'Europe/London') AS r
                                                FROM ev GROUP BY u) x));
SELECT cohort, max(size) AS size,
       max(retained) FILTER (WHERE k = 0) AS m0, max(retained) FILTER (WHERE k = 1) AS m1,
       max(retained) FILTER (WHERE k = 2) AS m2, max(retained) FILTER (WHERE k = 3) AS m3,
       max(retained) FILTER (WHERE k = 4) AS m4, max(retained) FILTER (WHERE k = 5) AS m5,
       max(retained) FILTER (WHERE k = 6) AS m6, max(retained) FILTER (WHERE k = 7) AS m7,
       max(retained) FILTER (WHERE k = 8) AS m8, max(retained) FILTER (WHERE k = 9) AS m9,
       max(retained) FILTER (WHERE k = 10) AS m10, max(retained) FILTER (WHERE k = 11) AS m11,
       max(retained) FILTER (WHERE k = 12) AS m12
FROM m GROUP BY cohort ORDER BY cohort;

-- plain SQL: k = calendar months between the first invoice and this one, minus one when first + k months
-- (timestamp + interval, day clamped to the month's end) is still later
CREATE TABLE plain AS
  WITH f AS (SELECT u, min(ts) AS first FROM ev GROUP BY u),
  k AS (SELECT u, date_trunc('month', first)::date AS cohort, first, ts,
               ((extract(year FROM ts) - extract(year FROM first)) * 12 + extract(month FROM ts) - extract(month FROM first))::int AS k0
        FROM ev JOIN f USING (u)),
  e AS (SELECT u, cohort, k0 - (first + make_interval(months => k0) > ts)::int AS k FROM k),
  s AS (SELECT cohort, count(DISTINCT u) AS size FROM e GROUP BY cohort)
  SELECT cohort, k, size, count(DISTINCT u) AS retained FROM e JOIN s USING (cohort) WHERE k <= 12 GROUP BY 1, 2, 3;
SELECT NOT EXISTS (SELECT * FROM plain EXCEPT SELECT * FROM m)
   AND NOT EXISTS (SELECT * FROM m WHERE retained > 0 EXCEPT SELECT * FROM plain) AS equals_plain_sql,
       (SELECT count(*) FROM m) AS cells, (SELECT count(*) FROM plain) AS nonzero_cells;

CREATE TABLE cdnow (customer_id bigint, order_date date, number_of_cds int, dollar_value numeric);
COPY cdnow FROM :'cdnow' (FORMAT csv, HEADER);
-- dates read as midnight UTC (naive timestamps with tz 'UTC')
CREATE TABLE cd_m AS
  SELECT * FROM retention_last_activity((SELECT retention_summary(customer_id, order_date::timestamp, 'month', 17, 'UTC') FROM cdnow));
-- customers by month of last purchase
SELECT last_active, sum(users) AS customers, bool_and(complete) AS complete FROM cd_m GROUP BY last_active ORDER BY last_active;
-- lifetime (last - first purchase month) per first-purchase cohort
SELECT cohort, period_index AS months, users FROM cd_m WHERE users > 0 AND period_index IN (0, 1, 17) ORDER BY 1, 2;
-- the same from plain SQL, every cell
CREATE TABLE cd_plain AS
  SELECT date_trunc('month', min(order_date))::date AS cohort,
         ((extract(year FROM max(order_date)) - extract(year FROM min(order_date))) * 12
          + extract(month FROM max(order_date)) - extract(month FROM min(order_date)))::int AS k,
         date_trunc('month', max(order_date))::date AS last_active
  FROM cdnow GROUP BY customer_id;
SELECT NOT EXISTS (SELECT cohort, k, last_active, count(*) FROM cd_plain GROUP BY 1, 2, 3
                   EXCEPT SELECT cohort, period_index, last_active, users FROM cd_m WHERE users > 0)
   AND NOT EXISTS (SELECT cohort, period_index, last_active, users FROM cd_m WHERE users > 0
                   EXCEPT SELECT cohort, k, last_active, count(*) FROM cd_plain GROUP BY 1, 2, 3) AS months_equal_plain_sql;
-- lifetime in days (last - first purchase date), 0 .. 545 days: N = 545 covers the data
CREATE TABLE cd_d AS
  SELECT period_index AS days, sum(users) AS customers, bool_and(complete) AS complete
  FROM retention_last_activity((SELECT retention_summary(customer_id, order_date::timestamp, 'day', 545, 'UTC') FROM cdnow))
  GROUP BY period_index;
SELECT (SELECT bool_and(complete) FROM cd_d) AS complete,
       NOT EXISTS (SELECT days, customers FROM cd_d WHERE customers > 0
                   EXCEPT SELECT max(order_date) - min(order_date), count(*) OVER (PARTITION BY max(order_date) - min(order_date)) FROM cdnow GROUP BY customer_id)
   AND (SELECT sum(customers) FROM cd_d) = 23570 AS days_equal_plain_sql,
       (SELECT customers FROM cd_d WHERE days = 0) AS one_day_customers,
       (SELECT round(sum(days * customers)::numeric / sum(customers), 2) FROM cd_d) AS mean_lifetime_days;
-- too few periods is reported, not hidden: with N = 6 the later activity of every cohort is cut off
SELECT cohort, bool_and(complete) AS complete, sum(users) AS customers
FROM retention_last_activity((SELECT retention_summary(customer_id, order_date::timestamp, 'month', 6, 'UTC') FROM cdnow))
GROUP BY cohort ORDER BY cohort;
\else
\echo 'retention_elapsed_realdata: skipped, online-retail or cdnow data not found (set JOURNEY_DATA_DIR to the shared/data directory)'
\endif
