"""An incremental run gives exactly what a full refresh gives (README "Incremental processing").

One generated dataset (fixed seed, ending 2026-06-30) is split by `_loaded_at` into nightly
batches (tests/python/batches.py): later batches carry late events (occurred before the newest
event already loaded) and re-exported users, subscription changes and accounts with changed
values. Batch 1 is loaded (replace) and built; every further batch is appended and built
incrementally. A second DuckDB file gets the same rows and one `--full-refresh` build. Every
relation of schemas staging, intermediate, marts and dq must then be equal in both files, every
column, both ways (EXCEPT ALL each way, in one connection with the other file attached
read-only). The only columns left out are run bookkeeping that says *when* a row was processed,
not what it is: `_checked_at` (the run that last re-checked an event key, or the classification
run a rollup row reflects)
and `_replaced_*` (what the previous version of a re-classified key was; a full refresh has none).

The builds exclude data and unit tests: they do not change any relation, and what they check is
covered by test_end_to_end.py and test_nightly.py; this file is about the models' output only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from batches import late_event_count, split_by_loaded_at
from conftest import END_DATE, format_differences, generate, load, relation_differences

pytestmark = pytest.mark.slow

NO_TESTS = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")


def build(dbt, database: Path, as_of_date: str, *flags: str) -> None:
    run = dbt("build", *flags, *NO_TESTS, database=database, as_of_date=as_of_date)
    assert run.success, "dbt build failed:\n" + "\n".join(run.failures()) + "\n" + run.text[-3000:]


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("equivalence") / "raw", accounts=200, seed=23, end_date=END_DATE)


def test_batches_built_incrementally_equal_a_full_refresh(dbt, raw_dir, tmp_path):
    batches = split_by_loaded_at(raw_dir, tmp_path / "batches", ["2026-06-18", "2026-06-23", "2026-06-27"])
    late = late_event_count(batches)
    assert len(batches) == 4 and all(n > 0 for n in late), f"every later batch carries late events: {late}"

    incremental = tmp_path / "incremental.duckdb"
    load(batches[0], incremental)
    build(dbt, incremental, END_DATE)
    # an operator's `dbt build --empty` (a schema check) between a load and the nightly
    # builds models without rows; the nightly after it must still process the batch, so an
    # empty run records no load hour as processed. Before one batch: everything, data tests
    # included. Before the last: one incremental model, over a load summary that already
    # lists the batch (what a nightly that failed after building it leaves).
    empty_runs = {batches[-2]: [("--empty", "--exclude-resource-type", "unit_test")],
                  batches[-1]: [("--select", "base_product__loads"),
                                ("--empty", "--select", "int_events_aggregated_daily")]}
    for batch in batches[1:]:
        load(batch, incremental, append=True)
        for args in empty_runs.get(batch, []):
            run = dbt("build", *args, database=incremental, as_of_date=END_DATE)
            assert run.success, f"dbt build {args} failed:\n" + "\n".join(run.failures()) + "\n" + run.text[-3000:]
        build(dbt, incremental, END_DATE)

    full = tmp_path / "full.duckdb"
    load(batches[0], full)
    for batch in batches[1:]:
        load(batch, full, append=True)
    build(dbt, full, END_DATE, "--full-refresh")

    diffs = relation_differences(incremental, full, tmp_path)
    assert not diffs, format_differences(diffs)


def test_nightly_as_of_date_advancing_day_by_day_equals_a_full_refresh(dbt, raw_dir, tmp_path):
    # night d loads the rows that landed on day d and builds as of d, for the last week of data
    days = [dt.date(2026, 6, 24) + dt.timedelta(days=i) for i in range(7)]
    cutoffs = [d.isoformat() for d in days] + [(days[-1] + dt.timedelta(days=1)).isoformat()]
    batches = split_by_loaded_at(raw_dir, tmp_path / "batches", cutoffs)
    nights = batches[1:-1]  # batches[-1] (landed after the last night) is loaded into neither file
    assert len(nights) == len(days)

    incremental = tmp_path / "incremental.duckdb"
    load(batches[0], incremental)
    build(dbt, incremental, (days[0] - dt.timedelta(days=1)).isoformat())
    for day, batch in zip(days, nights):
        load(batch, incremental, append=True)
        build(dbt, incremental, day.isoformat())

    full = tmp_path / "full.duckdb"
    load(batches[0], full)
    for batch in nights:
        load(batch, full, append=True)
    build(dbt, full, days[-1].isoformat(), "--full-refresh")

    diffs = relation_differences(incremental, full, tmp_path)
    assert not diffs, format_differences(diffs)
