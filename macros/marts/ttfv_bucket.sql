{#-
    The time-to-first-value bucket of fct_user_ttfv (SPEC section 5), upper bounds inclusive
    (exactly 10 minutes is `<=10m`), applied to a user's or an account's ttfv in minutes: one
    definition for fct_user_ttfv, fct_account_activation and the retention report. ttfv null
    means no first value yet; pass `start_at` where the clock may not have started (a user
    who never joined: `not_joined`).
-#}
{% macro activation_ttfv_bucket(ttfv_minutes, start_at=none) -%}
    case
        {%- if start_at is not none %}
        when {{ start_at }} is null then 'not_joined'
        {%- endif %}
        when {{ ttfv_minutes }} is null then 'no_value_yet'
        when {{ ttfv_minutes }} <= 10 then '<=10m'
        when {{ ttfv_minutes }} <= 60 then '10m-1h'
        when {{ ttfv_minutes }} <= 1440 then '1h-24h'
        when {{ ttfv_minutes }} <= 10080 then '1d-7d'
        else '>7d'
    end
{%- endmacro %}
