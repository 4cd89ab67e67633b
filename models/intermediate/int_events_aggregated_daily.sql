-- depends_on: {{ ref('int_config_validated') }}
{#-
    Included events rolled up per account, user (null = system event), event name, feature,
    checklist step and UTC date: the compact activity record every account-level mart reads
    instead of the event grain. Not filtered by as_of_date (marts keep event_date <= as_of_date,
    which is the same as event_at < as_of_end).

    The events are classified on the way in (activation_classify_events,
    macros/events/classification.sql: catalog role, feature, checklist step, customer user,
    prompted or organic value action), so the event grain is stored once, in the deduplication,
    and never a second time classified.

    Incremental (macros/incremental/manifest.sql): the pre-hook removes the (account, date)
    pairs and whole accounts in this run's event scopes (stg_product__event_scopes: pairs and
    whole accounts whose raw rows changed) and the model appends them recomputed from the clean
    events of those scopes; a pair left without any included event simply stays removed. A
    changed seed or var the classification reads (event_catalog, onboarding_checklist, the
    prompt window), rows removed or rewritten in raw, or an upstream full rebuild, rebuild it
    in full.
-#}
{{
    config(
        materialized=activation_incremental_materialization(),
        incremental_strategy='append',
        on_schema_change='fail',
        activation_sources=['events', 'accounts', 'users', 'interventions'],
        pre_hook="{{ activation_replace_event_scope('event_date') }}",
        post_hook="{{ activation_advance_manifest() }}",
    )
}}
-- depends_on: {{ ref('stg_product__event_scopes') }}
{%- set incremental = activation_is_incremental() %}

with

{#
    The events this run rolls up: those in its scopes, or all of them. The classification reads
    them twice. A full build scans them twice rather than have DuckDB keep a copy of every row
    for both (18.0 to 12.2 s at the large preset); an incremental batch is small, and its copy
    is cheaper than a second scan of the whole table with the scope filter.
#}
batch as {{ '' if incremental else activation_not_materialized() }} (
    select * from {{ ref('stg_product__events') }}
    {% if incremental %}
    where {{ activation_in_event_scope('account_id', 'cast(event_at as date)') }}
    {% endif %}
),

{{ activation_classify_events('batch') }}

events as (
    select * from classified
    where is_included
),

final as (
    select
        account_id,
        user_id,
        event_name,
        feature,
        step_id,
        event_role,
        is_value_action,
        is_advanced_feature,
        is_customer_user,
        count(*) as n_events,
        sum(case when is_organic_value_action then 1 else 0 end) as n_organic_value_actions,
        event_date,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at
    from events
    group by
        account_id, user_id, event_name, feature, step_id, event_role,
        is_value_action, is_advanced_feature, is_customer_user, event_date
)

select * from final
