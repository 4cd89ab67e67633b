-- fct_account_tar_daily has, for every account of int_accounts_enriched, exactly one row per
-- date from signup_date to as_of_date: no gap, no duplicate, no missing or extra account.

with

accounts as (
    select
        account_id,
        signup_date,
        {{ dbt.datediff('signup_date', activation_as_of_date(), 'day') }} + 1  -- noqa: LT05
            as expected_days
    from {{ ref('int_accounts_enriched') }}
),

tar_daily as (
    select
        account_id,
        metric_date
    from {{ ref('fct_account_tar_daily') }}
),

spans as (
    select
        account_id,
        count(*) as n_rows,
        {{ activation_count_distinct_dates('metric_date', ref('fct_account_tar_daily')) }} as n_dates,
        min(metric_date) as first_date,
        max(metric_date) as last_date
    from tar_daily
    group by account_id
),

final as (
    select
        coalesce(accounts.account_id, spans.account_id) as account_id,
        accounts.signup_date,
        spans.first_date,
        spans.last_date,
        spans.n_rows,
        spans.n_dates
    from accounts
    full outer join spans
        on accounts.account_id = spans.account_id
    where
        accounts.account_id is null
        or spans.account_id is null
        or spans.first_date != accounts.signup_date
        or spans.last_date != {{ activation_as_of_date() }}
        or spans.n_rows != spans.n_dates
        or spans.n_rows != accounts.expected_days
)

select * from final
