-- depends_on: {{ ref('int_config_validated') }}
-- One row per clean, non-test account with its signup cohorts and per-vertical configuration:
-- the population of every account-level mart (built from accounts, not events, so accounts
-- without any activity are kept). The account spine: every account attribute a mart shows
-- (the raw vertical label, the vertical's aha moment and targets) is carried here once.

with

accounts as (
    select * from {{ ref('stg_product__accounts') }}
    where not is_test_account
),

category_benchmarks as (
    select * from {{ ref('category_benchmarks') }}
),

aha_scopes as (
    select distinct
        vertical,
        scope as aha_scope
    from {{ ref('aha_definitions') }}
),

final as (
    select
        accounts.account_id,
        accounts.account_name,
        accounts.vertical,
        accounts.source_vertical,
        accounts.motion,
        aha_scopes.aha_scope,
        category_benchmarks.aha_moment,
        category_benchmarks.target_ttfv_minutes,
        category_benchmarks.benchmark_tar,
        cast(accounts.signup_at as date) as signup_date,
        cast({{ dbt.date_trunc('month', 'accounts.signup_at') }} as date) as cohort_month,
        cast({{ dbt.date_trunc('week', 'accounts.signup_at') }} as date) as cohort_week,
        accounts.signup_at
    from accounts
    left join category_benchmarks
        on accounts.vertical = category_benchmarks.vertical
    left join aha_scopes
        on accounts.vertical = aha_scopes.vertical
    where accounts.signup_at < {{ activation_as_of_end() }}
)

select * from final
