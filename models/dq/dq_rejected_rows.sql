{{ config(materialized='view') }}
-- Quarantine: every raw row that won deduplication but failed a check, with the first failing
-- reason in SPEC order and the raw row as JSON text. A view, so it never lags staging.

with

accounts as (
    select
        'accounts' as source_table,
        account_id as source_key,
        dq_reason,
        raw_row_json,
        _loaded_at
    from {{ ref('base_product__accounts') }}
    where copy_rank = 1 and dq_reason is not null
),

users as (
    select
        'users' as source_table,
        user_id as source_key,
        dq_reason,
        raw_row_json,
        _loaded_at
    from {{ ref('base_product__users') }}
    where copy_rank = 1 and dq_reason is not null
),

subscriptions as (
    select
        'subscriptions' as source_table,
        subscription_change_id as source_key,
        dq_reason,
        raw_row_json,
        _loaded_at
    from {{ ref('base_product__subscriptions') }}
    where copy_rank = 1 and dq_reason is not null
),

seat_assignments as (
    select
        'seat_assignments' as source_table,
        seat_assignment_id as source_key,
        dq_reason,
        raw_row_json,
        _loaded_at
    from {{ ref('base_product__seat_assignments') }}
    where copy_rank = 1 and dq_reason is not null
),

interventions as (
    select
        'interventions' as source_table,
        intervention_id as source_key,
        dq_reason,
        raw_row_json,
        _loaded_at
    from {{ ref('base_product__interventions') }}
    where copy_rank = 1 and dq_reason is not null
),

events as (
    select
        'events' as source_table,
        event_id as source_key,
        dq_reason,
        raw_row_json,
        _loaded_at
    from {{ ref('base_product__events_deduplicated') }}
    where dq_reason is not null
),

unioned as (
    select * from accounts
    union all
    select * from users
    union all
    select * from subscriptions
    union all
    select * from seat_assignments
    union all
    select * from interventions
    union all
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
