{#-
    One row per event key: the winning copy of each event_id (earliest received_at, then
    earliest _loaded_at, then a total order on the remaining columns, so the winner never
    depends on arrival order), checked against SPEC section 3. Rows with a null event_id are
    each their own key. Rejected rows stay here with their reason (dq_rejected_rows reads them);
    clean rows get event_at (clamped to signup_at when up to one day before signup).

    Incremental: each run re-decides every event key that could have changed, i.e. keys with a
    copy loaded since the last run, and every event of an account or user whose row was
    (re)loaded since then (validity depends on them). "Since" is the newest _loaded_at already
    processed minus activation__incremental_lookback_hours, to absorb skew between syncs. The
    winner is always chosen among all raw copies of a key, so a late copy that should win
    replaces an earlier winner exactly as a full refresh would.
-#}
-- depends_on: {{ ref('base_product__accounts') }}
-- depends_on: {{ ref('base_product__users') }}
{{
    config(
        materialized='incremental',
        unique_key='event_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

raw_events as (
    select * from {{ ref('base_product__events') }}
),

accounts as (
    select
        account_id,
        signup_at
    from {{ ref('stg_product__accounts') }}
),

users as (
    select
        user_id,
        account_id
    from {{ ref('stg_product__users') }}
),


{% if is_incremental() %}

reprocess_window as (
    select
        {{ activation_incremental_watermark(
            '_loaded_at', var('activation__incremental_lookback_hours')
        ) }} as reprocess_after
),

changed_accounts as (
    select account_id
    from {{ ref('base_product__accounts') }}
    where _loaded_at > (select reprocess_window.reprocess_after from reprocess_window)
),

changed_users as (
    select user_id
    from {{ ref('base_product__users') }}
    where _loaded_at > (select reprocess_window.reprocess_after from reprocess_window)
),

touched_event_ids as (
    select distinct event_id
    from raw_events
    where
        event_id is not null
        and (
            _loaded_at > (select reprocess_window.reprocess_after from reprocess_window)
            or account_id in (select changed_accounts.account_id from changed_accounts)
            or user_id in (select changed_users.user_id from changed_users)
        )
),

candidates as (
    select * from raw_events
    where event_id in (select touched_event_ids.event_id from touched_event_ids)
    union all
    select * from raw_events
    where event_id is null and _loaded_at > (select reprocess_window.reprocess_after from reprocess_window)
),

{% else %}

candidates as (
    select * from raw_events
),

{% endif %}

keyed_candidates as (
    select * from candidates
    where event_id is not null
),

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
                occurred_at asc, account_id asc, user_id asc, event_name asc, properties asc
        ) as copy_rank
    from keyed_candidates
    where event_id in (select duplicated_event_ids.event_id from duplicated_event_ids)
),

null_key_rows as (
    select
        *,
        {{ activation_json_object(['event_id', 'account_id', 'user_id', 'event_name',
                                   'occurred_at', 'received_at', 'properties', '_loaded_at']) }} as row_json
    from candidates
    where event_id is null
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
    -- identical null-key rows are told apart by their rank among identical copies
    select
        'missing_event_id:' || {{ dbt.hash('row_json') }} || ':' || cast(
            row_number() over (partition by row_json order by row_json) as {{ dbt.type_string() }}
        ) as event_key,
        event_id,
        account_id,
        user_id,
        event_name,
        properties,
        occurred_at,
        received_at,
        _loaded_at
    from null_key_rows
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
        event_id,
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
        _loaded_at,
        {{ activation_run_started_at() }} as _checked_at
    from checked
)

select * from final
