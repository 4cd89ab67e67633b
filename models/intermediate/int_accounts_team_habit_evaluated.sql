{#-
    One row per account (int_accounts_enriched) with team_habit_date, the first date D from
    signup_date to as_of_date on which both team habit criteria hold (SPEC section 4, Milestone
    3), and whether both hold on as_of_date:
    (a) organic_users_14d >= var activation__habit_min_users (distinct customer users with an
        organic value action in [D-13, D]);
    (b) organic_weeks_last_4 >= var activation__habit_min_weeks (of the 4 completed ISO weeks
        before D's week, those with an organic value action).
    int_account_days_aggregated has a row for every date, so a date with no event (say a Monday,
    when (b) moves to a new set of weeks) is evaluated like any other.
-#}

with

accounts as (
    select account_id from {{ ref('int_accounts_enriched') }}
),

account_days as (
    select * from {{ ref('int_account_days_aggregated') }}
    where metric_date <= {{ activation_as_of_date() }}
),

habit_days as (
    select
        account_id,
        metric_date,
        organic_users_14d >= {{ var('activation__habit_min_users') }}
        and organic_weeks_last_4 >= {{ var('activation__habit_min_weeks') }} as is_team_habit
    from account_days
),

first_habit_days as (
    select
        account_id,
        min(metric_date) as team_habit_date
    from habit_days
    where is_team_habit
    group by account_id
),

habit_on_as_of_date as (
    select
        account_id,
        is_team_habit
    from habit_days
    where metric_date = {{ activation_as_of_date() }}
),

final as (
    select
        accounts.account_id,
        coalesce(habit_on_as_of_date.is_team_habit, false) as is_team_habit_current,
        first_habit_days.team_habit_date
    from accounts
    left join first_habit_days
        on accounts.account_id = first_habit_days.account_id
    left join habit_on_as_of_date
        on accounts.account_id = habit_on_as_of_date.account_id
)

select * from final
