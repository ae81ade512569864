"""CC6032 jk-refused-directive."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.config.jk_common import (
    JK_CONFIG,
    JkConfig,
    bites,
    judged,
    lb_where,
    lbs,
    where,
)
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge import modjk
from clustercheck.parsers.text import Kind

# Worker types mod_jk has a factory for (jk_worker_list.h); any other cannot be created.
KNOWN_TYPES = modjk.WORKER_TYPES


@check("CC6032", "jk-refused-directive", scope=Scope.NODE, roles=("apache",), family=JK_CONFIG)
def jk_refused_directive(node: NodeFacts) -> Iterator[Finding]:
    """httpd and mod_jk accept every Jk directive and workers.properties line: httpd starts

    Fails on what stops httpd, or mod_jk and httpd with it, at start: an unknown
    `worker.NAME.attribute`, an unresolvable `reference`, a malformed Jk directive or one in a
    place httpd does not allow it, a JkWorkersFile that does not exist, an Include loop, a
    section never closed, a worker type mod_jk does not know, an lb without members, and lb
    members sharing a route (in an lb mod_jk does not create, these only warn). An Include
    loop inside `<IfDefine>` or `<IfModule>` stops httpd only if httpd reads it: it is said
    as a warning by CC6034.

    ## Why it matters
    httpd does not start after a config change: mod_jk stops at the first unknown attribute
    (a misspelt `worker.lb.sticky_sesion`), an unknown worker type, an lb without members or
    two members with one route, and takes httpd with it; a JkWorkersFile that is not there
    stops httpd at its config. `apachectl -t` does not read workers.properties, so it still
    says "Syntax OK".

    ## How to fix
    Correct the line the message names: spell the attribute as mod_jk's reference does, point
    `reference` at a worker prefix that exists (`worker.template`), give each lb `type=lb` and
    `balance_workers`, each member its own `route`, and JkWorkersFile a file that exists. Then
    run `apachectl -t`, restart httpd and read the mod_jk log.
    """
    yield from judged(node, _refused, _summary, refusal=True, kinds={Kind.REFUSES_TO_START})


def _refused(config: JkConfig) -> Iterator[Finding]:
    yield from config.problems({Kind.REFUSES_TO_START})
    workers = config.workers
    for name in sorted(config.created):
        worker = workers.workers[name]
        if worker.type not in KNOWN_TYPES:
            yield failed(
                f"worker {name} has type '{worker.type}', which mod_jk does not know "
                f"({', '.join(sorted(KNOWN_TYPES))}): it cannot create it and httpd does not start",
                **where(workers, worker, "type"),
                details={"worker": name},
            )
    for lb in lbs(workers):
        at = lb_where(workers, lb)
        if not lb.members:
            yield bites(
                lb.name,
                config.created,
                f"lb {lb.name} has no balance_workers: mod_jk cannot create it and httpd does "
                "not start",
                **at,
            )
        routes: dict[str, list[str]] = {}
        for member in dict.fromkeys(lb.members):
            routes.setdefault(workers.workers[member].route or member, []).append(member)
        for route, sharing in routes.items():
            if len(sharing) > 1:
                yield bites(
                    lb.name,
                    config.created,
                    f"lb {lb.name} members {', '.join(sharing)} share the route {route!r}: "
                    "mod_jk aborts its configuration and httpd does not start",
                    **at,
                    details={"lb": lb.name, "route": route},
                )


def _summary(config: JkConfig) -> Finding:
    return passed(
        "nothing in the Jk directives or the workers file stops httpd or mod_jk at start",
        file=config.workers.path,
    )
