"""CC201 jvmroute-unique."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from clustercheck.checks.common import readable_servers, some_of
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.knowledge.tomcat import jvm_route_property_honoured


@check("CC201", "jvmroute-unique", scope=Scope.CLUSTER, roles=("tomcat",))
def jvmroute_unique(cluster: ClusterFacts) -> Iterator[Finding]:
    """Every Tomcat node has a jvmRoute, and no two nodes share one.

    Reads `<Engine jvmRoute="...">` from each node's server.xml, after `${...}` substitution from
    catalina.properties and the inventory's `system_properties`; without the attribute, a
    `-DjvmRoute` property counts on the Tomcat versions that still read it (before 10.1). A
    `${name}` that nothing defines stays literal in Tomcat, so it is reported as missing.

    ## Why it matters
    Tomcat appends the jvmRoute to every session id (`ABC123.tomcat01`) and mod_jk sends each
    request to the worker whose route matches that suffix. Without a jvmRoute sticky sessions
    do not stick: users are bounced between nodes and, without replication, logged out at random.
    Two nodes with one jvmRoute make mod_jk send one node's sessions to the other: "sessions are
    lost on fail-over" and "logged out after a deploy" are the symptoms.

    ## How to fix
    Give each node's `<Engine>` in conf/server.xml its own `jvmRoute`, equal to the name (or
    `route`) of the worker that points at it in workers.properties, and restart that Tomcat.
    """
    owners: dict[str, list[str]] = defaultdict(list)
    found: dict[str, tuple[str, str, int | None]] = {}
    servers, problems = readable_servers(cluster)
    yield from problems
    for node, server in servers:
        route, line = server.jvm_route, server.jvm_route_line
        if not route and jvm_route_property_honoured(node.tomcat.version if node.tomcat else None):
            route = node.tomcat.properties.get("jvmRoute") if node.tomcat else None
        if not route:
            yield failed(
                "no jvmRoute on <Engine>: sessions carry no route, stickiness cannot work",
                node=node.name,
                file=server.path,
                line=line,
            )
        elif "${" in route:
            yield failed(
                f"jvmRoute is the literal {route!r}: the property is not defined",
                node=node.name,
                file=server.path,
                line=line,
            )
        else:
            owners[route].append(node.name)
            found[node.name] = (route, server.path, line)
    for name, (route, path, line) in found.items():
        others = [o for o in owners[route] if o != name]
        if others:
            # each sharing node names a few of the others; the route is the group's name
            yield failed(
                f"jvmRoute {route!r} is also used by {some_of(others)}",
                node=name,
                file=path,
                line=line,
                details={"jvm_route": route, "nodes_with_route": len(owners[route])},
            )
        else:
            yield passed(
                f"jvmRoute {route!r} is unique",
                node=name,
                file=path,
                line=line,
                details={"jvm_route": route},
            )
