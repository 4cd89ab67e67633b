{#-
    Signup cohorts at two grains (ISO week starting Monday, month), over all accounts and per
    (vertical, motion) segment, in one pass: GROUPING SETS, with `cohort_segmentation` saying
    which set a row belongs to ('all' or 'vertical_motion', from grouping(), so a null motion of
    a segment row never collides with an 'all' row). fct_activation_cohorts and
    fct_activation_cohorts_by_segment each select one segmentation (SPEC section 5).

    Windows come from the activation_benchmarks seed (cohort_days): setup and aha over the
    setup_complete window (30 days; the seed checks that aha has the same window, since the
    contract's `_30d` columns share one denominator), team habit over its own (60 days).
    Maturity: an account counts in a window's denominator once the whole window has elapsed
    (signup_date + cohort_days <= as_of_date); younger accounts are immature, neither successes
    nor failures. Rates are null when their denominator is 0, and so are the meets_* flags; the
    bottleneck cascade then says `immature`. Benchmarks, problem thresholds and diagnoses come
    from the same seed.
-#}

with

accounts as (
    select * from {{ ref('int_accounts_activation_evaluated') }}
),

benchmarks as (
    select * from {{ ref('activation_benchmarks') }}
),

setup_benchmark as (
    select * from benchmarks
    where milestone = 'setup_complete'
),

aha_benchmark as (
    select * from benchmarks
    where milestone = 'aha'
),

team_habit_benchmark as (
    select * from benchmarks
    where milestone = 'team_habit'
),

account_windows as (
    select
        accounts.vertical,
        accounts.motion,
        accounts.setup_status,
        accounts.aha_status,
        accounts.team_habit_status,
        accounts.cohort_week,
        accounts.cohort_month,
        accounts.team_habit_date,
        accounts.setup_at,
        accounts.aha_at,
        cast({{ dbt.dateadd('day', 'setup_benchmark.cohort_days', 'accounts.signup_date') }} as date)
        <= {{ activation_as_of_date() }} as is_matured_30d,
        cast({{ dbt.dateadd('day', 'team_habit_benchmark.cohort_days', 'accounts.signup_date') }} as date)
        <= {{ activation_as_of_date() }} as is_matured_60d,
        {{ dbt.dateadd('day', 'setup_benchmark.cohort_days', 'accounts.signup_at') }} as setup_window_end_at,
        {{ dbt.dateadd('day', 'aha_benchmark.cohort_days', 'accounts.signup_at') }} as aha_window_end_at,
        cast({{ dbt.dateadd('day', 'team_habit_benchmark.cohort_days', 'accounts.signup_date') }} as date)
            as team_habit_window_end_date
    from accounts
    cross join setup_benchmark
    cross join aha_benchmark
    cross join team_habit_benchmark
),

cohort_accounts as (
    select
        'week' as cohort_grain,
        account_windows.cohort_week as cohort_start_date,
        account_windows.*
    from account_windows
    union all
    select
        'month' as cohort_grain,
        account_windows.cohort_month as cohort_start_date,
        account_windows.*
    from account_windows
),

counts as (
    select
        case when grouping(vertical) = 1 then 'all' else 'vertical_motion' end as cohort_segmentation,
        cohort_grain,
        vertical,
        motion,
        cohort_start_date,
        count(*) as accounts_signed_up,
        count(case when is_matured_30d then 1 end) as accounts_matured_30d,
        count(case when is_matured_30d and setup_at <= setup_window_end_at then 1 end) as setup_30d,
        count(case when is_matured_30d and aha_at <= aha_window_end_at then 1 end) as aha_30d,
        count(case when is_matured_30d and setup_status = 'achieved' then 1 end) as setup_on_target_30d,
        count(case when is_matured_30d and aha_status = 'achieved' then 1 end) as aha_on_target_30d,
        count(case when is_matured_60d then 1 end) as accounts_matured_60d,
        count(case when is_matured_60d and team_habit_date <= team_habit_window_end_date then 1 end)
            as team_habit_60d,
        count(case when is_matured_60d and team_habit_status = 'achieved' then 1 end) as team_habit_on_target_60d
    from cohort_accounts
    group by grouping sets (  -- noqa: PRS
        (cohort_grain, cohort_start_date),
        (cohort_grain, vertical, motion, cohort_start_date)
    )
),

rates as (
    select
        *,
        {{ activation_ratio('setup_30d', 'accounts_matured_30d') }} as setup_rate_30d,
        {{ activation_ratio('aha_30d', 'accounts_matured_30d') }} as aha_rate_30d,
        {{ activation_ratio('team_habit_60d', 'accounts_matured_60d') }} as team_habit_rate_60d,
        {{ activation_ratio('setup_on_target_30d', 'accounts_matured_30d') }} as setup_on_target_rate,
        {{ activation_ratio('aha_on_target_30d', 'accounts_matured_30d') }} as aha_on_target_rate,
        {{ activation_ratio('team_habit_on_target_60d', 'accounts_matured_60d') }} as team_habit_on_target_rate,
        accounts_matured_30d = accounts_signed_up as is_matured_30d,
        accounts_matured_60d = accounts_signed_up as is_matured_60d
    from counts
),

benchmarked as (
    select
        rates.*,
        setup_benchmark.benchmark_rate as benchmark_setup_rate,
        aha_benchmark.benchmark_rate as benchmark_aha_rate,
        team_habit_benchmark.benchmark_rate as benchmark_team_habit_rate,
        case
            when rates.setup_rate_30d is null then 'immature'
            when rates.setup_rate_30d < setup_benchmark.problem_below_rate then setup_benchmark.diagnosis
            when rates.aha_rate_30d is null then 'immature'
            when rates.aha_rate_30d < aha_benchmark.problem_below_rate then aha_benchmark.diagnosis
            when rates.team_habit_rate_60d is null then 'immature'
            when rates.team_habit_rate_60d < team_habit_benchmark.problem_below_rate
                then team_habit_benchmark.diagnosis
            else 'on_track'
        end as primary_bottleneck,
        -- the latest cohort of its grain and segment whose every account matured 60 days
        max(case when rates.is_matured_60d then rates.cohort_start_date end) over (
            partition by rates.cohort_segmentation, rates.cohort_grain, rates.vertical, rates.motion
        ) as latest_matured_start_date
    from rates
    cross join setup_benchmark
    cross join aha_benchmark
    cross join team_habit_benchmark
),

final as (
    select
        cohort_segmentation,
        cohort_grain,
        vertical,
        motion,
        primary_bottleneck,
        accounts_signed_up,
        accounts_matured_30d,
        setup_30d,
        aha_30d,
        setup_rate_30d,
        aha_rate_30d,
        accounts_matured_60d,
        team_habit_60d,
        team_habit_rate_60d,
        setup_on_target_30d,
        aha_on_target_30d,
        team_habit_on_target_60d,
        setup_on_target_rate,
        aha_on_target_rate,
        team_habit_on_target_rate,
        benchmark_setup_rate,
        benchmark_aha_rate,
        benchmark_team_habit_rate,
        setup_rate_30d >= benchmark_setup_rate as meets_setup_benchmark,
        aha_rate_30d >= benchmark_aha_rate as meets_aha_benchmark,
        team_habit_rate_60d >= benchmark_team_habit_rate as meets_team_habit_benchmark,
        is_matured_30d,
        is_matured_60d,
        coalesce(cohort_start_date = latest_matured_start_date, false) as is_latest_matured,
        cohort_start_date
    from benchmarked
)

select * from final
