{#-
    The classification of clean events, applied on the way into the daily rollup (the event
    grain is not stored a second time, classified): CTEs (without a leading `with`, each
    ending in a comma) that end in `classified`, one row per event of the caller's `events` CTE
    (columns of stg_product__events: event_id, account_id, user_id, event_name, properties,
    event_at) with

      * is_included: an event of a non-test account (every metric counts only these);
      * event_role, is_value_action, feature (properties.feature where the
        catalog says so): from the event_catalog seed;
      * is_advanced_feature: the feature is advanced in the catalog (on any row that names it:
        the seed's flag describes the feature), however the event came to name it, so
        Core_Action_Executed with properties.feature = dashboards uses an advanced feature as
        Dashboard_Created does;
      * step_id: properties.step_id of an onboarding step when the onboarding_checklist seed
        lists it, else null;
      * is_customer_user: a known, non-internal user (system events have none);
      * is_prompted / is_organic_value_action (SPEC section 0): a value action of an included
        account is prompted by an intervention to its account (and its user, when the
        intervention names one) sent in the activation__prompt_window_hours before it, or by a
        `trigger` property (email, in_app_prompt, csm); every other value action is organic;
      * event_date: the UTC date of event_at.

    `events` is read twice (the catalog and the prompt window); the caller decides whether the
    engine may keep a copy of it (activation_not_materialized for a whole-history read).
    The caller: int_events_aggregated_daily, on its batch (every clean event, or this run's
    event scopes); every other model reads the rollup, and the event grain only where the
    rollup's rows say which events count (the aha conditions, the early actions).
-#}
{% macro activation_classify_events(events) -%}
classified_accounts as (
    select
        account_id,
        is_test_account
    from {{ ref('stg_product__accounts') }}
),

classified_users as (
    select
        user_id,
        is_internal
    from {{ ref('stg_product__users') }}
),

classified_interventions as (
    select
        account_id,
        user_id,
        sent_at
    from {{ ref('stg_product__interventions') }}
),

classified_catalog as (
    select * from {{ ref('event_catalog') }}
),

classified_checklist as (
    select step_id from {{ ref('onboarding_checklist') }}
),

classified_advanced_features as (
    select distinct feature
    from {{ ref('event_catalog') }}
    where is_advanced_feature and feature is not null
),

catalogued as (
    select
        {{ events }}.event_id,
        {{ events }}.account_id,
        {{ events }}.user_id,
        {{ events }}.event_name,
        {{ events }}.event_at,
        not coalesce(classified_accounts.is_test_account, true) as is_included,
        classified_catalog.event_role,
        coalesce(classified_catalog.is_value_action, false) as is_value_action,
        case
            when classified_catalog.feature_from_property
                then coalesce(
                        {{ activation_json_get_text(events ~ '.properties', 'feature') }},
                        classified_catalog.feature
                    )
            else classified_catalog.feature
        end as feature,
        case
            when classified_catalog.event_role = 'onboarding_step'
                then {{ activation_json_get_text(events ~ '.properties', 'step_id') }}
        end as step_id_property,
        coalesce({{ events }}.user_id is not null and not classified_users.is_internal, false) as is_customer_user,
        -- SPEC section 0: a value action whose properties carry one of these triggers is prompted
        coalesce(
            classified_catalog.is_value_action
            and {{ activation_json_get_text(events ~ '.properties', 'trigger') }}
            in ('email', 'in_app_prompt', 'csm'),
            false
        ) as has_prompt_trigger
    from {{ events }}
    left join classified_accounts
        on {{ events }}.account_id = classified_accounts.account_id
    left join classified_users
        on {{ events }}.user_id = classified_users.user_id
    left join classified_catalog
        on {{ events }}.event_name = classified_catalog.event_name
),

-- value actions of included accounts (as in catalogued) within the prompt window of an
-- intervention to their account (and their user, if it names one); read from the events, not
-- from catalogued, so that catalogued has one reader and is never copied
prompted_by_intervention as (
    select distinct {{ events }}.event_id
    from {{ events }}
    inner join classified_accounts
        on {{ events }}.account_id = classified_accounts.account_id
    inner join classified_catalog
        on {{ events }}.event_name = classified_catalog.event_name
    inner join classified_interventions
        on {{ events }}.account_id = classified_interventions.account_id
            and (
                classified_interventions.user_id is null
                or {{ events }}.user_id = classified_interventions.user_id
            )
            and {{ events }}.event_at >= classified_interventions.sent_at
            and {{ events }}.event_at
            < {{ dbt.dateadd('second', activation_prompt_window_seconds(), 'classified_interventions.sent_at') }}
    where
        not classified_accounts.is_test_account
        and classified_catalog.is_value_action
),

classified as (
    select
        catalogued.event_id,
        catalogued.account_id,
        catalogued.user_id,
        catalogued.event_name,
        catalogued.event_role,
        catalogued.feature,
        classified_checklist.step_id,
        catalogued.is_included,
        catalogued.is_value_action,
        classified_advanced_features.feature is not null as is_advanced_feature,
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
    left join classified_checklist
        on catalogued.step_id_property = classified_checklist.step_id
    left join classified_advanced_features
        on catalogued.feature = classified_advanced_features.feature
),
{%- endmacro %}

{#-
    The prompt window in whole seconds: activation__prompt_window_hours may be a fraction (0.5 =
    30 minutes), which dbt.dateadd with 'hour' would round to a whole hour (it casts the count
    to an integer on DuckDB and Spark). A value the run-start check refuses (not a number, NaN,
    an infinity, beyond a year) gives 0 here, so the project still parses and that check names it.
-#}
{% macro activation_prompt_window_seconds() -%}
    {%- set hours = var('activation__prompt_window_hours') -%}
    {%- set usable = hours is number and hours is not boolean and hours == hours and 0 < hours <= 8760 -%}
    {{- return(((hours * 3600) | round | int) if usable else 0) -}}
{%- endmacro %}
