{#-
    A double-precision float type. dbt.type_float() is a 4-byte FLOAT on DuckDB, too coarse for
    rates and exact-minute durations.
-#}
{% macro activation_type_double() -%}
    {{ return(adapter.dispatch('activation_type_double', 'activation')()) }}
{%- endmacro %}

{#- the SQL standard's name (Postgres among others) -#}
{% macro default__activation_type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__activation_type_double() -%}
    double
{%- endmacro %}

{% macro spark__activation_type_double() -%}
    double
{%- endmacro %}
