"""Waivers: findings the operators have accepted, each with a reason and usually an expiry date
(as InSpec's waivers). A waived result stays in every report, marked, but no longer decides the
verdict or the exit code (Report.counted).

Matching rules:
- by what the waiver's `code` selects, as --checks reads it (engine/registry.py): a check's
  name or a family's, or a code prefix, so `CC603` waives every member of that family
  (CC6031, CC6032...) as it waived the check before the split, and `CC6031` one of them;
- a waiver with a node matches that node's results only; a waiver without a node matches every
  result of the check, node and cluster-wide alike (InSpec waives a control everywhere);
- only findings (warn, fail, error) are waived: a pass needs no waiver, and a skip judged nothing;
- when several waivers match a result, the first one (in inventory order) gives the reason;
- a waiver applies through its `expires` date and not after it. An expired waiver no longer
  applies and says so, so an accepted risk cannot outlive its review silently; a waiver that
  matches nothing says so too, so stale waivers get cleaned up.

A waiver that names no installed check (a typo, a plugin no longer installed) is refused before
anything is gathered (`refused`), as the inventory refuses one naming no node: it would waive
nothing, silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from clustercheck.engine.check import Check
from clustercheck.engine.registry import matching, unknown
from clustercheck.engine.results import Result
from clustercheck.inventory.settings import Waiver


def refused(waivers: Sequence[Waiver], catalogue: Sequence[Check]) -> list[str]:
    """One inventory problem (file, line, field, the nearest check) per waiver whose code
    selects no check of the catalogue (every check installed, plugins included)."""
    return [
        f"{waiver.where}: {unknown(catalogue, waiver.code)}"
        for waiver in waivers
        if not matching(catalogue, waiver.code)
    ]


def apply_waivers(
    results: list[Result], waivers: Sequence[Waiver], today: date, catalogue: Sequence[Check]
) -> tuple[list[Result], list[str]]:
    """The results with every matching, unexpired waiver applied, and notices about waivers that
    expired or matched nothing (those `refused` were refused before)."""
    notices: list[str] = []
    active: list[tuple[Waiver, set[str]]] = []
    for waiver in waivers:
        problem = _inactive(waiver, today)
        if problem:
            notices.append(f"{_label(waiver)} {problem}")
        else:
            active.append((waiver, {c.code for c in matching(catalogue, waiver.code)}))
    used: set[int] = set()
    out: list[Result] = []
    for result in results:
        found = [i for i, (w, codes) in enumerate(active) if _matches(w, codes, result)]
        used.update(found)
        out.append(replace(result, waived=_note(active[found[0]][0])) if found else result)
    notices += [
        f"{_label(w)} matched no warn, fail or error result"
        for i, (w, _codes) in enumerate(active)
        if i not in used
    ]
    return out, notices


def _inactive(waiver: Waiver, today: date) -> str | None:
    """Why the waiver does not apply today, or None when it does (the inventory refused any
    date that is not one)."""
    if waiver.expires is None or today <= waiver.expires:
        return None
    return f"expired on {waiver.expires.isoformat()}"


def _matches(waiver: Waiver, codes: set[str], result: Result) -> bool:
    return (
        result.status.is_finding
        and result.code in codes
        and (waiver.node is None or waiver.node == result.node)
    )


def _note(waiver: Waiver) -> str:
    return f"{waiver.reason} (until {waiver.expires})" if waiver.expires else waiver.reason


def _label(waiver: Waiver) -> str:
    return f"waiver for {waiver.code}" + (f" on {waiver.node}" if waiver.node else "")
