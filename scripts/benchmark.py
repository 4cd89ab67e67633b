#!/usr/bin/env python3
"""Benchmarks of the project's heavy steps, each run as a child process and measured from outside.

Usage::

    python scripts/benchmark.py generate --preset large --format parquet --out /tmp/raw
    python scripts/benchmark.py build --preset medium

Every subcommand prints one line: ``benchmark <name> <details>: wall=<s>s peak_rss=<MiB>MiB exit=<code>``.
Peak RSS is the child's (``getrusage(RUSAGE_CHILDREN).ru_maxrss``), so run one benchmark per
invocation. To add a benchmark, write a ``cmd_<name>(args)`` that returns the child's command
line (and, if it needs data, a ``prepare`` step that runs untimed first) and register it in
``build_parser``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "data" / "bench"
# Fixed dates, so every run of a benchmark builds exactly the same warehouse.
BENCH_END_DATE = "2026-06-30"


def measure(name: str, details: str, command: list[str]) -> int:
    """Run command as a child process and print its wall time and peak RSS on one line."""
    began = time.monotonic()
    code = subprocess.run(command, cwd=ROOT).returncode
    wall = time.monotonic() - began
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
    print(f"benchmark {name} {details}: wall={wall:.1f}s peak_rss={peak_mib:.0f}MiB exit={code}", flush=True)
    return code


def cmd_generate(args: argparse.Namespace) -> list[str]:
    return [
        sys.executable, str(ROOT / "scripts" / "generate_data.py"),
        "--preset", args.preset, "--format", args.format, "--out", str(args.out), "--quiet",
    ]


def prepare_build(args: argparse.Namespace) -> None:
    """Untimed: generate the preset once (kept in data/bench/) and load it into a fresh warehouse."""
    raw = BENCH_DIR / f"{args.preset}-raw"
    if not (raw / "events.parquet").exists():
        subprocess.run([
            sys.executable, str(ROOT / "scripts" / "generate_data.py"), "--preset", args.preset,
            "--format", "parquet", "--end-date", BENCH_END_DATE, "--out", str(raw), "--quiet",
        ], check=True)
    database = BENCH_DIR / f"{args.preset}.duckdb"
    for path in (database, Path(f"{database}.wal")):
        path.unlink(missing_ok=True)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "load_raw.py"), "--source-dir", str(raw),
                    "--database", str(database)], check=True, stdout=subprocess.DEVNULL)
    os.environ["ACTIVATION_DUCKDB_PATH"] = str(database)


def cmd_build(args: argparse.Namespace) -> list[str]:
    """A full `dbt build` (seeds, every model, every unit and data test) from an empty warehouse."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    return [dbt, "build", "--full-refresh", "--quiet", "--target-path", str(BENCH_DIR / "target"),
            "--vars", f'{{activation__as_of_date: "{BENCH_END_DATE}"}}']


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="benchmark", required=True)
    gen = sub.add_parser("generate", help="time scripts/generate_data.py")
    gen.add_argument("--preset", choices=["small", "medium", "large"], default="small")
    gen.add_argument("--format", choices=["csv", "parquet"], default="csv")
    gen.add_argument("--out", type=Path, default=ROOT / "data" / "raw")
    gen.set_defaults(command=cmd_generate, prepare=None,
                     details=lambda a: f"preset={a.preset} format={a.format}")
    build = sub.add_parser("build", help="time a full dbt build (models and tests) on a preset")
    build.add_argument("--preset", choices=["small", "medium", "large"], default="medium")
    build.set_defaults(command=cmd_build, prepare=prepare_build, details=lambda a: f"preset={a.preset}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.prepare is not None:
        args.prepare(args)
    return measure(args.benchmark, args.details(args), args.command(args))


if __name__ == "__main__":
    sys.exit(main())
