-- The queue never holds a campaign already sent to the account before as_of_end, nor any row
-- for an account whose subscription in force at as_of_end is canceled.

with

queue as (
    select
        account_id,
        campaign
    from {{ ref('rpt_activation_interventions_due') }}
),

sent as (
    select distinct
        account_id,
        campaign
    from {{ ref('stg_product__interventions') }}
    where sent_at < {{ activation_as_of_end() }}
),

canceled as (
    select account_id
    from {{ ref('int_subscription_changes_sequenced') }}
    where is_in_force_at_as_of_end and status = 'canceled'
),

final as (
    select
        queue.account_id,
        queue.campaign,
        'already_sent' as violation
    from queue
    inner join sent
        on queue.account_id = sent.account_id
            and queue.campaign = sent.campaign

    union all

    select
        queue.account_id,
        queue.campaign,
        'canceled_account' as violation
    from queue
    inner join canceled
        on queue.account_id = canceled.account_id
)

select * from final
