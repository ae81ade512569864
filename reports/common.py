"""What the renderers share, so that they never disagree: which results are findings, how a result
says where it is, the counts of a run, the grid of checks by nodes, and the words of the upgrade
section (--target-*: its counts, moves and headings).

A waived finding is shown but does not count (Report.counted): the counts list it apart, and in
the grid it weighs like a pass (report/cell.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from clustercheck.engine.check import Check, Family
from clustercheck.engine.results import Result, Status
from clustercheck.engine.upgrade import Move, Upgrade
from clustercheck.report.cell import Cell
from clustercheck.report.model import Report

# the order counts are listed in, worst first
COUNT_ORDER = (Status.ERROR, Status.FAIL, Status.WARN, Status.PASS, Status.SKIP)


def where(result: Result) -> str | None:
    """file:line, or the file alone, or None when the result names no file."""
    if not result.file:
        return None
    return f"{result.file}:{result.line}" if result.line else result.file


def findings(report: Report, *, waived: bool = False) -> list[Result]:
    """Warn, fail and error results worst first: the counted ones, or with waived=True the
    waived ones."""
    return findings_of(report.results, waived=waived)


def findings_of(results: Iterable[Result], *, waived: bool = False) -> list[Result]:
    """`findings` of any results (the upgrade's), in the order Report.sorted_results gives."""
    ordered = sorted(results, key=lambda r: (-r.status.rank, r.code, r.node or ""))
    return [r for r in ordered if r.status.is_finding and bool(r.waived) is waived]


def counts(report: Report) -> dict[str, int]:
    """A count per status of the results that count, plus `waived`; together they add up to
    every result of the run."""
    tally = {s.value: 0 for s in COUNT_ORDER}
    for result in report.counted():
        tally[result.status.value] += 1
    tally["waived"] = len(report.results) - len(report.counted())
    return tally


def cells(report: Report, rows: bool = False) -> dict[tuple[str, str | None], Cell]:
    """Each check's worst status by node, keyed by (check code, node or None), in result order;
    with `rows`, by the grid's rows: a family's members share its row (keyed by its code)."""
    row_of = {c.code: c.family.code for c in report.checks if c.family} if rows else {}
    grid: dict[tuple[str, str | None], Cell] = {}
    for result in report.results:
        grid.setdefault((row_of.get(result.code, result.code), result.node), Cell()).add(result)
    return grid


def grid_rows(report: Report) -> list[Check | Family]:
    """The grid's rows: each check, and a family once in place of its members (CC603's seven
    are one row, the findings name the member), so the grid stays a glance."""
    rows: dict[str, Check | Family] = {}
    for check in report.checks:
        row = check.family or check
        rows.setdefault(row.code, row)
    return list(rows.values())


# -- the upgrade section (--target-*) ------------------------------------------------------------

UPGRADE_ORDER = (Status.ERROR, Status.FAIL, Status.WARN)  # Upgrade.summary's statuses, worst first
UNKNOWN_VERSION, ALREADY_THERE = "unknown", "already there"


def upgrade_counts(upgrade: Upgrade) -> str:
    """ "17 fail, 8 warn" (and how many are waived), or "nothing new": what the upgrade brings."""
    summary = upgrade.summary()
    parts = [f"{summary[s.value]} {s.value}" for s in UPGRADE_ORDER if summary[s.value]]
    waived = len(upgrade.results) - len(upgrade.counted())
    if waived:
        parts.append(f"{waived} waived")
    return ", ".join(parts) or "nothing new"


def upgrade_headline(upgrade: Upgrade, lead: str = "Upgrading to") -> str:
    """ "Upgrading to Tomcat 10.1.62: 17 fail, 8 warn": the section's heading, and what the
    summary lines add."""
    return f"{lead} {upgrade.target.label}: {upgrade_counts(upgrade)}"


def move_versions(move: Move) -> tuple[str, str]:
    """A move's version today and after the upgrade, in words where there is none."""
    return move.today or UNKNOWN_VERSION, move.after or ALREADY_THERE


def grouped_moves(upgrade: Upgrade) -> list[tuple[list[str], Move]]:
    """The moves with the nodes that make the same one together (a product from one version to
    another), in the order of their first node: fifty nodes on one release are one line."""
    groups: dict[tuple[str, str | None, str | None], tuple[list[str], Move]] = {}
    for move in upgrade.moves:
        key = (move.product, move.today, move.after)
        groups.setdefault(key, ([], move))[0].append(move.node)
    return list(groups.values())


def move_text(nodes: list[str], move: Move) -> str:
    """ "tomcat01, tomcat02: Tomcat 6.0.29 → 10.1.62" ("…: Tomcat 11.0.29, already there")."""
    today, after = move_versions(move)
    change = f", {after}" if move.after is None else f" → {after}"
    return f"{', '.join(nodes)}: {move.product} {today}{change}"


def during_title(upgrade: Upgrade) -> str:
    """The half-upgraded cluster the `during` findings were judged on."""
    return (
        f"During the rolling upgrade, {upgrade.rolling_node} on Tomcat {upgrade.target.tomcat} "
        "and the others as today"
    )


def gone_text(upgrade: Upgrade) -> str | None:
    """ "The upgrade would also clear 4 of today's findings: CC103 on tomcat01, tomcat02;
    CC302 cluster-wide", or None when it clears none."""
    if not upgrade.gone:
        return None
    by_code: dict[str, list[str | None]] = {}
    for result in upgrade.gone:
        scopes = by_code.setdefault(result.code, [])
        if result.node not in scopes:
            scopes.append(result.node)
    cleared = "; ".join(_cleared(code, scopes) for code, scopes in by_code.items())
    return f"The upgrade would also clear {len(upgrade.gone)} of today's findings: {cleared}"


def _cleared(code: str, scopes: list[str | None]) -> str:
    """ "CC103 on tomcat01, tomcat02", "CC302 cluster-wide", or both."""
    nodes = [node for node in scopes if node]
    where = [f"on {', '.join(nodes)}"] if nodes else []
    where += ["cluster-wide"] if None in scopes else []
    return f"{code} {' and '.join(where)}"
