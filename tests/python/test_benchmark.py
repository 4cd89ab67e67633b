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
