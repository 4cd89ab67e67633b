-- Every raw event row (all delivered copies), typed, and whether it is held (its _loaded_at is
-- after this run started). Deduplication and checks happen in base_product__events_deduplicated,
-- incrementally.

with

source as (
    select * from {{ source('product', 'events') }}
),

typed as (
    select
        cast(event_id as {{ dbt.type_string() }}) as event_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        cast(event_name as {{ dbt.type_string() }}) as event_name,
        cast(properties as {{ dbt.type_string() }}) as properties,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        cast(received_at as {{ dbt.type_timestamp() }}) as received_at,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as _loaded_at
    from source
),

final as (
    select
        *,
        {{ activation_is_held() }} as is_held
    from typed
)

select * from final
