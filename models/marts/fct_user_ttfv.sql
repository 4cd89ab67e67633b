-- One row per customer user (known, non-internal) of a non-test account, as of as_of_end: when
-- the user started, the user's first value action and the time between them, bucketed
-- (SPEC section 5). The logic lives in int_users_ttfv_computed.

with

users as (
    select * from {{ ref('int_users_ttfv_computed') }}
),

final as (
    select
        user_id,
        account_id,
        role,
        ttfv_bucket,
        cast(ttfv_minutes as {{ activation_type_double() }}) as ttfv_minutes,
        is_account_creator,
        invited_at,
        joined_at,
        user_start_at,
        first_value_at
    from users
)

select * from final
