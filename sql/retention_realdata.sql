-- retention_realdata: monthly cohorts on the UCI Online Retail data (real invoices, Dec 2010 - Dec 2011),
-- journey against an independent plain-SQL computation (date_trunc + count(DISTINCT)).
-- Needs $JOURNEY_DATA_DIR/online-retail/online_retail.csv.gz (test/run.sh exports JOURNEY_DATA_DIR);
-- without it the test says it skipped (expected/retention_realdata_1.out).
CREATE SCHEMA retention_realdata; SET search_path = retention_realdata, public;
SET timezone = 'UTC';
SET datestyle = 'ISO';
\getenv datadir JOURNEY_DATA_DIR
\if :{?datadir}
\else
\set datadir ''
\endif
\set csv :datadir '/online-retail/online_retail.csv.gz'
-- files are read on the client (\copy), so a database owner without superuser runs this file too
\set have_data `test -n :'datadir' -a -f :'csv' && echo true || echo false`
\if :have_data
CREATE TABLE retail (invoice_no text, stock_code text, description text, quantity int,
                     invoice_date timestamp, unit_price numeric, customer_id bigint, country text);
\set cmd 'gzip -dc ' :'csv'
\copy retail FROM PROGRAM 'gzip -dc "$JOURNEY_DATA_DIR/online-retail/online_retail.csv.gz"' (FORMAT csv, HEADER)
-- the usual cleaning: a customer id, no cancellations (invoice numbers starting with C).
-- Times are UK local time without a zone: read them as UTC and bucket in UTC, so months are the recorded ones.
CREATE TABLE ev AS
  SELECT customer_id AS u, invoice_date AT TIME ZONE 'UTC' AS ts, country
  FROM retail WHERE customer_id IS NOT NULL AND invoice_no NOT LIKE 'C%';
SELECT (SELECT count(*) FROM retail) AS rows, count(*) AS clean_rows, count(DISTINCT u) AS customers,
       min(ts) AS first, max(ts) AS last FROM ev;
-- plain SQL: calendar month of the first purchase, months since then, distinct customers
CREATE TABLE plain AS
  WITH a AS (SELECT u, date_trunc('month', ts) AS p FROM ev),
  f AS (SELECT u, min(p) AS c FROM a GROUP BY u),
  s AS (SELECT c, count(*) AS size FROM f GROUP BY c)
  SELECT f.c::date AS cohort,
         ((extract(year FROM a.p) - extract(year FROM f.c)) * 12 + extract(month FROM a.p) - extract(month FROM f.c))::int AS k,
         s.size, count(DISTINCT a.u) AS retained
  FROM a JOIN f USING (u) JOIN s USING (c) GROUP BY 1, 2, 3;
CREATE TABLE j_one AS
  SELECT cohort, period_index AS k, cohort_size AS size, retained_users AS retained
  FROM retention_matrix((SELECT retention_summary(u, ts, 'month', 12, 'UTC') FROM ev));
CREATE TABLE j_two AS
  SELECT cohort, period_index AS k, cohort_size AS size, retained_users AS retained
  FROM retention_matrix((SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'month', 12, 'UTC') r FROM ev GROUP BY u) x));
-- agreement: same non-zero cells, the zero cells are exactly the ones plain SQL has no row for
SELECT NOT EXISTS (SELECT * FROM j_one WHERE retained > 0 EXCEPT SELECT * FROM plain)
   AND NOT EXISTS (SELECT * FROM plain EXCEPT SELECT * FROM j_one) AS one_pass_agrees,
       NOT EXISTS (SELECT * FROM j_two EXCEPT SELECT * FROM j_one)
   AND NOT EXISTS (SELECT * FROM j_one EXCEPT SELECT * FROM j_two) AS two_step_agrees,
       (SELECT count(*) FROM j_one) AS cells, (SELECT count(*) FROM plain) AS nonzero_cells,
       (SELECT count(*) FROM j_one WHERE retained = 0) AS zero_cells;
-- rollup by country re-aggregates to the same matrix
SELECT (SELECT rollup(r) FROM (SELECT rollup(r) r FROM (SELECT min(country) c, cohort_retention(ts, 'month', 12, 'UTC') r
                                                        FROM ev GROUP BY u) x GROUP BY c) y)::text
     = (SELECT retention_summary(u, ts, 'month', 12, 'UTC') FROM ev)::text AS by_country_agrees;
-- cohort sizes, and the December 2010 cohort month by month (for comparison with published cohort tables)
SELECT cohort, size FROM j_one WHERE k = 0 ORDER BY cohort;
SELECT k, retained, round(retained::numeric / size, 4) AS rate FROM j_one WHERE cohort = '2010-12-01' ORDER BY k;
-- lifecycle: new customers per month equal the cohort sizes
SELECT bool_and(l.new_users = j.size) AS lifecycle_new_equals_sizes, count(*) AS months
FROM retention_lifecycle((SELECT retention_summary(u, ts, 'month', 12, 'UTC') FROM ev)) l
JOIN j_one j ON j.cohort = l.period AND j.k = 0;
\else
\echo 'retention_realdata: skipped, online-retail data not found (set JOURNEY_DATA_DIR to the shared/data directory)'
\endif
