"""What runs on a node: its clock, process table and listening sockets, read in one command, and
the two servers found in them (Tomcat's JVM for the node's catalina.base, httpd's parent).

The script is a constant (POSIX sh; PowerShell on Windows); nothing read from the node is run.
A process's start is the node's clock minus the process's elapsed time, both from the node, so
it compares with the node's file times without trusting clustercheck's clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clustercheck.collect.batch import Answers
from clustercheck.collect.transports.base import Transport, TransportError
from clustercheck.collect.transports.shells import powershell_script
from clustercheck.derive.targets import is_loopback
from clustercheck.facts.runtime import Connection, Listener, RuntimeFacts, ServerProcess
from clustercheck.inventory.settings import NodeSettings
from clustercheck.knowledge.resolvers import WILDCARDS
from clustercheck.parsers.ps import PsEntry, find_httpd, find_tomcat
from clustercheck.parsers.runtime import RuntimeOutput, parse_runtime, parse_windows_runtime

CONNECTIONS_CAP = 5000  # established connections listed (a busy front end has thousands)
LISTENERS_MOST = 500  # ss lines let through beside the connections: a host's listeners, and room
# The clock, then ps with elapsed seconds (procps >= 3.3), else with [[dd-]hh:]mm:ss (busybox,
# older procps), then from one ss (iproute2; -p names owners the user may see) the listening TCP
# sockets and the established connections (the kernel lists listeners first: the cap cuts only
# connections), else the kernel's /proc/net/tcp{,6} (both in one table). Each section is
# announced by the command that answered it, so the parser knows the format. ss answers with at
# least the listener of the sshd it is reached through: empty output means it failed.
POSIX_SCRIPT = (
    'echo "== now"; date +%s; '
    "if t=$(ps -ww -eo pid=,ppid=,user:32=,etimes=,args= 2>/dev/null); then "
    'echo "== ps etimes"; else echo "== ps etime"; '
    "t=$(ps -eo pid,ppid,user,etime,args 2>/dev/null || ps -o pid,ppid,user,etime,args); fi; "
    'printf "%s\\n" "$t"; '
    "t=$(ss -tnpH state listening state established 2>/dev/null "
    f"| head -n {LISTENERS_MOST + CONNECTIONS_CAP}); "
    'if [ -n "$t" ]; then echo "== ss"; '
    'elif t=$(cat /proc/net/tcp && cat /proc/net/tcp6 2>/dev/null); then echo "== proc"; '
    'else echo "== no sockets"; fi; printf "%s\\n" "$t"; exit 0'
)
# Each PID's binary, NUL-terminated (empty when the process is gone or not the user's to see).
EXE_SCRIPT = 'for p; do printf "%s\\0" "$(readlink "/proc/$p/exe")"; done'
# Windows: only the processes that can be a Tomcat or an httpd are listed, with their owner.
# Built and unit-tested on recorded output, not run here (no Windows host).
WINDOWS_SCRIPT = r"""
$now=[DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
$ps=@(Get-CimInstance Win32_Process | Where-Object {
    $_.CommandLine -like '*catalina.base*' -or $_.Name -match '^(tomcat\d*|httpd)\.exe$' } |
  ForEach-Object { $o=Invoke-CimMethod -InputObject $_ -MethodName GetOwner
    @{pid=[int]$_.ProcessId; ppid=[int]$_.ParentProcessId
      user=$(if ($o.User) { "$($o.Domain)\$($o.User)" } else { $null })
      started=([DateTimeOffset]$_.CreationDate).ToUnixTimeSeconds()
      exe=$_.ExecutablePath; args=$_.CommandLine} })
$out=@{now=$now; processes=$ps}
try { $out.listeners=@(Get-NetTCPConnection -State Listen -ErrorAction Stop | ForEach-Object {
    @{address=$_.LocalAddress; port=[int]$_.LocalPort; pid=[int]$_.OwningProcess} }) }
catch { $out.listeners_error=$_.Exception.Message }
$out | ConvertTo-Json -Compress -Depth 4
"""


@dataclass(frozen=True)
class Running:
    """The node's runtime facts, and the running Tomcat's command line for the JVM facts (its
    networking options); the command line itself is never kept: it may hold secrets."""

    facts: RuntimeFacts
    tomcat_words: list[str] | None = None


POSIX_COMMAND: tuple[str, ...] = ("sh", "-c", POSIX_SCRIPT, "sh")


def gather_runtime(
    transport: Transport,
    node: NodeSettings,
    answers: Answers | None = None,
    own: Sequence[str] = (),
) -> Running:
    """One command for the clock, the processes and the sockets (POSIX: taken from `answers`,
    what the node said in a batch, when it is there); one more for the binaries of the servers
    found (POSIX: /proc/PID/exe). `own`: the node's addresses, which its sockets are kept to."""
    windows = node.os == "windows"
    answer = None if windows else (answers or {}).get(POSIX_COMMAND)
    if answer is None:
        argv = powershell_script(WINDOWS_SCRIPT, []) if windows else list(POSIX_COMMAND)
        try:
            result = transport.run(argv)
        except TransportError as exc:
            return Running(_unread(f"not asked: {exc}"))
        if result.timed_out:
            return Running(_unread("no answer within the command timeout"))
        stdout = result.stdout
    else:
        stdout = answer.stdout
    text = stdout.decode("utf-8", "surrogateescape")
    output = parse_windows_runtime(text) if windows else parse_runtime(text)
    tomcat = httpd = None
    if node.has_role("tomcat") and node.tomcat.catalina_base:
        tomcat = find_tomcat(output.table, node.tomcat.catalina_base, node.tomcat.home)
    if node.has_role("apache"):
        httpd = find_httpd(output.table, node.apache.httpd_conf, node.apache.server_root)
    exes = _binaries(transport, [p for p in (tomcat, httpd) if p and p.exe is None])
    facts = _facts(output, exes, tomcat, httpd, frozenset(own))
    return Running(facts, tomcat.words if tomcat else None)


def _unread(why: str) -> RuntimeFacts:
    return RuntimeFacts(0.0, listeners_error=why, processes_error=why)


def _facts(
    output: RuntimeOutput,
    exes: dict[int, str],
    tomcat: PsEntry | None,
    httpd: PsEntry | None,
    own: frozenset[str],
) -> RuntimeFacts:
    def server(entry: PsEntry | None) -> ServerProcess | None:
        if entry is None:
            return None
        started = entry.started_at if entry.started_at is not None else 0.0
        return ServerProcess(entry.pid, entry.user, started, entry.exe or exes.get(entry.pid))

    listeners = None
    if output.sockets is not None:
        listeners = tuple(
            Listener(s.address, s.port, s.pid) for s in output.sockets if _mine(s.address, own)
        )
    connections = None
    if output.links is not None:
        links = [c for c in output.links if _mine(c.local, own)]
        connections = tuple(
            Connection(c.local, c.local_port, c.remote, c.remote_port)
            for c in links[:CONNECTIONS_CAP]
        )
    return RuntimeFacts(
        output.table.now or 0.0,
        tomcat=server(tomcat),
        httpd=server(httpd),
        listeners=listeners,
        connections=connections,
        listeners_error=output.sockets_error,
        processes_error=output.table.error,
    )


def _mine(address: str, own: frozenset[str]) -> bool:
    """Whether a socket bound to `address` can be the node's: one of its own addresses (`own`,
    as `ip addr` lists them; empty: not known, every socket is), a wildcard or loopback. A
    socket table that also lists other hosts' sockets (containers sharing one network
    namespace, or the benchmark's simulated nodes) is kept to the node's own."""
    return not own or address in own or address in WILDCARDS or is_loopback(address)


def _binaries(transport: Transport, entries: list[PsEntry]) -> dict[int, str]:
    """PID -> the binary the kernel says the process runs (" (deleted)" when replaced)."""
    if not entries:
        return {}
    pids = [str(e.pid) for e in entries]
    try:
        result = transport.run(["sh", "-c", EXE_SCRIPT, "sh", *pids])
    except TransportError:
        return {}
    paths = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    return {e.pid: path for e, path in zip(entries, paths, strict=False) if path}
