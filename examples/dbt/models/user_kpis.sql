-- Per-user summaries, rebuilt for the users whose journey changed in this run. Summaries add up across
-- users (disjoint rows of this table), never across time partitions: doc/incremental.md.
{{ config(materialized='incremental', unique_key='user_id', incremental_strategy='delete+insert') }}

select user_id,
       loaded_at,
       (select session_stats(e.ts) from journey_events(j) e) as sessions,
       funnel_times(j, interval '1 day', array['product_view', 'add_to_cart', 'checkout', 'purchase']) as funnel,
       (select cohort_retention(x.j, 'week', 8, 'UTC') from (select j) x) as retention,
       length(j) as events,
       event_count(j, 'purchase') as purchases,
       extract(epoch from duration(j)) / 86400 as active_days_span
from {{ ref('user_journeys') }}
{% if is_incremental() %}
where loaded_at > (select max(loaded_at) from {{ this }})
{% endif %}
