"""CC701 distributable."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.common import server_xml, unreadable_descriptor
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, errored, failed, passed, skipped, warned
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.facts.files import Webapp
from clustercheck.knowledge.tomcat import TOMCAT_ADMIN_APPS
from clustercheck.parsers.text import Kind, Problem
from clustercheck.parsers.webxml import WebXml


@check("CC701", "distributable", scope=Scope.NODE, roles=("tomcat",))
def distributable(node: NodeFacts, cluster: ClusterFacts) -> Iterator[Finding]:
    """Every webapp of a clustered node declares `<distributable/>`.

    Looks at each application found in the Host's appBase (unpacked directories and WAR files,
    whose `WEB-INF/web.xml` is read from inside the archive) and in `conf/<Engine>/<Host>/*.xml`
    context files. Only a `<distributable/>` that is a direct child of `<web-app>`, spelt in
    lower case, counts: Tomcat silently ignores any other. A context file or web.xml that
    Tomcat's XML parser rejects fails (Tomcat does not deploy that application). A folder of
    applications that exists but cannot be listed is an error, never "no application found";
    so is a Host with more than 1000 applications and context files: the rest are not judged.

    ## Why it matters
    Tomcat replicates the sessions of a web application only when its web.xml says
    `<distributable/>`; otherwise it quietly gives the application a local session manager. The
    cluster looks healthy, and users are logged out whenever their node fails or is restarted for
    a deploy. No log line above DEBUG says so. An application without a WEB-INF/web.xml is not
    distributable either.

    ## How to fix
    Add `<distributable/>` as a direct child of `<web-app>` in the application's
    WEB-INF/web.xml (in the source tree, so every build has it), redeploy, and make sure
    everything stored in the session is Serializable.
    """
    server, problem = server_xml(node)
    if problem:
        yield problem
        return
    assert server is not None and node.tomcat is not None
    if not server.clusters:
        yield skipped("no <Cluster> in server.xml: this node replicates no sessions")
        return
    for folder, why in node.tomcat.unlisted.items():
        yield errored(f"cannot list the applications: {why}", file=folder)
    for folder, why in node.tomcat.unjudged.items():
        yield errored(f"applications not judged: {why}", file=folder)
    yield from map(_problem, node.tomcat.problems)
    if not node.tomcat.webapps and not node.tomcat.unlisted:
        yield skipped("no web application found in the appBase")
    for app in node.tomcat.webapps:
        yield from _judge_app(app)


def _problem(problem: Problem) -> Finding:
    """What the XML reader forgave in a context file or web.xml: Tomcat's parser rejects it and
    does not deploy the application; what clustercheck could not read is not judged."""
    where = {"file": problem.file, "line": problem.line}
    if problem.kind is Kind.REFUSES_TO_START:
        return failed(f"Tomcat does not deploy the application: {problem.message}", **where)
    if problem.kind is Kind.UNREADABLE:
        return errored(f"not judged: {problem.message}", **where)
    if problem.kind is Kind.MEANS_SOMETHING_ELSE:
        return failed(problem.message, **where)
    return warned(problem.message, **where)


def _judge_app(app: Webapp) -> Iterator[Finding]:
    details = {"webapp": app.name, "kind": app.kind}
    if app.error:
        yield unreadable_descriptor(app, details)
        return
    web = app.web_xml
    if web is not None:
        yield from map(_problem, web.problems)
    yield _verdict(app, web, details)


def _verdict(app: Webapp, web: WebXml | None, details: dict[str, str]) -> Finding:
    if web is None:
        return _not_distributable(
            app, "has no WEB-INF/web.xml, so it is not distributable", None, details
        )
    if web.distributable:
        return passed(f"{app.name} is distributable", file=web.path, line=web.line, details=details)
    ignored = "; ".join(
        f"{text} at line {line} is ignored: {why}" for text, line, why in web.ignored
    )
    reason = (
        f"does not declare <distributable/> ({ignored})"
        if ignored
        else "does not declare <distributable/>"
    )
    line = web.ignored[0][1] if web.ignored else None
    return _not_distributable(app, reason, line, details, file=web.path)


def _not_distributable(
    app: Webapp, reason: str, line: int | None, details: dict[str, str], file: str | None = None
) -> Finding:
    message = f"{app.name} {reason}: its sessions are not replicated"
    where = file or app.web_xml_path
    if app.name in TOMCAT_ADMIN_APPS:
        return warned(
            message + " (a Tomcat admin application: usually acceptable)",
            file=where,
            line=line,
            details=details,
        )
    return failed(message, file=where, line=line, details=details)
