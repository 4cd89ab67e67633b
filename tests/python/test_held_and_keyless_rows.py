"""Rows that must neither wedge the nightly nor be lost (SPEC sections 1 and 3).

* **Held rows.** A row whose `_loaded_at` is later than the start of the run (an upstream clock
  error, e.g. 2099-01-01) is held: not processed, listed in dq.dq_held_rows, counted in the
  nothing-lost identity. It must not move any incremental watermark, so rows landing after it
  are still processed; and a row held only because its time has not come yet is processed by
  the first run that starts after its `_loaded_at`.
* **Keyless duplicates.** An identical row without a key delivered twice (with a new
  `_loaded_at`) is one reject and one duplicate, not two rejects.

One small warehouse is built from scratch, then rows are appended and built incrementally (only
the staging, dq and event-classification models: the models these rules live in), and the
result is compared with a full refresh of the same raw rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from pathlib import Path

import pytest

from conftest import checkpointed_copy, format_differences, generate, load, query, relation_differences

pytestmark = pytest.mark.slow

SELECTION = ("--select", "+int_events_aggregated_daily", "+path:models/staging", "+path:models/dq",
             "assert_every_raw_row_accounted_for", "--indirect-selection", "cautious",
             "--exclude-resource-type", "unit_test")
EVENT_COLUMNS = ["event_id", "account_id", "user_id", "event_name", "occurred_at", "received_at",
                 "properties", "_loaded_at"]
INTERVENTION_COLUMNS = ["intervention_id", "account_id", "user_id", "channel", "campaign", "sent_at",
                        "_loaded_at"]
FAR_FUTURE = "2099-01-01 00:00:00"
TS = "%Y-%m-%d %H:%M:%S"


def _write(directory: Path, table: str, columns: list[str], rows: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f"{table}.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return directory


def _build(dbt, database: Path, *flags: str):
    run = dbt("build", *flags, *SELECTION, database=database)
    assert run.success, "dbt build failed:\n" + "\n".join(run.failures()) + "\n" + run.text[-3000:]
    return run


def _event(event_id: str | None, account: tuple[str, str], loaded_at: str, name: str = "Report_Run") -> dict:
    account_id, user_id = account
    return {"event_id": event_id, "account_id": account_id, "user_id": user_id, "event_name": name,
            "occurred_at": "2026-06-29 10:00:00", "received_at": "2026-06-29 10:00:05",
            "properties": None, "_loaded_at": loaded_at}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, dbt):
    root = tmp_path_factory.mktemp("held")
    raw = generate(root / "raw", accounts=40, dirty_rate=0.0)
    database = root / "warehouse.duckdb"
    load(raw, database)
    _build(dbt, database, "--full-refresh")
    [account] = query(database, """
        select u.account_id, u.user_id from staging.stg_product__users as u
        inner join staging.stg_product__accounts as a using (account_id)
        where not u.is_internal and not a.is_test_account order by u.user_id limit 1""")
    return root, database, account


def _statuses(database: Path, *event_ids: str) -> dict[str, str]:
    found = {}
    for (event_id,) in query(database, "select event_id from staging.stg_product__events"):
        if event_id in event_ids:
            found[event_id] = "clean"
    for (key,) in query(database, "select source_key from dq.dq_held_rows where source_table = 'events'"):
        if key in event_ids:
            found[key] = "held"
    return found


def test_held_rows_wait_without_wedging_and_are_processed_when_their_time_comes(warehouse, dbt):
    root, database, account = warehouse
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    soon = (now + dt.timedelta(seconds=20)).strftime(TS)
    present = now.strftime(TS)
    load(_write(root / "night_1", "events", EVENT_COLUMNS, [
        _event("held_forever", account, FAR_FUTURE),
        _event("held_briefly", account, soon),
        _event("on_time_1", account, present),
    ]), database, append=True)
    load(_write(root / "night_1", "interventions", INTERVENTION_COLUMNS, [
        {"intervention_id": "int_held", "account_id": account[0], "user_id": None, "channel": "email",
         "campaign": "setup_help", "sent_at": "2026-06-29 09:00:00", "_loaded_at": FAR_FUTURE},
    ]), database, append=True)
    _build(dbt, database)
    assert _statuses(database, "held_forever", "held_briefly", "on_time_1") == {
        "held_forever": "held", "held_briefly": "held", "on_time_1": "clean"}
    [(reason, n_interventions_held)] = query(database, """
        select min(reason), count(*) filter (where source_table = 'interventions')
        from dq.dq_held_rows""")
    assert (reason, n_interventions_held) == ("loaded_at_after_run_start", 1)

    # the next night's rows land after the 2099 row: they must still be processed
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None).strftime(TS)
    load(_write(root / "night_2", "events", EVENT_COLUMNS, [_event("on_time_2", account, later)]),
         database, append=True)
    while dt.datetime.now(dt.UTC).replace(tzinfo=None) <= now + dt.timedelta(seconds=21):
        time.sleep(1)
    _build(dbt, database)
    assert _statuses(database, "held_forever", "held_briefly", "on_time_1", "on_time_2") == {
        "held_forever": "held", "held_briefly": "clean", "on_time_1": "clean", "on_time_2": "clean"}
    # the daily rollup counts them: its row of that user, event and day holds every clean one
    account_id, user_id = account
    day = f"account_id = '{account_id}' and user_id = '{user_id}' and event_name = 'Report_Run'"
    [(rolled_up, clean)] = query(database, f"""
        select
            (select sum(n_events) from intermediate.int_events_aggregated_daily
             where {day} and event_date = date '2026-06-29'),
            (select count(*) from staging.stg_product__events
             where {day} and cast(event_at as date) = date '2026-06-29')""")
    assert rolled_up == clean >= 3


def test_identical_keyless_rows_delivered_twice_are_one_reject_and_one_duplicate(warehouse, dbt):
    root, database, account = warehouse
    row = _event(None, account, "2026-06-29 18:00:00", name="Message_Sent")
    load(_write(root / "keyless_1", "events", EVENT_COLUMNS, [row]), database, append=True)
    _build(dbt, database)
    load(_write(root / "keyless_2", "events", EVENT_COLUMNS, [{**row, "_loaded_at": "2026-06-30 18:00:00"}]),
         database, append=True)
    _build(dbt, database)  # the nothing-lost test runs in this build and must pass
    [(rejects, loaded_at)] = query(database, """
        select count(*), min(_loaded_at) from dq.dq_rejected_rows
        where source_table = 'events' and reason = 'missing_event_id'
          and raw_row like '%"event_name":"Message_Sent"%' and raw_row like '%2026-06-29 10:00:00%'""")
    assert rejects == 1
    assert loaded_at == dt.datetime(2026, 6, 29, 18)  # the first delivery is the one kept


def test_incremental_result_equals_a_full_refresh(warehouse, dbt, tmp_path):
    _, database, _ = warehouse
    full = checkpointed_copy(database, tmp_path / "full.duckdb")
    _build(dbt, full, "--full-refresh")
    diffs = relation_differences(database, full, tmp_path)
    assert not diffs, format_differences(diffs)
