"""Tests for scripts/load_raw.py (SPEC section 1: the loader contract)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS))

import load_raw  # noqa: E402
from load_raw import DatabaseLockedError, ValidationError, load  # noqa: E402
from raw_schema import RAW_SCHEMA, TABLES  # noqa: E402

NOW = dt.datetime(2030, 1, 2, 3, 4, 5)

ACCOUNTS_HEADER = "account_id,account_name,vertical,motion,created_at,is_test_account"
EVENTS_HEADER = "event_id,account_id,user_id,event_name,occurred_at,received_at,properties"
SUBS_HEADER = "subscription_change_id,account_id,changed_at,status,licensed_seats"


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def table_exists(db: Path, table: str) -> bool:
    return bool(query(db, f"""select 1 from information_schema.tables
                              where table_schema = '{RAW_SCHEMA}' and table_name = '{table}'"""))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wh.duckdb"


def accounts_csv(directory: Path, *rows: str) -> Path:
    return write(directory, "accounts.csv", "\n".join([ACCOUNTS_HEADER, *rows]) + "\n")


# ---------------------------------------------------------------------------------------------
# Replace / append / absent tables


def test_replace_then_append(tmp_path, db):
    accounts_csv(tmp_path / "v1", "a1,A,crm,plg,2024-01-01 00:00:00,false",
                 "a2,B,crm,plg,2024-01-01 00:00:00,false")
    accounts_csv(tmp_path / "v2", "a3,C,crm,plg,2024-01-02 00:00:00,false")
    accounts_csv(tmp_path / "v3", "a3,C2,crm,plg,2024-01-02 00:00:00,true",
                 "a4,D,crm,plg,2024-01-03 00:00:00,false")

    s = load(tmp_path / "v1", db)
    assert s.rows("accounts") == 2
    s = load(tmp_path / "v2", db)  # replace
    assert s.rows("accounts") == 1
    assert query(db, "select account_id from raw.accounts") == [("a3",)]
    s = load(tmp_path / "v3", db, append=True)  # same key re-exported: simply appended
    assert s.rows("accounts") == 2
    assert query(db, "select account_id, account_name from raw.accounts order by all") == [
        ("a3", "C"), ("a3", "C2"), ("a4", "D")]


def test_header_only_file_replaces_with_empty_table(tmp_path, db):
    accounts_csv(tmp_path / "v1", "a1,A,crm,plg,2024-01-01 00:00:00,false")
    accounts_csv(tmp_path / "v2")
    load(tmp_path / "v1", db)
    assert load(tmp_path / "v2", db).rows("accounts") == 0
    assert query(db, "select count(*) from raw.accounts") == [(0,)]


def test_absent_tables_created_empty_typed_and_existing_left_alone(tmp_path, db):
    accounts_csv(tmp_path / "a", "a1,A,crm,plg,2024-01-01 00:00:00,false")
    write(tmp_path / "e", "events.csv", f"{EVENTS_HEADER}\ne1,a1,,Login,2024-01-01 00:00:00,,\n")

    s = load(tmp_path / "a", db)
    assert set(s.absent) == set(TABLES) - {"accounts"}
    assert set(s.created_empty) == set(TABLES) - {"accounts"}
    for name, table in TABLES.items():  # every raw table exists, typed, columns in order
        cols = query(db, f"""select column_name, data_type from information_schema.columns
                             where table_schema = 'raw' and table_name = '{name}'
                             order by ordinal_position""")
        assert cols == [(c.name, c.sql_type) for c in table.columns]

    s = load(tmp_path / "e", db)  # accounts absent this time: untouched, not recreated
    assert "accounts" in s.absent and s.created_empty == []
    assert query(db, "select count(*) from raw.accounts") == [(1,)]
    assert query(db, "select count(*) from raw.events") == [(1,)]


def test_directory_without_any_table_file_is_an_error(tmp_path, db):
    write(tmp_path / "d", "notes.txt", "hello\n")
    with pytest.raises(ValidationError, match="none of the raw table files"):
        load(tmp_path / "d", db)
    assert not db.exists()


@pytest.mark.parametrize(("name", "expected"), [
    ("Users.csv", "Users.csv: a raw table's file must be named users.csv exactly (lower case, uncompressed): rename it to users.csv"),
    ("events.csv.gz", "events.csv.gz: a raw table's file must be named events.csv exactly (lower case, uncompressed): decompress it to events.csv"),
    ("SEAT_ASSIGNMENTS.Parquet", "rename it to seat_assignments.parquet"),
])
def test_a_table_file_named_otherwise_is_refused_not_skipped(tmp_path, db, name, expected):
    """An exporter's capitalised or compressed file would be skipped without a word; it is
    refused and named, and nothing is loaded, the well-named files included."""
    d = tmp_path / "d"
    accounts_csv(d, "a1,A,crm,plg,2024-01-01 00:00:00,false")
    write(d, name, "whatever\n")
    write(d, "README.txt", "not a table: ignored\n")
    with pytest.raises(ValidationError) as refused:
        load(d, db)
    assert expected in str(refused.value)
    assert "README" not in str(refused.value)
    assert not db.exists()


def test_csv_and_parquet_for_same_table_is_an_error(tmp_path, db):
    d = tmp_path / "d"
    accounts_csv(d, "a1,A,crm,plg,2024-01-01 00:00:00,false")
    pq.write_table(pa.table({"account_id": ["a1"]}), d / "accounts.parquet")
    with pytest.raises(ValidationError, match=r"both accounts\.csv and accounts\.parquet"):
        load(d, db)
    assert not db.exists()


# ---------------------------------------------------------------------------------------------
# All-or-nothing and error messages


def test_all_or_nothing_valid_file_plus_invalid_file(tmp_path, db):
    accounts_csv(tmp_path / "v1", "a1,A,crm,plg,2024-01-01 00:00:00,false")
    load(tmp_path / "v1", db)

    d = tmp_path / "v2"
    accounts_csv(d, "a9,Z,crm,plg,2024-01-01 00:00:00,false")  # valid, sorts before events
    write(d, "events.csv", f"""
        {EVENTS_HEADER}
        e1,a9,,Login,2024-01-01 00:00:00,2024-01-01 00:00:00,
        e2,a9,,Login,not-a-time,2024-01-01 00:00:00,
        """)
    for append in (False, True):
        with pytest.raises(ValidationError):
            load(d, db, append=append)
        assert query(db, "select account_id from raw.accounts") == [("a1",)]
        assert query(db, "select count(*) from raw.events") == [(0,)]


def test_failed_first_load_creates_no_tables(tmp_path, db):
    d = tmp_path / "d"
    accounts_csv(d, "a1,A,crm,plg,2024-01-01 00:00:00,maybe")
    with pytest.raises(ValidationError):
        load(d, db)
    if db.exists():
        assert not table_exists(db, "accounts") and not table_exists(db, "events")


def test_missing_columns_named_for_every_file(tmp_path, db):
    d = tmp_path / "d"
    write(d, "accounts.csv", "account_id,account_name,vertical,motion\na1,A,crm,plg\n")
    write(d, "events.csv", "event_id,account_id,user_id,event_name,occurred_at,properties\n")
    accounts_csv(tmp_path / "ok", "a1,A,crm,plg,2024-01-01 00:00:00,false")
    with pytest.raises(ValidationError) as exc:
        load(d, db)
    msg = str(exc.value)
    assert "accounts.csv" in msg and "created_at" in msg and "is_test_account" in msg
    assert "events.csv" in msg and "received_at" in msg
    assert "_loaded_at" not in msg  # optional column is never "missing"


@pytest.mark.parametrize(
    "table, header, good, bad_row, column, bad_value",
    [
        ("accounts", ACCOUNTS_HEADER, "a1,A,crm,plg,2024-01-01 00:00:00,false",
         "a2,B,crm,plg,2024-02-30 00:00:00,false", "created_at", "2024-02-30 00:00:00"),
        ("accounts", ACCOUNTS_HEADER, "a1,A,crm,plg,2024-01-01 00:00:00,false",
         "a2,B,crm,plg,2024-01-01,false", "created_at", "2024-01-01"),  # date only
        ("accounts", ACCOUNTS_HEADER, "a1,A,crm,plg,2024-01-01 00:00:00,false",
         "a2,B,crm,plg,2024-01-01 10:00:00+02:00,false", "created_at",
         "2024-01-01 10:00:00+02:00"),  # an offset would be silently dropped by a plain cast
        ("accounts", ACCOUNTS_HEADER, "a1,A,crm,plg,2024-01-01 00:00:00,false",
         "a2,B,crm,plg,2024-01-01 00:00:00,yes", "is_test_account", "yes"),
        ("subscriptions", SUBS_HEADER, "s1,a1,2024-01-01 00:00:00,active,5",
         "s2,a1,2024-01-01 00:00:00,active,5.5", "licensed_seats", "5.5"),
        ("subscriptions", SUBS_HEADER, "s1,a1,2024-01-01 00:00:00,active,5",
         "s2,a1,2024-01-01 00:00:00,active,99999999999999999999", "licensed_seats",
         "99999999999999999999"),
    ],
)
def test_unparseable_value_message(tmp_path, db, table, header, good, bad_row, column, bad_value):
    d = tmp_path / "d"
    # bad value on the 3rd data row (line 4 counting the header)
    write(d, f"{table}.csv", "\n".join([header, good, good, bad_row, good]) + "\n")
    with pytest.raises(ValidationError) as exc:
        load(d, db)
    msg = str(exc.value)
    assert f"{table}.csv" in msg
    assert f"column {column}" in msg
    assert "data row 3 (1-based, header row not counted)" in msg
    assert repr(bad_value) in msg


def test_bad_value_message_reports_first_row_per_column_and_count(tmp_path, db):
    d = tmp_path / "d"
    accounts_csv(d, "a1,A,crm,plg,2024-01-01 00:00:00,false",
                 "a2,A,crm,plg,2024-01-01 00:00:00,nope",
                 "a3,A,crm,plg,bad1,false",
                 "a4,A,crm,plg,bad2,false")
    with pytest.raises(ValidationError) as exc:
        load(d, db)
    msg = str(exc.value)
    assert "column is_test_account: cannot parse 'nope' at data row 2" in msg
    assert "column created_at: cannot parse 'bad1' at data row 3" in msg
    assert "1 more bad value" in msg


def test_bad_values_located_in_every_failing_file(tmp_path, db):
    d = tmp_path / "d"
    accounts_csv(d, "a1,A,crm,plg,2024-01-01 00:00:00,false",
                 "a2,A,crm,plg,not-a-time,false")
    write(d, "events.csv", f"""
        {EVENTS_HEADER}
        e1,a1,,Login,2024-01-01 00:00:00,2024-01-01 00:00:00,
        e2,a1,,Login,2024-01-01 00:00:00,yesterday,
        """)
    with pytest.raises(ValidationError) as exc:
        load(d, db)
    msg = str(exc.value)
    assert "accounts.csv: column created_at: cannot parse 'not-a-time' at data row 2" in msg
    assert "events.csv: column received_at: cannot parse 'yesterday' at data row 2" in msg
    assert not table_exists(db, "accounts")


def test_malformed_csv_structure_is_bad_input(tmp_path, db):
    d = tmp_path / "d"
    accounts_csv(d, "a1,A,crm,plg,2024-01-01 00:00:00,false,surplus")
    with pytest.raises(ValidationError, match=r"accounts\.csv"):
        load(d, db)


def test_append_to_drifted_table_is_refused(tmp_path, db):
    con = duckdb.connect(str(db))
    con.execute("create schema raw; create table raw.accounts (account_id varchar)")
    con.close()
    accounts_csv(tmp_path / "d", "a1,A,crm,plg,2024-01-01 00:00:00,false")
    with pytest.raises(ValidationError, match="without --append"):
        load(tmp_path / "d", db, append=True)
    load(tmp_path / "d", db)  # a full load rebuilds it to the contract
    assert query(db, "select count(*) from raw.accounts") == [(1,)]


# ---------------------------------------------------------------------------------------------
# CSV conventions


def test_extra_columns_ignored_and_reported(tmp_path, db):
    d = tmp_path / "d"
    write(d, "accounts.csv", """
        crm_owner,Account_ID,account_name,vertical,motion,created_at,is_test_account,notes
        bob,a1,A,crm,plg,2024-01-01 00:00:00,false,hello
        """)
    s = load(d, db)
    assert s.loaded[0].extra_columns == ["crm_owner", "notes"]
    assert "ignored extra columns: crm_owner, notes" in s.format()
    assert query(db, "select account_id, account_name from raw.accounts") == [("a1", "A")]
    assert [c[0] for c in query(db, "describe raw.accounts")] == TABLES["accounts"].column_names


def test_extra_columns_named_twice_are_ignored_a_contract_column_twice_is_refused(tmp_path, db):
    """Extra columns are ignored however they are named: a note column twice, or the blank names
    that trailing commas in a header make. A column of the contract named twice is ambiguous
    (which one holds the value?), so that file is refused with a message naming it."""
    d = tmp_path / "d"
    write(d, "accounts.csv", """
        account_id,account_name,vertical,motion,created_at,is_test_account,note,note,,
        a1,A,crm,plg,2024-01-01 00:00:00,false,x,y,,
        """)
    s = load(d, db)
    assert s.loaded[0].extra_columns == ["note", ""]
    assert "ignored extra columns: note, (blank name)" in s.format()
    assert query(db, "select account_id, account_name from raw.accounts") == [("a1", "A")]

    write(d, "accounts.csv", """
        account_id,account_name,vertical,motion,created_at,is_test_account,Account_ID
        a2,A,crm,plg,2024-01-01 00:00:00,false,a3
        """)
    with pytest.raises(ValidationError, match=r"accounts\.csv: duplicate column 'Account_ID' in header"):
        load(d, db)
    assert query(db, "select account_id from raw.accounts") == [("a1",)]


def test_timestamp_formats_and_booleans(tmp_path, db):
    d = tmp_path / "d"
    accounts_csv(d, "a1,A,crm,plg,2024-01-01 10:11:12,true",
                 "a2,A,crm,plg,2024-01-01T10:11:12.5,FALSE",
                 "a3,A,crm,plg,2024-01-01T10:11:12.123456,True",
                 "a4,A,crm,plg,2024-01-01 10:11:12Z,false")
    load(d, db)
    assert query(db, "select created_at, is_test_account from raw.accounts order by account_id") == [
        (dt.datetime(2024, 1, 1, 10, 11, 12), True),
        (dt.datetime(2024, 1, 1, 10, 11, 12, 500000), False),
        (dt.datetime(2024, 1, 1, 10, 11, 12, 123456), True),
        (dt.datetime(2024, 1, 1, 10, 11, 12), False),
    ]


def test_empty_fields_are_null_and_properties_verbatim(tmp_path, db):
    d = tmp_path / "d"
    write(d, "events.csv", f"""
        {EVENTS_HEADER}
        e1,a1,,Login,,,
        e2,a1,u1,Login,2024-01-01 00:00:00,2024-01-01 00:00:01,"{{""a"":  [1, 2]}}"
        e3,a1,u1,Login,2024-01-01 00:00:00,2024-01-01 00:00:01,{{not json
        """)
    write(d, "subscriptions.csv", f"{SUBS_HEADER}\ns1,,2024-01-01 00:00:00,,\ns2,a1,,active,-3\n")
    write(d, "accounts.csv", f"{ACCOUNTS_HEADER}\na1,,,,,\n")
    load(d, db)
    assert query(db, "select user_id, occurred_at, received_at, properties from raw.events "
                     "order by event_id") == [
        (None, None, None, None),
        ("u1", dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, 0, 0, 1), '{"a":  [1, 2]}'),
        ("u1", dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, 0, 0, 1), "{not json"),
    ]
    assert query(db, "select account_id, status, licensed_seats, changed_at from raw.subscriptions "
                     "order by 1 nulls first") == [
        (None, None, None, dt.datetime(2024, 1, 1)), ("a1", "active", -3, None)]
    assert query(db, "select * exclude (_loaded_at) from raw.accounts") == [
        ("a1", None, None, None, None, None)]


def test_loaded_at_kept_or_stamped(tmp_path, db):
    d = tmp_path / "d"
    write(d, "events.csv", f"""
        {EVENTS_HEADER},_loaded_at
        e1,a1,,Login,2024-01-01 00:00:00,2024-01-01 00:00:00,,2024-06-01 12:00:00
        e2,a1,,Login,2024-01-01 00:00:00,2024-01-01 00:00:00,,
        """)
    accounts_csv(d, "a1,A,crm,plg,2024-01-01 00:00:00,false")
    s = load(d, db, now=NOW)
    assert s.loaded_at == NOW
    assert query(db, "select event_id, _loaded_at from raw.events order by 1") == [
        ("e1", dt.datetime(2024, 6, 1, 12)), ("e2", NOW)]  # empty value: stamped
    assert query(db, "select _loaded_at from raw.accounts") == [(NOW,)]  # no column: stamped
    by_table = {t.table: t for t in s.loaded}
    assert by_table["events"].loaded_at_from_file and not by_table["accounts"].loaded_at_from_file


def test_default_stamp_is_naive_utc_now(tmp_path, db):
    accounts_csv(tmp_path / "d", "a1,A,crm,plg,2024-01-01 00:00:00,false")
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    load(tmp_path / "d", db)
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    (stamp,), = query(db, "select _loaded_at from raw.accounts")
    assert before <= stamp <= after


# ---------------------------------------------------------------------------------------------
# Parquet


def test_parquet_natural_and_string_types(tmp_path, db):
    d = tmp_path / "d"
    d.mkdir()
    utc = dt.UTC
    pq.write_table(pa.table({
        "account_id": ["a1", "a2"],
        "account_name": ["A", None],
        "vertical": ["crm", "devtools"],
        "motion": ["plg", "plg"],
        # tz-aware timestamps (what pandas writes) land as UTC wall time
        "created_at": pa.array([dt.datetime(2024, 1, 1, 10, tzinfo=utc),
                                dt.datetime(2024, 1, 2, 11, 30, tzinfo=utc)],
                               type=pa.timestamp("ns", tz="UTC")),
        "is_test_account": [False, True],
        "_loaded_at": pa.array([dt.datetime(2024, 5, 1), None], type=pa.timestamp("us")),
    }), d / "accounts.parquet")
    pq.write_table(pa.table({  # everything as strings: CSV casting rules apply
        "subscription_change_id": ["s1", "s2"],
        "account_id": ["a1", "a1"],
        "changed_at": ["2024-01-01T00:00:00.25", ""],
        "status": ["active", "trialing"],
        "licensed_seats": ["7", None],
    }), d / "subscriptions.parquet")
    pq.write_table(pa.table({  # nullable ints as float (pandas), numeric ids
        "seat_assignment_id": pa.array([1, 2], type=pa.int64()),
        "account_id": ["a1", "a1"],
        "user_id": ["u1", "u2"],
        "assigned_at": pa.array([dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 2)],
                                type=pa.timestamp("ms")),
        "unassigned_at": pa.array([None, None], type=pa.timestamp("us")),
    }), d / "seat_assignments.parquet")
    s = load(d, db, now=NOW)
    assert s.rows("accounts") == 2 and s.rows("subscriptions") == 2
    assert query(db, "select * from raw.accounts order by account_id") == [
        ("a1", "A", "crm", "plg", dt.datetime(2024, 1, 1, 10), False, dt.datetime(2024, 5, 1)),
        ("a2", None, "devtools", "plg", dt.datetime(2024, 1, 2, 11, 30), True, NOW),
    ]
    assert query(db, "select * from raw.subscriptions order by 1") == [
        ("s1", "a1", dt.datetime(2024, 1, 1, 0, 0, 0, 250000), "active", 7, NOW),
        ("s2", "a1", None, "trialing", None, NOW),
    ]
    assert query(db, "select seat_assignment_id, assigned_at from raw.seat_assignments order by 1") == [
        ("1", dt.datetime(2024, 1, 1)), ("2", dt.datetime(2024, 1, 2))]


def test_parquet_all_null_columns_load_as_the_contract_type(tmp_path, db):
    """A column null in every row has Arrow type `null` (pyarrow and pandas write it so when no
    row has a value: no seat unassigned that day, only system events without a user). It loads
    as nulls of the contract type, into a new table and appended to an existing one."""
    d = tmp_path / "d"
    d.mkdir()
    seats = pa.table({
        "seat_assignment_id": ["sa1", "sa2"], "account_id": ["a1", "a1"], "user_id": ["u1", "u2"],
        "assigned_at": pa.array([dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 2)], type=pa.timestamp("us")),
        "unassigned_at": [None, None],
    })
    events = pa.table({
        "event_id": ["e1", "e2"], "account_id": ["a1", "a1"],
        "user_id": pa.nulls(2),
        "event_name": ["Workspace_Created", "Integration_Connected"],
        "occurred_at": pa.array([dt.datetime(2024, 1, 1, 9)] * 2, type=pa.timestamp("ms")),
        "received_at": pa.nulls(2), "properties": pa.nulls(2),
        "_loaded_at": pa.nulls(2),  # no value at all: stamped, as an empty _loaded_at is
    })
    assert {seats.schema.field("unassigned_at").type, events.schema.field("user_id").type} == {pa.null()}
    pq.write_table(seats, d / "seat_assignments.parquet")
    pq.write_table(events, d / "events.parquet")
    for append, total in ((False, 2), (True, 4)):
        s = load(d, db, append=append, now=NOW)
        assert s.rows("seat_assignments") == 2 and s.rows("events") == 2
        for name in ("seat_assignments", "events"):  # the contract's types, whatever the file had
            assert query(db, f"""select column_name, data_type from information_schema.columns
                                 where table_schema = 'raw' and table_name = '{name}'
                                 order by ordinal_position""") == [
                (c.name, c.sql_type) for c in TABLES[name].columns]
        assert query(db, "select count(*), count(unassigned_at), count(assigned_at) "
                         "from raw.seat_assignments") == [(total, 0, total)]
        assert query(db, f"select count(*), count(user_id), count(received_at), count(properties), "
                         f"count(*) filter (where _loaded_at = TIMESTAMP '{NOW}') from raw.events") == [
            (total, 0, 0, 0, total)]


def test_parquet_float_seats_and_bad_string_value(tmp_path, db):
    d = tmp_path / "d"
    d.mkdir()
    pq.write_table(pa.table({
        "subscription_change_id": ["s1", "s2"], "account_id": ["a1", "a1"],
        "changed_at": pa.array([dt.datetime(2024, 1, 1)] * 2, type=pa.timestamp("us")),
        "status": ["active", "active"], "licensed_seats": [3.0, None],
    }), d / "subscriptions.parquet")
    load(d, db)
    assert query(db, "select licensed_seats from raw.subscriptions order by 1") == [(3,), (None,)]

    pq.write_table(pa.table({
        "subscription_change_id": ["s1", "s2", "s3"], "account_id": ["a1"] * 3,
        "changed_at": ["2024-01-01 00:00:00", "2024-01-01 00:00:00", "01/02/2024"],
        "status": ["active"] * 3, "licensed_seats": [3.0, 2.5, 1.0],
    }), d / "subscriptions.parquet")
    with pytest.raises(ValidationError) as exc:
        load(d, db)
    msg = str(exc.value)
    assert "subscriptions.parquet" in msg
    assert "column changed_at: cannot parse '01/02/2024' at row 3" in msg
    assert "column licensed_seats: cannot parse '2.5' at row 2" in msg
    assert query(db, "select count(*) from raw.subscriptions") == [(2,)]  # unchanged


def test_parquet_unsupported_type_and_missing_column(tmp_path, db):
    d = tmp_path / "d"
    d.mkdir()
    pq.write_table(pa.table({
        "account_id": ["a1"], "account_name": ["A"], "vertical": ["crm"], "motion": ["plg"],
        "created_at": pa.array([dt.date(2024, 1, 1)], type=pa.date32()),
    }), d / "accounts.parquet")
    with pytest.raises(ValidationError) as exc:
        load(d, db)
    msg = str(exc.value)
    assert "accounts.parquet: missing required column(s): is_test_account" in msg
    assert "column 'created_at' has parquet type DATE" in msg


# ---------------------------------------------------------------------------------------------
# Lock and CLI


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "load_raw.py"), *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})},
    )


@contextmanager
def another_process_holding(path: Path, take_lock: str) -> Iterator[None]:
    """A child process that runs `take_lock` (Python statements on `path`, as `sys.argv[1]`)
    and then holds what it took until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import sys, time; {take_lock}; print('ready', flush=True); time.sleep(60)",
         str(path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield
    finally:
        holder.kill()
        holder.wait()


@pytest.fixture
def locked_db(db):
    with another_process_holding(db, "import duckdb; c = duckdb.connect(sys.argv[1])"):
        yield db


def test_lock_error_in_process(tmp_path, locked_db):
    accounts_csv(tmp_path / "d", "a1,A,crm,plg,2024-01-01 00:00:00,false")
    with pytest.raises(DatabaseLockedError) as exc:
        load(tmp_path / "d", locked_db)
    msg = str(exc.value)
    assert str(locked_db) in msg and "another process" in msg and "dbt" in msg


def test_lock_error_cli_exit_code_2(tmp_path, locked_db):
    accounts_csv(tmp_path / "d", "a1,A,crm,plg,2024-01-01 00:00:00,false")
    r = run_cli("--source-dir", str(tmp_path / "d"), "--database", str(locked_db))
    assert r.returncode == 2
    assert "locked" in r.stderr and str(locked_db) in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


# ---------------------------------------------------------------------------------------------
# The load's transaction: a step inside it, the warehouse lock file, shared instances


def test_before_commit_step_commits_with_the_rows_or_not_at_all(tmp_path, db):
    accounts_csv(tmp_path / "v1", "a1,A,crm,plg,2024-01-01 00:00:00,false")
    accounts_csv(tmp_path / "v2", "a2,B,crm,plg,2024-01-02 00:00:00,false")
    seen = []

    def record(con, summary):  # what scripts/nightly.py does with its file ledger
        con.execute("create table if not exists raw.ledger (file_name varchar, loaded_at timestamp)")
        con.executemany("insert into raw.ledger values (?, ?)",
                        [[t.file.name, summary.loaded_at] for t in summary.loaded])
        seen.append(con.execute("select count(*) from raw.accounts").fetchone()[0])

    load(tmp_path / "v1", db, append=True, now=NOW, before_commit=record)
    assert seen == [1], "the step sees the rows of its own load, before COMMIT"
    assert query(db, "select * from raw.ledger") == [("accounts.csv", NOW)]

    def record_then_fail(con, summary):
        record(con, summary)
        raise RuntimeError("killed inside the transaction")

    def record_then_sql_error(con, summary):
        record(con, summary)
        con.execute("insert into raw.ledger values ('x')")  # wrong column count

    for step, error in ((record_then_fail, RuntimeError), (record_then_sql_error, load_raw.LoadIOError)):
        with pytest.raises(error):
            load(tmp_path / "v2", db, append=True, before_commit=step)
        # neither the rows nor what the step wrote landed
        assert query(db, "select account_id from raw.accounts") == [("a1",)]
        assert query(db, "select count(*) from raw.ledger") == [(1,)]


@pytest.fixture
def lock_file_held(db):
    """Another process holding the warehouse's lock file `<database>.lock`, as a nightly run does."""
    with another_process_holding(Path(f"{db}.lock"), "import fcntl, os; fd = os.open(sys.argv[1], os.O_RDWR | "
                                 "os.O_CREAT); fcntl.flock(fd, fcntl.LOCK_EX); os.write(fd, b'nightly.py (pid 4242)')"):
        yield db


def test_load_is_refused_while_another_process_holds_the_lock_file(tmp_path, lock_file_held):
    db = lock_file_held
    accounts_csv(tmp_path / "d", "a1,A,crm,plg,2024-01-01 00:00:00,false")
    with pytest.raises(DatabaseLockedError) as exc:
        load(tmp_path / "d", db)
    assert "nightly.py (pid 4242)" in str(exc.value) and f"{db}.lock" in str(exc.value)
    assert not db.exists(), "refused before opening the database"
    r = run_cli("--source-dir", str(tmp_path / "d"), "--database", str(db))
    assert r.returncode == 2 and "is locked" in r.stderr and "Traceback" not in r.stderr
    assert not db.exists()


def test_load_leaves_the_shared_instance_settings_as_they_were(tmp_path, db):
    """In the nightly, dbt shares the loader's DuckDB instance: the load's own settings end with it."""
    accounts_csv(tmp_path / "d", "a1,A,crm,plg,2024-01-01 00:00:00,false")
    names = ("preserve_insertion_order", "enable_progress_bar", "TimeZone")
    held = duckdb.connect(str(db))  # what the nightly keeps open for its whole run
    try:
        before = held.execute(f"select {', '.join(f'current_setting({n!r})' for n in names)}").fetchall()
        load(tmp_path / "d", db)
        assert held.execute("select count(*) from raw.accounts").fetchone()[0] == 1  # same instance
        after = held.execute(f"select {', '.join(f'current_setting({n!r})' for n in names)}").fetchall()
    finally:
        held.close()
    assert after == before


def test_cli_exit_codes_and_env_var(tmp_path, db):
    good, bad = tmp_path / "good", tmp_path / "bad"
    accounts_csv(good, "a1,A,crm,plg,2024-01-01 00:00:00,false")
    accounts_csv(bad, "a1,A,crm,plg,2024-01-01 00:00:00,nah")

    r = run_cli("--source-dir", str(good), env={load_raw.DATABASE_ENV_VAR: str(db)})
    assert r.returncode == 0, r.stderr
    assert "accounts" in r.stdout and "1 rows" in r.stdout and "events.csv|.parquet" in r.stdout
    assert query(db, "select count(*) from raw.accounts") == [(1,)]

    other = tmp_path / "other.duckdb"
    r = run_cli("--source-dir", str(bad), "--append", "--database", str(other),
                env={load_raw.DATABASE_ENV_VAR: str(db)})
    assert r.returncode == 1
    assert "accounts.csv" in r.stderr and "is_test_account" in r.stderr and "'nah'" in r.stderr
    assert "Traceback" not in r.stderr

    r = run_cli("--source-dir", str(tmp_path / "missing"), "--database", str(other))
    assert r.returncode == 1 and "not a directory" in r.stderr

    r = run_cli("--database", str(other))  # usage error: bad input, not lock/IO
    assert r.returncode == 1 and "--source-dir" in r.stderr


def test_the_dbt_sources_declare_the_raw_contract():
    """models/staging/_staging__sources.yml lists each raw table's columns with the contract's
    types: the run-start check (macros/config/raw_tables.sql) reads them, so they must be the
    contract's, in its order."""
    import yaml

    from raw_schema import TABLES

    sources = yaml.safe_load((Path(__file__).parents[2] / "models/staging/_staging__sources.yml").read_text())
    [product] = sources["sources"]
    declared = {t["name"]: [(c["name"], c["data_type"]) for c in t["columns"]] for t in product["tables"]}
    assert declared == {name: [(c.name, c.sql_type.lower()) for c in table.columns] for name, table in TABLES.items()}
