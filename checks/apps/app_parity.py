"""CC702 app-parity."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.common import some_of
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed
from clustercheck.facts.cluster import ClusterFacts


@check("CC702", "app-parity", scope=Scope.CLUSTER, roles=("tomcat",))
def app_parity(cluster: ClusterFacts) -> Iterator[Finding]:
    """The same web applications are deployed on every Tomcat node.

    Compares the applications found in each node's appBase and context files by name (the
    context path), per node.

    ## Why it matters
    The balancer sends any request to any member: an application missing on one node answers
    HTTP 404 there ("404 on one node only", "works after a reload"). DeltaManager replicates
    sessions all-to-all and expects homogeneous deployments: a node without the application
    drops or complains about its session messages.

    ## How to fix
    Deploy the same applications (the same WARs) on every node, or take the node out of the
    balancer until it has them.
    """
    apps = {n.name: {a.name for a in n.tomcat.webapps} for n in cluster.tomcats if n.tomcat}
    everywhere = set.union(*apps.values()) if apps else set()
    for node, present in apps.items():
        missing = sorted(everywhere - present)
        if missing:
            holders = {m: [n for n, p in apps.items() if m in p] for m in missing}
            yield failed(
                f"lacks {', '.join(missing)} (deployed on "
                f"{'; '.join(f'{m}: ' + some_of(h) for m, h in holders.items())})",
                node=node,
                details={"missing": missing},
            )
        else:
            yield passed(
                f"has all {len(everywhere)} application(s): {', '.join(sorted(present))}", node=node
            )
