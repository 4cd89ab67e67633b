-- The per-account adoption summary (joined by fct_account_activation) and the daily TAR table
-- agree on as_of_date: the same seats, active seats, TAR and health band.

with

summary as (
    select
        account_id,
        tar_health,
        licensed_seats,
        active_seats_30d,
        tar
    from {{ ref('int_accounts_adoption_summarized') }}
),

tar_daily as (
    select
        account_id,
        tar_health,
        licensed_seats,
        active_seats_30d,
        tar
    from {{ ref('fct_account_tar_daily') }}
    where metric_date = {{ activation_as_of_date() }}
),

summary_only as (
    select * from summary
    except
    select * from tar_daily
),

tar_daily_only as (
    select * from tar_daily
    except
    select * from summary
),

final as (
    select
        'only_in_summary' as side,
        account_id,
        tar_health,
        licensed_seats,
        active_seats_30d,
        tar
    from summary_only
    union all
    select
        'only_in_tar_daily' as side,
        account_id,
        tar_health,
        licensed_seats,
        active_seats_30d,
        tar
    from tar_daily_only
)

select * from final
