"""How many requests one httpd serves at once and in how many processes: its MPM's
directives read with httpd's defaults per MPM and corrected as httpd corrects them at start-up
(knowledge.httpd; mpm_common.html, prefork.html, worker.html, event.html, mpm_winnt.html).
And, on the other side of the seam, how many of those connections one Tomcat AJP connector
takes: its maxThreads (or its Executor's), maxConnections and acceptCount, with the defaults of
the node's Tomcat version (knowledge.tomcat)."""

from __future__ import annotations

from dataclasses import dataclass

from clustercheck.derive.frontend import Capacity, Seam
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge import tomcat
from clustercheck.knowledge.classes import java_integer, property_value
from clustercheck.knowledge.httpd import MAX_REQUEST_WORKERS, mpm_limits
from clustercheck.parsers.httpd_mpm import MpmSettings, MpmValue
from clustercheck.parsers.serverxml import Connector

INT_BOUNDS = (-(2**31), 2**31 - 1)


def httpd_capacity(node: NodeFacts) -> Capacity | None:
    """The node's httpd capacity; None when its MPM settings were not read (no httpd_conf), or
    it has no one MPM."""
    mpm = node.apache.mpm if node.apache else None
    if mpm is None or mpm.mpm is None or mpm.module is None:
        return None
    rules = mpm.mpm
    limits = mpm_limits(rules, {name: value.value for name, value in mpm.values.items()})
    module = mpm.module
    if module.static:
        loaded = Seam(rules.name, f"{rules.name} MPM (linked in)", defaulted=True)
    else:
        directive = f"LoadModule {module.name}"
        loaded = Seam(rules.name, directive, module.file, module.line, written=module.path)
    workers = next((mpm.values[d] for d in MAX_REQUEST_WORKERS if d in mpm.values), None)
    return Capacity(
        mpm=loaded,
        server_limit=_seam(mpm, "serverlimit", "ServerLimit", limits.server_limit),
        threads_per_child=_seam(mpm, "threadsperchild", "ThreadsPerChild", limits.threads_per_child)
        if rules.threaded
        else Seam(1, "ThreadsPerChild (prefork: one per process)", defaulted=True),
        max_request_workers=_written(workers, "MaxRequestWorkers", limits.max_request_workers)
        if rules.name != "winnt"
        else _seam(mpm, "threadsperchild", "ThreadsPerChild", limits.max_request_workers),
        corrections=limits.corrections,
    )


def _seam(mpm: MpmSettings, key: str, directive: str, used: int) -> Seam[int]:
    return _written(mpm.values.get(key), directive, used)


def _written(value: MpmValue | None, directive: str, used: int) -> Seam[int]:
    """The value httpd uses, where it was written (as written), or its default."""
    if value is None:
        return Seam(used, directive, defaulted=True)
    return Seam(used, value.directive, value.file, value.line, written=value.written)


@dataclass(frozen=True)
class ConnectorCapacity:
    """What one AJP connector takes: requests it serves at once (`threads`), connections it
    holds (`connections`; None: no limit), and connections the operating system queues beyond
    them (`backlog`). `bio`: one thread per connection, idle or not."""

    threads: Seam[int]
    connections: Seam[int | None]
    backlog: Seam[int]
    bio: bool

    @property
    def accepts(self) -> int | None:
        """Connections it takes before refusing: held plus queued (None: no limit)."""
        held = self.connections.value
        return None if held is None else held + self.backlog.value


def connector_capacity(node: NodeFacts, connector: Connector) -> ConnectorCapacity:
    """The connector's limits, with the defaults of the node's Tomcat version (its newest
    release's when the version is unknown)."""
    server = node.tomcat.server if node.tomcat else None
    path = server.path if server else None
    version = node.tomcat.version if node.tomcat else None
    defaults = tomcat.ajp_pool_defaults(version, connector.protocol)
    executor = connector.executor
    if executor is not None:
        name = property_value(executor.attrs, "name") or ""
        threads = _attribute(
            executor.attrs,
            "maxThreads",
            tomcat.EXECUTOR_MAX_THREADS,
            path,
            executor.line,
            shown=f"<Executor {name}> maxThreads",
        )
    else:
        threads = _attribute(
            connector.attrs, "maxThreads", defaults.max_threads, path, connector.line
        )
    written = _attribute(connector.attrs, "maxConnections", 0, path, connector.line)
    connections: Seam[int | None]
    if defaults.bio and written.value == 0:  # JIoEndpoint: 0 (the default) is maxThreads
        connections = Seam(threads.value, "maxConnections (as maxThreads)", defaulted=True)
    elif written.defaulted:
        connections = Seam(defaults.max_connections, "maxConnections", defaulted=True)
    else:  # NIO: -1 counts no connections
        limit = None if written.value < 0 and not defaults.bio else written.value
        connections = Seam(
            limit, "maxConnections", written.file, written.line, written=written.written
        )
    backlog = _attribute(
        connector.attrs, "acceptCount", defaults.accept_count, path, connector.line
    )
    return ConnectorCapacity(threads, connections, backlog, defaults.bio)


def _attribute(
    attrs: dict[str, str],
    name: str,
    default: int,
    file: str | None,
    line: int,
    shown: str | None = None,
) -> Seam[int]:
    """An int attribute as IntrospectionUtils sets it (Integer.valueOf; a value it cannot
    convert leaves the default, which CC604 reports); `shown` names it in messages."""
    written = property_value(attrs, name)
    value = java_integer(written, INT_BOUNDS) if written is not None else None
    if value is None:
        return Seam(default, shown or name, defaulted=True)
    return Seam(value, shown or name, file, line, written=written)
