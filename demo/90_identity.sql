-- journey demo: identity stitching (doc/identity.md)
\echo
-- (plain tables, not temporary: demo/95_attribution.sql runs in its own session and reads events_p)
\echo '== identity: sample users are devices; logins link them to accounts (journey_sample_identities)'
SELECT * FROM journey_sample_identities(2000, 1) LIMIT 6;
CREATE TABLE persons AS
SELECT * FROM journey_identity_stitch('SELECT * FROM journey_sample_identities(2000, 1)',
                                      priority => '{user_id,email_hash,anonymous_id}',
                                      max_per_person => '{1,1,NULL}');
\echo '== devices per person (a shared QA account would glue strangers: the guard rail refused these links)'
SELECT devices, count(*) AS persons
FROM (SELECT person_id, count(*) FILTER (WHERE kind = 'anonymous_id') AS devices FROM persons GROUP BY 1) p
GROUP BY 1 ORDER BY 1;
SELECT kind_a, id_a, id_b, ts, limit_kind
FROM journey_identity_refused('SELECT * FROM journey_sample_identities(2000, 1)',
                              '{user_id,email_hash,anonymous_id}', '{1,1,NULL}') LIMIT 4;
\echo '== the same funnel per device and per person (JOIN before the aggregate; unlinked devices stay themselves)'
CREATE TABLE events_p AS
SELECT coalesce(p.person_id, e.user_id::text) AS person, e.*
FROM events e LEFT JOIN persons p ON p.kind = 'anonymous_id' AND p.identifier = e.user_id::text;
SELECT 'per device' AS unit, count(*) AS units,
       count(*) FILTER (WHERE lvl >= 2) AS carted, count(*) FILTER (WHERE lvl = 4) AS purchased,
       round(count(*) FILTER (WHERE lvl = 4)::numeric / count(*), 3) AS conversion
FROM (SELECT user_id, funnel_step(ts, '7 days', event = 'product_view', event = 'add_to_cart',
                                  event = 'checkout', event = 'purchase') AS lvl FROM events GROUP BY user_id) u
UNION ALL
SELECT 'per person', count(*), count(*) FILTER (WHERE lvl >= 2), count(*) FILTER (WHERE lvl = 4),
       round(count(*) FILTER (WHERE lvl = 4)::numeric / count(*), 3)
FROM (SELECT person, funnel_step(ts, '7 days', event = 'product_view', event = 'add_to_cart',
                                 event = 'checkout', event = 'purchase') AS lvl FROM events_p GROUP BY person) u;
