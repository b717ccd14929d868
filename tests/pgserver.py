"""A real PostgreSQL server for the tests: Debian's binaries, a temporary cluster on loopback.

``initdb`` into a temporary directory and ``pg_ctl start`` on a free port of
127.0.0.1, with the socket in that directory too; as the ``postgres`` user when
the suite runs as root (PostgreSQL refuses to run as root). Durability is off
(``fsync=off``) for the tests, which are about statements and transactions;
bench/ asks for a ``durable`` server (PostgreSQL's defaults). Missing binaries skip locally and fail
under CI=true, like every other tool (support.require_tool).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

SUPERUSER = "postgres"


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's bin directory (not on PATH in Debian)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        message = "PostgreSQL is not installed (make test installs Debian's postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresServer:
    """One cluster, started once per session; ``new_database`` hands each test its own."""

    def __init__(self, *, durable: bool = False, cpus: str | None = None) -> None:
        self.durable = durable
        self.cpus = cpus
        self.bin = postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="homing-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._names = itertools.count(1)
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str, pinned: bool = False) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if pinned and self.cpus is not None:
            command = ["taskset", "-c", self.cpus, *command]
        if self._as_postgres:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        if self._as_postgres:
            shutil.chown(self.root, SUPERUSER, SUPERUSER)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", SUPERUSER, "--no-locale")
        self.restart()

    def restart(self) -> None:
        """Start the cluster again on the same port (after ``halt``)."""
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            self._options(),
            "-w",
            "start",
        )

    def _options(self) -> str:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        return options + " -c max_connections=200"

    def halt(self) -> None:
        """Stop the server as an operator's restart does, keeping the cluster."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def postmaster_pid(self) -> int:
        """The server's first process (its backends are its children)."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = f"t{next(self._names)}"
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name)
        return self.url(name)
