-- Every raw subscription change, typed, with its fate: held, duplicate, rejected or clean
-- (SPEC section 3), checked against the clean accounts.

with

source as (
    select * from {{ source('product', 'subscriptions') }}
),

accounts as (
    select account_id from {{ ref('base_product__accounts') }}
    where row_status = 'clean'
),

typed as (
    select
        cast(subscription_change_id as {{ dbt.type_string() }}) as subscription_change_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(licensed_seats as {{ dbt.type_bigint() }}) as licensed_seats,
        cast(changed_at as {{ dbt.type_timestamp() }}) as changed_at,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as _loaded_at
    from source
),

described as (
    select
        *,
        {{ activation_is_held() }} as is_held,
        {{ activation_json_object(['subscription_change_id', 'account_id', 'changed_at', 'status',
                                   'licensed_seats']) }} as row_content_json,
        {{ activation_json_object(['subscription_change_id', 'account_id', 'changed_at', 'status',
                                   'licensed_seats', '_loaded_at']) }} as raw_row_json
    from typed
),

ranked as (
    select
        *,
        {{ activation_copy_rank('subscription_change_id', activation_latest_copy_first(),
                                'row_content_json') }} as copy_rank
    from described
),

checked as (
    select
        ranked.*,
        case
            when ranked.subscription_change_id is null then 'missing_key'
            when accounts.account_id is null then 'unknown_account'
            when ranked.licensed_seats < 0 then 'negative_seats'
            when ranked.status is null or ranked.status not in ('trialing', 'active', 'canceled')
                then 'unknown_value'
            when ranked.changed_at is null
                or (ranked.licensed_seats is null and ranked.status != 'canceled')
                then 'missing_required_value'
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
