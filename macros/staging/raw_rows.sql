{#-
    The fate of a raw row (SPEC sections 1 and 3), decided in the base models in this order:
      held       its _loaded_at is later than the start of this run (an upstream clock error):
                 not processed until that time comes, listed in dq_held_rows;
      duplicate  a losing copy of its key;
      rejected   the winning copy failed a check (dq_rejected_rows, with the first reason);
      clean      the winning copy passed every check (the stg_ model).
    So every raw row ends in exactly one place (tests/dbt/dq/assert_every_raw_row_accounted_for).
-#}

{#- True when the row landed "in the future" of this run: its _loaded_at is after run start. -#}
{% macro activation_is_held(loaded_at='_loaded_at') -%}
    coalesce({{ loaded_at }} > {{ activation_run_started_at() }}, false)
{%- endmacro %}

{#-
    Rank of a raw row among the copies of its key: 1 = the winning copy, > 1 = duplicates.
    Held rows are ranked apart (they take no part in deduplication until their time comes).
    A row without a key is identified by its content (`identity`: the row as JSON text without
    _loaded_at), so an identical keyless row delivered twice is a duplicate, not a second
    reject. `order_by` must end in columns that make the order total, so the winner never
    depends on the order rows arrived in. Needs a boolean column `is_held`.
-#}
{% macro activation_copy_rank(key, order_by, identity) -%}
    row_number() over (
        partition by is_held, {{ key }}, case when {{ key }} is null then {{ identity }} end
        order by {{ order_by }}
    )
{%- endmacro %}

{#-
    The order of the copies of a row of every raw table but events (the latest delivered wins,
    SPEC section 1; the content breaks ties): the base models rank by it, and the run scopes
    find by it which keys a run's new rows changed (activation_changed_keys). A copy without
    _loaded_at (possible when an extract-load tool writes raw itself; load_raw.py stamps one)
    is older than every dated copy, on every engine: nulls are placed explicitly, since
    Postgres puts them first in a descending order where DuckDB puts them last.
-#}
{% macro activation_latest_copy_first() -%}
    _loaded_at desc nulls last, row_content_json asc
{%- endmacro %}

{#- The row's fate from is_held, copy_rank and dq_reason (see above). -#}
{% macro activation_row_status() -%}
    case
        when is_held then 'held'
        when copy_rank > 1 then 'duplicate'
        when dq_reason is not null then 'rejected'
        else 'clean'
    end
{%- endmacro %}
