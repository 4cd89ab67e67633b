{#-
    The default__ implementation of a dispatched macro that has no portable SQL: stop the
    compile with a message naming the macro and the adapter, instead of emitting another
    engine's syntax. Implement `<adapter>__<macro>` to support a new adapter.
-#}
{% macro activation_unsupported_adapter(macro_name) -%}
    {{ exceptions.raise_compiler_error(
        "activation: macro " ~ macro_name ~ " has no implementation for adapter '" ~ adapter.type()
        ~ "' (implemented: duckdb, postgres, spark). Add " ~ adapter.type() ~ "__" ~ macro_name
        ~ " in macros/cross_db/."
    ) }}
{%- endmacro %}
