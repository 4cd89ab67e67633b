-- One row per non-test account signed up before as_of_end: the three activation milestones
-- with their status against the target windows, the activation stage, time to first value and
-- adoption as of as_of_date. The logic lives in int_accounts_activation_evaluated.

with

accounts as (
    select * from {{ ref('int_accounts_activation_evaluated') }}
),

final as (
    select
        account_id,
        account_name,
        vertical,
        motion,
        aha_scope,
        setup_status,
        aha_status,
        team_habit_status,
        activation_stage,
        ttfv_bucket,
        tar_health,
        setup_progress,
        ttfv_minutes,
        target_ttfv_minutes,
        licensed_seats,
        active_seats_30d,
        tar,
        features_used_30d,
        is_team_habit_current,
        has_advanced_feature,
        is_ttfv_on_target,
        signup_date,
        cohort_month,
        cohort_week,
        team_habit_date,
        signup_at,
        setup_at,
        aha_at,
        first_value_at
    from accounts
)

select * from final
