"""scripts/load_raw.py with ACTIVATION_TARGET=postgres: the same contract as on DuckDB (SPEC
section 1): the same rows and types, all or nothing, the same error messages and exit codes.

Every load here goes to a database of the session's scratch server (conftest.postgres_server),
and each case is run against DuckDB too, so "the same" is checked, not assumed.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

import load_raw
from conftest import generate, query
from nightly import set_environ
from raw_schema import TABLES

NOW = dt.datetime(2030, 1, 2, 3, 4, 5, 123456)
DATABASE = "loader"


@pytest.fixture(scope="module")
def pg(postgres_server):
    postgres_server.create_database(DATABASE)
    environment = {"ACTIVATION_TARGET": "postgres", **postgres_server.environment(DATABASE)}
    previous = {name: None for name in environment}
    set_environ(environment)
    try:
        yield postgres_server
    finally:
        set_environ(previous)


def pg_rows(server, sql: str) -> list[tuple]:
    con = server.connect(DATABASE)
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        con.close()


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(textwrap.dedent(text).lstrip("\n"))
    return directory


def both(source: Path, tmp_path: Path, append: bool = False, duck: Path | None = None, **kwargs):
    """Load into Postgres and into a DuckDB file; returns (postgres outcome, duckdb outcome),
    each a LoadSummary or the LoadError raised."""
    outcomes = []
    for target, database in (("postgres", None), ("dev", duck or tmp_path / "wh.duckdb")):
        try:
            outcomes.append(load_raw.load(source, database=database, append=append, now=NOW, target=target,
                                          **kwargs))
        except load_raw.LoadError as e:
            outcomes.append(e)
    return tuple(outcomes)


def test_generated_data_loads_the_same_rows_and_types_as_on_duckdb(pg, tmp_path):
    raw = generate(tmp_path / "raw", accounts=30, seed=5, dirty_rate=0.05)
    duck = tmp_path / "wh.duckdb"
    on_pg, on_duck = both(raw, tmp_path, duck=duck)
    assert [(t.table, t.rows) for t in on_pg.loaded] == [(t.table, t.rows) for t in on_duck.loaded]
    assert on_pg.rows("events") > 1000
    pg_types = {"VARCHAR": "text", "TIMESTAMP": "timestamp without time zone", "BOOLEAN": "boolean",
                "BIGINT": "bigint"}
    for name, table in TABLES.items():
        got = pg_rows(pg, "select column_name, data_type from information_schema.columns where "
                          f"table_schema = 'raw' and table_name = '{name}' order by ordinal_position")
        assert got == [(c.name, pg_types[c.sql_type]) for c in table.columns]
        columns = ", ".join(table.column_names)
        order = f"order by {columns} nulls first"
        assert pg_rows(pg, f"select {columns} from raw.{name} {order}") == \
            query(duck, f"select {columns} from raw.{name} {order}"), f"raw.{name}: every value"
    # empty text and null stay apart through COPY
    (tmp_path / "edge").mkdir()
    (tmp_path / "edge" / "events.csv").write_text(
        "event_id,account_id,user_id,event_name,occurred_at,received_at,properties\n"
        'e1,a1,,Login,2026-01-01T00:00:00.5,2026-01-01 00:00:01Z,""\n'
        'e2,a1,u1,"Name, with ""quotes""\nand a newline",2026-01-01 00:00:00,,"{""k"": 1}"\n')
    both(tmp_path / "edge", tmp_path, duck=duck)
    sql = "select event_id, user_id, event_name, occurred_at, received_at, properties from raw.events order by 1"
    assert pg_rows(pg, sql) == query(duck, sql)
    assert pg_rows(pg, sql)[0][1:] == (None, "Login", dt.datetime(2026, 1, 1, 0, 0, 0, 500000),
                                      dt.datetime(2026, 1, 1, 0, 0, 1), None)  # CSV: empty = null
    assert pg_rows(pg, sql)[1][2:] == ('Name, with "quotes"\nand a newline', dt.datetime(2026, 1, 1), None,
                                      '{"k": 1}')
    # an empty string (possible in Parquet) stays an empty string, apart from null
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "edge" / "events.csv").unlink()
    pq.write_table(pa.table({
        "event_id": ["e3", "e4"], "account_id": ["a1", "a1"], "user_id": ["", None],
        "event_name": ["Login", "Login"], "occurred_at": ["2026-01-01 00:00:00"] * 2,
        "received_at": [None, None], "properties": ["", None]}), tmp_path / "edge" / "events.parquet")
    both(tmp_path / "edge", tmp_path, duck=duck)
    assert pg_rows(pg, sql) == query(duck, sql)
    assert [(r[0], r[1], r[5]) for r in pg_rows(pg, sql)] == [("e3", "", ""), ("e4", None, None)]


def test_missing_column_and_bad_value_same_message_nothing_loaded(pg, tmp_path):
    good = write(tmp_path / "good", "accounts.csv", """
        account_id,account_name,vertical,motion,created_at,is_test_account
        a1,A,crm,plg,2026-01-01 00:00:00,false
        """)
    both(good, tmp_path)
    before = pg_rows(pg, "select * from raw.accounts")
    subscriptions = pg_rows(pg, "select count(*) from raw.subscriptions")

    missing = write(tmp_path / "missing", "accounts.csv", "account_id,account_name,vertical\na2,B,crm\n")
    on_pg, on_duck = both(missing, tmp_path, append=True)
    assert isinstance(on_pg, load_raw.ValidationError) and on_pg.exit_code == 1
    assert str(on_pg) == str(on_duck)
    assert "accounts.csv: missing required column(s): motion, created_at, is_test_account" in str(on_pg)

    # a good accounts file and a bad subscriptions file: neither lands
    bad = write(tmp_path / "bad", "accounts.csv", """
        account_id,account_name,vertical,motion,created_at,is_test_account
        a3,C,crm,plg,2026-01-02 00:00:00,true
        """)
    write(bad, "subscriptions.csv", """
        subscription_change_id,account_id,changed_at,status,licensed_seats
        s1,a3,2026-01-02 00:00:00,active,5
        s2,a3,2026-01-03,active,five
        """)
    on_pg, on_duck = both(bad, tmp_path, append=True)
    assert isinstance(on_pg, load_raw.ValidationError) and str(on_pg) == str(on_duck)
    assert "subscriptions.csv: column changed_at: cannot parse '2026-01-03' at data row 2" in str(on_pg)
    assert "column licensed_seats: cannot parse 'five'" in str(on_pg)
    assert pg_rows(pg, "select * from raw.accounts") == before
    assert pg_rows(pg, "select count(*) from raw.subscriptions") == subscriptions


def test_append_onto_another_shape_and_failing_before_commit_load_nothing(pg, tmp_path):
    good = write(tmp_path / "good", "accounts.csv", """
        account_id,account_name,vertical,motion,created_at,is_test_account
        a1,A,crm,plg,2026-01-01 00:00:00,false
        """)
    load_raw.load(good, now=NOW)
    before = pg_rows(pg, "select * from raw.accounts")

    def fail(con, summary):
        with con.cursor() as cur:
            cur.execute("select * from raw.no_such_table")

    with pytest.raises(load_raw.LoadIOError, match="inside the load's transaction failed"):
        load_raw.load(good, append=True, before_commit=fail)
    assert pg_rows(pg, "select * from raw.accounts") == before

    def ledger(con, summary):
        with con.cursor() as cur:
            cur.execute("create table if not exists raw.test_ledger (n bigint)")
            cur.execute("insert into raw.test_ledger values (%s)", (summary.rows("accounts"),))

    load_raw.load(good, append=True, before_commit=ledger)
    assert pg_rows(pg, "select count(*) from raw.accounts") == [(2,)]
    assert pg_rows(pg, "select n from raw.test_ledger") == [(1,)]

    con = pg.connect(DATABASE)
    try:
        with con.cursor() as cur:
            cur.execute("alter table raw.accounts add column extra text")
    finally:
        con.close()
    with pytest.raises(load_raw.ValidationError, match="cannot append to raw.accounts: its columns"):
        load_raw.load(good, append=True)
    load_raw.load(good)  # a replace load recreates the contract's shape
    assert "extra" not in [c for (c,) in pg_rows(
        pg, "select column_name from information_schema.columns where table_name = 'accounts'")]


def test_cli_exit_codes_and_the_lock(pg, tmp_path, capsys):
    good = write(tmp_path / "good", "accounts.csv", """
        account_id,account_name,vertical,motion,created_at,is_test_account
        a1,A,crm,plg,2026-01-01 00:00:00,false
        """)
    assert load_raw.main(["--source-dir", str(good)]) == 0
    assert "postgresql://postgres@127.0.0.1" in capsys.readouterr().out
    assert load_raw.main(["--source-dir", str(good), "--database", str(tmp_path / "x.duckdb")]) == 1
    assert "--database is the DuckDB file of target dev" in capsys.readouterr().err

    holder = pg.connect(DATABASE)  # a nightly holding the warehouse
    try:
        with holder.cursor() as cur:
            cur.execute("set application_name = 'nightly.py (pid 4242)'")
            cur.execute("select pg_advisory_lock(%s, %s)", (0x41637469, 1))
        assert load_raw.main(["--source-dir", str(good), "--append"]) == 2
        err = capsys.readouterr().err
        assert "is locked: nightly.py (pid 4242) holds the advisory lock" in err and "Nothing was loaded" in err
    finally:
        holder.close()
    assert pg_rows(pg, "select count(*) from raw.accounts") == [(1,)]
