"""The Tomcat side of the seam between httpd and Tomcat: what one AJP connector uses, value by
value, as its node's Tomcat reads server.xml (that version's attribute names and defaults).

Each value is a Seam, the shape of a front-end member's values (derive/frontend.py): the
attribute that sets it and its server.xml line, or Tomcat's documented default, in the model's
units (milliseconds, bytes), so both sides of a member are shown and compared alike.

An attribute is read as IntrospectionUtils sets it (the last one whose setter matches, as a
Java int); one that is not a number is ignored by Tomcat, which keeps its default (CC604 says
so): its Seam is then `defaulted` and keeps the text in `written`. Every value is located at
the element's line, set or not (where the attribute belongs), so a message can say where to
write it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from clustercheck.derive.frontend import Seam
from clustercheck.derive.targets import MemberTarget, listening_port
from clustercheck.knowledge.classes import INT_RANGE, capitalize, java_integer, property_value
from clustercheck.knowledge.tomcat import (
    AJP_CONNECTION_TIMEOUT,
    MAX_THREADS,
    AjpPoolDefaults,
    ajp_defaults,
    ajp_idle_attribute,
    ajp_packet_size,
    ajp_pool_defaults,
    ajp_secret_attributes,
    secret_required_read,
)
from clustercheck.parsers.serverxml import Component, Connector, ServerXml

T = TypeVar("T")

_SECRET_NAMES = ("secret", "requiredSecret", "request.secret")
_SECRET_SETTERS = frozenset(map(capitalize, _SECRET_NAMES))


@dataclass(frozen=True)
class ConnectorSecret:
    """The secret the node's Tomcat reads from the connector (the last of the attributes its
    version knows; an empty one is none), the attribute that gave it, the names it reads,
    whether it requires one, and a secret attribute written but not read by this version."""

    value: str | None
    read: tuple[str, ...]
    required: bool | None
    attribute: str | None = None
    unread: str | None = None
    version: str | None = None

    @classmethod
    def of(cls, connector: Connector, version: str | None) -> ConnectorSecret:
        names = ajp_secret_attributes(version)
        if names is None:  # version unknown: whichever secret attribute is there
            return cls(
                connector.secret or None,
                _SECRET_NAMES,
                connector.secret_required,
                connector.secret_attr if connector.secret else None,
            )
        read = {capitalize(n) for n in names}  # Tomcat's setter names: `Secret=` sets the secret
        given = [a for a in connector.attrs if capitalize(a) in read]
        value = connector.attrs[given[-1]] if given else None
        unread = next((a for a in connector.attrs if capitalize(a) in _SECRET_SETTERS - read), None)
        required = connector.secret_required if secret_required_read(version) else False
        attribute = given[-1] if value else None
        return cls(value or None, names, required, attribute, unread, version)

    def unread_note(self) -> str:
        if not self.unread:
            return ""
        read = " or ".join(self.read) or "no secret attribute"
        return f" (its {self.unread}= is not read by Tomcat {self.version}, which reads {read})"


@dataclass(frozen=True)
class TomcatSide:
    """One AJP connector's values that a front-end member's must fit, and where it is: node,
    server.xml and line, and the Tomcat version that reads it. Durations in ms (None: infinite,
    Tomcat's -1 or any value not above 0), sizes in bytes."""

    node: str
    path: str  # server.xml
    line: int | None  # the connector's
    version: str | None
    port: Seam[int | None]  # the port it listens on (the Server's portOffset included)
    jvm_route: Seam[str | None]  # the Engine's; None: sessions carry no route
    secret: Seam[str | None]  # compared, never shown
    packet_size: Seam[int]
    packet_size_written: int | None  # packetSize as written, when Tomcat raises it
    connection_timeout_ms: Seam[float | None]
    idle_timeout_ms: Seam[float | None]  # keepAliveTimeout, or connectionTimeout where it applies
    keep_alive_unused: str | None  # why keepAliveTimeout does not decide the idle timeout
    max_threads: Seam[int]  # the Executor's when the connector names one that exists
    max_connections: Seam[int | None]  # connections it holds (None: no limit)
    accept_count: Seam[int]  # connections the operating system queues beyond them
    bio: bool  # one thread per connection, idle or not (the blocking connector up to 7.0)
    address: Seam[str | None]  # None: not set and the version, so its default, is unknown

    @property
    def accepts(self) -> int | None:
        """Connections it takes before refusing: held plus queued (None: no limit)."""
        held = self.max_connections.value
        return None if held is None else held + self.accept_count.value


def tomcat_side(
    server: ServerXml, connector: Connector, version: str | None, node: str = ""
) -> TomcatSide:
    """The connector's values as Tomcat `version` uses them."""
    attribute = _Attributes(server, connector)
    connection = attribute.number("connectionTimeout", AJP_CONNECTION_TIMEOUT)
    keep_alive = attribute.number("keepAliveTimeout", None)
    idle_name = ajp_idle_attribute(keep_alive.value, version)
    packet = attribute.number("packetSize", None)
    secret = ConnectorSecret.of(connector, version)
    pool = ajp_pool_defaults(version, connector.protocol)
    threads = _max_threads(server, connector, attribute, pool.max_threads)
    return TomcatSide(
        node=node,
        path=server.path,
        line=connector.line,
        version=version,
        port=attribute.seam(
            "port", listening_port(connector), property_value(connector.attrs, "port")
        ),
        jvm_route=_jvm_route(server),
        secret=_secret(attribute, secret),
        packet_size=_with(packet, ajp_packet_size(packet.value)),
        packet_size_written=packet.value,
        connection_timeout_ms=_infinite(connection, AJP_CONNECTION_TIMEOUT),
        idle_timeout_ms=_infinite(
            keep_alive if idle_name == "keepAliveTimeout" else connection, AJP_CONNECTION_TIMEOUT
        ),
        keep_alive_unused=_keep_alive_unused(keep_alive, idle_name, version),
        max_threads=threads,
        max_connections=_max_connections(attribute, pool, threads),
        accept_count=_number(attribute.number("acceptCount", pool.accept_count)),
        bio=pool.bio,
        address=_address(attribute, connector, version),
    )


def connector_side(target: MemberTarget) -> TomcatSide | None:
    """The Tomcat side of a member matched to a node's AJP connector (CC101); None when
    unmatched."""
    node, connector = target.node, target.connector
    if node is None or connector is None or node.tomcat is None or node.tomcat.server is None:
        return None
    return tomcat_side(node.tomcat.server, connector, node.tomcat.version, node.name)


def _keep_alive_unused(keep_alive: Seam[int | None], used: str, version: str | None) -> str | None:
    """Why keepAliveTimeout does not decide the idle timeout, for a message: it is not set,
    or (before Tomcat 9) its value of 0 or less is not applied; None when it decides."""
    if used == "keepAliveTimeout":
        return None
    if keep_alive.written is None:
        return "keepAliveTimeout not set"
    if keep_alive.value is None:
        return f"keepAliveTimeout {keep_alive.written!r} is not a number"
    return f"Tomcat {version} does not apply keepAliveTimeout {keep_alive.written} (only above 0)"


class _Attributes:
    """Seam values of one element's attributes, read as IntrospectionUtils sets them."""

    def __init__(self, server: ServerXml, element: Connector | Component, name: str = "") -> None:
        self.path = server.path
        self.element = element
        self.prefix = name  # how the directive names the element, when not the connector

    def seam(self, attribute: str, value: T, written: str | None, used: bool = True) -> Seam[T]:
        """`used`: Tomcat took the written text (False: it is no number, so the default
        stays)."""
        directive = f"{self.prefix} {attribute}" if self.prefix else attribute
        return Seam(
            value,
            directive,
            self.path,
            self.element.line,
            defaulted=written is None or not used,
            written=written,
        )

    def number(self, attribute: str, default: int | None) -> Seam[int | None]:
        """An int attribute; one Tomcat cannot parse leaves the default (CC604 says so)."""
        written = property_value(self.element.attrs, attribute)
        parsed = java_integer(written.strip(), INT_RANGE) if written is not None else None
        value = default if parsed is None else parsed
        return self.seam(attribute, value, written, parsed is not None)


def _infinite(seam: Seam[int | None], default: int) -> Seam[float | None]:
    """Tomcat's timeouts in ms: -1, 0 or less never expire."""
    value = default if seam.value is None else seam.value
    return _with(seam, float(value) if value > 0 else None, "ms")


def _with(seam: Seam[Any], value: T, unit: str = "") -> Seam[T]:
    return Seam(value, seam.directive, seam.file, seam.line, seam.defaulted, seam.written, unit)


def _secret(attribute: _Attributes, secret: ConnectorSecret) -> Seam[str | None]:
    """The secret with the attribute it came from; never kept as `written` (never shown)."""
    if secret.value is None or secret.attribute is None:
        return Seam(None, "secret", attribute.path, attribute.element.line, defaulted=True)
    return Seam(secret.value, secret.attribute, attribute.path, attribute.element.line)


def _jvm_route(server: ServerXml) -> Seam[str | None]:
    directive = "<Engine jvmRoute>"
    if server.jvm_route is None:
        return Seam(None, directive, defaulted=True)
    return Seam(server.jvm_route, directive, server.path, server.jvm_route_line)


def _address(attribute: _Attributes, connector: Connector, version: str | None) -> Seam[str | None]:
    return attribute.seam("address", bind_address(connector, version), connector.address)


def bind_address(connector: Connector, version: str | None) -> str | None:
    """The address a connector binds: as written, else its default: for AJP since the Ghostcat
    fix the loopback address, before it and for HTTP all addresses; None for an AJP connector
    of an unknown version (the default depends on it)."""
    if connector.address is not None:
        return connector.address
    if not connector.is_ajp:
        return "0.0.0.0"
    defaults = ajp_defaults(version)
    return None if defaults is None else "127.0.0.1" if defaults.loopback_only else "0.0.0.0"


def _max_threads(
    server: ServerXml, connector: Connector, attribute: _Attributes, default: int
) -> Seam[int]:
    """The connector's maxThreads, or its Executor's when `executor=` names one of its
    Service (the connector then uses that pool and ignores its own thread attributes)."""
    executor = connector.executor
    if executor is None:
        return _number(attribute.number("maxThreads", default))
    name = property_value(executor.attrs, "name") or ""
    pool = _Attributes(server, executor, f"<Executor {name}>")
    return _number(pool.number("maxThreads", MAX_THREADS))


def _max_connections(
    attribute: _Attributes, pool: AjpPoolDefaults, threads: Seam[int]
) -> Seam[int | None]:
    """maxConnections as the endpoint counts it: the blocking connector holds as many as it
    has threads when it is 0 (the default there); NIO counts none at -1 (no limit)."""
    written = attribute.number("maxConnections", None)
    if pool.bio and not written.value:  # JIoEndpoint: 0 (the default) is maxThreads
        return Seam(threads.value, "maxConnections (as maxThreads)", defaulted=True)
    if written.value is None:
        return _with(written, pool.max_connections)
    return _with(written, None if written.value < 0 and not pool.bio else written.value)


def _number(seam: Seam[int | None]) -> Seam[int]:
    """An int attribute with a default: never None."""
    assert seam.value is not None
    return _with(seam, seam.value)
