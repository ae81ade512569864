"""What should listen on a Tomcat node, as its server.xml says, and which nodes' Tomcat is known
not to run: the one cause that other checks name instead of its symptoms."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from clustercheck.derive.cluster_config import WILDCARD_ADDRESSES, receiver_bind, started_clusters
from clustercheck.derive.connector import bind_address
from clustercheck.derive.targets import listening_port
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.knowledge.tomcat import RECEIVER_DEFAULTS
from clustercheck.parsers.serverxml import ServerXml

NOT_RUNNING = "{} is not running (CC801)"  # what a check says instead of a stopped node's symptom

ANY = "any"  # an address the node resolves itself (a name, "auto"): any address is taken
LOOPBACK = "loopback"  # Tomcat's loopback default: 127.0.0.1, or ::1 when the JVM prefers IPv6
WILDCARD = "wildcard"  # all addresses: 0.0.0.0, or :: on a dual-stack JVM


@dataclass(frozen=True)
class Expected:
    """A socket server.xml says Tomcat listens on: which element, the ports it may take (a
    Receiver takes the first free one of [port, port+autoBind)), and the address, as written
    and as matched."""

    kind: str  # "HTTP", "AJP", "Receiver"
    ports: range
    written: str | None  # the address attribute as written; None: the default
    address: str  # WILDCARD, LOOPBACK, ANY, or one normalised address
    file: str
    line: int

    @property
    def port(self) -> int:
        return self.ports.start

    def describe(self) -> str:
        """`AJP 8009 on 10.0.0.5`, `Receiver 4000-4099 on auto` (the address as written),
        `HTTP 8080 on *`, `AJP 8009 on the loopback address` (Tomcat's defaults)."""
        last = self.ports.stop - 1
        port = f"{self.port}" if last == self.port else f"{self.port}-{last}"
        default = {WILDCARD: "*", LOOPBACK: "the loopback address"}.get(self.address)
        return f"{self.kind} {port} on {self.written or default or self.address}"


def stopped_tomcats(cluster: ClusterFacts) -> frozenset[str]:
    """Tomcat nodes whose process table was read (this run or in a snapshot) and holds no JVM
    for their catalina.base."""
    return frozenset(
        node.name
        for node in cluster.tomcats
        if node.reachable
        and (runtime := node.live.runtime) is not None
        and runtime.processes_error is None
        and runtime.tomcat is None
    )


def expected_listeners(node: NodeFacts, server: ServerXml) -> list[Expected]:
    """Every Connector with a port (portOffset included) and the Receiver of the Cluster Tomcat
    starts, each with the address it binds as its Tomcat version reads it."""
    version = node.tomcat.version if node.tomcat else None
    found = []
    for connector in server.connectors:
        port = listening_port(connector)
        if port is None or port <= 0:  # not a number, or none to bind (0: any free port)
            continue
        kind = "AJP" if connector.is_ajp else "HTTP"
        written = connector.address
        found.append(
            Expected(
                kind,
                range(port, port + 1),
                written,
                _address(node, written, bind_address(connector, version)),
                server.path,
                connector.line,
            )
        )
    clusters = started_clusters(server)
    if clusters:
        cluster = clusters[0]
        address, port = receiver_bind(cluster)
        attrs = cluster.receiver.attrs if cluster.receiver else {}
        line = cluster.receiver.line if cluster.receiver else cluster.line
        # ReceiverBase.bind tries port, port+1, ... autoBind times and keeps the first free one
        # (tomcat.apache.org config/cluster-receiver.html: "autoBind", default 100)
        tries = _int(attrs.get("autoBind", RECEIVER_DEFAULTS["autoBind"]))
        if port is not None and port > 0:
            written = attrs.get("address", RECEIVER_DEFAULTS["address"])
            where = ANY if address.lower() == "auto" else _address(node, written, address)
            ports = range(port, port + max(tries or 1, 1))
            found.append(Expected("Receiver", ports, written, where, server.path, line))
    return found


def _address(node: NodeFacts, written: str | None, used: str | None) -> str:
    """The address matched against the socket table: an IP as the tables write it, the
    wildcard or the loopback default, a name through the node's hosts file; else ANY."""
    if used is None:
        return ANY  # an AJP default that depends on an unknown version
    if written is None and used == "127.0.0.1":
        return LOOPBACK
    if used.lower() in WILDCARD_ADDRESSES:
        return WILDCARD
    try:
        return str(ipaddress.ip_address(used.strip("[]")))
    except ValueError:
        pass
    if used.lower() == "localhost":
        return LOOPBACK
    entries = node.hosts.lookup(used) if node.hosts else ()
    return entries[0].address if entries else ANY


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
