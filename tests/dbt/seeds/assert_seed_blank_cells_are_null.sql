-- An empty cell of a seed CSV is null on every engine (dbt's seed convention). dbt-spark's
-- session mode once loaded it as the text 'None' (dbt-labs/dbt-spark#901): event_catalog's
-- blank `feature` became a feature named "None" and every other test passed. Returns, per seed
-- and text column, the cells that read 'None' or '' (no shipped seed has either value).
-- depends_on: {{ ref('activation_benchmarks') }}
-- depends_on: {{ ref('activation_playbook') }}
-- depends_on: {{ ref('aha_definitions') }}
-- depends_on: {{ ref('category_benchmarks') }}
-- depends_on: {{ ref('event_catalog') }}
-- depends_on: {{ ref('onboarding_checklist') }}
{%- set checks = [] -%}
{%- if execute -%}
{%- for node in graph.nodes.values() if node.resource_type == 'seed' and node.package_name == project_name -%}
{%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
{%- for column in (adapter.get_columns_in_relation(relation) if relation is not none else []) -%}
{%- if column.is_string() or column.dtype | lower == 'string' -%}
{%- do checks.append(
    "select '" ~ node.name ~ "' as seed_name, '" ~ column.name ~ "' as column_name, "
    ~ column.name ~ " as cell from " ~ relation ~ " where " ~ column.name ~ " in ('None', '')"
) -%}
{%- endif -%}
{%- endfor -%}
{%- endfor -%}
{%- endif %}

{% if checks -%}
{{ checks | join('\nunion all\n') }}
{%- else -%}
select
    'none' as seed_name,
    'none' as column_name,
    'none' as cell
where false
{%- endif %}
