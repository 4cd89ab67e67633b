#!/usr/bin/env python3
"""The nightly refresh: load new raw files, check freshness, build, and publish (write-audit-publish).

Usage::

    python scripts/nightly.py [--source-dir DIR] [--database PATH] [--serving-path PATH]
                              [--as-of-date YYYY-MM-DD] [--full-refresh] [--fail-on-stale]
                              [--unit-tests] [--quiet] [--target-path DIR]
                              [--log-path DIR]

Steps, in one process (dbt runs in-process through ``dbtRunner``), holding the warehouse from
the first to the last: its lock file ``<warehouse>.lock`` (scripts/warehouse_lock.py; a second
nightly, or load_raw.py, is refused at once with exit 2) and an open DuckDB connection, so that
DuckDB's own file lock is not released between the load and dbt either (dbt-duckdb shares this
process's instance of the file). The last step, publish or not, checkpoints the warehouse while
it is still held:

1. **Load** the files of ``--source-dir`` (``<table>.csv|.parquet``, the load_raw contract) with
   ``load_raw.load(..., append=True)``. An absent or empty directory means no new data; a file
   meant for a table but named otherwise (``Users.csv``, ``events.csv.gz``) refuses the load
   (exit 2, ``load_raw.misnamed_files``), and other files are named as ignored. Each file's
   SHA-256 is recorded in ``raw._nightly_file_loads``, inside the load's own transaction (the
   ``before_commit`` step of ``load_raw.load``): the rows and their record commit together or
   not at all, so a file already loaded is skipped and rerunning the same command after a
   failure or a kill, at any point, never appends the same file twice.
2. **Freshness**: ``dbt source freshness`` (thresholds in models/staging/_staging__sources.yml).
   A stale source is reported; it stops the run only with ``--fail-on-stale`` (exit 4).
3. **Write + audit**: ``dbt build`` (incremental; ``--full-refresh`` rebuilds everything), with
   ``activation__as_of_date`` from ``--as-of-date`` when given (passed as the environment variable
   ``ACTIVATION_AS_OF_DATE``, which macros/config/as_of.sql reads when the var is not set: a new
   ``--vars`` value would make dbt re-parse the whole project every night). Unit tests check SQL
   logic on fixtures, not data, and belong to CI (``make test``); they are excluded here unless
   ``--unit-tests`` is given. Every data test runs. dbt's log file (``logs/dbt.log``, or
   ``--log-path``) is written at level ``info`` (each node, its result and any error), not dbt's
   default ``debug``, which adds every SQL statement and flushes the file line by line: about 2
   s of the fixed cost of a run (README "Performance"). ``DBT_LOG_LEVEL_FILE=debug`` restores it.
4. **Publish**, only if nothing errored and every error-severity test passed: every relation of
   schemas ``marts`` and ``dq`` is copied, as a table, into a new DuckDB file next to the serving
   file (``<serving>.tmp-<pid>``), with ``meta.publication`` (one row: when, as of which date,
   from which warehouse) and ``meta.relations`` (row count of every published relation). The file
   is written in DuckDB storage format ``v1.4.0`` (``SERVING_STORAGE_VERSION``), which DuckDB 1.4
   and later clients open (the warehouse's own 2.0 format is refused by every 1.x client), and
   carries the warehouse's table and column comments (the YAML descriptions, which
   ``persist_docs`` writes there; a CREATE TABLE AS copy drops them). The new
   file is checkpointed, re-opened read-only and checked against ``meta.relations`` and its
   storage version, fsynced, made read-only (the read bits that both the umask, which DuckDB
   applied when it created the file, and the warehouse file allow: never wider than the
   warehouse) and moved over the serving file with ``os.replace`` (atomic on POSIX). A reader that has the old file open keeps reading the old snapshot, whole, until it
   reconnects; a new connection sees the new snapshot, whole. A run that fails or is killed
   before the rename leaves the serving file as it was; a leftover ``.tmp-<pid>`` of a dead
   process is removed by the next publish.

Paths: the warehouse is ``--database``, else ``$ACTIVATION_DUCKDB_PATH``, else
``activation.duckdb`` at the project root; the serving file is ``--serving-path``, else
``$ACTIVATION_SERVING_PATH``, else ``activation_serving.duckdb`` at the project root.

Exit codes:

    0  built, every error-severity test passed, serving file published
    1  built, but an error-severity data test failed: not published
    2  nothing built: bad arguments, a bad input file (nothing loaded), the warehouse locked by
       another process (another nightly, a load, a dbt run or SQL client), or an I/O error
       reading it
    3  dbt error (parse/compile error, a model, seed or test that could not run): not published
    4  a source is stale (freshness error) and --fail-on-stale was given: not built, not published
    5  built and tested, but writing the serving file failed: the previous serving file is untouched

On Postgres (``ACTIVATION_TARGET=postgres``; the server from the ``ACTIVATION_PG_*`` variables,
``--database`` refused) the steps are the same, with the same exit codes: the warehouse is held
by an advisory lock (scripts/engines/postgres_engine.py), the ledger is written in the load's
COPY transaction, and step 4 publishes into schemas ``serving_marts``, ``serving_dq`` and
``serving_meta`` of the same database in one transaction (scripts/nightly_postgres.py);
``--serving-path`` does not apply.

Importable: ``main(argv) -> int``; ``run(options) -> NightlyResult``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import engines  # noqa: E402
import nightly_postgres  # noqa: E402
import warehouse_lock  # noqa: E402

import load_raw  # noqa: E402
from raw_schema import RAW_SCHEMA, TABLES  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATABASE_ENV_VAR = "ACTIVATION_DUCKDB_PATH"
SERVING_ENV_VAR = "ACTIVATION_SERVING_PATH"
# dbt's own variable; when unset, the nightly writes dbt's log file at DEFAULT_LOG_LEVEL_FILE
LOG_LEVEL_FILE_ENV_VAR = "DBT_LOG_LEVEL_FILE"
DEFAULT_LOG_LEVEL_FILE = "info"
DEFAULT_SERVING = "activation_serving.duckdb"
PUBLISHED_SCHEMAS = ("marts", "dq")
# The serving file's DuckDB storage format: readable by DuckDB 1.4+ clients (Python, Node's
# @duckdb/node-api 1.4+, JDBC 1.4+ in DBeaver), not only by the 2.0 that builds the warehouse.
SERVING_STORAGE_VERSION = "v1.4.0"
LEDGER = f"{RAW_SCHEMA}._nightly_file_loads"
AS_OF_ENV_VAR = "ACTIVATION_AS_OF_DATE"  # read by macros/config/as_of.sql when the dbt var is unset

EXIT_PUBLISHED = 0
EXIT_TESTS_FAILED = 1
EXIT_LOAD_OR_LOCK = 2
EXIT_DBT_ERROR = 3
EXIT_STALE = 4
EXIT_PUBLISH_FAILED = 5
EXIT_MEANING = {
    EXIT_PUBLISHED: "published",
    EXIT_TESTS_FAILED: "error-severity test(s) failed; not published",
    EXIT_LOAD_OR_LOCK: "load / lock error; nothing built",
    EXIT_DBT_ERROR: "dbt error; not published",
    EXIT_STALE: "stale source (--fail-on-stale); not built",
    EXIT_PUBLISH_FAILED: "publish failed; previous serving file untouched",
}


class NightlyError(Exception):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# --------------------------------------------------------------------------------------------
# Options and result


@dataclass
class Options:
    database: Path
    serving_path: Path
    source_dir: Path | None = None
    as_of_date: str | None = None
    as_of_date_source: str = "--as-of-date"  # where as_of_date came from, for messages
    full_refresh: bool = False
    fail_on_stale: bool = False
    unit_tests: bool = False
    quiet: bool = False
    project_dir: Path = PROJECT_ROOT
    target_path: Path | None = None
    log_path: Path | None = None
    target: str = engines.DEFAULT_TARGET  # ACTIVATION_TARGET: dev (DuckDB) or postgres

    @property
    def on_postgres(self) -> bool:
        return self.target == "postgres"

    @property
    def warehouse(self) -> str:
        """The warehouse, for messages: the DuckDB file, or the Postgres server and database."""
        return engines.engine_for("postgres").location if self.on_postgres else str(self.database)


@dataclass
class NightlyResult:
    exit_code: int = EXIT_PUBLISHED
    started: float = field(default_factory=time.monotonic)
    duration_s: float = 0.0
    message: str = ""
    loaded: dict[str, int] = field(default_factory=dict)  # table -> rows appended
    skipped_files: list[str] = field(default_factory=list)  # already loaded earlier
    new_files: list[str] = field(default_factory=list)  # not loaded before: this run loads them
    ignored_files: list[str] = field(default_factory=list)  # in --source-dir, but no raw table's file
    late_events: int | None = None
    newest_event_before_load: dt.datetime | None = None
    freshness: list[tuple[str, str, float | None]] = field(default_factory=list)  # (source, status, age h)
    tests: dict[str, int] = field(default_factory=dict)  # pass/warn/fail/error/skipped -> count
    nodes: dict[str, int] = field(default_factory=dict)  # model/seed status -> count
    failed_nodes: list[str] = field(default_factory=list)
    # failed constraints_hold / contract_constraints_hold tests: unique_id -> compiled SQL, then
    # unique_id -> their rows (broken rule, rows that break it), read back after the build
    failed_rule_checks: dict[str, str] = field(default_factory=dict)
    broken_rules: dict[str, list[tuple]] = field(default_factory=dict)
    rejects: int | None = None
    rejects_previous: int | None = None
    published: bool = False
    published_relations: int = 0
    full_rebuilds: list[tuple[str, str]] = field(default_factory=list)  # (incremental model, why)
    # the day before dbt's run_started_at in the build: the as_of_date the project defaults to
    build_default_as_of_date: str | None = None
    phase_s: dict[str, float] = field(default_factory=dict)  # step -> seconds, in run order

    def timed(self, phase: str, step, *args) -> None:
        began = time.monotonic()
        try:
            step(*args)
        finally:
            self.phase_s[phase] = self.phase_s.get(phase, 0.0) + time.monotonic() - began


# --------------------------------------------------------------------------------------------
# Step 1: load


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _connect_warehouse(database: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection, configured as dbt-duckdb opens the file (profiles.yml
    config_options), so dbt, in this process, shares its instance."""
    from engines.duckdb_engine import warehouse_config

    try:
        return duckdb.connect(str(database), config=warehouse_config())
    except duckdb.IOException as e:
        if "Could not set lock" in str(e):
            raise NightlyError(
                f"warehouse {database} is locked by another process (a dbt run, a loader, or a SQL "
                "client / BI tool connected to the warehouse instead of the serving file). "
                "Nothing was loaded or built.", EXIT_LOAD_OR_LOCK) from None
        raise NightlyError(f"cannot open warehouse {database}: {e}", EXIT_LOAD_OR_LOCK) from None
    except duckdb.Error as e:
        raise NightlyError(f"cannot open warehouse {database}: {e}", EXIT_LOAD_OR_LOCK) from None


@contextmanager
def hold_warehouse(database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Hold the warehouse for a whole run: its lock file, then an open connection (see the
    module docstring). Yields that connection; every step of the run uses it or shares its
    instance."""
    with ExitStack() as stack:
        try:
            stack.enter_context(warehouse_lock.hold(database, "nightly.py"))
        except warehouse_lock.WarehouseLockedError as e:
            raise NightlyError(
                f"warehouse {database} is locked by another process: {e.holder} holds {e.lock_file}. "
                "Nothing was loaded or built; rerun when it has finished.", EXIT_LOAD_OR_LOCK) from None
        except warehouse_lock.WarehouseLockError as e:
            raise NightlyError(f"cannot lock warehouse {database}: {e}", EXIT_LOAD_OR_LOCK) from None
        con = _connect_warehouse(database)
        stack.callback(con.close)
        # The run's writes wait in DuckDB's write-ahead log until a checkpoint, which DuckDB would
        # otherwise make when this process exits (dbt's connection keeps the instance open until
        # then): after the lock file is gone, and outside the run's duration (2-4 s at the large
        # preset). Made here, while the warehouse is still held (a published run has made it
        # already, as its last step).
        stack.callback(_checkpoint, con)
        yield con


def _checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("checkpoint")
    except duckdb.Error:
        pass  # DuckDB checkpoints when the process exits


@contextmanager
def hold_postgres() -> Iterator:
    """Hold a Postgres warehouse for a whole run: its advisory lock (engines/postgres_engine.py),
    on a connection (autocommit) that the run's own queries use too."""
    try:
        with engines.engine_for("postgres").hold("nightly.py") as con:
            yield con
    except engines.WarehouseBusy as e:
        raise NightlyError(f"warehouse is locked by another process: {e.holder} holds {e.how}. "
                           "Nothing was loaded or built; rerun when it has finished.", EXIT_LOAD_OR_LOCK) from None
    except engines.LoadIOError as e:
        raise NightlyError(str(e), EXIT_LOAD_OR_LOCK) from None


def _hold(options: Options):
    return hold_postgres() if options.on_postgres else hold_warehouse(options.database)


def _database_errors() -> tuple[type[Exception], ...]:
    try:
        import psycopg2
    except ImportError:  # the Postgres adapter is optional (requirements-engines.txt)
        return (duckdb.Error,)
    return (duckdb.Error, psycopg2.Error)


def _query(con, sql: str, params=None) -> list[tuple]:
    """Rows of a query on the run's connection, DuckDB's or psycopg2's (``?`` placeholders).
    Without params the SQL runs as it is (compiled dbt SQL may hold ``?`` or ``%`` in literals)."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        return (con.execute(sql) if params is None else con.execute(sql, list(params))).fetchall()
    with con.cursor() as cur:
        if params is None:
            cur.execute(sql)
        else:
            cur.execute(sql.replace("?", "%s"), tuple(params))
        return cur.fetchall() if cur.description else []


def _table_exists(con, schema: str, table: str) -> bool:
    return bool(_query(con, "select 1 from information_schema.tables where table_schema = ? and table_name = ?",
                       [schema, table]))


def load_new_files(options: Options, result: NightlyResult, con) -> None:
    source_dir = options.source_dir
    candidates: list[Path] = []
    if source_dir is not None and source_dir.is_dir():
        misnamed = load_raw.misnamed_files(source_dir)
        if misnamed:
            raise NightlyError(f"load refused ({source_dir}), nothing loaded:\n  " + "\n  ".join(misnamed),
                               EXIT_LOAD_OR_LOCK)
        result.ignored_files = load_raw.unrecognised_files(source_dir)
        for name in TABLES:
            candidates += [p for p in (source_dir / f"{name}.{kind}" for kind in load_raw.FILE_KINDS) if p.is_file()]

    _query(con, f"create schema if not exists {RAW_SCHEMA}")
    _query(con, f"create table if not exists {LEDGER} (file_name varchar, sha256 varchar, "
                "size_bytes bigint, source_path varchar, loaded_at timestamp)")
    already = {sha for (sha,) in _query(con, f"select sha256 from {LEDGER}")}
    hashes = {p: _file_sha256(p) for p in candidates}
    new_files = [p for p in candidates if hashes[p] not in already]
    result.skipped_files = [p.name for p in candidates if hashes[p] in already]
    result.new_files = [p.name for p in new_files]
    if not new_files:
        return
    # Rows appended by this load are those with rowid >= the row count before it (raw tables
    # are only ever appended to or replaced, never deleted from).
    before: dict[str, int] = {}
    for name in TABLES:
        before[name] = (_query(con, f"select count(*) from {RAW_SCHEMA}.{name}")[0][0]
                        if _table_exists(con, RAW_SCHEMA, name) else 0)
    if _table_exists(con, RAW_SCHEMA, "events"):
        result.newest_event_before_load = _query(con, f"select max(occurred_at) from {RAW_SCHEMA}.events")[0][0]

    def record_files(load_con, summary: load_raw.LoadSummary) -> None:
        """The ledger rows, in the load's transaction: they commit with the rows they record."""
        rows = [[p.name, hashes[p], p.stat().st_size, str(p.resolve()), summary.loaded_at] for p in new_files]
        if isinstance(load_con, duckdb.DuckDBPyConnection):
            load_con.executemany(f"insert into {LEDGER} values (?, ?, ?, ?, ?)", rows)
            return
        with load_con.cursor() as cur:  # Postgres: late events counted here, by this transaction's xmin
            cur.executemany(f"insert into {LEDGER} values (%s, %s, %s, %s, %s)", rows)
            if "events" in {t.table for t in summary.loaded} and result.newest_event_before_load is not None:
                result.late_events = nightly_postgres.appended_late_events(cur, result.newest_event_before_load)

    with tempfile.TemporaryDirectory(prefix="nightly-load-") as staging:
        for path in new_files:  # the loader reads a directory: give it only the new files
            os.symlink(path.resolve(), Path(staging) / path.name)
        try:
            summary = load_raw.load(staging, database=None if options.on_postgres else options.database,
                                    append=True, before_commit=record_files, target=options.target)
        except load_raw.LoadError as e:
            raise NightlyError(f"load failed ({source_dir}): {e}", EXIT_LOAD_OR_LOCK) from None
    result.loaded = {t.table: t.rows for t in summary.loaded}

    if "events" in result.loaded:
        if result.newest_event_before_load is None:
            result.late_events = 0
        elif options.on_postgres:
            pass  # counted inside the load's transaction (record_files)
        else:
            result.late_events = con.execute(
                f"select count(*) from {RAW_SCHEMA}.events where rowid >= ? and occurred_at < ?",
                [before["events"], result.newest_event_before_load]).fetchone()[0]


# --------------------------------------------------------------------------------------------
# Steps 2-3: dbt in-process


class Dbt:
    """dbt in this process. The project is parsed once (`parse`) and every later command reuses
    that manifest. No --vars are passed (a changed --vars value makes dbt re-parse the whole
    project, ~7 s); as_of_date travels in ACTIVATION_AS_OF_DATE, set by `run`, which the project
    reads only when compiling SQL, so a new date reuses dbt's saved parse."""

    def __init__(self, options: Options) -> None:
        from dbt.cli.main import dbtRunner  # imported late: ~1 s

        self.options = options
        self._runner = dbtRunner()

    def parse(self) -> None:
        from dbt.cli.main import dbtRunner

        # the build writes manifest.json and semantic_manifest.json when it ends (with
        # run_results.json); the same files from the parse would only be overwritten (0.6 s)
        res = self.invoke("parse", "--no-write-json")
        if not res.success or res.result is None:
            raise NightlyError(f"dbt parse failed: {res.exception}", EXIT_DBT_ERROR)
        self._runner = dbtRunner(manifest=res.result)

    def invoke(self, *args: str):
        o = self.options
        argv = list(args) + ["--project-dir", str(o.project_dir), "--profiles-dir", str(o.project_dir)]
        if o.target_path:
            argv += ["--target-path", str(o.target_path)]
        if o.log_path:
            argv += ["--log-path", str(o.log_path)]
        if o.quiet:
            argv.insert(0, "--quiet")
        if not os.environ.get(LOG_LEVEL_FILE_ENV_VAR):
            argv = ["--log-level-file", DEFAULT_LOG_LEVEL_FILE, *argv]
        return self._runner.invoke(argv)


def check_freshness(dbt: Dbt, result: NightlyResult) -> None:
    res = dbt.invoke("source", "freshness")
    if res.result is None or not hasattr(res.result, "results"):
        raise NightlyError(f"dbt source freshness failed: {res.exception}", EXIT_DBT_ERROR)
    for r in res.result.results:
        if getattr(r.node, "resource_type", None) != "source":
            continue  # on-run-start hooks report here too
        age = getattr(r, "age", None)
        result.freshness.append((r.node.name, str(r.status), None if age is None else age / 3600))


def build(dbt: Dbt, options: Options, result: NightlyResult) -> None:
    args = ["build"]
    if options.full_refresh:
        args.append("--full-refresh")
    if not options.unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    _progress("dbt " + " ".join(args) + " started", options)
    result.build_default_as_of_date = _default_as_of_date()  # in case dbt stops before it starts
    res = dbt.invoke(*args)
    from dbt import tracking  # loaded by the invocation; its run_started_at is the project's clock
    run_started_at = getattr(getattr(tracking, "active_user", None), "run_started_at", None)
    if run_started_at is not None:
        result.build_default_as_of_date = (run_started_at - dt.timedelta(days=1)).date().isoformat()
    if res.result is None or not hasattr(res.result, "results"):
        raise NightlyError(f"dbt build failed before running any node: {res.exception}", EXIT_DBT_ERROR)
    runtime_errors = False
    for r in res.result.results:
        status = str(r.status)
        kind = r.node.resource_type
        if kind in ("test", "unit_test"):
            result.tests[status] = result.tests.get(status, 0) + 1
        else:
            result.nodes[status] = result.nodes.get(status, 0) + 1
        if status in ("fail", "error", "runtime error"):
            result.failed_nodes.append(f"{status}: {r.node.unique_id}")
            if status == "fail" and _is_rule_check(r.node) and getattr(r.node, "compiled_code", None):
                result.failed_rule_checks[r.node.unique_id] = r.node.compiled_code
            if status != "fail":
                runtime_errors = True
    if runtime_errors or res.exception is not None:
        raise NightlyError("dbt build had errors (see above); not published", EXIT_DBT_ERROR)
    if result.tests.get("fail"):
        raise NightlyError(f"{result.tests['fail']} error-severity test(s) failed; not published",
                           EXIT_TESTS_FAILED)
    if not res.success or result.nodes.get("skipped") or result.tests.get("skipped"):
        raise NightlyError("dbt build did not complete (skipped nodes); not published", EXIT_DBT_ERROR)


# --------------------------------------------------------------------------------------------
# Step 4: publish


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_tmp(serving: Path) -> None:
    for leftover in serving.parent.glob(serving.name + ".tmp-*"):
        pid_text = leftover.name[len(serving.name) + len(".tmp-"):].split(".")[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _pid_alive(int(pid_text)):
            leftover.unlink(missing_ok=True)


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def previous_rejects(serving: Path) -> int | None:
    if not serving.exists():
        return None
    try:
        con = duckdb.connect(str(serving), read_only=True)
        try:
            return con.execute("select count(*) from dq.dq_rejected_rows").fetchone()[0]
        finally:
            con.close()
    except duckdb.Error:
        return None


RULE_CHECKS = ("constraints_hold", "contract_constraints_hold")


def _is_rule_check(node) -> bool:
    """A generic test that checks a node's declared constraints (macros/tests/generic_tests.sql):
    its rows name each broken rule and count the rows that break it, never row contents, so
    they can be shown in the summary (no personal data)."""
    metadata = getattr(node, "test_metadata", None)
    return getattr(metadata, "name", None) in RULE_CHECKS


def read_broken_rules(result: NightlyResult, con) -> None:
    """Which rules the failed rule checks found broken: their one node stands for many rules, so
    the summary names the rules (first 5 checks), not only the node."""
    for unique_id, sql in list(result.failed_rule_checks.items())[:5]:
        try:
            result.broken_rules[unique_id] = _query(con, sql)
        except _database_errors():
            continue  # the node name is still in the summary


def read_full_rebuilds(result: NightlyResult, con, since: dt.datetime) -> None:
    """The incremental models this run rebuilt in full, and why, as their post-hooks recorded it in
    the manifest (macros/incremental/manifest.sql): a changed seed or var, a replace load, an
    upstream full rebuild, --full-refresh or a first build."""
    try:
        result.full_rebuilds = _query(
            con, "select model_name, refresh_reason from staging.activation_incremental_manifest "
            "where source_table = 'config' and refresh_mode = 'full' and recorded_at >= ? "
            "order by model_name", [since])
    except _database_errors():
        result.full_rebuilds = []  # no manifest yet: nothing was built


def count_rejects(options: Options, result: NightlyResult, con) -> None:
    try:
        if options.on_postgres:
            result.rejects_previous = nightly_postgres.previous_rejects(con)
        else:
            result.rejects_previous = previous_rejects(options.serving_path)
        result.rejects = _query(con, "select count(*) from dq.dq_rejected_rows")[0][0]
    except _database_errors():
        result.rejects = None


def serving_mode(new_file: Path, warehouse: Path) -> int:
    """Read-only, and no wider than the umask (DuckDB created ``new_file`` with 0666 minus the
    umask) or the warehouse file allow: 0444 under umask 022, 0440 under 027, 0400 under 077."""
    return stat.S_IMODE(new_file.stat().st_mode) & stat.S_IMODE(warehouse.stat().st_mode) & 0o444


def _warehouse_comments(con: duckdb.DuckDBPyConnection, catalog: str) -> dict:
    """(schema, relation) -> (relation comment, {column: comment}) of the published schemas, as
    persist_docs wrote them from the YAML descriptions."""
    comments: dict[tuple[str, str], tuple[str | None, dict[str, str]]] = {}
    schemas = list(PUBLISHED_SCHEMAS)
    for schema, name, comment in con.execute(
            "select schema_name, table_name, comment from duckdb_tables() "
            "where database_name = ? and schema_name in (select unnest(?)) "
            "union all select schema_name, view_name, comment from duckdb_views() "
            "where database_name = ? and schema_name in (select unnest(?))",
            [catalog, schemas, catalog, schemas]).fetchall():
        comments[(schema, name)] = (comment, {})
    for schema, name, column, comment in con.execute(
            "select schema_name, table_name, column_name, comment from duckdb_columns() "
            "where database_name = ? and schema_name in (select unnest(?)) and comment is not null",
            [catalog, schemas]).fetchall():
        comments.setdefault((schema, name), (None, {}))[1][column] = comment
    return comments


def _copy_comments(con: duckdb.DuckDBPyConnection, target: str, comments) -> None:
    if not comments:
        return
    relation_comment, column_comments = comments
    if relation_comment:
        con.execute(f"comment on table {target} is {_sql_str(relation_comment)}")
    for column, comment in column_comments.items():
        con.execute(f"comment on column {target}.{_quote(column)} is {_sql_str(comment)}")


def publish_postgres(options: Options, result: NightlyResult, con) -> None:
    """Write-audit-publish on Postgres: scripts/nightly_postgres.py (one transaction)."""
    try:
        result.published_relations = nightly_postgres.publish(
            con, as_of_date=_as_of_date(options, result), as_of_date_source=_as_of_date_source(options),
            build_mode="full-refresh" if options.full_refresh else "incremental", warehouse=options.warehouse)
    except (ValueError, *_database_errors()) as e:
        raise NightlyError(f"publishing to schemas {nightly_postgres.serving_prefix()}marts/dq failed "
                           f"(nothing changed): {str(e).strip()}", EXIT_PUBLISH_FAILED) from None
    result.published = True


def publish(options: Options, result: NightlyResult, warehouse: duckdb.DuckDBPyConnection) -> None:
    serving = options.serving_path
    serving.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_tmp(serving)
    tmp = serving.with_name(f"{serving.name}.tmp-{os.getpid()}")
    for p in (tmp, Path(str(tmp) + ".wal")):
        p.unlink(missing_ok=True)
    alias = "__nightly_publish"
    try:
        con = warehouse.cursor()  # its own connection to the held instance
        try:
            catalog = con.execute("select current_database()").fetchone()[0]
            relations = con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_catalog = ? and table_schema in (select unnest(?)) "
                "order by table_schema, table_name",
                [catalog, list(PUBLISHED_SCHEMAS)]).fetchall()
            if not any(schema == "marts" for schema, _ in relations):
                raise NightlyError("schema marts is empty: nothing to publish", EXIT_PUBLISH_FAILED)
            comments = _warehouse_comments(con, catalog)
            con.execute(f"attach {_sql_str(str(tmp))} as {alias} "
                        f"(storage_version {_sql_str(SERVING_STORAGE_VERSION)})")
            try:
                con.execute("begin transaction")
                for schema in PUBLISHED_SCHEMAS:
                    con.execute(f"create schema {alias}.{schema}")
                con.execute(f"create schema {alias}.meta")
                counts = []
                for schema, name in relations:
                    target = f"{alias}.{schema}.{_quote(name)}"
                    con.execute(f"create table {target} as select * from {_quote(catalog)}.{schema}.{_quote(name)}")
                    counts.append((schema, name, con.execute(f"select count(*) from {target}").fetchone()[0]))
                    _copy_comments(con, target, comments.get((schema, name)))
                con.execute(f"create table {alias}.meta.relations (table_schema varchar, table_name varchar, "
                            "row_count bigint)")
                con.executemany(f"insert into {alias}.meta.relations values (?, ?, ?)", counts)
                con.execute(
                    f"create table {alias}.meta.publication as select "
                    "cast(? as timestamp) as published_at, cast(? as date) as as_of_date, "
                    "? as as_of_date_source, ? as warehouse_path, ? as build_mode",
                    [dt.datetime.now(dt.UTC).replace(tzinfo=None),
                     _as_of_date(options, result), _as_of_date_source(options),
                     str(options.database), "full-refresh" if options.full_refresh else "incremental"])
                for name, (text, columns) in nightly_postgres.META_COMMENTS.items():
                    con.execute(f"comment on table {alias}.meta.{name} is {_sql_str(text)}")
                    for column, comment in columns.items():
                        con.execute(f"comment on column {alias}.meta.{name}.{_quote(column)} is {_sql_str(comment)}")
                con.execute("commit")
                con.execute(f"checkpoint {alias}")
            except BaseException:
                try:
                    con.execute("rollback")
                except duckdb.Error:
                    pass  # no transaction open any more
                raise
            finally:
                con.execute(f"detach {alias}")
        finally:
            con.close()
        if Path(str(tmp) + ".wal").exists():
            raise NightlyError(f"{tmp}.wal left after checkpoint; not published", EXIT_PUBLISH_FAILED)
        # audit the written file from a fresh read-only connection before it replaces anything
        check = duckdb.connect(str(tmp), read_only=True)
        try:
            [(tags,)] = check.execute("select tags from duckdb_databases() "
                                      "where database_name = current_database()").fetchall()
            written = (tags or {}).get("storage_version", "")
            if not written.startswith(SERVING_STORAGE_VERSION):
                raise NightlyError(f"{tmp} has storage version {written!r}, expected {SERVING_STORAGE_VERSION}",
                                   EXIT_PUBLISH_FAILED)
            for schema, name, expected in check.execute(
                    "select table_schema, table_name, row_count from meta.relations").fetchall():
                got = check.execute(f"select count(*) from {schema}.{_quote(name)}").fetchone()[0]
                if got != expected:
                    raise NightlyError(f"{tmp}: {schema}.{name} has {got} rows, expected {expected}",
                                       EXIT_PUBLISH_FAILED)
        finally:
            check.close()
        _fsync(tmp)
        os.chmod(tmp, serving_mode(tmp, options.database))
        os.replace(tmp, serving)
        _fsync(serving.parent, directory=True)
    except NightlyError:
        tmp.unlink(missing_ok=True)
        raise
    except (duckdb.Error, OSError) as e:
        tmp.unlink(missing_ok=True)
        raise NightlyError(f"publishing to {serving} failed: {e}", EXIT_PUBLISH_FAILED) from None
    result.published = True
    result.published_relations = len(counts)


# --------------------------------------------------------------------------------------------
# Orchestration and summary


def _is_iso_date(text: str) -> bool:
    """YYYY-MM-DD and a real date: what macros/config/as_of.sql accepts (fromisoformat alone
    would also take 20260630)."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _default_as_of_date() -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()


def _as_of_date(options: Options, result: NightlyResult) -> str:
    """The as_of_date the build used: the option, else the day before the build's own start
    (macros/config/as_of.sql), not the clock at publish time, which may be a day later."""
    return options.as_of_date or result.build_default_as_of_date or _default_as_of_date()


def _as_of_date_source(options: Options) -> str:
    return options.as_of_date_source if options.as_of_date else "default (yesterday UTC)"


def set_environ(values: dict[str, str | None]) -> None:
    """Set (or, for None, unset) environment variables; dbt reads os.environ at each invocation."""
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _progress(message: str, options: Options) -> None:
    print(f"[nightly] {message}", flush=True)


def run(options: Options) -> NightlyResult:
    result = NightlyResult()
    # profiles.yml reads the database path, macros/config/as_of.sql the as_of_date
    environment = {DATABASE_ENV_VAR: str(options.database), AS_OF_ENV_VAR: options.as_of_date}
    if options.on_postgres:  # dbt's sessions read raw timestamps in UTC (activation_check_session_time_zone)
        environment["PGTZ"] = os.environ.get("PGTZ") or "UTC"
    previous_env = {name: os.environ.get(name) for name in environment}
    set_environ(environment)
    try:
        if not options.on_postgres and options.serving_path.resolve() == options.database.resolve():
            raise NightlyError("the serving file must not be the warehouse file", EXIT_LOAD_OR_LOCK)
        if options.as_of_date and not _is_iso_date(options.as_of_date):
            raise NightlyError(f"{options.as_of_date_source} {options.as_of_date!r} is not an ISO date (YYYY-MM-DD)",
                               EXIT_LOAD_OR_LOCK)
        with _hold(options) as warehouse:
            _progress(f"load from {options.source_dir or '(no --source-dir)'}", options)
            result.timed("load", load_new_files, options, result, warehouse)
            dbt = Dbt(options)
            result.timed("parse", dbt.parse)
            _progress("dbt source freshness", options)
            result.timed("freshness", check_freshness, dbt, result)
            if options.fail_on_stale and any(s in ("error", "runtime error") for _, s, _ in result.freshness):
                raise NightlyError("a source is stale and --fail-on-stale was given; not built", EXIT_STALE)
            build_started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            try:
                result.timed("build+test", build, dbt, options, result)
            finally:
                read_full_rebuilds(result, warehouse, build_started)
                read_broken_rules(result, warehouse)
            result.timed("publish", count_rejects, options, result, warehouse)
            _progress(f"publishing to {_published_to(options)}", options)
            result.timed("publish", publish_postgres if options.on_postgres else publish, options, result, warehouse)
            if not options.on_postgres:
                result.timed("checkpoint", _checkpoint, warehouse)
        result.exit_code = EXIT_PUBLISHED
    except NightlyError as e:
        result.exit_code = e.exit_code
        result.message = str(e)
    finally:
        set_environ(previous_env)
    result.duration_s = time.monotonic() - result.started
    return result


def _published_to(options: Options) -> str:
    if options.on_postgres:
        prefix = nightly_postgres.serving_prefix()
        return f"schemas {prefix}marts, {prefix}dq, {prefix}meta of {options.warehouse}"
    return str(options.serving_path)


def format_summary(options: Options, result: NightlyResult) -> str:
    lines = ["", "=" * 78, "Nightly refresh summary", "-" * 78]
    as_of = options.as_of_date or f"{_as_of_date(options, result)} (default: yesterday UTC)"
    lines.append(f"warehouse   {options.warehouse}")
    lines.append(f"as_of_date  {as_of}    build: {'full refresh' if options.full_refresh else 'incremental'}")
    if result.loaded:
        lines.append("loaded      " + ", ".join(f"{t} +{n:,}" for t, n in result.loaded.items())
                     + f"   (from {options.source_dir})")
    elif result.exit_code != EXIT_PUBLISHED and "load" not in result.phase_s:
        lines.append(f"loaded      nothing: the run stopped before loading ({options.source_dir or 'no --source-dir'})")
    elif result.new_files and result.exit_code != EXIT_PUBLISHED:
        lines.append(f"loaded      nothing: {', '.join(result.new_files)} not loaded ({options.source_dir})")
    elif result.exit_code == EXIT_LOAD_OR_LOCK:
        lines.append(f"loaded      nothing: the load was refused ({options.source_dir})")
    else:
        lines.append(f"loaded      no new data ({options.source_dir or 'no --source-dir'})")
    if result.skipped_files:
        lines.append("            skipped, already loaded: " + ", ".join(result.skipped_files))
    if result.ignored_files:
        lines.append("            ignored, no raw table's file: " + ", ".join(result.ignored_files[:10])
                     + (f" and {len(result.ignored_files) - 10} more" if len(result.ignored_files) > 10 else ""))
    if result.late_events is not None and result.newest_event_before_load is None:
        lines.append("late rows   n/a (no events before this load)")
    elif result.late_events is not None:
        lines.append(f"late rows   {result.late_events:,} events in this load occurred before "
                     f"{result.newest_event_before_load} (the newest event before the load)")
    if result.freshness:
        worst = {s: [n for n, st, _ in result.freshness if st == s] for s in ("pass", "warn", "error", "runtime error")}
        parts = [f"{len(v)} {k}" for k, v in worst.items() if v]
        stale = ", ".join(f"{n} {st} ({age:.0f} h old)" if age is not None else f"{n} {st}"
                          for n, st, age in result.freshness if st != "pass")
        lines.append("freshness   " + ", ".join(parts) + (f": {stale}" if stale else ""))
    if result.tests or result.nodes:
        t = result.tests
        lines.append(f"tests       {t.get('pass', 0)} passed, {t.get('warn', 0)} warned, {t.get('fail', 0)} failed, "
                     f"{t.get('error', 0)} errored, {t.get('skipped', 0)} skipped")
        lines.append("nodes       " + ", ".join(f"{n} {s}" for s, n in sorted(result.nodes.items())))
        for node in result.failed_nodes[:8]:
            lines.append(f"  {node}")
            unique_id = node.split(": ", 1)[-1]
            for rule, n_rows in result.broken_rules.get(unique_id, [])[:10]:
                lines.append(f"      broken: {rule} ({n_rows:,} rows)")
        if len(result.failed_nodes) > 8:
            lines.append(f"  ... and {len(result.failed_nodes) - 8} more")
    if result.full_rebuilds and not options.full_refresh:
        lines.append("rebuilt     in full: " + "; ".join(f"{m} ({why})" for m, why in result.full_rebuilds[:6])
                     + (f"; and {len(result.full_rebuilds) - 6} more" if len(result.full_rebuilds) > 6 else ""))
    if result.rejects is not None:
        delta = ""
        if result.rejects_previous is not None:
            delta = f" ({result.rejects - result.rejects_previous:+,} since the last publish)"
        lines.append(f"rejects     {result.rejects:,} rows in dq.dq_rejected_rows{delta}")
    lines.append(f"published   {'yes -> ' + _published_to(options) if result.published else 'no'}"
                 + (f" ({result.published_relations} relations)" if result.published else ""))
    phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in result.phase_s.items())
    lines.append(f"duration    {result.duration_s:.1f} s" + (f" ({phases})" if phases else ""))
    if result.message:
        lines.append(f"error       {result.message}")
    lines.append(f"exit        {result.exit_code} ({EXIT_MEANING[result.exit_code]})")
    lines.append("=" * 78)
    return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: nothing built (2)
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(EXIT_LOAD_OR_LOCK)


def parse_args(argv: list[str] | None) -> Options:
    parser = _Parser(
        prog="nightly.py",
        description="Load new raw files, check freshness, dbt build, publish the marts to the serving file.",
        epilog="Exit codes: " + "; ".join(f"{k} {v}" for k, v in EXIT_MEANING.items()),
    )
    parser.add_argument("--source-dir", type=Path, help="directory with new <table>.csv|.parquet files "
                        "(absent or empty = no new data)")
    parser.add_argument("--database", type=Path, help=f"warehouse DuckDB file (default ${DATABASE_ENV_VAR}, "
                        "else activation.duckdb at the project root)")
    parser.add_argument("--serving-path", type=Path, help=f"serving DuckDB file (default ${SERVING_ENV_VAR}, "
                        f"else {DEFAULT_SERVING} at the project root)")
    parser.add_argument("--as-of-date", help=f"activation__as_of_date (YYYY-MM-DD); default ${AS_OF_ENV_VAR}, "
                        "else yesterday UTC")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    parser.add_argument("--fail-on-stale", action="store_true", help="exit 4 without building when a "
                        "source fails its freshness error threshold")
    parser.add_argument("--unit-tests", action="store_true", help="also run dbt unit tests (CI runs them)")
    parser.add_argument("--quiet", action="store_true", help="dbt prints errors only")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--target-path", type=Path, help="dbt target path (default: dbt's)")
    parser.add_argument("--log-path", type=Path, help="dbt log path (default: dbt's)")
    a = parser.parse_args(argv)
    database = a.database or Path(os.environ.get(DATABASE_ENV_VAR) or PROJECT_ROOT / "activation.duckdb")
    serving = a.serving_path or Path(os.environ.get(SERVING_ENV_VAR) or PROJECT_ROOT / DEFAULT_SERVING)
    if not database.is_absolute():
        database = Path.cwd() / database
    if not serving.is_absolute():
        serving = Path.cwd() / serving
    target = engines.current_target()
    if target not in ("dev", "postgres"):
        parser.error(f"${engines.TARGET_ENV_VAR}={target}: the nightly runs on targets dev (DuckDB) and postgres")
    if target == "postgres" and a.database:
        parser.error("--database is the DuckDB warehouse; on postgres the ACTIVATION_PG_* variables name it")
    as_of_date, as_of_date_source = a.as_of_date, "--as-of-date"
    if not as_of_date and os.environ.get(AS_OF_ENV_VAR):
        as_of_date, as_of_date_source = os.environ[AS_OF_ENV_VAR], f"${AS_OF_ENV_VAR}"
    return Options(database=database, serving_path=serving, source_dir=a.source_dir,
                   as_of_date=as_of_date, as_of_date_source=as_of_date_source,
                   full_refresh=a.full_refresh, fail_on_stale=a.fail_on_stale, unit_tests=a.unit_tests,
                   quiet=a.quiet, project_dir=a.project_dir.resolve(), target_path=a.target_path,
                   log_path=a.log_path, target=target)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    result = run(options)
    print(format_summary(options, result), flush=True)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
