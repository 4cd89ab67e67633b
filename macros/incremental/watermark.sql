{#-
    The point after which an incremental model must re-read its input: the newest value of
    `column` already in {{ this }}, minus `lookback_hours` (to absorb clock skew between
    extract-load syncs), or 1900-01-01 when the table is empty. A scalar SQL expression over
    {{ this }}; use only inside `{% if is_incremental() %}`.
-#}
{% macro activation_incremental_watermark(column, lookback_hours=0) -%}
    {%- set newest = "coalesce(max(" ~ column ~ "), cast('1900-01-01' as " ~ dbt.type_timestamp() ~ "))" -%}
    (
        select
            {% if lookback_hours -%}
                {{ dbt.dateadd('hour', -1 * lookback_hours, newest) }}
            {%- else -%}
                {{ newest }}
            {%- endif %}
        from {{ this }}
    )
{%- endmacro %}
