{#-
    Per non-test account and candidate action (a value action of event_catalog, or an event of
    aha_definitions, which need not be a value action): how many times the account's customer
    users (known, non-internal) did it within the first
    activation__aha_candidate_window_days (14) days of signup, event_at <= signup_at + 14 days
    (windows include their end, SPEC section 0). Only actions done at least once in the window
    have a row. The input of fct_aha_candidates (issue 14): which early behaviours separate
    retained from churned accounts.

    The events are read from stg_product__events and classified here
    (activation_classify_events, macros/events/classification.sql).

    Not filtered by as_of_date: fct_aha_candidates reads only accounts matured 180 days, whose
    window ended long before as_of_end.
-#}

with

accounts as (
    select
        account_id,
        signup_at
    from {{ ref('int_accounts_enriched') }}
),

aha_definitions as (
    select event_name from {{ ref('aha_definitions') }}
),

value_actions as (
    select event_name from {{ ref('event_catalog') }}
    where is_value_action
),

{#
    The clean events of each account's window that can be candidates (value actions and aha
    events; the classification below keeps those of customer users). The classification reads
    them twice: two scans, rather than have DuckDB keep a copy of every such event.
#}
window_events as {{ activation_not_materialized() }} (
    select events.*
    from {{ ref('stg_product__events') }} as events
    inner join accounts
        on events.account_id = accounts.account_id
    where
        events.event_at
        <= {{ dbt.dateadd('day', var('activation__aha_candidate_window_days'), 'accounts.signup_at') }}
        and (
            events.event_name in (select value_actions.event_name from value_actions)
            or events.event_name in (select aha_definitions.event_name from aha_definitions)
        )
),

{{ activation_classify_events('window_events') }}

early_actions as (
    select
        account_id,
        event_name
    from classified
    where is_included and is_customer_user
),

final as (
    select
        account_id,
        event_name,
        count(*) as n_actions
    from early_actions
    group by account_id, event_name
)

select * from final
