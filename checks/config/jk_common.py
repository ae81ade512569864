"""The CC603 jk-config family: what its members share. Each member reads mod_jk's configuration
through `judged` (what could not be read, then its own findings, or one pass) and weighs a
fault by whether mod_jk creates the worker it is in (`bites`)."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from clustercheck.checks.common import PROBLEM_STATUS, weighed_problems
from clustercheck.engine.check import family
from clustercheck.engine.results import Finding, Status, errored, failed, skipped, warned
from clustercheck.facts.cluster import NodeFacts
from clustercheck.facts.files import ApacheFacts
from clustercheck.parsers.text import Kind
from clustercheck.parsers.workers import WORKER_PREFIX, Setting, Worker, WorkersFile

JK_CONFIG = family(
    "CC603",
    "jk-config",
    """mod_jk's configuration, read as httpd and mod_jk read it: one check per kind of fault

    Each member reads mod_jk's configuration as httpd on the node has it: the Jk directives of
    the httpd file (and its Includes), the workers file after `reference` inheritance and with
    mod_jk's defaults, JkMountFile rules and `worker.NAME.mount`. Each verdict follows what
    httpd 2.4 and mod_jk 1.2 really do (their source, and a real httpd + mod_jk started by the
    tests). A fault in a worker mod_jk does not create (not in worker.list, not a member of a
    listed lb) only warns; when a member finds nothing, one `pass` says what it checked. Every
    member is an `error` when the httpd file or the workers file cannot be read, and where
    clustercheck's limits stop reading (Include and JkMountFile past 2000 files or 8 MiB, a
    value that `$(name)` or a repeated key would grow past 64 KiB): what lies past them is not
    judged.

    With `apache.httpd_conf`, httpd's whole configuration is read, and what reading it finds is
    reported by this family too, also on a node that does not use mod_jk (where the members
    otherwise skip): what httpd refuses while reading (an Include of a missing file or a
    wildcard that matches nothing, a module loaded that is built in, no MPM or two, an MPM
    directive the MPM does not have or inside <VirtualHost>) fails in jk-refused-directive; a
    `${VAR}` that nothing defines (httpd keeps it as written), a read-time condition
    clustercheck cannot decide (said how it was read), a module loaded twice warn in
    jk-ineffective-setting; a jk_conf of the inventory that httpd does not read fails (its Jk
    directives have no effect).

    This was one check, CC603, before it was split so that each kind of fault can be selected
    and waived on its own: `CC603` or `jk-config` in --checks, --skip, a waiver or `explain`
    still takes every member, a member's own code (CC6031...) only that one. The lint of
    mod_proxy's configuration is the family CC607 proxy-config, split the same way
    (CC6071...).
    """,
)


@dataclass(frozen=True)
class JkConfig:
    """mod_jk's configuration on one apache node, as every member judges it."""

    apache: ApacheFacts
    workers: WorkersFile

    @cached_property
    def created(self) -> set[str]:
        """The workers mod_jk creates: worker.list (or its default) and the members of listed
        lbs."""
        return {*self.workers.listed_names, *self.members}

    @cached_property
    def members(self) -> list[str]:
        """Members of the listed lbs, each once."""
        lbs = [self.workers.workers[name] for name in self.workers.listed_names]
        return list(dict.fromkeys(m for lb in lbs if lb.type == "lb" for m in lb.members))

    @property
    def list_file(self) -> str:
        """Where worker.list is written (the workers file, or a JkWorkerProperty's file)."""
        return file_of(self.workers, self.workers.global_settings.get("list"))

    @cached_property
    def templates(self) -> set[str]:
        """Workers some `reference` copies from."""
        return {
            worker.settings["reference"].value.removeprefix(WORKER_PREFIX)
            for worker in self.workers.workers.values()
            if "reference" in worker.settings
        }

    def problems(self, kinds: Collection[Kind]) -> Iterator[Finding]:
        """The readers' problems of these kinds, each once (the workers file's may also be
        among the node's)."""
        return weighed_problems(self.apache.problems + self.workers.problems, kinds)


def judged(
    node: NodeFacts,
    judge: Callable[[JkConfig], Iterable[Finding]],
    summary: Callable[[JkConfig], Finding],
    *,
    refusal: bool = False,
    kinds: Collection[Kind] = (),
) -> Iterator[Finding]:
    """What one member says about the node: what could not be read (every member needs all of
    it), then its own findings, or its `summary` pass when nothing was found. With `refusal`,
    a JkWorkersFile that does not exist is said as the refusal it is for httpd. `kinds`: the
    problems of reading httpd's configuration this member reports when no workers file is read
    (with `apache.httpd_conf`, httpd's whole configuration is read, also on a node without
    mod_jk)."""
    apache = node.apache
    if apache is None:
        yield errored("no Apache facts were gathered")
        return
    unreadable = list(_unreadable(node, apache, refusal))
    if apache.workers is None:
        yield from unreadable
        if apache.httpd_conf:
            yield from weighed_problems(apache.problems, kinds)
        return
    config = JkConfig(apache, apache.workers)
    findings = [*unreadable, *config.problems({Kind.UNREADABLE}), *judge(config)]
    yield from findings
    if not any(finding.status.is_finding for finding in findings):
        yield summary(config)


def _unreadable(node: NodeFacts, apache: ApacheFacts, refusal: bool) -> Iterator[Finding]:
    """The httpd file, then the workers file: each missing one is a judgement not made."""
    root = apache.httpd_conf or apache.jk_conf
    conf = node.file_error(root) if root else None
    if conf is not None:
        yield errored(f"cannot read the httpd file {conf.message}", file=root)
    elif apache.workers is None and _uses_mod_jk(node, apache):
        yield _no_workers(node, apache, refusal)
    elif apache.workers is None:
        yield skipped(f"httpd does not use mod_jk: {root} reads no Jk directive", file=root)


def _uses_mod_jk(node: NodeFacts, apache: ApacheFacts) -> bool:
    """With httpd's whole configuration read, mod_jk is used when a Jk directive is read."""
    if not apache.httpd_conf or node.settings.apache.workers_properties:
        return True
    return any(directive.lname.startswith("jk") for directive in apache.directives)


def _no_workers(node: NodeFacts, apache: ApacheFacts, refusal: bool) -> Finding:
    written = node.settings.apache.workers_properties
    where: dict[str, Any] = {"file": apache.httpd_conf or apache.jk_conf}
    named = False  # by JkWorkersFile, which httpd itself checks
    if not written and apache.jk and apache.jk.workers_file:
        written, file, line = apache.jk.workers_file
        where = {"file": file, "line": line}
        named = True
    if not written:
        return errored(
            "no workers file found: no JkWorkersFile in the httpd file and no "
            "workers_properties in the inventory",
            **where,
        )
    path = posixpath.normpath(posixpath.join(apache.server_root or "/", written))
    read = node.file_error(path)
    rooted = posixpath.isabs(written) or bool(
        node.settings.apache.server_root or (apache.jk and apache.jk.server_root)
    )
    if refusal and named and rooted and read is not None and read.status == "missing":
        # mod_jk.c jk_set_worker_file: the directive itself fails on a file that does not
        # exist, so httpd stops at the config ("AH00526: Syntax error"; observed with 2.4.71)
        return failed(
            f"JkWorkersFile names {path}, which does not exist: httpd refuses to start "
            '("JkWorkersFile: Can\'t find the workers file specified")',
            **where,
        )
    return errored(f"cannot read the workers file {read.message if read else path}", **where)


# --- where a finding points, and what it weighs -----------------------------------------------


def defined(worker: Worker) -> bool:
    """Written somewhere (in the file, by reference or JkWorkerProperty), not only named."""
    return any(not setting.defaulted for setting in worker.settings.values())


def setting_of(workers: WorkersFile, key: str) -> Setting | None:
    name, _dot, directive = key.removeprefix(WORKER_PREFIX).rpartition(".")
    worker = workers.workers.get(name)
    return worker.settings.get(directive) if worker else None


def file_of(workers: WorkersFile, setting: Setting | None) -> str:
    """The workers file, or the httpd file of a JkWorkerProperty."""
    return (setting.file if setting else None) or workers.path


def where(workers: WorkersFile, worker: Worker, *directives: str) -> dict[str, Any]:
    """File and line of the first of these settings that was written, else of the worker."""
    for directive in directives:
        setting = worker.settings.get(directive)
        if setting is not None and setting.line is not None:
            return {"file": file_of(workers, setting), "line": setting.line}
    return {"file": workers.path, "line": worker.line}


def lb_where(workers: WorkersFile, lb: Worker) -> dict[str, Any]:
    """Where an lb's members are written."""
    return where(workers, lb, "balance_workers", "balanced_workers")


def endpoint(worker: Worker) -> str:
    """'ajp13 localhost:8009' for a worker that connects somewhere, else just its type."""
    return f"{worker.type} {worker.host}:{worker.port}" if worker.host else str(worker.type)


def weighed(worker: str, created: set[str], kind: Kind, message: str, **at: Any) -> Finding:
    """A consequence weighed like a reader's problem of that kind, but only a warning in a
    worker mod_jk does not create (see bites)."""
    status = PROBLEM_STATUS[kind]
    if status == Status.FAIL:
        return bites(worker, created, message, **at)
    return Finding(status, message, **at)


def bites(worker: str, created: set[str], message: str, **at: Any) -> Finding:
    """A fault fails in a worker mod_jk creates; in one it ignores, it only bites once listed."""
    if worker in created:
        return failed(message, **at)
    return warned(f"{message} ({worker} is not in worker.list: this bites once it is)", **at)


def lbs(workers: WorkersFile) -> Iterator[Worker]:
    """The workers of type lb, listed or not."""
    return (worker for worker in workers.workers.values() if worker.type == "lb")


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
