"""What a node's <Cluster> really means once Tomcat's defaults are filled in: shared by the
consistency check, the heartbeat capture and the membership checks, so they never disagree."""

from __future__ import annotations

from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge.classes import INT_RANGE, java_integer, property_value
from clustercheck.knowledge.cloud import (
    CLOUD_MEMBERSHIP_SERVICE,
    PROVIDER_ATTRIBUTE,
    provider_class,
)
from clustercheck.knowledge.tomcat import (
    CHANNEL_START_DEFAULT,
    CLUSTER_DEFAULT_VALVES,
    CLUSTER_SESSION_LISTENER,
    DELTA_MANAGER,
    DELTA_MANAGER_REPLICATION_DEFAULTS,
    ENCRYPT_INTERCEPTOR,
    MANAGER_REPLICATION_DEFAULTS,
    MEMBERSHIP_DEFAULTS,
    REPLICATING_MANAGERS,
    SIMPLE_TCP_CLUSTER,
    STATIC_MEMBERSHIP_SERVICE,
    ChannelStart,
    tomcat_major,
)
from clustercheck.knowledge.wire import Feature
from clustercheck.parsers.serverxml import ClusterConfig, Component, ServerXml

MCAST = "org.apache.catalina.tribes.membership.McastService"
STATIC_INTERCEPTOR = "StaticMembershipInterceptor"
# Tomcat 5.5-style names, honoured until Tomcat 7 and ignored (defaults used) from 8.0 on.
OLD_NAMES = {"address": "mcastAddr", "port": "mcastPort", "frequency": "mcastFrequency"}
# Receiver addresses that mean "the node's own address".
WILDCARD_ADDRESSES = frozenset({"", "auto", "0.0.0.0", "::", "*"})
DEFAULT_RECEIVER_PORT = 4000


def effective_membership(config: ClusterConfig, major: int | None) -> dict[str, str]:
    """Membership class and, for multicast, address, port, frequency, dropTime, domain and
    bind as Tomcat uses them; the manager class too. Comparable strings."""
    membership = config.membership
    attrs = membership.attrs if membership else {}
    klass = (membership.class_name if membership else None) or MCAST
    summary = {
        "membership": klass.rsplit(".", 1)[-1],
        "manager": manager_class(config).rsplit(".", 1)[-1],
    }
    if klass == MCAST:
        for key, default in MEMBERSHIP_DEFAULTS.items():
            old = OLD_NAMES.get(key)
            value = attrs.get(key)
            if value is None and old and old in attrs and (major is None or major < 8):
                value = attrs[old]
            summary[key] = value if value is not None else default
        summary["domain"] = attrs.get("domain", "")
        summary["bind"] = attrs.get("bind", "")
    elif klass == CLOUD_MEMBERSHIP_SERVICE:
        summary["provider"] = provider_class(attrs.get(PROVIDER_ATTRIBUTE)).rsplit(".", 1)[-1]
    if klass == STATIC_MEMBERSHIP_SERVICE or any(
        (i.class_name or "").endswith(STATIC_INTERCEPTOR) for i in config.interceptors
    ):  # whether lists exist; the lists themselves are CC506's
        summary["static members"] = "listed" if config.members else "none"
    return summary


def node_membership(node: NodeFacts) -> dict[str, str] | None:
    """The node's effective membership, or None when it has no Cluster Tomcat reads."""
    server = node.tomcat.server if node.tomcat else None
    if not server or not server.clusters:
        return None
    return effective_membership(
        server.clusters[0], tomcat_major(node.tomcat.version if node.tomcat else None)
    )


def multicast_group(node: NodeFacts) -> tuple[str, int] | None:
    """The group Tomcat's McastService joins; None for any other membership (another class
    named McastService, such as Tomcat 5's, has no group Tomcat would join)."""
    summary = node_membership(node)
    if not summary or "address" not in summary or "port" not in summary:
        return None
    try:
        return summary["address"], int(summary["port"])
    except ValueError:
        return None


def receiver_endpoint(node: NodeFacts) -> tuple[str, int] | None:
    """Where a member's replication receiver listens, as its configuration says (the address
    'auto' and wildcards mean the node's own address)."""
    server = node.tomcat.server if node.tomcat else None
    if not server or not server.clusters:
        return None
    address, port = receiver_bind(server.clusters[0])
    host = node.settings.host if address.lower() in WILDCARD_ADDRESSES else address
    return None if port is None else (host, port)


def receiver_bind(config: ClusterConfig) -> tuple[str, int | None]:
    """The Receiver's address and port as written, defaults filled in ("auto", 4000); the
    port is None when it is not a number."""
    attrs = config.receiver.attrs if config.receiver else {}
    address = attrs.get("address", "auto")
    try:
        return address, int(attrs.get("port", DEFAULT_RECEIVER_PORT))
    except ValueError:
        return address, None


def start_options(config: ClusterConfig) -> ChannelStart:
    """channelStartOptions as Tomcat sets it (an int; anything else leaves the default)."""
    value = property_value(config.attrs, "channelStartOptions")
    number = java_integer(value, INT_RANGE) if value is not None else None
    return CHANNEL_START_DEFAULT if number is None else ChannelStart(number & 15)


def started_clusters(server: ServerXml) -> list[ClusterConfig]:
    """The SimpleTcpClusters Tomcat starts: at most one per Engine or Host (a later sibling
    replaces an earlier one before anything starts)."""
    return [c for c in server.clusters if not c.replaced and c.class_name == SIMPLE_TCP_CLUSTER]


def cluster_valves(config: ClusterConfig) -> list[tuple[str, Component | None]]:
    """The valves the Cluster adds to its container, by class name, with the element that
    configures each: those written, else Tomcat's defaults (None: not written)."""
    if config.valves:
        return [(v.class_name or "", v) for v in config.valves]
    return [(name, None) for name in CLUSTER_DEFAULT_VALVES]


def cluster_listeners(config: ClusterConfig) -> list[str]:
    """The ClusterListener classes of the Cluster: those written, else ClusterSessionListener
    when its manager template is a DeltaManager (the default one)."""
    if config.listeners:
        return [listener.class_name or "" for listener in config.listeners]
    return [CLUSTER_SESSION_LISTENER] if manager_class(config) == DELTA_MANAGER else []


def manager_class(config: ClusterConfig) -> str:
    """The Cluster's session manager template (DeltaManager when none is written)."""
    return (config.manager.class_name if config.manager else None) or DELTA_MANAGER


def wire_features(config: ClusterConfig) -> Feature:
    """What of this started Cluster the wire boundaries concern: Tribes itself, sessions
    replicated by DeltaManager or BackupManager, an EncryptInterceptor, and whether that
    interceptor leaves its algorithm to the version's default."""
    features = Feature.TRIBES
    if manager_class(config) in REPLICATING_MANAGERS:
        features |= Feature.SESSIONS
    encrypt = [i for i in config.interceptors if i.class_name == ENCRYPT_INTERCEPTOR]
    if encrypt:
        features |= Feature.ENCRYPT
        if any(property_value(i.attrs, "encryptionAlgorithm") is None for i in encrypt):
            features |= Feature.ENCRYPT_DEFAULT_ALGORITHM
    return features


def manager_settings(config: ClusterConfig) -> dict[str, str]:
    """The Manager template's settings whose disagreement changes what survives a fail-over
    (knowledge.tomcat.MANAGER_REPLICATION_DEFAULTS), as Tomcat uses them: defaults filled in,
    booleans as Boolean.valueOf reads them."""
    attrs = config.manager.attrs if config.manager else {}
    settings = {
        key: attrs.get(key, default) for key, default in MANAGER_REPLICATION_DEFAULTS.items()
    }
    if manager_class(config) == DELTA_MANAGER:
        for key, default in DELTA_MANAGER_REPLICATION_DEFAULTS.items():
            settings[key] = str(attrs.get(key, default).lower() == "true").lower()
    return settings
