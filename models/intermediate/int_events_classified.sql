-- depends_on: {{ ref('int_config_validated') }}
{#-
    Every clean event with what the metrics need to know about it: whether it counts at all
    (is_included: not of a test account), its catalog role, feature and checklist step, whether
    its user is a customer (known, non-internal), and whether a value action was prompted (by an
    intervention in the prompt window, or a `trigger` property) or organic.

    Not filtered by as_of_date: the horizon is applied by the models that aggregate (an
    intervention at or after as_of_end can only prompt events at or after as_of_end, which
    every metric ignores anyway).

    Incremental (macros/incremental/manifest.sql): the pre-hook removes the rows in this run's
    event scopes (stg_product__event_scopes: pairs and whole accounts whose raw rows changed)
    and the model appends them recomputed. A changed seed or var it depends on (event_catalog,
    onboarding_checklist, the prompt window), rows removed or rewritten in raw, or an upstream
    full rebuild, rebuild it in full.
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

accounts as (
    select
        account_id,
        is_test_account
    from {{ ref('stg_product__accounts') }}
),

users as (
    select
        user_id,
        is_internal
    from {{ ref('stg_product__users') }}
),

interventions as (
    select
        account_id,
        user_id,
        sent_at
    from {{ ref('stg_product__interventions') }}
),

event_catalog as (
    select * from {{ ref('event_catalog') }}
),

checklist as (
    select step_id from {{ ref('onboarding_checklist') }}
),

{#
    The events this run classifies: those in its scopes, or all of them. Two CTEs read them. A
    full build scans them twice rather than have DuckDB keep a copy of every row for both (18.0
    to 12.2 s at the large preset); an incremental batch is small, and its copy is cheaper than
    a second scan of the whole table with the scope filter.
#}
batch as {{ '' if incremental else activation_not_materialized() }} (
    select * from {{ ref('stg_product__events') }}
    {% if incremental %}
    where {{ activation_in_event_scope('account_id', 'cast(event_at as date)') }}
    {% endif %}
),

catalogued as (
    select
        batch.event_id,
        batch.account_id,
        batch.user_id,
        batch.event_name,
        batch.properties,
        batch.event_at,
        not coalesce(accounts.is_test_account, true) as is_included,
        event_catalog.event_name is not null as is_catalogued,
        event_catalog.event_role,
        coalesce(event_catalog.is_value_action, false) as is_value_action,
        case
            when event_catalog.feature_from_property
                then coalesce(
                        {{ activation_json_get_text('batch.properties', 'feature') }}, event_catalog.feature
                    )
            else event_catalog.feature
        end as feature,
        coalesce(event_catalog.is_advanced_feature, false) as is_advanced_feature,
        case
            when event_catalog.event_role = 'onboarding_step'
                then {{ activation_json_get_text('batch.properties', 'step_id') }}
        end as step_id_property,
        coalesce(batch.user_id is not null and not users.is_internal, false) as is_customer_user,
        -- SPEC section 0: a value action whose properties carry one of these triggers is prompted
        coalesce(
            event_catalog.is_value_action
            and {{ activation_json_get_text('batch.properties', 'trigger') }}
            in ('email', 'in_app_prompt', 'csm'),
            false
        ) as has_prompt_trigger
    from batch
    left join accounts
        on batch.account_id = accounts.account_id
    left join users
        on batch.user_id = users.user_id
    left join event_catalog
        on batch.event_name = event_catalog.event_name
),

-- value actions of included accounts (as in catalogued) within the prompt window of an
-- intervention to their account (and their user, if it names one); read from batch, not from
-- catalogued, so that catalogued has one reader and is never copied
prompted_by_intervention as (
    select distinct batch.event_id
    from batch
    inner join accounts
        on batch.account_id = accounts.account_id
    inner join interventions
        on batch.account_id = interventions.account_id
            and (interventions.user_id is null or batch.user_id = interventions.user_id)
            and batch.event_at >= interventions.sent_at
            and batch.event_at
            < {{ dbt.dateadd('hour', var('activation__prompt_window_hours'), 'interventions.sent_at') }}
    where
        not accounts.is_test_account
        and batch.event_name in (
            select event_catalog.event_name from event_catalog
            where event_catalog.is_value_action
        )
),

final as (
    select
        catalogued.event_id,
        catalogued.account_id,
        catalogued.user_id,
        catalogued.event_name,
        catalogued.event_role,
        catalogued.feature,
        checklist.step_id,
        catalogued.is_included,
        catalogued.is_catalogued,
        catalogued.is_value_action,
        catalogued.is_advanced_feature,
        catalogued.is_customer_user,
        catalogued.is_value_action
        and (prompted_by_intervention.event_id is not null or catalogued.has_prompt_trigger) as is_prompted,
        catalogued.is_value_action
        and prompted_by_intervention.event_id is null
        and not catalogued.has_prompt_trigger as is_organic_value_action,
        cast(catalogued.event_at as date) as event_date,
        catalogued.event_at
    from catalogued
    left join prompted_by_intervention
        on catalogued.event_id = prompted_by_intervention.event_id
    left join checklist
        on catalogued.step_id_property = checklist.step_id
)

select * from final
