"""Bad configuration stops the run before any model builds, with a message naming the var or
the seed row (issue 3, item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import copy_project, generate, load, query


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


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"activation__as_of_date": "2026-13-01"}, "activation__as_of_date"),
        ({"activation__as_of_date": "2026-02-30"}, "activation__as_of_date"),
        ({"activation__as_of_date": "yesterday"}, "activation__as_of_date"),
        ({"activation__habit_min_users": 0}, "activation__habit_min_users"),
        ({"activation__habit_min_weeks": 5}, "activation__habit_min_weeks"),
        ({"activation__checklist_threshold": 1.5}, "activation__checklist_threshold"),
        ({"activation__prompt_window_hours": "a day"}, "activation__prompt_window_hours"),
        ({"activation__setup_criteria": ["workspace_created", "first_login"]}, "activation__setup_criteria"),
        ({"activation__setup_criteria": []}, "activation__setup_criteria"),
    ],
)
def test_bad_var_stops_before_any_model(dbt, warehouse, variables, expected):
    as_of = variables.pop("activation__as_of_date", "2026-06-30")
    run = dbt("build", database=warehouse, as_of_date=as_of, extra_vars=variables)
    assert not run.success
    assert f"Invalid var {expected}" in run.text
    assert _models_built(warehouse) == []


def test_good_vars_pass_validation(dbt, warehouse):
    good = {"activation__habit_min_users": 2, "activation__setup_criteria": ["workspace_created"]}
    assert dbt("seed", database=warehouse, extra_vars=good).success
    run = dbt("run", "--select", "+stg_product__accounts", database=warehouse, extra_vars=good)
    assert run.success, run.text[-3000:]


def test_aha_definition_naming_an_uncatalogued_event_stops_downstream(dbt, warehouse, tmp_path):
    project = copy_project(tmp_path / "project")
    seed = project / "seeds" / "aha_definitions.csv"
    seed.write_text(seed.read_text() + "crm,account,Deal_Closed_Won,1\n")
    run = dbt("build", database=warehouse, project_dir=project)
    assert not run.success
    assert "aha_definitions" in run.text and "event_name=Deal_Closed_Won" in run.text
    built = _models_built(warehouse)
    assert "int_accounts_enriched" not in built and "fct_account_activation" not in built


def test_playbook_with_unknown_condition_is_rejected(dbt, warehouse, tmp_path):
    project = copy_project(tmp_path / "project")
    seed = project / "seeds" / "activation_playbook.csv"
    seed.write_text(seed.read_text() + "win_back,90,120,account_is_sad\n")
    run = dbt("build", database=warehouse, project_dir=project)
    assert not run.success
    assert "rpt_activation_interventions_due" not in _models_built(warehouse)
