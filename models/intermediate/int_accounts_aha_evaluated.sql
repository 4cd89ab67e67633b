{#-
    One row per account (int_accounts_enriched) with aha_at, the aha moment of its vertical
    (SPEC section 4, Milestone 2) as of as_of_end. Every aha_definitions row of the vertical is a
    condition (event_name, min_count), met at the time of its min_count-th included event by a
    customer user (known, non-internal).
    - scope account: counted over the whole account; aha_at = the time the last condition was met.
    - scope user: counted per user; a user reaches aha when all conditions are met on his own
      events (the last of them); aha_at = the earliest user. An account whose conditions are met
      only by different users has not reached aha.

    The n-th event needs the event grain: this reads int_events_classified, restricted to the
    aha event names of the account's vertical, before as_of_end.
-#}

with

accounts as (
    select
        account_id,
        vertical,
        aha_scope
    from {{ ref('int_accounts_enriched') }}
),

aha_definitions as (
    select
        vertical,
        scope,
        event_name,
        min_count
    from {{ ref('aha_definitions') }}
),

events as (
    select
        account_id,
        user_id,
        event_name,
        event_key,
        event_at
    from {{ ref('int_events_classified') }}
    where
        is_included
        and is_customer_user
        and event_at < {{ activation_as_of_end() }}
        and event_name in (select aha_definitions.event_name from aha_definitions)
),

conditions_per_vertical as (
    select
        vertical,
        count(*) as n_conditions
    from aha_definitions
    group by vertical
),

aha_events as (
    select
        events.account_id,
        events.event_name,
        events.event_key,
        events.event_at,
        -- one counting unit per condition: the account (scope account) or the user (scope user)
        case when aha_definitions.scope = 'user' then events.user_id end as counted_user_id,
        aha_definitions.min_count
    from events
    inner join accounts
        on events.account_id = accounts.account_id
    inner join aha_definitions
        on accounts.vertical = aha_definitions.vertical
            and events.event_name = aha_definitions.event_name
),

-- per counting unit and condition: how many events, and the first one
unit_condition_counts as (
    select
        account_id,
        counted_user_id,
        event_name,
        min_count,
        count(*) as n_events,
        min(event_at) as first_event_at
    from aha_events
    group by account_id, counted_user_id, event_name, min_count
),

-- only units that reach a min_count above 1 need their events ranked (a sort); a unit below it
-- cannot meet the condition, and min_count = 1 is met at the first event
ranked_aha_events as (
    select
        aha_events.account_id,
        aha_events.counted_user_id,
        aha_events.event_name,
        aha_events.event_at,
        aha_events.min_count,
        row_number() over (
            partition by aha_events.account_id, aha_events.counted_user_id, aha_events.event_name
            order by aha_events.event_at, aha_events.event_key
        ) as event_number
    from aha_events
    inner join unit_condition_counts as counts
        on aha_events.account_id = counts.account_id
            and aha_events.event_name = counts.event_name
            -- scope account counts with a null user: compare null-safely, and hashably
            and coalesce(aha_events.counted_user_id, '') = coalesce(counts.counted_user_id, '')
    where counts.min_count > 1 and counts.n_events >= counts.min_count
),

conditions_met as (
    select
        account_id,
        counted_user_id,
        event_name,
        first_event_at as condition_met_at
    from unit_condition_counts
    where min_count = 1
    union all
    select
        account_id,
        counted_user_id,
        event_name,
        event_at as condition_met_at
    from ranked_aha_events
    where event_number = min_count
),

-- per counting unit (the account, or one user): the time its last condition was met, kept only
-- when every condition of the vertical is met
units_reaching_aha as (
    select
        conditions_met.account_id,
        conditions_met.counted_user_id,
        max(conditions_met.condition_met_at) as aha_at
    from conditions_met
    inner join accounts
        on conditions_met.account_id = accounts.account_id
    inner join conditions_per_vertical
        on accounts.vertical = conditions_per_vertical.vertical
    group by conditions_met.account_id, conditions_met.counted_user_id, conditions_per_vertical.n_conditions
    having count(*) = conditions_per_vertical.n_conditions
),

account_aha as (
    select
        account_id,
        min(aha_at) as aha_at
    from units_reaching_aha
    group by account_id
),

final as (
    select
        accounts.account_id,
        accounts.aha_scope,
        account_aha.aha_at
    from accounts
    left join account_aha
        on accounts.account_id = account_aha.account_id
)

select * from final
