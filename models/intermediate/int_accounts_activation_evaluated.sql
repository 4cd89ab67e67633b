{#-
    One row per non-test account signed up before as_of_end: the three activation milestones
    with their status against the target windows, the activation stage, and time to first value
    (SPEC sections 4 and 5). Statuses: achieved (within the window), pending (not achieved within
    it and the window ends after as_of_end: immature, not a failure), missed (window closed).
    fct_account_activation publishes it as is; the cohorts and the intervention conditions read
    it here, so that no intermediate model reads a mart.
-#}

with

accounts as (
    select * from {{ ref('int_accounts_enriched') }}
),

setup as (
    select * from {{ ref('int_accounts_setup_evaluated') }}
),

aha as (
    select * from {{ ref('int_accounts_aha_evaluated') }}
),

team_habit as (
    select * from {{ ref('int_accounts_team_habit_evaluated') }}
),

adoption as (
    select * from {{ ref('int_accounts_adoption_summarized') }}
),

joined as (
    select
        accounts.account_id,
        accounts.account_name,
        accounts.vertical,
        accounts.motion,
        accounts.aha_scope,
        accounts.target_ttfv_minutes,
        accounts.signup_date,
        accounts.cohort_month,
        accounts.cohort_week,
        accounts.signup_at,
        setup.setup_progress,
        setup.setup_at,
        aha.aha_at,
        team_habit.team_habit_date,
        team_habit.is_team_habit_current,
        adoption.tar_health,
        adoption.licensed_seats,
        adoption.active_seats_30d,
        adoption.tar,
        adoption.features_used_30d,
        adoption.has_advanced_feature,
        -- the first value action is setup criterion 5: a customer user's first value action
        setup.first_core_action_at as first_value_at,
        {{ dbt.dateadd('hour', var('activation__setup_target_hours'), 'accounts.signup_at') }} as setup_window_end_at,
        {{ dbt.dateadd('day', var('activation__aha_target_days'), 'accounts.signup_at') }} as aha_window_end_at,
        cast({{ dbt.dateadd('day', var('activation__team_habit_target_days'), 'accounts.signup_date') }} as date)
            as team_habit_window_end_date,
        {{ dbt.dateadd('minute', 'accounts.target_ttfv_minutes', 'accounts.signup_at') }} as ttfv_target_end_at
    from accounts
    left join setup
        on accounts.account_id = setup.account_id
    left join aha
        on accounts.account_id = aha.account_id
    left join team_habit
        on accounts.account_id = team_habit.account_id
    left join adoption
        on accounts.account_id = adoption.account_id
),

evaluated as (
    select
        *,
        case
            when setup_at <= setup_window_end_at then 'achieved'
            when setup_window_end_at > {{ activation_as_of_end() }} then 'pending'
            else 'missed'
        end as setup_status,
        case
            when aha_at <= aha_window_end_at then 'achieved'
            when aha_window_end_at > {{ activation_as_of_end() }} then 'pending'
            else 'missed'
        end as aha_status,
        case
            when team_habit_date <= team_habit_window_end_date then 'achieved'
            when team_habit_window_end_date > {{ activation_as_of_date() }} then 'pending'
            else 'missed'
        end as team_habit_status,
        case
            when setup_at is not null and aha_at is not null and team_habit_date is not null then 'team_habit'
            when setup_at is not null and aha_at is not null then 'aha'
            when setup_at is not null then 'setup'
            else 'signed_up'
        end as activation_stage,
        {{ activation_minutes_between('signup_at', 'first_value_at') }} as ttfv_minutes
    from joined
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
        {{ activation_ttfv_bucket('ttfv_minutes') }} as ttfv_bucket,
        tar_health,
        cast(setup_progress as {{ activation_type_double() }}) as setup_progress,
        cast(ttfv_minutes as {{ activation_type_double() }}) as ttfv_minutes,
        target_ttfv_minutes,
        licensed_seats,
        cast(active_seats_30d as {{ dbt.type_bigint() }}) as active_seats_30d,
        tar,
        features_used_30d,
        coalesce(is_team_habit_current, false) as is_team_habit_current,
        coalesce(has_advanced_feature, false) as has_advanced_feature,
        case
            when first_value_at is not null then ttfv_minutes <= target_ttfv_minutes
            when ttfv_target_end_at <= {{ activation_as_of_end() }} then false
        end as is_ttfv_on_target,
        signup_date,
        cohort_month,
        cohort_week,
        team_habit_date,
        signup_at,
        setup_at,
        aha_at,
        first_value_at
    from evaluated
)

select * from final
