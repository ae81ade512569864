"""CC6035 jk-deprecated."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.config.jk_common import JK_CONFIG, JkConfig, file_of, judged, setting_of
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, passed, warned
from clustercheck.facts.cluster import NodeFacts


@check("CC6035", "jk-deprecated", scope=Scope.NODE, roles=("apache",), family=JK_CONFIG)
def jk_deprecated(node: NodeFacts) -> Iterator[Finding]:
    """No workers.properties directive is one mod_jk has deprecated

    Each deprecated `worker.NAME.directive` (in the workers file or a JkWorkerProperty) warns,
    with the name that replaces it (`balanced_workers`, `cachesize`, `cache_timeout`,
    `recycle_timeout`, `jvm_route`, `disabled`, `stopped`), or that it does nothing any more
    (`local_worker`, `local_worker_only`, the JNI worker's directives).

    ## Why it matters
    Deprecated directives still work only as fallbacks, or not at all, and are logged at every
    start: whoever reads the file takes a directive that does nothing for one that does.

    ## How to fix
    Rename each deprecated directive as the message says (`balance_workers`,
    `connection_pool_size`, `route`, `activation`...), or delete the ones that do nothing, then
    restart httpd.
    """
    yield from judged(node, _deprecated, _summary)


def _deprecated(config: JkConfig) -> Iterator[Finding]:
    workers = config.workers
    for line, key, replacement in workers.deprecated:
        reason = replacement.removeprefix("nothing: ")
        if reason != replacement:
            message = f"{key} is deprecated and does nothing: {reason}"
        else:
            message = f"{key} is deprecated: write {key.rpartition('.')[0]}.{replacement}"
        yield warned(message, file=file_of(workers, setting_of(workers, key)), line=line)


def _summary(config: JkConfig) -> Finding:
    return passed("no deprecated directive in the workers file", file=config.workers.path)
