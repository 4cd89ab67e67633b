{#-
    One row per customer user as of as_of_end (int_customer_users_filtered: known, non-internal,
    the creator or invited before as_of_end; a join at or after as_of_end is not known yet),
    with the time the user started and the user's first value action (SPEC section 5,
    fct_user_ttfv). user_start_at = joined_at, or signup_at for the account creator (invited_at null) when
    joined_at is null; null for invitees who never joined.
-#}

with

accounts as (
    select
        account_id,
        signup_at
    from {{ ref('int_accounts_enriched') }}
),

users as (
    select * from {{ ref('int_customer_users_filtered') }}
),

value_activity as (
    select * from {{ ref('int_events_aggregated_daily') }}
    where
        is_value_action
        and is_customer_user
        and event_date <= {{ activation_as_of_date() }}
),

first_value_actions as (
    select
        user_id,
        min(first_event_at) as first_value_at
    from value_activity
    group by user_id
),

users_as_of as (
    select
        users.*,
        accounts.signup_at
    from users
    inner join accounts
        on users.account_id = accounts.account_id
),

started as (
    select
        users_as_of.*,
        case
            when users_as_of.joined_at is not null then users_as_of.joined_at
            when users_as_of.is_account_creator then users_as_of.signup_at
        end as user_start_at,
        first_value_actions.first_value_at
    from users_as_of
    left join first_value_actions
        on users_as_of.user_id = first_value_actions.user_id
),

timed as (
    select
        *,
        case
            when user_start_at is not null and first_value_at is not null
                then greatest(
                        cast(0 as {{ activation_type_double() }}),
                        {{ activation_minutes_between('user_start_at', 'first_value_at') }}
                    )
        end as ttfv_minutes
    from started
),

final as (
    select
        user_id,
        account_id,
        role,
        {{ activation_ttfv_bucket('ttfv_minutes', start_at='user_start_at') }} as ttfv_bucket,
        ttfv_minutes,
        is_account_creator,
        invited_at,
        joined_at,
        user_start_at,
        first_value_at
    from timed
)

select * from final
