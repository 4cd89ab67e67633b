{#-
    Team activation rate per account and date, from signup_date to as_of_date (SPEC section 5),
    as computed by int_account_days_tar_computed, an incremental table kept equal to a full
    rebuild by the run-scope mechanism. A view: publishing it costs nothing per run, and the
    enforced contract still fixes its columns and types (the not-null constraints live on the
    table it reads).
-#}
{{ config(materialized='view') }}

with

tar_days as (
    select * from {{ ref('int_account_days_tar_computed') }}
),

final as (
    select
        account_id,
        tar_health,
        licensed_seats,
        active_seats_30d,
        tar,
        is_tar_drop_alert,
        metric_date
    from tar_days
)

select * from final
