"""A node's process table as `ps` (procps, busybox) or Windows' Win32_Process tells it, and the
two servers clustercheck looks for in it: the Tomcat of a catalina.base and httpd's parent
process. Never raises: a line that is not a process is passed over."""

from __future__ import annotations

import ntpath
import posixpath
import re
from dataclasses import dataclass

from clustercheck.parsers.httpd_build import (
    BINARIES,
    HttpdProcess,
    httpd_command_line,
    may_run_httpd,
)
from clustercheck.parsers.text import bounded_int, shell_words

BOOTSTRAP = "org.apache.catalina.startup.Bootstrap"
# procrun, the service wrapper of Tomcat on Windows: Tomcat10.exe //RS//Tomcat10 runs the JVM
# inside its own process, so no java.exe with -Dcatalina.base shows (the base is in the
# registry); it is found as CATALINA_HOME\bin\TomcatN.exe (tomcat.apache.org windows-service-howto)
_PROCRUN = re.compile(r"^tomcat\d*\.exe$", re.I)
_ETIME = re.compile(r"^(?:(?:(\d+)-)?(\d+):)?(\d+):(\d+)$")  # [[dd-]hh:]mm:ss
_WINDOWS_WORD = re.compile(r'(?:[^\s"]+|"[^"]*"?)+')


@dataclass(frozen=True)
class PsEntry:
    """One process: who runs it, since when (epoch seconds, the node's clock; None when the
    table does not tell), and its command line as the table shows it."""

    pid: int
    ppid: int
    user: str
    started_at: float | None
    args: str
    exe: str | None = None  # Windows tells the binary's path; elsewhere /proc/PID/exe is asked

    @property
    def words(self) -> list[str]:
        """The command line split as the shell that started it would have (Windows: as the C
        runtime splits, backslashes kept)."""
        if self.exe is not None:  # a Windows process
            return [w.replace('"', "") for w in _WINDOWS_WORD.findall(self.args)]
        return shell_words(self.args)


@dataclass(frozen=True)
class ProcessTable:
    """The node's clock when the table was read, and the processes; `error` when there is none."""

    now: float | None
    processes: tuple[PsEntry, ...] = ()
    error: str | None = None


def parse_ps(text: str, now: float | None, elapsed: str = "etimes") -> ProcessTable:
    """Lines of `ps -o pid,ppid,user,etimes,args` (seconds) or, where ps has no etimes (busybox,
    procps before 3.3), `etime` ([[dd-]hh:]mm:ss); a header line is passed over. A start time
    is `now` minus the elapsed time."""
    found = []
    for line in text.splitlines():
        fields = line.split(None, 4)
        if len(fields) < 5 or not all(f.isascii() and f.isdigit() for f in fields[:2]):
            continue
        pid, ppid, user, took, args = fields
        seconds = _elapsed(took, elapsed)
        started = None if now is None or seconds is None else now - seconds
        found.append(PsEntry(bounded_int(pid), bounded_int(ppid), user, started, args))
    if not found:
        return ProcessTable(now, error="ps listed no process")
    return ProcessTable(now, tuple(found))


def _elapsed(text: str, form: str) -> int | None:
    if form == "etimes":
        return bounded_int(text) if text.isascii() and text.isdigit() else None
    parts = _ETIME.match(text)
    if parts is None:
        return None
    days, hours, minutes, seconds = (int(p) if p else 0 for p in parts.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def parse_windows_processes(items: object, now: float | None) -> ProcessTable:
    """The `processes` list of the Windows runtime script (Win32_Process: ProcessId,
    ParentProcessId, the owner from GetOwner, CreationDate as epoch seconds, ExecutablePath,
    CommandLine)."""
    found = []
    for item in items if isinstance(items, list) else [items]:
        if not isinstance(item, dict):
            continue
        pid, ppid, started = item.get("pid"), item.get("ppid"), item.get("started")
        if not isinstance(pid, int) or not isinstance(ppid, int):
            continue
        found.append(
            PsEntry(
                pid,
                ppid,
                str(item.get("user") or "?"),
                float(started) if isinstance(started, int | float) else None,
                str(item.get("args") or ""),
                str(item.get("exe") or ""),
            )
        )
    return ProcessTable(now, tuple(found))


def find_tomcat(
    table: ProcessTable, catalina_base: str, catalina_home: str | None = None
) -> PsEntry | None:
    """The Bootstrap process started with -Dcatalina.base=<catalina_base> (several Tomcats can
    share a host and its process table); on Windows also the procrun service under
    CATALINA_HOME\\bin. Lines that cannot match are passed over before the costly split: a
    host running many Tomcats lists them all on every node."""
    windows = _is_windows_path(catalina_base)
    wanted = _normal(catalina_base, windows)
    name = ntpath.basename(wanted) if windows else posixpath.basename(wanted)
    for entry in table.processes:
        args = entry.args.lower() if windows else entry.args
        if BOOTSTRAP in entry.args and name in args:
            for word in entry.words:
                key, _, value = word.partition("=")
                if key == "-Dcatalina.base" and _normal(value, windows) == wanted:
                    return entry
    homes = {_normal(p, True) for p in (catalina_home, catalina_base) if p}
    for entry in table.processes if windows else ():
        exe = entry.exe or ""
        folder = ntpath.dirname(ntpath.dirname(_normal(exe, True)))
        if _PROCRUN.match(ntpath.basename(exe)) and folder in homes:
            return entry
    return None


def _is_windows_path(path: str) -> bool:
    return bool(re.match(r"^[A-Za-z]:[\\/]", path)) or path.startswith("\\\\")


def _normal(path: str, windows: bool) -> str:
    if windows:
        return ntpath.normpath(path.replace("/", "\\")).lower()
    return posixpath.normpath(path) if path else path


def find_httpd(
    table: ProcessTable, httpd_conf: str | None, server_root: str | None
) -> PsEntry | None:
    """httpd's parent process: an httpd (httpd, apache2, httpd2) whose parent is no httpd. With
    several on the host, the one started with `-f httpd_conf` (or `-d server_root`), else the
    one started without -f when only one is; None when it cannot be told."""
    parents = httpd_parents(table)
    if len(parents) <= 1:
        return parents[0] if parents else None
    lines = {e.pid: httpd_command_line(e.words[1:]) for e in parents}
    chosen = [e for e in parents if _started_for(lines[e.pid], httpd_conf, server_root)]
    if not chosen:
        chosen = [e for e in parents if lines[e.pid].config is None]
    return chosen[0] if len(chosen) == 1 else None


def httpd_parents(table: ProcessTable) -> list[PsEntry]:
    """Every httpd (httpd, apache2, httpd2) whose parent is no httpd: one per running server."""
    programs = {e.pid: e for e in table.processes if _httpd_binary(e)}
    return [e for e in programs.values() if e.ppid not in programs]


@dataclass(frozen=True)
class TomcatProcess:
    """A running Tomcat: its Bootstrap process and the instance it runs."""

    entry: PsEntry
    catalina_base: str
    catalina_home: str | None  # None: not on its command line


def tomcat_processes(table: ProcessTable) -> list[TomcatProcess]:
    """Every Bootstrap process started with -Dcatalina.base (the last of a name wins, as in
    the JVM), in the table's order."""
    found = []
    for entry in table.processes:
        if BOOTSTRAP not in entry.args:
            continue
        options = {}
        for word in entry.words:
            key, equals, value = word.partition("=")
            if equals and key in ("-Dcatalina.base", "-Dcatalina.home") and value:
                options[key] = value
        base = options.get("-Dcatalina.base")
        if base:
            found.append(TomcatProcess(entry, base, options.get("-Dcatalina.home")))
    return found


def _httpd_binary(entry: PsEntry) -> bool:
    """Whether the process runs httpd; a line that cannot is passed over before the costly split
    (every process of the table is asked)."""
    if entry.exe:
        program = ntpath.basename(entry.exe)
    elif may_run_httpd(entry.args):
        program = posixpath.basename((entry.words or [""])[0])
    else:
        return False
    return program.lower().removesuffix(".exe") in BINARIES


def _started_for(line: HttpdProcess, httpd_conf: str | None, server_root: str | None) -> bool:
    if line.config is not None and httpd_conf:
        return line.config == httpd_conf or httpd_conf.endswith("/" + line.config)
    return line.config is None and bool(server_root) and line.server_root == server_root
