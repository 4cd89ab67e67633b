-- fct_milestone_survival: every curve (cohort, milestone) has each day 0..max once; along a
-- curve the risk set never grows, the counts reached never fall and the Kaplan-Meier share
-- never falls; and the all-signups curve holds every account of fct_account_activation, as the
-- month curves together do.

with

survival as (
    select * from {{ ref('fct_milestone_survival') }}
),

accounts as (
    select count(*) as n_accounts from {{ ref('fct_account_activation') }}
),

steps as (
    select
        cohort_month,
        milestone,
        day_since_signup,
        accounts_at_risk,
        accounts_reached_by_day,
        share_reached,
        lag(accounts_at_risk) over (
            partition by cohort_month, milestone order by day_since_signup
        ) as previous_at_risk,
        lag(accounts_reached_by_day) over (
            partition by cohort_month, milestone order by day_since_signup
        ) as previous_reached_by_day,
        max(share_reached) over (
            partition by cohort_month, milestone order by day_since_signup
            rows between unbounded preceding and 1 preceding
        ) as highest_share_before
    from survival
),

falls as (
    select
        'falls' as problem,
        cohort_month,
        milestone,
        day_since_signup
    from steps
    where
        accounts_at_risk > previous_at_risk
        or accounts_reached_by_day < previous_reached_by_day
        or share_reached < highest_share_before - 1e-12
),

curves as (
    select
        cohort_month,
        milestone,
        count(*) as n_days,
        min(day_since_signup) as first_day,
        max(day_since_signup) as last_day,
        max(accounts_in_cohort) as accounts_in_cohort
    from survival
    group by cohort_month, milestone
),

broken_curves as (
    select
        'not every day once' as problem,
        cohort_month,
        milestone,
        cast(null as {{ dbt.type_bigint() }}) as day_since_signup
    from curves
    where
        n_days != {{ var('activation__survival_max_days') }} + 1
        or first_day != 0
        or last_day != {{ var('activation__survival_max_days') }}
),

totals as (
    select
        milestone,
        sum(case when cohort_month is null then accounts_in_cohort else 0 end) as all_signups,
        sum(case when cohort_month is not null then accounts_in_cohort else 0 end) as month_signups
    from curves
    group by milestone
),

missing_accounts as (
    select
        'accounts missing' as problem,
        cast(null as date) as cohort_month,
        totals.milestone,
        cast(null as {{ dbt.type_bigint() }}) as day_since_signup
    from totals
    cross join accounts
    where totals.all_signups != accounts.n_accounts or totals.month_signups != accounts.n_accounts
)

select * from falls
union all
select * from broken_curves
union all
select * from missing_accounts
