{#-
    One row per aha condition met (SPEC section 4, Milestone 2): per account, counting unit
    (counted_user_id: the user for scope user, null for scope account) and aha_definitions row
    (event_name, min_count) of the account's vertical, the time of the unit's min_count-th
    included event by a customer user (known, non-internal), ordered by event_at then event_id.

    Not limited to as_of_date: the n-th event overall is the n-th event before as_of_end exactly
    when it is itself before as_of_end (the events before it are earlier still), so
    int_accounts_aha_evaluated applies the horizon with a filter and this model never changes
    when only the as_of_date moves.

    Incremental (macros/incremental/manifest.sql): of every account in this run's event scopes
    (stg_product__event_scopes), the pre-hook removes the conditions met on or after the
    account's earliest changed date (all of them for an account in scope whole), and the model
    appends, for the counting units without a kept row, what a full rebuild gives them. A
    condition met before that date stays as it is: every event up to it is unchanged and no new
    one lands before it, so its min_count-th event is the same. The units kept are most of an
    active account's history (a team that sent its 10,000th message months ago), and their
    events are neither counted nor ranked again. A changed aha_definitions or event_catalog seed
    rebuilds it in full.
-#}
{{
    config(
        materialized=activation_incremental_materialization(),
        incremental_strategy='append',
        on_schema_change='fail',
        activation_sources=['events', 'accounts', 'users', 'interventions'],
        pre_hook="{{ activation_replace_event_scope(from_date_column='cast(condition_met_at as date)') }}",
        post_hook="{{ activation_advance_manifest() }}",
    )
}}
-- depends_on: {{ ref('stg_product__event_scopes') }}
{%- set incremental = activation_is_incremental() %}

with

accounts as (
    select
        account_id,
        vertical
    from {{ ref('stg_product__accounts') }}
),

aha_definitions as (
    select
        vertical,
        scope,
        event_name,
        min_count
    from {{ ref('aha_definitions') }}
),

classified as (
    select * from {{ ref('int_events_classified') }}
),

events as (
    select
        account_id,
        user_id,
        event_name,
        event_id,
        event_at
    from classified
    where
        is_included
        and is_customer_user
        and event_name in (select aha_definitions.event_name from aha_definitions){% if incremental %}
        and {{ activation_in_event_scope('account_id') }}{% endif %}
),

aha_events as (
    select
        events.account_id,
        events.event_name,
        events.event_id,
        events.event_at,
        -- one counting unit per condition: the account (scope account) or the user (scope user)
        case when aha_definitions.scope = 'user' then events.user_id end as counted_user_id,
        aha_definitions.min_count
    from events
    inner join accounts
        on events.account_id = accounts.account_id
    inner join aha_definitions
        on accounts.vertical = aha_definitions.vertical
            and events.event_name = aha_definitions.event_name
),

{% if incremental %}
-- units whose condition stays met from before their account's earliest change in this run:
-- the pre-hook kept their rows, and their events need no new count
kept_units as (
    select
        kept_rows.account_id,
        coalesce(kept_rows.counted_user_id, '') as counted_user_key,
        kept_rows.event_name
    from {{ this }} as kept_rows
    where {{ activation_in_event_scope('kept_rows.account_id') }}
),

{% endif %}
pending_aha_events as (
    select aha_events.*
    from aha_events
    {% if incremental %}
    left join kept_units
        on aha_events.account_id = kept_units.account_id
            and aha_events.event_name = kept_units.event_name
            and coalesce(aha_events.counted_user_id, '') = kept_units.counted_user_key
    where kept_units.account_id is null
    {% endif %}
),

-- per counting unit and condition: how many events, and the first one
unit_condition_counts as (
    select
        account_id,
        counted_user_id,
        event_name,
        min_count,
        count(*) as n_events,
        min(event_at) as first_event_at
    from pending_aha_events
    group by account_id, counted_user_id, event_name, min_count
),

-- only units that reach a min_count above 1 need their events ranked (a sort); a unit below it
-- cannot meet the condition, and min_count = 1 is met at the first event
ranked_aha_events as (
    select
        pending_aha_events.account_id,
        pending_aha_events.counted_user_id,
        pending_aha_events.event_name,
        pending_aha_events.event_at,
        pending_aha_events.min_count,
        row_number() over (
            partition by
                pending_aha_events.account_id, pending_aha_events.counted_user_id, pending_aha_events.event_name
            order by pending_aha_events.event_at, pending_aha_events.event_id
        ) as event_number
    from pending_aha_events
    inner join unit_condition_counts as counts
        on pending_aha_events.account_id = counts.account_id
            and pending_aha_events.event_name = counts.event_name
            -- scope account counts with a null user: compare null-safely, and hashably
            and coalesce(pending_aha_events.counted_user_id, '') = coalesce(counts.counted_user_id, '')
    where counts.min_count > 1 and counts.n_events >= counts.min_count
),

conditions_met as (
    select
        account_id,
        counted_user_id,
        event_name,
        first_event_at as condition_met_at
    from unit_condition_counts
    where min_count = 1
    union all
    select
        account_id,
        counted_user_id,
        event_name,
        event_at as condition_met_at
    from ranked_aha_events
    where event_number = min_count
),

final as (
    select * from conditions_met
)

select * from final
