"""A throwaway PostgreSQL server for the tests (and for trying the project by hand):
``initdb`` into a scratch directory, ``pg_ctl start`` on a free port bound to 127.0.0.1 with the
socket in that directory, ``pg_ctl stop -m fast`` and the directory removed at the end.

PostgreSQL refuses to run as root, and CI runs as root: then the server runs as ``nobody``
(``runuser``), and the scratch directory is created in /tmp and handed to that user. The server
binaries are found in ``$ACTIVATION_PG_BIN``, else the newest /usr/lib/postgresql/<major>/bin
(Debian's ``postgresql-15``; ``make postgres`` installs it), else ``pg_ctl`` on PATH.
Settings favour speed over durability (fsync off): it holds test data only.

By hand::

    .venv/bin/python tests/python/pg_server.py   # starts one, prints its ACTIVATION_PG_* settings, waits for Ctrl-C
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"


class ServerUnavailable(Exception):
    """No server binaries, or the server did not start."""


def find_bindir() -> Path:
    explicit = os.environ.get("ACTIVATION_PG_BIN")
    candidates = [Path(explicit)] if explicit else []
    candidates += sorted((Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
                         key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise ServerUnavailable("no PostgreSQL server binaries (initdb, pg_ctl) found: install them "
                            "(`make postgres`, Debian's postgresql-15) or set ACTIVATION_PG_BIN")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    bindir: Path
    workdir: Path
    port: int
    run_as: str | None  # the OS user the server runs as when we are root

    @property
    def datadir(self) -> Path:
        return self.workdir / "data"

    def _run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
        command = list(argv)
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, cwd=self.workdir, capture_output=True, text=True, timeout=timeout)

    def environment(self, database: str) -> dict[str, str]:
        """The ACTIVATION_PG_* variables profiles.yml and the loader read."""
        return {"ACTIVATION_PG_HOST": "127.0.0.1", "ACTIVATION_PG_PORT": str(self.port),
                "ACTIVATION_PG_USER": SUPERUSER, "ACTIVATION_PG_PASSWORD": "",
                "ACTIVATION_PG_DATABASE": database}

    def connect(self, database: str = "postgres"):
        import psycopg2
        con = psycopg2.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=database)
        con.autocommit = True
        return con

    def create_database(self, name: str) -> str:
        con = self.connect()
        try:
            with con.cursor() as cur:
                cur.execute(f'drop database if exists "{name}" with (force)')
                cur.execute(f'create database "{name}"')
        finally:
            con.close()
        return name

    def start(self) -> None:
        initdb = self._run(str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", SUPERUSER,
                           "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync")
        if initdb.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {initdb.stderr.strip() or initdb.stdout.strip()}")
        options = (f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=40")
        started = self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-l",
                            str(self.workdir / "server.log"), "-o", options, "-w", "-t", "60", "start")
        if started.returncode != 0:
            log = (self.workdir / "server.log")
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise ServerUnavailable(f"pg_ctl start failed: {started.stderr.strip()}\n{tail}")

    def stop(self) -> None:
        try:
            if (self.datadir / "postmaster.pid").exists():
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop",
                          timeout=60)
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)


def start_server() -> PostgresServer:
    """Start a scratch server; the caller must call ``stop()`` (also on failure)."""
    bindir = find_bindir()
    run_as = None
    workdir = Path(tempfile.mkdtemp(prefix="activation-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        run_as = "nobody"
        entry = pwd.getpwnam(run_as)
        os.chown(workdir, entry.pw_uid, entry.pw_gid)
    server = PostgresServer(bindir=bindir, workdir=workdir, port=_free_port(), run_as=run_as)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


if __name__ == "__main__":
    server = start_server()
    try:
        print("\n".join(f"export {k}={v}" for k, v in server.environment("activation").items()))
        server.create_database("activation")
        print("# database 'activation' created; Ctrl-C stops the server and removes its directory")
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
