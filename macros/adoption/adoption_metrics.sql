{#-
    Shared expressions of the adoption marts (issue 4): team activation rate (TAR), its health
    band and the TTFV bucket used by the retention report. Kept here so that the daily TAR table,
    the per-account summary and the reports can never disagree on a formula.
-#}

{#- A double-precision type on every adapter (dbt.type_float() is a 4-byte REAL on DuckDB). -#}
{% macro activation_adoption_double_type() -%}
    {{ return(adapter.dispatch('activation_adoption_double_type', 'activation')()) }}
{%- endmacro %}

{% macro default__activation_adoption_double_type() -%}
    double precision
{%- endmacro %}

{% macro spark__activation_adoption_double_type() -%}
    double
{%- endmacro %}

{#-
    TAR = active seats / licensed seats, as a double; null when licensed seats are null (no
    subscription yet) or 0 (canceled, or a zero-seat plan): a rate over no seats is undefined,
    not 0. May exceed 1 (more active users than paid seats).
-#}
{% macro activation_tar(active_seats, licensed_seats) -%}
    case
        when {{ licensed_seats }} is null or {{ licensed_seats }} = 0 then null
        else cast({{ active_seats }} as {{ activation_adoption_double_type() }}) / {{ licensed_seats }}
    end
{%- endmacro %}

{#-
    TAR health band from the `tar` row of the activation_benchmarks seed: `healthy` at or above
    benchmark_rate, `at_risk` strictly below problem_below_rate, `watch` in between; null with tar.
-#}
{% macro activation_tar_health(tar, healthy_rate, at_risk_rate) -%}
    case
        when {{ tar }} is null then null
        when {{ tar }} >= {{ healthy_rate }} then 'healthy'
        when {{ tar }} < {{ at_risk_rate }} then 'at_risk'
        else 'watch'
    end
{%- endmacro %}

{#-
    The fct_user_ttfv buckets (SPEC section 5), upper bounds inclusive, applied to any TTFV in
    minutes: `no_value_yet` when there is no first value.
-#}
{% macro activation_adoption_ttfv_bucket(ttfv_minutes) -%}
    case
        when {{ ttfv_minutes }} is null then 'no_value_yet'
        when {{ ttfv_minutes }} <= 10 then '<=10m'
        when {{ ttfv_minutes }} <= 60 then '10m-1h'
        when {{ ttfv_minutes }} <= 1440 then '1h-24h'
        when {{ ttfv_minutes }} <= 10080 then '1d-7d'
        else '>7d'
    end
{%- endmacro %}
