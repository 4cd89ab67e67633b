{#-
    numerator / denominator as a double, null when the denominator is 0 (a rate over nothing is
    unknown, not 0): the cohort rates.
-#}
{% macro activation_ratio(numerator, denominator) -%}
    case
        when {{ denominator }} > 0
            then cast({{ numerator }} as {{ activation_type_double() }}) / {{ denominator }}
    end
{%- endmacro %}
