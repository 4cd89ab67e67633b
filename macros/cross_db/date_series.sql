{#- A one-column select (`date_day`) of every date from start_date to end_date, both inclusive. -#}
{% macro activation_date_series(start_date, end_date, from_clause='') -%}
    {{ return(adapter.dispatch('activation_date_series', 'activation')(start_date, end_date, from_clause)) }}
{%- endmacro %}

{% macro default__activation_date_series(start_date, end_date, from_clause) -%}
    {{ activation_unsupported_adapter('activation_date_series') }}
{%- endmacro %}

{% macro duckdb__activation_date_series(start_date, end_date, from_clause) -%}
    select cast(unnest(generate_series(
        cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day
    )) as date) as date_day
    {{ from_clause }}
{%- endmacro %}

{% macro postgres__activation_date_series(start_date, end_date, from_clause) -%}
    select cast(generate_series(
        cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval '1 day'
    ) as date) as date_day
    {{ from_clause }}
{%- endmacro %}

{% macro spark__activation_date_series(start_date, end_date, from_clause) -%}
    select explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day)) as date_day
    {{ from_clause }}
{%- endmacro %}
