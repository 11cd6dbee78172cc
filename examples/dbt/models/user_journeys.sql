-- One journey per user. Incremental: every user with rows loaded since the last run is rebuilt from all of
-- their events (late events and sessions spanning loads come out whole), copies from retried loads are
-- dropped by event_id. A retried load therefore changes nothing.
{{ config(materialized='incremental', unique_key='user_id', incremental_strategy='delete+insert') }}

with touched as (
    select distinct user_id
    from {{ source('raw', 'events') }}
    {% if is_incremental() %}
    where loaded_at > (select max(loaded_at) from {{ this }})
    {% endif %}
),
events as (
    select distinct on (e.event_id) e.user_id, e.ts, e.event
    from {{ source('raw', 'events') }} e
    where e.user_id in (select user_id from touched)
    order by e.event_id
),
loads as (
    select e.user_id, max(e.loaded_at) as loaded_at
    from {{ source('raw', 'events') }} e
    where e.user_id in (select user_id from touched)
    group by e.user_id
)
select ev.user_id, journey_agg(ev.ts, ev.event) as j, max(l.loaded_at) as loaded_at
from events ev
join loads l using (user_id)
group by ev.user_id
