select (session_kpis(rollup(sessions))).*
from {{ ref('user_kpis') }}
