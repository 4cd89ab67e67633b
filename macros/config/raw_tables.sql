{#-
    Run-start check (activation_check_raw_layer) of the raw tables an invocation reads: each exists, has
    every column of the raw contract (the `columns` of models/staging/_staging__sources.yml,
    which tests/python/test_load_raw.py keeps equal to scripts/raw_schema.py), each column the
    contract types `timestamp` has a timestamp type (with or without a time zone), and no column
    it types `boolean` or `bigint` is text. A raw layer that load_raw.py did not write (an
    extract-load tool's, or CSV files landed as text) can miss a table or carry text where the
    base models cast to a timestamp, a boolean or an integer, and one value that does not parse
    ('yes', '12 seats') would fail that cast inside a model, on every run until the row goes;
    this names every such problem in one message, before any model runs. Other types (an integer
    flag for a boolean, a decimal for an integer, any type for a `varchar` column) are cast in
    the base models, where every value converts.
    Runs only when a selected node reads a source, so `dbt seed` on an empty warehouse or a
    selection of marts needs no raw layer.
-#}
{#- The on-run-start hook of both raw-layer checks: one hook, one statement. -#}
{% macro activation_check_raw_layer() -%}
    {%- do activation_check_session_time_zone() -%}
    {%- do activation_check_raw_tables() -%}
    select 1
{%- endmacro %}

{% macro activation_check_raw_tables() -%}
    {{- return(adapter.dispatch('activation_check_raw_tables', 'activation')()) -}}
{%- endmacro %}

{% macro default__activation_check_raw_tables() -%}
    {%- if execute and _activation_selection_reads_sources() -%}
        {%- set problems = [] -%}
        {%- for source_node in graph.sources.values() | selectattr('source_name', 'equalto', 'product') | sort(attribute='name') -%}
            {%- set relation = adapter.get_relation(database=source_node.database, schema=source_node.schema,
                                                    identifier=source_node.identifier) -%}
            {%- if relation is none -%}
                {%- do problems.append(source_node.schema ~ "." ~ source_node.identifier ~ " does not exist") -%}
            {%- else -%}
                {%- set actual = {} -%}
                {%- for column in adapter.get_columns_in_relation(relation) -%}
                    {%- do actual.update({column.name | lower: column.data_type | lower}) -%}
                {%- endfor -%}
                {%- for name, column in source_node.columns.items() -%}
                    {%- set where = source_node.schema ~ "." ~ source_node.identifier ~ "." ~ name -%}
                    {%- if name not in actual -%}
                        {%- do problems.append(where ~ " is missing") -%}
                    {%- elif column.data_type == 'timestamp' and not actual[name].startswith('timestamp') -%}
                        {%- do problems.append(where ~ " is " ~ actual[name] ~ ", not a timestamp") -%}
                    {%- elif column.data_type in ('boolean', 'bigint')
                            and actual[name].startswith(('character', 'varchar', 'text', 'string', 'bpchar')) -%}
                        {%- do problems.append(where ~ " is " ~ actual[name] ~ ", text where the contract has "
                                               ~ ("a boolean" if column.data_type == 'boolean' else "an integer")) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if problems -%}
            {{- exceptions.raise_compiler_error(
                "The raw tables do not match the raw contract (SPEC section 1, scripts/raw_schema.py):\n  "
                ~ (problems | join('\n  '))
                ~ "\nLoad files with scripts/load_raw.py (it creates a table without a file empty), or have"
                ~ " the extract-load tool write these columns with these types.") -}}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__activation_check_raw_tables() -%}
    {%- do default__activation_check_raw_tables() -%}
{%- endmacro %}

{% macro postgres__activation_check_raw_tables() -%}
    {%- do default__activation_check_raw_tables() -%}
{%- endmacro %}

{#- Spark and Databricks, where an extract-load tool (Auto Loader, Fivetran) may land the raw
    tables too: a `describe` per raw table, seconds against a Spark build's minutes. Spark names
    text `string` and timestamps `timestamp` or `timestamp_ntz`. -#}
{% macro spark__activation_check_raw_tables() -%}
    {%- do default__activation_check_raw_tables() -%}
{%- endmacro %}

{#- True when a node this invocation selects reads a source (the base models, the nothing-lost
    test). Without a known selection (a compile for sqlfluff), false. -#}
{% macro _activation_selection_reads_sources() -%}
    {%- for unique_id in selected_resources or [] -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- for parent in (node.depends_on.nodes if node is not none else []) -%}
            {%- if parent.startswith('source.') -%}
                {{- return(true) -}}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{- return(false) -}}
{%- endmacro %}
