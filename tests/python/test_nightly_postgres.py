"""scripts/nightly.py on Postgres (ACTIVATION_TARGET=postgres): load with the file ledger in the
load's transaction, build and test, then publish marts and dq to the schemas BI reads
(serving_marts, serving_dq, serving_meta) in one transaction; the same exit codes as on DuckDB.

Each run is a separate process, as a scheduler starts it, against one database of the session's
scratch server (conftest.postgres_server). The runs build on each other, in order: night 1
publishes; night 2 cannot swap the published schemas while a BI reader holds them (exit 5,
readers keep the old snapshot, whole); its rerun skips the files already loaded and publishes;
a second run while one holds the warehouse exits 2 at once; rows added to an hour of
`_loaded_at` already processed are processed incrementally, and a rewrite in such an hour
rebuilds the event models in full; a contract edit rebuilds the TAR
table from its contract and the view over it comes back; a run whose model breaks a row rule
exits 1, names the rule in its summary (read back from Postgres) and publishes nothing. Exit 1 is
decided before publishing, by the same code on both engines (test_nightly.py covers its cases).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from batches import split_by_loaded_at
from conftest import AS_OF_DATE, PROJECT_ROOT, copy_project, generate

pytestmark = pytest.mark.slow

NIGHTLY = PROJECT_ROOT / "scripts" / "nightly.py"
DATABASE = "nightly"


class Run:
    def __init__(self, returncode: int, output: str) -> None:
        self.returncode = returncode
        self.output = output

    def __repr__(self) -> str:
        return f"<nightly exit {self.returncode}>\n{self.output[-6000:]}"


@pytest.fixture(scope="module")
def setup(postgres_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("nightly_pg")
    raw = generate(root / "raw", accounts=80, seed=11, dirty_rate=0.02)
    batches = split_by_loaded_at(raw, root / "batches", ["2026-06-25"], late_events=10, reexport_users=6,
                                 reexport_subscriptions=4, reexport_accounts=2, reexport_events=10)
    postgres_server.create_database(DATABASE)
    return postgres_server, root, batches


def nightly(setup, *args: str, project: Path = PROJECT_ROOT, env: dict | None = None) -> Run:
    server, root, _ = setup
    environment = dict(os.environ, PYTHONUNBUFFERED="1", ACTIVATION_TARGET="postgres",
                       **server.environment(DATABASE), **(env or {}))
    environment.pop("ACTIVATION_DUCKDB_PATH", None)
    target = root / "target" if project == PROJECT_ROOT else project / "target"
    argv = [sys.executable, str(NIGHTLY), "--as-of-date", AS_OF_DATE, "--project-dir", str(project),
            "--target-path", str(target), "--log-path", str(root / "logs"), "--quiet", *args]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=900, env=environment, cwd=root)
    return Run(proc.returncode, proc.stdout + proc.stderr)


def query(server, sql: str, params=None) -> list[tuple]:
    con = server.connect(DATABASE)
    try:
        with con.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        con.close()


def published(server) -> dict[str, int]:
    """Row count of every published relation, as meta.relations records it."""
    return {f"{s}.{n}": c for s, n, c in query(
        server, "select table_schema, table_name, row_count from serving_meta.relations")}


def warehouse_counts(server) -> dict[str, int]:
    counts = {}
    for schema, name in query(server, "select table_schema, table_name from information_schema.tables "
                                      "where table_schema in ('marts', 'dq')"):
        counts[f"{schema}.{name}"] = query(server, f'select count(*) from {schema}."{name}"')[0][0]
    return counts


def snapshot_rows(server) -> list[tuple]:
    return query(server, "select account_id, activation_stage, setup_at, tar from serving_marts.fct_account_activation "
                         "order by account_id")


@pytest.fixture(scope="module")
def night_1(setup):
    server, _, batches = setup
    run = nightly(setup, "--source-dir", str(batches[0]))
    return run


def test_night_1_publishes_marts_and_dq_in_the_schemas_bi_reads(setup, night_1):
    server = setup[0]
    assert night_1.returncode == 0, night_1
    assert "published   yes -> schemas serving_marts, serving_dq, serving_meta" in night_1.output
    counts = published(server)
    assert counts == warehouse_counts(server), "every marts and dq relation, with its rows"
    assert counts["marts.fct_account_activation"] > 0 and counts["dq.dq_rejected_rows"] > 0
    for key, expected in counts.items():
        schema, name = key.split(".")
        assert query(server, f'select count(*) from serving_{schema}."{name}"')[0][0] == expected
    [(as_of, mode)] = query(server, "select cast(as_of_date as text), build_mode from serving_meta.publication")
    assert (as_of, mode) == (AS_OF_DATE, "incremental")
    comment = query(server, "select obj_description('serving_marts.fct_account_activation'::regclass, 'pg_class')")
    assert comment[0][0], "table comments (the YAML descriptions) are published"
    uncommented = query(server, """
        select c.relname, a.attname from pg_attribute as a
        join pg_class as c on c.oid = a.attrelid join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname in ('serving_meta', 'serving_dq') and c.relkind = 'r' and a.attnum > 0
            and not a.attisdropped and col_description(a.attrelid, a.attnum) is null""")
    assert not uncommented, "every published dq and meta column carries its description"
    ledger = query(server, "select file_name from raw._nightly_file_loads order by 1")
    assert [f for (f,) in ledger] == sorted(p.name for p in setup[2][0].iterdir())


def test_night_2_waits_for_no_reader_and_a_rerun_loads_nothing_twice(setup, night_1):
    server, _, batches = setup
    assert night_1.returncode == 0, night_1
    before, snapshot = published(server), snapshot_rows(server)
    raw_before = query(server, "select count(*) from raw.events")[0][0]
    reader = server.connect(DATABASE)
    try:
        reader.autocommit = False
        with reader.cursor() as cur:  # a BI query in progress: it holds the published tables
            cur.execute("select count(*) from serving_marts.fct_account_activation")
            held = cur.fetchone()[0]
        run = nightly(setup, "--source-dir", str(batches[1]), env={"ACTIVATION_PG_PUBLISH_LOCK_TIMEOUT": "1s"})
        assert run.returncode == 5, run
        assert "nothing changed" in run.output
        with reader.cursor() as cur:
            cur.execute("select count(*) from serving_marts.fct_account_activation")
            assert cur.fetchone()[0] == held
        reader.rollback()
    finally:
        reader.close()
    assert published(server) == before and snapshot_rows(server) == snapshot, "the old snapshot, whole"
    assert not query(server, "select nspname from pg_namespace where nspname like 'serving%publishing'")
    loaded = query(server, "select count(*) from raw.events")[0][0]
    assert loaded > raw_before, "the load committed before the publish failed"

    rerun = nightly(setup, "--source-dir", str(batches[1]))
    assert rerun.returncode == 0, rerun
    assert "skipped, already loaded" in rerun.output
    assert query(server, "select count(*) from raw.events")[0][0] == loaded, "no file appended twice"
    assert published(server) == warehouse_counts(server)
    assert published(server) != before, "batch 2 is published now"


def test_second_run_while_one_holds_the_warehouse_exits_2(setup, night_1):
    server = setup[0]
    assert night_1.returncode == 0, night_1
    before, snapshot = published(server), snapshot_rows(server)
    holder = server.connect(DATABASE)  # another nightly or load holds the warehouse's advisory lock
    try:
        with holder.cursor() as cur:
            cur.execute("set application_name = 'nightly.py (pid 4242)'")
            cur.execute("select pg_advisory_lock(%s, %s)", (0x41637469, 1))
        locked = nightly(setup, "--source-dir", str(setup[2][1]))
        assert locked.returncode == 2, locked
        assert "nightly.py (pid 4242)" in locked.output and "Nothing was loaded or built" in locked.output
    finally:
        holder.close()
    assert published(server) == before and snapshot_rows(server) == snapshot


def execute(server, sql: str, params=None) -> None:
    con = server.connect(DATABASE)  # autocommit
    try:
        with con.cursor() as cur:
            cur.execute(sql, params)
    finally:
        con.close()


def reasons(server) -> dict[str, tuple[str, str]]:
    return {model: (mode, reason) for model, mode, reason in query(server, """
        select model_name, refresh_mode, refresh_reason from staging.activation_incremental_manifest
        where source_table = 'config'""")}


def test_an_hour_that_gains_rows_is_read_as_additions_or_as_a_rewrite(setup, night_1):
    """The rewrite check's query on Postgres (test_incremental_manifest.py has the DuckDB case): a
    later load into an hour of `_loaded_at` already processed is processed incrementally; a
    replace load that rewrites a row and adds one in that hour rebuilds the event models in full."""
    server = setup[0]
    assert night_1.returncode == 0, night_1
    # an hour whose latest row leaves room for a later one in the same hour
    [(event_id, loaded_at, latest)] = query(server, """
        with hours as (
            select date_trunc('hour', _loaded_at) as loaded_hour, max(_loaded_at) as latest
            from raw.events where _loaded_at is not null group by 1
            having max(_loaded_at) < date_trunc('hour', max(_loaded_at)) + interval '59 minutes'
        )
        select events.event_id, events._loaded_at, hours.latest
        from raw.events as events
        inner join hours on date_trunc('hour', events._loaded_at) = hours.loaded_hour
        inner join staging.stg_product__events as clean on clean.event_id = events.event_id
        order by hours.loaded_hour, events.event_id limit 1""")
    copy = """insert into raw.events (event_id, account_id, user_id, event_name, occurred_at, received_at,
                                      properties, _loaded_at)
              select %s, account_id, user_id, event_name, occurred_at, received_at, properties, %s
              from raw.events where event_id = %s limit 1"""
    # a later load in the same hour: additions
    execute(server, copy, ("appended_in_hour_1", latest + dt.timedelta(seconds=1), event_id))
    run = nightly(setup)
    assert run.returncode == 0, run
    assert reasons(server)["base_product__events_deduplicated"] == ("incremental", "only what changed")
    assert query(server, "select count(*) from staging.stg_product__events "
                         "where event_id = 'appended_in_hour_1'") == [(1,)]
    # a replace load of that hour: the event moved two days, and one more row, same _loaded_at
    [(occurred_at,)] = query(server, "select occurred_at from staging.stg_product__events where event_id = %s",
                             (event_id,))
    execute(server, "update raw.events set occurred_at = occurred_at + interval '2 days', "
                    "received_at = received_at + interval '2 days' where event_id = %s", (event_id,))
    execute(server, copy, ("replaced_in_hour_1", loaded_at, event_id))
    run = nightly(setup)
    assert run.returncode == 0, run
    assert reasons(server)["base_product__events_deduplicated"] == ("full", "rows removed or rewritten in raw events")
    assert "rebuilt     in full: " in run.output and "(rows removed or rewritten in raw events)" in run.output
    assert query(server, "select occurred_at from staging.stg_product__events where event_id = %s",
                 (event_id,)) == [(occurred_at + dt.timedelta(days=2),)]
    assert published(server) == warehouse_counts(server)


def test_a_contract_edit_recreates_the_table_and_the_views_over_it(setup, night_1, tmp_path):
    """A new check in the TAR table's enforced contract: the nightly rebuilds the table in full
    from the contract, says why, and the view over it, dropped with the old table, is there again
    and published."""
    server = setup[0]
    assert night_1.returncode == 0, night_1
    project = copy_project(tmp_path / "project")
    models = project / "models" / "intermediate" / "_intermediate__models.yml"
    anchor = "      - type: check\n        name: tar_is_active_over_licensed\n"
    assert models.read_text().count(anchor) == 1
    models.write_text(models.read_text().replace(anchor, (
        "      - type: check\n        name: seats_not_negative\n"
        "        expression: \"licensed_seats is null or licensed_seats >= 0\"\n") + anchor))
    run = nightly(setup, project=project)
    assert run.returncode == 0, run
    assert "int_account_days_tar_computed (configuration changed: contract)" in run.output
    checks = [definition for (definition,) in query(server, """
        select pg_get_constraintdef(oid) from pg_constraint
        where conrelid = 'intermediate.int_account_days_tar_computed'::regclass and contype = 'c'""")]
    assert any("licensed_seats >= 0" in definition for definition in checks), checks
    rows = query(server, "select count(*) from intermediate.int_account_days_tar_computed")[0][0]
    assert rows > 0
    assert query(server, "select count(*) from marts.fct_account_tar_daily")[0][0] == rows
    assert published(server)["marts.fct_account_tar_daily"] == rows


def test_a_broken_rule_is_named_and_nothing_is_published(setup, night_1, tmp_path):
    """Runs last (it leaves the models after the failed test unprocessed). The failed
    constraints_hold test's rows are read back from Postgres for the summary."""
    server = setup[0]
    assert night_1.returncode == 0, night_1
    before, snapshot = published(server), snapshot_rows(server)
    project = copy_project(tmp_path / "project")
    models = project / "models" / "intermediate" / "_intermediate__models.yml"
    assert models.read_text().count('expression: "n_actions >= 1"') == 1
    models.write_text(models.read_text().replace('expression: "n_actions >= 1"', 'expression: "n_actions < 0"'))
    run = nightly(setup, project=project)
    assert run.returncode == 1, run
    assert "published   no" in run.output
    [broken] = re.findall(r"broken: n_actions check n_actions < 0 \(([0-9,]+) rows\)", run.output)
    assert int(broken.replace(",", "")) == query(
        server, "select count(*) from intermediate.int_accounts_early_actions_counted")[0][0]
    assert published(server) == before and snapshot_rows(server) == snapshot
