"""Which files a node's running servers read, and when they read them again: what gathering
stamps with their modification times and what CC802 config-not-applied compares them with.

One list for both, so the gatherer stats exactly the files the check judges. Knowledge of what
is re-read when: knowledge.reloads (verified on the real Tomcat 10 and httpd 2.4)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from enum import Enum

from clustercheck.facts.cluster import NodeFacts
from clustercheck.facts.files import ApacheFacts, TomcatFacts
from clustercheck.knowledge.classes import property_value
from clustercheck.knowledge.reloads import (
    TOMCAT_GLOBAL_APP_FILES,
    TOMCAT_START_ONLY,
    WAR_TRACKER,
    default_pid_file,
    is_true,
)


class Reread(Enum):
    """When the reader takes a file in again."""

    START = "start"  # only when the process starts (Tomcat) or restarts gracefully (httpd)
    AUTO_DEPLOY = "autoDeploy"  # Tomcat: also when the Host's autoDeploy sees it change


@dataclass(frozen=True)
class ReadFile:
    """A file a server reads; `auto_deploy`: a Host's autoDeploy re-reads it (AUTO_DEPLOY
    files of Hosts with autoDeploy on)."""

    path: str
    reread: Reread
    auto_deploy: bool = False


@dataclass(frozen=True)
class ExpandedWar:
    """A WAR beside the directory Tomcat expanded it into (unpackWARs)."""

    war: str
    folder: str
    tracker: str  # ExpandWar's META-INF/war-tracker, its time set to the WAR's
    auto_deploy: bool


@dataclass
class ReadFiles:
    """What a node's Tomcat and httpd read."""

    tomcat: list[ReadFile] = field(default_factory=list)
    wars: list[ExpandedWar] = field(default_factory=list)
    httpd: list[ReadFile] = field(default_factory=list)
    pid_file: str | None = None  # httpd's: rewritten at every (graceful) restart

    def paths(self) -> list[str]:
        """Every path to stamp, each once, the start-only files first (a cap cuts the end)."""
        found = [f.path for f in (*self.tomcat, *self.httpd) if f.reread is Reread.START]
        found += [self.pid_file] if self.pid_file else []
        found += [f.path for f in (*self.tomcat, *self.httpd) if f.reread is not Reread.START]
        found += [p for war in self.wars for p in (war.war, war.folder, war.tracker)]
        return list(dict.fromkeys(found))


def read_files(node: NodeFacts) -> ReadFiles:
    """The files of the node's Tomcat (tomcat role) and httpd (apache role)."""
    files = ReadFiles()
    if node.tomcat is not None:
        files.tomcat, files.wars = _tomcat(node.tomcat)
    if node.apache is not None:
        files.httpd = _httpd(node, node.apache)
        files.pid_file = pid_file(node.apache)
    return files


def _tomcat(tomcat: TomcatFacts) -> tuple[list[ReadFile], list[ExpandedWar]]:
    base = tomcat.catalina_base
    hosts = tomcat.server.hosts if tomcat.server else []
    auto = {h.name: is_true(property_value(h.attrs, "autoDeploy"), True) for h in hosts}
    everywhere = all(auto.values()) if auto else True  # no Host read: Tomcat's default
    start = [tomcat.server_xml_path, *(posixpath.join(base, p) for p in TOMCAT_START_ONLY)]
    found = [ReadFile(path, Reread.START) for path in start]
    shared = [posixpath.join(base, p) for p in TOMCAT_GLOBAL_APP_FILES]
    shared += [c.file for c in tomcat.host_contexts.values()]
    found += [ReadFile(path, Reread.AUTO_DEPLOY, everywhere) for path in shared]
    wars = []
    for app in tomcat.webapps:
        on = auto.get(app.host, everywhere)
        own = [app.path] if app.kind == "war" else [app.web_xml_path]
        if app.context is not None and "!/" not in app.context.file:
            own.append(app.context.file)
        found += [ReadFile(path, Reread.AUTO_DEPLOY, on) for path in own]
        if app.kind == "dir":
            tracker = posixpath.join(app.path, WAR_TRACKER)
            wars.append(ExpandedWar(app.path + ".war", app.path, tracker, on))
    return list({f.path: f for f in found}.values()), wars


def _httpd(node: NodeFacts, apache: ApacheFacts) -> list[ReadFile]:
    """httpd's configuration as read, and mod_jk's workers file. Not its JkMountFile: mod_jk
    reads that again by itself (JkMountFileReload, every 60 s by default; mod_jk's
    apache.html)."""
    paths = list(apache.files_read)
    workers = apache.workers.path if apache.workers else None
    read = node.files.get(workers) if workers else None
    if workers and read is not None and read.status == "ok":
        paths.append(workers)
    return [ReadFile(path, Reread.START) for path in dict.fromkeys(paths)]


def pid_file(apache: ApacheFacts) -> str | None:
    """The PidFile of the main server (the last one written wins), else the build's default,
    under ServerRoot; None when it holds a ${VAR} nothing defined."""
    written = [
        d.args[0] for d in apache.directives if d.lname == "pidfile" and not d.sections and d.args
    ]
    conf = apache.httpd_conf or apache.jk_conf or ""
    path = written[-1] if written else default_pid_file(conf)
    if "${" in path:
        return None
    absolute = path.startswith("/") or (len(path) > 1 and path[1] == ":")
    return path if absolute else posixpath.join(apache.server_root or "/", path)
