{#-
    The time-to-first-value bucket of fct_user_ttfv (SPEC section 5), upper bounds inclusive
    (exactly 10 minutes is `<=10m`). Shared so that any model bucketing an account's ttfv
    (e.g. rpt_activation_retention) uses the same edges. `start_at` null means the user (or
    account) has not started: `not_joined`; no first value yet: `no_value_yet`.
-#}
{% macro activation_ttfv_bucket(ttfv_minutes, start_at, first_value_at) -%}
    case
        when {{ start_at }} is null then 'not_joined'
        when {{ first_value_at }} is null then 'no_value_yet'
        when {{ ttfv_minutes }} <= 10 then '<=10m'
        when {{ ttfv_minutes }} <= 60 then '10m-1h'
        when {{ ttfv_minutes }} <= 1440 then '1h-24h'
        when {{ ttfv_minutes }} <= 10080 then '1d-7d'
        else '>7d'
    end
{%- endmacro %}
