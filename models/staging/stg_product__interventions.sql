-- Clean interventions: the winning copy of each intervention that passed every check.

with

interventions as (
    select * from {{ ref('base_product__interventions') }}
    where copy_rank = 1 and dq_reason is null
),

final as (
    select
        intervention_id,
        account_id,
        user_id,
        channel,
        campaign,
        sent_at,
        _loaded_at
    from interventions
)

select * from final
