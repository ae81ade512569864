"""CC6033 jk-mount-target."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clustercheck.checks.config.jk_common import JK_CONFIG, JkConfig, count, judged
from clustercheck.derive.modjk import Unmapped, jk_release, unmapped_handlers
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, warned
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge import modjk
from clustercheck.parsers.httpd import Mount


@check("CC6033", "jk-mount-target", scope=Scope.NODE, roles=("apache",), family=JK_CONFIG)
def jk_mount_target(node: NodeFacts) -> Iterator[Finding]:
    """Every JkMount and uriworkermap rule names a worker in worker.list, and every request
    handed to mod_jk has a worker

    Each mapping rule (JkMount and JkUnMount, a JkMountFile's uriworkermap rules,
    `worker.NAME.mount`) must name a worker of worker.list: lb members, which need not be
    listed, cannot be mounted. A rule that would route requests fails; an exclusion and a
    disabled rule only warn, as they never route a request. A uriworkermap rule mod_jk ignores
    as written (no worker, a URI without `/`) is said by CC6034, a JkMount that stops httpd by
    CC6032. A `SetHandler` or `AddHandler jakarta-servlet` whose requests no JkMount maps (one
    inside its `<Location>`, or one matching the location's path) and no `JK_WORKER_NAME`
    (JkWorkerIndicator) names a worker for relies on implicit mapping, which mod_jk 1.2.49
    removed: with mod_jk 1.2.49 or later it fails, with an unknown release it warns, up to
    1.2.48 it works (such requests go to the first worker of worker.list).

    ## Why it matters
    HTTP 500 for one URL: its JkMount names a worker that is not in worker.list, and mod_jk
    only logs "Could not find worker" at start ("Could not find a worker for worker name=..."
    at each request). An exclusion naming such a worker excludes nothing. After an upgrade of
    mod_jk to 1.2.49 or later, a `<Location>` handed to mod_jk by `SetHandler jakarta-servlet`
    alone no longer reaches Tomcat: httpd answers those requests itself (404, or its own
    files), with nothing in the mod_jk log at the default level.

    ## How to fix
    List in worker.list every worker a rule names (its lb, not an lb member), or mount the lb
    the member belongs to; then restart httpd and read the mod_jk log. Map a `SetHandler
    jakarta-servlet` explicitly: `JkMount WORKER` inside its `<Location>`, or `SetEnv
    JK_WORKER_NAME WORKER` beside it.
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
    yield from _implicit(config)


def _implicit(config: JkConfig) -> Iterator[Finding]:
    """Requests handed to mod_jk without a worker: forwarded only by implicit mapping."""
    unmapped = unmapped_handlers(config.apache)
    if not unmapped:
        return
    release = jk_release(config.apache)
    if release is not None and modjk.maps_implicitly(release.version):
        return
    listed = config.workers.listed_names
    first = listed[0] if listed else "WORKER"
    for item in unmapped:
        said = _unmapped(item)
        fix = (
            f"map them explicitly: `JkMount {first}` inside the <Location>, or `SetEnv "
            f"{modjk.WORKER_INDICATOR} {first}` beside the {item.directive.name}"
        )
        at: dict[str, Any] = {
            "file": item.directive.file,
            "line": item.directive.line,
            "details": {"location": item.location, "first_worker": first},
        }
        if release is None:
            yield warned(
                f"{said}: mod_jk up to 1.2.48 sends these requests to the first worker of "
                f"worker.list ({first}), 1.2.49 and later forward none of them (httpd answers "
                f"them itself), and this mod_jk's release is not known; {fix}",
                **at,
            )
            continue
        yield failed(
            f"{said}: mod_jk {release.text} forwards none of these requests (1.2.49 removed the "
            f"implicit mapping that sent them to {first}, the first worker of worker.list), so "
            f"httpd answers them itself, with its own files or 404; {fix}",
            **at,
        )


def _unmapped(item: Unmapped) -> str:
    directive = item.directive
    written = f"{directive.name} {' '.join(directive.args)}"
    if item.location is None:
        return f"{written} names no worker (nothing sets {modjk.WORKER_INDICATOR})"
    return (
        f"{written} in <Location {item.location}> names no worker (no JkMount maps "
        f"{item.location}, nothing sets {modjk.WORKER_INDICATOR})"
    )


def _rule(mount: Mount) -> str:
    if mount.source == "JkMount":
        directive = "JkUnMount" if mount.unmount else "JkMount"
        return f"{directive} {mount.pattern} {mount.worker}"
    flags = ("-" if mount.disabled else "") + ("!" if mount.unmount else "")
    return f"rule {flags}{mount.pattern}={mount.worker}"


def _summary(config: JkConfig) -> Finding:
    mounts = count(len(config.apache.mounts), "mount")
    return passed(f"every mount names a worker of worker.list ({mounts})", file=config.workers.path)
