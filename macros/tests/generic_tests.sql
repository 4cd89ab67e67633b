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
        {{ activation_count_distinct_dates(date_column, model) }} as n_dates,
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
    select {{ row_columns | join(', ') }} from (select * from {{ model }}) as config_rows
    where not coalesce(({{ condition }}), false)
{% endtest %}

{#-
    A node's row rules, declared where dbt keeps them: `constraints` on its columns (not_null;
    check with an expression; primary_key) and check and primary_key constraints on the node
    itself (a key of several columns). On a contracted model the engine enforces them where it
    can (DuckDB, Postgres); everywhere else the two tests below check them as data, one test per
    node whatever the number of rules: dbt spends about as long on each test node as the query
    takes on a small warehouse, and one scan counts every rule. A check whose expression is null
    passes, as in the engines; a primary key is broken by every row beyond the first of a key
    and by every row with a null in its key, as in the engines.
-#}

{#-
    The constraints of a model's enforced contract, checked as data where the engine does not
    enforce them (Spark with Parquet tables); on DuckDB and Postgres, which enforce them on every
    insert, the test is disabled (no node, no cost). Attach it once per contracted model.
-#}
{% test contract_constraints_hold(model) %}
    {{ config(enabled=not activation_enforces_constraints()) }}
    {{ activation_broken_constraints(model) }}
{% endtest %}

{#-
    The constraints declared on a model without an enforced contract (staging, intermediate) or on
    a seed, checked as data on every engine: returns one row per broken rule with the number of
    rows that break it. Attach it once per node. A `where` config (such as the run-scope audit of
    the event models, macros/tests/run_scope_tests.sql) limits the rows checked, as for any test.
-#}
{% test constraints_hold(model) %}
    {{ activation_broken_constraints(model) }}
{% endtest %}

{#- One row per rule of the tested node that some row of `relation` breaks, from one scan. -#}
{% macro activation_broken_constraints(relation) -%}
    {#- each rule: (its name, an aggregate that counts the rows breaking it) -#}
    {%- set rules = [] -%}
    {%- if execute -%}
        {#- `model` is the context's node here, the test: it names the node it is attached to -#}
        {%- set node = graph.nodes.get(model.attached_node) -%}
        {%- for column in node.columns.values() -%}
            {%- for constraint in column.constraints -%}
                {%- do rules.append(activation_constraint_rule(node, constraint, [column.name], column.name ~ ' ')) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- for constraint in node.constraints -%}
            {%- do rules.append(activation_constraint_rule(node, constraint, constraint.columns,
                                                           constraint.name ~ ' ' if constraint.name else '')) -%}
        {%- endfor -%}
        {%- if not rules -%}
            {{ exceptions.raise_compiler_error(
                "constraints test on " ~ node.name ~ ": the node declares no not_null, check or primary_key constraint") }}
        {%- endif -%}
    {%- endif %}
    {%- if rules %}
with

{# one scan counts every rule; `counted` has one reader, so no engine computes it twice #}
counted as (
    select
        {%- for rule, broken_rows in rules %}
        {{ broken_rows }} as broken_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
),

rules as (
    {%- for rule, broken_rows in rules %}
    select {{ loop.index }} as rule_number, '{{ rule | replace("'", "''") }}' as broken_constraint
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        rules.broken_constraint,
        case rules.rule_number
            {%- for rule, broken_rows in rules %}
            when {{ loop.index }} then counted.broken_{{ loop.index }}
            {%- endfor %}
        end as n_rows
    from rules
    cross join counted
)

select * from final
where n_rows > 0
    {%- else %}
select 'not compiled' as broken_constraint, 0 as n_rows
    {%- endif %}
{%- endmacro %}

{#-
    One constraint of `node` as (rule name, aggregate counting the rows that break it); `columns`
    are the constrained columns, `prefix` starts the name. A primary key's count is the rows
    beyond the number of distinct complete keys: duplicates and rows with a null in the key.
-#}
{% macro activation_constraint_rule(node, constraint, columns, prefix) -%}
    {%- set quoted = [] -%}
    {%- for column in columns -%}
        {%- do quoted.append(adapter.quote(column) if column.startswith('_') else column) -%}
    {%- endfor -%}
    {#- the columns, unless the name already starts with the one column (a column constraint) -#}
    {%- set listed = ' (' ~ columns | join(', ') ~ ')' if columns else '' -%}
    {%- if columns | length == 1 and prefix == columns[0] ~ ' ' -%}
        {%- set listed = '' -%}
    {%- endif -%}
    {%- if constraint.type == 'not_null' -%}
        {{- return((prefix ~ 'not null' ~ listed,
                    'sum(case when ' ~ quoted | join(' is null or ') ~ ' is null then 1 else 0 end)')) -}}
    {%- elif constraint.type == 'check' -%}
        {{- return((prefix ~ 'check ' ~ constraint.expression,
                    'sum(case when not (' ~ constraint.expression ~ ') then 1 else 0 end)')) -}}
    {%- elif constraint.type == 'primary_key' and columns | length == 1 -%}
        {{- return((prefix ~ 'primary key' ~ listed, 'count(*) - count(distinct ' ~ quoted[0] ~ ')')) -}}
    {%- elif constraint.type == 'primary_key' and columns -%}
        {%- set complete = quoted | join(' is not null and ') ~ ' is not null' -%}
        {{- return((prefix ~ 'primary key' ~ listed,
                    'count(*) - count(distinct case when ' ~ complete ~ ' then '
                    ~ activation_row_value(quoted) ~ ' end)')) -}}
    {%- else -%}
        {{- exceptions.raise_compiler_error(
            "constraints test on " ~ node.name ~ ": a " ~ constraint.type ~ " constraint"
            ~ (" on " ~ columns | join(', ') if columns else "") ~ " is not checked as data here: "
            ~ "state it with not_null, check or primary_key, or as a data test") -}}
    {%- endif -%}
{%- endmacro %}

{#- One comparable value from several columns, for count(distinct ...). -#}
{% macro activation_row_value(columns) -%}
    {{- return(adapter.dispatch('activation_row_value', 'activation')(columns)) -}}
{%- endmacro %}

{% macro default__activation_row_value(columns) -%}
    {{ exceptions.raise_compiler_error(
        "activation_row_value has no implementation for adapter '" ~ adapter.type()
        ~ "': add " ~ adapter.type() ~ "__activation_row_value in macros/tests/generic_tests.sql") }}
{%- endmacro %}

{% macro duckdb__activation_row_value(columns) -%}
    row({{ columns | join(', ') }})
{%- endmacro %}

{% macro postgres__activation_row_value(columns) -%}
    row({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__activation_row_value(columns) -%}
    struct({{ columns | join(', ') }})
{%- endmacro %}

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
