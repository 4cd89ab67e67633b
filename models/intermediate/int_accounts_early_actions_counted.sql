{#-
    Per non-test account and candidate action (a value action of event_catalog, or an event of
    aha_definitions, which need not be a value action): how many times the account's customer
    users (known, non-internal) did it within the first
    activation__aha_candidate_window_days (14) days of signup, event_at <= signup_at + 14 days
    (windows include their end, SPEC section 0). Only actions done at least once in the window
    have a row. The input of fct_aha_candidates (issue 14): which early behaviours separate
    retained from churned accounts.

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

classified as (
    select * from {{ ref('int_events_classified') }}
),

aha_definitions as (
    select event_name from {{ ref('aha_definitions') }}
),

value_actions as (
    select
        account_id,
        event_name,
        event_at
    from classified
    where
        is_included
        and is_customer_user
        and (is_value_action or event_name in (select aha_definitions.event_name from aha_definitions))
),

early_actions as (
    select
        value_actions.account_id,
        value_actions.event_name
    from value_actions
    inner join accounts
        on value_actions.account_id = accounts.account_id
    where value_actions.event_at
        <= {{ dbt.dateadd('day', var('activation__aha_candidate_window_days'), 'accounts.signup_at') }}
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
