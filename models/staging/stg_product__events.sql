-- Clean events: the winning copy of each event_id that passed every check (SPEC section 3).
-- event_at is occurred_at, clamped up to signup_at for events up to one day before signup.

with

events as (
    select * from {{ ref('base_product__events_deduplicated') }}
    where dq_reason is null
),

final as (
    select
        -- a clean event has an event_id, and it is its key
        event_key as event_id,
        account_id,
        user_id,
        event_name,
        properties,
        occurred_at,
        received_at,
        event_at,
        _loaded_at
    from events
)

select * from final
