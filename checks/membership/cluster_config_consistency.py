"""CC505 cluster-config-consistency."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping

from clustercheck.checks.common import readable_servers
from clustercheck.derive.cluster_config import node_membership
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, warned
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.parsers.serverxml import ClusterConfig, ServerXml

# Fewer heartbeats than this inside dropTime and one lost datagram drops a healthy member.
MIN_BEATS_PER_DROP = 3


@check("CC505", "cluster-config-consistency", scope=Scope.CLUSTER, roles=("tomcat",))
def cluster_config_consistency(cluster: ClusterFacts) -> Iterator[Finding]:
    """Every Tomcat node has a Cluster, and all agree on membership and session manager.

    Reads each node's `<Cluster>` (in its Engine or a Host) as Tomcat reads it, defaults
    included: the membership service and its multicast address and port (228.0.0.4:45564 when
    not set), its `domain`, the session manager class, and the heartbeat `frequency` and
    `dropTime`. A node without a Cluster fails (with a hint when a miscased `<cluster>` is what
    Tomcat ignored); values that differ between nodes fail; a dropTime shorter than three
    heartbeats warns.

    ## Why it matters
    Members only see each other when they share the membership address and port; a node on
    another group or port, or with no Cluster at all, forms a cluster of its own: its sessions
    are lost on fail-over while the others look healthy. Mixing DeltaManager and BackupManager
    breaks state transfer. A dropTime of only one or two heartbeats drops members on a single
    lost datagram, and the cluster flaps.

    ## How to fix
    Use the same `<Cluster>` block on every node (copy it from one file), with the same
    Membership `address`, `port` and `domain` and the same Manager `className`; keep
    `dropTime` at least three times `frequency` (Tomcat's defaults: 500 and 3000 ms).
    """
    summaries: dict[str, dict[str, str]] = {}
    servers, problems = readable_servers(cluster)
    yield from problems
    for node, server in servers:
        if not server.clusters:
            yield failed(_no_cluster(server), node=node.name, file=server.path)
            continue
        config = server.clusters[0]
        summary = node_membership(node) or {}
        summaries[node.name] = summary
        yield from _timing(node, server, config, summary)
    if not summaries:
        return
    yield from _compare(summaries)


def _no_cluster(server: ServerXml) -> str:
    ignored = [
        e
        for e in (server.root.iter() if server.root else [])
        if e.tag.lower() == "cluster" and e.tag != "Cluster"
    ]
    if ignored:
        return (
            f"no <Cluster>: the <{ignored[0].tag}> at line {ignored[0].line} is ignored by "
            "Tomcat (element names are case-sensitive), so no session is replicated"
        )
    return "no <Cluster> in server.xml: this node replicates no sessions"


def _timing(
    node: NodeFacts, server: ServerXml, config: ClusterConfig, summary: Mapping[str, str]
) -> Iterator[Finding]:
    line = config.membership.line if config.membership else config.line
    try:
        frequency, drop = int(summary["frequency"]), int(summary["dropTime"])
    except (KeyError, ValueError):
        return
    if frequency > 0 and drop < MIN_BEATS_PER_DROP * frequency:
        yield warned(
            f"dropTime {drop} ms is under {MIN_BEATS_PER_DROP} heartbeats of "
            f"{frequency} ms: one lost datagram drops a member",
            node=node.name,
            file=server.path,
            line=line,
        )


def _compare(summaries: Mapping[str, Mapping[str, str]]) -> Iterator[Finding]:
    differing = []
    for key in ("membership", "address", "port", "domain", "manager"):
        groups: dict[str, list[str]] = defaultdict(list)
        for node, summary in summaries.items():
            if key in summary:
                groups[summary[key] or "(none)"].append(node)
        if len(groups) > 1:
            differing.append(
                f"{key} differs: "
                + "; ".join(
                    f"{', '.join(nodes)}: {value}" for value, nodes in sorted(groups.items())
                )
            )
    first = next(iter(summaries.values()))
    details = {"nodes": {n: dict(s) for n, s in summaries.items()}}
    if differing:
        yield failed(" | ".join(differing), details=details)
        return
    group = f"{first.get('address')}:{first.get('port')}" if "address" in first else "static"
    yield passed(
        f"{len(summaries)} node(s) share {first['membership']} {group}, {first['manager']}",
        details=details,
    )
