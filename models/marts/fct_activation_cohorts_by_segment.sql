-- fct_activation_cohorts split by vertical and motion: one row per (cohort_grain,
-- cohort_start_date, vertical, motion) with at least one signup. The body is shared with
-- fct_activation_cohorts: macros/marts/cohort_metrics.sql.

{{ activation_cohort_metrics(['vertical', 'motion']) }}
