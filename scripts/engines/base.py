"""The engine interface (see the package docstring for what a backend implements) and the
loader's error classes, shared by every backend."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import warehouse_lock

from raw_schema import Table

EXIT_BAD_INPUT = 1
EXIT_IO = 2


class LoadError(Exception):
    """An expected failure; ``exit_code`` is what the CLI returns."""

    exit_code = EXIT_BAD_INPUT


class ValidationError(LoadError):
    """Bad input: missing columns, unparseable values, malformed files, bad arguments."""

    exit_code = EXIT_BAD_INPUT


class DatabaseLockedError(LoadError):
    exit_code = EXIT_IO


class LoadIOError(LoadError):
    exit_code = EXIT_IO


class WarehouseBusy(Exception):
    """Another process holds the warehouse (``hold`` refuses at once)."""

    def __init__(self, holder: str, how: str) -> None:
        super().__init__(f"{holder} holds {how}")
        self.holder = holder  # who: command, pid, since when (as far as the engine knows)
        self.how = how  # what is held: a lock file, an advisory lock


class RawWriter(ABC):
    """One load transaction on an engine (see the package docstring)."""

    connection: Any
    errors: tuple[type[BaseException], ...]  # the engine's DB-API error classes

    @abstractmethod
    def existing_columns(self, table: Table) -> list[tuple[str, str]]: ...

    @abstractmethod
    def create_schema(self) -> None: ...

    @abstractmethod
    def create_table(self, table: Table, replace: bool) -> None: ...

    @abstractmethod
    def insert(self, table: Table, select_sql: str) -> int: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...


class Engine(ABC):
    """A warehouse the raw tables are loaded into (see the package docstring)."""

    name: str

    @property
    @abstractmethod
    def location(self) -> str: ...

    @abstractmethod
    def hold(self, owner: str) -> AbstractContextManager: ...

    @abstractmethod
    def begin(self) -> RawWriter: ...


@contextmanager
def hold_lock_file(path: Path, owner: str, location: str) -> Iterator[Path]:
    """The warehouse lock file of a file-based engine (scripts/warehouse_lock.py), held for the
    block: refused at once with WarehouseBusy when another process holds it."""
    try:
        with warehouse_lock.hold(path, owner) as lock_file:
            yield lock_file
    except warehouse_lock.WarehouseLockedError as e:
        raise WarehouseBusy(e.holder, f"its lock file {e.lock_file}") from None
    except warehouse_lock.WarehouseLockError as e:
        raise LoadIOError(f"cannot lock {location}: {e}. Nothing was loaded.") from None
