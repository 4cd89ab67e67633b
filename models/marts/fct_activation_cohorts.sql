-- One row per signup cohort (cohort_grain week or month, cohort_start_date) with its milestone
-- rates over matured accounts, benchmarks and primary bottleneck. The body is shared with
-- fct_activation_cohorts_by_segment: macros/marts/cohort_metrics.sql.

{{ activation_cohort_metrics() }}
