-- One row per account and feature ever used before as_of_end by a known, non-internal user
-- (SPEC section 5): when it was first and last used and how broadly in the last 30 days and the
-- last 4 completed ISO weeks. Feature = event_catalog.feature (properties.feature for
-- Core_Action_Executed), over every valid event with a feature, value action or not.

with

accounts as (
    select account_id from {{ ref('int_accounts_enriched') }}
),

feature_days as (
    select * from {{ ref('int_events_aggregated_daily') }}
    where
        is_customer_user
        and feature is not null
        and event_date <= {{ activation_as_of_date() }}
),

horizon as (
    select
        {{ dbt.dateadd('day', -29, activation_as_of_date()) }} as window_30d_start_date,
        {{ dbt.dateadd('day', -28, dbt.date_trunc('week', activation_as_of_date())) }} as weeks_start_date,
        {{ dbt.dateadd('day', -7, dbt.date_trunc('week', activation_as_of_date())) }} as last_week_start_date
),

feature_use as (
    select
        feature_days.account_id,
        feature_days.feature,
        feature_days.user_id,
        feature_days.is_advanced_feature,
        feature_days.event_date,
        cast({{ dbt.date_trunc('week', 'feature_days.event_date') }} as date) as week_start_date,
        feature_days.first_event_at,
        feature_days.last_event_at
    from feature_days
    inner join accounts
        on feature_days.account_id = accounts.account_id
),

-- over the whole history: cheap aggregates only
feature_history as (
    select
        account_id,
        feature,
        max(case when is_advanced_feature then 1 else 0 end) = 1 as is_advanced_feature,
        min(first_event_at) as first_used_at,
        max(last_event_at) as last_used_at
    from feature_use
    group by account_id, feature
),

-- the distinct counts need only the last 35 days at most (the 30-day window and the 4 completed
-- weeks), so they read those rows only
recent_use as (
    select
        feature_use.account_id,
        feature_use.feature,
        feature_use.user_id,
        feature_use.event_date,
        feature_use.week_start_date,
        feature_use.event_date >= horizon.window_30d_start_date as is_in_30d,
        feature_use.week_start_date >= horizon.weeks_start_date
        and feature_use.week_start_date <= horizon.last_week_start_date as is_in_last_4_weeks
    from feature_use
    cross join horizon
    where
        feature_use.event_date >= horizon.window_30d_start_date
        or feature_use.week_start_date >= horizon.weeks_start_date
),

recent_counts as (
    select
        account_id,
        feature,
        count(distinct case when is_in_30d then event_date end) as active_days_30d,
        count(distinct case when is_in_30d then user_id end) as users_30d,
        count(distinct case when is_in_last_4_weeks then week_start_date end) as weeks_used_last_4
    from recent_use
    group by account_id, feature
),

final as (
    select
        feature_history.account_id,
        feature_history.feature,
        coalesce(recent_counts.active_days_30d, 0) as active_days_30d,
        coalesce(recent_counts.users_30d, 0) as users_30d,
        coalesce(recent_counts.weeks_used_last_4, 0) as weeks_used_last_4,
        feature_history.is_advanced_feature,
        feature_history.first_used_at,
        feature_history.last_used_at
    from feature_history
    left join recent_counts
        on
            feature_history.account_id = recent_counts.account_id
            and feature_history.feature = recent_counts.feature
)

select * from final
