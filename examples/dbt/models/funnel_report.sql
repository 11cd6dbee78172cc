select *
from funnel_report((select funnel_summary(funnel) from {{ ref('user_kpis') }}))
