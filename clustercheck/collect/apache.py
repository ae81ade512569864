"""Gathers mod_jk's view of httpd on one node: the Jk directives (following Include), the
workers file and the mount files, resolved against ServerRoot as httpd resolves them."""

from __future__ import annotations

import fnmatch
import posixpath

from clustercheck.collect.reader import NodeReader
from clustercheck.facts.files import ApacheFacts
from clustercheck.inventory.settings import ApacheSettings
from clustercheck.parsers.httpd import (
    Directive,
    jk_settings,
    parse_httpd,
    parse_uriworkermap,
    worker_mounts,
)
from clustercheck.parsers.text import Kind, Problem, decode
from clustercheck.parsers.workers import parse_workers, with_defaults

MAX_INCLUDE_DEPTH = 8  # httpd itself stops runaway Include recursion; so do we


def gather_apache(reader: NodeReader, settings: ApacheSettings) -> ApacheFacts:
    facts = ApacheFacts(jk_conf=settings.jk_conf)
    directives: list[Directive] = []
    if settings.jk_conf:
        facts.server_root = settings.server_root or _guess_server_root(settings.jk_conf)
        directives = _read_conf(reader, settings.jk_conf, facts, depth=0)
    facts.jk = jk_settings(directives)
    facts.problems.extend(facts.jk.problems)
    if facts.jk.server_root:
        facts.server_root = facts.jk.server_root[0]
    facts.mounts = list(facts.jk.mounts)
    _read_workers(reader, settings, facts)
    for path, _file, _line in facts.jk.mount_files:
        resolved = _resolve(reader, facts, path)
        data = reader.read(resolved)
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


def _read_conf(reader: NodeReader, path: str, facts: ApacheFacts, depth: int) -> list[Directive]:
    data = reader.read(path)
    if data is None:
        return []
    directives, problems = parse_httpd(decode(data), path)
    facts.problems.extend(problems)
    expanded: list[Directive] = []
    for directive in directives:
        if directive.lname == "serverroot" and directive.args and depth == 0:
            facts.server_root = directive.args[0]
        if directive.lname not in ("include", "includeoptional") or not directive.args:
            expanded.append(directive)
            continue
        if depth >= MAX_INCLUDE_DEPTH:
            # our limit, far below httpd's: what lies deeper is not read, so not judged
            message = "Include nested too deeply"
            facts.problems.append(Problem(path, directive.line, message, Kind.UNREADABLE))
            continue
        for included in _expand_include(reader, facts, directive):
            expanded.extend(_read_conf(reader, included, facts, depth + 1))
    return expanded


def _expand_include(reader: NodeReader, facts: ApacheFacts, directive: Directive) -> list[str]:
    """Files an Include names: wildcards in the last component, matched in sorted order as httpd
    does; a missing file is an error for Include and silently fine for IncludeOptional."""
    pattern = _resolve(reader, facts, directive.args[0])
    folder, leaf = posixpath.split(pattern)
    if not any(ch in leaf for ch in "*?["):
        if directive.lname == "includeoptional" and reader.read(pattern) is None:
            reader.reads.pop(pattern, None)
            return []
        return [pattern]
    entries = reader.list_dir(folder)
    if entries is None:
        if directive.lname == "includeoptional":
            reader.reads.pop(folder, None)
        return []
    return [
        reader.join(folder, e.name)
        for e in entries
        if not e.is_dir and fnmatch.fnmatchcase(e.name, leaf)
    ]


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
