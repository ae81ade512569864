"""How many requests one httpd serves at once and in how many processes: its MPM's
directives read with httpd's defaults per MPM and corrected as httpd corrects them at start-up
(knowledge.httpd; mpm_common.html, prefork.html, worker.html, event.html, mpm_winnt.html).
The other side of the seam, what one Tomcat AJP connector takes, is derive/connector.py's."""

from __future__ import annotations

from clustercheck.derive.frontend import Capacity, Seam
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge.httpd import MAX_REQUEST_WORKERS, mpm_limits
from clustercheck.parsers.httpd_mpm import MpmSettings, MpmValue


def httpd_capacity(node: NodeFacts) -> Capacity | None:
    """The node's httpd capacity; None when its MPM settings were not read (no httpd_conf), or
    it has no one MPM."""
    mpm = node.apache.mpm if node.apache else None
    if mpm is None or mpm.mpm is None or mpm.module is None:
        return None
    rules = mpm.mpm
    limits = mpm_limits(rules, {name: value.value for name, value in mpm.values.items()})
    module = mpm.module
    if module.static:
        loaded = Seam(rules.name, f"{rules.name} MPM (linked in)", defaulted=True)
    else:
        directive = f"LoadModule {module.name}"
        loaded = Seam(rules.name, directive, module.file, module.line, written=module.path)
    workers = next((mpm.values[d] for d in MAX_REQUEST_WORKERS if d in mpm.values), None)
    return Capacity(
        mpm=loaded,
        server_limit=_seam(mpm, "serverlimit", "ServerLimit", limits.server_limit),
        threads_per_child=_seam(mpm, "threadsperchild", "ThreadsPerChild", limits.threads_per_child)
        if rules.threaded
        else Seam(1, "ThreadsPerChild (prefork: one per process)", defaulted=True),
        max_request_workers=_written(workers, "MaxRequestWorkers", limits.max_request_workers)
        if rules.name != "winnt"
        else _seam(mpm, "threadsperchild", "ThreadsPerChild", limits.max_request_workers),
        corrections=limits.corrections,
    )


def _seam(mpm: MpmSettings, key: str, directive: str, used: int) -> Seam[int]:
    return _written(mpm.values.get(key), directive, used)


def _written(value: MpmValue | None, directive: str, used: int) -> Seam[int]:
    """The value httpd uses, where it was written (as written), or its default."""
    if value is None:
        return Seam(used, directive, defaulted=True)
    return Seam(used, value.directive, value.file, value.line, written=value.written)
