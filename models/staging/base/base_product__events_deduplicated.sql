{#-
    One row per event key: the winning copy of each event_id (earliest received_at, then
    earliest _loaded_at, then a total order on the remaining columns, so the winner never
    depends on arrival order), checked against SPEC section 3 and the clean accounts and users.
    A row without an event_id is keyed by its content (every column but _loaded_at), so an
    identical keyless row delivered twice is a duplicate, not a second reject. Held rows
    (_loaded_at after this run started) take no part until their time comes. Rejected rows stay
    here with their reason (dq_rejected_rows reads them); clean rows get event_at (clamped to
    signup_at when up to one day before signup).

    Incremental (macros/incremental/manifest.sql): each run re-decides the event keys of its run
    scope, base_product__event_key_scopes: every key with a copy in a load hour this model (or
    an incremental model downstream, after a failed test of this model) has not processed (new rows, late
    rows, backfills with an old _loaded_at, held rows whose time came), and every event of an
    account or user with a row in such a load hour (validity depends on them); and every row
    without an event_id whose content landed there. The winner is always chosen among all raw
    copies of a key, so a late copy that should win replaces an earlier winner exactly as a
    full refresh would. Rows removed or rewritten in raw, or a changed configuration, rebuild
    it in full.
-#}
{{
    config(
        materialized=activation_incremental_materialization(),
        unique_key='event_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        activation_sources=['events', 'accounts', 'users'],
        pre_hook="{{ activation_incremental_pre_hook() }}",
        post_hook="{{ activation_advance_manifest() }}",
    )
}}
-- depends_on: {{ ref('base_product__loads') }}
-- depends_on: {{ ref('base_product__event_key_scopes') }}
{%- set incremental = activation_is_incremental() %}

with

raw_events as {{ activation_not_materialized() }} (
    select
        event_id,
        account_id,
        user_id,
        event_name,
        properties,
        occurred_at,
        received_at,
        _loaded_at
    from {{ ref('base_product__events') }}
    where not is_held
),

-- a row without an event_id is identified by its content: every column but _loaded_at
raw_keyless_events as (
    select
        *,
        {{ activation_json_object(['event_id', 'account_id', 'user_id', 'event_name',
                                   'occurred_at', 'received_at', 'properties']) }} as row_content_json
    from raw_events
    where event_id is null
),

accounts as (
    select
        account_id,
        created_at as signup_at
    from {{ ref('base_product__accounts') }}
    where not is_held and row_status = 'clean'
),

users as (
    select
        user_id,
        account_id
    from {{ ref('base_product__users') }}
    where not is_held and row_status = 'clean'
),

{% if incremental %}

key_scopes as (
    select event_id from {{ ref('base_product__event_key_scopes') }}
),

-- every raw copy of the keys this run re-decides
keyed_candidates as (
    select * from raw_events
    where event_id in (select key_scopes.event_id from key_scopes)
),

landed_keyless_contents as (
    select landed.row_content_json
    from raw_keyless_events as landed
    where {{ activation_loaded_in_scope('events', 'landed._loaded_at', models=activation_event_key_scope_models()) }}
),

-- every copy of a keyless row that landed again, so its earliest copy stays the one kept
keyless_candidates as (
    select * from raw_keyless_events
    where
        row_content_json in (
            select landed_keyless_contents.row_content_json from landed_keyless_contents
        )
),

{% else %}

keyed_candidates as (
    select * from raw_events
    where event_id is not null
),

keyless_candidates as (
    select * from raw_keyless_events
),

{% endif %}

-- most event_ids arrive once: only ids with several copies need ranking (a sort), the rest
-- pass straight through
duplicated_event_ids as (
    select event_id
    from keyed_candidates
    group by event_id
    having count(*) > 1
),

single_copies as (
    select * from keyed_candidates
    where event_id not in (select duplicated_event_ids.event_id from duplicated_event_ids)
),

ranked_copies as (
    select
        *,
        row_number() over (
            partition by event_id
            order by
                received_at asc nulls last, _loaded_at asc nulls last,
                -- nulls placed explicitly: engines differ by default (Spark puts them first)
                occurred_at asc nulls last, account_id asc nulls last, user_id asc nulls last,
                event_name asc nulls last, properties asc nulls last
        ) as copy_rank
    from keyed_candidates
    where event_id in (select duplicated_event_ids.event_id from duplicated_event_ids)
),

ranked_keyless_copies as (
    select
        *,
        row_number() over (
            partition by row_content_json
            order by received_at asc nulls last, _loaded_at asc nulls last
        ) as copy_rank
    from keyless_candidates
),

winning_copies as (
    select * from single_copies
    union all
    select
        event_id,
        account_id,
        user_id,
        event_name,
        properties,
        occurred_at,
        received_at,
        _loaded_at
    from ranked_copies
    where copy_rank = 1
),

winners as (
    select
        event_id as event_key,
        event_id,
        account_id,
        user_id,
        event_name,
        properties,
        occurred_at,
        received_at,
        _loaded_at
    from winning_copies
    union all
    -- a keyless row is keyed by its content; later identical copies are duplicates
    select
        'missing_event_id:' || {{ dbt.hash('row_content_json') }} as event_key,
        event_id,
        account_id,
        user_id,
        event_name,
        properties,
        occurred_at,
        received_at,
        _loaded_at
    from ranked_keyless_copies
    where copy_rank = 1
),

checked as (
    select
        winners.*,
        accounts.signup_at,
        case
            when winners.event_id is null then 'missing_event_id'
            when winners.occurred_at is null then 'missing_occurred_at'
            when accounts.account_id is null then 'unknown_account'
            when winners.user_id is not null and users.user_id is null then 'user_account_mismatch'
            when winners.occurred_at > {{ dbt.dateadd('day', 1, 'winners.received_at') }} then 'future_timestamp'
            when winners.occurred_at < {{ dbt.dateadd('day', -1, 'accounts.signup_at') }} then 'before_signup'
            when winners.properties is not null and not {{ activation_is_json_object('winners.properties') }}
                then 'malformed_properties'
            -- after the SPEC's reasons, as for the other tables: an event without a name is no
            -- action at all, and every model after this one keys on it
            when winners.event_name is null then 'missing_required_value'
        end as dq_reason
    from winners
    left join accounts
        on winners.account_id = accounts.account_id
    left join users
        on winners.user_id = users.user_id
            and winners.account_id = users.account_id
),

final as (
    select
        event_key,
        account_id,
        user_id,
        event_name,
        properties,
        dq_reason,
        case
            when dq_reason is not null
                then {{ activation_json_object(['event_id', 'account_id', 'user_id', 'event_name',
                                                'occurred_at', 'received_at', 'properties', '_loaded_at']) }}
        end as raw_row_json,
        occurred_at,
        received_at,
        case
            when dq_reason is null
                then case when occurred_at < signup_at then signup_at else occurred_at end
        end as event_at,
        _loaded_at
    from checked
)

select * from final
