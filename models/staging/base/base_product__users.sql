-- Every raw user row, typed, with its fate: held, duplicate, rejected or clean (SPEC section 3),
-- checked against the clean accounts. The e-mail never reaches raw_row_json (SPEC section 7).

{{ config(materialized='table') }}

with

source as (
    select * from {{ source('product', 'users') }}
),

accounts as (
    select account_id from {{ ref('base_product__accounts') }}
    where row_status = 'clean'
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
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as _loaded_at
    from source
),

described as (
    select
        *,
        {{ activation_is_held() }} as is_held,
        {{ activation_json_object(['user_id', 'account_id', 'email', 'role', 'is_internal',
                                   'invited_at', 'invited_by_user_id', 'joined_at',
                                   'deactivated_at']) }} as row_content_json,
        {{ activation_json_object(['user_id', 'account_id', 'email', 'role', 'is_internal',
                                   'invited_at', 'invited_by_user_id', 'joined_at',
                                   'deactivated_at', '_loaded_at'], masked=['email']) }} as raw_row_json
    from typed
),

ranked as (
    select
        *,
        {{ activation_copy_rank('user_id', activation_latest_copy_first(), 'row_content_json') }} as copy_rank
    from described
),

checked as (
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
),

final as (
    select
        *,
        {{ activation_row_status() }} as row_status
    from checked
)

select * from final
