"""Where an apache node's running balancers can be asked about themselves (CC804): mod_jk's
status worker and mod_proxy_balancer's balancer-manager, found in httpd's configuration as
httpd would serve them, or named in the inventory.

The page is asked on the node itself (clustercheck/collect/balancer.py), so the address is one
httpd listens on: a loopback Listen first, a wildcard one through 127.0.0.1, else the node's
own listening address (mod_authz_host's `Require local` admits a client whose address is the
server's own); port 80 when no Listen was read (a jk_conf without httpd.conf). A mount inside
a `<VirtualHost>` is asked at that host's address, with its ServerName as the Host header, so
that httpd picks that VirtualHost.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from clustercheck.derive.frontend import FrontEnd, Module
from clustercheck.derive.targets import MemberTarget
from clustercheck.facts.balancer import BalancerView
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge.modjk import STATUS
from clustercheck.parsers.httpd import Directive, split_section
from clustercheck.parsers.status_page import RuntimeMember

JK, PROXY = Module.MOD_JK.value, Module.MOD_PROXY.value
QUERIES = {JK: "mime=prop", PROXY: "xml=1"}  # the machine-readable form of each page
_HOST_NAME = re.compile(r"[A-Za-z0-9_.-]{1,253}")
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


@dataclass(frozen=True)
class StatusEndpoint:
    """One module's status page on one node: the URL to ask (query included), the Host header
    to send, and how it was found (the directive and where it is written)."""

    module: str  # JK | PROXY
    url: str
    host_header: str | None  # None: the URL's own host
    source: str
    file: str | None = None
    line: int | None = None


def status_endpoints(node: NodeFacts) -> list[StatusEndpoint]:
    """Each balancing module's status page on an apache node, when there is one."""
    apache, settings = node.apache, node.settings.apache
    if apache is None:
        return []
    found: list[StatusEndpoint] = []
    overrides = {JK: settings.jk_status_url, PROXY: settings.balancer_manager_url}
    keys = {JK: "apache.jk_status_url", PROXY: "apache.balancer_manager_url"}
    for module in (JK, PROXY):
        url = overrides[module]
        if url:
            found.append(StatusEndpoint(module, with_query(url, module), None, keys[module]))
            continue
        endpoint = _jk_page(node) if module == JK else _proxy_page(node)
        if endpoint is not None:
            found.append(endpoint)
    return found


def running_view(front_end: FrontEnd) -> BalancerView | None:
    """What the front end's module said of its balancers on its status page, when asked."""
    views = front_end.node.live.balancer or ()
    return next((v for v in views if v.module == front_end.module.value), None)


def running_member(view: BalancerView, target: MemberTarget) -> RuntimeMember | None:
    """The member as the running module shows it: in its balancer, by worker name (mod_jk) or
    by host and port (mod_proxy shows `ajp://host` without the default port)."""
    member, balancer = target.member, target.balancer
    for shown in view.balancers:
        if balancer is not None and shown.name.lower() != balancer.name.lower():
            continue
        for runtime in shown.members:
            if member.module is Module.MOD_JK and runtime.name == member.name:
                return runtime
            if (
                member.module is Module.MOD_PROXY
                and runtime.host.lower() == target.host.lower()
                and runtime.port == target.port
            ):
                return runtime
    return None


def with_query(url: str, module: str) -> str:
    """The URL with the query that asks for the page's machine-readable form."""
    return f"{url}{'&' if '?' in url else '?'}{QUERIES[module]}"


def _jk_page(node: NodeFacts) -> StatusEndpoint | None:
    """The first JkMount (or uriworkermap rule) of a status worker mod_jk creates."""
    apache = node.apache
    if apache is None or apache.workers is None:
        return None
    workers = apache.workers
    status = {
        name
        for name in workers.listed_names
        if name in workers.workers and workers.workers[name].type == STATUS
    }
    for mount in apache.mounts:
        if mount.worker not in status or mount.unmount or mount.disabled:
            continue
        path = _concrete(mount.pattern)
        if path is None:
            continue
        where = _address(apache.directives, _vhost_label(apache.directives, mount.vhost))
        if where is None:
            continue
        source = f"{mount.source} {mount.pattern} {mount.worker}"
        return _endpoint(JK, where, path, source, mount.file, mount.line)
    return None


def _proxy_page(node: NodeFacts) -> StatusEndpoint | None:
    """The first `<Location PATH>` whose SetHandler is balancer-manager."""
    apache = node.apache
    if apache is None or apache.proxy is None:
        return None
    for directive in apache.directives:
        if directive.lname != "sethandler" or [a.lower() for a in directive.args] != [
            "balancer-manager"
        ]:
            continue
        path, vhost = location_of(directive.sections)
        if path is None:
            continue
        where = _address(apache.directives, vhost)
        if where is None:
            continue
        source = f"<Location {path}> SetHandler balancer-manager"
        return _endpoint(PROXY, where, path, source, directive.file, directive.line)
    return None


@dataclass(frozen=True)
class _Where:
    scheme: str
    address: str  # as it goes into a URL: 127.0.0.1, [::1]
    port: int
    host_header: str | None


def _endpoint(
    module: str, where: _Where, path: str, source: str, file: str, line: int
) -> StatusEndpoint:
    url = f"{where.scheme}://{where.address}:{where.port}{quote(path, safe=_PATH_SAFE)}"
    return StatusEndpoint(module, with_query(url, module), where.host_header, source, file, line)


def _concrete(pattern: str) -> str | None:
    """A path a mount pattern matches: up to its first wildcard (`/jkstatus/*` -> `/jkstatus/`)."""
    path = re.split(r"[*?]", pattern, maxsplit=1)[0]
    return path if path.startswith("/") else None


def location_of(sections: Sequence[str]) -> tuple[str | None, str | None]:
    """The innermost `<Location PATH>` (not a regular expression) and the VirtualHost around."""
    path = vhost = None
    for label in sections:
        name, args = split_section(label)
        if name == "virtualhost":
            vhost = label
        elif name == "location" and len(args) == 1 and args[0] != "~":
            path = args[0]
    return path, vhost


def _vhost_label(directives: Sequence[Directive], arguments: str | None) -> str | None:
    """The `<VirtualHost ...>` section label whose arguments a mount names."""
    if arguments is None:
        return None
    for directive in directives:
        for label in directive.sections:
            name, args = split_section(label)
            if name == "virtualhost" and " ".join(args) == arguments:
                return label
    return None


def _address(directives: Sequence[Directive], vhost: str | None) -> _Where | None:
    """Where to ask httpd for a page of the main server (`vhost` None) or of a VirtualHost."""
    listens = [_listen(d) for d in directives if d.lname == "listen" and not d.sections]
    # no Listen read (the inventory names jk_conf alone): httpd's usual port
    known = [listen for listen in listens if listen is not None] or [("", 80, "http")]
    wanted: list[tuple[str, int | None]] = [("*", None)]
    host_header = None
    if vhost is not None:
        _name, args = split_section(vhost)
        wanted = [_vhost_address(arg) for arg in args]
        host_header = _server_name(directives, vhost)
    candidates = [
        (address, port, scheme)
        for address, port, scheme in known
        for want_address, want_port in wanted
        if (want_port is None or want_port == port)
        and (want_address in ("*", "_default_") or _same(want_address, address))
    ]
    if not candidates:
        return None
    address, port, scheme = min(candidates, key=lambda c: _preference(c[0]))
    if address in ("", "0.0.0.0", "::", "*"):
        address = "127.0.0.1"
    if vhost is not None and (specific := _specific(wanted)) is not None:
        address = specific
    shown = f"[{address}]" if ":" in address else address
    return _Where(scheme, shown, port, host_header)


def _listen(directive: Directive) -> tuple[str, int, str] | None:
    """`Listen [address:]port [protocol]` as (address, port, scheme); "" for every address."""
    if not directive.args:
        return None
    text = directive.args[0]
    address, _sep, port_text = text.rpartition(":")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        return None
    port = int(port_text)
    protocol = directive.args[1].lower() if len(directive.args) > 1 else ""
    scheme = "https" if protocol == "https" or (not protocol and port == 443) else "http"
    return address.strip("[]"), port, scheme


def _vhost_address(arg: str) -> tuple[str, int | None]:
    address, sep, port = arg.rpartition(":")
    if not sep or not port.isdigit():
        return arg.strip("[]"), None
    return address.strip("[]"), int(port)


def _specific(wanted: list[tuple[str, int | None]]) -> str | None:
    """The address an IP-based VirtualHost names, when it names one."""
    return next((a for a, _port in wanted if a not in ("*", "_default_") and _is_ip(a)), None)


def _same(want: str, listen: str) -> bool:
    return listen in ("", "0.0.0.0", "::", "*") or want == listen


def _preference(address: str) -> int:
    """Loopback first, then every address (asked through loopback), then the node's own."""
    if _is_ip(address) and ipaddress.ip_address(address).is_loopback:
        return 0
    return 1 if address in ("", "0.0.0.0", "::", "*") else 2


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _server_name(directives: Sequence[Directive], vhost: str) -> str | None:
    """The ServerName of a VirtualHost (its host part), when it is a plain host name."""
    for directive in directives:
        if directive.lname == "servername" and directive.sections[-1:] == (vhost,):
            name = directive.args[0].split("://")[-1].rsplit(":", 1)[0] if directive.args else ""
            return name if _HOST_NAME.fullmatch(name) else None
    return None
