"""The DuckDB warehouse (target ``dev``): one file, written in place.

The cast query runs on the warehouse's own connection (``INSERT INTO raw.t SELECT ...``), so
nothing is copied twice. Exclusive use is the warehouse's lock file (scripts/warehouse_lock.py)
plus DuckDB's own one-writer-per-file lock.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from engines.base import DatabaseLockedError, Engine, LoadIOError, RawWriter, hold_lock_file
from raw_schema import RAW_SCHEMA, Table

# Settings the load changes for the whole database instance (not only its own connection):
# restored when it ends, since the nightly (and dbt after it) shares that instance.
_INSTANCE_SETTINGS = {"preserve_insertion_order": "false", "enable_progress_bar": "false"}


def short_error(e: BaseException) -> str:
    """DuckDB messages carry long 'Possible fixes' blocks; keep the informative head."""
    text = str(e).split("\nPossible fixes")[0].strip()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return " | ".join(lines[:3])


def sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def ident(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def create_table_sql(table: Table, replace: bool) -> str:
    cols = ", ".join(f"{ident(c.name)} {c.sql_type}" for c in table.columns)
    head = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE IF NOT EXISTS"
    return f"{head} {RAW_SCHEMA}.{ident(table.name)} ({cols})"


def existing_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [RAW_SCHEMA, table],
    ).fetchall()


def warehouse_config() -> dict[str, str]:
    """The configuration every connection to the warehouse opens with: profiles.yml's
    config_options for target dev (DuckDB's spill directory from ACTIVATION_DUCKDB_TEMP_DIRECTORY,
    if set). In one process DuckDB shares an open database file only between connections with
    the same configuration, and dbt-duckdb keeps its own open, so a loader or a check that runs
    in the dbt process must connect exactly as dbt does."""
    spill = os.environ.get("ACTIVATION_DUCKDB_TEMP_DIRECTORY")
    return {"temp_directory": spill} if spill else {}


def connect(database: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(database), config=warehouse_config())
    except duckdb.IOException as e:
        if "Could not set lock" in str(e):
            holder = ""
            for line in str(e).splitlines():
                if "Conflicting lock is held" in line:
                    holder = f" ({line.strip()})"
            raise DatabaseLockedError(
                f"database {database} is locked: another process holds it open for writing{holder}, "
                "e.g. a running dbt build or a BI tool / SQL client connected to the file. DuckDB "
                "allows one writer per file; close it or wait for it to finish, then rerun the load. "
                "Nothing was loaded."
            ) from None
        raise LoadIOError(f"cannot open database {database}: {short_error(e)}") from None
    except duckdb.Error as e:
        raise LoadIOError(f"cannot open database {database}: {short_error(e)}") from None


class DuckDBWriter(RawWriter):
    errors = (duckdb.Error,)

    def __init__(self, database: Path) -> None:
        self.connection = con = connect(database)
        self._previous: dict[str, object] = {}
        try:
            self._previous = {
                name: con.execute("SELECT current_setting(?)", [name]).fetchone()[0]
                for name in _INSTANCE_SETTINGS
            }
            con.execute("SET TimeZone = 'UTC'")  # this connection only
            for name, value in _INSTANCE_SETTINGS.items():
                con.execute(f"SET {name} = {value}")
            con.execute("BEGIN TRANSACTION")
        except BaseException:
            self.close()
            raise

    def existing_columns(self, table: Table) -> list[tuple[str, str]]:
        return existing_columns(self.connection, table.name)

    def create_schema(self) -> None:
        self.connection.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")

    def create_table(self, table: Table, replace: bool) -> None:
        self.connection.execute(create_table_sql(table, replace))

    def insert(self, table: Table, select_sql: str) -> int:
        insert = f"INSERT INTO {RAW_SCHEMA}.{ident(table.name)}\n{select_sql}"
        return int(self.connection.execute(insert).fetchone()[0])

    def commit(self) -> None:
        self.connection.execute("COMMIT")

    def rollback(self) -> None:
        try:
            self.connection.execute("ROLLBACK")
        except duckdb.Error:
            pass  # already rolled back / no transaction

    def close(self) -> None:
        for name, value in self._previous.items():
            try:
                self.connection.execute(f"SET {name} = {sql_str(str(value))}")
            except duckdb.Error:
                pass  # a performance setting, not data: the load's own outcome is what matters
        self.connection.close()


class DuckDBEngine(Engine):
    name = "dev"

    def __init__(self, database: str | os.PathLike) -> None:
        self.database = Path(database)

    @property
    def location(self) -> str:
        return str(self.database)

    def hold(self, owner: str):
        return hold_lock_file(self.database, owner, f"database {self.database}")

    def begin(self) -> DuckDBWriter:
        return DuckDBWriter(self.database)
