"""CC502 member-address."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.common import not_running
from clustercheck.derive.derived import Derived
from clustercheck.derive.membership_view import node_addresses
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped
from clustercheck.facts.cluster import ClusterFacts


@check(
    "CC502",
    "member-address",
    scope=Scope.CLUSTER,
    roles=("tomcat",),
    live=True,
    needs=("multicast",),
)
def member_address(cluster: ClusterFacts, derived: Derived) -> Iterator[Finding]:
    """The address each member advertises in its heartbeat is one its peers can reach.

    Reads the host field of each member's captured heartbeats: it must not be a loopback or
    wildcard address, and must be one of the node's own addresses.

    ## Why it matters
    A member advertises where its replication receiver listens, and its peers send sessions
    there. With `<Receiver address="auto">` on a host whose name resolves to 127.0.0.1 (many
    distributions' /etc/hosts), the member advertises 127.0.0.1: peers log "Member send is
    failing for tcp://{127, 0, 0, 1}:4000" and no session reaches it. Tomcat's own cluster
    how-to calls this "a common error".

    ## How to fix
    Set `<Receiver address="...">` (and the Membership `bind`) to the node's address on the
    cluster network instead of `auto`, or fix /etc/hosts so the host name resolves to it.
    """
    view = derived.membership
    if view is None:
        yield skipped("no heartbeat capture (no multicast membership, or not asked)")
        return
    for node in cluster.tomcats:
        heartbeat = view.advertised.get(node.name)
        stopped = not_running(derived, node.name)
        if stopped and node.name in view.members:
            yield skipped(stopped, node=node.name)
            continue
        if heartbeat is None:
            if node.name in view.members:
                yield skipped(
                    "no heartbeat of this member was captured (see CC501)", node=node.name
                )
            continue
        where = f"{heartbeat.host}:{heartbeat.port}"
        details = {"advertised": where, "member_id": heartbeat.member_id}
        if node.name in view.loopback_advertisers:  # loopback, wildcard or not its own
            yield failed(
                f"advertises {where}, which its peers cannot reach "
                f"(its addresses: {', '.join(sorted(node_addresses(node)))})",
                node=node.name,
                details=details,
            )
        else:
            yield passed(f"advertises {where}", node=node.name, details=details)
