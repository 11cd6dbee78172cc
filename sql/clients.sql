-- What drivers and BI tools see: float8 seconds beside intervals, jsonb casts of every type.
SET extra_float_digits = 0;
CREATE SCHEMA clients;
SET search_path = clients, public;
CREATE TABLE ev AS SELECT * FROM journey_sample_events(300, 3);

-- the float8 seconds are the interval's seconds exactly
SELECT bool_and(avg_duration_s = extract(epoch FROM avg_duration)::float8
            AND median_duration_s = extract(epoch FROM median_duration)::float8
            AND p90_duration_s = extract(epoch FROM p90_duration)::float8) AS kpis_seconds_match,
       count(*) AS users
FROM (SELECT (session_kpis(session_stats(ts))).* FROM ev GROUP BY user_id) k;
SELECT step, median_time_from_previous, median_time_from_previous_s, p90_time_from_previous, p90_time_from_previous_s
FROM funnel_report((SELECT funnel_summary(t) FROM (SELECT funnel_times(ts, '1 day', event,
       ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) t FROM ev GROUP BY user_id) x));
WITH s AS (SELECT session_stats(ts) s FROM ev)
SELECT avg_duration_s(s) = extract(epoch FROM avg_duration(s))::float8 AS avg_ok,
       total_duration_s(s) = extract(epoch FROM total_duration(s))::float8 AS total_ok,
       median_duration_s(s) = extract(epoch FROM median_duration(s))::float8 AS median_ok,
       duration_percentile_s(s, 0.9) = extract(epoch FROM duration_percentile(s, 0.9))::float8 AS p90_ok
FROM s;
SELECT duration_s('[2024-01-01 10:00:00Z a, +90s b]'::journey) AS duration_s,
       duration_s('[]'::journey) AS empty_journey;
SELECT bool_and(gap_s = extract(epoch FROM gap)::float8) AS gap_s_ok, count(*)
FROM (SELECT journey_agg(ts, event) j FROM ev GROUP BY user_id) x, journey_transitions(j);

-- jsonb casts: shapes
SELECT jsonb_pretty('[2024-01-01 10:00:00Z home, +1m product_view, +4m add_to_cart]'::journey::jsonb);
SELECT '[]'::journey::jsonb AS empty_journey;
SELECT jsonb_pretty(s::jsonb) FROM (SELECT funnel_summary(t) s FROM (SELECT funnel_times(ts, '1 day', event,
       ARRAY['product_view', 'add_to_cart', 'checkout']) t FROM ev GROUP BY user_id) x) y;
SELECT jsonb_pretty(session_stats(ts)::jsonb) FROM ev WHERE user_id <= 20;
SELECT jsonb_pretty(rollup(c)::jsonb) FROM (SELECT cohort_retention(ts, 'week', 1) c FROM ev WHERE user_id <= 5 GROUP BY user_id) x;
SELECT jsonb_pretty(kmeans_segment(ARRAY[x, y], 2, '{"seed": 1}')::jsonb)
FROM (VALUES (0.0, 0.0), (0.1, 0.0), (10.0, 10.0), (10.1, 10.0)) v(x, y);
-- the json agrees with the accessors
SELECT (j::jsonb ->> 'length')::int = length(j) AS length_ok,
       jsonb_array_length(j::jsonb -> 'events') = length(j) AS events_ok,
       (j::jsonb -> 'events' -> -1 ->> 'event') = event_at(j, length(j)) AS last_event_ok
FROM (SELECT journey_agg(ts, event) j FROM ev WHERE user_id = 7) x;
-- NULL in, NULL out; the casts are explicit only
SELECT NULL::journey::jsonb IS NULL AS null_ok;
SELECT castcontext, count(*) FROM pg_cast WHERE casttarget = 'jsonb'::regtype
  AND castsource IN ('journey'::regtype, 'funnel_summary'::regtype, 'cohort_retention'::regtype,
                     'session_stats'::regtype, 'kmeans_model'::regtype) GROUP BY 1;

-- step-numbered Sankey: a DAG with (other) buckets and drop-offs
CREATE TABLE sk (u int, j journey);
INSERT INTO sk VALUES
  (1, '[2024-01-01 10:00:00Z home, +1m view, +1m view, +1m cart, +1m buy]'),
  (2, '[2024-01-01 10:00:00Z home, +1m view, +1m home]'),
  (3, '[2024-01-01 10:00:00Z home, +1m search]'),
  (4, '[2024-01-01 10:00:00Z home]'),
  (5, '[2024-01-01 10:00:00Z ad, +1m view, +1m cart]'),
  (6, '[]'), (7, NULL);
SELECT * FROM journey_sankey((SELECT array_agg(j ORDER BY u) FROM sk), 4, 2) ORDER BY step, source, target;
-- without collapsing repeats, 1 node per step kept
SELECT * FROM journey_sankey((SELECT array_agg(j ORDER BY u) FROM sk), 3, 1, false) ORDER BY step, source, target;
-- every link goes from step k to k+1, and what enters a node leaves it (or stops at the last step)
WITH l AS (SELECT * FROM journey_sankey((SELECT array_agg(j) FROM (SELECT journey_agg(ts, event) j FROM ev GROUP BY user_id) x), 5, 3))
SELECT bool_and(split_part(source, ' ', 1)::int = step AND split_part(target, ' ', 1)::int = step + 1) AS dag,
       (SELECT sum(users) FROM l WHERE step = 1) AS journeys,
       (SELECT bool_and(i.n = o.n) FROM (SELECT target, sum(users) n FROM l WHERE step < 4 AND target NOT LIKE '%drop-off' GROUP BY 1) i
          JOIN (SELECT source, sum(users) n FROM l GROUP BY 1) o ON o.source = i.target) AS conserved
FROM l;
SELECT count(*) FROM journey_sankey(ARRAY[]::journey[]);
SELECT * FROM journey_sankey(ARRAY['[]'::journey, NULL]);
SELECT * FROM journey_sankey(ARRAY['[2024-01-01 10:00:00Z a]'::journey], 0);
SELECT * FROM journey_sankey(ARRAY['[2024-01-01 10:00:00Z a]'::journey], 101);
SELECT * FROM journey_sankey(ARRAY['[2024-01-01 10:00:00Z a]'::journey], 5, 0);
SELECT * FROM journey_sankey(ARRAY['[2024-01-01 10:00:00Z a]'::journey], 5, 1001);
SELECT * FROM journey_sankey(ARRAY[['[2024-01-01 10:00:00Z a]'::journey]], 5, 5);
SELECT * FROM journey_sankey(ARRAY['[2024-01-01 10:00:00Z a]'::journey], NULL);

RESET search_path;
DROP SCHEMA clients CASCADE;
