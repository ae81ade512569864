"""CC504 receiver-reachable."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from clustercheck.checks.common import some_of
from clustercheck.derive.cluster_config import receiver_endpoint
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.probes import Outcome, ProbeResult


@check("CC504", "receiver-reachable", scope=Scope.CLUSTER, roles=("tomcat",), live=True)
def receiver_reachable(cluster: ClusterFacts) -> Iterator[Finding]:
    """Every member's replication receiver accepts TCP connections from every other member.

    From each Tomcat node, over its open connection, a TCP connect to every other member's
    receiver (the `<Receiver>` address, or the node's address when it is `auto`, and its port,
    4000 by default).

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
        yield _from(node.name, probes, owners)
    if not judged:
        yield skipped("no member's receiver was probed (no Cluster, or offline)")


def _from(name: str, probes: Sequence[ProbeResult], owners: dict[tuple[str, int], str]) -> Finding:
    """One result per member, as CC501 has: a cluster of 100 would otherwise report 9,900. For
    the same reason it names a few of the receivers it cannot reach and counts the rest."""
    blocked = [
        f"{owners.get((p.host, p.port), '?')}'s receiver {p.host}:{p.port}: {p.result}"
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
