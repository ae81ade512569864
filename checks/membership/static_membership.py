"""CC506 static-membership."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from clustercheck.checks.common import none_running, not_running, some_of
from clustercheck.derive.cluster_config import receiver_endpoint
from clustercheck.derive.derived import Derived
from clustercheck.derive.static_membership import (
    INTERCEPTOR,
    SERVICE,
    Entry,
    StaticList,
    StaticView,
    listed_right,
)
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, Status, passed, skipped, warned
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.knowledge.classes import unique_id
from clustercheck.knowledge.tomcat import (
    STATIC_SERVICE_NEEDS,
    STATIC_WITHOUT_MULTICAST,
    ChannelStart,
)


@check("CC506", "static-membership", scope=Scope.CLUSTER, roles=("tomcat",))
def static_membership(cluster: ClusterFacts, derived: Derived) -> Iterator[Finding]:
    """Every static member list names every other member at its Receiver, and they talk.

    For a `<Cluster>` with StaticMembershipService (Tomcat 9.0.11+) or the older recipe,
    StaticMembershipInterceptor with its `<Member>`s, each node's list is read and each
    `<Member>`'s host:port matched to the inventory node whose Receiver listens there (a name
    as the listing node's hosts file resolves it, `{10,0,0,5}` as bytes; `auto` is the node's
    own address). Tribes admits any member that pings it and answers with its own address, so a
    pair becomes members when either list names the other at its Receiver: a pair that neither
    list names so fails (they never become members), one that only one list names warns on the
    other (asymmetric lists, or a port other than the Receiver's: they are members through one
    side's pings only). A member at a loopback address, or at the node's own address with
    another port, fails; a host clustercheck cannot match to a node warns. uniqueIds shared by
    two members, or a member listed with another uniqueId than the one it gives itself (its
    `<LocalMember>`, or its own entry), warn. `channelStartOptions` must start what the class
    needs: StaticMembershipService asks its members only when the membership is started (the
    default 15 does, 3 does not: fail), while the interceptor recipe without multicast wants 3,
    since otherwise McastService runs beside the list (warn). A `<LocalMember>` host:port other
    than the Receiver's warns (StaticMembershipService replaces it with the Receiver's) or fails
    (the interceptor tells its peers to send there). Live, from the members' socket tables:
    each pair a list names must have an established TCP connection to one of the two receivers
    (a warning when none: an idle cluster may have closed it). The matrix view shows who lists
    whom and who talks to whom. What Tomcat refuses at start (no local member) is CC605's; a
    uniqueId Tomcat cannot read is CC604's. Seen on the real Tomcat 10.1 of the static lab:
    asymmetric lists, a wrong port in two of three lists and a duplicated uniqueId all still
    replicate sessions, through the other side's pings.

    ## Why it matters
    Without multicast, a member knows only whom a list names. Two members that neither list
    names at its Receiver never become members: both run, every log looks healthy, and no
    session ever replicates between them, so users failing over lose their session. When only
    one side's list is right, the pair depends on that side's pings: the other asks it for no
    session state when it starts, and the pair falls apart when that one list is edited. With
    `channelStartOptions="3"` StaticMembershipService never asks anyone: the node stays alone.
    A member at 127.0.0.1 is the node sending to itself.

    ## How to fix
    Use one member list on every node (the same file), naming every member with the exact
    address (or a name every node resolves to it) and port of its `<Receiver>` and a distinct
    16-byte uniqueId; with StaticMembershipService either list the node itself (Tomcat 9.0.17+
    takes the entry that matches its Receiver as the local member) or give it a
    `<LocalMember>` with its uniqueId. Leave `channelStartOptions` at its default with
    StaticMembershipService; set it to 3 with the interceptor recipe where there is no multicast.
    Restart the members after changing the lists.
    """
    view = derived.static_membership
    if view is None:
        yield skipped("no node uses static membership (StaticMembershipService or the interceptor)")
        return
    identities = _identities(view)
    shared = _shared_ids(identities)
    for name, static in view.lists.items():
        yield from _config(cluster, view, static, identities, shared)
        yield _live(name, view, derived)


# ------------------------------------------------------------------------------ the lists


def _config(
    cluster: ClusterFacts,
    view: StaticView,
    static: StaticList,
    identities: dict[str, tuple[Entry, tuple[int, ...]]],
    shared: dict[tuple[int, ...], list[str]],
) -> Iterator[Finding]:
    name, path = static.node, static.path
    found = [
        *_options(static),
        *_entries(cluster, view, static),
        *_unique_ids(static, identities, shared),
        *_local(static),
    ]
    yield from found or [
        passed(
            f"its {static.kind} lists the other {len(view.members) - 1} static member(s) at "
            "their receivers, with distinct uniqueIds",
            node=name,
            file=path,
            line=static.element.line,
        )
    ]


def _finding(status: Status, static: StaticList, message: str, line: int, rule: str) -> Finding:
    return Finding(
        status,
        message,
        node=static.node,
        file=static.path,
        line=line,
        details={"rule": rule, "kind": static.kind},
    )


def _options(static: StaticList) -> Iterator[Finding]:
    options = static.options
    line = static.element.line
    if static.kind == SERVICE and options & STATIC_SERVICE_NEEDS != STATIC_SERVICE_NEEDS:
        yield _finding(
            Status.FAIL,
            static,
            f"channelStartOptions={int(options)} does not start the membership, and "
            "StaticMembershipService asks its members only once both membership parts (4 and "
            "8) are started: the node never learns of any member and replicates to nobody",
            line,
            "start-options",
        )
    if (
        static.kind == INTERCEPTOR
        and static.multicast
        and options & (ChannelStart.MBR_RX | ChannelStart.MBR_TX)
    ):
        yield _finding(
            Status.WARN,
            static,
            f"channelStartOptions={int(options)} starts the McastService beside the "
            "StaticMembershipInterceptor: multicast membership runs too, admitting any member "
            f"of the group; without multicast Tomcat's docs say channelStartOptions="
            f"{int(STATIC_WITHOUT_MULTICAST)}",
            line,
            "start-options",
        )


def _entries(cluster: ClusterFacts, view: StaticView, static: StaticList) -> Iterator[Finding]:
    name = static.node
    own = static.receiver
    named: set[str] = set()
    for entry in static.members:
        line = entry.element.line
        if entry.loopback:
            yield _finding(
                Status.FAIL,
                static,
                f"member {entry.shown} is a loopback address ({entry.why}): {name} sends to "
                "itself there, never to a peer",
                line,
                "loopback",
            )
        elif entry.peer == name:
            if own is not None and entry.port != own[1]:
                yield _finding(
                    Status.FAIL,
                    static,
                    f"member {entry.shown} is {name}'s own address with port {entry.port}, not "
                    f"its Receiver's {own[1]}: no other member listens there",
                    line,
                    "own-address",
                )
            elif static.kind == INTERCEPTOR or static.local is not None:
                yield _finding(
                    Status.WARN,
                    static,
                    f"member {entry.shown} is {name} itself, beside its local member: it "
                    "counts itself among its peers and sends to itself",
                    line,
                    "self-listed",
                )
        elif entry.peer is None:
            yield _finding(
                Status.WARN,
                static,
                f"member {entry.shown} is no Tomcat node's receiver in the inventory ({entry.why})",
                line,
                "unknown-member",
            )
        elif entry.peer in view.lists and not listed_right(cluster, entry, entry.peer):
            named.add(entry.peer)
            peer = receiver_endpoint(cluster.nodes[entry.peer])
            back = _back(view, name, entry.peer)
            yield _finding(
                Status.WARN if back else Status.FAIL,
                static,
                f"member {entry.shown} is {entry.peer}, whose Receiver listens on port "
                f"{peer[1] if peer else '?'}, not {entry.port}: {name}'s pings there fail; "
                + (back or f"{entry.peer}'s list does not name {name} either: {NEVER}"),
                line,
                "port-mismatch",
            )
        else:
            named.add(entry.peer)
    missing = [p for p in view.members if p != name and p not in named]
    for alone in (False, True):
        these = [p for p in missing if bool(_back(view, name, p)) != alone]
        if not these:
            continue
        one = len(these) == 1
        where = ", ".join(_receiver(cluster, p) for p in these[:3])
        why = (
            f"{'it does' if one else 'they do'} not list {name} either: {NEVER}"
            if alone
            else f"{'its' if one else 'their'} own list names {name}, so the two are members "
            f"only once {'it pings' if one else 'they ping'} {name}: {name} asks "
            f"{'it' if one else 'them'} for no session state when it starts, and the pair "
            "falls apart if that list changes"
        )
        yield _finding(
            Status.FAIL if alone else Status.WARN,
            static,
            f"its {static.kind} does not list {some_of(these)} ({where}); {why}",
            static.element.line,
            "incomplete",
        )


NEVER = "the two never become members, and no session replicates between them"


def _back(view: StaticView, name: str, peer: str) -> str | None:
    """Why the two are members all the same, when the peer's list names this node right
    (Tribes' static membership admits any member that pings it, and answers)."""
    pair = view.pair(peer, name)
    if pair is None or not pair.listed:
        return None
    return (
        f"they are members only because {peer}'s list names {name} (its pings carry its "
        "real address)"
    )


def _receiver(cluster: ClusterFacts, name: str) -> str:
    endpoint = receiver_endpoint(cluster.nodes[name])
    return f"receiver {endpoint[0]}:{endpoint[1]}" if endpoint else "receiver unknown"


# ------------------------------------------------------------------------------ uniqueIds


def _identities(view: StaticView) -> dict[str, tuple[Entry, tuple[int, ...]]]:
    """The uniqueId each node gives itself: its <LocalMember>'s, else (StaticMembershipService)
    its own entry's, the one Tomcat takes as the local member."""
    found = {}
    for name, static in view.lists.items():
        own = [static.local] if static.local else static.entries_for(name)
        for entry in own:
            parsed = unique_id(entry.unique_id) if entry and entry.unique_id else None
            if entry is not None and parsed is not None:
                found[name] = (entry, parsed)
                break
    return found


def _shared_ids(
    identities: dict[str, tuple[Entry, tuple[int, ...]]],
) -> dict[tuple[int, ...], list[str]]:
    by_id: dict[tuple[int, ...], list[str]] = defaultdict(list)
    for name, (_entry, parsed) in identities.items():
        by_id[parsed].append(name)
    return {uid: names for uid, names in by_id.items() if len(names) > 1}


def _unique_ids(
    static: StaticList,
    identities: dict[str, tuple[Entry, tuple[int, ...]]],
    shared: dict[tuple[int, ...], list[str]],
) -> Iterator[Finding]:
    name = static.node
    mine = identities.get(name)
    if mine is not None and mine[1] in shared:
        entry, own_id = mine
        others = [n for n in shared[own_id] if n != name]
        yield _finding(
            Status.WARN,
            static,
            f"its uniqueId {entry.unique_id} is also {some_of(others)}'s: Tomcat's docs ask "
            f"for one per member; Tomcat still tells them apart by address and port",
            entry.element.line,
            "duplicate-unique-id",
        )
    seen: dict[tuple[int, ...], Entry] = {}
    for entry in static.members:
        parsed = unique_id(entry.unique_id) if entry.unique_id else None
        if parsed is None:
            continue  # CC604's
        first = seen.setdefault(parsed, entry)
        if first is not entry and parsed not in shared:  # shared: said once, above
            yield _finding(
                Status.WARN,
                static,
                f"members {first.shown} (line {first.element.line}) and {entry.shown} share "
                f"uniqueId {entry.unique_id}",
                entry.element.line,
                "duplicate-unique-id",
            )
        peer = entry.peer
        if peer is not None and peer != name and peer in identities:
            theirs = identities[peer]
            if theirs[1] != parsed:
                yield _finding(
                    Status.WARN,
                    static,
                    f"member {entry.shown} ({peer}) has uniqueId {entry.unique_id}, but {peer} "
                    f"calls itself {theirs[0].unique_id}",
                    entry.element.line,
                    "unique-id-differs",
                )


def _local(static: StaticList) -> Iterator[Finding]:
    local, own = static.local, static.receiver
    if local is None or own is None or not local.host or local.port is None:
        return
    if local.peer == static.node and local.port == own[1]:
        return
    where = f"{own[0]}:{own[1]}"
    if static.kind == SERVICE:
        yield _finding(
            Status.WARN,
            static,
            f"<LocalMember> says {local.shown}, but the Receiver listens on {where}: "
            "StaticMembershipService replaces them with the Receiver's, so they mislead",
            local.element.line,
            "local-member",
        )
    else:
        yield _finding(
            Status.FAIL,
            static,
            f"<LocalMember> says {local.shown}, but the Receiver listens on {where}: the "
            "interceptor tells its peers to send there",
            local.element.line,
            "local-member",
        )


# ------------------------------------------------------------------------------ live


def _live(name: str, view: StaticView, derived: Derived) -> Finding:
    """Whether the node talks to the members its list names, from the socket tables."""
    stopped = not_running(derived, name)
    if stopped:
        return skipped(stopped, node=name)
    pairs = [p for p in view.pairs if p.lister == name and p.listed]
    halted = [p.peer for p in pairs if p.stopped]
    judged = [p for p in pairs if not p.stopped and p.talk.connected is not None]
    details = {"listed": len(pairs), "connected": sum(1 for p in judged if p.talk.connected)}
    if not judged:
        why = none_running(halted) if halted else "no socket table was read"
        return skipped(f"talks: not judged ({why})", node=name, details=details)
    silent = [p for p in judged if p.status is Status.WARN]
    tail = f"; {none_running(halted)}" if halted else ""
    if silent:
        return warned(
            f"no Tribes connection with {some_of([p.peer for p in silent])}, which its list "
            f"names: {silent[0].talk.seen}{tail}",
            node=name,
            details=details,
        )
    return passed(
        f"talks to the {len(judged)} member(s) its list names (established TCP to their "
        f"receivers){tail}",
        node=name,
        details=details,
    )
