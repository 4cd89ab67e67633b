{#-
    Incremental strategy `replace_scope`, for rollups whose rows can vanish. The model's
    incremental batch recomputes whole scopes (config `unique_key`: the scope columns, e.g.
    account_id and event_date) and lists a scope that no longer has any row with one marker row
    whose `scope_marker_column` (a column never null in a real row) is null. Every stored row of
    every listed scope is deleted; then the batch's real rows are inserted. A full refresh never
    emits marker rows.

        config(materialized='incremental', incremental_strategy='replace_scope',
               unique_key=['account_id', 'event_date'], scope_marker_column='n_events')
-#}
{% macro get_incremental_replace_scope_sql(arg_dict) -%}
    {{ return(adapter.dispatch('get_incremental_replace_scope_sql', 'activation')(arg_dict)) }}
{%- endmacro %}

{% macro default__get_incremental_replace_scope_sql(arg_dict) -%}
    {%- set scope = arg_dict['unique_key'] -%}
    {%- set scope = [scope] if scope is string else scope -%}
    {%- set marker = config.get('scope_marker_column') -%}
    {%- if not scope or not marker -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy 'replace_scope' needs unique_key (the scope columns) and "
            ~ "scope_marker_column in the config of " ~ model.name) }}
    {%- endif -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where ({{ scope | join(', ') }}) in (
        select distinct {{ scope | join(', ') }}
        from {{ arg_dict['temp_relation'] }}
    );

    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }}
    from {{ arg_dict['temp_relation'] }}
    where {{ marker }} is not null
{%- endmacro %}
