"""scripts/lint_incremental.py (make lint's second pass) rebuilds its scratch database from
scratch: it must refuse any file outside the project's target/, such as a warehouse.

The pass itself runs in `make lint` (and so in `make test`) on every model."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb

from conftest import PROJECT_ROOT


def test_refuses_a_database_outside_target_and_leaves_it_untouched(tmp_path):
    warehouse = tmp_path / "activation.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create table marts_kept as select 42 as answer")
    finally:
        con.close()
    before = warehouse.read_bytes()
    for value in (str(warehouse), str(PROJECT_ROOT / "target" / ".." / "activation.duckdb")):
        run = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "lint_incremental.py")],
                             env={**os.environ, "ACTIVATION_DUCKDB_PATH": value}, cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 2, run.stderr
        assert "is not inside" in run.stderr and "Traceback" not in run.stderr
    assert warehouse.read_bytes() == before
