"""Reads the ends of a node's logs (CC803 log-signatures, Tomcat's membership view): where the
configuration says they are (Tomcat's CATALINA_OUT and JULI file handlers, the journal of its
systemd unit, httpd's ErrorLog in the main server and each VirtualHost, mod_jk's JkLogFile), or
where the inventory's `tomcat.logs` / `apache.logs` say instead.

Each file is one command, all asked in one exec with the node's other late commands (gather.py):
the node's time and UTC offset, the file's size and, up to COUNT_LINES_UP_TO, its line count
(for line numbers), and its last LOG_CAP bytes, read with a seek, never the whole file. Lines
are cut to the last start of the process that writes them and masked (parsers/logs.mask_line)
before they become facts: nothing secret is stored."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from clustercheck.collect.batch import Answer, Argv
from clustercheck.collect.reader import NodeReader
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
NO_ANSWER = "not read: no whole answer within the command timeout and the output cap"

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


@dataclass(frozen=True)
class LogRead:
    """One log to read: the command that reads it (None: it cannot be read, `where.error`
    says why), and what its lines are cut at."""

    where: Location
    argv: Argv | None
    started_at: float | None  # the start of the process writing it, when known
    unit: str | None = None  # a journal's unit as the inventory names it


@dataclass(frozen=True)
class LogPlan:
    """The commands reading a node's logs, asked together with the node's other late
    commands (gather.py); `facts` turns their answers into LogFacts."""

    reads: tuple[LogRead, ...]

    @property
    def commands(self) -> list[Argv]:
        return [read.argv for read in self.reads if read.argv is not None]

    @property
    def most(self) -> list[int]:
        """The most bytes each command prints: a log's capped end and a short header."""
        return [LOG_CAP + 256 for read in self.reads if read.argv is not None]

    def facts(self, answers: Sequence[Answer | None], secrets: Secrets) -> LogFacts:
        """The tails from the commands' answers (in `commands`' order)."""
        tails: list[LogTail] = []
        offset: int | None = None
        asked = iter(answers)
        for read in self.reads:
            answer = next(asked, None) if read.argv is not None else None
            if read.where.kind == "journald":
                journal = _journal(read, answer, secrets)
                if journal is None:
                    continue
                tail, found = journal
            else:
                tail, found = _tail(read, answer, secrets)
            offset = found if found is not None else offset
            tails.append(tail)
        return LogFacts(offset, tuple(tails))


def plan_logs(
    reader: NodeReader, node: NodeSettings, live: LiveFacts, apache: ApacheFacts | None
) -> LogPlan | None:
    """What to read of the node's logs since the last start; None on Windows (not read there)."""
    if node.os == "windows":
        return None
    runtime = live.runtime
    reads: list[LogRead] = []
    for where in locations(reader, node, apache)[:MAX_LOGS]:
        process = runtime.tomcat if runtime and where.kind == "tomcat" else None
        process = runtime.httpd if runtime and where.kind in ("httpd", "modjk") else process
        started = process.started_at if process else None
        argv = None
        if where.error is None:
            argv = ("sh", "-c", TAIL_SCRIPT, "sh", where.path, str(LOG_CAP), str(COUNT_LINES_UP_TO))
        reads.append(LogRead(where, argv, started))
    pid = runtime.tomcat.pid if runtime and runtime.tomcat else None
    unit = node.tomcat.systemd_unit
    if node.has_role("tomcat") and not node.tomcat.logs and (unit or pid):
        started = runtime.tomcat.started_at if runtime and runtime.tomcat else None
        since = str(int(started)) if started is not None else ""
        argv = ("sh", "-c", JOURNAL_SCRIPT, "sh", unit or "", str(pid or ""), since)
        source = "the inventory's tomcat.systemd_unit" if unit else "the running Tomcat's cgroup"
        where = Location(f"journal:{unit}", "journald", source)
        reads.append(LogRead(where, (*argv, str(JOURNAL_LINES), str(LOG_CAP)), started, unit))
    return LogPlan(tuple(reads))


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


def _tail(read: LogRead, answer: Answer | None, secrets: Secrets) -> tuple[LogTail, int | None]:
    """One log's tail since the last start, and the node's UTC offset it reported."""
    where = read.where
    if where.error is not None:
        return LogTail(where.path, where.kind, where.source, error=where.error), None
    if answer is None:
        return LogTail(where.path, where.kind, where.source, error=NO_ANSWER), None
    clock, status, data = _sections(answer.stdout)
    offset = parse_utc_offset(clock.partition(" ")[2])
    words = status.split()
    if not words or not words[0].isdigit():
        why = status or f"the node did not answer ({answer.exit_status})"
        return LogTail(where.path, where.kind, where.source, error=why), offset
    size = bounded_int(words[0])
    counted = bounded_int(words[1]) if len(words) > 1 and words[1].isdigit() else None
    truncated = size > LOG_CAP
    if truncated:  # its first line is a piece of one
        data = data.partition(b"\n")[2]
    lines = decode(data).splitlines()
    first = counted - data.count(b"\n") + 1 if counted is not None else None
    start, since, how = since_start(lines, where.kind, read.started_at, offset)
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
    read: LogRead, answer: Answer | None, secrets: Secrets
) -> tuple[LogTail, int | None] | None:
    """The journal of the unit Tomcat runs under (the inventory's, else its process's cgroup's)
    since its start; None when no unit is known or the node has no journal."""
    where, unit = read.where, read.unit
    if answer is None:
        return (
            (LogTail(where.path, where.kind, where.source, error=NO_ANSWER), None) if unit else None
        )
    clock, status, data = _sections(answer.stdout)
    offset = parse_utc_offset(clock.partition(" ")[2])
    if status in ("no unit", "no journalctl", ""):
        why = status or f"the node did not answer ({answer.exit_status})"
        return (LogTail(where.path, where.kind, where.source, error=why), offset) if unit else None
    lines = decode(data).splitlines()
    if len(data) >= LOG_CAP:
        lines = lines[1:]
    start, since_at, how = since_start(lines, "journald", read.started_at, offset)
    tail = LogTail(
        f"journal:{status}",
        "journald",
        where.source,
        lines=tuple(mask_line(line, secrets) for line in lines[start:]),
        truncated=len(data) >= LOG_CAP,
        since=since_at,
        since_how=how,
    )
    return tail, offset


def _sections(output: bytes) -> tuple[str, str, bytes]:
    """(the clock line, the status after "== ", the data after it) of a script's output."""
    clock, _, rest = output.partition(b"\n")
    status, _, data = rest.partition(b"\n")
    text = status.decode("utf-8", "replace")
    return clock.decode("ascii", "replace").strip(), text.removeprefix("== ").strip(), data
