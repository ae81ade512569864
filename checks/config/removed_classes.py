"""CC602 removed-classes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clustercheck.checks.common import server_xml
from clustercheck.checks.config.server_xml_elements import elements_as_read, plural
from clustercheck.engine.check import check
from clustercheck.engine.results import (
    Finding,
    Scope,
    Status,
    errored,
    failed,
    passed,
    skipped,
    warned,
)
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.knowledge.tomcat import (
    FIRST_COVERED_MAJOR,
    MEMBERSHIP_DEFAULTS,
    Removal,
    added_class_v,
    changed_semantics_v,
    removed_attribute_v,
    removed_class_v,
    tomcat_major,
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

    Looks up each `className` (and each Connector `protocol` given as a class) among the
    classes the node's Tomcat version has: one removed since (Tomcat 6's
    `MessageDispatch15Interceptor` and `JvmRouteSessionIDBinderListener`, the APR and BIO
    connectors, `JasperListener`, ...) or added later fails, with its replacement. A removed
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
    server, problem = server_xml(node)
    if problem:
        yield problem
        return
    assert server is not None and server.root is not None and node.tomcat is not None
    version = node.tomcat.version
    major = tomcat_major(version)
    if major is None or version is None:
        yield errored(
            "Tomcat version unknown: set tomcat.version in the inventory (CC302 says why it "
            "could not be read)",
            file=server.path,
        )
        return
    if major < FIRST_COVERED_MAJOR:
        yield skipped(
            f"classes are not judged for Tomcat {version}: the catalogue starts at Tomcat "
            f"{FIRST_COVERED_MAJOR}, whose clustering classes Tomcat {major} does not have",
            file=server.path,
        )
        return
    elements = [e for e, known in elements_as_read(server.root, major) if known]
    findings = [f for e in elements for f in _judge(e, version, server.path)]
    classes = plural(sum(1 for e in elements for _ in _classes(e)), "class")
    yield from findings or [
        passed(
            f"{classes} named in server.xml, all in Tomcat {version}; no attribute removed "
            "or changed",
            file=server.path,
        )
    ]


def _classes(element: XmlElement) -> Iterator[tuple[str, str]]:
    """(attribute, class name) of each class the element makes Tomcat load."""
    if "className" in element.attrs:
        yield "className", element.attrs["className"]
    if element.tag == "Connector" and "." in element.attrs.get("protocol", ""):
        yield "protocol", element.attrs["protocol"]


def _judge(element: XmlElement, version: str, path: str) -> Iterator[Finding]:
    at: dict[str, Any] = {"file": path, "line": element.line}
    for attr, name in _classes(element):
        missing = _missing_class(element.tag, attr, name, version)
        if missing:
            yield failed(missing, **at, details={"element": element.tag, "class": name})
    owner = element.attrs.get("protocol" if element.tag == "Connector" else "className")
    for attr, value in element.attrs.items():
        details = {"element": element.tag, "attribute": attr}
        removal = removed_attribute_v(element.tag, owner, attr, version)
        if removal:
            yield Finding(*_removed_attribute(element, removal, version), **at, details=details)
        changed = changed_semantics_v(element.tag, owner, attr, value, version)
        if changed:
            yield warned(changed, **at, details=details)


def _missing_class(tag: str, attr: str, name: str, version: str) -> str | None:
    written = f'<{tag} {attr}="{name}">'
    removal = removed_class_v(name, version)
    if removal:
        fix = f"use {removal.replacement}" if removal.replacement else "remove the element"
        return (
            f"{written}: the class is not in Tomcat {version} (removed in "
            f"{removal.removed_in}): {removal.effect}; {fix}"
        )
    addition = added_class_v(name, version)
    if addition:
        return (
            f"{written}: the class is not in Tomcat {version} yet (added in "
            f"{addition.added_in}): {addition.effect}; upgrade Tomcat or remove the element"
        )
    return None


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
