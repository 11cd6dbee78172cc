-- Behavioural segments: k-means on (sessions, events, purchases, days between first and last event).
-- The fit is a function of the points (ordered by user_id) and the options, so a rebuild gives the same model.
with features as (
    select user_id,
           array[session_count(sessions)::float8, events::float8, purchases::float8, active_days_span::float8] as f
    from {{ ref('user_kpis') }}
),
model as (
    select kmeans_segment(f, 3, '{"seed": 42}' order by user_id) as m from features
)
select features.user_id, kmeans_assign(model.m, features.f) as segment
from features, model
