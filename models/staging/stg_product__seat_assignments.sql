-- Clean seat assignments: the winning copy of each assignment that passed every check.

with

seat_assignments as (
    select * from {{ ref('base_product__seat_assignments') }}
    where row_status = 'clean'
),

final as (
    select
        seat_assignment_id,
        account_id,
        user_id,
        assigned_at,
        unassigned_at,
        _loaded_at
    from seat_assignments
)

select * from final
