"""The data tests of the event-grain incremental models audit what a run wrote
(macros/tests/run_scope_tests.sql): on an incremental run, the rows of that run's scope; on a
full build, and on `dbt test` alone, every row.

A copy of the project gets a post-hook on the model under test (int_events_classified, whose
scope is (account, date) pairs; base_product__events_deduplicated, whose scope is event keys)
that, when the test asks for it through an environment variable, duplicates one row of this
run's scope: a stand-in for an incremental model with a bug. The run's own constraints_hold test
(its primary key rule) must catch it, and the next run, which redoes the scope that the failed
audit held back, repairs it. A duplicate planted in older history, outside the next run's scope,
is not re-audited by that run (that is what keeps a nightly's tests proportional to the change);
`dbt test` alone, which checks every row, finds it. The same holds for another rule of the model
(a clean event planted without event_at).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from conftest import connect, copy_project, generate, load, query

pytestmark = pytest.mark.slow

CORRUPT_ENV = "ACTIVATION_TEST_DUPLICATE_A_SCOPED_ROW"
EVENT_COLUMNS = ["event_id", "account_id", "user_id", "event_name", "occurred_at", "received_at",
                 "properties", "_loaded_at"]


# every build: both models under test, everything they read and the incremental models that
# read the classified events (which a failed audit holds back), with the data tests of those
# models alone (cautious: a test that also reads a model outside them is left out); no unit
# tests (they check logic on fixtures, not the rows a run wrote)
SCOPE = ("--select", "+int_events_aggregated_daily +int_aha_conditions_evaluated",
         "--indirect-selection", "cautious", "--exclude-resource-type", "unit_test")


def _when_asked(sql: str) -> str:
    return "{% if env_var('" + CORRUPT_ENV + "', '') == 'yes' %}" + sql + "{% else %}select 1{% endif %}"


# per model: its folder in dbt_project.yml, its schema, its key column, and the bug: after the
# model ran, one row of this run's scope is inserted again
BUGGY_MODELS = {
    "int_events_classified": (
        ["intermediate"], "intermediate", "event_id",
        _when_asked(
            "insert into {{ this }} select * from {{ this }} where event_id = ("
            " select min(event_id) from {{ this }} where (account_id, event_date) in ("
            " select account_id, event_date from {{ ref('stg_product__event_scopes') }}"
            " where event_date is not null))")),
    "base_product__events_deduplicated": (
        ["staging", "base"], "staging", "event_key",
        _when_asked(
            "insert into {{ this }} select * from {{ this }} where event_key = ("
            " select min(event_id) from {{ ref('base_product__event_key_scopes') }})")),
}


def _project_with_a_buggy_model(destination: Path, model: str) -> Path:
    project = copy_project(destination)
    folders, _, _, hook = BUGGY_MODELS[model]
    config = yaml.safe_load((project / "dbt_project.yml").read_text())
    section = config["models"]["activation"]
    for folder in folders:
        section = section.setdefault(folder, {})
    section[model] = {"+post-hook": [hook]}
    (project / "dbt_project.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return project


def _append_an_event(folder: Path, database: Path, event_id: str, occurred_at: str) -> str:
    """One new value event of a customer user, loaded before the run starts; returns its account."""
    [(account_id, user_id)] = query(database, """
        select account_id, user_id from staging.stg_product__users
        where not is_internal order by user_id limit 1""")
    folder.mkdir()
    with open(folder / "events.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(EVENT_COLUMNS)
        writer.writerow([event_id, account_id, user_id, "Report_Run", occurred_at, occurred_at, "",
                         "2026-06-29 23:00:00"])
    load(folder, database, append=True)
    return account_id


def _status(run, prefix: str) -> str:
    [status] = [status for node, status in run.statuses.items() if node.startswith(prefix)]
    return status


@pytest.mark.parametrize("model", list(BUGGY_MODELS))
def test_an_incremental_run_audits_the_rows_it_wrote(tmp_path, dbt, monkeypatch, model):
    _, schema, key, _ = BUGGY_MODELS[model]
    rules_test = f"test.activation.constraints_hold_{model}_"
    project = _project_with_a_buggy_model(tmp_path / "project", model)
    database = tmp_path / "warehouse.duckdb"
    load(generate(tmp_path / "raw", accounts=40, seed=5, dirty_rate=0.0), database)
    first = dbt("build", "--full-refresh", *SCOPE, database=database, project_dir=project)
    assert first.success, "\n".join(first.failures())
    assert _status(first, rules_test) == "pass"

    # an incremental run whose model writes a duplicate inside its scope: its test fails
    _append_an_event(tmp_path / "day1", database, "audit_1", "2026-06-29 10:00:00")
    monkeypatch.setenv(CORRUPT_ENV, "yes")
    buggy = dbt("build", *SCOPE, database=database, project_dir=project)
    monkeypatch.delenv(CORRUPT_ENV)
    assert query(database, f"""
        select refresh_mode from staging.activation_incremental_manifest
        where model_name = '{model}' and source_table = 'config'""") == [("incremental",)]
    assert _status(buggy, rules_test) == "fail", buggy.text[-2000:]
    assert _failing_rows(buggy, rules_test) == 1  # one rule broken: the primary key
    assert _duplicated_keys(database, schema, model, key) == 1

    # the models the failed test held back catch up in the next run, and the scope they had not
    # processed is recomputed: the duplicate is repaired, and that run's audit passes
    repair = dbt("build", *SCOPE, database=database, project_dir=project)
    assert _status(repair, rules_test) == "pass", repair.text[-2000:]
    assert _duplicated_keys(database, schema, model, key) == 0

    # a duplicate and a broken row rule (a clean event without event_at) planted outside the next
    # run's scope (old events) are not re-audited by it ...
    con = connect(database)
    try:
        con.execute(f"""
            insert into {schema}.{model}
            select * from {schema}.{model}
            where {key} = (select min({key}) from {schema}.{model} where event_at < date '2026-06-01')""")
        con.execute(f"""
            update {schema}.{model} set event_at = null
            where {key} = (select max({key}) from {schema}.{model} where event_at < date '2026-06-01')""")
    finally:
        con.close()
    _append_an_event(tmp_path / "day2", database, "audit_2", "2026-06-30 09:00:00")
    clean = dbt("build", *SCOPE, database=database, project_dir=project)
    assert _status(clean, rules_test) == "pass", clean.text[-2000:]
    assert _duplicated_keys(database, schema, model, key) == 1

    # ... and `dbt test` alone audits every row, so both are found
    audit = dbt("test", "--select", model, database=database, project_dir=project)
    assert _status(audit, rules_test) == "fail", audit.text[-2000:]
    assert _failing_rows(audit, rules_test) == 2  # the primary key and event_at's rule


def _failing_rows(run, prefix: str) -> int:
    [n_rows] = [n for node, n in run.failing_rows.items() if node.startswith(prefix)]
    return n_rows


def _duplicated_keys(database: Path, schema: str, model: str, key: str) -> int:
    [(n,)] = query(database, f"""
        select count(*) from (select {key} from {schema}.{model} group by {key} having count(*) > 1)""")
    return n
