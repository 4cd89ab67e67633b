-- A warning, never an error (bad input must not stop the build): lists how many raw rows were
-- quarantined, per table and reason, so every run's log says what the data-quality checks caught.
{{ config(severity='warn') }}

select
    source_table,
    reason,
    count(*) as rejected_rows
from {{ ref('dq_rejected_rows') }}
group by source_table, reason
