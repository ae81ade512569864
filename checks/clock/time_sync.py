"""CC402 time-sync."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict

from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped, warned
from clustercheck.facts.cluster import ClusterFacts


@check("CC402", "time-sync", scope=Scope.CLUSTER, roles=("apache", "tomcat"), live=True)
def time_sync(cluster: ClusterFacts) -> Iterator[Finding]:
    """Every node keeps its own time by NTP, is synchronised, and all follow the same source.

    Asks each node which daemon keeps its time and whether it is synchronised: `chronyc
    tracking`, then `timedatectl show`, then `ntpq -pn` (on Windows `w32tm /query /status`). A
    node that follows only its own clock (chrony's local reference, ntpd's LOCAL driver) is not
    synchronised. Nodes that follow different sources warn.

    ## Why it matters
    A clock that is right today drifts tomorrow without a daemon keeping it: CC401's snapshot is
    only as good as the discipline behind it. Nodes following different NTP servers drift apart
    whenever those servers disagree; the how-to's advice is one NTP source for all.

    ## How to fix
    Install and enable chrony (or ntpd / systemd-timesyncd; w32time on Windows) on every node
    with the same `server` lines, and check `chronyc tracking` says "Leap status : Normal".
    """
    sources: dict[str, list[str]] = defaultdict(list)
    for node in [n for n in cluster.nodes.values() if n.reachable]:
        sync = node.live.timesync
        if sync is None:
            yield skipped("offline: time sync not asked", node=node.name)
            continue
        where = {"node": node.name, "details": asdict(sync)}
        if sync.daemon == "none":
            yield failed(f"no time daemon answered ({sync.detail})", **where)
        elif sync.synchronised is False:
            yield failed(f"{sync.daemon} is not synchronised: {sync.detail}", **where)
        elif sync.synchronised is None:
            yield warned(f"{sync.daemon}: synchronisation unknown ({sync.detail})", **where)
        else:
            sources[sync.source or "?"].append(node.name)
            yield passed(f"{sync.daemon} synchronised to {sync.source or '?'}", **where)
    if len(sources) > 1:
        yield warned(
            "nodes follow different sources: "
            + "; ".join(
                f"{', '.join(nodes)}: {source}" for source, nodes in sorted(sources.items())
            )
        )
    elif sources:
        yield passed(f"all synchronised nodes follow {next(iter(sources))}")
