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

daily as (
    select * from {{ ref('int_events_aggregated_daily') }}
),

{#- the rolling windows need the 35 days before a recomputed date -#}
{{ activation_account_days_recompute_from(lookback_days=35) }}

activity as (
    select daily.*
    from daily
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
    {{ activation_date_series('min(recompute_from_date)', activation_as_of_date(), 'from recomputed_accounts') }}
),

-- the dates this run recomputes
spine as (
    select
        recomputed_accounts.account_id,
        calendar.date_day as metric_date
    from recomputed_accounts
    inner join calendar
        on recomputed_accounts.recompute_from_date <= calendar.date_day
),

{#
    The running sums of the deltas need a row for each recomputed date and for each date with a
    change since read_from_date (the deltas start there, as the activity they come from does),
    not for every quiet day in between: a one-day nightly sums a few rows per account instead of
    its 35-day lookback.
#}
timeline as (
    select
        account_id,
        metric_date,
        true as is_recomputed,
        0 as value_user_delta,
        0 as organic_user_delta
    from spine
    union all
    select
        account_id,
        change_date as metric_date,
        false as is_recomputed,
        user_delta as value_user_delta,
        0 as organic_user_delta
    from value_user_deltas
    where change_date <= {{ activation_as_of_date() }}
    union all
    select
        account_id,
        change_date as metric_date,
        false as is_recomputed,
        0 as value_user_delta,
        user_delta as organic_user_delta
    from organic_user_deltas
    where change_date <= {{ activation_as_of_date() }}
),

-- every change up to and including the date (range: the changes of the date itself count)
rolled as (
    select
        account_id,
        metric_date,
        is_recomputed,
        sum(value_user_delta) over (
            partition by account_id order by metric_date
            range between unbounded preceding and current row
        ) as active_users_30d,
        sum(organic_user_delta) over (
            partition by account_id order by metric_date
            range between unbounded preceding and current row
        ) as organic_users_14d
    from timeline
),

recomputed_days as (
    select
        account_id,
        metric_date,
        cast({{ dbt.date_trunc('week', 'metric_date') }} as date) as week_start_date,
        active_users_30d,
        organic_users_14d
    from rolled
    where is_recomputed
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
    from recomputed_days
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

final as (
    select
        recomputed_days.account_id,
        recomputed_days.metric_date,
        recomputed_days.week_start_date,
        recomputed_days.active_users_30d,
        recomputed_days.organic_users_14d,
        prior_organic_weeks.organic_weeks_last_4
    from recomputed_days
    inner join prior_organic_weeks
        on recomputed_days.account_id = prior_organic_weeks.account_id
            and recomputed_days.week_start_date = prior_organic_weeks.week_start_date
)

select * from final
