"""Views: the tables a person would rather look at than read findings for (the JVMs and Tomcat
versions side by side, the clock offsets, the multicast who-hears-whom matrix and the static
membership's who-lists-whom, each front end's
members with the seam values of both tiers), and the summary of each node. Built once per run
from the facts, the run's derivations and its results, typed, and turned into the JSON report's
`views` and `nodes` by as_dict; renderers show them and never judge again."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from clustercheck.derive.derived import Derived
from clustercheck.derive.membership import Pair, matrix
from clustercheck.derive.static_membership import StaticPair
from clustercheck.engine.results import Result, Status
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.report.frontend_view import FrontEndView, front_end_views

T = TypeVar("T")


@dataclass(frozen=True)
class JvmSummary:
    """What must be equal across the nodes (CC301)."""

    version: str | None
    vendor: str | None
    vm: str | None
    bits: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class VersionRow:
    node: str
    tomcat: str | None
    jvm: JvmSummary | None

    def as_dict(self) -> dict[str, Any]:
        return {"node": self.node, "tomcat": self.tomcat, "jvm": _json(self.jvm)}


@dataclass(frozen=True)
class NtpSource:
    """The NTP server the offsets are measured against."""

    server: str
    stratum: int | None
    delay_ms: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ClockRow:
    """One node's clock offset (ms) and its verdict."""

    node: str
    offset_ms: float | None
    uncertainty_ms: float | None
    status: Status

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}


@dataclass(frozen=True)
class ClockView:
    reference: NtpSource | None
    nodes: tuple[ClockRow, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"reference": _json(self.reference), "nodes": [n.as_dict() for n in self.nodes]}


@dataclass(frozen=True)
class MulticastView:
    """Who hears whom: matrix[listener][sender] is the pair with its verdict; `admitted`: the
    members each listener's Tomcat admitted since its start, by its own log, so a member the
    capture missed but Tomcat admitted (or the reverse) shows beside the matrix."""

    members: tuple[str, ...]
    matrix: Mapping[str, Mapping[str, Pair]]
    window_s: float | None
    admitted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def log_says(self, listener: str) -> str | None:
        """What the listener's log says beside its row: the members it admitted, and where that
        differs from what it heard; None when its log was not read."""
        admitted = self.admitted.get(listener)
        if admitted is None:
            return None
        heard = {s for s, pair in self.matrix.get(listener, {}).items() if pair.heard}
        text = ", ".join(admitted) or "none"
        unheard = [m for m in admitted if m in self.members and m not in heard]
        missing = sorted(heard - set(admitted))
        if unheard:
            text += f"; not heard: {', '.join(unheard)}"
        if missing:
            text += f"; heard, not admitted: {', '.join(missing)}"
        return text

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "members": list(self.members),
            "matrix": {
                listener: {
                    sender: {"heard": p.heard, "diagnosis": p.diagnosis, "status": p.status.value}
                    for sender, p in row.items()
                }
                for listener, row in self.matrix.items()
            },
            "window_s": self.window_s,
        }
        if self.admitted:  # only when a Tomcat log was read
            out["admitted"] = {name: list(members) for name, members in self.admitted.items()}
        return out


@dataclass(frozen=True)
class StaticMembershipView:
    """Who lists whom in static membership, and who talks to whom: matrix[lister][peer] is
    the pair with CC506's verdict (a lister's row says whether its list names the peer at its
    receiver, and whether the two have a Tribes connection)."""

    members: tuple[str, ...]
    matrix: Mapping[str, Mapping[str, StaticPair]]

    @staticmethod
    def words(pair: StaticPair) -> str:
        """A cell in words: "lists, talks", "NOT listed, no TCP", "lists, ?" (not read)."""
        listed = "lists" if pair.listed else "NOT listed"
        if pair.stopped:
            return f"{listed}, not running"
        return f"{listed}, {({True: 'talks', False: 'no TCP', None: '?'})[pair.talk.connected]}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "members": list(self.members),
            "matrix": {
                lister: {
                    peer: {
                        "listed": p.listed,
                        "listed_back": p.listed_back,
                        "connected": p.talk.connected,
                        "seen": p.talk.seen,
                        "status": p.status.value,
                    }
                    for peer, p in row.items()
                }
                for lister, row in self.matrix.items()
            },
        }


@dataclass(frozen=True)
class Views:
    """Every view of one run; a view that was not measured is None (and absent from JSON)."""

    versions: tuple[VersionRow, ...] = ()
    clocks: ClockView | None = None
    multicast: MulticastView | None = None
    front_ends: tuple[FrontEndView, ...] = ()
    static_membership: StaticMembershipView | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "versions": [row.as_dict() for row in self.versions],
            "front_ends": [front_end.as_dict() for front_end in self.front_ends],
        }
        if self.clocks is not None:
            out["clocks"] = self.clocks.as_dict()
        if self.multicast is not None:
            out["multicast"] = self.multicast.as_dict()
        if self.static_membership is not None:
            out["static_membership"] = self.static_membership.as_dict()
        return out

    def clock_of(self, node: str) -> ClockRow | None:
        rows = self.clocks.nodes if self.clocks else ()
        return next((row for row in rows if row.node == node), None)


@dataclass(frozen=True)
class NodeSummary:
    """One node as every report lists it."""

    name: str
    host: str
    roles: tuple[str, ...]
    transport: str
    reachable: bool
    error: str | None
    tomcat_version: str | None
    jvm: JvmSummary | None
    clock_offset_ms: float | None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "roles": list(self.roles), "jvm": _json(self.jvm)}


def build_views(facts: ClusterFacts, derived: Derived, results: Sequence[Result] = ()) -> Views:
    """The views from the facts and the same derivations the checks judged, whichever checks
    ran (a skipped CC401 still leaves the clock chart), marked with the run's `results` where a
    view shows verdicts on values (the front ends). A derivation that raises leaves its view
    out: the checks that judge from it already report the crash as their `error`, and no output
    is lost to it."""
    return Views(
        versions=_unless_it_raises(lambda: _versions(facts)) or (),
        clocks=_unless_it_raises(lambda: _clocks(facts, derived)),
        multicast=_unless_it_raises(lambda: _multicast(facts, derived)),
        front_ends=_unless_it_raises(lambda: front_end_views(derived, results)) or (),
        static_membership=_unless_it_raises(lambda: _static(derived)),
    )


def _unless_it_raises(build: Callable[[], T]) -> T | None:
    try:
        return build()
    except Exception:  # reported by the checks on the same derivation (see build_views)
        return None


def _versions(facts: ClusterFacts) -> tuple[VersionRow, ...]:
    return tuple(
        VersionRow(n.name, n.tomcat.version, jvm_summary(n))
        for n in facts.nodes.values()
        if n.tomcat
    )


def _multicast(facts: ClusterFacts, derived: Derived) -> MulticastView | None:
    membership = derived.membership
    if membership is None:
        return None
    return MulticastView(
        tuple(membership.members), matrix(membership), _window(facts), derived.log_membership
    )


def _static(derived: Derived) -> StaticMembershipView | None:
    view = derived.static_membership
    if view is None:
        return None
    table: dict[str, dict[str, StaticPair]] = {m: {} for m in view.members}
    for pair in view.pairs:
        table[pair.lister][pair.peer] = pair
    return StaticMembershipView(view.members, table)


def node_summaries(facts: ClusterFacts, views: Views) -> tuple[NodeSummary, ...]:
    return tuple(
        NodeSummary(
            name=node.name,
            host=node.settings.host,
            roles=tuple(node.settings.roles),
            transport=node.settings.transport,
            reachable=node.reachable,
            error=node.live.error,
            tomcat_version=node.tomcat.version if node.tomcat else None,
            jvm=jvm_summary(node),
            clock_offset_ms=clock.offset_ms if (clock := views.clock_of(node.name)) else None,
        )
        for node in facts.nodes.values()
    )


def jvm_summary(node: NodeFacts) -> JvmSummary | None:
    jvm = node.live.jvm
    if jvm is None or jvm.error is not None:
        return None
    return JvmSummary(jvm.version, jvm.vendor, jvm.vm, jvm.bits)


def _window(facts: ClusterFacts) -> float | None:
    """How long the members listened (one window for all)."""
    windows = [n.live.multicast.window_s for n in facts.tomcats if n.live.multicast]
    return max(windows, default=None)


def _clocks(facts: ClusterFacts, derived: Derived) -> ClockView | None:
    """Each measured node's offset from the reference and its verdict; None when no node's
    clock was measured (offline)."""
    rows = tuple(
        ClockRow(
            c.node,
            round(c.offset.offset_ms, 3),
            round(c.offset.uncertainty_ms, 3),
            c.verdict.status,
        )
        for c in derived.clocks
        if c.offset is not None and c.verdict is not None
    )
    if not rows:
        return None
    reference = facts.local.reference
    source = (
        NtpSource(reference.server, reference.stratum, reference.delay_ms)
        if reference is not None and reference.server
        else None
    )
    return ClockView(source, rows)


def _json(record: JvmSummary | NtpSource | None) -> dict[str, Any] | None:
    return record.as_dict() if record is not None else None
