"""Facts only a live node can give, gathered over its already-open transport."""

from __future__ import annotations

import ipaddress

from clustercheck.facts import LiveFacts
from clustercheck.settings import NodeSettings
from clustercheck.transports.base import Transport

ADDRESS_TIMEOUT_S = 10.0


def gather_live(transport: Transport, node: NodeSettings, live: LiveFacts) -> None:
    if node.os == "linux":
        live.addresses = node_addresses(transport)


def node_addresses(transport: Transport) -> list[str]:
    """The node's own interface addresses: workers.properties often names a node by an address
    the inventory does not use (the inventory has an ssh alias, the worker an IP)."""
    result = transport.run(["ip", "-o", "addr", "show"], timeout=ADDRESS_TIMEOUT_S)
    if result.ok:
        return parse_ip_addr(result.stdout.decode("utf-8", "replace"))
    result = transport.run(["hostname", "-I"], timeout=ADDRESS_TIMEOUT_S)
    return _valid(result.stdout.decode("utf-8", "replace").split()) if result.ok else []


def parse_ip_addr(text: str) -> list[str]:
    """Addresses from `ip -o addr show` lines: '2: eth0    inet 10.0.0.5/24 brd ...'."""
    found = []
    for line in text.splitlines():
        words = line.split()
        for family in ("inet", "inet6"):
            if family in words and words.index(family) + 1 < len(words):
                found.append(words[words.index(family) + 1].split("/")[0])
    return _valid(found)


def _valid(candidates: list[str]) -> list[str]:
    out = []
    for text in candidates:
        try:
            out.append(str(ipaddress.ip_address(text.split("%")[0])))
        except ValueError:
            continue
    return sorted(set(out), key=out.index)
