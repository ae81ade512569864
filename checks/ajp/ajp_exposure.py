"""CC103 ajp-exposure."""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from clustercheck.checks.common import server_xml
from clustercheck.derive.connector import ConnectorSecret
from clustercheck.derive.derived import Derived
from clustercheck.derive.frontend import Module
from clustercheck.derive.targets import MemberTarget, is_loopback, listening_port
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, warned
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.facts.probes import Outcome, ProbeResult
from clustercheck.knowledge import modproxy
from clustercheck.knowledge.tomcat import (
    AjpDefaults,
    ajp_defaults,
)
from clustercheck.parsers.serverxml import Connector

WILDCARDS = frozenset({"0.0.0.0", "::", "*", ""})


@check("CC103", "ajp-exposure", scope=Scope.NODE, roles=("tomcat",))
def ajp_exposure(node: NodeFacts, cluster: ClusterFacts, derived: Derived) -> Iterator[Finding]:
    """No AJP connector is reachable beyond loopback without a secret, and the front ends'
    secret equals the connector's.

    For each AJP connector: the secret the node's Tomcat reads (`secret` since 9.0.31, 8.5.51
    and 7.0.100; `requiredSecret` until 10.1; Tomcat 6's `request.secret`; an empty one is none)
    and whether it requires one (`secretRequired`, true by default since those releases). One
    that requires a secret and has none does not start, whatever its address: that fails, offline
    too. Otherwise the address it listens on (its `address`, else the version's default: all
    addresses before those releases, loopback since) decides whether a missing secret exposes
    it. The secret of each front-end member pointing at it (a mod_jk worker's own, or
    its lb's; a BalancerMember's `secret=`, which mod_proxy_ajp sends from httpd 2.4.42 on:
    an older httpd is said) is compared with the connector's; secrets are compared, never
    shown. In a live run, each AJP port is also sent a
    CPing from clustercheck's own machine (unless that machine is a balancer): one that answers
    is reachable beyond the balancers.

    ## Why it matters
    AJP trusts whoever connects: an AJP port reachable from the network without a secret lets
    anyone read any file of the web applications and, with an upload, run code (Ghostcat,
    CVE-2020-1938). A worker secret that differs from the connector's does not stop mod_jk's
    health checks (CPing answers without it) but every forwarded request gets HTTP 403: the
    node looks healthy in jkstatus and fails every user ("HTTP 403 on one node only"). A
    connector without the secret its Tomcat requires is refused at start-up while the rest of
    Tomcat runs: the port stays closed and mod_jk marks the node in error, the most reported
    break after the 2020 upgrades.

    ## How to fix
    Give the connector `address=` the one interface mod_jk connects to and a `secret=`, put the
    same value in `worker.NAME.secret` (or the lb's) or the BalancerMember's `secret=` (httpd
    2.4.42 or later), and restart both sides; upgrade Tomcat
    releases older than the Ghostcat fixes.
    """
    server, problem = server_xml(node)
    if problem:
        yield problem
        return
    assert server is not None and node.tomcat is not None
    version = node.tomcat.version
    defaults = ajp_defaults(version)
    mine = [t for t in derived.targets if t.node is node]
    if not server.ajp_connectors:
        yield passed("no AJP connector", file=server.path)
        return
    probes: dict[tuple[str, int | None], ProbeResult] = {
        (p.host, p.port): p for p in cluster.local.exposure_probes
    }
    for connector in server.ajp_connectors:
        secret = ConnectorSecret.of(connector, version)
        refused = _refused(connector, secret, defaults, listening_port(connector))
        if refused:  # it does not start: whom it answers and which secret it takes do not arise
            yield failed(refused, file=server.path, line=connector.line)
            continue
        yield _exposure(connector, secret, defaults, server.path)
        probe = probes.get((node.settings.host, listening_port(connector)))
        if probe is not None:
            yield _reached_from_here(connector, secret.value, probe, server.path)
        for target in (t for t in mine if t.connector is connector):
            yield _secret_match(connector, secret.value, target, server.path)


def _exposure(
    connector: Connector, secret: ConnectorSecret, defaults: AjpDefaults | None, path: str
) -> Finding:
    where = {"file": path, "line": connector.line}
    port = listening_port(connector)
    fixed = defaults.loopback_only if defaults else None
    address = connector.address
    if address is None:
        if fixed is None:
            return warned(
                f"AJP port {port}: no address set and the Tomcat version is unknown, "
                "so its default (all addresses or loopback) cannot be told",
                **where,
            )
        address = "127.0.0.1" if fixed else "0.0.0.0"
    if is_loopback(address):
        return passed(f"AJP port {port} listens on loopback only", **where)
    scope = "all addresses" if address in WILDCARDS else address
    if secret.value:
        return passed(f"AJP port {port} on {scope} requires a secret", **where)
    return failed(
        f"AJP port {port} listens on {scope} without a secret (Ghostcat, CVE-2020-1938)"
        + secret.unread_note(),
        **where,
    )


def _refused(
    connector: Connector, secret: ConnectorSecret, defaults: AjpDefaults | None, port: int | None
) -> str | None:
    """Why Tomcat refuses to start this connector: secretRequired (true by default since
    9.0.31 / 8.5.51 / 7.0.100) without a secret it reads ("The AJP Connector is configured with
    secretRequired="true" but the secret attribute is either null or \"\""), whatever the
    address."""
    if secret.value or defaults is None:
        return None
    required = secret.required
    if required is None:
        required = defaults.secret_required
        why = "secretRequired is true by default (since 9.0.31 / 8.5.51 / 7.0.100)"
    else:
        why = 'secretRequired="true"'
    if not required:
        return None
    return (
        f"AJP port {port}: this connector does not start: {why} and it has no secret"
        f"{secret.unread_note()}, so Tomcat refuses it at start-up (the rest of Tomcat "
        "starts) and mod_jk finds nothing listening; give it secret= with the workers' secret"
    )


def _reached_from_here(
    connector: Connector, secret: str | None, probe: ProbeResult, path: str
) -> Finding:
    """The live part: does the connector answer clustercheck's machine, which is no balancer?"""
    where = {"file": path, "line": connector.line, "details": {"probe": probe.to_json()}}
    port = listening_port(connector)
    if probe.result is not Outcome.CPONG:
        return passed(
            f"AJP port {port} does not answer CPing from clustercheck's machine ({probe.result})",
            **where,
        )
    if secret:
        return passed(
            f"AJP port {port} answers CPing from clustercheck's machine (not a "
            "balancer), but requires a secret",
            **where,
        )
    return failed(
        f"AJP port {port} answers CPing from clustercheck's machine, which is not a "
        "balancer, and has no secret: anyone there can use it (Ghostcat)",
        **where,
    )


def _secret_match(
    connector: Connector, secret: str | None, target: MemberTarget, path: str
) -> Finding:
    member = target.member
    sent = member.secret.value if member.secret else None
    name = f"{member.label} on {target.apache.name}"
    where = {
        "file": path,
        "line": connector.line,
        "details": {"worker": member.name, "apache": target.apache.name},
    }
    old = _httpd_without_secret(target)
    if secret and sent and old:
        return failed(
            f"{name} sets secret=, but {old}: every request through it gets HTTP 403",
            **where,
        )
    if secret and not sent:
        return failed(
            f"{name} sends no secret but AJP port {connector.port} requires one: "
            "every request through it gets HTTP 403" + (f" ({old})" if old else ""),
            **where,
        )
    if sent and not secret:
        return warned(
            f"{name} sends a secret that AJP port {connector.port} does not check", **where
        )
    if sent and secret and not hmac.compare_digest(sent.encode(), secret.encode()):
        return failed(
            f"{name} sends a different secret than AJP port {connector.port} expects "
            "(compared, not shown): every request through it gets HTTP 403",
            **where,
        )
    return passed(f"{name} and AJP port {connector.port} agree on the secret", **where)


def _httpd_without_secret(target: MemberTarget) -> str | None:
    """Why a mod_proxy member cannot send a secret: its httpd is older than 2.4.42, which
    refuses `secret=` on a BalancerMember or ProxyPass ("unknown Worker parameter")."""
    version = target.front_end.httpd_version
    if target.member.module is not Module.MOD_PROXY:
        return None
    added = modproxy.since(modproxy.WORKER_PARAMETERS, "secret", version)
    if added is None:
        return None
    return (
        f"httpd {version} is older than {added}, whose mod_proxy_ajp is the first to send "
        "a secret: upgrade httpd (or front with mod_jk)"
    )
