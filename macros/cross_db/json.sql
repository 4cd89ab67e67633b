{#-
    JSON helpers, dispatched per adapter: JSON functions differ on every engine, so default__
    stops with an error naming the macro and adapter. Postgres needs 16+ for pg_input_is_valid;
    Spark uses its own functions.
-#}

{#-
    A JSON object text built from a list of column names: the raw row kept with a reject.
    Columns named in `masked` (personal data, SPEC section 7) keep their key but never their
    value: '<masked>' when a value was present, null when it was null.
-#}
{% macro activation_json_object(columns, masked=[]) -%}
    {%- set values = [] -%}
    {%- for column in columns -%}
        {%- if column in masked -%}
            {%- do values.append("case when " ~ column ~ " is not null then '<masked>' end") -%}
        {%- else -%}
            {%- do values.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('activation_json_object', 'activation')(columns, values)) }}
{%- endmacro %}

{% macro default__activation_json_object(columns, values) -%}
    {{ activation_unsupported_adapter('activation_json_object') }}
{%- endmacro %}

{% macro duckdb__activation_json_object(columns, values) -%}
    cast(json_object(
        {%- for column in columns %}
        '{{ column }}', {{ values[loop.index0] }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro postgres__activation_json_object(columns, values) -%}
    cast(json_build_object(
        {%- for column in columns %}
        '{{ column }}', {{ values[loop.index0] }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{#-
    Spark's to_json drops null fields by default: keep them (a masked column keeps its key, SPEC
    section 7, as on the other engines), and write timestamps as the other engines' text does.
-#}
{% macro spark__activation_json_object(columns, values) -%}
    to_json(named_struct(
        {%- for column in columns %}
        '{{ column }}', {{ values[loop.index0] }}{{ ',' if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false', 'timestampFormat', 'yyyy-MM-dd HH:mm:ss[.SSSSSS]'))
{%- endmacro %}

{#- True when the text parses as JSON and is an object ('{}' included); false otherwise. -#}
{% macro activation_is_json_object(expression) -%}
    {{ return(adapter.dispatch('activation_is_json_object', 'activation')(expression)) }}
{%- endmacro %}

{% macro default__activation_is_json_object(expression) -%}
    {{ activation_unsupported_adapter('activation_is_json_object') }}
{%- endmacro %}

{% macro duckdb__activation_is_json_object(expression) -%}
    {#- case, not and: DuckDB evaluates both sides of an and, and json_type raises on bad JSON -#}
    case when json_valid({{ expression }}) then json_type({{ expression }}) = 'OBJECT' else false end
{%- endmacro %}

{% macro postgres__activation_is_json_object(expression) -%}
    coalesce(
        pg_input_is_valid({{ expression }}, 'jsonb')
        and jsonb_typeof(case when pg_input_is_valid({{ expression }}, 'jsonb') then {{ expression }}::jsonb end) = 'object',
        false
    )
{%- endmacro %}

{% macro spark__activation_is_json_object(expression) -%}
    coalesce(from_json({{ expression }}, 'map<string,string>') is not null and substr(ltrim({{ expression }}), 1, 1) = '{', false)
{%- endmacro %}

{#- The text value of a top-level key of a JSON object text (null when absent). -#}
{% macro activation_json_get_text(expression, key) -%}
    {{ return(adapter.dispatch('activation_json_get_text', 'activation')(expression, key)) }}
{%- endmacro %}

{% macro default__activation_json_get_text(expression, key) -%}
    {{ activation_unsupported_adapter('activation_json_get_text') }}
{%- endmacro %}

{% macro duckdb__activation_json_get_text(expression, key) -%}
    json_extract_string({{ expression }}, '$.{{ key }}')
{%- endmacro %}

{% macro postgres__activation_json_get_text(expression, key) -%}
    ({{ expression }})::jsonb ->> '{{ key }}'
{%- endmacro %}

{% macro spark__activation_json_get_text(expression, key) -%}
    get_json_object({{ expression }}, '$.{{ key }}')
{%- endmacro %}
