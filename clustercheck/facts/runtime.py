"""What runs on a node, as its own process and socket tables tell: the truth beside the files.

A config file says what should run; these records say what does (CC801 tomcat-running, CC104
frontend-build, CC802 config-not-applied). Times are epoch seconds by the node's own clock, so a
process's start and a file's modification time compare without trusting clustercheck's clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from clustercheck.facts.record import Record


@dataclass(frozen=True)
class ServerProcess(Record):
    """A running server: Tomcat's JVM (the Bootstrap process for the node's catalina.base) or
    httpd's parent process."""

    pid: int
    user: str
    started_at: float  # epoch seconds, node clock
    exe: str | None = None  # /proc/PID/exe as the kernel shows it (" (deleted)" kept)


@dataclass(frozen=True)
class Listener(Record):
    """A listening TCP socket from the node's socket table."""

    address: str  # as bound: "0.0.0.0", "::", "10.0.0.5", "127.0.0.1"
    port: int
    pid: int | None = None  # the owning process, when the table tells (ss -p as root)


@dataclass(frozen=True)
class Connection(Record):
    """An established TCP connection from the node's socket table: who talks to whom (CC506
    reads the Tribes connections between static members from it)."""

    local: str
    local_port: int
    remote: str
    remote_port: int


@dataclass
class RuntimeFacts(Record):
    """A node's process and socket tables, read once per run."""

    now: float  # the node's clock when its process table was read (epoch seconds)
    tomcat: ServerProcess | None = None  # tomcat nodes: None when no JVM runs for catalina.base
    httpd: ServerProcess | None = None  # apache nodes: None when no httpd runs
    listeners: tuple[Listener, ...] | None = None  # None: the socket table could not be read
    listeners_error: str | None = None  # why not
    # established TCP connections (the first 5000 the table lists); None: not read
    connections: tuple[Connection, ...] | None = None
    # path on the node -> modification time (epoch seconds, node clock): the files a server reads
    stamps: dict[str, float] = field(default_factory=dict)
    # why the process table (or the node's clock, then `now` is 0) could not be read: `tomcat`
    # and `httpd` are then unknown, not absent
    processes_error: str | None = None
