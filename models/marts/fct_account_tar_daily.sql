{#-
    Team activation rate per account and date, from signup_date to as_of_date (SPEC section 5).

    Incremental, and equal to a full rebuild by construction. The inputs are compact rollups
    (one row per account and date), so the model recomputes every row (`candidate`) and writes
    only what changed:
      * every date after the last date already in the table (new dates, for every account);
      * every row of an account with at least one already-stored row that differs in any column
        (late events, late or corrected subscription changes, a changed signup), so the account
        is repaired whole, including the drop alerts that depend on the previous date.
    delete+insert on (account_id, metric_date) replaces those rows; the post-hook
    (activation_prune_account_dates) removes rows that a full rebuild would no longer produce.
    Changing a seed or var needs no --full-refresh: the comparison picks up every changed row.
-#}
{{
    config(
        materialized='incremental',
        unique_key=['account_id', 'metric_date'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook=["{{ activation_prune_account_dates() }}"],
    )
}}

with

accounts as (
    select
        account_id,
        signup_date
    from {{ ref('int_accounts_enriched') }}
),

account_days as (
    select
        account_id,
        metric_date,
        active_users_30d
    from {{ ref('int_account_days_aggregated') }}
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
        accounts.signup_date,
        end_of_date_seats.licensed_seats,
        cast(account_days.active_users_30d as {{ dbt.type_bigint() }}) as active_seats_30d
    from account_days
    inner join accounts
        on account_days.account_id = accounts.account_id
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

candidate as (
    select
        with_previous.account_id,
        {{ activation_tar_health('with_previous.tar', 'tar_bands.healthy_rate', 'tar_bands.at_risk_rate') }}
            as tar_health,
        with_previous.licensed_seats,
        with_previous.active_seats_30d,
        with_previous.tar,
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
),

{% if is_incremental() %}

stored as (
    select
        account_id,
        tar_health,
        licensed_seats,
        active_seats_30d,
        tar,
        is_tar_drop_alert,
        metric_date
    from {{ this }}
),

stored_through as (
    select coalesce(max(metric_date), cast('1900-01-01' as date)) as last_stored_date from stored
),

changed_rows as (
    select * from candidate
    where metric_date <= (select stored_through.last_stored_date from stored_through)
    except
    select * from stored
),

changed_accounts as (
    select distinct account_id from changed_rows
),

final as (
    select * from candidate
    where
        metric_date > (select stored_through.last_stored_date from stored_through)
        or account_id in (select changed_accounts.account_id from changed_accounts)
)

{% else %}

final as (
    select * from candidate
)

{% endif %}

select * from final
