"""Shared fixtures: run dbt in-process (dbtRunner: ~2 s to start once, ~0.2 s a call after),
generate and load raw data, and query a warehouse file.

DuckDB allows one database instance per file per process. dbt-duckdb keeps its instance open
in this process after a run, so tests read warehouses through `connect()` below (same default
configuration, so it shares that instance) and load raw data in-process, never from a second
process while dbt holds the file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))

from dbt.cli.main import dbtRunner  # noqa: E402

import generate_data  # noqa: E402
import load_raw  # noqa: E402
from nightly import set_environ  # noqa: E402

# Every end-to-end dataset ends here and every build runs as of this date, so results never
# depend on the day the tests run.
END_DATE = "2026-06-30"
AS_OF_DATE = END_DATE


@dataclass
class DbtRun:
    success: bool
    messages: list[str] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)  # node unique_id -> status
    failing_rows: dict[str, int] = field(default_factory=dict)  # test unique_id -> rows it returned

    @property
    def text(self) -> str:
        return "\n".join(self.messages)

    def failures(self) -> list[str]:
        return [node for node, status in self.statuses.items() if status in ("error", "fail", "runtime error")]


class Dbt:
    """dbt in this process, against a chosen DuckDB file and project directory."""

    def __init__(self, workdir: Path) -> None:
        self._messages: list[str] = []
        self._runner = dbtRunner(callbacks=[self._collect])
        # artefacts of test runs stay out of the project's own target/ and logs/
        self._workdir = workdir
        self._latest_target: dict[Path, Path] = {}

    def target_path(self, project_dir: Path = PROJECT_ROOT) -> Path:
        """Where the latest run of `project_dir` wrote its artefacts (manifest, semantic manifest,
        docs, compiled SQL)."""
        return self._latest_target[project_dir]

    def _target_for(self, project_dir: Path, connection: dict[str, str | None]) -> Path:
        """One target directory per project and connection. dbt saves its parse in the target
        directory (partial_parse.msgpack) and parses the whole project again (~8 s) when the
        profile's connection differs from the saved one: another warehouse file, database or
        engine. A test that builds the same warehouse again then reuses the parse (~1 s), and
        dbt still re-parses whatever changed in between, as it does for a user."""
        key = hashlib.sha256(repr(sorted(connection.items())).encode()).hexdigest()[:16]
        return self._workdir / "target" / project_dir.name / key

    def _collect(self, event) -> None:
        message = event.info.msg
        if message:
            self._messages.append(str(message))

    def __call__(self, *args: str, database: Path | None, as_of_date: str | None = AS_OF_DATE,
                 project_dir: Path = PROJECT_ROOT, extra_vars: dict | None = None,
                 env: dict[str, str] | None = None) -> DbtRun:
        """Run dbt. as_of_date travels the way scripts/nightly.py sends it, in ACTIVATION_AS_OF_DATE
        (a changed --vars value makes dbt re-parse the whole project); extra_vars go in --vars,
        where activation__as_of_date, if given, takes precedence. ``database`` is the DuckDB file
        of target dev; ``env`` sets more variables for the call (another target: ACTIVATION_TARGET
        and its settings), restored after it."""
        environment = {"ACTIVATION_DUCKDB_PATH": str(database) if database else None,
                       "ACTIVATION_AS_OF_DATE": as_of_date, **(env or {})}
        target = self._target_for(project_dir, {name: value for name, value in environment.items()
                                                if name != "ACTIVATION_AS_OF_DATE"})
        self._latest_target[project_dir] = target
        argv = list(args) + [
            "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
            "--target-path", str(target),
            "--log-path", str(self._workdir / "logs"),
        ]
        if extra_vars:
            argv += ["--vars", repr(extra_vars).replace("'", '"')]
        self._messages = []
        previous = {name: os.environ.get(name) for name in environment}
        set_environ(environment)
        try:
            result = self._runner.invoke(argv)
        finally:
            set_environ(previous)
        statuses, failing_rows = {}, {}
        if result.result is not None and hasattr(result.result, "results"):
            statuses = {r.node.unique_id: str(r.status) for r in result.result.results}
            failing_rows = {r.node.unique_id: r.failures for r in result.result.results if r.failures is not None}
        if result.exception is not None:
            self._messages.append(str(result.exception))
        return DbtRun(success=result.success, messages=list(self._messages), statuses=statuses,
                      failing_rows=failing_rows)


# The test files that take longest, longest first (each 2.5-17 minutes of one worker in CI on
# 2 cores; the other files take under 2). `make pytest` gives each worker whole files (--dist
# loadfile) in the order of collection (--no-loadscope-reorder: pytest-xdist would otherwise
# start with the files that have the most tests). Starting with the longest keeps both workers
# busy to the end, instead of one finishing its short files while the other still has a long
# one to run.
LONGEST_FIRST = ("test_engine_equivalence.py", "test_nightly.py", "test_incremental_manifest.py",
                 "test_incremental_equivalence.py", "test_bi.py", "test_nightly_postgres.py",
                 "test_run_scope_audit.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of LONGEST_FIRST first, in its order; the tests of a file, and the other files,
    keep their collection order (a stable sort)."""
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)


@pytest.fixture(scope="session")
def dbt(tmp_path_factory) -> Dbt:
    return Dbt(tmp_path_factory.mktemp("dbt"))


@pytest.fixture(scope="session")
def postgres_server():
    """A scratch PostgreSQL server for this session (tests/python/pg_server.py), stopped at the
    end even when tests fail. Without server binaries the Postgres tests skip, except under
    CI=true, where they fail: CI installs the server (`make postgres`) and must test it."""
    import pg_server

    try:
        server = pg_server.start_server()
    except pg_server.ServerUnavailable as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: the PostgreSQL tests must run, but no server could start: {e}")
        pytest.skip(f"no PostgreSQL server: {e}")
    try:
        yield server
    finally:
        server.stop()


def connect(database: Path) -> duckdb.DuckDBPyConnection:
    """A connection that coexists with dbt-duckdb's instance of the same file in this process
    (configured alike: see scripts/engines/duckdb_engine.py, warehouse_config)."""
    from engines.duckdb_engine import warehouse_config

    return duckdb.connect(str(database), config=warehouse_config())


def checkpointed_copy(database: Path, copy: Path) -> Path:
    """A whole copy of a warehouse file: checkpointed first, so nothing of it waits in the WAL."""
    con = connect(database)
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    shutil.copy(database, copy)
    return copy


def query(database: Path, sql: str) -> list[tuple]:
    con = connect(database)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def generate(out: Path, *, accounts: int, seed: int = 7, dirty_rate: float = 0.02,
             end_date: str = END_DATE, fmt: str = "csv") -> Path:
    argv = ["--accounts", str(accounts), "--seed", str(seed), "--dirty-rate", str(dirty_rate),
            "--end-date", end_date, "--out", str(out), "--format", fmt, "--quiet"]
    assert generate_data.main(argv) in (0, None)
    return out


def load(source_dir: Path, database: Path, append: bool = False):
    return load_raw.load(source_dir, database=database, append=append)


def copy_project(destination: Path) -> Path:
    """A copy of the dbt project (no data, no artefacts) to run with edited seeds or files."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT_ROOT / name, destination / name)
    for name in ("models", "macros", "seeds", "analyses", "tests"):
        shutil.copytree(PROJECT_ROOT / name, destination / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return destination


# Compared between an incremental and a full-refresh build: every relation of these schemas, every
# column (business tables carry no run bookkeeping; run state is in RUN_STATE_RELATIONS).
COMPARED_SCHEMAS = ("staging", "intermediate", "marts", "dq")
# run state, not output: what each incremental model processed, and what this run recomputes
RUN_STATE_RELATIONS = {("staging", "activation_incremental_manifest"), ("staging", "stg_product__event_scopes"),
                       ("staging", "base_product__event_key_scopes")}


def relation_differences(incremental: Path, full: Path, workdir: Path) -> dict[str, tuple[int, int]]:
    """Every relation of COMPARED_SCHEMAS in two warehouses but the run state, every column, both ways (EXCEPT ALL): {relation: (rows only in `incremental`, rows only in `full`)}."""
    # dbt-duckdb still holds this file in this process: checkpoint, then copy
    snapshot = checkpointed_copy(full, workdir / "full_refresh_snapshot.duckdb")
    con = connect(incremental)
    try:
        con.execute(f"attach '{snapshot}' as full_refresh (read_only)")
        inc_catalog = con.execute("select current_database()").fetchone()[0]
        listed = ", ".join(f"'{s}'" for s in COMPARED_SCHEMAS)

        def columns(catalog: str) -> dict[tuple[str, str], list[str]]:
            found: dict[tuple[str, str], list[str]] = {}
            for schema, name, column in con.execute(
                    "select table_schema, table_name, column_name from information_schema.columns "
                    f"where table_catalog = ? and table_schema in ({listed}) "
                    "order by table_schema, table_name, ordinal_position", [catalog]).fetchall():
                if (schema, name) not in RUN_STATE_RELATIONS:
                    found.setdefault((schema, name), []).append(column)
            return found

        inc_cols, full_cols = columns(inc_catalog), columns("full_refresh")
        assert set(inc_cols) == set(full_cols), f"different relations: {set(inc_cols) ^ set(full_cols)}"
        diffs = {}
        for (schema, name), cols in sorted(inc_cols.items()):
            assert cols == full_cols[(schema, name)], f"{schema}.{name}: different columns"
            select = ", ".join(f'"{c}"' for c in cols)
            inc_rel = f'"{inc_catalog}".{schema}."{name}"'
            full_rel = f'full_refresh.{schema}."{name}"'
            only_inc = con.execute(f"select count(*) from (select {select} from {inc_rel} "
                                   f"except all select {select} from {full_rel})").fetchone()[0]
            only_full = con.execute(f"select count(*) from (select {select} from {full_rel} "
                                    f"except all select {select} from {inc_rel})").fetchone()[0]
            if only_inc or only_full:
                diffs[f"{schema}.{name}"] = (only_inc, only_full)
        con.execute("detach full_refresh")
        return diffs
    finally:
        con.close()


def format_differences(diffs: dict[str, tuple[int, int]]) -> str:
    return "incremental != full refresh (rows only incremental, rows only full refresh):\n" + "\n".join(
        f"  {rel}: {a} / {b}" for rel, (a, b) in diffs.items())


@pytest.fixture(scope="session")
def dirty_warehouse(tmp_path_factory, dbt) -> tuple[Path, DbtRun]:
    """Generated data with 2% bad rows, loaded and built from scratch as of END_DATE."""
    root = tmp_path_factory.mktemp("dirty")
    raw = generate(root / "raw", accounts=400)
    database = root / "warehouse.duckdb"
    load(raw, database)
    run = dbt("build", "--full-refresh", database=database)
    return database, run
