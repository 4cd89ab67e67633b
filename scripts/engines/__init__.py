"""Warehouse engines: where the raw tables live and how a load writes them.

The loader (scripts/load_raw.py) does everything engine-neutral itself: it finds the files,
checks their columns, and casts every value with DuckDB (in memory, or in the DuckDB warehouse
itself), so there is exactly one set of validation rules and one set of error messages. What
differs per engine is behind the two small classes of ``engines.base``:

``Engine`` (one per target of profiles.yml) must implement

* ``name``: the target name (``ACTIVATION_TARGET``), and ``location``: a human-readable
  description of the warehouse (a file path, ``postgresql://user@host:port/db``) for messages;
* ``hold(owner)``: a context manager that holds the warehouse exclusively for a load (or a
  nightly) and raises ``WarehouseBusy`` at once, without waiting, when another process holds it;
* ``begin()``: open a connection and start the load's one transaction; returns a ``RawWriter``.

``RawWriter`` (one load transaction) must implement

* ``existing_columns(table)``: the raw table's columns as ``[(name, contract type)]`` with the
  contract's type names (``VARCHAR``, ``TIMESTAMP``, ``BOOLEAN``, ``BIGINT``; ``[]`` when the
  table does not exist), so an ``--append`` onto a table of another shape is refused;
* ``create_schema()``, ``create_table(table, replace)``: the raw schema, and a table with the
  contract's columns in the engine's types (replace: drop and recreate, in the transaction);
* ``insert(table, select_sql)``: append the rows of ``select_sql``, a DuckDB query over the
  source file that yields the contract's columns, in order, already typed (a bad value makes it
  raise ``duckdb.Error``; the loader then reports the bad values); returns the row count;
* ``connection``: the engine's own connection, in the transaction, for ``before_commit`` steps
  (the nightly's file ledger), and ``commit()``, ``rollback()``, ``close()``.

Any failure of the engine itself is raised as ``LoadIOError`` (exit 2); ``ValidationError``
(exit 1) is the loader's. ``engine_for(target, database)`` picks the backend from
``ACTIVATION_TARGET`` (the same variable profiles.yml reads): ``dev`` (default) is DuckDB,
``postgres`` is PostgreSQL, ``spark`` a local Spark (engines.spark_engine). A new engine is
a module with an ``Engine`` subclass and one entry
in ``_BACKENDS`` below.
"""

from __future__ import annotations

import importlib
import os

from engines.base import (  # noqa: F401  (re-exported)
    DatabaseLockedError,
    Engine,
    LoadError,
    LoadIOError,
    RawWriter,
    ValidationError,
    WarehouseBusy,
)

TARGET_ENV_VAR = "ACTIVATION_TARGET"
DEFAULT_TARGET = "dev"

# target name (profiles.yml output) -> "module:class"
_BACKENDS = {
    "dev": "engines.duckdb_engine:DuckDBEngine",
    "postgres": "engines.postgres_engine:PostgresEngine",
    "spark": "engines.spark_engine:SparkEngine",
}


def current_target() -> str:
    return os.environ.get(TARGET_ENV_VAR) or DEFAULT_TARGET


def engine_for(target: str | None = None, database: str | os.PathLike | None = None) -> Engine:
    """The engine of ``target`` (default: ``$ACTIVATION_TARGET``, else ``dev``). ``database`` is
    the DuckDB file of the ``dev`` target; other engines take their settings from the
    environment (profiles.yml) and refuse it."""
    target = target or current_target()
    spec = _BACKENDS.get(target)
    if spec is None:
        raise ValidationError(
            f"{TARGET_ENV_VAR}={target}: no loader for this target (known: {', '.join(_BACKENDS)})")
    module_name, class_name = spec.split(":")
    engine_class = getattr(importlib.import_module(module_name), class_name)
    if database is not None and target != DEFAULT_TARGET:
        raise ValidationError(f"--database is the DuckDB file of target {DEFAULT_TARGET}; "
                              f"target {target} takes its settings from the environment (profiles.yml)")
    return engine_class(database) if target == DEFAULT_TARGET else engine_class()
