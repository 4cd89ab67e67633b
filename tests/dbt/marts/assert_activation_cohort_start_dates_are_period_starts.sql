-- Cohort start dates are DATE values at the start of their period: the ISO Monday for week
-- cohorts, the first of the month for month cohorts; and each account sits in the cohort of
-- its own signup (checked via cohort_week / cohort_month of fct_account_activation).

with

cohort_dates as (
    select
        cohort_grain,
        cohort_start_date
    from {{ ref('fct_activation_cohorts') }}
    union all
    select
        cohort_grain,
        cohort_start_date
    from {{ ref('fct_activation_cohorts_by_segment') }}
    union all
    select
        'month' as cohort_grain,
        cohort_month as cohort_start_date
    from {{ ref('fct_ttfv_cohorts') }}
),

account_cohorts as (
    select
        account_id,
        cohort_week,
        cohort_month,
        cast({{ dbt.date_trunc('week', 'signup_at') }} as date) as expected_week,
        cast({{ dbt.date_trunc('month', 'signup_at') }} as date) as expected_month
    from {{ ref('fct_account_activation') }}
)

select
    cohort_grain,
    cohort_start_date,
    null as account_id
from cohort_dates
where cohort_start_date != cast(
        case
            when cohort_grain = 'week' then {{ dbt.date_trunc('week', 'cohort_start_date') }}
            else {{ dbt.date_trunc('month', 'cohort_start_date') }}
        end as date
    )
union all
select
    'account' as cohort_grain,
    cohort_week as cohort_start_date,
    account_id
from account_cohorts
where cohort_week != expected_week or cohort_month != expected_month
