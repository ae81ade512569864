"""What each Tomcat version accepts in server.xml: the element paths its Digester has rules for,
classes and attributes that were removed (or not yet added), values whose meaning changed, and a
few version-dependent defaults.

Facts come from the Tomcat sources (branches 7.0.x to main; ClusterRuleSet, Catalina,
*RuleSet, ProtocolHandler, Connector) and the project's protocols.md §1.5, §2.3, §4, §5. They are
data tables; the functions only look things up. Versions are compared as (major, minor, patch).
When only a major is known, its newest line is assumed (8 → 8.5, 10 → 10.1): those are the ones
deployed, and 8.0 and 10.0 are long out of support.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntFlag

from clustercheck.parsers.text import bounded_int

Version = tuple[int, int, int]

_VERSION = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")
_NEWEST_MINOR = {5: 5, 8: 5, 10: 1}
_LATEST = 10**6  # a patch level above any release


@functools.lru_cache(maxsize=1024)  # asked for each element a check judges, of a few versions
def parse_version(version: str | None) -> Version | None:
    """(major, minor, patch) from "9.0.85", "10.1.0-M17", "Apache Tomcat/8.5.100", "9"."""
    found = _VERSION.search(version or "")
    if not found:
        return None
    major, minor, patch = (bounded_int(g) if g else 0 for g in found.groups())
    return major, minor, patch


def tomcat_major(version: str | None) -> int | None:
    parsed = parse_version(version)
    return parsed[0] if parsed else None


def assumed_version(major: int) -> Version:
    """The newest release of a major's current line, for when only the major is known."""
    return major, _NEWEST_MINOR.get(major, 0), _LATEST


def _as_version(version: str | int | None) -> Version | None:
    return assumed_version(version) if isinstance(version, int) else parse_version(version)


def _reached(version: Version, firsts: tuple[Version, ...]) -> bool:
    """Whether a change released as `firsts` (one first version per maintained line, e.g.
    7.0.100 / 8.5.51 / 9.0.31) is in `version`: by that line's first version, or by being on a
    line newer than all of them. A line between them that never got it (8.0) has not."""
    for first in firsts:
        if version[:2] == first[:2]:
            return version >= first
    return version[:2] > max(firsts)[:2]


def _text(firsts: tuple[Version, ...]) -> str:
    return " / ".join(".".join(map(str, v)) for v in firsts)


_MILESTONE = re.compile(r"[-.]?M\d+")


def release_reached(version: str | int | None, firsts: tuple[Version, ...]) -> bool | None:
    """As _reached, for a version that may name only a major or a line ("9", "9.0"): None when
    that line's releases differ (some have the change, some not), or when no version is
    known. A milestone (10.1.0-M17) comes before its release (10.1.0)."""
    if isinstance(version, int):
        line, patch = (version, _NEWEST_MINOR.get(version, 0)), None
    else:
        found = _VERSION.search(version or "")
        if not found:
            return None
        major, minor, patch_text = found.groups()
        line = (
            bounded_int(major),
            bounded_int(minor) if minor else _NEWEST_MINOR.get(int(major), 0),
        )
        milestone = _MILESTONE.match(version or "", found.end()) is not None
        patch = None if patch_text is None else -1 if milestone else bounded_int(patch_text)
    if patch is not None:
        return _reached((*line, patch), firsts)
    oldest, newest = _reached((*line, 0), firsts), _reached((*line, _LATEST), firsts)
    return oldest if oldest == newest else None


# ----------------------------------------------------------------------------- elements

FIRST_COVERED_MAJOR = 6  # older server.xml files (Tomcat 5) are not judged element by element


@dataclass(frozen=True)
class _E:
    """An element the Digester has a rule for, its children, and the majors that know it."""

    children: Mapping[str, _E] = field(default_factory=dict)
    since: int = 0
    until: int = 99  # first major without it


def _nested(
    name: str, depth: int, inner: Mapping[str, _E] | None = None, since: int = 0
) -> dict[str, _E]:
    """Realm and CredentialHandler nest up to three levels (MAX_NESTED_* = 3)."""
    children = dict(inner or {})
    if depth > 1:
        children |= _nested(name, depth - 1, inner, since)
    return {name: _E(children, since=since)}


_NAMING = {
    n: _E()
    for n in (
        "Ejb",
        "Environment",
        "LocalEjb",
        "Resource",
        "ResourceEnvRef",
        "ServiceRef",
        "Transaction",
    )
}
_REALM = _nested("Realm", 3, _nested("CredentialHandler", 3, since=8))
_VALVE = _E({"init-param": _E({"param-name": _E(), "param-value": _E()}, since=11)})
_CLUSTER = _E(
    {
        "Manager": _E({"SessionIdGenerator": _E(since=7)}),
        "Channel": _E(
            {
                "Membership": _E({"Member": _E(since=9), "LocalMember": _E(since=9)}),
                "MembershipListener": _E(since=7),
                "ChannelListener": _E(since=7),
                "Sender": _E({"Transport": _E()}),
                "Receiver": _E(),
                "Interceptor": _E({"Member": _E(), "LocalMember": _E(since=7)}),
            }
        ),
        "Valve": _E(),
        "Deployer": _E(),
        "Listener": _E(),
        "ClusterListener": _E(),
    }
)
_CONTEXT = _E(
    {
        "Listener": _E(),
        "Loader": _E(),
        "Manager": _E({"Store": _E(), "SessionIdGenerator": _E(since=7)}),
        "Parameter": _E(),
        "ResourceLink": _E(),
        "Resources": _E(
            {
                "PreResources": _E(since=8),
                "JarResources": _E(since=8),
                "PostResources": _E(since=8),
                "CacheStrategy": _E(since=9),
            }
        ),
        "Valve": _VALVE,
        "WatchedResource": _E(),
        "WrapperLifecycle": _E(),
        "WrapperListener": _E(),
        "InstanceListener": _E(until=8),
        "JarScanner": _E({"JarScanFilter": _E(since=8)}, since=7),
        "CookieProcessor": _E(since=8),
        **_NAMING,
        **_REALM,
    }
)
_HOST = _E(
    {
        "Alias": _E(),
        "Listener": _E(),
        "Valve": _VALVE,
        "Cluster": _CLUSTER,
        "Context": _CONTEXT,
        **_REALM,
    }
)
_ENGINE = _E({"Listener": _E(), "Valve": _VALVE, "Cluster": _CLUSTER, "Host": _HOST, **_REALM})
_CONNECTOR = _E(
    {
        "Listener": _E(),
        "SSLHostConfig": _E(
            {"Certificate": _E(), "OpenSSLConf": _E({"OpenSSLConfCmd": _E()})}, since=8
        ),
        "UpgradeProtocol": _E(since=8),
    }
)
_SERVER = _E(
    {
        "Listener": _E(),
        "GlobalNamingResources": _E(_NAMING),
        "Service": _E(
            {"Listener": _E(), "Executor": _E(), "Connector": _CONNECTOR, "Engine": _ENGINE}
        ),
    }
)


def _flatten(
    prefix: str, children: Mapping[str, _E], since: int, until: int
) -> dict[str, tuple[int, int]]:
    known: dict[str, tuple[int, int]] = {}
    for name, element in children.items():
        path = f"{prefix}/{name}" if prefix else name
        span = max(since, element.since), min(until, element.until)
        known[path] = span
        known |= _flatten(path, element.children, *span)
    return known


_KNOWN = _flatten("", {"Server": _SERVER}, 0, 99)


def _knows(path: str, major: int | None) -> bool:
    span = _KNOWN.get(path)
    return span is not None and (major is None or span[0] <= major < span[1])


def known_element(path: str, major: int | None = None) -> bool:
    """Does the server.xml Digester have a rule for this element path (case-sensitive), in the
    given major or, without one, in any version? Tomcat 5 and older are not covered: True."""
    if major is not None and major < FIRST_COVERED_MAJOR:
        return True
    return _knows(path, major)


def _children(parent: str, major: int | None) -> list[str]:
    prefix = f"{parent}/" if parent else ""
    return [
        p[len(prefix) :]
        for p in _KNOWN
        if p.startswith(prefix) and "/" not in p[len(prefix) :] and _knows(p, major)
    ]


def _closest(name: str, candidates: list[str]) -> str | None:
    """Same name in another case, else a near spelling ("Reciever" → "Receiver")."""
    by_lower = {c.lower(): c for c in candidates}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.75)
    return by_lower[close[0]] if close else None


def _canonical(path: str, major: int | None) -> str | None:
    """The known path a miscased or misspelt one stands for: "Server/Service/Engine/cluster" →
    "Server/Service/Engine/Cluster", so children of a stranger still get suggestions."""
    canonical = ""
    for name in filter(None, path.split("/")):
        known = _closest(name, _children(canonical, major))
        if known is None:
            return None
        canonical = f"{canonical}/{known}" if canonical else known
    return canonical


def suggest_element(tag: str, parent_path: str, major: int | None = None) -> str | None:
    """What an unknown element was probably meant to be: "cluster" → "Cluster" under Engine,
    "Reciever" → "Receiver" under Channel. None when it is known or nothing is close."""
    parent = _canonical(parent_path, major)
    if parent is None:
        return None
    candidates = _children(parent, major)
    return None if tag in candidates else _closest(tag, candidates)


def expected_parents(tag: str, major: int | None = None) -> list[str]:
    """Where an element of this name belongs, for a misplaced one (Tomcat 5's Membership
    directly in Cluster belongs in Cluster/Channel)."""
    return sorted(
        {p.rpartition("/")[0] for p in _KNOWN if p.rpartition("/")[2] == tag and _knows(p, major)}
    )


# ------------------------------------------------------------------------------ classes


@dataclass(frozen=True)
class Removal:
    what: str
    removed_in: str
    replacement: str | None
    effect: str


@dataclass(frozen=True)
class Addition:
    """A class newer than the node's Tomcat: it fails the same way a removed one does."""

    what: str
    added_in: str
    effect: str


_NO_START = "Tomcat does not start (ClassNotFoundException while reading server.xml)"
_NO_LISTENER = _NO_START + ', unless the <Listener> has optional="true" (9.0.18+)'
_NO_CONNECTOR = (
    "the connector fails to initialise (ClassNotFoundException for its protocol "
    "handler); Tomcat starts without it unless "
    "org.apache.catalina.startup.EXIT_ON_INIT_FAILURE=true"
)
CONNECTOR_FAILS = _NO_CONNECTOR
_NIO_AJP = 'org.apache.coyote.ajp.AjpNioProtocol (or protocol="AJP/1.3")'
_NIO_HTTP = 'org.apache.coyote.http11.Http11NioProtocol (or protocol="HTTP/1.1")'
_TRIBES = "org.apache.catalina.tribes."
_HA = "org.apache.catalina.ha."

# class name → (first version without it, replacement, what happens)
_REMOVED_CLASSES: Mapping[str, tuple[Version, str | None, str]] = {
    _HA + "session.JvmRouteSessionIDBinderListener": ((8, 0, 0), None, _NO_START),
    _TRIBES + "group.interceptors.MessageDispatch15Interceptor": (
        (8, 5, 0),
        _TRIBES + "group.interceptors.MessageDispatchInterceptor",
        _NO_START,
    ),
    "org.apache.coyote.ajp.AjpProtocol": ((9, 0, 0), _NIO_AJP, _NO_CONNECTOR),
    "org.apache.coyote.http11.Http11Protocol": ((9, 0, 0), _NIO_HTTP, _NO_CONNECTOR),
    "org.apache.coyote.ajp.AjpAprProtocol": ((10, 1, 0), _NIO_AJP, _NO_CONNECTOR),
    "org.apache.coyote.http11.Http11AprProtocol": ((10, 1, 0), _NIO_HTTP, _NO_CONNECTOR),
    "org.apache.coyote.ajp.AjpNio2Protocol": ((12, 0, 0), _NIO_AJP, _NO_CONNECTOR),
    "org.apache.coyote.http11.Http11Nio2Protocol": ((12, 0, 0), _NIO_HTTP, _NO_CONNECTOR),
    "org.apache.catalina.mbeans.ServerLifecycleListener": ((7, 0, 9), None, _NO_LISTENER),
    "org.apache.catalina.core.JasperListener": ((8, 0, 0), None, _NO_LISTENER),
}
# package prefix → (first version without it, replacement, what happens)
_REMOVED_PACKAGES: Mapping[str, tuple[Version, str | None, str]] = {
    "org.apache.catalina.cluster.": (
        (6, 0, 0),
        "the org.apache.catalina.ha.* and org.apache.catalina.tribes.* classes "
        "(Tomcat 6 rewrote clustering)",
        _NO_START,
    ),
    _TRIBES + "transport.bio.": (
        (10, 0, 0),
        _TRIBES + "transport.nio.NioReceiver / PooledParallelSender",
        _NO_START,
    ),
}
# class name → first version per line that has it
_ADDED_CLASSES: Mapping[str, tuple[Version, ...]] = {
    _TRIBES + "membership.StaticMembershipService": ((9, 0, 11),),
    _TRIBES + "membership.cloud.CloudMembershipService": ((9, 0, 13),),
    # its providers (knowledge.cloud; the project's field notes §4: DNS came two releases later)
    _TRIBES + "membership.cloud.KubernetesMembershipProvider": ((9, 0, 13),),
    _TRIBES + "membership.cloud.DNSMembershipProvider": ((9, 0, 15),),
    _TRIBES + "group.interceptors.EncryptInterceptor": ((7, 0, 100), (8, 5, 38), (9, 0, 13)),
    "org.apache.coyote.ajp.AjpNio2Protocol": ((8, 0, 0),),
    "org.apache.coyote.http11.Http11Nio2Protocol": ((8, 0, 0),),
}


def _class_removal(class_name: str) -> tuple[Version, str | None, str] | None:
    if class_name in _REMOVED_CLASSES:
        return _REMOVED_CLASSES[class_name]
    return next(
        (fact for prefix, fact in _REMOVED_PACKAGES.items() if class_name.startswith(prefix)), None
    )


def removed_class_v(class_name: str, version: str | int | None) -> Removal | None:
    """The removal that makes `class_name` missing from this Tomcat version, if any."""
    parsed, fact = _as_version(version), _class_removal(class_name)
    if parsed is None or fact is None or parsed < fact[0]:
        return None
    first, replacement, effect = fact
    return Removal(class_name, _text((first,)), replacement, effect)


def removed_class(class_name: str, major: int) -> Removal | None:
    """As removed_class_v, for when only the major is known (its newest line is assumed)."""
    return removed_class_v(class_name, major)


def added_class_v(class_name: str, version: str | int | None) -> Addition | None:
    """A class that this (older) Tomcat does not have yet."""
    parsed, firsts = _as_version(version), _ADDED_CLASSES.get(class_name)
    if parsed is None or firsts is None or _reached(parsed, firsts):
        return None
    effect = _NO_CONNECTOR if class_name.startswith("org.apache.coyote.") else _NO_START
    return Addition(class_name, _text(firsts), effect)


# --------------------------------------------------------------------------- attributes

MCAST_SERVICE = _TRIBES + "membership.McastService"
_AJP_CLASS = re.compile(r"(?:^|\.)Ajp\w*Protocol$|(?:^|\.)JkCoyoteHandler$")


def is_ajp_protocol(protocol: str | None) -> bool:
    """protocol="AJP/1.3" (matched exactly, as Tomcat does) or an AJP handler class name."""
    return protocol == "AJP/1.3" or bool(_AJP_CLASS.search(protocol or ""))


def _kind(tag: str, class_name: str | None) -> str | None:
    """Which attribute table applies: a McastService membership or an AJP connector (for a
    Connector, pass its protocol as the class name)."""
    if tag == "Membership" and class_name == MCAST_SERVICE:
        return "mcast"
    if tag == "Connector" and is_ajp_protocol(class_name):
        return "ajp"
    if tag == "Manager" and class_name in REPLICATING_MANAGERS:
        return "cluster-manager"
    return None


_IGNORED = "ignored with a Digester warning: "
_NO_SECRET = (
    _IGNORED + "the connector has no secret, and where secretRequired defaults to "
    "true (9.0.31 / 8.5.51 / 7.0.100 and later) it refuses to start"
)
# (kind, attribute) → (first version without it, replacement, what happens)
_REMOVED_ATTRIBUTES: Mapping[tuple[str, str], tuple[Version, str | None, str]] = {
    ("mcast", "mcastAddr"): (
        (8, 0, 0),
        "address",
        _IGNORED + "the default group 228.0.0.4 is "
        "used, which can merge clusters meant to be separate",
    ),
    ("mcast", "mcastPort"): (
        (8, 0, 0),
        "port",
        _IGNORED + "the default port 45564 is used, which can merge clusters meant to be separate",
    ),
    ("mcast", "mcastFrequency"): (
        (8, 0, 0),
        "frequency",
        _IGNORED + "the default frequency of 500 ms is used",
    ),
    ("mcast", "mcastTTL"): ((8, 0, 0), "ttl", _IGNORED + "the JVM's default multicast TTL is used"),
    ("mcast", "mcastSoTimeout"): (
        (8, 0, 0),
        "soTimeout",
        _IGNORED + "the socket timeout falls back to the frequency",
    ),
    ("ajp", "requiredSecret"): ((11, 0, 0), "secret", _NO_SECRET),
    ("ajp", "request.secret"): (
        (7, 0, 0),
        "secret (requiredSecret before 9.0.31 / 8.5.51 / 7.0.100)",
        _NO_SECRET,
    ),
    ("ajp", "request.useSecret"): ((7, 0, 0), "secret", _NO_SECRET),
    # DeltaManager / BackupManager (ClusterManagerBase): 7.0.68 and 9.0.0.M2 renamed it
    # sessionAttributeNameFilter and kept the old name as a deprecated alias (changelog.xml of
    # 7.0.109, "Tomcat 7.0.68": "configuration attribute name has changed from
    # sessionAttributeFilter to sessionAttributeNameFilter"); "Remove deprecated code" dropped the
    # alias in 8.5.0 (commit b2f21d2165) and 9.0.0.M5 (880da3964f). 7.0.109 still has it.
    # Without the filter, StandardSession.setAttribute (9.0.121) throws for a non-serializable
    # attribute of a distributable application that the filter used to exclude.
    ("cluster-manager", "sessionAttributeFilter"): (
        (8, 5, 0),
        "sessionAttributeNameFilter",
        _IGNORED + "it is the old name of sessionAttributeNameFilter, so the filter is gone: "
        "every session attribute is replicated, and setAttribute of a non-serializable one it "
        'kept out throws ("setAttribute: Non-serializable attribute")',
    ),
}


def removed_attribute_v(
    tag: str, class_name: str | None, attr: str, version: str | int | None
) -> Removal | None:
    """An attribute this Tomcat version no longer has on that element/class."""
    parsed, kind = _as_version(version), _kind(tag, class_name)
    fact = _REMOVED_ATTRIBUTES.get((kind or "", attr))
    if parsed is None or fact is None or parsed < fact[0]:
        return None
    first, replacement, effect = fact
    return Removal(attr, _text((first,)), replacement, effect)


def removed_attribute(tag: str, class_name: str | None, attr: str, major: int) -> Removal | None:
    return removed_attribute_v(tag, class_name, attr, major)


# -------------------------------------------------------------------- changed semantics

REPLICATION_VALVE = _HA + "tcp.ReplicationValve"
_FILTER_IS_ONE_REGEX = (7, 0, 6)


def _filter_list(value: str, version: Version) -> str | None:
    if ";" not in value or version < _FILTER_IS_ONE_REGEX:
        return None
    regex = "|".join(part for part in value.split(";") if part)
    return (
        f"since Tomcat 7.0.6 the ReplicationValve filter is one regular expression, not a "
        f"';'-separated list: {value!r} matches almost no request, so requests for static "
        f'files are replicated too; write filter="{regex}"'
    )


def _context_distributable(value: str, version: Version) -> str | None:
    if version < (7, 0, 0):
        return None
    return (
        f'<Context distributable="{value}"> has no effect since Tomcat 7: every start '
        "overwrites it with web.xml's <distributable/>, so declare it in WEB-INF/web.xml"
    )


def changed_semantics_v(
    tag: str, class_name: str | None, attr: str, value: str, version: str | int | None
) -> str | None:
    """Why a value that parses fine does not mean, in this version, what it used to."""
    parsed = _as_version(version)
    if parsed is None:
        return None
    if tag == "Valve" and class_name == REPLICATION_VALVE and attr == "filter":
        return _filter_list(value, parsed)
    if tag == "Context" and attr == "distributable":
        return _context_distributable(value, parsed)
    return None


def changed_semantics(
    tag: str, class_name: str | None, attr: str, value: str, major: int
) -> str | None:
    return changed_semantics_v(tag, class_name, attr, value, major)


# ---------------------------------------------------------------- version-bound defaults

_GHOSTCAT_FIX = ((7, 0, 100), (8, 5, 51), (9, 0, 31))
_DEFAULT_SYNTAX = ((7, 0, 104), (8, 5, 55), (9, 0, 35))
_JVMROUTE_PROPERTY_REMOVED = (10, 1, 0)  # 10.1.0-M17


@dataclass(frozen=True)
class AjpDefaults:
    """What an AJP connector does with `address` and `secretRequired` left out."""

    loopback_only: bool  # the default address is the loopback address
    secret_required: bool  # refuses to start without a `secret`


def ajp_defaults(version: str | int | None) -> AjpDefaults | None:
    """The Ghostcat (CVE-2020-1938) defaults arrived in 9.0.31 / 8.5.51 / 7.0.100; Tomcat 6 and
    8.0 never got them."""
    parsed = _as_version(version)
    if parsed is None:
        return None
    fixed = _reached(parsed, _GHOSTCAT_FIX)
    return AjpDefaults(loopback_only=fixed, secret_required=fixed)


# A connector's own thread pool and an <Executor> alike, when maxThreads is not written; the
# same from 7.0.x to main (AbstractEndpoint maxThreads, StandardThreadExecutor maxThreads).
MAX_THREADS = 200


def property_defaults_supported(version: str | int | None) -> bool | None:
    """`${name:-default}` works from 9.0.35 / 8.5.55 / 7.0.104; before, Tomcat looks up the whole
    "name:-default" as a name and leaves the text verbatim."""
    parsed = _as_version(version)
    return None if parsed is None else _reached(parsed, _DEFAULT_SYNTAX)


def jvm_route_property_honoured(version: str | int | None) -> bool | None:
    """Whether an Engine without jvmRoute takes `-DjvmRoute=` (removed in 10.1.0-M17)."""
    parsed = _as_version(version)
    return None if parsed is None else parsed < _JVMROUTE_PROPERTY_REMOVED


# Defaults a <Cluster> falls back to (protocols.md §1.5, §1.8, §4.4): what an absent attribute
# or element means, for comparing nodes.
MEMBERSHIP_DEFAULTS: Mapping[str, str] = {
    "address": "228.0.0.4",
    "port": "45564",
    "frequency": "500",
    "dropTime": "3000",
}
RECEIVER_DEFAULTS: Mapping[str, str] = {"address": "auto", "port": "4000", "autoBind": "100"}
CLUSTER_DEFAULTS: Mapping[str, str] = {"channelSendOptions": "8"}
# Manager attributes whose disagreement between members changes what survives a fail-over, with
# their defaults (config/cluster-manager.html, 9.0/10.1/11.0; ClusterManagerBase, DeltaManager):
# the attribute filters decide which session attributes a node sends and accepts, so a node
# with a narrower one loses attributes the others keep; expireSessionsOnShutdown="true" on one
# DeltaManager makes its shutdown expire every session on every node. Not here: settings that
# only change listeners or timing (notifyListenersOnReplication, stateTransferTimeout).
MANAGER_REPLICATION_DEFAULTS: Mapping[str, str] = {
    "sessionAttributeNameFilter": "",
    "sessionAttributeValueClassNameFilter": "",
}
DELTA_MANAGER_REPLICATION_DEFAULTS: Mapping[str, str] = {"expireSessionsOnShutdown": "false"}


# ---------------------------------------------------------------- cluster start-up

# What SimpleTcpCluster's start refuses (apache/tomcat per release tag: SimpleTcpCluster
# startInternal, GroupChannel, ChannelCoordinator internalStart, McastService start,
# StaticMembershipService setLocalMemberProperties, EncryptInterceptor start). A refusal
# throws out of the Cluster's start, and through its Engine (or its Host, a child of the
# Engine) out of the Server's: Catalina logs "The required Server component failed to start"
# and Tomcat does not start.
SIMPLE_TCP_CLUSTER = _HA + "tcp.SimpleTcpCluster"
GROUP_CHANNEL = _TRIBES + "group.GroupChannel"
STATIC_MEMBERSHIP_SERVICE = _TRIBES + "membership.StaticMembershipService"
STATIC_MEMBERSHIP_INTERCEPTOR = _TRIBES + "group.interceptors.StaticMembershipInterceptor"
STATIC_MEMBER = _TRIBES + "membership.StaticMember"
ENCRYPT_INTERCEPTOR = _TRIBES + "group.interceptors.EncryptInterceptor"
TCP_FAILURE_DETECTOR = _TRIBES + "group.interceptors.TcpFailureDetector"
FARM_WAR_DEPLOYER = _HA + "deploy.FarmWarDeployer"


class ChannelStart(IntFlag):
    """The parts of a Channel its start level (the Cluster's `channelStartOptions`, default
    Channel.DEFAULT = 15) starts: org.apache.catalina.tribes.Channel's constants."""

    SND_RX = 1  # the Receiver, then the local member (static: found among the Members)
    SND_TX = 2  # the Sender; EncryptInterceptor builds its cipher here (it needs the key)
    MBR_RX = 4  # membership, listening (McastService joins its group)
    MBR_TX = 8  # membership, broadcasting


CHANNEL_START_DEFAULT = ChannelStart(15)
# What each static membership needs started. StaticMembershipService's provider
# (StaticMembershipProvider.start) starts the membership only once both membership parts have
# been started: below that it never asks its members, and the node stays alone. The older
# recipe, StaticMembershipInterceptor, runs beside the Channel's membership service (McastService
# by default); without multicast, Tomcat's cluster docs (config/cluster.html, channelStartOptions)
# say to start only the sender and receiver: "Channel.SND_RX_SEQ | Channel.SND_TX_SEQ that
# equals to 3".
STATIC_SERVICE_NEEDS = ChannelStart.MBR_RX | ChannelStart.MBR_TX
STATIC_WITHOUT_MULTICAST = ChannelStart.SND_RX | ChannelStart.SND_TX
# EncryptInterceptor refuses to start below a TcpFailureDetector ("must be upstream of
# TcpFailureDetector"); 9.0.13 and 9.0.14 had the interceptor without that check.
_ENCRYPT_ORDER_CHECKED = ((7, 0, 100), (8, 5, 38), (9, 0, 15))
# StaticMembershipService without a <LocalMember> takes the Member whose host resolves to the
# Receiver's address, with its port; before 9.0.17 it simply failed (NullPointerException).
_LOCAL_MEMBER_AMONG_MEMBERS = ((9, 0, 17),)


def encrypt_order_checked(version: str | int | None) -> bool | None:
    """Whether this Tomcat refuses an EncryptInterceptor below a TcpFailureDetector."""
    parsed = _as_version(version)
    return None if parsed is None else _reached(parsed, _ENCRYPT_ORDER_CHECKED)


# EncryptInterceptor's default encryptionAlgorithm: AES/CBC/PKCS5Padding since the class came,
# AES/GCM/NoPadding from these releases on ("Change the default encryptionAlgorithm for the
# EncryptInterceptor to AES/GCM/NoPadding. This is a breaking change for the EncryptInterceptor",
# apache/tomcat webapps/docs/changelog.xml, sections 9.0.121, 10.1.58 and 11.0.25; commit
# 9c7dce166f on 9.0.x, EncryptInterceptor.DEFAULT_ENCRYPTION_ALGORITHM). Two members whose
# algorithms differ cannot read each other's messages.
ENCRYPT_ALGORITHM_OLD, ENCRYPT_ALGORITHM_NEW = "AES/CBC/PKCS5Padding", "AES/GCM/NoPadding"
_ENCRYPT_GCM_DEFAULT = ((9, 0, 121), (10, 1, 58), (11, 0, 25))


def encrypt_default_algorithm(version: str | int | None) -> str | None:
    """The encryptionAlgorithm an EncryptInterceptor of this Tomcat uses when none is written;
    None when the version is unknown."""
    parsed = _as_version(version)
    if parsed is None:
        return None
    new = _reached(parsed, _ENCRYPT_GCM_DEFAULT)
    return ENCRYPT_ALGORITHM_NEW if new else ENCRYPT_ALGORITHM_OLD


def local_member_among_members(version: str | int | None) -> bool | None:
    """Whether StaticMembershipService looks for its local member among the <Member>s when
    it has no <LocalMember>."""
    parsed = _as_version(version)
    return None if parsed is None else _reached(parsed, _LOCAL_MEMBER_AMONG_MEMBERS)


# ------------------------------------------------------------------------- AJP secrets

_SECRET_ATTRIBUTE_ADDED = _GHOSTCAT_FIX  # `secret` (and secretRequired) came with the fix
_REQUIRED_SECRET_REMOVED = (11, 0, 0)
_REQUEST_SECRET_REMOVED = (7, 0, 0)


def ajp_secret_attributes(version: str | int | None) -> tuple[str, ...] | None:
    """The Connector attributes this Tomcat reads as the AJP secret (each sets the same field,
    so the last one in the element wins): `requiredSecret` until 10.1 (removed in 11.0),
    `secret` from 9.0.31 / 8.5.51 / 7.0.100 on, Tomcat 6's `request.secret` before 7.0. Source:
    AbstractAjpProtocol setSecret / setRequiredSecret per release tag. None when unknown."""
    parsed = _as_version(version)
    if parsed is None:
        return None
    if parsed < _REQUEST_SECRET_REMOVED:
        return ("request.secret",)
    names: tuple[str, ...] = ("secret",) if _reached(parsed, _SECRET_ATTRIBUTE_ADDED) else ()
    if parsed < _REQUIRED_SECRET_REMOVED:
        names += ("requiredSecret",)
    return names


def secret_required_read(version: str | int | None) -> bool | None:
    """Whether this Tomcat has the secretRequired attribute at all (it came with the fix)."""
    parsed = _as_version(version)
    return None if parsed is None else _reached(parsed, _GHOSTCAT_FIX)


# ------------------------------------------------------- AJP packet size and idle timeout

# The largest AJP message a connector reads and writes, in bytes: 8192 unless packetSize says
# more, and a smaller packetSize is raised to 8192 (apache/tomcat, java/org/apache/coyote/ajp/
# Constants.java MAX_PACKET_SIZE and AbstractAjpProtocol.setPacketSize, the same from 7.0.x to
# main; webapps/docs/config/ajp.xml "packetSize"). Seen on Tomcat 10.1.60 here: with
# packetSize="4096" a 9,091-byte request message is refused "Header message of length [9,091]
# received but the packetSize is only [8,192]", a 7,000-byte one is served.
AJP_PACKET_SIZE = 8192
# An AJP connector's connectionTimeout when none is written: -1, no limit (ajp/Constants.java
# DEFAULT_CONNECTION_TIMEOUT, 7.0.x to main; ajp.xml "connectionTimeout").
AJP_CONNECTION_TIMEOUT = -1
# From 9.0.0 (9.0.0-M16, "Don't duplicate storage of keepAliveTimeout in the Processor")
# AjpProcessor sets the read timeout between requests to keepAliveTimeout whatever its sign;
# 7.0 and 8.5 apply only a keepAliveTimeout above 0 and otherwise keep connectionTimeout.
_KEEP_ALIVE_AS_WRITTEN = (9, 0, 0)


def ajp_packet_size(written: int | None) -> int:
    """The packet size an AJP connector uses for packetSize read as `written` (None: unset)."""
    return AJP_PACKET_SIZE if written is None else max(written, AJP_PACKET_SIZE)


def ajp_idle_attribute(keep_alive: int | None, version: str | int | None) -> str:
    """Which attribute bounds how long an AJP connection may idle between two requests before
    Tomcat closes it: keepAliveTimeout when it is set and this version applies it, else
    connectionTimeout (AbstractEndpoint.getKeepAliveTimeout falls back to it in every line;
    a value of 0 or less is no limit: NioEndpoint's poller times out only `timeout > 0`). A
    version that is not known is taken as a current one. Seen on Tomcat 10.1.60 here, after
    one request: connectionTimeout="2000" alone closes the connection at 2.0 s,
    keepAliveTimeout="-1" beside it keeps it open, keepAliveTimeout="2000" with
    connectionTimeout="6000" closes it at 2.0 s."""
    if keep_alive is None:
        return "connectionTimeout"
    parsed = _as_version(version)
    if keep_alive <= 0 and parsed is not None and parsed < _KEEP_ALIVE_AS_WRITTEN:
        return "connectionTimeout"
    return "keepAliveTimeout"


# ---------------------------------------------------------- attributes that carry meaning

# An attribute Tomcat ignores (misspelt, miscased, a value of the wrong type) leaves its default.
# For these the default changes what the cluster is, so an ignored one fails rather than warns:
# the route sessions carry, which multicast group a member joins (and so which cluster), where a
# member receives replication, who a static member is, where a connector listens and its AJP
# secret. Keyed by the type the element's object has (or its class).
MEANINGFUL_ATTRIBUTES: Mapping[str, frozenset[str]] = {
    "org.apache.catalina.Engine": frozenset({"jvmRoute"}),
    "org.apache.catalina.tribes.MembershipService": frozenset(
        {"address", "port", "domain", "bind"}
    ),
    "org.apache.catalina.tribes.ChannelReceiver": frozenset({"address", "port"}),
    "org.apache.catalina.tribes.Member": frozenset({"host", "port", "uniqueId", "domain"}),
    "org.apache.catalina.tribes.membership.StaticMember": frozenset(
        {"host", "port", "uniqueId", "domain"}
    ),
    "org.apache.catalina.connector.Connector": frozenset(
        {"port", "address", "secret", "requiredSecret", "secretRequired"}
    ),
}


def meaningful_attribute(types: frozenset[str] | set[str], attr: str) -> bool:
    return any(attr in MEANINGFUL_ATTRIBUTES.get(t, frozenset()) for t in types)


# ------------------------------------------------------------------ what an unset value does

# The Mapper moved from each Connector to the Service in Tomcat 8, and a failure there stops
# the Service (StandardService.startInternal starts it without a catch).
_SERVICE_MAPPER_MAJOR = 8


def no_default_host(version: str | int | None) -> str:
    """What an Engine whose defaultHost is unset or names none of its Hosts does (MapperListener
    findDefaultHost, StandardEngineValve: the same in 7.0 to 11.0; the status was 400 in 7.0)."""
    major = (_as_version(version) or (_SERVICE_MAPPER_MAJOR, 0, 0))[0]
    status = "400" if major < _SERVICE_MAPPER_MAJOR else "404"
    return (
        f'the Engine has no default host ("Unknown default host"): Tomcat answers {status} to '
        "every request whose host name is neither a Host's name nor an alias (through mod_jk, "
        "the name the browser asked for)"
    )


def nameless_host(version: str | int | None) -> str:
    """What a Host without a name does: the Mapper cannot register it (NullPointerException in
    Mapper.addHost / MapperListener)."""
    major = (_as_version(version) or (_SERVICE_MAPPER_MAJOR, 0, 0))[0]
    if major < _SERVICE_MAPPER_MAJOR:
        return (
            "no request reaches it: each connector's mapper fails on a Host without a name "
            "(a NullPointerException as it registers the Host's applications, failing the "
            "connector's start, or as it maps a request)"
        )
    return (
        "Tomcat does not start: the Service's mapper cannot register a Host without a name "
        '(NullPointerException in MapperListener, then "The required Server component failed '
        'to start")'
    )


_NO_PORT = (
    'this connector does not start, having no port (Tomcat logs "Failed to initialize '
    'component [Connector[...-1]]", before 9.0 "Failed to start component") and goes on '
    "without it"
)


@dataclass(frozen=True)
class Effect:
    """What breaks when a property is left unset; not `certain` when it depends on which
    release of its line the node runs, and the node's version does not say."""

    text: str
    certain: bool = True


# StandardContext names each application's JNDI context after its parents (Engine, Host): the
# names went onto a Stack, which takes null, until the Stack became an ArrayDeque, which throws
# a NullPointerException for a null Engine name, and every application with naming on (the
# default) fails to start (apache/tomcat StandardContext.getNamingContextName, "Refactor to
# replace Stack with ArrayDeque", 2022-09: first in 8.5.83, 9.0.66, 10.0.25 and 10.1.0-M20, of
# which 9.0.66, 10.0.25 and 10.1.0-M20 were never released; 11.0 had it from the start, 7.0
# never).
_NAMING_DEQUE = ((8, 5, 83), (9, 0, 66), (10, 0, 25), (10, 1, 0))


def nameless_engine(version: str | int | None) -> Effect | None:
    """What an Engine without a name does: None before the ArrayDeque (the JNDI context is
    named "/null/..." and works); uncertain when the node's release is not known."""
    reached = release_reached(version, _NAMING_DEQUE)
    if reached is False:
        return None
    firsts = "8.5.83 / 9.0.67 / 10.0.26 / 10.1.0 (and every 11.0)"
    why = (
        "StandardContext names each application's JNDI context (naming is on by default) after "
        f"its Engine, Host and path, and from {firsts} on a null Engine name throws a "
        "NullPointerException there"
    )
    if reached is None:
        return Effect(
            f"every web application may fail to start ({why}; set tomcat.version to the node's "
            "exact release to know)",
            certain=False,
        )
    return Effect(
        f'every web application fails to start ({why}: "Error starting child" for each): '
        "Tomcat runs, with no application deployed"
    )


def unset_effect(
    types: frozenset[str] | set[str], attr: str, version: str | int | None
) -> Effect | None:
    """What fails when this property of an object of these types is left unset (absent, or
    ignored by the Digester, so the class's default applies): a Connector's port (-1 in
    every line from 7.0: it fails to bind or to start), an Engine's defaultHost and (from
    the releases nameless_engine names) its name, a Host's name. None when the default
    works."""
    if attr == "port" and "org.apache.catalina.connector.Connector" in types:
        return Effect(_NO_PORT)
    if attr == "defaultHost" and "org.apache.catalina.Engine" in types:
        return Effect(no_default_host(version))
    if attr == "name" and "org.apache.catalina.Engine" in types:
        return nameless_engine(version)
    if attr == "name" and "org.apache.catalina.core.StandardHost" in types:
        return Effect(nameless_host(version))
    return None


# ------------------------------------------------------------------- values a setter parses

# Channel.parseSendOptions (SimpleTcpCluster's channelSendOptions and BackupManager's
# mapSendOptions written as text, 9.0 on) reads an empty value as 0, which sets nothing, from
# these releases on; before, it looked the empty text up as an option name and threw.
_EMPTY_SEND_OPTIONS_ARE_ZERO = ((9, 0, 121), (10, 1, 58), (11, 0, 25))


def empty_send_options_refused(version: str | int | None) -> bool:
    """Whether this Tomcat throws on channelSendOptions="" (then "failed to set property");
    a release that does not say is taken as a newer one (either way the value sets nothing)."""
    return release_reached(version, _EMPTY_SEND_OPTIONS_ARE_ZERO) is False


# ------------------------------------------------------------------ values a setter compiles

_FILTER_IS_REGEX = ((7, 0, 6),)  # before, ReplicationValve.setFilter split a `;` list
_QUANTIFIER = re.compile(r"\{\d+(,\d*)?\}")


def illegal_repetition(pattern: str) -> int | None:
    """Where java.util.regex.Pattern throws "Illegal repetition" (a `{` outside a character
    class, not escaped or quoted, that starts no `{n}`, `{n,}` or `{n,m}`): the index, or None.
    An undefined `${name}` left in a regular expression is the usual case. Other syntax errors
    are not looked for: Java's and Python's regular expressions differ too much to tell."""
    i, depth = 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i = _after_escape(pattern, i)
            continue
        if depth:
            depth += {"[": 1, "]": -1}.get(char, 0)
        elif char == "[":
            depth = 1
            i += 1 + (pattern[i + 1 : i + 2] == "^")
            i += pattern[i : i + 1] == "]"  # a ] first in a class is a character
            continue
        elif char == "{" and not _QUANTIFIER.match(pattern, i):
            return i
        i += 1
    return None


def _after_escape(pattern: str, i: int) -> int:
    """The index after the escape at i: \\Q...\\E, \\p{...} and its kin, or one character."""
    following = pattern[i + 1 : i + 2]
    if following == "Q":
        end = pattern.find("\\E", i + 2)
        return len(pattern) if end < 0 else end + 2
    if following in ("p", "P", "x", "N") and pattern[i + 2 : i + 3] == "{":
        end = pattern.find("}", i + 3)
        return len(pattern) if end < 0 else end + 1
    return i + 2


def uncompilable(
    class_name: str, attr: str, value: str, version: str | int | None
) -> tuple[str, str] | None:
    """Why a setter that compiles its value cannot, and what then applies (it logs an error and
    keeps what it had); None when it can: a ReplicationValve `filter` is one regular expression
    since 7.0.6 (setFilter: "Unable to compile filter"), and the Valve then filters nothing."""
    parsed = _as_version(version)
    if class_name != "org.apache.catalina.ha.tcp.ReplicationValve" or attr != "filter":
        return None
    if parsed is None or not _reached(parsed, _FILTER_IS_REGEX):
        return None
    if illegal_repetition(value) is None:
        return None
    return (
        'Java\'s Pattern.compile rejects a "{" that starts no count ("Illegal repetition")',
        "no request is excluded from replication: every request for an image or a script "
        "replicates the session too",
    )


# ------------------------------------------------------------- a UserDatabaseRealm's database

_JAVA_NAME = re.compile(r"(?:[^\W\d]|\$)[\w$]*(?:\.(?:[^\W\d]|\$)[\w$]*)*")


def is_class_name(name: str) -> bool:
    """Whether Class.forName could find a class of this name at all: Java identifiers joined by
    dots (`$` for nested classes). An undefined `${name}`, a space or a `/` never loads."""
    return _JAVA_NAME.fullmatch(name) is not None


USER_DATABASE_REALM = "org.apache.catalina.realm.UserDatabaseRealm"
USER_DATABASE_KEY = "UserDatabase"  # UserDatabaseRealm.resourceName's default, 7.0 to 11.0
_USER_DATABASE = "org.apache.catalina.UserDatabase"
_DATABASE_FACTORIES = (
    "org.apache.catalina.users.MemoryUserDatabaseFactory",
    "org.apache.catalina.users.DataSourceUserDatabaseFactory",  # 9.0.53 and 10.1 on
)


def no_user_database(type_: str | None, factory: str | None) -> str | None:
    """Why a global <Resource> with this type and factory (the attribute `factory`, exactly:
    Resource keeps it as a raw property, so `Factory=` is another one) gives a UserDatabaseRealm
    no UserDatabase, or None when it does or cannot be told (a factory that is not Tomcat's).
    Tomcat's ResourceFactory, used without a factory, makes only DataSources and mail Sessions;
    Tomcat's user database factories return nothing unless the type is exactly
    org.apache.catalina.UserDatabase (so the lookup fails: "Unexpected exception resolving
    reference")."""
    if factory is None:
        return (
            "has no factory (without one Tomcat's ResourceFactory makes only DataSources and "
            "mail Sessions)"
        )
    if not is_class_name(factory):
        return f'has factory="{factory}", which no class can be named (ClassNotFoundException)'
    if factory not in _DATABASE_FACTORIES:
        return None
    simple = factory.rpartition(".")[2]
    needed = f'{simple} makes a UserDatabase only for type="{_USER_DATABASE}"'
    if type_ is None:
        return f"has no type ({needed})"
    if type_ != _USER_DATABASE:
        return f'has type="{type_}" ({needed})'
    return None


def realm_without_database(wrapper: str | None) -> str:
    """What a UserDatabaseRealm whose database is not found does (its startInternal throws,
    7.0 to 11.0): inside a CombinedRealm or LockOutRealm, that one drops it and goes on;
    anywhere else the Engine (or its Host) fails to start and so does the Server."""
    if wrapper is not None:
        return (
            f'the {wrapper.rpartition(".")[2]} around it drops it ("Failed to start [...] '
            'realm"): nobody can log in through it'
        )
    return (
        'Tomcat does not start ("No UserDatabase component found under key [...]", then "The '
        'required Server component failed to start")'
    )


# ------------------------------------------------------------------------- sessions

# The names a session id travels under when nothing configures one (Servlet spec; Tomcat's
# org.apache.catalina.util.SessionConfig, the same in 7.0.x to main): the cookie, and the path
# parameter of URL rewriting (`;jsessionid=`). A configured name (Context sessionCookieName,
# which wins, else web.xml <session-config><cookie-config><name>) replaces both: the URL then
# carries `;NAME=` (getSessionUriParamName falls back to the cookie name).
SESSION_COOKIE_NAME = "JSESSIONID"
SESSION_PARAMETER_NAME = "jsessionid"
# Session tracking modes (jakarta.servlet.SessionTrackingMode); without <tracking-mode> Tomcat
# uses URL, plus COOKIE unless the Context has cookies="false" (ApplicationContext
# populateSessionTrackingModes, 7.0.x to main).
COOKIE, URL, SSL = "COOKIE", "URL", "SSL"
TRACKING_MODES = frozenset({COOKIE, URL, SSL})

# What a <Cluster> adds when it configures none (SimpleTcpCluster checkDefaults, 8.5.x to main;
# protocols.md §4.4): the valves only when it has no <Valve> at all, the listener only when it
# has no <ClusterListener> and its manager template is a DeltaManager. JvmRouteBinderValve
# renames a failed-over session to the node's own jvmRoute (DeltaManager tells the others through
# ClusterSessionListener, which applies every DeltaManager message: cluster-howto.xml).
JVM_ROUTE_BINDER_VALVE = _HA + "session.JvmRouteBinderValve"
CLUSTER_SESSION_LISTENER = _HA + "session.ClusterSessionListener"
DELTA_MANAGER = _HA + "session.DeltaManager"
CLUSTER_DEFAULT_VALVES = (JVM_ROUTE_BINDER_VALVE, REPLICATION_VALVE)
# The session managers a Cluster offers (config/cluster-manager.xml): both send sessions to the
# other members as Java-serialised objects.
REPLICATING_MANAGERS = frozenset({DELTA_MANAGER, _HA + "session.BackupManager"})

# Tomcat's own administration applications (the webapps of its distribution): their sessions not
# being replicated or routed is usually acceptable, so checks about applications warn for them.
TOMCAT_ADMIN_APPS = frozenset({"manager", "host-manager", "docs"})


# ------------------------------------------------------------- AJP connector thread and socket pool

_MAX_CONNECTIONS_8192 = ((8, 5, 76), (9, 0, 30))  # AbstractEndpoint: 10000 before, 8*1024 since
_BIO_AJP = "org.apache.coyote.ajp.AjpProtocol"  # blocking IO until 8.0; 8.5 removed BIO
_APR = re.compile(r"(?:^|\.)AjpAprProtocol$")


@dataclass(frozen=True)
class AjpPoolDefaults:
    """What an AJP connector takes with maxThreads, maxConnections and acceptCount left out
    (config/ajp.html of each line; AbstractEndpoint, JIoEndpoint)."""

    max_threads: int
    max_connections: int  # with `bio` unused: BIO holds as many connections as threads
    accept_count: int
    bio: bool  # one thread per connection, idle or not (BIO: Tomcat 7.0 and older by default)


def ajp_pool_defaults(version: str | int | None, protocol: str) -> AjpPoolDefaults:
    """The defaults of the node's line (of the newest release when the version is unknown):
    `protocol="AJP/1.3"` is the blocking connector up to 7.0 (unless the APR library is
    installed, which clustercheck does not see) and NIO from 8.0 on; NIO counted 10000
    connections before 8.5.76 / 9.0.30, APR always 8192."""
    parsed = _as_version(version) or assumed_version(11)
    bio = protocol == _BIO_AJP or (protocol == "AJP/1.3" and parsed[0] <= 7)
    newer = _reached(parsed, _MAX_CONNECTIONS_8192)
    connections = 8192 if newer or _APR.search(protocol) else 10000
    return AjpPoolDefaults(
        max_threads=MAX_THREADS, max_connections=connections, accept_count=100, bio=bio
    )
