-- One row per account of int_accounts_enriched with its seat and feature adoption as of
-- as_of_date (SPEC sections 4 and 5): the seats in force at as_of_end, customer users with a
-- value action in the 30 days through as_of_date, TAR and its health band, distinct features used
-- in those 30 days and whether an advanced feature was ever used. fct_account_activation joins it;
-- the TAR columns equal fct_account_tar_daily on metric_date = as_of_date (tested).

with

accounts as (
    select account_id from {{ ref('int_accounts_enriched') }}
),

subscription_changes as (
    select * from {{ ref('int_subscription_changes_sequenced') }}
),

account_days as (
    select
        account_id,
        active_users_30d
    from {{ ref('int_account_days_aggregated') }}
    where metric_date = {{ activation_as_of_date() }}
),

feature_use as (
    select * from {{ ref('int_events_aggregated_daily') }}
    where
        is_customer_user
        and feature is not null
        and event_date <= {{ activation_as_of_date() }}
),

tar_bands as (
    select
        benchmark_rate as healthy_rate,
        problem_below_rate as at_risk_rate
    from {{ ref('activation_benchmarks') }}
    where milestone = 'tar'
),

seats_in_force as (
    select
        account_id,
        effective_seats as licensed_seats
    from subscription_changes
    where is_in_force_at_as_of_end
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

seats as (
    select
        accounts.account_id,
        seats_in_force.licensed_seats,
        cast(coalesce(account_days.active_users_30d, 0) as {{ dbt.type_bigint() }}) as active_seats_30d
    from accounts
    left join seats_in_force
        on accounts.account_id = seats_in_force.account_id
    left join account_days
        on accounts.account_id = account_days.account_id
),

with_tar as (
    select
        *,
        {{ activation_tar('active_seats_30d', 'licensed_seats') }} as tar
    from seats
),

final as (
    select
        with_tar.account_id,
        {{ activation_tar_health('with_tar.tar', 'tar_bands.healthy_rate', 'tar_bands.at_risk_rate') }} as tar_health,
        with_tar.licensed_seats,
        with_tar.active_seats_30d,
        with_tar.tar,
        coalesce(feature_depth.features_used_30d, 0) as features_used_30d,
        coalesce(feature_depth.has_advanced_feature, false) as has_advanced_feature
    from with_tar
    cross join tar_bands
    left join feature_depth
        on with_tar.account_id = feature_depth.account_id
)

select * from final
