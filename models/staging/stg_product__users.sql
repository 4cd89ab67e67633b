-- Clean users: the winning copy of each user_id that passed every check.

with

users as (
    select * from {{ ref('base_product__users') }}
    where row_status = 'clean'
),

final as (
    select
        user_id,
        account_id,
        email,
        role,
        invited_by_user_id,
        coalesce(is_internal, false) as is_internal,
        invited_at,
        joined_at,
        deactivated_at,
        _loaded_at
    from users
)

select * from final
