{#-
    Seeds on Spark (dbt-spark session mode). dbt-spark's own spark__load_csv_rows binds every
    cell as a parameter, and in session mode an empty cell arrives as the text 'None'
    (dbt-labs/dbt-spark#901): event_catalog's blank `feature` became the feature 'None' and
    inflated feature adoption while every test passed. These overrides (found first by dispatch:
    the root project wins in the dbt namespace) write each cell as a SQL literal instead, null
    for an empty cell. They also translate the seeds' column_types (seeds/_seeds.yml) to Spark's
    names (activation_spark_type_name in types.sql).
-#}

{#- A seed cell as a Spark SQL literal: null when empty, else a quoted text cast by the caller. -#}
{% macro activation_spark_seed_literal(value) -%}
    {%- if value is none -%}
        {{- return('null') -}}
    {%- elif value is sameas true or value is sameas false -%}
        {{- return("'" ~ (value | string | lower) ~ "'") -}}
    {%- else -%}
        {#- Spark string literals take backslash escapes: escape the backslash, then the quote -#}
        {{- return("'" ~ (value | string | replace('\\', '\\\\') | replace("'", "\\'")) ~ "'") -}}
    {%- endif -%}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {% set sql %}
        create table {{ this.render() }} (
            {%- for col_name in agate_table.column_names -%}
                {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                {%- set type = activation_spark_type_name(column_override.get(col_name, inferred_type)) -%}
                {%- set column_name = (col_name | string) -%}
                {{ adapter.quote_seed_column(column_name, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
            {%- endfor -%}
        )
        {{ file_format_clause() }}
        {{ partition_cols(label="partitioned by") }}
        {{ clustered_cols(label="clustered by") }}
        {{ location_clause() }}
        {{ comment_clause() }}
    {% endset %}
    {% call statement('_') -%}
        {{ sql }}
    {%- endcall %}
    {{ return(sql) }}
{% endmacro %}

{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- do types.append(activation_spark_type_name(column_override.get(col_name, inferred_type))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast({{ activation_spark_seed_literal(value) }} as {{ types[loop.index0] }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}){%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}
