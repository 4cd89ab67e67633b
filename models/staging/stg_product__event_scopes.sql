{#-
    The run scope of the event models: what changed in the raw layer since the models that read
    this table last processed it, as the accounts to recompute whole (event_date null) and the
    (account_id, event_date) pairs to recompute. Built once per run, before any of them; each of
    them removes its rows in scope and inserts them recomputed (macros/incremental/manifest.sql),
    so a key that moved to another date or account, or dropped out, leaves nothing stale.

    Found from the raw rows alone, in the load hours not processed by every consumer:
      * an event key with a copy there: the pair of every raw copy of that key (the previous
        winner was one of them, so its old pair is covered as well as the new one);
      * a user changed there: the pair of every raw event of that user (customer status,
        validity);
      * an account changed there: the whole account (signup, test flag, vertical, validity);
      * an intervention changed there: for every version of it, the pairs of the
        dates its prompt window touches (the only events whose is_prompted it can change:
        event_at in [sent_at, sent_at + activation__prompt_window_hours));
      * a subscription change changed there, for the consumers that read subscriptions (their
        activation_sources; the TAR of int_account_days_tar_computed): for every version of
        that subscription change, the pair of its change date. The seats it puts in force
        change the TAR from that date on, and the account-day models recompute every date of
        an account from its earliest pair (macros/incremental/account_days.sql).
    "Changed" (activation_changed_keys): the key's winning copy is new, or has another content
    than the winner among the copies a consumer had processed (consumers left behind by a
    partial selection or a failure are compared with what each of them saw). A row delivered
    again as it was (a nightly full snapshot appended by the extract-load tool) changes nothing.
    A consumer without a manifest entry rebuilds in full and is left out; rows removed or
    rewritten in raw rebuild the consumers in full too, so only additions reach this scope.

    A pair, not the whole account, wherever the change has a date: an intervention or a
    seat change on an account with a long history re-reads its few days, not every event of the
    account (at the large preset a night's interventions and seat changes touch 1.6k accounts).
-#}
{{ config(materialized='table') }}
-- depends_on: {{ ref('base_product__loads') }}
{%- set consumers = activation_incremental_children() %}
{%- set subscription_consumers = activation_incremental_children('subscriptions') %}

with

events as {{ activation_not_materialized() }} (
    select * from {{ ref('base_product__events') }}
    where not is_held
),

accounts as (
    select * from {{ ref('base_product__accounts') }}
    where not is_held
),

interventions as (
    select * from {{ ref('base_product__interventions') }}
    where not is_held
),

subscriptions as (
    select * from {{ ref('base_product__subscriptions') }}
    where not is_held
),

clean_accounts as (
    select
        account_id,
        created_at as signup_at
    from accounts
    where row_status = 'clean'
),

-- the keys whose winning copy changed (activation_changed_keys: a copy delivered again as it
-- was changes nothing)
changed_interventions as (
    select changed.changed_key as intervention_id
    from (
        {{ activation_changed_keys(ref('base_product__interventions'), 'interventions', 'intervention_id',
                                   models=consumers) }}
    ) as changed
),

changed_subscriptions as (
    select changed.changed_key as subscription_change_id
    from (
        {{ activation_changed_keys(ref('base_product__subscriptions'), 'subscriptions', 'subscription_change_id',
                                   models=subscription_consumers) }}
    ) as changed
),

whole_accounts as (
    select changed.changed_key as account_id
    from (
        {{ activation_changed_keys(ref('base_product__accounts'), 'accounts', 'account_id', models=consumers) }}
    ) as changed
),

-- the days an intervention's prompt window can reach past the date it was sent (a window of
-- 24 hours reaches the next date)
{%- set window_days = (activation_prompt_window_seconds() / 86400) | round(0, 'ceil') | int %}
window_day_offsets as (
    {%- for offset in range(window_days + 1) %}
    select {{ offset }} as day_offset
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- every version of a changed intervention: the dates of its prompt window
intervention_pairs as (
    select
        interventions.account_id,
        cast(
            {{ dbt.dateadd('day', 'window_day_offsets.day_offset', 'cast(interventions.sent_at as date)') }}
            as date
        ) as event_date
    from interventions
    cross join window_day_offsets
    where
        interventions.intervention_id in (
            select changed_interventions.intervention_id from changed_interventions
        )
        and interventions.sent_at is not null
        and {{ dbt.dateadd('day', 'window_day_offsets.day_offset', 'cast(interventions.sent_at as date)') }}
        <= cast({{ dbt.dateadd('second', activation_prompt_window_seconds(), 'interventions.sent_at') }} as date)
),

-- every version of a changed subscription change: the date its seats take effect
subscription_pairs as (
    select
        account_id,
        cast(changed_at as date) as event_date
    from subscriptions
    where
        subscription_change_id in (
            select changed_subscriptions.subscription_change_id from changed_subscriptions
        )
        and changed_at is not null
),

changed_event_ids as (
    select event_id
    from events
    where event_id is not null and {{ activation_loaded_in_scope('events', models=consumers) }}
),

changed_users as (
    select changed.changed_key as user_id
    from (
        {{ activation_changed_keys(ref('base_product__users'), 'users', 'user_id', models=consumers) }}
    ) as changed
),

changed_event_copies as (
    select
        account_id,
        occurred_at
    from events
    where
        event_id in (select changed_event_ids.event_id from changed_event_ids)
        or user_id in (select changed_users.user_id from changed_users)
),

-- the date a clean copy of the event would have (occurred_at, clamped up to signup_at)
changed_pairs as (
    select distinct
        changed_event_copies.account_id,
        cast(
            case
                when changed_event_copies.occurred_at < clean_accounts.signup_at then clean_accounts.signup_at
                else changed_event_copies.occurred_at
            end as date
        ) as event_date
    from changed_event_copies
    inner join clean_accounts
        on changed_event_copies.account_id = clean_accounts.account_id
    where changed_event_copies.occurred_at is not null
),

final as (
    select
        account_id,
        cast(null as date) as event_date
    from whole_accounts
    where account_id is not null
    union all
    select distinct
        account_id,
        event_date
    from (
        select
            account_id,
            event_date
        from changed_pairs
        union all
        select
            account_id,
            event_date
        from intervention_pairs
        union all
        select
            account_id,
            event_date
        from subscription_pairs
    ) as pairs
    where
        account_id is not null
        and account_id not in (
            select whole_accounts.account_id from whole_accounts
            where whole_accounts.account_id is not null
        )
)

select * from final
