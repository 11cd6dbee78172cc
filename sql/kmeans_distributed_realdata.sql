-- kmeans_distributed_realdata: kmeans_fit_distributed against kmeans_segment(..., '{"init": "distributed"}')
-- on real customers: CDNOW (23570 customers) and UCI Online Retail (4338 customers), RFM features.
-- Needs $JOURNEY_DATA_DIR/cdnow/cdnow_master.csv and online-retail/online_retail.csv.gz
-- (test/run.sh exports JOURNEY_DATA_DIR); without them the test says it skipped
-- (expected/kmeans_distributed_realdata_1.out).
CREATE SCHEMA kmeans_distributed_realdata; SET search_path = kmeans_distributed_realdata, public;
SET datestyle = 'ISO';
\getenv datadir JOURNEY_DATA_DIR
\if :{?datadir}
\else
\set datadir ''
\endif
\set cdnow :datadir '/cdnow/cdnow_master.csv'
\set retail :datadir '/online-retail/online_retail.csv.gz'
\set have_data `test -n :'datadir' -a -f :'cdnow' -a -f :'retail' && echo true || echo false`
\if :have_data
CREATE TABLE cdnow (customer_id int, order_date date, number_of_cds int, dollar_value numeric);
\copy cdnow FROM PROGRAM 'cat "$JOURNEY_DATA_DIR/cdnow/cdnow_master.csv"' (FORMAT csv, HEADER)
CREATE TABLE retail (invoice_no text, stock_code text, description text, quantity int,
                     invoice_date timestamp, unit_price numeric, customer_id bigint, country text);
\copy retail FROM PROGRAM 'gzip -dc "$JOURNEY_DATA_DIR/online-retail/online_retail.csv.gz"' (FORMAT csv, HEADER)
-- RFM per customer: recency (days before the last date of the data), orders, log1p of money
CREATE TABLE rfm_cdnow AS
SELECT customer_id, ARRAY[(SELECT max(order_date) FROM cdnow) - max(order_date), count(*),
                          ln(1 + sum(dollar_value))]::float8[] AS f
FROM cdnow GROUP BY customer_id;
CREATE TABLE rfm_retail AS
SELECT customer_id, ARRAY[extract(epoch FROM (SELECT max(invoice_date) FROM retail) - max(invoice_date)) / 86400,
                          count(DISTINCT invoice_no), ln(1 + greatest(sum(quantity * unit_price), 0))]::float8[] AS f
FROM retail WHERE customer_id IS NOT NULL AND invoice_no NOT LIKE 'C%' GROUP BY customer_id;
SELECT (SELECT count(*) FROM rfm_cdnow) AS cdnow_customers, (SELECT count(*) FROM rfm_retail) AS retail_customers;
CREATE FUNCTION compare(a kmeans_model, b kmeans_model, rel regclass, OUT same_summary boolean, OUT same_sizes boolean,
    OUT points_differ bigint, OUT centroids_rel_diff_below_1e12 boolean, OUT inertia_rel_diff_below_1e12 boolean)
LANGUAGE plpgsql AS $$
BEGIN
  same_summary := (SELECT (k, dims, n, iterations, converged, standardized, n_init, seed) FROM kmeans_summary(a))
                = (SELECT (k, dims, n, iterations, converged, standardized, n_init, seed) FROM kmeans_summary(b));
  same_sizes := (SELECT array_agg(size ORDER BY cluster) FROM kmeans_clusters(a)) = (SELECT array_agg(size ORDER BY cluster) FROM kmeans_clusters(b));
  EXECUTE format('SELECT count(*) FROM %s WHERE kmeans_assign($1, f) <> kmeans_assign($2, f)', rel) INTO points_differ USING a, b;
  centroids_rel_diff_below_1e12 := (SELECT max(abs(x.z - y.z) / greatest(abs(x.z), 1)) < 1e-12
                                    FROM kmeans_centroids(a) x JOIN kmeans_centroids(b) y USING (cluster, feature));
  inertia_rel_diff_below_1e12 := (SELECT abs(x.inertia - y.inertia) / x.inertia < 1e-12 FROM kmeans_summary(a) x, kmeans_summary(b) y);
END $$;
CREATE TABLE models AS
SELECT 'cdnow k=5' AS data, kmeans_fit_distributed('rfm_cdnow', 'f', 5, '{"seed": 11, "n_init": 3}') AS dist,
       (SELECT kmeans_segment(f, 5, '{"seed": 11, "n_init": 3, "init": "distributed"}') FROM rfm_cdnow) AS single,
       'rfm_cdnow'::regclass AS rel
UNION ALL
SELECT 'retail k=4', kmeans_fit_distributed('rfm_retail', 'f', 4, '{"seed": 5, "n_init": 3}'),
       (SELECT kmeans_segment(f, 4, '{"seed": 5, "n_init": 3, "init": "distributed"}') FROM rfm_retail), 'rfm_retail'
UNION ALL
SELECT 'retail k=8 raw units, tol 0', kmeans_fit_distributed('rfm_retail', 'f', 8, '{"seed": 2, "n_init": 1, "standardize": false, "tol": 0}'),
       (SELECT kmeans_segment(f, 8, '{"seed": 2, "n_init": 1, "standardize": false, "tol": 0, "init": "distributed"}') FROM rfm_retail), 'rfm_retail';
SELECT data, c.* FROM models, compare(dist, single, rel) c ORDER BY data;
SELECT data, s.k, s.n, s.iterations, s.converged, round(s.inertia::numeric, 3) AS inertia
FROM models, kmeans_summary(dist) s ORDER BY data;
-- segment profiles of the distributed CDNOW model (original units)
SELECT cluster, size, round(centroid[1]::numeric, 0) AS recency_days, round(centroid[2]::numeric, 1) AS orders,
       round(exp(centroid[3])::numeric - 1, 0) AS money_geo
FROM models, kmeans_clusters(dist) WHERE data = 'cdnow k=5' ORDER BY cluster;
\else
\echo 'SKIPPED: no real data (set JOURNEY_DATA_DIR to shared/data with cdnow/ and online-retail/)'
\endif
