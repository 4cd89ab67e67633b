{#-
    Time to first value vs 90-day retention, per vertical (and `all`). Over accounts matured 90
    days, the 90-day churn rate of each account TTFV bucket (the fct_user_ttfv buckets applied to
    fct_account_activation.ttfv_minutes; no_value_yet = no value action before as_of_end), and
    its churn relative to the vertical's fastest bucket with accounts, so that "every hour to
    first value costs X points of churn" can be read per vertical: the ttfv targets in
    category_benchmarks differ by vertical (5 minutes for collaboration, a day for analytics).
    rpt_activation_retention has the all-verticals version with a reached / not-reached split.
-#}

with

retention as (
    select
        account_id,
        vertical,
        is_retained_90d
    from {{ ref('fct_account_retention') }}
    where is_retained_90d is not null
),

activation as (
    select
        account_id,
        ttfv_minutes,
        is_ttfv_on_target
    from {{ ref('fct_account_activation') }}
),

bucketed as (
    select
        retention.account_id,
        retention.vertical,
        not retention.is_retained_90d as is_churned_90d,
        activation.is_ttfv_on_target,
        {{ activation_ttfv_bucket('activation.ttfv_minutes') }} as ttfv_bucket,
        case
            when activation.ttfv_minutes is null then 6
            when activation.ttfv_minutes <= 10 then 1
            when activation.ttfv_minutes <= 60 then 2
            when activation.ttfv_minutes <= 1440 then 3
            when activation.ttfv_minutes <= 10080 then 4
            else 5
        end as bucket_order
    from retention
    inner join activation
        on retention.account_id = activation.account_id
),

all_verticals as (
    select * from bucketed
    union all
    select
        account_id,
        'all' as vertical,
        is_churned_90d,
        is_ttfv_on_target,
        ttfv_bucket,
        bucket_order
    from bucketed
),

buckets as (
    select
        vertical,
        ttfv_bucket,
        bucket_order,
        count(*) as accounts,  -- noqa: RF04
        sum(case when is_churned_90d then 1 else 0 end) as churned_90d,
        avg(case when is_churned_90d then 1.0 else 0.0 end) as churn_rate_90d,
        avg(case when is_ttfv_on_target then 1.0 else 0.0 end) as share_on_ttfv_target
    from all_verticals
    group by vertical, ttfv_bucket, bucket_order
),

final as (
    select
        *,
        churn_rate_90d / nullif(
            first_value(churn_rate_90d) over (partition by vertical order by bucket_order), 0
        ) as churn_relative_to_fastest_bucket
    from buckets
)

select * from final
order by vertical, bucket_order
