{#-
    One row per account (int_accounts_enriched) with the time each of the five setup criteria
    became true (SPEC section 4, Milestone 1) as of as_of_end, and setup_at / setup_progress over
    the criteria configured in var activation__setup_criteria.

    Criteria 1, 3 and 4 are configuration facts: they count included events from anyone (system
    events, internal and customer users). Criterion 5 counts customer users only. Criteria 1 and 3
    are found by event_role in the event_catalog seed, never by literal event names.
-#}

{%- set configured_criteria = var('activation__setup_criteria') -%}
{%- set criterion_columns = [] -%}
{%- for criterion in configured_criteria -%}
{%- do criterion_columns.append(criterion ~ '_at') -%}
{%- endfor -%}
{%- set met_flags = [] -%}
{%- for column in criterion_columns -%}
{%- do met_flags.append('case when ' ~ column ~ ' is not null then 1 else 0 end') -%}
{%- endfor -%}
{%- set criteria_met_expression = met_flags | join(' + ') -%}
{%- set all_criteria_met_expression = criterion_columns | join(' is not null and ') ~ ' is not null' -%}
{%- if criterion_columns | length == 1 -%}
{%- set last_criterion_expression = criterion_columns[0] -%}
{%- else -%}
{%- set last_criterion_expression = 'greatest(' ~ criterion_columns | join(', ') ~ ')' -%}
{%- endif -%}

with

accounts as (
    select account_id from {{ ref('int_accounts_enriched') }}
),

activity as (
    select * from {{ ref('int_events_aggregated_daily') }}
    where event_date <= {{ activation_as_of_date() }}
),

users as (
    select * from {{ ref('int_customer_users_filtered') }}
),

checklist as (
    select step_id from {{ ref('onboarding_checklist') }}
),

checklist_size as (
    select count(*) as n_checklist_steps from checklist
),

role_milestones as (
    select
        account_id,
        min(case when event_role = 'setup_workspace' then first_event_at end) as workspace_created_at,
        min(case when event_role = 'setup_integration' then first_event_at end) as integration_connected_at,
        min(case when is_value_action and is_customer_user then first_event_at end) as first_core_action_at
    from activity
    group by account_id
),

non_admin_invites as (
    select
        account_id,
        min(invited_at) as non_admin_invited_at
    from users
    where role in ('member', 'guest')
    group by account_id
),

-- step_id is set only for known checklist steps, so unknown step ids never count
first_step_completions as (
    select
        account_id,
        step_id,
        min(first_event_at) as step_completed_at
    from activity
    where event_role = 'onboarding_step' and step_id is not null
    group by account_id, step_id
),

ranked_step_completions as (
    select
        account_id,
        step_completed_at,
        row_number() over (
            partition by account_id order by step_completed_at, step_id
        ) as n_steps_completed
    from first_step_completions
),

-- the completion that first makes completed / total strictly exceed the threshold; compared as
-- n_steps_completed > total * threshold in exact decimal arithmetic (5 > 6 * 0.8)
checklist_completions as (
    select
        ranked_step_completions.account_id,
        min(ranked_step_completions.step_completed_at) as checklist_complete_at
    from ranked_step_completions
    cross join checklist_size
    where
        ranked_step_completions.n_steps_completed
        > checklist_size.n_checklist_steps * {{ var('activation__checklist_threshold') }}
    group by ranked_step_completions.account_id
),

criteria as (
    select
        accounts.account_id,
        role_milestones.workspace_created_at,
        non_admin_invites.non_admin_invited_at,
        role_milestones.integration_connected_at,
        checklist_completions.checklist_complete_at,
        role_milestones.first_core_action_at
    from accounts
    left join role_milestones
        on accounts.account_id = role_milestones.account_id
    left join non_admin_invites
        on accounts.account_id = non_admin_invites.account_id
    left join checklist_completions
        on accounts.account_id = checklist_completions.account_id
),

final as (
    select
        account_id,
        cast({{ configured_criteria | length }} as {{ dbt.type_bigint() }}) as setup_criteria_configured,
        cast({{ criteria_met_expression }} as {{ dbt.type_bigint() }}) as setup_criteria_met,
        cast({{ criteria_met_expression }} as {{ activation_type_double() }})
        / {{ configured_criteria | length }} as setup_progress,
        workspace_created_at,
        non_admin_invited_at,
        integration_connected_at,
        checklist_complete_at,
        first_core_action_at,
        -- the time the last configured criterion became true; null until all are met
        case
            when {{ all_criteria_met_expression }} then {{ last_criterion_expression }}
        end as setup_at
    from criteria
)

select * from final
