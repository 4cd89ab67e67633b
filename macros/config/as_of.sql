{#-
    The as-of horizon (SPEC section 0). Every metric is computed as of the end of
    `activation__as_of_date`; `as_of_end` is the next midnight UTC. This file is the only place
    that looks at the clock, and only to resolve the default: yesterday's UTC date when the run
    started (`run_started_at` is UTC and fixed for the whole run, so every model agrees).

    Where the date comes from, first match wins:
      1. the dbt var `activation__as_of_date` (`--vars`, the SPEC's interface);
      2. the environment variable ACTIVATION_AS_OF_DATE. scripts/nightly.py passes its
         --as-of-date this way, because dbt re-parses the whole project (~7 s) whenever a
         --vars value changes;
      3. yesterday's UTC date.
    While dbt parses (`execute` is false) the macro returns a fixed placeholder without reading
    either: the date only matters in compiled SQL, and a file that read an environment variable
    at parse time would be re-parsed (with the tests in its YAML) whenever the value changed.
    So a new date in the environment reuses dbt's saved parse (tested in test_config_validation).
-#}

{#- [date, none], or [none, message] when the configured value is not a valid ISO date. -#}
{% macro activation_as_of_date_resolved() -%}
    {%- if not execute -%}
        {{- return([modules.datetime.date(1970, 1, 1), none]) -}}
    {%- endif -%}
    {%- set configured = var('activation__as_of_date', none) -%}
    {%- set origin = 'var activation__as_of_date' -%}
    {%- if configured is none or configured | string | trim == '' -%}
        {%- set configured = env_var('ACTIVATION_AS_OF_DATE', '') -%}
        {%- set origin = 'environment variable ACTIVATION_AS_OF_DATE' -%}
    {%- endif -%}
    {%- if configured | string | trim == '' -%}
        {{- return([(run_started_at - modules.datetime.timedelta(days=1)).date(), none]) -}}
    {%- endif -%}
    {%- set text = configured | string | trim -%}
    {%- set invalid = "Invalid " ~ origin ~ ": '" ~ text ~ "'" -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {{- return([none, invalid ~ " is not an ISO date (YYYY-MM-DD)."]) -}}
    {%- endif -%}
    {%- set parts = text.split('-') -%}
    {%- set year, month, day = parts[0] | int, parts[1] | int, parts[2] | int -%}
    {%- if month < 1 or month > 12 -%}
        {{- return([none, invalid ~ " has month " ~ month ~ " (expected 01-12)."]) -}}
    {%- endif -%}
    {%- set next_month_first = modules.datetime.date(year + (month // 12), (month % 12) + 1, 1) -%}
    {%- set days_in_month = (next_month_first - modules.datetime.timedelta(days=1)).day -%}
    {%- if day < 1 or day > days_in_month -%}
        {{- return([none, invalid ~ " has day " ~ day ~ " (month " ~ month ~ " has " ~ days_in_month ~ " days)."]) -}}
    {%- endif -%}
    {{- return([modules.datetime.date(year, month, day), none]) -}}
{%- endmacro %}

{#- as_of_date as a Python date; a bad configured value stops the run with its message. -#}
{% macro activation_as_of_date_value() -%}
    {%- set as_of_date, problem = activation_as_of_date_resolved() -%}
    {%- if problem -%}
        {{- exceptions.raise_compiler_error(problem) -}}
    {%- endif -%}
    {{- return(as_of_date) -}}
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
