-- Per cohort grain, the cohorts of fct_activation_cohorts, of fct_activation_cohorts_by_segment
-- and (month grain) of fct_ttfv_cohorts hold every account of fct_account_activation exactly
-- once, and the matured and milestone counts agree between the two cohort marts.

with

accounts as (
    select
        count(*) as accounts_signed_up,
        count(case when {{ dbt.dateadd('day', 30, 'signup_date') }} <= {{ activation_as_of_date() }} then 1 end)
            as accounts_matured_30d,
        count(case when {{ dbt.dateadd('day', 60, 'signup_date') }} <= {{ activation_as_of_date() }} then 1 end)
            as accounts_matured_60d
    from {{ ref('fct_account_activation') }}
),

grains as (
    select 'week' as cohort_grain
    union all
    select 'month' as cohort_grain
),

cohort_totals as (
    select
        cohort_grain,
        sum(accounts_signed_up) as accounts_signed_up,
        sum(accounts_matured_30d) as accounts_matured_30d,
        sum(accounts_matured_60d) as accounts_matured_60d,
        sum(setup_30d) as setup_30d,
        sum(aha_30d) as aha_30d,
        sum(team_habit_60d) as team_habit_60d
    from {{ ref('fct_activation_cohorts') }}
    group by cohort_grain
),

segment_totals as (
    select
        cohort_grain,
        sum(accounts_signed_up) as accounts_signed_up,
        sum(accounts_matured_30d) as accounts_matured_30d,
        sum(accounts_matured_60d) as accounts_matured_60d,
        sum(setup_30d) as setup_30d,
        sum(aha_30d) as aha_30d,
        sum(team_habit_60d) as team_habit_60d
    from {{ ref('fct_activation_cohorts_by_segment') }}
    group by cohort_grain
),

ttfv_totals as (
    select
        'month' as cohort_grain,
        sum(accounts_signed_up) as accounts_signed_up,
        sum(accounts_matured_30d) as accounts_matured_30d
    from {{ ref('fct_ttfv_cohorts') }}
),

compared as (
    select
        grains.cohort_grain,
        accounts.accounts_signed_up as expected_signed_up,
        cohort_totals.accounts_signed_up as cohort_signed_up,
        segment_totals.accounts_signed_up as segment_signed_up,
        ttfv_totals.accounts_signed_up as ttfv_signed_up,
        accounts.accounts_matured_30d as expected_matured_30d,
        cohort_totals.accounts_matured_30d as cohort_matured_30d,
        segment_totals.accounts_matured_30d as segment_matured_30d,
        ttfv_totals.accounts_matured_30d as ttfv_matured_30d,
        accounts.accounts_matured_60d as expected_matured_60d,
        cohort_totals.accounts_matured_60d as cohort_matured_60d,
        segment_totals.accounts_matured_60d as segment_matured_60d,
        cohort_totals.setup_30d as cohort_setup_30d,
        segment_totals.setup_30d as segment_setup_30d,
        cohort_totals.aha_30d as cohort_aha_30d,
        segment_totals.aha_30d as segment_aha_30d,
        cohort_totals.team_habit_60d as cohort_team_habit_60d,
        segment_totals.team_habit_60d as segment_team_habit_60d
    from grains
    cross join accounts
    left join cohort_totals
        on grains.cohort_grain = cohort_totals.cohort_grain
    left join segment_totals
        on grains.cohort_grain = segment_totals.cohort_grain
    left join ttfv_totals
        on grains.cohort_grain = ttfv_totals.cohort_grain
)

select * from compared
where
    coalesce(cohort_signed_up, 0) != expected_signed_up
    or coalesce(segment_signed_up, 0) != expected_signed_up
    or (cohort_grain = 'month' and coalesce(ttfv_signed_up, 0) != expected_signed_up)
    or coalesce(cohort_matured_30d, 0) != expected_matured_30d
    or coalesce(segment_matured_30d, 0) != expected_matured_30d
    or (cohort_grain = 'month' and coalesce(ttfv_matured_30d, 0) != expected_matured_30d)
    or coalesce(cohort_matured_60d, 0) != expected_matured_60d
    or coalesce(segment_matured_60d, 0) != expected_matured_60d
    or cohort_setup_30d != segment_setup_30d
    or cohort_aha_30d != segment_aha_30d
    or cohort_team_habit_60d != segment_team_habit_60d
