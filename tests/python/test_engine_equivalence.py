"""The same models give the same marts on every engine (README "Engines").

One small generated dataset with dirty rows (fixed seed, ending 2026-06-30) is split by
`_loaded_at` into three batches (tests/python/batches.py: the later ones carry late events and
re-exported users, subscriptions, accounts and events). Each engine loads batch 1 (replace) and
builds with --full-refresh, then appends each later batch and builds incrementally, exactly as
DuckDB (the reference) does in lockstep. After every build, every relation of schemas marts and
dq must equal DuckDB's, every column, both ways (EXCEPT ALL in DuckDB over the engine's rows):
timestamps to the microsecond, doubles and decimals to 1e-6 (rounded to 6 decimals), text
exactly, except that JSON text (dq raw rows) may write a timestamp's zero fraction differently
(`00:00:00.000000` on Spark, `00:00:00` on DuckDB). Booleans, dates and integers exactly.

Each engine builds with its tests: the first (full refresh) and the last build run every model,
unit test and data test (`dbt build`), the build in between the models only, to keep CI short.
A failing test on an engine fails this test with dbt's output.

Engines are parameters. Spark runs in this process, in one session for the whole file (dbt-spark
session mode reuses the process's session; scripts/spark_session.py): its warehouse directory
and metastore live in a temporary directory.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

import load_raw  # noqa: E402  (scripts/ is on sys.path through conftest)
from batches import late_event_count, split_by_loaded_at
from conftest import END_DATE, generate, load
from nightly import set_environ

pytestmark = pytest.mark.slow

COMPARED_SCHEMAS = ("marts", "dq")
# 100 accounts hold every dirty-row reason, late and re-exported rows, every milestone status
ACCOUNTS = 100
CUTOFFS = ["2026-06-20", "2026-06-26"]  # three batches: full refresh, then two incremental runs
DECIMALS = 6  # doubles and decimals are compared rounded to this many decimals
NO_TESTS = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")


@pytest.fixture(scope="module")
def batch_dirs(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("engines")
    raw = generate(root / "raw", accounts=ACCOUNTS, seed=11, dirty_rate=0.02)
    batches = split_by_loaded_at(raw, root / "batches", CUTOFFS, late_events=12, reexport_users=9,
                                 reexport_subscriptions=6, reexport_accounts=2, reexport_events=12)
    assert all(n > 0 for n in late_event_count(batches)), "every later batch carries late events"
    return batches


# --------------------------------------------------------------------------------------------
# Engines: load a batch, build, export a relation for DuckDB to read


class SparkEngine:
    """Spark in this process (target `spark`), one session for the module."""

    name = "spark"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.environment = {
            "ACTIVATION_TARGET": "spark",
            "ACTIVATION_SPARK_WAREHOUSE_DIR": str(root / "warehouse"),
            "ACTIVATION_SPARK_METASTORE_DIR": str(root / "metastore"),
        }

    @contextmanager
    def active(self) -> Iterator[None]:
        """The engine's environment (target, warehouse), only while it works: DuckDB builds in
        between run with the default target."""
        previous = {name: os.environ.get(name) for name in self.environment}
        set_environ(self.environment)
        try:
            yield
        finally:
            set_environ(previous)

    def __enter__(self) -> SparkEngine:
        import spark_session

        with self.active():
            self.spark = spark_session.get_session()
        return self

    def __exit__(self, *exc) -> None:
        pass  # the session lives as long as the process (dbt-spark's session mode shares it)

    def load(self, batch: Path, append: bool) -> None:
        with self.active():
            load_raw.load(batch, append=append, target="spark")

    def build(self, dbt, *flags: str):
        # the Dbt fixture sets the DuckDB path (unused here) and as_of_date
        with self.active():
            return dbt("build", *flags, database=self.root / "unused.duckdb", as_of_date=END_DATE)

    def count(self, table: str) -> int:
        schema, name = table.split(".")
        return self.spark.table(table).count() if name in self.relations(schema) else 0

    def relations(self, schema: str) -> set[str]:
        if not self.spark.catalog.databaseExists(schema):
            return set()
        return {row.tableName for row in self.spark.sql(f"show tables in {schema}").collect()
                if not row.isTemporary}

    def export(self, schema: str, name: str, out: Path) -> str:
        """Write the relation as Parquet; returns a DuckDB table expression over it."""
        self.spark.table(f"{schema}.`{name}`").write.mode("overwrite").parquet(str(out))
        return f"read_parquet('{out}/*.parquet')"


ENGINES: dict[str, Callable[[Path], object]] = {"spark": SparkEngine}


def _require(program: str, why: str) -> None:
    """CI installs what the engines need (.ci/run): there a missing program fails the test;
    elsewhere it skips, saying what to install."""
    if shutil.which(program) is None:
        message = f"{why} needs `{program}` on PATH"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must install it: make java)")
        pytest.skip(message + " (make java)")


@pytest.fixture(scope="module", params=sorted(ENGINES))
def engine(request, tmp_path_factory) -> Iterator:
    if request.param == "spark":
        _require("java", "Spark")
    with ENGINES[request.param](tmp_path_factory.mktemp(request.param)) as started:
        yield started


# --------------------------------------------------------------------------------------------
# Comparison


def _normalised(column: str, duckdb_type: str) -> str:
    quoted = f'"{column}"'
    upper = duckdb_type.upper()
    if upper in ("DOUBLE", "FLOAT", "REAL") or upper.startswith("DECIMAL"):
        return f"round(cast({quoted} as double), {DECIMALS}) as {quoted}"
    if upper == "VARCHAR":
        # JSON text: a timestamp's fraction without trailing zeros (and no bare dot)
        trimmed = f"regexp_replace({quoted}, '(\\d{{2}}:\\d{{2}}:\\d{{2}}\\.\\d*?)0+\"', '\\1\"', 'g')"
        return f"regexp_replace({trimmed}, '(\\d{{2}}:\\d{{2}}:\\d{{2}})\\.\"', '\\1\"', 'g') as {quoted}"
    return f"cast({quoted} as {duckdb_type}) as {quoted}"


def engine_differences(engine, reference: Path, workdir: Path) -> dict[str, str]:
    """{relation: what differs} between the engine's marts and dq and DuckDB's."""
    con = duckdb.connect(":memory:")
    diffs: dict[str, str] = {}
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"attach '{reference}' as reference (read_only)")
        listed = ", ".join(f"'{s}'" for s in COMPARED_SCHEMAS)
        columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for schema, name, column, typ in con.execute(
                "select table_schema, table_name, column_name, data_type from information_schema.columns "
                f"where table_catalog = 'reference' and table_schema in ({listed}) "
                "order by table_schema, table_name, ordinal_position").fetchall():
            columns.setdefault((schema, name), []).append((column, typ))
        for schema in COMPARED_SCHEMAS:
            expected = {name for s, name in columns if s == schema}
            found = engine.relations(schema)
            if expected != found:
                diffs[schema] = f"relations only in DuckDB: {sorted(expected - found)}, only in {engine.name}: {sorted(found - expected)}"
        for (schema, name), cols in sorted(columns.items()):
            if f"{schema}" in diffs:
                continue
            source = engine.export(schema, name, workdir / f"{schema}.{name}")
            engine_cols = [row[0] for row in con.execute(f"describe select * from {source}").fetchall()]
            if engine_cols != [c for c, _ in cols]:
                diffs[f"{schema}.{name}"] = f"columns {engine_cols} != DuckDB's {[c for c, _ in cols]}"
                continue
            select = ", ".join(_normalised(c, t) for c, t in cols)
            theirs = f"select {select} from {source}"
            ours = f'select {select} from reference.{schema}."{name}"'
            only_engine = con.execute(f"select * from ({theirs} except all {ours}) limit 3").fetchall()
            only_duckdb = con.execute(f"select * from ({ours} except all {theirs}) limit 3").fetchall()
            if only_engine or only_duckdb:
                n_engine = con.execute(f"select count(*) from ({theirs} except all {ours})").fetchone()[0]
                n_duckdb = con.execute(f"select count(*) from ({ours} except all {theirs})").fetchone()[0]
                diffs[f"{schema}.{name}"] = (
                    f"{n_engine} rows only in {engine.name}, e.g. {only_engine}; "
                    f"{n_duckdb} rows only in DuckDB, e.g. {only_duckdb}")
        return diffs
    finally:
        con.close()


# --------------------------------------------------------------------------------------------


def _check(run, what: str) -> None:
    assert run.success, f"{what} failed:\n" + "\n".join(run.failures()) + "\n" + run.text[-4000:]


def test_engine_equals_duckdb_full_refresh_then_incremental(dbt, engine, batch_dirs, tmp_path):
    reference = tmp_path / "reference.duckdb"
    timings = []
    for position, batch in enumerate(batch_dirs):
        append = position > 0
        first, last = position == 0, position == len(batch_dirs) - 1
        flags = ("--full-refresh",) if first else ()
        load(batch, reference, append=append)
        _check(dbt("build", *flags, *NO_TESTS, database=reference), f"DuckDB build of batch {position + 1}")

        started = dt.datetime.now()
        engine.load(batch, append=append)
        run = engine.build(dbt, *flags, *(() if first or last else NO_TESTS))
        timings.append((dt.datetime.now() - started).total_seconds())
        _check(run, f"{engine.name} build of batch {position + 1} ({'full refresh' if first else 'incremental'})")

        diffs = engine_differences(engine, reference, tmp_path / f"batch_{position + 1}")
        assert not diffs, f"{engine.name} != DuckDB after batch {position + 1}:\n" + "\n".join(
            f"  {relation}: {what}" for relation, what in diffs.items())
    print(f"{engine.name}: load + build per batch (s): {[round(t) for t in timings]}")


def test_engine_loader_keeps_the_contract(engine, tmp_path):
    """A file with a missing column loads nothing, with the DuckDB loader's message; an append
    adds rows to what is there."""
    source = tmp_path / "bad"
    source.mkdir()
    (source / "accounts.csv").write_text(
        "account_id,account_name,vertical,motion,created_at,_loaded_at\n"
        "a1,Acme,crm,plg,2026-01-01 00:00:00,2026-01-01 00:00:00\n")
    (source / "interventions.csv").write_text(
        "intervention_id,account_id,user_id,channel,campaign,sent_at\n"
        "i1,a1,,email,setup_help,2026-01-02 00:00:00\n")
    before = engine.count("raw.accounts")
    with pytest.raises(load_raw.ValidationError) as refused:
        engine.load(source, append=True)
    assert "accounts.csv: missing required column(s): is_test_account" in str(refused.value)
    assert engine.count("raw.accounts") == before
    assert not [t for t in engine.relations("raw") if t.endswith("__incoming")]

    (source / "accounts.csv").write_text(
        "account_id,account_name,vertical,motion,created_at,is_test_account,_loaded_at\n"
        "a1,Acme,crm,plg,2026-01-01 00:00:00,maybe,2026-01-01 00:00:00\n")
    with pytest.raises(load_raw.ValidationError) as refused:
        engine.load(source, append=True)
    assert "accounts.csv: column is_test_account: cannot parse 'maybe'" in str(refused.value)
    assert engine.count("raw.accounts") == before

    (source / "accounts.csv").write_text(
        "account_id,account_name,vertical,motion,created_at,is_test_account,_loaded_at\n"
        "a1,Acme,crm,plg,2026-01-01 00:00:00.123456,false,2026-01-01 00:00:00\n")
    engine.load(source, append=True)
    rows = engine.spark.sql("select created_at, is_test_account from raw.accounts where account_id = 'a1'").collect()
    assert [(r.created_at, r.is_test_account) for r in rows] == [(dt.datetime(2026, 1, 1, 0, 0, 0, 123456), False)]
    assert engine.count("raw.accounts") == before + 1
