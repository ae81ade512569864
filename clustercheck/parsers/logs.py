"""Reading logs as Tomcat, httpd and mod_jk write them: where JULI's file handlers write
(logging.properties), the time each kind of line carries, where the last start begins, the
membership events Tomcat logs, and masking what a log line must not carry out of its node.
Never raises."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from clustercheck.knowledge.secrets import MASK, Secrets
from clustercheck.parsers.properties import parse_java_properties

# --- logging.properties -------------------------------------------------------------------------

# org.apache.juli.FileHandler (and AsyncFileHandler, its subclass) read `directory` (default
# "logs"), `prefix` (default "juli."), `suffix` (default ".log") and `rotatable` (default true:
# the date, yyyy-MM-dd, goes between prefix and suffix) under the handler's name
# (tomcat java/org/apache/juli/FileHandler.java, configure()).
JULI_FILE_HANDLERS = ("org.apache.juli.FileHandler", "org.apache.juli.AsyncFileHandler")
MAX_HANDLERS = 16  # a logging.properties naming more is not judged past these
_PROPERTY = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class FileHandlerSpec:
    """Where one JULI file handler writes: DIRECTORY/PREFIX[yyyy-MM-dd]SUFFIX."""

    name: str  # as logging.properties names it: "1catalina.org.apache.juli.AsyncFileHandler"
    directory: str
    prefix: str
    suffix: str
    rotatable: bool

    def matches(self, file_name: str) -> bool:
        """Whether a file of the directory is one this handler wrote."""
        if not (file_name.startswith(self.prefix) and file_name.endswith(self.suffix)):
            return False
        middle = file_name[len(self.prefix) : len(file_name) - len(self.suffix)]
        return (
            re.fullmatch(r"\d{4}-\d{2}-\d{2}", middle) is not None
            if self.rotatable
            else (middle == "")
        )


def file_handlers(text: str, properties: dict[str, str]) -> list[FileHandlerSpec]:
    """The JULI file handlers the root `handlers` list names, with `${name}` expanded from
    `properties` (catalina.base, catalina.home) as ClassLoaderLogManager does."""
    props = parse_java_properties(text)
    names = [n.strip() for n in props.get("handlers", "").replace(",", " ").split()]
    found = []
    for name in names[:MAX_HANDLERS]:
        if not name.endswith(JULI_FILE_HANDLERS):
            continue

        def value(key: str, default: str, name: str = name) -> str:
            raw = props.get(f"{name}.{key}", default).strip()
            return _PROPERTY.sub(lambda m: properties.get(m.group(1), m.group(0)), raw)

        found.append(
            FileHandlerSpec(
                name,
                value("directory", "logs"),
                value("prefix", "juli."),
                value("suffix", ".log"),
                value("rotatable", "true").lower() != "false",
            )
        )
    return found


# --- time stamps --------------------------------------------------------------------------------

# Tomcat's OneLineFormatter: "03-Dec-2026 22:57:35.030 INFO [main] ..." (dd-MMM-yyyy HH:mm:ss.SSS,
# java/org/apache/juli/OneLineFormatter.java DEFAULT_TIME_FORMAT)
_TOMCAT = re.compile(r"(\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2})(\.\d+)? ")
# httpd's error log and mod_jk's log: "[Thu Dec 03 22:57:34.126099 2026]" (httpd 2.4
# server/log.c, microseconds; mod_jk's JkLogStampFormat default with %Q, milliseconds)
_BRACKETED = re.compile(
    r"\[[A-Z][a-z]{2} ([A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2})(\.\d+)? (\d{4})\]"
)
# journalctl -o short-iso-precise: "2026-12-03T22:57:35.030123+0000 host java[123]: ..."
_ISO = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:?\d{2}|Z))\s")


def line_time(line: str, kind: str, utc_offset_s: int | None) -> float | None:
    """Epoch seconds of a line's own time stamp; None for a line without one (a stack trace's)
    or a local time whose node offset is unknown. A journal line carries its own offset."""
    if kind == "journald":
        found = _ISO.match(line)
        if found is None:
            return None
        try:
            return datetime.fromisoformat(found.group(1)).timestamp()
        except ValueError:
            return None
    if utc_offset_s is None:
        return None
    stamp = _local_stamp(line, kind)
    if stamp is None:
        return None
    text, fraction, layout = stamp
    try:
        local = datetime.strptime(text, layout)
    except ValueError:
        return None
    return calendar.timegm(local.timetuple()) + float(fraction or 0) - utc_offset_s


def _local_stamp(line: str, kind: str) -> tuple[str, str | None, str] | None:
    """(the local time as text, its fraction of a second, its strptime layout)."""
    if kind == "tomcat":
        found = _TOMCAT.match(line)
        return (found.group(1), found.group(2), "%d-%b-%Y %H:%M:%S") if found else None
    found = _BRACKETED.match(line)
    if found is None:
        return None
    text = f"{found.group(1).replace('  ', ' 0')} {found.group(3)}"
    return text, found.group(2), "%b %d %H:%M:%S %Y"


# After OneLineFormatter's time: the level, [the thread] (whose name may hold brackets) and the
# logger's class.method
_TOMCAT_SOURCE = re.compile(r"[A-Z]+ \[.*?\] [\w$.]+\.[\w$<>]+ ")


def strip_stamp(line: str, kind: str) -> str:
    """The message of a line without its time stamp (a finding shows the time on its own) and,
    in Tomcat's, without its level, thread and logger."""
    pattern = {"tomcat": _TOMCAT, "journald": _ISO}.get(kind, _BRACKETED)
    found = pattern.match(line)
    if found is None:
        return line
    rest = line[found.end() :].lstrip()
    source = _TOMCAT_SOURCE.match(rest) if kind == "tomcat" else None
    return rest[source.end() :] if source else rest


def parse_utc_offset(text: str) -> int | None:
    """`date +%z` ("+0100", "-0530") in seconds."""
    found = re.fullmatch(r"([+-])(\d{2})(\d{2})", text.strip())
    if found is None:
        return None
    seconds = int(found.group(2)) * 3600 + int(found.group(3)) * 60
    return -seconds if found.group(1) == "-" else seconds


# --- where the last start begins ----------------------------------------------------------------

# The first line each writes when it starts, as the software prints it: Tomcat's
# VersionLoggerListener ("Server version name:", catalina LocalStrings
# versionLoggerListener.serverInfo.server.version) else StandardService ("Starting service [",
# standardService.start.name); httpd's AH00489 "... configured -- resuming normal operations"
# (AH00163 under prefork in 2.2); mod_jk's init_jk "mod_jk/1.2.48 initialized".
START_MARKERS: dict[str, tuple[str, ...]] = {
    "tomcat": ("Server version name:", "Starting service ["),
    "journald": ("Server version name:", "Starting service ["),
    "httpd": ("resuming normal operations",),
    "modjk": ("initialized",),
}
# Tomcat parses server.xml (and logs what its digester refuses) before the first marker, in its
# main thread; the previous run's last lines are its shutdown's.
_TOMCAT_MAIN = re.compile(r"^\S+ \S+ \w+ \[main\] ")
_TOMCAT_ENDS = ("Destroying ProtocolHandler", "Server startup in", "Stopping service [")
# A process start time (seconds resolution) and its first log line can be this far apart.
START_SLACK_S = 1.0


def since_start(
    lines: Sequence[str], kind: str, started_at: float | None, utc_offset_s: int | None
) -> tuple[int, float | None, str]:
    """(index of the first line since the last start, that start's time, how it was found):
    the process's start time when known and the log's times tell, else the log's own last
    start marker; (0, None, "") when neither tells (the whole tail is kept)."""
    if started_at is not None:
        for index, line in enumerate(lines):
            stamp = line_time(line, kind, utc_offset_s)
            if stamp is not None and stamp >= started_at - START_SLACK_S:
                return _after_previous_run(lines, index, kind), started_at, "the process's start"
        if any(line_time(line, kind, utc_offset_s) is not None for line in lines):
            return len(lines), started_at, "the process's start"
    for marker in START_MARKERS.get(kind, ()):
        found = next((i for i in range(len(lines) - 1, -1, -1) if marker in lines[i]), None)
        if found is None:
            continue
        index = _start_of_main(lines, found) if kind in ("tomcat", "journald") else found
        return index, line_time(lines[index], kind, utc_offset_s), f"the start marker {marker!r}"
    return 0, None, ""


def _after_previous_run(lines: Sequence[str], index: int, kind: str) -> int:
    """The start slack may take in the previous Tomcat's last lines (its shutdown): from its
    own first line when its start marker follows."""
    if kind not in ("tomcat", "journald"):
        return index
    marker = START_MARKERS[kind][0]
    found = next((i for i in range(index, len(lines)) if marker in lines[i]), None)
    return index if found is None else max(index, _start_of_main(lines, found))


def _start_of_main(lines: Sequence[str], index: int) -> int:
    """Back from Tomcat's start marker over what its main thread logged before it (server.xml's
    digester warnings), to the previous run's end."""
    while index > 0:
        before = lines[index - 1]
        stamped = _TOMCAT.match(before) is not None
        if stamped and (not _TOMCAT_MAIN.match(before) or any(e in before for e in _TOMCAT_ENDS)):
            break
        index -= 1
    return index


# --- Tomcat's membership events -----------------------------------------------------------------

# What SimpleTcpCluster and TcpFailureDetector log as members come and go (catalina-ha
# LocalStrings simpleTcpCluster.member.added / .disappeared, catalina-tribes
# tcpFailureDetector.still.alive / .member.disappeared / performBasicCheck.memberAdded); the
# member is printed as MemberImpl[tcp://{10, 0, 0, 5}:4000,...].
MEMBER_EVENTS: tuple[tuple[str, bool], ...] = (
    ("Replication member added:[", True),
    ("Member added, even though we weren't notified:[", True),
    ("Verification complete. Member still alive[", True),
    ("Received member disappeared:[", False),
    ("Verification complete. Member disappeared[", False),
)
_MEMBER = re.compile(r"tcp://\{([-\d, ]+)\}:(\d+)")


def member_event(line: str) -> tuple[str, bool] | None:
    """(the member as "host:port", admitted or dropped) for a membership line, else None."""
    for text, admitted in MEMBER_EVENTS:
        if text in line:
            member = member_of(line)
            return (member, admitted) if member else None
    return None


def member_of(line: str) -> str | None:
    """The first member a line names, "10.0.0.5:4000" (IPv4; an IPv6 member's 16 bytes
    joined by colons of hex pairs)."""
    found = _MEMBER.search(line)
    if found is None:
        return None
    try:
        octets = [int(b) & 0xFF for b in found.group(1).replace(" ", "").split(",") if b]
    except ValueError:
        return None
    if len(octets) == 4:
        host = ".".join(map(str, octets))
    elif len(octets) == 16:
        host = "[" + ":".join(f"{octets[i]:02x}{octets[i + 1]:02x}" for i in range(0, 16, 2)) + "]"
    else:
        return None
    return f"{host}:{found.group(2)}"


# --- masking ------------------------------------------------------------------------------------

# What a log line may carry that must not leave the node: a value set under a secret's name
# (`secret=`, `password=`, `requiredSecret="..."`), an Authorization header, and session ids (a
# live one lets its holder take the session over): JSESSIONID cookies and ;jsessionid= paths,
# Tomcat's "session [ID]" / "sessionid [ID]", mod_jk's "for session ID", and any id shaped as
# Tomcat's StandardSessionIdGenerator makes them (hex, 16 bytes by default, then .jvmRoute).
_MASKS = (
    re.compile(
        r"""(?i)((?:secret|password|passwd|pwd|passphrase|token|secretkey)["']?\s*[=:]\s*["']?)"""
        r"""([^"'\s,;&\]}]+)"""
    ),
    re.compile(r"(?i)(authorization\s*[:=]\s*(?:\w+\s+)?)(\S+)"),
    re.compile(r"(?i)(jsessionid\s*[=:]\s*)([^\s;,&?#\]\"']+)"),
    re.compile(r"(?i)(session\s*(?:id)?\s*\[(?:id=)?)([^\]\s]+)"),
    re.compile(r"(?i)(for session )(\S+)"),
    re.compile(r"()\b[0-9A-Fa-f]{32}(?:[0-9A-Fa-f]{32})?\b"),
)


def mask_line(line: str, secrets: Secrets) -> str:
    """The line with every known secret of the node and every generic secret or session id
    replaced by `***`."""
    line = secrets.replace(line, lambda _secret: MASK)
    for pattern in _MASKS:
        line = pattern.sub(lambda m: m.group(1) + MASK, line)
    return line
