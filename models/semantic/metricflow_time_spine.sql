-- MetricFlow's time spine: one row per day from the first of January of the earliest signup's
-- year through as_of_date, never later (SPEC section 0: nothing is known after as_of_date).

with

accounts as (
    select signup_date from {{ ref('dim_accounts') }}
),

bounds as (
    select
        {{ dbt.date_trunc('year', 'coalesce(min(signup_date), ' ~ activation_as_of_date() ~ ')') }}
            as first_date
    from accounts
),

days as (
    {{ activation_date_series('bounds.first_date', activation_as_of_date(), 'from bounds') }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
