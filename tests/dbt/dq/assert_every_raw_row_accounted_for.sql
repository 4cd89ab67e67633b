-- SPEC section 3, "nothing lost": for every raw table,
--     raw rows = clean rows + rejected rows + duplicates + held rows.
-- Held rows and duplicates are counted straight from the raw table, independently of the
-- staging logic (held: _loaded_at after the run started; duplicates: rows with a key minus
-- distinct keys, plus keyless rows minus distinct keyless contents, among the rows not held),
-- so a row dropped or double-counted anywhere in staging makes the totals disagree. The held
-- rows listed in dq_held_rows must match that count too. Returns the tables that do not add up.

{% set tables = [
    ('accounts', 'account_id', 'stg_product__accounts'),
    ('users', 'user_id', 'stg_product__users'),
    ('subscriptions', 'subscription_change_id', 'stg_product__subscriptions'),
    ('seat_assignments', 'seat_assignment_id', 'stg_product__seat_assignments'),
    ('events', 'event_id', 'stg_product__events'),
    ('interventions', 'intervention_id', 'stg_product__interventions'),
] %}

with

{% for table, key, clean_model in tables %}
{#- the content of a keyless row: every column but _loaded_at (known once the table exists) -#}
{%- set content_columns = (adapter.get_columns_in_relation(source('product', table))
    | map(attribute='name') | reject('equalto', '_loaded_at') | join(', ')) if execute else '*' %}
{{ table }}_arrived as (
    select
        *,
        {{ activation_is_held() }} as is_held
    from {{ source('product', table) }}
),

{{ table }}_counts as (
    select
        '{{ table }}' as source_table,
        (select count(*) from {{ table }}_arrived) as raw_rows,
        (select count(*) from {{ ref(clean_model) }}) as clean_rows,
        (
            select count(*) from {{ ref('dq_rejected_rows') }}
            where source_table = '{{ table }}'
        ) as rejected_rows,
        (
            select count({{ key }}) - count(distinct {{ key }})
            from {{ table }}_arrived
            where not is_held
        )
        + (
            select count(*) from {{ table }}_arrived
            where {{ key }} is null and not is_held
        )
        - (
            select count(*) from (
                select distinct {{ content_columns }}
                from {{ table }}_arrived
                where {{ key }} is null and not is_held
            ) as keyless_contents
        ) as duplicate_rows,
        (
            select count(*) from {{ table }}_arrived
            where is_held
        ) as held_rows,
        (
            select count(*) from {{ ref('dq_held_rows') }}
            where source_table = '{{ table }}'
        ) as listed_held_rows
),

{% endfor %}
all_counts as (
    {% for table, key, clean_model in tables %}
    select * from {{ table }}_counts
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select *
from all_counts
where
    raw_rows != clean_rows + rejected_rows + duplicate_rows + held_rows
    or held_rows != listed_held_rows
