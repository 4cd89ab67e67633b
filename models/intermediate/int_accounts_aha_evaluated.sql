{#-
    One row per account (int_accounts_enriched) with aha_at, the aha moment of its vertical
    (SPEC section 4, Milestone 2) as of as_of_end. Every aha_definitions row of the vertical is a
    condition, met at the time of the min_count-th event (int_aha_conditions_evaluated; a
    condition met at or after as_of_end is not met yet).
    - scope account: counted over the whole account; aha_at = the time the last condition was met.
    - scope user: counted per user; a user reaches aha when all conditions are met on his own
      events (the last of them); aha_at = the earliest user. An account whose conditions are met
      only by different users has not reached aha.
-#}

with

accounts as (
    select
        account_id,
        vertical,
        aha_scope
    from {{ ref('int_accounts_enriched') }}
),

conditions_per_vertical as (
    select
        vertical,
        count(*) as n_conditions
    from {{ ref('aha_definitions') }}
    group by vertical
),

conditions_met as (
    select * from {{ ref('int_aha_conditions_evaluated') }}
    where condition_met_at < {{ activation_as_of_end() }}
),

-- per counting unit (the account, or one user): the time its last condition was met, kept only
-- when every condition of the vertical is met
units_reaching_aha as (
    select
        conditions_met.account_id,
        conditions_met.counted_user_id,
        max(conditions_met.condition_met_at) as aha_at
    from conditions_met
    inner join accounts
        on conditions_met.account_id = accounts.account_id
    inner join conditions_per_vertical
        on accounts.vertical = conditions_per_vertical.vertical
    group by conditions_met.account_id, conditions_met.counted_user_id, conditions_per_vertical.n_conditions
    having count(*) = conditions_per_vertical.n_conditions
),

account_aha as (
    select
        account_id,
        min(aha_at) as aha_at
    from units_reaching_aha
    group by account_id
),

final as (
    select
        accounts.account_id,
        accounts.aha_scope,
        account_aha.aha_at
    from accounts
    left join account_aha
        on accounts.account_id = account_aha.account_id
)

select * from final
