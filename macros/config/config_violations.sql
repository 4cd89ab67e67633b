{#-
    Describe the rows of a configuration relation that break `condition`: '' when none do, else
    "Invalid configuration in <seed>: <message>. Offending row(s): (col=value, ...); ...", the
    first 10 in the order of row_columns (the same message on every run and engine, whatever
    order the rows are stored in). Runs a query, so call it only when `execute` is true.
    A condition names the row's own relation `config_rows` (in a correlated subquery), never
    by its name: `dbt build --empty` reads every ref as a subquery.
-#}
{% macro activation_config_violations(relation, condition, message, row_columns) -%}
    {%- set failing = run_query(
        'select ' ~ row_columns | join(', ') ~ ' from (select * from ' ~ relation ~ ') as config_rows'
        ~ ' where not coalesce((' ~ condition ~ '), false)'
        ~ ' order by ' ~ range(1, row_columns | length + 1) | join(', ') ~ ' limit 10') -%}
    {%- if failing.rows | length == 0 -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set described = [] -%}
    {%- for row in failing.rows -%}
        {%- set fields = [] -%}
        {%- for column in row_columns -%}
            {%- do fields.append(column ~ '=' ~ row[loop.index0]) -%}
        {%- endfor -%}
        {%- do described.append('(' ~ fields | join(', ') ~ ')') -%}
    {%- endfor -%}
    {{- return("Invalid configuration in " ~ relation.identifier ~ ": " ~ message
               ~ ". Offending row(s): " ~ described | join('; ')) -}}
{%- endmacro %}

{#-
    Fail the calling model with the first rule's violations, for `rules` (dicts with seed,
    condition, message, row_columns) over the seeds `seeds`. Does nothing at parse time and
    before every one of `seeds` is loaded (a compile or lint on an empty database has nothing to
    check). A macro, so that the model renders the same layout either way (sqlfluff).
-#}
{% macro activation_raise_config_violations(rules, seeds) -%}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- for seed in seeds -%}
        {%- if load_relation(ref(seed)) is none -%}
            {{- return('') -}}
        {%- endif -%}
    {%- endfor -%}
    {%- for rule in rules -%}
        {%- set problem = activation_config_violations(
            ref(rule.seed), rule.condition, rule.message, rule.row_columns) -%}
        {%- if problem -%}
            {{- exceptions.raise_compiler_error(problem) -}}
        {%- endif -%}
    {%- endfor -%}
    {{- return('') -}}
{%- endmacro %}
