"""CC603 jk-config."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import Any

from clustercheck.checks.common import some_of
from clustercheck.engine.check import check
from clustercheck.engine.results import (
    Finding,
    Scope,
    Status,
    errored,
    failed,
    passed,
    skipped,
    warned,
)
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.facts.files import ApacheFacts
from clustercheck.knowledge import modjk
from clustercheck.parsers.httpd import Mount
from clustercheck.parsers.text import Kind, Problem
from clustercheck.parsers.workers import (
    WORKER_PREFIX,
    Setting,
    Worker,
    WorkersFile,
    parse_bool,
)

# What a reader's Problem weighs here, by what it means (the parsers decide the kind).
PROBLEM_STATUS: dict[Kind, Status] = {
    Kind.REFUSES_TO_START: Status.FAIL,
    Kind.MEANS_SOMETHING_ELSE: Status.FAIL,
    Kind.MAY_MEAN_SOMETHING_ELSE: Status.WARN,
    Kind.OVERRIDDEN: Status.WARN,
    Kind.REDUNDANT: Status.WARN,
    Kind.UNREADABLE: Status.ERROR,
}

# Worker types mod_jk has a factory for (jk_worker_list.h); any other cannot be created.
KNOWN_TYPES = modjk.WORKER_TYPES

# How mod_jk reads a directive that has a default (parsers.workers.with_defaults), so that a
# commented-out value can be compared with that default; the others compare as text.
READ_AS: dict[str, Callable[[str], object]] = {
    "sticky_session": lambda value: parse_bool(value, True),
    "port": modjk.jk_int,
    "lbfactor": modjk.jk_int,
}


@check("CC603", "jk-config", scope=Scope.NODE, roles=("apache",))
def jk_config(node: NodeFacts, cluster: ClusterFacts) -> Iterator[Finding]:
    """worker.list, balance_workers and JkMount name defined workers; mod_jk reads every value
    as it is meant; no deprecated or ineffective setting.

    Reads mod_jk's configuration as httpd on the node has it: the Jk directives of the httpd
    file (and its Includes), the workers file after `reference` inheritance and with mod_jk's
    defaults, JkMountFile rules and `worker.NAME.mount`. Each verdict follows what httpd 2.4 and
    mod_jk 1.2 really do (their source, and a real httpd + mod_jk started by the tests). It
    reports:

    - every problem the readers found: `fail` when httpd or mod_jk would refuse to start (an
    unknown `worker.NAME.attribute`, an unresolvable `reference`, a malformed Jk directive, a
    JkWorkersFile that does not exist, an Include loop) or when a line silently means something
    other than it says (a setting without `=`, an ignored mapping rule, a non-breaking space
    where mod_jk or httpd then reads another value, an empty `host` that leaves localhost);
    `warn` for the rest (a repeated key, whose earlier value mod_jk overwrites, a `workers.list`
    that mod_jk takes for a user variable, a `;` line, which mod_jk reads as a variable nothing
    uses and so has no effect, an Include loop inside `<IfDefine>` or `<IfModule>`, ...);
    `error` where clustercheck's limits stop reading (Include and JkMountFile past 2000 files
    or 8 MiB, a value that `$(name)` or a repeated key would grow past 64 KiB): what lies past
    them is not judged;
    - a user variable (a key outside `worker.`) that no `$(NAME)` after it and no `reference`
    uses: mod_jk ignores the line (`warn`: it may have been meant to set something); those of
    mod_jk's old sample file (`workers.tomcat_home`, `workers.java_home`, `workers.apache_log`,
    `ps`, left from the JNI worker) are named in one `pass`, as harmless;
    - a worker.list entry or an lb member that is defined nowhere, an lb without members, lb
    members sharing a route, `balance_workers` on a worker that is not an lb, a worker type
    mod_jk does not know (httpd does not start), an `ajp12` worker (Tomcat does not speak
    AJPv12), and an lb member of type status or ajp12 (httpd's child crashes on its requests)
    or lb (httpd may not start, and the inner lb's sessions are not sticky);
    - values mod_jk changes or cannot use: `fail` where that changes what the worker does (an
    `activation` it does not know runs the member active, `lbfactor` 0 or less becomes 1, a
    `connection_pool_size` of 0 answers 503, a `ping_mode` or boolean read as its opposite, a
    host no resolver takes, such as `$TOMCAT_IP`, `host:port` or a name in the reserved
    `.invalid` domain, or a port that reads as 0, which disables the worker), `warn` where it
    is harmless or only may be (`max_packet_size` rounded to a multiple of 1024 within
    8192-65536, a first letter read as a code, an lb `method` it does not know, a host or port
    `$(NAME)` that nothing in the file defines before it: left as written, it disables the
    worker, unless httpd's environment defines NAME, which only the running httpd knows);
    - a JkMount or uriworkermap rule naming a worker that is not in worker.list (exclusions and
    disabled rules only warn: they never route a request);
    - deprecated directives, a commented-out setting whose value is mod_jk's default anyway, a
    template worker in worker.list, an lb or status worker missing from worker.list, and a
    VirtualHost with JkMount rules of its own but no JkMountCopy (the global mounts do not
    reach it).

    A problem in a worker mod_jk does not create (not in worker.list, not a member of a listed
    lb) only warns. When nothing is wrong, one `pass` sums up what was checked.

    With `apache.httpd_conf`, httpd's whole configuration is read, and what reading it finds
    is reported here too, also on a node that does not use mod_jk: what httpd refuses while
    reading (an Include of a missing file or a wildcard that matches nothing, a module loaded
    that is built in, no MPM or two, an MPM directive the MPM does not have or inside
    <VirtualHost>) fails; a `${VAR}` that nothing defines (httpd keeps it as written), a
    read-time condition clustercheck cannot decide (said how it was read), a module loaded
    twice warns; a jk_conf of the inventory that httpd does not read fails (its Jk directives
    have no effect).

    ## Why it matters
    - httpd does not start after a config change: mod_jk stops at the first unknown attribute
    (a misspelt `worker.lb.sticky_sesion`), an unknown worker type, an lb without members or
    two members with one route, and takes httpd with it; a JkWorkersFile that is not there
    stops httpd at its config.
    - httpd starts and still does not serve: a member whose host does not resolve is stopped
    ("can't resolve tomcat address" in the mod_jk log), a worker without connection slots
    answers 503, an ajp12 worker answers 200 without the application's page, a status worker
    as lb member crashes httpd's children.
    - HTTP 500 for one URL: its JkMount names a worker that is not in worker.list, and mod_jk
    only logs "Could not find worker" at start.
    - A member silently sends traffic to localhost: a name in balance_workers (or worker.list)
    with no definition, or an empty `host`, becomes an ajp13 worker for localhost:8009.
    - The configuration does not do what it says: a repeated key keeps only its last value, a
    user variable nothing uses sets nothing, `activation=off` and `lbfactor=0` do not take
    a member out of rotation, `sticky_session=disabled` leaves stickiness on,
    `#worker.lb.sticky_session=1` does not turn stickiness off (it is on by default),
    `workers.list` is silently ignored, and a VirtualHost without JkMountCopy serves its own
    pages instead of the application.
    - Deprecated directives still work only as fallbacks and are logged at every start.

    ## How to fix
    Define every worker that worker.list and balance_workers name (`worker.NAME.type`, `host`,
    `port`), give each lb `type=lb` and `balance_workers` of ajp13 workers, and list in
    worker.list every worker a JkMount names (lb members need not be listed). Write values as
    mod_jk reads them: `activation=A`, `D` or `S`, an `lbfactor` of 1 or more, `ping_mode` of
    the letters C, P, I or A, booleans as true/false, a host name or address in `host` and the
    port in `port` (variables as `$(NAME)`, defined above the line that uses them). Set each
    key once, and delete user variables nothing uses. Rename deprecated directives as the
    message says,
    write the value you want instead of commenting out a default
    (`worker.lb.sticky_session=false`), comment with `#` only, spell the key `worker.list`, and
    put `JkMountCopy On` in each VirtualHost that should get the global mounts. Then run
    `apachectl -t`, restart httpd and read the mod_jk log.
    """
    apache = node.apache
    if apache is None:
        yield errored("no Apache facts were gathered")
        return
    unreadable = list(_unreadable(node, apache))
    workers = apache.workers
    if workers is None:
        yield from unreadable
        if apache.httpd_conf:
            yield from _problems(apache.problems)
        return
    created = _created(workers)
    findings = [
        *unreadable,
        *_problems(apache.problems + workers.problems),
        *_deprecated(workers),
        *_commented_defaults(workers),
        *_unused_variables(workers),
        *_worker_list(workers),
        *_types(workers, created),
        *_balancers(workers, created),
        *_values(workers, created),
        *_unlisted(workers, created),
        *_mounts(apache.mounts, workers),
        *_vhosts(apache),
    ]
    yield from findings
    if not any(finding.status.is_finding for finding in findings):
        yield _summary(apache, workers)


# --- files ------------------------------------------------------------------------------------


def _unreadable(node: NodeFacts, apache: ApacheFacts) -> Iterator[Finding]:
    """The httpd file, then the workers file: each missing one is a judgement not made."""
    root = apache.httpd_conf or apache.jk_conf
    conf = node.file_error(root) if root else None
    if conf is not None:
        yield errored(f"cannot read the httpd file {conf.message}", file=root)
    elif apache.workers is None and _uses_mod_jk(node, apache):
        yield _no_workers(node, apache)
    elif apache.workers is None:
        yield skipped(f"httpd does not use mod_jk: {root} reads no Jk directive", file=root)


def _uses_mod_jk(node: NodeFacts, apache: ApacheFacts) -> bool:
    """With httpd's whole configuration read, mod_jk is used when a Jk directive is read."""
    if not apache.httpd_conf or node.settings.apache.workers_properties:
        return True
    return any(directive.lname.startswith("jk") for directive in apache.directives)


def _no_workers(node: NodeFacts, apache: ApacheFacts) -> Finding:
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
    if named and rooted and read is not None and read.status == "missing":
        # mod_jk.c jk_set_worker_file: the directive itself fails on a file that does not
        # exist, so httpd stops at the config ("AH00526: Syntax error"; observed with 2.4.71)
        return failed(
            f"JkWorkersFile names {path}, which does not exist: httpd refuses to start "
            '("JkWorkersFile: Can\'t find the workers file specified")',
            **where,
        )
    return errored(f"cannot read the workers file {read.message if read else path}", **where)


# --- what the readers found -------------------------------------------------------------------


def _problems(problems: list[Problem]) -> Iterator[Finding]:
    """Each problem once (the workers file's may also be among the node's)."""
    for problem in dict.fromkeys(problems):
        status = PROBLEM_STATUS[problem.kind]
        yield Finding(status, problem.message, file=problem.file, line=problem.line)


def _deprecated(workers: WorkersFile) -> Iterator[Finding]:
    for line, key, replacement in workers.deprecated:
        reason = replacement.removeprefix("nothing: ")
        if reason != replacement:
            message = f"{key} is deprecated and does nothing: {reason}"
        else:
            message = f"{key} is deprecated: write {key.rpartition('.')[0]}.{replacement}"
        yield warned(message, file=_file(workers, _setting(workers, key)), line=line)


def _commented_defaults(workers: WorkersFile) -> Iterator[Finding]:
    """`#worker.lb.sticky_session=1` reads as "stickiness off", but leaves mod_jk's default."""
    for line, key, value in workers.commented_settings:
        setting = _setting(workers, key)
        directive = key.rpartition(".")[2]
        read = READ_AS.get(directive, str)
        if setting is None or not setting.defaulted or read(value) != read(setting.value):
            continue
        yield warned(
            f"'#{key}={value}' changes nothing: {setting.value} is mod_jk's default for "
            f"{directive} anyway; to change it, set {key} explicitly",
            file=workers.path,
            line=line,
            details={"setting": key, "default": setting.value},
        )


def _unused_variables(workers: WorkersFile) -> Iterator[Finding]:
    """User variables nothing uses: each line has no effect. Those of mod_jk's old samples are
    harmless leftovers, said once; any other may have been meant to set something."""
    unused = workers.unused_variables
    samples = [name for name in unused if name in modjk.SAMPLE_VARIABLES]
    if samples:
        first = unused[samples[0]]
        many = len(samples) > 1
        yield passed(
            f"{', '.join(samples)}: user variable{'s' if many else ''} of mod_jk's old sample "
            "workers.properties, for the paths of the JNI worker (removed in 1.2.33); nothing "
            f"uses {'them' if many else 'it'}, so mod_jk ignores {'them' if many else 'it'} "
            "(harmless)",
            file=_file(workers, first),
            line=first.line,
            details={"variables": samples},
        )
    for name, setting in unused.items():
        if name in modjk.SAMPLE_VARIABLES:
            continue
        yield warned(
            f"'{name}' is a user variable (its key does not start with 'worker.') that no "
            f"$({name}) and no reference uses: mod_jk ignores the line, so it sets nothing; "
            "remove it, or write the worker.NAME.directive it was meant to be",
            file=_file(workers, setting),
            line=setting.line,
            details={"variable": name},
        )


# --- workers ----------------------------------------------------------------------------------


def _worker_list(workers: WorkersFile) -> Iterator[Finding]:
    templates = _templates(workers)
    listed = workers.global_settings.get("list")
    file = _file(workers, listed)
    for name, line in workers.worker_list:
        worker = workers.workers[name]
        if not _defined(worker):
            yield failed(
                f"worker.list names {name}, which is defined nowhere: mod_jk creates it as an "
                "ajp13 worker for localhost:8009",
                file=file,
                line=line,
                details={"worker": name},
            )
        elif name in templates:
            yield warned(
                f"worker.list names {name}, a template other workers reference: mod_jk creates "
                f"it as a worker of its own ({_endpoint(worker)})",
                file=file,
                line=line,
                details={"worker": name},
            )


def _types(workers: WorkersFile, created: set[str]) -> Iterator[Finding]:
    for name in sorted(created):
        worker = workers.workers[name]
        if worker.type not in KNOWN_TYPES:
            yield failed(
                f"worker {name} has type '{worker.type}', which mod_jk does not know "
                f"({', '.join(sorted(KNOWN_TYPES))}): it cannot create it and httpd does not start",
                **_where(workers, worker, "type"),
                details={"worker": name},
            )
        elif worker.type == modjk.AJP12 and name in workers.listed_names:
            # observed with Tomcat 10.1 behind the real httpd + mod_jk 1.2.48
            yield failed(
                f"worker {name} has type ajp12 (obsolete): mod_jk speaks AJPv12 to it, which "
                "Tomcat's AJP connector does not understand (it logs \"Invalid message received "
                'with signature [256]" and closes the connection), so every request mapped to '
                f"{name} gets status 200 and no page from the application; write type=ajp13",
                **_where(workers, worker, "type"),
                details={"worker": name},
            )


def _balancers(workers: WorkersFile, created: set[str]) -> Iterator[Finding]:
    for worker in workers.workers.values():
        if worker.type == "lb":
            yield from _balancer(workers, worker, created)
        elif worker.members:
            setting = worker.settings["type"]
            kind = f"is {worker.type}" + (" (mod_jk's default)" if setting.defaulted else "")
            yield _judged(
                worker.name,
                created,
                f"worker {worker.name} has balance_workers but its type {kind}, not lb: mod_jk "
                f"ignores the members and creates a plain worker ({_endpoint(worker)})",
                **_where(workers, worker, "balance_workers", "balanced_workers"),
            )


def _balancer(workers: WorkersFile, lb: Worker, created: set[str]) -> Iterator[Finding]:
    where = _where(workers, lb, "balance_workers", "balanced_workers")
    if not lb.members:
        yield _judged(
            lb.name,
            created,
            f"lb {lb.name} has no balance_workers: mod_jk cannot create it and httpd does "
            "not start",
            **where,
        )
    for member in lb.members:
        if not _defined(workers.workers[member]):
            yield _judged(
                lb.name,
                created,
                f"lb {lb.name} member {member} is defined nowhere: mod_jk creates it as an "
                "ajp13 worker for localhost:8009, so its share of requests goes to port 8009 "
                "of the httpd host itself",
                **where,
                details={"lb": lb.name, "worker": member},
            )
    yield from _member_types(workers, lb, created, where)
    routes: dict[str, list[str]] = {}
    for member in dict.fromkeys(lb.members):
        routes.setdefault(workers.workers[member].route or member, []).append(member)
    for route, sharing in routes.items():
        if len(sharing) > 1:
            yield _judged(
                lb.name,
                created,
                f"lb {lb.name} members {', '.join(sharing)} share the route {route!r}: mod_jk "
                "aborts its configuration and httpd does not start",
                **where,
                details={"lb": lb.name, "route": route},
            )


def _member_types(
    workers: WorkersFile, lb: Worker, created: set[str], where: dict[str, Any]
) -> Iterator[Finding]:
    """jk_lb_worker.c `validate` creates each member with wc_create_worker whatever its type,
    and from then on uses it as an AJP worker (its private data cast to ajp_worker_t)."""
    for name in dict.fromkeys(lb.members):
        member = workers.workers[name]
        details = {"lb": lb.name, "worker": name}
        if member.type in (modjk.STATUS, modjk.AJP12):
            yield _judged(
                lb.name,
                created,
                f"lb {lb.name} has {name}, of type {member.type}, as a member: mod_jk uses "
                "every member as an AJP13 worker, and httpd's child process crashes "
                f"(segmentation fault) on each request the lb sends to {name}",
                **where,
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
            yield _judged(
                lb.name,
                created,
                f"lb {lb.name} has the lb {name} as a member: {start}, sessions of {name}'s "
                f"members ({nested}) are not sticky through {lb.name}, which knows only the "
                f"route {member.route or name!r}, so their requests go to any member",
                **where,
                details=details,
            )


# --- values mod_jk reads otherwise than they are written ----------------------------------------


def _values(workers: WorkersFile, created: set[str]) -> Iterator[Finding]:
    """Each written value mod_jk changes, ignores or cannot use, judged by what it then does
    (knowledge.modjk): for AJP workers (their address too), lbs, and lb members (activation
    and lbfactor are read for members only). A template is judged in the workers that inherit
    from it, once for all of them."""
    templates = _templates(workers) - created
    inherited: dict[tuple[str, int | None, str, str, modjk.Reading], list[str]] = {}
    member_of: dict[str, str] = {}
    for lb in workers.workers.values():
        if lb.type == modjk.LB:
            for name in lb.members:
                member_of.setdefault(name, lb.name)
    for worker in workers.workers.values():
        if worker.name in templates:
            continue
        judges: dict[str, Callable[[str], modjk.Reading | None]] = {}
        if worker.type in modjk.AJP_TYPES:
            judges |= modjk.AJP_JUDGES | _address_judges(member_of.get(worker.name))
        if worker.type == modjk.LB:
            judges |= modjk.LB_JUDGES
        if worker.name in member_of:
            judges |= modjk.MEMBER_JUDGES
        for directive, judge in judges.items():
            setting = worker.settings.get(directive)
            reading = judge(setting.value) if setting and not setting.defaulted else None
            if setting and reading and setting.inherited_from:
                key = (_file(workers, setting), setting.line, setting.inherited_from)
                inherited.setdefault((*key, directive, reading), []).append(worker.name)
            elif setting and reading:
                yield _weighed(
                    worker.name,
                    created,
                    reading.kind,
                    f"worker {worker.name}{_inherited(setting)}: {reading.message}",
                    file=_file(workers, setting),
                    line=setting.line,
                    details={"worker": worker.name, "setting": directive},
                )
    for (file, line, origin, directive, reading), names in inherited.items():
        # the template's line is the one to edit: said once, for every worker that has it
        weighed_as = next((name for name in names if name in created), names[0])
        yield _weighed(
            weighed_as,
            created,
            reading.kind,
            f"worker{'s' if len(names) > 1 else ''} {', '.join(names)} (from {origin}): "
            f"{reading.message}",
            file=file,
            line=line,
            details={"workers": names, "setting": directive},
        )


def _address_judges(lb: str | None) -> dict[str, Callable[[str], modjk.Reading | None]]:
    """A host no resolver can resolve, or a port that reads as 0 or less: ajp_validate logs
    an error, sets the port to 0, and httpd starts; jk_lb_worker.c then stops the member, and
    a worker mapped directly answers 503 (both observed with the real httpd + mod_jk)."""
    effect = (
        f"lb {lb} stops it as a member and it gets no request"
        if lb
        else "every request mapped to it gets HTTP 503"
    )

    def host(value: str) -> modjk.Reading | None:
        why = modjk.unresolvable(value)
        if why is None:
            return None
        return modjk.Reading(
            _kind(value),
            f"mod_jk cannot resolve host {value!r} ({why}): it logs \"can't resolve tomcat "
            f'address" and disables the worker, so {effect} (httpd starts)',
        )

    def port(value: str) -> modjk.Reading | None:
        read = modjk.jk_int(value)
        if read > 0:
            return None
        token = modjk.left_as_written(value)
        unless = (
            f" ({token} is not defined before it in workers.properties: unless httpd's "
            f"environment defines {token[2:-1]}, mod_jk keeps the text)"
            if token
            else ""
        )
        return modjk.Reading(
            _kind(value),
            f"mod_jk reads port {value!r} as {read}{unless}: it disables the worker, so {effect}",
        )

    return {"host": host, "port": port}


def _kind(value: str) -> Kind:
    """A `$(NAME)` left as written may be filled in by httpd's environment, which only the
    running httpd knows; any other unusable address is one for sure."""
    return (
        Kind.MAY_MEAN_SOMETHING_ELSE if modjk.left_as_written(value) else Kind.MEANS_SOMETHING_ELSE
    )


def _inherited(setting: Setting) -> str:
    return f" (from {setting.inherited_from})" if setting.inherited_from else ""


def _unlisted(workers: WorkersFile, created: set[str]) -> Iterator[Finding]:
    """An lb or status worker only serves through worker.list; ajp13 members need not be."""
    meant = created | _templates(workers)
    for worker in workers.workers.values():
        typed = not worker.settings["type"].defaulted
        if typed and worker.type in ("lb", "status") and worker.name not in meant:
            yield warned(
                f"{worker.type} worker {worker.name} is not in worker.list: mod_jk does not "
                "create it, so no JkMount can use it",
                **_where(workers, worker, "type"),
                details={"worker": worker.name},
            )


# --- mounts -----------------------------------------------------------------------------------


def _mounts(mounts: list[Mount], workers: WorkersFile) -> Iterator[Finding]:
    listed = set(workers.listed_names)
    for mount in mounts:
        if mount.worker in listed or (mount.unmount and mount.worker == "*"):
            continue
        rule = _rule(mount)
        where: dict[str, Any] = {
            "file": mount.file,
            "line": mount.line,
            "details": {"worker": mount.worker, "uri": mount.pattern},
        }
        unlisted = f"{rule}: worker {mount.worker} is not in worker.list"
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


def _vhosts(apache: ApacheFacts) -> Iterator[Finding]:
    """mod_jk copies the global mounts into a VirtualHost with mount rules of its own only
    under JkMountCopy (On there, or All globally). VirtualHosts without any Jk directive are
    not in the facts, so only those with their own rules are judged."""
    mount_copy = apache.jk.mount_copy if apache.jk else []
    copies = {vhost: value.lower() for value, vhost, _file, _line in mount_copy}
    shared = [m for m in apache.mounts if m.vhost is None and not (m.unmount or m.disabled)]
    if not shared or copies.get("") == "all":
        return
    own: dict[str, Mount] = {}
    for mount in apache.mounts:
        if mount.vhost is not None:
            own.setdefault(mount.vhost, mount)
    patterns = list(dict.fromkeys(m.pattern for m in shared))
    shown = some_of(patterns)
    for vhost, first in own.items():
        if vhost in copies:
            continue
        yield warned(
            f"<VirtualHost {vhost}> has JkMount rules of its own and no JkMountCopy: the "
            f"global mounts ({shown}) do not apply to its requests",
            file=first.file,
            line=first.line,
            details={"vhost": vhost, "global_mounts": patterns},
        )


# --- small helpers ----------------------------------------------------------------------------


def _created(workers: WorkersFile) -> set[str]:
    """The workers mod_jk creates: worker.list (or its default) and the members of listed lbs."""
    return {*workers.listed_names, *_members(workers)}


def _members(workers: WorkersFile) -> list[str]:
    """Members of the listed lbs, each once."""
    lbs = [workers.workers[name] for name in workers.listed_names]
    return list(dict.fromkeys(m for lb in lbs if lb.type == "lb" for m in lb.members))


def _templates(workers: WorkersFile) -> set[str]:
    """Workers some `reference` copies from."""
    return {
        worker.settings["reference"].value.removeprefix(WORKER_PREFIX)
        for worker in workers.workers.values()
        if "reference" in worker.settings
    }


def _defined(worker: Worker) -> bool:
    """Written somewhere (in the file, by reference or JkWorkerProperty), not only named."""
    return any(not setting.defaulted for setting in worker.settings.values())


def _setting(workers: WorkersFile, key: str) -> Setting | None:
    name, _dot, directive = key.removeprefix(WORKER_PREFIX).rpartition(".")
    worker = workers.workers.get(name)
    return worker.settings.get(directive) if worker else None


def _file(workers: WorkersFile, setting: Setting | None) -> str:
    """The workers file, or the httpd file of a JkWorkerProperty."""
    return (setting.file if setting else None) or workers.path


def _where(workers: WorkersFile, worker: Worker, *directives: str) -> dict[str, Any]:
    """File and line of the first of these settings that was written, else of the worker."""
    for directive in directives:
        setting = worker.settings.get(directive)
        if setting is not None and setting.line is not None:
            return {"file": _file(workers, setting), "line": setting.line}
    return {"file": workers.path, "line": worker.line}


def _endpoint(worker: Worker) -> str:
    """'ajp13 localhost:8009' for a worker that connects somewhere, else just its type."""
    return f"{worker.type} {worker.host}:{worker.port}" if worker.host else str(worker.type)


def _weighed(worker: str, created: set[str], kind: Kind, message: str, **where: Any) -> Finding:
    """A consequence weighed like a reader's problem of that kind, but only a warning in a
    worker mod_jk does not create (see _judged)."""
    status = PROBLEM_STATUS[kind]
    if status == Status.FAIL:
        return _judged(worker, created, message, **where)
    return Finding(status, message, **where)


def _judged(worker: str, created: set[str], message: str, **where: Any) -> Finding:
    """A fault fails in a worker mod_jk creates; in one it ignores, it only bites once listed."""
    if worker in created:
        return failed(message, **where)
    return warned(f"{message} ({worker} is not in worker.list: this bites once it is)", **where)


def _summary(apache: ApacheFacts, workers: WorkersFile) -> Finding:
    listed, members = workers.listed_names, _members(workers)
    return passed(
        f"worker.list: {', '.join(listed)}; {_count(len(members), 'balanced member')} "
        f"defined; {_count(len(apache.mounts), 'mount')}",
        file=workers.path,
        details={"worker_list": listed, "members": members, "mounts": len(apache.mounts)},
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
