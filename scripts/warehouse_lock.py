"""One writer at a time for the warehouse: an advisory lock file next to it.

``<warehouse>.lock`` (``activation.duckdb.lock`` for ``activation.duckdb``) is locked with
``fcntl.flock`` by scripts/nightly.py for its whole run (load, freshness, dbt build, publish) and
by scripts/load_raw.py for its load. DuckDB's own file lock is not enough for the nightly: the
loader and every dbt command open and close the warehouse, so DuckDB's lock is free between
steps, where a second run would slip in and then fail half-way (or make the first one fail).

The kernel releases the lock when its process ends, killed or not: there is never a stale lock to
clean up. The file itself stays (removing it would let two processes lock two different files
of the same name); while it is locked it names its holder (command, pid, since when), which the
error of the process refused quotes.

Re-entrant within one process: ``hold`` inside ``hold`` of the same warehouse (the nightly calls
``load_raw.load``) only counts. POSIX only (``fcntl``), like the rest of the nightly.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

LOCK_SUFFIX = ".lock"


class WarehouseLockError(Exception):
    """The lock file cannot be opened, created or locked (e.g. the warehouse's directory is missing)."""


class WarehouseLockedError(WarehouseLockError):
    """Another process holds the warehouse."""

    def __init__(self, database: Path, lock_file: Path, holder: str) -> None:
        super().__init__(f"{lock_file} is held by {holder}")
        self.database = database
        self.lock_file = lock_file
        self.holder = holder


@dataclass
class _Held:
    fd: int
    depth: int = 1


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


def lock_file(database: str | os.PathLike) -> Path:
    """The lock file of a warehouse: ``<resolved warehouse path>.lock``."""
    resolved = Path(database).resolve()
    return resolved.with_name(resolved.name + LOCK_SUFFIX)


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "another process (it has not written its name yet)"


def _acquire(database: Path, path: Path, holder: str) -> int:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise WarehouseLockError(f"cannot open or create the lock file {path}: {e.strerror or e}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        other = _read_holder(fd)
        os.close(fd)
        raise WarehouseLockedError(database, path, other) from None
    except OSError as e:
        os.close(fd)
        raise WarehouseLockError(f"cannot lock {path}: {e.strerror or e}") from None
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{holder} (pid {os.getpid()}, since {since})\n".encode(), 0)
    return fd


@contextmanager
def hold(database: str | os.PathLike, holder: str) -> Iterator[Path]:
    """Hold the warehouse's lock file for the ``with`` block; yields its path.

    ``holder`` names the command in the message another process gets (e.g. ``nightly.py``).
    Raises WarehouseLockedError at once, without waiting, when another process holds it, and
    WarehouseLockError when the lock file cannot be created or locked.
    """
    path = lock_file(database)
    with _guard:
        held = _held.get(path)
        if held is not None:
            held.depth += 1
        else:
            _held[path] = _Held(_acquire(Path(database), path, holder))
    try:
        yield path
    finally:
        with _guard:
            held = _held[path]
            held.depth -= 1
            if held.depth == 0:
                del _held[path]
                os.close(held.fd)  # releases the flock
