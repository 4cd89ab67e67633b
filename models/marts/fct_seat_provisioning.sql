-- One row per subscription change that raises the seats in force, with when the new seat count
-- was first fully assigned (SPEC section 5). The logic lives in int_seat_increases_evaluated,
-- which the intervention queue's seat reminder reads too.

with

seat_increases as (
    select * from {{ ref('int_seat_increases_evaluated') }}
),

final as (
    select
        subscription_change_id,
        account_id,
        licensed_seats,
        seats_added,
        days_to_full_assignment,
        is_unassigned_over_14d,
        license_change_at,
        fully_assigned_at
    from seat_increases
)

select * from final
