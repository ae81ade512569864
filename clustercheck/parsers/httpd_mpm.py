"""httpd's MPM as its configuration sets it: which MPM module is loaded (or linked in), and the
values written for the directives that size it (ServerLimit, ThreadLimit, ThreadsPerChild,
MaxRequestWorkers or its old name MaxClients, StartServers), each as atoi reads it, the last one
written winning. What httpd then does with them is knowledge.httpd's (mpm_limits).

Also what httpd refuses about them while reading: no MPM or two (ap_check_mpm), a directive the
loaded MPM does not register ("Invalid command"), one inside <VirtualHost> or a directory
section (ap_check_cmd_context GLOBAL_ONLY, RSRC_CONF), or without exactly one argument (TAKE1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from clustercheck.knowledge import httpd as knowledge
from clustercheck.parsers.httpd import PATH_SECTIONS, Directive, split_section
from clustercheck.parsers.httpd_eval import LoadedModule
from clustercheck.parsers.text import Kind, Problem, bounded_int

_ATOI = re.compile(r"[ \t\n\v\f\r]*([+-]?\d*)")
# MaxClients sets what MaxRequestWorkers sets
_CANONICAL = {"maxclients": "maxrequestworkers"}


@dataclass(frozen=True)
class MpmValue:
    """One MPM directive as written and as atoi reads its argument."""

    directive: str  # as written: MaxClients, ServerLimit
    value: int
    written: str
    file: str
    line: int


@dataclass
class MpmSettings:
    """The MPM and the values written for it; `mpm` None when none is loaded (or two are)."""

    mpm: knowledge.Mpm | None
    module: LoadedModule | None  # where it was loaded (linked in: no file)
    values: dict[str, MpmValue] = field(default_factory=dict)  # by lower-case name
    problems: list[Problem] = field(default_factory=list)


def atoi(text: str) -> int:
    """C's atoi: leading white space, a sign, the digits up to the first other character;
    nothing readable is 0."""
    digits = _ATOI.match(text)
    number = digits.group(1) if digits else ""
    return bounded_int(number) if number.lstrip("+-") else 0


def mpm_settings(
    directives: Sequence[Directive],
    modules: Mapping[str, LoadedModule],
    root: str,
    static_assumed: str | None,
) -> MpmSettings:
    """The MPM of the configuration read from `root`; `static_assumed` names the build whose
    linked-in modules were assumed (None: the node's `httpd -l` told them), so that "no MPM"
    is then only a possibility."""
    loaded = [modules[m] for m in modules if m in knowledge.MPMS]
    problems: list[Problem] = []
    settings = MpmSettings(None, None, problems=problems)
    if len(loaded) == 1:
        settings.mpm, settings.module = knowledge.MPMS[loaded[0].name], loaded[0]
    else:
        problems.append(_mpm_count(loaded, root, static_assumed))
    for directive in directives:
        if directive.lname in knowledge.MPM_DIRECTIVES:
            _value(settings, directive)
    return settings


def _mpm_count(loaded: list[LoadedModule], root: str, static_assumed: str | None) -> Problem:
    """ap_check_mpm: exactly one MPM, or httpd stops after reading its configuration."""
    if loaded:
        where = ", ".join(_where(m) for m in loaded)
        return Problem(
            loaded[-1].file or root,
            loaded[-1].line,
            f"more than one MPM ({where}): httpd refuses to start (More than one MPM loaded.)",
            Kind.REFUSES_TO_START,
        )
    if static_assumed is None:
        message = "no MPM is loaded or linked in: httpd refuses to start (No MPM loaded.)"
        return Problem(root, None, message, Kind.REFUSES_TO_START)
    message = (
        "no LoadModule loads an MPM: unless httpd links one in, which "
        f"{static_assumed} does not, httpd refuses to start (No MPM loaded.)"
    )
    return Problem(root, None, message, Kind.MAY_MEAN_SOMETHING_ELSE)


def _where(module: LoadedModule) -> str:
    return (
        f"{module.name} linked in"
        if module.static
        else f"{module.name} at {module.file}:{module.line}"
    )


def _value(settings: MpmSettings, directive: Directive) -> None:
    """One MPM directive, unless httpd refuses it."""
    name = directive.name
    refusal = None
    if settings.mpm is not None and directive.lname not in settings.mpm.directives:
        refusal = (
            f"Invalid command '{name}', perhaps misspelled or defined by a module not included "
            f"in the server configuration (the {settings.mpm.name} MPM has no {name})"
        )
    elif len(directive.args) != 1:
        refusal = f"{name} takes one argument, got {len(directive.args)}"
    else:
        for label in directive.sections:
            kind = split_section(label)[0]
            if kind == "virtualhost":
                refusal = f"{name} cannot occur within <VirtualHost> section"
            elif kind in PATH_SECTIONS or kind in ("proxy", "proxymatch", "limit", "limitexcept"):
                refusal = f"{name} not allowed here (inside {label})"
    if refusal is not None:
        message = f"{refusal}: httpd refuses to start"
        settings.problems.append(
            Problem(directive.file, directive.line, message, Kind.REFUSES_TO_START)
        )
        return
    if settings.mpm is None:
        return
    written = directive.args[0]
    key = _CANONICAL.get(directive.lname, directive.lname)
    settings.values[key] = MpmValue(name, atoi(written), written, directive.file, directive.line)
