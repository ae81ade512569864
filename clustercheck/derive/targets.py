"""Which Tomcat node a mod_jk worker points at (DESIGN §2), as a pure function of the facts.

A worker's host is resolved against the inventory: `localhost` or a loopback address means the
apache node's own host; otherwise the Tomcat node whose inventory host, name, or one of its own
interface addresses (gathered live) equals it; DNS answers gathered by the engine come last and
are said so. Several Tomcats may share a host, so the port picks among them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.knowledge.modjk import AJP_TYPES

if TYPE_CHECKING:
    from clustercheck.parsers.serverxml import Connector
    from clustercheck.parsers.workers import Worker, WorkersFile

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


@dataclass(frozen=True)
class WorkerTarget:
    """One AJP worker in use on one apache node and what it points at."""

    apache: NodeFacts
    worker: Worker
    host: str
    port: int
    balancer: str | None  # the lb worker it is a member of, or None when mapped directly
    candidates: tuple[NodeFacts, ...]  # Tomcat nodes on that host
    how: str  # how the host was matched: "inventory host", "interface address", "DNS", ...
    node: NodeFacts | None  # the Tomcat node with an AJP connector on that port
    connector: Connector | None


def is_loopback(host: str) -> bool:
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def identities(node: NodeFacts) -> set[str]:
    return {node.settings.host.lower(), node.name.lower()}


def used_ajp_workers(workers: WorkersFile) -> Iterator[tuple[Worker, str | None]]:
    """AJP workers mod_jk instantiates and that connect somewhere: those in worker.list, and
    members of lbs in it. Templates only reached through `reference` are not workers of their
    own; a worker mod_jk disables (port 0, a host that cannot resolve: CC603 says so) points at
    no Tomcat, so no connector is expected for it and no probe goes to it."""
    seen: set[str] = set()
    for name, _line in workers.worker_list:
        worker = workers.workers.get(name)
        if worker is None:
            continue
        if worker.type == "lb":
            for member in worker.members:
                target = workers.workers.get(member)
                if target is not None and member not in seen and _connects(target):
                    seen.add(member)
                    yield target, name
        elif _connects(worker) and name not in seen:
            seen.add(name)
            yield worker, None


def _connects(worker: Worker) -> bool:
    return worker.type in AJP_TYPES and not worker.disabled


class _HostIndex:
    """The Tomcat nodes by each way a worker's host can name them, built once."""

    def __init__(self, cluster: ClusterFacts) -> None:
        self.tomcats = cluster.with_role("tomcat", reachable_only=False)
        self.by_identity: dict[str, list[NodeFacts]] = {}
        self.by_interface: dict[str, list[NodeFacts]] = {}
        self.by_dns: dict[str, list[NodeFacts]] = {}
        for node in self.tomcats:
            for name in identities(node):
                self.by_identity.setdefault(name, []).append(node)
            for address in node.live.addresses:
                self.by_interface.setdefault(address, []).append(node)
            for address in {
                node.settings.host,
                *node.live.addresses,
                *cluster.dns.get(node.settings.host, []),
            }:
                self.by_dns.setdefault(address, []).append(node)

    def find(
        self, apache: NodeFacts, host: str, dns: dict[str, list[str]]
    ) -> tuple[list[NodeFacts], str]:
        wanted = host.lower().strip("[]")
        if is_loopback(wanted):
            own = identities(apache) | set(apache.live.addresses)
            return _unique(
                [n for key in own for n in self.by_identity.get(key, [])]
                + [n for a in apache.live.addresses for n in self.by_identity.get(a, [])]
            ), "the apache node's own host"
        if wanted in self.by_identity:
            return self.by_identity[wanted], "inventory host"
        if wanted in self.by_interface:
            return self.by_interface[wanted], "interface address"
        return _unique([n for a in dns.get(host, []) for n in self.by_dns.get(a, [])]), "DNS"


def _unique(nodes: list[NodeFacts]) -> list[NodeFacts]:
    return list({id(n): n for n in nodes}.values())


def worker_targets(cluster: ClusterFacts) -> list[WorkerTarget]:
    """Every used AJP worker of every reachable apache node, matched to a Tomcat node (checks
    get it once per run from Derived.targets)."""
    index = _HostIndex(cluster)
    found = []
    for apache in cluster.apaches:
        workers = apache.apache.workers if apache.apache else None
        if workers is None:
            continue
        for worker, balancer in used_ajp_workers(workers):
            host = worker.host or "localhost"
            port = worker.port if worker.port is not None else AJP_TYPES[str(worker.type)]
            candidates, how = index.find(apache, host, cluster.dns)
            node, connector = _by_port(candidates, port)
            found.append(
                WorkerTarget(
                    apache, worker, host, port, balancer, tuple(candidates), how, node, connector
                )
            )
    return found


def listening_port(connector: Connector) -> int | None:
    """The port Tomcat really binds: the Server's portOffset included."""
    return connector.effective_port if connector.effective_port is not None else connector.port


def _by_port(candidates: list[NodeFacts], port: int) -> tuple[NodeFacts | None, Connector | None]:
    for node in candidates:
        server = node.tomcat.server if node.tomcat else None
        for connector in server.ajp_connectors if server else []:
            if listening_port(connector) == port:
                return node, connector
    return None, None
