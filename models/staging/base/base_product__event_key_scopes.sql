{#-
    The run scope of the event deduplication: the event_ids whose winner this run re-decides,
    found once, before base_product__events_deduplicated runs, from the raw rows in the load
    hours not yet processed (macros/incremental/manifest.sql):
      * an event_id with a copy there (a new, late or backfilled copy, a held row whose time
        came);
      * every event_id of an account or user changed there (an event's validity depends on
        its account's signup and its user's account): its winning copy is new or has another
        content (activation_changed_keys; a row delivered again as it was changes nothing).
    The deduplication re-ranks every raw copy of these keys and replaces their rows (rows
    without an event_id are keyed by their content there). The table stays after the run as
    its record: the deduplication's constraints_hold test (its primary key and row rules) checks
    only these keys on a run that built it incrementally (macros/tests/run_scope_tests.sql).

    "Not yet processed" means by the deduplication or by any incremental model downstream of it
    (activation_event_key_scope_models). A failed test of the deduplication skips those
    models, so the hours of the failed run stay unprocessed for them and the next run
    re-decides the same keys: what the test found is replaced, and checked again. Empty when
    none of them has a manifest entry (they rebuild in full then).
-#}
{{ config(materialized='table') }}
-- depends_on: {{ ref('base_product__loads') }}
{%- set consumers = activation_event_key_scope_models() %}

with

events as (
    select
        event_id,
        account_id,
        user_id,
        _loaded_at
    from {{ ref('base_product__events') }}
    where not is_held and event_id is not null
),

-- the accounts and users whose winning copy changed (activation_changed_keys: a copy
-- delivered again as it was changes nothing)
changed_accounts as (
    select changed.changed_key as account_id
    from (
        {{ activation_changed_keys(ref('base_product__accounts'), 'accounts', 'account_id', models=consumers) }}
    ) as changed
),

changed_users as (
    select changed.changed_key as user_id
    from (
        {{ activation_changed_keys(ref('base_product__users'), 'users', 'user_id', models=consumers) }}
    ) as changed
),

scoped_events as (
    select event_id
    from events
    where
        {{ activation_loaded_in_scope('events', models=consumers) }}
        or account_id in (select changed_accounts.account_id from changed_accounts)
        or user_id in (select changed_users.user_id from changed_users)
),

final as (
    select distinct event_id
    from scoped_events
    {%- if flags.FULL_REFRESH %}
    -- a --full-refresh rebuilds the deduplication whole: nothing to scope
    where 1 = 0
    {%- endif %}
)

select * from final
