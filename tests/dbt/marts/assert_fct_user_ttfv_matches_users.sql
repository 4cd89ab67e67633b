-- fct_user_ttfv has one row per customer user invited before as_of_end of an account in
-- fct_account_activation, none other; a user's first value is never before his account's
-- signup, and user_start_at / joined_at lie before as_of_end.

with

users as (
    select * from {{ ref('fct_user_ttfv') }}
),

source_users as (
    select * from {{ ref('stg_product__users') }}
),

accounts as (
    select
        account_id,
        signup_at
    from {{ ref('fct_account_activation') }}
),

expected_users as (
    select source_users.user_id
    from source_users
    inner join accounts
        on source_users.account_id = accounts.account_id
    where
        not source_users.is_internal
        and (source_users.invited_at is null or source_users.invited_at < {{ activation_as_of_end() }})
)

select
    users.user_id,
    'unexpected user' as problem
from users
left join expected_users
    on users.user_id = expected_users.user_id
where expected_users.user_id is null
union all
select
    expected_users.user_id,
    'missing user' as problem
from expected_users
left join users
    on expected_users.user_id = users.user_id
where users.user_id is null
union all
select
    users.user_id,
    'time out of range' as problem
from users
inner join accounts
    on users.account_id = accounts.account_id
where
    users.first_value_at < accounts.signup_at
    or users.first_value_at >= {{ activation_as_of_end() }}
    or users.user_start_at >= {{ activation_as_of_end() }}
