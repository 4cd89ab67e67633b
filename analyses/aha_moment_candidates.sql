{#-
    Aha-moment candidates (SPEC section 6). Over accounts matured 180 days (fct_account_retention
    is_retained_180d not null), for each vertical (and `all`) and each event_name: the share of
    retained and of churned accounts that did the event (a valid event by a known non-internal
    user) in their first 14 days (event_at <= signup_at + 14 days), and the lift = retained
    share / churned share.

    An event no churned account did has an infinite raw lift (lift is null then), and an event
    done by 1 of 3 retained accounts can look better than one done by 300 of 900. Candidates are
    therefore ranked by a Laplace-smoothed lift, ((retained_did + 1) / (retained_accounts + 2)) /
    ((churned_did + 1) / (churned_accounts + 2)), which stays finite and shrinks small samples
    towards 1. is_aha_event marks the vertical's current aha_definitions events, so a glance
    shows whether the configured aha moment is among the best separators.

    Compile with `dbt compile --select aha_moment_candidates` and run target/compiled/...
    The mart fct_aha_candidates is the scheduled, tested version of this question: value actions
    done at least n times, the configured aha definition as a whole, a 95% interval on the lift
    and a minimum support; this analysis keeps the SPEC's one-use view over every event name.
-#}

with

retention as (
    select
        account_id,
        vertical,
        signup_at,
        is_retained_180d
    from {{ ref('fct_account_retention') }}
    where is_retained_180d is not null
),

event_days as (
    select
        account_id,
        event_name,
        first_event_at
    from {{ ref('int_events_aggregated_daily') }}
    where is_customer_user
),

aha_events as (
    select distinct
        vertical,
        event_name
    from {{ ref('aha_definitions') }}
),

accounts as (
    select
        account_id,
        vertical,
        signup_at,
        is_retained_180d
    from retention
    union all
    select
        account_id,
        'all' as vertical,
        signup_at,
        is_retained_180d
    from retention
),

early_events as (
    select distinct
        retention.account_id,
        event_days.event_name
    from retention
    inner join event_days
        on retention.account_id = event_days.account_id
            and event_days.first_event_at <= {{ dbt.dateadd('day', 14, 'retention.signup_at') }}
),

population as (
    select
        vertical,
        cast(sum(case when is_retained_180d then 1 else 0 end) as bigint) as retained_accounts,
        cast(sum(case when is_retained_180d then 0 else 1 end) as bigint) as churned_accounts
    from accounts
    group by vertical
),

event_counts as (
    select
        accounts.vertical,
        early_events.event_name,
        cast(sum(case when accounts.is_retained_180d then 1 else 0 end) as bigint) as retained_did,
        cast(sum(case when accounts.is_retained_180d then 0 else 1 end) as bigint) as churned_did
    from accounts
    inner join early_events
        on accounts.account_id = early_events.account_id
    group by accounts.vertical, early_events.event_name
),

shares as (
    select
        event_counts.vertical,
        event_counts.event_name,
        population.retained_accounts,
        population.churned_accounts,
        event_counts.retained_did,
        event_counts.churned_did,
        case when population.retained_accounts > 0
                then cast(event_counts.retained_did as double precision) / population.retained_accounts
        end as share_retained,
        case when population.churned_accounts > 0
                then cast(event_counts.churned_did as double precision) / population.churned_accounts
        end as share_churned,
        (cast(event_counts.retained_did as double precision) + 1) / (population.retained_accounts + 2)
        / ((cast(event_counts.churned_did as double precision) + 1) / (population.churned_accounts + 2))
            as smoothed_lift
    from event_counts
    inner join population
        on event_counts.vertical = population.vertical
),

final as (
    select
        shares.vertical,
        shares.event_name,
        shares.retained_accounts,
        shares.churned_accounts,
        shares.retained_did,
        shares.churned_did,
        shares.share_retained,
        shares.share_churned,
        case when shares.share_churned > 0 then shares.share_retained / shares.share_churned end as lift,
        shares.smoothed_lift,
        row_number() over (
            partition by shares.vertical order by shares.smoothed_lift desc, shares.event_name asc
        ) as lift_rank,
        aha_events.event_name is not null as is_aha_event
    from shares
    left join aha_events
        on shares.vertical = aha_events.vertical
            and shares.event_name = aha_events.event_name
)

select * from final
order by vertical, lift_rank
