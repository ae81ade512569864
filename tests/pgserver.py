"""A real PostgreSQL for the tests: Debian's server binaries, a cluster made by initdb in a
temporary folder, listening on a unix socket in that folder and on a free loopback port, and
stopped (by its PID) when the tests are done. initdb and postgres refuse to run as root, so
under root the server runs as the `postgres` system user (the Debian package makes it) in a
folder that user owns. Local socket connections are trusted; TCP ones need the password
(scram-sha-256), which the tests give only through PGPASSWORD, as a user would."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support import need

BIN = Path(os.environ.get("CLUSTERCHECK_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "clustercheck"
PASSWORD = "s3cret-only-in-PGPASSWORD"


@dataclass(frozen=True)
class PgServer:
    folder: Path
    port: int

    def url(self, database: str, user: str = SUPERUSER) -> str:
        """A URL over TCP without a password: libpq takes it from PGPASSWORD."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def psql(self, database: str, sql: str) -> str:
        """Run SQL as the superuser over the unix socket; its output (unaligned, no header)."""
        done = subprocess.run(
            [str(BIN / "psql"), "-h", str(self.folder), "-p", str(self.port), "-U", SUPERUSER,
             "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    def create_database(self, name: str) -> str:
        self.psql("postgres", f'CREATE DATABASE "{name}"')
        return name


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _owner() -> tuple[int, int] | None:
    """Who runs the server programs and owns their folder: `postgres` under root, else us."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        need(False, "running as root without a `postgres` user for the server")
        raise
    return entry.pw_uid, entry.pw_gid


@contextmanager
def running() -> Iterator[PgServer]:
    """A started server, stopped and removed on exit."""
    need((BIN / "initdb").exists(), f"PostgreSQL server binaries not found in {BIN}")
    owner = _owner()
    as_owner: dict[str, Any] = {}
    folder = Path(tempfile.mkdtemp(prefix="cc-pg-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        secret = folder / "pwfile"
        secret.write_text(PASSWORD + "\n")
        if owner:
            as_owner = {"user": owner[0], "group": owner[1], "extra_groups": []}
            for path in (folder, secret):
                os.chown(path, *owner)
        data = folder / "data"
        subprocess.run(
            [str(BIN / "initdb"), "-D", str(data), "-U", SUPERUSER, f"--pwfile={secret}",
             "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"],
            cwd=folder, capture_output=True, timeout=120, check=True, **as_owner,
        )  # fmt: skip
        port = _free_port()
        with (folder / "server.log").open("wb") as log:
            server = subprocess.Popen(
                [str(BIN / "postgres"), "-D", str(data), "-k", str(folder), "-p", str(port),
                 "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                 "-c", "max_connections=60"],
                cwd=folder, stdout=log, stderr=subprocess.STDOUT, **as_owner,
            )  # fmt: skip
        _wait_ready(folder, port, server)
        yield PgServer(folder, port)
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGINT)  # "fast" shutdown: no waiting for clients
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_ready(folder: Path, port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError((folder / "server.log").read_text(errors="replace")[-2000:])
        ready = subprocess.run(
            [str(BIN / "pg_isready"), "-h", str(folder), "-p", str(port), "-q"],
            timeout=30, check=False,
        )  # fmt: skip
        if ready.returncode == 0:
            return
        time.sleep(0.1)
    raise AssertionError("PostgreSQL did not start within 60 s")
