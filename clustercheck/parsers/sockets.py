"""A node's listening TCP sockets: the LISTEN lines of `ss -tnpH` (iproute2), else /proc/net/tcp
and tcp6 (the kernel's own table, no owner), or Windows' Get-NetTCPConnection; and its
established connections (the ESTAB lines of the same ss, or the same /proc tables). Addresses
come out as Python's ipaddress writes them, an IPv4-mapped IPv6 address as its IPv4 address (a
JVM binding 10.0.0.5 on a dual-stack socket shows as [::ffff:10.0.0.5]) and ss's `*` as `::`.
Never raises."""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass

_USERS_PID = re.compile(r"pid=(\d+)")
_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's st column (include/net/tcp_states.h)
_ESTABLISHED = "01"  # TCP_ESTABLISHED, likewise


@dataclass(frozen=True)
class Bound:
    """A listening socket: the address as bound, the port, the owning process when told."""

    address: str
    port: int
    pid: int | None = None


@dataclass(frozen=True)
class Link:
    """An established connection: local address and port, remote address and port."""

    local: str
    local_port: int
    remote: str
    remote_port: int


# a node's tables repeat a few addresses in every line, each parsed by ipaddress once
@functools.lru_cache(maxsize=4096)
def normal_address(text: str) -> str | None:
    """An address as the tables write it ("10.0.0.5", "[::1]", "*", "fe80::1%eth0") in one
    form; None when it is no address."""
    text = text.strip().strip("[]")
    if text == "*":
        return "::"
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def parse_ss(text: str) -> tuple[Bound, ...]:
    """Lines of `ss -ltnH` (with -p: `users:(("java",pid=812,fd=40))`): state, queues, local
    address:port, peer, owners."""
    found: dict[Bound, None] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[0] != "LISTEN":
            continue
        host, _, port = fields[3].rpartition(":")
        address = normal_address(host)
        if address is None or not port.isdigit():
            continue
        owners = _USERS_PID.findall(" ".join(fields[5:]))
        pids: list[int | None] = [int(p) for p in owners] or [None]
        for pid in dict.fromkeys(pids):  # a socket shared by httpd's parent and its children
            found[Bound(address, int(port), pid)] = None
    return tuple(found)


def parse_ss_established(text: str) -> tuple[Link, ...]:
    """The ESTAB lines of `ss -tnH` (state, queues, local, peer)."""
    found: dict[Link, None] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 5 or fields[0] != "ESTAB":
            continue
        fields = fields[1:]
        local, remote = _endpoint(fields[2]), _endpoint(fields[3])
        if local and remote:
            found[Link(*local, *remote)] = None
    return tuple(found)


def _endpoint(text: str) -> tuple[str, int] | None:
    host, _, port = text.rpartition(":")
    address = normal_address(host)
    return (address, int(port)) if address is not None and port.isdigit() else None


def parse_proc_established(text: str) -> tuple[Link, ...]:
    """The established connections of /proc/net/tcp and tcp6 (`sl local rem st ...`)."""
    found: dict[Link, None] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[3] != _ESTABLISHED:
            continue
        local, remote = _hex_endpoint(fields[1]), _hex_endpoint(fields[2])
        if local and remote:
            found[Link(*local, *remote)] = None
    return tuple(found)


def _hex_endpoint(text: str) -> tuple[str, int] | None:
    hexaddr, _, hexport = text.partition(":")
    address = _hex_address(hexaddr)
    try:
        port = int(hexport, 16)
    except ValueError:
        return None
    return None if address is None else (address, port)


def parse_proc_net_tcp(text: str) -> tuple[Bound, ...]:
    """/proc/net/tcp and /proc/net/tcp6 lines: `sl local_address rem_address st ...` with the
    address in hex, each 32-bit word in the host's byte order (little-endian on x86 and arm)."""
    found: dict[Bound, None] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[3] != _LISTEN:
            continue
        endpoint = _hex_endpoint(fields[1])
        if endpoint is not None:
            found[Bound(*endpoint)] = None
    return tuple(found)


def _hex_address(text: str) -> str | None:
    if len(text) not in (8, 32):
        return None
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        return None
    swapped = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return normal_address(str(ipaddress.ip_address(swapped)))


def parse_windows_listeners(items: object) -> tuple[Bound, ...]:
    """The `listeners` list of the Windows runtime script (Get-NetTCPConnection -State Listen:
    LocalAddress, LocalPort, OwningProcess)."""
    found: dict[Bound, None] = {}
    for item in items if isinstance(items, list) else [items]:
        if not isinstance(item, dict):
            continue
        address = normal_address(str(item.get("address", "")))
        port, pid = item.get("port"), item.get("pid")
        if address is not None and isinstance(port, int):
            found[Bound(address, port, pid if isinstance(pid, int) else None)] = None
    return tuple(found)
