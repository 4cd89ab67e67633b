{#- A timestamp literal of the moment this dbt invocation started (UTC, fixed for the run). -#}
{% macro activation_run_started_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Exact minutes between two timestamps as a decimal (seconds / 60), never truncated. -#}
{% macro activation_minutes_between(start_at, end_at) -%}
    {{ return(adapter.dispatch('activation_minutes_between', 'activation')(start_at, end_at)) }}
{%- endmacro %}

{#-
    portable: dbt's cross-database datediff in microseconds, the precision of a timestamp
    (DuckDB uses it as is). Milliseconds, as before 2026-12-03, dropped the rest: 600.0008
    seconds were 10 minutes exactly, on target for a 10-minute TTFV.
-#}
{% macro default__activation_minutes_between(start_at, end_at) -%}
    (cast({{ dbt.datediff(start_at, end_at, 'microsecond') }} as {{ dbt.type_numeric() }}) / 60000000)
{%- endmacro %}

{#-
    Spark 3.1+: unix_micros keeps sub-second precision (dbt-spark's datediff does not). Divided
    as a double: Spark's decimal division rounds its result to 6 decimals (decimal(28,6) / int),
    which is not "exact minutes"; a double carries the same value DuckDB computes.
-#}
{% macro spark__activation_minutes_between(start_at, end_at) -%}
    (cast(unix_micros({{ end_at }}) - unix_micros({{ start_at }}) as {{ activation_type_double() }}) / 60000000)
{%- endmacro %}

{% macro postgres__activation_minutes_between(start_at, end_at) -%}
    (cast(extract(epoch from ({{ end_at }} - {{ start_at }})) as {{ dbt.type_numeric() }}) / 60)
{%- endmacro %}

{#- A timestamp value read back from the warehouse (run_query), as a SQL literal, to the microsecond. -#}
{% macro activation_timestamp_literal(value) -%}
    cast('{{ value.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
