"""Static membership: each node's list of members (StaticMembershipService, Tomcat 9.0.11+, or
the older StaticMembershipInterceptor recipe), each entry matched to the inventory node whose
Receiver it names, and who really talks to whom, from the nodes' socket tables.

Shared by CC506 (which judges it), the receiver probes' plan (a member sends where its own list
says, not where the peer listens) and the static matrix view. Pure: names are resolved with the
node's own hosts file (derive/addresses.py), never by asking DNS here.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from clustercheck.derive.addresses import Answers, lookup
from clustercheck.derive.cluster_config import (
    WILDCARD_ADDRESSES,
    receiver_bind,
    receiver_endpoint,
    start_options,
    started_clusters,
)
from clustercheck.engine.results import Status
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.knowledge.classes import INT_RANGE, byte_list, java_integer, property_value
from clustercheck.knowledge.resolvers import literal
from clustercheck.knowledge.tomcat import (
    MCAST_SERVICE,
    STATIC_MEMBERSHIP_INTERCEPTOR,
    STATIC_MEMBERSHIP_SERVICE,
    ChannelStart,
)
from clustercheck.parsers.serverxml import ClusterConfig, Component

SERVICE = "StaticMembershipService"
INTERCEPTOR = "StaticMembershipInterceptor"


@dataclass(frozen=True)
class Entry:
    """One `<Member>` (or `<LocalMember>`) of a node's list, and whose receiver it names."""

    element: Component
    host: str  # as written ("" when missing)
    port: int | None  # None: missing or not a number
    unique_id: str | None  # as written
    addresses: tuple[str, ...]  # what the host is, on the listing node ((): not known)
    peer: str | None  # the inventory node whose receiver address it names
    why: str  # how the host was read: "10.0.0.2", "node2 = 10.0.0.2 (/etc/hosts:3 on n1)"

    @property
    def shown(self) -> str:
        return f"{self.host or '?'}:{self.port if self.port is not None else '?'}"

    @property
    def loopback(self) -> bool:
        return any(ipaddress.ip_address(a).is_loopback for a in self.addresses)


@dataclass(frozen=True)
class StaticList:
    """A node's static membership as its started Cluster configures it."""

    node: str
    kind: str  # SERVICE or INTERCEPTOR
    element: Component  # the <Membership> or the <Interceptor>
    members: tuple[Entry, ...]
    local: Entry | None  # <LocalMember>
    options: ChannelStart
    multicast: bool  # McastService is the Channel's membership too (the interceptor recipe)
    receiver: tuple[str, int] | None  # where this node's own Receiver listens
    path: str

    def entries_for(self, peer: str) -> list[Entry]:
        return [e for e in self.members if e.peer == peer]


def static_lists(cluster: ClusterFacts) -> dict[str, StaticList]:
    """Every Tomcat node whose started Cluster has a static membership, by node name."""
    receivers = {n.name: receiver_endpoint(n) for n in cluster.tomcats}
    names = {n.name: _names(n) for n in cluster.tomcats}
    found = {}
    for node in cluster.tomcats:
        server = node.tomcat.server if node.tomcat else None
        config = next(iter(started_clusters(server)), None) if server else None
        if server is None or config is None:
            continue
        static = _static(node, config, receivers, names, server.path)
        if static is not None:
            found[node.name] = static
    return found


def _static(
    node: NodeFacts,
    config: ClusterConfig,
    receivers: dict[str, tuple[str, int] | None],
    names: dict[str, set[str]],
    path: str,
) -> StaticList | None:
    membership = config.membership
    interceptor = next(
        (i for i in config.interceptors if i.class_name == STATIC_MEMBERSHIP_INTERCEPTOR), None
    )
    if membership is not None and membership.class_name == STATIC_MEMBERSHIP_SERVICE:
        kind, element = SERVICE, membership
    elif interceptor is not None:
        kind, element = INTERCEPTOR, interceptor
    else:
        return None
    prefix = element.path
    members = [m for m in config.members if m.path.startswith(prefix + "/")]
    local = config.local_member if kind == SERVICE else _interceptor_local(config, prefix)

    def entry(member: Component) -> Entry:
        return _entry(node, member, receivers, names)

    return StaticList(
        node=node.name,
        kind=kind,
        element=element,
        members=tuple(entry(m) for m in members if m.path.endswith("/Member")),
        local=entry(local) if local is not None else None,
        options=start_options(config),
        multicast=membership is None or membership.class_name == MCAST_SERVICE,
        receiver=receivers.get(node.name),
        path=path,
    )


def _interceptor_local(config: ClusterConfig, prefix: str) -> Component | None:
    """The interceptor's <LocalMember> (the parser keeps the Membership's only)."""
    return next((m for m in config.members if m.path == prefix + "/LocalMember"), None)


def _entry(
    node: NodeFacts,
    member: Component,
    receivers: dict[str, tuple[str, int] | None],
    names: dict[str, set[str]],
) -> Entry:
    host = (property_value(member.attrs, "host") or "").strip()
    port = java_integer(property_value(member.attrs, "port") or "", INT_RANGE)
    unique = property_value(member.attrs, "uniqueId")
    addresses, why = _resolve(node, host)
    said = {host.lower(), *addresses}
    owners = [name for name, known in names.items() if said & known]
    exact = [o for o in owners if (r := receivers.get(o)) is not None and r[1] == port]
    peer = next(iter(exact or owners), None)
    return Entry(member, host, port, unique, addresses, peer, why)


def _resolve(node: NodeFacts, host: str) -> tuple[tuple[str, ...], str]:
    """The host's addresses on the listing node: an address as written, else its hosts file."""
    if not host:
        return (), "no host"
    if host.startswith("{"):  # bytes, as StaticMember.setHost reads "{10,0,0,5}"
        raw = byte_list(host)
        if raw is None or len(raw) not in (4, 16):
            return (), f"{host} is no address"
        text = str(ipaddress.ip_address(bytes(b & 0xFF for b in raw)))
        return (text,), f"{host} = {text}"
    address = literal(host)
    if address is not None:
        return (address,), address
    answers = lookup(node, host)
    if isinstance(answers, Answers):
        return answers.addresses, f"{host} = {', '.join(answers.addresses)} ({answers.source})"
    return (), answers


def _names(node: NodeFacts) -> set[str]:
    """What a member entry may call this node's receiver: its Receiver address, and with
    `auto` or a wildcard the node's own names and addresses too (lower-case)."""
    server = node.tomcat.server if node.tomcat else None
    if not server or not server.clusters:
        return set()
    address = receiver_bind(server.clusters[0])[0].strip().lower()
    own = {node.settings.host.lower(), node.name.lower(), *node.live.addresses}
    if address in WILDCARD_ADDRESSES:
        return own - {"127.0.0.1", "::1", "localhost"}
    written = literal(address) or address
    return {written} | ({node.settings.host.lower()} if written in own else set())


# ------------------------------------------------------------------------------ live evidence


@dataclass(frozen=True)
class Talk:
    """Whether two members talk over Tribes, by the established TCP connections either one's
    socket table shows to the other's receiver port; None: neither table was read."""

    connected: bool | None
    seen: str  # "tomcat01:43512 -> tomcat02:4000 (tomcat01's table)" or why not known


def talks(cluster: ClusterFacts, a: str, b: str) -> Talk:
    """A connection between a and b to either one's receiver port, from either's table."""
    nodes = cluster.nodes
    read = False
    for here, there in ((a, b), (b, a)):
        runtime = nodes[here].live.runtime if here in nodes else None
        if runtime is None or runtime.connections is None:
            continue
        read = True
        ports = {p for n in (a, b) if (p := _receiver_port(cluster, n)) is not None}
        remote = _addresses(cluster, there)
        for c in runtime.connections:
            if c.remote in remote and (c.remote_port in ports or c.local_port in ports):
                arrow = (
                    f"{here}:{c.local_port} -> {there}:{c.remote_port}"
                    if c.remote_port in ports
                    else f"{there}:{c.remote_port} -> {here}:{c.local_port}"
                )
                return Talk(True, f"{arrow} ({here}'s socket table)")
    if not read:
        return Talk(None, f"neither {a}'s nor {b}'s socket table was read")
    return Talk(False, f"no TCP connection between {a} and {b} to either one's receiver")


def _receiver_port(cluster: ClusterFacts, name: str) -> int | None:
    endpoint = receiver_endpoint(cluster.nodes[name]) if name in cluster.nodes else None
    return endpoint[1] if endpoint else None


def _addresses(cluster: ClusterFacts, name: str) -> set[str]:
    node = cluster.nodes[name]
    found = {a for a in node.live.addresses}
    endpoint = receiver_endpoint(node)
    for text in (node.settings.host, endpoint[0] if endpoint else ""):
        address = literal(text)
        if address is not None:
            found.add(address)
    return found


# ----------------------------------------------------------------------------------- matrix


@dataclass(frozen=True)
class StaticPair:
    """Whether `lister` lists `peer` at the peer's receiver, whether the peer lists it, and
    whether they talk: one cell of the static matrix, with its verdict (CC506's, made here once
    for the check and every matrix). StaticMembershipProvider admits any member that pings it
    and replies with its own address, so one list naming the other at its receiver makes the two
    members: neither fails (they never are), only the peer's warns (they are members through the
    peer's pings only), and a listed pair without any connection warns (an idle cluster may
    have closed it; two members that never learnt of each other have none)."""

    lister: str
    peer: str
    listed: bool
    talk: Talk
    stopped: bool = False  # either Tomcat is not running (CC801): not judged
    listed_back: bool = False  # the peer's list names the lister at its receiver

    @property
    def status(self) -> Status:
        if self.stopped:
            return Status.SKIP
        if not self.listed:
            return Status.WARN if self.listed_back else Status.FAIL
        if self.talk.connected is None:
            return Status.SKIP
        return Status.PASS if self.talk.connected else Status.WARN


@dataclass(frozen=True)
class StaticView:
    """Every node's static list and every ordered pair of the nodes that have one."""

    lists: dict[str, StaticList]
    pairs: tuple[StaticPair, ...]

    @property
    def members(self) -> tuple[str, ...]:
        return tuple(self.lists)

    def pair(self, lister: str, peer: str) -> StaticPair | None:
        return next((p for p in self.pairs if (p.lister, p.peer) == (lister, peer)), None)


def static_view(cluster: ClusterFacts, stopped: frozenset[str]) -> StaticView | None:
    """None when no node uses static membership."""
    lists = static_lists(cluster)
    if not lists:
        return None

    def lists_right(a: str, b: str) -> bool:
        return any(listed_right(cluster, e, b) for e in lists[a].entries_for(b))

    pairs = tuple(
        StaticPair(
            a,
            b,
            listed=lists_right(a, b),
            talk=talks(cluster, a, b),
            stopped=bool({a, b} & stopped),
            listed_back=lists_right(b, a),
        )
        for a in lists
        for b in lists
        if a != b
    )
    return StaticView(lists, pairs)


def listed_right(cluster: ClusterFacts, entry: Entry, peer: str) -> bool:
    """Whether an entry names the peer's receiver: its address and its port."""
    endpoint = receiver_endpoint(cluster.nodes[peer]) if peer in cluster.nodes else None
    return entry.peer == peer and endpoint is not None and entry.port == endpoint[1]
