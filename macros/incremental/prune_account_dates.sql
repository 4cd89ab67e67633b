{#-
    Post-hook of the incremental models with one row per account and date from signup_date to
    as_of_date (int_account_days_aggregated, fct_account_tar_daily): deletes the stored rows a
    full rebuild would no longer produce, i.e. dates after an earlier as_of_date re-run, and
    accounts that turned test, were removed or whose signup moved later. A no-op on a full build.
-#}
{% macro activation_prune_account_dates(date_column='metric_date') -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as stored
        where
            stored.{{ date_column }} > {{ activation_as_of_date() }}
            or not exists (
                select 1 from {{ ref('int_accounts_enriched') }} as accounts
                where accounts.account_id = stored.account_id and accounts.signup_date <= stored.{{ date_column }}
            )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
