-- Clean accounts: the winning copy of each account_id that passed every check.
-- The vertical is one of the verticals configured in category_benchmarks, else `other`.

with

accounts as (
    select * from {{ ref('base_product__accounts') }}
    where row_status = 'clean'
),

known_verticals as (
    select vertical from {{ ref('category_benchmarks') }}
),

final as (
    select
        accounts.account_id,
        accounts.account_name,
        coalesce(known_verticals.vertical, 'other') as vertical,
        accounts.vertical as source_vertical,
        accounts.motion,
        coalesce(accounts.is_test_account, false) as is_test_account,
        accounts.created_at as signup_at,
        accounts._loaded_at
    from accounts
    left join known_verticals
        on accounts.vertical = known_verticals.vertical
)

select * from final
