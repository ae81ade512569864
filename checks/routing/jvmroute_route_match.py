"""CC202 jvmroute-route-match."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.derive.derived import Derived
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped


@check("CC202", "jvmroute-route-match", scope=Scope.CLUSTER, roles=("apache", "tomcat"), seam=True)
def jvmroute_route_match(derived: Derived) -> Iterator[Finding]:
    """Each balanced member's route equals the jvmRoute of the Tomcat it points at.

    For every member of a balancer that matches a Tomcat node (see CC101), the member's route
    must equal that node's `<Engine jvmRoute>`, exactly: both modules compare them
    case-sensitively. With mod_jk the route is `worker.NAME.route` (default: the worker's
    name; the deprecated `jvm_route` is read too); with mod_proxy it is the BalancerMember's
    `route=`, and a member without one is never chosen by session. A balancer that does not
    route by session (mod_jk `sticky_session` off, mod_proxy without `stickysession=`) is
    skipped: CC203 judges stickiness itself.

    ## Why it matters
    Tomcat appends its jvmRoute to each session id; the balancer sends a request whose session
    id ends in `.ROUTE` to the member whose route is ROUTE. When they differ, no member
    matches: every request of a session may land on any node ("sticky sessions do not stick",
    random logouts without replication, heavy replication traffic with it), or sessions of one
    node are sent to another.

    ## How to fix
    Either set `<Engine jvmRoute="...">` on the node to the member's route, or set
    `worker.NAME.route` (mod_jk) or the BalancerMember's `route=` (mod_proxy) to the node's
    jvmRoute, and restart the side you changed.
    """
    seen = False
    for target in derived.targets:
        if target.balancer is None or target.node is None:
            continue
        seen = True
        member, balancer = target.member, target.balancer
        where = {"node": target.apache.name, **member.location(member.route)}
        if not balancer.sticky.value:
            yield skipped(
                f"{balancer.label} does not route by session ({balancer.sticky.shown()}): "
                "routes are not used",
                **where,
            )
            continue
        server = target.node.tomcat.server if target.node.tomcat else None
        jvm_route = server.jvm_route if server else None
        route = member.route_value
        details = {
            "worker": member.name,
            "route": route,
            "tomcat": target.node.name,
            "jvm_route": jvm_route,
        }
        shown = repr(jvm_route) if jvm_route else "(none)"
        if route is None:
            yield failed(
                f"{member.label} has no route=, but {target.node.name} has jvmRoute {shown}: "
                "no session is routed back to it",
                details=details,
                **where,
            )
        elif jvm_route == route:
            yield passed(
                f"{member.label} route {route!r} = jvmRoute of {target.node.name}",
                details=details,
                **where,
            )
        else:
            yield failed(
                f"{member.label} has route {route!r}, but {target.node.name} "
                f"has jvmRoute {shown}: its sessions are not sticky",
                details=details,
                **where,
            )
    if not seen:
        yield skipped("no balancer member matches a Tomcat node (see CC101)")
