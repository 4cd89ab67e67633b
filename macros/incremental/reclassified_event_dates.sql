{#-
    The (account_id, event_date) pairs whose events changed in int_events_classified after
    `since` (a scalar SQL expression, usually activation_incremental_watermark('_checked_at')):
    the pair each re-classified event key has now and the pair it had before (a key can move to
    another date or account, or drop out), so a rollup that recomputes these pairs from the
    event grain matches a full rebuild.

    A key re-classified twice since `since` hides the pair it had before the first time; the
    rollup cannot know it and so recomputes every pair (the fallback happens only when a run
    stopped between int_events_classified and the rollup, and a later run re-classified the same
    keys again).
-#}
{% macro activation_reclassified_event_dates(classified, since) -%}
    select
        account_id,
        event_date
    from {{ classified }}
    where _checked_at > {{ since }} and event_date is not null
    union
    select
        _replaced_account_id as account_id,
        _replaced_event_date as event_date
    from {{ classified }}
    where _checked_at > {{ since }} and _replaced_event_date is not null
    union
    select
        account_id,
        event_date
    from {{ classified }}
    where
        event_date is not null
        and exists (
            select 1 from {{ classified }} as twice
            where twice._checked_at > {{ since }} and twice._replaced_checked_at > {{ since }}
        )
{%- endmacro %}
