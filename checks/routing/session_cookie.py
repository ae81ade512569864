"""CC203 session-cookie."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from clustercheck.checks.common import some_of
from clustercheck.derive.cluster_config import (
    cluster_listeners,
    cluster_valves,
    manager_class,
    started_clusters,
)
from clustercheck.derive.derived import Derived
from clustercheck.derive.frontend import Balancer, FrontEnd, Seam
from clustercheck.derive.sessions import AppSession, app_sessions
from clustercheck.derive.targets import MemberTarget
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, errored, failed, passed, skipped, warned
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge.classes import property_value
from clustercheck.knowledge.tomcat import (
    CLUSTER_SESSION_LISTENER,
    DELTA_MANAGER,
    JVM_ROUTE_BINDER_VALVE,
    TOMCAT_ADMIN_APPS,
)
from clustercheck.parsers.serverxml import ClusterConfig

Make = Callable[..., Finding]  # passed, warned, failed, ...


@check("CC203", "session-cookie", scope=Scope.CLUSTER, roles=("apache", "tomcat"), seam=True)
def session_cookie(derived: Derived) -> Iterator[Finding]:
    """Each balancer routes on the session id its applications issue, and fails over the way
    the Tomcats' replication expects.

    For every balancer (a mod_jk lb worker, a `balancer://` of mod_proxy_balancer) and the
    Tomcat nodes its members point at (see CC101; a member that matches none is left out; a
    balancer of one member needs no routing and is skipped):
    - A balancer that does not route by session (mod_jk `sticky_session` off, mod_proxy without
      `stickysession=`) fails when a node it sends to replicates no sessions (no `<Cluster>`),
      and warns when they all do (Tomcat's cluster how-to asks for sticky sessions).
    - Otherwise, for each application on each node: the session cookie it issues (the Context's
      `sessionCookieName`, from server.xml, conf/context.xml, the Host's context.xml.default,
      `conf/<Engine>/<Host>/NAME.xml` or META-INF/context.xml, in the order Tomcat reads them,
      wins over web.xml's `<session-config><cookie-config><name>`, the application's then
      conf/web.xml's; else JSESSIONID), the path parameter URL rewriting writes (`;jsessionid=`,
      or `;NAME=` when a name is configured) and its tracking modes (`<tracking-mode>`, else URL
      and, unless the Context says `cookies="false"`, COOKIE) against the cookie the balancer
      routes on (mod_jk `session_cookie`, default JSESSIONID; mod_proxy `stickysession=`) and
      its path parameter (mod_jk `session_path`, default `;jsessionid`; mod_proxy the name after
      `|`), compared exactly, as both modules do. Sessions the balancer cannot route at all (a
      cookie of another name; URL-only tracking without the parameter) fail on a node without
      replication and warn on one with it (a Tomcat admin application only warns); when only
      URL-rewritten sessions are not routed, it warns.
    - `sticky_session_force` (mod_proxy `nofailover=On`) while the nodes replicate warns.
    - Failover allowed while a node replicates: its `<Cluster>` needs JvmRouteBinderValve
      (Tomcat adds it only when no `<Valve>` is written) and, with DeltaManager,
      ClusterSessionListener (added only when no `<ClusterListener>` is written); else it warns.

    What the application's code sets at run time (a listener calling
    `getSessionCookieConfig().setName()`, Spring Session's `SESSION` cookie) is not in the files
    and is not seen.

    ## Why it matters
    Tomcat appends its jvmRoute to the session id; the balancer reads it back only from the
    cookie and the path parameter it is told to look at. An application that names its cookie
    otherwise (a custom `sessionCookieName`, a framework's cookie) gets no stickiness: its
    requests are spread over the nodes, and without replication users are logged out at
    random; with it, a request can reach a node before the last change to the session has.
    URL-rewritten sessions (`;jsessionid=` in links, for clients without cookies) are routed
    only through the path parameter, which must carry the same name. `sticky_session_force`
    turns a member's failure into errors (HTTP 500 from mod_jk) for its users even though
    another node holds their replicated session. Without JvmRouteBinderValve a failed-over
    session keeps the dead node's route: the balancer keeps trying that node and spreads the
    session's requests over the others instead of sticking to the one that took it over.

    ## How to fix
    Make the balancer route on the name the applications use: mod_jk `worker.LB.session_cookie`
    and `worker.LB.session_path` (`;NAME`), mod_proxy `stickysession=COOKIE|parameter` (for
    the default names `JSESSIONID|jsessionid`), or remove the custom name from the
    application's Context or web.xml. Turn stickiness on (`sticky_session` is on by default;
    mod_proxy needs `stickysession=`). Leave `sticky_session_force` off (and `nofailover` Off)
    when sessions are replicated. Keep Tomcat's default cluster valves, or write
    `<Valve className="org.apache.catalina.ha.session.JvmRouteBinderValve"/>` beside the
    ReplicationValve (and `<ClusterListener
    className="org.apache.catalina.ha.session.ClusterSessionListener"/>` with DeltaManager).
    """
    targets = {(id(t.front_end), t.member.name): t for t in derived.targets}
    judged = False
    for front_end in derived.front_ends:
        for balancer in front_end.balancers:
            mine = [targets.get((id(front_end), m.name)) for m in balancer.members]
            judged = True
            yield from _Balancer(front_end, balancer, [t for t in mine if t]).judge()
    if not judged:
        yield skipped("no front end has a balancer")


def _said(seam: Seam[Any]) -> str:
    """The value with its directive and where it is written (nothing for a default)."""
    return seam.shown() + ("" if seam.defaulted else f" at {seam.where}")


def _origin(seam: Seam[Any]) -> str:
    return "default" if seam.defaulted else f"{seam.directive} at {seam.where}"


def _replicates(node: NodeFacts) -> list[ClusterConfig]:
    server = node.tomcat.server if node.tomcat else None
    return started_clusters(server) if server else []


class _Balancer:
    """One balancer and the Tomcat nodes its members point at, judged."""

    def __init__(self, front_end: FrontEnd, balancer: Balancer, targets: list[MemberTarget]):
        self.front_end, self.balancer = front_end, balancer
        first: dict[str, MemberTarget] = {}  # one member per Tomcat node: the first to it
        for target in targets:
            if target.node is not None:
                first.setdefault(target.node.name, target)
        self.targets = list(first.values())
        self.names = list(first)

    def finding(self, make: Make, message: str, seam: Seam[Any] | None, **details: Any) -> Finding:
        """A finding on the apache node, at the balancer setting `seam` when it is written (else
        at the balancer)."""
        balancer = self.balancer
        at = seam if seam is not None and not seam.defaulted else None
        return make(
            message,
            node=self.front_end.node.name,
            file=at.file if at else balancer.file,
            line=at.line if at else balancer.line,
            details={"balancer": balancer.name, **details},
        )

    def of_balancer(self, make: Make, message: str, seam: Seam[Any] | None = None) -> Finding:
        members = [m.name for m in self.balancer.members]
        return self.finding(make, message, seam, worker=members, tomcat=self.names)

    def of_member(
        self, make: Make, target: MemberTarget, message: str, seam: Seam[Any] | None, **more: Any
    ) -> Finding:
        assert target.node is not None
        return self.finding(
            make,
            f"{target.name}: {message}",
            seam,
            worker=target.member.name,
            tomcat=target.node.name,
            **more,
        )

    def judge(self) -> Iterator[Finding]:
        balancer = self.balancer
        if not self.targets:
            yield self.of_balancer(
                skipped, f"{balancer.label}: no member matches a Tomcat node (see CC101)"
            )
            return
        if len(balancer.members) == 1:
            yield self.of_balancer(
                skipped, f"{balancer.label} has one member: its sessions need no routing"
            )
            return
        if not balancer.sticky.value:
            yield self.not_sticky()
            return
        findings = [*self.unreadable(), *self.failover()]
        sessions = [(t, s) for t in self.targets for s in self.sessions(t)]
        findings += [f for t, s in sessions for f in self.app(t, s)]
        if findings:
            yield from findings
        elif sessions:
            yield self.of_balancer(passed, self.agreed([s for _, s in sessions]), balancer.cookie)
        else:
            yield self.of_balancer(
                skipped,
                f"{balancer.label}: no application found on {some_of(self.names)}: no session "
                "cookie to compare",
            )

    def sessions(self, target: MemberTarget) -> list[AppSession]:
        tomcat = target.node.tomcat if target.node else None
        return app_sessions(tomcat) if tomcat else []

    def not_sticky(self) -> Finding:
        balancer = self.balancer
        alone = [t.node.name for t in self.targets if t.node and not _replicates(t.node)]
        head = f"{balancer.label} does not route by session ({_said(balancer.sticky)})"
        if alone:
            return self.of_balancer(
                failed,
                f"{head}, and sessions are not replicated on {some_of(alone)} (no <Cluster> "
                "in server.xml): a request may land on a node that does not know its session, "
                "and the user is logged out",
                balancer.sticky,
            )
        return self.of_balancer(
            warned,
            f"{head}: sessions are replicated on {some_of(self.names)}, but a request may reach "
            "a node before the last change to its session has (Tomcat's cluster how-to asks for "
            "sticky sessions)",
            balancer.sticky,
        )

    def unreadable(self) -> Iterator[Finding]:
        """Applications whose cookie cannot be known: their descriptor or folder is unreadable."""
        for target in self.targets:
            tomcat = target.node.tomcat if target.node else None
            if tomcat is None:
                continue
            for folder, why in {**tomcat.unlisted, **tomcat.unjudged}.items():
                yield self.of_member(
                    errored, target, f"applications in {folder} not judged: {why}", None
                )
            for app in tomcat.webapps:
                if app.error:
                    yield self.of_member(
                        errored,
                        target,
                        f"{app.name}: cannot read {app.web_xml_path}: {app.error}; its session "
                        "cookie is not known",
                        None,
                    )

    def app(self, target: MemberTarget, session: AppSession) -> Iterator[Finding]:
        """One application's session id against what the balancer routes on."""
        assert target.node is not None
        balancer, node = self.balancer, target.node.name
        cookie, parameter = balancer.cookie, balancer.path_parameter
        by_cookie = cookie.value is not None and cookie.value == session.cookie.value
        wanted = f";{session.parameter.value}="
        # both modules look for the parameter's name and "=" anywhere in the URL (strstr)
        by_url = parameter.value is not None and f"{parameter.value}=" in wanted
        app = f"{node} {session.context_path}"
        more = {"context": session.context_path}
        if session.uses_cookie and not by_cookie:
            issue = (
                f"{app} issues session cookie {session.cookie.value} "
                f"({_origin(session.cookie)}), but {balancer.label} routes on {_said(cookie)}"
            )
            yield self.unrouted(target, session, issue, cookie, more)
        elif not session.uses_cookie and not session.uses_url:
            modes = ", ".join(sorted(session.tracking.value))
            issue = (
                f"{app} tracks sessions only by {modes} ({_origin(session.tracking)}), which "
                "no balancer routes on"
            )
            yield self.unrouted(target, session, issue, None, more)
        elif not session.uses_cookie and not by_url:
            issue = (
                f"{app} tracks sessions only by URL ({_origin(session.tracking)}), with "
                f"{wanted[:-1]}, but {balancer.label} routes on {_said(parameter)}"
            )
            yield self.unrouted(target, session, issue, parameter, more)
        elif session.uses_url and not by_url:
            yield self.of_member(
                warned,
                target,
                f"{app} rewrites URLs with {wanted[:-1]} ({_origin(session.parameter)}) for "
                f"clients without cookies, but {balancer.label} routes on {_said(parameter)}: "
                "those sessions are not sticky",
                parameter,
                **more,
            )

    def unrouted(
        self,
        target: MemberTarget,
        session: AppSession,
        issue: str,
        seam: Seam[Any] | None,
        details: dict[str, Any],
    ) -> Finding:
        """Sessions the balancer cannot route: lost without replication."""
        assert target.node is not None
        node = target.node.name
        if _replicates(target.node):
            return self.of_member(
                warned,
                target,
                f"{issue}: its sessions are not sticky; {node} replicates them, but a request "
                "may reach another node before the last change to its session",
                seam,
                **details,
            )
        lost = (
            f"{issue}: its sessions are not sticky, and {node} replicates none: the user is "
            "logged out when a request lands on another node"
        )
        if session.app.name in TOMCAT_ADMIN_APPS:
            admin = " (a Tomcat admin application: usually acceptable)"
            return self.of_member(warned, target, lost + admin, seam, **details)
        return self.of_member(failed, target, lost, seam, **details)

    def failover(self) -> Iterator[Finding]:
        """Failover against replication: refused while replication could serve it, or
        allowed without the valve that moves the session's route."""
        balancer = self.balancer
        replicating = [(t, c) for t in self.targets if t.node for c in _replicates(t.node)[:1]]
        if not replicating:
            return
        if balancer.sticky_force.value:
            names = some_of([t.node.name for t, _ in replicating if t.node])
            yield self.of_balancer(
                warned,
                f"{balancer.label} has {_said(balancer.sticky_force)}: when a member fails, "
                "its users get errors instead of being sent to another node, though sessions "
                f"are replicated on {names}: replication is wasted",
                balancer.sticky_force,
            )
            return
        for target, cluster in replicating:
            assert target.node is not None and target.node.tomcat is not None
            missing = _binder_missing(cluster, target.node.tomcat.server_xml_path)
            if missing:
                yield self.of_member(
                    warned,
                    target,
                    f"{target.node.name} replicates sessions and {balancer.label} fails over, "
                    f"but {missing}",
                    balancer.sticky_force,
                )

    def agreed(self, sessions: Sequence[AppSession]) -> str:
        """The pass: the names the balancer routes on and those the applications use."""
        balancer = self.balancer
        issued = sorted({f"{s.cookie.value} ({_origin(s.cookie)})" for s in sessions})
        return (
            f"{balancer.label} routes on {_said(balancer.cookie)} and "
            f"{_said(balancer.path_parameter)}, the cookie {len(sessions)} applications on "
            f"{some_of(self.names)} issue: {some_of(issued, '; ')}"
        )


def _binder_missing(cluster: ClusterConfig, path: str) -> str | None:
    """Why a failed-over session is not bound to the node that took it over, and what follows;
    None when it is."""
    where = f"its <Cluster> ({path}:{cluster.line})"
    keeps = ": after a failover the session keeps the failed node's route, and is no longer sticky"
    binders = [v for name, v in cluster_valves(cluster) if name == JVM_ROUTE_BINDER_VALVE]
    if not binders:
        return (
            f"{where} writes valves without JvmRouteBinderValve (Tomcat adds its default "
            f"valves only when none is written){keeps}"
        )
    binder = binders[0]  # None: Tomcat's default one
    enabled = property_value(binder.attrs, "enabled") if binder else None
    if binder is not None and enabled is not None and enabled.lower() != "true":
        return f'its JvmRouteBinderValve ({path}:{binder.line}) has enabled="{enabled}"{keeps}'
    listeners = cluster_listeners(cluster)
    if manager_class(cluster) == DELTA_MANAGER and CLUSTER_SESSION_LISTENER not in listeners:
        return (
            f"{where} writes listeners without ClusterSessionListener: the other nodes never "
            "learn the id a failed-over session is renamed to (nor apply any other DeltaManager "
            "message)"
        )
    return None
