-- Clean interventions: the winning copy of each intervention that passed every check.

with

interventions as (
    select * from {{ ref('base_product__interventions') }}
    where row_status = 'clean'
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
