"""Reads the ends of a node's logs (CC803 log-signatures, Tomcat's membership view): where the
configuration says they are (Tomcat's CATALINA_OUT and JULI file handlers, the journal of its
systemd unit, httpd's ErrorLog in the main server and each VirtualHost, mod_jk's JkLogFile), or
where the inventory's `tomcat.logs` / `apache.logs` say instead.

Each file costs one command: the node's time and UTC offset, the file's size and, up to
COUNT_LINES_UP_TO, its line count (for line numbers), and its last LOG_CAP bytes, read with a
seek, never the whole file. Lines are cut to the last start of the process that writes them
and masked (parsers/logs.mask_line) before they become facts: nothing secret is stored."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.base import CommandRefused, CommandResult, Transport
from clustercheck.facts.files import ApacheFacts
from clustercheck.facts.live import LiveFacts
from clustercheck.facts.logs import LogFacts, LogTail
from clustercheck.inventory.settings import NodeSettings
from clustercheck.knowledge.secrets import Secrets
from clustercheck.parsers.logs import file_handlers, mask_line, parse_utc_offset, since_start
from clustercheck.parsers.text import bounded_int, decode

LOG_CAP = 1024 * 1024  # bytes of each log read: its end
COUNT_LINES_UP_TO = 64 * 1024 * 1024  # larger files get no line numbers (counting reads it all)
MAX_LOGS = 16  # log files read per node
JOURNAL_LINES = 20_000  # journal lines asked for when the process's start is not known

# $1 file, $2 cap, $3 count limit. Prints the node's time and UTC offset, then
# "== SIZE LINES" (LINES "-" when not counted) and the file's last $2 bytes, or "== missing",
# "== not a file", "== denied". A FIFO or a device is never opened.
TAIL_SCRIPT = (
    'date "+%s %z"; '
    'if [ ! -e "$1" ]; then echo "== missing"; exit 0; fi; '
    'if [ ! -f "$1" ]; then echo "== not a file"; exit 0; fi; '
    'if [ ! -r "$1" ]; then echo "== denied"; exit 0; fi; '
    'size=$(stat -L -c %s -- "$1") || exit 3; lines=-; '
    'if [ "$size" -le "$3" ]; then lines=$(head -c "$size" -- "$1" | wc -l); fi; '
    'echo "== $size $lines"; '
    'if [ "$size" -gt "$2" ]; then tail -c +$((size - $2 + 1)) -- "$1" | head -c "$2"; '
    'else head -c "$size" -- "$1"; fi'
)
# $1 unit (may be empty), $2 PID of the running Tomcat (may be empty: its cgroup names the
# unit), $3 since (epoch seconds, may be empty), $4 lines, $5 cap. Prints the time and offset,
# "== UNIT" (or "== no unit", "== no journalctl"), then the unit's journal since its start.
JOURNAL_SCRIPT = (
    'date "+%s %z"; u=$1; '
    'if [ -z "$u" ] && [ -n "$2" ] && [ -r "/proc/$2/cgroup" ]; then '
    "u=$(sed -n 's#^0::.*/\\([^/]*\\.service\\)$#\\1#p' \"/proc/$2/cgroup\" | head -n 1); fi; "
    'if [ -z "$u" ]; then echo "== no unit"; exit 0; fi; '
    'command -v journalctl >/dev/null 2>&1 || { echo "== no journalctl"; exit 0; }; '
    'echo "== $u"; '
    'if [ -n "$3" ]; then journalctl -u "$u" --since "@$3" -o short-iso-precise --no-pager '
    '-q -n "$4"; else journalctl -u "$u" -o short-iso-precise --no-pager -q -n "$4"; fi '
    '| tail -c "$5"'
)


@dataclass(frozen=True)
class Location:
    """A log to read and where its location came from."""

    path: str
    kind: str
    source: str
    error: str | None = None  # cannot be read as a file (piped, syslog)


def gather_logs(
    transport: Transport,
    reader: NodeReader,
    node: NodeSettings,
    live: LiveFacts,
    apache: ApacheFacts | None,
) -> LogFacts | None:
    """The node's log tails since the last start, masked; None on Windows (not read there)."""
    if node.os == "windows":
        return None
    secrets = Secrets(reader.secrets)
    tails: list[LogTail] = []
    offset: int | None = None
    runtime = live.runtime
    for where in locations(reader, node, apache)[:MAX_LOGS]:
        process = runtime.tomcat if runtime and where.kind == "tomcat" else None
        process = runtime.httpd if runtime and where.kind in ("httpd", "modjk") else process
        tail, found = _tail(transport, where, process.started_at if process else None, secrets)
        offset = found if found is not None else offset
        tails.append(tail)
    if node.has_role("tomcat") and not node.tomcat.logs:
        pid = runtime.tomcat.pid if runtime and runtime.tomcat else None
        started = runtime.tomcat.started_at if runtime and runtime.tomcat else None
        journal = _journal(transport, node.tomcat.systemd_unit, pid, started, secrets)
        if journal is not None:
            tails.append(journal[0])
            offset = journal[1] if journal[1] is not None else offset
    return LogFacts(offset, tuple(tails))


def locations(reader: NodeReader, node: NodeSettings, apache: ApacheFacts | None) -> list[Location]:
    """Where the node's logs are: the inventory's lists when given, else the configuration's."""
    found: list[Location] = []
    if node.has_role("tomcat"):
        if node.tomcat.logs:
            found += [
                Location(p, "tomcat", "the inventory's tomcat.logs") for p in node.tomcat.logs
            ]
        else:
            found += _tomcat_logs(reader, node)
    if node.has_role("apache"):
        if node.apache.logs:
            found += [
                Location(p, _apache_kind(p), "the inventory's apache.logs")
                for p in node.apache.logs
            ]
        elif apache is not None:
            found += _apache_logs(reader, apache)
    unique: dict[str, Location] = {}
    for where in found:
        unique.setdefault(where.path, where)
    return list(unique.values())


def first_paths(reader: NodeReader, node: NodeSettings) -> list[str]:
    """The logging configuration _tomcat_logs reads (gather_node fetches it with the node's
    other first reads)."""
    if not node.has_role("tomcat") or node.tomcat.logs or node.os == "windows":
        return []
    base = node.tomcat.catalina_base or ""
    folders = dict.fromkeys((base, node.tomcat.home or base))
    return [reader.join(folder, "conf/logging.properties") for folder in folders]


def _tomcat_logs(reader: NodeReader, node: NodeSettings) -> list[Location]:
    """CATALINA_OUT (catalina.sh's default, $CATALINA_BASE/logs/catalina.out) and the newest file
    of every JULI file handler of logging.properties (the base's, else the home's)."""
    base = node.tomcat.catalina_base or ""
    home = node.tomcat.home or base
    found = [Location(reader.join(base, "logs/catalina.out"), "tomcat", "CATALINA_OUT")]
    for folder in dict.fromkeys((base, home)):
        path = reader.join(folder, "conf/logging.properties")
        data = reader.read(path)
        if data is None:
            reader.reads.pop(path, None)
            continue
        properties = {"catalina.base": base, "catalina.home": home}
        handlers = file_handlers(decode(data), properties)
        reader.prefetch_dirs(reader.join(base, handler.directory) for handler in handlers)
        for handler in handlers:
            directory = reader.join(base, handler.directory)
            entries = reader.list_dir(directory)
            if entries is None:
                reader.reads.pop(directory, None)
                continue
            names = sorted(e.name for e in entries if not e.is_dir and handler.matches(e.name))
            if names:
                source = f"{path}: {handler.name}"
                found.append(Location(reader.join(directory, names[-1]), "tomcat", source))
        break
    return found


def _apache_logs(reader: NodeReader, apache: ApacheFacts) -> list[Location]:
    """httpd's ErrorLog (main server, each VirtualHost; httpd's default logs/error_log when none
    is set) and mod_jk's JkLogFile, relative paths against ServerRoot as httpd resolves them."""
    root = apache.server_root or "/"
    found: list[Location] = []
    error_logs = [d for d in apache.directives if d.lname == "errorlog" and d.args]
    if not error_logs and apache.httpd_conf:
        found.append(Location(reader.join(root, "logs/error_log"), "httpd", "httpd's default"))
    for directive in error_logs:
        source = f"ErrorLog at {directive.file}:{directive.line}"
        found.append(_httpd_location(reader, root, directive.args[0], "httpd", source))
    for directive in apache.directives:
        if directive.lname == "jklogfile" and directive.args:
            source = f"JkLogFile at {directive.file}:{directive.line}"
            found.append(_httpd_location(reader, root, directive.args[0], "modjk", source))
    return found


def _httpd_location(reader: NodeReader, root: str, value: str, kind: str, source: str) -> Location:
    """A log directive's file; a piped log or syslog is named with why it is not read."""
    if value.startswith("|"):
        return Location(value, kind, source, "piped to a program: clustercheck cannot read it")
    if value == "syslog" or value.startswith("syslog:"):
        return Location(value, kind, source, "sent to syslog: clustercheck cannot read it")
    return Location(reader.join(root, value), kind, source)


def _apache_kind(path: str) -> str:
    """An inventory-named log of an apache node: mod_jk's when its name says so."""
    return "modjk" if "jk" in posixpath.basename(path).lower() else "httpd"


def _tail(
    transport: Transport, where: Location, started_at: float | None, secrets: Secrets
) -> tuple[LogTail, int | None]:
    """One log's tail since the last start, and the node's UTC offset it reported."""
    if where.error is not None:
        return LogTail(where.path, where.kind, where.source, error=where.error), None
    argv = ["sh", "-c", TAIL_SCRIPT, "sh", where.path, str(LOG_CAP), str(COUNT_LINES_UP_TO)]
    failed = _failure(transport, argv)
    if isinstance(failed, str):
        return LogTail(where.path, where.kind, where.source, error=failed), None
    clock, status, data = _sections(failed.stdout)
    offset = parse_utc_offset(clock.partition(" ")[2])
    words = status.split()
    if not words or not words[0].isdigit():
        why = status or f"the node did not answer ({failed.exit_status})"
        return LogTail(where.path, where.kind, where.source, error=why), offset
    size = bounded_int(words[0])
    counted = bounded_int(words[1]) if len(words) > 1 and words[1].isdigit() else None
    truncated = size > LOG_CAP
    if truncated:  # its first line is a piece of one
        data = data.partition(b"\n")[2]
    lines = decode(data).splitlines()
    first = counted - data.count(b"\n") + 1 if counted is not None else None
    start, since, how = since_start(lines, where.kind, started_at, offset)
    tail = LogTail(
        where.path,
        where.kind,
        where.source,
        lines=tuple(mask_line(line, secrets) for line in lines[start:]),
        first_line=first + start if first is not None else None,
        truncated=truncated,
        since=since,
        since_how=how,
    )
    return tail, offset


def _journal(
    transport: Transport,
    unit: str | None,
    pid: int | None,
    started_at: float | None,
    secrets: Secrets,
) -> tuple[LogTail, int | None] | None:
    """The journal of the unit Tomcat runs under (the inventory's, else its process's cgroup's)
    since its start; None when no unit is known or the node has no journal."""
    since = str(int(started_at)) if started_at is not None else ""
    argv = ["sh", "-c", JOURNAL_SCRIPT, "sh", unit or "", str(pid or ""), since]
    failed = _failure(transport, [*argv, str(JOURNAL_LINES), str(LOG_CAP)])
    source = "the inventory's tomcat.systemd_unit" if unit else "the running Tomcat's cgroup"
    if isinstance(failed, str):
        return (
            (LogTail(f"journal:{unit}", "journald", source, error=failed), None) if unit else None
        )
    clock, status, data = _sections(failed.stdout)
    offset = parse_utc_offset(clock.partition(" ")[2])
    if status in ("no unit", "no journalctl", ""):
        why = status or f"the node did not answer ({failed.exit_status})"
        return (LogTail(f"journal:{unit}", "journald", source, error=why), offset) if unit else None
    lines = decode(data).splitlines()
    if len(data) >= LOG_CAP:
        lines = lines[1:]
    start, since_at, how = since_start(lines, "journald", started_at, offset)
    tail = LogTail(
        f"journal:{status}",
        "journald",
        source,
        lines=tuple(mask_line(line, secrets) for line in lines[start:]),
        truncated=len(data) >= LOG_CAP,
        since=since_at,
        since_how=how,
    )
    return tail, offset


def _failure(transport: Transport, argv: list[str]) -> CommandResult | str:
    """The command's result, or why it gave none (one line). A lost connection is the node's
    error (TransportError goes on up), as for every command."""
    try:
        result = transport.run(argv)
    except CommandRefused as exc:
        return f"not read: {exc}"
    if result.timed_out:
        return "not read: no answer within the command timeout"
    return result


def _sections(output: bytes) -> tuple[str, str, bytes]:
    """(the clock line, the status after "== ", the data after it) of a script's output."""
    clock, _, rest = output.partition(b"\n")
    status, _, data = rest.partition(b"\n")
    text = status.decode("utf-8", "replace")
    return clock.decode("ascii", "replace").strip(), text.removeprefix("== ").strip(), data
