"""Tests of scripts/benchmark.py's own mechanics (never of timings: those live in the benchmark)."""

from __future__ import annotations

import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))

import benchmark  # noqa: E402


def test_each_step_reports_its_own_peak_memory_and_exit_code():
    """The scale table gives peak RSS per step: a small step after a big one must not inherit
    the big one's peak (getrusage(RUSAGE_CHILDREN) would report the maximum over all children)."""
    big = [sys.executable, "-c", "block = bytearray(400 * 2**20); block[::4096] = b'x' * len(block[::4096])"]
    small = [sys.executable, "-c", "import sys; sys.exit(3)"]
    _, big_peak, big_code = benchmark._timed_step(big)
    _, small_peak, small_code = benchmark._timed_step(small)
    assert big_code == 0 and small_code == 3
    assert big_peak >= 400
    assert small_peak < 100


def test_every_preset_can_be_benchmarked():
    parser = benchmark.build_parser()
    assert parser.parse_args(["scale"]).presets == ["small", "medium", "large", "xlarge"]
    for command in ("generate", "build", "nightly"):
        assert parser.parse_args([command, "--preset", "xlarge"]).preset == "xlarge"


def test_a_failed_step_ends_the_scale_run_with_its_exit_code_and_a_row_saying_so(monkeypatch, tmp_path, capsys):
    """A preset whose generation fails (a full disk, say) stops the run: its exit code, no load or
    build, and a table row that says what ran instead of a crash or a made-up figure."""
    monkeypatch.setattr(benchmark, "BENCH_DIR", tmp_path)
    monkeypatch.setattr(benchmark, "_generate_command", lambda size, raw: [sys.executable, "-c", "raise SystemExit(5)"])
    args = benchmark.build_parser().parse_args(["scale", "--presets", "small", "medium"])
    assert benchmark.run_scale(args) == 5
    output = capsys.readouterr().out
    assert "preset=small generate:" in output and "exit=5" in output
    assert "preset=small load" not in output and "preset=medium" not in output
    assert "| small | 2,000 | n/a |" in output and "(exit 5) | not run | not run | n/a |" in output


def test_a_nightly_is_timed_by_its_own_cpu_time(tmp_path, capsys):
    """The nightly benchmark reports the CPU time of the nightly it ran (dbt and DuckDB run in
    that process), not of earlier children, and not its wall time: a child that sleeps has a
    long wall and little CPU, one that computes has both."""
    busy = [sys.executable, "-c", "import time\nwhile time.process_time() < 0.6: pass"]
    sleeper = [sys.executable, "-c", "import time; time.sleep(0.8)"]
    busy_wall, busy_cpu, busy_code = benchmark._timed_nightly("busy", busy, tmp_path)
    sleep_wall, sleep_cpu, sleep_code = benchmark._timed_nightly("sleeper", sleeper, tmp_path)
    assert busy_code == 0 and sleep_code == 0
    assert busy_cpu >= 0.6
    assert sleep_wall >= 0.8 and sleep_cpu < 0.4
    output = capsys.readouterr().out
    assert f"benchmark nightly sleeper: wall={sleep_wall:.1f}s cpu={sleep_cpu:.1f}s" in output


def test_a_project_edit_during_the_run_is_reported(tmp_path, capsys):
    """An edit to a model or macro while a benchmark runs (the nightly re-parses it) makes the
    figures a mix of two versions: the run says so. A file outside the project (README, data)
    does not."""
    (tmp_path / "macros").mkdir()
    macro = tmp_path / "macros" / "m.sql"
    macro.write_text("{% macro m() %}1{% endmacro %}")
    readme = tmp_path / "README.md"
    readme.write_text("before")

    def edit_the_readme() -> int:
        readme.write_text("after")
        return 0

    assert benchmark.guarded(edit_the_readme, root=tmp_path) == 0
    quiet = capsys.readouterr().out
    assert quiet.startswith("benchmark revision ") and "WARNING" not in quiet

    def edit() -> int:
        macro.write_text("{% macro m() %}2{% endmacro %}")
        return 3

    assert benchmark.guarded(edit, root=tmp_path) == 3
    assert "benchmark WARNING: project files changed while the benchmark ran" in capsys.readouterr().out


def _manifest_node(kind: str, name: str, parents: list[str] = (), **extra) -> dict:
    return {"resource_type": kind, "name": name, "package_name": "activation",
            "depends_on": {"nodes": list(parents)}, **extra}


def test_the_floor_project_builds_every_node_of_the_dag_with_its_contract_and_no_rows(tmp_path):
    """dbt's floor (benchmark nightly) is only a floor if its project has this project's nodes,
    dependencies, materializations, contracts and docs, and does no SQL work: each model's
    contract is enforced with its types and constraints, its refs run first, descriptions reach
    the database, every table is empty, and tests on sources or seeds only still count."""
    import duckdb
    from dbt.cli.main import dbtRunner

    contract = {"materialized": "incremental", "schema": "intermediate", "on_schema_change": "append_new_columns",
                "contract": {"enforced": True}, "persist_docs": {"relation": True, "columns": True}}
    manifest = {"nodes": {
        "model.activation.int_days": _manifest_node(
            "model", "int_days", ["source.activation.product.events"], config=contract,
            description="Days {{ of activity }}.", constraints=[{"type": "primary_key", "columns": ["account_id"]}],
            columns={"account_id": {"name": "account_id", "data_type": "text", "description": "The account.",
                                    "constraints": [{"type": "not_null", "expression": None}]},
                     "n_events": {"name": "n_events", "data_type": "bigint", "description": "Events.",
                                  "constraints": [{"type": "check", "expression": "n_events >= 1"}]}}),
        "model.activation.fct_days": _manifest_node(
            "model", "fct_days", ["model.activation.int_days", "seed.activation.onboarding_checklist"],
            config={"materialized": "view", "schema": "marts", "contract": {"enforced": False}, "persist_docs": {}},
            description="", columns={}),
        "test.activation.not_null_fct_days": _manifest_node("test", "not_null_fct_days", ["model.activation.fct_days"]),
        "test.activation.fresh_events": _manifest_node("test", "fresh_events", ["source.activation.product.events"]),
        "seed.activation.onboarding_checklist": _manifest_node(
            "seed", "onboarding_checklist", original_file_path="seeds/onboarding_checklist.csv"),
        "model.dbt_utils.elsewhere": {**_manifest_node("model", "elsewhere"), "package_name": "dbt_utils"},
    }}
    project = tmp_path / "floor"
    assert benchmark.write_floor_project(manifest, project, "1") == {"model": 2, "test": 2, "seed": 1}

    result = dbtRunner().invoke(["build", "--project-dir", str(project), "--profiles-dir", str(project),
                                 "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")])
    assert result.success, result.exception
    statuses = {r.node.unique_id: r.status for r in result.result}
    assert sorted(statuses) == ["model.floor.fct_days", "model.floor.int_days", "seed.floor.onboarding_checklist",
                                "test.floor.test_000_fresh_events", "test.floor.test_001_not_null_fct_days"]
    assert [r.node.name for r in result.result].index("fct_days") > [r.node.name for r in result.result].index("int_days")
    with duckdb.connect(str(project / "floor.duckdb")) as con:  # configured as dbt-duckdb's own, still open
        columns = con.execute("select column_name, data_type, is_nullable, comment from duckdb_columns() "
                              "where table_name = 'int_days' order by column_index").fetchall()
        assert columns == [("account_id", "VARCHAR", False, "The account."), ("n_events", "BIGINT", True, "Events.")]
        assert con.execute("select comment from duckdb_tables() where table_name = 'int_days'").fetchone() == \
            ("Days { { of activity }}.",)
        assert con.execute("select count(*) from main_intermediate.int_days").fetchone() == (0,)
        assert con.execute("select count(*) from main_marts.fct_days").fetchone() == (0,)
        assert con.execute("select count(*) from main.onboarding_checklist").fetchone()[0] > 0
        kinds = {row[0] for row in con.execute("select constraint_type from duckdb_constraints() "
                                               "where table_name = 'int_days'").fetchall()}
        assert {"PRIMARY KEY", "CHECK", "NOT NULL"} <= kinds
