#!/usr/bin/env python3
"""Benchmarks of the project's heavy steps, each run as a child process and measured from outside.

Usage::

    python scripts/benchmark.py generate --preset large --format parquet --out /tmp/raw

Every subcommand prints one line: ``benchmark <name> <details>: wall=<s>s peak_rss=<MiB>MiB exit=<code>``.
Peak RSS is the child's (``getrusage(RUSAGE_CHILDREN).ru_maxrss``), so run one benchmark per
invocation. To add a benchmark (e.g. ``build``, ``nightly``), write a ``cmd_<name>(args)`` that
returns the child's command line and register it in ``build_parser``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="benchmark", required=True)
    gen = sub.add_parser("generate", help="time scripts/generate_data.py")
    gen.add_argument("--preset", choices=["small", "medium", "large"], default="small")
    gen.add_argument("--format", choices=["csv", "parquet"], default="csv")
    gen.add_argument("--out", type=Path, default=ROOT / "data" / "raw")
    gen.set_defaults(command=cmd_generate, details=lambda a: f"preset={a.preset} format={a.format}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return measure(args.benchmark, args.details(args), args.command(args))


if __name__ == "__main__":
    sys.exit(main())
