"""CC202 jvmroute-route-match."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.common import setting_line
from clustercheck.derive.derived import Derived
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped


@check("CC202", "jvmroute-route-match", scope=Scope.CLUSTER, roles=("apache", "tomcat"))
def jvmroute_route_match(derived: Derived) -> Iterator[Finding]:
    """Each balanced worker's route equals the jvmRoute of the Tomcat it points at.

    For every member of an lb worker that matches a Tomcat node (see CC101), the member's
    `route` (mod_jk's default: the worker's name; the deprecated `jvm_route` is read too) must
    equal that node's `<Engine jvmRoute>`, exactly: mod_jk compares them case-sensitively.

    ## Why it matters
    Tomcat appends its jvmRoute to each session id; mod_jk sends a request whose session id ends
    in `.ROUTE` to the member whose route is ROUTE. When they differ, no member matches: every
    request of a session may land on any node ("sticky sessions do not stick", random logouts
    without replication, heavy replication traffic with it), or sessions of one node are sent to
    another.

    ## How to fix
    Either set `<Engine jvmRoute="...">` on the node to the worker's name, or set
    `worker.NAME.route` to the node's jvmRoute, and restart the side you changed.
    """
    seen = False
    for target in derived.targets:
        if target.balancer is None or target.node is None:
            continue
        seen = True
        worker, apache = target.worker, target.apache
        balancer = (
            apache.apache.workers.workers.get(target.balancer)
            if apache.apache and apache.apache.workers
            else None
        )
        where = {
            "node": apache.name,
            "line": setting_line(worker, "route", "jvm_route"),
            "file": apache.apache.workers.path if apache.apache and apache.apache.workers else None,
        }
        if balancer is not None and not balancer.sticky_session:
            yield skipped(
                f"lb {target.balancer} has sticky_session off: routes are not used", **where
            )
            continue
        server = target.node.tomcat.server if target.node.tomcat else None
        jvm_route = server.jvm_route if server else None
        route = worker.route or worker.name
        details = {
            "worker": worker.name,
            "route": route,
            "tomcat": target.node.name,
            "jvm_route": jvm_route,
        }
        if jvm_route == route:
            yield passed(
                f"worker {worker.name} route {route!r} = jvmRoute of {target.node.name}",
                details=details,
                **where,
            )
        else:
            shown = repr(jvm_route) if jvm_route else "(none)"
            yield failed(
                f"worker {worker.name} has route {route!r}, but {target.node.name} "
                f"has jvmRoute {shown}: its sessions are not sticky",
                details=details,
                **where,
            )
    if not seen:
        yield skipped("no lb member matches a Tomcat node (see CC101)")
