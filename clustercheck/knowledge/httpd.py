"""What httpd 2.4 knows before it reads its first configuration line (the modules linked into
its binary, the version mod_version compares) and what it does with its MPM's directives (the
defaults each MPM starts from and how it corrects what it is given at start-up).

Sources, unless a table says otherwise: httpd's 2.4.x source (server/mpm/prefork/prefork.c,
server/mpm/worker/worker.c, server/mpm/event/event.c and their mpm_default.h,
server/mpm/winnt/mpm_winnt.c and mpm_default.h, modules/core/mod_so.c, server/core.c) and its
documentation (mpm_common.html, prefork.html, worker.html, event.html, mpm_winnt.html).
"""

from __future__ import annotations

from dataclasses import dataclass

# --- modules ----------------------------------------------------------------------------------

# The module name (what LoadModule and `<IfModule x_module>` use) of the modules whose source
# file is not mod_X.c for X_module (each module's `name` is its __FILE__: `<IfModule event.c>`
# matches the event MPM, `<IfModule mod_alias.c>` mod_alias).
_SOURCE_OF = {
    "core_module": "core.c",
    "http_module": "http_core.c",
    "mpm_prefork_module": "prefork.c",
    "mpm_worker_module": "worker.c",
    "mpm_event_module": "event.c",
    "mpm_winnt_module": "mpm_winnt.c",
}
_MODULE_OF = {source: module for module, source in _SOURCE_OF.items()}


def module_source(module: str) -> str:
    """The source file name a module reports (its `<IfModule>` name besides the module name):
    mod_so.c's convention (load_module: "name of preloaded module is mod_FOO.c, name of
    structure being loaded is FOO_module"), with the core and MPM exceptions."""
    if module in _SOURCE_OF:
        return _SOURCE_OF[module]
    return f"mod_{module.removesuffix('_module')}.c"


def source_module(source: str) -> str:
    """The module name of a source file as `httpd -l` prints it: mod_version.c ->
    version_module, event.c -> mpm_event_module."""
    if source in _MODULE_OF:
        return _MODULE_OF[source]
    return f"{source.removeprefix('mod_').removesuffix('.c')}_module"


@dataclass(frozen=True)
class StaticModules:
    """The modules linked into an httpd binary (`httpd -l`), for a build whose binary was not
    asked: these are in every configuration before its first LoadModule."""

    build: str  # whose build: "Debian's apache2", ...
    sources: tuple[str, ...]  # as `httpd -l` prints them


# Where the configuration lives says whose build reads it (the inventory's httpd_conf).
DEBIAN = StaticModules(
    # `apache2 -l` of Debian's apache2 2.4 (Debian 12 and its successors, on this project's
    # machine); Ubuntu builds from the same debian/rules
    "Debian's apache2",
    (
        "core.c",
        "mod_so.c",
        "mod_watchdog.c",
        "http_core.c",
        "mod_log_config.c",
        "mod_logio.c",
        "mod_version.c",
        "mod_unixd.c",
    ),
)
RED_HAT = StaticModules(
    # RHEL, CentOS, Fedora: httpd.spec configures --enable-mods-shared=all
    # --enable-mpms-shared=all, so only what cannot be shared is linked in
    "Red Hat's httpd",
    ("core.c", "mod_so.c", "http_core.c"),
)
WINDOWS = StaticModules(
    # the Apache Lounge / ASF Windows builds (`httpd -M` lists these four as static)
    "the Windows build",
    ("core.c", "mpm_winnt.c", "http_core.c", "mod_so.c"),
)
UPSTREAM = StaticModules(
    # a build from the source tarball with shared modules and MPMs, as the official httpd
    # container image makes it (--enable-mods-shared=reallyall --enable-mpms-shared=all)
    "a source build with shared modules",
    ("core.c", "mod_so.c", "http_core.c"),
)


def static_modules_for(httpd_conf: str, windows: bool) -> StaticModules:
    """The build a configuration file's place suggests: Debian's layout keeps apache2.conf in
    /etc/apache2, Red Hat's keeps conf/httpd.conf in /etc/httpd."""
    path = httpd_conf.replace("\\", "/")
    if windows:
        return WINDOWS
    if path.endswith("/apache2.conf"):
        return DEBIAN
    if path.startswith("/etc/httpd/"):
        return RED_HAT
    return UPSTREAM


# --- the version mod_version compares -----------------------------------------------------------

# With httpd's version unknown, it is taken to be a 2.4 release (2.2 reached its end of life in
# 2018, https://httpd.apache.org/security/vulnerabilities_22.html): an <IfVersion> holds or not
# for the whole line, or cannot be told.
ASSUMED_LINE = (2, 4)
LOWEST_PATCH, HIGHEST_PATCH = 0, 999


# --- the MPMs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mpm:
    """One MPM: its defaults (the values its pre-config hook sets before the configuration is
    read), its compile-time limits, the directives it registers, and the AH numbers of the
    start-up warnings its check_config hook logs when it corrects a value."""

    name: str  # prefork | worker | event | winnt
    module: str  # mpm_event_module
    server_limit: int  # DEFAULT_SERVER_LIMIT (winnt: HARD_SERVER_LIMIT, one child)
    max_server_limit: int  # MAX_SERVER_LIMIT
    thread_limit: int  # DEFAULT_THREAD_LIMIT (prefork: one thread per child)
    max_thread_limit: int  # MAX_THREAD_LIMIT
    threads_per_child: int  # DEFAULT_THREADS_PER_CHILD
    # MaxRequestWorkers when none is written: computed from the defaults before the
    # configuration is read, so ServerLimit or ThreadsPerChild written alone do not change it
    max_request_workers: int
    directives: frozenset[str]  # lower-case
    codes: dict[str, str]  # which correction -> its AH number

    @property
    def threaded(self) -> bool:
        return self.name != "prefork"


_THREADED = frozenset(
    {
        "startservers",
        "serverlimit",
        "minsparethreads",
        "maxsparethreads",
        "maxclients",
        "maxrequestworkers",
        "threadsperchild",
        "threadlimit",
    }
)
PREFORK = Mpm(
    "prefork",
    "mpm_prefork_module",
    server_limit=256,
    max_server_limit=200000,
    thread_limit=1,
    max_thread_limit=1,
    threads_per_child=1,
    max_request_workers=256,  # ap_daemons_limit = server_limit at pre-config
    directives=frozenset(
        {
            "startservers",
            "minspareservers",
            "maxspareservers",
            "maxclients",
            "maxrequestworkers",
            "serverlimit",
        }
    ),
    codes={
        "server_limit_high": "AH00175",
        "server_limit_low": "AH00177",
        "workers_servers": "AH00180",  # MaxRequestWorkers above ServerLimit
        "workers_low": "AH00182",
        "start_low": "AH00184",
    },
)
WORKER = Mpm(
    "worker",
    "mpm_worker_module",
    server_limit=16,
    max_server_limit=20000,
    thread_limit=64,
    max_thread_limit=20000,
    threads_per_child=25,
    max_request_workers=16 * 25,
    directives=_THREADED,
    codes={
        "server_limit_high": "AH00300",
        "server_limit_low": "AH00302",
        "thread_limit_high": "AH00305",
        "thread_limit_low": "AH00307",
        "threads_high": "AH00310",
        "threads_low": "AH00312",
        "workers_low": "AH00314",
        "workers_multiple": "AH00316",
        "workers_servers": "AH00318",
        "start_low": "AH00320",
    },
)
EVENT = Mpm(
    "event",
    "mpm_event_module",
    server_limit=16,
    max_server_limit=20000,
    thread_limit=64,
    max_thread_limit=100000,
    threads_per_child=25,
    max_request_workers=16 * 25,
    directives=_THREADED | {"asyncrequestworkerfactor"},
    codes={
        "server_limit_high": "AH00497",
        "server_limit_low": "AH00499",
        "thread_limit_high": "AH00502",
        "thread_limit_low": "AH00504",
        "threads_high": "AH00507",
        "threads_low": "AH00509",
        "workers_low": "AH00511",
        "workers_multiple": "AH00513",
        "workers_servers": "AH00515",
        "start_low": "AH00517",
    },
)
WINNT = Mpm(
    "winnt",
    "mpm_winnt_module",
    server_limit=1,
    max_server_limit=1,
    thread_limit=1920,
    max_thread_limit=15000,
    # 64 compiled in (mpm_default.h, mpm_common.html: "64 when used with mpm_winnt"); the
    # sample extra/httpd-mpm.conf writes 150, which is then read as written
    threads_per_child=64,
    max_request_workers=64,  # no such directive: one child serves ThreadsPerChild at once
    directives=frozenset({"threadsperchild", "threadlimit"}),
    codes={
        "thread_limit_high": "AH00439",
        "thread_limit_low": "AH00441",
        "threads_high": "AH00444",
        "threads_low": "AH00446",
    },
)
MPMS = {mpm.module: mpm for mpm in (PREFORK, WORKER, EVENT, WINNT)}
# Every MPM directive some MPM registers: under another MPM, httpd does not know it
MPM_DIRECTIVES = frozenset().union(*(mpm.directives for mpm in MPMS.values()))
# MaxClients is MaxRequestWorkers' name before 2.4, still registered as its alias
MAX_REQUEST_WORKERS = ("maxrequestworkers", "maxclients")


@dataclass(frozen=True)
class Correction:
    """A value httpd changes at start-up, with the warning it logs."""

    directive: str  # as the documentation writes it
    given: int
    used: int
    code: str  # AH number
    why: str


@dataclass(frozen=True)
class MpmLimits:
    """What an MPM runs with after check_config."""

    server_limit: int
    threads_per_child: int
    max_request_workers: int  # requests served at once
    processes: int  # child processes that can run at once
    corrections: tuple[Correction, ...]


def mpm_limits(mpm: Mpm, given: dict[str, int]) -> MpmLimits:
    """The MPM's limits from the values written (lower-case directive -> atoi of its argument;
    MaxClients given as maxrequestworkers), corrected as its check_config does, in its order."""
    return _Corrector(mpm, given).limits()


class _Corrector:
    """One run of an MPM's check_config over the values written."""

    def __init__(self, mpm: Mpm, given: dict[str, int]) -> None:
        self.mpm = mpm
        self.given = given
        self.fixes: list[Correction] = []

    def fix(self, check: str, directive: str, value: int, used: int, why: str) -> int:
        self.fixes.append(Correction(directive, value, used, self.mpm.codes[check], why))
        return used

    def limits(self) -> MpmLimits:
        mpm, given = self.mpm, self.given
        if mpm is WINNT:
            threads = self.threads()
            return MpmLimits(1, threads, threads, 1, tuple(self.fixes))
        server_limit = self.server_limit()
        workers = given.get("maxrequestworkers", mpm.max_request_workers)
        if not mpm.threaded:
            if workers > server_limit:
                why = f"above ServerLimit {server_limit}"
                workers = self.fix(
                    "workers_servers", "MaxRequestWorkers", workers, server_limit, why
                )
            elif workers < 1:
                workers = self.fix("workers_low", "MaxRequestWorkers", workers, 1, "not allowed")
            self.start_servers()
            return MpmLimits(server_limit, 1, workers, workers, tuple(self.fixes))
        threads = self.threads()
        if workers < threads:
            why = f"less than ThreadsPerChild {threads}"
            workers = self.fix("workers_low", "MaxRequestWorkers", workers, threads, why)
        processes = workers // threads
        if workers % threads:
            why = f"not a multiple of ThreadsPerChild {threads}"
            used = processes * threads
            workers = self.fix("workers_multiple", "MaxRequestWorkers", workers, used, why)
        if processes > server_limit:
            why = f"would need {processes} processes, above ServerLimit {server_limit}"
            used = server_limit * threads
            workers = self.fix("workers_servers", "MaxRequestWorkers", workers, used, why)
            processes = server_limit
        self.start_servers()
        return MpmLimits(server_limit, threads, workers, processes, tuple(self.fixes))

    def server_limit(self) -> int:
        limit = self.given.get("serverlimit", self.mpm.server_limit)
        if limit > self.mpm.max_server_limit:
            why = f"above the compile-time limit {self.mpm.max_server_limit}"
            return self.fix(
                "server_limit_high", "ServerLimit", limit, self.mpm.max_server_limit, why
            )
        if limit < 1:
            return self.fix("server_limit_low", "ServerLimit", limit, 1, "not allowed")
        return limit

    def threads(self) -> int:
        mpm = self.mpm
        thread_limit = self.given.get("threadlimit", mpm.thread_limit)
        if thread_limit > mpm.max_thread_limit:
            why = f"above the compile-time limit {mpm.max_thread_limit}"
            thread_limit = self.fix(
                "thread_limit_high", "ThreadLimit", thread_limit, mpm.max_thread_limit, why
            )
        elif thread_limit < 1:
            thread_limit = self.fix(
                "thread_limit_low", "ThreadLimit", thread_limit, 1, "not allowed"
            )
        threads = self.given.get("threadsperchild", mpm.threads_per_child)
        if threads > thread_limit:
            why = f"above ThreadLimit {thread_limit}"
            return self.fix("threads_high", "ThreadsPerChild", threads, thread_limit, why)
        if threads < 1:
            return self.fix("threads_low", "ThreadsPerChild", threads, 1, "not allowed")
        return threads

    def start_servers(self) -> None:
        start = self.given.get("startservers", 1)
        if start < 1:
            self.fix("start_low", "StartServers", start, 1, "not allowed")


# --- which module registers a directive (<IfDirective>, <IfSection>) ----------------------------

# Those of core (always there) and of the modules clustercheck reads (mod_proxy.c,
# mod_version.c); mod_jk's are parsers.httpd.JK_DIRECTIVES, the MPMs' are Mpm.directives.
# Lower-case; a section with its '<'.
_CORE = (
    "<directory <directorymatch <files <filesmatch <location <locationmatch "
    "<virtualhost <limit <limitexcept <ifmodule <ifdefine <iffile <ifdirective "
    "<ifsection <if <elseif <else define undefine include includeoptional serverroot "
    "servername serveralias documentroot errorlog loglevel options allowoverride "
    "keepalive keepalivetimeout maxkeepaliverequests timeout hostnamelookups "
    "usecanonicalname"
)
_PROXY = (
    "proxypass proxypassmatch proxypassreverse proxypassreversecookiepath "
    "proxypassreversecookiedomain proxyset balancermember proxyiobuffersize "
    "proxytimeout proxyrequests proxypreservehost proxyerroroverride proxyvia "
    "proxyaddheaders proxypassinherit proxypassinterpolateenv <proxy <proxymatch"
)
DIRECTIVE_MODULES: dict[str, str] = {
    **dict.fromkeys(_CORE.split(" "), "core_module"),
    **dict.fromkeys(_PROXY.split(" "), "proxy_module"),
    "<ifversion": "version_module",
}
