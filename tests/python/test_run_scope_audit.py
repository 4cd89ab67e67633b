"""The data tests of the event-grain incremental models audit what a run wrote
(macros/tests/run_scope_tests.sql): on an incremental run, the rows of that run's scope; on a
full build, and on `dbt test` alone, every row.

A copy of the project gets a post-hook on the model under test (int_events_aggregated_daily,
whose scope is (account, date) pairs; base_product__events_deduplicated, whose scope is event
keys) that, when the test asks for it through an environment variable, duplicates one row of
this run's scope: a stand-in for an incremental model with a bug. The run's own key test (the
rollup's unique combination of its grouping columns; the deduplication's primary key rule in
its constraints_hold) must catch it, and the next run, which redoes the scope that the failed
audit held back, repairs it. A duplicate planted in older history, outside the next run's scope,
is not re-audited by that run (that is what keeps a nightly's tests proportional to the change);
`dbt test` alone, which checks every row, finds it. The same holds for another rule of the model
(a day's row planted with its last event before its first; a clean event planted without
event_at).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

from conftest import connect, copy_project, generate, load, query

pytestmark = pytest.mark.slow

CORRUPT_ENV = "ACTIVATION_TEST_DUPLICATE_A_SCOPED_ROW"
EVENT_COLUMNS = ["event_id", "account_id", "user_id", "event_name", "occurred_at", "received_at",
                 "properties", "_loaded_at"]


# every build: both models under test, everything they read and the incremental model that
# reads the daily rollup (which a failed audit holds back), with the data tests of those
# models alone (cautious: a test that also reads a model outside them is left out); no unit
# tests (they check logic on fixtures, not the rows a run wrote)
SCOPE = ("--select", "+int_events_aggregated_daily +int_aha_conditions_evaluated",
         "--indirect-selection", "cautious", "--exclude-resource-type", "unit_test")


def _when_asked(sql: str) -> str:
    return "{% if env_var('" + CORRUPT_ENV + "', '') == 'yes' %}" + sql + "{% else %}select 1{% endif %}"


class BuggyModel(NamedTuple):
    folders: list[str]  # its folder in dbt_project.yml
    schema: str
    key: str  # the columns of its grain
    hook: str  # the bug: after the model ran, one row of this run's scope is inserted again
    key_test: str  # the data test that checks its grain
    plant: list[str]  # outside the scope of a run: a duplicate row and a row that breaks a rule


ROLLUP_GRAIN = "account_id, user_id, event_name, feature, step_id, event_date"
ROLLUP = "intermediate.int_events_aggregated_daily"
DEDUPLICATED = "staging.base_product__events_deduplicated"
BUGGY_MODELS = {
    "int_events_aggregated_daily": BuggyModel(
        ["intermediate"], "intermediate", ROLLUP_GRAIN,
        _when_asked(
            "insert into {{ this }} select * from {{ this }} where rowid = ("
            " select min(rowid) from {{ this }} where (account_id, event_date) in ("
            " select account_id, event_date from {{ ref('stg_product__event_scopes') }}"
            " where event_date is not null))"),
        "test.activation.unique_combination_of_columns_int_events_aggregated_daily_",
        [f"update {ROLLUP} set last_event_at = first_event_at - interval 1 hour"
         f" where rowid = (select max(rowid) from {ROLLUP} where event_date < date '2026-06-01')",
         f"insert into {ROLLUP} select * from {ROLLUP}"
         f" where rowid = (select min(rowid) from {ROLLUP} where event_date < date '2026-06-01')"]),
    "base_product__events_deduplicated": BuggyModel(
        ["staging", "base"], "staging", "event_key",
        _when_asked(
            "insert into {{ this }} select * from {{ this }} where event_key = ("
            " select min(event_id) from {{ ref('base_product__event_key_scopes') }})"),
        "test.activation.constraints_hold_base_product__events_deduplicated_",
        [f"insert into {DEDUPLICATED} select * from {DEDUPLICATED}"
         f" where event_key = (select min(event_key) from {DEDUPLICATED} where event_at < date '2026-06-01')",
         f"update {DEDUPLICATED} set event_at = null"
         f" where event_key = (select max(event_key) from {DEDUPLICATED} where event_at < date '2026-06-01')"]),
}


def _project_with_a_buggy_model(destination: Path, model: str) -> Path:
    project = copy_project(destination)
    folders, hook = BUGGY_MODELS[model].folders, BUGGY_MODELS[model].hook
    config = yaml.safe_load((project / "dbt_project.yml").read_text())
    section = config["models"]["activation"]
    for folder in folders:
        section = section.setdefault(folder, {})
    section[model] = {"+post-hook": [hook]}
    (project / "dbt_project.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return project


def _append_an_event(folder: Path, database: Path, event_id: str, occurred_at: str, loaded_at: str) -> str:
    """One new value event of a customer user, loaded before the run starts, stamped with its own
    load time (loaded_at: each load after the previous one, as a loader stamps them; a later
    load sharing an earlier one's stamp reads as a rewrite of that hour and rebuilds in full);
    returns its account."""
    [(account_id, user_id)] = query(database, """
        select account_id, user_id from staging.stg_product__users
        where not is_internal order by user_id limit 1""")
    folder.mkdir()
    with open(folder / "events.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(EVENT_COLUMNS)
        writer.writerow([event_id, account_id, user_id, "Report_Run", occurred_at, occurred_at, "", loaded_at])
    load(folder, database, append=True)
    return account_id


def _status(run, prefix: str) -> str:
    [status] = [status for node, status in run.statuses.items() if node.startswith(prefix)]
    return status


@pytest.mark.parametrize("model", list(BUGGY_MODELS))
def test_an_incremental_run_audits_the_rows_it_wrote(tmp_path, dbt, monkeypatch, model):
    case = BUGGY_MODELS[model]
    schema, key, key_test = case.schema, case.key, case.key_test
    rules_test = f"test.activation.constraints_hold_{model}_"
    project = _project_with_a_buggy_model(tmp_path / "project", model)
    database = tmp_path / "warehouse.duckdb"
    load(generate(tmp_path / "raw", accounts=40, seed=5, dirty_rate=0.0), database)
    first = dbt("build", "--full-refresh", *SCOPE, database=database, project_dir=project)
    assert first.success, "\n".join(first.failures())
    assert _status(first, rules_test) == _status(first, key_test) == "pass"

    # an incremental run whose model writes a duplicate inside its scope: its test fails
    _append_an_event(tmp_path / "day1", database, "audit_1", "2026-06-29 10:00:00", "2026-06-29 23:00:00")
    monkeypatch.setenv(CORRUPT_ENV, "yes")
    buggy = dbt("build", *SCOPE, database=database, project_dir=project)
    monkeypatch.delenv(CORRUPT_ENV)
    assert query(database, f"""
        select refresh_mode from staging.activation_incremental_manifest
        where model_name = '{model}' and source_table = 'config'""") == [("incremental",)]
    assert _status(buggy, key_test) == "fail", buggy.text[-2000:]
    assert _failing_rows(buggy, key_test) == 1  # one key duplicated (the deduplication: one rule broken)
    assert _duplicated_keys(database, schema, model, key) == 1

    # the models the failed test held back catch up in the next run, and the scope they had not
    # processed is recomputed: the duplicate is repaired, and that run's audit passes
    repair = dbt("build", *SCOPE, database=database, project_dir=project)
    assert _status(repair, rules_test) == _status(repair, key_test) == "pass", repair.text[-2000:]
    assert _duplicated_keys(database, schema, model, key) == 0

    # a duplicate and a broken row rule (a day's row whose last event precedes its first; a
    # clean event without event_at) planted outside the next run's scope (old events) are not re-audited by it ...
    con = connect(database)
    try:
        for statement in case.plant:
            con.execute(statement)
    finally:
        con.close()
    _append_an_event(tmp_path / "day2", database, "audit_2", "2026-06-30 09:00:00", "2026-06-30 23:00:00")
    clean = dbt("build", *SCOPE, database=database, project_dir=project)
    assert _status(clean, rules_test) == _status(clean, key_test) == "pass", clean.text[-2000:]
    assert _duplicated_keys(database, schema, model, key) == 1

    # ... and `dbt test` alone audits every row, so both are found
    audit = dbt("test", "--select", model, database=database, project_dir=project)
    assert _status(audit, rules_test) == _status(audit, key_test) == "fail", audit.text[-2000:]
    failing = {_failing_rows(audit, rules_test), _failing_rows(audit, key_test)}
    # the deduplication: its primary key and event_at's rule, both in constraints_hold; the
    # rollup: one duplicated grain in its key test, last_event_at's rule in constraints_hold
    assert failing == ({2} if key_test == rules_test else {1})


def _failing_rows(run, prefix: str) -> int:
    [n_rows] = [n for node, n in run.failing_rows.items() if node.startswith(prefix)]
    return n_rows


def _duplicated_keys(database: Path, schema: str, model: str, key: str) -> int:
    [(n,)] = query(database, f"""
        select count(*) from (select {key} from {schema}.{model} group by {key} having count(*) > 1)""")
    return n
