"""The incremental manifest (macros/incremental/manifest.sql): what an operator does between two
nightlies never makes the next one publish something a full refresh would not.

* A backfill: rows that land with an old `_loaded_at` (older than anything processed) are
  processed by the next run like any new row.
* A config edit: mapping an unmapped event in seeds/event_catalog.csv rebuilds every model that
  depends on the catalog in full, automatically, and the manifest says why; so does an edited
  rule in a model or macro they use (a comment edit changes nothing).
* A replace load that keeps `_loaded_at` (rows rewritten in place) is detected and rebuilds the
  models that read that raw table in full.
* The scan of new rows starts at the earliest unprocessed load hour (so DuckDB skips the blocks
  loaded before it), and a row without `_loaded_at` still reaches the next run.
* Rows delivered again as they were (a nightly full snapshot appended) put nothing in scope.

One small warehouse (a copy of the project, whose seed the test edits) is built from scratch,
then each edit is followed by an incremental build and compared, every relation and column,
with a full refresh of a copy of the same warehouse.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from conftest import (
    checkpointed_copy,
    connect,
    copy_project,
    format_differences,
    generate,
    load,
    query,
    relation_differences,
)

pytestmark = pytest.mark.slow

NO_TESTS = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
EVENT_COLUMNS = ["event_id", "account_id", "user_id", "event_name", "occurred_at", "received_at",
                 "properties", "_loaded_at"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory, dbt):
    root = tmp_path_factory.mktemp("manifest")
    project = copy_project(root / "project")
    raw = generate(root / "raw", accounts=60, seed=11)
    database = root / "warehouse.duckdb"
    load(raw, database)
    _build(dbt, database, project, "--full-refresh")
    return root, project, raw, database


def _build(dbt, database: Path, project: Path, *flags: str):
    run = dbt("build", *flags, *NO_TESTS, database=database, project_dir=project)
    assert run.success, "dbt build failed:\n" + "\n".join(run.failures()) + "\n" + run.text[-3000:]
    return run


def _append_a_value_event(folder: Path, database: Path, event_id: str, occurred_at: str, loaded_at: str) -> None:
    """Load one Report_Run of the first customer user, received a second after it occurred."""
    [(account_id, user_id)] = query(database, """
        select account_id, user_id from staging.stg_product__users
        where not is_internal order by user_id limit 1""")
    received_at = (dt.datetime.fromisoformat(occurred_at) + dt.timedelta(seconds=1)).isoformat(sep=" ")
    folder.mkdir()
    with open(folder / "events.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(EVENT_COLUMNS)
        writer.writerow([event_id, account_id, user_id, "Report_Run", occurred_at, received_at, "", loaded_at])
    load(folder, database, append=True)


def _reasons(database: Path) -> dict[str, tuple[str, str]]:
    return {model: (mode, reason) for model, mode, reason in query(database, """
        select model_name, refresh_mode, refresh_reason from staging.activation_incremental_manifest
        where source_table = 'config'""")}


def _assert_equals_a_full_refresh(dbt, database: Path, project: Path, workdir: Path) -> None:
    # one path for every test's full-refresh copy: dbt parses the project in full when the
    # warehouse path changes (8-15 s); at one path it reuses its saved parse. dbt no longer holds
    # the file (the incremental build before this opened another), so the copy replaces it whole.
    full = project.parent / "full_refresh.duckdb"
    full.with_name(full.name + ".wal").unlink(missing_ok=True)
    checkpointed_copy(database, full)
    _build(dbt, full, project, "--full-refresh")
    diffs = relation_differences(database, full, workdir)
    assert not diffs, format_differences(diffs)


def test_a_backfill_with_an_old_loaded_at_is_processed_by_the_next_run(setup, dbt, tmp_path):
    root, project, _, database = setup
    _append_a_value_event(root / "backfill", database, "backfilled_1", "2026-06-20 10:00:00", "2025-01-01 00:00:00")
    _build(dbt, database, project)
    assert _reasons(database)["base_product__events_deduplicated"] == ("incremental", "only what changed")
    assert query(database, "select count(*) from staging.stg_product__events where event_id = 'backfilled_1'") == [(1,)]
    # the new-row scans start at the backfill's hour, the earliest not processed
    assert "_loaded_at >= cast('2025-01-01 00:00:00' as timestamp)" in _compiled(dbt, project, "event_scopes")
    _assert_equals_a_full_refresh(dbt, database, project, tmp_path)


def _compiled(dbt, project: Path, model: str) -> str:
    """The SQL the last build ran for the model (base_product__event_key_scopes: 'event_key_scopes').
    Unit tests leave files of the same name under their yml file's folder: those are not it."""
    [path] = [path for path in (dbt.target_path(project) / "compiled").rglob(f"*{model}.sql")
              if not path.parent.name.endswith(".yml")]
    return path.read_text()


def test_a_row_without_loaded_at_is_processed_by_the_next_run(setup, dbt, tmp_path):
    """A null _loaded_at has no hour to start a range from: the scans read the whole table."""
    _, project, _, database = setup
    [(event_id, account_id, user_id, occurred_at, received_at)] = query(database, """
        select event_id, account_id, user_id, occurred_at, received_at from staging.stg_product__events
        where user_id is not null and event_name = 'Report_Run' order by event_id limit 1""")
    # written straight into raw, as a team's own extract-load tool may (load_raw.py stamps the load
    # time on such rows): an earlier-received copy of a processed event, which wins, and a new
    # event, both without _loaded_at, next to a new event with one (in an hour nothing landed in
    # before: one stamped inside a processed hour, before its latest row, reads as a rewrite)
    con = connect(database)
    try:
        con.executemany(f"insert into raw.events ({', '.join(EVENT_COLUMNS)}) values (?, ?, ?, ?, ?, ?, null, ?)", [
            [event_id, account_id, user_id, "Dashboard_Created", occurred_at, received_at - dt.timedelta(seconds=1),
             None],
            ["unstamped_1", account_id, user_id, "Report_Run", occurred_at, received_at, None],
            ["stamped_1", account_id, user_id, "Report_Run", occurred_at, received_at, dt.datetime(2026, 7, 9, 12)]])
        con.execute("checkpoint")
    finally:
        con.close()
    _build(dbt, database, project)
    assert _reasons(database)["base_product__events_deduplicated"] == ("incremental", "only what changed")
    key_scopes = _compiled(dbt, project, "event_key_scopes")
    new_event_scan = key_scopes[key_scopes.index("scoped_events as ("):key_scopes.index("final as (")]
    assert "coalesce(date_trunc('hour', _loaded_at)" in new_event_scan
    assert "_loaded_at >= cast(" not in new_event_scan
    assert query(database, f"""
        select event_name from staging.stg_product__events
        where event_id in ('{event_id}', 'unstamped_1', 'stamped_1')
        order by event_id = 'unstamped_1', event_id = 'stamped_1'""") == [
        ("Dashboard_Created",), ("Report_Run",), ("Report_Run",)]
    _assert_equals_a_full_refresh(dbt, database, project, tmp_path)


def test_mapping_an_unmapped_event_rebuilds_what_depends_on_the_catalog(setup, dbt, tmp_path):
    _, project, _, database = setup
    [(event_name,)] = query(database, "select min(event_name) from dq.dq_unmapped_event_names")
    assert event_name, "the generated data has unmapped event names"
    with open(project / "seeds" / "event_catalog.csv", "a") as f:
        f.write(f"{event_name},core_action,true,reports,false,false\n")
    _build(dbt, database, project)
    reasons = _reasons(database)
    for model in ("int_events_aggregated_daily", "int_account_days_aggregated", "int_aha_conditions_evaluated"):
        assert reasons[model] == ("full", "configuration changed: seed event_catalog"), model
    # deduplication does not read the catalog: it stays incremental
    assert reasons["base_product__events_deduplicated"][0] == "incremental"
    assert query(database, "select count(*) from dq.dq_unmapped_event_names "
                           f"where event_name = '{event_name}'") == [(0,)]
    _assert_equals_a_full_refresh(dbt, database, project, tmp_path)


def test_a_replace_load_that_keeps_loaded_at_rebuilds_what_reads_that_table(setup, dbt, tmp_path):
    root, project, raw, database = setup
    rewritten = root / "rewritten"
    rewritten.mkdir()
    with open(raw / "events.csv", newline="") as source, open(rewritten / "events.csv", "w", newline="") as out:
        reader = csv.DictReader(source)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
        writer.writeheader()
        for i, row in enumerate(reader):
            if i % 50 == 0 and row["event_name"] == "Report_Run":
                row["event_name"] = "Dashboard_Created"  # rewritten in place, same _loaded_at
            writer.writerow(row)
    load(rewritten, database)  # replace, not append
    _build(dbt, database, project)
    mode, reason = _reasons(database)["base_product__events_deduplicated"]
    assert (mode, reason) == ("full", "rows removed or rewritten in raw events")
    _assert_equals_a_full_refresh(dbt, database, project, tmp_path)


def test_a_rewrite_in_an_hour_that_also_gains_rows_rebuilds_and_a_later_append_does_not(setup, dbt, tmp_path):
    """An hour of `_loaded_at` that has more rows than a model processed is either a later load
    (rows after the latest `_loaded_at` processed there) or a replace load that rewrote rows and
    added more in the same hour. The rows up to the latest processed `_loaded_at` tell them
    apart: the same as processed, additions; otherwise a rewrite, which rebuilds in full. Before,
    the net gain read as additions and the event's old (account, date) row stayed in the rollup."""
    _, project, _, shared = setup
    database = checkpointed_copy(shared, tmp_path / "warehouse.duckdb")
    _build(dbt, database, project)  # whatever an earlier test left unprocessed is processed now
    # an hour whose latest row leaves room for a later one in the same hour
    [(event_id, loaded_at, latest)] = query(database, """
        with hours as (
            select date_trunc('hour', _loaded_at) as loaded_hour, max(_loaded_at) as latest
            from raw.events where _loaded_at is not null group by 1
            having max(_loaded_at) < date_trunc('hour', max(_loaded_at)) + interval 59 minute
        )
        select events.event_id, events._loaded_at, hours.latest
        from raw.events as events
        inner join hours on date_trunc('hour', events._loaded_at) = hours.loaded_hour
        inner join staging.stg_product__events as clean on clean.event_id = events.event_id
        order by hours.loaded_hour, events.event_id limit 1""")

    def append(new_id: str, stamp) -> None:
        con = connect(database)
        try:
            con.execute(f"""insert into raw.events ({', '.join(EVENT_COLUMNS)})
                select '{new_id}', account_id, user_id, event_name, occurred_at, received_at, properties, ?
                from raw.events where event_id = ? limit 1""", [stamp, event_id])
            con.execute("checkpoint")
        finally:
            con.close()

    # a later load in the same hour: additions, processed incrementally
    append("appended_in_hour_1", latest + dt.timedelta(seconds=1))
    _build(dbt, database, project)
    assert _reasons(database)["base_product__events_deduplicated"] == ("incremental", "only what changed")
    assert query(database, "select count(*) from staging.stg_product__events "
                           "where event_id = 'appended_in_hour_1'") == [(1,)]
    # a replace load of that hour: the event moved two days, and one more row, same _loaded_at
    con = connect(database)
    try:
        con.execute("update raw.events set occurred_at = occurred_at + interval 2 day, "
                    "received_at = received_at + interval 2 day where event_id = ?", [event_id])
        con.execute("checkpoint")
    finally:
        con.close()
    append("replaced_in_hour_1", loaded_at)
    _build(dbt, database, project)
    assert _reasons(database)["base_product__events_deduplicated"] == ("full", "rows removed or rewritten in raw events")
    _assert_equals_a_full_refresh(dbt, database, project, tmp_path)


def test_rows_delivered_again_as_they_were_put_nothing_in_the_run_scopes(setup, dbt, tmp_path):
    """An extract-load tool that appends a full snapshot of a table every night delivers every row
    again. A copy whose content is its key's winning content changes nothing (activation_changed_keys):
    the run scopes stay empty, so the event models re-read no account's history, and the
    warehouse still equals a full refresh."""
    _, project, _, shared = setup
    # on a copy: the copies delivered here would outrank the re-exports of the tests after it
    database = checkpointed_copy(shared, tmp_path / "warehouse.duckdb")
    _build(dbt, database, project)  # whatever an earlier test left unprocessed is processed now
    tables = {"accounts": "account_id", "users": "user_id", "subscriptions": "subscription_change_id",
              "interventions": "intervention_id"}
    con = connect(database)
    try:
        for table, key in tables.items():
            columns = [name for (name,) in con.execute(
                "select column_name from information_schema.columns where table_schema = 'raw' "
                "and table_name = ? and column_name != '_loaded_at' order by ordinal_position", [table]).fetchall()]
            [(delivered,)] = con.execute(f"""
                insert into raw.{table} by name
                select {', '.join(columns)}, timestamp '2026-07-01 03:00:00' as _loaded_at
                from staging.base_product__{table}
                where copy_rank = 1 and not is_held and {key} is not null""").fetchall()
            assert delivered > 0, table
        con.execute("checkpoint")
    finally:
        con.close()
    _build(dbt, database, project)
    assert {mode for mode, _ in _reasons(database).values()} == {"incremental"}
    assert query(database, "select count(*) from staging.stg_product__event_scopes") == [(0,)]
    assert query(database, "select count(*) from staging.base_product__event_key_scopes") == [(0,)]
    _assert_equals_a_full_refresh(dbt, database, project, tmp_path)


def test_a_change_undone_while_one_model_was_behind_reaches_every_model(setup, dbt, tmp_path):
    """One night re-exports an account with its signup 2 days later and an intervention sent
    3 days later, and one incremental model does not run (here excluded; a model that fails
    on its own is left behind the same way). The next night restores both rows as they were.
    The models that ran processed the changed versions, so for them the restore is a change;
    for the model left behind it is not (it never saw them). Each consumer's changes are
    decided against what that consumer processed (activation_changed_keys), so the
    deduplication, the rollup and the account days all end equal to a full refresh."""
    _, project, _, shared = setup
    # on a copy: the copies delivered here would outrank the re-exports of the tests after it
    database = checkpointed_copy(shared, tmp_path / "warehouse.duckdb")
    _build(dbt, database, project)  # whatever an earlier test left unprocessed is processed now
    [(account_id,)] = query(database, """
        select account_id from staging.stg_product__events
        group by account_id order by count(*) desc, account_id limit 1""")
    [(intervention_id,)] = query(database, """
        select min(intervention_id) from staging.stg_product__interventions
        where account_id in (select account_id from staging.stg_product__events)""")

    def deliver(loaded_at: str, signup_shift_days: int, sent_shift_days: int) -> None:
        con = connect(database)
        try:
            for table, key, value, column, shift in (
                    ("accounts", "account_id", account_id, "created_at", signup_shift_days),
                    ("interventions", "intervention_id", intervention_id, "sent_at", sent_shift_days)):
                columns = [name for (name,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = 'raw' "
                    "and table_name = ? and column_name not in ('_loaded_at', ?) order by ordinal_position",
                    [table, column]).fetchall()]
                [(delivered,)] = con.execute(f"""
                    insert into raw.{table} by name
                    select {', '.join(columns)}, {column} + interval ({shift}) day as {column},
                        timestamp '{loaded_at}' as _loaded_at
                    from staging.base_product__{table}
                    where copy_rank = 1 and not is_held and {key} = ?""", [value]).fetchall()
                assert delivered == 1, table
            con.execute("checkpoint")
        finally:
            con.close()

    deliver("2026-07-01 01:00:00", 2, 3)
    _build(dbt, database, project, "--exclude", "int_account_days_aggregated")
    deliver("2026-07-01 02:00:00", -2, -3)  # the copies as they were before the change
    _build(dbt, database, project)
    _assert_equals_a_full_refresh(dbt, database, project, tmp_path)


def test_a_full_rebuild_reaches_the_models_after_it_even_if_they_ran_later(setup, dbt, tmp_path):
    """A `--full-refresh` killed after the deduplication committed (here: one that selected only
    it and its run scopes) left the models after it as they were. The next nightly runs the
    deduplication incrementally before they decide their plan; they still rebuild in full,
    because the time of its last full rebuild outlives its incremental runs. Here the rollup
    had lost a row (the wrong state such a refresh was meant to repair): it comes back."""
    _, project, _, shared = setup
    database = checkpointed_copy(shared, tmp_path / "warehouse.duckdb")
    _build(dbt, database, project)  # whatever an earlier test left unprocessed is processed now
    [(account_id, event_date)] = query(database, """
        select account_id, min(event_date) from intermediate.int_events_aggregated_daily
        group by account_id order by account_id limit 1""")
    con = connect(database)
    try:
        con.execute("delete from intermediate.int_events_aggregated_daily where account_id = ? and event_date = ?",
                    [account_id, event_date])
        con.execute("checkpoint")
    finally:
        con.close()
    _build(dbt, database, project, "--full-refresh", "--select",
           "base_product__loads base_product__event_key_scopes base_product__events_deduplicated")
    _build(dbt, database, project)
    reasons = _reasons(database)
    assert reasons["base_product__events_deduplicated"] == ("incremental", "only what changed")
    for model in ("int_events_aggregated_daily", "int_account_days_aggregated", "int_account_days_tar_computed",
                  "int_aha_conditions_evaluated"):
        mode, reason = reasons[model]
        assert mode == "full" and reason.startswith("upstream rebuilt in full: "), (model, reason)
        assert "base_product__events_deduplicated" in reason, (model, reason)
    assert query(database, f"""
        select count(*) from intermediate.int_events_aggregated_daily
        where account_id = '{account_id}' and event_date = date '{event_date}'""") != [(0,)]
    _assert_equals_a_full_refresh(dbt, database, project, tmp_path)
    # and only once: the run after it is incremental again
    _build(dbt, database, project)
    assert {mode for mode, _ in _reasons(database).values()} == {"incremental"}


def test_models_downstream_of_one_left_out_record_only_what_it_processed(setup, dbt, tmp_path):
    """A selection that leaves out the deduplication (`--exclude`, or a run after it failed)
    still builds the run scopes and the rollup: the rollup's scope holds the new event's date,
    but the deduplication has not re-decided the event, so the rollup recomputes that date
    without it. The rollup (and every model after it) records only the load hours the
    deduplication processed, so the next full run puts that date in scope again and counts the
    event (activation_advance_manifest)."""
    _, project, _, shared = setup
    database = checkpointed_copy(shared, tmp_path / "warehouse.duckdb")
    _build(dbt, database, project)  # whatever an earlier test left unprocessed is processed now
    _append_a_value_event(tmp_path / "left_out", database, "left_out_1", "2026-06-30 07:00:00", "2026-07-01 04:00:00")
    _build(dbt, database, project, "--exclude", "base_product__events_deduplicated")
    processed = dict(query(database, """
        select model_name, count(*) from staging.activation_incremental_manifest
        where source_table = 'events' and loaded_hour = timestamp '2026-07-01 04:00:00' group by model_name"""))
    assert processed == {}, processed
    _build(dbt, database, project)
    [(n_events,)] = query(database, """
        select count(*) from staging.stg_product__events where event_id = 'left_out_1'""")
    assert n_events == 1
    _assert_equals_a_full_refresh(dbt, database, project, tmp_path)


def test_accounts_that_turn_test_or_sign_up_later_lose_their_account_days(setup, dbt, tmp_path):
    """Re-exported accounts: one now a test account, one whose signup moved 3 days later. The
    account-day tables must drop the first account and the second account's first 3 days, as a
    full rebuild would (activation_prune_account_dates)."""
    root, project, raw, database = setup
    with open(raw / "accounts.csv", newline="") as f:
        rows = [row for row in csv.DictReader(f) if row["is_test_account"] == "false"]
    # the two earliest signups: the moved one still signs up well before as_of_date
    [(turned_test,), (moved,)] = query(database, """
        select account_id from intermediate.int_accounts_enriched order by signup_at, account_id limit 2""")
    reexport = root / "reexport"
    reexport.mkdir()
    with open(reexport / "accounts.csv", "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            if row["account_id"] == turned_test:
                writer.writerow({**row, "is_test_account": "true", "_loaded_at": "2026-06-30 20:00:00"})
            elif row["account_id"] == moved:
                created = dt.datetime.fromisoformat(row["created_at"]) + dt.timedelta(days=3)
                writer.writerow({**row, "created_at": str(created), "_loaded_at": "2026-06-30 20:00:00"})
    load(reexport, database, append=True)
    _build(dbt, database, project)
    assert _reasons(database)["int_account_days_aggregated"] == ("incremental", "only what changed")
    for table in ("int_account_days_aggregated", "int_account_days_tar_computed"):
        [(turned_rows, first_date, signup_date)] = query(database, f"""
            select
                (select count(*) from intermediate.{table} where account_id = '{turned_test}'),
                (select min(metric_date) from intermediate.{table} where account_id = '{moved}'),
                (select signup_date from intermediate.int_accounts_enriched where account_id = '{moved}')""")
        assert turned_rows == 0 and signup_date is not None and first_date == signup_date, table
    _assert_equals_a_full_refresh(dbt, database, project, tmp_path)


def test_a_contract_edit_rebuilds_the_table_with_its_new_constraints(setup, dbt, tmp_path):
    """A new check in the enforced contract of the incremental TAR table. Only creating the table
    anew gives it the check: emptying and refilling the old table keeps the old DDL. The next
    build rebuilds it in full from the contract, says why, and the warehouse holds the check."""
    _, project, _, database = setup
    models_yml = project / "models" / "intermediate" / "_intermediate__models.yml"
    text = models_yml.read_text()
    anchor = "      - type: check\n        name: tar_is_active_over_licensed\n"
    assert text.count(anchor) == 1
    models_yml.write_text(text.replace(anchor, (
        "      - type: check\n        name: seats_not_negative\n"
        "        expression: \"licensed_seats is null or licensed_seats >= 0\"\n") + anchor))
    _build(dbt, database, project)
    reasons = _reasons(database)
    assert reasons["int_account_days_tar_computed"] == ("full", "configuration changed: contract")
    # the contract is the model's own: its upstream stays incremental
    assert reasons["int_account_days_aggregated"] == ("incremental", "only what changed")
    checks = [expression for (expression,) in query(database, """
        select expression from duckdb_constraints()
        where schema_name = 'intermediate' and table_name = 'int_account_days_tar_computed'
            and constraint_type = 'CHECK'""")]
    assert any("licensed_seats >= 0" in expression for expression in checks), checks
    assert query(database, "select count(*) > 0 from marts.fct_account_tar_daily") == [(True,)]
    _build(dbt, database, project)
    assert _reasons(database)["int_account_days_tar_computed"] == ("incremental", "only what changed")
    _assert_equals_a_full_refresh(dbt, database, project, tmp_path)


def test_an_event_model_run_without_its_run_scope_rebuilds_in_full(setup, dbt, tmp_path):
    """The run-scope tables stay after a run: a selection that runs the deduplication without
    base_product__event_key_scopes would read the previous run's keys, miss the new row, and
    advance past it for good. It rebuilds in full instead, and says why."""
    _, project, _, database = setup
    _append_a_value_event(tmp_path / "unscoped", database, "unscoped_1", "2026-06-30 05:00:00", "2026-06-30 06:00:00")
    _build(dbt, database, project, "--select", "base_product__loads base_product__events_deduplicated")
    assert _reasons(database)["base_product__events_deduplicated"] == (
        "full", "run scope not built in this run: base_product__event_key_scopes")
    assert query(database, """
        select count(*) from staging.base_product__events_deduplicated where event_key = 'unscoped_1'""") == [(1,)]
    _build(dbt, database, project)
    _assert_equals_a_full_refresh(dbt, database, project, tmp_path)


def test_each_model_plans_once_and_each_seed_is_fingerprinted_once_per_run(setup, dbt):
    """An incremental model's SQL, its pre-hooks and its post-hook all ask how this run builds it
    (activation_incremental_plan): the run decides once per model, and reads each seed's content
    for the fingerprints once (_activation_run_memo), not once per asking model and hook."""
    _, project, _, database = setup
    run = _build(dbt, database, project)
    nodes = json.loads((dbt.target_path(project) / "manifest.json").read_text())["nodes"].values()
    incremental = {n["name"] for n in nodes if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"}
    assert len(incremental) >= 5, incremental
    statements = [m for m in run.messages if m.startswith("On model.")]
    plans = collections.Counter(re.search(r"from \S+activation_incremental_manifest\S* where model_name = '(\w+)' "
                                          r"and source_table = 'config'", m).group(1)
                                for m in statements if "select content_checksum, recorded_at from" in m)
    assert plans == {model: 1 for model in incremental}, plans
    # no model reads these two seeds with `select *` but the fingerprints (the others also feed SQL)
    for seed in ("aha_definitions", "onboarding_checklist"):
        reads = [m for m in statements if re.search(rf'select \* from "\w+"\."raw"\."{seed}"\s*$', m)]
        assert len(reads) == 1, (seed, len(reads))


def test_an_edited_rule_rebuilds_the_models_that_use_it_and_an_edited_comment_nothing(setup, dbt, tmp_path):
    """Code is configuration too. An analytics engineer edits a rule in the classification macro
    (Dashboard_Shared counts as its own feature, `sharing`): the next run rebuilds in full the
    models that call it or read one that does, says which code changed, and leaves the
    deduplication, which does not use it, incremental. A reworded docstring and re-indented
    lines rebuild nothing. Runs after the other edits of this module, since the project stays
    edited."""
    _, project, _, database = setup
    macro = project / "macros" / "events" / "classification.sql"
    text = macro.read_text()
    docstring_line = "    The classification of clean events, applied on the way into the daily rollup (the event\n"
    rule = "            else classified_catalog.feature\n        end as feature,\n"
    assert text.count(docstring_line) == 1 and text.count(rule) == 1

    reworded = text.replace(docstring_line, "    How clean events are classified on their way into the daily rollup (the event\n")
    macro.write_text(reworded.replace(rule, rule.replace("            else", "                else")))
    _build(dbt, database, project)
    assert {mode for mode, _ in _reasons(database).values()} == {"incremental"}, _reasons(database)

    macro.write_text(reworded.replace(rule, (
        "            when {{ events }}.event_name = 'Dashboard_Shared' then 'sharing'\n" + rule)))
    _build(dbt, database, project)
    reasons = _reasons(database)
    for model in ("int_events_aggregated_daily", "int_account_days_aggregated", "int_aha_conditions_evaluated"):
        assert reasons[model] == ("full", "code changed: macro activation_classify_events"), (model, reasons[model])
    assert reasons["base_product__events_deduplicated"] == ("incremental", "only what changed")
    assert query(database, "select count(*) > 0 from intermediate.int_events_aggregated_daily "
                           "where feature = 'sharing'") == [(True,)]
    _assert_equals_a_full_refresh(dbt, database, project, tmp_path)


def test_the_new_row_scans_compile_before_anything_is_built(dbt, tmp_path):
    """The range is read from the load summary and the manifest when they exist: `dbt compile`
    on an empty warehouse (sqlfluff's first pass, a new user's first step) must not query them."""
    run = dbt("compile", "--select",
              "stg_product__event_scopes base_product__event_key_scopes base_product__events_deduplicated",
              database=tmp_path / "empty.duckdb")
    assert run.success, run.text[-2000:]
