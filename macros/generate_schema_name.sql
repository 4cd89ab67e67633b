{#-
    Schemas are exactly raw, staging, intermediate, marts and dq (SPEC section 7): a custom
    schema is used verbatim instead of dbt's default `<target_schema>_<custom>` prefixing.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
