{#-
    Which early behaviour separates the accounts that stay from those that leave (issue 14): per
    vertical (and `all`) and candidate behaviour, among the accounts matured 180 days
    (fct_account_retention.is_retained_180d known), how many retained and churned accounts did
    it within activation__aha_candidate_window_days (14) days of signup, the two rates, their
    ratio (the lift) with a 95% confidence interval, and the support (support_accounts).

    Candidates, the same for every vertical: every value action of the event catalog done at
    least n times, for each n in activation__aha_candidate_min_counts, plus every aha_definitions
    condition at its own min_count (flagged where it is the vertical's own), plus the vertical's
    whole configured aha definition reached within the window (`aha_definition`, from
    fct_account_activation.aha_at).

    The interval is Katz's log method for a ratio of two proportions: exp(ln(lift) +/- 1.96 * se)
    with se = sqrt(1/a - 1/n1 + 1/c - 1/n2) (a of n1 retained, c of n2 churned accounts did
    it), rounded to 9 decimals. When a cell of the 2x2 table is 0 (a or c is 0: the lift is 0 or
    unbounded; a = n1 or c = n2: the interval collapses to a point), 0.5 is added to every cell
    (Haldane-Anscombe) for the interval only. Candidates are ranked
    per vertical by the interval's lower bound (a lift we are 95% sure of, which shrinks small
    samples), ties sharing a rank; a candidate below activation__aha_candidate_min_support
    accounts, or without an interval, keeps its row but gets no rank.
-#}

with

retention as (
    select
        account_id,
        vertical,
        is_retained_180d
    from {{ ref('fct_account_retention') }}
    where is_retained_180d is not null
),

activation as (
    select
        account_id,
        signup_at,
        aha_at
    from {{ ref('fct_account_activation') }}
),

early_actions as (
    select * from {{ ref('int_accounts_early_actions_counted') }}
),

value_actions as (
    select event_name from {{ ref('event_catalog') }}
    where is_value_action
),

aha_definitions as (
    select
        vertical,
        event_name,
        min_count
    from {{ ref('aha_definitions') }}
),

min_counts as (
    {%- for min_count in var('activation__aha_candidate_min_counts') %}
    select {{ min_count }} as min_count{% if not loop.last %}
    union all{% endif %}
    {%- endfor %}
),

-- every matured account counts in its vertical and in `all`
population_accounts as (
    select
        account_id,
        vertical,
        is_retained_180d
    from retention
    union all
    select
        account_id,
        'all' as vertical,
        is_retained_180d
    from retention
),

population as (
    select
        vertical,
        sum(case when is_retained_180d then 1 else 0 end) as retained_accounts,
        sum(case when is_retained_180d then 0 else 1 end) as churned_accounts
    from population_accounts
    group by vertical
),

-- the same behaviours for every vertical (so that verticals compare and pool): each value
-- action at each min_count, and every aha_definitions condition
event_count_behaviours as (
    select
        value_actions.event_name,
        min_counts.min_count
    from value_actions
    cross join min_counts
    union
    select
        event_name,
        min_count
    from aha_definitions
),

candidate_event_counts as (
    select
        population.vertical,
        event_count_behaviours.event_name,
        event_count_behaviours.min_count
    from population
    cross join event_count_behaviours
),

event_counts_done as (
    select
        population_accounts.vertical,
        candidate_event_counts.event_name,
        candidate_event_counts.min_count,
        sum(case when population_accounts.is_retained_180d then 1 else 0 end) as retained_did,
        sum(case when population_accounts.is_retained_180d then 0 else 1 end) as churned_did
    from population_accounts
    inner join early_actions
        on population_accounts.account_id = early_actions.account_id
    inner join candidate_event_counts
        on population_accounts.vertical = candidate_event_counts.vertical
            and early_actions.event_name = candidate_event_counts.event_name
            and early_actions.n_actions >= candidate_event_counts.min_count
    group by population_accounts.vertical, candidate_event_counts.event_name, candidate_event_counts.min_count
),

aha_reached as (
    select
        population_accounts.vertical,
        sum(case when population_accounts.is_retained_180d then 1 else 0 end) as retained_did,
        sum(case when population_accounts.is_retained_180d then 0 else 1 end) as churned_did
    from population_accounts
    inner join activation
        on population_accounts.account_id = activation.account_id
    where activation.aha_at
        <= {{ dbt.dateadd('day', var('activation__aha_candidate_window_days'), 'activation.signup_at') }}
    group by population_accounts.vertical
),

candidates as (
    select
        candidate_event_counts.vertical,
        'event_count' as candidate_type,
        candidate_event_counts.event_name,
        candidate_event_counts.min_count,
        aha_definitions.event_name is not null as is_configured_aha,
        coalesce(event_counts_done.retained_did, 0) as retained_did,
        coalesce(event_counts_done.churned_did, 0) as churned_did
    from candidate_event_counts
    left join event_counts_done
        on candidate_event_counts.vertical = event_counts_done.vertical
            and candidate_event_counts.event_name = event_counts_done.event_name
            and candidate_event_counts.min_count = event_counts_done.min_count
    left join aha_definitions
        on candidate_event_counts.vertical = aha_definitions.vertical
            and candidate_event_counts.event_name = aha_definitions.event_name
            and candidate_event_counts.min_count = aha_definitions.min_count
    union all
    select
        population.vertical,
        'aha_definition' as candidate_type,
        null as event_name,
        null as min_count,
        true as is_configured_aha,
        coalesce(aha_reached.retained_did, 0) as retained_did,
        coalesce(aha_reached.churned_did, 0) as churned_did
    from population
    left join aha_reached
        on population.vertical = aha_reached.vertical
),

rates as (
    select
        candidates.*,
        population.retained_accounts,
        population.churned_accounts,
        candidates.retained_did + candidates.churned_did as support_accounts,
        {{ activation_ratio('candidates.retained_did', 'population.retained_accounts') }} as retained_rate,
        {{ activation_ratio('candidates.churned_did', 'population.churned_accounts') }} as churned_rate,
        -- the interval needs both groups, and someone who did it
        population.retained_accounts > 0
        and population.churned_accounts > 0
        and candidates.retained_did + candidates.churned_did > 0 as has_interval,
        -- Haldane-Anscombe: half an account added to each cell of the 2x2 table when one is 0
        -- (nobody, or everybody, of a group did it)
        cast(
            case
                when
                    candidates.retained_did = 0 or candidates.churned_did = 0
                    or candidates.retained_did = population.retained_accounts
                    or candidates.churned_did = population.churned_accounts
                    then 0.5
                else 0
            end as {{ activation_type_double() }}
        ) as correction
    from candidates
    inner join population
        on candidates.vertical = population.vertical
),

log_lifts as (
    select
        *,
        case when churned_rate > 0 then retained_rate / churned_rate end as lift,
        case
            when has_interval
                then ln(
                        ((retained_did + correction) / (retained_accounts + 2 * correction))
                        / ((churned_did + correction) / (churned_accounts + 2 * correction))
                    )
        end as log_lift,
        case
            when has_interval
                then sqrt(
                        1 / (retained_did + correction) - 1 / (retained_accounts + 2 * correction)
                        + 1 / (churned_did + correction) - 1 / (churned_accounts + 2 * correction)
                    )
        end as log_lift_se
    from rates
),

intervals as (
    select
        *,
        {{ activation_round_double('exp(log_lift - 1.96 * log_lift_se)', 9) }} as lift_ci_lower,
        {{ activation_round_double('exp(log_lift + 1.96 * log_lift_se)', 9) }} as lift_ci_upper,
        support_accounts < {{ var('activation__aha_candidate_min_support') }} as is_low_support
    from log_lifts
),

ranked as (
    select
        *,
        case
            when not is_low_support and lift_ci_lower is not null
                then rank() over (
                        partition by vertical, not is_low_support and lift_ci_lower is not null
                        order by lift_ci_lower desc
                    )
        end as lift_rank
    from intervals
),

final as (
    select
        vertical,
        case
            when candidate_type = 'aha_definition' then 'aha definition reached'
            else event_name || ' >= ' || cast(min_count as {{ dbt.type_string() }})
        end as candidate,
        candidate_type,
        event_name,
        cast(min_count as {{ dbt.type_bigint() }}) as min_count,
        is_configured_aha,
        cast(retained_accounts as {{ dbt.type_bigint() }}) as retained_accounts,
        cast(churned_accounts as {{ dbt.type_bigint() }}) as churned_accounts,
        cast(retained_did as {{ dbt.type_bigint() }}) as retained_did,
        cast(churned_did as {{ dbt.type_bigint() }}) as churned_did,
        cast(support_accounts as {{ dbt.type_bigint() }}) as support_accounts,
        cast(retained_rate as {{ activation_type_double() }}) as retained_rate,
        cast(churned_rate as {{ activation_type_double() }}) as churned_rate,
        cast(lift as {{ activation_type_double() }}) as lift,
        cast(lift_ci_lower as {{ activation_type_double() }}) as lift_ci_lower,
        cast(lift_ci_upper as {{ activation_type_double() }}) as lift_ci_upper,
        is_low_support,
        cast(lift_rank as {{ dbt.type_bigint() }}) as lift_rank,
        cast({{ activation_as_of_date() }} as date) as as_of_date
    from ranked
)

select * from final
