"""The nightly's Postgres side (scripts/nightly.py with ``ACTIVATION_TARGET=postgres``).

Write-audit-publish on one server: dbt builds and tests in the warehouse schemas as always
(``marts``, ``dq``, ...); only when every error-severity test passed, ``publish`` copies every
relation of ``marts`` and ``dq`` into the schemas BI reads, ``<prefix>marts`` and ``<prefix>dq``
(prefix ``$ACTIVATION_PG_SERVING_PREFIX``, default ``serving_``), plus ``<prefix>meta``
(``publication``, ``relations``: the DuckDB serving file's ``meta`` tables), in ONE transaction:
the copies are written into new schemas, checked against their row counts, then the old
published schemas are dropped and the new ones renamed in their place, and the transaction
commits. Postgres DDL is transactional, so a BI query sees the previous snapshot or the new one,
whole, never a mix, and a failure at any point (or a kill) leaves the published schemas as they
were. A query still reading the old snapshot delays the swap (its lock); after
``ACTIVATION_PG_PUBLISH_LOCK_TIMEOUT`` (default 5min) the publish gives up: exit 5, nothing
changed. ``$ACTIVATION_PG_BI_ROLE``, when set, is granted usage and select on the new schemas
in the same transaction (dropping a schema drops its grants). Table and column comments (the
YAML descriptions ``persist_docs`` writes) are copied too.

The published schema names are the one place where the Postgres target uses names beyond the
SPEC's five: they are the serving copy, the role the serving file plays on DuckDB (README
"Engines").
"""

from __future__ import annotations

import datetime as dt
import os

PUBLISHED_SCHEMAS = ("marts", "dq")
PREFIX_ENV_VAR = "ACTIVATION_PG_SERVING_PREFIX"
BI_ROLE_ENV_VAR = "ACTIVATION_PG_BI_ROLE"
LOCK_TIMEOUT_ENV_VAR = "ACTIVATION_PG_PUBLISH_LOCK_TIMEOUT"
# The descriptions of the meta tables, written as comments wherever they are published (the
# DuckDB serving file by scripts/nightly.py, the <prefix>meta schema here): table, columns.
META_COMMENTS = {
    "publication": (
        "One row: which build this serving file holds (published_at UTC, as_of_date, "
        "the warehouse it came from, full-refresh or incremental).",
        {"published_at": "When the snapshot was published (UTC).",
         "as_of_date": "The activation__as_of_date the build computed every mart as of (the end of that day, UTC).",
         "as_of_date_source": "Where as_of_date came from: --as-of-date, $ACTIVATION_AS_OF_DATE or the "
                              "default (yesterday UTC, by the build's start).",
         "warehouse_path": "The warehouse the snapshot was copied from.",
         "build_mode": "full-refresh or incremental: how the build that produced it ran."}),
    "relations": (
        "Row count of every published relation, as written; a reader can check it saw a whole snapshot.",
        {"table_schema": "The relation's schema (marts or dq).",
         "table_name": "The relation's name.",
         "row_count": "Its rows when published."}),
}


def serving_prefix() -> str:
    return os.environ.get(PREFIX_ENV_VAR, "serving_")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def previous_rejects(con) -> int | None:
    """Rows of dq_rejected_rows in the published snapshot (None before the first publish)."""
    with con.cursor() as cur:
        cur.execute("select to_regclass(%s)", (f"{_q(serving_prefix() + 'dq')}.dq_rejected_rows",))
        if cur.fetchone()[0] is None:
            return None
        cur.execute(f"select count(*) from {_q(serving_prefix() + 'dq')}.dq_rejected_rows")
        return cur.fetchone()[0]


def appended_late_events(cur, newest_before: dt.datetime) -> int:
    """Inside the load's transaction: events this transaction appended that occurred before
    ``newest_before`` (the rows whose xmin is this transaction)."""
    cur.execute("select count(*) from raw.events where xmin::text::bigint = txid_current() %% 4294967296 "
                "and occurred_at < %s", (newest_before,))
    return cur.fetchone()[0]


def publish(con, *, as_of_date: str, as_of_date_source: str, build_mode: str, warehouse: str) -> int:
    """Publish marts and dq in one transaction (module docstring); returns the relation count.
    Raises psycopg2.Error or ValueError on failure, with nothing changed."""
    prefix = serving_prefix()
    new = {schema: f"{prefix}{schema}__publishing" for schema in (*PUBLISHED_SCHEMAS, "meta")}
    final = {schema: f"{prefix}{schema}" for schema in (*PUBLISHED_SCHEMAS, "meta")}
    autocommit = con.autocommit
    con.autocommit = False
    try:
        with con.cursor() as cur:
            cur.execute("set local lock_timeout = %s", (os.environ.get(LOCK_TIMEOUT_ENV_VAR, "5min"),))
            cur.execute(
                "select c.oid, n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                "where n.nspname = any(%s) and c.relkind in ('r', 'v', 'm', 'p') order by 2, 3",
                (list(PUBLISHED_SCHEMAS),))
            relations = cur.fetchall()
            if not any(schema == "marts" for _, schema, _ in relations):
                raise ValueError("schema marts is empty: nothing to publish")
            for schema in new.values():
                cur.execute(f"drop schema if exists {_q(schema)} cascade")  # a killed run's leftover
                cur.execute(f"create schema {_q(schema)}")
            counts = []
            for oid, schema, name in relations:
                target = f"{_q(new[schema])}.{_q(name)}"
                cur.execute(f"create table {target} as select * from {_q(schema)}.{_q(name)}")
                cur.execute(f"select count(*) from {target}")
                counts.append((schema, name, cur.fetchone()[0]))
                _copy_comments(cur, oid, target)
            meta = _q(new["meta"])
            cur.execute(f"create table {meta}.relations (table_schema text, table_name text, row_count bigint)")
            cur.executemany(f"insert into {meta}.relations values (%s, %s, %s)", counts)
            cur.execute(
                f"create table {meta}.publication as select cast(%s as timestamp) as published_at, "
                "cast(%s as date) as as_of_date, cast(%s as text) as as_of_date_source, "
                "cast(%s as text) as warehouse_path, cast(%s as text) as build_mode",
                (dt.datetime.now(dt.UTC).replace(tzinfo=None), as_of_date, as_of_date_source, warehouse,
                 build_mode))
            for name, (text, columns) in META_COMMENTS.items():
                cur.execute(f"comment on table {meta}.{name} is %s", (text,))
                for column, comment in columns.items():
                    cur.execute(f"comment on column {meta}.{name}.{_q(column)} is %s", (comment,))
            # audit what was written, then swap: drop the old published schemas, rename the new
            for schema, name, expected in counts:
                cur.execute(f"select count(*) from {_q(new[schema])}.{_q(name)}")
                got = cur.fetchone()[0]
                if got != expected:
                    raise ValueError(f"{new[schema]}.{name} has {got} rows, expected {expected}")
            role = os.environ.get(BI_ROLE_ENV_VAR)
            for schema in new:
                cur.execute(f"drop schema if exists {_q(final[schema])} cascade")
                cur.execute(f"alter schema {_q(new[schema])} rename to {_q(final[schema])}")
                if role:
                    cur.execute(f"grant usage on schema {_q(final[schema])} to {_q(role)}")
                    cur.execute(f"grant select on all tables in schema {_q(final[schema])} to {_q(role)}")
        con.commit()
    except BaseException:
        try:
            con.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone: nothing committed either
            pass
        raise
    finally:
        con.autocommit = autocommit
    return len(counts)


def _copy_comments(cur, oid: int, target: str) -> None:
    cur.execute("select obj_description(%s, 'pg_class')", (oid,))
    (text,) = cur.fetchone()
    if text:
        cur.execute(f"comment on table {target} is %s", (text,))
    cur.execute("select attname, col_description(attrelid, attnum) from pg_attribute "
                "where attrelid = %s and attnum > 0 and not attisdropped "
                "and col_description(attrelid, attnum) is not null", (oid,))
    for column, comment in cur.fetchall():
        cur.execute(f"comment on column {target}.{_q(column)} is %s", (comment,))
