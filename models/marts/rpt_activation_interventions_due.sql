{#-
    The intervention queue a customer-success tool imports (SPEC section 6): one row per
    (account_id, campaign) due as of as_of_date. The activation_playbook seed applied to the
    account conditions of int_account_conditions_evaluated: a campaign is due when its condition
    holds, signup_date + day_offset <= as_of_date <= signup_date + max_day_offset (blank = no
    end) and no intervention of that campaign was ever sent to the account (sent_at <
    as_of_end, any channel or user). due_date = the condition's own due date, else signup_date
    + day_offset.
-#}

with

conditions as (
    select * from {{ ref('int_account_conditions_evaluated') }}
),

playbook as (
    select * from {{ ref('activation_playbook') }}
),

sent_campaigns as (
    select distinct
        account_id,
        campaign
    from {{ ref('stg_product__interventions') }}
    where sent_at < {{ activation_as_of_end() }}
),

final as (
    select
        conditions.account_id,
        playbook.campaign,
        conditions.reason,
        conditions.days_since_signup,
        coalesce(
            conditions.condition_due_date,
            cast({{ dbt.dateadd('day', 'playbook.day_offset', 'conditions.signup_date') }} as date)
        ) as due_date
    from conditions
    inner join playbook
        on conditions.condition_name = playbook.condition
    left join sent_campaigns
        on
            conditions.account_id = sent_campaigns.account_id
            and playbook.campaign = sent_campaigns.campaign
    where
        sent_campaigns.account_id is null
        and conditions.days_since_signup >= playbook.day_offset
        and (playbook.max_day_offset is null or conditions.days_since_signup <= playbook.max_day_offset)
)

select * from final
