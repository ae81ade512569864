"""Gathers httpd on one node: its configuration read as httpd reads it (from the inventory's
httpd_conf), or mod_jk's part of it (from jk_conf, as clustercheck always read it); the workers
file and the mount files, resolved against ServerRoot as httpd resolves them; and, live, what
the httpd binary says of itself (`httpd -v`, `httpd -l`) and how the running one was started."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field

from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.base import Transport, TransportError
from clustercheck.facts.files import ApacheFacts
from clustercheck.inventory.settings import ApacheSettings, NodeSettings
from clustercheck.knowledge import httpd as knowledge
from clustercheck.knowledge.frontend import CONNECTORS
from clustercheck.parsers.httpd import jk_settings, parse_uriworkermap, worker_mounts
from clustercheck.parsers.httpd_build import (
    HttpdBuild,
    command_line_defines,
    parse_compiled_paths,
    parse_envvars,
    parse_httpd_build,
    running_with,
)
from clustercheck.parsers.httpd_eval import (
    Entry,
    FileState,
    HttpdStartup,
    Known,
    evaluate,
    limit_problem,
    parse_version,
)
from clustercheck.parsers.httpd_module import (
    LoadedModules,
    ModuleFile,
    parse_loaded_modules,
    parse_module_binary,
)
from clustercheck.parsers.httpd_mpm import mpm_settings
from clustercheck.parsers.proxy import proxy_settings
from clustercheck.parsers.text import Kind, Problem, decode, size_text
from clustercheck.parsers.workers import parse_workers, with_defaults

# The httpd binary: the first of these names found on PATH or in the usual folders, never a
# path taken from the node's data.
_FIND_HTTPD = (
    'PATH="$PATH:/usr/sbin:/usr/local/sbin:/usr/local/apache2/bin"; p=; '
    'for b in httpd apache2 httpd2; do p=$(command -v "$b" 2>/dev/null) && break; done; '
)
# Asks the httpd binary for its version and linked-in modules, neither of which reads the
# configuration, and lists the command lines of the running processes.
BUILD_SCRIPT = (
    _FIND_HTTPD + 'echo "== binary"; if [ -n "$p" ]; then echo "$p"; echo "== version"; '
    '"$p" -v 2>&1; '
    'echo "== modules"; "$p" -l 2>&1; fi; echo "== processes"; ps -ww -eo args= 2>/dev/null; '
    "exit 0"
)
# DUMP_MODULES (`httpd -M`): the modules httpd loads when it reads its configuration now, with
# the arguments ("$@": -d, -f, -D) the running httpd was started with; or, for an httpd the
# service started without -f, through the distribution's apachectl, which gives httpd what the
# service gives it (Debian's envvars, RHEL's /etc/sysconfig/httpd). httpd stops after reading
# the configuration, as `apachectl -t` does; stderr holds the line it stops at, if any.
DUMP_MODULES_SCRIPT = (
    _FIND_HTTPD + 'if [ "$1" = ctl ]; then for c in apachectl apache2ctl; do '
    'q=$(command -v "$c" 2>/dev/null) && exec "$q" -M 2>&1; done; echo "no apachectl found"; '
    'exit 0; fi; [ -n "$p" ] || exit 0; exec "$p" "$@" -M 2>&1'
)
# `httpd -V`: the ServerRoot and main file compiled into the binary (what httpd uses when
# started without -d and -f); through the distribution's apachectl when there is one, which
# gives httpd what the service gives it (Debian's envvars).
COMPILED_SCRIPT = (
    _FIND_HTTPD + "for c in apache2ctl apachectl; do "
    'q=$(command -v "$c" 2>/dev/null) && exec "$q" -V 2>&1; done; '
    '[ -n "$p" ] && exec "$p" -V 2>&1; exit 0'
)
MAX_MODULE_BYTES = 32 * 1024 * 1024  # a module file read for its build (mod_jk.so: 450 KiB)


@dataclass(frozen=True)
class IncludeLimits:
    """How much of httpd's configuration one node's walk may read (the files Include and
    JkMountFile name), far above any real one: a hostile or runaway one (files that include
    each other through a wildcard multiply at every level) ends in a problem, not in minutes of
    reading."""

    files: int = 2000  # files read and directories listed, a file once per time it is included
    bytes: int = 8 * 1024 * 1024  # the size of those files, added up the same way


def gather_httpd_build(transport: Transport, node: NodeSettings) -> HttpdBuild | None:
    """What the node's httpd binary says of itself, and the running httpd processes; None on a
    Windows node, which is not asked."""
    if node.os == "windows":
        return None
    try:
        result = transport.run(["sh", "-c", BUILD_SCRIPT, "sh"])
    except TransportError as exc:
        return HttpdBuild(None, None, None, error=f"not asked: {exc}")
    if result.timed_out:
        return HttpdBuild(None, None, None, error="no answer within the command timeout")
    return parse_httpd_build(result.stdout.decode("utf-8", "replace"))


def compiled_paths(transport: Transport) -> tuple[str | None, str | None]:
    """(HTTPD_ROOT, SERVER_CONFIG_FILE) of the node's httpd binary; (None, None) when there
    is none or it does not say."""
    try:
        result = transport.run(["sh", "-c", COMPILED_SCRIPT, "sh"])
    except TransportError:
        return None, None
    return parse_compiled_paths(result.stdout.decode("utf-8", "surrogateescape"))


def gather_loaded_modules(
    transport: Transport, build: HttpdBuild, startup: HttpdStartup, httpd_conf: str
) -> LoadedModules | None:
    """`httpd -M` for the configuration the inventory names, as the httpd running with it was
    started: with -f (the inventory's file), -d (the ServerRoot clustercheck read it with) and
    the -D names of its command line; through apachectl when it was started without -f. None
    when no httpd runs with it (nothing to compare: CC104 says httpd is not running)."""
    running = running_with(build.processes, httpd_conf)
    if build.binary is None or not running:
        return None
    name = build.binary.rsplit("/", 1)[-1]
    if all(p.config is None for p in running):
        argv, how = ["ctl"], "apachectl -M"
    else:
        argv = ["-d", startup.server_root, "-f", httpd_conf]
        for define in startup.defines or ():
            argv += ["-D", define]
        how = f"{name} -M with the running httpd's -f and -D"
    try:
        result = transport.run(["sh", "-c", DUMP_MODULES_SCRIPT, "sh", *argv])
    except TransportError as exc:
        return LoadedModules(how, None, f"not asked: {exc}")
    if result.timed_out:
        return LoadedModules(how, None, "no answer within the command timeout")
    return parse_loaded_modules(result.stdout.decode("utf-8", "replace"), how)


def first_paths(reader: NodeReader, settings: ApacheSettings, windows: bool) -> list[str]:
    """The files gathering reads before any tells it more: the inventory's, and Debian's
    envvars beside httpd_conf (gather_node fetches them with the node's other first reads)."""
    paths = [p for p in (settings.httpd_conf, settings.jk_conf, settings.workers_properties) if p]
    if settings.httpd_conf and not windows:
        paths.append(reader.join(posixpath.dirname(settings.httpd_conf), "envvars"))
    return paths


def gather_apache(
    reader: NodeReader,
    settings: ApacheSettings,
    limits: IncludeLimits = IncludeLimits(),
    build: HttpdBuild | None = None,
    found: Mapping[str, bool] | None = None,
    windows: bool = False,
) -> ApacheFacts:
    """httpd's files on the node. `build`: what the binary said (live, or recorded in a
    snapshot); `found`: what <IfFile> found, recorded in a snapshot."""
    facts = ApacheFacts(jk_conf=settings.jk_conf, httpd_conf=settings.httpd_conf)
    facts.httpd_version = settings.version or (build.version if build else None)
    source = _NodeSource(reader, limits, facts, dict(found or {}))
    root = settings.httpd_conf or settings.jk_conf
    directives = []
    if root:
        startup = _startup(reader, settings, root, build, windows)
        facts.startup = startup
        config = evaluate(root, startup, source)
        directives = facts.directives = config.directives
        facts.server_root = config.server_root
        facts.problems.extend(config.problems)
        facts.files_read = config.files
        facts.found = config.exists
        if settings.httpd_conf:
            facts.modules = config.modules
            assumed = startup.static_known.source if startup.static_known.assumed else None
            facts.mpm = mpm_settings(directives, config.modules, root, assumed)
            facts.problems.extend(facts.mpm.problems)
            facts.proxy = proxy_settings(directives)
            _jk_conf_read(settings, config.files, facts)
    facts.jk = jk_settings(directives)
    facts.problems.extend(facts.jk.problems)
    reader.prefetch(_named_paths(reader, settings, facts, source))
    facts.module_files = _module_files(reader, facts)
    if not settings.httpd_conf and facts.jk.server_root:
        facts.server_root = facts.jk.server_root[0]
    facts.mounts = list(facts.jk.mounts)
    _read_workers(reader, settings, facts)
    read: set[str] = set()  # each mount file once, however many JkMountFile name it
    for path, file, line in facts.jk.mount_files:
        resolved = _resolve(reader, facts, path)
        data = None if resolved in read else source.counted(file, line, resolved)
        read.add(resolved)
        if data is not None:
            mounts, problems = parse_uriworkermap(decode(data), resolved)
            facts.mounts.extend(mounts)
            facts.problems.extend(problems)
    return facts


def _startup(
    reader: NodeReader,
    settings: ApacheSettings,
    root: str,
    build: HttpdBuild | None,
    windows: bool,
) -> HttpdStartup:
    """What httpd has before its first line: from the inventory, the binary (live or recorded),
    Debian's envvars (which apache2ctl sources), or the build its layout suggests."""
    version = parse_version(settings.version or (build.version if build else None))
    if not settings.httpd_conf:
        server_root = settings.server_root or _guess_server_root(root)
        return HttpdStartup(server_root, evaluate=False, version=version)
    if build is not None and build.static_modules is not None:
        static, static_known = build.static_modules, Known(f"`{build.binary} -l` on the node")
    else:
        guess = knowledge.static_modules_for(root, windows)
        static, static_known = guess.sources, Known(guess.build, assumed=True)
    confdir = posixpath.dirname(root)
    envvars_path = reader.join(confdir, "envvars")
    data = reader.read(envvars_path) if not windows else None
    if data is None:
        reader.reads.pop(envvars_path, None)
    envvars = parse_envvars(decode(data), confdir) if data is not None else None
    defines = command_line_defines(build.processes, root) if build is not None else None
    if defines is not None:
        defines_known = Known("the running httpd's command line")
    elif envvars is not None:
        defines, defines_known = envvars.defines, Known(f"APACHE_ARGUMENTS in {envvars_path}")
    else:
        how = "not known (no httpd running with it was seen)" if build else "not known"
        defines_known = Known(how, assumed=True)
    return HttpdStartup(
        server_root=settings.server_root or default_server_root(root),
        version=version,
        static_modules=static,
        static_known=static_known,
        defines=defines,
        defines_known=defines_known,
        environment=envvars.environment if envvars else {},
        environment_known=Known(envvars_path) if envvars else Known("", assumed=True),
    )


def _named_paths(
    reader: NodeReader, settings: ApacheSettings, facts: ApacheFacts, source: _NodeSource
) -> list[str]:
    """What the configuration names, fetched together: the connector modules, the workers
    file and the mount files (those the walk's limits leave room for)."""
    paths = [
        _resolve(reader, facts, path)
        for name, (path, _file, _line) in _loads(facts).items()
        if name in CONNECTORS and path is not None
    ]
    jk = facts.jk
    if settings.workers_properties:
        paths.append(settings.workers_properties)
    elif jk and jk.workers_file:
        paths.append(_resolve(reader, facts, jk.workers_file[0]))
    named = jk.mount_files if jk else []
    mounts = dict.fromkeys(_resolve(reader, facts, path) for path, _f, _l in named)
    room = max(0, source.limit.files - source.files_read) if not source.stopped else 0
    return paths + list(mounts)[:room]


def _loads(facts: ApacheFacts) -> dict[str, tuple[str | None, str | None, int | None]]:
    """The modules LoadModule'd, by name: as httpd's reading kept them; from a jk_conf alone,
    its LoadModule lines as written."""
    loads: dict[str, tuple[str | None, str | None, int | None]] = {
        m.name: (m.path, m.file, m.line) for m in facts.modules.values() if not m.static
    }
    if not facts.httpd_conf:
        for directive in facts.directives:
            if directive.lname == "loadmodule" and len(directive.args) == 2:
                module, written = directive.args
                loads.setdefault(module, (written, directive.file, directive.line))
    return loads


def _module_files(reader: NodeReader, facts: ApacheFacts) -> dict[str, ModuleFile]:
    """The connector modules LoadModule'd (as httpd's reading kept them; from a jk_conf alone,
    its LoadModule lines as written), each file read for its build. A file that cannot be read
    is said in its ModuleFile, not as a failed read of the configuration: httpd -M and CC104
    tell what it means."""
    found = {}
    for name, (path, file, line) in _loads(facts).items():
        if name not in CONNECTORS or path is None:
            continue
        resolved = _resolve(reader, facts, path)
        data = reader.read(resolved, MAX_MODULE_BYTES)
        unread = None
        if data is None:
            read = reader.reads.pop(resolved, None)
            unread = read.message if read and read.message else "not readable"
        binary = parse_module_binary(data) if data is not None else None
        found[name] = ModuleFile(name, path, resolved, file, line, binary, unread)
    return found


def _guess_server_root(jk_conf: str) -> str:
    """Without a ServerRoot, the parent of the conf directory is where distributions put it:
    /etc/httpd/conf.d/mod_jk.conf -> /etc/httpd, /etc/apache2/mods-enabled/jk.conf ->
    /etc/apache2."""
    return posixpath.dirname(posixpath.dirname(jk_conf.replace("\\", "/"))) or "/"


def default_server_root(httpd_conf: str) -> str:
    """httpd's compiled-in ServerRoot, as the main file's place tells it: conf/httpd.conf sits
    in it (/etc/httpd, /usr/local/apache2, C:/Apache24), Debian's apache2.conf at its top."""
    folder = posixpath.dirname(httpd_conf.replace("\\", "/"))
    return posixpath.dirname(folder) if posixpath.basename(folder) == "conf" else folder


def _resolve(reader: NodeReader, facts: ApacheFacts, path: str) -> str:
    return reader.join(facts.server_root or "/", path)


def _jk_conf_read(settings: ApacheSettings, files: list[str], facts: ApacheFacts) -> None:
    """With both files named, httpd_conf is what httpd reads: jk_conf must be among it."""
    jk_conf = settings.jk_conf
    if jk_conf and posixpath.normpath(jk_conf.replace("\\", "/")) not in files:
        message = (
            f"httpd does not read this file: no Include read from {settings.httpd_conf} names "
            "it (or only inside a condition that does not hold), so its Jk directives have no "
            "effect; the inventory's apache.jk_conf names it"
        )
        facts.problems.append(Problem(jk_conf, None, message, Kind.MEANS_SOMETHING_ELSE))


@dataclass
class _NodeSource:
    """The node's files for httpd_eval, within `limits`: every file read and every folder
    listed counts, a file once per time it is included."""

    reader: NodeReader
    limit: IncludeLimits
    facts: ApacheFacts
    found: dict[str, bool]  # recorded answers for <IfFile>
    states: dict[str, FileState] = field(default_factory=dict)  # paths that gave no text
    files_read: int = 0
    bytes_read: int = 0
    stopped: bool = False
    listed: dict[str, list[Entry] | FileState] = field(default_factory=dict)

    @property
    def limits(self) -> str:
        return f"{self.limit.files} files and {size_text(self.limit.bytes)}"

    def join(self, base: str, path: str) -> str:
        return self.reader.join(base, path)

    def read(self, path: str, optional: bool) -> bytes | FileState:
        state = self.charge(files=1)
        if state is not None:
            return state
        self.files_read += 1
        data = None if path in self.states else self.reader.read(path)
        if data is None:
            return self.failed(path, optional)
        state = self.charge(size=len(data))
        if state is not None:
            return state
        self.bytes_read += len(data)
        return data

    def listing(self, folder: str, optional: bool) -> list[Entry] | FileState:
        state = self.charge(files=1)
        if state is not None:
            return state
        self.files_read += 1
        entries = self.reader.list_dir(folder)
        if entries is None:
            return self.failed(folder, optional)
        return [Entry(e.name, e.is_dir) for e in entries]

    def exists(self, path: str) -> bool | None:
        """Whether the parent folder lists the name (a snapshot's answer when it has one)."""
        if path in self.found:
            return self.found[path]
        folder, name = posixpath.split(path)
        entries = self.reader.list_dir(folder)
        if entries is None:
            kind = self.reader.reads.pop(folder).status
            return False if kind == "missing" else None
        return any(e.name == name for e in entries)

    def failed(self, path: str, optional: bool) -> FileState:
        """Why `path` gave no text (once per path); a folder, or a file whose absence is fine,
        is no failed read of the node's."""
        if path not in self.states:
            status = self.reader.reads[path].status
            states = {"missing": FileState.MISSING, "not_a_file": FileState.DIRECTORY}
            self.states[path] = states.get(status, FileState.UNREADABLE)
        state = self.states[path]
        if state is FileState.DIRECTORY or (state is FileState.MISSING and optional):
            self.reader.reads.pop(path, None)
        return state

    def charge(self, files: int = 0, size: int = 0) -> FileState | None:
        """None when `files` more files, or `size` more bytes, fit; else whether this is the
        first time they do not (the walk says so there) or the limits were reached before."""
        if self.stopped:
            return FileState.NOT_READ
        if (
            self.files_read + files <= self.limit.files
            and self.bytes_read + size <= self.limit.bytes
        ):
            return None
        self.stopped = True
        return FileState.LIMIT_REACHED

    def counted(self, file: str, line: int, path: str) -> bytes | None:
        """A file a directive at file:line names outside the walk (JkMountFile)."""
        data = self.read(path, optional=False)
        if data is FileState.LIMIT_REACHED:
            self.facts.problems.append(limit_problem(file, line, self.limits))
        return data if isinstance(data, bytes) else None


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
    workers = parse_workers(text, path or facts.jk_conf or facts.httpd_conf or "", extra)
    mounts, problems = worker_mounts(workers)
    facts.mounts.extend(mounts)
    facts.problems.extend(problems)
    facts.workers = with_defaults(workers)
