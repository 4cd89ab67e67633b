{#-
    One row per account and date from signup_date to as_of_date with the rolling activity the
    daily metrics need: customer users with a value action in the last 30 days (team activation
    rate), customer users with an organic value action in the last 14 days and the number of the
    4 completed ISO weeks before the date's week with organic value actions (team habit).

    Incremental: every run recomputes, per account, the dates from `recompute_from_date` to
    as_of_date: the dates after the last stored one (for every account), from the earliest
    date of the account in this run's event scopes (stg_product__event_scopes; a whole account
    from its signup_date), and the whole account when it is new or its signup_date moved
    (activation_account_days_recompute_from). The rolling values of those dates need only the
    35 days before (30-day window; 4 prior ISO weeks end at most 34 days earlier), so the model
    reads activity from `read_from_date` on; a full refresh is the same computation with every
    account recomputed from its signup_date. The post-hook
    (activation_prune_account_dates) removes rows a full rebuild would no longer produce.
-#}
{{
    config(
        materialized=activation_incremental_materialization(),
        unique_key=['account_id', 'metric_date'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        activation_sources=['events', 'accounts', 'users', 'interventions'],
        pre_hook="{{ activation_incremental_pre_hook() }}",
        post_hook=["{{ activation_prune_account_dates() }}", "{{ activation_advance_manifest() }}"],
    )
}}
-- depends_on: {{ ref('stg_product__event_scopes') }}

with

accounts as (
    select
        account_id,
        signup_date
    from {{ ref('int_accounts_enriched') }}
),

{#- the rolling windows need the 35 days before a recomputed date -#}
{{ activation_account_days_recompute_from(lookback_days=35) }}

activity as (
    select daily.*
    from {{ ref('int_events_aggregated_daily') }} as daily
    inner join recomputed_accounts
        on daily.account_id = recomputed_accounts.account_id
    where
        daily.is_customer_user
        and daily.is_value_action
        and daily.event_date >= recomputed_accounts.read_from_date
        and daily.event_date <= {{ activation_as_of_date() }}
),

-- one row per customer user and day with a value action, and whether one was organic
user_days as (
    select
        account_id,
        user_id,
        event_date as activity_date,
        max(n_organic_value_actions) > 0 as has_organic_value_action
    from activity
    group by account_id, user_id, event_date
),

value_user_days as (
    select
        account_id,
        user_id,
        activity_date
    from user_days
),

organic_user_days as (
    select
        account_id,
        user_id,
        activity_date
    from user_days
    where has_organic_value_action
),

value_user_deltas as (
    {{ activation_user_window_deltas('value_user_days', 30) }}
),

organic_user_deltas as (
    {{ activation_user_window_deltas('organic_user_days', 14) }}
),

calendar as (
    {{ activation_date_series('min(read_from_date)', activation_as_of_date(), 'from recomputed_accounts') }}
),

spine as (
    select
        recomputed_accounts.account_id,
        recomputed_accounts.recompute_from_date,
        calendar.date_day as metric_date,
        cast({{ dbt.date_trunc('week', 'calendar.date_day') }} as date) as week_start_date
    from recomputed_accounts
    inner join calendar
        on recomputed_accounts.read_from_date <= calendar.date_day
),

organic_weeks as (
    select distinct
        account_id,
        cast({{ dbt.date_trunc('week', 'activity_date') }} as date) as week_start_date
    from organic_user_days
),

account_weeks as (
    select distinct
        account_id,
        week_start_date
    from spine
),

prior_organic_weeks as (
    select
        account_weeks.account_id,
        account_weeks.week_start_date,
        count(organic_weeks.week_start_date) as organic_weeks_last_4
    from account_weeks
    left join organic_weeks
        on account_weeks.account_id = organic_weeks.account_id
            and organic_weeks.week_start_date >= {{ dbt.dateadd('day', -28, 'account_weeks.week_start_date') }}
            and organic_weeks.week_start_date <= {{ dbt.dateadd('day', -7, 'account_weeks.week_start_date') }}
    group by account_weeks.account_id, account_weeks.week_start_date
),

daily_changes as (
    select
        spine.account_id,
        spine.recompute_from_date,
        spine.metric_date,
        spine.week_start_date,
        coalesce(value_user_deltas.user_delta, 0) as value_user_delta,
        coalesce(organic_user_deltas.user_delta, 0) as organic_user_delta
    from spine
    left join value_user_deltas
        on spine.account_id = value_user_deltas.account_id
            and spine.metric_date = value_user_deltas.change_date
    left join organic_user_deltas
        on spine.account_id = organic_user_deltas.account_id
            and spine.metric_date = organic_user_deltas.change_date
),

rolled as (
    select
        daily_changes.account_id,
        daily_changes.recompute_from_date,
        daily_changes.metric_date,
        daily_changes.week_start_date,
        sum(daily_changes.value_user_delta) over (
            partition by daily_changes.account_id order by daily_changes.metric_date
            rows between unbounded preceding and current row
        ) as active_users_30d,
        sum(daily_changes.organic_user_delta) over (
            partition by daily_changes.account_id order by daily_changes.metric_date
            rows between unbounded preceding and current row
        ) as organic_users_14d,
        prior_organic_weeks.organic_weeks_last_4
    from daily_changes
    inner join prior_organic_weeks
        on daily_changes.account_id = prior_organic_weeks.account_id
            and daily_changes.week_start_date = prior_organic_weeks.week_start_date
),

final as (
    select
        rolled.account_id,
        rolled.metric_date,
        rolled.week_start_date,
        rolled.active_users_30d,
        rolled.organic_users_14d,
        rolled.organic_weeks_last_4
    from rolled
    where rolled.metric_date >= rolled.recompute_from_date
)

select * from final
