"""Which Tomcat node each front-end member points at (DESIGN §2), as a pure function of the
facts.

A member's host (a mod_jk worker's, a BalancerMember's) is resolved against the inventory:
`localhost` or a loopback address means the apache node's own host; otherwise the Tomcat node whose
inventory host, name, or one of its own interface addresses (gathered live) equals it; DNS answers
gathered by the engine come last and are said so. Several Tomcats may share a host, so the port
picks among them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clustercheck.derive.capacity import httpd_capacity
from clustercheck.derive.frontend import Balancer, FrontEnd, Member
from clustercheck.derive.frontend_jk import jk_front_end
from clustercheck.derive.frontend_proxy import proxy_front_end
from clustercheck.facts.cluster import ClusterFacts, NodeFacts

if TYPE_CHECKING:
    from clustercheck.parsers.serverxml import Connector

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


@dataclass(frozen=True)
class MemberTarget:
    """One AJP member in use by one front end and the Tomcat node it points at."""

    front_end: FrontEnd
    member: Member
    balancer: Balancer | None  # the balancer it is a member of, or None when mapped directly
    candidates: tuple[NodeFacts, ...]  # Tomcat nodes on that host
    how: str  # how the host was matched: "inventory host", "interface address", "DNS", ...
    node: NodeFacts | None  # the Tomcat node with an AJP connector on that port
    connector: Connector | None
    left_out: str | None = None  # no candidate: the Tomcat node of that host --limit left out

    @property
    def apache(self) -> NodeFacts:
        return self.front_end.node

    @property
    def host(self) -> str:
        return self.member.host.value

    @property
    def port(self) -> int:
        return self.member.port.value

    @property
    def name(self) -> str:
        """`worker tomcat01 (10.0.0.2:8009)`: how a message names the member and its address."""
        return f"{self.member.label} ({self.host}:{self.port})"

    @property
    def same_host(self) -> bool:
        """Whether the member's Tomcat runs on the apache node's own host (a loopback address,
        the same inventory host, or one of the apache node's addresses): no network between."""
        apache = self.apache
        if is_loopback(self.host) or self.host in apache.live.addresses:
            return True
        return self.node is not None and self.node.settings.host == apache.settings.host


def is_loopback(host: str) -> bool:
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def identities(node: NodeFacts) -> set[str]:
    return {node.settings.host.lower(), node.name.lower()}


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


def front_ends(cluster: ClusterFacts) -> list[FrontEnd]:
    """Every reachable apache node's front ends: mod_jk, mod_proxy, or both."""
    found = []
    for apache in cluster.apaches:
        capacity = httpd_capacity(apache)
        for build in (jk_front_end, proxy_front_end):
            front_end = build(apache, capacity)
            if front_end is not None:
                found.append(front_end)
    return found


def member_targets(cluster: ClusterFacts, ends: Sequence[FrontEnd]) -> list[MemberTarget]:
    """Every AJP member in use of every front end, matched to a Tomcat node (checks get it once
    per run from Derived.targets)."""
    index = _HostIndex(cluster)
    left_out = {
        name: n.name
        for n in cluster.left_out
        if n.has_role("tomcat")
        for name in (n.host.lower(), n.name.lower())
    }
    found = []
    for front_end in ends:
        for member, balancer in front_end.members:
            host = member.host.value
            candidates, how = index.find(front_end.node, host, cluster.dns)
            node, connector = _by_port(candidates, member.port.value)
            unjudged = None if candidates else left_out.get(host.lower().strip("[]"))
            found.append(
                MemberTarget(
                    front_end, member, balancer, tuple(candidates), how, node, connector, unjudged
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
