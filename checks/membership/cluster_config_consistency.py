"""CC505 cluster-config-consistency."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping

from clustercheck.checks.common import readable_servers
from clustercheck.derive.cloud import cloud_membership, comparable
from clustercheck.derive.cluster_config import manager_settings, node_membership
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, warned
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.parsers.serverxml import ClusterConfig, ServerXml

# Fewer heartbeats than this inside dropTime and one lost datagram drops a healthy member.
MIN_BEATS_PER_DROP = 3
# What members must share, by membership kind (multicast, static, cloud), then the manager's.
COMPARED = (
    "membership",
    "address",
    "port",
    "domain",
    "static members",
    "provider",
    "namespace",
    "labels",
    "service name",
    "manager",
    "sessionAttributeNameFilter",
    "sessionAttributeValueClassNameFilter",
    "expireSessionsOnShutdown",
)


@check("CC505", "cluster-config-consistency", scope=Scope.CLUSTER, roles=("tomcat",))
def cluster_config_consistency(cluster: ClusterFacts) -> Iterator[Finding]:
    """Every Tomcat node has a Cluster, and all agree on membership and session manager.

    Reads each node's `<Cluster>` (in its Engine or a Host) as Tomcat reads it, defaults
    included, and compares what members must share for their kind of membership: for multicast
    the address and port (228.0.0.4:45564 when not set) and `domain`; for static membership the
    class and whether a member list exists (the lists themselves are CC506's); for cloud
    membership the provider and the values it uses (namespace and `KUBERNETES_LABELS` for
    Kubernetes, `DNS_MEMBERSHIP_SERVICE_NAME` for DNS, from the environment CC507 reads). It also
    compares the session manager class and the Manager settings that decide what survives a
    fail-over: `sessionAttributeNameFilter`, `sessionAttributeValueClassNameFilter` and, for
    DeltaManager, `expireSessionsOnShutdown`. A node without a Cluster fails (with a hint when a
    miscased `<cluster>` is what Tomcat ignored); values that differ between nodes fail; a
    multicast dropTime shorter than three heartbeats warns. That the members agree is a pass of
    the cluster's only when every Tomcat node's Cluster was read and compared.

    ## Why it matters
    Members only see each other when they share the membership address and port (or the
    namespace, labels or DNS name of cloud membership); a node on another group or port, or
    with no Cluster at all, forms a cluster of its own: its sessions are lost on fail-over while
    the others look healthy. Mixing DeltaManager and BackupManager breaks state transfer. A node
    whose attribute filters are narrower drops the attributes the others replicate to it, so a
    session fails over with attributes missing; one DeltaManager with
    `expireSessionsOnShutdown="true"` expires every session on every node when it is shut down
    (Tomcat's cluster-manager documentation). A dropTime of only one or two heartbeats drops
    members on a single lost datagram, and the cluster flaps.

    ## How to fix
    Use the same `<Cluster>` block on every node (copy it from one file), with the same
    Membership `address`, `port` and `domain` (or the same cloud provider and environment), the
    same Manager `className` and the same Manager filters, and `expireSessionsOnShutdown` left
    false; keep `dropTime` at least three times `frequency` (Tomcat's defaults: 500 and 3000
    ms).
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
        cloud = cloud_membership(node)
        summary |= (comparable(cloud) if cloud else {}) | manager_settings(config)
        summaries[node.name] = summary
        yield from _timing(node, server, config, summary)
    if not summaries:
        return
    yield from _compare(summaries, everyone=len(summaries) == len(cluster.tomcats))


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


def _compare(summaries: Mapping[str, Mapping[str, str]], *, everyone: bool) -> Iterator[Finding]:
    """What the Clusters read differ in (a failure of the cluster's); that they agree is a pass
    only when `everyone` has a Cluster that was read: a node without one has its own result, and
    "the members agree" beside it would read as the cluster being fine."""
    differing = []
    for key in COMPARED:
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
    if not everyone:
        return
    yield passed(
        f"{len(summaries)} node(s) share {first['membership']} {_group(first)}, {first['manager']}",
        details=details,
    )


def _group(summary: Mapping[str, str]) -> str:
    """What the members share to find each other, in a few words."""
    if "address" in summary:
        return f"{summary.get('address')}:{summary.get('port')}"
    if "provider" in summary:
        shared = [
            f"{key} {summary[key]}"
            for key in ("namespace", "labels", "service name")
            if key in summary
        ]
        return ", ".join([summary["provider"], *shared])
    return "static"
