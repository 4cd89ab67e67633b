-- A warning: event names seen in clean events that the event_catalog seed does not list. They
-- count towards no metric until catalogued.
{{ config(severity='warn') }}

select * from {{ ref('dq_unmapped_event_names') }}
