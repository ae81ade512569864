"""How many requests one httpd serves at once and in how many processes: its MPM's
directives read with httpd's defaults per MPM (mpm_common.html, prefork.html, worker.html,
event.html; knowledge.httpd.MPM_DEFAULTS) and adjusted as the MPM adjusts them at start
(server/mpm/*/*.c `*_check_config`)."""

from __future__ import annotations

from clustercheck.derive.frontend import Capacity, Seam
from clustercheck.derive.frontend_proxy import setting_seam
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge import httpd
from clustercheck.knowledge.modjk import atoi


def httpd_capacity(node: NodeFacts) -> Capacity | None:
    """The node's httpd capacity; None when its MPM settings were not read (no httpd_conf,
    or no LoadModule for an MPM: one compiled in is not known)."""
    proxy = node.apache.proxy if node.apache else None
    mpm = proxy.mpm.get("mpm") if proxy else None
    if proxy is None or mpm is None or mpm.value.lower() not in httpd.MPM_DEFAULTS:
        return None
    name = mpm.value.lower()
    defaults = httpd.MPM_DEFAULTS[name]
    settings = proxy.mpm

    def read(key: str, directive: str, default: int, low: int, high: int) -> Seam[int]:
        found = settings.get(key)
        if found is None:
            return Seam(default, directive, defaulted=True)
        return setting_seam(found, min(max(atoi(found.value), low), high))

    server_limit = read(
        "serverlimit", "ServerLimit", defaults.server_limit, 1, defaults.server_limit_max
    )
    if name in httpd.THREADED:
        limit = read("threadlimit", "ThreadLimit", defaults.thread_limit, 1, 10**6).value
        threads = read("threadsperchild", "ThreadsPerChild", defaults.threads_per_child, 1, limit)
    else:
        threads = Seam(1, "ThreadsPerChild", defaulted=True)  # prefork: one thread per child
    per = threads.value
    if name == "winnt":  # one child process serves every request
        workers = Seam(per, "ThreadsPerChild", threads.file, threads.line, threads.defaulted)
    else:
        most = per * server_limit.value if name in httpd.THREADED else server_limit.value
        workers = read(
            "maxrequestworkers", "MaxRequestWorkers", defaults.max_request_workers, per, 10**9
        )
        # lowered to a multiple of ThreadsPerChild, and to what ServerLimit children hold
        workers = Seam(
            min(workers.value // per * per, most),
            workers.directive,
            workers.file,
            workers.line,
            workers.defaulted,
            workers.written,
        )
    return Capacity(
        mpm=setting_seam(mpm, name),
        server_limit=server_limit,
        threads_per_child=threads,
        max_request_workers=workers,
    )
