{#-
    Per non-test account and candidate action (a value action of event_catalog, or an event of
    aha_definitions, which need not be a value action): how many times the account's customer
    users (known, non-internal) did it within the first
    activation__aha_candidate_window_days (14) days of signup, event_at <= signup_at + 14 days
    (windows include their end, SPEC section 0). Only actions done at least once in the window
    have a row. The input of fct_aha_candidates (issue 14): which early behaviours separate
    retained from churned accounts.

    Counted from the daily rollup, not the event grain: a user's day of an action counts whole
    when its last event is in the window and not at all when its first is after it; only the
    days that straddle the window's end (one per user and action at most) are counted from
    their events (stg_product__events). No aggregate runs over the rollup's rows: the few
    straddling days are found first, and every other row in the window counts as it is.

    Not filtered by as_of_date: fct_aha_candidates reads only accounts matured 180 days, whose
    window ended long before as_of_end.
-#}

with

accounts as (
    select
        account_id,
        {{ dbt.dateadd('day', var('activation__aha_candidate_window_days'), 'signup_at') }} as window_end_at
    from {{ ref('int_accounts_enriched') }}
),

aha_definitions as (
    select event_name from {{ ref('aha_definitions') }}
),

-- read through window_rows, twice: scanned twice, never copied
daily as {{ activation_not_materialized() }} (
    select * from {{ ref('int_events_aggregated_daily') }}
),

events as (
    select * from {{ ref('stg_product__events') }}
),

{#
    The rollup's rows of customer users' candidate actions with an event in the window, read
    twice below: two scans of the rollup rather than a copy of these rows.
#}
window_rows as {{ activation_not_materialized() }} (
    select
        daily.account_id,
        daily.user_id,
        daily.event_name,
        daily.event_date,
        daily.n_events,
        daily.last_event_at,
        accounts.window_end_at
    from daily
    inner join accounts
        on daily.account_id = accounts.account_id
    where
        daily.is_customer_user
        and (
            daily.is_value_action
            or daily.event_name in (select aha_definitions.event_name from aha_definitions)
        )
        and daily.first_event_at <= accounts.window_end_at
),

-- the days of a user and action whose events straddle the end of the window (the rollup
-- splits a day by feature and step: a day straddles when any of its rows does)
straddling_days as (
    select distinct
        account_id,
        user_id,
        event_name,
        event_date,
        window_end_at
    from window_rows
    where last_event_at > window_end_at
),

-- every other day lies in the window whole: its rows' counts
whole_days as (
    select
        window_rows.account_id,
        window_rows.event_name,
        window_rows.n_events
    from window_rows
    left join straddling_days
        on window_rows.account_id = straddling_days.account_id
            and window_rows.user_id = straddling_days.user_id
            and window_rows.event_name = straddling_days.event_name
            and window_rows.event_date = straddling_days.event_date
    where straddling_days.account_id is null
),

-- a straddling day: its events up to the end of the window
straddling_events as (
    select
        straddling_days.account_id,
        straddling_days.event_name
    from events
    inner join straddling_days
        on events.account_id = straddling_days.account_id
            and events.user_id = straddling_days.user_id
            and events.event_name = straddling_days.event_name
            and cast(events.event_at as date) = straddling_days.event_date
    where events.event_at <= straddling_days.window_end_at
),

early_actions as (
    select
        account_id,
        event_name,
        n_events
    from whole_days
    union all
    select
        account_id,
        event_name,
        1 as n_events
    from straddling_events
),

final as (
    select
        account_id,
        event_name,
        cast(sum(n_events) as {{ dbt.type_bigint() }}) as n_actions
    from early_actions
    group by account_id, event_name
)

select * from final
