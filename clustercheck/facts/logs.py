"""What Tomcat, httpd and mod_jk wrote in their logs since they last started: the tails CC803
log-signatures judges and Tomcat's own view of its cluster membership is read from.

Lines are stored masked (collect/logs.py): no secret, password, Authorization header or session
id of a node reaches the facts, a snapshot or a report. Times are the node's: its UTC offset is
kept so a log's local timestamps compare with epoch seconds."""

from __future__ import annotations

from dataclasses import dataclass

from clustercheck.facts.record import Record

# The kinds of log, each written in its own format (parsers/logs.py reads their timestamps).
KINDS = ("tomcat", "journald", "httpd", "modjk")


@dataclass(frozen=True)
class LogTail(Record):
    """The end of one log, from the last start of the process that writes it."""

    path: str  # on the node; `journal:UNIT` for the journal of a systemd unit
    kind: str  # one of KINDS
    source: str  # where the location came from: "logging.properties", "ErrorLog at FILE:LINE"
    lines: tuple[str, ...] = ()  # masked, oldest first
    first_line: int | None = None  # the line number of lines[0] in the file, when counted
    truncated: bool = False  # longer than the byte cap: only its end was read
    since: float | None = None  # epoch seconds (node clock) of the start the lines follow
    since_how: str = ""  # how that start was found (process start, a start marker, none)
    error: str | None = None  # why it could not be read (piped, syslog, missing, denied)


@dataclass(frozen=True)
class LogFacts(Record):
    """A node's log tails, read in one pass."""

    utc_offset_s: int | None  # the node's offset from UTC (`date +%z`), for its local times
    tails: tuple[LogTail, ...] = ()
