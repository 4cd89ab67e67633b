"""Source freshness (models/staging/_staging__sources.yml) is not fooled by future timestamps.

Freshness is the newest `_loaded_at` at or before the moment the freshness run started: one row
stamped 2099-01-01 (a clock bug upstream) must not make a source whose real rows are days old
look fresh for ever, nor hide that rows did arrive.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import load

ACCOUNTS_HEADER = "account_id,account_name,vertical,motion,created_at,is_test_account,_loaded_at"
EVENTS_HEADER = "event_id,account_id,user_id,event_name,occurred_at,received_at,properties,_loaded_at"
INTERVENTIONS_HEADER = "intervention_id,account_id,user_id,channel,campaign,sent_at,_loaded_at"
FUTURE = "2099-01-01 00:00:00"


def _write(directory: Path, name: str, header: str, rows: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text("\n".join([header, *rows]) + "\n")


def test_a_future_loaded_at_does_not_make_a_source_fresh(tmp_path, dbt):
    stale = (dt.datetime.now(dt.UTC) - dt.timedelta(days=10)).strftime("%Y-%m-%d %H:%M:%S")
    raw = tmp_path / "raw"
    # events: rows loaded 10 days ago (past error_after, 48 h) and one stamped in 2099
    _write(raw, "events.csv", EVENTS_HEADER, [
        f"e1,a1,u1,Workspace_Created,2026-06-01 10:00:00,2026-06-01 10:00:00,,{stale}",
        f"e2,a1,u1,Workspace_Created,2026-06-01 11:00:00,2026-06-01 11:00:00,,{FUTURE}",
    ])
    # accounts: one row loaded now (an empty _loaded_at is stamped with the load time) and one
    # stamped in 2099: fresh, the future row neither helps nor hurts
    _write(raw, "accounts.csv", ACCOUNTS_HEADER, [
        "a1,A,crm,plg,2026-06-01 00:00:00,false,",
        f"a2,B,crm,plg,2026-06-01 00:00:00,false,{FUTURE}",
    ])
    # interventions: only a row stamped in 2099
    _write(raw, "interventions.csv", INTERVENTIONS_HEADER, [f"i1,a1,,email,welcome,2026-06-01 10:00:00,{FUTURE}"])
    database = tmp_path / "warehouse.duckdb"
    load(raw, database)

    run = dbt("source", "freshness", database=database)
    status = {node.rsplit(".", 1)[-1]: s for node, s in run.statuses.items() if node.startswith("source.")}
    assert status["events"] == "error", run.text
    assert status["accounts"] == "pass", run.text
    # a table with only future rows, or no row at all, has no freshness: stale
    assert status["interventions"] == "error", run.text
    assert status["users"] == "error", run.text
