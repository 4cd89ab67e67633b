{#-
    The intervention queue a customer-success tool imports (SPEC section 6): one row per
    (account_id, campaign) due as of as_of_date. A campaign of the activation_playbook seed is
    due when signup_date + day_offset <= as_of_date <= signup_date + max_day_offset (blank = no
    end), its condition holds as of as_of_end, it was never sent to the account (sent_at <
    as_of_end) and the subscription in force at as_of_end is not canceled. `reason` is built
    from as-of facts only (no run timestamp), so a re-run of the same as_of_date reproduces it.
-#}
{%- set n_setup_criteria = var('activation__setup_criteria') | length -%}
{%- set text = dbt.type_string() -%}
{#- reasons: concatenations of as-of facts already cast to text in account_facts / the CTEs -#}
{%- set reasons = {
    'setup_progress_below_half': dbt.concat([
        "'Setup '", "setup_criteria_met_text", "' of " ~ n_setup_criteria ~ " criteria done '",
        "days_since_signup_text", "' days after signup'"]),
    'no_value_action_yet': dbt.concat([
        "'No value action (core feature use) yet '", "days_since_signup_text", "' days after signup'"]),
    'aha_not_achieved': dbt.concat([
        "'Aha moment not reached '", "days_since_signup_text", "' days after signup ('",
        "vertical", "': '", "aha_moment_text", "')'"]),
    'no_teammate_joined': dbt.concat([
        "'No member or guest has joined '", "days_since_signup_text", "' days after signup ('",
        "pending_invites_text", "' invitations pending)'"]),
    'team_habit_not_achieved': dbt.concat([
        "'No team habit '", "days_since_signup_text", "' days after signup: '", "organic_users_14d_text",
        "' users with organic value actions in the last 14 days (needs " ~ var('activation__habit_min_users')
        ~ "), organic use in '",
        "organic_weeks_last_4_text", "' of the last 4 weeks (needs " ~ var('activation__habit_min_weeks') ~ ")'"]),
    'tar_drop_alert_last_7_days': dbt.concat([
        "'Team activation rate fell from '", "previous_tar_percent_text", "'% to '", "tar_percent_text",
        "'% (below '", "at_risk_percent_text", "'%) on '", "metric_date_text", "': '",
        "active_seats_30d_text", "' of '", "licensed_seats_text", "' licensed seats active in the last 30 days'"]),
    'seats_unassigned_over_14d': dbt.concat([
        "seats_added_text", "' seats added on '", "license_change_date_text", "' (to '", "licensed_seats_text",
        "' licensed) not fully assigned within 14 days'", "later_increases_text"]),
} -%}

{#- the conditions read off account_facts, each with when it holds (the others have their own CTE) -#}
{%- set account_fact_conditions = {
    'setup_progress_below_half': 'setup_progress < 0.5',
    'no_value_action_yet': 'first_value_at is null',
    'aha_not_achieved': 'aha_at is null',
    'no_teammate_joined': 'n_teammates_joined = 0',
    'team_habit_not_achieved': 'team_habit_date is null',
} -%}

with

accounts as (
    select
        account_id,
        vertical,
        signup_date,
        {{ dbt.datediff('signup_date', activation_as_of_date(), 'day') }}
            as days_since_signup
    from {{ ref('int_accounts_enriched') }}
),

activation as (
    select
        account_id,
        setup_progress,
        first_value_at,
        aha_at,
        team_habit_date
    from {{ ref('fct_account_activation') }}
),

subscription_changes as (
    select * from {{ ref('int_subscription_changes_sequenced') }}
),

users as (
    select * from {{ ref('stg_product__users') }}
),

interventions as (
    select
        account_id,
        campaign
    from {{ ref('stg_product__interventions') }}
    where sent_at < {{ activation_as_of_end() }}
),

tar_daily as (
    select * from {{ ref('fct_account_tar_daily') }}
),

seat_provisioning as (
    select * from {{ ref('fct_seat_provisioning') }}
),

account_days as (
    select
        account_id,
        organic_users_14d,
        organic_weeks_last_4
    from {{ ref('int_account_days_aggregated') }}
    where metric_date = {{ activation_as_of_date() }}
),

playbook as (
    select * from {{ ref('activation_playbook') }}
),

category_benchmarks as (
    select
        vertical,
        aha_moment
    from {{ ref('category_benchmarks') }}
),

tar_bands as (
    select problem_below_rate as at_risk_rate
    from {{ ref('activation_benchmarks') }}
    where milestone = 'tar'
),

canceled_accounts as (
    select account_id
    from subscription_changes
    where is_in_force_at_as_of_end and status = 'canceled'
),

sent_campaigns as (
    select distinct
        account_id,
        campaign
    from interventions
),

teammates as (
    select
        account_id,
        count(case when joined_at < {{ activation_as_of_end() }} then user_id end) as n_joined,
        count(case
            when
                invited_at < {{ activation_as_of_end() }}
                and (joined_at is null or joined_at >= {{ activation_as_of_end() }})
                then user_id
        end) as n_pending_invites
    from users
    where not is_internal and role in ('member', 'guest')
    group by account_id
),

account_facts as (
    select
        accounts.account_id,
        accounts.vertical,
        accounts.signup_date,
        activation.setup_progress,
        activation.first_value_at,
        activation.aha_at,
        activation.team_habit_date,
        coalesce(teammates.n_joined, 0) as n_teammates_joined,
        accounts.days_since_signup,
        cast(accounts.days_since_signup as {{ text }}) as days_since_signup_text,
        cast(cast(round(activation.setup_progress * {{ n_setup_criteria }}) as {{ dbt.type_bigint() }}) as {{ text }})
            as setup_criteria_met_text,
        coalesce(category_benchmarks.aha_moment, 'see aha_definitions') as aha_moment_text,
        cast(coalesce(teammates.n_pending_invites, 0) as {{ text }}) as pending_invites_text,
        cast(cast(coalesce(account_days.organic_users_14d, 0) as {{ dbt.type_bigint() }}) as {{ text }})
            as organic_users_14d_text,
        cast(coalesce(account_days.organic_weeks_last_4, 0) as {{ text }}) as organic_weeks_last_4_text
    from accounts
    inner join activation
        on accounts.account_id = activation.account_id
    left join category_benchmarks
        on accounts.vertical = category_benchmarks.vertical
    left join teammates
        on accounts.account_id = teammates.account_id
    left join account_days
        on accounts.account_id = account_days.account_id
    where accounts.account_id not in (select canceled_accounts.account_id from canceled_accounts)
),

tar_drops as (
    select
        tar_daily.account_id,
        tar_daily.metric_date,
        tar_daily.active_seats_30d,
        tar_daily.licensed_seats,
        tar_daily.tar,
        previous_day.tar as previous_tar,
        row_number() over (partition by tar_daily.account_id order by tar_daily.metric_date desc) as recency_rank
    from tar_daily
    left join tar_daily as previous_day
        on
            tar_daily.account_id = previous_day.account_id
            and previous_day.metric_date = {{ dbt.dateadd('day', -1, 'tar_daily.metric_date') }}
    where
        tar_daily.is_tar_drop_alert
        and tar_daily.metric_date >= {{ dbt.dateadd('day', -6, activation_as_of_date()) }}
        and tar_daily.metric_date <= {{ activation_as_of_date() }}
),

latest_tar_drops as (
    select
        tar_drops.account_id,
        tar_drops.metric_date,
        cast(cast(round(tar_drops.previous_tar * 100) as {{ dbt.type_bigint() }}) as {{ text }})
            as previous_tar_percent_text,
        cast(cast(round(tar_drops.tar * 100) as {{ dbt.type_bigint() }}) as {{ text }}) as tar_percent_text,
        cast(cast(round(tar_bands.at_risk_rate * 100) as {{ dbt.type_bigint() }}) as {{ text }})
            as at_risk_percent_text,
        cast(tar_drops.metric_date as {{ text }}) as metric_date_text,
        cast(tar_drops.active_seats_30d as {{ text }}) as active_seats_30d_text,
        cast(tar_drops.licensed_seats as {{ text }}) as licensed_seats_text
    from tar_drops
    cross join tar_bands
    where tar_drops.recency_rank = 1
),

unassigned_seats as (
    select
        account_id,
        seats_added,
        licensed_seats,
        license_change_at,
        count(*) over (partition by account_id) as n_unassigned_increases,
        row_number() over (partition by account_id order by license_change_at, subscription_change_id) as age_rank
    from seat_provisioning
    where is_unassigned_over_14d
),

earliest_unassigned_seats as (
    select
        account_id,
        cast({{ dbt.dateadd('day', 14, 'cast(license_change_at as date)') }} as date) as reminder_due_date,
        cast(seats_added as {{ text }}) as seats_added_text,
        cast(cast(license_change_at as date) as {{ text }}) as license_change_date_text,
        cast(licensed_seats as {{ text }}) as licensed_seats_text,
        case
            when n_unassigned_increases > 1
                then {{ dbt.concat(["'; '", "cast(n_unassigned_increases - 1 as " ~ text ~ ")",
                                    "' later increase(s) also unassigned'"]) }}
            else ''
        end as later_increases_text
    from unassigned_seats
    where age_rank = 1
),

-- one row per account and condition that holds, with its reason and, where the SPEC says so,
-- its own due date (null = signup_date + day_offset)
conditions_met as (
    {% for condition, holds_when in account_fact_conditions.items() %}
    select
        account_id,
        '{{ condition }}' as condition_name,
        cast(null as date) as condition_due_date,
        {{ reasons[condition] }} as reason
    from account_facts
    where {{ holds_when }}

    union all

    {% endfor %}
    select
        account_id,
        'tar_drop_alert_last_7_days' as condition_name,
        metric_date as condition_due_date,
        {{ reasons['tar_drop_alert_last_7_days'] }} as reason
    from latest_tar_drops

    union all

    select
        account_id,
        'seats_unassigned_over_14d' as condition_name,
        reminder_due_date as condition_due_date,
        {{ reasons['seats_unassigned_over_14d'] }} as reason
    from earliest_unassigned_seats
),

due as (
    select
        conditions_met.account_id,
        playbook.campaign,
        conditions_met.reason,
        account_facts.days_since_signup,
        coalesce(
            conditions_met.condition_due_date,
            cast({{ dbt.dateadd('day', 'playbook.day_offset', 'account_facts.signup_date') }} as date)
        ) as due_date
    from conditions_met
    -- the inner join also drops canceled accounts from the tar and seat conditions
    inner join account_facts
        on conditions_met.account_id = account_facts.account_id
    inner join playbook
        on conditions_met.condition_name = playbook.condition
    left join sent_campaigns
        on
            conditions_met.account_id = sent_campaigns.account_id
            and playbook.campaign = sent_campaigns.campaign
    where
        sent_campaigns.account_id is null
        and account_facts.days_since_signup >= playbook.day_offset
        and (playbook.max_day_offset is null or account_facts.days_since_signup <= playbook.max_day_offset)
),

final as (
    select
        account_id,
        campaign,
        reason,
        cast(days_since_signup as {{ dbt.type_bigint() }}) as days_since_signup,
        due_date
    from due
)

select * from final
