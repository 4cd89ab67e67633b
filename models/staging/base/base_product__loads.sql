-- What has landed in the raw layer: every raw table summarised by the hour of _loaded_at (rows
-- and a checksum of their content; held rows left out). Built first in every run, it is the
-- run's snapshot of the raw layer: incremental models process the load hours that differ from
-- what they processed before (macros/incremental/manifest.sql).

{{ config(materialized='table') }}

{%- set tables = [
    ('accounts', ['account_id', 'row_content_json', '_loaded_at']),
    ('users', ['user_id', 'row_content_json', '_loaded_at']),
    ('subscriptions', ['subscription_change_id', 'row_content_json', '_loaded_at']),
    ('seat_assignments', ['seat_assignment_id', 'row_content_json', '_loaded_at']),
    ('interventions', ['intervention_id', 'row_content_json', '_loaded_at']),
    ('events', ['event_id', 'account_id', 'user_id', 'event_name', 'properties', 'occurred_at',
                'received_at', '_loaded_at']),
] %}

with

{% for source_table, columns in tables %}
{{ source_table }} as (
    select
        '{{ source_table }}' as source_table,
        {{ activation_loaded_hour('_loaded_at') }} as loaded_hour,
        count(*) as n_rows,
        {{ activation_rows_checksum(columns) }} as content_checksum
    from {{ ref('base_product__' ~ source_table) }}
    where not is_held
    group by {{ activation_loaded_hour('_loaded_at') }}
),

{% endfor %}
final as (
    {%- for source_table, columns in tables %}
    select * from {{ source_table }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from final
