-- Every raw account row, typed, with its fate: held, duplicate, rejected or clean (SPEC section 3).

{{ config(materialized='table') }}

with

source as (
    select * from {{ source('product', 'accounts') }}
),

typed as (
    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(vertical as {{ dbt.type_string() }}) as vertical,
        cast(motion as {{ dbt.type_string() }}) as motion,
        cast(is_test_account as {{ dbt.type_boolean() }}) as is_test_account,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as _loaded_at
    from source
),

described as (
    select
        *,
        {{ activation_is_held() }} as is_held,
        {{ activation_json_object(['account_id', 'account_name', 'vertical', 'motion',
                                   'created_at', 'is_test_account']) }} as row_content_json,
        {{ activation_json_object(['account_id', 'account_name', 'vertical', 'motion',
                                   'created_at', 'is_test_account', '_loaded_at']) }} as raw_row_json
    from typed
),

ranked as (
    select
        *,
        {{ activation_copy_rank('account_id', activation_latest_copy_first(), 'row_content_json') }} as copy_rank
    from described
),

checked as (
    select
        *,
        case
            when account_id is null then 'missing_key'
            when created_at is null then 'missing_required_value'
        end as dq_reason
    from ranked
),

final as (
    select
        *,
        {{ activation_row_status() }} as row_status
    from checked
)

select * from final
