"""CC103 ajp-exposure."""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from clustercheck.checks.common import server_xml
from clustercheck.derive.derived import Derived
from clustercheck.derive.targets import WorkerTarget, is_loopback, listening_port
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, warned
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.facts.probes import Outcome, ProbeResult
from clustercheck.knowledge.tomcat import AjpDefaults, ajp_defaults
from clustercheck.parsers.serverxml import Connector

WILDCARDS = frozenset({"0.0.0.0", "::", "*", ""})


@check("CC103", "ajp-exposure", scope=Scope.NODE, roles=("tomcat",))
def ajp_exposure(node: NodeFacts, cluster: ClusterFacts, derived: Derived) -> Iterator[Finding]:
    """No AJP connector is reachable beyond loopback without a secret, and the workers' secret
    equals the connector's.

    For each AJP connector: the address it listens on (its `address`, else the version's
    default: all addresses before Tomcat 9.0.31, 8.5.51 and 7.0.100, loopback since) and its
    secret (`secret`, the older `requiredSecret`, or Tomcat 6's `request.secret`). The secret
    of each worker pointing at it (its own, or its lb's) is compared with the connector's;
    secrets are compared, never shown. In a live run, each AJP port is also sent a CPing from
    clustercheck's own machine (unless that machine is a balancer): one that answers is reachable
    beyond the balancers.

    ## Why it matters
    AJP trusts whoever connects: an AJP port reachable from the network without a secret lets
    anyone read any file of the web applications and, with an upload, run code (Ghostcat,
    CVE-2020-1938). A worker secret that differs from the connector's does not stop mod_jk's
    health checks (CPing answers without it) but every forwarded request gets HTTP 403: the
    node looks healthy in jkstatus and fails every user ("HTTP 403 on one node only").

    ## How to fix
    Give the connector `address=` the one interface mod_jk connects to and a `secret=`, put the
    same value in `worker.NAME.secret` (or the lb's), and restart both sides; upgrade Tomcat
    releases older than the Ghostcat fixes.
    """
    server, problem = server_xml(node)
    if problem:
        yield problem
        return
    assert server is not None and node.tomcat is not None
    defaults = ajp_defaults(node.tomcat.version)
    mine = [t for t in derived.targets if t.node is node]
    if not server.ajp_connectors:
        yield passed("no AJP connector", file=server.path)
        return
    probes: dict[tuple[str, int | None], ProbeResult] = {
        (p.host, p.port): p for p in cluster.local.exposure_probes
    }
    for connector in server.ajp_connectors:
        yield _exposure(connector, defaults, server.path)
        probe = probes.get((node.settings.host, listening_port(connector)))
        if probe is not None:
            yield _reached_from_here(connector, probe, server.path)
        for target in (t for t in mine if t.connector is connector):
            yield _secret_match(connector, target, server.path)


def _exposure(connector: Connector, defaults: AjpDefaults | None, path: str) -> Finding:
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
    if connector.secret:
        return passed(f"AJP port {port} on {scope} requires a secret", **where)
    required = connector.secret_required
    if required is None:
        required = bool(defaults and defaults.secret_required)
    if not required:
        return failed(
            f"AJP port {port} listens on {scope} without a secret (Ghostcat, CVE-2020-1938)",
            **where,
        )
    return passed(
        f"AJP port {port} on {scope}: no secret, so Tomcat refuses to start it "
        "(secretRequired); see CC102",
        **where,
    )


def _reached_from_here(connector: Connector, probe: ProbeResult, path: str) -> Finding:
    """The live part: does the connector answer clustercheck's machine, which is no balancer?"""
    where = {"file": path, "line": connector.line, "details": {"probe": probe.to_json()}}
    port = listening_port(connector)
    if probe.result is not Outcome.CPONG:
        return passed(
            f"AJP port {port} does not answer CPing from clustercheck's machine ({probe.result})",
            **where,
        )
    if connector.secret:
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


def _secret_match(connector: Connector, target: WorkerTarget, path: str) -> Finding:
    worker = target.worker
    workers = target.apache.apache.workers if target.apache.apache else None
    if workers and target.balancer:
        setting = workers.member_secret(target.balancer, worker.name)
        sent = setting.value if setting else None
    else:
        sent = worker.secret
    name = f"worker {worker.name} on {target.apache.name}"
    where = {
        "file": path,
        "line": connector.line,
        "details": {"worker": worker.name, "apache": target.apache.name},
    }
    if connector.secret and not sent:
        return failed(
            f"{name} sends no secret but AJP port {connector.port} requires one: "
            "every request through it gets HTTP 403",
            **where,
        )
    if sent and not connector.secret:
        return warned(
            f"{name} sends a secret that AJP port {connector.port} does not check", **where
        )
    if (
        sent
        and connector.secret
        and not hmac.compare_digest(sent.encode(), connector.secret.encode())
    ):
        return failed(
            f"{name} sends a different secret than AJP port {connector.port} expects "
            "(compared, not shown): every request through it gets HTTP 403",
            **where,
        )
    return passed(f"{name} and AJP port {connector.port} agree on the secret", **where)
