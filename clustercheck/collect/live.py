"""Facts only a live node can give, gathered over its already-open transport."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time

from clustercheck.collect.batch import Answers
from clustercheck.collect.clock import (
    DEFAULT_ENOUGH_MS,
    TIMESYNC_COMMANDS,
    sample_clock,
    time_sync,
)
from clustercheck.collect.jvm import gather_jvm
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.runtime import POSIX_COMMAND, gather_runtime
from clustercheck.collect.transports.base import Transport
from clustercheck.collect.transports.localfs import LocalTransport
from clustercheck.derive.targets import front_ends, is_loopback
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.live import LiveFacts
from clustercheck.inventory.settings import NodeSettings


def gather_live(
    transport: Transport,
    reader: NodeReader,
    node: NodeSettings,
    live: LiveFacts,
    clock_enough_ms: float = DEFAULT_ENOUGH_MS,
) -> None:
    """Phase 1's live facts: addresses, what runs (processes, sockets), the JVM that runs
    Tomcat, the clock (sampled until its bound is within `clock_enough_ms`) and its keeper."""
    live.clock, answers = sample_clock(transport, node, clock_enough_ms, together(node))
    if node.os == "linux":
        live.addresses = node_addresses(transport, answers)
    live.timesync = time_sync(transport, node, answers)
    running = gather_runtime(transport, node, answers, live.addresses)
    live.runtime = running.facts
    if node.has_role("tomcat"):
        live.jvm = gather_jvm(transport, reader, node, running)


ADDRESS_COMMANDS = (("ip", "-o", "addr", "show"), ("hostname", "-I"))


def together(node: NodeSettings) -> list[list[tuple[str, ...]]]:
    """The commands of phase 1's live facts asked in one exec on a POSIX node, the clock
    sampler's (the addresses' and the time keeper's alternatives, the process table and
    sockets); none elsewhere. The sampler runs as the login user: through `ssh.become` the
    process table and sockets are asked alone, through sudo (ss names the owners only to root)."""
    if node.os == "windows" or node.shell != "sh":
        return []
    groups = [list(ADDRESS_COMMANDS)] if node.os == "linux" else []
    groups.append([tuple(argv) for argv, _parse in TIMESYNC_COMMANDS])
    if not node.ssh.become:
        groups.append([POSIX_COMMAND])
    return groups


def node_addresses(transport: Transport, answers: Answers | None = None) -> list[str]:
    """The node's own interface addresses: workers.properties often names a node by an address
    the inventory does not use (the inventory has an ssh alias, the worker an IP). `answers`:
    what the node already said in a batch."""
    ip, hostname = ADDRESS_COMMANDS
    result = (answers or {}).get(ip) or transport.run(ip)
    if result.ok:
        return parse_ip_addr(result.stdout.decode("utf-8", "replace"))
    result = (answers or {}).get(hostname) or transport.run(hostname)
    return _valid(result.stdout.decode("utf-8", "replace").split()) if result.ok else []


def local_addresses() -> list[str]:
    """clustercheck's own machine's interface addresses: a member it runs on is no outsider
    (CC508)."""
    return node_addresses(LocalTransport(command_timeout=10.0))


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


# DNS is the last resort of matching workers to nodes: a workers file naming thousands of
# hosts gets this many looked up, a few at a time, within one deadline
MAX_DNS_NAMES = 256
DNS_THREADS = 8


def resolve_unmatched_worker_hosts(
    cluster: ClusterFacts,
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """DNS, as the last resort of worker-to-node matching: only hosts of the workers mod_jk
    creates that match no node by inventory host, name or interface address, only from live
    apache nodes (an offline run contacts nothing); at most MAX_DNS_NAMES of them, all within
    the apache nodes' command timeout. Returns the answers and, for each host left without
    one, why (CC101 says it cannot tell rather than that the host is no node)."""
    known = {n.settings.host.lower() for n in cluster.nodes.values()}
    known |= {n.name.lower() for n in cluster.nodes.values()}
    known |= {a for n in cluster.nodes.values() for a in n.live.addresses}
    ends = [end for end in front_ends(cluster) if not end.node.offline]
    hosts = sorted(
        {
            host
            for end in ends
            for member, _balancer in end.members
            if (host := member.host.value).lower() not in known
            and not is_loopback(host)
            and not _is_address(host)
        }
    )
    if not hosts:
        return {}, {}
    timeout = max(end.node.settings.ssh.command_timeout for end in ends)
    answers = _lookup_all(hosts[:MAX_DNS_NAMES], timeout)
    unasked = {host: f"more than {MAX_DNS_NAMES} names to look up" for host in hosts}
    unasked |= {host: f"no answer within {timeout:g} s" for host in hosts[:MAX_DNS_NAMES]}
    resolved = {host: addrs for host, addrs in answers.items() if addrs}
    return resolved, {host: why for host, why in unasked.items() if host not in answers}


def _lookup_all(hosts: list[str], timeout: float) -> dict[str, list[str]]:
    """Each host's addresses, looked up by a few daemon threads; hosts still pending at the
    deadline are left out. getaddrinfo cannot be cancelled: a stuck lookup's thread is given
    up on, not waited for, and takes no further host."""
    pending = list(reversed(hosts))
    answers: dict[str, list[str]] = {}
    lock = threading.Lock()
    finished = threading.Semaphore(0)
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            with lock:
                if not pending:
                    return
                host = pending.pop()
            addresses = _lookup(host)
            with lock:
                answers[host] = addresses
            finished.release()

    for _ in range(min(DNS_THREADS, len(hosts))):
        threading.Thread(target=work, name="dns", daemon=True).start()
    deadline = time.monotonic() + timeout
    for _ in hosts:
        if not finished.acquire(timeout=max(0.0, deadline - time.monotonic())):
            break
    stop.set()
    with lock:
        return dict(answers)


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
