-- activation_stage is the furthest milestone ever reached (as of as_of_end), a funnel:
-- team_habit needs all three timestamps, aha needs setup and aha, setup needs setup.
-- setup_progress is 1 exactly when setup_at is set. is_ttfv_on_target agrees with ttfv and the
-- vertical target (null only while the target window is open without a value action).

with

accounts as (
    select * from {{ ref('fct_account_activation') }}
),

checked as (
    select
        *,
        case
            when setup_at is not null and aha_at is not null and team_habit_date is not null then 'team_habit'
            when setup_at is not null and aha_at is not null then 'aha'
            when setup_at is not null then 'setup'
            else 'signed_up'
        end as expected_stage,
        case
            when first_value_at is not null then ttfv_minutes <= target_ttfv_minutes
            when                 {{ dbt.dateadd('minute', 'target_ttfv_minutes', 'signup_at') }}
                <= {{ activation_as_of_end() }}
                then false
        end as expected_is_ttfv_on_target
    from accounts
)

select * from checked
where
    activation_stage != expected_stage
    or (setup_progress = 1) != (setup_at is not null)
    or (ttfv_minutes is null) != (first_value_at is null)
    or (
        coalesce(is_ttfv_on_target != expected_is_ttfv_on_target, true)
        and not (is_ttfv_on_target is null and expected_is_ttfv_on_target is null)
    )
