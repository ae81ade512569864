"""CC6073 proxy-mapping-target."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clustercheck.checks.common import some_of
from clustercheck.checks.config.jk_common import count
from clustercheck.checks.config.proxy_common import PROXY_CONFIG, ProxyConfig, judged
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge import modproxy
from clustercheck.parsers.proxy import MAIN, ProxyMapping, ProxyServer, ProxySettings


@check("CC6073", "proxy-mapping-target", scope=Scope.NODE, roles=("apache",), family=PROXY_CONFIG)
def proxy_mapping_target(node: NodeFacts) -> Iterator[Finding]:
    """Every ProxyPass sends its requests somewhere that can take them

    Each ProxyPass and ProxyPassMatch rule (exclusions aside) is followed as httpd follows it
    for a request of its server: to a `balancer://`, whose members are the main server's when
    a VirtualHost inherits a balancer of that name, else its server's own, or to a worker. It
    fails when the module that serves its URL is not loaded (mod_proxy_balancer for
    `balancer://`, mod_proxy_ajp for `ajp://`: HTTP 500), when its balancer has no
    BalancerMember (HTTP 503), and when the balancer's `ajp://` members have no mod_proxy_ajp
    (HTTP 503 for the requests sent to them). Which modules httpd has is known from
    `apache.httpd_conf` (its LoadModule lines, and what `httpd -l` says is linked in).

    ## Why it matters
    httpd starts and says nothing until the first request: every request the rule maps gets
    an error page ("AH01171: balancer://c: No workers in balancer", "AH01144: No protocol
    handler was valid for the URL", "AH00934: all workers are busy"), and the balancer does not
    fail over to a member that could serve it. A `<Proxy balancer://c>` section with its
    members commented out, members defined in another VirtualHost, a VirtualHost that does not
    inherit the main server's balancers (BalancerInherit and ProxyPassInherit Off), or a module
    left out when httpd's configuration was moved to another distribution (Debian loads a
    module only once `a2enmod` enables it) are the usual causes.

    ## How to fix
    Give the balancer its BalancerMembers in a `<Proxy balancer://NAME>` section of the server
    whose ProxyPass uses it (or of the main server, for VirtualHosts that inherit it), or point
    the rule at the balancer that has them; load the modules the URLs need (`LoadModule
    proxy_balancer_module`, `proxy_ajp_module`; on Debian `a2enmod proxy_balancer proxy_ajp`).
    Then restart httpd and request a mapped URL.
    """
    yield from judged(node, _targets, _summary)


def _targets(config: ProxyConfig) -> Iterator[Finding]:
    if config.lacks(modproxy.PROXY_MODULE):
        return  # httpd does not start (CC6071): no request reaches a rule
    for server in config.proxy.servers:
        for mapping in server.mappings:
            if not mapping.excluded:
                yield from _target(config, server, mapping)


def _target(config: ProxyConfig, server: ProxyServer, mapping: ProxyMapping) -> Iterator[Finding]:
    """What the rule's requests meet: the module of its URL's scheme, then the balancer's
    members and theirs."""
    proxy = config.proxy
    where: dict[str, Any] = {"file": mapping.file, "line": mapping.line}
    scheme = "balancer" if mapping.balancer else _scheme(proxy, server, mapping)
    module = modproxy.SCHEME_MODULES.get(scheme)
    if module is not None and config.lacks(module):
        yield failed(
            f"{_rule(server, mapping)}: no module serves {scheme}:// URLs ({module} is not "
            f'loaded), so every request for {mapping.path} gets HTTP 500 ("AH01144: No '
            f'protocol handler was valid for the URL"){config.assumed}',
            **where,
            details={"path": mapping.path, "module": module},
        )
        return
    balancer = proxy.effective_balancer(server, mapping.balancer) if mapping.balancer else None
    if balancer is None:
        return
    if not balancer.members:
        yield failed(
            f"{_rule(server, mapping)}: {balancer.name} has no BalancerMember"
            f"{_not_inherited(config, server, balancer.name)}, so every request for "
            f'{mapping.path} gets HTTP 503 ("AH01171: No workers in balancer")',
            **where,
            details={"balancer": balancer.name, "path": mapping.path},
        )
        return
    ajp = modproxy.SCHEME_MODULES["ajp"]
    stuck = [m.url for m in balancer.members if m.scheme == "ajp"] if config.lacks(ajp) else []
    if stuck:
        every = "every request" if len(stuck) == len(balancer.members) else "each request"
        yield failed(
            f"{_rule(server, mapping)}: {balancer.name} has "
            f"{count(len(stuck), 'ajp:// member')} ({some_of(stuck)}) and no module serves "
            f"ajp:// URLs ({ajp} is not loaded), so {every} it sends them gets HTTP 503 "
            f'("AH00934: all workers are busy"){config.assumed}',
            **where,
            details={"balancer": balancer.name, "path": mapping.path, "module": ajp},
        )


def _scheme(proxy: ProxySettings, server: ProxyServer, mapping: ProxyMapping) -> str:
    worker = proxy.effective_worker(server, mapping.worker or mapping.url)
    return worker.scheme if worker is not None else ""


def _rule(server: ProxyServer, mapping: ProxyMapping) -> str:
    inside = f" in {server.name}" if server.name != MAIN else ""
    return f"{mapping.directive} {mapping.path} {mapping.url}{inside}"


def _not_inherited(config: ProxyConfig, server: ProxyServer, name: str) -> str:
    """Why a VirtualHost does not get the main server's members of that name, when it has
    some."""
    proxy = config.proxy
    main = proxy.main.balancers.get(name)
    if server is proxy.main or main is None or not main.members or proxy.inherits(server):
        return ""
    return (
        " in this VirtualHost: it inherits none of the main server's balancers "
        "(BalancerInherit and ProxyPassInherit are Off), whose balancer of that name has "
        f"{count(len(main.members), 'member')}"
    )


def _summary(config: ProxyConfig) -> Finding:
    rules = [m for s in config.proxy.servers for m in s.mappings if not m.excluded]
    return passed(
        f"every ProxyPass sends to a balancer with members or to a worker, each served by a "
        f"module httpd has ({count(len(rules), 'rule')})",
        file=config.file,
    )
