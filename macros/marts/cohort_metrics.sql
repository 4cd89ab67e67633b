{#-
    The body of fct_activation_cohorts and fct_activation_cohorts_by_segment (SPEC section 5):
    signup cohorts at two grains (ISO week starting Monday, month) from fct_account_activation,
    optionally split by `segment_columns`. One definition so the two marts cannot drift apart.

    Maturity: an account counts in a window's denominator once the whole window has elapsed
    (signup_date + N <= as_of_date); younger accounts are immature, neither successes nor
    failures. Rates are null when their denominator is 0, and so are the meets_* flags; the
    bottleneck cascade then says `immature`. Benchmarks, problem thresholds and diagnoses come
    from the activation_benchmarks seed.
-#}
{% macro activation_cohort_metrics(segment_columns=[]) -%}
{%- set segments = segment_columns | join(', ') ~ (', ' if segment_columns else '') -%}

with

accounts as (
    select * from {{ ref('fct_account_activation') }}
),

benchmarks as (
    select * from {{ ref('activation_benchmarks') }}
),

account_windows as (
    select
        {{ segments }}
        cohort_week,
        cohort_month,
        setup_status,
        aha_status,
        team_habit_status,
        team_habit_date,
        setup_at,
        aha_at,
        cast({{ dbt.dateadd('day', 30, 'signup_date') }} as date) <= {{ activation_as_of_date() }} as is_matured_30d,
        cast({{ dbt.dateadd('day', 60, 'signup_date') }} as date) <= {{ activation_as_of_date() }} as is_matured_60d,
        {{ dbt.dateadd('day', 30, 'signup_at') }} as window_30d_end_at,
        cast({{ dbt.dateadd('day', 60, 'signup_date') }} as date) as window_60d_end_date
    from accounts
),

cohort_accounts as (
    select
        'week' as cohort_grain,
        cohort_week as cohort_start_date,
        account_windows.*
    from account_windows
    union all
    select
        'month' as cohort_grain,
        cohort_month as cohort_start_date,
        account_windows.*
    from account_windows
),

counts as (
    select
        cohort_grain,
        {{ segments }}
        cohort_start_date,
        count(*) as accounts_signed_up,
        count(case when is_matured_30d then 1 end) as accounts_matured_30d,
        count(case when is_matured_30d and setup_at <= window_30d_end_at then 1 end) as setup_30d,
        count(case when is_matured_30d and aha_at <= window_30d_end_at then 1 end) as aha_30d,
        count(case when is_matured_30d and setup_status = 'achieved' then 1 end) as setup_on_target_30d,
        count(case when is_matured_30d and aha_status = 'achieved' then 1 end) as aha_on_target_30d,
        count(case when is_matured_60d then 1 end) as accounts_matured_60d,
        count(case when is_matured_60d and team_habit_date <= window_60d_end_date then 1 end) as team_habit_60d,
        count(case when is_matured_60d and team_habit_status = 'achieved' then 1 end) as team_habit_on_target_60d
    from cohort_accounts
    group by cohort_grain, {{ segments }} cohort_start_date
),

rates as (
    select
        *,
        {%- for numerator, denominator in [
            ('setup_30d', 'accounts_matured_30d'),
            ('aha_30d', 'accounts_matured_30d'),
            ('team_habit_60d', 'accounts_matured_60d'),
            ('setup_on_target_30d', 'accounts_matured_30d'),
            ('aha_on_target_30d', 'accounts_matured_30d'),
            ('team_habit_on_target_60d', 'accounts_matured_60d'),
        ] %}
        case
            when {{ denominator }} > 0
                then cast({{ numerator }} as {{ activation_type_double() }}) / {{ denominator }}
        end as {{ numerator }}_rate{{ ',' if not loop.last }}
        {%- endfor %}
    from counts
),

benchmarked as (
    select
        rates.*,
        setup_benchmark.benchmark_rate as benchmark_setup_rate,
        aha_benchmark.benchmark_rate as benchmark_aha_rate,
        team_habit_benchmark.benchmark_rate as benchmark_team_habit_rate,
        case
            when rates.setup_30d_rate is null then 'immature'
            when rates.setup_30d_rate < setup_benchmark.problem_below_rate then setup_benchmark.diagnosis
            when rates.aha_30d_rate is null then 'immature'
            when rates.aha_30d_rate < aha_benchmark.problem_below_rate then aha_benchmark.diagnosis
            when rates.team_habit_60d_rate is null then 'immature'
            when rates.team_habit_60d_rate < team_habit_benchmark.problem_below_rate then team_habit_benchmark.diagnosis
            else 'on_track'
        end as primary_bottleneck
    from rates
    cross join benchmarks as setup_benchmark
    cross join benchmarks as aha_benchmark
    cross join benchmarks as team_habit_benchmark
    where
        setup_benchmark.milestone = 'setup_complete'
        and aha_benchmark.milestone = 'aha'
        and team_habit_benchmark.milestone = 'team_habit'
),

matured as (
    select
        *,
        accounts_matured_30d = accounts_signed_up as is_matured_30d,
        accounts_matured_60d = accounts_signed_up as is_matured_60d
    from benchmarked
),

latest_matured as (
    select
        cohort_grain,
        {{ segments }}
        max(cohort_start_date) as latest_matured_start_date
    from matured
    where is_matured_60d
    group by cohort_grain, {{ segments }} is_matured_60d
),

final as (
    select
        matured.cohort_grain,
        {%- for column in segment_columns %}
        matured.{{ column }},
        {%- endfor %}
        matured.primary_bottleneck,
        matured.accounts_signed_up,
        matured.accounts_matured_30d,
        matured.setup_30d,
        matured.aha_30d,
        matured.setup_30d_rate as setup_rate_30d,
        matured.aha_30d_rate as aha_rate_30d,
        matured.accounts_matured_60d,
        matured.team_habit_60d,
        matured.team_habit_60d_rate as team_habit_rate_60d,
        matured.setup_on_target_30d,
        matured.aha_on_target_30d,
        matured.team_habit_on_target_60d,
        matured.setup_on_target_30d_rate as setup_on_target_rate,
        matured.aha_on_target_30d_rate as aha_on_target_rate,
        matured.team_habit_on_target_60d_rate as team_habit_on_target_rate,
        matured.benchmark_setup_rate,
        matured.benchmark_aha_rate,
        matured.benchmark_team_habit_rate,
        matured.setup_30d_rate >= matured.benchmark_setup_rate as meets_setup_benchmark,
        matured.aha_30d_rate >= matured.benchmark_aha_rate as meets_aha_benchmark,
        matured.team_habit_60d_rate >= matured.benchmark_team_habit_rate as meets_team_habit_benchmark,
        matured.is_matured_30d,
        matured.is_matured_60d,
        coalesce(matured.cohort_start_date = latest_matured.latest_matured_start_date, false) as is_latest_matured,
        matured.cohort_start_date
    from matured
    left join latest_matured
        on matured.cohort_grain = latest_matured.cohort_grain
        {%- for column in segment_columns %}
        and matured.{{ column }} is not distinct from latest_matured.{{ column }}
        {%- endfor %}
)

select * from final
{%- endmacro %}
