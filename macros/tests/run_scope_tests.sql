{#-
    Data tests on the event-grain incremental models audit what this run wrote.

    A test configured with `where: "__activation_run_scope__"` (or
    `"__activation_run_scope__:<date column>"`) checks, when the model it tests was built
    incrementally in this run, only the rows in this run's scope (stg_product__event_scopes):
    the accounts in scope, or, with a date column, the (account, date) pairs in scope and the
    whole accounts. Every row the run removed or wrote is in that scope, and so is every row
    that shares a key with one of them (the scope holds the pair of every raw copy of a changed
    event key), so a duplicate or a null the run introduced is still found; the rows outside it
    were audited by the run that wrote them and have not changed since. Rows without an account
    are always checked. When the model was rebuilt in full in this run, or not built by it
    (`dbt test` alone), the whole table is checked. This keeps the nightly's audit proportional
    to what changed (README "Incremental processing").

    `where: "__activation_key_scope__"` does the same for the event deduplication, whose run
    scope is a set of event keys (base_product__event_key_scopes): it checks the rows whose
    event_key is one the run re-decided, every row without an event_id (keyed by content:
    `missing_event_id:` and a hash; rejects, few) and any row without a key. Every row the run
    wrote has such a key, and the filter is on the key alone, so every other row with that key
    is checked with it.

    Overrides dbt's get_where_subquery (the documented hook for templated `where` configs);
    any other `where` behaves as in dbt.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') or '' -%}
    {%- set placeholder = '__activation_run_scope__' -%}
    {%- if where.startswith(placeholder) -%}
        {%- set date_column = where[placeholder | length:].lstrip(':').strip() or none -%}
        {%- if not activation_built_incrementally_this_run() -%}
            {%- do return(relation) -%}
        {%- endif -%}
        {#- the scope table is read as run state (the model under test ran after it) -#}
        {%- set node = graph.nodes.get('model.activation.stg_product__event_scopes') -%}
        {%- set scopes = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- set filtered -%}
            (select * from {{ relation }} where account_id is null or {{ activation_in_event_scope('account_id', date_column, scopes) }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- if where == '__activation_key_scope__' -%}
        {%- if not activation_built_incrementally_this_run() -%}
            {%- do return(relation) -%}
        {%- endif -%}
        {%- set node = graph.nodes.get('model.activation.base_product__event_key_scopes') -%}
        {%- set key_scopes = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- set filtered -%}
            (select * from {{ relation }} where event_key is null or event_key like 'missing_event_id:%'
             or event_key in (select key_scopes.event_id from {{ key_scopes }} as key_scopes)) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- do return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) -%}
{%- endmacro %}

{#- True when the model this test is attached to was built incrementally in the current run. -#}
{% macro activation_built_incrementally_this_run() -%}
    {%- if not execute -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) if model.attached_node else none -%}
    {%- if tested is none -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set manifest = activation_manifest_relation() -%}
    {#- no manifest yet (`dbt compile` on an empty warehouse): nothing was built incrementally -#}
    {%- if adapter.get_relation(manifest.database, manifest.schema, manifest.identifier) is none -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set rows = run_query(
        "select refresh_mode from " ~ manifest ~ " where model_name = '" ~ tested.name
        ~ "' and source_table = 'config' and recorded_at = " ~ activation_run_started_at()).rows -%}
    {{- return(rows | length > 0 and rows[0][0] == 'incremental') -}}
{%- endmacro %}
