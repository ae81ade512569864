"""Helpers shared by checks: turning a missing fact into the right result, weighing a reader's
problem, and naming other nodes in a message, once."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clustercheck.derive.runtime import NOT_RUNNING
from clustercheck.engine.results import Finding, Status, errored, skipped, some_of
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.knowledge.tomcat import tomcat_major
from clustercheck.parsers.text import Kind, Problem

if TYPE_CHECKING:
    from clustercheck.derive.derived import Derived
    from clustercheck.derive.frontend import Seam
    from clustercheck.facts.files import Webapp
    from clustercheck.parsers.serverxml import ServerXml, XmlElement
    from clustercheck.parsers.workers import Worker


# What a reader's Problem weighs in the front ends' lints (the CC603 and CC607 families), by
# what it means (the parsers decide the kind).
PROBLEM_STATUS: dict[Kind, Status] = {
    Kind.REFUSES_TO_START: Status.FAIL,
    Kind.MEANS_SOMETHING_ELSE: Status.FAIL,
    Kind.MAY_MEAN_SOMETHING_ELSE: Status.WARN,
    Kind.OVERRIDDEN: Status.WARN,
    Kind.REDUNDANT: Status.WARN,
    Kind.UNREADABLE: Status.ERROR,
}


def weighed_problems(problems: Iterable[Problem], kinds: Collection[Kind]) -> Iterator[Finding]:
    """The problems of these kinds, each once, as findings weighed by their kind."""
    for problem in dict.fromkeys(problems):
        if problem.kind in kinds:
            status = PROBLEM_STATUS[problem.kind]
            yield Finding(status, problem.message, file=problem.file, line=problem.line)


def not_running(derived: Derived, *names: str | None) -> str | None:
    """What a check says instead of a symptom of a Tomcat that is known not to run (CC801 says
    so, once): "tomcat03 is not running (CC801)" for the first such node among `names`."""
    stopped = next((n for n in names if n is not None and n in derived.stopped), None)
    return NOT_RUNNING.format(stopped) if stopped else None


def none_running(names: Sequence[str]) -> str:
    """The same for several nodes, named as some_of names them."""
    if len(names) == 1:
        return NOT_RUNNING.format(names[0])
    return NOT_RUNNING.format(some_of(names)).replace(" is not ", " are not ")


def server_xml(node: NodeFacts) -> tuple[ServerXml | None, Finding | None]:
    """The node's parsed server.xml, or the `error` finding that says why it is missing."""
    tomcat = node.tomcat
    if tomcat is None:
        return None, errored("no Tomcat facts were gathered", node=node.name)
    if tomcat.server is not None and tomcat.server.ok:
        return tomcat.server, None
    read = node.files.get(tomcat.server_xml_path)
    if read and read.status != "ok":
        return None, errored(
            f"cannot read server.xml: {read.message}", node=node.name, file=tomcat.server_xml_path
        )
    problem = tomcat.server.problems[0] if tomcat.server and tomcat.server.problems else None
    reason = problem.message if problem else "not parseable"
    return None, errored(
        f"server.xml is unreadable: {reason}",
        node=node.name,
        file=tomcat.server_xml_path,
        line=problem.line if problem else None,
    )


@dataclass(frozen=True)
class VersionedServerXml:
    """A node's server.xml as the checks whose verdict depends on the Tomcat version read it:
    parsed, with its root element, and the version it runs on."""

    server: ServerXml
    root: XmlElement
    version: str

    @property
    def path(self) -> str:
        return self.server.path

    @property
    def major(self) -> int | None:
        return tomcat_major(self.version)

    @property
    def unresolved(self) -> set[str]:
        """The `${name}` tokens nothing defined (Tomcat keeps them as text)."""
        return {token for token, _ in self.server.unresolved}


def server_xml_and_version(node: NodeFacts) -> VersionedServerXml | Finding:
    """The node's parsed server.xml and its Tomcat version, for checks whose verdict depends on
    what that version accepts; or the `error` finding that says which is missing."""
    server, problem = server_xml(node)
    if problem is not None:
        return problem
    assert server is not None and server.root is not None and node.tomcat is not None
    version = node.tomcat.version
    if version is None:
        return unknown_version(server)
    return VersionedServerXml(server, server.root, version)


def unreadable_descriptor(app: Webapp, details: Mapping[str, Any]) -> Finding:
    """An application whose web.xml could not be read: an error of the check that needs it."""
    return errored(
        f"{app.name}: cannot read its web.xml: {app.error}", file=app.web_xml_path, details=details
    )


def unknown_version(server: ServerXml) -> Finding:
    return errored(
        "Tomcat version unknown: set tomcat.version in the inventory (CC302 says why it "
        "could not be read)",
        file=server.path,
    )


def undefined_in(value: str, unresolved: set[str]) -> str | None:
    """Names the undefined `${name}` a value holds (the reason Tomcat cannot use the value),
    pointing at CC601, which reports the property itself."""
    undefined = sorted(token for token in unresolved if token in value)
    return f"{undefined[0]} is not defined, see CC601" if undefined else None


def readable_servers(
    cluster: ClusterFacts,
) -> tuple[list[tuple[NodeFacts, ServerXml]], list[Finding]]:
    """Every Tomcat node's parsed server.xml, and an `error` for each that could not be read."""
    servers: list[tuple[NodeFacts, ServerXml]] = []
    problems: list[Finding] = []
    for node in cluster.tomcats:
        server, problem = server_xml(node)
        if problem is not None:
            problems.append(problem)
        elif server is not None:
            servers.append((node, server))
    return servers, problems


def no_matched_member() -> Finding:
    """The one result of a seam check when no member reaches a connector (CC101 says why)."""
    return skipped("no front-end member matches a Tomcat node's AJP connector (see CC101)")


def setting_line(worker: Worker, *directives: str) -> int | None:
    """The line of the first of these worker settings that was written (not defaulted)."""
    for directive in directives:
        setting = worker.settings.get(directive)
        if setting is not None and setting.line is not None:
            return setting.line
    return worker.line


def stated(seam: Seam[Any], shown: str, owner: str) -> str:
    """One side of the seam in a message, as written and as used (`shown`), with where:
    `worker.w1.connection_pool_timeout 600 s = 600000 ms at workers.properties:7`,
    `keepAliveTimeout -1 (infinite) at server.xml:5`, `packetSize not set: 8192 bytes
    (Tomcat's default) at server.xml:5` (a defaulted value is located when its Seam names where
    it belongs), `... "20s" is not a number: ...` for text the owner ignores."""
    where = f" at {seam.file}:{seam.line}" if seam.file and seam.line else ""
    if seam.defaulted:
        unset = "not set" if seam.written is None else f"{seam.written!r} is not a number"
        return f"{seam.directive} {unset}: {shown} ({owner}'s default){where}"
    written = (seam.written or "").strip()
    if shown == "infinite":
        return f"{seam.directive} {written} (infinite){where}"
    if shown.split(" ")[0] == written:  # used as written: `20000 ms`, `16384 bytes`
        return f"{seam.directive} {shown}{where}"
    unit = f" {seam.unit}" if seam.unit else ""
    return f"{seam.directive} {written}{unit} = {shown}{where}"
