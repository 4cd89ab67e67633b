{#-
    The time-to-first-value buckets of fct_user_ttfv (SPEC section 5), defined once: each
    bucket's label and inclusive upper bound in minutes (exactly 10 minutes is `<=10m`), in
    their order, fastest first. The last bound is open. Used for a user's or an account's ttfv.
-#}
{% macro activation_ttfv_buckets() -%}
    {{ return([
        {'label': '<=10m', 'max_minutes': 10},
        {'label': '10m-1h', 'max_minutes': 60},
        {'label': '1h-24h', 'max_minutes': 1440},
        {'label': '1d-7d', 'max_minutes': 10080},
        {'label': '>7d', 'max_minutes': none},
    ]) }}
{%- endmacro %}

{#-
    The bucket of a ttfv in minutes. ttfv null means no first value yet (`no_value_yet`); pass
    `start_at` where the clock may not have started (a user who never joined: `not_joined`).
-#}
{% macro activation_ttfv_bucket(ttfv_minutes, start_at=none) -%}
    case
        {%- if start_at is not none %}
        when {{ start_at }} is null then 'not_joined'
        {%- endif %}
        when {{ ttfv_minutes }} is null then 'no_value_yet'
        {%- for bucket in activation_ttfv_buckets() %}
        {%- if bucket.max_minutes is not none %}
        when {{ ttfv_minutes }} <= {{ bucket.max_minutes }} then '{{ bucket.label }}'
        {%- else %}
        else '{{ bucket.label }}'
        {%- endif %}
        {%- endfor %}
    end
{%- endmacro %}

{#-
    The sort order of a bucket label (1 = fastest); `no_value_yet` sorts after every bucket
    with a value, `not_joined` last.
-#}
{% macro activation_ttfv_bucket_order(ttfv_bucket) -%}
    {%- set buckets = activation_ttfv_buckets() -%}
    case {{ ttfv_bucket }}
        {%- for bucket in buckets %}
        when '{{ bucket.label }}' then {{ loop.index }}
        {%- endfor %}
        when 'no_value_yet' then {{ buckets | length + 1 }}
        else {{ buckets | length + 2 }}
    end
{%- endmacro %}
