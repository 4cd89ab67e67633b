{#-
    Rank the copies of one key in a raw table: 1 = the winning copy, > 1 = duplicates.
    Rows with a null key are never duplicates of each other (each is its own reject), so they
    always rank 1. `order_by` must end in columns that make the order total (deterministic
    whatever order the rows arrived in).
-#}
{% macro activation_copy_rank(key, order_by) -%}
    case
        when {{ key }} is null then 1
        else row_number() over (partition by {{ key }} order by {{ order_by }})
    end
{%- endmacro %}
