"""Phase 2 of gathering, planned from phase 1's facts (pure functions): which node probes which
address, so that every probe runs from where the real traffic comes from: AJP CPing from each
apache node to its balanced workers, heartbeat capture on every member, replication connects
from every member to every other member's receiver, and AJP from clustercheck's own machine to
find connectors exposed beyond the balancers."""

from __future__ import annotations

from dataclasses import dataclass, field

from clustercheck.collect.multicast import valid_group
from clustercheck.derive.cluster_config import multicast_group, node_membership, receiver_endpoint
from clustercheck.derive.targets import front_ends, is_loopback, listening_port, member_targets
from clustercheck.facts.cluster import ClusterFacts


@dataclass
class ProbePlan:
    cping: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # apache node -> targets
    exposure: list[tuple[str, int]] = field(default_factory=list)  # from clustercheck's machine
    capture: dict[str, tuple[tuple[str, int], str | None]] = field(default_factory=dict)
    # ^ tomcat node -> (multicast group, bind address) for the heartbeat capture


def plan_probes(cluster: ClusterFacts) -> ProbePlan:
    plan = ProbePlan()
    live = {name for name, n in cluster.nodes.items() if n.reachable and not n.offline}
    for target in member_targets(cluster, front_ends(cluster)):
        if target.apache.name in live and is_port(target.port):
            pairs = plan.cping.setdefault(target.apache.name, [])
            if (target.host, target.port) not in pairs:
                pairs.append((target.host, target.port))
    for node in cluster.tomcats:
        group = multicast_group(node)
        if node.name in live and group and valid_group(*group):
            bind = (node_membership(node) or {}).get("bind") or None
            plan.capture[node.name] = (group, bind)
    if not _clustercheck_is_a_balancer(cluster):
        for node in cluster.tomcats:
            server = node.tomcat.server if node.tomcat else None
            if node.name in live and server:
                plan.exposure += [
                    (node.settings.host, port)
                    for c in server.ajp_connectors
                    if (port := listening_port(c)) is not None and is_port(port)
                ]
    return plan


def receiver_targets(
    cluster: ClusterFacts, advertised: dict[str, tuple[str, int]]
) -> dict[str, list[tuple[str, int]]]:
    """From every live member to every other member's receiver: where its heartbeats say it
    listens (autoBind may have moved the port), else where its configuration says."""
    live = {n.name for n in cluster.tomcats if n.reachable and not n.offline}
    members = {n.name: advertised.get(n.name) or receiver_endpoint(n) for n in cluster.tomcats}
    return {
        name: [e for other, e in members.items() if other != name and e and is_port(e[1])]
        for name in members
        if name in live and members[name]
    }


def is_port(port: int) -> bool:
    """A port a connection can go to. The configuration says the number: one of 70000 would
    reach port 4464, one of 400 digits overflows; neither is probed (the checks say so)."""
    return 0 < port < 65536


def _clustercheck_is_a_balancer(cluster: ClusterFacts) -> bool:
    """When clustercheck runs on a balancer, reaching AJP from here proves nothing."""
    return any(
        n.settings.transport == "local" or is_loopback(n.settings.host)
        for n in cluster.with_role("apache", reachable_only=False)
    )
