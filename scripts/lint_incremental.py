#!/usr/bin/env python3
"""The second pass of ``make lint``: sqlfluff on the incremental branch of every incremental model.

sqlfluff's dbt templater renders ``is_incremental()`` against the profile's database. Against the
empty scratch database of lint's first pass it is false, so only the full-refresh branch of an
incremental model is linted there. This script builds that same scratch database the way a first
run would, without a row: the raw tables created empty, then ``dbt build --empty`` of every
incremental model and what it reads (seeds and models; no tests). Every incremental relation
then exists, and sqlfluff, run on the incremental models' files against that database, lints
their incremental branch. The incremental models are found in dbt's manifest (materialized
``incremental``), so a new one is linted without editing anything.

The database is ``$ACTIVATION_DUCKDB_PATH``, as for the templater (the Makefile sets the same
value for both passes, so that dbt's saved parse stays valid); it must be a file inside the
project's target/ directory: it is deleted and rebuilt, and never the warehouse.

Usage (from the project root, as the Makefile runs it)::

    ACTIVATION_DUCKDB_PATH=target/sqlfluff.duckdb python scripts/lint_incremental.py [--processes N]

Exit codes: sqlfluff's (0 no finding, 1 findings); 2 when the scratch database is not under
target/ or cannot be built (nothing linted).
"""

from __future__ import annotations

import argparse
import configparser
import os
import subprocess
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_raw  # noqa: E402
from raw_schema import TABLES  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATABASE_ENV_VAR = "ACTIVATION_DUCKDB_PATH"
EXIT_NOT_LINTED = 2


class ScratchError(Exception):
    pass


def scratch_database() -> Path:
    """The scratch file, absolute (a relative ``$ACTIVATION_DUCKDB_PATH`` is relative to the
    project root, where dbt and sqlfluff run)."""
    value = os.environ.get(DATABASE_ENV_VAR)
    if not value:
        raise ScratchError(f"${DATABASE_ENV_VAR} is not set: point it at a scratch file in target/")
    path = (PROJECT_ROOT / value).resolve()
    target = (PROJECT_ROOT / "target").resolve()
    if target not in path.parents:
        raise ScratchError(f"${DATABASE_ENV_VAR}={value} is not inside {target}: this script deletes and "
                           "rebuilds the file, so it only works on a scratch file there")
    return path


def _dbt_args(*args: str) -> list[str]:
    """dbt arguments as sqlfluff's dbt templater passes them (.sqlfluff): dbt keeps its saved
    parse only while the profile and target arguments stay the same."""
    config = configparser.ConfigParser()
    config.read(PROJECT_ROOT / ".sqlfluff")
    templater = config["sqlfluff:templater:dbt"] if config.has_section("sqlfluff:templater:dbt") else {}
    argv = [*args, "--quiet", "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT)]
    for option in ("profile", "target"):
        if templater.get(option):
            argv += [f"--{option}", templater[option]]
    return argv


def build_scratch(database: Path) -> list[str]:
    """Rebuild ``database`` with every incremental relation, empty; return the incremental
    models' files (relative to the project root), sorted."""
    for stale in (database, Path(f"{database}.wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    try:
        load_raw.create_missing_tables(con, TABLES)
    finally:
        con.close()

    from dbt.cli.main import dbtRunner  # imported late: ~1 s

    parsed = dbtRunner().invoke(_dbt_args("parse"))
    if not parsed.success or parsed.result is None:
        raise ScratchError(f"dbt parse failed: {parsed.exception}")
    models = sorted((node.name, node.original_file_path) for node in parsed.result.nodes.values()
                    if node.resource_type == "model" and node.config.materialized == "incremental")
    if not models:
        return []
    built = dbtRunner(manifest=parsed.result).invoke(_dbt_args(
        "build", "--empty", "--resource-type", "model", "--resource-type", "seed",
        "--select", *[f"+{name}" for name, _ in models]))
    if not built.success:
        raise ScratchError(f"dbt build --empty of the incremental models failed: {built.exception or 'see above'}")
    return [path for _, path in models]


def _build_in_child(list_file: Path) -> list[str]:
    """Build the scratch database in a child process: dbt-duckdb keeps its DuckDB instance, and
    so the file's lock, for the life of the process that ran dbt, and sqlfluff must open the file
    after it."""
    child = subprocess.run([sys.executable, __file__, "--build-only", str(list_file)], cwd=PROJECT_ROOT)
    if child.returncode != 0:
        raise ScratchError("building the scratch database failed (see above)")
    return [line for line in list_file.read_text().splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lint_incremental.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="0", help="sqlfluff --processes (default 0: one per core)")
    parser.add_argument("--build-only", type=Path, metavar="LIST_FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        database = scratch_database()
        if args.build_only:
            args.build_only.write_text("".join(f"{path}\n" for path in build_scratch(database)))
            return 0
        print(f"=== incremental branch: building {database} (dbt build --empty of the incremental models)",
              flush=True)
        paths = _build_in_child(Path(f"{database}.incremental-models"))
    except (ScratchError, duckdb.Error, OSError) as e:
        print(f"lint_incremental.py: error: {e}", file=sys.stderr)
        return EXIT_NOT_LINTED
    if not paths:
        print("=== incremental branch: no incremental model, nothing to lint")
        return 0
    print(f"=== incremental branch: sqlfluff on the {len(paths)} incremental models", flush=True)
    return subprocess.run([sys.executable, "-m", "sqlfluff", "lint", "--processes", args.processes, *paths],
                          cwd=PROJECT_ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
