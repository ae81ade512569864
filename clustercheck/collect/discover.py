"""Discovery: an inventory from what the nodes run. From the apache hosts given, httpd's
configuration as the running httpd uses it (its -f and -d, else `httpd -V`), read with
clustercheck's own reader; the balancer members of its front ends (mod_jk workers,
BalancerMembers); then on each member's host the running Tomcats (Bootstrap processes and their
catalina.base), each server.xml's AJP connectors, and the one serving the member's port.

All node I/O of discovery is here, with the same transports and SSH rules as `run` (ssh_config,
agent, known_hosts, bastions). Nothing read from a node is run: the commands are constants
(collect/runtime.py's process and socket table, collect/apache.py's httpd scripts).
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from clustercheck.collect.apache import (
    compiled_paths,
    default_server_root,
    gather_apache,
    gather_httpd_build,
)
from clustercheck.collect.gather import TransportFactory, unexpected
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.runtime import POSIX_SCRIPT
from clustercheck.collect.tomcat import gather_server
from clustercheck.collect.transports.base import Transport, TransportError
from clustercheck.derive.capacity import httpd_capacity
from clustercheck.derive.frontend import Member
from clustercheck.derive.frontend_jk import jk_front_end
from clustercheck.derive.frontend_proxy import proxy_front_end
from clustercheck.derive.targets import is_loopback, listening_port
from clustercheck.facts.cluster import NodeFacts
from clustercheck.inventory.discovered import DiscoveredNode, Discovery, HostSpec, Todo
from clustercheck.inventory.loader import ssh_settings
from clustercheck.inventory.settings import ApacheSettings, NodeSettings, TomcatSettings
from clustercheck.parsers.httpd_build import HttpdBuild, httpd_command_line
from clustercheck.parsers.ps import ProcessTable, PsEntry, httpd_parents, tomcat_processes
from clustercheck.parsers.runtime import RuntimeOutput, parse_runtime

DEFAULT_PARALLEL = 16
# The layouts of the distributions, when no httpd runs and no binary tells its own file.
LAYOUTS = ("/etc/apache2/apache2.conf", "/etc/httpd/conf/httpd.conf")
UNSPECIFIED = ("0.0.0.0", "::")


class DiscoverError(Exception):
    """Bad input (a host or ssh setting that cannot be used); one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class MemberFound:
    """A balancer member as the front end uses it (host and port), and where it is written."""

    label: str  # `worker tomcat01`, `BalancerMember ajp://10.0.0.2:8009`
    host: str
    port: int
    where: str  # file:line


@dataclass(frozen=True)
class HttpdFound:
    """An httpd on a host: its main file as the running httpd uses it, and its members."""

    httpd_conf: str
    server_root: str | None  # only when it is not the one clustercheck derives from the file
    how: str  # how the file was found, for the inventory's comment
    modules: tuple[str, ...] = ()  # the balancing modules read (mod_jk, mod_proxy)
    members: tuple[MemberFound, ...] = ()


@dataclass(frozen=True)
class TomcatFound:
    """A running Tomcat instance: its process, catalina.base/home, jvmRoute, AJP ports."""

    pid: int
    catalina_base: str
    catalina_home: str | None
    jvm_route: str | None
    ajp: tuple[tuple[int, str | None, int], ...]  # (port, address, server.xml line)
    server_xml: str
    listening: frozenset[int] | None  # ports its process listens on (None: not known)
    error: str | None = None  # server.xml could not be read


@dataclass(frozen=True)
class HostProbe:
    """What one host runs, or why it was not reached."""

    spec: HostSpec
    error: str | None = None
    httpds: tuple[HttpdFound, ...] = ()
    tomcats: tuple[TomcatFound, ...] = ()
    idle_httpd: str | None = None  # the main file of an httpd installed but not running
    addresses: frozenset[str] = frozenset()  # the addresses its sockets are bound to
    owners: Mapping[int, str] = field(default_factory=dict)  # listening port -> program


Factory = Callable[[NodeSettings], Transport]


def parse_target(text: str) -> HostSpec:
    """`[user@]HOST[:port]` (an IPv6 address in brackets: `[::1]:22`) as a HostSpec."""
    user, at, rest = text.rpartition("@")
    host, port = rest, None
    if rest.startswith("["):
        host, _, tail = rest[1:].partition("]")
        port = tail[1:] if tail.startswith(":") else None
    elif rest.count(":") == 1:
        host, port = rest.split(":")
    if not host or (at and not user) or (port is not None and not port.isdigit()):
        raise DiscoverError([f"{text}: not [user@]HOST[:port]"])
    ssh: dict[str, Any] = {"user": user} if at else {}
    if port is not None:
        ssh["port"] = int(port)
    return HostSpec(host, ssh=ssh, origin="the command line")


def node_settings(spec: HostSpec, base_dir: Path | None = None) -> NodeSettings:
    """How `run` would reach the host: its SSH settings checked as the inventory's are."""
    from clustercheck.inventory.loader import InventoryError

    try:
        ssh = ssh_settings(spec.ssh, spec.origin or spec.host, base_dir or Path.cwd())
    except InventoryError as exc:
        raise DiscoverError(exc.problems) from None
    name = spec.name or spec.host
    return NodeSettings(name, spec.host, ("apache", "tomcat"), transport=spec.transport, ssh=ssh)


def probe_hosts(
    specs: Sequence[HostSpec],
    *,
    accept_new_host_keys: bool = False,
    parallel: int = DEFAULT_PARALLEL,
    factory: Factory | None = None,
    httpd: bool = True,
) -> list[HostProbe]:
    """Every host probed at once (one SSH connection each): its httpds and its Tomcats, or why
    it was not reached. Raises DiscoverError before connecting when a spec cannot be used."""
    nodes = [node_settings(spec) for spec in specs]
    make = factory or TransportFactory(accept_new_host_keys=accept_new_host_keys)
    with ThreadPoolExecutor(max(1, min(parallel, len(specs) or 1))) as pool:
        return list(pool.map(lambda s, n: probe_host(s, make(n), n, httpd), specs, nodes))


def probe_host(
    spec: HostSpec, transport: Transport, node: NodeSettings, httpd: bool = True
) -> HostProbe:
    """One host, over one connection, closed after; its httpds only when `httpd` (a
    member's host is asked for its Tomcats). A host refused as given is not contacted."""
    if spec.refused is not None:
        return HostProbe(spec, error=spec.refused)
    try:
        transport.connect()
        result = transport.run(["sh", "-c", POSIX_SCRIPT, "sh"])
        output = parse_runtime(result.stdout.decode("utf-8", "surrogateescape"))
        owned, listening, owners = _sockets(output)
        reader = NodeReader(transport)
        httpds = _httpds(transport, reader, node, output.table, owned) if httpd else ()
        running = httpd_parents(output.table)
        return HostProbe(
            spec,
            httpds=httpds,
            idle_httpd=_installed(transport, reader) if httpd and not running else None,
            tomcats=_tomcats(reader, output, owned, listening),
            addresses=frozenset(
                s.address
                for s in output.sockets or ()
                if s.address not in UNSPECIFIED and not is_loopback(s.address)
            ),
            owners=owners,
        )
    except TransportError as exc:
        return HostProbe(spec, error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    except Exception as exc:  # a bug met on this host's data: its error, not discovery's end
        return HostProbe(spec, error=f"discovery failed: {unexpected(exc)}")
    finally:
        transport.close()


def _sockets(
    output: RuntimeOutput,
) -> tuple[set[int] | None, dict[int, set[int]], dict[int, str]]:
    """The processes that own a listening socket of this host, with their ancestors (httpd's
    children hold its sockets too); None when the table names no owner (another user's
    sockets, or no ss): then every process counts. A shared process table (containers,
    network namespaces) shows other hosts' servers: the sockets tell which are this host's."""
    table = {e.pid: e for e in output.table.processes}
    listening: dict[int, set[int]] = {}
    owners: dict[int, str] = {}
    owned: set[int] = set()
    for socket in output.sockets or ():
        if socket.pid is None:
            continue
        listening.setdefault(socket.pid, set()).add(socket.port)
        entry = table.get(socket.pid)
        owners.setdefault(socket.port, f"pid {socket.pid} ({_program(entry)})")
        pid: int | None = socket.pid
        while pid is not None and pid not in owned:
            owned.add(pid)
            parent = table.get(pid)
            pid = parent.ppid if parent is not None and parent.ppid in table else None
    return (owned or None), listening, owners


def _program(entry: PsEntry | None) -> str:
    words = entry.words if entry is not None else []
    return posixpath.basename(words[0]) if words else "?"


def _httpds(
    transport: Transport,
    reader: NodeReader,
    node: NodeSettings,
    table: ProcessTable,
    owned: set[int] | None,
) -> tuple[HttpdFound, ...]:
    """The main file of each httpd running on the host (else of the one installed), read as
    `run` reads it, with the members of its front ends."""
    parents = [p for p in httpd_parents(table) if not owned or p.pid in owned]
    compiled: tuple[str | None, str | None] | None = None
    found: dict[str, tuple[str | None, str]] = {}
    for parent in parents:
        line = httpd_command_line(parent.words[1:])
        if line.config is None or (not line.config.startswith("/") and not line.server_root):
            compiled = compiled or compiled_paths(transport)
        root = line.server_root or (compiled[0] if compiled else None)
        if line.config is not None:
            conf = posixpath.join(root or "/", line.config)
            how = f"-f of the running httpd (pid {parent.pid})"
        elif compiled and compiled[1]:
            conf = posixpath.join(root or "/", compiled[1])
            how = f"`httpd -V` (SERVER_CONFIG_FILE): the running httpd (pid {parent.pid}) has no -f"
        else:
            continue
        found.setdefault(posixpath.normpath(conf), (line.server_root, how))
    build = gather_httpd_build(transport, node) if found else None
    return tuple(_httpd(reader, node, conf, *how, build) for conf, how in found.items())


def _installed(transport: Transport, reader: NodeReader) -> str | None:
    """No httpd runs: the file of the binary installed (`httpd -V`), else a distribution's
    layout, when the file is there: said, not written as a node (nothing says it is used)."""
    root, config = compiled_paths(transport)
    candidates = [(path, "the distribution's layout") for path in LAYOUTS]
    if config:
        compiled = posixpath.join(root or "/", config)
        candidates.insert(0, (compiled, "`httpd -V` (SERVER_CONFIG_FILE)"))
    for path, how in candidates:
        if reader.read(path) is not None:
            return f"{posixpath.normpath(path)} (from {how})"
    return None


def _httpd(
    reader: NodeReader,
    node: NodeSettings,
    conf: str,
    root: str | None,
    how: str,
    build: HttpdBuild | None,
) -> HttpdFound:
    written_root = root if root and root != default_server_root(conf) else None
    apache = ApacheSettings(httpd_conf=conf, server_root=written_root)
    settings = replace(node, roles=("apache",), apache=apache)
    facts = NodeFacts(settings, apache=gather_apache(reader, apache, build=build))
    capacity = httpd_capacity(facts)
    modules, members = [], []
    for build_front_end in (jk_front_end, proxy_front_end):
        front_end = build_front_end(facts, capacity)
        if front_end is None:
            continue
        modules.append(front_end.module.value)
        members += [_member(m) for m, _balancer in front_end.members]
    if root:
        how += f"; ServerRoot from its -d {root}"
    return HttpdFound(conf, written_root, how, tuple(modules), tuple(members))


def _member(member: Member) -> MemberFound:
    where = f"{member.file}:{member.line}" if member.line is not None else str(member.file)
    return MemberFound(member.label, member.host.value, member.port.value, where)


def _tomcats(
    reader: NodeReader,
    output: RuntimeOutput,
    owned: set[int] | None,
    listening: dict[int, set[int]],
) -> tuple[TomcatFound, ...]:
    found = []
    for process in tomcat_processes(output.table):
        if owned and process.entry.pid not in owned:
            continue
        settings = TomcatSettings(process.catalina_base, process.catalina_home)
        facts = gather_server(reader, settings)
        server = facts.server
        ajp = tuple(
            (port, c.address, c.line)
            for c in (server.ajp_connectors if server else [])
            if (port := listening_port(c)) is not None
        )
        error = None
        if server is None:
            read = reader.reads.get(facts.server_xml_path)
            error = read.message if read and read.message else "server.xml not read"
        ports = listening.get(process.entry.pid) if owned else None
        found.append(
            TomcatFound(
                process.entry.pid,
                process.catalina_base,
                process.catalina_home,
                server.jvm_route if server else None,
                ajp,
                facts.server_xml_path,
                frozenset(ports) if ports is not None else (frozenset() if owned else None),
                error,
            )
        )
    return tuple(found)


def discover_balancers(
    specs: Sequence[HostSpec],
    *,
    accept_new_host_keys: bool = False,
    parallel: int = DEFAULT_PARALLEL,
    cluster: str | None = None,
    factory: Factory | None = None,
) -> Discovery:
    """From the hosts given: their httpds' members, then the members' hosts probed (with the
    SSH settings of the host whose httpd names them, unless given) and each member matched
    to the Tomcat that serves its port."""
    # one factory for both rounds: known_hosts is read once, and a key learned in the first
    # round is known in the second
    make = factory or TransportFactory(accept_new_host_keys=accept_new_host_keys)
    options: dict[str, Any] = {"parallel": parallel, "factory": make}
    probes = probe_hosts(specs, **options)
    more: dict[str, HostSpec] = {}
    for probe in probes:
        for httpd in probe.httpds:
            for member in httpd.members:
                host = probe.spec.host if is_loopback(member.host) else member.host
                if _probe_of(probes, host) is None and host.lower() not in more:
                    origin = f"{member.label} of httpd on {probe.spec.host}"
                    more[host.lower()] = HostSpec(host, ssh=probe.spec.ssh, origin=origin)
    members = probe_hosts(list(more.values()), httpd=False, **options)
    return assemble(probes, members, cluster or (specs[0].host if specs else "cluster"))


def _probe_of(probes: Sequence[HostProbe], host: str) -> HostProbe | None:
    """The probe of the host a member names: by the host or name given, else by an address
    one of its sockets is bound to."""
    wanted = host.lower().strip("[]")
    for probe in probes:
        if wanted in (probe.spec.host.lower(), (probe.spec.name or "").lower()):
            return probe
    return next((p for p in probes if wanted in p.addresses), None)


def assemble(given: Sequence[HostProbe], members: Sequence[HostProbe], cluster: str) -> Discovery:
    """The inventory of what the probes found (of the hosts given, and of the members' hosts
    found from them): one node per httpd and per Tomcat instance, each member matched to the
    Tomcat serving its port, or a TODO saying why none."""
    probes = [*given, *members]
    given_ids = {id(p) for p in given}
    names = _Names()
    nodes: list[DiscoveredNode] = []
    todos: list[Todo] = []
    used: dict[tuple[str, int], list[str]] = {}  # (host, pid) -> members served
    for probe in probes:
        if probe.error is not None and id(probe) in given_ids:
            todos.append(Todo(probe.spec.host, None, "host given", f"not reached: {probe.error}"))
        for index, httpd in enumerate(probe.httpds):
            name = names.take(probe.spec.name or f"httpd-{probe.spec.host}", index)
            nodes.append(_apache_node(name, probe, httpd))
            for member in httpd.members:
                host = probe.spec.host if is_loopback(member.host) else member.host
                target = _probe_of(probes, host)
                tomcat, reason = _serving(target, member.port)
                what = f"{member.label} of {name} ({member.where})"
                if tomcat is None or target is None:
                    todos.append(Todo(member.host, member.port, what, reason))
                else:
                    used.setdefault((target.spec.host, tomcat.pid), []).append(what)
        if id(probe) in given_ids and (
            probe.idle_httpd or (probe.error is None and not probe.tomcats)
        ):
            todos.append(Todo(probe.spec.host, None, "host given", _no_httpd(probe), "apache"))
    routes = Counter(t.jvm_route for p in probes for t in p.tomcats)
    for probe in probes:
        # by catalina.base, not by PID: the same cluster gives the same file on every run
        ordered = sorted(probe.tomcats, key=lambda t: (t.catalina_base, t.pid))
        for index, tomcat in enumerate(ordered):
            unique = bool(tomcat.jvm_route) and routes[tomcat.jvm_route] == 1
            base = probe.spec.name or f"tomcat-{probe.spec.host}"
            wanted = tomcat.jvm_route if unique and tomcat.jvm_route else base
            name = names.take(wanted, 0 if unique else index)
            serves = used.get((probe.spec.host, tomcat.pid), [])
            nodes.append(_tomcat_node(name, probe, tomcat, unique, serves))
    return Discovery(cluster, tuple(nodes), tuple(todos), _summary(probes))


class _Names:
    """Node names, each once: a second `x` is `x-2`."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def take(self, wanted: str, index: int = 0) -> str:
        name = wanted if index == 0 else f"{wanted}-{index + 1}"
        number = index + 1
        while name in self.taken:
            number += 1
            name = f"{wanted}-{number}"
        self.taken.add(name)
        return name


def _serving(probe: HostProbe | None, port: int) -> tuple[TomcatFound | None, str]:
    """The Tomcat whose server.xml has an AJP connector on `port` (the one listening on it
    first), or why none."""
    if probe is None:
        return None, "its host was not probed"
    if probe.error is not None:
        return None, f"host not reached: {probe.error}"
    matching = [t for t in probe.tomcats if any(p == port for p, _a, _l in t.ajp)]
    matching.sort(key=lambda t: not (t.listening and port in t.listening))
    if matching:
        return matching[0], ""
    owner = probe.owners.get(port)
    listened = f"; port {port} is listened on by {owner}" if owner else ""
    if not probe.tomcats:
        return None, f"no running Tomcat on the host (no Bootstrap process){listened}"
    bases = ", ".join(t.catalina_base for t in probe.tomcats)
    return None, f"no running Tomcat has an AJP connector on port {port} ({bases}){listened}"


def _no_httpd(probe: HostProbe) -> str:
    if probe.idle_httpd:
        return f"no httpd running; one is installed, {probe.idle_httpd}: start it, or add it"
    return "no httpd running or installed, and no running Tomcat"


def _ssh_note(spec: HostSpec) -> str:
    return f"ssh: from {spec.origin}" if spec.origin else "ssh: as given"


def _apache_node(name: str, probe: HostProbe, httpd: HttpdFound) -> DiscoveredNode:
    apache = {"httpd_conf": httpd.httpd_conf}
    if httpd.server_root:
        apache["server_root"] = httpd.server_root
    modules = " and ".join(httpd.modules) or "no balancing module"
    notes = (
        f"httpd on {probe.spec.host}: httpd_conf from {httpd.how}",
        f"front end: {modules}, {len(httpd.members)} AJP member(s)",
        _ssh_note(probe.spec),
    )
    return DiscoveredNode(
        name, probe.spec.host, ("apache",), probe.spec.ssh, apache, {}, notes, probe.spec.transport
    )


def _tomcat_node(
    name: str, probe: HostProbe, tomcat: TomcatFound, unique: bool, serves: list[str]
) -> DiscoveredNode:
    values = {"catalina_base": tomcat.catalina_base}
    if tomcat.catalina_home and tomcat.catalina_home != tomcat.catalina_base:
        values["catalina_home"] = tomcat.catalina_home
    home = f", -Dcatalina.home={tomcat.catalina_home}" if tomcat.catalina_home else ""
    if unique:
        named = f"name: its jvmRoute {tomcat.jvm_route} (server.xml)"
    elif tomcat.jvm_route:
        named = f"name: from the host (jvmRoute {tomcat.jvm_route} is not unique)"
    else:
        named = "name: from the host (no jvmRoute)"
    notes = [
        f"Tomcat on {probe.spec.host}: running process {tomcat.pid} "
        f"with -Dcatalina.base={tomcat.catalina_base}{home}",
        named,
    ]
    for port, address, line in tomcat.ajp:
        state = (
            ""
            if tomcat.listening is None
            else ", listening"
            if port in tomcat.listening
            else ", NOT listening"
        )
        at = f" address {address}" if address else ""
        notes.append(f"AJP connector port {port}{at} ({tomcat.server_xml}:{line}){state}")
    if tomcat.error:
        notes.append(f"server.xml: {tomcat.error}")
    notes += [f"serves {what}" for what in serves] or ["no front end discovered points at it"]
    notes.append(_ssh_note(probe.spec))
    return DiscoveredNode(
        name,
        probe.spec.host,
        ("tomcat",),
        probe.spec.ssh,
        {},
        values,
        tuple(notes),
        probe.spec.transport,
    )


def _summary(probes: Sequence[HostProbe]) -> tuple[str, ...]:
    reached = [p for p in probes if p.error is None]
    return (
        f"{len(probes)} host(s) probed, {len(reached)} reached: "
        f"{sum(len(p.httpds) for p in probes)} httpd, "
        f"{sum(len(p.tomcats) for p in probes)} Tomcat instance(s)",
    )
