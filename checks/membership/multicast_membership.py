"""CC501 multicast-membership."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator

from clustercheck.checks.common import none_running, not_running, some_of
from clustercheck.derive.derived import Derived
from clustercheck.derive.membership import HEARD, NOT_RUNNING, OTHER_DOMAIN, SHUT_DOWN, Pair
from clustercheck.derive.membership_view import node_addresses
from clustercheck.engine.check import check
from clustercheck.engine.results import (
    Finding,
    Scope,
    Status,
    errored,
    failed,
    passed,
    skipped,
    warned,
)
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.multicast import LocalListen
from clustercheck.parsers.tribes import Heartbeat, decode_heartbeat


@check(
    "CC501",
    "multicast-membership",
    scope=Scope.CLUSTER,
    roles=("tomcat",),
    live=True,
    needs=("multicast",),
)
def multicast_membership(cluster: ClusterFacts, derived: Derived) -> Iterator[Finding]:
    """Every pair of Tomcat members hears each other's multicast heartbeats.

    On every member at once, for one window of dropTime plus two heartbeats (4 s with Tomcat's
    defaults; `multicast.window_s` in the inventory asks for more), clustercheck captures the
    Tribes heartbeats in two views: the wire (tcpdump, before the host firewall) and a socket
    joined to the group as Tomcat joins it (after the firewall). From both it tells, for each
    pair, heard or not and why: not sending at all, cut in the network, dropped by the
    listener's host, a different group or port, a different domain, Tomcat 6 and 7+ formats
    mixed, or a member shut down during the window (a warning: it cannot be judged then). With
    `multicast.interface`, clustercheck's own machine listens too (no root needed) and says whom
    it hears from the network's side.

    ## Why it matters
    The hardest cluster fault to see: when a switch or firewall drops multicast, Tomcat's
    failure detector checks the member over TCP, logs "Verification complete. Member still
    alive" once, and keeps it. Logs look healthy while membership is broken, and session
    replication to members that come and go fails during the next fail-over.

    ## How to fix
    Follow the diagnosis of each pair: enable multicast (IGMP snooping with a querier, or
    flooding) between the members on the switch, allow the group's UDP port in the host
    firewall (`iptables -A INPUT -d 228.0.0.4 -p udp --dport 45564 -j ACCEPT`), use one
    membership address, port and domain everywhere (CC505), and one Tomcat major version.
    """
    view = derived.membership
    if view is None:
        yield skipped("no heartbeat capture (no multicast membership, or not asked)")
        return
    by_listener: dict[str, list[Pair]] = defaultdict(list)
    for pair in view.pairs:
        by_listener[pair.listener].append(pair)
    for listener in view.members:
        stopped = not_running(derived, listener)
        if stopped:
            yield skipped(stopped, node=listener)
        else:
            yield _listener(listener, by_listener.get(listener, []))
    local = cluster.local.multicast
    if local is not None:
        yield _from_here(cluster, local, view.members)
    if view.undecodable:
        counts = ", ".join(f"{n} x {why}" for why, n in view.undecodable.items())
        yield warned(f"datagrams in the group that are no heartbeat: {counts}")


def _from_here(cluster: ClusterFacts, local: LocalListen, members: list[str]) -> Finding:
    """What clustercheck's own machine hears on `multicast.interface`: a network-side view."""
    where = f"clustercheck's machine ({local.interface})"
    if local.socket.datagrams is None:
        return errored(f"{where} could not listen: {local.socket.error}")
    owners = {a: n.name for n in cluster.tomcats for a in node_addresses(n)}
    heard = {
        owners[d.src]
        for d in local.socket.datagrams
        if d.src in owners and isinstance(decode_heartbeat(d.payload), Heartbeat)
    }
    missing = [m for m in members if m not in heard]
    details = {"heard": sorted(heard), "missing": missing}
    if missing:
        return warned(f"{where} does not hear {', '.join(missing)}", details=details)
    return passed(f"{where} hears every member", details=details)


def _listener(listener: str, pairs: list[Pair]) -> Finding:
    """One result per listener, as bad as its worst pair (Pair.status is the verdict). It names
    a few senders per diagnosis and counts the rest: every pair is in the report's who-hears-whom
    matrix, and a message listing them all per listener would grow with the square of the
    members. Senders that are not running are not judged, only named (CC801 reports them)."""
    stopped = [p.sender for p in pairs if p.diagnosis == NOT_RUNNING]
    pairs = [p for p in pairs if p.diagnosis != NOT_RUNNING]
    details = {"senders": len(pairs), "heard": sum(1 for p in pairs if p.heard)}
    if not pairs and stopped:
        return skipped(none_running(stopped), node=listener, details=details)
    finding = _judged(listener, pairs, details)
    if not stopped:
        return finding
    return dataclasses.replace(finding, message=f"{finding.message}; {none_running(stopped)}")


def _judged(listener: str, pairs: list[Pair], details: dict[str, int]) -> Finding:
    """The verdict over the pairs that are judged."""
    if not pairs:
        return passed("the only member", node=listener, details=details)
    worst = max((p.status for p in pairs), key=lambda status: status.rank)
    if worst is Status.ERROR:
        return errored(
            "could not capture here: no wire and no socket view", node=listener, details=details
        )
    if worst is Status.FAIL:
        why: dict[str, list[str]] = defaultdict(list)
        for pair in pairs:
            if pair.status is Status.FAIL:
                why[pair.diagnosis].append(pair.sender)
        text = "; ".join(f"{some_of(senders)}: {diagnosis}" for diagnosis, senders in why.items())
        return failed(f"does not hear {text}", node=listener, details=details)
    gone = [p.sender for p in pairs if p.diagnosis == SHUT_DOWN]
    if gone:
        return warned(
            f"{some_of(gone)} shut down during the capture (BABY-ALEX seen): "
            "not judged here; run again once it is back",
            node=listener,
            details=details,
        )
    other_domain = [p.sender for p in pairs if p.diagnosis == OTHER_DOMAIN]
    if other_domain:
        names = some_of(other_domain)
        return warned(f"hears {names} but in a different domain", node=listener, details=details)
    heard = some_of([p.sender for p in pairs if p.diagnosis == HEARD])
    return passed(f"hears {heard}", node=listener, details=details)
