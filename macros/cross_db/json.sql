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

{#-
    Postgres: the same text DuckDB's json_object writes (no spaces; timestamps as
    'YYYY-MM-DD HH:MM:SS[.ffffff]', which is their text cast on both engines, where to_json would
    write an ISO 'T'), so dq_rejected_rows.raw_row is equal on both engines, byte for byte.
    to_json writes the escapes of control characters with lower-case hex digits (\u001f), DuckDB
    and Spark with upper case: activation_json_escapes_upper (created at run start) rewrites
    the escapes themselves in upper case, never text that only looks like one (a value holding
    a backslash and 'u001f' is written '\\u001f' and stays so: it is the identity of a keyless
    row, and two values that differ in it are two rows).
-#}
{% macro postgres__activation_json_object(columns, values) -%}
    {{ activation_functions_schema() }}.activation_json_escapes_upper('{'
        {%- for column in columns %}
        || '{{ '"' ~ column ~ '":' }}' || coalesce(case
            when pg_typeof({{ values[loop.index0] }}) = 'timestamp'::regtype
                then to_json(cast({{ values[loop.index0] }} as text))
            else to_json({{ values[loop.index0] }})
        end::text, 'null'){{ " || ','" if not loop.last }}
        {%- endfor %}
    || '}')
{%- endmacro %}

{#-
    Spark's to_json drops null fields by default: keep them (a masked column keeps its key, SPEC
    section 7, as on the other engines). Timestamps are written as the other engines write them:
    to_json prints every fraction digit, so zeros are trimmed after (a zero fraction goes, as in
    DuckDB's text). Only a whole quoted value of that shape is touched; quotes inside a text
    value are escaped, so nested JSON text is left alone.
-#}
{% macro spark__activation_json_object(columns, values) -%}
    regexp_replace(
        regexp_replace(
            to_json(named_struct(
                {%- for column in columns %}
                '{{ column }}', {{ values[loop.index0] }}{{ ',' if not loop.last }}
                {%- endfor %}
            ), map('ignoreNullFields', 'false', 'timestampFormat', 'yyyy-MM-dd HH:mm:ss.SSSSSS')),
            '("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2})\\.000000"', '$1"'
        ),
        '("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d*[1-9])0+"', '$1"'
    )
{%- endmacro %}

{#-
    True when the text is JSON (RFC 8259, as PostgreSQL's jsonb reads it) and an object ('{}'
    included); false otherwise, null included. DuckDB's and Spark's parsers are more lenient
    than the standard, each in its own way; each implementation below refuses what its engine
    would let through, so the three engines reject the same properties (unit test
    events_properties_must_be_standard_json_objects, run on each engine).
-#}
{% macro activation_is_json_object(expression) -%}
    {{ return(adapter.dispatch('activation_is_json_object', 'activation')(expression)) }}
{%- endmacro %}

{% macro default__activation_is_json_object(expression) -%}
    {{ activation_unsupported_adapter('activation_is_json_object') }}
{%- endmacro %}

{#-
    DuckDB's json_valid also accepts trailing commas ('{"a": 1,}') and NaN or Infinity as
    numbers (any case, 'nan' and 'inf' too). A text that could hold either (a comma before a
    closing bracket, or those letters anywhere: rare in real properties) is checked again with
    its strings emptied and true, false, null and exponents removed: no letter and no such comma
    may remain. A case, not an and: DuckDB evaluates both sides of an and, and json_type raises
    on bad JSON.
-#}
{% macro duckdb__activation_is_json_object(expression) -%}
    case
        when not coalesce(json_valid({{ expression }}), false) then false
        when json_type({{ expression }}) != 'OBJECT' then false
        when regexp_matches({{ expression }}, ',\s*[}\]]|[nN][aA][nN]|[iI][nN][fF]')
            then not regexp_matches(
                regexp_replace(
                    regexp_replace({{ expression }}, '"(\\.|[^"\\])*"', '""', 'g'),
                    'true|false|null|[0-9][eE]', '', 'g'
                ),
                ',\s*[}\]]|[A-Za-z]'
            )
        else true
    end
{%- endmacro %}

{#-
    Postgres: pg_input_is_valid needs 16+, so a parse is tried in a function with an exception
    handler (activation_create_functions, run at run start); same answer on every version.
-#}
{% macro postgres__activation_is_json_object(expression) -%}
    coalesce({{ activation_functions_schema() }}.activation_is_json_object({{ expression }}), false)
{%- endmacro %}

{#-
    Spark's JSON reader accepts single-quoted strings and NaN or Infinity unless told otherwise
    (its options), and ignores whatever follows the first complete value ('{"a": 1} x',
    '{"a": 1}{"b": 2}'). The text is therefore read inside an array, '[' || text || ']', which
    must hold exactly one object: anything after the object is inside the array and breaks it.
    One input still passes: a text that closes the array itself and opens another
    ('{"a": 1}],[{"b": 2}'), which no extract-load tool writes. The first character after the
    JSON whitespace (space, tab, line feed, carriage return: Spark's ltrim strips only spaces)
    must open an object.
-#}
{% macro spark__activation_is_json_object(expression) -%}
    coalesce(
        substr(regexp_replace({{ expression }}, '^[ \\t\\n\\r]+', ''), 1, 1) = '{'
        and size(from_json(
            concat('[', {{ expression }}, ']'), 'array<map<string,string>>',
            map('allowSingleQuotes', 'false', 'allowNonNumericNumbers', 'false')
        )) = 1,
        false
    )
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

{#- Where the project's own SQL functions live (Postgres): schema staging (SPEC section 7 names). -#}
{% macro activation_functions_schema() -%}
    {{- return('staging') -}}
{%- endmacro %}

{#-
    SQL functions the models call, created at run start (on-run-start in dbt_project.yml); none
    on engines whose built-ins suffice. Postgres 15 has no pg_input_is_valid: casting to jsonb in
    a PL/pgSQL block that catches the error is the portable test (null in, null out).
-#}
{% macro activation_create_functions() -%}
    {{ return(adapter.dispatch('activation_create_functions', 'activation')()) }}
{%- endmacro %}

{% macro default__activation_create_functions() -%}
    select 1 as no_functions_needed
{%- endmacro %}

{% macro postgres__activation_create_functions() -%}
    {%- set schema = activation_functions_schema() -%}
    {%- do adapter.create_schema(api.Relation.create(database=target.database, schema='staging')) -%}
    create or replace function {{ schema }}.activation_is_json_object(value text) returns boolean
    language plpgsql immutable parallel safe as $body$
    begin
        return jsonb_typeof(value::jsonb) = 'object';
    exception when others then
        return false;
    end
    $body$;
    {#-
        The escapes of control characters whose hex digits hold a letter (0x0B, 0x0E, 0x0F,
        0x1A-0x1F; the others have short escapes or digits only), in upper case. An escape is a
        backslash not itself escaped: one after an even number of backslashes (none, or escaped
        pairs), so the text '\\u001f' (an escaped backslash, then letters) is left as it is.
    -#}
    create or replace function {{ schema }}.activation_json_escapes_upper(value text) returns text
    language plpgsql immutable parallel safe as $body$
    declare
        result text := value;
        code text;
    begin
        if strpos(value, '\u00') = 0 then
            return value;
        end if;
        foreach code in array array['000b', '000e', '000f', '001a', '001b', '001c', '001d', '001e', '001f'] loop
            result := regexp_replace(result, '(?<!\\)((?:\\\\)*)\\u' || code, '\1\\u' || upper(code), 'g');
        end loop;
        return result;
    end
    $body$
{%- endmacro %}
