"""CC6031 jk-undefined-worker."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.config.jk_common import (
    JK_CONFIG,
    JkConfig,
    bites,
    count,
    defined,
    judged,
    lb_where,
    lbs,
)
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed
from clustercheck.facts.cluster import NodeFacts


@check("CC6031", "jk-undefined-worker", scope=Scope.NODE, roles=("apache",), family=JK_CONFIG)
def jk_undefined_worker(node: NodeFacts) -> Iterator[Finding]:
    """Every worker that worker.list or balance_workers names is defined

    A name in worker.list, or in an lb's balance_workers, that has no `worker.NAME.*` line of
    its own (nor one by `reference` or JkWorkerProperty) fails; in an lb mod_jk does not
    create, it warns. The `pass` sums up worker.list, the balanced members and the mounts.

    ## Why it matters
    A member silently sends traffic to localhost: mod_jk does not refuse a name it has no
    definition for, it creates an ajp13 worker for localhost:8009, so that worker's requests
    (or the lb member's share of them) go to port 8009 of the httpd host itself.

    ## How to fix
    Define every worker that worker.list and balance_workers name (`worker.NAME.type`, `host`,
    `port`), or remove the name, then restart httpd and read the mod_jk log.
    """
    yield from judged(node, _undefined, _summary)


def _undefined(config: JkConfig) -> Iterator[Finding]:
    workers = config.workers
    for name, line in workers.worker_list:
        if not defined(workers.workers[name]):
            yield failed(
                f"worker.list names {name}, which is defined nowhere: mod_jk creates it as an "
                "ajp13 worker for localhost:8009",
                file=config.list_file,
                line=line,
                details={"worker": name},
            )
    for lb in lbs(workers):
        for member in lb.members:
            if not defined(workers.workers[member]):
                yield bites(
                    lb.name,
                    config.created,
                    f"lb {lb.name} member {member} is defined nowhere: mod_jk creates it as an "
                    "ajp13 worker for localhost:8009, so its share of requests goes to port "
                    "8009 of the httpd host itself",
                    **lb_where(workers, lb),
                    details={"lb": lb.name, "worker": member},
                )


def _summary(config: JkConfig) -> Finding:
    listed, members, mounts = config.workers.listed_names, config.members, config.apache.mounts
    return passed(
        f"worker.list: {', '.join(listed)}; {count(len(members), 'balanced member')} "
        f"defined; {count(len(mounts), 'mount')}",
        file=config.workers.path,
        details={"worker_list": listed, "members": members, "mounts": len(mounts)},
    )
