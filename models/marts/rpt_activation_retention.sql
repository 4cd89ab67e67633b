{#-
    Does activation predict retention? Over accounts matured 90 days (signup_date + 90 <=
    as_of_date), the 90-day churn rate of accounts that did and did not reach each milestone
    within its cohort window (activation_benchmarks.cohort_days: setup and aha 30 days after
    signup_at, team habit team_habit_date <= signup_date + 60), and of each account TTFV bucket
    (fct_account_activation.ttfv_bucket: the fct_user_ttfv buckets applied to the account's
    ttfv_minutes, ordered by macro activation_ttfv_bucket_order).

    Long shape, one row per (breakdown, segment): breakdown is a milestone (setup_complete,
    aha, team_habit) with segments reached / not_reached, or ttfv_bucket with one segment per
    bucket. relative_churn_risk compares a segment with every other matured account of the
    same breakdown, so on a milestone's not_reached row it is the risk of not reaching it
    relative to reaching it (the seed documents expect 3-5x).
-#}

with

retention as (
    select
        account_id,
        is_retained_90d
    from {{ ref('fct_account_retention') }}
    where is_retained_90d is not null
),

activation as (
    select
        account_id,
        signup_date,
        signup_at,
        setup_at,
        aha_at,
        team_habit_date,
        ttfv_bucket
    from {{ ref('fct_account_activation') }}
),

windows as (
    select
        milestone,
        cohort_days
    from {{ ref('activation_benchmarks') }}
    where milestone in ('setup_complete', 'aha', 'team_habit')
),

matured as (
    select
        retention.account_id,
        not retention.is_retained_90d as is_churned_90d,
        activation.signup_date,
        activation.signup_at,
        activation.setup_at,
        activation.aha_at,
        activation.team_habit_date,
        activation.ttfv_bucket
    from retention
    inner join activation
        on retention.account_id = activation.account_id
),

milestone_outcomes as (
    select
        windows.milestone as breakdown,
        windows.cohort_days as window_days,
        matured.account_id,
        matured.is_churned_90d,
        coalesce(case windows.milestone
            when 'setup_complete'
                then matured.setup_at <= {{ dbt.dateadd('day', 'windows.cohort_days', 'matured.signup_at') }}
            when 'aha'
                then matured.aha_at <= {{ dbt.dateadd('day', 'windows.cohort_days', 'matured.signup_at') }}
            when 'team_habit'
                then matured.team_habit_date <= {{ dbt.dateadd('day', 'windows.cohort_days', 'matured.signup_date') }}
        end, false) as is_reached
    from matured
    cross join windows
),

segments as (
    select
        breakdown,
        case when is_reached then 'reached' else 'not_reached' end as segment,
        case when is_reached then 1 else 2 end as segment_order,
        window_days,
        account_id,
        is_churned_90d
    from milestone_outcomes

    union all

    select
        'ttfv_bucket' as breakdown,
        ttfv_bucket as segment,
        {{ activation_ttfv_bucket_order('ttfv_bucket') }} as segment_order,
        cast(null as {{ dbt.type_bigint() }}) as window_days,
        account_id,
        is_churned_90d
    from matured
),

segment_counts as (
    select
        breakdown,
        segment,
        segment_order,
        window_days,
        count(*) as accounts,  -- noqa: RF04
        sum(case when is_churned_90d then 1 else 0 end) as churned_90d
    from segments
    group by breakdown, segment, segment_order, window_days
),

breakdown_totals as (
    select
        breakdown,
        sum(accounts) as accounts,  -- noqa: RF04
        sum(churned_90d) as churned_90d
    from segment_counts
    group by breakdown
),

rates as (
    select
        segment_counts.breakdown,
        segment_counts.segment,
        segment_counts.segment_order,
        segment_counts.window_days,
        segment_counts.accounts,
        cast(segment_counts.churned_90d as {{ dbt.type_bigint() }}) as churned_90d,
        cast(segment_counts.churned_90d as {{ activation_type_double() }})
        / segment_counts.accounts as churn_rate_90d,
        cast(breakdown_totals.accounts - segment_counts.accounts as {{ dbt.type_bigint() }}) as other_accounts,
        case
            when breakdown_totals.accounts > segment_counts.accounts
                then cast(
                        breakdown_totals.churned_90d
                        - segment_counts.churned_90d as {{ activation_type_double() }}
                    )
                    / (breakdown_totals.accounts - segment_counts.accounts)
        end as other_churn_rate_90d
    from segment_counts
    inner join breakdown_totals
        on segment_counts.breakdown = breakdown_totals.breakdown
),

final as (
    select
        breakdown,
        segment,
        cast(segment_order as {{ dbt.type_bigint() }}) as segment_order,
        window_days,
        accounts,
        churned_90d,
        churn_rate_90d,
        other_accounts,
        other_churn_rate_90d,
        case when other_churn_rate_90d > 0 then churn_rate_90d / other_churn_rate_90d end as relative_churn_risk
    from rates
)

select * from final
