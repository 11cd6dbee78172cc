select *
from retention_matrix((select rollup(retention) from {{ ref('user_kpis') }}))
