"""CC504 receiver-reachable."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from clustercheck.checks.common import none_running, not_running, some_of
from clustercheck.derive.cluster_config import receiver_endpoint
from clustercheck.derive.derived import Derived
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.probes import Outcome, ProbeResult


@check("CC504", "receiver-reachable", scope=Scope.CLUSTER, roles=("tomcat",), live=True)
def receiver_reachable(cluster: ClusterFacts, derived: Derived) -> Iterator[Finding]:
    """Every member's replication receiver accepts TCP connections from every other member.

    From each Tomcat node, over its open connection, a TCP connect to every other member's
    receiver (the `<Receiver>` address, or the node's address when it is `auto`, and its port,
    4000 by default). A member whose Tomcat is not running is not judged, neither from nor to
    it: CC801 reports that one cause.

    ## Why it matters
    Membership travels by multicast, but sessions travel over TCP to each member's receiver:
    when that is blocked (a host firewall, a receiver bound to 127.0.0.1), members see each other
    and replication silently fails ("Member send is failing" in the logs, sessions lost on
    fail-over).

    ## How to fix
    Open the receiver port range (port to port+autoBind) between the members, and give the
    `<Receiver>` an `address=` the others can reach instead of `auto`.
    """
    endpoints = {n.name: receiver_endpoint(n) for n in cluster.tomcats}
    owners = {e: name for name, e in endpoints.items() if e}
    judged = False
    for node in cluster.tomcats:
        probes = node.live.receiver_probes
        if probes is None:
            continue
        judged = True
        stopped = not_running(derived, node.name)
        if stopped:
            yield skipped(stopped, node=node.name)
        else:
            yield _from(node.name, probes, owners, derived.stopped)
    if not judged:
        yield skipped("no member's receiver was probed (no Cluster, or offline)")


def _from(
    name: str,
    probes: Sequence[ProbeResult],
    owners: dict[tuple[str, int], str],
    stopped_nodes: frozenset[str],
) -> Finding:
    """One result per member, as CC501 has: a cluster of 100 would otherwise report 9,900. For
    the same reason it names a few of the receivers it cannot reach and counts the rest.
    Receivers of members that are not running are only named."""
    to = {p: owners.get((p.host, p.port), "?") for p in probes}
    stopped = [to[p] for p in probes if to[p] in stopped_nodes]
    judged = [p for p in probes if to[p] not in stopped_nodes]
    if stopped and not judged:
        return skipped(none_running(stopped), node=name)
    finding = _judged(name, judged, to)
    if not stopped:
        return finding
    return dataclasses.replace(finding, message=f"{finding.message}; {none_running(stopped)}")


def _judged(name: str, probes: Sequence[ProbeResult], to: dict[ProbeResult, str]) -> Finding:
    blocked = [
        f"{to[p]}'s receiver {p.host}:{p.port}: {p.result}"
        for p in probes
        if p.result is not Outcome.OPEN
    ]
    details = {"probed": len(probes), "blocked": len(blocked)}
    if blocked:
        return failed(f"cannot connect to {some_of(blocked, '; ')}", node=name, details=details)
    return passed(
        f"connects to the receivers of the {len(probes)} other member(s)",
        node=name,
        details=details,
    )
