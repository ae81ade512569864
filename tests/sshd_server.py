"""A real OpenSSH server on loopback for the ssh transport's tests (pytest plugin).

The session-scoped `sshd` fixture runs Debian's /usr/sbin/sshd with its own config, keys and
known_hosts in a temporary directory, and stops it by PID at teardown, also after failures.
`running_sshd` starts one more for a test that needs another sftp subsystem (a hung one).
"""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support import need, stop

from clustercheck.inventory.settings import NodeSettings, SshSettings

SSHD = "/usr/sbin/sshd"  # sshd re-executes itself, so it must be called by absolute path
SFTP_SERVER = "/usr/lib/openssh/sftp-server"
START_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class SshServer:
    host: str
    port: int
    user: str
    client_key: Path  # accepted by the server
    stranger_key: Path  # a valid key the server does not accept
    host_public_key: str  # "ssh-ed25519 AAAA..."
    known_hosts: Path  # holds the right `[127.0.0.1]:PORT` line
    ssh_config: Path  # empty: the tests never read the user's ~/.ssh/config
    tmp: Path
    pid: int

    @property
    def known_hosts_line(self) -> str:
        return f"[{self.host}]:{self.port} {self.host_public_key}"

    def node(self, name: str = "node1", **ssh: Any) -> NodeSettings:
        """A NodeSettings reaching this server; `ssh` overrides SshSettings fields."""
        defaults: dict[str, Any] = {
            "user": self.user,
            "port": self.port,
            "identity_file": str(self.client_key),
            "known_hosts": str(self.known_hosts),
            "config": str(self.ssh_config),
            "connect_timeout": 5.0,
            "command_timeout": 20.0,
        }
        settings = dataclasses.replace(SshSettings(), **{**defaults, **ssh})
        return NodeSettings(name=name, host=self.host, roles=("tomcat",), ssh=settings)


def _keygen(path: Path, comment: str) -> str:
    """A new ed25519 key pair at `path`; returns the public key line without its comment."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
    )
    return " ".join(path.with_suffix(".pub").read_text().split()[:2])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _write_config(tmp: Path, port: int, sftp: str) -> Path:
    home = tmp / "home"
    home.mkdir()
    config = tmp / "sshd_config"
    config.write_text(
        f"ListenAddress 127.0.0.1:{port}\n"
        f"HostKey {tmp / 'host_ed25519'}\n"
        f"PidFile {tmp / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {tmp / 'authorized_keys'}\n"
        "StrictModes no\n"
        "UsePAM no\n"
        "PasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\n"
        "PubkeyAuthentication yes\n"
        "PermitRootLogin prohibit-password\n"
        "UseDNS no\n"
        "MaxSessions 50\n"
        # Tests connect several at once while others' connections close: sshd's default
        # MaxStartups (10:30:100) would drop some at random before the banner.
        "MaxStartups 100\n"
        # The login shell must not source the real user's ~/.bashrc (slow, and not ours).
        f"SetEnv HOME={home}\n"
        f"Subsystem sftp {sftp}\n"
        "LogLevel ERROR\n"
    )
    return config


def _wait_until_listening(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"sshd exited with {proc.returncode}: {log.read_text().strip()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"sshd did not listen on port {port} within {START_TIMEOUT_S:g} s")


def _need_sshd() -> None:
    need(
        os.path.exists(SSHD), f"OpenSSH server not found at {SSHD} (apt-get install openssh-server)"
    )
    need(shutil.which("ssh-keygen") is not None, "ssh-keygen not found (openssh-client)")
    need(os.path.exists(SFTP_SERVER), f"sftp-server not found at {SFTP_SERVER}")


@contextlib.contextmanager
def running_sshd(tmp: Path, sftp: str = SFTP_SERVER) -> Iterator[SshServer]:
    """An sshd of its own in `tmp` whose sftp subsystem is the command `sftp`."""
    _need_sshd()
    os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege-separation directory
    tmp.mkdir(parents=True, exist_ok=True)
    host_public_key = _keygen(tmp / "host_ed25519", "sshd-fixture-host")
    (tmp / "authorized_keys").write_text(_keygen(tmp / "client_ed25519", "client") + "\n")
    _keygen(tmp / "stranger_ed25519", "stranger")
    port = _free_port()
    config = _write_config(tmp, port, sftp)
    known_hosts = tmp / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {host_public_key}\n")
    (tmp / "ssh_config").touch()
    log = tmp / "sshd.log"
    with log.open("wb") as log_file:
        proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=log_file)
    try:
        _wait_until_listening(proc, port, log)
        yield SshServer(
            host="127.0.0.1",
            port=port,
            user=getpass.getuser(),
            client_key=tmp / "client_ed25519",
            stranger_key=tmp / "stranger_ed25519",
            host_public_key=host_public_key,
            known_hosts=known_hosts,
            ssh_config=tmp / "ssh_config",
            tmp=tmp,
            pid=proc.pid,
        )
    finally:
        stop(proc, grace_s=5)  # by its PID: other sshd may run on the machine


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server
