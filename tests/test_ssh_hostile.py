"""A hostile or broken node over SSH (issue 14), against real OpenSSH servers on loopback: names
that are not UTF-8, symlink loops and FIFOs over SFTP and through commands, an sftp-server that
never answers or stops answering, a connection that stalls, commands that never end. Each ends
within the node's timeouts, in that node's findings, and never stops the run."""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sshd_server import SshServer, running_sshd
from support import NON_UTF8, alive

from clustercheck.collect.gather import gather_node
from clustercheck.collect.transports.base import ConnectError, FileReadError
from clustercheck.collect.transports.hostkeys import HostKeyStore
from clustercheck.collect.transports.ssh import SshTransport
from clustercheck.inventory.settings import NodeSettings, TomcatSettings

pytestmark = pytest.mark.sshd

# Answers the SFTP version handshake, then reads every request and answers none.
SILENT_SFTP = r"""
import struct, sys
size = struct.unpack(">I", sys.stdin.buffer.read(4))[0]
sys.stdin.buffer.read(size)
reply = struct.pack(">BI", 2, 3)
sys.stdout.buffer.write(struct.pack(">I", len(reply)) + reply)
sys.stdout.buffer.flush()
while sys.stdin.buffer.read(65536):
    pass
"""


@pytest.fixture(autouse=True)
def _no_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


def connected(server: SshServer, **ssh: Any) -> SshTransport:
    transport = SshTransport(server.node(**ssh), HostKeyStore())
    transport.connect()
    return transport


def hostile_tree(root: Path) -> Path:
    """A folder holding what a node's user may leave in webapps/."""
    (root / "shop").mkdir(parents=True)
    (root / NON_UTF8).mkdir()
    (root / NON_UTF8 / "web.xml").write_text("<web-app/>")
    os.symlink("loop-b", root / "loop-a")
    os.symlink("loop-a", root / "loop-b")
    os.mkfifo(root / "stuck.war")
    return root


EXPECTED_LISTING = [
    ("caf\udce9", True),
    ("loop-a", False),
    ("loop-b", False),
    ("shop", True),
    ("stuck.war", False),
]


def read_everything(transport: SshTransport, root: Path) -> None:
    """The same answers whether files come over SFTP or through commands."""
    assert [(e.name, e.is_dir) for e in transport.list_dir(str(root))] == EXPECTED_LISTING
    assert transport.read_file(f"{root}/{NON_UTF8}/web.xml") == b"<web-app/>"
    start = time.monotonic()
    with pytest.raises(FileReadError) as caught:
        transport.read_file(str(root / "stuck.war"))
    assert caught.value.kind == "not_a_file" and time.monotonic() - start < 2


def test_names_loops_and_fifos_over_sftp(sshd: SshServer, tmp_path: Path) -> None:
    """One directory name that was not UTF-8 ended the whole run (paramiko decodes names
    strictly); now it is listed with its bytes kept, and read back by that name."""
    root = hostile_tree(tmp_path / "webapps")
    with connected(sshd) as transport:
        read_everything(transport, root)


def test_a_node_with_a_name_not_utf8_is_judged(sshd: SshServer, tmp_path: Path) -> None:
    base = tmp_path / "tomcat"
    (base / "conf").mkdir(parents=True)
    (base / "conf" / "server.xml").write_text('<Server><Service name="S"/></Server>')
    app = base / "webapps" / NON_UTF8 / "WEB-INF"
    app.mkdir(parents=True)
    (app / "web.xml").write_text("<web-app><distributable/></web-app>")
    node = NodeSettings(
        "t1",
        sshd.host,
        ("tomcat",),
        ssh=sshd.node().ssh,
        tomcat=TomcatSettings(catalina_base=str(base)),
    )
    with SshTransport(node, HostKeyStore()) as transport:
        facts = gather_node(node, transport)
    assert facts.reachable, facts.live.error
    assert facts.tomcat is not None
    (webapp,) = facts.tomcat.webapps
    assert webapp.name == "caf\udce9" and webapp.web_xml and webapp.web_xml.distributable


def test_an_sftp_server_that_never_answers_costs_the_connect_timeout(tmp_path: Path) -> None:
    """`Subsystem sftp` that never sends its version: SFTP is given up after connect_timeout
    and every file is read through commands, with the same answers."""
    root = hostile_tree(tmp_path / "webapps")
    with (
        running_sshd(tmp_path / "sshd-hung", sftp="cat >/dev/null") as server,
        connected(server, connect_timeout=1, command_timeout=5) as transport,
    ):
        start = time.monotonic()
        read_everything(transport, root)
        assert time.monotonic() - start < 4


def test_an_sftp_server_that_stops_answering_costs_one_command_timeout(tmp_path: Path) -> None:
    (tmp_path / "server.xml").write_text("<Server/>")
    script = tmp_path / "silent_sftp.py"
    script.write_text(SILENT_SFTP)
    with (
        running_sshd(tmp_path / "sshd-silent", sftp=f"{sys.executable} {script}") as server,
        connected(server, connect_timeout=1, command_timeout=1.5) as transport,
    ):
        start = time.monotonic()
        assert transport.read_file(str(tmp_path / "server.xml")) == b"<Server/>"
        assert 1.5 <= time.monotonic() - start < 3.5
        start = time.monotonic()
        assert transport.read_file(str(tmp_path / "server.xml")) == b"<Server/>"
        assert time.monotonic() - start < 1, "the silent SFTP session was dropped"


class Relay:
    """A TCP relay to a server that can stall: it keeps the connection open and passes nothing
    on, as a dead link or a frozen host does (nothing refused, nothing closed)."""

    def __init__(self, port: int) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.flowing = threading.Event()
        self.flowing.set()
        self.sockets: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, args=(port,), daemon=True).start()

    def _accept(self, port: int) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", port))
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
                self.flowing.wait()
                if not data:
                    return
                sink.sendall(data)
            except OSError:
                return

    def stall(self) -> None:
        self.flowing.clear()

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()
        self.flowing.set()


@pytest.fixture
def relay(sshd: SshServer) -> Iterator[Relay]:
    relay = Relay(sshd.port)
    yield relay
    relay.close()


def through(relay: Relay, sshd: SshServer, tmp_path: Path, **ssh: Any) -> NodeSettings:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{relay.port} {sshd.host_public_key}\n")
    return sshd.node(port=relay.port, known_hosts=str(known_hosts), **ssh)


def test_a_stalled_connection_fails_within_the_timeouts(
    sshd: SshServer, relay: Relay, tmp_path: Path
) -> None:
    (tmp_path / "server.xml").write_text("<Server/>")
    node = through(relay, sshd, tmp_path, connect_timeout=1, command_timeout=1.5)
    with SshTransport(node, HostKeyStore()) as transport:
        transport.connect()
        assert transport.read_file(str(tmp_path / "server.xml")) == b"<Server/>"  # SFTP is up
        relay.stall()
        start = time.monotonic()
        with pytest.raises(ConnectError) as caught:
            transport.read_file(str(tmp_path / "server.xml"))
        assert time.monotonic() - start < 1.5 + 1 + 1
        who = f"node1 (127.0.0.1:{relay.port})"
        assert str(caught.value).startswith(f"{who}: cannot open a channel")
        start = time.monotonic()
        with pytest.raises(ConnectError):
            transport.run(["true"])
        assert time.monotonic() - start < 1 + 1


def test_a_node_whose_connection_stalls_is_that_nodes_error(
    sshd: SshServer, relay: Relay, tmp_path: Path
) -> None:
    base = tmp_path / "tomcat"
    (base / "conf").mkdir(parents=True)
    node = NodeSettings(
        "t1",
        sshd.host,
        ("tomcat",),
        ssh=through(relay, sshd, tmp_path, connect_timeout=1, command_timeout=1).ssh,
        tomcat=TomcatSettings(catalina_base=str(base)),
    )
    with SshTransport(node, HostKeyStore()) as transport:
        transport.connect()
        relay.stall()
        start = time.monotonic()
        facts = gather_node(node, transport)
    assert time.monotonic() - start < 4
    assert not facts.reachable
    assert facts.live.error and "\n" not in facts.live.error
    assert facts.live.error.startswith(f"t1 (127.0.0.1:{relay.port}): cannot open a channel")


def test_a_timed_out_command_is_killed_on_the_node(sshd: SshServer) -> None:
    """Closing the channel leaves a command running on the node: it is killed there, with
    everything it started, and its endless output never outgrows the cap."""
    with connected(sshd, command_timeout=1) as transport:
        start = time.monotonic()
        result = transport.run(["sh", "-c", "sleep 61 & echo $!; yes >&2"])
        assert time.monotonic() - start < 2
        assert result.timed_out and result.exit_status is None
        child = int(result.stdout)
        deadline = time.monotonic() + 3
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child)
        assert transport.run(["true"]).ok
