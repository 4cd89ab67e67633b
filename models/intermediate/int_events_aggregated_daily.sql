-- Included events rolled up per account, user (null = system event), event name, feature,
-- checklist step and UTC date: the compact activity record every account-level mart reads
-- instead of the event grain. Not filtered by as_of_date (marts keep event_date <= as_of_date,
-- which is the same as event_at < as_of_end).

with

events as (
    select * from {{ ref('int_events_classified') }}
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
