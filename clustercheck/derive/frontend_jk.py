"""The front-end model of mod_jk: workers.properties (after `reference` and mod_jk's defaults)
read into balancers and members, with the units mod_jk documents (workers.xml, jk_util.c)
converted to the model's milliseconds and bytes."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.derive.frontend import Balancer, Capacity, FrontEnd, Member, Module, Seam
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge import modjk
from clustercheck.parsers.workers import Setting, Worker, WorkersFile, parse_bool


def jk_front_end(node: NodeFacts, capacity: Capacity | None) -> FrontEnd | None:
    """The node's mod_jk front end, or None when it has no workers file."""
    apache = node.apache
    workers = apache.workers if apache else None
    if apache is None or workers is None:
        return None
    reader = _Reader(workers, capacity, _no_reuse(apache.jk.options if apache.jk else []))
    balancers, direct = [], []
    seen: set[str] = set()
    for name, _line in workers.worker_list:
        worker = workers.workers.get(name)
        if worker is None:
            continue
        if worker.type == modjk.LB:
            members = tuple(reader.member(m, name) for m in _connecting(workers, worker.members))
            balancers.append(reader.balancer(worker, members))
        elif name not in seen and _connects(worker):
            direct.append(reader.member(worker, None))
        seen.add(name)
    return FrontEnd(
        node,
        Module.MOD_JK,
        workers.path,
        tuple(balancers),
        tuple(direct),
        capacity,
        apache.httpd_version,
    )


def _no_reuse(options: list[tuple[tuple[str, ...], str, str, int]]) -> Seam[bool] | None:
    """JkOptions +DisableReuse in the main server (every virtual host inherits it): the last
    JkOptions there that names it. Set in a virtual host only, it is not known which members
    it concerns, so connections are taken as reused."""
    main = [(words, file, line) for words, vhost, file, line in options if not vhost]
    if not modjk.jk_option([words for words, _, _ in main], "DisableReuse"):
        return None
    last = [o for o in main if modjk.jk_option([o[0]], "DisableReuse") is not None][-1]
    return Seam(True, "JkOptions", last[1], last[2], written="+DisableReuse")


def _connecting(workers: WorkersFile, names: list[str]) -> Iterator[Worker]:
    for name in names:
        worker = workers.workers.get(name)
        if worker is not None and _connects(worker):
            yield worker


def _connects(worker: Worker) -> bool:
    """An AJP worker with an address: one mod_jk disables (port 0, a host that cannot resolve:
    CC6034 says so) points at no Tomcat, so nothing about it is judged against one."""
    return worker.type in modjk.AJP_TYPES and not worker.disabled


class _Reader:
    """Reads one workers file's settings as Seam values."""

    def __init__(
        self, workers: WorkersFile, capacity: Capacity | None, no_reuse: Seam[bool] | None
    ) -> None:
        self.workers = workers
        self.capacity = capacity
        self.no_reuse = no_reuse

    def seam(
        self,
        worker: Worker,
        directive: str,
        value: object,
        setting: Setting | None,
        unit: str = "",
    ) -> Seam:
        name = f"worker.{worker.name}.{directive}"
        if setting is None or setting.line is None:
            return Seam(value, name, defaulted=True, unit=unit)
        file = setting.file or self.workers.path
        return Seam(value, name, file, setting.line, written=setting.value, unit=unit)

    def number(
        self, worker: Worker, directives: tuple[str, ...], default: int, unit: str = "ms"
    ) -> Seam[float | None]:
        """A duration mod_jk reads as an int in `directives` (the first set wins; older names
        after) in `unit` (ms or s), in milliseconds; 0 or less is mod_jk's "no limit" (None)."""
        setting = next((worker.settings[d] for d in directives if d in worker.settings), None)
        raw = _int(setting, default)
        value = raw * _MS_PER[unit] if raw > 0 else None
        return self.seam(worker, directives[0], value, setting, unit)

    def member(self, worker: Worker, balancer: str | None) -> Member:
        settings = worker.settings
        get = settings.get
        secret = self.workers.member_secret(balancer, worker.name) if balancer else get("secret")
        socket_timeout = _int(get("socket_timeout"), 0)
        route = get("route") or get("jvm_route")
        return Member(
            module=Module.MOD_JK,
            name=worker.name,
            balancer=balancer,
            host=self.seam(worker, "host", worker.host or "localhost", get("host")),
            port=self.seam(
                worker, "port", worker.port or modjk.AJP_TYPES[str(worker.type)], get("port")
            ),
            route=self.seam(worker, "route", worker.route or worker.name, route),
            secret=self.seam(worker, "secret", secret.value, secret) if secret else None,
            packet_size=self.packet_size(worker),
            connect_timeout_ms=self.number(
                worker, ("socket_connect_timeout",), socket_timeout * 1000
            ),
            reply_timeout_ms=self.number(worker, ("reply_timeout",), 0),
            idle_timeout_ms=self.number(
                worker,
                ("connection_pool_timeout", "cache_timeout", "recycle_timeout"),
                0,
                unit="s",
            ),
            keepalive=self.flag(worker, "socket_keepalive", False),
            ping=self._ping(worker),
            pool_size=self._pool_size(worker),
            activation=self.seam(
                worker, "activation", worker.activation, get("activation") or get("disabled")
            ),
            prefer_ipv6=self.flag(worker, "prefer_ipv6", False),
            file=self.workers.path if worker.line is not None else None,
            line=worker.line,
            worker=worker,
            no_reuse=self.no_reuse,
        )

    def flag(self, worker: Worker, directive: str, default: bool) -> Seam[bool]:
        setting = worker.settings.get(directive)
        value = parse_bool(setting.value, default) if setting else default
        return self.seam(worker, directive, value, setting)

    def packet_size(self, worker: Worker) -> Seam[int]:
        """max_packet_size as mod_jk uses it: rounded up to 1 KiB, within 8 KiB to 64 KiB."""
        setting = worker.settings.get("max_packet_size")
        value = modjk.max_packet_size(setting.value) if setting else modjk.DEF_PACKET_SIZE
        return self.seam(worker, "max_packet_size", value, setting)

    def _ping(self, worker: Worker) -> Seam[str | None]:
        """The CPing probes mod_jk makes ("" none): ping_mode, or the older connect_timeout /
        prepost_timeout that turn on C and P (protocols.md §2.2)."""
        setting = worker.settings.get("ping_mode")
        if setting is not None:
            return self.seam(worker, "ping_mode", modjk.ping_mode(setting.value) or None, setting)
        implied = [
            (letter, worker.settings[directive])
            for letter, directive in (("C", "connect_timeout"), ("P", "prepost_timeout"))
            if directive in worker.settings and modjk.jk_int(worker.settings[directive].value) > 0
        ]
        if implied:
            letter, first = implied[0]
            letters = "".join(letter for letter, _ in implied)
            name = "connect_timeout" if letter == "C" else "prepost_timeout"
            return self.seam(worker, name, letters, first)
        return self.seam(worker, "ping_mode", None, None)

    def _pool_size(self, worker: Worker) -> Seam[int | None]:
        """connection_pool_size (cachesize before 1.2.16): per child process; its default is
        the MPM's threads per child (1 under prefork)."""
        setting = worker.settings.get("connection_pool_size") or worker.settings.get("cachesize")
        if setting is not None and modjk.jk_int(setting.value) > 0:
            return self.seam(worker, "connection_pool_size", modjk.jk_int(setting.value), setting)
        threads = self.capacity.threads_per_child.value if self.capacity else None
        return self.seam(worker, "connection_pool_size", threads, None)

    def balancer(self, worker: Worker, members: tuple[Member, ...]) -> Balancer:
        get = worker.settings.get
        cookie = get("session_cookie")
        path = get("session_path")
        method = get("method")
        return Balancer(
            module=Module.MOD_JK,
            name=worker.name,
            members=members,
            sticky=self.flag(worker, "sticky_session", True),
            sticky_force=self.flag(worker, "sticky_session_force", False),
            cookie=self.seam(
                worker, "session_cookie", cookie.value if cookie else "JSESSIONID", cookie
            ),
            path_parameter=self.seam(
                worker, "session_path", path.value if path else ";jsessionid", path
            ),
            method=self.seam(
                worker,
                "method",
                modjk.METHODS[modjk.method_code(method.value)] if method else "Request",
                method,
            ),
            file=self.workers.path if worker.line is not None else None,
            line=worker.line,
        )


_MS_PER = {"ms": 1.0, "s": 1000.0}


def _int(setting: Setting | None, default: int) -> int:
    return modjk.jk_int(setting.value) if setting else default
