-- One row per non-test account: when it first churned (its first change to status canceled
-- before as_of_end, even if it later reactivated) and whether it was retained 90 and 180 days
-- after signup, known only once that many days have passed by as_of_date (SPEC section 6).

with

accounts as (
    select
        account_id,
        vertical,
        motion,
        signup_date,
        signup_at
    from {{ ref('int_accounts_enriched') }}
),

subscription_changes as (
    select * from {{ ref('int_subscription_changes_sequenced') }}
),

first_cancels as (
    select
        account_id,
        min(changed_at) as churned_at
    from subscription_changes
    where status = 'canceled'
    group by account_id
),

maturity as (
    select
        accounts.account_id,
        accounts.vertical,
        accounts.motion,
        accounts.signup_date,
        accounts.signup_at,
        first_cancels.churned_at,
        {{ dbt.dateadd('day', 90, 'accounts.signup_date') }} <= {{ activation_as_of_date() }} as is_matured_90d,
        {{ dbt.dateadd('day', 180, 'accounts.signup_date') }} <= {{ activation_as_of_date() }} as is_matured_180d
    from accounts
    left join first_cancels
        on accounts.account_id = first_cancels.account_id
),

final as (
    select
        account_id,
        vertical,
        motion,
        is_matured_90d,
        is_matured_180d,
        case
            when is_matured_90d
                then churned_at is null or churned_at > {{ dbt.dateadd('day', 90, 'signup_at') }}
        end as is_retained_90d,
        case
            when is_matured_180d
                then churned_at is null or churned_at > {{ dbt.dateadd('day', 180, 'signup_at') }}
        end as is_retained_180d,
        signup_date,
        signup_at,
        churned_at
    from maturity
)

select * from final
