"""CC801 tomcat-running."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from clustercheck.checks.common import server_xml
from clustercheck.derive.runtime import ANY, LOOPBACK, WILDCARD, Expected, expected_listeners
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, errored, failed, passed, skipped, warned
from clustercheck.facts.cluster import NodeFacts
from clustercheck.facts.runtime import Listener, ServerProcess

_ALL = ("0.0.0.0", "::")


@check("CC801", "tomcat-running", scope=Scope.NODE, roles=("tomcat",), live=True)
def tomcat_running(node: NodeFacts) -> Iterator[Finding]:
    """A JVM runs for the node's catalina.base, and every Connector and the Receiver of its
    server.xml listen where configured.

    From the node's own process table (`ps`; Win32_Process on Windows) clustercheck finds the
    Bootstrap process started with `-Dcatalina.base=` the node's base (on Windows also the
    procrun service `TomcatN.exe` under CATALINA_HOME\\bin) and says which PID runs it, as
    which user, since when (the node's clock). From the node's socket table (`ss -ltnp`, else
    /proc/net/tcp and tcp6; Get-NetTCPConnection on Windows) it checks every Connector with a
    port (portOffset included) and the Receiver of the Cluster Tomcat starts (any free port
    of [port, port+autoBind), as NioReceiver binds) listen on the address server.xml gives
    (the AJP default of the node's Tomcat version: the loopback address since 9.0.31 / 8.5.51
    / 7.0.100; a name as the node's hosts file resolves it; a Receiver's `auto` is any
    address). A port that nothing of Tomcat listens on fails, naming who holds it when the
    table tells. A listener on another address fails when the configured address is not
    served (clients connecting there are refused); it only warns when Tomcat listens on all
    addresses instead of the one configured: everything server.xml promises is served, but
    the port is open wider than written (which CC103 judges for AJP). A socket table that
    cannot be read is an error for the listening part, never a pass.

    ## Why it matters
    The files say what should run; only the node says what does. A stopped Tomcat shows
    elsewhere as three unrelated symptoms (CPing refused, heartbeats missing, receiver
    refused); a connector that failed to bind (port held by another process, an address the
    host does not have, an edit of server.xml not followed by a restart) leaves the front ends
    failing over to the other nodes while the configuration looks right.

    ## How to fix
    Start the node's Tomcat (`systemctl start tomcat10`, or catalina.sh start) and read its
    log for why it stopped. For a port nothing listens on, read catalina.out for the
    connector's start error ("Address already in use", "Cannot assign requested address"),
    free the port or correct `port`/`address` in server.xml, and restart Tomcat so it binds
    what the file says.
    """
    runtime = node.live.runtime
    if runtime is None:
        yield skipped("what runs was not gathered (a snapshot taken without process tables)")
        return
    if runtime.processes_error:
        yield errored(f"cannot read the process table: {runtime.processes_error}")
        return
    base = node.settings.tomcat.catalina_base
    process = runtime.tomcat
    if process is None:
        yield failed(
            f"{node.name} is not running: no Java process with -Dcatalina.base={base}",
            details={"catalina_base": base},
        )
        return
    running = _process(process)
    details = {"pid": process.pid, "user": process.user, "started_at": process.started_at}
    server, problem = server_xml(node)
    if problem is not None or server is None:
        yield passed(f"runs as {running}; what listens is not judged", details=details)
        if problem is not None:
            yield problem
        return
    if runtime.listeners is None:
        yield passed(f"runs as {running}", details=details)
        yield errored(f"cannot read the socket table: {runtime.listeners_error}")
        return
    shown: list[str] = []
    bad = False
    for expected in expected_listeners(node, server):
        finding, listening = _judge(expected, runtime.listeners, process.pid)
        if finding is not None:
            bad = True
            yield finding
        else:
            shown.append(listening)
    if not bad:
        listens = f"; listens: {', '.join(shown)}" if shown else ""
        yield passed(f"runs as {running}{listens}", details=details)


def _process(process: ServerProcess) -> str:
    """`PID 812 (user tomcat) since 2025-03-02 10:11:12 UTC`."""
    since = ""
    if process.started_at > 0:
        stamp = datetime.fromtimestamp(process.started_at, UTC)
        since = f" since {stamp:%Y-%m-%d %H:%M:%S} UTC"
    return f"PID {process.pid} (user {process.user}){since}"


def _judge(
    expected: Expected, listeners: Sequence[Listener], pid: int
) -> tuple[Finding | None, str]:
    """The finding for one configured socket (None when it listens as configured), and what
    listens, as a pass shows it."""
    where = {"file": expected.file, "line": expected.line, "details": {"kind": expected.kind}}
    on_port = [s for s in listeners if s.port in expected.ports]
    own = [s for s in on_port if s.pid is None or s.pid == pid]
    said = f"{expected.describe()} (server.xml line {expected.line})"
    if not own:
        others = sorted({s.pid for s in on_port if s.pid is not None})
        held = f"PID {', '.join(map(str, others))} holds" if others else "nothing listens on"
        ports = "the port" if len(expected.ports) == 1 else "any port of the range"
        return failed(f"Tomcat (PID {pid}) does not listen on {said}: {held} {ports}", **where), ""
    good = [s for s in own if _serves(expected.address, s.address)]
    if good:
        return None, f"{expected.kind} {good[0].port} on {_shown(good[0].address)}"
    actual = ", ".join(sorted({f"{_shown(s.address)}:{s.port}" for s in own}))
    if any(s.address in _ALL for s in own):
        return warned(
            f"{said}: Tomcat listens on all addresses ({actual}), wider than configured", **where
        ), ""
    return failed(f"{said}: Tomcat listens on {actual} instead", **where), ""


def _serves(wanted: str, address: str) -> bool:
    if wanted == ANY:
        return True
    if wanted == WILDCARD:
        return address in _ALL
    if wanted == LOOPBACK:
        try:
            return ipaddress.ip_address(address).is_loopback
        except ValueError:  # a snapshot's table holds what it holds
            return False
    return address == wanted


def _shown(address: str) -> str:
    return "*" if address in _ALL else address
