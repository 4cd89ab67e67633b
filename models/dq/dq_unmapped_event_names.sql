-- Event names found in clean events but missing from the event_catalog seed. Such events are
-- kept (they may become meaningful once catalogued) but count towards no metric until then.
-- A table, rebuilt in every run (as dq_rejected_rows).

with

events as (
    select * from {{ ref('stg_product__events') }}
),

event_catalog as (
    select event_name from {{ ref('event_catalog') }}
),

unmapped as (
    select events.*
    from events
    left join event_catalog
        on events.event_name = event_catalog.event_name
    where event_catalog.event_name is null
),

final as (
    select
        event_name,
        count(*) as n_events,
        count(distinct account_id) as n_accounts,
        min(occurred_at) as first_occurred_at,
        max(occurred_at) as last_occurred_at
    from unmapped
    group by event_name
)

select * from final
