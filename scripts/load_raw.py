"""Load raw source files into the ``raw`` schema of the warehouse (SPEC section 1).

Usage::

    python scripts/load_raw.py --source-dir DIR [--append] [--database PATH]
    ACTIVATION_TARGET=postgres python scripts/load_raw.py --source-dir DIR [--append]

The warehouse is the target's (``$ACTIVATION_TARGET``, as for dbt): ``dev`` (default), the DuckDB
file ``--database``; ``postgres``, the server of the ``ACTIVATION_PG_*`` variables. Files are
validated and cast with DuckDB the same way for every target; the engine-specific writing
(DuckDB: INSERT in the file's transaction; Postgres: COPY in one transaction) is in
scripts/engines/.

For each table in ``raw_schema.TABLES`` the loader looks for ``DIR/<table>.csv`` or
``DIR/<table>.parquet`` (both present for one table is an error). Without ``--append`` the raw
tables whose files are present are replaced; with ``--append`` the rows are appended (the nightly
shape; rows re-exported with the same key are appended too, dedup happens downstream in dbt).
A table whose file is absent is left untouched, and created empty (typed) if it does not exist,
so that dbt sources always resolve.

Behaviour worth knowing (also documented in the README / docs):

* Everything happens in one transaction of the warehouse: if any file fails, nothing from the
  call lands.
* CSV files are read with every column as text (no type sniffing) and cast explicitly here:
  empty field = null; booleans ``true``/``false`` (case-insensitive); integers ``[+-]digits``;
  timestamps ``YYYY-MM-DD HH:MM:SS[.ffffff]`` with a space or ``T`` separator and an optional
  trailing ``Z``, naive UTC. Date-only values and numeric offsets (``+02:00``) are rejected
  rather than guessed (DuckDB's own cast would silently drop an offset). ``properties`` is kept
  verbatim as text, never parsed. Header names are matched case-insensitively, surrounding
  whitespace ignored; extra columns are ignored (and reported).
* Parquet files may use natural types (timestamp of any unit, timestamp with time zone -> UTC,
  string, boolean, integers; integral floats for integer columns, as pandas writes nullable
  ints) or string columns, which get the CSV casting rules (an empty string in a non-text
  column is null there too). A column that is null in every row may have Arrow type ``null``
  (what pandas and pyarrow write when no row has a value, e.g. no seat unassigned that day):
  it loads as nulls of the contract type.
* ``_loaded_at``: the file's value is kept; if the file has no ``_loaded_at`` column, or a row's
  value is empty/null, the load time is stamped (one naive-UTC timestamp for the whole call).
* Errors: missing required columns (all files are checked before failing) and unparseable
  values (file, column, first bad data row -- 1-based, header not counted -- and the value)
  exit 1; a database locked by another process, or other I/O failures, exit 2.
* Exclusive: the load holds the warehouse's lock file (``<database>.lock``, scripts/
  warehouse_lock.py) while it writes, so it never runs inside a nightly run of the same
  warehouse (the nightly holds that lock from start to end); refused at once, exit 2.

Importable: ``load(source_dir, database=None, append=False, now=None, before_commit=None)
-> LoadSummary`` (``before_commit`` writes inside the load's transaction: the nightly's file
ledger); ``create_missing_tables(con, names)``; ``main(argv)``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engines import DEFAULT_TARGET, current_target, engine_for  # noqa: E402
from engines.base import (  # noqa: E402,F401  (the error classes are part of this module's API)
    EXIT_BAD_INPUT,
    EXIT_IO,
    DatabaseLockedError,
    LoadError,
    LoadIOError,
    RawWriter,
    ValidationError,
    WarehouseBusy,
)
from engines.duckdb_engine import create_table_sql, existing_columns  # noqa: E402
from engines.duckdb_engine import ident as _ident  # noqa: E402
from engines.duckdb_engine import short_error as _short  # noqa: E402
from engines.duckdb_engine import sql_str as _sql_str  # noqa: E402

from raw_schema import LOADED_AT, RAW_SCHEMA, TABLES, Table  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATABASE_ENV_VAR = "ACTIVATION_DUCKDB_PATH"
DEFAULT_DATABASE = "activation.duckdb"

EXIT_OK = 0

# Accepted text formats (the CSV contract; also applied to string columns in parquet).
TIMESTAMP_RE = r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z?"
INTEGER_RE = r"[+-]?\d+"
EXPECTED_TEXT = {
    "TIMESTAMP": "a timestamp YYYY-MM-DD HH:MM:SS[.ffffff] ('T' separator allowed), naive UTC",
    "BOOLEAN": "true or false",
    "BIGINT": "an integer",
}

_INTEGER_TYPES = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
}
_FLOAT_TYPES = {"FLOAT", "DOUBLE"}
_TEXT_TYPES = {"VARCHAR", "JSON"}
# What DuckDB reports for an Arrow `null` column (null in every row); it describes it quoted.
_NULL_TYPE = "NULL"


# --------------------------------------------------------------------------------------------
# Errors and results


@dataclass
class TableLoad:
    table: str
    file: Path
    rows: int
    extra_columns: list[str] = field(default_factory=list)
    loaded_at_from_file: bool = False  # False: every row got the load-time stamp


@dataclass
class LoadSummary:
    database: Path | str  # the DuckDB file, or another engine's location (engines.Engine.location)
    append: bool
    loaded_at: dt.datetime  # the stamp used for rows without a _loaded_at value
    loaded: list[TableLoad] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # tables without a file (left as they were)
    created_empty: list[str] = field(default_factory=list)  # absent tables created empty

    def rows(self, table: str) -> int | None:
        for t in self.loaded:
            if t.table == table:
                return t.rows
        return None

    def format(self) -> str:
        mode = "appended to" if self.append else "replaced in"
        lines = [f"Database: {self.database}", f"Load-time stamp (naive UTC): {self.loaded_at}"]
        if self.loaded:
            lines.append(f"Tables {mode} schema {RAW_SCHEMA}:")
            width = max(len(t.table) for t in self.loaded)
            for t in self.loaded:
                notes = []
                if not t.loaded_at_from_file:
                    notes.append("_loaded_at stamped (no _loaded_at column in file)")
                if t.extra_columns:
                    notes.append("ignored extra columns: " + ", ".join(c or "(blank name)" for c in t.extra_columns))
                note = f"  [{'; '.join(notes)}]" if notes else ""
                lines.append(f"  {t.table:<{width}}  {t.rows:>12,} rows  from {t.file.name}{note}")
        if self.absent:
            lines.append(
                "No file (table left unchanged): "
                + ", ".join(f"{n}.csv|.parquet" for n in self.absent)
            )
        if self.created_empty:
            lines.append("Created empty (did not exist yet): " + ", ".join(self.created_empty))
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Source files


@dataclass
class SourceFile:
    table: Table
    path: Path
    kind: str  # "csv" | "parquet"
    # expected column name -> (SQL reference to the source column, source DuckDB type)
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)
    csv_header: list[str] = field(default_factory=list)

    def scan_sql(self) -> str:
        """A table function reading the file (CSV: every column as text, positional names)."""
        path = _sql_str(str(self.path))
        if self.kind == "parquet":
            return f"read_parquet({path})"
        cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(self.csv_header)))
        return (
            f"read_csv({path}, header = true, auto_detect = false, columns = {{{cols}}}, "
            "delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
            "null_padding = false, encoding = 'utf-8')"
        )


COMPRESSION_SUFFIXES = (".gz", ".gzip", ".zst", ".bz2", ".xz", ".zip", ".snappy")
FILE_KINDS = ("csv", "parquet")
# the file names a source directory may hold for the raw tables: <table>.csv or <table>.parquet
TABLE_FILE_NAMES = frozenset(f"{name}.{kind}" for name in TABLES for kind in FILE_KINDS)


def misnamed_files(source_dir: Path) -> list[str]:
    """Files that are meant as a raw table's file but are not named `<table>.csv` or
    `<table>.parquet` exactly: another case (`Users.csv`) or compressed (`events.csv.gz`). They
    would be skipped without a word, so they are refused, each with what to do."""
    problems = []
    for path in sorted(source_dir.iterdir()):
        if not path.is_file() or path.name in TABLE_FILE_NAMES:
            continue
        name = path.name.lower()
        compressed = name.endswith(COMPRESSION_SUFFIXES)
        if compressed:
            name = name.rsplit(".", 1)[0]
        stem, _, kind = name.rpartition(".")
        if stem in TABLES and kind in FILE_KINDS:
            fix = "decompress it" if compressed else "rename it"
            problems.append(f"{path.name}: a raw table's file must be named {stem}.{kind} exactly "
                            f"(lower case, uncompressed): {fix} to {stem}.{kind}")
    return problems


def unrecognised_files(source_dir: Path) -> list[str]:
    """Names of the files of source_dir that are no raw table's file (hidden files left out)."""
    return sorted(p.name for p in source_dir.iterdir()
                  if p.is_file() and p.name not in TABLE_FILE_NAMES and not p.name.startswith("."))


def discover(source_dir: Path) -> tuple[list[SourceFile], list[str]]:
    """Find the source file of each table. Returns (files, names of tables without a file)."""
    if not source_dir.is_dir():
        raise ValidationError(f"--source-dir {source_dir}: not a directory")
    files: list[SourceFile] = []
    absent: list[str] = []
    problems: list[str] = misnamed_files(source_dir)
    for name, table in TABLES.items():
        found = [(k, source_dir / f"{name}.{k}") for k in FILE_KINDS]
        found = [(k, p) for k, p in found if p.is_file()]
        if len(found) > 1:
            problems.append(
                f"{name}: both {name}.csv and {name}.parquet are present in {source_dir}; "
                "keep exactly one"
            )
        elif found:
            kind, path = found[0]
            files.append(SourceFile(table, path, kind))
        else:
            absent.append(name)
    if problems:
        raise ValidationError("\n".join(problems))
    if not files:
        wanted = ", ".join(f"{n}.csv|.parquet" for n in TABLES)
        raise ValidationError(f"{source_dir}: none of the raw table files found (expected any of {wanted})")
    return files, absent


def _read_csv_header(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            header = next(csv.reader(f), None)
    except UnicodeDecodeError as e:
        raise ValidationError(f"{path.name}: header is not valid UTF-8 ({e})") from None
    except OSError as e:
        raise LoadIOError(f"{path}: cannot read ({e.strerror or e})") from None
    if not header:
        raise ValidationError(f"{path.name}: file is empty (a header row is required)")
    return header


def _inspect(con: duckdb.DuckDBPyConnection, src: SourceFile) -> list[str]:
    """Fill ``src.columns`` / ``extra_columns``; return schema problems (missing columns etc.)."""
    if src.kind == "csv":
        src.csv_header = _read_csv_header(src.path)
        present = [(h, f"c{i}", "VARCHAR") for i, h in enumerate(src.csv_header)]
    else:
        try:
            desc = con.execute(f"DESCRIBE SELECT * FROM {src.scan_sql()}").fetchall()
        except duckdb.IOException as e:
            raise LoadIOError(f"{src.path}: cannot read ({_short(e)})") from None
        except duckdb.Error as e:
            raise ValidationError(f"{src.path.name}: not a readable parquet file ({_short(e)})") from None
        present = [(row[0], _ident(row[0]), str(row[1])) for row in desc]

    problems: list[str] = []
    expected = {c.name for c in src.table.columns}
    by_key: dict[str, tuple[str, str, str]] = {}
    for name, ref, typ in present:
        key = name.strip().lower()
        # a column of the contract named twice is ambiguous; extra columns are ignored, however
        # named (two blank names from trailing commas in a header, a note column twice)
        if key in by_key and key in expected:
            problems.append(f"{src.path.name}: duplicate column {name.strip()!r} in header")
        by_key.setdefault(key, (name, ref, typ))
    missing = [c for c in src.table.required_columns if c not in by_key]
    if missing:
        problems.append(f"{src.path.name}: missing required column(s): {', '.join(missing)}")
    src.extra_columns = list(dict.fromkeys(n.strip() for n, _, _ in present if n.strip().lower() not in expected))
    for col in src.table.columns:
        if col.name in by_key:
            _, ref, typ = by_key[col.name]
            src.columns[col.name] = (ref, typ)
            if _converter(ref, typ, col.sql_type) is None:
                problems.append(
                    f"{src.path.name}: column {col.name!r} has parquet type {typ}, which cannot "
                    f"be loaded as {col.sql_type} (use {col.sql_type.lower()} or text)"
                )
    return problems


# --------------------------------------------------------------------------------------------
# Casting


def _converter(ref: str, src_type: str, target: str) -> tuple[str, str, str] | None:
    """SQL pieces (is_null, is_valid, converted) for a source column; None if type unsupported.

    ``is_valid`` is only evaluated on non-null values and guarantees ``converted`` is not null.
    """
    src_type = src_type.upper()
    if src_type.strip('"') == _NULL_TYPE:  # no value at all: nulls of the contract type
        return "true", "true", f"CAST(NULL AS {target})"
    if src_type in _TEXT_TYPES:
        if target == "VARCHAR":
            return f"{ref} IS NULL", "true", f"CAST({ref} AS VARCHAR)"
        # Text needing a cast: empty = null (CSV already yields NULL for empty fields).
        is_null = f"({ref} IS NULL OR {ref} = '')"
        if target == "TIMESTAMP":
            conv = f"TRY_CAST({ref} AS TIMESTAMP)"
            return is_null, f"(regexp_full_match({ref}, '{TIMESTAMP_RE}') AND {conv} IS NOT NULL)", conv
        if target == "BIGINT":
            conv = f"TRY_CAST({ref} AS BIGINT)"
            return is_null, f"(regexp_full_match({ref}, '{INTEGER_RE}') AND {conv} IS NOT NULL)", conv
        if target == "BOOLEAN":
            return is_null, f"lower({ref}) IN ('true', 'false')", f"(lower({ref}) = 'true')"
        return None
    is_null = f"{ref} IS NULL"
    if target == "VARCHAR" and src_type in _INTEGER_TYPES:
        return is_null, "true", f"CAST({ref} AS VARCHAR)"
    if target == "TIMESTAMP" and src_type.startswith("TIMESTAMP"):
        if "TZ" in src_type or "TIME ZONE" in src_type:
            # An instant (parquet isAdjustedToUTC, e.g. pandas tz-aware): its UTC wall time,
            # whatever the session time zone.
            return is_null, "true", f"timezone('UTC', CAST({ref} AS TIMESTAMPTZ))"
        return is_null, "true", f"CAST({ref} AS TIMESTAMP)"
    if target == "BOOLEAN" and src_type == "BOOLEAN":
        return is_null, "true", ref
    if target == "BIGINT" and src_type in _INTEGER_TYPES:
        conv = f"TRY_CAST({ref} AS BIGINT)"
        return is_null, f"{conv} IS NOT NULL", conv
    if target == "BIGINT" and (src_type in _FLOAT_TYPES or src_type.startswith("DECIMAL")):
        conv = f"TRY_CAST({ref} AS BIGINT)"
        return is_null, f"({ref} = trunc({ref}) AND isfinite({ref}) AND {conv} IS NOT NULL)", conv
    return None


def _select_list(src: SourceFile, stamp_sql: str) -> str:
    exprs = []
    for col in src.table.columns:
        if col.name not in src.columns:  # only _loaded_at can be absent here
            exprs.append(f"{stamp_sql} AS {_ident(col.name)}")
            continue
        ref, typ = src.columns[col.name]
        is_null, valid, conv = _converter(ref, typ, col.sql_type)
        if is_null == "true":
            expr = conv
        elif valid == "true":
            expr = f"CASE WHEN {is_null} THEN NULL ELSE {conv} END"
        else:
            msg = _sql_str(f"{src.path.name}: bad value in column {col.name}")
            expr = f"CASE WHEN {is_null} THEN NULL WHEN {valid} THEN {conv} ELSE error({msg}) END"
        if col.name == LOADED_AT:
            expr = f"coalesce({expr}, {stamp_sql})"
        exprs.append(f"{expr} AS {_ident(col.name)}")
    return ",\n  ".join(exprs)


def _diagnose(src: SourceFile) -> list[str]:
    """Find, per column, the first unparseable value of a file (1-based data row number)."""
    checks = []
    for col in src.table.columns:
        if col.name not in src.columns:
            continue
        ref, typ = src.columns[col.name]
        is_null, valid, _ = _converter(ref, typ, col.sql_type)
        if valid != "true":
            checks.append((col, ref, f"(NOT {is_null} AND NOT coalesce({valid}, false))"))
    if not checks:
        return []
    if src.kind == "csv":
        # Single-threaded scan so row_number() follows file order (only on the error path).
        numbered = f"SELECT row_number() OVER () AS __rn, * FROM {src.scan_sql()}"
        con = duckdb.connect(":memory:", config={"threads": 1})
        where = "data row {rn} (1-based, header row not counted)"
    else:
        path = _sql_str(str(src.path))
        numbered = f"SELECT file_row_number + 1 AS __rn, * FROM read_parquet({path}, file_row_number = true)"
        con = duckdb.connect(":memory:")
        where = "row {rn} (1-based)"
    aggs = []
    for i, (_, ref, bad) in enumerate(checks):
        aggs += [
            f"count(*) FILTER (WHERE {bad}) AS n{i}",
            f"min(__rn) FILTER (WHERE {bad}) AS r{i}",
            f"arg_min(CAST({ref} AS VARCHAR), __rn) FILTER (WHERE {bad}) AS v{i}",
        ]
    try:
        row = con.execute(f"SELECT {', '.join(aggs)} FROM ({numbered})").fetchone()
    except duckdb.Error:
        return []  # e.g. a structurally broken CSV: the caller reports DuckDB's own message
    finally:
        con.close()
    found = []
    for i, (col, _, _) in enumerate(checks):
        n, rn, val = row[3 * i: 3 * i + 3]
        if n:
            more = f" ({n - 1:,} more bad value(s) in this column)" if n > 1 else ""
            found.append((rn, (
                f"{src.path.name}: column {col.name}: cannot parse {val!r} at "
                f"{where.format(rn=rn)}; expected {EXPECTED_TEXT[col.sql_type]}{more}"
            )))
    return [msg for _, msg in sorted(found)]


# --------------------------------------------------------------------------------------------
# Load


def default_database() -> Path:
    return Path(os.environ.get(DATABASE_ENV_VAR) or PROJECT_ROOT / DEFAULT_DATABASE)


BeforeCommit = Callable[[object, LoadSummary], None]


def create_missing_tables(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> list[str]:
    """Create, empty and typed, the raw tables of ``names`` that do not exist in a DuckDB
    warehouse (and the raw schema); returns the names created. dbt sources then always resolve."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    created = []
    for name in names:
        if not existing_columns(con, name):
            con.execute(create_table_sql(TABLES[name], replace=False))
            created.append(name)
    return created


def load(
    source_dir: str | os.PathLike,
    database: str | os.PathLike | None = None,
    append: bool = False,
    now: dt.datetime | None = None,
    before_commit: BeforeCommit | None = None,
    target: str | None = None,
) -> LoadSummary:
    """Load the files of ``source_dir`` into the warehouse of ``target`` (default
    ``$ACTIVATION_TARGET``, else ``dev``: the DuckDB file ``database``, default env var / project
    root; ``postgres``: the server of the ``ACTIVATION_PG_*`` variables; scripts/engines/).

    All-or-nothing: raises a LoadError subclass (nothing written) or returns a summary.
    ``now`` overrides the load-time stamp (naive UTC), for tests.
    ``before_commit(con, summary)``, when given, runs on the load's connection (the engine's
    own: DuckDB or psycopg2) after the last row is inserted and before COMMIT (``summary`` is
    complete): what it writes commits with the rows or not at all (scripts/nightly.py records
    its file ledger there). If it raises, nothing is loaded; a database error from it becomes a
    LoadIOError.
    """
    source_dir = Path(source_dir)
    if database is None and (target or current_target()) == DEFAULT_TARGET:
        database = default_database()
    engine = engine_for(target, database)
    stamp = (now or dt.datetime.now(dt.UTC).replace(tzinfo=None)).replace(tzinfo=None)
    stamp_sql = f"TIMESTAMP '{stamp.isoformat(sep=' ')}'"

    files, absent = discover(source_dir)

    # 1. Schema checks for every file before touching the database.
    scratch = duckdb.connect(":memory:")
    try:
        problems = [p for src in files for p in _inspect(scratch, src)]
    finally:
        scratch.close()
    if problems:
        raise ValidationError("nothing loaded:\n  " + "\n  ".join(problems))

    location = database if database is not None else engine.location
    summary = LoadSummary(database=location, append=append, loaded_at=stamp, absent=absent)

    # 2. One transaction for the whole call, holding the warehouse exclusively.
    try:
        with engine.hold("load_raw.py"):
            writer = engine.begin()
            try:
                _load_in_transaction(writer, files, summary, stamp_sql, before_commit)
            finally:
                writer.close()
    except WarehouseBusy as e:
        raise DatabaseLockedError(
            f"database {location} is locked: {e.holder} holds {e.how} (a nightly run, or another "
            "load). Wait for it to finish, then rerun the load. Nothing was loaded."
        ) from None
    return summary


def _load_in_transaction(
    writer: RawWriter,
    files: list[SourceFile],
    summary: LoadSummary,
    stamp_sql: str,
    before_commit: BeforeCommit | None,
) -> None:
    append = summary.append
    database = summary.database
    try:
        writer.create_schema()
        for name in summary.absent:
            if not writer.existing_columns(TABLES[name]):
                writer.create_table(TABLES[name], replace=False)
                summary.created_empty.append(name)
        for position, src in enumerate(files):
            table = src.table
            expected = [(c.name, c.sql_type) for c in table.columns]
            if append:
                existing = writer.existing_columns(table)
                if existing and existing != expected:
                    raise ValidationError(
                        f"cannot append to {RAW_SCHEMA}.{table.name}: its columns {existing} differ "
                        f"from the raw contract {expected}; run a full load (without --append)"
                    )
            writer.create_table(table, replace=not append)
            select = f"SELECT\n  {_select_list(src, stamp_sql)}\nFROM {src.scan_sql()}"
            try:
                rows = writer.insert(table, select)
            except duckdb.IOException as e:
                raise LoadIOError(f"{src.path}: I/O error while loading: {_short(e)}") from None
            except duckdb.Error as e:
                writer.rollback()
                # locate the bad values of this file and of every file not yet inserted (the
                # files before it loaded fine), so one run reports every file to fix
                bad = [msg for later in files[position:] for msg in _diagnose(later)]
                if bad:
                    raise ValidationError("nothing loaded:\n  " + "\n  ".join(bad)) from None
                raise ValidationError(f"nothing loaded: {src.path.name}: {_short(e)}") from None
            summary.loaded.append(TableLoad(
                table=table.name, file=src.path, rows=int(rows),
                extra_columns=src.extra_columns,
                loaded_at_from_file=LOADED_AT in src.columns,
            ))
        if before_commit is not None:
            try:
                before_commit(writer.connection, summary)
            except writer.errors as e:
                raise LoadIOError(
                    f"nothing loaded: the step run inside the load's transaction failed: {_short(e)}"
                ) from None
        writer.commit()
    except LoadError:
        writer.rollback()
        raise
    except duckdb.IOException as e:
        writer.rollback()
        raise LoadIOError(f"I/O error on {database}: {_short(e)}") from None
    except duckdb.OutOfMemoryException as e:
        writer.rollback()
        raise LoadIOError(f"out of memory while loading into {database}: {_short(e)}") from None
    except BaseException:
        writer.rollback()
        raise


# --------------------------------------------------------------------------------------------
# CLI


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors are bad input (1), not lock/IO (2)
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(
        prog="load_raw.py",
        description="Load DIR/<table>.csv|.parquet into the raw schema of the warehouse "
                    "($ACTIVATION_TARGET: dev = DuckDB, postgres = the ACTIVATION_PG_* server).",
        epilog="Exit codes: 0 ok, 1 bad input (nothing loaded), 2 database locked / I/O error.",
    )
    parser.add_argument("--source-dir", required=True, type=Path, help="directory with the files")
    parser.add_argument("--append", action="store_true", help="append instead of replacing")
    parser.add_argument(
        "--database", type=Path, default=None,
        help=f"DuckDB file of target dev (default: ${DATABASE_ENV_VAR}, else {DEFAULT_DATABASE} at the "
             "project root)",
    )
    args = parser.parse_args(argv)
    try:
        summary = load(args.source_dir, args.database, args.append)
    except LoadError as e:
        print(f"load_raw: error: {e}", file=sys.stderr)
        return e.exit_code
    print(summary.format())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
