"""BI readiness (issue 13): a serving file every client opens, without personal data; the
semantic layer (MetricFlow) answering from that file; the static docs site; the dashboard, with
Streamlit's AppTest and once in a real headless Chromium.

One small warehouse (80 accounts, 2% bad rows, so rejected users with e-mail addresses exist)
is built once for the module, models and seeds only (the data tests run in test_end_to_end),
and published with scripts/nightly.py's own publish(). Its file name has a stem other than
`activation`, so the read-only `serving` target has to take the catalog name from the path.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

import nightly  # noqa: E402  (scripts/ is on sys.path, see conftest)
from conftest import AS_OF_DATE, PROJECT_ROOT, generate, load, query
from raw_schema import TABLES  # noqa: E402

pytestmark = pytest.mark.slow

ACCOUNTS = 80
OLD_DUCKDB = "1.4.0"  # the oldest client the serving file promises to serve
APP = PROJECT_ROOT / "dashboard" / "app.py"
SCREENSHOT = PROJECT_ROOT / "target" / "dashboard.png"
DASHBOARD_HEADERS = ["Milestone rates by signup cohort", "Milestone survival curves", "Time to first value",
                     "Team activation rate health over time", "Intervention queue", "Activation vs retention",
                     "Aha-moment candidates"]
EXPOSURES = {"activation_dashboard", "customer_success_intervention_queue"}
# column types that cannot hold text (every other column is searched for personal values)
NOT_TEXT = ("BIGINT", "INTEGER", "HUGEINT", "DOUBLE", "FLOAT", "BOOLEAN", "DATE", "TIMESTAMP")


@dataclass
class Published:
    root: Path
    raw: Path
    warehouse: Path
    serving: Path
    manifest: dict
    mf_project: Path


def publish(warehouse: Path, serving: Path, umask: int = 0o022) -> None:
    previous = os.umask(umask)
    try:
        with nightly.hold_warehouse(warehouse) as held:  # as the nightly does: lock, one instance
            nightly.publish(nightly.Options(database=warehouse, serving_path=serving, as_of_date=AS_OF_DATE),
                            nightly.NightlyResult(), held)
    finally:
        os.umask(previous)


def serving_query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def bi(tmp_path_factory, dbt) -> Published:
    root = tmp_path_factory.mktemp("bi")
    raw = generate(root / "raw", accounts=ACCOUNTS, seed=5)
    warehouse = root / "bi_warehouse.duckdb"
    load(raw, warehouse)
    run = dbt("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test", database=warehouse)
    assert run.success, "\n".join(run.failures()) + run.text[-3000:]
    serving = root / "serving" / "activation_serving.duckdb"
    publish(warehouse, serving)
    target = dbt.target_path()
    # what `mf` needs, as in a checkout: the project and profile files, target/semantic_manifest.json
    mf_project = root / "mf_project"
    (mf_project / "target").mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT_ROOT / name, mf_project / name)
    shutil.copy(target / "semantic_manifest.json", mf_project / "target" / "semantic_manifest.json")
    manifest = json.loads((target / "manifest.json").read_text())
    return Published(root, raw, warehouse, serving, manifest, mf_project)


def mart_nodes(manifest: dict) -> dict[str, dict]:
    return {n["name"]: n for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["schema"] == "marts"}


# --------------------------------------------------------------------------------------------
# 1. the serving file: DuckDB 1.4 clients, comments


READER_14 = r"""
import json, sys
import duckdb

serving, newer = sys.argv[1:3]
out = {"version": duckdb.__version__}
con = duckdb.connect(serving, read_only=True)
out["accounts"] = con.execute("select count(*) from marts.fct_account_activation").fetchone()[0]
out["tables"] = {f"{s}.{t}": c for s, t, c in con.execute(
    "select schema_name, table_name, comment from duckdb_tables() where schema_name in ('marts', 'dq')").fetchall()}
out["columns"] = {f"{s}.{t}.{c}": m for s, t, c, m in con.execute(
    "select schema_name, table_name, column_name, comment from duckdb_columns() "
    "where schema_name in ('marts', 'dq', 'meta')").fetchall()}
try:
    duckdb.connect(newer, read_only=True)
    out["newer_error"] = None
except duckdb.Error as e:
    out["newer_error"] = str(e)
print(json.dumps(out))
"""


def test_serving_file_opens_in_duckdb_1_4_with_the_yaml_descriptions(bi, tmp_path):
    venv = tmp_path / "duckdb14"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                          "--disable-pip-version-check", f"duckdb=={OLD_DUCKDB}"],
                         capture_output=True, text=True, timeout=600)
    assert pip.returncode == 0, pip.stdout[-2000:] + pip.stderr[-2000:]
    newer = tmp_path / "default_format.duckdb"  # what DuckDB 2.0 writes by default: 1.x refuses it
    duckdb.connect(str(newer)).execute("create table t as select 1 as x").close()
    reader = subprocess.run([str(venv / "bin" / "python"), "-c", READER_14, str(bi.serving), str(newer)],
                            capture_output=True, text=True, timeout=120)
    assert reader.returncode == 0, reader.stderr[-3000:]
    seen = json.loads(reader.stdout)
    assert seen["version"] == OLD_DUCKDB
    assert seen["newer_error"] and "version" in seen["newer_error"], "the 1.4 client should refuse a 2.0 file"
    [(accounts,)] = query(bi.warehouse, "select count(*) from marts.fct_account_activation")
    assert seen["accounts"] == accounts > 0
    # every mart (and the dq relations) carries its YAML description, and every documented column its own
    marts = mart_nodes(bi.manifest)
    assert "fct_account_activation" in marts and "metricflow_time_spine" in marts
    for name, node in marts.items():
        assert seen["tables"].get(f"marts.{name}") == node["description"], f"marts.{name} comment"
        for column, spec in node["columns"].items():
            if spec["description"]:
                assert seen["columns"].get(f"marts.{name}.{column}") == spec["description"], f"{name}.{column}"
    # and so does every column of every relation the file publishes (dq and meta included)
    assert not [column for column, comment in seen["columns"].items() if not comment]
    assert {column.rsplit(".", 1)[0] for column in seen["columns"]} >= {"meta.publication", "meta.relations",
                                                                       "dq.dq_unmapped_event_names"}
    assert seen["tables"]["dq.dq_rejected_rows"].startswith("The quarantine")
    assert "<masked>" in seen["columns"]["dq.dq_rejected_rows.raw_row"]


def test_serving_file_mode_follows_the_umask_and_never_exceeds_the_warehouse(bi, tmp_path):
    assert stat.S_IMODE(bi.warehouse.stat().st_mode) == 0o644
    assert stat.S_IMODE(bi.serving.stat().st_mode) == 0o444  # published under umask 022
    private = tmp_path / "private" / "serving.duckdb"
    publish(bi.warehouse, private, umask=0o077)
    assert stat.S_IMODE(private.stat().st_mode) == 0o400
    group = tmp_path / "group" / "serving.duckdb"
    bi.warehouse.chmod(0o640)
    try:
        publish(bi.warehouse, group, umask=0o022)
    finally:
        bi.warehouse.chmod(0o644)
    assert stat.S_IMODE(group.stat().st_mode) == 0o440


# --------------------------------------------------------------------------------------------
# 2. personal data stays in the warehouse


def personal_values(raw: Path) -> list[str]:
    """Every value of every column the raw contract marks personal, from the generated files."""
    con = duckdb.connect(":memory:")
    try:
        values: set[str] = set()
        for table in TABLES.values():
            for column in table.personal_columns:
                values |= {v for (v,) in con.execute(
                    f"select distinct \"{column}\" from read_csv(?, all_varchar = true) "
                    f"where \"{column}\" is not null", [str(raw / f"{table.name}.csv")]).fetchall()}
        return sorted(values)
    finally:
        con.close()


def published_hits(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    """relation.column -> rows whose text contains a personal value (table `personal` holds them)."""
    hits = {}
    for schema, table, column in con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = ? and table_schema in ('marts', 'dq', 'meta') "
            "and data_type not in (select unnest(?))", [catalog, list(NOT_TEXT)]).fetchall():
        relation = f'{catalog}.{schema}."{table}"'
        [(n,)] = con.execute(
            f'select count(*) from {relation} as r inner join personal as p '
            f'on contains(cast(r."{column}" as varchar), p.value)').fetchall()
        if n:
            hits[f"{schema}.{table}.{column}"] = n
    return hits


def test_no_personal_value_in_any_published_relation_comment_or_byte(bi):
    assert "email" in TABLES["users"].personal_columns
    values = personal_values(bi.raw)
    assert len(values) > ACCOUNTS and any("@" in v for v in values)
    [(rejected_users,)] = serving_query(bi.serving, "select count(*) from dq.dq_rejected_rows where source_table = 'users'")
    assert rejected_users > 0, "the generated data should reject user rows (with e-mail addresses)"
    con = duckdb.connect(":memory:")
    try:
        con.execute("create table personal as select unnest(?) as value", [values])
        con.execute(f"attach '{bi.serving}' as serving (read_only)")
        assert published_hits(con, "serving") == {}
        comments = con.execute(
            "select comment from duckdb_tables() where database_name = 'serving' union all "
            "select comment from duckdb_columns() where database_name = 'serving'").fetchall()
        assert not [c for (c,) in comments if c and any(v in c for v in values)]
    finally:
        con.close()
    data = bi.serving.read_bytes()
    assert not [v for v in values if v.encode() in data]
    # the check itself finds them where they are: in staging, inside the warehouse
    [(in_staging,)] = query(bi.warehouse, "select count(*) from staging.stg_product__users where email is not null")
    assert in_staging > 0


def test_rejected_users_keep_key_and_reason_with_personal_columns_masked(bi):
    published = serving_query(bi.serving, "select source_key, reason, raw_row from dq.dq_rejected_rows "
                                          "where source_table = 'users'")
    # the same rows as staging decided them, from the unmasked content (it stays in the warehouse)
    decided = query(bi.warehouse, "select user_id, dq_reason, json_merge_patch(row_content_json, "
                                  "json_object('_loaded_at', _loaded_at)) from staging.base_product__users "
                                  "where row_status = 'rejected'")
    personal = TABLES["users"].personal_columns

    def masked(raw_json: str) -> dict:
        row = json.loads(raw_json)
        return {k: ("<masked>" if k in personal and v is not None else v) for k, v in row.items()}

    expected = sorted(json.dumps([key, reason, masked(raw)], sort_keys=True) for key, reason, raw in decided)
    got = sorted(json.dumps([key, reason, json.loads(raw)], sort_keys=True) for key, reason, raw in published)
    assert got == expected and len(got) > 0
    assert all(reason for _, reason, _ in published)
    rows = [json.loads(raw) for _, _, raw in published]
    assert any(r["email"] == "<masked>" for r in rows)
    keyed = [(key, r) for (key, _, _), r in zip(published, rows) if key is not None]
    assert keyed and all(r["user_id"] == key for key, r in keyed)


# --------------------------------------------------------------------------------------------
# 3. semantic layer


def mf(bi: Published, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, ACTIVATION_TARGET="serving", ACTIVATION_SERVING_PATH=str(bi.serving),
               # only the stem is used (the catalog name); the directory does not exist, so
               # nothing could open the warehouse through it
               ACTIVATION_DUCKDB_PATH=str(bi.root / "no-such-dir" / bi.warehouse.name),
               NO_COLOR="1")
    env.pop("ACTIVATION_AS_OF_DATE", None)
    return subprocess.run([str(Path(sys.executable).parent / "mf"), *args], cwd=bi.mf_project, env=env,
                          capture_output=True, text=True, timeout=300)


def mf_query(bi: Published, tmp_path: Path, metrics: list[str], group_by: list[str]) -> list[dict]:
    out = tmp_path / f"mf_{len(list(tmp_path.glob('mf_*.csv')))}.csv"
    run = mf(bi, "query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by), "--csv", str(out))
    assert run.returncode == 0 and out.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    with out.open() as f:
        return list(csv.DictReader(f))


def number(text: str) -> float | None:
    return None if text in ("", None) else float(text)


def test_time_spine_ends_at_the_as_of_date(bi):
    [(first, last, days)] = serving_query(bi.serving, "select min(date_day), max(date_day), count(*) "
                                                      "from marts.metricflow_time_spine")
    [(first_signup,)] = serving_query(bi.serving, "select min(signup_date) from marts.fct_account_activation")
    assert last == dt.date.fromisoformat(AS_OF_DATE)
    assert first == dt.date(first_signup.year, 1, 1) and days == (last - first).days + 1


@pytest.mark.parametrize("stem", ["activation-prod", "my.warehouse"])
def test_the_serving_target_attaches_under_a_stem_that_is_no_plain_identifier(bi, stem):
    """The catalog name is the warehouse file's stem (what the semantic manifest names); the
    serving target quotes it, so a file named activation-prod.duckdb works with mf too."""
    env = dict(os.environ, ACTIVATION_TARGET="serving", ACTIVATION_SERVING_PATH=str(bi.serving),
               ACTIVATION_DUCKDB_PATH=str(bi.root / "no-such-dir" / f"{stem}.duckdb"), DBT_USE_COLORS="false")
    run = subprocess.run([str(Path(sys.executable).parent / "dbt"), "debug", "--profiles-dir", str(bi.mf_project)],
                         cwd=bi.mf_project, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "Connection test: [OK connection ok]" in run.stdout, run.stdout[-3000:]


def test_metricflow_validates_and_answers_like_hand_written_sql(bi, tmp_path):
    run = mf(bi, "validate-configs")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "ERRORS: 0" in run.stdout and "Successfully validated metrics against data warehouse" in run.stdout
    assert not (bi.root / "no-such-dir").exists()

    # aha rate by quarter and vertical, against the account mart: matured = signup_date + 30 <= as_of_date
    rows = mf_query(bi, tmp_path, ["aha_rate_30d", "aha_30d", "accounts_matured_30d"],
                    ["metric_time__quarter", "cohort__vertical"])
    got = {(r["metric_time__quarter"][:10], r["cohort__vertical"]):
           (number(r["aha_30d"]), number(r["accounts_matured_30d"]), number(r["aha_rate_30d"])) for r in rows}
    expected = {(str(q), v): (aha, matured) for q, v, aha, matured in serving_query(bi.serving, """
        with publication as (select as_of_date from meta.publication),
        accounts as (
            select a.*, a.signup_date + 30 <= p.as_of_date as is_matured
            from marts.fct_account_activation as a cross join publication as p
        )
        select cast(date_trunc('quarter', signup_date) as date), vertical,
               count(*) filter (where is_matured and aha_at <= signup_at + interval 30 day),
               count(*) filter (where is_matured)
        from accounts group by all""")}
    assert {k: v[:2] for k, v in got.items()} == expected
    assert sum(m for _, m in expected.values()) > 0
    for (aha, matured, rate) in got.values():
        assert rate is None if matured == 0 else abs(rate - aha / matured) < 1e-9

    # account-level metrics by vertical: signups, TTFV share, queue, TAR health on as_of_date
    rows = mf_query(bi, tmp_path, ["signups", "ttfv_on_target_share", "interventions_due",
                                   "tar_healthy_accounts", "tar_watch_accounts", "tar_at_risk_accounts"],
                    ["account__vertical"])
    got = {r["account__vertical"]: tuple(number(r[m]) for m in (
        "signups", "ttfv_on_target_share", "interventions_due", "tar_healthy_accounts", "tar_watch_accounts",
        "tar_at_risk_accounts")) for r in rows}
    expected = {v: (signups, share, due or None, healthy, watch, at_risk) for v, signups, share, due, healthy, watch,
                at_risk in serving_query(bi.serving, """
        with queue as (
            select account_id, count(*) as due from marts.rpt_activation_interventions_due group by account_id
        ),
        health as (
            select account_id, tar_health from marts.fct_account_tar_daily
            where metric_date = (select as_of_date from meta.publication)
        )
        select a.vertical, count(*),
               count(*) filter (where a.is_ttfv_on_target) / nullif(count(a.is_ttfv_on_target), 0),
               sum(q.due),
               count(*) filter (where h.tar_health = 'healthy'),
               count(*) filter (where h.tar_health = 'watch'),
               count(*) filter (where h.tar_health = 'at_risk')
        from marts.fct_account_activation as a
        left join queue as q on a.account_id = q.account_id
        left join health as h on a.account_id = h.account_id
        group by a.vertical""")}
    assert got.keys() == expected.keys()
    for vertical, values in expected.items():
        assert got[vertical][0] == values[0] and got[vertical][2:] == values[2:], vertical
        assert abs(got[vertical][1] - values[1]) < 1e-9, vertical

    # the other milestone rates by quarter, against the (all-segment) cohort mart's month rows
    rates = {"setup_rate_30d": ("setup_30d", "accounts_matured_30d"),
             "team_habit_rate_60d": ("team_habit_60d", "accounts_matured_60d"),
             "setup_on_target_rate": ("setup_on_target_30d", "accounts_matured_30d"),
             "aha_on_target_rate": ("aha_on_target_30d", "accounts_matured_30d"),
             "team_habit_on_target_rate": ("team_habit_on_target_60d", "accounts_matured_60d")}
    rows = mf_query(bi, tmp_path, list(rates), ["metric_time__quarter"])
    got = {r["metric_time__quarter"][:10]: {m: number(r[m]) for m in rates} for r in rows}
    sums = ", ".join(f"sum({num}), sum({den})" for num, den in rates.values())
    expected = {}
    for quarter, *values in serving_query(bi.serving, f"""
            select cast(cast(date_trunc('quarter', cohort_start_date) as date) as varchar), {sums}
            from marts.fct_activation_cohorts where cohort_grain = 'month' group by 1"""):
        expected[quarter] = {m: (None if values[2 * i + 1] == 0 else values[2 * i] / values[2 * i + 1])
                             for i, m in enumerate(rates)}
    assert got.keys() == expected.keys()
    for quarter, values in expected.items():
        for metric, value in values.items():
            assert (got[quarter][metric] is None) == (value is None), (quarter, metric)
            assert value is None or abs(got[quarter][metric] - value) < 1e-9, (quarter, metric)



def test_metricflow_pools_aha_candidates_and_survival_like_the_marts_all_rows(bi, tmp_path):
    """Pooled over verticals (or signup months), the semantic layer's counts give the marts' own
    `all` rows: the aha lift per candidate, the Kaplan-Meier share and the daily hazard."""
    rows = mf_query(bi, tmp_path, ["aha_candidate_retained_rate", "aha_candidate_lift"], ["aha_candidate__candidate"])
    got = {r["aha_candidate__candidate"]: (number(r["aha_candidate_retained_rate"]), number(r["aha_candidate_lift"]))
           for r in rows}
    expected = {candidate: (rate, lift) for candidate, rate, lift in serving_query(
        bi.serving, "select candidate, retained_rate, lift from marts.fct_aha_candidates where vertical = 'all'")}
    assert got.keys() == expected.keys() and any(lift is not None for _, lift in expected.values())
    for candidate, (rate, lift) in expected.items():
        assert abs(got[candidate][0] - rate) < 1e-9, candidate
        assert (got[candidate][1] is None) == (lift is None), candidate
        assert lift is None or abs(got[candidate][1] - lift) < 1e-9, candidate

    rows = mf_query(bi, tmp_path, ["milestone_share_reached", "milestone_daily_hazard"],
                    ["survival_point__milestone", "survival_point__day_since_signup"])
    got = {(r["survival_point__milestone"], int(r["survival_point__day_since_signup"])):
           (number(r["milestone_share_reached"]), number(r["milestone_daily_hazard"])) for r in rows}
    expected = {(milestone, day): (share, hazard) for milestone, day, share, hazard in serving_query(bi.serving, """
        select milestone, day_since_signup, share_reached,
               accounts_reached_on_day / nullif(accounts_at_risk, 0)
        from marts.fct_milestone_survival where cohort_month is null""")}
    assert got.keys() == expected.keys() and len(expected) == 3 * 91
    for key, (share, hazard) in expected.items():
        assert (got[key][0] is None) == (share is None) and (share is None or abs(got[key][0] - share) < 1e-9), key
        assert (got[key][1] is None) == (hazard is None), key
        assert hazard is None or abs(got[key][1] - hazard) < 1e-9, key


# --------------------------------------------------------------------------------------------
# 4. docs site


def test_static_docs_site_lists_marts_metrics_and_exposures_all_documented(bi, dbt):
    run = dbt("docs", "generate", "--static", database=bi.warehouse)
    assert run.success, run.text[-3000:]
    html = (dbt.target_path() / "static_index.html").read_text()
    manifest = bi.manifest
    marts = mart_nodes(manifest)
    metrics = {m["name"]: m for m in manifest["metrics"].values()}
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert len(marts) >= 12 and len(metrics) >= 20 and set(exposures) == EXPOSURES
    for unique_id in [n["unique_id"] for n in marts.values()] + [m["unique_id"] for m in metrics.values()] + \
            [e["unique_id"] for e in exposures.values()]:
        assert f'"{unique_id}"' in html, unique_id
    # documented: every mart, its every column (as built), every metric with a label
    for name, node in marts.items():
        built = [c for (c,) in query(bi.warehouse, "select column_name from information_schema.columns "
                                                   f"where table_schema = 'marts' and table_name = '{name}'")]
        assert node["description"].strip() and built, name
        assert not [c for c in built if not node["columns"].get(c, {}).get("description", "").strip()], name
    for name, metric in metrics.items():
        assert metric["description"].strip() and metric["label"].strip(), name
    assert "model.activation.rpt_activation_interventions_due" in \
        exposures["customer_success_intervention_queue"]["depends_on"]["nodes"]


# --------------------------------------------------------------------------------------------
# 5. dashboard


def test_dashboard_renders_and_picks_up_a_new_snapshot(bi, monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    served = tmp_path / "activation_serving.duckdb"
    shutil.copy2(bi.serving, served)
    monkeypatch.setenv("ACTIVATION_SERVING_PATH", str(served))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == DASHBOARD_HEADERS
    assert not at.warning and not at.error
    assert len(at.get("vega_lite_chart")) == 7  # the seven sections' charts
    [(published_at, as_of)] = serving_query(served, "select published_at, as_of_date from meta.publication")
    assert f"data as of **{as_of}**" in at.caption[0].value and f"{published_at:%Y-%m-%d %H:%M:%S}" in at.caption[0].value
    # the latest fully matured month cohort, its rates and bottleneck, as the mart has them
    [(start, setup, aha, habit, bottleneck)] = serving_query(served, """
        select cohort_start_date, setup_rate_30d, aha_rate_30d, team_habit_rate_60d, primary_bottleneck
        from marts.fct_activation_cohorts where cohort_grain = 'month' and is_latest_matured""")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Setup (30 days)"] == f"{setup:.0%}" and metrics["Aha (30 days)"] == f"{aha:.0%}"
    assert metrics["Team habit (60 days)"] == f"{habit:.0%}"
    assert f"cohort: {start:%Y-%m-%d}**" in at.markdown[0].value and bottleneck.replace("_", " ") in at.markdown[0].value
    [(due,)] = serving_query(served, "select count(*) from marts.rpt_activation_interventions_due")
    assert metrics["Interventions due"] == str(due) and due > 0
    # the aha candidates of all verticals, best first, as the mart ranks them
    best = [c for (c,) in serving_query(served, "select candidate from marts.fct_aha_candidates "
                                                "where vertical = 'all' and lift_rank = 1")]
    assert best and at.dataframe[-1].value["candidate"].iloc[0] in best

    # the vertical filter narrows the queue
    at.sidebar.selectbox[0].select("crm").run()
    [(due_crm,)] = serving_query(served, """select count(*) from marts.rpt_activation_interventions_due as q
        inner join marts.dim_accounts as a on q.account_id = a.account_id where a.vertical = 'crm'""")
    assert {m.label: m.value for m in at.metric}["Interventions due"] == str(due_crm)
    at.sidebar.selectbox[0].select("All verticals").run()

    # a nightly publishes a new snapshot (a new file moved over the old one): the app reconnects
    campaign, removed = serving_query(served, "select campaign, count(*) from marts.rpt_activation_interventions_due "
                                              "group by campaign order by 2 desc limit 1")[0]
    following = tmp_path / "next.duckdb"
    shutil.copy2(served, following)
    following.chmod(0o644)
    con = duckdb.connect(str(following))
    con.execute("update meta.publication set published_at = published_at + interval 1 day")
    con.execute("delete from marts.rpt_activation_interventions_due where campaign = ?", [campaign])
    con.close()
    os.replace(following, served)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    later = published_at + dt.timedelta(days=1)
    assert f"{later:%Y-%m-%d %H:%M:%S}" in at.caption[0].value
    assert {m.label: m.value for m in at.metric}["Interventions due"] == str(due - removed)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dashboard_in_headless_chromium(bi):
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; .ci/run installs it with `make chromium`")
        pytest.skip("Debian's chromium is not installed (`make chromium` installs it, as root)")
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = dict(os.environ, ACTIVATION_SERVING_PATH=str(bi.serving))
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "streamlit did not start"
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync"])
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 5400})
                page_errors: list[str] = []
                page.on("pageerror", lambda error: page_errors.append(str(error)))
                page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
                page.wait_for_selector("h1:has-text('Activation dashboard')", timeout=60_000)
                # every chart drawn: Vega-Lite renders into a canvas or svg inside each chart element
                page.wait_for_function(
                    "document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] canvas, "
                    "[data-testid=\"stVegaLiteChart\"] svg').length >= 7", timeout=60_000)
                page.wait_for_selector("[data-testid='stStatusWidget']", state="detached", timeout=60_000)
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOT), full_page=True)
                errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError'], "
                                      "[data-testid='stAlertContentWarning']")
                assert errors.count() == 0, errors.all_inner_texts()
                assert not page_errors, page_errors
                text = page.inner_text("body")
                assert all(header in text for header in DASHBOARD_HEADERS)
                assert AS_OF_DATE in text
            finally:
                browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert SCREENSHOT.stat().st_size > 10_000
