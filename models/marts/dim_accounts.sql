-- One row per non-test account signed up before as_of_end: who the account is (name, vertical
-- and the raw label it came from, motion), its signup cohorts, the vertical's aha moment and
-- benchmarks (all carried by the account spine, int_accounts_enriched), and how many customer
-- users it has as of as_of_end (int_customer_users_filtered).

with

accounts as (
    select * from {{ ref('int_accounts_enriched') }}
),

users as (
    select * from {{ ref('int_customer_users_filtered') }}
),

user_counts as (
    select
        account_id,
        count(*) as customer_users,
        count(joined_at) as joined_customer_users
    from users
    group by account_id
),

final as (
    select
        accounts.account_id,
        accounts.account_name,
        accounts.vertical,
        accounts.source_vertical,
        accounts.motion,
        accounts.aha_scope,
        accounts.aha_moment,
        accounts.target_ttfv_minutes,
        cast(accounts.benchmark_tar as {{ activation_type_double() }}) as benchmark_tar,
        coalesce(user_counts.customer_users, 0) as customer_users,
        coalesce(user_counts.joined_customer_users, 0) as joined_customer_users,
        accounts.signup_date,
        accounts.cohort_month,
        accounts.cohort_week,
        accounts.signup_at
    from accounts
    left join user_counts
        on accounts.account_id = user_counts.account_id
)

select * from final
