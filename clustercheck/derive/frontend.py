"""One model of an httpd front end, whichever module balances: mod_jk (workers.properties) or
mod_proxy_ajp with mod_proxy_balancer (ProxyPass, `<Proxy balancer://>`, BalancerMember).

A rule about the seam between httpd and Tomcat (ports, routes, secrets, packet size, timeouts,
capacity, the session cookie) is written once against this model; each value keeps where it
was written, or that it is the module's documented default, so a finding can name the file
and line, or say "not set: mod_jk's default 8192".

The builders live beside it: frontend_jk.py (from workers.properties) and frontend_proxy.py
(from httpd's mod_proxy directives). Units are converted here, once: every duration in
milliseconds, every size in bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from clustercheck.facts.cluster import NodeFacts
    from clustercheck.knowledge.httpd import Correction
    from clustercheck.parsers.workers import Worker

T = TypeVar("T")


class Module(StrEnum):
    """The httpd module that balances (and names the directives in messages)."""

    MOD_JK = "mod_jk"
    MOD_PROXY = "mod_proxy"


@dataclass(frozen=True)
class Seam(Generic[T]):
    """One value of the seam: what the front end uses, the directive that sets it (as a user
    would search for it: `worker.tomcat01.max_packet_size`, `ProxyIOBufferSize`,
    `BalancerMember ajp://10.0.0.2:8009 ttl=`), and where it was written; `defaulted` when
    nothing sets it and the module's documented default applies (file and line then None).
    `written` keeps the text as written, for messages (never for a secret); `unit` is the unit
    a bare number is written in where the model converts it (connection_pool_timeout: "s",
    while the model keeps milliseconds), so a message can show both."""

    value: T
    directive: str
    file: str | None = None
    line: int | None = None
    defaulted: bool = False
    written: str | None = None
    unit: str = ""

    @property
    def where(self) -> str:
        """`file:line`, or `default` for a value nobody wrote."""
        if self.defaulted or self.file is None:
            return "default"
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def shown(self, unit: str = "") -> str:
        """`directive = value` with the default said, e.g. `max_packet_size 8192 (default)`."""
        if isinstance(self.value, bool):
            value = "on" if self.value else "off"
        else:
            value = "none" if self.value is None else f"{self.value}{unit}"
        return f"{self.directive} {value}" + (" (default)" if self.defaulted else "")


@dataclass(frozen=True)
class Member:
    """One AJP connection target of a front end: a mod_jk ajp13 worker (in an lb or mapped
    directly) or a BalancerMember / a ProxyPass `ajp://` worker.

    Durations are milliseconds (None: no limit, the connection or wait is never cut); sizes are
    bytes; `pool_size` counts connections per httpd child process (None: not known, as when
    the MPM is not known)."""

    module: Module
    name: str  # the worker name, or the BalancerMember URL
    balancer: str | None  # the lb worker / `balancer://name` it belongs to; None when direct
    host: Seam[str]
    port: Seam[int]
    route: Seam[str] | None  # None: the member has no route (mod_proxy without route=)
    secret: Seam[str] | None  # compared, never shown
    packet_size: Seam[int]  # AJP packet size the front end uses with this member
    connect_timeout_ms: Seam[float | None]  # how long connecting may take
    reply_timeout_ms: Seam[float | None]  # how long a reply may take
    idle_timeout_ms: Seam[float | None]  # an idle pooled connection is closed after this
    keepalive: Seam[bool]  # TCP keepalive on the pooled connections (mod_jk socket_keepalive)
    ping: Seam[str | None]  # the CPing probes (mod_jk ping_mode letters; mod_proxy ping= is "P":
    # a CPing before each request)
    pool_size: Seam[int | None]  # connections per child process (connection_pool_size, max=)
    activation: Seam[str]  # A (active), D (disabled), S (stopped); mod_proxy status= also N
    # (draining: sticky only), H (hot standby), R (hot spare), E (in error at start)
    prefer_ipv6: Seam[bool] | None  # mod_jk's prefer_ipv6; None where the module has none
    file: str | None  # where the member is defined
    line: int | None
    worker: Worker | None = None  # the mod_jk worker, for mod_jk's own rules; None for mod_proxy
    # each connection closed after its request, none kept idle: mod_jk JkOptions +DisableReuse
    # (in the main server, which every virtual host inherits), mod_proxy disablereuse=On;
    # None: connections are kept for reuse (both modules' default)
    no_reuse: Seam[bool] | None = None

    @property
    def label(self) -> str:
        """How messages name it: `worker tomcat01` or `BalancerMember ajp://10.0.0.2:8009`."""
        if self.module is Module.MOD_JK:
            return f"worker {self.name}"
        return f"BalancerMember {self.name}" if self.balancer else f"ProxyPass {self.name}"

    @property
    def route_value(self) -> str | None:
        return self.route.value if self.route else None

    @property
    def probes(self) -> str:
        """The CPing probes the member makes, as mod_jk's ping_mode letters: C after connecting,
        P before each request, I on idle connections ("" none). mod_proxy_ajp's `ping=` (the
        model's ping: its value, None when unset or 0) probes before each request, a new
        connection's first included: "CP"."""
        if not self.ping.value:
            return ""
        return self.ping.value if self.module is Module.MOD_JK else "CP"

    def location(self, *seams: Seam[Any] | None) -> dict[str, str | int | None]:
        """`file` and `line` of the first of `seams` that was written, else of the member:
        where a finding about those values points."""
        written = next((s for s in seams if s is not None and not s.defaulted), None)
        if written is not None and written.file is not None:
            return {"file": written.file, "line": written.line}
        return {"file": self.file, "line": self.line}


@dataclass(frozen=True)
class Balancer:
    """A mod_jk lb worker or a `balancer://` of mod_proxy_balancer."""

    module: Module
    name: str
    members: tuple[Member, ...]
    sticky: Seam[bool]  # routes by session at all (mod_proxy: a stickysession= is set)
    sticky_force: Seam[bool]  # no failover when a session's member is down
    cookie: Seam[str | None]  # the session cookie it routes on (None: none, no stickiness)
    path_parameter: Seam[str | None]  # the URL path parameter it routes on (;jsessionid)
    method: Seam[str]  # lb method: mod_jk R/T/B/S/N, mod_proxy byrequests/bytraffic/...
    file: str | None
    line: int | None

    @property
    def label(self) -> str:
        return f"lb {self.name}" if self.module is Module.MOD_JK else self.name


@dataclass(frozen=True)
class Capacity:
    """How many requests one httpd serves at once, and how its MPM splits them into processes:
    what bounds the AJP connections it can open (CC107). Read from httpd's MPM directives."""

    mpm: Seam[str]  # prefork | worker | event | winnt
    server_limit: Seam[int]  # child processes at most
    threads_per_child: Seam[int]  # 1 under prefork
    max_request_workers: Seam[int]  # requests served at once (MaxClients before 2.4)
    corrections: tuple[Correction, ...] = ()  # what httpd changed of what was written

    @property
    def processes(self) -> int:
        """Child processes that can run at once: MaxRequestWorkers / ThreadsPerChild, within
        ServerLimit."""
        per = max(self.threads_per_child.value, 1)
        return min(self.server_limit.value, -(-self.max_request_workers.value // per))


@dataclass(frozen=True)
class FrontEnd:
    """What one apache node's balancing module sends to Tomcat: its balancers and the members
    mapped directly, with where its configuration lives. A node with both modules has two."""

    node: NodeFacts
    module: Module
    file: str  # workers.properties, or the httpd file that holds the proxy directives
    balancers: tuple[Balancer, ...]
    direct: tuple[Member, ...]  # AJP members reached without a balancer
    capacity: Capacity | None  # None: httpd's MPM settings were not read (no httpd_conf)
    httpd_version: str | None  # None: not known

    @property
    def members(self) -> tuple[tuple[Member, Balancer | None], ...]:
        """Every member in use, each once: with the first balancer it is in, or None when it is
        only mapped directly."""
        seen: set[str] = set()
        found: list[tuple[Member, Balancer | None]] = []
        pairs = [(m, b) for b in self.balancers for m in b.members]
        for member, balancer in [*pairs, *((m, None) for m in self.direct)]:
            if member.name not in seen:
                seen.add(member.name)
                found.append((member, balancer))
        return tuple(found)
