"""scripts/nightly.py: load, freshness, build, write-audit-publish to the serving file.

Every nightly run here is a separate process, as cron or an orchestrator would start it (and
because DuckDB allows one process per warehouse file: this pytest process never opens a
warehouse that a nightly process will use). One generated dataset (150 accounts) is split into
three nightly batches by `_loaded_at` (tests/python/batches.py). Night 1 loads batch 1 into a
fresh warehouse and publishes; every other test starts from a copy of that state.

Every run works in one directory, the stage (`clone` copies a saved state into it): dbt's
partial parsing rejects its saved parse whenever the warehouse path in the profile changes,
and a full parse costs 7-15 s per run.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import nightly as nightly_module
from batches import split_by_loaded_at
from conftest import AS_OF_DATE, PROJECT_ROOT, copy_project, generate

pytestmark = pytest.mark.slow

NIGHTLY = PROJECT_ROOT / "scripts" / "nightly.py"
PROJECT = PROJECT_ROOT


# --------------------------------------------------------------------------------------------
# helpers


class Run:
    def __init__(self, returncode: int, output: str) -> None:
        self.returncode = returncode
        self.output = output

    def __repr__(self) -> str:  # shown by pytest when an assertion on a run fails
        return f"<nightly exit {self.returncode}>\n{self.output[-6000:]}"


def nightly_argv(workdir: Path, *args: str, project: Path = PROJECT) -> list[str]:
    # an edited copy of the project keeps its own dbt target, so it does not spoil the saved parse
    target = workdir / "target" if project == PROJECT else project / "target"
    return [sys.executable, str(NIGHTLY),
            "--database", str(workdir / "warehouse.duckdb"),
            "--serving-path", str(workdir / "serving.duckdb"),
            "--as-of-date", AS_OF_DATE,
            "--project-dir", str(project),
            "--target-path", str(target), "--log-path", str(workdir / "logs"),
            *args]


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for name in ("ACTIVATION_DUCKDB_PATH", "ACTIVATION_SERVING_PATH"):
        env.pop(name, None)
    return env


def nightly(workdir: Path, *args: str, project: Path = PROJECT, quiet: bool = True,
            env: dict[str, str] | None = None) -> Run:
    argv = nightly_argv(workdir, *args, project=project) + (["--quiet"] if quiet else [])
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=900, env={**_env(), **(env or {})},
                          cwd=workdir)
    return Run(proc.returncode, proc.stdout + proc.stderr)


def serving_query(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def fingerprint(path: Path) -> tuple:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns, st.st_size, hashlib.sha256(path.read_bytes()).hexdigest()


def published_counts(serving: Path) -> dict[str, int]:
    return {f"{s}.{n}": c for s, n, c in serving_query(
        serving, "select table_schema, table_name, row_count from meta.relations")}


def differences(left: Path, right: Path, schemas=("marts", "dq")) -> dict[str, tuple[int, int]]:
    """Relations whose rows differ between two DuckDB files, every column, both ways (EXCEPT ALL)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        listed = ", ".join(f"'{s}'" for s in schemas)
        rels = {}
        for catalog in ("l", "r"):
            rels[catalog] = {(s, n) for s, n in con.execute(
                "select table_schema, table_name from information_schema.tables "
                f"where table_catalog = '{catalog}' and table_schema in ({listed})").fetchall()}
        assert rels["l"] == rels["r"], f"different relations: {rels['l'] ^ rels['r']}"
        diffs = {}
        for schema, name in sorted(rels["l"]):
            rel = f'{schema}."{name}"'
            only_left = con.execute(f"select count(*) from (select * from l.{rel} except all select * from r.{rel})").fetchone()[0]
            only_right = con.execute(f"select count(*) from (select * from r.{rel} except all select * from l.{rel})").fetchone()[0]
            if only_left or only_right:
                diffs[f"{schema}.{name}"] = (only_left, only_right)
        return diffs
    finally:
        con.close()


def raw_counts(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
                for t in ("accounts", "users", "subscriptions", "seat_assignments", "events", "interventions")}
    finally:
        con.close()


def save(workdir: Path, destination: Path) -> Path:
    """Copy a warehouse + serving file state, with any WAL or leftover temporary file (no process
    has them open between runs)."""
    destination.mkdir(parents=True, exist_ok=True)
    for path in [*workdir.glob("warehouse.duckdb*"), *workdir.glob("serving.duckdb*")]:
        shutil.copy2(path, destination / path.name)
    return destination


def _remove_dbt_log(workdir: Path) -> None:
    for log in (workdir / "logs").glob("dbt.log*"):
        log.unlink()


def _log_levels(workdir: Path) -> dict[str, int]:
    """How many lines of each level dbt's log file has."""
    text = (workdir / "logs" / "dbt.log").read_text(errors="replace")
    return dict(collections.Counter(m.group(1) for m in re.finditer(r"\d\d:\d\d:\d\d\.\d+ \[(\w+)\s*\]", text)))


def clone(night: Path, stage: Path) -> Path:
    """Empty the stage (all but dbt's target and logs) and copy a saved state into it."""
    for entry in stage.iterdir():
        if entry.name not in ("target", "logs"):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    return save(night, stage)


WAL_AT_THE_END = r"""
import os, sys
sys.path.insert(0, sys.argv[1])
import nightly

code = nightly.main(sys.argv[3:])
wal = sys.argv[2] + ".wal"
print(f"[test] wal bytes at the end: {os.path.getsize(wal) if os.path.exists(wal) else 0}", flush=True)
os._exit(code)  # no interpreter shutdown: DuckDB makes no checkpoint of its own
"""


CLOCK_A_DAY_AHEAD = r"""
import datetime as dt, sys
sys.path.insert(0, sys.argv[1])
import nightly

# the clock the nightly reads after the build: a day later than the build's start
nightly._default_as_of_date = lambda: dt.datetime.now(dt.UTC).date().isoformat()
sys.exit(nightly.main(sys.argv[2:]))
"""


# --------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def batches(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("nightly_data")
    raw = generate(root / "raw", accounts=150, seed=11)
    return split_by_loaded_at(raw, root / "batches", ["2026-06-22", "2026-06-27"])


@pytest.fixture(scope="module")
def stage(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("stage")


@pytest.fixture(scope="module")
def night_1(tmp_path_factory, stage, batches) -> Path:
    """The saved state of a fresh warehouse after night 1 (batch 1 loaded, built, published)."""
    run = nightly(stage, "--source-dir", str(batches[0]))
    assert run.returncode == 0, run
    return save(stage, tmp_path_factory.mktemp("night_1"))


READER = r"""
import json, os, sys, time
import duckdb

path, mode, out, stop = sys.argv[1:5]


def observe(con):
    started = time.monotonic()
    published_at = con.execute("select cast(published_at as varchar) from meta.publication").fetchone()[0]
    relations = con.execute("select table_schema, table_name, row_count from meta.relations").fetchall()
    counts = {f"{s}.{n}": con.execute(f'select count(*) from {s}."{n}"').fetchone()[0] for s, n, _ in relations}
    # a query across marts, as a dashboard would run
    joined = con.execute("select count(*) from marts.fct_account_activation a "
                         "join marts.dim_accounts d using (account_id)").fetchone()[0]
    return {"published_at": published_at, "counts": counts,
            "expected": {f"{s}.{n}": c for s, n, c in relations}, "joined": joined,
            "at": time.time(), "latency": time.monotonic() - started}


con = duckdb.connect(path, read_only=True) if mode == "persistent" else None
with open(out, "w") as f:
    while True:
        stopping = os.path.exists(stop)
        try:
            if mode == "reconnect":
                con = duckdb.connect(path, read_only=True)
            record = observe(con)
            if mode == "reconnect":
                con.close()
        except Exception as e:  # recorded, the test fails on it
            record = {"error": repr(e), "at": time.time()}
        f.write(json.dumps(record) + "\n")
        f.flush()
        if stopping:
            break
        time.sleep(0.2)  # a busy dashboard; leaves CPU to the nightly run
"""


def _lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def night_2(tmp_path_factory, stage, night_1, batches):
    """Night 2 (batch 2) from a copy of night 1, with two BI readers on the serving file: one
    keeps its connection open the whole time, one reconnects for every round of queries."""
    workdir = clone(night_1, stage)
    serving = workdir / "serving.duckdb"
    before = (serving_query(serving, "select cast(published_at as varchar) from meta.publication")[0][0],
              published_counts(serving))
    stop = workdir / "stop_readers"
    readers = {}
    for mode in ("persistent", "reconnect"):
        out = workdir / f"reader_{mode}.jsonl"
        proc = subprocess.Popen([sys.executable, "-c", READER, str(serving), mode, str(out), str(stop)])
        readers[mode] = (proc, out)
    try:
        for mode, (_, out) in readers.items():
            _wait_for(lambda out=out: len(_lines(out)) >= 3, 60, f"the {mode} reader to start")
        started = time.time()
        # the same nightly, in a wrapper that reports the write-ahead log's size once it returns
        # (test_the_run_writes_its_changes_into_the_warehouse_file_while_it_holds_it)
        argv = nightly_argv(workdir, "--source-dir", str(batches[1]), "--quiet")
        proc = subprocess.run([sys.executable, "-c", WAL_AT_THE_END, str(NIGHTLY.parent),
                               str(workdir / "warehouse.duckdb"), *argv[2:]],
                              capture_output=True, text=True, timeout=900, env=_env(), cwd=workdir)
        run = Run(proc.returncode, proc.stdout + proc.stderr)
        finished = time.time()
        if run.returncode == 0:
            new_published_at = serving_query(serving, "select cast(published_at as varchar) from meta.publication")[0][0]
            _wait_for(lambda: any(r.get("published_at") == new_published_at
                                  for r in _lines(readers["reconnect"][1])), 60, "the reader to see the new file")
    finally:
        stop.touch()
        for proc, _ in readers.values():
            proc.wait(timeout=60)
    after = (serving_query(serving, "select cast(published_at as varchar) from meta.publication")[0][0],
             published_counts(serving))
    return {"saved": save(workdir, tmp_path_factory.mktemp("night_2")), "run": run,
            "window": (started, finished), "before": before, "after": after,
            "observations": {mode: _lines(out) for mode, (_, out) in readers.items()}}


# --------------------------------------------------------------------------------------------
# tests


def test_first_night_publishes_every_mart_and_dq_relation(night_1):
    serving, warehouse = night_1 / "serving.duckdb", night_1 / "warehouse.duckdb"
    built = {f"{s}.{n}" for s, n in serving_query(
        warehouse, "select table_schema, table_name from information_schema.tables "
                   "where table_schema in ('marts', 'dq')")}
    counts = published_counts(serving)
    assert set(counts) == built and any(r.startswith("marts.") for r in built)
    for relation, expected in counts.items():
        schema, name = relation.split(".")
        assert serving_query(serving, f'select count(*) from {schema}."{name}"')[0][0] == expected
        assert serving_query(warehouse, f'select count(*) from {schema}."{name}"')[0][0] == expected
    assert counts["marts.fct_account_activation"] > 0
    assert not (serving.stat().st_mode & 0o222), "the serving file should be read-only"
    assert not list(night_1.glob("serving.duckdb.tmp-*")) and not (night_1 / "serving.duckdb.wal").exists()
    [(as_of_date,)] = serving_query(serving, "select cast(as_of_date as varchar) from meta.publication")
    assert as_of_date == AS_OF_DATE
    # every incremental model records why it was built in full: its first build
    assert serving_query(warehouse, "select distinct refresh_mode, refresh_reason from "
                         "staging.activation_incremental_manifest where source_table = 'config'") == [("full", "first build")]


def test_rerun_without_new_data_changes_nothing(night_1, stage, batches, tmp_path):
    """The same files again change nothing. The run also has a spill directory from the
    environment: dbt opens the warehouse with it (profiles.yml config_options), and the nightly
    holds its own connection to the same file in the same process, which DuckDB allows only when
    both are configured alike (engines.duckdb_engine.warehouse_config)."""
    workdir = clone(night_1, stage)
    snapshot = tmp_path / "serving_before.duckdb"
    shutil.copy2(workdir / "serving.duckdb", snapshot)
    raw_before = raw_counts(workdir / "warehouse.duckdb")
    _remove_dbt_log(workdir)
    started = time.time()
    # the same files again: already loaded, so skipped (no new data); an incremental build
    run = nightly(workdir, "--source-dir", str(batches[0]), quiet=False,
                  env={"ACTIVATION_DUCKDB_TEMP_DIRECTORY": str(tmp_path / "spill")})
    assert run.returncode == 0, run
    assert "different configuration" not in run.output
    # dbt's artefacts of this run, written by its build (MetricFlow reads the semantic manifest);
    # that the parse writes none is test_the_parse_leaves_dbt_s_json_artefacts_to_the_build
    for artefact in ("manifest.json", "semantic_manifest.json", "run_results.json", "sources.json"):
        assert (workdir / "target" / artefact).stat().st_mtime >= started, artefact
    levels = _log_levels(workdir)
    assert levels.get("info", 0) > 50 and "debug" not in levels, levels  # the nightly's default
    assert "no new data" in run.output and "skipped, already loaded: accounts.csv" in run.output
    assert raw_counts(workdir / "warehouse.duckdb") == raw_before
    assert "(+0 since the last publish)" in run.output
    assert differences(snapshot, workdir / "serving.duckdb") == {}


def test_the_parse_leaves_dbt_s_json_artefacts_to_the_build(tmp_path):
    """The nightly's parse writes dbt's saved parse (the next night reuses it) but no
    manifest.json or semantic_manifest.json: the build writes both when it ends, so the parse's
    copies would only be overwritten."""
    options = nightly_module.Options(database=tmp_path / "warehouse.duckdb", serving_path=tmp_path / "serving.duckdb",
                                     target_path=tmp_path / "target", log_path=tmp_path / "logs", quiet=True)
    nightly_module.Dbt(options).parse()
    written = {path.name for path in (tmp_path / "target").iterdir()}
    assert "partial_parse.msgpack" in written, written
    assert not written & {"manifest.json", "semantic_manifest.json"}, written


def test_reader_is_never_blocked_and_sees_whole_snapshots(night_2):
    run, observations = night_2["run"], night_2["observations"]
    assert run.returncode == 0, run
    before, after = night_2["before"], night_2["after"]
    assert before[0] != after[0] and before[1] != after[1], "night 2 should publish different marts"
    snapshots = {before[0]: before[1], after[0]: after[1]}
    started, finished = night_2["window"]
    for mode, records in observations.items():
        errors = [r["error"] for r in records if "error" in r]
        assert not errors, f"{mode} reader: {errors[:3]}"
        for r in records:
            # one consistent snapshot: every relation has the row count its publish recorded...
            assert r["counts"] == r["expected"], f"{mode} reader saw a partial state"
            # ...and that publish is one of the two nights, whole
            assert r["published_at"] in snapshots and r["counts"] == snapshots[r["published_at"]]
            assert r["joined"] == r["counts"]["marts.fct_account_activation"]
        # never blocked: it kept answering quickly all through the nightly run
        during = [r["at"] for r in records if started <= r["at"] <= finished]
        assert len(during) >= 20, f"{mode} reader made only {len(during)} rounds during the run"
        gaps = [b - a for a, b in zip([started] + during, during + [finished])]
        assert max(gaps) < 5, f"{mode} reader waited {max(gaps):.1f} s"
        assert max(r["latency"] for r in records) < 5
    seen = {mode: {r["published_at"] for r in records} for mode, records in observations.items()}
    assert seen["reconnect"] == set(snapshots), "a reconnecting reader sees the new file"
    assert seen["persistent"] == {before[0]}, "an open connection keeps its snapshot until it reconnects"


def test_failed_run_leaves_the_last_good_serving_file_untouched(night_1, stage, batches, tmp_path):
    workdir = clone(night_1, stage)
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    # an error-severity test on a mart that fails whenever the mart has rows
    (project / "tests" / "dbt" / "marts" / "assert_nightly_test_fails.sql").write_text(
        "select account_id from {{ ref('fct_account_activation') }}\n")
    # and a rule that every row breaks, checked by its model's constraints_hold test
    models = project / "models" / "intermediate" / "_intermediate__models.yml"
    assert models.read_text().count('expression: "n_actions >= 1"') == 1
    models.write_text(models.read_text().replace('expression: "n_actions >= 1"', 'expression: "n_actions < 0"'))
    serving = workdir / "serving.duckdb"
    before = fingerprint(serving)
    run = nightly(workdir, "--source-dir", str(batches[1]), project=project)
    assert run.returncode == 1, run
    assert "assert_nightly_test_fails" in run.output and "published   no" in run.output
    # the summary names the broken rule under its test, with the number of rows that break it
    [broken] = re.findall(r"broken: n_actions check n_actions < 0 \(([0-9,]+) rows\)", run.output)
    assert int(broken.replace(",", "")) > 0
    assert fingerprint(serving) == before
    assert not list(workdir.glob("serving.duckdb.tmp-*"))


def test_killed_run_leaves_the_serving_file_untouched_and_a_rerun_recovers(night_1, stage, night_2, batches):
    """Killed midway through dbt build, the nightly leaves the last good serving file; the same
    command recovers. The operator reruns it asking dbt for its debug log (DBT_LOG_LEVEL_FILE):
    the nightly writes dbt's log file at info, a line a node and its result
    (test_rerun_without_new_data_changes_nothing), and debug adds every statement dbt sends."""
    workdir = clone(night_1, stage)
    serving = workdir / "serving.duckdb"
    before = fingerprint(serving)
    log = workdir / "killed.log"
    with log.open("w") as out:
        proc = subprocess.Popen(nightly_argv(workdir, "--source-dir", str(batches[1])),
                                stdout=out, stderr=subprocess.STDOUT, env=_env(), cwd=workdir)
    try:
        # midway through dbt build: the incremental staging of events is written, the marts are not
        _wait_for(lambda: "OK created sql incremental model staging.base_product__events_deduplicated"
                  in log.read_text() or proc.poll() is not None, 600, "dbt build to reach the events")
        assert proc.poll() is None, "nightly ended before it could be killed:\n" + log.read_text()[-3000:]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "publishing to" not in log.read_text()
    assert fingerprint(serving) == before
    # the rerun is the same command: the files already loaded are skipped, the build recovers
    raw_after_kill = raw_counts(workdir / "warehouse.duckdb")
    _remove_dbt_log(workdir)
    run = nightly(workdir, "--source-dir", str(batches[1]), env={"DBT_LOG_LEVEL_FILE": "debug"})
    assert run.returncode == 0, run
    assert "skipped, already loaded" in run.output
    assert raw_counts(workdir / "warehouse.duckdb") == raw_after_kill
    assert fingerprint(serving) != before
    # ...and publishes exactly what an uninterrupted night 2 published
    assert differences(night_2["saved"] / "serving.duckdb", serving) == {}
    # its log file has every statement
    levels = _log_levels(workdir)
    assert levels.get("debug", 0) > levels.get("info", 0) > 50, levels
    log = (workdir / "logs" / "dbt.log").read_text(errors="replace")
    assert "fct_account_activation" in log and "create table" in log.lower()


KILLED_RIGHT_AFTER_THE_LOAD = r"""
import os, signal, sys
sys.path.insert(0, sys.argv[1])
import load_raw, nightly

load = load_raw.load


def load_then_die(*args, **kwargs):
    load(*args, **kwargs)  # returns once the load's transaction has committed
    os.kill(os.getpid(), signal.SIGKILL)


load_raw.load = load_then_die
sys.exit(nightly.main(sys.argv[2:]))
"""


def test_kill_right_after_the_load_commits_never_loads_a_file_twice(night_1, stage, night_2, batches):
    """The file ledger commits with the rows it records: a kill the instant the load's
    transaction has committed leaves the files recorded, and the rerun skips them."""
    workdir = clone(night_1, stage)
    argv = nightly_argv(workdir, "--source-dir", str(batches[1]))
    killed = subprocess.run([sys.executable, "-c", KILLED_RIGHT_AFTER_THE_LOAD, str(NIGHTLY.parent), *argv[2:]],
                            capture_output=True, text=True, timeout=600, env=_env(), cwd=workdir)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    raw_after_kill = raw_counts(workdir / "warehouse.duckdb")
    assert raw_after_kill != raw_counts(night_1 / "warehouse.duckdb"), "the load should have committed"
    run = nightly(workdir, "--source-dir", str(batches[1]))
    assert run.returncode == 0, run
    assert "no new data" in run.output and "skipped, already loaded: accounts.csv" in run.output
    assert raw_counts(workdir / "warehouse.duckdb") == raw_after_kill
    assert differences(night_2["saved"] / "serving.duckdb", workdir / "serving.duckdb") == {}


def test_the_run_writes_its_changes_into_the_warehouse_file_while_it_holds_it(night_2):
    """DuckDB keeps a run's writes in its write-ahead log until a checkpoint. The nightly makes it
    as its last step, under its lock, instead of leaving it to the process exit: night 2 runs in
    a wrapper (WAL_AT_THE_END) that measures the log right after the nightly returns and then
    ends the process without DuckDB's shutdown checkpoint."""
    run = night_2["run"]
    assert run.returncode == 0, run
    assert "[test] wal bytes at the end: 0" in run.output, run
    assert re.search(r"checkpoint [0-9.]+\)", run.output), run


PAUSED_IN_PARSE = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
import nightly

parse = nightly.Dbt.parse


def paused_parse(self):
    print("[test] paused in dbt parse", flush=True)
    time.sleep(float(sys.argv[2]))
    parse(self)


nightly.Dbt.parse = paused_parse
sys.exit(nightly.main(sys.argv[3:]))
"""


def test_second_nightly_exits_2_while_the_first_holds_the_warehouse(night_1, stage, night_2, batches):
    """Cron starts the same nightly twice. The first (A) holds the warehouse from its load to its
    publish; the second (B), started while A is in dbt, exits 2 with the lock message and
    touches nothing, and A publishes what an undisturbed night 2 publishes. A pauses 10 s in its
    dbt parse, between the load and the first dbt connection, so that B starts there on every
    run: the window in which the warehouse used to be free."""
    workdir = clone(night_1, stage)
    argv = nightly_argv(workdir, "--source-dir", str(batches[1]))
    log = workdir / "first.log"
    with log.open("w") as out:
        first = subprocess.Popen([sys.executable, "-c", PAUSED_IN_PARSE, str(NIGHTLY.parent), "10", *argv[2:]],
                                 stdout=out, stderr=subprocess.STDOUT, env=_env(), cwd=workdir)
    seconds = []
    try:
        for phase in ("[test] paused in dbt parse", "[nightly] dbt build"):
            _wait_for(lambda phase=phase: phase in log.read_text() or first.poll() is not None, 600, phase)
            assert first.poll() is None, "the first nightly ended early:\n" + log.read_text()[-3000:]
            seconds.append((phase, nightly(workdir, "--source-dir", str(batches[1]))))
            # load_raw.py is refused as well, before it opens the warehouse
            seconds.append((phase, Run(*_load_raw_cli(workdir, batches[2]))))
        first.wait(timeout=900)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    for phase, second in seconds:
        assert second.returncode == 2, (phase, second)
        assert "is locked" in second.output and f"pid {first.pid}" in second.output, (phase, second)
        assert "Traceback" not in second.output, (phase, second)
    assert first.returncode == 0, log.read_text()[-6000:]
    assert differences(night_2["saved"] / "serving.duckdb", workdir / "serving.duckdb") == {}


def _load_raw_cli(workdir: Path, source_dir: Path) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "load_raw.py"), "--append",
                           "--source-dir", str(source_dir), "--database", str(workdir / "warehouse.duckdb")],
                          capture_output=True, text=True, timeout=120, env=_env(), cwd=workdir)
    return proc.returncode, proc.stdout + proc.stderr


def test_exit_code_2_bad_input_loads_nothing(night_1, stage, tmp_path):
    workdir = clone(night_1, stage)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "events.csv").write_text("event_id,account_id\nevt_x,acc_000001\n")
    before_raw, before = raw_counts(workdir / "warehouse.duckdb"), fingerprint(workdir / "serving.duckdb")
    run = nightly(workdir, "--source-dir", str(bad))
    assert run.returncode == 2, run
    assert "missing required column" in run.output
    # the summary says the file was not loaded, not that there was nothing to load
    assert "loaded      nothing: events.csv not loaded" in run.output and "no new data" not in run.output
    assert raw_counts(workdir / "warehouse.duckdb") == before_raw
    assert fingerprint(workdir / "serving.duckdb") == before


def test_exit_code_2_a_table_file_named_otherwise_is_refused_and_other_files_are_named(night_1, stage, batches, tmp_path):
    """A drop directory is not "no new data" when its files are the exporter's `events.csv.gz`
    or `Users.csv`: the night is refused (exit 2), naming each file and what to do. A file that
    is no table's at all is named in the summary as ignored
    (test_a_nightly_without_as_of_date_publishes_the_day_its_build_used)."""
    workdir = clone(night_1, stage)
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(batches[1] / "events.csv", drop / "Events.csv")
    (drop / "users.csv.gz").write_bytes(b"not read")
    before_raw, before = raw_counts(workdir / "warehouse.duckdb"), fingerprint(workdir / "serving.duckdb")
    run = nightly(workdir, "--source-dir", str(drop))
    assert run.returncode == 2, run
    assert "Events.csv: a raw table's file must be named events.csv exactly" in run.output
    assert "users.csv.gz: a raw table's file must be named users.csv exactly" in run.output
    assert "no new data" not in run.output
    assert raw_counts(workdir / "warehouse.duckdb") == before_raw
    assert fingerprint(workdir / "serving.duckdb") == before


def test_exit_code_2_warehouse_locked(night_1, stage):
    workdir = clone(night_1, stage)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); time.sleep(120)", str(workdir / "warehouse.duckdb")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        run = nightly(workdir)
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode == 2, run
    assert "locked" in run.output
    assert "loaded      nothing: the run stopped before loading" in run.output and "no new data" not in run.output


def test_exit_code_3_dbt_error(night_1, stage, tmp_path):
    workdir = clone(night_1, stage)
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    (project / "models" / "marts" / "broken_mart.sql").write_text("select * from {{ ref('no_such_model') }}\n")
    before = fingerprint(workdir / "serving.duckdb")
    run = nightly(workdir, project=project)
    assert run.returncode == 3, run
    assert fingerprint(workdir / "serving.duckdb") == before


def test_exit_code_4_stale_sources_with_fail_on_stale(night_1, stage):
    # the data ends 2026-06-30 and this test runs later, so every source is past error_after
    workdir = clone(night_1, stage)
    before = fingerprint(workdir / "serving.duckdb")
    run = nightly(workdir, "--fail-on-stale")
    assert run.returncode == 4, run
    assert "freshness   " in run.output and "error" in run.output
    assert "dbt build" not in run.output
    assert fingerprint(workdir / "serving.duckdb") == before


def test_exit_code_2_bad_arguments(tmp_path):
    run = nightly(tmp_path, "--as-of-date", "2026-02-30")
    assert run.returncode == 2, run


@pytest.mark.parametrize("value", ["2026-02-30", "20260630", "2026-6-30"])
def test_exit_code_2_as_of_date_from_the_environment_is_checked_and_named(tmp_path, monkeypatch, value):
    import nightly as nightly_script  # in-process: the check runs before anything is loaded or built

    monkeypatch.setenv("ACTIVATION_AS_OF_DATE", value)
    options = nightly_script.parse_args(["--database", str(tmp_path / "w.duckdb"),
                                         "--serving-path", str(tmp_path / "s.duckdb")])
    result = nightly_script.run(options)
    assert result.exit_code == 2
    assert result.message == f"$ACTIVATION_AS_OF_DATE {value!r} is not an ISO date (YYYY-MM-DD)"
    assert not (tmp_path / "w.duckdb").exists()


def test_as_of_date_flag_beats_the_environment(tmp_path, monkeypatch):
    import nightly as nightly_script

    monkeypatch.setenv("ACTIVATION_AS_OF_DATE", "2026-06-29")
    paths = ["--database", str(tmp_path / "w.duckdb"), "--serving-path", str(tmp_path / "s.duckdb")]
    from_env = nightly_script.parse_args(paths)
    assert (from_env.as_of_date, from_env.as_of_date_source) == ("2026-06-29", "$ACTIVATION_AS_OF_DATE")
    from_flag = nightly_script.parse_args(paths + ["--as-of-date", "2026-06-30"])
    assert (from_flag.as_of_date, from_flag.as_of_date_source) == ("2026-06-30", "--as-of-date")


def test_the_default_as_of_date_is_the_build_s_not_the_clock_s_at_publish_time(tmp_path, monkeypatch):
    """A nightly that crosses midnight UTC between its build and its publish labels the serving
    file and the summary with the as_of_date the build used (the day before dbt's
    run_started_at), not the day before the clock at publish time."""
    monkeypatch.delenv("ACTIVATION_AS_OF_DATE", raising=False)
    options = nightly_module.parse_args(["--database", str(tmp_path / "w.duckdb")])
    assert options.as_of_date is None
    result = nightly_module.NightlyResult(build_default_as_of_date="2026-06-30")
    monkeypatch.setattr(nightly_module, "_default_as_of_date", lambda: "2026-07-01")
    assert nightly_module._as_of_date(options, result) == "2026-06-30"
    assert "as_of_date  2026-06-30 (default: yesterday UTC)" in nightly_module.format_summary(options, result)
    # before the build has run, the clock is all there is
    assert nightly_module._as_of_date(options, nightly_module.NightlyResult()) == "2026-07-01"


def test_a_nightly_without_as_of_date_publishes_the_day_its_build_used(night_1, stage, tmp_path):
    """Without --as-of-date the models use the day before dbt's run_started_at. The serving file,
    the marts and the summary carry that same day even when the clock has passed midnight by the
    time the nightly publishes (here: the clock the nightly reads is one day ahead). Its drop
    directory holds only an exporter's manifest, no table's file: it is named as ignored."""
    workdir = clone(night_1, stage)
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "_manifest.json").write_text("{}")
    argv = nightly_argv(workdir, "--source-dir", str(drop))
    at = argv.index("--as-of-date")
    env = _env()
    env.pop("ACTIVATION_AS_OF_DATE", None)
    proc = subprocess.run([sys.executable, "-c", CLOCK_A_DAY_AHEAD, str(NIGHTLY.parent), *argv[2:at], *argv[at + 2:]],
                          capture_output=True, text=True, timeout=900, env=env, cwd=workdir)
    run = Run(proc.returncode, proc.stdout + proc.stderr)
    assert run.returncode == 0, run
    warehouse, serving = workdir / "warehouse.duckdb", workdir / "serving.duckdb"
    # the build's run_started_at, as every incremental model recorded it
    [(run_started_at,)] = serving_query(warehouse, "select max(recorded_at) from staging.activation_incremental_manifest")
    built_for = (run_started_at - dt.timedelta(days=1)).date()
    assert built_for.isoformat() != AS_OF_DATE  # the warehouse moved on from night 1's as_of_date
    [(published,)] = serving_query(serving, "select as_of_date from meta.publication")
    [(last_day,)] = serving_query(serving, "select max(metric_date) from marts.fct_account_tar_daily")
    assert published == last_day == built_for
    assert f"as_of_date  {built_for.isoformat()} (default: yesterday UTC)" in run.output
    assert "ignored, no raw table's file: _manifest.json" in run.output


def test_summary_names_the_models_rebuilt_in_full_and_why(tmp_path):
    # what the incremental models' post-hooks record (tests/python/test_incremental_manifest.py
    # checks the reasons themselves); the summary reports this run's full rebuilds only
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema staging")
    con.execute("create table staging.activation_incremental_manifest (model_name varchar, source_table varchar, "
                "refresh_mode varchar, refresh_reason varchar, recorded_at timestamp)")
    con.execute("insert into staging.activation_incremental_manifest values "
                "('int_events_aggregated_daily', 'config', 'full', 'configuration changed: seed event_catalog', "
                " timestamp '2026-07-01 02:15:00'), "
                "('base_product__events_deduplicated', 'config', 'incremental', 'only what changed', "
                " timestamp '2026-07-01 02:15:00'), "
                "('int_aha_conditions_evaluated', 'config', 'full', 'first build', timestamp '2026-06-30 02:15:00')")
    result = nightly_module.NightlyResult()
    nightly_module.read_full_rebuilds(result, con, dt.datetime(2026, 7, 1, 2, 14))
    con.close()
    assert result.full_rebuilds == [("int_events_aggregated_daily", "configuration changed: seed event_catalog")]
    summary = nightly_module.format_summary(nightly_module.parse_args(["--database", str(tmp_path / "w.duckdb")]), result)
    assert "rebuilt     in full: int_events_aggregated_daily (configuration changed: seed event_catalog)" in summary
