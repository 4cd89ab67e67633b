"""Bad configuration stops the run before any model builds, with a message naming the var or
the seed row (issue 3, item 2)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, copy_project, generate, load, query


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("cfg") / "raw", accounts=30, dirty_rate=0.0)


@pytest.fixture
def warehouse(tmp_path, small_raw) -> Path:
    database = tmp_path / "warehouse.duckdb"
    load(small_raw, database)
    return database


def _models_built(database: Path) -> list[str]:
    return [name for (name,) in query(
        database,
        "select table_name from information_schema.tables "
        "where table_schema in ('staging', 'intermediate', 'marts', 'dq')")]


# Each set of vars is one run (a new --vars value costs dbt a full re-parse), and every bad var
# of a run must be named in its one error message.
@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (
            {"activation__as_of_date": "2026-13-01", "activation__habit_min_users": 0,
             "activation__checklist_threshold": 1.5, "activation__prompt_window_hours": "a day",
             "activation__setup_criteria": ["workspace_created", "first_login"]},
            ["var activation__as_of_date: '2026-13-01' has month 13",
             "var activation__habit_min_users: got 0; expected an integer >= 1",
             "var activation__checklist_threshold: got 1.5; expected a number >= 0 and < 1",
             'var activation__prompt_window_hours: got "a day"; expected a number > 0',
             "var activation__setup_criteria: got [\"workspace_created\", \"first_login\"]; expected only "],
        ),
        (
            {"activation__habit_min_weeks": 5, "activation__setup_criteria": []},
            ["var activation__habit_min_weeks: got 5; expected an integer >= 1 and <= 4",
             "var activation__setup_criteria: got []; expected a non-empty list"],
        ),
    ],
)
def test_bad_vars_stop_before_any_model_and_are_all_named(dbt, warehouse, variables, expected):
    # as_of_date also arrives, valid, in ACTIVATION_AS_OF_DATE: the var takes precedence
    run = dbt("build", database=warehouse, as_of_date="2026-06-30", extra_vars=variables)
    assert not run.success
    assert f"{len(expected)} invalid configuration value(s)" in run.text
    for message in expected:
        assert f"Invalid {message}" in run.text
    assert _models_built(warehouse) == []


def test_numbers_no_engine_can_use_are_named_before_any_model(dbt, warehouse):
    """NaN, an infinity and a window far beyond any date range pass a plain "number > 0" check and
    then failed inside a model with a database error that named no var (a column "nan", an
    infinity converted to an integer, a date out of range)."""
    run = dbt("build", "--vars", "{activation__checklist_threshold: .nan, activation__prompt_window_hours: .inf, "
                                 "activation__aha_target_days: 1000000000}",
              database=warehouse, as_of_date="2026-06-30")
    assert not run.success
    assert "3 invalid configuration value(s)" in run.text, run.text[-3000:]
    for message in ("var activation__checklist_threshold: got NaN; expected a number >= 0 and < 1",
                    "var activation__prompt_window_hours: got Infinity; expected a number > 0 and <= 8760",
                    "var activation__aha_target_days: got 1000000000; expected an integer >= 1 and <= 3650"):
        assert f"Invalid {message}" in run.text, run.text[-3000:]
    assert _models_built(warehouse) == []


@pytest.mark.parametrize(
    ("as_of_date", "expected"),
    [
        ("2026-02-30", "'2026-02-30' has day 30 (month 2 has 28 days)"),
        ("yesterday", "'yesterday' is not an ISO date (YYYY-MM-DD)"),
    ],
)
def test_bad_as_of_date_environment_variable_is_named(dbt, warehouse, as_of_date, expected):
    run = dbt("build", database=warehouse, as_of_date=as_of_date)
    assert not run.success
    assert f"Invalid environment variable ACTIVATION_AS_OF_DATE: {expected}" in run.text
    assert _models_built(warehouse) == []


def test_a_new_as_of_date_in_the_environment_reuses_the_saved_parse(dbt, warehouse):
    # the date is read only in compiled SQL, so no file depends on it at parse time (a file that
    # read it then would be re-parsed, with its YAML's tests, every night)
    assert dbt("parse", database=warehouse, as_of_date="2026-06-29").success
    run = dbt("parse", database=warehouse, as_of_date="2026-06-30")
    assert run.success, run.text[-3000:]
    assert "Partial parsing enabled: 0 files deleted, 0 files added, 0 files changed." in run.text, run.text[-3000:]


def test_good_vars_pass_validation_and_the_as_of_var_beats_the_environment(dbt, warehouse):
    good = {"activation__habit_min_users": 2, "activation__setup_criteria": ["workspace_created"],
            "activation__as_of_date": "2026-06-30"}
    run = dbt("build", "--select", "+stg_product__accounts", "--exclude-resource-type", "test",
              database=warehouse, as_of_date="not a date", extra_vars=good)
    assert run.success, run.text[-3000:]


# every configurable var at a valid value other than its default (dbt_project.yml)
NON_DEFAULT_VARS = {
    "activation__prompt_window_hours": 1.5,
    "activation__setup_criteria": ["workspace_created", "first_core_action"],
    "activation__checklist_threshold": 0.5,
    "activation__setup_target_hours": 48,
    "activation__aha_target_days": 10,
    "activation__team_habit_target_days": 45,
    "activation__habit_min_users": 2,
    "activation__habit_min_weeks": 2,
    "activation__tar_drop_alert_days": 30,
    "activation__aha_candidate_window_days": 7,
    "activation__aha_candidate_min_counts": [2, 4],
    "activation__aha_candidate_min_support": 5,
    "activation__survival_max_days": 60,
}


def test_an_adopter_s_own_valid_configuration_builds_green(dbt, warehouse):
    """The unit tests pin every var their model reads (overrides: vars), so they check the SQL
    whatever the project is configured with: `dbt build` with every var at another valid value
    passes, unit tests included, and builds every mart. Before, four unit tests asserted the
    defaults (habit thresholds, the TAR alert window, the aha window, the prompt window), failed,
    and dbt skipped every mart after them."""
    import yaml

    defaults = yaml.safe_load((Path(__file__).parents[2] / "dbt_project.yml").read_text())["vars"]
    assert set(NON_DEFAULT_VARS) == set(defaults) - {"activation__as_of_date"}
    assert all(NON_DEFAULT_VARS[name] != defaults[name] for name in NON_DEFAULT_VARS)
    run = dbt("build", database=warehouse, as_of_date="2026-06-30", extra_vars=NON_DEFAULT_VARS)
    assert run.success, "\n".join(run.failures()) + run.text[-3000:]
    assert any(node.startswith("unit_test.") for node in run.statuses)
    assert "marts.fct_account_activation" in {f"marts.{name}" for name in _models_built(warehouse)}


def test_bad_seed_rows_are_named_and_stop_their_downstream_models(dbt, warehouse, tmp_path):
    project = copy_project(tmp_path / "project")
    aha = project / "seeds" / "aha_definitions.csv"
    # two bad rows, stored out of order: the message names them in the order of their columns
    aha.write_text(aha.read_text() + "crm,account,Zz_Not_Catalogued,1\ncrm,account,Deal_Closed_Won,1\n")
    playbook = project / "seeds" / "activation_playbook.csv"
    playbook.write_text(playbook.read_text() + "win_back,90,120,account_is_sad\n")
    # the checks and one model below each; their other parents are left out on purpose: without
    # the checks those models would error (missing inputs) instead of being skipped
    run = dbt("build", "--select", "+int_config_validated", "activation_playbook", "int_accounts_enriched",
              "rpt_activation_interventions_due", database=warehouse, project_dir=project)
    assert not run.success
    assert "aha_definitions" in run.text and "event_name=Deal_Closed_Won" in run.text
    assert run.text.index("event_name=Deal_Closed_Won") < run.text.index("event_name=Zz_Not_Catalogued")
    status = {node.split(".")[2]: value for node, value in run.statuses.items() if node.startswith("model.")}
    assert status["int_config_validated"] == "error"
    assert status["int_accounts_enriched"] == "skipped" and status["rpt_activation_interventions_due"] == "skipped"
    playbook_checks = {node: value for node, value in run.statuses.items()
                       if node.startswith("test.activation.constraints_hold_activation_playbook")}
    assert list(playbook_checks.values()) == ["fail"]
    built = _models_built(warehouse)
    assert "int_accounts_enriched" not in built and "rpt_activation_interventions_due" not in built


def test_duckdb_memory_limit_and_spill_directory_come_from_the_environment(dbt, tmp_path):
    """profiles.yml: DuckDB's memory_limit and temp_directory are settable from the environment
    (a big build capped and spilling to a disk of the operator's choice), DuckDB's defaults
    otherwise (80% of RAM; <database file>.tmp)."""
    database = tmp_path / "settings.duckdb"
    show = ("show", "--output", "json", "--inline",
            "select current_setting('memory_limit') || '|' || current_setting('temp_directory') as s")
    spill = tmp_path / "spill"
    capped = dbt(*show, database=database, env={"ACTIVATION_DUCKDB_MEMORY_LIMIT": "2GiB",
                                                 "ACTIVATION_DUCKDB_TEMP_DIRECTORY": str(spill)})
    assert capped.success, capped.text[-2000:]
    assert f"2.0 GiB|{spill}" in capped.text, capped.text[-2000:]
    default = dbt(*show, database=database, env={"ACTIVATION_DUCKDB_MEMORY_LIMIT": None,
                                                  "ACTIVATION_DUCKDB_TEMP_DIRECTORY": None})
    assert default.success and f"|{database}.tmp" in default.text, default.text[-2000:]
    assert "2.0 GiB" not in default.text


def test_a_build_that_spills_to_disk_goes_on(dbt, tmp_path):
    """Once DuckDB has spilled to its temp directory it refuses to have the directory set again,
    even to the same path. dbt-duckdb applies `settings` to every new cursor (one per node), so
    the directory is set once, when the database opens (profiles.yml config_options): a model
    that spills, then the next node (the xlarge build failed so before). The big builds run one
    model at a time (ACTIVATION_DBT_THREADS=1), so that is settable too."""
    project = copy_project(tmp_path / "project")
    folder = project / "models" / "spill_check"
    folder.mkdir()
    (folder / "spill_sorted.sql").write_text(
        "{{ config(materialized='table') }}\nselect i, hash(i) as h from range(4000000) as t(i) order by h\n")
    (folder / "spill_counted.sql").write_text(
        "{{ config(materialized='table') }}\nselect count(*) as n from {{ ref('spill_sorted') }}\n")
    spill = tmp_path / "spill"
    run = dbt("run", "--select", "spill_sorted", "spill_counted", database=tmp_path / "spilled.duckdb",
              project_dir=project,
              env={"ACTIVATION_DUCKDB_MEMORY_LIMIT": "64MB", "ACTIVATION_DUCKDB_TEMP_DIRECTORY": str(spill),
                   "ACTIVATION_DBT_THREADS": "1"})
    assert "Concurrency: 1 threads" in run.text, run.text[-2000:]
    assert spill.is_dir(), "the sort did not spill: the test needs a smaller memory limit or more rows"
    assert run.success, run.text[-2000:]
    models = {node: status for node, status in run.statuses.items() if node.startswith("model.")}
    assert models == {"model.activation.spill_sorted": "success", "model.activation.spill_counted": "success"}


@pytest.mark.parametrize("threads", ["0", "two", "1.5"])
def test_a_bad_thread_count_is_named(dbt, tmp_path, threads):
    """ACTIVATION_DBT_THREADS must be a whole number of at least 1; anything else stops dbt with
    a message naming the variable and the value (0 alone would fail inside dbt's thread pool
    with 'max_workers must be greater than 0')."""
    run = dbt("show", "--inline", "select 1 as x", database=tmp_path / "threads.duckdb",
              env={"ACTIVATION_DBT_THREADS": threads})
    assert not run.success
    assert f"ACTIVATION_DBT_THREADS must be a whole number of at least 1, not {threads}" in run.text, run.text[-2000:]


@pytest.mark.parametrize("limit", ["75", "12 gigs", "lots"])
def test_a_bad_memory_limit_is_named(dbt, tmp_path, limit):
    """ACTIVATION_DUCKDB_MEMORY_LIMIT must be a size with its unit or a share of RAM; anything
    else stops dbt with a message naming the variable and the value (before, a bare number ended
    in some 200 lines of traceback and DuckDB's 'Unknown unit for memory')."""
    run = dbt("show", "--inline", "select 1 as x", database=tmp_path / "memory.duckdb",
              env={"ACTIVATION_DUCKDB_MEMORY_LIMIT": limit})
    assert not run.success
    assert ("ACTIVATION_DUCKDB_MEMORY_LIMIT must be a size with its unit (12GB, 800MiB) or a share of RAM "
            f"(80%), not {limit}") in run.text, run.text[-2000:]


def test_the_memory_limit_rule_accepts_what_duckdb_reads_and_nothing_else():
    """The profile's rule for ACTIVATION_DUCKDB_MEMORY_LIMIT agrees with DuckDB's own parser:
    every form DuckDB takes passes (until 2026-12-04 the rule refused 12G, 16 gigabytes and
    none, which DuckDB reads), and every form it refuses is named by the profile instead of
    failing inside DuckDB."""
    profile = (PROJECT_ROOT / "profiles.yml").read_text()
    rule = re.search(r"modules\.re\.fullmatch\('([^']+)', limit\)", profile).group(1)
    con = duckdb.connect()
    try:
        for value in ["12GB", "12G", "12 g", "800MiB", "0.5GB", "16 gigabytes", "2 terabytes", "4000000 bytes",
                      "80%", "50 %", "none", "-1", "75", "1e9", "1,5GB", "12 gigs", "lots", "GB", ""]:
            try:
                con.execute(f"set memory_limit = '{value}'")
                duckdb_reads = True
            except duckdb.Error:
                duckdb_reads = False
            con.execute("set memory_limit = '2GB'")
            assert (re.fullmatch(rule, value) is not None) == duckdb_reads, (value, duckdb_reads)
    finally:
        con.close()


def test_raw_timestamps_with_a_time_zone_are_read_in_utc_whatever_the_host_s_zone(warehouse, tmp_path):
    """An extract-load tool may type raw timestamps `timestamp with time zone`. The profile pins
    DuckDB's session to UTC, so each one becomes its UTC time on a host in New York too (before,
    every signup moved by the host's offset, and cohorts with them). dbt runs in its own process:
    the host's zone is read once per process."""
    import subprocess
    import sys

    con = duckdb.connect(str(warehouse))
    try:
        con.execute("set TimeZone = 'UTC'")
        expected = con.execute("select account_id, created_at from raw.accounts order by account_id").fetchall()
        con.execute("alter table raw.accounts alter column created_at set data type timestamptz "
                    "using created_at at time zone 'UTC'")
    finally:
        con.close()
    environment = dict(os.environ, TZ="America/New_York", ACTIVATION_DUCKDB_PATH=str(warehouse),
                       ACTIVATION_AS_OF_DATE="2026-06-30")
    run = subprocess.run([str(Path(sys.executable).parent / "dbt"), "run", "--select", "base_product__accounts",
                          "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT),
                          "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
                         capture_output=True, text=True, env=environment, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:]
    assert query(warehouse, "select account_id, created_at from staging.base_product__accounts "
                            "order by account_id") == expected


def test_raw_tables_off_the_contract_are_named_before_any_model(dbt, warehouse):
    """A raw layer written by an extract-load tool may miss a table or a column, or carry text
    timestamps: the run stops at its start with one message naming each problem, before any
    model builds (before, a database error inside the first model that read it: "Table with name
    interventions does not exist! Did you mean aha_definitions?"). So is a boolean or integer
    column landed as text, where one value that does not parse ('12 seats') failed the base
    model's cast on every run. A selection that reads no source does not need the raw layer."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("drop table raw.interventions")
        con.execute("alter table raw.events alter column occurred_at set data type varchar")
        con.execute("alter table raw.users drop column is_internal")
        con.execute("alter table raw.accounts alter column is_test_account set data type varchar")
        con.execute("alter table raw.subscriptions alter column licensed_seats set data type varchar")
        con.execute("update raw.subscriptions set licensed_seats = licensed_seats || ' seats'")
    finally:
        con.close()
    run = dbt("build", database=warehouse, as_of_date="2026-06-30")
    assert not run.success
    assert "The raw tables do not match the raw contract" in run.text, run.text[-3000:]
    for problem in ("raw.interventions does not exist", "raw.users.is_internal is missing"):
        assert problem in run.text, run.text[-3000:]
    # the type as the adapter names it (DuckDB: "character varying(256)"), then what it should be
    for column, expected in (("raw.events.occurred_at", "not a timestamp"),
                             ("raw.accounts.is_test_account", "text where the contract has a boolean"),
                             ("raw.subscriptions.licensed_seats", "text where the contract has an integer")):
        assert re.search(rf"{re.escape(column)} is [^\n,]*char[^\n,]*, {expected}", run.text), run.text[-3000:]
    assert _models_built(warehouse) == []
    assert dbt("seed", database=warehouse, as_of_date="2026-06-30").success
