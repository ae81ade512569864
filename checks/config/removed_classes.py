"""CC602 removed-classes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clustercheck.checks.common import server_xml_and_version, undefined_in, unknown_version
from clustercheck.checks.config.server_xml_elements import elements_as_read, plural
from clustercheck.engine.check import check
from clustercheck.engine.results import (
    Finding,
    Scope,
    Status,
    passed,
    skipped,
    warned,
)
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.knowledge.classes import (
    ClassInfo,
    ElementRule,
    TomcatTable,
    for_version,
    is_tomcat_class,
)
from clustercheck.knowledge.tomcat import (
    CONNECTOR_FAILS,
    FIRST_COVERED_MAJOR,
    MEMBERSHIP_DEFAULTS,
    Removal,
    added_class_v,
    changed_semantics_v,
    is_class_name,
    removed_attribute_v,
    removed_class_v,
)
from clustercheck.parsers.serverxml import XmlElement

# Removed attributes whose fallback changes what the node does: the default multicast group or
# port (which merges clusters meant to be separate), or an AJP connector without its secret.
# The others (heartbeat frequency, TTL, socket timeout) fall back to defaults that work.
_FAIL_WHEN_IGNORED = frozenset(
    {"mcastAddr", "mcastPort", "requiredSecret", "request.secret", "request.useSecret"}
)


@check("CC602", "removed-classes", scope=Scope.NODE, roles=("tomcat",))
def removed_classes(node: NodeFacts, cluster: ClusterFacts) -> Iterator[Finding]:
    """Every class and attribute in server.xml exists in the node's Tomcat version.

    Looks up each `className` (and each Connector `protocol` other than `HTTP/1.1` and
    `AJP/1.3`, which every version loads as a class) among the classes the node's Tomcat
    version has. A name no class can have (an undefined `${name}` left as the value, a
    `protocol="http/1.1"` in the wrong case) fails with what follows: the connector does not
    start, or Tomcat does not start. A class removed since (Tomcat 6's
    `MessageDispatch15Interceptor` and `JvmRouteSessionIDBinderListener`, the APR and BIO
    connectors, `JasperListener`, ...) or added later fails, with its replacement. Where the
    node's Tomcat line has a table generated from Tomcat itself (tools/knowledge: 7.0, 8.5,
    9.0, 10.1, 11.0), any class of Tomcat's own packages is looked up in it: one no release of
    the line ships (a typo, a Tomcat 5 name) fails with the closest class of the right type, and
    so does one of the wrong type for its element (a StandardManager as a Cluster's Manager) or
    one Tomcat cannot create (abstract, no public no-argument constructor), and an element whose
    rule needs a className and has none; a server-level Listener marked `optional="true"` only
    warns. Classes of other packages (add-on jars in lib/) are not judged. A removed
    attribute (McastService `mcastAddr`, AJP `requiredSecret`, ...) fails when the default
    Tomcat falls back to changes the node's behaviour (another multicast group, no AJP secret)
    and warns otherwise. A value whose meaning changed warns: a ReplicationValve `filter` written
    as Tomcat 6's `;` list is one regular expression since 7.0.6. Elements that Tomcat ignores
    are not judged here (their classes are never loaded; CC601 reports them). The Tomcat version
    must be known; Tomcat 5 is not judged.

    ## Why it matters
    A server.xml carried over from an older Tomcat is the usual reason "Tomcat does not start
    after an upgrade": a `className` that no longer exists throws ClassNotFoundException while
    server.xml is read and the server is never configured. A connector whose protocol class is
    gone fails to initialise and its port stays closed, so mod_jk marks the node in error.
    Removed multicast attributes are ignored with a mere warning: the node joins the default
    group 228.0.0.4:45564, so the cluster is silently not formed as planned, or merges with
    another cluster on the same network. A Tomcat 6 `;`-separated ReplicationValve filter
    matches nothing in Tomcat 7+, so replication of static resources is no longer skipped and
    every request for an image replicates the session.

    ## How to fix
    Replace each class with the one named in the finding (for example
    `org.apache.catalina.tribes.group.interceptors.MessageDispatchInterceptor`, or
    `protocol="AJP/1.3"`), delete elements whose class has no replacement
    (`JvmRouteSessionIDBinderListener`, `JasperListener`), rename removed attributes (`mcastAddr`
    to `address`, `mcastPort` to `port`, `requiredSecret` to `secret`), and write the
    ReplicationValve filter as one regular expression (`.*\\.gif|.*\\.js|.*\\.css`). Best,
    start from the server.xml that ships with the new version and carry the changes over.
    """
    found = server_xml_and_version(node)
    if isinstance(found, Finding):
        yield found
        return
    server, version, major = found.server, found.version, found.major
    if major is None:
        yield unknown_version(server)
        return
    if major < FIRST_COVERED_MAJOR:
        yield skipped(
            f"classes are not judged for Tomcat {version}: the catalogue starts at Tomcat "
            f"{FIRST_COVERED_MAJOR}, whose clustering classes Tomcat {major} does not have",
            file=server.path,
        )
        return
    table = for_version(version)
    elements = [e for e, known in elements_as_read(found.root, major) if known]
    findings = [
        f for e in elements for f in _judge(e, version, server.path, table, found.unresolved)
    ]
    rules = [table.rule(e.path) if table else None for e in elements]
    count = sum(1 for e, r in zip(elements, rules, strict=True) for _ in _classes(e, r))
    classes = plural(count, "class")
    foreign = sorted(
        {n for e, r in zip(elements, rules, strict=True) for _, n in _classes(e, r) if n}
        - {n for n in _all_names(elements, rules) if is_tomcat_class(n)}
    )
    if foreign:
        classes += f" ({plural(len(foreign), 'class')} not Tomcat's own, not judged: " + (
            ", ".join(foreign) + ")"
        )
    yield from findings or [
        passed(
            f"{classes} named in server.xml, all in Tomcat {version}; no attribute removed "
            "or changed",
            file=server.path,
        )
    ]


_BY_NAME = ("HTTP/1.1", "AJP/1.3")  # protocol names, not classes


def _all_names(elements: list[XmlElement], rules: list[ElementRule | None]) -> set[str]:
    return {n for e, r in zip(elements, rules, strict=True) for _, n in _classes(e, r) if n}


def _classes(element: XmlElement, rule: ElementRule | None) -> Iterator[tuple[str, str | None]]:
    """(attribute, class name) of each class the element makes Tomcat load; (attribute, None)
    when its rule needs a className and none is given."""
    if rule is not None and rule.class_attribute and rule.default_class is None:
        yield rule.class_attribute, element.attrs.get(rule.class_attribute)
    elif "className" in element.attrs:
        yield "className", element.attrs["className"]
    protocol = element.attrs.get("protocol")
    if element.tag == "Connector" and protocol and protocol not in _BY_NAME:
        yield "protocol", protocol  # any other name is loaded as a class, in every line


def _judge(
    element: XmlElement,
    version: str,
    path: str,
    table: TomcatTable | None,
    unresolved: set[str],
) -> Iterator[Finding]:
    at: dict[str, Any] = {"file": path, "line": element.line}
    rule = table.rule(element.path) if table else None
    for attr, name in _classes(element, rule):
        missing = _missing_class(element, attr, name, version, table, unresolved)
        if missing:
            status, message = missing
            details = {"element": element.tag, "class": name, "attribute": attr}
            yield Finding(status, message, **at, details=details)
    owner = element.attrs.get("protocol" if element.tag == "Connector" else "className")
    for attr, value in element.attrs.items():
        details = {"element": element.tag, "attribute": attr}
        removal = removed_attribute_v(element.tag, owner, attr, version)
        if removal:
            yield Finding(*_removed_attribute(element, removal, version), **at, details=details)
        changed = changed_semantics_v(element.tag, owner, attr, value, version)
        if changed:
            yield warned(changed, **at, details=details)


_NO_START = (
    'Tomcat does not start (the Digester throws while reading server.xml: "Unable to load '
    'server configuration", then "Cannot start server")'
)
_PROTOCOL = "org.apache.coyote.ProtocolHandler"


def _missing_class(
    element: XmlElement,
    attr: str,
    name: str | None,
    version: str,
    table: TomcatTable | None,
    unresolved: set[str],
) -> tuple[Status, str] | None:
    tag = element.tag
    if name is None:
        return Status.FAIL, (
            f'<{tag}> names no {attr}: Tomcat has no class to create for it ("No class name '
            f'specified for [{element.path}]"), so {_NO_START}; add {attr}="..."'
        )
    written = f'<{tag} {attr}="{name}">'
    if not is_class_name(name):
        return _impossible_name(element, attr, name, unresolved)
    removal = removed_class_v(name, version)
    if removal:
        fix = f"use {removal.replacement}" if removal.replacement else "remove the element"
        return Status.FAIL, (
            f"{written}: the class is not in Tomcat {version} (removed in "
            f"{removal.removed_in}): {removal.effect}; {fix}"
        )
    addition = added_class_v(name, version)
    if addition:
        return Status.FAIL, (
            f"{written}: the class is not in Tomcat {version} yet (added in "
            f"{addition.added_in}): {addition.effect}; upgrade Tomcat or remove the element"
        )
    if table is None or not is_tomcat_class(name):
        return None
    return _against_table(element, attr, name, version, table, written)


def _impossible_name(
    element: XmlElement, attr: str, name: str, unresolved: set[str]
) -> tuple[Status, str]:
    """A name no class can have (an undefined `${name}`, a protocol name in the wrong case):
    Class.forName throws whatever the version."""
    why = undefined_in(name, unresolved) or "not a Java class name"
    if attr == "protocol":
        meant = next((p for p in _BY_NAME if p.lower() == name.lower()), None)
        hint = f"; write {meant} (protocol names are case-sensitive)" if meant else ""
        effect = CONNECTOR_FAILS + hint
    else:
        effect = _effect(element)
    return Status.FAIL if effect is not _OPTIONAL else Status.WARN, (
        f'<{element.tag} {attr}="{name}">: no class can have this name ({why}): {effect}'
    )


def _against_table(
    element: XmlElement, attr: str, name: str, version: str, table: TomcatTable, written: str
) -> tuple[Status, str] | None:
    """What the version's class table (generated from Tomcat itself) says of a class of
    Tomcat's own packages: it is missing, or it is not of the type the element needs."""
    connector = attr == "protocol"
    wanted = _PROTOCOL if connector else (table.rule(element.path) or _NO_RULE).type
    effect = CONNECTOR_FAILS if connector else _effect(element)
    if not table.has_class(name):
        meant = table.suggest_class(name, wanted)
        hint = f"; did you mean {meant}?" if meant else ""
        return Status.FAIL if effect is not _OPTIONAL else Status.WARN, (
            f"{written}: Tomcat {version} has no such class (ClassNotFoundException): "
            f"{effect}{hint}"
        )
    if wanted is None:
        return None
    if connector:
        fits: bool | None = _PROTOCOL in (table.class_info(name) or _NO_CLASS).types
    else:
        fits = table.may_stand_in(name, element.path)
    if fits is not False:
        return None  # it fits, or the table cannot tell
    info = table.class_info(name)
    kind = wanted.rpartition(".")[2]
    what = (
        f"it is a {', '.join(sorted(t.rpartition('.')[2] for t in info.types))}, not a {kind}"
        if info is not None and info.types
        else f"it is not a {kind} Tomcat can create (one with a public no-argument constructor)"
    )
    meant = table.suggest_class(name, wanted, fuzzy_simple_names=False)
    hint = f"; did you mean {meant}?" if meant and meant != name else ""
    return Status.FAIL if effect is not _OPTIONAL else Status.WARN, (
        f"{written}: {what}, which <{element.tag}> needs: {effect}{hint}"
    )


_NO_RULE = ElementRule("", None, None, None, False, frozenset())
_NO_CLASS = ClassInfo("", frozenset(), {}, None, {})
_OPTIONAL = (
    'the listener is optional="true": Tomcat logs "Optional listener [...] is not enabled" '
    "and starts without it"
)


def _effect(element: XmlElement) -> str:
    """A Server-level Listener marked optional is skipped (9.0.18+); anything else stops the
    start."""
    if element.path == "Server/Listener" and element.attrs.get("optional") == "true":
        return _OPTIONAL
    return _NO_START


def _removed_attribute(element: XmlElement, removal: Removal, version: str) -> tuple[Status, str]:
    """Never shows the value: some of these attributes hold the AJP secret."""
    attr, value = removal.what, element.attrs[removal.what]
    replacement = (removal.replacement or "").split(" ", 1)[0]
    message = (
        f"{attr} on <{element.tag}> is not read by Tomcat {version} (removed in "
        f"{removal.removed_in}): {removal.effect}; use {removal.replacement} instead"
    )
    harmless = _harmless(element, replacement, value)
    if harmless:
        return Status.WARN, f"{message} ({harmless})"
    return (Status.FAIL if attr in _FAIL_WHEN_IGNORED else Status.WARN), message


def _harmless(element: XmlElement, replacement: str, value: str) -> str | None:
    """Why ignoring the old attribute changes nothing today, if it does not."""
    if replacement in element.attrs:
        return f"{replacement} is set too, and applies"
    if MEMBERSHIP_DEFAULTS.get(replacement) == value and element.tag == "Membership":
        return "its value is also the default, so nothing changes until someone edits it"
    return None
