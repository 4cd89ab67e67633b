-- Every raw seat assignment, typed, ranked among copies of its key, and checked (SPEC section 3).

with

source as (
    select * from {{ source('product', 'seat_assignments') }}
),

accounts as (
    select account_id from {{ ref('stg_product__accounts') }}
),

users as (
    select
        user_id,
        account_id
    from {{ ref('stg_product__users') }}
),

typed as (
    select
        cast(seat_assignment_id as {{ dbt.type_string() }}) as seat_assignment_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        cast(assigned_at as {{ dbt.type_timestamp() }}) as assigned_at,
        cast(unassigned_at as {{ dbt.type_timestamp() }}) as unassigned_at,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as _loaded_at,
        {{ activation_json_object(['seat_assignment_id', 'account_id', 'user_id', 'assigned_at',
                                   'unassigned_at', '_loaded_at']) }} as raw_row_json
    from source
),

ranked as (
    select
        *,
        {{ activation_copy_rank('seat_assignment_id', '_loaded_at desc, raw_row_json') }} as copy_rank
    from typed
),

final as (
    select
        ranked.*,
        case
            when ranked.seat_assignment_id is null then 'missing_key'
            when accounts.account_id is null then 'unknown_account'
            when ranked.unassigned_at < ranked.assigned_at then 'invalid_interval'
            when ranked.assigned_at is null then 'missing_required_value'
            when users.user_id is null then 'user_account_mismatch'
        end as dq_reason
    from ranked
    left join accounts
        on ranked.account_id = accounts.account_id
    left join users
        on ranked.user_id = users.user_id
            and ranked.account_id = users.account_id
)

select * from final
