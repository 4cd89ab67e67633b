-- Every queued intervention is inside its campaign's day window
-- (signup_date + day_offset <= as_of_date <= signup_date + max_day_offset, blank = no end),
-- names a playbook campaign, and is never due before it could be. Its due_date is at most
-- as_of_date, or as_of_date + 1 for a seat_assignment_reminder: an increase at exactly midnight
-- 13 days before as_of_date is over 14 days unassigned at as_of_end, and due on its 14th day.

with

queue as (
    select * from {{ ref('rpt_activation_interventions_due') }}
),

accounts as (
    select
        account_id,
        signup_date
    from {{ ref('int_accounts_enriched') }}
),

playbook as (
    select * from {{ ref('activation_playbook') }}
),

final as (
    select
        queue.account_id,
        queue.campaign,
        queue.due_date,
        accounts.signup_date,
        playbook.day_offset,
        playbook.max_day_offset
    from queue
    left join accounts
        on queue.account_id = accounts.account_id
    left join playbook
        on queue.campaign = playbook.campaign
    where
        accounts.account_id is null
        or playbook.campaign is null
        or {{ dbt.dateadd('day', 'playbook.day_offset', 'accounts.signup_date') }} > {{ activation_as_of_date() }}
        or (
            playbook.max_day_offset is not null
            and {{ dbt.dateadd('day', 'playbook.max_day_offset', 'accounts.signup_date') }}
            < {{ activation_as_of_date() }}
        )
        or queue.due_date < accounts.signup_date
        or (
            queue.due_date > {{ activation_as_of_date() }}
            and not (
                queue.campaign = 'seat_assignment_reminder'
                and queue.due_date = {{ dbt.dateadd('day', 1, activation_as_of_date()) }}
            )
        )
        or queue.days_since_signup != {{ dbt.datediff('accounts.signup_date', activation_as_of_date(), 'day') }}
)

select * from final
