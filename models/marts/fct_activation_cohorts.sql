-- One row per signup cohort (cohort_grain week or month, cohort_start_date) with its milestone
-- rates over matured accounts, benchmarks and primary bottleneck: the 'all' rows of
-- int_activation_cohorts_aggregated.

with

cohorts as (
    select * from {{ ref('int_activation_cohorts_aggregated') }}
    where cohort_segmentation = 'all'
),

final as (
    select
        cohort_grain,
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
        meets_setup_benchmark,
        meets_aha_benchmark,
        meets_team_habit_benchmark,
        is_matured_30d,
        is_matured_60d,
        is_latest_matured,
        cohort_start_date
    from cohorts
)

select * from final
