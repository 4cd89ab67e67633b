-- Quarantine: every raw row that won deduplication but failed a check, with the first failing
-- reason in SPEC order and the raw row as JSON text (personal columns masked). A table (the dq
-- folder's default), built in every run right after the staging it reads: its readers (the
-- nothing-lost test, rejected_rows_present, the nightly's publish) read it instead of each
-- recomputing it over the event history.

{%- set checked_tables = [
    ('accounts', 'account_id', 'base_product__accounts'),
    ('users', 'user_id', 'base_product__users'),
    ('subscriptions', 'subscription_change_id', 'base_product__subscriptions'),
    ('seat_assignments', 'seat_assignment_id', 'base_product__seat_assignments'),
    ('interventions', 'intervention_id', 'base_product__interventions'),
] %}

with

{% for source_table, key, checked_model in checked_tables %}
{{ source_table }} as (
    select
        '{{ source_table }}' as source_table,
        {{ key }} as source_key,
        dq_reason,
        raw_row_json,
        _loaded_at
    from {{ ref(checked_model) }}
    where row_status = 'rejected'
),

{% endfor %}
-- the deduplicated events table holds one decided row per event key
events as (
    select
        'events' as source_table,
        -- the event_id; a row without one has no source key (its event_key is a content hash)
        case when dq_reason != 'missing_event_id' then event_key end as source_key,
        dq_reason,
        raw_row_json,
        _loaded_at
    from {{ ref('base_product__events_deduplicated') }}
    where dq_reason is not null
),

unioned as (
    {%- for source_table, key, checked_model in checked_tables %}
    select * from {{ source_table }}
    union all
    {%- endfor %}
    select * from events
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
