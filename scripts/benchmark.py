#!/usr/bin/env python3
"""Benchmarks of the project's heavy steps, each run as a child process and measured from outside.

Usage::

    python scripts/benchmark.py generate --preset large --format parquet --out /tmp/raw
    python scripts/benchmark.py build --preset medium [--baseline 899edbf]
    python scripts/benchmark.py nightly --preset medium
    python scripts/benchmark.py scale --presets small medium large xlarge

Every subcommand prints one line: ``benchmark <name> <details>: wall=<s>s peak_rss=<MiB>MiB
cpu_steal=<s>s exit=<code>``. CPU steal (time the hypervisor gave other guests) above a few
seconds means a contended host and a wall time that is not comparable with a quiet run.
Peak RSS is the child's (``getrusage(RUSAGE_CHILDREN).ru_maxrss``), so run one benchmark per
invocation. To add a benchmark, write a ``cmd_<name>(args)`` that returns the child's command
line (and, if it needs data, a ``prepare`` step that runs untimed first) and register it in
``build_parser``.

Each invocation first prints the revision it measures (``git describe --always --dirty``), and
last a warning if the project's files (models, macros, data tests, seeds, scripts, dbt's
configuration) changed while it ran: a nightly that re-parses an edited macro, or a build whose
models differ from its baseline's in more than the commit, gives figures of no one version.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from generate_data import PRESETS  # noqa: E402  (preset name -> accounts, smallest first)

BENCH_DIR = ROOT / "data" / "bench"
# Fixed dates, so every run of a benchmark builds exactly the same warehouse.
BENCH_END_DATE = "2026-06-30"
# The nightly benchmark also times a nightly on this many accounts: what dbt costs besides SQL.
FIXED_COST_ACCOUNTS = 100


def cpu_steal_seconds() -> float | None:
    """CPU time the hypervisor gave to other guests since boot, summed over cores (Linux
    /proc/stat). Steal during a benchmark means a contended host: the wall time is then not
    comparable with a quiet run, so every benchmark line reports it."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _steal_since(start: float | None) -> str:
    end = cpu_steal_seconds()
    return "n/a" if start is None or end is None else f"{end - start:.1f}s"


def measure(name: str, details: str, command: list[str]) -> int:
    """Run command as a child process and print its wall time, peak RSS and CPU steal on one line."""
    steal = cpu_steal_seconds()
    began = time.monotonic()
    code = subprocess.run(command, cwd=ROOT).returncode
    wall = time.monotonic() - began
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
    print(f"benchmark {name} {details}: wall={wall:.1f}s peak_rss={peak_mib:.0f}MiB "
          f"cpu_steal={_steal_since(steal)} exit={code}", flush=True)
    return code


def cmd_generate(args: argparse.Namespace) -> list[str]:
    return [
        sys.executable, str(ROOT / "scripts" / "generate_data.py"),
        "--preset", args.preset, "--format", args.format, "--out", str(args.out), "--quiet",
    ]


def _remove_warehouse(database: Path) -> None:
    """A DuckDB warehouse file and what DuckDB and the loader keep beside it."""
    for path in (database, Path(f"{database}.wal"), Path(f"{database}.lock")):
        path.unlink(missing_ok=True)
    shutil.rmtree(Path(f"{database}.tmp"), ignore_errors=True)


def _load_command(project: Path, raw: Path, database: Path) -> list[str]:
    return [sys.executable, str(project / "scripts" / "load_raw.py"), "--source-dir", str(raw),
            "--database", str(database)]


def _generate_command(size: list[str], raw: Path) -> list[str]:
    """The generator writing Parquet ending BENCH_END_DATE into raw; size: --preset P or --accounts N."""
    return [sys.executable, str(ROOT / "scripts" / "generate_data.py"), *size,
            "--format", "parquet", "--end-date", BENCH_END_DATE, "--out", str(raw), "--quiet"]


def _load_fresh(project: Path, raw: Path, database: Path) -> None:
    """Untimed: load raw into a new warehouse file with the project's own loader."""
    _remove_warehouse(database)
    subprocess.run(_load_command(project, raw, database), check=True, stdout=subprocess.DEVNULL)


def prepare_build(args: argparse.Namespace) -> None:
    """Untimed: generate the preset once (kept in data/bench/) and load it into a fresh warehouse."""
    raw = _generated(args.preset, ["--preset", args.preset])
    database = BENCH_DIR / f"{args.preset}.duckdb"
    _load_fresh(ROOT, raw, database)
    os.environ["ACTIVATION_DUCKDB_PATH"] = str(database)
    if args.baseline:
        _baseline_build(args, raw)


def _dbt_build_command(project: Path, target: Path) -> list[str]:
    dbt = str(Path(sys.executable).with_name("dbt"))
    return [dbt, "build", "--full-refresh", "--quiet", "--project-dir", str(project), "--profiles-dir",
            str(project), "--target-path", str(target), "--vars", f'{{activation__as_of_date: "{BENCH_END_DATE}"}}']


def _baseline_build(args: argparse.Namespace, raw: Path) -> None:
    """The same build of the same data at an older commit (a git worktree in data/bench/), timed
    just before this commit's build, so the two walls come from one invocation on one host."""
    commit = subprocess.run(["git", "rev-parse", "--short", args.baseline], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    tree = BENCH_DIR / f"baseline-{commit}"
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    database = BENCH_DIR / f"{args.preset}-baseline-{commit}.duckdb"
    _load_fresh(tree, raw, database)
    steal = cpu_steal_seconds()
    began = time.monotonic()
    code = subprocess.run(_dbt_build_command(tree, tree / "target"), cwd=tree,
                          env={**os.environ, "ACTIVATION_DUCKDB_PATH": str(database)}).returncode
    args.baseline_wall = time.monotonic() - began
    args.baseline_target = tree / "target"
    print(f"benchmark build preset={args.preset} baseline={commit}: wall={args.baseline_wall:.1f}s "
          f"cpu_steal={_steal_since(steal)} exit={code}", flush=True)


def cmd_build(args: argparse.Namespace) -> list[str]:
    """A full `dbt build` (seeds, every model, every unit and data test) from an empty warehouse."""
    return _dbt_build_command(ROOT, BENCH_DIR / "target")


# Relations with one row per raw event: a model that reads one of them is on the event path.
EVENT_GRAIN = ("source.activation.product.events", "model.activation.base_product__events",
               "model.activation.base_product__events_deduplicated", "model.activation.stg_product__events")
# The reference for the event path: one scan of raw.events grouped by account, user, event name and date.
REFERENCE_QUERY = """
    create or replace temp table benchmark_reference as
    select account_id, user_id, event_name, cast(occurred_at as date) as event_date, count(*) as n_events
    from raw.events
    group by account_id, user_id, event_name, cast(occurred_at as date)
"""
# What storing the event grain costs without any logic: raw.events' rows written, as they are, to a
# table in the warehouse. A model that stores one row per event writes about as many rows and bytes,
# so this ratio to the reference is, in the same run, about the least such a model can reach.
WRITE_FLOOR_QUERY = "create or replace table main.benchmark_write_floor as select * from raw.events"


def report_build(args: argparse.Namespace) -> None:
    """After the build: where its time went, and each event-path model against the reference query.

    The reference runs three times on the built warehouse in the same invocation (the median
    counts), so the ratio is comparable across hosts and days even when seconds are not."""
    import json
    import statistics

    import duckdb  # only this report needs it

    target = BENCH_DIR / "target"
    print(_node_breakdown(target / "run_results.json", top_tests=10), flush=True)
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    times = _node_times(target)
    baseline_times = _node_times(args.baseline_target) if getattr(args, "baseline_target", None) else {}
    readers = sorted((uid for uid, node in nodes.items()
                      if node["resource_type"] == "model" and node["config"].get("materialized") != "view"
                      and set(node["depends_on"]["nodes"]) & set(EVENT_GRAIN)), key=lambda uid: -times.get(uid, 0))
    def median_of_three(con, sql: str) -> tuple[float, list[float]]:
        runs = []
        for _ in range(3):
            began = time.monotonic()
            con.execute(sql)
            runs.append(time.monotonic() - began)
        return statistics.median(runs), runs

    with duckdb.connect(os.environ["ACTIVATION_DUCKDB_PATH"]) as con:
        reference, runs = median_of_three(con, REFERENCE_QUERY)
        floor, floor_runs = median_of_three(con, WRITE_FLOOR_QUERY)
        con.execute("drop table main.benchmark_write_floor")
    print(f"  reference query (raw.events grouped by account, user, event name, date): {reference:.2f}s "
          f"(median of {', '.join(f'{r:.2f}' for r in runs)})", flush=True)
    print(f"  write floor (raw.events copied to a table as it is): {floor:.2f}s = {floor / reference:.1f}x reference "
          f"(median of {', '.join(f'{r:.2f}' for r in floor_runs)})",
          flush=True)
    worst = 0.0
    for uid in readers:
        ratio = times.get(uid, 0.0) / reference
        worst = max(worst, ratio)
        before = (f"  (baseline {baseline_times[uid]:.2f}s)" if uid in baseline_times
                  else "  (not in the baseline)" if baseline_times else "")
        print(f"  event path: {uid.split('.')[-1]:<45} {times.get(uid, 0.0):6.2f}s  {ratio:5.1f}x reference{before}",
              flush=True)
    print(f"benchmark build preset={args.preset}: slowest event-path model = {worst:.1f}x the reference "
          f"(target: at most 4x)", flush=True)
    if getattr(args, "baseline_wall", None):
        print(f"benchmark build preset={args.preset}: this build / baseline {args.baseline} = "
              f"{args.wall / args.baseline_wall:.0%} (target: at most 40%)", flush=True)
    dbt_floor = _dbt_floor(target / "manifest.json")
    if dbt_floor is not None:
        floor_wall, _, counts = dbt_floor
        against = (f"; with the write floor {(floor_wall + floor) / args.baseline_wall:.0%} of the baseline"
                   if getattr(args, "baseline_wall", None) else "")
        print(f"benchmark build preset={args.preset}: dbt's floor ({counts['model']} models, {counts['test']} data "
              f"tests, {counts['seed']} seeds with no SQL work; unit tests not included) = {floor_wall:.1f}s = "
              f"{floor_wall / args.wall:.0%} of this build{against}", flush=True)


def _node_times(target: Path) -> dict[str, float]:
    """Node time per unique_id from a dbt target directory's run_results.json."""
    import json

    return {r["unique_id"]: r["execution_time"]
            for r in json.loads((target / "run_results.json").read_text())["results"]}


def _generated(name: str, size: list[str]) -> Path:
    """Generated raw data (Parquet, ending BENCH_END_DATE), kept in data/bench/<name>-raw."""
    raw = BENCH_DIR / f"{name}-raw"
    if not (raw / "events.parquet").exists():
        subprocess.run(_generate_command(size, raw), check=True)
    return raw


def _nightly_command(work: Path) -> list[str]:
    """scripts/nightly.py on a fresh warehouse in `work` (its dbt target stays, so the parse is reused)."""
    work.mkdir(parents=True, exist_ok=True)
    for path in work.glob("*.duckdb*"):
        path.unlink()
    return [sys.executable, str(ROOT / "scripts" / "nightly.py"), "--database", str(work / "warehouse.duckdb"),
            "--serving-path", str(work / "serving.duckdb"), "--target-path", str(work / "target"),
            "--log-path", str(work / "logs"), "--quiet"]


def _children_cpu_seconds() -> float:
    """User + system CPU time of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed_nightly(label: str, command: list[str], work: Path) -> tuple[float, float, int]:
    """Run one nightly; print its wall time, CPU time (the nightly runs dbt and DuckDB in its own
    process, so this is all the work it did, whatever ran beside what: less sensitive to a busy
    host than the wall time), CPU steal, phase timings and where dbt's time went."""
    steal = cpu_steal_seconds()
    cpu_before = _children_cpu_seconds()
    began = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True)
    wall = time.monotonic() - began
    cpu = _children_cpu_seconds() - cpu_before
    phases = next((line.split(None, 1)[1] for line in run.stdout.splitlines() if line.startswith("duration")), "")
    print(f"benchmark nightly {label}: wall={wall:.1f}s cpu={cpu:.1f}s cpu_steal={_steal_since(steal)} "
          f"exit={run.returncode}  [nightly summary: {phases}]", flush=True)
    print(_node_breakdown(work / "target" / "run_results.json"), flush=True)
    return wall, cpu, run.returncode


def run_nightly(args: argparse.Namespace) -> int:
    """A nightly that appends the last day of data, against a full refresh on the same data.

    Untimed: split the preset at BENCH_END_DATE 00:00 by _loaded_at (rows loaded before it are
    history, the rest is the new day, late rows included), load the history and build it as of
    the day before. Timed: (1) the nightly that appends the new day and builds incrementally as
    of BENCH_END_DATE; (2) a full-refresh nightly of the same warehouse with no new data.
    Both run every data test and publish the serving file. Then the fixed cost: the same
    nightly on a tiny warehouse (see _nightly_fixed_cost), and dbt's floor under it: this
    project's nodes with no SQL work (see write_floor_project).
    """
    import duckdb  # only this benchmark needs it

    raw = _generated(args.preset, ["--preset", args.preset])
    work = BENCH_DIR / f"nightly-{args.preset}"
    history, new_day = work / "history", work / "new_day"
    for folder in (history, new_day):
        folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        for table in ("accounts", "users", "subscriptions", "seat_assignments", "events", "interventions"):
            source = raw / f"{table}.parquet"
            for folder, condition in ((history, "<"), (new_day, ">=")):
                con.execute(
                    f"copy (select * from read_parquet('{source}') where _loaded_at {condition} "
                    f"timestamp '{BENCH_END_DATE} 00:00:00') to '{folder / (table + '.parquet')}' (format parquet)")
    nightly = _nightly_command(work)
    day_before = (_dt.date.fromisoformat(BENCH_END_DATE) - _dt.timedelta(days=1)).isoformat()
    subprocess.run(nightly + ["--source-dir", str(history), "--as-of-date", day_before], check=True,
                   stdout=subprocess.DEVNULL)
    timings, cpu = {}, {}
    for label, extra in (("incremental", ["--source-dir", str(new_day)]), ("full_refresh", ["--full-refresh"])):
        timings[label], cpu[label], code = _timed_nightly(f"preset={args.preset} {label}",
                                                          nightly + extra + ["--as-of-date", BENCH_END_DATE], work)
        if code != 0:
            return code
    print(f"benchmark nightly preset={args.preset}: incremental / full refresh = "
          f"{timings['incremental'] / timings['full_refresh']:.0%} (CPU time: "
          f"{cpu['incremental'] / cpu['full_refresh']:.0%})", flush=True)
    return _nightly_fixed_cost(timings["full_refresh"])


def _nightly_fixed_cost(full_refresh_s: float) -> int:
    """The cost of a nightly that is not SQL: the same nightly (every model, every data test,
    publish) on FIXED_COST_ACCOUNTS accounts, where each query takes milliseconds. Untimed first
    run to build and to cache dbt's parse; timed: a --full-refresh run with no new data."""
    raw = _generated("fixed-cost", ["--accounts", str(FIXED_COST_ACCOUNTS)])
    work = BENCH_DIR / "nightly-fixed-cost"
    nightly = _nightly_command(work) + ["--as-of-date", BENCH_END_DATE]
    subprocess.run(nightly + ["--source-dir", str(raw)], check=True, stdout=subprocess.DEVNULL)
    wall, _, code = _timed_nightly(f"fixed cost ({FIXED_COST_ACCOUNTS} accounts, same models and tests)",
                                   nightly + ["--full-refresh"], work)
    print(f"benchmark nightly: fixed cost / full refresh = {wall / full_refresh_s:.0%}", flush=True)
    floor = _dbt_floor(work / "target" / "manifest.json") if code == 0 else None
    if floor is not None:
        floor_wall, floor_cpu, counts = floor
        print(f"benchmark nightly dbt's floor ({counts['model']} models, {counts['test']} data tests, "
              f"{counts['seed']} seeds: this project's nodes, contracts and docs, no SQL work): "
              f"wall={floor_wall:.1f}s cpu={floor_cpu:.1f}s; floor / full refresh = {floor_wall / full_refresh_s:.0%}, "
              f"fixed cost / floor = {wall / floor_wall:.2f}", flush=True)
    return code


def write_floor_project(manifest: dict, out: Path, threads: str) -> dict[str, int]:
    """A dbt project with this project's DAG and no SQL work: what dbt itself costs per run.

    From a parsed manifest of this project: every model under its own name, schema and
    materialization, with its contract (columns, data types and constraints), its descriptions
    and persist_docs, its refs kept as dependencies, and a query that returns no row; every
    data test as a singular test on the same models and seeds that finds nothing; every seed
    with its own file. Building it does every step dbt and dbt-duckdb take for each node
    (compile, contract checks, create, rename, comments, commit) and nothing else, so its build
    time is the floor under any build of this project's nodes on this machine. Returns the
    number of models, data tests and seeds written."""
    import json

    shutil.rmtree(out, ignore_errors=True)
    for folder in ("models", "tests", "seeds"):
        (out / folder).mkdir(parents=True)
    ours = {uid: node for uid, node in manifest["nodes"].items() if node["package_name"] == manifest_project(manifest)}

    def text(value: str | None) -> str:  # a description, kept out of Jinja's way
        return (value or "").replace("{{", "{ {").replace("{%", "{ %").replace("{#", "{ #")

    def depends_on(node: dict) -> str:
        return "".join(f"-- depends_on: {{{{ ref('{ours[parent]['name']}') }}}}\n"
                       for parent in node["depends_on"]["nodes"] if parent in ours)

    counts = {"model": 0, "test": 0, "seed": 0}
    documented = []
    for _, node in sorted(ours.items()):
        kind = node["resource_type"]
        if kind == "model":
            config = node["config"]
            columns = list(node["columns"].values()) or [{"name": "id", "data_type": "integer"}]
            select = ",\n    ".join(f"cast(null as {column.get('data_type') or 'integer'}) as {column['name']}"
                                   for column in columns)
            settings = {"materialized": config["materialized"], "schema": config.get("schema"),
                        "on_schema_change": config.get("on_schema_change") if config["materialized"] == "incremental"
                        else None}
            (out / "models" / f"{node['name']}.sql").write_text(
                f"{{{{ config({', '.join(f'{k}={v!r}' for k, v in settings.items() if v)}) }}}}\n"
                f"{depends_on(node)}select\n    {select}\nwhere false\n")
            documented.append({
                "name": node["name"], "description": text(node.get("description")),
                "config": {"contract": {"enforced": config["contract"]["enforced"]},
                           "persist_docs": config.get("persist_docs") or {}},
                "constraints": [{key: value for key, value in constraint.items() if key in ("type", "expression", "columns")}
                                for constraint in node.get("constraints", []) if constraint["type"] != "foreign_key"],
                "columns": [{"name": column["name"], "description": text(column.get("description")),
                             **({"data_type": column["data_type"]} if column.get("data_type") else {}),
                             "constraints": [{key: value for key, value in constraint.items() if key in ("type", "expression")}
                                             for constraint in column.get("constraints", [])
                                             if constraint["type"] != "foreign_key"]}
                            for column in node["columns"].values()],
            })
            counts["model"] += 1
        elif kind == "test":
            parents = [ours[parent]["name"] for parent in node["depends_on"]["nodes"] if parent in ours]
            source = f"{{{{ ref('{parents[0]}') }}}}" if parents else "(select 1) as nothing"
            (out / "tests" / f"test_{counts['test']:03d}_{node['name'][:80]}.sql").write_text(
                f"{depends_on(node)}select 1 as failure from {source} where false\n")
            counts["test"] += 1
        elif kind == "seed":
            shutil.copy(ROOT / node["original_file_path"], out / "seeds" / Path(node["original_file_path"]).name)
            counts["seed"] += 1
    (out / "models" / "_floor__models.yml").write_text(json.dumps({"version": 2, "models": documented}, indent=1))
    (out / "dbt_project.yml").write_text(json.dumps({
        "name": "floor", "version": "1.0", "profile": "floor", "config-version": 2}))
    (out / "profiles.yml").write_text(json.dumps({"floor": {"target": "dev", "outputs": {"dev": {
        "type": "duckdb", "path": str(out / "floor.duckdb"), "threads": int(threads),
        "settings": {"preserve_insertion_order": False}}}}}))
    return counts


def manifest_project(manifest: dict) -> str:
    """The name of the project a manifest was parsed from (not its packages')."""
    return next(node["package_name"] for node in manifest["nodes"].values() if node["resource_type"] == "model")


def _dbt_floor(manifest_path: Path) -> tuple[float, float, dict[str, int]] | None:
    """Build write_floor_project's project once untimed (its tables exist, as the fixed-cost
    nightly's do), then time a full-refresh build of it: wall and CPU time."""
    import json

    work = BENCH_DIR / "dbt-floor"
    counts = write_floor_project(json.loads(manifest_path.read_text()), work,
                                 os.environ.get("ACTIVATION_DBT_THREADS", "2"))
    dbt = [str(Path(sys.executable).with_name("dbt")), "build", "--quiet", "--project-dir", str(work),
           "--profiles-dir", str(work), "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    if subprocess.run(dbt, capture_output=True).returncode != 0:
        print("benchmark: dbt's floor project did not build; no floor figure", flush=True)
        return None
    cpu_before = _children_cpu_seconds()
    began = time.monotonic()
    code = subprocess.run(dbt + ["--full-refresh"], capture_output=True).returncode
    wall, cpu = time.monotonic() - began, _children_cpu_seconds() - cpu_before
    return (wall, cpu, counts) if code == 0 else None


def _node_breakdown(run_results: Path, top_tests: int = 5) -> str:
    """Where a dbt build's time went: summed node time per resource type, every model's node
    time (slowest first), and the slowest data tests."""
    import json

    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return "  (no run_results.json)"
    by_type: dict[str, list[float]] = {}
    for result in results:
        by_type.setdefault(result["unique_id"].split(".")[0], []).append(result["execution_time"])
    totals = ", ".join(f"{kind} {len(times)} nodes {sum(times):.1f}s" for kind, times in sorted(by_type.items()))

    def listing(kind: str, limit: int | None) -> str:
        nodes = sorted((r for r in results if r["unique_id"].startswith(kind + ".")),
                       key=lambda r: -r["execution_time"])[:limit]
        return ", ".join(f"{r['unique_id'].split('.')[-1]} {r['execution_time']:.1f}s" for r in nodes)

    return (f"  node time (summed over threads): {totals}\n  models: {listing('model', None)}\n"
            f"  slowest tests: {listing('test', top_tests)}")


# Runs a command as its child and writes "<peak RSS KiB> <exit code>" to the file descriptor in
# argv[1]. Linux counts into a child's peak RSS the memory of the process it was forked from
# (up to its exec), so the benchmark's own size would set a floor under every step's figure;
# forked from this small interpreter (python -S), a step's peak is its own.
_MEASURE_CHILD = """
import os, sys
fd, command = int(sys.argv[1]), sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.close(fd)
    os.execvp(command[0], command)
_, status, usage = os.wait4(pid, 0)
os.write(fd, f"{usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}".encode())
"""


def _timed_step(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Run one step as a child process: its wall time (s), its own peak RSS (MiB) and exit code."""
    read_end, write_end = os.pipe()
    began = time.monotonic()
    try:
        subprocess.run([sys.executable, "-S", "-c", _MEASURE_CHILD, str(write_end), *command], cwd=ROOT, env=env,
                       pass_fds=(write_end,), check=False)
    finally:
        os.close(write_end)
    wall = time.monotonic() - began
    with os.fdopen(read_end) as report:
        peak_kib, code = report.read().split()
    return wall, int(peak_kib) / 1024, int(code)


def run_scale(args: argparse.Namespace) -> int:
    """How cost grows with the data: per preset, generate (Parquet), load into a new warehouse
    and run the full `dbt build` (every model, unit and data test), each step timed as its own
    child process with its peak RSS. Ends with one table over the presets (events, wall and peak
    RSS per step, build seconds per million events). DuckDB's memory_limit and temp_directory
    come from ACTIVATION_DUCKDB_MEMORY_LIMIT and ACTIVATION_DUCKDB_TEMP_DIRECTORY, dbt's threads
    from ACTIVATION_DBT_THREADS (profiles.yml): a preset bigger than memory spills there. The
    warehouse is deleted after its size is taken; the raw files stay in data/bench/<preset>-raw
    for the other benchmarks."""
    import duckdb  # only this benchmark needs it

    print(f"benchmark scale: memory_limit={os.environ.get('ACTIVATION_DUCKDB_MEMORY_LIMIT', '80% (default)')} "
          f"temp_directory={os.environ.get('ACTIVATION_DUCKDB_TEMP_DIRECTORY', '<warehouse>.tmp (default)')} "
          f"dbt threads={os.environ.get('ACTIVATION_DBT_THREADS', '2 (default)')}", flush=True)
    rows, code = [], 0
    for preset in args.presets:
        raw, database = BENCH_DIR / f"{preset}-raw", BENCH_DIR / f"{preset}-scale.duckdb"
        shutil.rmtree(raw, ignore_errors=True)
        _remove_warehouse(database)
        steps = {
            "generate": (_generate_command(["--preset", preset], raw), None),
            "load": (_load_command(ROOT, raw, database), None),
            "build": (_dbt_build_command(ROOT, BENCH_DIR / f"target-scale-{preset}"),
                      {**os.environ, "ACTIVATION_DUCKDB_PATH": str(database)}),
        }
        steal = cpu_steal_seconds()
        measured: dict[str, tuple[float, float, int]] = {}
        for step, (command, env) in steps.items():
            measured[step] = _timed_step(command, env)
            wall, peak, code = measured[step]
            print(f"benchmark scale preset={preset} {step}: wall={wall:.1f}s peak_rss={peak:.0f}MiB exit={code}",
                  flush=True)
            if code != 0:
                break
        events_file = raw / "events.parquet"
        events = (duckdb.sql(f"select count(*) from read_parquet('{events_file}')").fetchall()[0][0]
                  if measured["generate"][2] == 0 and events_file.exists() else None)
        size_gib = database.stat().st_size / 2**30 if database.exists() else 0.0
        _remove_warehouse(database)
        rows.append((preset, PRESETS[preset], events, measured, size_gib, _steal_since(steal)))
        if code != 0:
            break

    def cell(measured: dict, step: str) -> str:
        if step not in measured:
            return "not run"
        wall, peak, status = measured[step]
        return f"{wall:.0f} s, {peak / 1024:.1f} GiB" + ("" if status == 0 else f" (exit {status})")

    print("\n| preset | accounts | events | generate | load | build (models and tests) | build s per M events "
          "| warehouse file | CPU steal |\n|---|---:|---:|---|---|---|---:|---:|---:|")
    for preset, accounts, events, measured, size_gib, steal in sorted(rows, key=lambda row: row[1]):
        build_wall, _, build_code = measured.get("build", (0.0, 0.0, None))
        per_million = f"{build_wall / (events / 1e6):.2f}" if build_code == 0 and events else "n/a"
        print(f"| {preset} | {accounts:,} | {f'{events / 1e6:.1f}M' if events is not None else 'n/a'} | "
              f"{cell(measured, 'generate')} | {cell(measured, 'load')} | {cell(measured, 'build')} | "
              f"{per_million} | {size_gib:.1f} GiB | {steal} |", flush=True)
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="benchmark", required=True)
    gen = sub.add_parser("generate", help="time scripts/generate_data.py")
    gen.add_argument("--preset", choices=list(PRESETS), default="small")
    gen.add_argument("--format", choices=["csv", "parquet"], default="csv")
    gen.add_argument("--out", type=Path, default=ROOT / "data" / "raw")
    gen.set_defaults(command=cmd_generate, prepare=None, report=None,
                     details=lambda a: f"preset={a.preset} format={a.format}")
    build = sub.add_parser("build", help="time a full dbt build (models and tests) on a preset")
    build.add_argument("--preset", choices=list(PRESETS), default="medium")
    build.add_argument("--baseline", metavar="COMMIT",
                       help="also build the same data at this commit first (a git worktree), and print the ratio")
    build.set_defaults(command=cmd_build, prepare=prepare_build, report=report_build,
                       details=lambda a: f"preset={a.preset}")
    nightly = sub.add_parser("nightly", help="time a one-day incremental nightly against a full refresh")
    nightly.add_argument("--preset", choices=list(PRESETS), default="medium")
    nightly.set_defaults(run=run_nightly)
    scale = sub.add_parser("scale", help="generate, load and build each preset; a table of wall, peak RSS and "
                                         "seconds per million events")
    scale.add_argument("--presets", nargs="+", choices=list(PRESETS), default=list(PRESETS))
    scale.set_defaults(run=run_scale)
    return parser


# What the figures depend on: dbt's project files and the scripts that run it.
PROJECT_FILES = ("models", "macros", "tests/dbt", "seeds", "analyses", "scripts", "dbt_project.yml",
                 "profiles.yml", "packages.yml")
PROJECT_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".py", ".md"}


def project_fingerprint(root: Path = ROOT) -> str:
    """A digest of every project file the figures depend on (name and content)."""
    digest = hashlib.sha256()
    for top in PROJECT_FILES:
        path = root / top
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in PROJECT_SUFFIXES
                       and "__pycache__" not in p.parts) if path.is_dir() else [path] if path.is_file() else []
        for file in files:
            digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def revision(root: Path = ROOT) -> str:
    described = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=root, capture_output=True, text=True)
    return described.stdout.strip() if described.returncode == 0 else "unknown (not a git checkout)"


def guarded(run, root: Path = ROOT) -> int:
    """Run one benchmark between the revision line and the changed-files check."""
    print(f"benchmark revision {revision(root)}", flush=True)
    before = project_fingerprint(root)
    code = run()
    if project_fingerprint(root) != before:
        print("benchmark WARNING: project files changed while the benchmark ran; its figures mix two "
              "versions of the project: run it again", flush=True)
    return code


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return guarded(lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    if getattr(args, "run", None) is not None:
        return args.run(args)
    if args.prepare is not None:
        args.prepare(args)
    began = time.monotonic()
    code = measure(args.benchmark, args.details(args), args.command(args))
    args.wall = time.monotonic() - began
    if code == 0 and args.report is not None:
        args.report(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
