-- Clean subscription changes: the winning copy of each change that passed every check.

with

subscriptions as (
    select * from {{ ref('base_product__subscriptions') }}
    where row_status = 'clean'
),

final as (
    select
        subscription_change_id,
        account_id,
        status,
        licensed_seats,
        changed_at,
        _loaded_at
    from subscriptions
)

select * from final
