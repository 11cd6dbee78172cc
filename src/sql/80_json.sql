-- jsonb casts of journey and of every summary type: clients (JDBC, ODBC, Npgsql, dbt) know jsonb and text,
-- not journey's own types.  SQL-bodied, built from the documented accessors; STABLE because float8 and
-- timestamptz render through extra_float_digits and TimeZone.  Shapes are documented in doc/clients.md.
#include "jy_sqldefs.h"

CREATE FUNCTION journey_to_jsonb(j journey) RETURNS jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT jsonb_build_object(
           'length', @extschema@.length(j),
           'first_time', @extschema@.first_time(j),
           'last_time', @extschema@.last_time(j),
           'duration_s', @extschema@.duration_s(j),
           'events', COALESCE((SELECT jsonb_agg(jsonb_build_object('ts', e.ts, 'event', e.event) ORDER BY e."position")
                               FROM @extschema@.journey_events(j) e), '[]'::jsonb));
END;
JY_JSONB_CAST(journey,
'the journey as jsonb: {"length", "first_time", "last_time", "duration_s", "events": [{"ts", "event"}, ...]} (also the cast journey::jsonb)')

CREATE FUNCTION funnel_summary_to_jsonb(s funnel_summary) RETURNS jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT jsonb_build_object(
           'users', (SELECT r.users + r.drop_off FROM @extschema@.funnel_report(s) r WHERE r.step = 1),
           'steps', (SELECT jsonb_agg(jsonb_build_object(
                               'step', r.step, 'users', r.users,
                               'conversion_from_first', r.conversion_from_first,
                               'conversion_from_previous', r.conversion_from_previous,
                               'drop_off', r.drop_off,
                               'median_time_from_previous_s', r.median_time_from_previous_s,
                               'p90_time_from_previous_s', r.p90_time_from_previous_s) ORDER BY r.step)
                     FROM @extschema@.funnel_report(s) r));
END;
JY_JSONB_CAST(funnel_summary,
'the funnel report as jsonb: {"users", "steps": [one object per funnel_report row, durations in seconds]} (also the cast funnel_summary::jsonb)')

CREATE FUNCTION cohort_retention_to_jsonb(r cohort_retention) RETURNS jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT jsonb_build_object(
           'first_cohort', @extschema@.retention_cohort(r),
           'users', @extschema@.retention_users(r),
           'matrix', COALESCE((SELECT jsonb_agg(jsonb_build_object(
                                        'cohort', m.cohort, 'period_index', m.period_index,
                                        'cohort_size', m.cohort_size, 'retained_users', m.retained_users,
                                        'retention_rate', m.retention_rate) ORDER BY m.cohort, m.period_index)
                               FROM @extschema@.retention_matrix(r) m), '[]'::jsonb));
END;
JY_JSONB_CAST(cohort_retention,
'the retention triangle as jsonb: {"first_cohort", "users", "matrix": [one object per retention_matrix(r, ''on'') row]} (also the cast cohort_retention::jsonb)')

CREATE FUNCTION session_stats_to_jsonb(s session_stats) RETURNS jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT jsonb_build_object(
           'sessions', k.sessions, 'events', k.events, 'bounces', k.bounces, 'bounce_rate', k.bounce_rate,
           'events_per_session', k.events_per_session, 'avg_duration_s', k.avg_duration_s,
           'median_duration_s', k.median_duration_s, 'p90_duration_s', k.p90_duration_s,
           'total_duration_s', @extschema@.total_duration_s(s))
  FROM @extschema@.session_kpis(s) k;
END;
JY_JSONB_CAST(session_stats,
'the session KPIs as jsonb: the session_kpis columns with durations in seconds, plus total_duration_s (also the cast session_stats::jsonb)')

CREATE FUNCTION kmeans_model_to_jsonb(m kmeans_model) RETURNS jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
  SELECT to_jsonb(s) || jsonb_build_object(
           'clusters', COALESCE((SELECT jsonb_agg(to_jsonb(c) ORDER BY c.cluster)
                                 FROM @extschema@.kmeans_clusters(m) c), '[]'::jsonb))
  FROM @extschema@.kmeans_summary(m) s;
END;
JY_JSONB_CAST(kmeans_model,
'the model as jsonb: the kmeans_summary columns plus "clusters": [one object per kmeans_clusters row, centroid as an array] (also the cast kmeans_model::jsonb)')
