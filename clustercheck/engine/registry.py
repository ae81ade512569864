"""Finds checks through the `clustercheck.checks` entry-point group (built-ins use it too) and
selects them by name or by code prefix. Duplicate codes or names are refused loudly: a silently
shadowed check is a check that silently stopped running. An entry point is named by its check's
code (`CC201 = "pkg.module:func"`), so the name a plugin registers cannot lie about what it
loads.

A key selects as ruff's --select does: a code is a prefix, so `CC603` selects the members of
that family (CC6031, CC6032...), `CC6` every CC6xx check and member, `CC201` the one check; a
check's or a family's name selects it whole. --checks, --skip, waivers and `explain` all read
keys here."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from importlib.metadata import EntryPoint, entry_points

from clustercheck.engine.check import Check, Family
from clustercheck.engine.plugins import load_plugin, origin

CODE_PREFIX_RE = re.compile(r"[A-Za-z]{1,5}\d{0,4}")

GROUP = "clustercheck.checks"


class RegistryError(Exception):
    """A plugin problem or a selection naming no check; one line per problem."""


def load_checks(eps: Iterable[EntryPoint] | None = None) -> list[Check]:
    """Every registered check, sorted by code."""
    found: dict[str, Check] = {}
    names: dict[str, EntryPoint] = {}
    for ep in eps if eps is not None else entry_points(group=GROUP):
        obj = load_plugin(ep, Check, RegistryError, "check", " (use @check)")
        if ep.name != obj.code:
            raise RegistryError(
                f"check plugin {ep.dist.name if ep.dist else '?'}: entry point"
                f" {ep.name} = {ep.value} loads check {obj.code}; name it {obj.code}"
            )
        if obj.code in found:
            raise RegistryError(
                f"duplicate check code {obj.code}: {found[obj.code].origin} and {origin(ep)}"
            )
        if obj.name in names:
            raise RegistryError(
                f"duplicate check name {obj.name}: {origin(names[obj.name])} and {origin(ep)}"
            )
        found[obj.code] = obj
        names[obj.name] = ep
    checks = sorted(found.values(), key=lambda c: c.code)
    _check_families(checks)
    return checks


def _check_families(checks: Sequence[Check]) -> None:
    """A family is one declaration whose code and name no check has: two plugins declaring
    family CC603, or a check CC603 beside family CC603, would make `CC603` select one of them
    silently."""
    codes = {c.code: c for c in checks}
    names = {c.name: c for c in checks}
    seen: dict[str, Family] = {}
    for member in checks:
        fam = member.family
        if fam is None:
            continue
        if seen.setdefault(fam.code, fam) is not fam:
            raise RegistryError(f"family {fam.code} is declared twice (one in {member.origin})")
        clash = codes.get(fam.code) or names.get(fam.name)
        if clash is not None:
            raise RegistryError(
                f"family {fam.code} {fam.name} clashes with check {clash.code} {clash.name} "
                f"({clash.origin})"
            )


def families(checks: Sequence[Check]) -> list[Family]:
    """The families the checks are members of, by code."""
    found = {c.family.code: c.family for c in checks if c.family is not None}
    return [found[code] for code in sorted(found)]


def matching(checks: Sequence[Check], key: str) -> list[Check]:
    """The checks a key selects (none when it selects nothing): the check or the family it
    names, else every check whose code starts with it."""
    lowered = key.strip().lower()
    named = [c for c in checks if lowered in (c.name, c.family.name if c.family else None)]
    if named or not CODE_PREFIX_RE.fullmatch(key.strip()):
        return named
    return [c for c in checks if c.code.startswith(key.strip().upper())]


def unknown(checks: Sequence[Check], key: str) -> str:
    """Why a key selects nothing, with the nearest check or family when one is close, named by
    code and name both (`CC101 ajp-port-match`), whichever of them the key was near."""
    key = key.strip()
    named: list[Check | Family] = [*checks, *families(checks)]
    by_lower = {word.lower(): item for item in named for word in (item.code, item.name)}
    near = difflib.get_close_matches(key.lower(), list(by_lower), n=1, cutoff=0.6)
    codes = f" and no code starts with {key.upper()}" if CODE_PREFIX_RE.fullmatch(key) else ""
    if near:
        item = by_lower[near[0]]
        hint = f" (did you mean {item.code} {item.name}?)"
    else:
        hint = " (see `clustercheck checks`)"
    return f"no check named {key!r}{codes}{hint}"


def resolve(checks: Sequence[Check], key: str) -> list[Check]:
    """The checks a key selects; a key that selects nothing is an error, not an empty run."""
    chosen = matching(checks, key)
    if not chosen:
        raise RegistryError(unknown(checks, key))
    return chosen


def select(
    checks: Sequence[Check], only: Sequence[str] = (), skip: Sequence[str] = ()
) -> list[Check]:
    """--checks / --skip: names and code prefixes; an unknown one is an error."""
    chosen = [c for key in only for c in resolve(checks, key)] if only else list(checks)
    dropped = {c.code for key in skip for c in resolve(checks, key)}
    chosen = [c for c in dict.fromkeys(chosen) if c.code not in dropped]
    return sorted(chosen, key=lambda c: c.code)
