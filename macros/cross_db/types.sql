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

{#-
    Spark's name for a type written in the project's YAML (seed column_types, model contracts),
    which uses the SQL names DuckDB and Postgres share: `varchar` without a length, `text` and
    `double precision` are not Spark types. Anything else is returned as it is.
-#}
{% macro activation_spark_type_name(type_name) -%}
    {%- set spark_types = {'varchar': 'string', 'text': 'string', 'double precision': 'double',
                           'float8': 'double', 'integer': 'int'} -%}
    {{- return(spark_types.get(type_name | lower | trim, type_name)) -}}
{%- endmacro %}

{#-
    Enforced contracts on Spark: dbt checks a model's column types against
    `select cast(null as <data_type>)`; the YAML's data_type is translated to Spark's name first
    (dbt's default__get_empty_schema_sql otherwise).
-#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set column = columns[name] -%}
        {%- set copy = {} -%}
        {%- do copy.update(column) -%}
        {%- if column.get('data_type') is not none -%}
            {%- do copy.update({'data_type': activation_spark_type_name(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: copy}) -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(translated)) }}
{% endmacro %}
