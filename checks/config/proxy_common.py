"""The CC607 proxy-config family: what its members share. Each member reads mod_proxy's
configuration through `judged` (what could not be read, then its own findings, or one pass)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from clustercheck.checks.common import weighed_problems
from clustercheck.engine.check import family
from clustercheck.engine.results import Finding, errored, skipped
from clustercheck.facts.cluster import NodeFacts
from clustercheck.facts.files import ApacheFacts
from clustercheck.parsers.proxy import ProxyBalancer, ProxyServer, ProxySettings
from clustercheck.parsers.text import Kind

PROXY_CONFIG = family(
    "CC607",
    "proxy-config",
    """mod_proxy's configuration, read as httpd reads it: one check per kind of fault

    Each member reads what mod_proxy, mod_proxy_balancer and mod_proxy_ajp take from httpd's
    configuration as httpd on the node has it (`apache.httpd_conf`: the main file, its Includes
    followed and its conditions evaluated): ProxyPass and ProxyPassMatch, `<Proxy
    balancer://>` with BalancerMember and ProxySet, for the main server and each VirtualHost,
    merged as httpd merges them. Each verdict follows what httpd 2.4 really does (mod_proxy.c,
    and a real httpd started by the tests). When a member finds nothing, one `pass` says what it
    checked. A node whose inventory names no `apache.httpd_conf`, or whose httpd uses no
    mod_proxy, is skipped; every member is an `error` when httpd's file cannot be read, and
    where clustercheck's limits stop reading: what lies past them is not judged.

    Two faults of a mod_proxy front end are judged with mod_jk's, by the checks of the
    front-end model: a BalancerMember `route=` that no Tomcat's jvmRoute has (CC202), and
    `nofailover=On` on a balancer whose Tomcats replicate sessions (CC203). `CC607` or
    `proxy-config` in --checks, --skip, a waiver or `explain` takes every member, a member's own
    code (CC6071...) only that one.
    """,
)


@dataclass(frozen=True)
class ProxyConfig:
    """mod_proxy's configuration on one apache node, as every member judges it."""

    apache: ApacheFacts
    proxy: ProxySettings
    file: str  # httpd's main file, where a summary points

    def problems(self, kinds: Collection[Kind]) -> Iterator[Finding]:
        """The reader's problems of these kinds, weighed by kind, each once; what httpd's
        reading could not read is among the node's problems too."""
        limits = [p for p in self.apache.problems if p.kind is Kind.UNREADABLE]
        return weighed_problems(limits + self.proxy.problems, kinds)

    def shadowing(self, server: ProxyServer, name: str) -> ProxyBalancer | None:
        """The main server's balancer a VirtualHost's own balancer of that name gives way to:
        httpd merges it over the VirtualHost's, members included (merge_balancers)."""
        proxy = self.proxy
        if server is proxy.main or not proxy.inherits(server):
            return None
        return proxy.main.balancers.get(name)

    def lacks(self, module: str) -> bool:
        """httpd has not got this module, linked in or loaded (False when what it has is not
        known: httpd's configuration was not read whole)."""
        return bool(self.apache.modules) and module not in self.apache.modules

    @property
    def assumed(self) -> str:
        """What a verdict on a missing module takes for granted, when `httpd -l` was not
        asked: which modules are linked in."""
        startup = self.apache.startup
        if startup is None or not startup.static_known.assumed:
            return ""
        return (
            f" (the modules linked into httpd are taken to be those of "
            f"{startup.static_known.source}: its `httpd -l` was not asked)"
        )

    @property
    def used(self) -> bool:
        """httpd reads a ProxyPass, a balancer or a worker (in any server)."""
        return any(s.mappings or s.balancers or s.workers for s in self.proxy.servers)


def judged(
    node: NodeFacts,
    judge: Callable[[ProxyConfig], Iterable[Finding]],
    summary: Callable[[ProxyConfig], Finding],
) -> Iterator[Finding]:
    """What one member says about the node: what could not be read (every member needs all of
    it), then its own findings, or its `summary` pass when nothing was found."""
    apache = node.apache
    if apache is None:
        yield errored("no Apache facts were gathered")
        return
    conf = apache.httpd_conf
    unread = node.file_error(conf) if conf else None
    if conf and unread is not None:
        yield errored(f"cannot read the httpd file {unread.message}", file=conf)
        return
    if not conf or apache.proxy is None:
        yield skipped(
            "mod_proxy's configuration is read from httpd's main file, and the inventory names "
            "no apache.httpd_conf for this node",
            file=apache.jk_conf,
        )
        return
    config = ProxyConfig(apache, apache.proxy, conf)
    if not config.used and not config.proxy.problems:
        yield skipped(
            f"httpd does not use mod_proxy: {conf} reads no ProxyPass, BalancerMember or ProxySet",
            file=conf,
        )
        return
    findings = [*config.problems({Kind.UNREADABLE}), *judge(config)]
    yield from findings
    if not any(finding.status.is_finding for finding in findings):
        yield summary(config)
