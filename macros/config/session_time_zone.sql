{#-
    Run-start check (activation_check_raw_layer): raw timestamps are UTC (SPEC section 0). A raw column that an
    extract-load tool typed `timestamp with time zone` is read as the wall time of the session's
    time zone, so that zone must be UTC. DuckDB's is pinned by the profile (settings TimeZone)
    and Spark's by the session (spark.sql.session.timeZone); a Postgres session takes the
    server's or the role's default, which the profile cannot set, so a session in another zone
    stops the run here, naming the columns, instead of shifting their rows in silence.
    scripts/nightly.py sets PGTZ=UTC for the dbt it runs, unless the environment sets PGTZ.
-#}
{% macro activation_check_session_time_zone() -%}
    {{- return(adapter.dispatch('activation_check_session_time_zone', 'activation')()) -}}
{%- endmacro %}

{#- DuckDB: the profile pins TimeZone to UTC; Spark: the session's spark.sql.session.timeZone. -#}
{% macro default__activation_check_session_time_zone() -%}
{%- endmacro %}

{% macro duckdb__activation_check_session_time_zone() -%}
{%- endmacro %}

{% macro spark__activation_check_session_time_zone() -%}
{%- endmacro %}

{% macro postgres__activation_check_session_time_zone() -%}
    {%- if execute -%}
        {%- set raw = graph.sources.values() | selectattr('source_name', 'equalto', 'product') | list -%}
        {%- set rows = run_query(
            "select current_setting('TimeZone'), string_agg(table_name || '.' || column_name, ', '"
            ~ " order by table_name, column_name)"
            ~ " from information_schema.columns"
            ~ " where table_schema = '" ~ raw[0].schema ~ "' and data_type = 'timestamp with time zone'"
            ~ " and table_name in ('" ~ (raw | map(attribute='name') | join("', '")) ~ "')").rows -%}
        {%- set zone, columns = rows[0][0], rows[0][1] -%}
        {%- if columns and zone | upper not in ['UTC', 'ETC/UTC', 'UCT', 'ETC/UCT', 'UNIVERSAL', 'ZULU',
                                                'GMT', 'ETC/GMT', 'GREENWICH'] -%}
            {{- exceptions.raise_compiler_error(
                "Raw columns of type timestamp with time zone (" ~ columns ~ ") would be read in this"
                ~ " session's time zone, " ~ zone ~ ", not in UTC. Run dbt with the environment variable"
                ~ " PGTZ=UTC (or ALTER ROLE <user> SET timezone = 'UTC').") -}}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
