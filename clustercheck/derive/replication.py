"""The replication channel as an outsider meets it: where each member's receiver listens, whether
clustercheck's own machine is one of the members (then reaching a receiver from it proves
nothing), and the member's EncryptInterceptor as Tomcat sets it up (its key and algorithm).
Shared by the probe plan, CC605 (what Tomcat refuses at start) and CC508 (exposure, and what
the members must agree on)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from clustercheck.derive.cluster_config import receiver_bind, receiver_endpoint, started_clusters
from clustercheck.derive.targets import is_loopback
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.knowledge.classes import capitalize, property_value
from clustercheck.knowledge.secrets import is_fingerprint
from clustercheck.knowledge.tomcat import ENCRYPT_INTERCEPTOR, encrypt_default_algorithm
from clustercheck.parsers.serverxml import ClusterConfig, Component

_KEY_SETTERS = ("EncryptionKey", "EncryptionKeyString")  # both set the one key
_HEX = frozenset("0123456789abcdefABCDEF")
# Receiver addresses that bind every interface (ReceiverBase binds InetAddress.getByName of
# them); `auto` is the address of the node's own host name (getLocalHost), one address.
ALL_ADDRESSES = frozenset({"0.0.0.0", "::", "0:0:0:0:0:0:0:0"})


Endpoint = tuple[str, int]


def receiver_endpoints(
    cluster: ClusterFacts, advertised: Mapping[str, Endpoint]
) -> dict[str, Endpoint | None]:
    """Each member's receiver: where its heartbeats say it listens (autoBind may have moved
    the port), else where its configuration says."""
    return {n.name: advertised.get(n.name) or receiver_endpoint(n) for n in cluster.tomcats}


def member_here(cluster: ClusterFacts) -> NodeFacts | None:
    """The Tomcat node clustercheck itself runs on, if any: its transport is `local`, its host
    is loopback, or its inventory host or receiver address is one of this machine's
    (non-loopback) addresses. A receiver reached from a member's own host is no exposure. Not
    every interface address of the node counts: hosts share some (Docker's 172.17.0.1 on every
    Docker host), and taking one for proof would silence the probe."""
    mine = {a for a in cluster.local.addresses if not is_loopback(a)}
    for node in cluster.with_role("tomcat", reachable_only=False):
        host = node.settings.host
        if node.settings.transport == "local" or is_loopback(host):
            return node
        endpoint = receiver_endpoint(node)
        if mine & {host, endpoint[0] if endpoint else host}:
            return node
    return None


def binds_all(config: ClusterConfig) -> bool:
    """Whether the Receiver listens on every interface of its host (0.0.0.0, ::)."""
    address, _port = receiver_bind(config)
    try:
        return str(ipaddress.ip_address(address.strip("[]"))) in ALL_ADDRESSES
    except ValueError:
        return False


def member_cluster(node: NodeFacts) -> ClusterConfig | None:
    """The cluster a member replicates through: the first SimpleTcpCluster Tomcat starts."""
    server = node.tomcat.server if node.tomcat else None
    started = started_clusters(server) if server else []
    return started[0] if started else None


@dataclass(frozen=True)
class Encryption:
    """A Channel's EncryptInterceptor, as Tomcat sets it up."""

    interceptor: Component
    position: int  # among the Channel's interceptors
    key: str | None  # as Tomcat sets it (in a snapshot, its fingerprint); None: no usable key
    algorithm: str | None  # written, else the version's default; None: the version is unknown
    written: bool  # whether encryptionAlgorithm is written


def encryption(config: ClusterConfig, version: str | None) -> Encryption | None:
    """The Channel's EncryptInterceptor (the first one; a second one encrypts again)."""
    for position, interceptor in enumerate(config.interceptors):
        if interceptor.class_name != ENCRYPT_INTERCEPTOR:
            continue
        written = property_value(interceptor.attrs, "encryptionAlgorithm")
        algorithm = written.strip() if written else encrypt_default_algorithm(version)
        return Encryption(
            interceptor, position, key_setting(interceptor.attrs, True)[0], algorithm, bool(written)
        )
    return None


def key_setting(
    attrs: Mapping[str, str], fingerprints: bool = False
) -> tuple[str | None, list[str]]:
    """(the key Tomcat ends up with, the key attributes it could not set). Each key attribute
    in turn is set when it is hexadecimal digits, an even number of them (surrounding blanks
    trimmed); one that is not fails to set, and the key keeps what it had. With
    `fingerprints`, a snapshot's fingerprint counts as a key that was set (to compare keys; its
    form is not known)."""
    key: str | None = None
    refused: list[str] = []
    for attr, value in attrs.items():
        if capitalize(attr) not in _KEY_SETTERS:
            continue
        text = value.strip()
        if (fingerprints and is_fingerprint(text)) or (len(text) % 2 == 0 and set(text) <= _HEX):
            key = text
        else:
            refused.append(attr)
    return key, refused
