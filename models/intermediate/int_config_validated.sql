{#-
    Guard for the rules that span two seeds. Seed tests check each seed on its own and skip what
    depends on a bad seed, but dbt skips nothing after a failing test with two parents; so these
    rules run here, and the models that first read the seeds (int_accounts_enriched,
    int_events_aggregated_daily) depend on this one. A broken rule fails this model with a message
    naming the offending seed rows, and every model downstream is skipped.
-#}
{{ config(materialized='view') }}

{%- set rules = [
    {
        'seed': 'aha_definitions',
        'condition': "event_name in (select event_name from " ~ ref('event_catalog') ~ " where is_value_action)",
        'message': 'every aha event_name must be a value action in the event_catalog seed',
        'row_columns': ['vertical', 'scope', 'event_name'],
    },
    {
        'seed': 'aha_definitions',
        'condition': "vertical in (select vertical from " ~ ref('category_benchmarks') ~ ")",
        'message': 'every aha vertical must have a row in the category_benchmarks seed',
        'row_columns': ['vertical', 'scope', 'event_name'],
    },
    {
        'seed': 'category_benchmarks',
        'condition': "vertical in (select vertical from " ~ ref('aha_definitions') ~ ")",
        'message': 'every vertical needs at least one aha_definitions row',
        'row_columns': ['vertical'],
    },
] -%}

{#- Seeds not loaded yet (a compile or lint on an empty database) have nothing to check. -#}
{%- do activation_raise_config_violations(rules, ['event_catalog', 'aha_definitions', 'category_benchmarks']) %}

with

rules as (
    {%- for rule in rules %}
    select
        '{{ rule.seed }}' as seed_name,
        '{{ rule.message }}' as rule_description
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select * from rules
)

select * from final
