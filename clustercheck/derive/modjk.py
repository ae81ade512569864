"""The mod_jk release of an apache node: what CC104 weighs its known defects by and what the
version-dependent rules of the CC603 family are keyed on; and the requests the configuration
hands to mod_jk without a worker, which only releases with implicit mapping forward.

The module file's bytes name it (mod_jk's JK_EXPOSED_VERSION, "mod_jk/1.2.48"); when the file
was not read, the name of a downloaded build often does (`mod_jk-1.2.23-apache-2.2.x-...so`).
An upgrade target replaces the file's facts, so its release is read the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass

from clustercheck.derive.status_pages import location_of
from clustercheck.facts.files import ApacheFacts
from clustercheck.knowledge import modjk
from clustercheck.knowledge.tomcat import Version, parse_version
from clustercheck.parsers.httpd import Directive, Mount
from clustercheck.parsers.httpd_module import ModuleFile, name_hints

JK_MODULE = "jk_module"


@dataclass(frozen=True)
class JkRelease:
    """The release of the mod_jk an apache node loads, and where it was read."""

    text: str  # "1.2.48"
    version: Version
    module: ModuleFile  # its LoadModule
    from_name: bool  # read from the file's name, not its bytes


def jk_release(apache: ApacheFacts) -> JkRelease | None:
    """The loaded mod_jk's release; None when no mod_jk is loaded or nothing names its release."""
    module = apache.module_files.get(JK_MODULE)
    if module is None:
        return None
    read = module.binary.jk_version if module.binary else None
    text = read or name_hints(module.path).jk_version
    version = parse_version(text)
    if text is None or version is None:
        return None
    return JkRelease(text, version, module, from_name=read is None)


@dataclass(frozen=True)
class Unmapped:
    """A directive that makes mod_jk the handler of requests no mapping gives a worker."""

    directive: Directive  # SetHandler / AddHandler jakarta-servlet
    location: str | None  # the <Location> it sits in, when it sits in one


def unmapped_handlers(apache: ApacheFacts) -> list[Unmapped]:
    """SetHandler/AddHandler jakarta-servlet whose requests neither a JkMount (of the same
    <Location>, or one matching its path; outside a <Location>, any) nor the worker indicator
    variable (set anywhere:
    clustercheck does not follow which requests SetEnvIf or RewriteRule set it for) maps to a
    worker: mod_jk forwards them only by implicit mapping (knowledge.modjk)."""
    directives = apache.directives
    indicators = [d.args[0] for d in directives if d.lname == "jkworkerindicator" and d.args]
    indicator = (indicators[-1] if indicators else modjk.WORKER_INDICATOR).lower()
    if any(
        d.lname in modjk.ENV_DIRECTIVES and indicator in " ".join(d.args).lower()
        for d in directives
    ):
        return []
    found = []
    for directive in directives:
        if directive.lname not in modjk.HANDLER_DIRECTIVES or not directive.args:
            continue
        if directive.args[0].lower() != modjk.JK_HANDLER:
            continue
        location, _vhost = location_of(directive.sections)
        if location is not None and not _mounted(apache.mounts, location):
            found.append(Unmapped(directive, location))
        elif location is None and not any(not m.unmount for m in apache.mounts):
            # in <Directory>, <Files>, ...: which URLs it covers is not known, so only when
            # no mapping rule at all could give its requests a worker
            found.append(Unmapped(directive, None))
    return found


def _mounted(mounts: list[Mount], location: str) -> bool:
    """A mapping rule matches the location's path or a path below it (mod_jk's rules: `*` and
    `?` wildcards, else an exact match; jk_uri_worker_map.c)."""
    below = location.rstrip("/") + "/x"
    for mount in mounts:
        if mount.unmount or mount.disabled:
            continue
        pattern = re.compile(
            "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in mount.pattern)
        )
        if pattern.fullmatch(location) or pattern.fullmatch(below):
            return True
    return False
