-- @name kmeans segments
-- K-means on one feature vector per user (recency days, purchases, purchase revenue, events,
-- distinct active days, sessions-ish event span in hours, searches, product views): 8 features, k = 8.
-- floor: one plain aggregate pass over the same feature vectors (reading them is the least any fit does);
-- plain: ONE Lloyd iteration in plain SQL from fixed centroids (assign each user to the nearest of 8
--        centroids, recompute means) -- plain SQL has no k-means, and a full fit is tens of these;
-- journey: a complete fit (k-means++ seeding, Lloyd to convergence) with n_init = 1, and the window form.
-- @setup
CREATE TABLE km_users AS
SELECT user_id,
       ARRAY[extract(epoch FROM (SELECT max(ts) FROM events) - max(ts)) / 86400,
             count(*) FILTER (WHERE event = 'purchase'),
             coalesce(sum(revenue) FILTER (WHERE event = 'purchase'), 0),
             count(*),
             count(DISTINCT ts::date),
             extract(epoch FROM max(ts) - min(ts)) / 3600,
             count(*) FILTER (WHERE event = 'search'),
             count(*) FILTER (WHERE event = 'product_view')]::float8[] AS f
FROM events GROUP BY user_id;
ANALYZE km_users;
-- @check
SELECT sum(c.size) = (SELECT count(*) FROM km_users) AND count(*) = 8
FROM kmeans_clusters((SELECT kmeans_segment(f, 8, '{"n_init": 1}') FROM km_users)) c
-- (Every timed query is wrapped in SELECT count(*) FROM (...): outputs nobody reads are optimized
-- away, so each query below makes its result matter with HAVING / GROUP BY.)
-- @once plain
-- @floor
SELECT 1 FROM km_users
HAVING avg(f[1]) + avg(f[2]) + avg(f[3]) + avg(f[4]) + avg(f[5]) + avg(f[6]) + avg(f[7]) + avg(f[8]) IS NOT NULL
-- @plain
WITH c AS MATERIALIZED (SELECT row_number() OVER (ORDER BY user_id) AS cid, f FROM (SELECT user_id, f FROM km_users ORDER BY user_id LIMIT 8) s),
a AS (SELECT u.f, (SELECT c.cid FROM c
                   ORDER BY (u.f[1]-c.f[1])^2 + (u.f[2]-c.f[2])^2 + (u.f[3]-c.f[3])^2 + (u.f[4]-c.f[4])^2
                          + (u.f[5]-c.f[5])^2 + (u.f[6]-c.f[6])^2 + (u.f[7]-c.f[7])^2 + (u.f[8]-c.f[8])^2
                   LIMIT 1) AS cid
      FROM km_users u)
SELECT cid FROM a GROUP BY cid
HAVING avg(f[1]) + avg(f[2]) + avg(f[3]) + avg(f[4]) + avg(f[5]) + avg(f[6]) + avg(f[7]) + avg(f[8]) IS NOT NULL
-- @journey kmeans_segment n_init=1
SELECT 1 FROM km_users HAVING kmeans_segment(f, 8, '{"n_init": 1}') IS NOT NULL
-- @once kmeans_segment n_init=10
-- @journey kmeans_segment n_init=10
SELECT 1 FROM km_users HAVING kmeans_segment(f, 8) IS NOT NULL
-- @journey kmeans_cluster window
SELECT segment FROM (SELECT kmeans_cluster(f, 8, '{"n_init": 1}') OVER () AS segment FROM km_users) s GROUP BY segment
-- @teardown
DROP TABLE km_users;
