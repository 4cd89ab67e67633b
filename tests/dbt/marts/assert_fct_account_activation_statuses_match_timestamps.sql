-- Each milestone status agrees with its timestamp, its target window and the as-of horizon:
-- achieved <=> reached within the window; pending <=> not achieved and the window ends after
-- as_of_end (team habit: signup_date + 30 > as_of_date); missed otherwise. No timestamp lies at or
-- after as_of_end. Returns the offending accounts.

with

accounts as (
    select * from {{ ref('fct_account_activation') }}
),

expected as (
    select
        account_id,
        setup_status,
        aha_status,
        team_habit_status,
        case
            when
                setup_at <= {{ dbt.dateadd('hour', var('activation__setup_target_hours'), 'signup_at') }}
                then 'achieved'
            when {{ dbt.dateadd('hour', var('activation__setup_target_hours'), 'signup_at') }}
                > {{ activation_as_of_end() }}
                then 'pending'
            else 'missed'
        end as expected_setup_status,
        case
            when aha_at <= {{ dbt.dateadd('day', var('activation__aha_target_days'), 'signup_at') }} then 'achieved'
            when {{ dbt.dateadd('day', var('activation__aha_target_days'), 'signup_at') }}
                > {{ activation_as_of_end() }}
                then 'pending'
            else 'missed'
        end as expected_aha_status,
        case
            when team_habit_date <= {{ dbt.dateadd('day', var('activation__team_habit_target_days'), 'signup_date') }}
                then 'achieved'
            when {{ dbt.dateadd('day', var('activation__team_habit_target_days'), 'signup_date') }}
                > {{ activation_as_of_date() }}
                then 'pending'
            else 'missed'
        end as expected_team_habit_status,
        setup_at >= {{ activation_as_of_end() }}
        or aha_at >= {{ activation_as_of_end() }}
        or first_value_at >= {{ activation_as_of_end() }}
        or team_habit_date > {{ activation_as_of_date() }}
        or signup_at >= {{ activation_as_of_end() }} as is_beyond_horizon
    from accounts
)

select * from expected
where
    setup_status != expected_setup_status
    or aha_status != expected_aha_status
    or team_habit_status != expected_team_habit_status
    or is_beyond_horizon
