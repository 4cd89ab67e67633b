{#-
    Describe the rows of a configuration relation that break `condition`: '' when none do, else
    "Invalid configuration in <seed>: <message>. Offending row(s): (col=value, ...); ...". Runs
    a query, so call it only when `execute` is true.
-#}
{% macro activation_config_violations(relation, condition, message, row_columns) -%}
    {%- set failing = run_query(
        'select ' ~ row_columns | join(', ') ~ ' from ' ~ relation
        ~ ' where not coalesce((' ~ condition ~ '), false) limit 10') -%}
    {%- if failing.rows | length == 0 -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set described = [] -%}
    {%- for row in failing.rows -%}
        {%- set fields = [] -%}
        {%- for column in row_columns -%}
            {%- do fields.append(column ~ '=' ~ row[loop.index0]) -%}
        {%- endfor -%}
        {%- do described.append('(' ~ fields | join(', ') ~ ')') -%}
    {%- endfor -%}
    {{- return("Invalid configuration in " ~ relation.identifier ~ ": " ~ message
               ~ ". Offending row(s): " ~ described | join('; ')) -}}
{%- endmacro %}
