"""Finds checks through the `clustercheck.checks` entry-point group (built-ins use it too) and
selects them by code or name. Duplicate codes or names are refused loudly: a silently shadowed
check is a check that silently stopped running. An entry point is named by its check's code
(`CC201 = "pkg.module:func"`), so the name a plugin registers cannot lie about what it loads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib.metadata import EntryPoint, entry_points

from clustercheck.engine.check import Check
from clustercheck.engine.plugins import load_plugin, origin

GROUP = "clustercheck.checks"


class RegistryError(Exception):
    """A plugin problem or a selection naming no check; one line per problem."""


def load_checks(eps: Iterable[EntryPoint] | None = None) -> list[Check]:
    """Every registered check, sorted by code."""
    found: dict[str, Check] = {}
    names: dict[str, str] = {}
    for ep in eps if eps is not None else entry_points(group=GROUP):
        where = origin(ep)
        obj = load_plugin(ep, Check, RegistryError, "check", " (use @check)")
        if ep.name != obj.code:
            raise RegistryError(
                f"check plugin {ep.dist.name if ep.dist else '?'}: entry point"
                f" {ep.name} = {ep.value} loads check {obj.code}; name it {obj.code}"
            )
        if obj.code in found:
            raise RegistryError(
                f"duplicate check code {obj.code}: {found[obj.code].origin} and {where}"
            )
        if obj.name in names:
            raise RegistryError(f"duplicate check name {obj.name}: {names[obj.name]} and {where}")
        found[obj.code] = obj
        names[obj.name] = where
    return sorted(found.values(), key=lambda c: c.code)


def find(checks: Sequence[Check], key: str) -> Check:
    """A check by code (case-insensitive) or name."""
    for candidate in checks:
        if key.upper() == candidate.code or key.lower() == candidate.name:
            return candidate
    raise RegistryError(f"no check named {key!r} (see `clustercheck checks`)")


def select(
    checks: Sequence[Check], only: Sequence[str] = (), skip: Sequence[str] = ()
) -> list[Check]:
    """--checks / --skip: codes or names; an unknown one is an error, not an empty run."""
    chosen = [find(checks, key) for key in only] if only else list(checks)
    dropped = {find(checks, key).code for key in skip}
    chosen = [c for c in dict.fromkeys(chosen) if c.code not in dropped]
    return sorted(chosen, key=lambda c: c.code)
