"""Finds the log rules CC803 log-signatures matches, through the `clustercheck.log_rules`
entry-point group (the built-in table uses it too): each entry point names a tuple of
knowledge.log_rules.LogRule. A rule id defined twice is refused loudly, as a duplicate check code
is: a silently shadowed rule is a failure line that silently stopped being recognised."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points

from clustercheck.engine.plugins import load_plugin, origin
from clustercheck.engine.registry import RegistryError
from clustercheck.facts.logs import KINDS
from clustercheck.knowledge.log_rules import SEVERITIES, LogRule

GROUP = "clustercheck.log_rules"
_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def load_log_rules(eps: Iterable[EntryPoint] | None = None) -> tuple[LogRule, ...]:
    """Every registered rule, in registration order; RegistryError (one line, naming the plugin)
    for a rule that is not one, is malformed, or has an id another rule has."""
    found: dict[str, tuple[LogRule, EntryPoint]] = {}
    for ep in eps if eps is not None else entry_points(group=GROUP):
        rules = load_plugin(ep, tuple, RegistryError, "log rule", " (a tuple of LogRule)")
        for rule in rules:
            problem = _malformed(rule)
            if problem:
                raise RegistryError(f"log rule plugin {origin(ep)}: {problem}")
            if rule.id in found:
                first = origin(found[rule.id][1])
                raise RegistryError(f"duplicate log rule id {rule.id}: {first} and {origin(ep)}")
            found[rule.id] = (rule, ep)
    return tuple(rule for rule, _ep in found.values())


@functools.cache
def installed_log_rules() -> tuple[LogRule, ...]:
    """The installed rules, loaded once per process."""
    return load_log_rules()


def _malformed(rule: object) -> str | None:
    if not isinstance(rule, LogRule):
        return f"{rule!r} is not a LogRule"
    if not _ID.match(rule.id):
        return f"rule id {rule.id!r} must be kebab-case"
    if rule.severity not in SEVERITIES:
        return f"rule {rule.id}: severity {rule.severity!r} is not one of {', '.join(SEVERITIES)}"
    unknown = set(rule.kinds) - set(KINDS)
    if unknown or not rule.kinds:
        return f"rule {rule.id}: kinds {sorted(unknown)} are not among {', '.join(KINDS)}"
    return None
