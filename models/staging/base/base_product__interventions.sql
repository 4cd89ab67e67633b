-- Every raw intervention, typed, with its fate: held, duplicate, rejected or clean
-- (SPEC section 3), checked against the clean accounts and users.

with

source as (
    select * from {{ source('product', 'interventions') }}
),

accounts as (
    select account_id from {{ ref('base_product__accounts') }}
    where row_status = 'clean'
),

users as (
    select
        user_id,
        account_id
    from {{ ref('base_product__users') }}
    where row_status = 'clean'
),

typed as (
    select
        cast(intervention_id as {{ dbt.type_string() }}) as intervention_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(campaign as {{ dbt.type_string() }}) as campaign,
        cast(sent_at as {{ dbt.type_timestamp() }}) as sent_at,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as _loaded_at
    from source
),

described as (
    select
        *,
        {{ activation_is_held() }} as is_held,
        {{ activation_json_object(['intervention_id', 'account_id', 'user_id', 'channel',
                                   'campaign', 'sent_at']) }} as row_content_json,
        {{ activation_json_object(['intervention_id', 'account_id', 'user_id', 'channel',
                                   'campaign', 'sent_at', '_loaded_at']) }} as raw_row_json
    from typed
),

ranked as (
    select
        *,
        {{ activation_copy_rank('intervention_id', activation_latest_copy_first(), 'row_content_json') }} as copy_rank
    from described
),

checked as (
    select
        ranked.*,
        case
            when ranked.intervention_id is null then 'missing_key'
            when accounts.account_id is null then 'unknown_account'
            when ranked.channel is null or ranked.channel not in ('email', 'in_app', 'csm')
                then 'unknown_value'
            when ranked.sent_at is null then 'missing_required_value'
            when ranked.user_id is not null and users.user_id is null then 'user_account_mismatch'
        end as dq_reason
    from ranked
    left join accounts
        on ranked.account_id = accounts.account_id
    left join users
        on ranked.user_id = users.user_id
            and ranked.account_id = users.account_id
),

final as (
    select
        *,
        {{ activation_row_status() }} as row_status
    from checked
)

select * from final
