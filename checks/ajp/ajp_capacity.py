"""CC107 ajp-capacity."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from clustercheck.checks.common import no_matched_member, some_of
from clustercheck.derive.connector import TomcatSide, tomcat_side
from clustercheck.derive.derived import Derived
from clustercheck.derive.frontend import Capacity, FrontEnd, Member, Module, Seam
from clustercheck.derive.targets import MemberTarget, listening_port
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped, warned
from clustercheck.facts.cluster import NodeFacts


@check("CC107", "ajp-capacity", scope=Scope.CLUSTER, roles=("apache", "tomcat"), seam=True)
def ajp_capacity(derived: Derived) -> Iterator[Finding]:
    """The AJP connections the front ends can open to each Tomcat fit what its connector
    takes.

    For each AJP connector that front-end members point at (CC101 matches them), adds up over
    the apache nodes what each can open to it: its httpd's child processes (MaxRequestWorkers /
    ThreadsPerChild within ServerLimit, with the MPM's defaults: prefork 256 processes of one
    thread; worker and event 400 requests in 16 processes of 25 threads; winnt one process of
    64 threads, and as httpd corrects them at start) times each member's connections per
    process (mod_jk `connection_pool_size`, mod_proxy `max=`; by default ThreadsPerChild, one
    under prefork, and never more than a process has threads), no more than the node's
    MaxRequestWorkers. That sum is compared with the connector's `maxThreads` (its Executor's,
    when `executor=` names one: the connector's own is then ignored), `maxConnections` (8192 by
    default; 10000 for NIO before 8.5.76 / 9.0.30; as many as maxThreads for the blocking
    connector of Tomcat 7 and older, which holds a thread per connection) and `acceptCount`
    (100), each with its file and line or "default". More connections than maxConnections +
    acceptCount fails; more than maxThreads warns; every number is in the message and the
    details. It also warns where httpd corrects its MPM settings at start (AH00513 and its
    kin: the configuration does not say what runs) and where a mod_jk pool is larger than one
    under prefork. An apache node whose httpd capacity is unknown (the inventory names no
    `apache.httpd_conf`) leaves a connector unjudged (skip), unless the others already exceed
    it.

    ## Why it matters
    Every httpd process keeps its own pool of AJP connections to every member, so a front end
    can hold processes x pool connections to one Tomcat, and several front ends add up. Past
    maxConnections the connector stops accepting; past acceptCount more the operating system
    refuses or drops the connections: under load mod_jk marks the member in error ("All
    workers are in error state", 503), mod_proxy answers 503. Past maxThreads requests queue
    for a thread and time out at the balancer's reply timeout; catalina.out says "All threads
    (200) are currently busy". With an Executor the connector's own maxThreads is silently
    ignored. A blocking (BIO) connector ties up one thread per open connection, idle or not.

    ## How to fix
    Size the two tiers together: the connector's maxThreads (or its Executor's) at least the
    sum of MaxRequestWorkers of the httpd nodes that reach it (or cap each member's
    `connection_pool_size` / `max=` so that processes x pool fits), and maxConnections +
    acceptCount above that sum; on Tomcat 7 use the NIO connector
    (`protocol="org.apache.coyote.ajp.AjpNioProtocol"`). Set MaxRequestWorkers to a multiple
    of ThreadsPerChild within ServerLimit x ThreadsPerChild, so httpd runs what is written.
    Leave `connection_pool_size` unset under prefork. Name httpd's main file in the inventory
    (`apache.httpd_conf`) so its MPM settings can be read.
    """
    yield from _httpd(derived.front_ends)
    connectors = _by_connector(derived.targets)
    if not connectors:
        yield no_matched_member()
    for targets in connectors.values():
        yield _judge(targets)


def _by_connector(targets: Sequence[MemberTarget]) -> dict[tuple[str, int], list[MemberTarget]]:
    found: dict[tuple[str, int], list[MemberTarget]] = {}
    for target in targets:
        if target.node is not None and target.connector is not None:
            found.setdefault((target.node.name, target.connector.line), []).append(target)
    return found


# --- httpd's side -----------------------------------------------------------------------------


def _httpd(front_ends: Sequence[FrontEnd]) -> Iterator[Finding]:
    """What httpd changes of its MPM settings, and mod_jk pools that prefork never fills."""
    seen: set[str] = set()
    for front_end in front_ends:
        capacity, node = front_end.capacity, front_end.node
        if capacity is None:
            continue
        if node.name not in seen:
            seen.add(node.name)
            yield from _corrections(node, capacity)
        if capacity.mpm.value != "prefork" or front_end.module is not Module.MOD_JK:
            continue
        for member, _balancer in front_end.members:
            pool = member.pool_size
            if not pool.defaulted and pool.value is not None and pool.value > 1:
                yield warned(
                    f"{pool.shown()} under the prefork MPM: each httpd process "
                    "serves one request at a time and uses one connection (mod_jk: do not use "
                    "values higher than 1 with prefork)",
                    node=node.name,
                    **member.location(pool),
                )


def _corrections(node: NodeFacts, capacity: Capacity) -> Iterator[Finding]:
    mpm = node.apache.mpm if node.apache else None
    for fix in capacity.corrections:
        value = mpm.values.get(fix.directive.lower()) if mpm else None
        where = (value.file, value.line) if value else (capacity.mpm.file, capacity.mpm.line)
        change = "lowers" if fix.used < fix.given else "raises"
        written = "" if value else " (its default)"
        yield warned(
            f"httpd {change} {fix.directive} {fix.given}{written} to {fix.used} at start "
            f"({fix.code}: {fix.why})",
            node=node.name,
            file=where[0],
            line=where[1],
            details={"directive": fix.directive, "given": fix.given, "used": fix.used},
        )


# --- one connector ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Share:
    """What one apache node can open to one connector, through its members pointing at it."""

    apache: NodeFacts
    capacity: Capacity | None
    members: tuple[Member, ...]

    @property
    def connections(self) -> int | None:
        """Processes x connections per process, summed over its members (each has its own
        pool), no more than the requests the node serves at once; None: not known."""
        capacity = self.capacity
        pools = [m.pool_size.value for m in self.members]
        if capacity is None or any(pool is None for pool in pools):
            return None
        threads = capacity.threads_per_child.value
        total = sum(capacity.processes * min(pool or 0, threads) for pool in pools)
        return min(total, capacity.max_request_workers.value)

    def text(self) -> str:
        """`web1 400 = 16 processes x 25 (MaxRequestWorkers 400 (default), ...)`."""
        capacity, connections = self.capacity, self.connections
        if capacity is None or connections is None:
            return f"{self.apache.name} unknown"
        pools = ", ".join(_shown(m.pool_size) for m in self.members)
        sizes = (
            f"{_shown(capacity.max_request_workers)}, {_shown(capacity.threads_per_child)}, "
            f"{_shown(capacity.server_limit)}; {pools}"
        )
        per = (
            f"{capacity.processes} processes x {self.members[0].pool_size.value}"
            if len(self.members) == 1
            else f"{len(self.members)} members"
        )
        return f"{self.apache.name} {connections} = {per} ({sizes})"

    def details(self) -> dict[str, Any]:
        capacity = self.capacity
        found: dict[str, Any] = {
            "apache": self.apache.name,
            "connections": self.connections,
            "members": [{"worker": m.name, "pool": _number(m.pool_size)} for m in self.members],
        }
        if capacity is not None:
            found |= {
                "mpm": capacity.mpm.value,
                "processes": capacity.processes,
                "max_request_workers": _number(capacity.max_request_workers),
                "threads_per_child": _number(capacity.threads_per_child),
                "server_limit": _number(capacity.server_limit),
            }
        return found


def _shown(seam: Seam[Any]) -> str:
    """`MaxRequestWorkers 400 (default)` or `ThreadsPerChild 50 at /etc/httpd/x.conf:3`."""
    return (
        seam.shown() if seam.defaulted or seam.file is None else f"{seam.shown()} at {seam.where}"
    )


def _number(seam: Seam[Any]) -> dict[str, Any]:
    return {"value": seam.value, "directive": seam.directive, "where": seam.where}


def _shares(targets: list[MemberTarget]) -> list[_Share]:
    by_node: dict[str, list[MemberTarget]] = {}
    for target in targets:
        by_node.setdefault(target.apache.name, []).append(target)
    return [
        _Share(
            group[0].apache,
            group[0].front_end.capacity,
            tuple({t.member.name: t.member for t in group}.values()),
        )
        for group in by_node.values()
    ]


def _judge(targets: list[MemberTarget]) -> Finding:
    tomcat, connector = targets[0].node, targets[0].connector
    assert tomcat is not None and connector is not None
    assert tomcat.tomcat is not None and tomcat.tomcat.server is not None
    limits = tomcat_side(tomcat.tomcat.server, connector, tomcat.tomcat.version, tomcat.name)
    shares = _shares(targets)
    known = [s.connections for s in shares if s.connections is not None]
    unknown = [s.apache.name for s in shares if s.connections is None]
    total = sum(c for c in known if c is not None)
    server = tomcat.tomcat.server if tomcat.tomcat else None
    port = listening_port(connector)
    subject = f"AJP connector on port {port} of {tomcat.name}"
    opened = (
        f"the front ends can open {'at least ' if unknown else ''}{total} connections to it "
        f"({some_of([s.text() for s in shares], '; ')})"
    )
    details = {
        "worker": sorted({t.member.name for t in targets}),
        "tomcat": tomcat.name,
        "apache": [s.apache.name for s in shares],
        "connections": total,
        "from": [s.details() for s in shares],
        "max_threads": _number(limits.max_threads),
        "max_connections": _number(limits.max_connections),
        "accept_count": _number(limits.accept_count),
        "bio": limits.bio,
    }
    where = {"node": tomcat.name, "file": server.path if server else None, "line": connector.line}
    accepts = limits.accepts
    if accepts is not None and total > accepts:
        return failed(
            f"{subject}: {opened}, more than it accepts: {_limits(limits)}{_bio(limits)}; under "
            "load the connections past that are refused or time out (503)",
            details=details,
            **where,
        )
    threads = limits.max_threads.value
    if total > threads:
        return warned(
            f"{subject}: {opened}, more than the {_shown(limits.max_threads)} that serve them"
            f'{_bio(limits)}: under load requests wait for a thread ("All threads ({threads}) '
            'are currently busy")',
            details=details,
            **where,
        )
    if unknown:
        return skipped(
            f"{subject}: cannot tell what {some_of(unknown)} can open to it: "
            f"{_unknown([s for s in shares if s.connections is None])}",
            details=details,
            **where,
        )
    return passed(
        f"{subject}: {opened}, within {_shown(limits.max_threads)}{_bio(limits)} and "
        f"{_limits(limits)}",
        details=details,
        **where,
    )


def _unknown(shares: list[_Share]) -> str:
    """Why an apache node's connections are not known."""
    share = shares[0]
    apache = share.apache.apache
    if apache is None or not apache.httpd_conf:
        return (
            "its httpd capacity is unknown (set apache.httpd_conf, httpd's main file, in the "
            "inventory)"
        )
    if share.capacity is None:
        return f"httpd's MPM is not known from {apache.httpd_conf} (CC603 says why)"
    return "the connections per process of its members are not known"


def _limits(limits: TomcatSide) -> str:
    connections = limits.max_connections
    if connections.value is None:
        return f"maxConnections -1 at {connections.where} (no limit)"
    return f"{_shown(connections)} + {_shown(limits.accept_count)} = {limits.accepts}"


def _bio(limits: TomcatSide) -> str:
    return " (blocking connector: one thread per connection, idle or not)" if limits.bio else ""
