"""CC6071 proxy-refused-directive."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.config.proxy_common import PROXY_CONFIG, ProxyConfig, judged
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge import modproxy
from clustercheck.knowledge.httpd import DIRECTIVE_MODULES
from clustercheck.knowledge.tomcat import Version
from clustercheck.parsers.proxy import Param
from clustercheck.parsers.text import Kind


@check(
    "CC6071", "proxy-refused-directive", scope=Scope.NODE, roles=("apache",), family=PROXY_CONFIG
)
def proxy_refused_directive(node: NodeFacts) -> Iterator[Finding]:
    """httpd accepts every mod_proxy directive and parameter: it starts

    Fails on what makes httpd refuse its configuration: a parameter mod_proxy does not know
    (a misspelt `routee=`, a worker parameter such as `route=` on a ProxyPass to a balancer, an
    `hc...` parameter without mod_proxy_hcheck), a value it refuses (`status=X`, `ttl=0`,
    `loadfactor=0`, `keepalive=yes`, a `ping` unit it does not know, a `secret` or `route` of 64
    characters or more), an `lbmethod` that is misspelt or whose module is not loaded before it
    (and a balancer without `lbmethod=` when mod_lbmethod_byrequests, the default's, is not
    loaded), a mod_proxy directive when mod_proxy is not loaded, a parameter newer than the
    node's httpd (`secret=` before 2.4.42, `addressttl=` before 2.4.59: when the version is
    known, from the inventory's `apache.version` or `httpd -v`), a BalancerMember without its
    balancer or its URL, a ProxySet before what it names is defined in its server (a
    VirtualHost's ProxySet for a balancer of the main server), a ProxyPass without a URL or
    with a path inside `<Location>`, a URL httpd cannot parse, and a ProxyIOBufferSize below
    512 or a ProxyTimeout below 1.

    ## Why it matters
    httpd does not start after a config change: it stops at the first directive it refuses
    ("AH00526: Syntax error", "BalancerMember unknown Worker parameter"), and every site it
    serves is down, not only the one behind the balancer. A parameter added in a later httpd
    release works on a test machine and stops the older httpd of production.

    ## How to fix
    Correct the line the message names: spell the parameter as mod_proxy's documentation does,
    put balancer parameters (`stickysession`, `lbmethod`, `nofailover`) on ProxyPass or ProxySet
    and member parameters (`route`, `secret`, `ping`) on BalancerMember, load mod_proxy and the
    module of each lbmethod (`LoadModule lbmethod_byrequests_module ...`) before they are used,
    upgrade httpd or leave out what it does not know yet, and define a balancer in the server
    that uses it. Then run `apachectl -t` before restarting httpd.
    """
    yield from judged(node, _refused, _summary)


def _refused(config: ProxyConfig) -> Iterator[Finding]:
    yield from _no_mod_proxy(config)
    yield from config.problems({Kind.REFUSES_TO_START})
    yield from _too_new(config)
    yield from _default_lbmethod(config)


def _no_mod_proxy(config: ProxyConfig) -> Iterator[Finding]:
    """Without mod_proxy, its first directive (or `<Proxy` section) is an unknown command."""
    if not config.lacks(modproxy.PROXY_MODULE):
        return
    for directive in config.apache.directives:
        proxy = [s for s in directive.sections if _of_mod_proxy(_opening(s))]
        if not proxy and not _of_mod_proxy(directive.name):
            continue
        word = _opening(proxy[0]) if proxy else directive.name
        around = f" (in {proxy[0]})" if proxy else ""
        yield failed(
            f"{directive.name}{around}: mod_proxy is not loaded, so httpd does not know "
            f"{word} and refuses to start (\"Invalid command '{word}'\"){config.assumed}",
            file=directive.file,
            line=directive.line,
            details={"module": modproxy.PROXY_MODULE},
        )
        return


def _opening(section: str) -> str:
    """'<Proxy balancer://c>' -> '<Proxy'."""
    return section.split(" ", 1)[0].rstrip(">")


def _of_mod_proxy(name: str) -> bool:
    return DIRECTIVE_MODULES.get(name.lower()) == modproxy.PROXY_MODULE


def _default_lbmethod(config: ProxyConfig) -> Iterator[Finding]:
    """A balancer without `lbmethod=` gets byrequests at start (balancer_post_config): without
    its module httpd does not start. One that names its lbmethod is judged by the parser."""
    default = modproxy.DEFAULT_LBMETHOD
    needed = modproxy.LBMETHODS[default]
    balancers = config.lacks(needed) and not any(
        config.lacks(module)
        for module in (modproxy.PROXY_MODULE, modproxy.SCHEME_MODULES["balancer"])
    )
    for server in config.proxy.servers if balancers else ():
        for name, balancer in server.balancers.items():
            if "lbmethod" in balancer.params or config.shadowing(server, name):
                continue  # judged as the main server's balancer it gives way to
            yield failed(
                f"{name}{'' if server is config.proxy.main else f' in {server.name}'} sets no "
                f"lbmethod=, so mod_proxy_balancer gives it {default}, whose module {needed} is "
                f'not loaded: httpd refuses to start ("AH02432: Cannot find LB Method: '
                f'{default}"){config.assumed}',
                file=balancer.file,
                line=balancer.line,
                details={"balancer": name, "module": needed},
            )


def _too_new(config: ProxyConfig) -> Iterator[Finding]:
    """Parameters added after the node's httpd release: mod_proxy.c of that release does not
    know them and refuses them as it refuses a misspelt one."""
    version = config.apache.httpd_version
    for param, known, what in _parameters(config):
        added = modproxy.since(known, param.name, version)
        if added is None:
            continue
        yield failed(
            f"{param.directive} {param.name}=: httpd {version} does not know this parameter "
            f'(mod_proxy has it since {added}) and refuses to start ("unknown {what} '
            'parameter")',
            file=param.file,
            line=param.line,
            details={"parameter": param.key, "since": added, "httpd": version},
        )


def _parameters(config: ProxyConfig) -> Iterator[tuple[Param, dict[str, Version | None], str]]:
    """Every parameter kept, with the table of the releases that know it and what httpd calls
    its kind."""
    for server in config.proxy.servers:
        for balancer in server.balancers.values():
            for param in balancer.params.values():
                yield param, modproxy.BALANCER_PARAMETERS, "Balancer"
            for member in balancer.members:
                for param in member.params.values():
                    yield param, modproxy.WORKER_PARAMETERS, "Worker"
        for worker in server.workers:
            for param in worker.params.values():
                yield param, modproxy.WORKER_PARAMETERS, "Worker"


def _summary(config: ProxyConfig) -> Finding:
    version = config.apache.httpd_version
    known = f"httpd {version}" if version else "httpd 2.4 (its release is not known)"
    return passed(
        f"{known} accepts every mod_proxy directive and parameter it reads", file=config.file
    )
