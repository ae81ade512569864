"""Gathers mod_jk's view of httpd on one node: the Jk directives (following Include), the
workers file and the mount files, resolved against ServerRoot as httpd resolves them."""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass, field

from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.base import DirEntry
from clustercheck.facts.files import ApacheFacts
from clustercheck.inventory.settings import ApacheSettings
from clustercheck.parsers.httpd import (
    READ_TIME_CONDITIONS,
    Directive,
    jk_settings,
    parse_httpd,
    parse_uriworkermap,
    split_section,
    worker_mounts,
)
from clustercheck.parsers.text import Kind, Problem, decode, size_text
from clustercheck.parsers.workers import parse_workers, with_defaults

# AP_MAX_INCLUDE_DEPTH: at the 129th nested Include httpd stops ("Exceeded maximum include
# depth of 128, There appears to be a recursion.") and does not start.
HTTPD_MAX_INCLUDE_DEPTH = 128


@dataclass(frozen=True)
class IncludeLimits:
    """How much of httpd's configuration one node's walk may read (the files Include and
    JkMountFile name), far above any real one: a hostile or runaway one (files that include
    each other through a wildcard multiply at every level) ends in a problem, not in minutes of
    reading."""

    files: int = 2000  # files read and directories listed, a file once per time it is included
    bytes: int = 8 * 1024 * 1024  # the size of those files, added up the same way


def gather_apache(
    reader: NodeReader, settings: ApacheSettings, limits: IncludeLimits = IncludeLimits()
) -> ApacheFacts:
    facts = ApacheFacts(jk_conf=settings.jk_conf)
    walk = _IncludeWalk(reader, facts, limits)
    directives: list[Directive] = []
    if settings.jk_conf:
        facts.server_root = settings.server_root or _guess_server_root(settings.jk_conf)
        directives = walk.read_root(settings.jk_conf)
    facts.jk = jk_settings(directives)
    facts.problems.extend(facts.jk.problems)
    if facts.jk.server_root:
        facts.server_root = facts.jk.server_root[0]
    facts.mounts = list(facts.jk.mounts)
    _read_workers(reader, settings, facts)
    read: set[str] = set()  # each mount file once, however many JkMountFile name it
    for path, file, line in facts.jk.mount_files:
        resolved = _resolve(reader, facts, path)
        data = None if resolved in read else walk.read(file, line, resolved)
        read.add(resolved)
        if data is not None:
            mounts, problems = parse_uriworkermap(decode(data), resolved)
            facts.mounts.extend(mounts)
            facts.problems.extend(problems)
    return facts


def _guess_server_root(jk_conf: str) -> str:
    """Without a ServerRoot, the parent of the conf directory is where distributions put it:
    /etc/httpd/conf.d/mod_jk.conf -> /etc/httpd, /etc/apache2/mods-enabled/jk.conf ->
    /etc/apache2."""
    return posixpath.dirname(posixpath.dirname(jk_conf.replace("\\", "/"))) or "/"


def _resolve(reader: NodeReader, facts: ApacheFacts, path: str) -> str:
    return reader.join(facts.server_root or "/", path)


@dataclass
class _IncludeWalk:
    """Reads a file and what its Includes name, depth first as httpd does, within `limits`.

    A file that is already being read is not read again: httpd would follow it until its
    include depth runs out and refuse to start, which is what the problem says. A problem is
    kept once however often its file is included."""

    reader: NodeReader
    facts: ApacheFacts
    limits: IncludeLimits
    stack: list[str] = field(default_factory=list)  # files being read, outermost first
    files_read: int = 0
    bytes_read: int = 0
    stopped: bool = False  # the limits were reached: no Include is followed any more
    listings: dict[str, list[DirEntry] | None] = field(default_factory=dict)
    seen: set[Problem] = field(default_factory=set)
    refusals: set[tuple[str, int]] = field(default_factory=set)  # Includes already refused

    def read_root(self, path: str) -> list[Directive]:
        data = self.reader.read(path)
        if data is None:
            return []
        self.files_read, self.bytes_read = 1, len(data)
        return self.parse(path, data, None)

    def parse(self, path: str, data: bytes, condition: str | None) -> list[Directive]:
        """`condition`: the first read-time section (`<IfDefine X>`) around the Includes that
        led here, when there is one: httpd reads this file only if it holds."""
        directives, problems = parse_httpd(decode(data), path)
        self.add(problems)
        self.stack.append(self.reader.join(path))
        expanded: list[Directive] = []
        for directive in directives:
            if directive.lname == "serverroot" and directive.args and len(self.stack) == 1:
                self.facts.server_root = directive.args[0]
            if directive.lname not in ("include", "includeoptional") or not directive.args:
                expanded.append(directive)
            elif not self.stopped:
                expanded.extend(self.include(directive, condition or _condition(directive)))
        self.stack.pop()
        return expanded

    def include(self, directive: Directive, condition: str | None) -> list[Directive]:
        if len(self.stack) > HTTPD_MAX_INCLUDE_DEPTH:
            why = f"Include nested more than {HTTPD_MAX_INCLUDE_DEPTH} deep"
            self.refused(directive, condition, why)
            return []
        paths, optional = self.expand(directive)
        expanded: list[Directive] = []
        for path in paths:
            if path in self.stack:
                cycle = " -> ".join([*self.stack[self.stack.index(path) :], path])
                self.refused(directive, condition, f"Include loop ({cycle})")
                continue
            data = self.read(directive.file, directive.line, path)
            if data is not None:
                expanded.extend(self.parse(path, data, condition))
            elif optional:
                self.reader.reads.pop(path, None)
        return expanded

    def expand(self, directive: Directive) -> tuple[list[str], bool]:
        """Files an Include names, and whether one that cannot be read is fine: wildcards in
        the last component match in sorted order as httpd does; a missing file is an error
        for Include and silently fine for IncludeOptional."""
        reader = self.reader
        pattern = _resolve(reader, self.facts, directive.args[0])
        optional = directive.lname == "includeoptional"
        folder, leaf = posixpath.split(pattern)
        if not any(ch in leaf for ch in "*?["):
            return [pattern], optional
        if folder not in self.listings and self.within_limits(
            directive.file, directive.line, files=1
        ):
            self.files_read += 1
            self.listings[folder] = reader.list_dir(folder)
        entries = self.listings.get(folder)
        if entries is None:
            if optional:
                reader.reads.pop(folder, None)
            return [], False
        names = [e.name for e in entries if not e.is_dir and fnmatch.fnmatchcase(e.name, leaf)]
        return [reader.join(folder, name) for name in names], False

    def read(self, file: str, line: int, path: str) -> bytes | None:
        """One file the directive at file:line names, counted against the limits."""
        if not self.within_limits(file, line, files=1):
            return None
        self.files_read += 1
        data = self.reader.read(path)
        if data is None or not self.within_limits(file, line, size=len(data)):
            return None
        self.bytes_read += len(data)
        return data

    def within_limits(self, file: str, line: int, files: int = 0, size: int = 0) -> bool:
        """Whether `files` more files, or `size` more bytes, fit; the first time they do not,
        a problem at the directive that names them says that nothing from here on is
        judged."""
        if (
            not self.stopped
            and self.files_read + files <= self.limits.files
            and self.bytes_read + size <= self.limits.bytes
        ):
            return True
        if not self.stopped:
            self.stopped = True
            message = (
                f"not followed: clustercheck reads at most {self.limits.files} files and "
                f"{size_text(self.limits.bytes)} of httpd configuration (Include, JkMountFile), "
                "and this one goes past that; what it names and every later one are not judged"
            )
            self.add([Problem(file, line, message, Kind.UNREADABLE)])
        return False

    def refused(self, directive: Directive, condition: str | None, why: str) -> None:
        """httpd's own stop at its include depth: it does not start, if it reads this. Said
        once per Include, for the first way it gets there."""
        if (directive.file, directive.line) in self.refusals:
            return
        self.refusals.add((directive.file, directive.line))
        stop = (
            f"httpd stops with 'Exceeded maximum include depth of {HTTPD_MAX_INCLUDE_DEPTH}, "
            "There appears to be a recursion.' and does not start"
        )
        if condition is None:
            problem = Problem(
                directive.file, directive.line, f"{why}: {stop}", Kind.REFUSES_TO_START
            )
        else:
            message = f"{why}: if httpd reads this Include (inside {condition}), {stop}"
            problem = Problem(directive.file, directive.line, message, Kind.MAY_MEAN_SOMETHING_ELSE)
        self.add([problem])

    def add(self, problems: list[Problem]) -> None:
        for problem in problems:
            if problem not in self.seen:
                self.seen.add(problem)
                self.facts.problems.append(problem)


def _condition(directive: Directive) -> str | None:
    """The outermost section around `directive` that httpd evaluates while reading."""
    conditions = (s for s in directive.sections if split_section(s)[0] in READ_TIME_CONDITIONS)
    return next(conditions, None)


def _read_workers(reader: NodeReader, settings: ApacheSettings, facts: ApacheFacts) -> None:
    """The workers file named by JkWorkersFile (or the inventory), with the JkWorkerProperty
    lines mod_jk reads before it, and the `worker.X.mount` rules it defines."""
    jk = facts.jk
    path = settings.workers_properties
    if not path and jk and jk.workers_file:
        path = _resolve(reader, facts, jk.workers_file[0])
    extra = jk.worker_properties if jk else []
    if not path and not extra:
        return
    text = ""
    if path:
        data = reader.read(path)
        if data is None:
            return
        text = decode(data)
    workers = parse_workers(text, path or facts.jk_conf or "", extra)
    mounts, problems = worker_mounts(workers)
    facts.mounts.extend(mounts)
    facts.problems.extend(problems)
    facts.workers = with_defaults(workers)
