-- The subscription change log of every non-test account, cut at the as-of horizon
-- (changed_at < as_of_end) and put in order: the seats each change puts in force (0 once
-- canceled), the seats in force just before it, and when the next change replaces it. The shared
-- input of daily licensed seats (TAR), seat provisioning, churn and the "canceled at as_of_end"
-- rule of the intervention queue. Changes at the same instant are ordered by
-- subscription_change_id so that "the latest change" is always one row.

with

accounts as (
    select account_id from {{ ref('int_accounts_enriched') }}
),

subscriptions as (
    select * from {{ ref('stg_product__subscriptions') }}
    where changed_at < {{ activation_as_of_end() }}
),

in_scope as (
    select
        subscriptions.subscription_change_id,
        subscriptions.account_id,
        subscriptions.status,
        subscriptions.licensed_seats,
        case when subscriptions.status = 'canceled' then 0 else subscriptions.licensed_seats end as effective_seats,
        subscriptions.changed_at
    from subscriptions
    inner join accounts
        on subscriptions.account_id = accounts.account_id
),

sequenced as (
    select
        *,
        row_number() over (
            partition by account_id order by changed_at, subscription_change_id
        ) as change_sequence,
        row_number() over (
            partition by account_id, cast(changed_at as date)
            order by changed_at desc, subscription_change_id desc
        ) as rank_in_date_desc,
        row_number() over (
            partition by account_id order by changed_at desc, subscription_change_id desc
        ) as rank_desc,
        lag(effective_seats) over (
            partition by account_id order by changed_at, subscription_change_id
        ) as lagged_effective_seats,
        lead(changed_at) over (
            partition by account_id order by changed_at, subscription_change_id
        ) as next_changed_at
    from in_scope
),

final as (
    select
        subscription_change_id,
        account_id,
        status,
        change_sequence,
        licensed_seats,
        effective_seats,
        coalesce(lagged_effective_seats, 0) as previous_effective_seats,
        rank_in_date_desc = 1 as is_last_of_date,
        rank_desc = 1 as is_in_force_at_as_of_end,
        cast(changed_at as date) as change_date,
        changed_at,
        next_changed_at
    from sequenced
)

select * from final
