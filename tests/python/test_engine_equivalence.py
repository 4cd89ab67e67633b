"""The same dataset gives the same marts and dq relations on every engine (issue 15).

One generated dataset with dirty rows (2% bad rows of every kind the generator makes) is split
by `_loaded_at` into three nightly batches (tests/python/batches.py: late events, re-exported
users, subscription changes, accounts and events). Every engine of ENGINES loads batch 1 with
`scripts/load_raw.py`'s `load` (replace) and builds with `--full-refresh`, then appends each
later batch (`--append`) and builds incrementally, all as of 2026-06-30. After every step,
every relation of schemas `marts` and `dq` is read from each engine and compared with DuckDB's,
every column:

* the same relations, the same column names in the same order, the same number of rows;
* the same rows as a multiset: text, booleans, integers and dates exactly, timestamps to the
  microsecond, and doubles (rates, minutes, days) to FLOAT_DECIMALS decimal places (their
  difference between engines is float rounding in the last bits; a real difference is far
  larger).

Engines other than DuckDB also run every unit test in the full refresh (Spark its data tests
too), so "dbt build passes" is checked here; the incremental builds skip the tests to keep this
file short: test_nightly_postgres.py runs every data test on full and incremental Postgres
builds. Spark appends the middle batch without building it (Spark rebuilds whole tables). DuckDB's
own tests run in test_end_to_end.py and test_incremental_equivalence.py.

Finally, a second Postgres database gets all three batches and one `--full-refresh` build: it
must equal the incrementally built one.

Spark runs in this process: one local session for the whole file (dbt-spark's session mode
reuses the process's session; scripts/spark_session.py), its warehouse and metastore in a
temporary directory. It needs Java: without it the Spark comparisons skip, or fail under CI=true
(`.ci/run` installs it with `make java`).

A new engine is one entry in ENGINES: a class with `load(batch, append)`, `build(*flags)`,
`relations()` and `skipped_builds` (see `DuckDB` below), constructed from the pytest request
(for its fixtures).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import load_raw
from batches import late_event_count, split_by_loaded_at
from conftest import END_DATE, PROJECT_ROOT, connect, generate
from nightly import set_environ

pytestmark = pytest.mark.slow

COMPARED_SCHEMAS = ("marts", "dq")
FLOAT_DECIMALS = 6
REFERENCE = "duckdb"
NO_TESTS = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
DATA_TESTS_ONLY_EXCLUDED = ("--exclude-resource-type", "test")
CUTOFFS = ["2026-06-20", "2026-06-26"]  # three batches: 1 before 06-20, 2 until 06-26, 3 after
STEPS = ["full_refresh", "incremental_1", "incremental_2"]

Relations = dict[tuple[str, str], tuple[list[str], list[tuple]]]


def _assert_built(run, engine: str) -> None:
    assert run.success, (f"dbt build on {engine} failed:\n" + "\n".join(run.failures()) + "\n"
                         + run.text[-4000:])


class DuckDB:
    name = "duckdb"
    skipped_builds: tuple[str, ...] = ()  # steps whose batch is loaded but not built (see Spark)

    def __init__(self, request, label: str) -> None:
        self.dbt = request.getfixturevalue("dbt")
        self.database = request.getfixturevalue("tmp_path_factory").mktemp(f"duckdb-{label}") / "warehouse.duckdb"

    def load(self, batch: Path, append: bool) -> None:
        load_raw.load(batch, database=self.database, append=append, target="dev")

    def build(self, *flags: str, tests: bool = False) -> None:
        # DuckDB's tests run in test_end_to_end.py and test_incremental_equivalence.py
        run = self.dbt("build", *flags, *NO_TESTS, database=self.database, env={"ACTIVATION_TARGET": None})
        _assert_built(run, self.name)

    def relations(self) -> Relations:
        con = connect(self.database)
        try:
            return _read_relations(con, "?")
        finally:
            con.close()


class Postgres:
    name = "postgres"
    skipped_builds: tuple[str, ...] = ()

    def __init__(self, request, label: str) -> None:
        self.dbt = request.getfixturevalue("dbt")
        self.server = request.getfixturevalue("postgres_server")
        self.dbname = self.server.create_database(f"equivalence_{label}")
        self.env = {"ACTIVATION_TARGET": "postgres", **self.server.environment(self.dbname)}

    def load(self, batch: Path, append: bool) -> None:
        previous = {name: None for name in self.env}
        set_environ(self.env)
        try:
            load_raw.load(batch, append=append)
        finally:
            set_environ(previous)

    def build(self, *flags: str, tests: bool = True) -> None:
        # unit tests here (they run nowhere else on Postgres); the data tests run on Postgres in
        # test_nightly_postgres.py, on its full and its incremental builds
        run = self.dbt("build", *flags, *(DATA_TESTS_ONLY_EXCLUDED if tests else NO_TESTS), database=None,
                       env=self.env)
        _assert_built(run, self.name)

    def relations(self) -> Relations:
        con = self.server.connect(self.dbname)
        try:
            return _read_relations(con, "%s")
        finally:
            con.close()


class EngineUnavailable(Exception):
    """The engine cannot run on this machine (outside CI its comparisons skip)."""


class Spark:
    """A local Spark (target `spark`) in this process: one session, one warehouse per process."""

    name = "spark"
    # Spark rebuilds its incremental models whole from raw (activation_incremental_materialization
    # is `table` there), so a build after the middle batch proves nothing the last one does not:
    # that batch is appended, and its build skipped (two passes of every model on Spark's
    # per-node cost are minutes of CI on 2 cores).
    skipped_builds = ("incremental_1",)

    def __init__(self, request, label: str) -> None:
        if shutil.which("java") is None:
            message = "Spark needs Java on PATH (make java)"
            if os.environ.get("CI"):
                pytest.fail(message + ": CI must install it (.ci/run)")
            raise EngineUnavailable(message)
        self.dbt = request.getfixturevalue("dbt")
        root = request.getfixturevalue("tmp_path_factory").mktemp(f"spark-{label}")
        self.env = {"ACTIVATION_TARGET": "spark",
                    "ACTIVATION_SPARK_WAREHOUSE_DIR": str(root / "warehouse"),
                    "ACTIVATION_SPARK_METASTORE_DIR": str(root / "metastore")}
        import spark_session

        with self._environment():
            self.spark = spark_session.get_session()

    @contextmanager
    def _environment(self) -> Iterator[None]:
        """The target's variables, only while Spark works (DuckDB builds in between use dev)."""
        previous = {name: os.environ.get(name) for name in self.env}
        set_environ(self.env)
        try:
            yield
        finally:
            set_environ(previous)

    def load(self, batch: Path, append: bool) -> None:
        with self._environment():
            load_raw.load(batch, append=append)

    def build(self, *flags: str, tests: bool = True) -> None:
        # every unit and data test in the full refresh, none in the incremental builds: on Spark
        # an incremental run executes the same SQL as a full refresh (the incremental models are
        # tables rebuilt whole), and Spark's per-node cost makes each pass of the ~300 tests take
        # minutes on 2 cores. The comparison after every build checks the incremental results.
        full = "--full-refresh" in flags
        run = self.dbt("build", *flags, *(() if full and tests else NO_TESTS), database=None, env=self.env)
        _assert_built(run, self.name)

    def relations(self) -> Relations:
        found = {}
        for schema in COMPARED_SCHEMAS:
            if not self.spark.catalog.databaseExists(schema):
                continue
            for table in self.spark.sql(f"show tables in {schema}").collect():
                if table.isTemporary:
                    continue
                frame = self.spark.table(f"{schema}.`{table.tableName}`")
                # a timestamp column read as timestamp_ntz: its UTC wall time (session time
                # zone), whatever the time zone of this Python process
                columns = [f"cast(`{f.name}` as timestamp_ntz) as `{f.name}`"
                           if f.dataType.simpleString() == "timestamp" else f"`{f.name}`"
                           for f in frame.schema.fields]
                rows = frame.selectExpr(*columns).collect()
                found[(schema, table.tableName)] = (frame.columns, [tuple(row) for row in rows])
        return found


# engine name -> class; the first is the reference every other engine is compared with
ENGINES = {"duckdb": DuckDB, "postgres": Postgres, "spark": Spark}


def _read_relations(con, placeholder: str) -> Relations:
    """Every relation of COMPARED_SCHEMAS: its columns (in order) and all its rows."""
    listed = ", ".join(f"'{s}'" for s in COMPARED_SCHEMAS)
    cur = con.cursor()
    cur.execute("select table_schema, table_name, column_name from information_schema.columns "
                f"where table_schema in ({listed}) and table_catalog = current_database() "
                "order by table_schema, table_name, ordinal_position")
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, name, column in cur.fetchall():
        columns.setdefault((schema, name), []).append(column)
    found = {}
    for (schema, name), cols in columns.items():
        cur.execute("select " + ", ".join(f'"{c}"' for c in cols) + f' from "{schema}"."{name}"')
        found[(schema, name)] = (cols, [tuple(row) for row in cur.fetchall()])
    return found


def _normalized(value):
    if isinstance(value, float | decimal.Decimal) and not isinstance(value, bool):
        value = float(value)
        return round(value, FLOAT_DECIMALS) + 0.0 if math.isfinite(value) else value
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


def _close(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(
        math.isclose(x, y, abs_tol=10 ** -FLOAT_DECIMALS) if isinstance(x, float) and isinstance(y, float)
        else x == y for x, y in zip(a, b))


def differences(expected: Relations, actual: Relations) -> list[str]:
    """What differs between two engines' relations (empty when equal)."""
    found = []
    if set(expected) != set(actual):
        found.append(f"relations only in the reference: {sorted(set(expected) - set(actual))}; "
                     f"only in the other: {sorted(set(actual) - set(expected))}")
    for key in sorted(set(expected) & set(actual)):
        (cols_a, rows_a), (cols_b, rows_b) = expected[key], actual[key]
        relation = ".".join(key)
        if cols_a != cols_b:
            found.append(f"{relation}: columns {cols_a} != {cols_b}")
            continue
        a = Counter(tuple(_normalized(v) for v in row) for row in rows_a)
        b = Counter(tuple(_normalized(v) for v in row) for row in rows_b)
        if a == b:
            continue
        only_a, only_b = list((a - b).elements()), list((b - a).elements())
        # a double on either side of a rounding boundary: pair the leftovers with a tolerance
        unmatched = []
        for row in only_a:
            match = next((i for i, other in enumerate(only_b) if _close(row, other)), None)
            if match is None:
                unmatched.append(row)
            else:
                only_b.pop(match)
        if unmatched or only_b:
            found.append(f"{relation}: {len(rows_a)} vs {len(rows_b)} rows; {len(unmatched)} rows only in "
                         f"the reference, e.g. {unmatched[:2]}; {len(only_b)} only in the other, "
                         f"e.g. {only_b[:2]}")
    return found


@pytest.fixture(scope="module")
def batches(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("engines")
    raw = generate(root / "raw", accounts=100, seed=31, dirty_rate=0.02, end_date=END_DATE)
    split = split_by_loaded_at(raw, root / "batches", CUTOFFS, late_events=20, reexport_users=12,
                               reexport_subscriptions=8, reexport_accounts=3, reexport_events=20)
    late = late_event_count(split)
    assert len(split) == 3 and all(n > 0 for n in late), f"every later batch carries late events: {late}"
    return split


@pytest.fixture(scope="module")
def engines(request) -> dict:
    """name -> engine, or the reason it cannot run here (EngineUnavailable)."""
    found = {}
    for name, engine_class in ENGINES.items():
        try:
            found[name] = engine_class(request, "incremental")
        except EngineUnavailable as e:
            found[name] = str(e)
    return found


@pytest.fixture(scope="module")
def snapshots(engines, batches) -> dict[str, dict[str, Relations]]:
    """step -> engine -> relations, every engine built step by step on the same batches."""
    found: dict[str, dict[str, Relations]] = {}
    for step, batch in zip(STEPS, batches):
        found[step] = {}
        for name, engine in engines.items():
            if isinstance(engine, str):  # unavailable here: its comparisons skip
                continue
            first = step == STEPS[0]
            engine.load(batch, append=not first)
            if step in engine.skipped_builds:
                continue
            engine.build(*(["--full-refresh"] if first else []), tests=first)
            found[step][name] = engine.relations()
    return found


@pytest.mark.parametrize("engine", [name for name in ENGINES if name != REFERENCE])
@pytest.mark.parametrize("step", STEPS)
def test_engine_equals_duckdb(engines, snapshots, step, engine):
    if isinstance(engines[engine], str):
        pytest.skip(engines[engine])
    if step in engines[engine].skipped_builds:
        pytest.skip(f"{engine} appends this batch without building it (see its skipped_builds)")
    reference = snapshots[step][REFERENCE]
    assert reference, "no relations read from the reference engine"
    marts = [key for key in reference if key[0] == "marts" and reference[key][1]]
    assert len(marts) >= 10, f"the reference's marts are empty: {sorted(reference)}"
    assert any(rows for key, (_, rows) in reference.items() if key == ("dq", "dq_rejected_rows")), \
        "the dataset has no rejected rows: the dirty rows did not reach dq"
    found = differences(reference, snapshots[step][engine])
    assert not found, f"{engine} != {REFERENCE} after {step}:\n  " + "\n  ".join(found)


def test_postgres_incremental_equals_a_postgres_full_refresh(request, snapshots, batches):
    incremental = snapshots[STEPS[-1]]["postgres"]
    full = Postgres(request, "full_refresh")
    for i, batch in enumerate(batches):
        full.load(batch, append=i > 0)
    full.build("--full-refresh", tests=False)
    found = differences(full.relations(), incremental)
    assert not found, "Postgres incremental != Postgres full refresh:\n  " + "\n  ".join(found)


def test_postgres_builds_every_model_empty(request, batches):
    """`dbt build --empty`, the schema-only build a CI job runs before its unit tests, works on
    Postgres: there dbt reads every ref and source as `(select ... limit 0) _dbt_limit_subq_<name>`
    (Postgres needs a subquery alias), so no model, macro or test may give a relation a second
    alias. Twice, data tests included: on a database with only raw loaded (full builds), then
    over the tables it made (the incremental models' plans, scopes and hooks). Every mart then
    exists, with no rows (but the time spine, which spans the year of as_of_date when
    dim_accounts is empty)."""
    engine = Postgres(request, "empty")
    engine.load(batches[0], append=False)
    for _ in range(2):
        _assert_built(engine.dbt("build", "--empty", "--exclude-resource-type", "unit_test", database=None,
                                 env=engine.env), engine.name)
    marts = {name: rows for (schema, name), (_, rows) in engine.relations().items()
             if schema == "marts" and name != "metricflow_time_spine"}
    assert len(marts) >= 10, f"the marts were not built: {sorted(marts)}"
    assert not any(marts.values()), {name: len(rows) for name, rows in marts.items() if rows}


def test_postgres_reads_raw_timestamps_with_a_time_zone_in_utc_or_stops(request, batches):
    """An extract-load tool may type raw timestamps `timestamp with time zone`; Postgres reads
    them as wall times of the session's zone, which the profile cannot set. In another zone the
    run stops at its start, naming the columns and the fix (PGTZ=UTC), instead of shifting every
    signup; with PGTZ=UTC each timestamp is its UTC time."""
    engine = Postgres(request, "time_zone")
    engine.load(batches[0], append=False)
    con = engine.server.connect(engine.dbname)
    try:
        with con.cursor() as cur:
            cur.execute("select account_id, created_at from raw.accounts order by account_id limit 1")
            account_id, created_at = cur.fetchone()
            cur.execute("set timezone = 'UTC'")
            cur.execute("alter table raw.accounts alter column created_at type timestamptz "
                        "using created_at at time zone 'UTC'")
    finally:
        con.close()
    select = ("run", "--select", "base_product__accounts")
    stopped = engine.dbt(*select, database=None, env={**engine.env, "PGTZ": "America/New_York"})
    assert not stopped.success
    assert ("Raw columns of type timestamp with time zone (accounts.created_at) would be read in this "
            "session's time zone, America/New_York, not in UTC. Run dbt with the environment variable "
            "PGTZ=UTC") in stopped.text, stopped.text[-3000:]
    _assert_built(engine.dbt(*select, database=None, env={**engine.env, "PGTZ": "UTC"}), engine.name)
    con = engine.server.connect(engine.dbname)
    try:
        with con.cursor() as cur:
            cur.execute("select created_at from staging.base_product__accounts where account_id = %s", (account_id,))
            assert cur.fetchone()[0] == created_at
    finally:
        con.close()


def test_spark_loader_keeps_the_contract(engines, snapshots, tmp_path):
    """The Spark loader refuses what the DuckDB loader refuses, with its messages, and loads
    nothing then (no staging table left behind); an append adds rows with the contract's types.
    Runs after every build (it depends on `snapshots`): it changes Spark's raw tables."""
    spark = engines["spark"]
    if isinstance(spark, str):
        pytest.skip(spark)

    def count() -> int:
        return spark.spark.table("raw.accounts").count()

    def raw_tables() -> set[str]:
        return {t.tableName for t in spark.spark.sql("show tables in raw").collect()}

    before, tables = count(), raw_tables()
    source = tmp_path / "files"
    source.mkdir()
    header = "account_id,account_name,vertical,motion,created_at,is_test_account,_loaded_at\n"
    (source / "interventions.csv").write_text(
        "intervention_id,account_id,user_id,channel,campaign,sent_at\ni1,a1,,email,setup_help,2026-01-02 00:00:00\n")
    (source / "accounts.csv").write_text(header.replace("is_test_account,", "") + "loader-check,Acme,crm,plg,2026-01-01 00:00:00,\n")
    with pytest.raises(load_raw.ValidationError) as refused:
        spark.load(source, append=True)
    assert "accounts.csv: missing required column(s): is_test_account" in str(refused.value)
    assert count() == before and raw_tables() == tables

    (source / "accounts.csv").write_text(header + "loader-check,Acme,crm,plg,2026-01-01 00:00:00,maybe,\n")
    with pytest.raises(load_raw.ValidationError) as refused:
        spark.load(source, append=True)
    assert "accounts.csv: column is_test_account: cannot parse 'maybe'" in str(refused.value)
    assert count() == before and raw_tables() == tables

    (source / "accounts.csv").write_text(header + "loader-check,Acme,crm,plg,2026-01-01 00:00:00.123456,false,\n")
    spark.load(source, append=True)
    assert count() == before + 1 and raw_tables() == tables
    row = spark.spark.sql("select cast(created_at as timestamp_ntz) as created_at, is_test_account, "
                          "_loaded_at is not null as stamped from raw.accounts where account_id = 'loader-check'").collect()
    assert [tuple(r) for r in row] == [(dt.datetime(2026, 1, 1, 0, 0, 0, 123456), False, True)]


def test_spark_loader_session_has_the_spark_target_settings(monkeypatch):
    """The loader's Spark session (scripts/spark_session.py) and dbt's (profiles.yml, output
    `spark`) set the same Spark settings from the same variables: one warehouse, one metastore."""
    import spark_session
    import yaml

    monkeypatch.setenv("ACTIVATION_SPARK_WAREHOUSE_DIR", "/data/wh")
    monkeypatch.delenv("ACTIVATION_SPARK_METASTORE_DIR", raising=False)
    profile = yaml.safe_load((PROJECT_ROOT / "profiles.yml").read_text())
    output = profile["activation"]["outputs"]["spark"]
    assert (output["type"], output["method"]) == ("spark", "session")
    loader = spark_session.settings()
    assert set(output["server_side_parameters"]) == set(loader) - {"spark.sql.ansi.enabled"}  # dbt-spark adds it
    assert loader["spark.sql.warehouse.dir"] == "/data/wh"
    assert loader["spark.hadoop.javax.jdo.option.ConnectionURL"] == \
        "jdbc:derby:;databaseName=/data/wh_metastore/metastore_db;create=true"
    for name in ("ACTIVATION_SPARK_WAREHOUSE_DIR", "ACTIVATION_SPARK_METASTORE_DIR"):
        assert all(name in str(value) for key, value in output["server_side_parameters"].items()
                   if key in ("spark.hadoop.javax.jdo.option.ConnectionURL", "spark.driver.extraJavaOptions"))
    monkeypatch.delenv("ACTIVATION_SPARK_WAREHOUSE_DIR")
    with pytest.raises(spark_session.SparkConfigError, match="ACTIVATION_SPARK_WAREHOUSE_DIR is not set"):
        spark_session.settings()


def test_unit_test_names_fit_postgres_identifiers():
    """dbt names a unit test's relation after the test; Postgres identifiers are 63 bytes."""
    import yaml

    too_long = []
    for path in (PROJECT_ROOT / "models").rglob("*.yml"):
        for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", []) or []:
            if len(test["name"].encode()) > 63:
                too_long.append(f"{path.relative_to(PROJECT_ROOT)}: {test['name']}")
    assert not too_long, "unit-test names longer than 63 bytes:\n" + "\n".join(too_long)


def test_the_comparison_sees_a_microsecond_and_a_double_beyond_tolerance():
    """The comparison itself: equal within the stated tolerance, different beyond it."""
    at = dt.datetime(2026, 6, 30, 12, 0, 0, 123456)
    reference = {("marts", "m"): (["id", "at", "rate"], [("a", at, 0.1), ("b", None, None)])}

    def variant(at_value, rate) -> Relations:
        return {("marts", "m"): (["id", "at", "rate"], [("b", None, None), ("a", at_value, rate)])}

    assert differences(reference, variant(at, 0.1 + 1e-12)) == []  # row order and float noise
    assert differences(reference, variant(at + dt.timedelta(microseconds=1), 0.1))
    assert differences(reference, variant(at, 0.1 + 2 * 10 ** -FLOAT_DECIMALS))
    assert differences(reference, {("marts", "m"): (["id", "rate", "at"], [])})
    assert differences(reference, {})
