{#-
    `not materialized` for a CTE that several others read: DuckDB and Postgres otherwise compute
    such a CTE once and keep a copy of it, every column of every row, for its readers. Over the raw
    event table that copy costs more than the reads it saves (stg_product__event_scopes,
    base_product__events_deduplicated): each reader scans only the columns it needs, and a
    filter on _loaded_at reaches the table scan, which then skips the row groups loaded earlier.
    Usage: `events as {{ activation_not_materialized() }} (select ...)`.
-#}
{% macro activation_not_materialized() -%}
    {{ return(adapter.dispatch('activation_not_materialized', 'activation')()) }}
{%- endmacro %}

{% macro default__activation_not_materialized() -%}
    {{ activation_unsupported_adapter('activation_not_materialized') }}
{%- endmacro %}

{% macro duckdb__activation_not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro postgres__activation_not_materialized() -%}
    not materialized
{%- endmacro %}

{#- Spark inlines every CTE into the plan that reads it: nothing to say -#}
{% macro spark__activation_not_materialized() -%}
{%- endmacro %}
