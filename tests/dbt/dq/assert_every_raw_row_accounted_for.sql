-- SPEC section 3, "nothing lost": for every raw table, raw rows = clean rows + rejected rows +
-- duplicates. Duplicates are counted straight from the raw table (rows with a key minus
-- distinct keys), independently of the staging logic, so a row dropped or double-counted
-- anywhere in staging makes the totals disagree. Returns the tables that do not add up.

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
{{ table }}_counts as (
    select
        '{{ table }}' as source_table,
        (select count(*) from {{ source('product', table) }}) as raw_rows,
        (select count(*) from {{ ref(clean_model) }}) as clean_rows,
        (
            select count(*) from {{ ref('dq_rejected_rows') }}
            where source_table = '{{ table }}'
        ) as rejected_rows,
        (
            select count({{ key }}) - count(distinct {{ key }})
            from {{ source('product', table) }}
        ) as duplicate_rows
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
where raw_rows != clean_rows + rejected_rows + duplicate_rows
