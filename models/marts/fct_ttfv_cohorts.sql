{#-
    One row per (cohort_month, vertical) with at least one signup: time to first value of the
    accounts matured 30 days (SPEC section 5; the window is the activation cohorts' 30 days,
    activation_benchmarks.cohort_days of setup_complete). Percentiles are right-censored: the matured
    accounts are sorted by ttfv with those that did not reach value within 30 days last, and
    percentile p is the value at rank ceil(p * n), found with integer arithmetic only (the rank
    k with 100 * k >= p * n > 100 * (k - 1)); null when that rank falls on an account that did
    not reach value within 30 days. Dropping those accounts, as peers do, would flatter TTFV.
-#}

with

accounts as (
    select * from {{ ref('fct_account_activation') }}
),

-- the 30-day cohort window of the activation cohorts (activation_benchmarks.cohort_days)
cohort_window as (
    select cohort_days from {{ ref('activation_benchmarks') }}
    where milestone = 'setup_complete'
),

matured_accounts as (
    select
        accounts.account_id,
        accounts.vertical,
        accounts.cohort_month,
        accounts.target_ttfv_minutes,
        cast({{ dbt.dateadd('day', 'cohort_window.cohort_days', 'accounts.signup_date') }} as date)
        <= {{ activation_as_of_date() }} as is_matured_30d,
        accounts.first_value_at is not null
        and accounts.first_value_at
        <= {{ dbt.dateadd('day', 'cohort_window.cohort_days', 'accounts.signup_at') }} as is_value_reached_30d,
        accounts.ttfv_minutes
    from accounts
    cross join cohort_window
),

ranked as (
    select
        account_id,
        vertical,
        cohort_month,
        is_value_reached_30d,
        case when is_value_reached_30d then ttfv_minutes end as ttfv_30d_minutes,
        row_number() over (
            partition by cohort_month, vertical
            order by case when is_value_reached_30d then 0 else 1 end, ttfv_minutes, account_id
        ) as ttfv_rank,
        count(*) over (partition by cohort_month, vertical) as n_matured
    from matured_accounts
    where is_matured_30d
),

percentiles as (
    select
        cohort_month,
        vertical,
        {% for p in [50, 75, 90] -%}
        max(
            case
                when ttfv_rank * 100 >= {{ p }} * n_matured and (ttfv_rank - 1) * 100 < {{ p }} * n_matured
                    then ttfv_30d_minutes
            end
        ) as ttfv_p{{ p }}_minutes,
        {% endfor -%}
        count(*) as n_ranked
    from ranked
    group by cohort_month, vertical
),

counts as (
    select
        cohort_month,
        vertical,
        max(target_ttfv_minutes) as target_ttfv_minutes,
        count(*) as accounts_signed_up,
        count(case when is_matured_30d then 1 end) as accounts_matured_30d,
        count(case when is_matured_30d and is_value_reached_30d then 1 end) as reached_value_30d,
        count(case when is_matured_30d and is_value_reached_30d and ttfv_minutes <= 10 then 1 end)
            as reached_value_10m,
        count(case
            when is_matured_30d and is_value_reached_30d and ttfv_minutes <= target_ttfv_minutes then 1
        end) as reached_value_target
    from matured_accounts
    group by cohort_month, vertical
),

final as (
    select
        counts.vertical,
        counts.accounts_signed_up,
        counts.accounts_matured_30d,
        counts.reached_value_30d,
        counts.reached_value_10m,
        counts.reached_value_target,
        counts.target_ttfv_minutes,
        case
            when counts.accounts_matured_30d > 0
                then cast(counts.reached_value_10m as {{ activation_type_double() }}) / counts.accounts_matured_30d
        end as share_within_10m,
        case
            when counts.accounts_matured_30d > 0
                then cast(counts.reached_value_target as {{ activation_type_double() }}) / counts.accounts_matured_30d
        end as share_within_target,
        percentiles.ttfv_p50_minutes,
        percentiles.ttfv_p75_minutes,
        percentiles.ttfv_p90_minutes,
        counts.cohort_month
    from counts
    left join percentiles
        on counts.cohort_month = percentiles.cohort_month
            and counts.vertical = percentiles.vertical
)

select * from final
