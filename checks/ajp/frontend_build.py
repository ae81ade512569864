"""CC104 frontend-build."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from clustercheck.derive.modjk import JK_MODULE, jk_release
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, Status, errored, failed, passed, warned
from clustercheck.facts.cluster import NodeFacts
from clustercheck.facts.files import ApacheFacts
from clustercheck.facts.runtime import RuntimeFacts
from clustercheck.knowledge import frontend as knowledge
from clustercheck.knowledge.frontend import CONNECTORS, Defect, ModuleApi
from clustercheck.knowledge.httpd import module_source
from clustercheck.knowledge.tomcat import Version, parse_version
from clustercheck.parsers.httpd_module import LoadedModules, ModuleFile, name_hints

WILDCARDS = frozenset({"0.0.0.0", "::", "*", ""})
ASSUMED = knowledge.MODULE_APIS[0]  # an httpd whose version is not known is taken to be 2.4


@check("CC104", "frontend-build", scope=Scope.NODE, roles=("apache",))
def frontend_build(node: NodeFacts) -> Iterator[Finding]:
    """httpd runs and listens, and the connector module it loads fits it and has no known defect

    The connector module (mod_jk, mod_proxy_ajp) the configuration loads is read from its file
    as httpd would take it: the module structure at its start says which httpd API it was
    built for (MODULE_MAGIC_COOKIE `AP24` for 2.4, `AP22` for 2.2, and the module magic
    number), and mod_jk's file holds its version (`mod_jk/1.2.48`). A module built for another
    httpd line than the node's fails: httpd refuses it at start. A file name that says so
    (`mod_jk-1.2.23-apache-2.2.x-linux-i686.so`) warns when the file itself is not at hand.
    Live (and from a snapshot), with `apache.httpd_conf`: httpd must run (its process table),
    every `Listen` must have a listening socket (its socket table), and `httpd -M`, run with
    the running httpd's `-f` and `-D` arguments (or through apachectl for a service started
    without them), must load the connector modules clustercheck read LoadModule lines for; a
    module httpd cannot load fails with httpd's own words. Releases with known
    vulnerabilities that matter to a front end warn: httpd's mod_proxy and mod_proxy_ajp fixes
    when those modules are loaded, mod_jk's (CVE-2018-11759, ...; CVE-2023-41081 with
    `JkOptions +ForwardDirectories`). A pass names httpd's version, its MPM, the connector and
    its version, and what was not judged (offline: whether httpd runs, and `httpd -M`).

    ## Why it matters
    A mod_jk downloaded for the wrong httpd ("mind the version", as the how-to this tool grew
    from warns) stops httpd at its next start: "API module structure 'jk_module' ... is
    garbled - expected signature 41503234 but saw 41503232". An httpd that is not running, or
    that runs without a port its configuration names, serves nothing while every file looks
    right. And a front end with mod_proxy_ajp request smuggling (CVE-2022-26377) or mod_jk's
    path normalisation bypass (CVE-2018-11759) exposes applications and the status worker
    that the balancer was meant to hide.

    ## How to fix
    Install the connector built for the node's httpd (the distribution's package:
    libapache2-mod-jk, mod_jk from the same repository as httpd; or build it with that httpd's
    apxs) and point LoadModule at it; start httpd (`systemctl start httpd`) and read its error
    log when it does not start; restart it after a Listen changed. Upgrade httpd and mod_jk
    past the releases named (a distribution may carry the fixes in an older version number:
    check its security notes, and waive the finding when it does).
    """
    apache = node.apache
    if apache is None:
        yield errored("no httpd facts were gathered")
        return
    version = parse_version(apache.httpd_version) if apache.httpd_version else None
    build = node.live.httpd
    loaded = build.loaded if build is not None else None
    notes: list[str] = []
    fits = list(_fits(apache, version, notes))
    refused = {  # the files whose bytes make httpd refuse them
        apache.module_files[str(f.details["module"])].resolved
        for f in fits
        if f.status is Status.FAIL
    }
    findings = [
        *_running(node, apache, node.live.runtime, notes),
        *_confirmed(fits, apache, loaded),
        *_loaded(node, apache, loaded, refused, notes),
        *_defects(apache, version, loaded, notes),
    ]
    if findings:
        yield from findings
        return
    yield passed(_summary(node, apache, version, notes), file=apache.httpd_conf or apache.jk_conf)


def _running(
    node: NodeFacts, apache: ApacheFacts, runtime: RuntimeFacts | None, notes: list[str]
) -> Iterator[Finding]:
    """httpd in the process table, and a listening socket for every Listen."""
    if runtime is None:
        live = not node.offline or node.recorded
        why = "its process table was not read" if live else "offline"
        notes.append(f"whether httpd runs and listens ({why})")
        return
    if runtime.httpd is None:
        yield failed(
            f"httpd is not running on {node.name}: no httpd process in its process table, so "
            "nothing serves this front end",
            file=apache.httpd_conf or apache.jk_conf,
        )
        return
    if runtime.listeners is None:
        notes.append(f"its listeners ({runtime.listeners_error or 'no socket table'})")
        return
    for directive in apache.directives:
        if directive.lname != "listen" or not directive.args:
            continue
        address, port = _listen(directive.args[0])
        if port is None or any(
            socket.port == port
            and (address is None or socket.address in WILDCARDS | {address} or address == "*")
            for socket in runtime.listeners
        ):
            continue
        where = f"{address}:{port}" if address else f"port {port}"
        yield failed(
            f"Listen {directive.args[0]}: httpd runs (PID {runtime.httpd.pid}) but nothing "
            f"listens on {where}: httpd was started before this Listen was written (restart "
            "it), or another httpd serves this node",
            file=directive.file,
            line=directive.line,
            details={"listen": directive.args[0], "pid": runtime.httpd.pid},
        )


def _listen(text: str) -> tuple[str | None, int | None]:
    """Listen's [address:]port ("80", "10.0.0.5:80", "[::]:80")."""
    host, _, port = text.rpartition(":")
    return host.strip("[]") or None, int(port) if port.isdigit() and int(port) < 65536 else None


def _fits(apache: ApacheFacts, version: Version | None, notes: list[str]) -> Iterator[Finding]:
    """Each connector's file against the API of the node's httpd line."""
    api = knowledge.api_of_line(version)
    expected = api or ASSUMED
    unknown = "" if api else " (httpd's version is not known: set apache.version; 2.4 taken)"
    for loaded in apache.module_files.values():
        name = CONNECTORS[loaded.module]
        where = {"file": loaded.file, "line": loaded.line, "details": {"module": loaded.module}}
        binary = loaded.binary
        if binary is None:
            notes.append(f"the file {loaded.resolved} ({loaded.unread})")
            hinted = name_hints(loaded.path).api
            if hinted is not None and hinted != expected.line:
                yield warned(
                    f"LoadModule {loaded.module} {loaded.path}: the file name says {name} "
                    f"built for httpd {hinted}, and httpd {expected.line} refuses a module "
                    f"built for another line{unknown}; the file itself was not read",
                    **where,
                )
            continue
        built = knowledge.api_of_cookie(binary.cookie)
        if built is None:
            yield warned(
                f"LoadModule {loaded.module} {loaded.path}: no httpd module structure was "
                f"found in {loaded.resolved}: httpd 1.3 to 2.4 would not take it as a module",
                **where,
            )
            continue
        refusal = _refusal(loaded, built, binary.mmn_major, expected)
        if refusal is not None:
            status = failed if api else warned
            yield status(
                f"LoadModule {loaded.module} {loaded.path}: {loaded.resolved} is {name} built "
                f"for httpd {built.line} ({binary.cookie}, module magic number "
                f"{binary.mmn_major}), and httpd {apache.httpd_version or expected.line} "
                f'refuses it at start ("{refusal}"){unknown}',
                **where,
            )


def _confirmed(
    fits: list[Finding], apache: ApacheFacts, loaded: LoadedModules | None
) -> list[Finding]:
    """A module refused by its bytes that `httpd -M` also stopped at: one finding, with
    httpd's confirmation (the -M finding is then not repeated)."""
    if loaded is None or not loaded.load_error or not loaded.error:
        return fits
    out = []
    for finding in fits:
        module = apache.module_files.get(str(finding.details.get("module")))
        if finding.status is Status.FAIL and module and module.resolved in loaded.error:
            finding = dataclasses.replace(
                finding, message=f"{finding.message}; {loaded.how} on the node stops there too"
            )
        out.append(finding)
    return out


def _refusal(
    loaded: ModuleFile, built: ModuleApi, major: int | None, expected: ModuleApi
) -> str | None:
    """What httpd says when it refuses the module: mod_so's check of the cookie, then
    ap_add_module's of the magic number; None when it takes it."""
    if built.cookie != expected.cookie:
        return (
            f"API module structure '{loaded.module}' in file {loaded.resolved} is garbled - "
            f"expected signature {expected.magic} but saw {built.magic}"
        )
    if major != expected.mmn_major:
        source = module_source(loaded.module)
        return (
            f'Module "{source}" is not compatible with this version of Apache (found {major}, '
            f"need {expected.mmn_major})"
        )
    return None


def _loaded(
    node: NodeFacts,
    apache: ApacheFacts,
    loaded: LoadedModules | None,
    refused: set[str],
    notes: list[str],
) -> Iterator[Finding]:
    """`httpd -M`: httpd itself loads every connector the configuration was read to load."""
    if loaded is None:
        if not apache.httpd_conf:
            notes.append("`httpd -M` (the inventory names no apache.httpd_conf)")
        elif node.offline and not node.recorded:
            notes.append("`httpd -M` (offline)")
        else:
            notes.append("`httpd -M` (no httpd runs with this configuration)")
        return
    if loaded.modules is None:
        if any(path in (loaded.error or "") for path in refused):
            return  # said with the module's build (_confirmed)
        if loaded.load_error:
            file, line = _where(loaded.error or "", apache.httpd_conf)
            yield failed(
                f"{loaded.how} on the node stops at a module httpd cannot load, so httpd does "
                f"not start with this configuration: {loaded.error}",
                file=file,
                line=line,
            )
        else:
            yield errored(
                f"{loaded.how} on the node gave no list of modules, so what httpd loads was "
                f"not judged: {loaded.error}",
                file=apache.httpd_conf,
            )
        return
    for module in apache.module_files.values():
        if module.module not in loaded.modules:
            yield failed(
                f"LoadModule {module.module} {module.path} is read from this configuration, but "
                f"{loaded.how} does not list {module.module}: httpd does not load "
                f"{CONNECTORS[module.module]} with it",
                file=module.file,
                line=module.line,
                details={"module": module.module},
            )


# httpd's "Syntax error on line N of FILE:", nested once per Include: the innermost is the last
_SYNTAX = re.compile(r"on line (\d+) of ([^:]+):")


def _where(error: str, default: str | None) -> tuple[str | None, int | None]:
    found = _SYNTAX.findall(error)
    return (found[-1][1], int(found[-1][0])) if found else (default, None)


def _defects(
    apache: ApacheFacts, version: Version | None, loaded: LoadedModules | None, notes: list[str]
) -> Iterator[Finding]:
    """Releases with known vulnerabilities that matter to this front end."""
    full = version is not None and (apache.httpd_version or "").count(".") >= 2
    if version is not None and full:
        if version[:2] < knowledge.SUPPORTED_LINE:
            yield warned(
                f"httpd {apache.httpd_version}: the {version[0]}.{version[1]} line has had no "
                f"fixes since {knowledge.LAST_22_RELEASE} (July 2017): upgrade to httpd 2.4",
                file=apache.httpd_conf or apache.jk_conf,
            )
        else:
            modules = set(loaded.modules) if loaded and loaded.modules else set(apache.modules)
            found = knowledge.open_defects(knowledge.HTTPD_DEFECTS, version, modules)
            yield from _known(f"httpd {apache.httpd_version}", found, apache.httpd_conf)
    else:
        notes.append("httpd's release (its version is not known)")
    if JK_MODULE not in apache.module_files:
        return
    release = jk_release(apache)
    if release is None:
        notes.append("mod_jk's release (its version is not known)")
        return
    flags = {
        flag.lstrip("+")
        for args, *_where in (apache.jk.options if apache.jk else ())
        for flag in args
        if not flag.startswith("-")
    }
    found = knowledge.open_defects(knowledge.JK_DEFECTS, release.version, flags)
    yield from _known(f"mod_jk {release.text}", found, release.module.file, release.module.line)


def _known(
    what: str, found: list[Defect], file: str | None, line: int | None = None
) -> Iterator[Finding]:
    if not found:
        return
    fixed = knowledge.version_text(max(d.fixed_in for d in found))
    listed = "; ".join(
        f"{d.cve} ({d.what}, fixed in {knowledge.version_text(d.fixed_in)})" for d in found
    )
    yield warned(
        f"{what} has known vulnerabilities that matter to this front end: {listed}. Upgrade to "
        f"{fixed} or later, unless the distribution's package carries these fixes under this "
        "version number",
        file=file,
        line=line,
        details={"cves": [d.cve for d in found], "fixed_in": fixed},
    )


def _summary(
    node: NodeFacts, apache: ApacheFacts, version: Version | None, notes: list[str]
) -> str:
    httpd = f"httpd {apache.httpd_version}" if version else "httpd (version not known)"
    mpm = apache.mpm.mpm if apache.mpm else None
    parts = [httpd + (f" ({mpm.name} MPM)" if mpm else "")]
    runtime = node.live.runtime
    if runtime is not None and runtime.httpd is not None:
        since = datetime.fromtimestamp(runtime.httpd.started_at, UTC).isoformat(timespec="seconds")
        parts[0] += f" runs as PID {runtime.httpd.pid} ({runtime.httpd.user}) since {since}"
    for module in apache.module_files.values():
        binary = module.binary
        name = CONNECTORS[module.module]
        built = knowledge.api_of_cookie(binary.cookie) if binary else None
        if binary is None or built is None:
            parts.append(f"{name} from {module.path}")
            continue
        jk = f" {binary.jk_version}" if binary.jk_version else ""
        parts.append(
            f"{name}{jk} built for httpd {built.line} "
            f"({binary.cookie} {binary.mmn_major}.{binary.mmn_minor})"
        )
    if not apache.module_files:
        parts.append("no LoadModule of mod_jk or mod_proxy_ajp was read")
    return "; ".join(parts) + ("" if not notes else f" (not judged: {'; '.join(notes)})")
