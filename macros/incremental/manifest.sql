{#-
    The incremental manifest: one mechanism for every incremental model (README "Incremental
    processing").

    What has landed. `base_product__loads` (a table, built first in every run) summarises every
    raw table by the hour of `_loaded_at`: rows and a checksum of their content, held rows left
    out. It is the run's snapshot of the raw layer.

    What each model has processed. The manifest table (schema staging, created at run start)
    holds, per incremental model, the load summaries it has processed, a `config` row with
    the fingerprint of the configuration it was built with, when, and whether in full, and a
    `last_full_rebuild` row: when it was last rebuilt in full, kept through its incremental
    runs, so a model downstream decides against it even if it missed that run. A model's
    post-hook (activation_advance_manifest) writes them after its SQL succeeded, so a model that
    failed, or a run killed between models, leaves that model's entries as they were and the
    next run catches it up.

    What a run does (activation_incremental_plan), per model, decided when it runs:
      full         first build, --full-refresh, no manifest entry, a changed seed or var the
                   model depends on (upstream, transitively), edited SQL in it, a model
                   upstream of it or a macro they call, its own enforced contract
                   changed (the table is then created anew), rows removed or rewritten in a
                   raw table it reads (a replace load), an upstream incremental model that
                   was rebuilt in full since this model last ran, or a run-scope table it reads
                   that this invocation does not build (a partial selection);
      incremental  otherwise: only the rows in the load hours that differ from what it
                   processed (activation_loaded_in_scope), wherever their _loaded_at lies, so a
                   backfill with an old _loaded_at is picked up like any new row.
    The reason is recorded in the manifest and printed by scripts/nightly.py.
-#}

{% macro activation_manifest_relation() -%}
    {{- return(api.Relation.create(database=target.get('database'), schema='staging',
                                   identifier='activation_incremental_manifest')) -}}
{%- endmacro %}

{#-
    base_product__loads, the run's snapshot of the raw layer, read as run state (without ref(), so
    that models downstream of staging keep reading stg_ models only). Every model that reads it
    runs after it: the event deduplication and stg_product__event_scopes depend on it directly,
    the consumers of the event scopes through them.
-#}
{% macro activation_loads_relation() -%}
    {%- set node = graph.nodes.get('model.activation.base_product__loads') if execute else none -%}
    {%- if node is none -%}
        {{- return(api.Relation.create(database=target.get('database'), schema='staging', identifier='base_product__loads')) -}}
    {%- endif -%}
    {{- return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) -}}
{%- endmacro %}

{#-
    The base model of a raw table (base_product__<table>: every raw row, typed, with is_held),
    read as run state like base_product__loads (without ref(): the models downstream of staging
    read stg_ models only).
-#}
{% macro activation_base_relation(source_table) -%}
    {%- set node = graph.nodes.get('model.activation.base_product__' ~ source_table) -%}
    {{- return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) -}}
{%- endmacro %}

{#- on-run-start: the manifest table exists before any model reads it. -#}
{% macro activation_create_manifest() -%}
    {%- set manifest = activation_manifest_relation() -%}
    {%- do adapter.create_schema(manifest) -%}
    create table if not exists {{ manifest }} (
        model_name {{ dbt.type_string() }},
        source_table {{ dbt.type_string() }},
        loaded_hour {{ dbt.type_timestamp() }},
        n_rows {{ dbt.type_bigint() }},
        content_checksum {{ dbt.type_string() }},
        refresh_mode {{ dbt.type_string() }},
        refresh_reason {{ dbt.type_string() }},
        recorded_at {{ dbt.type_timestamp() }},
        max_loaded_at {{ dbt.type_timestamp() }}
    ){{ activation_manifest_migration(manifest) }}
{%- endmacro %}

{#-
    A manifest made by an earlier version gains the columns added since (its load-hour rows
    have no max_loaded_at: activation_rewritten_sources then checks only counts and checksums
    for them, as before). Spark records no manifest (its incremental models are tables).
-#}
{% macro activation_manifest_migration(manifest) -%}
    {{- return(adapter.dispatch('activation_manifest_migration', 'activation')(manifest)) -}}
{%- endmacro %}

{% macro default__activation_manifest_migration(manifest) -%}
    ;
    alter table {{ manifest }} add column if not exists max_loaded_at {{ dbt.type_timestamp() }}
{%- endmacro %}

{% macro spark__activation_manifest_migration(manifest) -%}
{%- endmacro %}

{#-
    The columns of each raw table that base_product__loads checksums per load hour (from the
    table's base model): the events' own columns; for the other tables, the key, the row's
    content as JSON and _loaded_at.
-#}
{% macro activation_load_summary_columns() -%}
    {{- return({
        'accounts': ['account_id', 'row_content_json', '_loaded_at'],
        'users': ['user_id', 'row_content_json', '_loaded_at'],
        'subscriptions': ['subscription_change_id', 'row_content_json', '_loaded_at'],
        'seat_assignments': ['seat_assignment_id', 'row_content_json', '_loaded_at'],
        'interventions': ['intervention_id', 'row_content_json', '_loaded_at'],
        'events': ['event_id', 'account_id', 'user_id', 'event_name', 'properties', 'occurred_at',
                   'received_at', '_loaded_at'],
    }) -}}
{%- endmacro %}

{#-
    The materialization of the incremental models (config `materialized` of the six models over
    events): `incremental` wherever rows can be removed (a pre-hook deletes the rows in scope,
    the model appends them recomputed). Spark with Parquet tables has no DELETE, and dbt-spark
    neither delete+insert nor custom strategies, so there they are tables, rebuilt whole every
    run: the same SQL as a full refresh, hence the same rows (docs/interpretations.md, "Engines").
-#}
{% macro activation_incremental_materialization() -%}
    {{- return(adapter.dispatch('activation_incremental_materialization', 'activation')()) -}}
{%- endmacro %}

{% macro default__activation_incremental_materialization() -%}
    {{- return('incremental') -}}
{%- endmacro %}

{% macro spark__activation_incremental_materialization() -%}
    {{- return('table') -}}
{%- endmacro %}

{#- The hour bucket of a load timestamp. -#}
{% macro activation_loaded_hour(loaded_at) -%}
    {{ dbt.date_trunc('hour', loaded_at) }}
{%- endmacro %}

{#- A checksum text of a group of rows, from the listed columns (order-independent). -#}
{% macro activation_rows_checksum(columns) -%}
    {{ return(adapter.dispatch('activation_rows_checksum', 'activation')(columns)) }}
{%- endmacro %}

{% macro default__activation_rows_checksum(columns) -%}
    {{ exceptions.raise_compiler_error(
        "activation_rows_checksum has no implementation for adapter '" ~ adapter.type()
        ~ "': add " ~ adapter.type() ~ "__activation_rows_checksum in macros/incremental/manifest.sql") }}
{%- endmacro %}

{% macro duckdb__activation_rows_checksum(columns) -%}
    cast(sum(hash({{ columns | join(', ') }}) % 1000000007) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro postgres__activation_rows_checksum(columns) -%}
    cast(sum(hashtextextended(
        {%- for column in columns %}coalesce(cast({{ column }} as text), '\N'){{ " || '|' || " if not loop.last }}{% endfor -%}
    , 0) % 1000000007) as text)
{%- endmacro %}

{% macro spark__activation_rows_checksum(columns) -%}
    cast(sum(cast(xxhash64({{ columns | join(', ') }}) % 1000000007 as bigint)) as string)
{%- endmacro %}

{#-
    The configuration a model's output depends on, as {input: fingerprint}: the content of every
    seed upstream of it; every activation__* var read by it, by a model upstream of it, or by a
    macro any of them calls, directly or through other macros (found in their code); and the
    code itself: the SQL of the model and of every model upstream of it, and of every macro of
    this project they call, compared without comments and with runs of whitespace made one
    space, so a changed docstring or indentation changes nothing, an edited rule does. Macros
    of dbt and its adapters are not followed: they read no activation__* var, and they change
    only with a dbt upgrade, which the pinned requirements make a deliberate step (README
    "Incremental processing", Upgrading). as_of_date is not configuration here: models that
    depend on it handle a new date themselves. A model with an enforced contract adds its
    contract (columns, types, constraints): the table's DDL, which only a rebuild can change
    (activation_incremental_pre_hook).
-#}
{% macro activation_config_fingerprint(node=none) -%}
    {%- set node = node or model -%}
    {%- set seen = [] -%}
    {%- set seeds = [] -%}
    {%- set codes = [] -%}
    {%- set fingerprint = {} -%}
    {%- set queue = [node.unique_id] -%}
    {%- for unique_id in queue -%}
        {%- if unique_id not in seen -%}
            {%- do seen.append(unique_id) -%}
            {%- set current = graph.nodes.get(unique_id) or _activation_project_macro(unique_id) -%}
            {%- if current is not none -%}
                {%- if current.resource_type == 'seed' -%}
                    {%- do seeds.append(current) -%}
                {%- else -%}
                    {%- set code = (current.macro_sql if current.resource_type == 'macro' else current.raw_code) or '' -%}
                    {%- do codes.append(code) -%}
                    {%- if current.package_name == project_name -%}
                        {%- do fingerprint.update({'code ' ~ current.resource_type ~ ' ' ~ current.name:
                                                   local_md5(_activation_code_without_comments(code))}) -%}
                    {%- endif -%}
                    {%- for parent in current.depends_on.macros -%}
                        {%- do queue.append(parent) -%}
                    {%- endfor -%}
                    {%- for parent in current.depends_on.nodes | default([]) -%}
                        {%- do queue.append(parent) -%}
                    {%- endfor -%}
                {%- endif -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set var_names = [] -%}
    {%- for code in codes -%}
        {%- for name in modules.re.findall("var[(][ \t\n]*['\"](activation__[a-z0-9_]+)['\"]", code) -%}
            {%- if name != 'activation__as_of_date' and name not in var_names -%}
                {%- do var_names.append(name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for name in var_names | sort -%}
        {%- do fingerprint.update({'var ' ~ name: local_md5(var(name, none) | tojson)}) -%}
    {%- endfor -%}
    {%- if node.contract.enforced -%}
        {%- set columns = [] -%}
        {%- for column in node.columns.values() -%}
            {%- do columns.append([column.name, column.data_type, column.constraints]) -%}
        {%- endfor -%}
        {%- do fingerprint.update({'contract': local_md5([columns, node.constraints] | tojson)}) -%}
    {%- endif -%}
    {%- for seed in seeds | sort(attribute='name') -%}
        {%- set content = _activation_seed_fingerprint(seed) -%}
        {%- if content is not none -%}
            {%- do fingerprint.update({'seed ' ~ seed.name: content}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(fingerprint) -}}
{%- endmacro %}

{#-
    The macro of this project with that unique_id (its code and what it calls; dbt's `graph`
    holds no macros), or none for a macro of dbt or an adapter.
-#}
{% macro _activation_project_macro(unique_id) -%}
    {%- set parts = unique_id.split('.') -%}
    {%- if parts | length == 3 and parts[0] == 'macro' and parts[1] == project_name -%}
        {%- set generator = context[project_name].get(parts[2]) -%}
        {{- return(generator.macro if generator is not none else none) -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}

{#-
    Code as the fingerprint compares it: without Jinja comments and SQL line comments (two
    dashes to the end of the line), every run of whitespace one space.
-#}
{% macro _activation_code_without_comments(code) -%}
    {%- set without_jinja_comments = modules.re.sub('(?s)[{]#.*?#[}]', ' ', code) -%}
    {%- set without_sql_comments = modules.re.sub('--[^\n]*', ' ', without_jinja_comments) -%}
    {{- return(without_sql_comments.split() | join(' ')) -}}
{%- endmacro %}

{#-
    The fingerprint of a seed's content (none when the seed has no table yet), read once per
    invocation: every model that reads the seed runs after the seed was built in this
    invocation, so they all see the same content.
-#}
{% macro _activation_seed_fingerprint(seed) -%}
    {%- set memo = _activation_run_memo('seed fingerprints') -%}
    {%- if seed.unique_id not in memo -%}
        {%- set relation = adapter.get_relation(seed.database, seed.schema, seed.alias or seed.name) -%}
        {%- set content = none -%}
        {%- if relation is not none -%}
            {%- set lines = [] -%}
            {%- for row in run_query('select * from ' ~ relation).rows -%}
                {%- do lines.append(row.values() | map('string') | join('\x1f')) -%}
            {%- endfor -%}
            {%- set content = local_md5(lines | sort | join('\n')) -%}
        {%- endif -%}
        {%- do memo.update({seed.unique_id: content}) -%}
    {%- endif -%}
    {{- return(memo[seed.unique_id]) -}}
{%- endmacro %}

{#-
    What this invocation has already worked out, by kind: each model's plan (its SQL, its
    pre-hooks and its post-hook ask for it; the answer cannot change in between, since only the
    post-hook itself writes the model's manifest entries) and each seed's fingerprint. Kept in
    the invocation's `graph`, the one dictionary dbt shares between every node it runs (a
    fresh one for each invocation; the invocation id guards against one reused by a
    long-lived process). Without it, every incremental model re-read every seed and the
    manifest four times a run.
-#}
{% macro _activation_run_memo(kind) -%}
    {%- set memo = graph.setdefault('activation_run_memo', {}) -%}
    {%- if memo.get('invocation_id') != invocation_id -%}
        {%- do memo.clear() -%}
        {%- do memo.update({'invocation_id': invocation_id}) -%}
    {%- endif -%}
    {{- return(memo.setdefault(kind, {})) -}}
{%- endmacro %}

{#- The incremental models upstream of this one (transitively). -#}
{% macro _activation_upstream_incremental_models() -%}
    {%- set seen = [] -%}
    {%- set found = [] -%}
    {%- set queue = model.depends_on.nodes | list -%}
    {%- for unique_id in queue -%}
        {%- if unique_id not in seen -%}
            {%- do seen.append(unique_id) -%}
            {%- set current = graph.nodes.get(unique_id) -%}
            {%- if current is not none and current.resource_type == 'model' -%}
                {%- if current.config.materialized == 'incremental' -%}
                    {%- do found.append(current.name) -%}
                {%- endif -%}
                {%- for parent in current.depends_on.nodes -%}
                    {%- do queue.append(parent) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(found) -}}
{%- endmacro %}

{#-
    The incremental models that read this model directly (the consumers of a run scope); with
    `source_table`, only those that list it in their `activation_sources`.
-#}
{% macro activation_incremental_children(source_table=none) -%}
    {%- set children = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and model.unique_id in node.depends_on.nodes
                and node.config.materialized == 'incremental'
                and (source_table is none or source_table in (node.config.get('activation_sources') or [])) -%}
                {%- do children.append(node.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(children) -}}
{%- endmacro %}

{#- The raw tables whose new rows the model reads (config `activation_sources`). -#}
{% macro _activation_sources() -%}
    {{- return(config.get('activation_sources') or []) -}}
{%- endmacro %}

{#-
    How this run builds the model: {'mode': 'full' | 'incremental', 'reason': text,
    'fingerprint': {...}}, decided once per model and invocation (the model's SQL, its pre-hooks
    and its post-hook all ask; _activation_run_memo). The model's config `activation_sources` lists the raw tables
    (base_product__loads.source_table) whose new rows it reads through activation_loaded_in_scope.
-#}
{% macro activation_incremental_plan() -%}
    {%- if not execute -%}
        {{- return({'mode': 'full', 'reason': 'parsing'}) -}}
    {%- endif -%}
    {%- set plans = _activation_run_memo('plans') -%}
    {%- if model.unique_id not in plans -%}
        {%- do plans.update({model.unique_id: _activation_decide_plan()}) -%}
    {%- endif -%}
    {{- return(plans[model.unique_id]) -}}
{%- endmacro %}

{#- activation_incremental_plan, worked out (once per model and invocation). -#}
{% macro _activation_decide_plan() -%}
    {%- set sources = _activation_sources() -%}
    {%- if not is_incremental() -%}
        {%- set reason = '--full-refresh' if flags.FULL_REFRESH else 'first build' -%}
        {{- return({'mode': 'full', 'reason': reason}) -}}
    {%- endif -%}
    {%- set fingerprint = activation_config_fingerprint() -%}
    {%- set stale_scopes = _activation_run_scopes_not_built() -%}
    {%- if stale_scopes -%}
        {{- return({'mode': 'full', 'reason': 'run scope not built in this run: ' ~ (stale_scopes | join(', ')),
                    'fingerprint': fingerprint}) -}}
    {%- endif -%}
    {%- set manifest = activation_manifest_relation() -%}
    {%- set last = run_query(
        "select content_checksum, recorded_at from " ~ manifest ~ " where model_name = '" ~ model.name
        ~ "' and source_table = 'config'").rows -%}
    {%- if last | length == 0 -%}
        {{- return({'mode': 'full', 'reason': 'first build with a manifest', 'fingerprint': fingerprint}) -}}
    {%- endif -%}
    {%- set previous = fromjson(last[0][0]) -%}
    {%- set changed = [] -%}
    {%- for name in (fingerprint.keys() | list) + (previous.keys() | list) -%}
        {%- if fingerprint.get(name) != previous.get(name) and name not in changed -%}
            {%- do changed.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if changed -%}
        {%- set edited = {'configuration': [], 'code': []} -%}
        {%- for name in changed | sort -%}
            {%- if name.startswith('code ') -%}
                {%- do edited['code'].append(name[5:]) -%}
            {%- else -%}
                {%- do edited['configuration'].append(name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set reasons = [] -%}
        {%- for kind in ['configuration', 'code'] if edited[kind] -%}
            {%- set names = edited[kind] -%}
            {%- do reasons.append(kind ~ ' changed: ' ~ (names[:5] | join(', '))
                                  ~ ((' and ' ~ (names | length - 5) ~ ' more') if names | length > 5 else '')) -%}
        {%- endfor -%}
        {{- return({'mode': 'full', 'reason': reasons | join('; '), 'fingerprint': fingerprint}) -}}
    {%- endif -%}
    {%- set upstream = _activation_upstream_incremental_models() -%}
    {%- if upstream -%}
        {%- set rebuilt = run_query(
            "select upstream.model_name from " ~ manifest ~ " as upstream, " ~ manifest ~ " as this_model"
            ~ " where upstream.source_table = 'last_full_rebuild' and this_model.source_table = 'config'"
            ~ " and this_model.model_name = '" ~ model.name ~ "'"
            ~ " and upstream.recorded_at > this_model.recorded_at"
            ~ " and upstream.model_name in ('" ~ (upstream | join("', '")) ~ "')").rows -%}
        {%- if rebuilt | length > 0 -%}
            {{- return({'mode': 'full', 'reason': 'upstream rebuilt in full: '
                        ~ (rebuilt | map(attribute=0) | sort | join(', ')), 'fingerprint': fingerprint}) -}}
        {%- endif -%}
    {%- endif -%}
    {%- if sources -%}
        {%- set rewritten = activation_rewritten_sources(sources) -%}
        {%- if rewritten | length > 0 -%}
            {{- return({'mode': 'full', 'reason': 'rows removed or rewritten in raw '
                        ~ (rewritten | sort | join(', ')), 'fingerprint': fingerprint}) -}}
        {%- endif -%}
    {%- endif -%}
    {{- return({'mode': 'incremental', 'reason': 'only what changed', 'fingerprint': fingerprint}) -}}
{%- endmacro %}

{#-
    The raw tables among `sources` in which rows this model processed were removed or rewritten
    since (a replace load): a load hour it processed that has fewer rows now, or as many with
    another checksum; or that has more rows, but whose rows up to the latest `_loaded_at` it
    processed in that hour are not the ones it processed (another count or checksum): rows were
    rewritten or removed in the same hour as rows were added. Rows added to a processed hour
    land after what was processed there (a later load) and leave that part as it was. A
    backfill stamped inside a processed hour at or before its latest row (or a later load given
    the same stamp) reads as a rewrite too: a full rebuild, never a wrong result. An hour without a recorded max_loaded_at (recorded by
    an earlier version, or rows without _loaded_at) is checked by count and checksum alone.
    The second check reads raw rows only for hours that grew, filtered on _loaded_at.
-#}
{% macro activation_rewritten_sources(sources) -%}
    {%- set manifest = activation_manifest_relation() -%}
    {%- set compared = run_query(
        "select processed.source_table, processed.loaded_hour, processed.n_rows, processed.content_checksum,"
        ~ " processed.max_loaded_at, landed.n_rows"
        ~ " from " ~ manifest ~ " as processed"
        ~ " left join " ~ activation_loads_relation() ~ " as landed"
        ~ " on processed.source_table = landed.source_table"
        ~ " and processed.loaded_hour is not distinct from landed.loaded_hour"
        ~ " where processed.model_name = '" ~ model.name ~ "'"
        ~ " and processed.source_table in ('" ~ (sources | join("', '")) ~ "')"
        ~ " and (landed.n_rows is null or landed.n_rows < processed.n_rows"
        ~ " or (landed.n_rows = processed.n_rows and landed.content_checksum != processed.content_checksum)"
        ~ " or (landed.n_rows > processed.n_rows and processed.max_loaded_at is not null))").rows -%}
    {%- set rewritten = [] -%}
    {%- set grown = {} -%}
    {%- for source_table, loaded_hour, n_rows, checksum, max_loaded_at, landed_rows in compared -%}
        {%- if landed_rows is not none and landed_rows > n_rows -%}
            {%- do grown.setdefault(source_table, []).append([loaded_hour, n_rows, checksum, max_loaded_at]) -%}
        {%- elif source_table not in rewritten -%}
            {%- do rewritten.append(source_table) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set columns = activation_load_summary_columns() -%}
    {%- for source_table, hours in grown.items() if source_table not in rewritten -%}
        {%- set checks = [] -%}
        {%- for loaded_hour, n_rows, checksum, max_loaded_at in hours -%}
            {%- set since = activation_timestamp_literal(loaded_hour) -%}
            {%- set until = activation_timestamp_literal(max_loaded_at) -%}
            {%- do checks.append(
                "select count(*) as n_rows, " ~ activation_rows_checksum(columns[source_table]) ~ " as content_checksum,"
                ~ " " ~ n_rows ~ " as processed_rows, '" ~ checksum ~ "' as processed_checksum"
                ~ " from " ~ activation_base_relation(source_table)
                ~ " where not is_held and _loaded_at >= " ~ since ~ " and _loaded_at <= " ~ until) -%}
        {%- endfor -%}
        {%- set changed = run_query(
            "select count(*) from (" ~ (checks | join(" union all ")) ~ ") as kept"
            ~ " where kept.n_rows != kept.processed_rows"
            ~ " or coalesce(kept.content_checksum, '') != kept.processed_checksum").rows -%}
        {%- if changed[0][0] > 0 -%}
            {%- do rewritten.append(source_table) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(rewritten) -}}
{%- endmacro %}

{#-
    The run-scope tables this model reads (stg_product__event_scopes, base_product__event_key_scopes)
    that this invocation does not build: a selection without them (`dbt build -s model`, `dbt
    retry`) would find another run's scope in the table, and the model would advance its
    manifest past rows that scope never held. Such a model rebuilds in full instead.
-#}
{% macro _activation_run_scopes_not_built() -%}
    {%- set missing = [] -%}
    {#- no selection known (sqlfluff's templater compiles a node without one): nothing to check -#}
    {%- if not selected_resources -%}
        {{- return(missing) -}}
    {%- endif -%}
    {%- for name in ['stg_product__event_scopes', 'base_product__event_key_scopes'] -%}
        {%- set unique_id = 'model.activation.' ~ name -%}
        {%- if unique_id in model.depends_on.nodes and unique_id not in selected_resources -%}
            {%- do missing.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(missing) -}}
{%- endmacro %}

{#- True when this run builds the model incrementally (use instead of is_incremental()). -#}
{% macro activation_is_incremental() -%}
    {{- return(activation_incremental_plan()['mode'] == 'incremental') -}}
{%- endmacro %}

{#-
    Pre-hook of every incremental model: an existing table that this run rebuilds in full is
    emptied first (in the model's transaction), so the full batch replaces it whole. A table
    with an enforced contract is created anew from the contract instead, so a rebuild for a
    changed contract (a new check, a new column) gives the table the contract's DDL, as
    --full-refresh does; the materialization then appends the batch to it.
-#}
{% macro activation_incremental_pre_hook() -%}
    {%- if execute and is_incremental() and not activation_is_incremental() -%}
        {%- if model.contract.enforced -%}
            {{ activation_recreate_from_contract() }}
        {%- else -%}
            delete from {{ this }}
        {%- endif -%}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The model's table, dropped and created empty from its contract (columns and constraints). -#}
{% macro activation_recreate_from_contract() -%}
    {{- return(adapter.dispatch('activation_recreate_from_contract', 'activation')()) -}}
{%- endmacro %}

{% macro default__activation_recreate_from_contract() -%}
    drop table {{ this }};
    create table {{ this }} {{ get_table_columns_and_constraints() }}
{%- endmacro %}

{% macro duckdb__activation_recreate_from_contract() -%}
    create or replace table {{ this }} {{ get_table_columns_and_constraints() }}
{%- endmacro %}

{#-
    Postgres: views over the table (fct_account_tar_daily) go with it, as they do when dbt-postgres
    swaps in a rebuilt table, and the run recreates them downstream. Dropped through the adapter,
    so that dbt's relation cache forgets them too (the table itself is back in it at once: the
    post-hook's plan must still see an existing table); inside the model's transaction, so a
    failure restores both.
-#}
{% macro postgres__activation_recreate_from_contract() -%}
    {%- set table = this.incorporate(type='table') -%}
    {%- do adapter.drop_relation(table) -%}
    {%- do adapter.cache_added(table) -%}
    create table {{ this }} {{ get_table_columns_and_constraints() }}
{%- endmacro %}

{#- Spark: the incremental models are tables rebuilt whole (activation_incremental_materialization). -#}
{% macro spark__activation_recreate_from_contract() -%}
    {{ exceptions.raise_compiler_error("activation_recreate_from_contract: on Spark the incremental models are tables, rebuilt whole every run") }}
{%- endmacro %}

{#-
    The load hours of raw `source_table` that `models` (a list of model names; default: this
    model) have not all processed as they are now: new rows, rows added to an hour already
    processed, held rows whose time came, backfills with an old _loaded_at. A model without a
    manifest entry is left out (it rebuilds in full anyway). A SQL query of one column,
    loaded_hour; with `per_model`, of two: model_name and loaded_hour, an hour once per model
    that has not processed it.
-#}
{% macro activation_unprocessed_load_hours(source_table, models=none, per_model=false) -%}
    {%- set models = models if models is not none else [model.name] -%}
    {#- an anti-join, not nested not-exists: Spark resolves correlated columns one level out only -#}
    select {% if per_model %}consumers.model_name, {% endif %}landed.loaded_hour
    from {{ activation_loads_relation() }} as landed
    cross join (
        select consumer.model_name
        from {{ activation_manifest_relation() }} as consumer
        where
            consumer.source_table = 'config'
            and consumer.model_name in ('{{ models | join("', '") }}')
    ) as consumers
    left join {{ activation_manifest_relation() }} as processed
        on
            consumers.model_name = processed.model_name
            and landed.source_table = processed.source_table
            and landed.loaded_hour is not distinct from processed.loaded_hour
            and landed.n_rows = processed.n_rows
            and landed.content_checksum = processed.content_checksum
    where
        landed.source_table = '{{ source_table }}'
        and processed.model_name is null
{%- endmacro %}

{#-
    A SQL predicate: the row's `loaded_at` is in an unprocessed load hour (see above). Not
    correlated, so `loaded_at` may be unqualified; a null hour (no _loaded_at) matches a null.

    It starts with a range on `loaded_at` itself, from the earliest unprocessed hour (read when
    the model runs): implied by the hour test, but an engine can check it against the minimum
    and maximum it keeps per block of rows, so a scan of an append-only raw table reads only the
    blocks loaded since (a one-day nightly at the large preset: the new day, not the history).
    No range when nothing is unprocessed or an unprocessed row has no _loaded_at.
-#}
{% macro activation_loaded_in_scope(source_table, loaded_at='_loaded_at', models=none) -%}
    {%- set no_hour = "cast('1900-01-01' as " ~ dbt.type_timestamp() ~ ")" -%}
    {%- set earliest = _activation_earliest_unprocessed_hour(source_table, models) -%}
    {%- if earliest is not none -%}
    {{ loaded_at }} >= cast('{{ earliest }}' as {{ dbt.type_timestamp() }}) and {% endif -%}
    coalesce({{ activation_loaded_hour(loaded_at) }}, {{ no_hour }}) in (
        select coalesce(unprocessed.loaded_hour, {{ no_hour }})
        from ({{ activation_unprocessed_load_hours(source_table, models) }}) as unprocessed
    )
{%- endmacro %}

{#-
    The keys of a raw table other than events whose winning copy the rows in the unprocessed
    load hours changed (see above): a SQL query of one column, `changed_key`. `relation` is the
    table's base model (every raw copy, with `is_held`, `row_content_json` and `_loaded_at`).
    A key is changed when it has a copy in those hours and either no copy before them (a new
    key) or a winning copy (activation_latest_copy_first) whose content differs from the
    winner among the copies before them. A copy delivered again as it was (an extract-load
    tool that appends a full snapshot of the table every night) changes nothing, so it puts
    nothing in a run scope; a copy that restores an older content over a newer one does.
    Exact because additions are all that reach an incremental run: rows removed or rewritten
    in raw rebuild its consumers in full (activation_incremental_plan).

    With several `models`, "before" is what each of them processed: a model left behind (a
    failed model, a partial selection) and the others can have seen different winners. If one
    night re-exports a row with another content and the next restores it, the restore is a
    change for a model that processed the re-export, and none for one that did not. So the
    models are grouped by the load hours they have not processed (one group on a normal
    night: the same query as for one model), and a key is changed when it changed for any
    group.
-#}
{% macro activation_changed_keys(relation, source_table, key, models=none) -%}
    {%- for group in _activation_models_by_unprocessed_hours(source_table, models) %}
    {%- set landed = activation_loaded_in_scope(source_table, 'landed_copies._loaded_at', models=group) -%}
    {%- set before = 'not (' ~ activation_loaded_in_scope(source_table, '_loaded_at', models=group) ~ ')' -%}
    {%- if not loop.first %}
    union
    {% endif %}
    select current_winners.changed_key
    from (
        {{ _activation_winning_copies(relation, key, landed) }}
    ) as current_winners
    left join (
        {{ _activation_winning_copies(relation, key, landed, before) }}
    ) as previous_winners
        on current_winners.changed_key = previous_winners.changed_key
    where
        previous_winners.changed_key is null
        or current_winners.row_content_json != previous_winners.row_content_json
    {%- endfor %}
{%- endmacro %}

{#-
    `models` (default: this model) grouped by the load hours of `source_table` they have not
    processed: a list of lists, models with the same unprocessed hours together. A model with
    none is left out (nothing changed for it), and so is one without a manifest entry (it
    rebuilds in full). All of `models` as one group when no model has an unprocessed hour,
    before the first build has made the load summary and the manifest, and on an engine where
    the models are tables rebuilt whole (activation_incremental_materialization: no query).
-#}
{% macro _activation_models_by_unprocessed_hours(source_table, models=none) -%}
    {%- set models = models if models is not none else [model.name] -%}
    {%- if not execute or models | length < 2 or activation_incremental_materialization() != 'incremental' -%}
        {{- return([models]) -}}
    {%- endif -%}
    {%- if not _activation_run_state_exists() -%}
        {{- return([models]) -}}
    {%- endif -%}
    {%- set unprocessed = {} -%}
    {%- for row in run_query(
            "select unprocessed.model_name, unprocessed.loaded_hour from ("
            ~ activation_unprocessed_load_hours(source_table, models, per_model=true)
            ~ ") as unprocessed order by unprocessed.model_name, unprocessed.loaded_hour").rows -%}
        {%- do unprocessed.setdefault(row[0], []).append(row[1] | string) -%}
    {%- endfor -%}
    {%- set groups = {} -%}
    {%- for name in models if name in unprocessed -%}
        {%- do groups.setdefault(unprocessed[name] | join(','), []).append(name) -%}
    {%- endfor -%}
    {{- return((groups.values() | list) if groups else [models]) -}}
{%- endmacro %}

{#- The winning copy of each key with a copy that satisfies `landed`, among its copies that satisfy `condition`. -#}
{% macro _activation_winning_copies(relation, key, landed, condition='1 = 1') -%}
    select
        copies.changed_key,
        copies.row_content_json
    from (
        select
            {{ key }} as changed_key,
            row_content_json,
            row_number() over (partition by {{ key }} order by {{ activation_latest_copy_first() }}) as copy_rank
        from {{ relation }}
        where
            not is_held
            and {{ condition }}
            and {{ key }} in (
                select landed_copies.{{ key }} from (select * from {{ relation }}) as landed_copies
                where not landed_copies.is_held and {{ landed }}
            )
    ) as copies
    where copies.copy_rank = 1
{%- endmacro %}

{#- True once a build has made the load summary and the manifest (not on an empty warehouse). -#}
{% macro _activation_run_state_exists() -%}
    {%- for relation in [activation_loads_relation(), activation_manifest_relation()] -%}
        {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
            {{- return(false) -}}
        {%- endif -%}
    {%- endfor -%}
    {{- return(true) -}}
{%- endmacro %}

{#-
    The earliest unprocessed load hour of `source_table` as text, or none (see above; also none
    before the first build has made the load summary and the manifest, e.g. `dbt compile` on
    an empty warehouse).
-#}
{% macro _activation_earliest_unprocessed_hour(source_table, models=none) -%}
    {%- if not execute -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- if not _activation_run_state_exists() -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set row = run_query(
        "select min(unprocessed.loaded_hour), count(*), count(unprocessed.loaded_hour) from ("
        ~ activation_unprocessed_load_hours(source_table, models) ~ ") as unprocessed").rows[0] -%}
    {%- if row[1] == 0 or row[1] != row[2] -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return((row[0] | string)[:19] | replace('T', ' ')) -}}
{%- endmacro %}

{#-
    Post-hook of every incremental model: record what this run processed (the load summaries of
    its sources, as snapshotted at run start) and the configuration it was built with.

    A model records a load hour only if every incremental model upstream of it that reads the
    same raw table has processed that hour as it is now. An upstream model that did not run
    (left out of a selection, or behind after a failure) still holds the rows of before that
    hour, so this model read them as they were too; the hour stays unprocessed for it, and the
    run after the upstream model catches up puts the hour's changes in its scope again.
-#}
{% macro activation_advance_manifest() -%}
    {{- return(adapter.dispatch('activation_advance_manifest', 'activation')()) -}}
{%- endmacro %}

{#-
    Spark: the incremental models are tables rebuilt whole every run
    (activation_incremental_materialization), so there is nothing to record; and a Parquet
    table cannot delete a model's previous entries.
-#}
{% macro spark__activation_advance_manifest() -%}
    select 1
{%- endmacro %}

{% macro default__activation_advance_manifest() -%}
    {%- if not execute -%}
        {{- return('select 1') -}}
    {%- endif -%}
    {%- set manifest = activation_manifest_relation() -%}
    {%- if flags.EMPTY -%}
        {#- `dbt build --empty`: the model read no rows, so it processed nothing. It forgets what
            it had processed, and the next build rebuilds it in full ('first build with a
            manifest'); recording the load hours would skip them for good. -#}
        {{- return('delete from ' ~ manifest ~ " where model_name = '" ~ model.name ~ "'") -}}
    {%- endif -%}
    {%- set sources = _activation_sources() -%}
    {%- set plan = activation_incremental_plan() -%}
    {%- set fingerprint = plan.get('fingerprint') or activation_config_fingerprint() -%}
    {#- the time of the model's last full rebuild outlives its incremental runs: a model
        downstream that has not run since (left out of the selection, or the run was killed
        before it) still sees it and rebuilds in full too -#}
    delete from {{ manifest }} where model_name = '{{ model.name }}'
        {%- if plan['mode'] != 'full' %} and source_table != 'last_full_rebuild'{% endif %};
    {% if sources -%}
    insert into {{ manifest }} (model_name, source_table, loaded_hour, n_rows, content_checksum, max_loaded_at,
        recorded_at)
    select '{{ model.name }}', landed.source_table, landed.loaded_hour, landed.n_rows, landed.content_checksum,
        landed.max_loaded_at, {{ activation_run_started_at() }}
    from {{ activation_loads_relation() }} as landed
    where
        landed.source_table in ('{{ sources | join("', '") }}')
        {%- for upstream in _activation_upstream_incremental_models() %}
        {%- set upstream_sources = graph.nodes['model.' ~ project_name ~ '.' ~ upstream].config.get('activation_sources') or [] %}
        {%- if upstream_sources | select('in', sources) | list %}
        and (
            landed.source_table not in ('{{ upstream_sources | join("', '") }}')
            or exists (
                select 1 from {{ manifest }} as upstream_processed
                where
                    upstream_processed.model_name = '{{ upstream }}'
                    and upstream_processed.source_table = landed.source_table
                    and upstream_processed.loaded_hour is not distinct from landed.loaded_hour
                    and upstream_processed.n_rows = landed.n_rows
                    and upstream_processed.content_checksum = landed.content_checksum
            )
        )
        {%- endif %}
        {%- endfor %};
    {%- endif %}
    insert into {{ manifest }} (model_name, source_table, content_checksum, refresh_mode, refresh_reason, recorded_at)
    values (
        '{{ model.name }}', 'config', '{{ fingerprint | tojson | replace("'", "''") }}',
        '{{ plan["mode"] }}', '{{ plan["reason"] | replace("'", "''") }}', {{ activation_run_started_at() }}
    )
    {%- if plan['mode'] == 'full' %};
    insert into {{ manifest }} (model_name, source_table, refresh_mode, refresh_reason, recorded_at)
    values (
        '{{ model.name }}', 'last_full_rebuild', 'full', '{{ plan["reason"] | replace("'", "''") }}',
        {{ activation_run_started_at() }}
    )
    {%- endif %}
{%- endmacro %}

{#-
    The models whose unprocessed load hours make the event deduplication's run scope
    (base_product__event_key_scopes): the deduplication, and every incremental model downstream
    of it (found in the graph, so a model added or renamed is covered). A failed test of the
    deduplication (its key or row rules) skips all of them; the hours of the failed run then stay unprocessed for them,
    and the next run re-decides the same keys. A downstream model that failed on its own also
    keeps its hours: its keys are re-decided once more, which gives the same rows.
-#}
{% macro activation_event_key_scope_models() -%}
    {%- set deduplication = 'base_product__events_deduplicated' -%}
    {%- set found = [deduplication] -%}
    {%- if execute -%}
        {%- set children = {} -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
            {%- for parent in node.depends_on.nodes -%}
                {%- do children.setdefault(parent, []).append(node.unique_id) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- set queue = ['model.' ~ project_name ~ '.' ~ deduplication] -%}
        {%- for unique_id in queue -%}
            {%- for child_id in children.get(unique_id, []) if child_id not in queue -%}
                {%- do queue.append(child_id) -%}
                {%- if graph.nodes[child_id].config.materialized == 'incremental' -%}
                    {%- do found.append(graph.nodes[child_id].name) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(found) -}}
{%- endmacro %}

{#-
    The changed event scopes of this run (stg_product__event_scopes): the accounts to recompute
    whole (event_date null) and the (account_id, event_date) pairs to recompute. A SQL predicate
    on a row's account and, for models keyed by date, its event date (not correlated: the
    columns may be unqualified).
-#}
{% macro activation_in_event_scope(account_column, date_column=none, scopes=none) -%}
    {%- set scopes = scopes if scopes is not none else ref('stg_product__event_scopes') -%}
    {%- if date_column is none -%}
    {{ account_column }} in (select scopes.account_id from (select * from {{ scopes }}) as scopes)
    {%- else -%}
    (
        {{ account_column }} in (
            select scopes.account_id from (select * from {{ scopes }}) as scopes
            where scopes.event_date is null
        )
        or ({{ account_column }}, {{ date_column }}) in (
            select scopes.account_id, scopes.event_date from (select * from {{ scopes }}) as scopes
            where scopes.event_date is not null
        )
    )
    {%- endif -%}
{%- endmacro %}

{#-
    Pre-hook of the models that consume the event scopes: remove what this run recomputes. On an
    incremental run, the rows in scope (their recomputed rows are then appended); on a full
    rebuild of an existing table, every row.

    A model whose rows each depend only on an account's events up to the row's own date
    (int_aha_conditions_evaluated: the time a count was reached) passes `from_date_column`
    instead: of every account in scope, only the rows dated on or after the account's earliest
    changed date go (every row of an account in scope whole). The rows kept are exactly those no
    change of this run can move: every event up to their date is unchanged, and no new event
    lands before it.
-#}
{% macro activation_replace_event_scope(date_column=none, from_date_column=none) -%}
    {%- if execute and is_incremental() -%}
        {%- if activation_is_incremental() and from_date_column is not none -%}
            delete from {{ this }} as target_rows
            where exists (
                select 1
                from (select * from {{ ref('stg_product__event_scopes') }}) as scopes
                where
                    scopes.account_id = target_rows.account_id
                    and (scopes.event_date is null or scopes.event_date <= {{ from_date_column }})
            )
        {%- elif activation_is_incremental() -%}
            delete from {{ this }}
            where {{ activation_in_event_scope('account_id', date_column) }}
        {%- else -%}
            delete from {{ this }}
        {%- endif -%}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
