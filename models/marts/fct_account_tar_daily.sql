{#-
    Team activation rate per account and date, from signup_date to as_of_date (SPEC section 5),
    as computed by int_account_days_tar_computed.

    Incremental, and equal to a full rebuild by construction. Every row is recomputed upstream
    (`candidate`), and the model writes only what changed:
      * every date after the last date already in the table (new dates, for every account);
      * every row of an account with at least one already-stored row that differs in any column
        (late events, late or corrected subscription changes, a changed signup), so the account
        is repaired whole, including the drop alerts that depend on the previous date.
    delete+insert on (account_id, metric_date) replaces those rows; the post-hook
    (activation_prune_account_dates) removes rows that a full rebuild would no longer produce.
    Changing a seed or var needs no --full-refresh: the comparison picks up every changed row.
-#}
-- depends_on: {{ ref('int_accounts_enriched') }} (read by the post-hook)
{{
    config(
        materialized=activation_incremental_materialization(),
        unique_key=['account_id', 'metric_date'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook=["{{ activation_prune_account_dates() }}"],
    )
}}

with

candidate as (
    select
        account_id,
        tar_health,
        licensed_seats,
        active_seats_30d,
        tar,
        is_tar_drop_alert,
        metric_date
    from {{ ref('int_account_days_tar_computed') }}
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
