"""CC6034 jk-ineffective-setting."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from clustercheck.checks.config.jk_common import (
    JK_CONFIG,
    JkConfig,
    file_of,
    judged,
    setting_of,
    weighed,
    where,
)
from clustercheck.derive.modjk import jk_release
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, passed, warned
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge import modjk
from clustercheck.parsers.text import Kind
from clustercheck.parsers.workers import Setting, WorkersFile, parse_bool

# The readers' problems that say a line is read otherwise than written, or does nothing.
INEFFECTIVE = (
    Kind.MEANS_SOMETHING_ELSE,
    Kind.MAY_MEAN_SOMETHING_ELSE,
    Kind.OVERRIDDEN,
    Kind.REDUNDANT,
)

# How mod_jk reads a directive that has a default (parsers.workers.with_defaults), so that a
# commented-out value can be compared with that default; the others compare as text.
READ_AS: dict[str, Callable[[str], object]] = {
    "sticky_session": lambda value: parse_bool(value, True),
    "port": modjk.jk_int,
    "lbfactor": modjk.jk_int,
}


@check("CC6034", "jk-ineffective-setting", scope=Scope.NODE, roles=("apache",), family=JK_CONFIG)
def jk_ineffective_setting(node: NodeFacts) -> Iterator[Finding]:
    """mod_jk and httpd read every value as it is written, and every line has an effect

    Reports what mod_jk (or httpd, for a Jk directive) reads otherwise than it is written, and
    lines with no effect:

    - `fail` where a line silently means something other than it says (a setting without
    `=`, an ignored mapping rule, a non-breaking space where mod_jk or httpd then reads another
    value, an empty `host` that leaves localhost); `warn` for the rest (a repeated key, whose
    earlier value mod_jk overwrites, a `workers.list` that mod_jk takes for a user variable, a
    `;` line, which mod_jk reads as a variable nothing uses, an Include loop inside
    `<IfDefine>` or `<IfModule>`, which stops httpd only if httpd reads it, ...);
    - values mod_jk changes or cannot use: `fail` where that changes what the worker does (an
    `activation` it does not know runs the member active, `lbfactor` 0 or less becomes 1, a
    `connection_pool_size` of 0 answers 503, a `ping_mode` or boolean read as its opposite, a
    host no resolver takes, such as `$TOMCAT_IP`, `host:port` or a name in the reserved
    `.invalid` domain, or a port that reads as 0, which disables the worker), `warn` where it
    is harmless or only may be (`max_packet_size` rounded to a multiple of 1024 within
    8192-65536, a first letter read as a code, an lb `method` it does not know, a host or port
    `$(NAME)` that nothing in the file defines before it: left as written, it disables the
    worker, unless httpd's environment defines NAME, which only the running httpd knows). A
    template's value is judged in the workers that inherit it, once for all of them;
    - a user variable (a key outside `worker.`) that no `$(NAME)` after it and no `reference`
    uses: mod_jk ignores the line (`warn`: it may have been meant to set something); those of
    mod_jk's old sample file (`workers.tomcat_home`, `workers.java_home`,
    `workers.apache_log`, `ps`, left from the JNI worker) are named in one `pass`, as harmless;
    - a commented-out setting whose value is mod_jk's default anyway, and an lb or status
    worker missing from worker.list (mod_jk does not create it);
    - `JkOptions +ForwardDirectories` with mod_jk 1.2.49 or later (`warn`): since 1.2.49
    removed implicit mapping, a directory request reaches Tomcat only when a JkMount or
    JK_WORKER_NAME maps it, which forwards it without the option too, so the directories it
    used to send to the first worker of worker.list are served by httpd.

    ## Why it matters
    - httpd starts and still does not serve: a member whose host does not resolve is stopped
    ("can't resolve tomcat address" in the mod_jk log), and a worker without connection slots
    answers 503.
    - A member silently sends traffic to localhost: an empty `host` leaves mod_jk's default.
    - The configuration does not do what it says: a repeated key keeps only its last value, a
    user variable nothing uses sets nothing, `activation=off` and `lbfactor=0` do not take a
    member out of rotation, `sticky_session=disabled` leaves stickiness on,
    `#worker.lb.sticky_session=1` does not turn stickiness off (it is on by default), and
    `workers.list` is silently ignored. After an upgrade to mod_jk 1.2.49, directory requests
    that +ForwardDirectories sent to Tomcat get httpd's directory listing, 403 or 404.

    ## How to fix
    Write values as mod_jk reads them: `activation=A`, `D` or `S`, an `lbfactor` of 1 or more,
    `ping_mode` of the letters C, P, I or A, booleans as true/false, a host name or address in
    `host` and the port in `port` (variables as `$(NAME)`, defined above the line that uses
    them). Set each key once, and delete user variables nothing uses. Write the value you want
    instead of commenting out a default (`worker.lb.sticky_session=false`), comment with `#`
    only, spell the key `worker.list`, and list in worker.list the lb and status workers you
    mean to use. With mod_jk 1.2.49 or later, JkMount the directories Tomcat serves and drop
    +ForwardDirectories. Then restart httpd and read the mod_jk log.
    """
    yield from judged(node, _ineffective, _summary, kinds=INEFFECTIVE)


def _ineffective(config: JkConfig) -> Iterator[Finding]:
    yield from config.problems(INEFFECTIVE)
    yield from _commented_defaults(config.workers)
    yield from _unused_variables(config.workers)
    yield from _values(config)
    yield from _unlisted(config)
    yield from _forward_directories(config)


def _commented_defaults(workers: WorkersFile) -> Iterator[Finding]:
    """`#worker.lb.sticky_session=1` reads as "stickiness off", but leaves mod_jk's default."""
    for line, key, value in workers.commented_settings:
        setting = setting_of(workers, key)
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
            file=file_of(workers, first),
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
            file=file_of(workers, setting),
            line=setting.line,
            details={"variable": name},
        )


# --- values mod_jk reads otherwise than they are written ----------------------------------------


def _values(config: JkConfig) -> Iterator[Finding]:
    """Each written value mod_jk changes, ignores or cannot use, judged by what it then does
    (knowledge.modjk): for AJP workers (their address too), lbs, and lb members (activation
    and lbfactor are read for members only). A template is judged in the workers that inherit
    from it, once for all of them."""
    workers, created = config.workers, config.created
    templates = config.templates - created
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
                key = (file_of(workers, setting), setting.line, setting.inherited_from)
                inherited.setdefault((*key, directive, reading), []).append(worker.name)
            elif setting and reading:
                yield weighed(
                    worker.name,
                    created,
                    reading.kind,
                    f"worker {worker.name}{_inherited(setting)}: {reading.message}",
                    file=file_of(workers, setting),
                    line=setting.line,
                    details={"worker": worker.name, "setting": directive},
                )
    for (file, line, origin, directive, reading), names in inherited.items():
        # the template's line is the one to edit: said once, for every worker that has it
        weighed_as = next((name for name in names if name in created), names[0])
        yield weighed(
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


def _unlisted(config: JkConfig) -> Iterator[Finding]:
    """An lb or status worker only serves through worker.list; ajp13 members need not be."""
    meant = config.created | config.templates
    workers = config.workers
    for worker in workers.workers.values():
        typed = not worker.settings["type"].defaulted
        if typed and worker.type in ("lb", "status") and worker.name not in meant:
            yield warned(
                f"{worker.type} worker {worker.name} is not in worker.list: mod_jk does not "
                "create it, so no JkMount can use it",
                **where(workers, worker, "type"),
                details={"worker": worker.name},
            )


def _forward_directories(config: JkConfig) -> Iterator[Finding]:
    """+ForwardDirectories did its work through implicit mapping, which 1.2.49 removed."""
    release = jk_release(config.apache)
    if release is None or modjk.maps_implicitly(release.version):
        return
    for words, vhost, file, line in config.apache.jk.options if config.apache.jk else ():
        if modjk.jk_option([words], modjk.FORWARD_DIRECTORIES):
            server = f"<VirtualHost {vhost}>" if vhost else "the main server"
            yield warned(
                f"JkOptions +{modjk.FORWARD_DIRECTORIES} ({server}) has no effect with mod_jk "
                f"{release.text}: since 1.2.49 (no implicit mapping) a directory request goes to "
                "Tomcat only when a JkMount or JK_WORKER_NAME maps it, which forwards it without "
                "the option too; the directories it sent to the first worker of worker.list "
                "are now served by httpd (a listing, 403 or 404): JkMount those Tomcat serves "
                "and drop the option",
                file=file,
                line=line,
                details={"option": modjk.FORWARD_DIRECTORIES},
            )


def _summary(config: JkConfig) -> Finding:
    return passed(
        "mod_jk reads every value as it is written, and every line has an effect",
        file=config.workers.path,
    )
