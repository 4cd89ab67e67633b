-- active_seats_30d never exceeds the account's known non-internal users: the numerator of TAR
-- counts people, and only customer people.

with

tar_daily as (
    select
        account_id,
        metric_date,
        active_seats_30d
    from {{ ref('fct_account_tar_daily') }}
),

customer_users as (
    select
        account_id,
        count(*) as n_customer_users
    from {{ ref('stg_product__users') }}
    where not is_internal
    group by account_id
),

final as (
    select
        tar_daily.account_id,
        tar_daily.metric_date,
        tar_daily.active_seats_30d,
        coalesce(customer_users.n_customer_users, 0) as n_customer_users
    from tar_daily
    left join customer_users
        on tar_daily.account_id = customer_users.account_id
    where tar_daily.active_seats_30d > coalesce(customer_users.n_customer_users, 0)
)

select * from final
