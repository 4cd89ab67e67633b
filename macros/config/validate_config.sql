{#-
    Run-start configuration check (on-run-start in dbt_project.yml). A bad var stops the run
    before any node executes, with one message that names every bad var, its value and what is
    allowed (so that one run shows everything there is to fix).
    Seed contents are checked by error-severity tests on the seeds (seeds/_seeds.yml), which
    `dbt build` runs right after loading each seed and before any model that reads it.
-#}


{% macro activation_setup_criteria_allowed() -%}
    {{ return(['workspace_created', 'non_admin_invited', 'integration_connected',
               'checklist_complete', 'first_core_action']) }}
{%- endmacro %}

{% macro _activation_config_error(name, value, expectation) -%}
    {{- return("Invalid var " ~ name ~ ": got " ~ (value | tojson) ~ "; expected " ~ expectation ~ ".") -}}
{%- endmacro %}

{#- The error message for a numeric var outside its range, or none. -#}
{% macro _activation_check_number(name, min_value=none, max_value=none, integer=false,
                                  min_inclusive=true, max_inclusive=true) -%}
    {%- set value = var(name) -%}
    {%- set is_plain_number = value is number and value is not boolean -%}
    {%- set expectation -%}
        {{ 'an integer' if integer else 'a number' }}
        {%- if min_value is not none %} {{ '>=' if min_inclusive else '>' }} {{ min_value }}{% endif -%}
        {%- if max_value is not none %}{{ ' and' if min_value is not none }} {{ '<=' if max_inclusive else '<' }} {{ max_value }}{% endif -%}
    {%- endset -%}
    {#- NaN is not equal to itself; an infinity minus itself is NaN -#}
    {%- if not is_plain_number or value != value or (value - value) != 0
          or (integer and value != value | int) -%}
        {{- return(_activation_config_error(name, value, expectation)) -}}
    {%- elif min_value is not none and (value < min_value or (not min_inclusive and value == min_value)) -%}
        {{- return(_activation_config_error(name, value, expectation)) -}}
    {%- elif max_value is not none and (value > max_value or (not max_inclusive and value == max_value)) -%}
        {{- return(_activation_config_error(name, value, expectation)) -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}

{#- The error message for a bad activation__setup_criteria, or none. -#}
{% macro _activation_check_setup_criteria() -%}
    {%- set criteria = var('activation__setup_criteria') -%}
    {%- set allowed = activation_setup_criteria_allowed() -%}
    {%- if criteria is string or criteria is not iterable or criteria | length == 0 -%}
        {{- return(_activation_config_error('activation__setup_criteria', criteria,
            'a non-empty list drawn from ' ~ (allowed | join(', ')))) -}}
    {%- endif -%}
    {%- for criterion in criteria -%}
        {%- if criterion not in allowed -%}
            {{- return(_activation_config_error('activation__setup_criteria', criteria,
                'only ' ~ (allowed | join(', ')) ~ ' (unknown: ' ~ criterion ~ ')')) -}}
        {%- endif -%}
    {%- endfor -%}
    {%- if criteria | unique | list | length != criteria | length -%}
        {{- return(_activation_config_error('activation__setup_criteria', criteria, 'no repeated criterion')) -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}

{#- The error message for a bad activation__aha_candidate_min_counts, or none. -#}
{% macro _activation_check_min_counts() -%}
    {%- set name = 'activation__aha_candidate_min_counts' -%}
    {%- set counts = var(name) -%}
    {%- set expectation = 'a non-empty list of distinct integers >= 1' -%}
    {%- if counts is string or counts is not iterable or counts | length == 0 -%}
        {{- return(_activation_config_error(name, counts, expectation)) -}}
    {%- endif -%}
    {%- for count in counts -%}
        {%- if count is not number or count is boolean or count != count | int or count < 1 -%}
            {{- return(_activation_config_error(name, counts, expectation)) -}}
        {%- endif -%}
    {%- endfor -%}
    {%- if counts | unique | list | length != counts | length -%}
        {{- return(_activation_config_error(name, counts, expectation)) -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}

{% macro activation_validate_config() -%}
    {%- if execute -%}
        {#- windows are bounded (a year for the prompt window, ten years for the others), so
            that no date computed from them leaves the engines' timestamp range -#}
        {%- set problems = [
            activation_as_of_date_resolved()[1],
            _activation_check_number('activation__prompt_window_hours', min_value=0, max_value=8760, min_inclusive=false),
            _activation_check_number('activation__checklist_threshold', min_value=0, max_value=1, max_inclusive=false),
            _activation_check_number('activation__setup_target_hours', min_value=1, max_value=87600, integer=true),
            _activation_check_number('activation__aha_target_days', min_value=1, max_value=3650, integer=true),
            _activation_check_number('activation__team_habit_target_days', min_value=1, max_value=3650, integer=true),
            _activation_check_number('activation__habit_min_users', min_value=1, integer=true),
            _activation_check_number('activation__habit_min_weeks', min_value=1, max_value=4, integer=true),
            _activation_check_number('activation__tar_drop_alert_days', min_value=0, max_value=3650, integer=true),
            _activation_check_setup_criteria(),
            _activation_check_number('activation__aha_candidate_window_days', min_value=1, max_value=3650, integer=true),
            _activation_check_min_counts(),
            _activation_check_number('activation__aha_candidate_min_support', min_value=1, integer=true),
            _activation_check_number('activation__survival_max_days', min_value=0, max_value=999, integer=true),
        ] | reject('none') | list -%}
        {%- if problems -%}
            {{- exceptions.raise_compiler_error(
                problems | length ~ " invalid configuration value(s):\n  " ~ (problems | join('\n  '))) -}}
        {%- endif -%}
    {%- endif -%}
    {#- on-run-start needs a statement to run -#}
    select 1
{%- endmacro %}
