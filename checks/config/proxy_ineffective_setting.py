"""CC6072 proxy-ineffective-setting."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.common import PROBLEM_STATUS, some_of
from clustercheck.checks.config.proxy_common import PROXY_CONFIG, ProxyConfig, judged
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, passed
from clustercheck.facts.cluster import NodeFacts
from clustercheck.parsers.proxy import ProxyBalancer, ProxyServer
from clustercheck.parsers.text import Kind

# The reader's problems that say a line is read otherwise than written, or does nothing.
INEFFECTIVE = (
    Kind.MEANS_SOMETHING_ELSE,
    Kind.MAY_MEAN_SOMETHING_ELSE,
    Kind.OVERRIDDEN,
    Kind.REDUNDANT,
)


@check(
    "CC6072", "proxy-ineffective-setting", scope=Scope.NODE, roles=("apache",), family=PROXY_CONFIG
)
def proxy_ineffective_setting(node: NodeFacts) -> Iterator[Finding]:
    """httpd reads every mod_proxy parameter as it is written, and every one has an effect

    Reports what httpd starts with but reads otherwise than written, or ignores: `fail` where
    the front end then does something else than the line says, `warn` where a line only has no
    effect.

    - A parameter on ProxyPassReverse (`stickysession=JSESSIONID`, `secret=`): ProxyPassReverse
    takes its third word for its only option, `interpolate`, and sets nothing; the balancer is
    not sticky, the secret is not sent (`fail`).
    - Parameters of a worker defined already: a second ProxyPass or BalancerMember whose URL
    starts with an earlier one's shares that worker, and httpd ignores its parameters (AH01146,
    `fail`).
    - Parameters on a ProxyPassMatch whose balancer URL holds `$1` right after the name
    (`balancer://c$1`): httpd gives them to a balancer named `balancer://c$1`, which no request
    reaches (`fail`).
    - A number with a unit httpd does not read (`timeout=500ms` is 500 seconds, `retry=1ms` 1
    second, `ProxyTimeout 5m` 5 seconds: `fail`).
    - A parameter set twice for one balancer or worker (on ProxyPass and again in ProxySet):
    the later replaces the earlier (`warn`).
    - A VirtualHost's own BalancerMembers of a balancer the main server also defines: httpd
    merges the main server's balancer over the VirtualHost's, members included, so the
    VirtualHost's members take no request (`fail`; `warn` when they are the main server's
    members anyway).

    ## Why it matters
    The configuration does not do what it says, and nothing in the error log says so: a
    `stickysession=` written only on ProxyPassReverse leaves the balancer without stickiness
    (users are logged out at random without session replication), a secret written only there
    is never sent (every request gets HTTP 403 from a connector that requires one), a timeout
    in milliseconds waits
    that many seconds, and a VirtualHost's members stay idle while its requests go to the main
    server's (or, when the main server's balancer has none, get HTTP 503).

    ## How to fix
    Put balancer parameters on the ProxyPass line (or ProxySet in the `<Proxy balancer://>`
    section) and leave ProxyPassReverse with its path and URL; set a worker's parameters on the
    first line that defines its URL; end a balancer's name with `/` before `$1`
    (`balancer://c/$1`); write timeouts in whole seconds (`connectiontimeout=` and `ping=`
    take `ms`); set each parameter once; give a VirtualHost's balancer a name of its own, or
    define its members only in the main server.
    """
    yield from judged(node, _ineffective, _summary)


def _ineffective(config: ProxyConfig) -> Iterator[Finding]:
    yield from config.problems(INEFFECTIVE)
    yield from _shadowed(config)


def _shadowed(config: ProxyConfig) -> Iterator[Finding]:
    """A VirtualHost's members of a balancer the main server defines too (merge_balancers:
    the main server's balancer, members included, replaces the VirtualHost's)."""
    for server in config.proxy.servers:
        for name, own in server.balancers.items():
            main = config.shadowing(server, name)
            if main is not None and own.members:
                yield _shadowed_members(server, own, main)


def _shadowed_members(server: ProxyServer, own: ProxyBalancer, main: ProxyBalancer) -> Finding:
    mine = [member.url for member in own.members]
    used = [member.url for member in main.members]
    same = {url.lower() for url in mine} == {url.lower() for url in used}
    kind = Kind.REDUNDANT if same else Kind.MEANS_SOMETHING_ELSE
    goes = (
        f"its requests go to the main server's members ({some_of(used)})"
        if used
        else "the main server's has no member, so its requests get HTTP 503 (AH01171)"
    )
    defined = f"{main.file}:{main.line}" if main.line else main.file
    return Finding(
        PROBLEM_STATUS[kind],
        f"{server.name}: its BalancerMembers of {own.name} ({some_of(mine)}) take no request: "
        f"httpd merges the main server's {own.name} (defined at {defined}) over the "
        f"VirtualHost's, members included, and {goes}",
        file=own.members[0].file,
        line=own.members[0].line,
        details={"balancer": own.name, "virtual_host": server.name},
    )


def _summary(config: ProxyConfig) -> Finding:
    return passed(
        "httpd reads every mod_proxy parameter as it is written, and every one has an effect",
        file=config.file,
    )
