\echo '== kmeans: customer segments by RFM (recency, frequency, monetary) + activity, inside PostgreSQL'
CREATE TEMP TABLE rfm AS
SELECT user_id,
       ARRAY[extract(epoch FROM (SELECT max(ts) FROM events) - max(ts)) / 86400,       -- recency, days
             count(*) FILTER (WHERE event = 'purchase'),                                 -- frequency
             coalesce(sum(revenue) FILTER (WHERE event = 'purchase'), 0),                -- monetary
             count(*)]::float8[] AS f                                                    -- events
FROM events GROUP BY user_id;
\echo '-- choosing k: inertia (elbow) and silhouette for k = 2..6'
SELECT s.k, round(s.inertia::numeric, 1) AS inertia, round(s.silhouette::numeric, 3) AS silhouette
FROM (SELECT kmeans_scan(f, 2, 6, '{"seed": 42}') AS ms FROM rfm) x, unnest(ms) m, kmeans_summary(m) s ORDER BY s.k;
\echo '-- segment profiles for k = 4 (centroids in original units; 1 = largest segment)'
SELECT cluster, size, round(share::numeric, 3) AS share, round(centroid[1]::numeric, 1) AS recency_days,
       round(centroid[2]::numeric, 2) AS purchases, round(centroid[3]::numeric, 2) AS revenue,
       round(centroid[4]::numeric, 1) AS events
FROM (SELECT kmeans_segment(f, 4, '{"seed": 42}') AS m FROM rfm) x, kmeans_clusters(m) ORDER BY cluster;
\echo '-- who is in which segment, in the same SELECT (window form)'
SELECT user_id, kmeans_cluster(f, 4, '{"seed": 42}') OVER () AS segment FROM rfm ORDER BY user_id LIMIT 5;
