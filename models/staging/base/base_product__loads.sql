-- What has landed in the raw layer: every raw table summarised by the hour of _loaded_at (rows,
-- a checksum of their content, the latest _loaded_at; held rows left out). Built first in
-- every run, it is the run's snapshot of the raw layer: incremental models process the load
-- hours that differ from what they processed before (macros/incremental/manifest.sql).

{{ config(materialized='table') }}

{%- set tables = activation_load_summary_columns() %}

with

{% for source_table, columns in tables.items() %}
{{ source_table }} as (
    select
        '{{ source_table }}' as source_table,
        {{ activation_loaded_hour('_loaded_at') }} as loaded_hour,
        count(*) as n_rows,
        {{ activation_rows_checksum(columns) }} as content_checksum,
        max(_loaded_at) as max_loaded_at
    from {{ ref('base_product__' ~ source_table) }}
    where not is_held
    group by {{ activation_loaded_hour('_loaded_at') }}
),

{% endfor %}
final as (
    {%- for source_table in tables %}
    select * from {{ source_table }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from final
