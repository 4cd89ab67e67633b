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

{#-
    A double rounded half up to `digits` decimals, portably (Postgres has no round(double, n)):
    for values computed through logarithms and exponentials (survival shares, lift intervals),
    whose last bits are floating-point noise that differs between engines.
-#}
{% macro activation_round_double(expression, digits) -%}
    cast(floor(({{ expression }}) * 1e{{ digits }} + 0.5) as {{ activation_type_double() }}) / 1e{{ digits }}
{%- endmacro %}

{#-
    A share (0.125) as the text of a whole percentage ('13'), rounded half up on every engine
    (Postgres's round of a double rounds a half to even): the reasons of the intervention queue.
-#}
{% macro activation_percent_text(share) -%}
    cast(cast({{ activation_round_double(share ~ ' * 100', 0) }} as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
{%- endmacro %}
