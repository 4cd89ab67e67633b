-- depends_on: {{ ref('int_config_validated') }}
{#-
    Every deduplicated event key with what the metrics need to know about it: whether it counts
    at all (valid, of a non-test account), its catalog role, feature and checklist step, whether
    its user is a customer (known, non-internal), and whether a value action was prompted (by
    an intervention in the prompt window, or a `trigger` property) or organic.

    Rejected keys stay, flagged `is_included = false`, so that a key whose status changes is
    replaced in place and nothing stale is left behind. Not filtered by as_of_date: the horizon
    is applied by the models that aggregate (an intervention at or after as_of_end can only
    prompt events at or after as_of_end, which every metric ignores anyway).

    Incremental (macros/incremental/manifest.sql): re-classifies the keys re-checked by staging
    since the last run (which covers changed accounts and users) and every event of an account
    with an intervention row in a load hour this model has not processed. A changed seed or var
    it depends on (event_catalog, onboarding_checklist, the prompt window), or an upstream full
    rebuild, rebuilds it in full.
    Bookkeeping for the rollups downstream (macro activation_reclassified_event_dates):
    `_checked_at` is the run that last classified the key, and `_replaced_*` the account, date
    and run of the row it replaced (null when the key is new or on a full refresh).
-#}
{{
    config(
        materialized='incremental',
        unique_key='event_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        activation_sources=['interventions'],
        pre_hook="{{ activation_incremental_pre_hook() }}",
        post_hook="{{ activation_advance_manifest() }}",
    )
}}
-- depends_on: {{ ref('base_product__loads') }}
-- depends_on: {{ ref('base_product__interventions') }}
{%- set incremental = activation_is_incremental() %}

with

events as (
    select * from {{ ref('base_product__events_deduplicated') }}
),

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

{% if incremental %}

watermarks as (
    select {{ activation_incremental_watermark('_checked_at') }} as checked_after
),

accounts_with_new_interventions as (
    select distinct account_id
    from {{ ref('base_product__interventions') }}
    where
        row_status != 'held'
        and {{ activation_loaded_in_scope('interventions') }}
),

batch as (
    select events.*
    from events
    where
        events._checked_at > (select watermarks.checked_after from watermarks)
        or events.account_id in (select changed.account_id from accounts_with_new_interventions as changed)
),

{% else %}

batch as (
    select * from events
),

{% endif %}

valid_batch as (
    select
        *,
        -- only clean rows are known to hold a JSON object; rejected ones may not parse
        case when dq_reason is null then properties end as valid_properties
    from batch
),

catalogued as (
    select
        batch.event_key,
        batch.event_id,
        batch.account_id,
        batch.user_id,
        batch.event_name,
        batch.valid_properties,
        batch.event_at,
        batch.dq_reason is null and not coalesce(accounts.is_test_account, true) as is_included,
        event_catalog.event_name is not null as is_catalogued,
        event_catalog.event_role,
        coalesce(event_catalog.is_value_action, false) as is_value_action,
        case
            when event_catalog.feature_from_property
                then coalesce(
                        {{ activation_json_get_text('batch.valid_properties', 'feature') }}, event_catalog.feature
                    )
            else event_catalog.feature
        end as feature,
        coalesce(event_catalog.is_advanced_feature, false) as is_advanced_feature,
        case
            when event_catalog.event_role = 'onboarding_step'
                then {{ activation_json_get_text('batch.valid_properties', 'step_id') }}
        end as step_id_property,
        coalesce(batch.user_id is not null and not users.is_internal, false) as is_customer_user,
        -- SPEC section 0: a value action whose properties carry one of these triggers is prompted
        coalesce(
            event_catalog.is_value_action
            and {{ activation_json_get_text('batch.valid_properties', 'trigger') }}
            in ('email', 'in_app_prompt', 'csm'),
            false
        ) as has_prompt_trigger
    from valid_batch as batch
    left join accounts
        on batch.account_id = accounts.account_id
    left join users
        on batch.user_id = users.user_id
    left join event_catalog
        on batch.event_name = event_catalog.event_name
),

prompted_by_intervention as (
    select distinct catalogued.event_key
    from catalogued
    inner join interventions
        on catalogued.account_id = interventions.account_id
            and (interventions.user_id is null or catalogued.user_id = interventions.user_id)
            and catalogued.event_at >= interventions.sent_at
            and catalogued.event_at
            < {{ dbt.dateadd('hour', var('activation__prompt_window_hours'), 'interventions.sent_at') }}
    where catalogued.is_included and catalogued.is_value_action
),

final as (
    select
        catalogued.event_key,
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
        and (prompted_by_intervention.event_key is not null or catalogued.has_prompt_trigger) as is_prompted,
        catalogued.is_value_action
        and prompted_by_intervention.event_key is null
        and not catalogued.has_prompt_trigger as is_organic_value_action,
        cast(catalogued.event_at as date) as event_date,
        catalogued.event_at,
        {{ activation_run_started_at() }} as _checked_at,
        {% if incremental %}
        replaced.account_id as _replaced_account_id,
        replaced.event_date as _replaced_event_date,
        replaced._checked_at as _replaced_checked_at
        {% else %}
        cast(null as {{ dbt.type_string() }}) as _replaced_account_id,
        cast(null as date) as _replaced_event_date,
        cast(null as {{ dbt.type_timestamp() }}) as _replaced_checked_at
        {% endif %}
    from catalogued
    left join prompted_by_intervention
        on catalogued.event_key = prompted_by_intervention.event_key
    left join checklist
        on catalogued.step_id_property = checklist.step_id
    {% if incremental %}
    left join {{ this }} as replaced
        on catalogued.event_key = replaced.event_key
    {% endif %}
)

select * from final
