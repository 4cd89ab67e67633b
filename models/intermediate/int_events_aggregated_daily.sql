{#-
    Included events rolled up per account, user (null = system event), event name, feature,
    checklist step and UTC date: the compact activity record every account-level mart reads
    instead of the event grain. Not filtered by as_of_date (marts keep event_date <= as_of_date,
    which is the same as event_at < as_of_end).

    Incremental (strategy replace_scope): recomputes from the event grain exactly the
    (account_id, event_date) pairs whose events were re-classified since the last run
    (activation_reclassified_event_dates), and clears a pair left without any included event.
    `_checked_at` is the classification run the row reflects.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_scope',
        unique_key=['account_id', 'event_date'],
        scope_marker_column='n_events',
        on_schema_change='fail',
    )
}}

with

classified as (
    select * from {{ ref('int_events_classified') }}
),

classified_through as (
    select max(_checked_at) as checked_at from {{ ref('int_events_classified') }}
),

{% if is_incremental() %}

changed_dates as (
    {{ activation_reclassified_event_dates(ref('int_events_classified'),
                                           activation_incremental_watermark('_checked_at')) }}
),

{% endif %}

events as (
    select * from classified
    where
        is_included{% if is_incremental() %}
        -- a semi-join (exists), not a join: with a join DuckDB aggregates every event first
        and exists (
            select 1 from changed_dates
            where classified.account_id = changed_dates.account_id and classified.event_date = changed_dates.event_date
        ){% endif %}
),

rolled_up as (
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
        max(event_at) as last_event_at,
        (select classified_through.checked_at from classified_through) as _checked_at
    from events
    group by
        account_id, user_id, event_name, feature, step_id, event_role,
        is_value_action, is_advanced_feature, is_customer_user, event_date
),

{% if is_incremental() %}

-- every changed pair: its rows, or one marker row (n_events null) that clears it (replace_scope)
final as (
    select
        changed_dates.account_id,
        rolled_up.user_id,
        rolled_up.event_name,
        rolled_up.feature,
        rolled_up.step_id,
        rolled_up.event_role,
        rolled_up.is_value_action,
        rolled_up.is_advanced_feature,
        rolled_up.is_customer_user,
        rolled_up.n_events,
        rolled_up.n_organic_value_actions,
        changed_dates.event_date,
        rolled_up.first_event_at,
        rolled_up.last_event_at,
        rolled_up._checked_at
    from changed_dates
    left join rolled_up
        on changed_dates.account_id = rolled_up.account_id
            and changed_dates.event_date = rolled_up.event_date
)

{% else %}

final as (
    select * from rolled_up
)

{% endif %}

select * from final
