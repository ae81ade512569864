"""Gathering: one transport per node, all nodes at once, every failure turned into facts.

Phase 1 reads each node's files and asks it what only it can tell (JVM, clock, time sync,
addresses); phase 2 runs the probes planned from phase 1 (AJP CPing from the balancers,
replication connects between members) over the connections phase 1 opened, so a node is logged
into once. This is the only place (with the transports it drives) that does I/O on nodes.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

from clustercheck.bugs import describe_bug
from clustercheck.collect import apache, logs, tomcat
from clustercheck.collect.apache import gather_apache, gather_httpd_build, gather_loaded_modules
from clustercheck.collect.arenas import limit_arenas
from clustercheck.collect.balancer import gather_balancer
from clustercheck.collect.batch import ask_each
from clustercheck.collect.clock import DEFAULT_ENOUGH_MS, enough_ms
from clustercheck.collect.environment import gather_environment, uses_cloud_membership
from clustercheck.collect.hosts import gather_hosts
from clustercheck.collect.live import gather_live, local_addresses, resolve_unmatched_worker_hosts
from clustercheck.collect.logs import plan_logs
from clustercheck.collect.multicast import capture, listen_locally
from clustercheck.collect.plan import exposure_receivers, plan_probes, receiver_targets
from clustercheck.collect.probes import probe_from, probe_locally
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.reference import query_reference
from clustercheck.collect.stamps import (
    asked_paths,
    gather_stamps,
    output_most,
    parse_stamps,
    stamp_command,
)
from clustercheck.collect.tomcat import gather_tomcat
from clustercheck.collect.transports.base import DEFAULT_MAX_BYTES, Transport, TransportError
from clustercheck.derive.applied import read_files
from clustercheck.derive.cluster_config import node_membership
from clustercheck.derive.membership_view import compute_view
from clustercheck.facts.clock import NtpReference
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.facts.files import ApacheFacts
from clustercheck.facts.live import LiveFacts
from clustercheck.facts.probes import Outcome, ProbeResult
from clustercheck.inventory.settings import ClusterSettings, NodeSettings
from clustercheck.knowledge.resolvers import hosts_path
from clustercheck.knowledge.secrets import Secrets

# Threads, not processes: the work is waiting on sockets. Bounded so a 500-node estate does not
# open 500 connections at once.
DEFAULT_PARALLEL = 64

OnRead = Callable[[str, str, bytes], None]  # node name, path on the node, content
OnProgress = Callable[[str, str], None]  # node name, what happened


class TransportFactory:
    """Builds the transport for each node; run-wide state (known_hosts) is shared by all."""

    def __init__(self, accept_new_host_keys: bool = False) -> None:
        self.accept_new_host_keys = accept_new_host_keys
        self._host_keys: object | None = None

    def __call__(self, node: NodeSettings) -> Transport:
        if node.transport == "files":
            from clustercheck.collect.transports.localfs import FilesTransport

            return FilesTransport(node.root or "")
        if node.transport == "local":
            from clustercheck.collect.transports.localfs import LocalTransport

            return LocalTransport(node.ssh.command_timeout)
        from clustercheck.collect.transports.ssh import HostKeyStore, SshTransport

        if self._host_keys is None:
            self._host_keys = HostKeyStore(accept_new=self.accept_new_host_keys)
        return SshTransport(node, self._host_keys)  # type: ignore[arg-type]


def gather(
    settings: ClusterSettings,
    *,
    factory: Callable[[NodeSettings], Transport] | None = None,
    on_read: OnRead | None = None,
    on_progress: OnProgress | None = None,
    parallel: int = DEFAULT_PARALLEL,
    multicast: bool = True,
    recorded: Mapping[str, LiveFacts] | None = None,
) -> ClusterFacts:
    """Facts of every node, gathered concurrently; never raises because of one node. The
    heartbeat capture (one window for all nodes) runs only when `multicast` is asked for.
    `recorded`: a snapshot's live facts, by node, for what reading its files depends on (what
    the httpd binary said, what <IfFile> found)."""
    factory = factory or TransportFactory()
    limit_arenas()
    started = datetime.now(UTC)
    clock = time.monotonic()
    transports: dict[str, Transport] = {}
    workers = max(1, min(parallel, len(settings.nodes)))

    clock_enough = enough_ms(settings.ntp)

    def one(node: NodeSettings) -> NodeFacts:
        transport = factory(node)
        recorded_live = (recorded or {}).get(node.name)
        facts = gather_node(node, transport, on_read, recorded_live, clock_enough)
        if facts.reachable and transport.live:
            transports[node.name] = transport
        else:
            transport.close()
        if on_progress:
            on_progress(node.name, "ok" if facts.reachable else "unreachable")
        return facts

    with ThreadPoolExecutor(max_workers=workers + 1, thread_name_prefix="gather") as pool:
        live_run = any(n.transport != "files" for n in settings.nodes)
        reference: Future[NtpReference] | None = (
            pool.submit(query_reference, settings.ntp.servers) if live_run else None
        )
        try:
            nodes = list(pool.map(one, settings.nodes))
            facts = ClusterFacts(
                settings=settings,
                nodes={n.name: n for n in nodes},
                started_at=started.isoformat(timespec="seconds"),
            )
            facts.dns, facts.local.dns_unresolved = resolve_unmatched_worker_hosts(facts)
            if live_run:
                facts.local.addresses = local_addresses()
            run_probes(facts, transports, pool, multicast)
            if reference is not None:
                facts.local.reference = reference.result()
        finally:
            for transport in transports.values():
                transport.close()
    facts.duration_s = time.monotonic() - clock
    return facts


def unexpected(exc: Exception) -> str:
    """One line for an exception nobody expected: it is a bug in clustercheck, met on one
    node's data, and reported as that node's error (a snapshot keeps it: no message)."""
    return f"{describe_bug(exc)} (a bug in clustercheck; please report it)"


def gather_node(
    node: NodeSettings,
    transport: Transport,
    on_read: OnRead | None = None,
    recorded: LiveFacts | None = None,
    clock_enough_ms: float = DEFAULT_ENOUGH_MS,
) -> NodeFacts:
    """Phase 1 for one node. The transport stays open for phase 2; the caller closes it.
    `recorded`: the node's live facts in a snapshot, read offline; `clock_enough_ms`: the
    bound on its clock offset that the run's thresholds need (clock.enough_ms)."""
    facts = NodeFacts(settings=node, offline=not transport.live)
    start = time.monotonic()
    facts.live = LiveFacts(collected_at=datetime.now(UTC).isoformat(timespec="seconds"))
    reader = NodeReader(
        transport,
        windows=node.os == "windows",
        on_read=(lambda path, data: on_read(node.name, path, data)) if on_read else None,
    )
    try:
        transport.connect()
        reader.prefetch(first_paths(node, reader, transport.live))
        facts.hosts = gather_hosts(reader, node)
        if node.has_role("apache"):
            facts.apache = _apache(node, transport, reader, facts.live, recorded)
            if transport.live:
                facts.live.balancer = gather_balancer(transport, facts)
        if node.has_role("tomcat"):
            facts.tomcat = gather_tomcat(reader, node.tomcat)
        if transport.live:
            gather_live(transport, reader, node, facts.live, clock_enough_ms)
            _logs_and_stamps(transport, reader, facts)
        if uses_cloud_membership(facts.tomcat):
            facts.live.environment = gather_environment(transport, reader, node, facts.live.runtime)
        facts.files = reader.reads
    except TransportError as exc:
        facts.live.reachable = False
        facts.live.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    except Exception as exc:  # a bug met on this node's data: its error, not the run's end
        facts.live.reachable = False
        facts.live.error = f"gathering failed: {unexpected(exc)}"
    finally:
        facts.live.duration_s = round(time.monotonic() - start, 3)
        facts.live.exchanges = transport.exchanges
        facts.secrets = reader.secrets  # also of a node lost halfway: its files were read
    return facts


def first_paths(node: NodeSettings, reader: NodeReader, live: bool) -> list[str]:
    """Every file a node's gathering reads before any file tells it more, fetched in one
    exchange: the hosts file, the inventory's httpd and mod_jk files, Tomcat's conf/ files,
    setenv.sh and logging.properties. What they name comes in later waves (tomcat, apache)."""
    paths = [hosts_path(node.os)]
    if node.has_role("apache"):
        paths += apache.first_paths(reader, node.apache, node.os == "windows")
    if node.has_role("tomcat"):
        paths += tomcat.first_paths(reader, node.tomcat)
    if live:
        paths += logs.first_paths(reader, node)
    return paths


def _logs_and_stamps(transport: Transport, reader: NodeReader, facts: NodeFacts) -> None:
    """The ends of the node's logs and the modification times of the files its servers read
    (CC802 compares them with the process table's start times), asked once both are known, in
    one exec where the output cap allows. Windows: no logs, the stamps alone (PowerShell)."""
    node, runtime = facts.settings, facts.live.runtime
    windows = node.os == "windows"
    paths = asked_paths(read_files(facts).paths(), windows) if runtime is not None else []
    plan = plan_logs(reader, node, facts.live, facts.apache)
    if plan is None:
        if runtime is not None:
            runtime.stamps = gather_stamps(transport, paths, windows)
        return
    commands, most = plan.commands, plan.most
    if paths:
        commands.append(tuple(stamp_command(paths)))
        most.append(output_most(paths))
    answers = ask_each(transport, commands, most, DEFAULT_MAX_BYTES)
    facts.live.logs = plan.facts(answers[: len(plan.commands)], Secrets(reader.secrets))
    if runtime is not None and paths:
        stamped = answers[-1]
        text = stamped.stdout.decode("utf-8", "surrogateescape") if stamped else ""
        runtime.stamps = parse_stamps(text, paths)


def _apache(
    node: NodeSettings,
    transport: Transport,
    reader: NodeReader,
    live: LiveFacts,
    recorded: LiveFacts | None,
) -> ApacheFacts:
    """httpd's files, read with what its binary says of itself: asked now on a live node (and
    kept in its live facts), taken from the snapshot offline."""
    if transport.live:
        live.httpd = gather_httpd_build(transport, node)
    source = live if transport.live else recorded
    facts = gather_apache(
        reader,
        node.apache,
        build=source.httpd if source else None,
        found=source.httpd_found if source else None,
        windows=node.os == "windows",
    )
    if transport.live:
        live.httpd_found = dict(facts.found)
        if live.httpd is not None and facts.startup is not None and node.apache.httpd_conf:
            loaded = gather_loaded_modules(
                transport, live.httpd, facts.startup, node.apache.httpd_conf
            )
            live.httpd = dataclasses.replace(live.httpd, loaded=loaded)
    return facts


def run_probes(
    facts: ClusterFacts,
    transports: dict[str, Transport],
    pool: ThreadPoolExecutor,
    multicast: bool = True,
) -> None:
    """Phase 2: every node's probes at once, each over its own open connection. The heartbeat
    capture is one window for all nodes; the receivers are probed after it, on the ports the
    members advertise."""
    plan = plan_probes(facts)
    timeout = facts.settings.ajp_timeout_ms / 1000

    def from_node(name: str, mode: str, targets: list[tuple[str, int]]) -> tuple[ProbeResult, ...]:
        node = facts.nodes[name]
        transport = transports.get(name)
        try:
            results = None
            if transport is not None:
                results = probe_from(
                    transport, name, mode, targets, timeout, windows=node.settings.os == "windows"
                )
            if results is None:  # the node cannot run a probe: try from here, and say so
                results = probe_locally(mode, targets, timeout)
        except Exception as exc:  # a bug: these probes are this node's errors, the run goes on
            detail = f"probe failed: {unexpected(exc)}"
            results = [
                ProbeResult(h, p, Outcome.ERROR, detail=detail, origin=name) for h, p in targets
            ]
        return tuple(results)

    captures = plan.capture if multicast else {}
    window = capture_window(facts) if captures else 0.0
    interface = facts.settings.multicast.interface
    with ThreadPoolExecutor(max_workers=len(captures) + 1, thread_name_prefix="mcast") as mc:
        listening = {
            name: mc.submit(capture, transports[name], group, bind, window)
            for name, (group, bind) in captures.items()
            if name in transports
        }
        groups = {group for group, _bind in captures.values()}
        here = (
            mc.submit(listen_locally, interface, next(iter(groups)), window)
            if interface and len(groups) == 1
            else None
        )
        cping = {
            name: pool.submit(from_node, name, "cping", targets)
            for name, targets in plan.cping.items()
        }
        exposure = pool.submit(probe_locally, "cping", plan.exposure, timeout)
        for name, captured in listening.items():
            facts.nodes[name].live.multicast = captured.result()
        if here is not None:
            facts.local.multicast = here.result()
    view = compute_view(facts)
    advertised = {name: (hb.host, hb.port) for name, hb in view.advertised.items()} if view else {}
    receivers = {
        name: pool.submit(from_node, name, "tcp", targets)
        for name, targets in receiver_targets(facts, advertised).items()
    }
    outsider = pool.submit(probe_locally, "tcp", exposure_receivers(facts, advertised), timeout)
    for name, probed in cping.items():
        facts.nodes[name].live.ajp_probes = probed.result()
    for name, probed in receivers.items():
        facts.nodes[name].live.receiver_probes = probed.result()
    facts.local.exposure_probes = tuple(exposure.result())
    facts.local.receiver_probes = tuple(outsider.result())


# Tomcat's defaults: dropTime 3000 ms plus two heartbeats of 500 ms.
DEFAULT_WINDOW_S = 4.0
# What a node's server.xml may make the whole run wait; the inventory may ask for more.
MAX_WINDOW_S = 60.0


def capture_window(facts: ClusterFacts) -> float:
    """Long enough to judge, and no longer (every second is paid by the whole run): every
    member's dropTime plus two heartbeat periods (a member is only gone after dropTime), at most
    MAX_WINDOW_S, or the inventory's window when it asks for more."""
    needed = []
    for node in facts.tomcats:
        summary = node_membership(node) or {}
        try:
            needed.append((int(summary["dropTime"]) + 2 * int(summary["frequency"])) / 1000)
        except (KeyError, ValueError, OverflowError):  # Overflow: 400 digits, over a float
            continue
    window = min(max(needed, default=DEFAULT_WINDOW_S), MAX_WINDOW_S)
    chosen = facts.settings.multicast.window_s
    return window if chosen is None else max(chosen, window)
