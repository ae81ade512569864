"""What the HTML, Prometheus and Nagios renderers share, so that they never disagree: which results
are findings, how a result says where it is, the counts of a run, and the grid of checks by nodes.

A waived finding is shown but does not count (Report.counted): the counts list it apart, and in
the grid it weighs like a pass (report/cell.py).
"""

from __future__ import annotations

from clustercheck.engine.check import Check, Family
from clustercheck.engine.results import Result, Status
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
    return [r for r in report.sorted_results() if r.status.is_finding and bool(r.waived) is waived]


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
