{#-
    One row per aha condition met (SPEC section 4, Milestone 2): per account, counting unit
    (counted_user_id: the user for scope user, null for scope account) and aha_definitions row
    (event_name, min_count) of the account's vertical, the time of the unit's min_count-th
    included event by a customer user (known, non-internal), ordered by event_at then event_id.

    Counted from the daily rollup, not the event grain: a unit's running count per day
    (int_events_aggregated_daily) gives the day it reaches min_count and how many of that
    day's events come before the one that does. When it is the day's first, the rollup's
    first_event_at is the answer; otherwise only that day's clean events of the unit's
    customer users (those with a row in the rollup: it holds only included events) are read
    from stg_product__events and ranked. An account that sends its 10,000th message is counted
    over its days, and one day of its events is sorted.

    Not limited to as_of_date: the n-th event overall is the n-th event before as_of_end exactly
    when it is itself before as_of_end (the events before it are earlier still), so
    int_accounts_aha_evaluated applies the horizon with a filter and this model never changes
    when only the as_of_date moves.

    Incremental (macros/incremental/manifest.sql): of every account in this run's event scopes
    (stg_product__event_scopes), the pre-hook removes the conditions met on or after the
    account's earliest changed date (all of them for an account in scope whole), and the model
    appends, for the counting units without a kept row, what a full rebuild gives them. A
    condition met before that date stays as it is: every event up to it is unchanged and no new
    one lands before it, so its min_count-th event is the same. A changed aha_definitions or
    event_catalog seed rebuilds it in full.
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

daily as (
    select
        account_id,
        user_id,
        event_name,
        event_date,
        n_events,
        first_event_at
    from {{ ref('int_events_aggregated_daily') }}
    where
        is_customer_user
        and event_name in (select aha_definitions.event_name from aha_definitions){% if incremental %}
        and {{ activation_in_event_scope('account_id') }}{% endif %}
),

events as (
    select * from {{ ref('stg_product__events') }}
),

-- per counting unit, condition and day: the day's events and the first of them
unit_days as (
    select
        daily.account_id,
        -- one counting unit per condition: the account (scope account) or the user (scope user)
        case when aha_definitions.scope = 'user' then daily.user_id end as counted_user_id,
        daily.event_name,
        aha_definitions.min_count,
        daily.event_date,
        sum(daily.n_events) as n_events,
        min(daily.first_event_at) as first_event_at
    from daily
    inner join accounts
        on daily.account_id = accounts.account_id
    inner join aha_definitions
        on accounts.vertical = aha_definitions.vertical
            and daily.event_name = aha_definitions.event_name
    group by
        daily.account_id,
        case when aha_definitions.scope = 'user' then daily.user_id end,
        daily.event_name,
        aha_definitions.min_count,
        daily.event_date
),

{% if incremental %}
-- units whose condition stays met from before their account's earliest change in this run:
-- the pre-hook kept their rows, and their days need no new count
kept_units as (
    select
        kept_rows.account_id,
        coalesce(kept_rows.counted_user_id, '') as counted_user_key,
        kept_rows.event_name
    from {{ this }} as kept_rows
    where {{ activation_in_event_scope('kept_rows.account_id') }}
),

{% endif %}
pending_unit_days as (
    select unit_days.*
    from unit_days
    {% if incremental %}
    left join kept_units
        on unit_days.account_id = kept_units.account_id
            and unit_days.event_name = kept_units.event_name
            and coalesce(unit_days.counted_user_id, '') = kept_units.counted_user_key
    where kept_units.account_id is null
    {% endif %}
),

counted_days as (
    select
        *,
        sum(n_events) over (
            partition by account_id, counted_user_id, event_name, min_count
            order by event_date
            rows between unbounded preceding and current row
        ) as n_events_through_day
    from pending_unit_days
),

-- the day each unit reaches min_count, and the rank of the min_count-th event within that day
reaching_days as (
    select
        account_id,
        counted_user_id,
        event_name,
        event_date,
        first_event_at,
        min_count - (n_events_through_day - n_events) as rank_within_day
    from counted_days
    where n_events_through_day >= min_count and n_events_through_day - n_events < min_count
),

-- per customer user, condition event and day: the users whose events the units count
customer_user_days as (
    select distinct
        account_id,
        user_id,
        event_name,
        event_date
    from daily
),

-- the events of a reaching day whose min_count-th event is not its first: the unit's
-- customer users' clean events of that day (the rollup holds only included events, so
-- those users' rows name exactly the events counted)
reaching_day_events as (
    select
        reaching_days.account_id,
        reaching_days.counted_user_id,
        reaching_days.event_name,
        reaching_days.rank_within_day,
        events.event_at,
        row_number() over (
            partition by reaching_days.account_id, reaching_days.counted_user_id, reaching_days.event_name
            order by events.event_at, events.event_id
        ) as event_number
    from reaching_days
    inner join customer_user_days
        on reaching_days.account_id = customer_user_days.account_id
            and reaching_days.event_name = customer_user_days.event_name
            and reaching_days.event_date = customer_user_days.event_date
            and (
                reaching_days.counted_user_id is null
                or reaching_days.counted_user_id = customer_user_days.user_id
            )
    inner join events
        on customer_user_days.account_id = events.account_id
            and customer_user_days.user_id = events.user_id
            and customer_user_days.event_name = events.event_name
            and customer_user_days.event_date = cast(events.event_at as date)
    where reaching_days.rank_within_day > 1
),

conditions_met as (
    select
        account_id,
        counted_user_id,
        event_name,
        first_event_at as condition_met_at
    from reaching_days
    where rank_within_day = 1
    union all
    select
        account_id,
        counted_user_id,
        event_name,
        event_at as condition_met_at
    from reaching_day_events
    where event_number = rank_within_day
),

final as (
    select * from conditions_met
)

select * from final
