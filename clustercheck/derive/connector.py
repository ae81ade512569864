"""The Tomcat side of the seam: what an AJP connector uses (Tomcat's defaults, a value it
raises, the attribute another falls back to, per version; knowledge/tomcat.py), as Seam values
that point at the connector in server.xml, so a check states both sides the same way.

An attribute is read as IntrospectionUtils sets it (the last one whose setter matches, as a
Java int); one that is not a number is ignored by Tomcat, which keeps its default (CC604 says
so): it is taken here as not set."""

from __future__ import annotations

from dataclasses import dataclass

from clustercheck.derive.frontend import Seam
from clustercheck.derive.targets import MemberTarget
from clustercheck.knowledge.classes import INT_RANGE, java_integer, property_value
from clustercheck.knowledge.tomcat import (
    AJP_CONNECTION_TIMEOUT,
    ajp_idle_attribute,
    ajp_packet_size,
)
from clustercheck.parsers.serverxml import Connector


@dataclass(frozen=True)
class ConnectorSide:
    """The AJP connector a member points at, where it is written, and the Tomcat that reads
    it."""

    node: str
    connector: Connector
    path: str  # server.xml
    version: str | None

    def number(self, name: str) -> tuple[str | None, int | None]:
        """The attribute as written (None: absent) and as the int Tomcat sets (None: absent
        or not a number)."""
        written = property_value(self.connector.attrs, name)
        return written, java_integer(written.strip(), INT_RANGE) if written else None

    def seam(self, name: str, value: object, unit: str = "") -> Seam:
        """Attribute `name` of this connector used as `value`: defaulted when Tomcat sets
        nothing from it (absent, or not a number, whose text is kept), at the connector's line
        either way (where the attribute belongs)."""
        written, number = self.number(name)
        return Seam(
            value,
            name,
            self.path,
            self.connector.line,
            defaulted=number is None,
            written=written,
            unit=unit,
        )

    @property
    def packet_size(self) -> Seam[int]:
        """packetSize as Tomcat uses it, in bytes (raised to 8192; unset: 8192)."""
        return self.seam("packetSize", ajp_packet_size(self.number("packetSize")[1]))

    @property
    def idle_timeout(self) -> Seam[float | None]:
        """How long a connection may idle between requests before Tomcat closes it, in
        milliseconds (None: never): keepAliveTimeout, or connectionTimeout where it applies
        instead (knowledge.tomcat.ajp_idle_attribute)."""
        name = ajp_idle_attribute(self.number("keepAliveTimeout")[1], self.version)
        number = self.number(name)[1]  # None only for connectionTimeout: its default applies
        used = AJP_CONNECTION_TIMEOUT if number is None else number
        value = float(used) if used > 0 else None
        return self.seam(name, value, "ms")

    @property
    def keep_alive_unused(self) -> str | None:
        """Why keepAliveTimeout does not decide the idle timeout, for a message: it is not set,
        or (before Tomcat 9) its value of 0 or less is not applied; None when it decides."""
        written, number = self.number("keepAliveTimeout")
        if ajp_idle_attribute(number, self.version) == "keepAliveTimeout":
            return None
        if written is None:
            return "keepAliveTimeout not set"
        if number is None:
            return f"keepAliveTimeout {written!r} is not a number"
        return f"Tomcat {self.version} does not apply keepAliveTimeout {written} (only above 0)"


def connector_side(target: MemberTarget) -> ConnectorSide | None:
    """The connector side of a member matched to a Tomcat node (CC101); None when unmatched."""
    node, connector = target.node, target.connector
    if node is None or connector is None or node.tomcat is None or node.tomcat.server is None:
        return None
    return ConnectorSide(node.name, connector, node.tomcat.server.path, node.tomcat.version)
