{#-
    An aggregate: how many distinct values the date column `date_column` has in each group, for
    a query that reads `relation` (the relation the column comes from). The grain tests of the
    account-day tables count the distinct dates of each account this way (about 100k groups and
    22M rows at the large preset).

    The SQL standard's count(distinct) keeps a hash set for each group: 4.3 s for the TAR table at
    the large preset. DuckDB can instead set one bit per day of the column's range in a bit
    string for each group (bitstring_agg) and count the bits: 0.3 s there, the same number. The
    range must be constants in the SQL, so the DuckDB version reads the column's min and max
    when the test compiles (one small scan). Each group holds a bit string as long as the range,
    so past `max_days` days (a date from a clock error, say 1900-01-01: 6 KB a group) it
    falls back to count(distinct), as it does with no rows or while dbt parses.
-#}
{% macro activation_count_distinct_dates(date_column, relation, max_days=4000) -%}
    {{ return(adapter.dispatch('activation_count_distinct_dates', 'activation')(date_column, relation, max_days)) }}
{%- endmacro %}

{#- the SQL standard -#}
{% macro default__activation_count_distinct_dates(date_column, relation, max_days) -%}
    count(distinct {{ date_column }})
{%- endmacro %}

{% macro postgres__activation_count_distinct_dates(date_column, relation, max_days) -%}
    {{- default__activation_count_distinct_dates(date_column, relation, max_days) -}}
{%- endmacro %}

{% macro spark__activation_count_distinct_dates(date_column, relation, max_days) -%}
    {{- default__activation_count_distinct_dates(date_column, relation, max_days) -}}
{%- endmacro %}

{% macro duckdb__activation_count_distinct_dates(date_column, relation, max_days) -%}
    {%- if not execute -%}
        {{- return(default__activation_count_distinct_dates(date_column, relation, max_days)) -}}
    {%- endif -%}
    {%- set bounds = run_query('select min(' ~ date_column ~ '), max(' ~ date_column ~ ') from ' ~ relation) -%}
    {%- set first_date, last_date = bounds.rows[0][0], bounds.rows[0][1] -%}
    {%- if first_date is none or (last_date - first_date).days > max_days -%}
        {{- return(default__activation_count_distinct_dates(date_column, relation, max_days)) -}}
    {%- endif -%}
    {%- set first_literal = "cast('" ~ first_date ~ "' as date)" -%}
    {#- a group whose dates are all null: bitstring_agg gives null, count(distinct) 0 -#}
    coalesce(bit_count(bitstring_agg(
        {{ dbt.datediff(first_literal, date_column, 'day') }},
        0,
        {{ (last_date - first_date).days }}
    )), 0)
{%- endmacro %}
