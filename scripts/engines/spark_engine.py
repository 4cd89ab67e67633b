"""Spark (target ``spark``): Parquet-backed tables of schema ``raw`` in the local Spark
warehouse of scripts/spark_session.py (``ACTIVATION_SPARK_WAREHOUSE_DIR``, the same settings
as profiles.yml's ``spark`` output).

The loader casts each file with DuckDB in memory (the same rules and messages as for the DuckDB
warehouse); DuckDB writes the typed rows as Parquet to a scratch directory (a bad value raises
there, before Spark sees anything), and Spark copies them into a staging table per raw table,
``raw.<table>__incoming``. Spark has no transaction, so the load's one transaction is staged:

* ``commit()`` runs only when every file has been read and typed: each raw table is replaced
  by its staging table (drop, then rename: a metadata operation) or receives its rows (one
  ``insert into ... select`` per table, which Spark commits whole), and the staging tables go;
* ``rollback()`` drops the staging tables: the raw tables were never touched.

So a bad file, or a failing ``before_commit`` step, loads nothing. What is not atomic is the
commit across tables: a Spark driver that dies between two tables of ``commit()`` (every row
was already read and typed by then; only the engine itself can fail) can leave the earlier
tables loaded. Rerun the same load without ``--append`` to replace them all.

Exclusive use: the lock file ``<warehouse dir>.lock`` (scripts/warehouse_lock.py), and the
embedded Derby metastore, which one process opens at a time.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import spark_session

from engines.base import Engine, LoadIOError, RawWriter, ValidationError, hold_lock_file
from raw_schema import RAW_SCHEMA, Table

# contract type -> Spark type, and back (Spark's simpleString names)
SPARK_TYPES = {"VARCHAR": "string", "TIMESTAMP": "timestamp", "BOOLEAN": "boolean", "BIGINT": "bigint"}
_CONTRACT_TYPES = {v: k for k, v in SPARK_TYPES.items()}
INCOMING_SUFFIX = "__incoming"


def _relation(name: str) -> str:
    return f"{RAW_SCHEMA}.`{name}`"


def _column_list(table: Table) -> str:
    return ", ".join(f"`{c.name}` {SPARK_TYPES[c.sql_type]}" for c in table.columns)


class SparkWriter(RawWriter):
    def __init__(self, location: str) -> None:
        from pyspark.errors import PySparkException

        self.errors = (PySparkException,)
        self._location = location
        self.connection = spark_session.get_session()
        self._scratch = duckdb.connect(":memory:")
        self._scratch.execute("SET TimeZone = 'UTC'")
        self._dir = tempfile.TemporaryDirectory(prefix="activation-spark-load-")
        self._staged: dict[str, tuple[Table, bool]] = {}  # table -> (table, replace)

    def _sql(self, sql: str):
        try:
            return self.connection.sql(sql).collect()
        except self.errors as e:
            raise LoadIOError(f"{self._location}: {str(e).strip().splitlines()[0]}") from None

    def _exists(self, name: str) -> bool:
        return self.connection.catalog.tableExists(name, RAW_SCHEMA)

    def existing_columns(self, table: Table) -> list[tuple[str, str]]:
        if not self._exists(table.name):
            return []
        fields = self.connection.table(_relation(table.name)).schema.fields
        return [(f.name, _CONTRACT_TYPES.get(f.dataType.simpleString(), f.dataType.simpleString()))
                for f in fields]

    def create_schema(self) -> None:
        self._sql(f"create database if not exists {RAW_SCHEMA}")

    def create_table(self, table: Table, replace: bool) -> None:
        incoming = _relation(table.name + INCOMING_SUFFIX)
        self._sql(f"drop table if exists {incoming}")
        self._sql(f"create table {incoming} ({_column_list(table)}) using parquet")
        self._staged[table.name] = (table, replace)

    def insert(self, table: Table, select_sql: str) -> int:
        scratch = Path(self._dir.name) / f"{table.name}.parquet"
        # a bad value raises duckdb.Error here, before Spark reads anything
        self._scratch.execute(f"COPY ({select_sql}) TO '{scratch}' (FORMAT parquet)")
        rows = self._scratch.execute(f"SELECT count(*) FROM read_parquet('{scratch}')").fetchone()[0]
        columns = ", ".join(f"cast(`{c.name}` as {SPARK_TYPES[c.sql_type]})" for c in table.columns)
        self._sql(f"insert into {_relation(table.name + INCOMING_SUFFIX)} "
                  f"select {columns} from parquet.`{scratch}`")
        return int(rows)

    def commit(self) -> None:
        for name, (_, replace) in self._staged.items():
            incoming = _relation(name + INCOMING_SUFFIX)
            if replace or not self._exists(name):
                self._sql(f"drop table if exists {_relation(name)}")
                self._sql(f"alter table {incoming} rename to {_relation(name)}")
            else:
                self._sql(f"insert into {_relation(name)} select * from {incoming}")
                self._sql(f"drop table {incoming}")
        self._staged = {}

    def rollback(self) -> None:
        for name in list(self._staged):
            try:
                self.connection.sql(f"drop table if exists {_relation(name + INCOMING_SUFFIX)}")
            except self.errors:
                pass  # the raw tables were not touched either way
        self._staged = {}

    def close(self) -> None:
        self._scratch.close()
        self._dir.cleanup()
        # the Spark session stays: it is the process's (dbt-spark's session mode shares it)


class SparkEngine(Engine):
    name = "spark"

    def __init__(self) -> None:
        try:
            self.warehouse = spark_session.warehouse_dir()
        except spark_session.SparkConfigError as e:
            raise ValidationError(str(e)) from None

    @property
    def location(self) -> str:
        return f"spark warehouse {self.warehouse}"

    def hold(self, owner: str):
        self.warehouse.mkdir(parents=True, exist_ok=True)
        return hold_lock_file(self.warehouse, owner, self.location)

    def begin(self) -> SparkWriter:
        return SparkWriter(self.location)
