{#-
    Included events rolled up per account, user (null = system event), event name, feature,
    checklist step and UTC date: the compact activity record every account-level mart reads
    instead of the event grain. Not filtered by as_of_date (marts keep event_date <= as_of_date,
    which is the same as event_at < as_of_end).

    Incremental (macros/incremental/manifest.sql): the pre-hook removes the (account, date)
    pairs and whole accounts in this run's event scopes (stg_product__event_scopes) and the
    model appends them recomputed from int_events_classified; a pair left without any included
    event simply stays removed.
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

classified as (
    select * from {{ ref('int_events_classified') }}
),

events as (
    select * from classified
    where
        is_included{% if incremental %}
        and {{ activation_in_event_scope('account_id', 'event_date') }}{% endif %}
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
