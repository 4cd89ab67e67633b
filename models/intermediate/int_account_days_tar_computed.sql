{#-
    Team activation rate per account and date, from signup_date to as_of_date (SPEC section 5),
    computed once: the seats in force at the end of the date, customer users with a value action
    in the 30 days through it, TAR, its health band and the drop alert. fct_account_tar_daily
    publishes these rows; int_accounts_adoption_summarized takes the as_of_date row and the
    intervention conditions the alerts of the last 7 dates.

    Incremental, like int_account_days_aggregated (its input) and from the same run scope:
    per account, the dates from `recompute_from_date` on are recomputed
    (activation_account_days_recompute_from): new dates for every account, from the earliest
    changed date of an account in scope (a subscription change that landed puts its change
    date in scope: the seats it puts in force last from then on), and whole accounts that are
    new or whose signup moved. The date before recompute_from_date
    is read back too, only as the previous date of the drop alert. A full refresh is the same
    computation with every account recomputed from its signup_date.
-#}
{{
    config(
        materialized=activation_incremental_materialization(),
        unique_key=['account_id', 'metric_date'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        activation_sources=['events', 'accounts', 'users', 'interventions', 'subscriptions'],
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

aggregated_days as (
    select * from {{ ref('int_account_days_aggregated') }}
),

{#- the drop alert needs the previous date of the first recomputed one -#}
{{ activation_account_days_recompute_from(lookback_days=1) }}

account_days as (
    select
        account_days.account_id,
        account_days.metric_date,
        account_days.active_users_30d
    from aggregated_days as account_days
    inner join recomputed_accounts
        on account_days.account_id = recomputed_accounts.account_id
    where account_days.metric_date >= recomputed_accounts.read_from_date
),

subscription_changes as (
    select * from {{ ref('int_subscription_changes_sequenced') }}
),

tar_bands as (
    select
        benchmark_rate as healthy_rate,
        problem_below_rate as at_risk_rate
    from {{ ref('activation_benchmarks') }}
    where milestone = 'tar'
),

-- the seats in force at the end of a date come from the last change of that date, until the
-- next date with a change
end_of_date_seats as (
    select
        account_id,
        effective_seats as licensed_seats,
        change_date as valid_from_date,
        lead(change_date) over (partition by account_id order by change_date) as valid_until_date
    from subscription_changes
    where is_last_of_date
),

daily_seats as (
    select
        account_days.account_id,
        account_days.metric_date,
        recomputed_accounts.signup_date,
        recomputed_accounts.recompute_from_date,
        end_of_date_seats.licensed_seats,
        cast(account_days.active_users_30d as {{ dbt.type_bigint() }}) as active_seats_30d
    from account_days
    inner join recomputed_accounts
        on account_days.account_id = recomputed_accounts.account_id
    left join end_of_date_seats
        on account_days.account_id = end_of_date_seats.account_id
            and account_days.metric_date >= end_of_date_seats.valid_from_date
            and (
                end_of_date_seats.valid_until_date is null
                or account_days.metric_date < end_of_date_seats.valid_until_date
            )
    where account_days.metric_date <= {{ activation_as_of_date() }}
),

daily_tar as (
    select
        *,
        {{ activation_tar('active_seats_30d', 'licensed_seats') }} as tar
    from daily_seats
),

with_previous as (
    select
        *,
        lag(tar) over (partition by account_id order by metric_date) as previous_tar
    from daily_tar
),

final as (
    select
        with_previous.account_id,
        {{ activation_tar_health('with_previous.tar', 'tar_bands.healthy_rate', 'tar_bands.at_risk_rate') }}
            as tar_health,
        with_previous.licensed_seats,
        with_previous.active_seats_30d,
        with_previous.tar,
        with_previous.previous_tar,
        coalesce(
            with_previous.metric_date > with_previous.signup_date
            and with_previous.metric_date
            <= {{ dbt.dateadd('day', var('activation__tar_drop_alert_days'), 'with_previous.signup_date') }}
            and with_previous.tar < tar_bands.at_risk_rate
            and with_previous.previous_tar >= tar_bands.at_risk_rate,
            false
        ) as is_tar_drop_alert,
        with_previous.metric_date
    from with_previous
    cross join tar_bands
    where with_previous.metric_date >= with_previous.recompute_from_date
)

select * from final
