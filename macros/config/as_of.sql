{#-
    The as-of horizon (SPEC section 0). Every metric is computed as of the end of
    `activation__as_of_date`; `as_of_end` is the next midnight UTC. This file is the only place
    that looks at the clock, and only to resolve the default: yesterday's UTC date when the run
    started (`run_started_at` is UTC and fixed for the whole run, so every model agrees).
-#}

{% macro activation_as_of_date_value() -%}
    {%- set configured = var('activation__as_of_date', none) -%}
    {%- if configured is none or configured | string | trim == '' -%}
        {{- return((run_started_at - modules.datetime.timedelta(days=1)).date()) -}}
    {%- endif -%}
    {%- set text = configured | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{- exceptions.raise_compiler_error(
            "Invalid var activation__as_of_date: '" ~ text ~ "' is not an ISO date (YYYY-MM-DD).") -}}
    {%- endif -%}
    {%- set parts = text.split('-') -%}
    {%- set year, month, day = parts[0] | int, parts[1] | int, parts[2] | int -%}
    {%- if month < 1 or month > 12 -%}
        {{- exceptions.raise_compiler_error(
            "Invalid var activation__as_of_date: '" ~ text ~ "' has month " ~ month ~ " (expected 01-12).") -}}
    {%- endif -%}
    {%- set next_month_first = modules.datetime.date(year + (month // 12), (month % 12) + 1, 1) -%}
    {%- set days_in_month = (next_month_first - modules.datetime.timedelta(days=1)).day -%}
    {%- if day < 1 or day > days_in_month -%}
        {{- exceptions.raise_compiler_error(
            "Invalid var activation__as_of_date: '" ~ text ~ "' has day " ~ day
            ~ " (month " ~ month ~ " has " ~ days_in_month ~ " days).") -}}
    {%- endif -%}
    {{- return(modules.datetime.date(year, month, day)) -}}
{%- endmacro %}

{#- as_of_date as a SQL date literal. -#}
{% macro activation_as_of_date() -%}
    cast('{{ activation_as_of_date_value().isoformat() }}' as date)
{%- endmacro %}

{#- as_of_end = as_of_date + 1 day at 00:00 UTC, as a SQL timestamp literal. -#}
{% macro activation_as_of_end() -%}
    {%- set as_of_end = activation_as_of_date_value() + modules.datetime.timedelta(days=1) -%}
    cast('{{ as_of_end.isoformat() }} 00:00:00' as {{ dbt.type_timestamp() }})
{%- endmacro %}
