"""CC101 ajp-port-match."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.common import readable_servers, some_of
from clustercheck.derive.derived import Derived
from clustercheck.derive.targets import MemberTarget, listening_port
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, errored, failed, passed, skipped, warned
from clustercheck.facts.cluster import ClusterFacts


@check("CC101", "ajp-port-match", scope=Scope.CLUSTER, roles=("apache", "tomcat"), seam=True)
def ajp_port_match(cluster: ClusterFacts, derived: Derived) -> Iterator[Finding]:
    """Every AJP member of the front ends points at a Tomcat AJP connector, and every AJP
    connector is used.

    Each member a front end connects to is checked, whichever module balances. With mod_jk:
    each ajp13 worker it creates (listed in worker.list, or a member of a listed lb), after
    `reference` inheritance and mod_jk's defaults (host localhost, port 8009), and does not
    disable (a port that reads as 0, a host that cannot resolve: CC6034 says so). With
    mod_proxy: each `BalancerMember ajp://host:port` of a balancer that a ProxyPass uses, and
    each `ProxyPass ... ajp://host:port` (port 8009 when none is written). Each is matched
    to a Tomcat node of the inventory: by its inventory host or name, by one of the node's own
    interface addresses, or by DNS as a last resort (at most 256 names, all within the apache
    nodes' `ssh.command_timeout`; a host left without an answer is an error: cannot tell). That
    node must have an AJP connector on the member's port. An AJP connector that no member uses
    is reported too.

    ## Why it matters
    A member whose port has no AJP connector behind it is one the balancer can never reach: it
    is put in error state, its share of requests fails over to the others, and once every
    member is in error users get HTTP 503 ("Service Unavailable" from one node only, or after a
    port change). An AJP connector that no balancer uses is an open port nobody needs, the
    Ghostcat attack surface.

    ## How to fix
    Make `worker.NAME.port` (and `host`) in workers.properties, or the BalancerMember's URL,
    equal the `port` of the node's `<Connector protocol="AJP/1.3">` in server.xml, then restart
    httpd (or the Tomcat); remove or comment out AJP connectors that no member uses.
    """
    used: set[tuple[str, int]] = set()
    for target in derived.targets:
        finding = _judge_target(cluster, target)
        if target.node is not None and target.connector is not None:
            used.add((target.node.name, target.port))
        yield finding
    if not cluster.apaches:
        return
    servers, problems = readable_servers(cluster)
    yield from problems
    for node, server in servers:
        for connector in server.ajp_connectors:
            port = listening_port(connector)
            if port is not None and (node.name, port) not in used:
                yield warned(
                    f"AJP connector on port {port} is used by no front-end member",
                    node=node.name,
                    file=server.path,
                    line=connector.line,
                )


def _judge_target(cluster: ClusterFacts, target: MemberTarget) -> Finding:
    member = target.member
    where = {"node": target.apache.name, **member.location(member.port, member.host)}
    name = target.name
    details = {
        "worker": member.name,
        "host": target.host,
        "port": target.port,
        "matched_by": target.how,
    }
    unresolved = cluster.local.dns_unresolved.get(target.host)
    if not target.candidates and unresolved:
        return errored(
            f"{name}: cannot tell, {target.host} not looked up in DNS ({unresolved})",
            details=details,
            **where,
        )
    if target.left_out:
        return skipped(
            f"{name}: points at {target.left_out}, which --limit left out", details=details, **where
        )
    if not target.candidates:
        return failed(
            f"{name} points at a host that is no Tomcat node of the inventory",
            details=details,
            **where,
        )
    if target.node is None:
        unjudged = [
            n.name
            for n in target.candidates
            if not n.reachable or not n.tomcat or not n.tomcat.server or not n.tomcat.server.ok
        ]
        if unjudged:
            return errored(
                f"{name}: cannot tell, server.xml of {some_of(unjudged)} unknown",
                details=details,
                **where,
            )
        ports = sorted(
            {
                port
                for n in target.candidates
                for c in (n.tomcat.server.ajp_connectors if n.tomcat and n.tomcat.server else [])
                if (port := listening_port(c)) is not None
            }
        )
        nodes = some_of([n.name for n in target.candidates])
        listening = some_of([str(p) for p in ports])
        has = f" (AJP on {listening})" if ports else " (no AJP connector at all)"
        return failed(
            f"{name}: no AJP connector listens on port {target.port} on {nodes}{has}",
            details=details,  # the ports: each unused connector is a finding of its own
            **where,
        )
    how = "" if target.how == "inventory host" else f", matched by {target.how}"
    return passed(
        f"{name} -> {target.node.name} AJP connector{how}",
        details={**details, "tomcat": target.node.name},
        **where,
    )
