{#-
    The incremental account-day tables (int_account_days_aggregated, int_account_days_tar_computed):
    one row per account and date from signup_date to as_of_date, kept equal to a full rebuild by
    recomputing, per account, every date from `recompute_from_date` on (delete+insert on
    account_id, metric_date) and pruning what a full rebuild would no longer produce.
-#}

{#-
    CTEs (without a leading `with`, ending in a comma) that end in `recomputed_accounts`: one row
    per account of the `accounts` CTE (account_id, signup_date) that has a date to recompute,
    with recompute_from_date, the first date this run recomputes for it:
      * signup_date on a full build, and for an account that is new or whose signup_date moved;
      * the earliest date of the account in this run's scopes (stg_product__event_scopes; a
        whole account from its signup_date), when that is before the first new date;
      * otherwise the first date after the last stored one: new dates only;
    and read_from_date, `lookback_days` before it (not before signup_date): the earliest date
    whose input the recomputed dates need (a rolling window, the previous date of a lag). Dates
    before recompute_from_date keep their stored rows; dates after as_of_date are left out.
-#}
{% macro activation_account_days_recompute_from(lookback_days) -%}
{%- if activation_is_incremental() %}
stored_accounts as (
    select
        account_id,
        min(metric_date) as first_stored_date
    from {{ this }}
    group by account_id
),

next_date as (
    select cast({{ dbt.dateadd('day', 1, 'max(metric_date)') }} as date) as next_date from {{ this }}
),

-- the earliest date each account in this run's scopes changed (a whole account: its
-- signup_date, through the coalesce below)
changed_accounts as (
    select
        scopes.account_id,
        coalesce(min(scopes.event_date), cast('1900-01-01' as date)) as first_changed_date
    from (select * from {{ ref('stg_product__event_scopes') }}) as scopes
    group by scopes.account_id
),

recompute_from as (
    select
        accounts.account_id,
        accounts.signup_date,
        case
            when stored_accounts.first_stored_date is null
                or stored_accounts.first_stored_date != accounts.signup_date
                then accounts.signup_date
            when changed_accounts.first_changed_date < (select next_date.next_date from next_date)
                then greatest(changed_accounts.first_changed_date, accounts.signup_date)
            else (select next_date.next_date from next_date)
        end as recompute_from_date
    from accounts
    left join stored_accounts
        on accounts.account_id = stored_accounts.account_id
    left join changed_accounts
        on accounts.account_id = changed_accounts.account_id
),
{%- else %}
recompute_from as (
    select
        account_id,
        signup_date,
        signup_date as recompute_from_date
    from accounts
),
{%- endif %}

recomputed_accounts as (
    select
        account_id,
        signup_date,
        recompute_from_date,
        greatest(
            signup_date, cast({{ dbt.dateadd('day', -lookback_days, 'recompute_from_date') }} as date)
        ) as read_from_date
    from recompute_from
    where recompute_from_date <= {{ activation_as_of_date() }}
),
{%- endmacro %}

{#-
    Post-hook of the incremental account-day tables: deletes the stored rows a full rebuild would
    no longer produce, i.e. dates after an earlier as_of_date re-run, and accounts that turned
    test, were removed or whose signup moved later. A no-op on a full build.

    The accounts to prune are found first, from each account's first stored date (a small
    aggregate): an account no longer in int_accounts_enriched keeps nothing, one whose
    signup_date is now after its first stored date keeps the dates from signup_date on. Most
    nights there are none, and the delete reads no more than the dates after as_of_date;
    checking every stored row against its account instead took 5.5 s at the large preset.
    The small aggregate appears twice on purpose: the IN lets DuckDB skip the stored rows when
    it is empty (0.07 s), where a single correlated lookup joins every stored row (3 s).
-#}
{% macro activation_prune_account_dates(date_column='metric_date') -%}
    {%- if is_incremental() -%}
        {%- set pruned_accounts -%}
            select
                first_dates.account_id,
                coalesce(accounts.signup_date, cast('9999-12-31' as date)) as keep_from_date
            from (
                select
                    account_id,
                    min({{ date_column }}) as first_date
                from {{ this }}
                group by account_id
            ) as first_dates
            left join (select * from {{ ref('int_accounts_enriched') }}) as accounts
                on first_dates.account_id = accounts.account_id
            where accounts.account_id is null or accounts.signup_date > first_dates.first_date
        {%- endset -%}
        delete from {{ this }} as stored
        where
            stored.{{ date_column }} > {{ activation_as_of_date() }}
            or (
                stored.account_id in (select pruned.account_id from ({{ pruned_accounts }}) as pruned)
                and stored.{{ date_column }} < (
                    select pruned.keep_from_date from ({{ pruned_accounts }}) as pruned
                    where pruned.account_id = stored.account_id
                )
            )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
