-- Every queued intervention is inside its campaign's day window
-- (signup_date + day_offset <= as_of_date <= signup_date + max_day_offset, blank = no end),
-- names a playbook campaign, and is never due before it could be.

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
        or queue.due_date > {{ activation_as_of_date() }}
        or queue.days_since_signup != {{ dbt.datediff('accounts.signup_date', activation_as_of_date(), 'day') }}
)

select * from final
