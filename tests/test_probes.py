"""The node-side probes, run for real through the local transport against small TCP peers that
behave like the cases a balancer meets: a working AJP connector, nothing listening, a port that
accepts and stays silent (a connector that failed to start), and an HTTP port."""

from __future__ import annotations

import base64
import shutil
import socket
import threading
from collections.abc import Iterator

import pytest
from support import need

from clustercheck.collect import probes
from clustercheck.collect.transports.localfs import LocalTransport
from clustercheck.facts.probes import Outcome


class Peer:
    """A listening socket on 127.0.0.1 that answers each connection with `reply` (None: silent)."""

    def __init__(self, reply: bytes | None) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            if self.reply is not None:
                conn.recv(16)
                conn.sendall(self.reply)

    def close(self) -> None:
        for conn in self.conns:
            conn.close()
        self.sock.close()


@pytest.fixture
def peers() -> Iterator[dict[str, int]]:
    made = {"ajp": Peer(probes.CPONG), "silent": Peer(None), "http": Peer(b"HTTP/1.1 400 \r\n\r\n")}
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    ports = {name: p.port for name, p in made.items()}
    ports["closed"] = closed.getsockname()[1]
    closed.close()  # bound then closed: nothing listens there
    yield ports
    for peer in made.values():
        peer.close()


EXPECTED_CPING = {
    "ajp": Outcome.CPONG,
    "silent": Outcome.NO_REPLY,
    "http": Outcome.NOT_AJP,
    "closed": Outcome.REFUSED,
}


@pytest.mark.parametrize("flavour", ["python3", "bash"])
def test_cping_from_a_node_tells_every_case_apart(peers: dict[str, int], flavour: str) -> None:
    need(shutil.which(flavour) is not None, f"{flavour} not installed")
    targets = [("127.0.0.1", port) for port in peers.values()]
    result = LocalTransport().run(probes.command(flavour, "cping", 1.0, targets), timeout=30)
    text = result.stdout.decode()
    found = (
        probes.parse_json_lines(text, "n1")
        if flavour == "python3"
        else probes.parse_bash(text, "cping", "n1", targets)
    )
    by_port = {r.port: r.result for r in found}
    assert by_port == {peers[name]: expected for name, expected in EXPECTED_CPING.items()}


def test_tcp_mode_only_connects(peers: dict[str, int]) -> None:
    found = probes.probe_from(
        LocalTransport(),
        "n1",
        "tcp",
        [("127.0.0.1", peers["silent"]), ("127.0.0.1", peers["closed"])],
        1.0,
    )
    assert [r.result for r in found or []] == [Outcome.OPEN, Outcome.REFUSED]


def test_probe_from_clustercheck_itself_gives_the_same_answers(peers: dict[str, int]) -> None:
    found = probes.probe_locally("cping", [("127.0.0.1", p) for p in peers.values()], 1.0)
    assert {r.port: r.result for r in found} == {
        peers[name]: expected for name, expected in EXPECTED_CPING.items()
    }
    assert all(r.origin == "clustercheck" for r in found)


def test_targets_are_arguments_never_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A hostile host name from the inventory stays one literal argument."""
    marker = tmp_path / "pwned"
    hostile = f"x; touch {marker}; $(touch {marker})"
    for flavour in ("python3", "bash"):
        argv = probes.command(flavour, "tcp", 0.5, [(hostile, 1)])
        assert hostile in argv and all(hostile not in part for part in argv[:3])
        LocalTransport().run(argv, timeout=10)
    assert not marker.exists()


def test_powershell_command_carries_targets_as_arguments() -> None:
    """The script and its targets travel as one base64 word (-EncodedCommand), the targets as
    PowerShell string literals after the script block: the same through cmd.exe or PowerShell."""
    argv = probes.command("powershell", "cping", 2, [("10.0.0.5", 8009)])
    assert argv[:4] == ["powershell", "-NoProfile", "-NonInteractive", "-EncodedCommand"]
    script = base64.b64decode(argv[4]).decode("utf-16-le")
    assert script == "& {" + probes.POWERSHELL_PROBE + "} 'cping' '2' '10.0.0.5' '8009'"


def test_a_target_that_is_not_a_host_is_not_probed() -> None:
    """Hosts come from the nodes' configurations: only a host name or address is probed."""
    found = probes.probe_locally("tcp", [("x; touch /tmp/pwned", 1), ("host:8009", 8009)], 0.1)
    assert [(r.result, r.detail) for r in found] == [
        (Outcome.ERROR, "not a host name and port: not probed")
    ] * 2


@pytest.mark.parametrize(
    ("lines", "result", "ms"),
    [
        ("0 c 310\n0 r 2247 41 42 00 01 09", Outcome.CPONG, 2.247),
        ("0 c 310\n0 t 1001694", Outcome.NO_REPLY, 1001.694),
        ("0 c 310", Outcome.NO_REPLY, 0.31),
        ("0 x Connection refused", Outcome.REFUSED, None),
        ("0 x No route to host", Outcome.ERROR, None),
        ("0 c 310\n0 r 1825 48 54 54 50 2f", Outcome.NOT_AJP, 1.825),
        ("0 c 310\n0 r 400", Outcome.CLOSED, 0.4),
        ("", Outcome.CONNECT_TIMEOUT, None),
        ("0 c -\n0 r - 41 42 00 01 09", Outcome.CPONG, None),  # bash 4: no $EPOCHREALTIME
    ],
)
def test_bash_output_lines(lines: str, result: Outcome, ms: float | None) -> None:
    (found,) = probes.parse_bash(lines + "\n", "cping", "n1", [("10.0.0.5", 8009)])
    assert (found.host, found.port, found.result, found.ms) == ("10.0.0.5", 8009, result, ms)


def test_bash_tcp_mode_is_open_once_connected() -> None:
    found = probes.parse_bash("1 c 90\n", "tcp", "n1", [("10.0.0.5", 4000), ("10.0.0.6", 4000)])
    assert [(r.host, r.result) for r in found] == [
        ("10.0.0.5", Outcome.CONNECT_TIMEOUT),
        ("10.0.0.6", Outcome.OPEN),
    ]


def test_json_lines_with_junk_are_skipped() -> None:
    text = 'Picked up _JAVA_OPTIONS\n{"host": "h", "port": 1, "result": "open", "ms": 1.5}\n{bad\n'
    assert [r.result for r in probes.parse_json_lines(text, "n1")] == ["open"]


class Recording(LocalTransport):
    """The local transport, remembering what it ran."""

    def __init__(self) -> None:
        super().__init__()
        self.ran: list[str] = []

    def run(self, argv, *, timeout=None, stdin=None):  # type: ignore[no-untyped-def]
        self.ran.append(argv[0])
        return super().run(argv, timeout=timeout, stdin=stdin)


@pytest.mark.parametrize(("count", "first"), [(2, "bash"), (probes.BASH_MOST + 1, "python3")])
def test_bash_probes_a_few_targets_and_python3_many(
    peers: dict[str, int], count: int, first: str
) -> None:
    need(shutil.which("python3") is not None, "python3 not installed")
    transport = Recording()
    found = probes.probe_from(transport, "n1", "tcp", [("127.0.0.1", peers["silent"])] * count, 1.0)
    assert transport.ran[0] == first
    assert [r.result for r in found or []] == [Outcome.OPEN] * count
