{#-
    Distinct users active in a trailing window [D - window_days + 1, D], for every date D,
    without a self-join over the window. Each active (user, date) a covers the dates
    [a, a + window_days); consecutive active dates of a user overlap, so the coverage of a is cut
    at the user's next active date n. The cut intervals of one user never overlap, so +1 at each
    start and -1 at each end, summed cumulatively over dates, counts distinct users per date.

    `user_days` is a relation or CTE with one row per (account_id, user_id, activity_date).
    Returns a select of (account_id, change_date, user_delta); callers sum user_delta over
    change_date <= D.
-#}
{% macro activation_user_window_deltas(user_days, window_days) -%}
    with

    sequenced as (
        select
            account_id,
            user_id,
            activity_date,
            lead(activity_date) over (partition by account_id, user_id order by activity_date) as next_activity_date
        from {{ user_days }}
    ),

    intervals as (
        select
            account_id,
            activity_date as starts_on,
            case
                when next_activity_date is not null
                    and next_activity_date < {{ dbt.dateadd('day', window_days, 'activity_date') }}
                    then next_activity_date
                else cast({{ dbt.dateadd('day', window_days, 'activity_date') }} as date)
            end as ends_before
        from sequenced
    ),

    deltas as (
        select account_id, starts_on as change_date, 1 as user_delta from intervals
        union all
        select account_id, ends_before as change_date, -1 as user_delta from intervals
    )

    select account_id, change_date, sum(user_delta) as user_delta
    from deltas
    group by account_id, change_date
{%- endmacro %}
