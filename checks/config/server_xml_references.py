"""CC606 server-xml-references."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clustercheck.checks.common import server_xml_and_version, undefined_in
from clustercheck.checks.config.server_xml_elements import created_class, elements_as_read, plural
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped, warned
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.knowledge.classes import (
    CONNECTOR,
    TomcatTable,
    capitalize,
    for_version,
    property_value,
)
from clustercheck.knowledge.tomcat import (
    FIRST_COVERED_MAJOR,
    USER_DATABASE_KEY,
    USER_DATABASE_REALM,
    nameless_host,
    no_default_host,
    no_user_database,
    realm_without_database,
    unset_effect,
)
from clustercheck.parsers.serverxml import XmlElement

_ENGINE = "Server/Service/Engine"
_ENGINE_TYPE = "org.apache.catalina.Engine"
_CONNECTOR = "Server/Service/Connector"
_GLOBAL_RESOURCE = "Server/GlobalNamingResources/Resource"


@check("CC606", "server-xml-references", scope=Scope.NODE, roles=("tomcat",))
def server_xml_references(node: NodeFacts, cluster: ClusterFacts) -> Iterator[Finding]:
    """The names that tie server.xml together are there and resolve: each Connector has a port, each
    Engine's defaultHost names one of its Hosts, each UserDatabaseRealm finds its database.

    Follows, among the elements Tomcat reads (an element CC601 reports as ignored does not count),
    each name by which something is found, with the value Tomcat sets (the first letter of an
    attribute's name is free, a `${name}` nothing defines stays literal text): every Connector has a
    port (mod_jk's workers find it by it; one on a Unix domain socket needs none); every Host has a
    name; the Engine has a name (from 8.5.83 / 9.0.67 / 10.1.0 on, and in 11.0, every web
    application fails to start in an Engine without one: a warning where the node's version names no
    exact release); the Engine's defaultHost is set and names one of its Hosts or one of their
    `<Alias>`es (in any case, as Tomcat compares them); a UserDatabaseRealm's resourceName (by
    default `UserDatabase`) names a `<Resource>` in `<GlobalNamingResources>` whose type is
    `org.apache.catalina.UserDatabase` and whose `factory` (written exactly so: a Resource keeps any
    other attribute as a property of that name) makes one (with a factory that is not Tomcat's, the
    type is not judged). Each broken link fails with what Tomcat then does, for the node's Tomcat
    version. An attribute that is there but misspelt (`defaulthost`, `nmae`, `prot`) is CC604's,
    which says the same consequence; this check reports it only when CC604 cannot judge the element
    (no table for the node's Tomcat line).

    ## Why it matters
    Tomcat accepts these values while it reads server.xml and fails only when it starts: a Connector
    without a port does not start, so mod_jk finds the node down; an Engine without a name starts no
    web application (a NullPointerException as each one names its JNDI context), so every request
    gets a 404; a Host without a name stops the Service's mapper, so Tomcat does not start (7.0: no
    connector maps requests to it); an Engine whose default host is missing answers 404 to every
    request for a host name no Host has, which through mod_jk is the name the browser asked for (the
    usual way a Host moved out of its Engine, or a defaultHost made of an undefined `${...}`, shows
    up); a UserDatabaseRealm that finds no UserDatabase (a Resource without its type, a misspelt
    resourceName) stops the Engine and so the whole Server, or, inside a LockOutRealm, is dropped so
    that nobody can log in to the manager applications.

    ## How to fix
    Give every Connector its port and every Engine and Host its name, set the Engine's defaultHost
    to one of the Host names (or aliases) inside that Engine, and point each UserDatabaseRealm's
    resourceName at a global `<Resource>` with `type="org.apache.catalina.UserDatabase"` and
    `factory="org.apache.catalina.users.MemoryUserDatabaseFactory"`, as the server.xml that ships
    with Tomcat has it; define every `${name}` they use. Then restart Tomcat and look for "Unknown
    default host" and "No UserDatabase component found" in catalina.out.
    """
    found = server_xml_and_version(node)
    if isinstance(found, Finding):
        yield found
        return
    server, version, major = found.server, found.version, found.major
    if major is not None and major < FIRST_COVERED_MAJOR:
        yield skipped(
            f"references are not followed for Tomcat {version}: its rules are known from "
            f"Tomcat {FIRST_COVERED_MAJOR} on",
            file=server.path,
        )
        return
    read = [element for element, known in elements_as_read(found.root, major) if known]
    links = _Links(read, server.path, version, for_version(version), found.unresolved)
    engines = [e for e in read if e.path == _ENGINE]
    connectors = [e for e in read if e.path == _CONNECTOR]
    realms = [
        e for e in read if e.tag == "Realm" and e.attrs.get("className") == USER_DATABASE_REALM
    ]
    findings = [
        *(f for connector in connectors for f in links.connector(connector)),
        *(f for engine in engines for f in links.engine(engine)),
        *(f for realm in realms for f in links.realm(realm)),
    ]
    yield from findings
    if not findings:
        yield passed(
            f"{plural(len(connectors), 'Connector')} with a port, "
            f"{plural(len(engines), 'Engine')} with a default host among its Hosts, "
            f"{plural(len(realms), 'UserDatabaseRealm')} with its global user database",
            file=server.path,
        )


class _Links:
    """What one server.xml's elements name, and what Tomcat does when a name finds nothing."""

    def __init__(
        self,
        read: list[XmlElement],
        path: str,
        version: str,
        table: TomcatTable | None,
        unresolved: set[str],
    ) -> None:
        self.path = path
        self.version = version
        self.table = table
        self.unresolved = unresolved
        self.parents = {id(child): e for e in read for child in e.children}
        self.resources: dict[str, XmlElement] = {}
        for element in read:
            name = property_value(element.attrs, "name")
            if element.path == _GLOBAL_RESOURCE and name is not None:
                # the first of a name counts: NamingResourcesImpl.addResource skips the others
                self.resources.setdefault(name, element)

    # ----------------------------------------------------------- Connector, Engine, Hosts

    def connector(self, connector: XmlElement) -> Iterator[Finding]:
        """A Connector is found by its port (mod_jk's worker names it), unless it listens on a
        Unix domain socket (NIO's unixDomainSocketPath, 9.0.42 and 10.0.1 on: then
        Connector.startInternal asks for no port)."""
        if property_value(connector.attrs, "port") is not None:
            return
        if property_value(connector.attrs, "unixDomainSocketPath") is not None:
            return
        if self.misspelt(connector, "port") is None:  # else CC604's
            effect = unset_effect({CONNECTOR}, "port", self.version)
            assert effect is not None
            yield failed(
                f'<Connector> has no port: {effect.text}; add port="..."',
                **self.at(connector, "port"),
            )

    def engine(self, engine: XmlElement) -> Iterator[Finding]:
        yield from self.engine_name(engine)
        hosts = engine.find_all("Host")
        nameless = [h for h in hosts if property_value(h.attrs, "name") is None]
        for host in nameless:
            if self.misspelt(host, "name") is None:  # else CC604 says it, with this effect
                yield failed(
                    f"<Host> has no name: {nameless_host(self.version)}; give it the host name "
                    'it serves (name="localhost")',
                    **self.at(host, "name"),
                )
        if not nameless:  # else the Host without a name is the cause, reported above
            yield from self.default_host(engine, hosts)

    def engine_name(self, engine: XmlElement) -> Iterator[Finding]:
        """An Engine without a name breaks its applications in the releases unset_effect
        names (a misspelt name is CC604's, with the same effect)."""
        if property_value(engine.attrs, "name") is not None or self.misspelt(engine, "name"):
            return
        effect = unset_effect({_ENGINE_TYPE}, "name", self.version)
        if effect is not None:
            yield (failed if effect.certain else warned)(
                f'<Engine> has no name: {effect.text}; give it one (name="Catalina")',
                **self.at(engine, "name"),
            )

    def default_host(self, engine: XmlElement, hosts: list[XmlElement]) -> Iterator[Finding]:
        default = property_value(engine.attrs, "defaultHost")
        where = self.at(engine, "defaultHost")
        effect = no_default_host(self.version)
        fix = "set defaultHost to the name of one of its Hosts"
        if not default:
            if self.misspelt(engine, "defaultHost") is None:  # else CC604's
                said = "has no defaultHost" if default is None else "has an empty defaultHost"
                yield failed(f"<Engine> {said}: {effect}; {fix}", **where)
            return
        names = [property_value(h.attrs, "name") or "" for h in hosts]
        aliases = [a.text for h in hosts for a in h.find_all("Alias") if a.text]
        if default.lower() in {n.lower() for n in names + aliases}:
            return
        why = [
            undefined_in(default, self.unresolved),
            f"its Hosts: {', '.join(names)}"
            if names
            else "it has no Host that Tomcat reads; a <Host> it ignores does not count, see CC601",
        ]
        yield failed(
            f'<Engine defaultHost="{default}"> names none of its Hosts '
            f"({'; '.join(w for w in why if w)}): {effect}; {fix}",
            **where,
        )

    # ---------------------------------------------------------------- UserDatabaseRealm

    def realm(self, realm: XmlElement) -> Iterator[Finding]:
        written = property_value(realm.attrs, "resourceName")
        key = USER_DATABASE_KEY if written is None else written
        parent = self.parents.get(id(realm))
        wrapper = (
            parent.attrs.get("className") if parent is not None and parent.tag == "Realm" else None
        )
        effect = realm_without_database(wrapper)
        resource = self.resources.get(key)
        if resource is None:
            why = undefined_in(key, self.unresolved)
            named = "resourceName" if written is not None else "its default resourceName"
            yield failed(
                f'<Realm className="{USER_DATABASE_REALM}">: {named} "{key}" names no '
                f"<Resource> in <GlobalNamingResources>{f' ({why})' if why else ''}: {effect}; "
                "name the global UserDatabase Resource",
                **self.at(realm, "resourceName"),
            )
            return
        type_ = property_value(resource.attrs, "type")
        problem = no_user_database(type_, resource.attrs.get("factory"))
        if problem is None:
            return
        misspelt = [(self.misspelt(resource, "type"), "type")]
        misspelt += [(a, "factory") for a in resource.attrs if a.lower() == "factory" != a]
        hint = "".join(
            f"; its {written}= is not {meant}=" for written, meant in misspelt if written
        )
        yield failed(
            f'<Resource name="{key}"> {problem}{hint}, so the UserDatabaseRealm on line '
            f"{realm.line} finds no UserDatabase: {effect}",
            **self.at(resource, "type"),
        )

    # ---------------------------------------------------------------------- attributes

    def at(self, element: XmlElement, attr: str) -> dict[str, Any]:
        """Where a finding about this attribute of this element points."""
        return {
            "file": self.path,
            "line": element.line,
            "details": {"element": element.path, "attribute": attr},
        }

    def misspelt(self, element: XmlElement, name: str) -> str | None:
        """The written attribute that was meant to be property `name` (`defaulthost`,
        `tpye`), as CC604 reads it from the node's table; None without a table. On an Engine
        or a Host (classes without a setProperty fallback) CC604 reports it as ignored."""
        rule = self.table.rule(element.path) if self.table else None
        class_name = created_class(element, rule) if rule else None
        if self.table is None or class_name is None:
            return None
        suffix = capitalize(name)
        protocol = element.attrs.get("protocol") if class_name == CONNECTOR else None
        return next(
            (
                attr
                for attr in element.attrs
                if capitalize(attr) != suffix
                and self.table.intended_attribute(
                    element.path, class_name, attr, element.attrs, protocol
                )
                == name
            ),
            None,
        )
