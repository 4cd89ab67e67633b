{#-
    Milestone survival curves (issue 14): for each signup month (and all signups, cohort_month
    null), each milestone and each day since signup from 0 to activation__survival_max_days (90),
    the share of accounts that reached the milestone by that day, estimated Kaplan-Meier style.

    An account is observed for as_of_date - signup_date days. It reaches a milestone on day
    k = reached date - signup_date (setup_at, aha_at, team_habit_date, as of as_of_end; never
    before day 0). On day d the accounts at risk are those not reached before d and observed at
    least d days; an account too young to have reached day d leaves the denominator (it is
    censored), it never counts as a failure. The share reached by day d is
    1 - prod over k <= d of (1 - reached on day k / at risk on day k), computed as a sum of
    logarithms and rounded to 9 decimals (below that, floating-point noise). Past the last day any account of the cohort was observed (nobody at risk) the
    share is unknown (null), unless every account had reached it before.
    naive_share_reached is what a funnel shows: reached by day d over every account of the
    cohort, young ones counted as not reached.
-#}

with

accounts as (
    select
        account_id,
        cohort_month,
        signup_date,
        setup_at,
        aha_at,
        team_habit_date
    from {{ ref('fct_account_activation') }}
),

digits as (
    {%- for digit in range(10) %}
    select {{ digit }} as digit{% if not loop.last %}
    union all{% endif %}
    {%- endfor %}
),

days as (
    select hundreds.digit * 100 + tens.digit * 10 + units.digit as day_since_signup
    from digits as hundreds
    cross join digits as tens
    cross join digits as units
    where hundreds.digit * 100 + tens.digit * 10 + units.digit <= {{ var('activation__survival_max_days') }}
),

milestones_reached as (
    select
        account_id,
        cohort_month,
        signup_date,
        'setup_complete' as milestone,
        cast(setup_at as date) as reached_date
    from accounts
    union all
    select
        account_id,
        cohort_month,
        signup_date,
        'aha' as milestone,
        cast(aha_at as date) as reached_date
    from accounts
    union all
    select
        account_id,
        cohort_month,
        signup_date,
        'team_habit' as milestone,
        team_habit_date as reached_date
    from accounts
),

-- the day each account leaves the risk set: the day it reached the milestone, or its last
-- observed day (censored)
exits as (
    select
        cohort_month,
        milestone,
        reached_date is not null as is_reached,
        case
            when reached_date is null
                then {{ dbt.datediff('signup_date', activation_as_of_date(), 'day') }}
            when reached_date < signup_date then 0
            else {{ dbt.datediff('signup_date', 'reached_date', 'day') }}
        end as exit_day
    from milestones_reached
),

-- every cohort once, and all signups together (cohort_month null)
cohort_exits as (
    select
        cohort_month,
        milestone,
        is_reached,
        exit_day
    from exits
    union all
    select
        null as cohort_month,
        milestone,
        is_reached,
        exit_day
    from exits
),

exit_counts as (
    select
        cohort_month,
        milestone,
        exit_day,
        sum(case when is_reached then 1 else 0 end) as reached_on_day,
        sum(case when is_reached then 0 else 1 end) as censored_on_day
    from cohort_exits
    group by cohort_month, milestone, exit_day
),

cohorts as (
    select
        cohort_month,
        milestone,
        count(*) as accounts_in_cohort
    from cohort_exits
    group by cohort_month, milestone
),

cohort_days as (
    select
        cohorts.cohort_month,
        cohorts.milestone,
        cohorts.accounts_in_cohort,
        days.day_since_signup,
        coalesce(exit_counts.reached_on_day, 0) as reached_on_day,
        coalesce(exit_counts.censored_on_day, 0) as censored_on_day
    from cohorts
    cross join days
    left join exit_counts
        on cohorts.milestone = exit_counts.milestone
            and days.day_since_signup = exit_counts.exit_day
            and (
                cohorts.cohort_month = exit_counts.cohort_month
                or (cohorts.cohort_month is null and exit_counts.cohort_month is null)
            )
),

at_risk as (
    select
        *,
        -- everyone of the cohort minus those who left on an earlier day
        accounts_in_cohort - coalesce(sum(reached_on_day + censored_on_day) over (
            partition by cohort_month, milestone order by day_since_signup
            rows between unbounded preceding and 1 preceding
        ), 0) as accounts_at_risk,
        sum(reached_on_day) over (
            partition by cohort_month, milestone order by day_since_signup
            rows between unbounded preceding and current row
        ) as accounts_reached_by_day
    from cohort_days
),

survival_factors as (
    select
        *,
        -- the share not reaching it on this day among those at risk; unknown with nobody at risk
        case
            when accounts_at_risk > 0
                then 1 - cast(reached_on_day as {{ activation_type_double() }}) / accounts_at_risk
        end as survival_factor
    from at_risk
),

survival as (
    select
        *,
        -- the product of the factors so far: 0 once a factor is 0 (everyone at risk reached)
        max(case when survival_factor = 0 then 1 else 0 end) over (
            partition by cohort_month, milestone order by day_since_signup
            rows between unbounded preceding and current row
        ) as has_everyone_reached,
        sum(case when survival_factor > 0 then ln(survival_factor) end) over (
            partition by cohort_month, milestone order by day_since_signup
            rows between unbounded preceding and current row
        ) as log_survival
    from survival_factors
),

final as (
    select
        cohort_month,
        milestone,
        cast(day_since_signup as {{ dbt.type_bigint() }}) as day_since_signup,
        cast(accounts_in_cohort as {{ dbt.type_bigint() }}) as accounts_in_cohort,
        cast(accounts_at_risk as {{ dbt.type_bigint() }}) as accounts_at_risk,
        cast(reached_on_day as {{ dbt.type_bigint() }}) as accounts_reached_on_day,
        cast(censored_on_day as {{ dbt.type_bigint() }}) as accounts_censored_on_day,
        cast(accounts_reached_by_day as {{ dbt.type_bigint() }}) as accounts_reached_by_day,
        cast(
            case
                when has_everyone_reached = 1 then 1
                when accounts_at_risk > 0 then {{ activation_round_double('1 - exp(coalesce(log_survival, 0))', 9) }}
            end as {{ activation_type_double() }}
        ) as share_reached,
        cast(accounts_reached_by_day as {{ activation_type_double() }}) / accounts_in_cohort
            as naive_share_reached
    from survival
)

select * from final
