"""CC6037 jk-worker-role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clustercheck.checks.config.jk_common import (
    JK_CONFIG,
    JkConfig,
    bites,
    defined,
    endpoint,
    judged,
    lb_where,
    lbs,
    where,
)
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, warned
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge import modjk
from clustercheck.parsers.workers import Worker


@check("CC6037", "jk-worker-role", scope=Scope.NODE, roles=("apache",), family=JK_CONFIG)
def jk_worker_role(node: NodeFacts) -> Iterator[Finding]:
    """Each worker mod_jk creates has a type it can do its job with

    mod_jk creates workers of types it accepts and then fails on: an `ajp12` worker in
    worker.list (Tomcat does not speak AJPv12), an lb member of type status or ajp12 (httpd's
    child crashes on its requests) or lb (httpd may not start, and the inner lb's sessions are
    not sticky), `balance_workers` on a worker that is not an lb (the members are ignored), and
    a template in worker.list (it becomes a worker of its own). A worker type mod_jk does not
    know at all stops httpd: CC6032 says so.

    ## Why it matters
    httpd starts and still does not serve: an ajp12 worker answers 200 without the
    application's page, a status worker as lb member crashes httpd's children, an lb without
    `type=lb` sends every request to one address (localhost:8009 unless it has a host), and a
    nested lb loses stickiness.

    ## How to fix
    Give each lb `type=lb` and `balance_workers` of ajp13 workers, write `type=ajp13` for
    Tomcat, keep status workers and templates out of balance_workers and worker.list (list
    the workers that reference a template), then restart httpd and read the mod_jk log.
    """
    yield from judged(node, _roles, _summary)


def _roles(config: JkConfig) -> Iterator[Finding]:
    workers = config.workers
    for name, line in workers.worker_list:
        worker = workers.workers[name]
        if name in config.templates and defined(worker):
            yield warned(
                f"worker.list names {name}, a template other workers reference: mod_jk creates "
                f"it as a worker of its own ({endpoint(worker)})",
                file=config.list_file,
                line=line,
                details={"worker": name},
            )
    for name in sorted(config.created):
        worker = workers.workers[name]
        if worker.type == modjk.AJP12 and name in workers.listed_names:
            # observed with Tomcat 10.1 behind the real httpd + mod_jk 1.2.48
            yield failed(
                f"worker {name} has type ajp12 (obsolete): mod_jk speaks AJPv12 to it, which "
                "Tomcat's AJP connector does not understand (it logs \"Invalid message received "
                'with signature [256]" and closes the connection), so every request mapped to '
                f"{name} gets status 200 and no page from the application; write type=ajp13",
                **where(workers, worker, "type"),
                details={"worker": name},
            )
    for worker in workers.workers.values():
        if worker.type != modjk.LB and worker.members:
            setting = worker.settings["type"]
            kind = f"is {worker.type}" + (" (mod_jk's default)" if setting.defaulted else "")
            yield bites(
                worker.name,
                config.created,
                f"worker {worker.name} has balance_workers but its type {kind}, not lb: mod_jk "
                f"ignores the members and creates a plain worker ({endpoint(worker)})",
                **lb_where(workers, worker),
            )
    for lb in lbs(workers):
        yield from _member_types(config, lb, lb_where(workers, lb))


def _member_types(config: JkConfig, lb: Worker, at: dict[str, Any]) -> Iterator[Finding]:
    """jk_lb_worker.c `validate` creates each member with wc_create_worker whatever its type,
    and from then on uses it as an AJP worker (its private data cast to ajp_worker_t)."""
    workers = config.workers
    for name in dict.fromkeys(lb.members):
        member = workers.workers[name]
        details = {"lb": lb.name, "worker": name}
        if member.type in (modjk.STATUS, modjk.AJP12):
            yield bites(
                lb.name,
                config.created,
                f"lb {lb.name} has {name}, of type {member.type}, as a member: mod_jk uses "
                "every member as an AJP13 worker, and httpd's child process crashes "
                f"(segmentation fault) on each request the lb sends to {name}",
                **at,
                details=details,
            )
        elif member.type == modjk.LB:
            nested = ", ".join(member.members) or "none"
            start = (
                "httpd starts"
                if name in workers.listed_names
                else f"unless {name} is in worker.list too (or JkShmSize leaves room), mod_jk's "
                "shared memory, sized from worker.list, has no room for its members and httpd "
                "does not start; when it starts"
            )
            yield bites(
                lb.name,
                config.created,
                f"lb {lb.name} has the lb {name} as a member: {start}, sessions of {name}'s "
                f"members ({nested}) are not sticky through {lb.name}, which knows only the "
                f"route {member.route or name!r}, so their requests go to any member",
                **at,
                details=details,
            )


def _summary(config: JkConfig) -> Finding:
    return passed(
        "every worker mod_jk creates has a type it can do its job with",
        file=config.workers.path,
    )
