{#-
    Shared expressions of the adoption marts: team activation rate (TAR) and its health band.
    Kept here so that the daily TAR table and the per-account summary can never disagree.
-#}

{#-
    TAR = active seats / licensed seats, as a double; null when licensed seats are null (no
    subscription yet) or 0 (canceled, or a zero-seat plan): a rate over no seats is undefined,
    not 0. May exceed 1 (more active users than paid seats).
-#}
{% macro activation_tar(active_seats, licensed_seats) -%}
    case
        when {{ licensed_seats }} is null or {{ licensed_seats }} = 0 then null
        else cast({{ active_seats }} as {{ activation_type_double() }}) / {{ licensed_seats }}
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
