"""Gathering: one transport per node, all nodes at once, every failure turned into facts.

This is the only place (with the transports it drives) that does I/O on nodes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from clustercheck.facts import ClusterFacts, LiveFacts, NodeFacts
from clustercheck.gather_apache import gather_apache
from clustercheck.gather_tomcat import gather_tomcat
from clustercheck.live import gather_live, resolve_unmatched_worker_hosts
from clustercheck.reader import NodeReader
from clustercheck.settings import ClusterSettings, NodeSettings
from clustercheck.transports.base import Transport, TransportError

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
            from clustercheck.transports.localfs import FilesTransport

            return FilesTransport(node.root or "")
        if node.transport == "local":
            from clustercheck.transports.localfs import LocalTransport

            return LocalTransport()
        from clustercheck.transports.ssh import HostKeyStore, SshTransport

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
) -> ClusterFacts:
    """Facts of every node, gathered concurrently; never raises because of one node."""
    factory = factory or TransportFactory()
    started = datetime.now(UTC)
    clock = time.monotonic()

    def one(node: NodeSettings) -> NodeFacts:
        facts = gather_node(node, factory(node), on_read)
        if on_progress:
            on_progress(node.name, "ok" if facts.reachable else "unreachable")
        return facts

    workers = max(1, min(parallel, len(settings.nodes)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gather") as pool:
        results = list(pool.map(one, settings.nodes))
    facts = ClusterFacts(
        settings=settings,
        nodes={facts.name: facts for facts in results},
        started_at=started.isoformat(timespec="seconds"),
    )
    facts.dns = resolve_unmatched_worker_hosts(facts)
    facts.duration_s = time.monotonic() - clock
    return facts


def gather_node(
    node: NodeSettings, transport: Transport, on_read: OnRead | None = None
) -> NodeFacts:
    facts = NodeFacts(settings=node, offline=not transport.live)
    start = time.monotonic()
    facts.live = LiveFacts(collected_at=datetime.now(UTC).isoformat(timespec="seconds"))
    try:
        transport.connect()
        reader = NodeReader(
            transport,
            windows=node.os == "windows",
            on_read=(lambda path, data: on_read(node.name, path, data)) if on_read else None,
        )
        if node.has_role("apache"):
            facts.apache = gather_apache(reader, node.apache)
        if node.has_role("tomcat"):
            facts.tomcat = gather_tomcat(reader, node.tomcat)
        if transport.live:
            gather_live(transport, node, facts.live)
        facts.files = reader.reads
    except TransportError as exc:
        facts.live.reachable = False
        facts.live.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    finally:
        transport.close()
        facts.live.duration_s = round(time.monotonic() - start, 3)
    return facts
