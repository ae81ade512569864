"""CC604 server-xml-attributes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clustercheck.checks.common import server_xml_and_version, undefined_in
from clustercheck.checks.config.server_xml_elements import created, plural
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped, warned
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.knowledge.classes import (
    CONNECTOR,
    Outcome,
    Setting,
    TomcatTable,
    for_version,
    is_tomcat_class,
    lines,
    resolved_on_the_node,
)
from clustercheck.knowledge.secrets import is_secret_name
from clustercheck.knowledge.tomcat import (
    meaningful_attribute,
    removed_attribute_v,
    uncompilable,
    unset_effect,
)
from clustercheck.parsers.serverxml import XmlElement


@check("CC604", "server-xml-attributes", scope=Scope.NODE, roles=("tomcat",))
def server_xml_attributes(node: NodeFacts, cluster: ClusterFacts) -> Iterator[Finding]:
    """Every attribute in server.xml is one Tomcat can set, with a value of the right type.

    Judges each attribute of each element Tomcat creates an object for, as Tomcat's Digester and
    IntrospectionUtils would set it, against the table of the node's Tomcat line generated from
    Tomcat itself (tools/knowledge: 10.1 by reflection over a real Tomcat, 7.0, 8.5, 9.0 and
    11.0 from their release tags' source; each holds what any release of its line accepts, so a
    node between the two tags is not blamed for an attribute its release still had): the class's
    public setters (for a Connector, also its protocol handler's, its endpoint's and
    `socket.*`), matched case-sensitively except for the first letter, and the value converted
    as Tomcat converts it (an int or long by Integer/Long.valueOf, a boolean by Boolean.valueOf,
    an InetAddress by resolving it: text no host name has, such as an undefined `${name}`, never
    resolves). An attribute nothing takes (misspelt, miscased, two letters swapped, another
    class's) or a value that does not convert (`port="4000x"`, `port="${undefined}"`) is ignored
    by Tomcat with a mere WARN, and the default stays; so is text that a String setter reads
    itself and refuses: channelSendOptions and mapSendOptions (9.0 on: a number, or option names
    such as `async, use_ack`), a static Member's uniqueId (exactly 16 bytes written
    `{1,2,...}`), a host or domain written as `{...}` bytes, a static Member's host no host name
    can be. Each of these warns, naming the attribute it probably meant and the default that
    applies, and fails where the default breaks something, saying what: a Connector without a
    port does not start, an Engine without a defaultHost has no default host (404 for every host
    name no Host has), a Host without a name stops Tomcat (8.5 and later), an Engine without a
    name fails every web application (8.5.83 / 9.0.67 / 10.1.0 on; a warning where the node's
    version names no exact release); or where the default changes what the cluster is (the
    Engine's jvmRoute; a Membership's address, port, domain or bind; a Receiver's address or
    port; a static Member's host, port, uniqueId or domain; a Connector's address or AJP
    secret). A boolean written other than true or false is read as false, and send options of 0
    set nothing, silently: that warns. A ReplicationValve `filter` that Java cannot compile as a
    regular expression (a `{` that starts no count, as in an undefined `${name}`) is ignored
    with an error, so nothing is excluded from replication: that warns. Attributes CC602 reports
    as removed are not judged here; a node whose Tomcat line has no table is skipped. What a
    file cannot tell is named as not judged (in the pass, or in a `skip` beside the findings):
    classes that are not Tomcat's own (Tomcat must find them in a jar of lib/, or it does not
    start) and a static Member's host name, which Tomcat resolves on the node as it reads
    server.xml (and ignores when it does not resolve).

    ## Why it matters
    Tomcat does not refuse an attribute it cannot set: it logs `failed to set property` once at
    start-up and carries on with the default. A `jvmroute="node1"` leaves the Engine without a
    route, so mod_jk's stickiness breaks; a `mcastport=` or `port="45564x"` leaves the member in
    the default group 228.0.0.4:45564, where it can join another cluster; a `maxConnection=`
    leaves the connector at its default limit; a `prot="8009"` or `port="${ajp.port}"` with the
    property undefined leaves the AJP connector without a port, so it does not start and mod_jk
    finds the node down. The configuration looks right and the log line is easily missed.

    ## How to fix
    Spell the attribute as the configuration reference does (the finding names it), give
    numbers as plain decimal digits and booleans as true or false, send options as a number or
    Tomcat's option names (`channelSendOptions="async"`), a uniqueId as 16 bytes
    (`{1,2,...,16}`, each -128 to 127), remove attributes the element's class does not have,
    and restart Tomcat; then look for "failed to set property"
    in catalina.out.
    """
    found = server_xml_and_version(node)
    if isinstance(found, Finding):
        yield found
        return
    server, version = found.server, found.version
    table = for_version(version)
    if table is None:
        yield skipped(
            f"no attribute table for Tomcat {version}: tables exist for "
            f"{', '.join(lines())} (tools/knowledge/generate.py builds more)",
            file=server.path,
        )
        return
    unresolved = found.unresolved
    findings: list[Finding] = []
    judged = elements = 0
    foreign: set[str] = set()
    hosts: set[str] = set()  # static members' host names, resolved on the node
    for element, rule, class_name in created(found.root, found.major, table):
        if class_name is None or table.class_info(class_name) is None:
            if class_name and not is_tomcat_class(class_name):
                foreign.add(class_name)
            continue  # a missing or unknown Tomcat class is CC602's
        if not rule.properties:
            continue
        elements += 1
        for attr, value in element.attrs.items():
            judged += 1
            if resolved_on_the_node(class_name, attr, value):
                hosts.add(value)
            finding = _judge(
                element, class_name, attr, value, version, table, unresolved, server.path
            )
            if finding is not None:
                findings.append(finding)
    unjudged = _not_judged(foreign, hosts)
    if findings:
        yield from findings
        if unjudged:
            yield skipped(f"not judged: {unjudged}", file=server.path)
        return
    yield passed(
        f"{plural(judged, 'attribute')} on {plural(elements, 'element')}, each set as written "
        f"by Tomcat {version} (table of Tomcat {table.releases})"
        + (f"; not judged: {unjudged}" if unjudged else ""),
        file=server.path,
    )


def _not_judged(foreign: set[str], hosts: set[str]) -> str:
    """What a file cannot tell: whether Tomcat finds a class that is not its own (in a jar of
    lib/; it does not start without it), and whether a static member's host name resolves on
    the node (Tomcat ignores the host when it does not)."""
    parts = []
    if foreign:
        names = ", ".join(sorted(foreign))
        parts.append(f"{plural(len(foreign), 'class')} not Tomcat's own ({names})")
    if hosts:
        names = ", ".join(sorted(hosts))
        parts.append(
            f"{plural(len(hosts), 'static member host name')} resolved on the node ({names})"
        )
    return "; ".join(parts)


def _judge(
    element: XmlElement,
    class_name: str,
    attr: str,
    value: str,
    version: str,
    table: TomcatTable,
    unresolved: set[str],
    path: str,
) -> Finding | None:
    tag = element.tag
    protocol = element.attrs.get("protocol") if class_name == CONNECTOR else None
    if removed_attribute_v(tag, protocol or element.attrs.get("className"), attr, version):
        return None  # CC602 says what was removed and what replaces it
    setting = table.set_property(element.path, class_name, attr, value, protocol, version)
    meant = table.intended_attribute(element.path, class_name, attr, element.attrs, protocol)
    shown = _shown(attr, meant, value, setting)
    where: dict[str, Any] = {
        "file": path,
        "line": element.line,
        "details": {"element": element.path, "attribute": attr, "class": setting.owner},
    }
    if setting.outcome is Outcome.SET and setting.read_as is not None:
        return warned(
            f'<{tag} {attr}="{shown}">: Tomcat reads it as {setting.read_as} (Boolean.valueOf '
            "takes only true, in any case); write true or false",
            **where,
        )
    if setting.outcome is Outcome.SET and setting.unchanged is not None:
        return warned(
            f'<{tag} {attr}="{shown}">: {setting.unchanged}, so {attr} {_fallback(setting)}, '
            "without a word in the log; write the value you mean",
            **where,
        )
    if setting.outcome is Outcome.SET:
        return _not_compiled(element, class_name, attr, value, version, unresolved, where)
    if setting.outcome is not Outcome.IGNORED:
        return None
    types = _types(table, class_name)
    if setting.java_type is not None:
        return _wrong_type(element, setting, shown, version, types, unresolved, where)
    return _no_such_property(
        element, class_name, setting, meant, shown, version, table, types, where
    )


def _not_compiled(
    element: XmlElement,
    class_name: str,
    attr: str,
    value: str,
    version: str,
    unresolved: set[str],
    where: dict[str, Any],
) -> Finding | None:
    """A value its setter takes as text but then cannot compile (a ReplicationValve filter)."""
    found = uncompilable(class_name, attr, value, version)
    if found is None:
        return None
    why, effect = found
    undefined = undefined_in(value, unresolved)
    simple = class_name.rpartition(".")[2]
    return warned(
        f'<{element.tag} {attr}="{value}">: {why}{f"; {undefined}" if undefined else ""}: '
        f"{simple} logs an error and ignores it, so {effect}",
        **where,
    )


def _wrong_type(
    element: XmlElement,
    setting: Setting,
    shown: str,
    version: str,
    types: set[str],
    unresolved: set[str],
    where: dict[str, Any],
) -> Finding:
    attr = setting.attr
    why = undefined_in(shown, unresolved) or setting.reason
    message = (
        f'<{element.tag} {attr}="{shown}">: not a value Tomcat {version} can set ({why}): it logs '
        f'"failed to set property" and ignores it, so {attr} {_fallback(setting)}'
    )
    return _with_effect(message, types, attr, version, where)


def _with_effect(
    message: str, types: set[str], attr: str, version: str, where: dict[str, Any]
) -> Finding:
    """The finding for an attribute left at its default: what then fails, if anything does;
    it fails when something does or when the default changes what the cluster is."""
    effect = unset_effect(types, attr, version)
    if effect is not None:
        message = f"{message}: {effect.text}"
    certain = effect is not None and effect.certain
    return (failed if certain or meaningful_attribute(types, attr) else warned)(message, **where)


def _no_such_property(
    element: XmlElement,
    class_name: str,
    setting: Setting,
    meant: str | None,
    shown: str,
    version: str,
    table: TomcatTable,
    types: set[str],
    where: dict[str, Any],
) -> Finding:
    attr = setting.attr
    protocol = element.attrs.get("protocol") if class_name == CONNECTOR else None
    simple = class_name.rpartition(".")[2]
    if meant is not None and meant.lower() == attr.lower():
        hint = f"names are case-sensitive after the first letter: write {meant}"
    elif meant is not None:
        hint = f"did you mean {meant}?"
    else:
        owners = table.classes_with_property(attr)
        hint = (
            f"it is a property of {_either(owners)}, not of {simple}"
            if 0 < len(owners) <= _OWNERS_SHOWN
            else "a property of several other classes"
            if owners
            else "no class of Tomcat's has it"
        )
    message = (
        f'<{element.tag} {attr}="{shown}">: {simple} in Tomcat {version} has no property {attr} '
        f'({hint}): Tomcat logs "failed to set property" and ignores it'
    )
    if meant is None:
        return warned(message, **where)
    intended = table.set_property(element.path, class_name, meant, "", protocol, version)
    message += f", so {meant} {_fallback(intended)}"
    return _with_effect(message, types, meant, version, where)


def _fallback(setting: Setting) -> str:
    if not setting.has_default:
        return "keeps its default"
    if setting.default is None:
        return "stays unset"
    return f"falls back to its default {setting.default}"


def _types(table: TomcatTable, class_name: str) -> set[str]:
    info = table.class_info(class_name)
    return {class_name, *(info.types if info else ())}


def _shown(attr: str, meant: str | None, value: str, setting: Setting) -> str:
    """Never a secret's value, also under a misspelt name (then the name it meant says so)."""
    if setting.java_type not in (None, "String"):
        return value  # a number or a boolean, never a secret
    return "..." if is_secret_name(attr) or is_secret_name(meant or "") else value


_OWNERS_SHOWN = 3


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
