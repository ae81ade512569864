"""The front-end model of mod_proxy_ajp with mod_proxy_balancer: ProxyPass / ProxyPassMatch to
`ajp://` and `balancer://`, `<Proxy balancer://>` with BalancerMember and ProxySet, read with
httpd's documented defaults (knowledge.modproxy: mod_proxy.html, by version where they changed).

Only what a ProxyPass sends to is modelled: a balancer no ProxyPass uses carries no request.
Members that do not speak AJP (`http://`) are left out; a balancer with none that does is not
an AJP balancer. The server a ProxyPass sits in decides what httpd merges for it (a VirtualHost
over the main server): its ProxyIOBufferSize, ProxyTimeout and Timeout, and the balancer it
finds by name. The same balancer used by several servers is modelled once per different result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from clustercheck.derive.frontend import Balancer, Capacity, FrontEnd, Member, Module, Seam
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge import modproxy
from clustercheck.knowledge.modjk import atoi
from clustercheck.parsers.proxy import (
    Param,
    ProxyBalancer,
    ProxyMapping,
    ProxyServer,
    ProxySettings,
    ProxyWorker,
    Value,
)

T = TypeVar("T")
AJP = "ajp"


def proxy_front_end(node: NodeFacts, capacity: Capacity | None) -> FrontEnd | None:
    """The node's mod_proxy front end, or None when httpd balances nothing to AJP with it."""
    apache = node.apache
    proxy = apache.proxy if apache else None
    if apache is None or proxy is None:
        return None
    reader = _Reader(proxy, capacity)
    balancers: list[Balancer] = []
    direct: list[Member] = []
    files: list[str] = []
    for server in proxy.servers:
        for mapping in server.mappings:
            made = reader.mapping(server, mapping)
            if isinstance(made, Balancer) and made not in balancers:
                balancers.append(made)
            elif isinstance(made, Member) and made not in direct:
                direct.append(made)
            else:
                continue
            files.append(mapping.file)
    if not files:
        return None
    return FrontEnd(
        node,
        Module.MOD_PROXY,
        files[0],
        tuple(balancers),
        tuple(direct),
        capacity,
        apache.httpd_version,
    )


class _Reader:
    """Reads mod_proxy's workers and balancers, as one server's requests use them, as Seams."""

    def __init__(self, proxy: ProxySettings, capacity: Capacity | None) -> None:
        self.proxy = proxy
        self.capacity = capacity

    def mapping(self, server: ProxyServer, mapping: ProxyMapping) -> Balancer | Member | None:
        """The AJP balancer or member a ProxyPass sends to; None for anything else."""
        if mapping.excluded:
            return None
        if mapping.balancer is not None:
            found = self.proxy.effective_balancer(server, mapping.balancer)
            return self.balancer(server, found) if found is not None else None
        worker = self.proxy.effective_worker(server, mapping.worker or mapping.url)
        if worker is None or worker.scheme != AJP:
            return None
        return self.member(server, worker, None, f"{mapping.directive} {mapping.path} {worker.url}")

    def balancer(self, server: ProxyServer, balancer: ProxyBalancer) -> Balancer | None:
        prefix = f"ProxySet {balancer.name}"
        members = tuple(
            self.member(server, m, balancer.name, f"BalancerMember {m.url}")
            for m in balancer.members
            if m.scheme == AJP
        )
        if not members:
            return None
        params = balancer.params
        return Balancer(
            module=Module.MOD_PROXY,
            name=balancer.name,
            members=members,
            sticky=_param(params, "stickysession", lambda v: bool(_cookie(v)), False, prefix),
            sticky_force=_param(params, "nofailover", _on, False, prefix),
            cookie=_param(params, "stickysession", _cookie, None, prefix),
            path_parameter=_param(params, "stickysession", _path_parameter, None, prefix),
            method=_param(params, "lbmethod", str, modproxy.DEFAULT_LBMETHOD, prefix),
            file=balancer.file,
            line=balancer.line,
        )

    def member(
        self, server: ProxyServer, worker: ProxyWorker, balancer: str | None, prefix: str
    ) -> Member:
        params = worker.params
        route, secret = params.get("route"), params.get("secret")
        port = worker.port
        return Member(
            module=Module.MOD_PROXY,
            name=worker.url,
            balancer=balancer,
            host=Seam(worker.host, prefix, worker.file, worker.line, written=worker.url),
            port=(
                Seam(port, prefix, worker.file, worker.line, written=worker.url)
                if port is not None
                else Seam(modproxy.AJP_DEFAULT_PORT, prefix, defaulted=True)
            ),
            route=_seam(route, route.value) if route else None,
            secret=_seam(secret, secret.value, shown=False) if secret and secret.value else None,
            packet_size=self.packet_size(server),
            connect_timeout_ms=self.timeout(server, worker, prefix, connect=True),
            reply_timeout_ms=self.timeout(server, worker, prefix, connect=False),
            idle_timeout_ms=_param(params, "ttl", modproxy.seconds_ms, None, prefix),
            keepalive=_param(params, "keepalive", _on, False, prefix),
            ping=_param(params, "ping", lambda _value: "P", None, prefix),
            pool_size=self.pool_size(params, prefix),
            activation=_param(params, "status", modproxy.activation, "A", prefix),
            prefer_ipv6=None,
            file=worker.file,
            line=worker.line,
        )

    def packet_size(self, server: ProxyServer) -> Seam[int]:
        """ProxyIOBufferSize as mod_proxy_ajp uses it (0 is httpd's 8192)."""
        setting = self.proxy.setting(server, "proxyiobuffersize")
        if setting is None:
            return Seam(modproxy.AJP_MSG_BUFFER_SZ, "ProxyIOBufferSize", defaulted=True)
        size = atoi(setting.value) or modproxy.AJP_MSG_BUFFER_SZ
        return setting_seam(setting, modproxy.ajp_packet_size(size))

    def timeout(
        self, server: ProxyServer, worker: ProxyWorker, prefix: str, connect: bool
    ) -> Seam[float | None]:
        """Connecting waits connectiontimeout=, else what a reply waits: the worker's
        timeout=, else the ProxyTimeout it copied when defined, else its server's ProxyTimeout,
        else Timeout (60 s by default)."""
        params = worker.params
        if connect and "connectiontimeout" in params:
            found = params["connectiontimeout"]
            return _seam(found, modproxy.timeout_parameter_ms(found.value, "s"))
        if "timeout" in params:
            return _seam(params["timeout"], modproxy.seconds_ms(params["timeout"].value))
        for setting in (
            worker.proxy_timeout,
            self.proxy.setting(server, "proxytimeout"),
            self.proxy.setting(server, "timeout"),
        ):
            if setting is not None:
                return setting_seam(setting, modproxy.seconds_ms(setting.value))
        return Seam(modproxy.DEFAULT_TIMEOUT_S * 1000.0, "Timeout", defaulted=True)

    def pool_size(self, params: dict[str, Param], prefix: str) -> Seam[int | None]:
        """max=, when 0 or not set the MPM's threads per child; one per child under prefork."""
        threads = self.capacity.threads_per_child if self.capacity else None
        prefork = self.capacity is not None and self.capacity.mpm.value == "prefork"
        written = params.get("max")
        if written is not None and atoi(written.value) > 0:
            return _seam(written, 1 if prefork else atoi(written.value))
        return Seam(threads.value if threads else None, f"{prefix} max=", defaulted=True)


def _seam(param: Param, value: T, shown: bool = True) -> Seam[T]:
    """A value a parameter sets, named as written (`BalancerMember ajp://h:8009 route=`)."""
    return Seam(
        value,
        f"{param.directive} {param.name}=",
        param.file,
        param.line,
        written=param.value if shown else None,
    )


def setting_seam(setting: Value, value: T) -> Seam[T]:
    """A value a directive of its own sets (ProxyTimeout, ServerLimit...), named as written."""
    return Seam(value, setting.directive, setting.file, setting.line, written=setting.value)


def _param(
    params: dict[str, Param], key: str, read: Callable[[str], T], default: T, prefix: str
) -> Seam[T]:
    """The parameter `key` as `read` makes it, or `default` under the name to add it with."""
    if key in params:
        return _seam(params[key], read(params[key].value))
    return Seam(default, f"{prefix} {key}=", defaulted=True)


def _on(value: str) -> bool:
    """An On|Off parameter (httpd refuses any other value)."""
    return value.lower() == "on"


def _cookie(stickysession: str) -> str | None:
    """`A|B`: the cookie is A (mod_proxy.c `set_balancer_param`); empty is none."""
    return stickysession.partition("|")[0] or None


def _path_parameter(stickysession: str) -> str | None:
    """`A|B`: the URL parameter is B, else A. mod_proxy_balancer finds `B=` anywhere in the
    URL; a servlet URL carries it as `;B=`, which is how the model names it (as mod_jk's
    session_path)."""
    cookie, _bar, path = stickysession.partition("|")
    return f";{path or cookie}" if cookie else None
