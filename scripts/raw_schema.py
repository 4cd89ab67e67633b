"""The raw-layer contract (SPEC section 1), shared by the generator, the loader and the tests.

One place says which tables exist, which columns each has, in which order, and with which
type. Every column listed is required in a source file except ``_loaded_at``, which the loader
stamps with the load time when a file does not carry it.

A column marked ``personal`` holds personal data (SPEC section 7): it stays in the warehouse.
No mart, dq relation or serving file may carry its values; dq_rejected_rows masks it in
``raw_row`` (models/staging/base/, macro ``activation_json_object(..., masked=[...])``), and
tests/python/test_bi.py checks the published file for the generated values of every such column.
"""

from __future__ import annotations

from dataclasses import dataclass

LOADED_AT = "_loaded_at"


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # DuckDB type of the column in the raw schema
    personal: bool = False  # personal data: never published, masked in dq_rejected_rows.raw_row

    @property
    def is_required(self) -> bool:
        return self.name != LOADED_AT


@dataclass(frozen=True)
class Table:
    name: str
    key: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.is_required]

    @property
    def personal_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.personal]


PERSONAL = "personal"


def _table(name: str, key: str, *cols: tuple[str, ...]) -> Table:
    """A table from (name, type) pairs; a third element PERSONAL marks personal data."""
    columns = tuple(Column(c[0], c[1], personal=PERSONAL in c[2:]) for c in cols)
    return Table(name, key, columns + (Column(LOADED_AT, "TIMESTAMP"),))


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        _table(
            "accounts",
            "account_id",
            ("account_id", "VARCHAR"),
            ("account_name", "VARCHAR"),
            ("vertical", "VARCHAR"),
            ("motion", "VARCHAR"),
            ("created_at", "TIMESTAMP"),
            ("is_test_account", "BOOLEAN"),
        ),
        _table(
            "users",
            "user_id",
            ("user_id", "VARCHAR"),
            ("account_id", "VARCHAR"),
            ("email", "VARCHAR", PERSONAL),
            ("role", "VARCHAR"),
            ("is_internal", "BOOLEAN"),
            ("invited_at", "TIMESTAMP"),
            ("invited_by_user_id", "VARCHAR"),
            ("joined_at", "TIMESTAMP"),
            ("deactivated_at", "TIMESTAMP"),
        ),
        _table(
            "subscriptions",
            "subscription_change_id",
            ("subscription_change_id", "VARCHAR"),
            ("account_id", "VARCHAR"),
            ("changed_at", "TIMESTAMP"),
            ("status", "VARCHAR"),
            ("licensed_seats", "BIGINT"),
        ),
        _table(
            "seat_assignments",
            "seat_assignment_id",
            ("seat_assignment_id", "VARCHAR"),
            ("account_id", "VARCHAR"),
            ("user_id", "VARCHAR"),
            ("assigned_at", "TIMESTAMP"),
            ("unassigned_at", "TIMESTAMP"),
        ),
        _table(
            "events",
            "event_id",
            ("event_id", "VARCHAR"),
            ("account_id", "VARCHAR"),
            ("user_id", "VARCHAR"),
            ("event_name", "VARCHAR"),
            ("occurred_at", "TIMESTAMP"),
            ("received_at", "TIMESTAMP"),
            ("properties", "VARCHAR"),
        ),
        _table(
            "interventions",
            "intervention_id",
            ("intervention_id", "VARCHAR"),
            ("account_id", "VARCHAR"),
            ("user_id", "VARCHAR"),
            ("channel", "VARCHAR"),
            ("campaign", "VARCHAR"),
            ("sent_at", "TIMESTAMP"),
        ),
    )
}

RAW_SCHEMA = "raw"
