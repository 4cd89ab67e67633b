{#-
    The account conditions the intervention playbook chooses from (SPEC section 6), as of
    as_of_end: one row per account and condition that holds, with a human-readable reason built
    from as-of facts only (no run timestamp, so a re-run of the same as_of_date reproduces it)
    and, where the SPEC gives the condition its own, a due date (null = signup_date + the
    playbook's day_offset). Accounts whose subscription in force at as_of_end is canceled have
    no conditions: they get no interventions. rpt_activation_interventions_due applies the
    activation_playbook seed (day windows, already sent) to these rows.

    Conditions: setup_progress_below_half, no_value_action_yet, aha_not_achieved,
    no_teammate_joined (no customer member or guest joined before as_of_end; deactivated ones
    count, admins do not), team_habit_not_achieved, tar_drop_alert_last_7_days (due on the
    latest alert of as_of_date - 6 .. as_of_date), seats_unassigned_over_14d (due 14 days after
    the earliest unassigned increase).
-#}

with

accounts as (
    select
        account_id,
        vertical,
        aha_moment,
        {{ dbt.datediff('signup_date', activation_as_of_date(), 'day') }}
            as days_since_signup,
        signup_date
    from {{ ref('int_accounts_enriched') }}
),

activation as (
    select
        account_id,
        setup_progress,
        first_value_at,
        aha_at,
        team_habit_date
    from {{ ref('int_accounts_activation_evaluated') }}
),

setup as (
    select
        account_id,
        setup_criteria_configured,
        setup_criteria_met
    from {{ ref('int_accounts_setup_evaluated') }}
),

users as (
    select * from {{ ref('int_customer_users_filtered') }}
),

subscriptions_in_force as (
    select
        account_id,
        status
    from {{ ref('int_subscription_changes_sequenced') }}
    where is_in_force_at_as_of_end
),

account_days as (
    select
        account_id,
        organic_users_14d,
        organic_weeks_last_4
    from {{ ref('int_account_days_aggregated') }}
    where metric_date = {{ activation_as_of_date() }}
),

tar_drops as (
    select
        account_id,
        active_seats_30d,
        licensed_seats,
        tar,
        previous_tar,
        metric_date
    from {{ ref('int_account_days_tar_computed') }}
    where
        is_tar_drop_alert
        and metric_date >= {{ dbt.dateadd('day', -6, activation_as_of_date()) }}
        and metric_date <= {{ activation_as_of_date() }}
),

unassigned_seat_increases as (
    select
        subscription_change_id,
        account_id,
        licensed_seats,
        seats_added,
        license_change_at
    from {{ ref('int_seat_increases_evaluated') }}
    where is_unassigned_over_14d
),

tar_bands as (
    select problem_below_rate as at_risk_rate
    from {{ ref('activation_benchmarks') }}
    where milestone = 'tar'
),

teammates as (
    select
        account_id,
        count(joined_at) as n_joined,
        count(case when invited_at is not null and joined_at is null then user_id end) as n_pending_invites
    from users
    where role in ('member', 'guest')
    group by account_id
),

account_facts as (
    select
        accounts.account_id,
        accounts.vertical,
        coalesce(accounts.aha_moment, 'see aha_definitions') as aha_moment,
        activation.setup_progress,
        setup.setup_criteria_configured,
        setup.setup_criteria_met,
        coalesce(teammates.n_joined, 0) as n_teammates_joined,
        coalesce(teammates.n_pending_invites, 0) as n_pending_invites,
        cast(coalesce(account_days.organic_users_14d, 0) as {{ dbt.type_bigint() }}) as organic_users_14d,
        coalesce(account_days.organic_weeks_last_4, 0) as organic_weeks_last_4,
        cast(accounts.days_since_signup as {{ dbt.type_bigint() }}) as days_since_signup,
        accounts.signup_date,
        activation.team_habit_date,
        activation.first_value_at,
        activation.aha_at
    from accounts
    inner join activation
        on accounts.account_id = activation.account_id
    left join setup
        on accounts.account_id = setup.account_id
    left join teammates
        on accounts.account_id = teammates.account_id
    left join account_days
        on accounts.account_id = account_days.account_id
    left join subscriptions_in_force
        on accounts.account_id = subscriptions_in_force.account_id
    -- accounts without any subscription are not canceled
    where subscriptions_in_force.status is null or subscriptions_in_force.status != 'canceled'
),

latest_tar_drops as (
    select
        account_id,
        active_seats_30d,
        licensed_seats,
        tar,
        previous_tar,
        metric_date,
        row_number() over (partition by account_id order by metric_date desc) as recency_rank
    from tar_drops
),

earliest_unassigned_seat_increases as (
    select
        account_id,
        licensed_seats,
        seats_added,
        count(*) over (partition by account_id) as n_unassigned_increases,
        row_number() over (
            partition by account_id order by license_change_at, subscription_change_id
        ) as age_rank,
        license_change_at
    from unassigned_seat_increases
),

conditions as (
    select
        account_id,
        'setup_progress_below_half' as condition_name,
        'Setup ' || cast(setup_criteria_met as {{ dbt.type_string() }})
        || ' of ' || cast(setup_criteria_configured as {{ dbt.type_string() }})
        || ' criteria done ' || cast(days_since_signup as {{ dbt.type_string() }})
        || ' days after signup' as reason,
        cast(null as date) as condition_due_date
    from account_facts
    where setup_progress < 0.5

    union all

    select
        account_id,
        'no_value_action_yet' as condition_name,
        'No value action (core feature use) yet ' || cast(days_since_signup as {{ dbt.type_string() }})
        || ' days after signup' as reason,
        cast(null as date) as condition_due_date
    from account_facts
    where first_value_at is null

    union all

    select
        account_id,
        'aha_not_achieved' as condition_name,
        'Aha moment not reached ' || cast(days_since_signup as {{ dbt.type_string() }})
        || ' days after signup (' || vertical || ': ' || aha_moment || ')' as reason,
        cast(null as date) as condition_due_date
    from account_facts
    where aha_at is null

    union all

    select
        account_id,
        'no_teammate_joined' as condition_name,
        'No member or guest has joined ' || cast(days_since_signup as {{ dbt.type_string() }})
        || ' days after signup (' || cast(n_pending_invites as {{ dbt.type_string() }})
        || ' invitations pending)' as reason,
        cast(null as date) as condition_due_date
    from account_facts
    where n_teammates_joined = 0

    union all

    select
        account_id,
        'team_habit_not_achieved' as condition_name,
        'No team habit ' || cast(days_since_signup as {{ dbt.type_string() }}) || ' days after signup: '
        || cast(organic_users_14d as {{ dbt.type_string() }})
        || ' users with organic value actions in the last 14 days (needs '
        || '{{ var("activation__habit_min_users") }}), organic use in '
        || cast(organic_weeks_last_4 as {{ dbt.type_string() }})
        || ' of the last 4 weeks (needs {{ var("activation__habit_min_weeks") }})' as reason,
        cast(null as date) as condition_due_date
    from account_facts
    where team_habit_date is null

    union all

    select
        latest_tar_drops.account_id,
        'tar_drop_alert_last_7_days' as condition_name,
        -- percentages rounded half up on every engine (12.5% reads 13%)
        'Team activation rate fell from '
        || {{ activation_percent_text('latest_tar_drops.previous_tar') }}
        || '% to '
        || {{ activation_percent_text('latest_tar_drops.tar') }}
        || '% (below '
        || {{ activation_percent_text('tar_bands.at_risk_rate') }}
        || '%) on ' || cast(latest_tar_drops.metric_date as {{ dbt.type_string() }})
        || ': ' || cast(latest_tar_drops.active_seats_30d as {{ dbt.type_string() }})
        || ' of ' || cast(latest_tar_drops.licensed_seats as {{ dbt.type_string() }})
        || ' licensed seats active in the last 30 days' as reason,
        latest_tar_drops.metric_date as condition_due_date
    from latest_tar_drops
    cross join tar_bands
    where latest_tar_drops.recency_rank = 1

    union all

    select
        account_id,
        'seats_unassigned_over_14d' as condition_name,
        cast(seats_added as {{ dbt.type_string() }}) || ' seats added on '
        || cast(cast(license_change_at as date) as {{ dbt.type_string() }})
        || ' (to ' || cast(licensed_seats as {{ dbt.type_string() }})
        || ' licensed) not fully assigned within 14 days'
        || case
            when n_unassigned_increases > 1
                then '; ' || cast(n_unassigned_increases - 1 as {{ dbt.type_string() }})
                    || ' later increase(s) also unassigned'
            else ''
        end as reason,
        cast({{ dbt.dateadd('day', 14, 'cast(license_change_at as date)') }} as date) as condition_due_date
    from earliest_unassigned_seat_increases
    where age_rank = 1
),

final as (
    select
        conditions.account_id,
        conditions.condition_name,
        conditions.reason,
        account_facts.days_since_signup,
        conditions.condition_due_date,
        account_facts.signup_date
    from conditions
    -- the inner join also drops canceled accounts from the tar and seat conditions
    inner join account_facts
        on conditions.account_id = account_facts.account_id
)

select * from final
