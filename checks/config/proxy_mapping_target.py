"""CC6073 proxy-mapping-target."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.config.jk_common import count
from clustercheck.checks.config.proxy_common import PROXY_CONFIG, ProxyConfig, judged
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed
from clustercheck.facts.cluster import NodeFacts
from clustercheck.parsers.proxy import MAIN, ProxyMapping, ProxyServer


@check("CC6073", "proxy-mapping-target", scope=Scope.NODE, roles=("apache",), family=PROXY_CONFIG)
def proxy_mapping_target(node: NodeFacts) -> Iterator[Finding]:
    """Every ProxyPass sends its requests somewhere that can take them

    Each ProxyPass and ProxyPassMatch rule (exclusions aside) is followed as httpd follows it
    for a request of its server: to a `balancer://`, whose members are the main server's when
    a VirtualHost inherits a balancer of that name, else its server's own. A balancer without
    a BalancerMember fails.

    ## Why it matters
    httpd starts and says nothing until the first request: every request the rule maps gets
    HTTP 503 ("AH01171: balancer://c: No workers in balancer"). A `<Proxy balancer://c>`
    section with its members commented out, members defined in another VirtualHost, or a
    VirtualHost that does not inherit the main server's balancers (BalancerInherit and
    ProxyPassInherit Off) leave a balancer empty.

    ## How to fix
    Give the balancer its BalancerMembers in a `<Proxy balancer://NAME>` section of the server
    whose ProxyPass uses it (or of the main server, for VirtualHosts that inherit it), or point
    the rule at the balancer that has them. Then restart httpd and request a mapped URL.
    """
    yield from judged(node, _targets, _summary)


def _targets(config: ProxyConfig) -> Iterator[Finding]:
    proxy = config.proxy
    for server in proxy.servers:
        for mapping in server.mappings:
            if mapping.excluded or mapping.balancer is None:
                continue
            balancer = proxy.effective_balancer(server, mapping.balancer)
            if balancer is None or balancer.members:
                continue
            yield failed(
                f"{_rule(server, mapping)}: {balancer.name} has no BalancerMember"
                f"{_not_inherited(config, server, mapping.balancer)}, so every request for "
                f'{mapping.path} gets HTTP 503 ("AH01171: No workers in balancer")',
                file=mapping.file,
                line=mapping.line,
                details={"balancer": balancer.name, "path": mapping.path},
            )


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
        f"every ProxyPass sends to a balancer with members or to a worker "
        f"({count(len(rules), 'rule')})",
        file=config.file,
    )
