"""Who hears whom in Tribes multicast membership, judged from what each node captured.

Pure: the engine measures, this module explains. Tomcat hides a broken multicast (TCP
replication goes on, TcpFailureDetector keeps the member), so the judgement rests on where each
sender's heartbeats were seen and not seen (notes/lab.md §7): a sender missing from its own wire
is not sending (an OUTPUT drop, a stopped Tomcat); one on its own wire but missing from a
listener's is cut in the network; one on the listener's wire (tcpdump taps before netfilter)
but not in a socket joined to the group is dropped by the listener's host firewall.
"""

from __future__ import annotations

import functools
import ipaddress
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from clustercheck.engine.results import Status
from clustercheck.parsers.pcap import Datagram
from clustercheck.parsers.tribes import Heartbeat, Undecodable, decode_heartbeat

HEARD = "heard"
NOT_SENDING = "not sending (not on its own wire)"
CUT = (
    "cut in the network (seen leaving the sender's own network interface, never arriving at "
    "the listener's)"
)
HOST_DROP = (
    "dropped by the listener's host (seen arriving at the listener's network interface, never "
    "in its socket)"
)
OTHER_GROUP = "different group or port"
OTHER_DOMAIN = "different domain"
FORMATS = "Tomcat 6 and 7+ formats do not understand each other"
SHUT_DOWN = "shut down (BABY-ALEX seen)"
NO_CAPTURE = "no capture on the listener"
UNKNOWN_SENDER = "heard by nobody, and no capture on the sender to tell why"
NOT_RUNNING = "not running (CC801)"  # the sender's or the listener's Tomcat: not judged

WIRE = "wire"
SOCKET = "socket"


@dataclass(frozen=True)
class Capture:
    """What the engine measured on one node during the window. A node it could not measure
    still gets a Capture (wire and socket None) so that it appears in the matrix.
    Datagram.dst/dport must be where the datagram was addressed (the group), for the socket
    view too. receiver_port, when known, tells apart nodes that share an address."""

    node: str
    address: str | None
    wire: Sequence[Datagram] | None
    socket: Sequence[Datagram] | None
    group: tuple[str, int]
    domain: bytes | None
    tomcat_format: str | None
    receiver_port: int | None = None


@dataclass(frozen=True)
class Pair:
    """Whether the listener's Tomcat gets the sender's heartbeats, and the likeliest reason.
    A pair can be heard and still not fine ("different domain")."""

    listener: str
    sender: str
    heard: bool
    diagnosis: str

    @property
    def status(self) -> Status:
        """CC501's verdict on the pair, made here once for the check and every matrix: heard in
        another domain, or not heard because the member shut down during the window, is a
        warning; a listener that captured nothing could not judge."""
        if self.diagnosis == NOT_RUNNING:
            return Status.SKIP
        if self.heard:
            return Status.WARN if self.diagnosis == OTHER_DOMAIN else Status.PASS
        if self.diagnosis == SHUT_DOWN:
            return Status.WARN
        return Status.ERROR if self.diagnosis == NO_CAPTURE else Status.FAIL


@dataclass(frozen=True)
class MembershipView:
    """The judgement over one window. Heartbeats from an address shared by several nodes,
    without a receiver port to tell them apart, are `ambiguous` rather than guessed."""

    members: list[str]
    pairs: list[Pair]
    advertised: dict[str, Heartbeat]
    foreign: list[Heartbeat]
    undecodable: dict[str, int]
    loopback_advertisers: list[str]
    ambiguous: list[Heartbeat] = field(default_factory=list)


@dataclass(frozen=True)
class _Sighting:
    """One heartbeat as one node saw it, through one of its two views."""

    viewer: str
    view: str
    datagram: Datagram
    heartbeat: Heartbeat


@dataclass(frozen=True)
class _Evidence:
    """Everything the pair judgements need, computed once."""

    captures: dict[str, Capture]
    by_sender: dict[str, list[_Sighting]]
    advertised: dict[str, Heartbeat]
    # sender -> group its heartbeats went to -> the (viewer, view)s that saw them there
    views: dict[str, dict[tuple[str, int], set[tuple[str, str]]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for sender, sightings in self.by_sender.items():
            index = self.views.setdefault(sender, {})
            for s in sightings:
                index.setdefault(_destination(s.datagram), set()).add((s.viewer, s.view))


def judge_membership(
    captures: Sequence[Capture], node_addresses: Mapping[str, set[str]]
) -> MembershipView:
    """Every ordered pair of captured nodes, judged; plus who advertises what, and strangers."""
    by_node = {capture.node: capture for capture in captures}
    found = _attribute(by_node, _addresses(captures, node_addresses))
    latest = {node: _latest(seen) for node, seen in found.by_sender.items()}
    evidence = _Evidence(by_node, found.by_sender, {n: s.heartbeat for n, s in latest.items()})
    members = list(by_node)
    return MembershipView(
        members=members,
        pairs=[
            Pair(listener, sender, *_diagnose(listener, sender, evidence))
            for listener in members
            for sender in members
            if listener != sender
        ],
        advertised=evidence.advertised,
        foreign=_distinct(found.strangers),
        undecodable=dict(found.undecodable),
        loopback_advertisers=[
            node for node, seen in latest.items() if _misadvertises(seen, by_node.get(node))
        ],
        ambiguous=_distinct(found.ambiguous),
    )


def matrix(view: MembershipView) -> dict[str, dict[str, Pair]]:
    """{listener: {sender: pair}} for every member, the shape every matrix is drawn from."""
    table: dict[str, dict[str, Pair]] = {node: {} for node in view.members}
    for pair in view.pairs:
        table[pair.listener][pair.sender] = pair
    return table


@dataclass
class _Attribution:
    """Every heartbeat seen, sorted by whose it is."""

    by_sender: dict[str, list[_Sighting]] = field(default_factory=dict)
    strangers: list[_Sighting] = field(default_factory=list)
    ambiguous: list[_Sighting] = field(default_factory=list)
    undecodable: Counter[str] = field(default_factory=Counter)


def _attribute(
    by_node: Mapping[str, Capture], addresses: Mapping[str, frozenset[str]]
) -> _Attribution:
    """A node's heartbeats count wherever they were addressed (a node sending to the wrong
    group is itself the finding); strangers and junk only inside the cluster's groups, where
    they reach Tomcat (counted once per view that saw them)."""
    groups = {_group(capture.group) for capture in by_node.values()}
    owners: dict[str, list[str]] = {}
    for node, known in addresses.items():
        for address in known:
            owners.setdefault(address, []).append(node)
    result = _Attribution()
    everything = list(_decoded(by_node.values()))
    ports = _ports_by_address(everything)
    for viewer, view, datagram, decoded in everything:
        in_group = _destination(datagram) in groups
        if isinstance(decoded, Undecodable):
            if in_group:
                result.undecodable[decoded.reason] += datagram.repeats
            continue
        sighting = _Sighting(viewer, view, datagram, decoded)
        senders = _senders(sighting, owners, by_node, ports)
        if len(senders) == 1:
            result.by_sender.setdefault(senders[0], []).append(sighting)
        elif senders:
            result.ambiguous.append(sighting)
        elif in_group:
            result.strangers.append(sighting)
    return result


def _decoded(
    captures: Iterable[Capture],
) -> Iterator[tuple[str, str, Datagram, Heartbeat | Undecodable]]:
    """(viewer, view, datagram, decoded) for every datagram of every view; the same bytes show
    up in several views, so each payload is decoded once."""
    decoded: dict[bytes, Heartbeat | Undecodable] = {}
    for capture in captures:
        for view, datagrams in ((WIRE, capture.wire), (SOCKET, capture.socket)):
            for datagram in datagrams or ():
                if datagram.payload not in decoded:
                    decoded[datagram.payload] = decode_heartbeat(datagram.payload)
                yield capture.node, view, datagram, decoded[datagram.payload]


def _ports_by_address(
    decoded: Iterable[tuple[str, str, Datagram, Heartbeat | Undecodable]],
) -> dict[str, set[int]]:
    """Receiver ports advertised from each address (by source and by advertised host)."""
    ports: dict[str, set[int]] = {}
    for _viewer, _view, datagram, heartbeat in decoded:
        if isinstance(heartbeat, Heartbeat):
            for address in (datagram.src, heartbeat.host):
                ports.setdefault(_address(address), set()).add(heartbeat.port)
    return ports


def _senders(
    sighting: _Sighting,
    owners: Mapping[str, list[str]],
    captures: Mapping[str, Capture],
    ports: Mapping[str, set[int]],
) -> list[str]:
    """Nodes the heartbeat can belong to: by the packet's source address, else by the advertised
    host (a node advertising 127.0.0.1 is still found by its source). The receiver port, when
    the engine knows it, tells apart nodes sharing an address, and a node from an unlisted
    Tomcat on its host; a node whose port is heard from nowhere there keeps the heartbeats
    (receiver autoBind moved it to the next free port)."""
    heartbeat = sighting.heartbeat
    for address in (_address(sighting.datagram.src), _address(heartbeat.host)):
        found = owners.get(address, [])
        configured = {n: _receiver_port(captures.get(n)) for n in found}
        matching = [n for n in found if configured[n] == heartbeat.port]
        if matching:
            return matching
        found = [n for n in found if configured[n] not in ports.get(address, ())]
        if found:
            return found
    return []


def _receiver_port(capture: Capture | None) -> int | None:
    return capture.receiver_port if capture else None


def _addresses(
    captures: Sequence[Capture], node_addresses: Mapping[str, set[str]]
) -> dict[str, frozenset[str]]:
    """Every known address of every node, normalised so that IPv6 spellings compare equal.
    Loopback addresses are left out: every node has them, so they identify none."""
    merged = {node: set(known) for node, known in node_addresses.items()}
    for capture in captures:
        if capture.address:
            merged.setdefault(capture.node, set()).add(capture.address)
    return {
        node: frozenset(_address(a) for a in known if not _loopback(a))
        for node, known in merged.items()
    }


@functools.lru_cache(maxsize=4096)
def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address, zone index dropped; None for a name or other text. Cached: a window of
    heartbeats repeats a handful of addresses thousands of times."""
    try:
        return ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def _address(text: str) -> str:
    """Canonical spelling of an IP address; other text unchanged."""
    ip = _ip(text)
    return str(ip) if ip else text


def _loopback(text: str) -> bool:
    ip = _ip(text)
    return bool(ip and ip.is_loopback)


def _group(group: tuple[str, int]) -> tuple[str, int]:
    return _address(group[0]), group[1]


def _latest(sightings: Sequence[_Sighting]) -> _Sighting:
    return max(sightings, key=lambda s: s.datagram.time)


def _distinct(sightings: Sequence[_Sighting]) -> list[Heartbeat]:
    """One heartbeat per member (its latest), in a stable order."""
    latest: dict[str, _Sighting] = {}
    for sighting in sorted(sightings, key=lambda s: s.datagram.time):
        latest[sighting.heartbeat.member_id] = sighting
    return [latest[member].heartbeat for member in sorted(latest)]


def _misadvertises(sighting: _Sighting, capture: Capture | None) -> bool:
    """Peers connect to the advertised host for replication: loopback or an address other
    than the node's own in the cluster network (its packet's source when that is unknown)
    means they cannot reach it ("make sure you don't broadcast 127.0.0.1")."""
    host = ipaddress.ip_address(sighting.heartbeat.host)
    expected = capture.address if capture and capture.address else sighting.datagram.src
    return host.is_loopback or host.is_unspecified or str(host) != _address(expected)


def _diagnose(listener: str, sender: str, evidence: _Evidence) -> tuple[bool, str]:
    """Configuration mismatches first (they explain everything else), then the sender's own
    state, then where along the path its heartbeats were last seen."""
    ear, mouth = evidence.captures[listener], evidence.captures[sender]
    if _group(ear.group) != _group(mouth.group):
        return False, OTHER_GROUP
    if _differ(_format(ear, evidence), _format(mouth, evidence)):
        return False, FORMATS
    latest = evidence.advertised.get(sender)
    if latest is not None and latest.shutdown:
        return False, SHUT_DOWN
    if ear.wire is None and ear.socket is None:
        return False, NO_CAPTURE
    everywhere = bool(evidence.by_sender.get(sender))
    to_group = evidence.views.get(sender, {}).get(_group(ear.group), set())
    primary = SOCKET if ear.socket is not None else WIRE
    if (listener, primary) in to_group:
        if _differ(_domain(ear, evidence), _domain(mouth, evidence)):
            return True, OTHER_DOMAIN
        return True, HEARD
    return False, _why_not_heard(listener, sender, evidence, everywhere, to_group)


def _why_not_heard(
    listener: str,
    sender: str,
    evidence: _Evidence,
    everywhere: bool,
    to_group: set[tuple[str, str]],
) -> str:
    if everywhere and not to_group:
        return OTHER_GROUP
    if evidence.captures[listener].socket is not None and (listener, WIRE) in to_group:
        return HOST_DROP
    if to_group:
        return CUT
    if evidence.captures[sender].wire is not None:
        return NOT_SENDING
    return UNKNOWN_SENDER


def _destination(datagram: Datagram) -> tuple[str, int]:
    return _address(datagram.dst), datagram.dport


def _format(capture: Capture, evidence: _Evidence) -> str | None:
    """The configured Tomcat version says it; a heartbeat seen from the node says it too."""
    if capture.tomcat_format:
        return capture.tomcat_format
    heartbeat = evidence.advertised.get(capture.node)
    return heartbeat.format if heartbeat else None


def _domain(capture: Capture, evidence: _Evidence) -> bytes | None:
    """What the node advertises wins over what its configuration was read as."""
    heartbeat = evidence.advertised.get(capture.node)
    return heartbeat.domain if heartbeat else capture.domain


def _differ(a: object | None, b: object | None) -> bool:
    """Two facts disagree only if both are known."""
    return a is not None and b is not None and a != b
