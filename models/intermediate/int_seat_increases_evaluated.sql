-- One row per subscription change that raises the seats in force above the previous change's
-- (the first change counts from 0 seats; a canceled change counts as 0, so a reactivation is an
-- increase), with when the new seat count was first fully assigned (SPEC section 5).
-- Held assignments only rise at an assigned_at, so the first instant with enough seats held is
-- either the change itself or one of the account's assigned_at inside the change's window.

with

subscription_changes as (
    select * from {{ ref('int_subscription_changes_sequenced') }}
),

seat_assignments as (
    select
        account_id,
        seat_assignment_id,
        assigned_at,
        unassigned_at
    from {{ ref('stg_product__seat_assignments') }}
    where assigned_at < {{ activation_as_of_end() }}
),

seat_increases as (
    select
        subscription_change_id,
        account_id,
        effective_seats as licensed_seats,
        effective_seats - previous_effective_seats as seats_added,
        changed_at as license_change_at,
        case
            when next_changed_at is not null and next_changed_at < {{ activation_as_of_end() }}
                then next_changed_at
            else {{ activation_as_of_end() }}
        end as window_end_at
    from subscription_changes
    where effective_seats > previous_effective_seats
),

candidate_instants as (
    select
        subscription_change_id,
        license_change_at as candidate_at
    from seat_increases
    union
    select
        seat_increases.subscription_change_id,
        seat_assignments.assigned_at as candidate_at
    from seat_increases
    inner join seat_assignments
        on seat_increases.account_id = seat_assignments.account_id
            and seat_increases.license_change_at < seat_assignments.assigned_at
            and seat_increases.window_end_at > seat_assignments.assigned_at
),

held_at_candidates as (
    select
        candidate_instants.subscription_change_id,
        candidate_instants.candidate_at,
        count(seat_assignments.seat_assignment_id) as seats_held
    from candidate_instants
    inner join seat_increases
        on candidate_instants.subscription_change_id = seat_increases.subscription_change_id
    left join seat_assignments
        on seat_increases.account_id = seat_assignments.account_id
            and candidate_instants.candidate_at >= seat_assignments.assigned_at
            and (
                seat_assignments.unassigned_at is null
                or candidate_instants.candidate_at < seat_assignments.unassigned_at
            )
    where candidate_instants.candidate_at < seat_increases.window_end_at
    group by candidate_instants.subscription_change_id, candidate_instants.candidate_at
),

fully_assigned as (
    select
        held_at_candidates.subscription_change_id,
        min(held_at_candidates.candidate_at) as fully_assigned_at
    from held_at_candidates
    inner join seat_increases
        on held_at_candidates.subscription_change_id = seat_increases.subscription_change_id
    where held_at_candidates.seats_held >= seat_increases.licensed_seats
    group by held_at_candidates.subscription_change_id
),

final as (
    select
        seat_increases.subscription_change_id,
        seat_increases.account_id,
        seat_increases.licensed_seats,
        seat_increases.seats_added,
        cast(
            {{ activation_minutes_between('seat_increases.license_change_at', 'fully_assigned.fully_assigned_at') }}
            / 1440 as {{ activation_type_double() }}
        ) as days_to_full_assignment,
        {{ dbt.dateadd('day', 14, 'seat_increases.license_change_at') }} <= {{ activation_as_of_end() }}
        and (
            fully_assigned.fully_assigned_at is null
            or fully_assigned.fully_assigned_at > {{ dbt.dateadd('day', 14, 'seat_increases.license_change_at') }}
        ) as is_unassigned_over_14d,
        seat_increases.license_change_at,
        fully_assigned.fully_assigned_at
    from seat_increases
    left join fully_assigned
        on seat_increases.subscription_change_id = fully_assigned.subscription_change_id
)

select * from final
