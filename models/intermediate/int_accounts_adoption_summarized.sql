-- One row per account of int_accounts_enriched with its seat and feature adoption as of
-- as_of_date (SPEC sections 4 and 5): the seats, active seats, TAR and health band of the
-- as_of_date row of int_account_days_tar_computed (the one TAR definition, also published as
-- fct_account_tar_daily), distinct features used in the 30 days through as_of_date and whether
-- an advanced feature was ever used. fct_account_activation joins it.

with

accounts as (
    select account_id from {{ ref('int_accounts_enriched') }}
),

tar_as_of as (
    select
        account_id,
        tar_health,
        licensed_seats,
        active_seats_30d,
        tar
    from {{ ref('int_account_days_tar_computed') }}
    where metric_date = {{ activation_as_of_date() }}
),

feature_use as (
    select * from {{ ref('int_events_aggregated_daily') }}
    where
        is_customer_user
        and feature is not null
        and event_date <= {{ activation_as_of_date() }}
),

feature_depth as (
    select
        account_id,
        count(distinct case
            when event_date >= {{ dbt.dateadd('day', -29, activation_as_of_date()) }} then feature
        end) as features_used_30d,
        max(case when is_advanced_feature then 1 else 0 end) = 1 as has_advanced_feature
    from feature_use
    group by account_id
),

final as (
    select
        accounts.account_id,
        tar_as_of.tar_health,
        tar_as_of.licensed_seats,
        coalesce(tar_as_of.active_seats_30d, 0) as active_seats_30d,
        tar_as_of.tar,
        coalesce(feature_depth.features_used_30d, 0) as features_used_30d,
        coalesce(feature_depth.has_advanced_feature, false) as has_advanced_feature
    from accounts
    left join tar_as_of
        on accounts.account_id = tar_as_of.account_id
    left join feature_depth
        on accounts.account_id = feature_depth.account_id
)

select * from final
