{#-
    The customer users as of as_of_end, defined once: one row per known, non-internal user of an
    account in int_accounts_enriched who exists by then, i.e. the account creator (invited_at
    null) or a user invited before as_of_end. Users invited at or after as_of_end do not exist
    yet. A join at or after as_of_end is not known yet: joined_at is null then (not joined).
    Deactivated users stay (they did join). Read by user TTFV, the non_admin_invited setup
    criterion, the teammate condition of the intervention queue and dim_accounts' user counts.
-#}

with

accounts as (
    select account_id from {{ ref('int_accounts_enriched') }}
),

users as (
    select * from {{ ref('stg_product__users') }}
    where
        not is_internal
        and (invited_at is null or invited_at < {{ activation_as_of_end() }})
),

final as (
    select
        users.user_id,
        users.account_id,
        users.role,
        users.invited_at is null as is_account_creator,
        users.invited_at,
        case when users.joined_at < {{ activation_as_of_end() }} then users.joined_at end as joined_at
    from users
    inner join accounts
        on users.account_id = accounts.account_id
)

select * from final
