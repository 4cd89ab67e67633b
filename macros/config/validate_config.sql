{#-
    Run-start configuration check (on-run-start in dbt_project.yml). A bad var stops the run
    before any node executes, with a message naming the var, the value and what is allowed.
    Seed contents are checked by error-severity tests on the seeds (seeds/_seeds.yml), which
    `dbt build` runs right after loading each seed and before any model that reads it.
-#}


{% macro activation_setup_criteria_allowed() -%}
    {{ return(['workspace_created', 'non_admin_invited', 'integration_connected',
               'checklist_complete', 'first_core_action']) }}
{%- endmacro %}

{% macro _activation_config_error(name, value, expectation) -%}
    {{ exceptions.raise_compiler_error(
        "Invalid var " ~ name ~ ": got " ~ (value | tojson) ~ "; expected " ~ expectation ~ ".") }}
{%- endmacro %}

{% macro _activation_check_number(name, min_value=none, max_value=none, integer=false,
                                  min_inclusive=true, max_inclusive=true) -%}
    {%- set value = var(name) -%}
    {%- set is_plain_number = value is number and value is not boolean -%}
    {%- set expectation -%}
        {{ 'an integer' if integer else 'a number' }}
        {%- if min_value is not none %} {{ '>=' if min_inclusive else '>' }} {{ min_value }}{% endif -%}
        {%- if max_value is not none %}{{ ' and' if min_value is not none }} {{ '<=' if max_inclusive else '<' }} {{ max_value }}{% endif -%}
    {%- endset -%}
    {%- if not is_plain_number or (integer and value != value | int) -%}
        {{ _activation_config_error(name, value, expectation) }}
    {%- elif min_value is not none and (value < min_value or (not min_inclusive and value == min_value)) -%}
        {{ _activation_config_error(name, value, expectation) }}
    {%- elif max_value is not none and (value > max_value or (not max_inclusive and value == max_value)) -%}
        {{ _activation_config_error(name, value, expectation) }}
    {%- endif -%}
{%- endmacro %}

{% macro activation_validate_config() -%}
    {%- if execute -%}
        {%- do activation_as_of_date_value() -%}
        {%- do _activation_check_number('activation__prompt_window_hours', min_value=0, min_inclusive=false) -%}
        {%- do _activation_check_number('activation__checklist_threshold', min_value=0, max_value=1, max_inclusive=false) -%}
        {%- do _activation_check_number('activation__setup_target_hours', min_value=1, integer=true) -%}
        {%- do _activation_check_number('activation__aha_target_days', min_value=1, integer=true) -%}
        {%- do _activation_check_number('activation__team_habit_target_days', min_value=1, integer=true) -%}
        {%- do _activation_check_number('activation__habit_min_users', min_value=1, integer=true) -%}
        {%- do _activation_check_number('activation__habit_min_weeks', min_value=1, max_value=4, integer=true) -%}
        {%- do _activation_check_number('activation__tar_drop_alert_days', min_value=0, integer=true) -%}
        {%- do _activation_check_number('activation__incremental_lookback_hours', min_value=0) -%}

        {%- set criteria = var('activation__setup_criteria') -%}
        {%- set allowed = activation_setup_criteria_allowed() -%}
        {%- if criteria is string or criteria is not iterable or criteria | length == 0 -%}
            {{ _activation_config_error('activation__setup_criteria', criteria,
                'a non-empty list drawn from ' ~ (allowed | join(', '))) }}
        {%- endif -%}
        {%- for criterion in criteria -%}
            {%- if criterion not in allowed -%}
                {{ _activation_config_error('activation__setup_criteria', criteria,
                    'only ' ~ (allowed | join(', ')) ~ ' (unknown: ' ~ criterion ~ ')') }}
            {%- endif -%}
        {%- endfor -%}
        {%- if criteria | unique | list | length != criteria | length -%}
            {{ _activation_config_error('activation__setup_criteria', criteria, 'no repeated criterion') }}
        {%- endif -%}
    {%- endif -%}
    {#- on-run-start needs a statement to run -#}
    select 1
{%- endmacro %}
