"""What a Tomcat version does with each element, className and attribute of server.xml, from the
tables that tools/knowledge/generate.py builds out of Tomcat itself (clustercheck/knowledge/data/
tomcat-<line>.json: reflection over a real Tomcat, or the published source of a release tag).

The rules below are Tomcat's own, as its source states them (apache/tomcat,
java/org/apache/tomcat/util/IntrospectionUtils.java `setProperty`, digester/SetPropertiesRule.java,
digester/ObjectCreateRule.java, SetNextRule.java, catalina/startup/Catalina.java
`createStartDigester`); this module has no code of theirs, only these facts:

- Each attribute of an element whose rule sets properties is handed to
  IntrospectionUtils.setProperty(object, name, value), except the Digester's "fake" attributes
  (`className` on every class but two, see the table) and what the element's rule leaves out
  (a Connector's `protocol`, `executor`, `sslImplementationName`). When it returns false the
  Digester logs a WARN "Match [path] failed to set property [name] to [value]" (never for the
  attribute `optional`) and goes on: the attribute is ignored and the default stays.
- The setter looked for is "set" + the name with its FIRST character upper-cased (Java's
  Character.toUpperCase), compared exactly with the public methods' names: `Port` finds setPort
  as `port` does, but `PORT`, `jvmroute` or `mcastport` find nothing. Matching is
  case-sensitive except for that first character.
- A setX(String) is taken first, whatever the value. Otherwise each one-argument setX in turn:
  int/Integer takes Integer.valueOf(value) (an optional sign and decimal digits, nothing else:
  no spaces, no `_`, no hex, within 32 bits), long/Long likewise with 64 bits, boolean/Boolean
  takes Boolean.valueOf(value) (true for "true" in any case, false for ANY other text, never an
  error), InetAddress takes InetAddress.getByName(value) (a host that does not resolve fails). A
  value that does not convert skips that setter. A parameter of any other object type is called
  with null; of another primitive type, fails.
- A setX(String) that reads the text itself may throw on it, which fails the same way:
  Channel.parseSendOptions (channelSendOptions, mapSendOptions: a number, or option names
  separated by commas), tribes' Arrays.fromString (a uniqueId, or a host or domain written as
  "{1,2,3}": bytes), StaticMember.setHost (a host name resolved at once).
- With no setter taking the value, a public setProperty(String, String) is called when the class
  has one: a void one takes anything, a boolean one says whether it did (Connector hands the
  attribute to its protocol handler, the handler to its endpoint, "socket.X" to the endpoint's
  SocketProperties).
- An element's object is created from its `className` attribute or the rule's default class
  with a public no-argument constructor; a class that cannot be loaded or created makes the
  Digester throw, server.xml is not loaded and Tomcat does not start. The parent's add/set method
  (SetNextRule) takes one type: an object of another type throws the same way.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from clustercheck.knowledge.tomcat import (
    MCAST_SERVICE,
    SIMPLE_TCP_CLUSTER,
    Version,
    assumed_version,
    empty_send_options_refused,
    known_element,
    parse_version,
)
from clustercheck.parsers.text import bounded_int

INT_RANGE = (-(2**31), 2**31 - 1)
LONG_RANGE = (-(2**63), 2**63 - 1)
_TOMCAT_PACKAGES = (
    "org.apache.catalina.",
    "org.apache.coyote.",
    "org.apache.tomcat.",
    "org.apache.juli.",
    "org.apache.naming.",
    "org.apache.jasper.",
    "org.apache.el.",
)
CONNECTOR = "org.apache.catalina.connector.Connector"
_HTTP = ("HTTP/1.1", "org.apache.coyote.http11.Http11NioProtocol")
_AJP = ("AJP/1.3", "org.apache.coyote.ajp.AjpNioProtocol")
SUGGESTED_MAX = 4096  # suggestions a table remembers


# ---------------------------------------------------------------------------- the tables


@dataclass(frozen=True)
class ElementRule:
    """What the Digester does at one element path."""

    path: str
    default_class: str | None  # created when the element names none
    class_attribute: str | None  # the attribute that names the class ("className"), if any
    type: str | None  # what the parent's add/set method takes
    properties: bool  # attributes become properties
    excludes: frozenset[str]  # attributes the rule leaves out (used elsewhere)


@dataclass(frozen=True)
class ClassInfo:
    name: str
    types: frozenset[str]
    setters: Mapping[str, tuple[str, ...]]  # "Port" -> ("int",): setPort(int)
    fallback: str | None  # setProperty(String, String): "any", "protocol-handler", ...
    defaults: Mapping[str, str | None]  # getter values on a fresh instance, by setter suffix

    @property
    def simple_name(self) -> str:
        return self.name.rpartition(".")[2]


@dataclass(frozen=True)
class ProtocolInfo:
    handler: str
    endpoint: str
    socket: str
    defaults: Mapping[str, Mapping[str, str | None]]  # connector / endpoint / socket


@dataclass(frozen=True)
class TomcatTable:
    """One Tomcat line's table (10.1, 9.0, ...), generated from one release of it."""

    line: str
    tomcat: str  # the release it was generated from
    method: str  # "reflection" or "source"
    source: str
    generated: str
    elements: Mapping[str, ElementRule]
    fake_attributes: Mapping[str, frozenset[str]]
    classes: Mapping[str, ClassInfo]
    connector: Mapping[str, ProtocolInfo]
    packages: Mapping[str, frozenset[str]]
    # Connector.setProperty renames these before the handler sees them (7.0, 8.5)
    connector_replacements: Mapping[str, str] = field(default_factory=dict)
    also: str | None = None  # the line's first release, whose dropped classes it also holds
    # suggest_attribute's answers by its arguments: it is asked about every attribute of every
    # node's server.xml, and a cluster's nodes write the same ones
    _suggested: dict[tuple[str, str | None, str, str | None], str | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def releases(self) -> str:
        """The releases the table stands for: "9.0.0 to 9.0.121"."""
        return f"{self.also} to {self.tomcat}" if self.also else self.tomcat

    # -------------------------------------------------------------------- classes

    def has_class(self, name: str) -> bool:
        """Whether Tomcat ships a top-level class of this name (any kind of class)."""
        package, _, simple = name.rpartition(".")
        return simple in self.packages.get(package, ()) or name in self.classes

    def class_info(self, name: str) -> ClassInfo | None:
        return self.classes.get(name)

    def rule(self, path: str) -> ElementRule | None:
        return self.elements.get(path)

    def may_stand_in(self, name: str, path: str) -> bool | None:
        """Whether class `name` can be created for the element at `path` and taken by its
        parent. None when that cannot be told (no rule or no type for the element, or a class
        that is not Tomcat's)."""
        rule = self.rule(path)
        if rule is None or rule.type is None or not is_tomcat_class(name):
            return None
        if not self.has_class(rule.type.partition("$")[0]):
            return None  # a type this line does not have (7.0's Resources are no WebResourceRoot)
        info = self.classes.get(name)
        return info is not None and (rule.type in info.types or rule.type == name)

    def classes_of_type(self, type_name: str) -> list[str]:
        return sorted(n for n, c in self.classes.items() if type_name in c.types or n == type_name)

    def suggest_class(
        self, name: str, type_name: str | None = None, fuzzy_simple_names: bool = True
    ) -> str | None:
        """The class a misspelt or outdated className most likely meant: the same simple name
        in another package (Tomcat 5's org.apache.catalina.cluster.tcp.SimpleTcpCluster), else
        the closest name of the right type."""
        candidates = self.classes_of_type(type_name) if type_name else sorted(self.classes)
        by_simple = {c.rpartition(".")[2].lower(): c for c in candidates}
        simple = name.rpartition(".")[2].lower()
        if simple in by_simple:
            return by_simple[simple]
        if not fuzzy_simple_names:
            return None
        near = difflib.get_close_matches(simple, list(by_simple), n=1, cutoff=0.8)
        return by_simple[near[0]] if near else None

    # ----------------------------------------------------------------- attributes

    def protocol(self, protocol: str | None) -> ProtocolInfo | None:
        """The handler a Connector's protocol="..." gets: a class by its name, HTTP/1.1 (also
        when absent) and AJP/1.3 as the line resolves them (NIO since 8.5; BIO in 7.0 without
        the APR library)."""
        if protocol is not None and protocol in self.connector:
            return self.connector[protocol]
        by_class = next((p for p in self.connector.values() if p.handler == protocol), None)
        if by_class is not None:
            return by_class
        if protocol is None or protocol in _HTTP:
            return self.connector.get("HTTP/1.1")
        if protocol in _AJP:
            return self.connector.get("AJP/1.3")
        return None

    def set_property(
        self,
        path: str,
        class_name: str | None,
        attr: str,
        value: str,
        protocol: str | None = None,
        release: str | None = None,
    ) -> Setting:
        """What the Digester does with attr="value" on the element at `path` whose object is of
        class `class_name` (for a Connector, give its protocol attribute), in this release of
        the line (the table's own when not given)."""
        rule = self.rule(path)
        if rule is None or not rule.properties:
            return Setting(Outcome.UNKNOWN, attr, reason="no property rule for this element")
        if attr in rule.excludes or attr == "optional" or attr == rule.class_attribute:
            # the class attribute picks the class; where the Digester's fake list misses it
            # (a Context) Tomcat also logs "failed to set property" for it, to no effect
            return Setting(Outcome.NOT_A_PROPERTY, attr, reason="read by the element's rule")
        if class_name is None:
            return Setting(Outcome.UNKNOWN, attr, reason="no class")
        if attr in self._fake(class_name):
            return Setting(Outcome.NOT_A_PROPERTY, attr, reason="not a property (fake attribute)")
        info = self.classes.get(class_name)
        if info is None:
            return Setting(Outcome.UNKNOWN, attr, reason=f"{class_name} is not in the table")
        if class_name == CONNECTOR:
            return self._connector(info, attr, value, protocol)
        setting = _introspect([(info, info.defaults)], attr, value, self)
        return _read_text(info, setting, value, release or self.tomcat)

    def _fake(self, class_name: str) -> frozenset[str]:
        """The Digester looks up the object's exact class, and only without an entry for it
        the list for Object: so `className` IS set as a property on a Connector."""
        fake = self.fake_attributes
        return fake.get(class_name, fake.get("java.lang.Object", frozenset()))

    def _connector(self, info: ClassInfo, attr: str, value: str, protocol: str | None) -> Setting:
        """The Connector's own setters, then Connector.setProperty: the attribute (renamed as
        `connector_replacements` says) to the protocol handler, and on to its endpoint."""
        chosen = self.protocol(protocol)
        defaults = chosen.defaults.get("connector", {}) if chosen else {}
        own = _one_class(info, defaults, attr, capitalize(attr), value)
        if own is not None and own.outcome is Outcome.SET:
            return own
        handler = self.classes.get(chosen.handler if chosen else protocol or "")
        if handler is None:
            return Setting(Outcome.UNKNOWN, attr, reason="the protocol handler is unknown")
        name = self.connector_replacements.get(attr, attr)
        further = _introspect([(handler, handler.defaults)], name, value, self, endpoint=chosen)
        if further.outcome is not Outcome.SET and own is not None:
            further = own
        return replace(further, attr=attr)

    def attribute_names(
        self, path: str, class_name: str | None, protocol: str | None = None
    ) -> list[str]:
        """Every attribute name the class (for a Connector: and its handler and endpoint)
        takes, as Tomcat's documentation writes it."""
        if class_name is None or class_name not in self.classes:
            return []
        chain = [self.classes[class_name]]
        chosen = self.protocol(protocol) if class_name == CONNECTOR else None
        if chosen is not None:
            chain += [self.classes[c] for c in (chosen.handler, chosen.endpoint)]
        names = {attribute_name(s) for c in chain for s in c.setters}
        if chosen is not None and chosen.socket in self.classes:
            names |= {f"socket.{attribute_name(s)}" for s in self.classes[chosen.socket].setters}
        return sorted(names)

    def classes_with_property(self, attr: str) -> list[str]:
        """Simple names of the classes whose setter this attribute finds, and <Element> for the
        elements whose rule reads it (another element's attribute written here: an Executor's
        maxIdleTime on a Connector, a Certificate's type on SSLHostConfig)."""
        elements = {
            f"<{path.rpartition('/')[2]}>"
            for path, rule in self.elements.items()
            if attr in rule.excludes
        }
        if elements:
            return sorted(elements)
        suffix = capitalize(attr)
        return sorted({c.simple_name for c in self.classes.values() if suffix in c.setters})

    def suggest_attribute(
        self, path: str, class_name: str | None, attr: str, protocol: str | None = None
    ) -> str | None:
        """The attribute a misspelt or miscased one most likely meant."""
        key = (path, class_name, attr, protocol)
        if key not in self._suggested:
            if len(self._suggested) >= SUGGESTED_MAX:  # the names are a node's word
                self._suggested.clear()
            self._suggested[key] = self._suggest(path, class_name, attr, protocol)
        return self._suggested[key]

    def _suggest(
        self, path: str, class_name: str | None, attr: str, protocol: str | None
    ) -> str | None:
        names = self.attribute_names(path, class_name, protocol)
        by_lower = {n.lower(): n for n in names}
        lowered = attr.lower()
        if lowered in by_lower:
            return by_lower[lowered]
        swapped = [by_lower[n] for n in by_lower if _swapped(lowered, n)]
        if swapped:
            return swapped[0]  # two letters swapped: prot, defalutHost
        close = difflib.get_close_matches(lowered, list(by_lower), n=1, cutoff=0.8)
        return by_lower[close[0]] if close else None

    def intended_attribute(
        self,
        path: str,
        class_name: str | None,
        attr: str,
        written: Mapping[str, str],
        protocol: str | None = None,
    ) -> str | None:
        """The attribute a misspelt or miscased one was meant to be, unless that one is written
        too (then both were meant: maxSpareThreads beside maxThreads)."""
        meant = self.suggest_attribute(path, class_name, attr, protocol)
        return None if meant is not None and meant != attr and meant in written else meant


class Outcome(StrEnum):
    SET = "set"  # a setter (or a fallback that accepts it) takes the value
    IGNORED = "ignored"  # "failed to set property": nothing takes it, the default stays
    NOT_A_PROPERTY = "not-a-property"  # className, the Connector's protocol: read elsewhere
    UNKNOWN = "unknown"  # the table cannot tell (a class that is not Tomcat's, ...)


@dataclass(frozen=True)
class Setting:
    """What Tomcat does with one attribute."""

    outcome: Outcome
    attr: str
    owner: str | None = None  # the class whose setter (or fallback) takes or refused it
    java_type: str | None = None  # the parameter type of that setter
    reason: str = ""  # why it is ignored, or how it is read
    default: str | None = None  # the value that stays (a fresh instance's), when known
    has_default: bool = False  # whether `default` is known (it may be null)
    read_as: str | None = None  # how a boolean that is neither true nor false is read
    unchanged: str | None = None  # why a setter that takes the text sets nothing (no warning)


# ------------------------------------------------------------------------ IntrospectionUtils


def capitalize(name: str) -> str:
    """IntrospectionUtils.capitalize: the first character upper-cased, the rest as written."""
    if not name:
        return name
    first = name[0].upper()
    return (first if len(first) == 1 else name[0]) + name[1:]


def property_value(attrs: Mapping[str, str], name: str) -> str | None:
    """The value IntrospectionUtils sets as property `name` from these attributes: the last one
    whose setter is set + capitalize(name) (`Name=` sets name as `name=` does)."""
    suffix = capitalize(name)
    found = [value for attr, value in attrs.items() if capitalize(attr) == suffix]
    return found[-1] if found else None


def attribute_name(suffix: str) -> str:
    """How the documentation writes the attribute of setter `set<suffix>`: the first letter
    lower-cased, unless the first two are capitals (URIEncoding)."""
    if len(suffix) > 1 and suffix[:2].isupper():
        return suffix
    return suffix[:1].lower() + suffix[1:]


def java_integer(value: str, bounds: tuple[int, int]) -> int | None:
    """Integer.valueOf / Long.valueOf: an optional + or -, then one or more decimal digits
    (Character.digit accepts any Unicode decimal digit), within range; None when it throws."""
    body = value[1:] if value[:1] in ("+", "-") else value
    if not body or any(unicodedata.decimal(c, None) is None for c in body):
        return None
    number = bounded_int("".join(str(unicodedata.decimal(c)) for c in body))
    if value.startswith("-"):
        number = -number
    return number if bounds[0] <= number <= bounds[1] else None


_IPV4 = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
# what InetAddress.getByName may resolve: an IPv4 or IPv6 literal (with a %scope, in brackets)
# or a host name (letters, digits, -, _ and dots); "" is the loopback address
_HOST_TEXT = re.compile(r"[\w.:%\[\]-]*")


def never_resolves(value: str) -> bool:
    """Whether InetAddress.getByName fails on this text wherever it runs: literal addresses
    always convert and a name resolves (or not) on the node itself, but text no host name
    has (an undefined `${name}`, a space) never resolves."""
    return _HOST_TEXT.fullmatch(value) is None


def resolved_on_the_node(class_name: str, attr: str, value: str) -> bool:
    """Whether this attribute is a host name that Tomcat resolves on the node as it reads
    server.xml (StaticMember.setHost): whether it resolves there, only the node knows; a
    literal address, bytes written `{...}` and text no host name has are judged as written."""
    if class_name != _STATIC_MEMBER or capitalize(attr) != "Host" or value.startswith("{"):
        return False
    try:
        ipaddress.ip_address(value.strip("[]").partition("%")[0])
    except ValueError:
        return not never_resolves(value)
    return False


def _converts(java_type: str, value: str) -> tuple[bool, str | None]:
    """Whether IntrospectionUtils gets a value of this parameter type out of the text, and how a
    boolean reads when the text is neither true nor false."""
    if java_type in ("int", "Integer"):
        return java_integer(value, INT_RANGE) is not None, None
    if java_type in ("long", "Long"):
        return java_integer(value, LONG_RANGE) is not None, None
    if java_type in ("boolean", "Boolean"):
        lowered = value.lower()
        return True, None if lowered in ("true", "false") else "false"
    if java_type == "InetAddress":
        return not never_resolves(value), None
    if java_type in ("double", "float", "short", "byte", "char"):
        return False, None  # IntrospectionUtils passes null: the call fails
    return True, None  # any other object type: called with null


_CONVERTIBLE = ("int", "Integer", "long", "Long", "boolean", "Boolean", "InetAddress")


def _introspect(
    chain: list[tuple[ClassInfo, Mapping[str, str | None]]],
    attr: str,
    value: str,
    table: TomcatTable,
    endpoint: ProtocolInfo | None = None,
) -> Setting:
    """IntrospectionUtils.setProperty on the first class of the chain; each later class is where
    the one before's setProperty(String, String) fallback hands the attribute."""
    suffix = capitalize(attr)
    refused: Setting | None = None
    for info, defaults in chain:
        setting = _one_class(info, defaults, attr, suffix, value)
        if setting is not None and setting.outcome is Outcome.SET:
            return setting
        refused = refused or setting
        if info.fallback == "any":
            return Setting(Outcome.SET, attr, info.name, "setProperty", "taken by setProperty")
        if info.fallback == "error-pages" and _error_page(attr):
            return Setting(Outcome.SET, attr, info.name, "setProperty", "an error page")
        if info.fallback == "unknown":
            return Setting(Outcome.UNKNOWN, attr, info.name, reason="setProperty may take it")
    if endpoint is not None:
        setting = _endpoint(table, endpoint, attr, value)
        if setting.outcome is Outcome.SET:
            return setting
        refused = refused or (setting if setting.java_type else None)
    if refused is not None:
        return refused
    first, defaults = chain[0]
    return Setting(Outcome.IGNORED, attr, first.name, reason="no such property")


def _one_class(
    info: ClassInfo, defaults: Mapping[str, str | None], attr: str, suffix: str, value: str
) -> Setting | None:
    types = info.setters.get(suffix)
    if not types:
        return None

    def setting(
        outcome: Outcome, java_type: str, reason: str = "", read_as: str | None = None
    ) -> Setting:
        return Setting(
            outcome,
            attr,
            info.name,
            java_type,
            reason,
            defaults.get(suffix),
            suffix in defaults,
            read_as,
        )

    if "String" in types:
        return setting(Outcome.SET, "String")
    ordered = [t for t in types if t in _CONVERTIBLE] + [t for t in types if t not in _CONVERTIBLE]
    for java_type in ordered:
        ok, read_as = _converts(java_type, value)
        if ok:
            return setting(Outcome.SET, java_type, read_as=read_as)
    first = ordered[0]
    return setting(Outcome.IGNORED, first, f"not {_a(first)} for {_setter(info, suffix, first)}")


def _setter(info: ClassInfo, suffix: str, java_type: str) -> str:
    return f"{info.simple_name}.set{suffix}({java_type})"


def _a(java_type: str) -> str:
    names = {
        "int": "an int",
        "Integer": "an int",
        "long": "a long",
        "Long": "a long",
        "InetAddress": "an address or a host name",
    }
    return names.get(java_type, f"a {java_type}")


def _error_page(attr: str) -> bool:
    """ErrorReportValve.setProperty: errorCode.NNN (Integer.parseInt) or exceptionType.X."""
    if attr.startswith("errorCode."):
        return java_integer(attr[len("errorCode.") :], INT_RANGE) is not None
    return attr.startswith("exceptionType.")


def _endpoint(table: TomcatTable, protocol: ProtocolInfo, attr: str, value: str) -> Setting:
    """AbstractEndpoint.setProperty: "socket.X" to SocketProperties, else the endpoint's own
    setters, neither with a fallback."""
    if attr.startswith("socket."):
        name = attr[len("socket.") :]
        info, defaults = table.classes.get(protocol.socket), protocol.defaults.get("socket", {})
    else:
        name = attr
        info, defaults = table.classes.get(protocol.endpoint), protocol.defaults.get("endpoint", {})
    if info is None:
        return Setting(Outcome.UNKNOWN, attr, reason="endpoint not in the table")
    setting = _one_class(info, defaults, name, capitalize(name), value)
    if setting is None:
        return Setting(Outcome.IGNORED, attr, protocol.handler, reason="no such property")
    return replace(setting, attr=attr)


# ------------------------------------------------------------ String setters that parse

BYTE_RANGE = (-128, 127)
# Channel.SEND_OPTIONS_*: the names getSendOptionValue knows (case-sensitive), and the bits
_SEND_OPTIONS: Mapping[str, int] = {
    "byte_message": 1,
    "byte": 1,
    "use_ack": 2,
    "synchronized_ack": 4,
    "sync": 4,
    "asynchronous": 8,
    "async": 8,
    "secure": 16,
    "udp": 32,
    "multicast": 64,
}
_OPTION_NAMES = ", ".join(
    "/".join(n for n, v in _SEND_OPTIONS.items() if v == bit)
    for bit in sorted(set(_SEND_OPTIONS.values()))
)
# getSendOptionsAsString's names, by bit
_SHORT_NAMES = ("byte", "use_ack", "sync", "async", "secure", "udp", "multicast")
# String.split("\\s*,\\s*"): Java's \s is these six characters only
_OPTION_SEPARATOR = re.compile(r"[ \t\n\x0b\f\r]*,[ \t\n\x0b\f\r]*")


def send_options_text(value: int) -> str:
    """A send options number as Tomcat shows it: "8 (async)", "6 (sync, use_ack)"."""
    names = [n for bit, n in enumerate(_SHORT_NAMES) if value & (1 << bit)]
    return f"{value} ({', '.join(reversed(names))})" if names else str(value)


def _java_split(text: str) -> list[str]:
    """Java's String.split: no match gives the text itself; trailing empty parts are dropped."""
    parts = _OPTION_SEPARATOR.split(text)
    if len(parts) == 1:
        return parts
    while parts and parts[-1] == "":
        parts.pop()
    return parts


@dataclass(frozen=True)
class _Read:
    """What a String setter that parses its text makes of a value."""

    refused: str | None = None  # why it throws: "failed to set property", the default stays
    unchanged: str | None = None  # why it takes the text and sets nothing, silently


def _send_options(setter: str, value: str, release: str) -> _Read:
    """Channel.parseSendOptions: Integer.parseInt, else option names separated by commas (and
    blanks around them), each one known or it throws; only a number above 0 is set."""
    if value == "" and not empty_send_options_refused(release):
        return _Read(unchanged=f"{setter} reads an empty value as 0")
    number = java_integer(value, INT_RANGE)
    if number is None:
        names = _java_split(value)
        unknown = next((n for n in names if n not in _SEND_OPTIONS), None)
        if unknown is not None:
            return _Read(
                f"{setter} takes a number or option names separated by commas ({_OPTION_NAMES}, "
                f'case-sensitive); "{unknown}" is none of them ("[{unknown}] is not a valid '
                'option")'
            )
        number = 0
        for name in names:
            number |= _SEND_OPTIONS[name]
    if number <= 0:
        return _Read(unchanged=f"{setter} sets only a number above 0")
    return _Read()


def _bytes(value: str) -> tuple[int | None, str | None]:
    """tribes' Arrays.fromString: "{1,2,3}" (a StringTokenizer on "{,}", so empty parts are
    skipped), each part Byte.parseByte: how many bytes, or why it throws."""
    if not value.startswith("{"):
        return None, 'it does not start with "{" ("byte arrays must be represented as {1,3,4,5,6}")'
    parts = [p for p in re.split(r"[{,}]", value) if p]
    bad = next((p for p in parts if java_integer(p, BYTE_RANGE) is None), None)
    if bad is not None:
        return None, f'"{bad}" is not a byte (-128 to 127, decimal digits, no blanks)'
    return len(parts), None


def byte_list(value: str) -> tuple[int, ...] | None:
    """tribes' Arrays.fromString: "{10,0,0,5}" as its bytes, or None when it throws."""
    if _bytes(value)[1] is not None:
        return None
    return tuple(int(p) for p in re.split(r"[{,}]", value) if p)


def unique_id(value: str) -> tuple[int, ...] | None:
    """A uniqueId as the 16 bytes StaticMember.setUniqueId makes of it (so `{1,+2,...}` and
    `{1,2,...}` compare equal), or None when Tomcat refuses it (CC604 says why)."""
    found = byte_list(value)
    return found if found is not None and len(found) == 16 else None


def _unique_id(setter: str, value: str, release: str) -> _Read:
    """StaticMember.setUniqueId(String): Arrays.fromString, exactly 16 bytes."""
    count, why = _bytes(value)
    if why is None and count != 16:
        why = f'it has {count}: "UUID must be exactly 16 bytes"'
    return _Read(
        f"{setter} takes exactly 16 bytes written {{b1,b2,...,b16}}; {why}" if why else None
    )


def _domain(setter: str, value: str, release: str) -> _Read:
    """setDomain(String): bytes when it starts with "{", else the text's own bytes."""
    why = _bytes(value)[1] if value.startswith("{") else None
    return _Read(f'{setter} reads a value starting with "{{" as bytes, and {why}' if why else None)


def _host(setter: str, value: str, release: str) -> _Read:
    """StaticMember.setHost(String): bytes when it starts with "{", else a host name that
    InetAddress.getByName resolves there and then (on the node: only text no host name has,
    such as an undefined `${name}`, is known to fail)."""
    if value.startswith("{"):
        why = _bytes(value)[1]
        return _Read(
            f'{setter} reads a value starting with "{{" as bytes, and {why}' if why else None
        )
    if never_resolves(value):
        return _Read(f"{setter} resolves it as a host name, and no host name has this text")
    return _Read()


_TextReader = Callable[[str, str, str], _Read]
_STATIC_MEMBER = "org.apache.catalina.tribes.membership.StaticMember"
_DOMAIN_FILTER = "org.apache.catalina.tribes.group.interceptors.DomainFilterInterceptor"
# (class or type, setter suffix) → how its String setter reads the text, and the value that
# stays when it refuses it, as Tomcat names it (the field's initial value, 7.0 to 11.0), when
# that says more than the table's
_TEXT_SETTERS: Mapping[tuple[str, str], tuple[_TextReader, str | None]] = {
    (SIMPLE_TCP_CLUSTER, "ChannelSendOptions"): (_send_options, send_options_text(8)),
    ("org.apache.catalina.ha.session.BackupManager", "MapSendOptions"): (
        _send_options,
        send_options_text(6),
    ),
    (_STATIC_MEMBER, "UniqueId"): (_unique_id, "16 zero bytes"),
    (_STATIC_MEMBER, "Host"): (_host, None),
    (_STATIC_MEMBER, "Domain"): (_domain, None),
    (MCAST_SERVICE, "Domain"): (_domain, None),
    (_DOMAIN_FILTER, "Domain"): (_domain, None),
}


def _read_text(info: ClassInfo, setting: Setting, value: str, release: str) -> Setting:
    """A value its setX(String) took, as that setter reads it: refused (ignored, as a value
    that does not convert), taken without effect, or set."""
    if setting.outcome is not Outcome.SET or setting.java_type != "String":
        return setting
    suffix = capitalize(setting.attr)
    found = next(
        (_TEXT_SETTERS[k] for t in (info.name, *info.types) if (k := (t, suffix)) in _TEXT_SETTERS),
        None,
    )
    if found is None:
        return setting
    reader, default = found
    read = reader(_setter(info, suffix, "String"), value, release)
    if default is not None:
        setting = replace(setting, default=default, has_default=True)
    if read.refused is not None:
        return replace(setting, outcome=Outcome.IGNORED, reason=read.refused)
    return replace(setting, unchanged=read.unchanged)


def _swapped(typed: str, name: str) -> bool:
    """Whether `typed` is `name` with two neighbouring letters swapped."""
    if len(typed) != len(name) or typed == name:
        return False
    at = [i for i, (a, b) in enumerate(zip(typed, name, strict=True)) if a != b]
    return (
        len(at) == 2
        and at[1] == at[0] + 1
        and typed[at[0]] == name[at[1]]
        and (typed[at[1]] == name[at[0]])
    )


def is_tomcat_class(name: str) -> bool:
    """A class in Tomcat's own packages: if the table lacks it, Tomcat lacks it."""
    return name.startswith(_TOMCAT_PACKAGES)


# ----------------------------------------------------------------------------- loading


def _rule(path: str, raw: Mapping[str, Any]) -> ElementRule:
    return ElementRule(
        path,
        raw.get("class"),
        raw.get("class_attribute"),
        raw.get("type"),
        bool(raw.get("properties")),
        frozenset(raw.get("excludes") or ()),
    )


def _class(name: str, raw: Mapping[str, Any]) -> ClassInfo:
    return ClassInfo(
        name,
        frozenset(raw.get("types", ())),
        {s: tuple(t) for s, t in raw.get("setters", {}).items()},
        raw.get("fallback"),
        raw.get("defaults", {}),
    )


def _raw(line: str) -> dict[str, Any] | None:
    try:
        text = resources.files("clustercheck.knowledge").joinpath(f"data/tomcat-{line}.json")
        raw: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return raw


# A table read from source has no Digester rules of its own (but the Connector's): it takes the
# reflection table's rules on the paths its version's element list knows (knowledge.tomcat).
REFERENCE_LINE = "10.1"


def _with_reference_rules(raw: dict[str, Any]) -> dict[str, Any]:
    if raw["method"] == "reflection":
        return raw
    reference = _raw(REFERENCE_LINE)
    if reference is None:
        return raw
    major = int(raw["line"].split(".")[0])
    elements = {p: r for p, r in reference["elements"].items() if known_element(p, major)}
    return {
        **raw,
        "elements": {**elements, **raw.get("elements", {})},
        "fake_attributes": raw.get("fake_attributes") or reference["fake_attributes"],
    }


@cache
def load(line: str) -> TomcatTable | None:
    """The table of a Tomcat line ("10.1"), or None when none was generated."""
    found = _raw(line)
    if found is None:
        return None
    raw = _with_reference_rules(found)
    return TomcatTable(
        line=raw["line"],
        tomcat=raw["tomcat"],
        method=raw["method"],
        source=raw["source"],
        generated=raw["generated"],
        elements={p: _rule(p, r) for p, r in raw["elements"].items()},
        fake_attributes={c: frozenset(a) for c, a in raw["fake_attributes"].items()},
        classes={n: _class(n, c) for n, c in raw["classes"].items()},
        connector={p: ProtocolInfo(**c) for p, c in raw.get("connector", {}).items()},
        packages={p: frozenset(s) for p, s in raw.get("packages", {}).items()},
        connector_replacements=raw.get("connector_replacements", {}),
        also=raw.get("also"),
    )


def lines() -> list[str]:
    """The lines that have a table, oldest first."""
    folder = resources.files("clustercheck.knowledge").joinpath("data")
    found = [
        f.name[len("tomcat-") : -len(".json")]
        for f in folder.iterdir()
        if f.name.startswith("tomcat-") and f.name.endswith(".json")
    ]
    return sorted(found, key=lambda s: tuple(int(p) for p in s.split(".")))


def for_version(version: str | None) -> TomcatTable | None:
    """The table for the line of this version ("10.1.60" → 10.1; "9" → 9.0; "8" → 8.5)."""
    parsed: Version | None = parse_version(version)
    if parsed is None:
        return None
    major, minor = parsed[0], parsed[1]
    if version is not None and re.fullmatch(r"\s*\d+\s*", version):
        minor = assumed_version(major)[1]  # only a major known: its maintained line
    return load(f"{major}.{minor}")
