"""CC6033 jk-mount-target."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clustercheck.checks.config.jk_common import JK_CONFIG, JkConfig, count, judged
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, warned
from clustercheck.facts.cluster import NodeFacts
from clustercheck.parsers.httpd import Mount


@check("CC6033", "jk-mount-target", scope=Scope.NODE, roles=("apache",), family=JK_CONFIG)
def jk_mount_target(node: NodeFacts) -> Iterator[Finding]:
    """Every JkMount and uriworkermap rule names a worker in worker.list

    Each mapping rule (JkMount and JkUnMount, a JkMountFile's uriworkermap rules,
    `worker.NAME.mount`) must name a worker of worker.list: lb members, which need not be
    listed, cannot be mounted. A rule that would route requests fails; an exclusion and a
    disabled rule only warn, as they never route a request. A uriworkermap rule mod_jk ignores
    as written (no worker, a URI without `/`) is said by CC6034, a JkMount that stops httpd by
    CC6032.

    ## Why it matters
    HTTP 500 for one URL: its JkMount names a worker that is not in worker.list, and mod_jk
    only logs "Could not find worker" at start ("Could not find a worker for worker name=..."
    at each request). An exclusion naming such a worker excludes nothing.

    ## How to fix
    List in worker.list every worker a rule names (its lb, not an lb member), or mount the lb
    the member belongs to; then restart httpd and read the mod_jk log.
    """
    yield from judged(node, _mounts, _summary)


def _mounts(config: JkConfig) -> Iterator[Finding]:
    listed = set(config.workers.listed_names)
    for mount in config.apache.mounts:
        if mount.worker in listed or (mount.unmount and mount.worker == "*"):
            continue
        where: dict[str, Any] = {
            "file": mount.file,
            "line": mount.line,
            "details": {"worker": mount.worker, "uri": mount.pattern},
        }
        unlisted = f"{_rule(mount)}: worker {mount.worker} is not in worker.list"
        if mount.disabled:
            yield warned(
                f"{unlisted}; the rule is disabled, but mod_jk logs an error at start, and "
                "enabling it gives HTTP 500",
                **where,
            )
        elif mount.unmount:
            yield warned(f"{unlisted}, so this exclusion excludes nothing", **where)
        else:
            yield failed(f"{unlisted}, so requests for {mount.pattern} get HTTP 500", **where)


def _rule(mount: Mount) -> str:
    if mount.source == "JkMount":
        directive = "JkUnMount" if mount.unmount else "JkMount"
        return f"{directive} {mount.pattern} {mount.worker}"
    flags = ("-" if mount.disabled else "") + ("!" if mount.unmount else "")
    return f"rule {flags}{mount.pattern}={mount.worker}"


def _summary(config: JkConfig) -> Finding:
    mounts = count(len(config.apache.mounts), "mount")
    return passed(f"every mount names a worker of worker.list ({mounts})", file=config.workers.path)
