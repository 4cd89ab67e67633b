{#-
    Time to first value vs 90-day retention per vertical: the split rpt_activation_retention
    does not make (it has the all-verticals ttfv_bucket rows). Over accounts matured 90 days,
    the 90-day churn rate of each account TTFV bucket (fct_account_activation.ttfv_bucket) per
    vertical, and its churn relative to the vertical's fastest bucket with accounts, so that
    "every hour to first value costs X points of churn" can be read per vertical: the ttfv
    targets in category_benchmarks differ by vertical (5 minutes for collaboration, a day for
    analytics).
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
        ttfv_bucket,
        is_ttfv_on_target
    from {{ ref('fct_account_activation') }}
),

buckets as (
    select
        retention.vertical,
        activation.ttfv_bucket,
        {{ activation_ttfv_bucket_order('activation.ttfv_bucket') }} as bucket_order,
        count(*) as accounts,  -- noqa: RF04
        sum(case when retention.is_retained_90d then 0 else 1 end) as churned_90d,
        avg(case when retention.is_retained_90d then 0.0 else 1.0 end) as churn_rate_90d,
        avg(case when activation.is_ttfv_on_target then 1.0 else 0.0 end) as share_on_ttfv_target
    from retention
    inner join activation
        on retention.account_id = activation.account_id
    group by retention.vertical, activation.ttfv_bucket
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
