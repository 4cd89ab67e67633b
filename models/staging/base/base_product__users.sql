-- Every raw user row, typed, ranked among copies of its key, and checked (SPEC section 3).

with

source as (
    select * from {{ source('product', 'users') }}
),

accounts as (
    select account_id from {{ ref('stg_product__accounts') }}
),

typed as (
    select
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(email as {{ dbt.type_string() }}) as email,
        cast(role as {{ dbt.type_string() }}) as role,
        cast(invited_by_user_id as {{ dbt.type_string() }}) as invited_by_user_id,
        cast(is_internal as {{ dbt.type_boolean() }}) as is_internal,
        cast(invited_at as {{ dbt.type_timestamp() }}) as invited_at,
        cast(joined_at as {{ dbt.type_timestamp() }}) as joined_at,
        cast(deactivated_at as {{ dbt.type_timestamp() }}) as deactivated_at,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as _loaded_at,
        {{ activation_json_object(['user_id', 'account_id', 'email', 'role', 'is_internal',
                                   'invited_at', 'invited_by_user_id', 'joined_at',
                                   'deactivated_at', '_loaded_at']) }} as raw_row_json,
        -- what dq_rejected_rows shows: the personal columns of scripts/raw_schema.py masked
        -- (raw_row_json keeps them: it breaks deduplication ties and never leaves staging)
        {{ activation_json_object(['user_id', 'account_id', 'email', 'role', 'is_internal',
                                   'invited_at', 'invited_by_user_id', 'joined_at',
                                   'deactivated_at', '_loaded_at'],
                                  masked=['email']) }} as raw_row_json_masked
    from source
),

ranked as (
    select
        *,
        {{ activation_copy_rank('user_id', '_loaded_at desc, raw_row_json') }} as copy_rank
    from typed
),

final as (
    select
        ranked.*,
        case
            when ranked.user_id is null then 'missing_key'
            when accounts.account_id is null then 'unknown_account'
            when ranked.role is null or ranked.role not in ('owner', 'admin', 'member', 'guest')
                then 'unknown_value'
        end as dq_reason
    from ranked
    left join accounts
        on ranked.account_id = accounts.account_id
)

select * from final
