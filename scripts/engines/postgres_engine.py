"""PostgreSQL (target ``postgres``): settings from the ``ACTIVATION_PG_*`` variables that
profiles.yml reads.

The loader casts each file with DuckDB in memory (the same rules and messages as for the DuckDB
warehouse); DuckDB writes the typed rows as CSV to a scratch file, and ``COPY ... FROM STDIN``
sends them to Postgres, all inside one Postgres transaction: a bad file, a failed COPY or a
failed ``before_commit`` step leaves the raw tables as they were. A replace load truncates the
table (transactional in Postgres, and the dbt views over it stay valid) when its columns are
the contract's, else drops (with its dependent views, which dbt recreates) and recreates it.

Exclusive use: a session-level advisory lock (``pg_try_advisory_lock``) on the warehouse's
database, held by its own connection whose ``application_name`` names the holder, so a second
load or nightly is refused at once and told who holds it.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import duckdb
import psycopg2
import psycopg2.extensions

from engines.base import Engine, LoadIOError, RawWriter, WarehouseBusy
from raw_schema import RAW_SCHEMA, Table

# contract type -> Postgres type, and back (information_schema's names)
PG_TYPES = {"VARCHAR": "text", "TIMESTAMP": "timestamp", "BOOLEAN": "boolean", "BIGINT": "bigint"}
_CONTRACT_TYPES = {"text": "VARCHAR", "timestamp without time zone": "TIMESTAMP",
                   "boolean": "BOOLEAN", "bigint": "BIGINT"}
# The advisory lock every load and nightly of one Postgres warehouse takes (two int4 keys:
# 'Acti' and 1); pg_locks shows it as classid/objid with objsubid 2.
LOCK_KEYS = (0x41637469, 1)
# location -> [connection holding the lock, depth]: this process's holds
_held: dict[str, list] = {}


def connection_settings() -> dict:
    """The connection of profiles.yml's ``postgres`` output (same variables, same defaults)."""
    return {
        "host": os.environ.get("ACTIVATION_PG_HOST", "localhost"),
        "port": int(os.environ.get("ACTIVATION_PG_PORT", "5432")),
        "user": os.environ.get("ACTIVATION_PG_USER", "postgres"),
        "password": os.environ.get("ACTIVATION_PG_PASSWORD", ""),
        "dbname": os.environ.get("ACTIVATION_PG_DATABASE", "activation"),
    }


def describe(settings: dict) -> str:
    return f"postgresql://{settings['user']}@{settings['host']}:{settings['port']}/{settings['dbname']}"


def connect(application_name: str = "activation") -> psycopg2.extensions.connection:
    settings = connection_settings()
    try:
        con = psycopg2.connect(**settings, connect_timeout=10, application_name=application_name[:63])
    except psycopg2.Error as e:
        raise LoadIOError(f"cannot connect to {describe(settings)}: {str(e).strip()}") from None
    con.set_client_encoding("UTF8")
    return con


def ident(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


class PostgresWriter(RawWriter):
    errors = (psycopg2.Error,)

    def __init__(self, location: str) -> None:
        self._location = location
        self.connection = connect("activation load")
        self.connection.autocommit = False  # psycopg2 opens the transaction on the first statement
        self._scratch = duckdb.connect(":memory:")
        self._scratch.execute("SET TimeZone = 'UTC'")
        self._dir = tempfile.TemporaryDirectory(prefix="activation-pg-load-")

    def _execute(self, sql: str, params=None):
        try:
            with self.connection.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else None
        except psycopg2.Error as e:
            raise LoadIOError(f"{self._location}: {str(e).strip()}") from None

    def existing_columns(self, table: Table) -> list[tuple[str, str]]:
        rows = self._execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = %s and table_name = %s order by ordinal_position",
            (RAW_SCHEMA, table.name))
        return [(name, _CONTRACT_TYPES.get(typ, typ)) for name, typ in rows]

    def create_schema(self) -> None:
        self._execute(f"create schema if not exists {RAW_SCHEMA}")

    def create_table(self, table: Table, replace: bool) -> None:
        relation = f"{RAW_SCHEMA}.{ident(table.name)}"
        if replace:
            expected = [(c.name, c.sql_type) for c in table.columns]
            if self.existing_columns(table) == expected:
                self._execute(f"truncate table {relation}")
                return
            self._execute(f"drop table if exists {relation} cascade")
        cols = ", ".join(f"{ident(c.name)} {PG_TYPES[c.sql_type]}" for c in table.columns)
        self._execute(f"create table if not exists {relation} ({cols})")

    def insert(self, table: Table, select_sql: str) -> int:
        scratch = Path(self._dir.name) / f"{table.name}.csv"
        # DuckDB writes null as an empty field and an empty string as "": what COPY's csv
        # format reads back as null and '' respectively. A bad value raises duckdb.Error here.
        self._scratch.execute(
            f"COPY ({select_sql}) TO '{scratch}' (FORMAT csv, HEADER false, QUOTE '\"', "
            "ESCAPE '\"', TIMESTAMP_FORMAT '%Y-%m-%d %H:%M:%S.%f')")
        cols = ", ".join(ident(c.name) for c in table.columns)
        try:
            with self.connection.cursor() as cur, scratch.open("rb") as f:
                cur.copy_expert(f"copy {RAW_SCHEMA}.{ident(table.name)} ({cols}) from stdin "
                                "with (format csv, quote '\"', escape '\"')", f)
                rows = cur.rowcount
        except psycopg2.Error as e:
            raise LoadIOError(f"{self._location}: COPY into {RAW_SCHEMA}.{table.name} failed: "
                              f"{str(e).strip()}") from None
        finally:
            scratch.unlink(missing_ok=True)
        return int(rows)

    def commit(self) -> None:
        try:
            self.connection.commit()
        except psycopg2.Error as e:
            raise LoadIOError(f"{self._location}: commit failed: {str(e).strip()}") from None

    def rollback(self) -> None:
        try:
            self.connection.rollback()
        except psycopg2.Error:
            pass  # the connection is gone: nothing was committed either

    def close(self) -> None:
        self._scratch.close()
        self._dir.cleanup()
        self.connection.close()


class PostgresEngine(Engine):
    name = "postgres"

    def __init__(self) -> None:
        self.settings = connection_settings()

    @property
    def location(self) -> str:
        return describe(self.settings)

    @contextmanager
    def hold(self, owner: str):
        """Yields the lock's connection (autocommit). Re-entrant within a process (the nightly
        holds the warehouse and its load takes it again), like warehouse_lock.hold."""
        key = self.location
        if key in _held:
            _held[key][1] += 1
            try:
                yield _held[key][0]
            finally:
                _held[key][1] -= 1
            return
        since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        con = connect(f"{owner} (pid {os.getpid()}, since {since})")
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute("select pg_try_advisory_lock(%s, %s)", LOCK_KEYS)
                if not cur.fetchone()[0]:
                    cur.execute(
                        "select a.application_name from pg_locks l "
                        "join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' "
                        "and l.granted and l.classid = %s and l.objid = %s and l.objsubid = 2",
                        LOCK_KEYS)
                    found = cur.fetchone()
                    holder = found[0] if found and found[0] else "another session"
                    raise WarehouseBusy(holder, f"the advisory lock {LOCK_KEYS} of {self.location}")
            _held[key] = [con, 1]
            try:
                yield con
            finally:
                del _held[key]
        finally:
            con.close()  # ends the session: the advisory lock is released with it

    def begin(self) -> PostgresWriter:
        return PostgresWriter(self.location)
