"""Waivers: findings the operators have accepted, each with a reason and usually an expiry date
(as InSpec's waivers). A waived result stays in every report, marked, but no longer decides the
verdict or the exit code (Report.counted).

Matching rules:
- by check code (or check name, as --checks selects either);
- a waiver with a node matches that node's results only; a waiver without a node matches every
  result of the check, node and cluster-wide alike (InSpec waives a control everywhere);
- only findings (warn, fail, error) are waived: a pass needs no waiver, and a skip judged nothing;
- when several waivers match a result, the first one (in inventory order) gives the reason;
- a waiver applies through its `expires` date and not after it. An expired waiver no longer
  applies and says so, so an accepted risk cannot outlive its review silently; a waiver that
  matches nothing says so too, so stale waivers get cleaned up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from clustercheck.engine.results import Result
from clustercheck.inventory.settings import Waiver


def apply_waivers(
    results: list[Result], waivers: Sequence[Waiver], today: date
) -> tuple[list[Result], list[str]]:
    """The results with every matching, unexpired waiver applied, and notices about waivers that
    expired or matched nothing."""
    notices: list[str] = []
    active: list[Waiver] = []
    for waiver in waivers:
        problem = _inactive(waiver, today)
        if problem:
            notices.append(f"{_label(waiver)} {problem}")
        else:
            active.append(waiver)
    used: set[int] = set()
    out: list[Result] = []
    for result in results:
        matching = [i for i, w in enumerate(active) if _matches(w, result)]
        used.update(matching)
        out.append(replace(result, waived=_note(active[matching[0]])) if matching else result)
    notices += [
        f"{_label(w)} matched no warn, fail or error result"
        for i, w in enumerate(active)
        if i not in used
    ]
    return out, notices


def _inactive(waiver: Waiver, today: date) -> str | None:
    """Why the waiver does not apply today, or None when it does (the inventory refused any
    date that is not one)."""
    if waiver.expires is None or today <= waiver.expires:
        return None
    return f"expired on {waiver.expires.isoformat()}"


def _matches(waiver: Waiver, result: Result) -> bool:
    return (
        result.status.is_finding
        and waiver.code in (result.code, result.name)
        and (waiver.node is None or waiver.node == result.node)
    )


def _note(waiver: Waiver) -> str:
    return f"{waiver.reason} (until {waiver.expires})" if waiver.expires else waiver.reason


def _label(waiver: Waiver) -> str:
    return f"waiver for {waiver.code}" + (f" on {waiver.node}" if waiver.node else "")
