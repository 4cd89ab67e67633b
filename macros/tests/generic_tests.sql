{#-
    Generic data tests this project needs (hub packages cannot be installed here). Each returns
    the failing rows, so a test fails when it returns any.
-#}

{#- Values lie in [min_value, max_value] (bounds optional; `inclusive: false` makes both strict). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true, where=none) %}
select *
from {{ model }}
where {{ column_name }} is not null
    {%- if where %} and ({{ where }}){% endif %}
    and (
        false
        {%- if min_value is not none %}
        or {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        or {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
        {%- endif %}
    )
{% endtest %}

{#-
    A boolean SQL expression holds on every row (optionally only where `where` holds). As a
    column test the expression continues the column (`expression: ">= assigned_at"`). Rows
    where the expression is null pass, as in dbt_utils: test nulls with not_null.
-#}
{% test expression_is_true(model, expression, column_name=none, where=none) %}
select *
from {{ model }}
where not ({{ column_name ~ ' ' if column_name }}{{ expression }})
    {%- if where %} and ({{ where }}){% endif %}
{% endtest %}

{#- No two rows share the same combination of these columns (nulls compare equal). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- The model has exactly as many rows as another relation (optionally filtered). -#}
{% test equal_rowcount(model, compare_model, where=none, compare_where=none) %}
with

counts as (
    select
        (select count(*) from {{ model }} {% if where %}where {{ where }}{% endif %}) as n_model,
        (select count(*) from {{ compare_model }} {% if compare_where %}where {{ compare_where }}{% endif %}) as n_compare
)

select * from counts where n_model != n_compare
{% endtest %}

{#- No gap: for each partition, one row per day from the min to the max date. -#}
{% test no_date_gaps(model, date_column, partition_by) %}
with

spans as (
    select
        {{ partition_by }},
        count(*) as n_rows,
        count(distinct {{ date_column }}) as n_dates,
        {{ dbt.datediff('min(' ~ date_column ~ ')', 'max(' ~ date_column ~ ')', 'day') }} + 1 as n_days_spanned
    from {{ model }}
    group by {{ partition_by }}
)

select * from spans where n_rows != n_days_spanned or n_dates != n_days_spanned
{% endtest %}

{#-
    Configuration rows must satisfy `condition`. Unlike a plain test, a violation stops with an
    error that names each offending row (up to 10) and what is wrong with it, so the person
    who edited the seed sees exactly what to fix. `dbt build` runs it right after the seed and
    skips every model downstream of a failure. Only for conditions on the seed itself: checks
    across seeds live in int_config_validated (a test with two parents skips nothing).
-#}
{% test valid_config_rows(model, condition, message, row_columns) %}
    {%- if execute -%}
        {%- set problem = activation_config_violations(model, condition, message, row_columns) -%}
        {%- if problem -%}
            {{ exceptions.raise_compiler_error(problem) }}
        {%- endif -%}
    {%- endif -%}
    select {{ row_columns | join(', ') }} from {{ model }} where not coalesce(({{ condition }}), false)
{% endtest %}

{#-
    The constraints of a model's enforced contract, checked as data: every column's not_null,
    and every check constraint (column or model level). DuckDB and Postgres enforce them on every
    insert, so the test is disabled there (no node, no cost); on an engine that accepts but does
    not enforce them (Spark with Parquet tables) it returns one row per broken constraint with
    the number of rows that break it. Attach it once per contracted model: it reads the model's
    constraints from the graph, so a new constraint is covered without a new test. As in the
    engines, a check whose expression is null passes.
-#}
{% test contract_constraints_hold(model) %}
    {{ config(enabled=not activation_enforces_constraints()) }}
    {%- set rules = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and (node.alias or node.name) == model.identifier
                and node.schema == model.schema -%}
                {%- for column in node.columns.values() -%}
                    {%- set quoted = adapter.quote(column.name) if column.name.startswith('_') else column.name -%}
                    {%- for constraint in column.constraints -%}
                        {%- if constraint.type == 'not_null' -%}
                            {%- do rules.append((column.name ~ ' not null', quoted ~ ' is null')) -%}
                        {%- elif constraint.type == 'check' -%}
                            {%- do rules.append((column.name ~ ' check ' ~ constraint.expression,
                                                 'not (' ~ constraint.expression ~ ')')) -%}
                        {%- endif -%}
                    {%- endfor -%}
                {%- endfor -%}
                {%- for constraint in node.constraints if constraint.type == 'check' -%}
                    {%- do rules.append(((constraint.name or 'check') ~ ' ' ~ constraint.expression,
                                         'not (' ~ constraint.expression ~ ')')) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif %}
    {%- if rules %}
    {%- for rule, broken in rules %}
    select '{{ rule | replace("'", "''") }}' as broken_constraint, count(*) as n_rows
    from {{ model }}
    where {{ broken }}
    having count(*) > 0
    {{ 'union all' if not loop.last }}
    {%- endfor %}
    {%- else %}
    select 'no constraint found for {{ model }}' as broken_constraint, 1 as n_rows
    {%- endif %}
{% endtest %}

{#- Whether the engine enforces a contract's NOT NULL and CHECK constraints on insert. -#}
{% macro activation_enforces_constraints() -%}
    {{- return(adapter.dispatch('activation_enforces_constraints', 'activation')()) -}}
{%- endmacro %}

{% macro duckdb__activation_enforces_constraints() -%}
    {{- return(true) -}}
{%- endmacro %}

{% macro postgres__activation_enforces_constraints() -%}
    {{- return(true) -}}
{%- endmacro %}

{#- Spark: NOT NULL and CHECK are accepted on Parquet tables but not enforced. -#}
{% macro spark__activation_enforces_constraints() -%}
    {{- return(false) -}}
{%- endmacro %}

{#- Any other engine: not assumed; the constraints are checked as data. -#}
{% macro default__activation_enforces_constraints() -%}
    {{- return(false) -}}
{%- endmacro %}
