"""Facts only a live node can give, gathered over its already-open transport."""

from __future__ import annotations

import ipaddress
import socket
from concurrent.futures import ThreadPoolExecutor

from clustercheck.collect.clock import sample_clock, time_sync
from clustercheck.collect.jvm import gather_jvm
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.base import Transport
from clustercheck.derive.targets import is_loopback
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.live import LiveFacts
from clustercheck.inventory.settings import NodeSettings


def gather_live(
    transport: Transport, reader: NodeReader, node: NodeSettings, live: LiveFacts
) -> None:
    """Phase 1's live facts: addresses, the JVM that runs Tomcat, the clock and its keeper."""
    if node.os == "linux":
        live.addresses = node_addresses(transport)
    live.clock = sample_clock(transport, node)
    live.timesync = time_sync(transport, node)
    if node.has_role("tomcat"):
        live.jvm = gather_jvm(transport, reader, node)


def node_addresses(transport: Transport) -> list[str]:
    """The node's own interface addresses: workers.properties often names a node by an address
    the inventory does not use (the inventory has an ssh alias, the worker an IP)."""
    result = transport.run(["ip", "-o", "addr", "show"])
    if result.ok:
        return parse_ip_addr(result.stdout.decode("utf-8", "replace"))
    result = transport.run(["hostname", "-I"])
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


def resolve_unmatched_worker_hosts(cluster: ClusterFacts) -> dict[str, list[str]]:
    """DNS, as the last resort of worker-to-node matching: only names that match no node by
    inventory host, name or interface address, only from live apache nodes (an offline run
    contacts nothing), and in parallel with a bound."""
    known = {n.settings.host.lower() for n in cluster.nodes.values()}
    known |= {n.name.lower() for n in cluster.nodes.values()}
    known |= {a for n in cluster.nodes.values() for a in n.live.addresses}
    hosts = sorted(
        {
            worker.host
            for node in cluster.apaches
            if not node.offline and node.apache and node.apache.workers
            for worker in node.apache.workers.workers.values()
            if worker.host
            and not worker.disabled  # no address to ask about ($(X) left, host:port, .invalid)
            and worker.host.lower() not in known
            and not is_loopback(worker.host)
            and not _is_address(worker.host)
        }
    )
    if not hosts:
        return {}
    with ThreadPoolExecutor(max_workers=min(8, len(hosts))) as pool:
        answers = dict(zip(hosts, pool.map(_lookup, hosts), strict=True))
    return {host: addrs for host, addrs in answers.items() if addrs}


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _lookup(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})
