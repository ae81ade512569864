"""Capturing Tribes heartbeats on a node during one window, in two views at once:

- the wire: tcpdump (immediate mode) streaming a pcap back over the open connection, read with
  scapy here; it sees packets before the host firewall does;
- the socket: a receiver joined to the group as Tomcat joins it (SO_REUSEADDR beside Tomcat's
  own socket), which receives only what the host lets through.

Every node captures during the same window, so a run pays one window, not one per node.
"""

from __future__ import annotations

import ipaddress
import json
import sys
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from clustercheck.collect.transports.base import Transport, TransportError
from clustercheck.facts.multicast import CaptureView, LocalListen, MulticastCapture
from clustercheck.facts.record import from_json
from clustercheck.parsers.pcap import Datagram, read_pcap
from clustercheck.parsers.tribes import repeat_key

MAX_CAPTURE_BYTES = 4 * 1024 * 1024
_GRACE_S = 10.0  # over the window, for the commands to start and stop

# Runs on the node: argv = group port bind window; one JSON line per datagram received. Output
# is block-buffered (it exits by itself after the window): a flush per line costs an SSH packet
# per heartbeat, 80,000 of them in a window over 100 nodes.
SOCKET_RECEIVER = r"""
import json, socket, struct, sys, time
group, port, bind, window = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
except (AttributeError, OSError):
    pass
s.bind((group, port))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(bind)))
end = time.time() + window
while True:
    left = end - time.time()
    if left <= 0:
        break
    s.settimeout(left)
    try:
        data, (src, sport) = s.recvfrom(65535)
    except socket.timeout:
        break
    print(json.dumps({"time": time.time(), "src": src, "sport": sport, "payload": data.hex()}))
"""


def valid_group(address: str, port: int) -> bool:
    """Only an IPv4 multicast literal and a real port reach a capture filter."""
    try:
        return ipaddress.IPv4Address(address).is_multicast and 0 < port < 65536
    except ValueError:
        return False


def capture(
    transport: Transport, group: tuple[str, int], bind: str | None, window_s: float
) -> MulticastCapture:
    """Both views on one node, at the same time; each may fail on its own, with its reason."""
    views: dict[str, CaptureView] = {}
    threads = [
        threading.Thread(target=lambda: views.update(wire=_wire(transport, group, window_s))),
        threading.Thread(
            target=lambda: views.update(socket=_socket(transport, group, bind, window_s))
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = CaptureView(error="the capture failed")
    return MulticastCapture(group, window_s, views.get("wire", failed), views.get("socket", failed))


def _wire(transport: Transport, group: tuple[str, int], window_s: float) -> CaptureView:
    address, port = group
    # --immediate-mode: no batching in the kernel. No -U: tcpdump's buffered writes (flushed on
    # the SIGTERM from timeout) cost a few SSH packets instead of one per heartbeat.
    argv = [
        "timeout",
        f"{window_s:g}",
        "tcpdump",
        "--immediate-mode",
        "-n",
        "-i",
        "any",
        "-w",
        "-",
        f"udp and dst host {address} and dst port {port}",
    ]
    try:
        result = transport.run(argv, timeout=window_s + _GRACE_S)
    except TransportError as exc:
        return CaptureView(error=str(exc))
    if not result.stdout:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        return CaptureView(
            error=(reason[-1] if reason else "no capture")
            + (" (tcpdump needs root: set ssh.become)" if "ermission" in str(reason) else "")
        )
    datagrams, problems = read_pcap(result.stdout[:MAX_CAPTURE_BYTES])
    return CaptureView(collapse_repeats(datagrams), problems=tuple(problems))


def _socket(
    transport: Transport,
    group: tuple[str, int],
    bind: str | None,
    window_s: float,
    python: str = "python3",
) -> CaptureView:
    address, port = group
    argv = [
        python,
        "-c",
        SOCKET_RECEIVER,
        address,
        str(port),
        bind or "0.0.0.0",
        f"{window_s:g}",
    ]
    try:
        result = transport.run(argv, timeout=window_s + _GRACE_S)
    except TransportError as exc:
        return CaptureView(error=str(exc))
    if result.exit_status != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        return CaptureView(error=lines[-1] if lines else "receiver failed")
    received = []
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        try:  # the node prints it: types and ranges are checked as a snapshot's are
            data = {**json.loads(line), "dst": address, "dport": port}
            received.append(from_json(Datagram, data))
        except (ValueError, TypeError):  # RecordError is a ValueError
            continue
    return CaptureView(collapse_repeats(received))


def listen_locally(interface: str, group: tuple[str, int], window_s: float) -> LocalListen:
    """The socket view from clustercheck's own machine, on `interface` (a name or an IPv4
    address): no root needed, so it works where clustercheck sits in the cluster's network."""
    from clustercheck.collect.transports.localfs import LocalTransport

    local = LocalTransport()
    address = interface if _is_ipv4(interface) else _interface_address(local, interface)
    if address is None:
        return LocalListen(
            interface, CaptureView(error=f"interface {interface} has no IPv4 address")
        )
    return LocalListen(interface, _socket(local, group, address, window_s, python=sys.executable))


def _is_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _interface_address(local: Transport, name: str) -> str | None:
    result = local.run(["ip", "-o", "-4", "addr", "show", "dev", name], timeout=10)
    words = result.stdout.decode("utf-8", "replace").split()
    if result.ok and "inet" in words:
        return words[words.index("inet") + 1].split("/")[0]
    return None


def collapse_repeats(datagrams: Iterable[Datagram]) -> tuple[Datagram, ...]:
    """One datagram per sender, addressing and member state: the latest, with how many it
    stands for. What the judgement needs, in a record per member instead of one per heartbeat
    (a window over 100 nodes sees 100 x 100 x 8 of them, on every node, and a snapshot keeps
    them)."""
    latest: dict[tuple[str, int, str, int, bytes], Datagram] = {}
    counts: Counter[tuple[str, int, str, int, bytes]] = Counter()
    for datagram in datagrams:
        key = (
            datagram.src,
            datagram.sport,
            datagram.dst,
            datagram.dport,
            repeat_key(datagram.payload),
        )
        counts[key] += datagram.repeats
        if key not in latest or datagram.time >= latest[key].time:
            latest[key] = datagram
    return tuple(replace(latest[key], repeats=counts[key]) for key in latest)
