"""CC601 server-xml-elements."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.common import server_xml
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, Status, failed, passed, skipped, warned
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.knowledge.classes import ElementRule, TomcatTable
from clustercheck.knowledge.tomcat import (
    FIRST_COVERED_MAJOR,
    expected_parents,
    known_element,
    property_defaults_supported,
    suggest_element,
    tomcat_major,
)
from clustercheck.parsers.serverxml import ServerXml, XmlElement
from clustercheck.parsers.text import Kind

# The majors whose Digester rules the catalogue knows, to say which ones read an element.
_MAJORS = range(FIRST_COVERED_MAJOR, 12)

# What a reader's Problem weighs here, by what it means (the parsers decide the kind), and what
# the finding says before the problem's own message.
PROBLEM_STATUS: dict[Kind, tuple[Status, str]] = {
    Kind.REFUSES_TO_START: (Status.FAIL, "Tomcat does not start: "),
    Kind.MEANS_SOMETHING_ELSE: (Status.FAIL, ""),
    Kind.MAY_MEAN_SOMETHING_ELSE: (Status.WARN, ""),
    Kind.OVERRIDDEN: (Status.WARN, ""),
    Kind.REDUNDANT: (Status.WARN, ""),
    Kind.UNREADABLE: (Status.ERROR, ""),
}


@check("CC601", "server-xml-elements", scope=Scope.NODE, roles=("tomcat",))
def server_xml_elements(node: NodeFacts, cluster: ClusterFacts) -> Iterator[Finding]:
    """server.xml holds no element that Tomcat silently ignores, and Tomcat can parse it.

    Walks conf/server.xml with the rules of the node's Tomcat version: an element Tomcat has no
    rule for (a miscased `<cluster>`, a misspelt `<Reciever>`, a `<Valve>` under `<Channel>`, an
    element newer than the node's Tomcat) is reported once, with everything inside it, and what
    it was probably meant to be. It fails when something was meant to happen: the element is a
    Tomcat element by another case, spelling, place or version, names a `className`, or sits in
    a `<Cluster>`; an element Tomcat knows nowhere, outside a Cluster and without a class, only
    warns. A file that is not well-formed fails. A `${name}` that neither catalina.properties nor
    the inventory's `tomcat.system_properties` defines warns, as does `${name:-default}` on a Tomcat
    older than 9.0.35 / 8.5.55 / 7.0.104, which has no default syntax. Tomcat 5 files are only
    checked for well-formedness and properties; without a known version an element counts as
    known when any Tomcat version reads it. What goes past clustercheck's limits (elements
    nested deeper than 128, more than 100000 elements, an attribute that `${...}` would grow
    past 64 KiB) is an `error`: it is not judged.

    ## Why it matters
    Tomcat matches element names case-sensitively and only logs a WARN ("No rules found
    matching ...") for an element it does not know, then starts without it. A lower-case
    `<cluster>` copied from a how-to means the cluster is silently not formed: every node runs
    alone, sessions are lost on fail-over, and nothing but a line in catalina.out says why. An
    ignored `<Valve>`, `<Realm>` or `<Connector>` silently drops logging, authentication or a
    port. A server.xml that is not well-formed (for example a comment closed with `--!>`) stops
    Tomcat from starting at all. A `${name}` nothing defines stays as literal text, so a
    `jvmRoute="${jvmRoute}"` gives every session the route `${jvmRoute}`.

    ## How to fix
    Write each element exactly as Tomcat's configuration reference spells it (`<Cluster>`,
    `<Manager>`, `<Channel>`, `<Membership>`, `<Receiver>`, ...) and where it belongs, remove
    elements the node's Tomcat version does not have, fix the XML at the line given, and define
    every `${name}` in conf/catalina.properties or with `-Dname=...` in setenv (and in the
    inventory's `tomcat.system_properties`, so this check sees it). Then restart Tomcat and look
    for "No rules found matching" in catalina.out.
    """
    server, problem = server_xml(node)
    if problem:
        yield from _unusable(node) or [problem]
        return
    assert server is not None and node.tomcat is not None
    version = node.tomcat.version
    findings = [*_problems(server), *_elements(server, version), *_properties(server, version)]
    yield from findings or [_clean(server, version)]


# --------------------------------------------------------------------------------- the file


def _unusable(node: NodeFacts) -> list[Finding]:
    """A file that was read and parsed but holds no `<Server>`: Tomcat cannot start from it.
    Without any tree (entity declarations, which Tomcat may well accept) it is not judged."""
    parsed = node.tomcat.server if node.tomcat else None
    return _problems(parsed) if parsed is not None and parsed.root is not None else []


def _problems(server: ServerXml) -> list[Finding]:
    """What the reader had to forgive (today all of it is what Tomcat's own parser rejects)."""
    findings = []
    for problem in server.problems:
        status, said = PROBLEM_STATUS[problem.kind]
        findings.append(
            Finding(status, said + problem.message, file=problem.file, line=problem.line)
        )
    return findings


# ----------------------------------------------------------------------------- elements


def elements_as_read(element: XmlElement, major: int | None) -> Iterator[tuple[XmlElement, bool]]:
    """Each element Tomcat has a rule for (True), and the top of each subtree it ignores (False)
    without its insides: nothing in an ignored element is ever instantiated."""
    known = known_element(element.path, major)
    yield element, known
    if known:
        for child in element.children:
            yield from elements_as_read(child, major)


def created_class(element: XmlElement, rule: ElementRule) -> str | None:
    """The class the Digester creates for an element: its className (or the attribute the
    rule reads the class from), else the rule's default; None when it needs one and has none."""
    if rule.class_attribute and rule.class_attribute in element.attrs:
        return element.attrs[rule.class_attribute]
    return rule.default_class


def created(
    root: XmlElement, major: int | None, table: TomcatTable
) -> Iterator[tuple[XmlElement, ElementRule, str | None]]:
    """Each element Tomcat reads and creates an object for, with its Digester rule and class."""
    for element, known in elements_as_read(root, major):
        rule = table.rule(element.path) if known else None
        if rule is not None and (rule.default_class or rule.class_attribute):
            yield element, rule, created_class(element, rule)


def _elements(server: ServerXml, version: str | None) -> list[Finding]:
    major = tomcat_major(version)
    if major is not None and major < FIRST_COVERED_MAJOR:
        return [
            skipped(
                f"element names are not judged for Tomcat {version}: rules are known "
                f"from Tomcat {FIRST_COVERED_MAJOR} on",
                file=server.path,
            )
        ]
    assert server.root is not None
    return [
        _ignored(element, major, server.path)
        for element, known in elements_as_read(server.root, major)
        if not known
    ]


def _ignored(element: XmlElement, major: int | None, path: str) -> Finding:
    hint, meant = _diagnose(element, major)
    inside = sum(1 for _ in element.iter()) - 1
    also = f" (and the {plural(inside, 'element')} inside it)" if inside else ""
    return (failed if meant else warned)(
        f"<{element.tag}>{also} is ignored: {hint}",
        file=path,
        line=element.line,
        details={"element": element.path, "ignored_elements": inside + 1},
    )


def _parent(element: XmlElement) -> str:
    return element.path.rpartition("/")[0]


def _diagnose(element: XmlElement, major: int | None) -> tuple[str, bool]:
    """Why Tomcat has no rule for it, and whether something was meant to happen: it is a Tomcat
    element in another case, version, place or spelling (tried in that order: a `<Member>` put
    under `<Channel>` is misplaced, though it is spelt like `<Membership>`), or it names a class
    or sits in a Cluster."""
    tag, parent = element.tag, _parent(element)
    under = parent.rpartition("/")[2]
    meant = suggest_element(tag, parent, major)
    if meant and meant.lower() == tag.lower():
        return f"element names are case-sensitive; write <{meant}>", True
    readers = [m for m in _MAJORS if known_element(element.path, m)]
    if readers:
        return f"only {_majors(readers)} read it under {under}", True
    places = list(dict.fromkeys(p.rpartition("/")[2] for p in expected_parents(tag, major)))
    if places:
        return f"not allowed under {under}; it belongs under {_either(places)}", True
    if meant:
        return f"did you mean <{meant}>?", True
    meant_anyway = "className" in element.attrs or "Cluster" in parent.split("/")
    return f"Tomcat has no rule for <{tag}> under {under}", meant_anyway


def _majors(majors: list[int]) -> str:
    if majors[-1] == _MAJORS[-1]:
        return f"Tomcat {majors[0]} and later"
    return f"Tomcat {majors[0]} to {majors[-1]}"


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


# --------------------------------------------------------------------------- properties


def _properties(server: ServerXml, version: str | None) -> list[Finding]:
    """`${name}` nothing defines, and `${name:-default}` where Tomcat has no default syntax."""
    findings = [
        warned(
            f"{token} is not defined in catalina.properties or the inventory's "
            f"tomcat.system_properties: unless the JVM gets -D{token[2:-1]}=..., Tomcat keeps "
            f"the text {token} as the value",
            file=server.path,
            line=line,
            details={"property": token},
        )
        for token, line in server.unresolved
    ]
    if property_defaults_supported(version) is False:
        findings += [
            warned(
                f"{token}: Tomcat {version} has no ${{name:-default}} syntax (it came in 9.0.35 "
                f"/ 8.5.55 / 7.0.104), so it looks the whole text up as one name and keeps "
                f"{token} as the value",
                file=server.path,
                line=line,
                details={"property": token},
            )
            for token, line in server.default_syntax
        ]
    return findings


def _clean(server: ServerXml, version: str | None) -> Finding:
    count = sum(1 for _ in server.root.iter()) if server.root else 0
    which = f"Tomcat {version}" if version else "some Tomcat version (this node's is unknown)"
    return passed(f"{plural(count, 'element')}, all known to {which}", file=server.path)


def plural(count: int, noun: str) -> str:
    """A count with its noun: 1 element, 3 elements, 2 classes."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun}{'es' if noun.endswith('s') else 's'}"
