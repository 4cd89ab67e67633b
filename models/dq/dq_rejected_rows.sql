{{ config(materialized='view') }}
-- Quarantine: every raw row that won deduplication but failed a check, with the first failing
-- reason in SPEC order and the raw row as JSON text, personal columns masked (the users table
-- has its own masked JSON column). A view, so it never lags staging.

{%- set checked_tables = [
    ('accounts', 'account_id', 'base_product__accounts', 'raw_row_json'),
    ('users', 'user_id', 'base_product__users', 'raw_row_json_masked'),
    ('subscriptions', 'subscription_change_id', 'base_product__subscriptions', 'raw_row_json'),
    ('seat_assignments', 'seat_assignment_id', 'base_product__seat_assignments', 'raw_row_json'),
    ('interventions', 'intervention_id', 'base_product__interventions', 'raw_row_json'),
    ('events', 'event_id', 'base_product__events_deduplicated', 'raw_row_json'),
] %}

with

{% for source_table, key, checked_model, raw_row_column in checked_tables %}
{{ source_table }} as (
    select
        '{{ source_table }}' as source_table,
        {{ key }} as source_key,
        dq_reason,
        {{ raw_row_column }} as raw_row_json,
        _loaded_at
    from {{ ref(checked_model) }}
    -- the deduplicated events table holds winners only; the other base models rank copies
    where dq_reason is not null{% if 'events' not in checked_model %} and copy_rank = 1{% endif %}
),

{% endfor %}
unioned as (
    {%- for source_table, key, checked_model, raw_row_column in checked_tables %}
    select * from {{ source_table }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        source_table,
        source_key,
        dq_reason as reason,
        raw_row_json as raw_row,
        _loaded_at
    from unioned
)

select * from final
