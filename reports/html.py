"""The HTML report for the nightly job: one self-contained file to mail or archive.

Everything is inline (CSS, SVG) and a Content-Security-Policy forbids any load, so the file works
offline and in a mail client, and can never call out. Mail clients drop SVG, so everything a
chart shows is also in a plain table. Colour always comes with a word. Every value goes through
Jinja's autoescape (text, attributes and the inline SVG alike; the report holds no script and no
embedded JSON) after escape.xml (Environment.finalize: no control character or bidi override from
the data), except the checks' docs, which are Markdown rendered with raw HTML off (markdown-it
escapes their text). Findings are grouped per check, so a check's why and fix are said once.
This module only prepares the numbers and words the template lays out (the clock chart's
geometry: clock_chart.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup

from clustercheck import __version__
from clustercheck.engine.results import Result, Status
from clustercheck.engine.upgrade import Upgrade
from clustercheck.report import escape
from clustercheck.report.cell import Cell
from clustercheck.report.formats import Format, RenderOptions
from clustercheck.report.frontend_view import FrontEndView, SeamView, Shown
from clustercheck.report.model import Report
from clustercheck.report.views import MulticastView, StaticMembershipView, VersionRow
from clustercheck.reports import clock_chart
from clustercheck.reports.common import (
    COUNT_ORDER,
    cells,
    counts,
    during_title,
    findings,
    findings_of,
    grid_rows,
    grouped_moves,
    move_versions,
    upgrade_headline,
    where,
)
from clustercheck.units import milliseconds

CLUSTER_COLUMN = "cluster-wide"


@dataclass(frozen=True)
class Look:
    """How a status shows: the word (never colour alone), a cell background and text colour,
    and a stronger colour for bars and borders."""

    word: str
    background: str
    text: str
    accent: str


LOOK = {
    Status.PASS: Look("pass", "#dcf2e3", "#14532d", "#2f9e5a"),
    Status.WARN: Look("WARN", "#fff1c7", "#6b4500", "#d99a00"),
    Status.FAIL: Look("FAIL", "#fbd5d5", "#8a1c1c", "#d03a3a"),
    Status.ERROR: Look("ERROR", "#ecd9f7", "#5b1a84", "#8e44ad"),
    Status.SKIP: Look("skip", "#eceff1", "#4f5b62", "#90a4ae"),
}
NOTHING_JUDGED = Look("NOTHING JUDGED", "#ecd9f7", "#5b1a84", "#8e44ad")

SPARK_WIDTH, SPARK_HEIGHT = 150, 36  # the clock trend's sparklines, in SVG user units

# The checks' docs are Markdown: paragraphs, `- ` lists, `code`, **bold**. Only those rules run,
# raw HTML is text, and a link stays its literal text: a doc can neither inject markup nor make
# the page load anything. These are all the tags it can give.
MARKDOWN = MarkdownIt("zero", {"html": False}).enable(
    ["list", "backticks", "emphasis", "escape", "entity", "newline"]
)
MARKDOWN_TAGS = frozenset({"p", "ul", "ol", "li", "code", "em", "strong", "br"})


def _finalize(value: Any) -> Any:
    """Every `{{ value }}` before autoescape: text made visible (escape.xml). Markup (a macro's
    or a filter's output, whose data is escaped already) stays Markup: the escapes add no `<`."""
    if isinstance(value, Markup):
        return Markup(escape.xml(str(value)))
    return escape.xml(value) if isinstance(value, str) else value


ENV = Environment(
    loader=PackageLoader("clustercheck.reports", "templates"),
    autoescape=True,
    finalize=_finalize,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters["num"] = lambda value: f"{value:g}"  # 100.0 -> "100", 0.25 -> "0.25"
ENV.filters["offset_ms"] = lambda value: milliseconds(value, signed=True)  # never "-0.0 ms"
ENV.filters["markdown"] = lambda text: Markup(MARKDOWN.render(text))
ENV.filters["markdown_inline"] = lambda text: Markup(MARKDOWN.renderInline(text))


def render(report: Report, options: RenderOptions) -> str:
    """The report as one HTML document; the options' trend (from the run history) adds what
    changed since the previous run and each node's clock offset trend."""
    trend = options.trend
    tally = counts(report)
    verdict = NOTHING_JUDGED if report.nothing_judged else LOOK[report.worst()]
    titles = {c.code: c.title for c in report.checks}
    return ENV.get_template("report.html.j2").render(
        report=report,
        version=__version__,
        verdict=verdict,
        look=LOOK,
        counts=[(LOOK[s], tally[s.value]) for s in COUNT_ORDER if tally[s.value]],
        waived_count=tally["waived"],
        grid=_grid(report),
        front_ends=[_front_end(view) for view in report.views.front_ends],
        findings=_grouped(findings(report), titles),
        waived=_grouped(findings(report, waived=True), titles),
        where=where,
        file_name=file_name,
        skipped=_skipped(report),
        nodes=_nodes(report),
        multicast=_multicast(report.views.multicast),
        static=_static(report.views.static_membership),
        clocks=_clocks(report),
        trend=_trend(trend.clock_history, report.facts.settings.ntp.warn_ms),
        changes=trend.changes,
        history_problem=trend.problem,
        upgrade=_upgrade(report.upgrade, titles) if report.upgrade else None,
        estate_url=options.estate_url,
    )


@dataclass(frozen=True)
class Group:
    """One check's findings under one head: its word, title and reach, why it matters and how
    to fix it said once (every result of a check carries the same two), then each finding."""

    code: str
    name: str
    title: str
    worst: Status
    reach: str  # "3 findings: 2 nodes and cluster-wide"
    rationale: str
    remediation: str
    results: tuple[Result, ...]


@dataclass(frozen=True)
class Findings:
    """A list of findings as groups by check, and how many findings they hold."""

    groups: tuple[Group, ...]

    @property
    def total(self) -> int:
        return sum(len(group.results) for group in self.groups)


def _grouped(results: Sequence[Result], titles: Mapping[str, str]) -> Findings:
    """Findings (worst first) grouped by check, in the order of each check's worst finding."""
    by_code: dict[str, list[Result]] = {}
    for result in results:
        by_code.setdefault(result.code, []).append(result)
    return Findings(
        tuple(
            Group(
                code,
                shown[0].name,
                titles.get(code, ""),
                max((r.status for r in shown), key=lambda status: status.rank),
                _reach(shown),
                shown[0].rationale,
                shown[0].remediation,
                tuple(shown),
            )
            for code, shown in by_code.items()
        )
    )


def _reach(results: Sequence[Result]) -> str:
    """ "1 finding: cluster-wide", "4 findings: 3 nodes and cluster-wide"."""
    nodes = {r.node for r in results if r.node}
    where = [f"{len(nodes)} node{'' if len(nodes) == 1 else 's'}"] if nodes else []
    where += ["cluster-wide"] if any(r.node is None for r in results) else []
    count = len(results)
    return f"{count} finding{'' if count == 1 else 's'}: {' and '.join(where)}"


@dataclass(frozen=True)
class GridCell:
    look: Look | None  # None: the check does not apply there
    note: str  # the messages, for a tooltip
    waived: int


def _grid(report: Report) -> dict[str, Any]:
    """Checks down, nodes across (and a cluster-wide column when a check has such results)."""
    grid = cells(report, rows=True)
    columns: list[str | None] = list(report.facts.nodes)
    if any(node is None for _, node in grid):
        columns.append(None)
    rows = [
        (check, [_grid_cell(grid.get((check.code, column))) for column in columns])
        for check in grid_rows(report)
    ]
    return {"columns": [c or CLUSTER_COLUMN for c in columns], "rows": rows}


def _grid_cell(cell: Cell | None) -> GridCell:
    if cell is None:
        return GridCell(None, "not applicable", 0)
    note = "\n".join(f"{r.status.value}: {r.message}" for r in cell.results)
    return GridCell(LOOK[cell.status], note, cell.waived)


@dataclass(frozen=True)
class SeamCell:
    """One seam value of one member: each tier's value with what sets it and where (the file's
    name shown, its path in the tooltip), or what the two are together (the secret), in the
    look and with the word of its check's verdict (look None: no result judged it)."""

    sides: tuple[tuple[str, Shown], ...]  # (tier, value)
    summary: str | None
    look: Look | None
    note: str  # the check and its messages, for a tooltip
    waived: int = 0


def _front_end(view: FrontEndView) -> dict[str, Any]:
    """Members across, seam values down (as in the terminal): one member's values read down
    a column, and one value of every member across a row."""
    members = view.members
    rows = [
        {"row": seam.row, "cells": [_seam_cell(member.seams[index]) for member in members]}
        for index, seam in enumerate(members[0].seams if members else ())
    ]
    return {"view": view, "rows": rows}


def _seam_cell(seam: SeamView) -> SeamCell:
    mark = seam.mark
    sides = tuple(
        (tier, side) for tier, side in (("httpd", seam.front), ("Tomcat", seam.tomcat)) if side
    )
    if mark.status is None:
        return SeamCell(sides, seam.summary, None, f"{mark.code}: no result about this member")
    note = "\n".join(f"{mark.code} {mark.status.value}: {m}" for m in mark.messages)
    return SeamCell(sides, seam.summary, LOOK[mark.status], note, mark.waived)


def _upgrade(upgrade: Upgrade, titles: Mapping[str, str]) -> dict[str, Any]:
    """The upgrade section: the moves (nodes on one release together), the findings after the
    upgrade and during the rolling upgrade, as today's are shown, and the ones it clears."""
    problems = len(upgrade.counted())
    label = upgrade.target.label
    parts = [
        (
            title,
            _grouped(findings_of(results), titles),
            _grouped(findings_of(results, waived=True), titles),
        )
        for title, results in (
            ("After the upgrade", upgrade.after),
            (during_title(upgrade) if upgrade.during else "", upgrade.during),
        )
        if results
    ]
    return {
        "headline": upgrade_headline(upgrade),
        "title": f"Upgrading to {label}: {_problems(problems)}",
        "problems": problems,
        "moves": [
            (", ".join(nodes), move.product, *move_versions(move))
            for nodes, move in grouped_moves(upgrade)
        ],
        "parts": parts,
        "gone": _by_check(upgrade.gone),
    }


def _problems(count: int) -> str:
    return {0: "no new problem", 1: "1 problem"}.get(count, f"{count} problems")


def _by_check(results: Sequence[Result]) -> list[Result]:
    return sorted(results, key=lambda r: (r.code, r.node or ""))


def file_name(path: str | None) -> str:
    """The last part of a path, Windows or not: the full path is in the tooltip."""
    return (path or "").replace("\\", "/").rsplit("/", 1)[-1]


def _skipped(report: Report) -> list[tuple[str, list[str]]]:
    """Skipped results grouped by reason: "offline: CC102, CC401@tomcat02"."""
    reasons: dict[str, list[str]] = {}
    for result in report.sorted_results():
        if result.status is Status.SKIP:
            label = result.code + (f"@{result.node}" if result.node else "")
            reasons.setdefault(result.message, []).append(label)
    return list(reasons.items())


def _nodes(report: Report) -> dict[str, Any]:
    """Every node side by side: address, roles, reachability and, with the versions view, its
    Tomcat and JVM; a value that differs from most nodes' is marked."""
    versions = report.views.versions
    by_node = {v.node: v for v in versions}
    columns = ("tomcat", "version", "vendor", "vm", "bits")
    values = {
        name: dict(zip(columns, _version_values(by_node.get(name)), strict=True))
        for name in report.facts.nodes
    }
    usual = {c: _most_common([v[c] for v in values.values()]) for c in columns}
    rows = []
    for name, node in report.facts.nodes.items():
        marked = [(values[name][c], values[name][c] not in (None, usual[c])) for c in columns]
        rows.append({"node": node, "versions": marked})
    return {"rows": rows, "with_versions": bool(versions)}


def _version_values(entry: VersionRow | None) -> tuple[Any, ...]:
    if entry is None:
        return (None,) * 5
    jvm = entry.jvm
    if jvm is None:
        return (entry.tomcat, None, None, None, None)
    return (entry.tomcat, jvm.version, jvm.vendor, jvm.vm, jvm.bits)


def _most_common(values: list[Any]) -> Any:
    present = Counter(str(v) for v in values if v is not None)
    if len(present) < 2:
        return next((v for v in values if v is not None), None)
    top = present.most_common(1)[0][0]
    return next(v for v in values if str(v) == top)


def _multicast(view: MulticastView | None) -> dict[str, Any] | None:
    """Who hears whom: listeners down, senders across; each cell as CC501 judged the pair."""
    if view is None:
        return None
    members = list(view.members)
    rows = []
    for listener in members:
        heard_from = view.matrix.get(listener, {})
        row = []
        for sender in members:
            pair = heard_from.get(sender)
            if sender == listener:
                row.append(("self", LOOK[Status.SKIP], ""))
            elif pair is None:
                row.append(("no data", LOOK[Status.SKIP], "not captured"))
            else:
                word = "hears" if pair.heard else "NOT heard"
                row.append((word, LOOK[pair.status], pair.diagnosis))
        heard = sum(1 for word, _, _ in row if word == "hears")
        says = view.log_says(listener)
        rows.append({"listener": listener, "cells": row, "heard": heard, "log": says})
    logs = any(row["log"] is not None for row in rows)
    return {"members": members, "rows": rows, "peers": max(len(members) - 1, 0), "logs": logs}


def _static(view: StaticMembershipView | None) -> dict[str, Any] | None:
    """Who lists whom and who talks: listers down, peers across; each cell as CC506 judged it."""
    if view is None:
        return None
    rows = []
    for lister in view.members:
        row = []
        for peer in view.members:
            pair = view.matrix.get(lister, {}).get(peer)
            if pair is None:
                row.append(("self" if peer == lister else "no data", LOOK[Status.SKIP], ""))
            else:
                row.append((view.words(pair), LOOK[pair.status], pair.talk.seen))
        rows.append({"lister": lister, "cells": row})
    return {"members": list(view.members), "rows": rows}


def _clocks(report: Report) -> dict[str, Any] | None:
    """The clock offsets as a chart (reports/clock_chart.py) and the thresholds it shows."""
    view = report.views.clocks
    if view is None:
        return None
    ntp = report.facts.settings.ntp
    return {
        "reference": view.reference,
        "rows": view.nodes,
        "chart": clock_chart.chart(view.nodes, ntp.warn_ms, ntp.fail_ms),
        "warn_ms": ntp.warn_ms,
        "fail_ms": ntp.fail_ms,
    }


def _trend(
    history: Mapping[str, Sequence[tuple[str, float]]], warn_ms: float
) -> dict[str, Any] | None:
    """Each node's offset over the last runs as a sparkline, on one scale for every node (at
    least ±warn), so a drifting node stands out against the steady ones."""
    if not any(history.values()):
        return None
    scale = max([warn_ms] + [abs(v) for points in history.values() for _, v in points])
    mid = SPARK_HEIGHT / 2
    rows = []
    for node, points in history.items():
        if not points:
            continue
        step = (SPARK_WIDTH - 8) / max(len(points) - 1, 1)
        xy = [
            (round(4 + i * step, 1), round(mid - v / scale * (mid - 3), 1))
            for i, (_, v) in enumerate(points)
        ]
        rows.append(
            {
                "node": node,
                "polyline": " ".join(f"{px},{py}" for px, py in xy),
                "last": xy[-1],
                "offsets": ", ".join(milliseconds(v, signed=True) for _, v in points),
                "runs": len(points),
                "first": points[0][0],
            }
        )
    warn_offset = round(warn_ms / scale * (mid - 3), 1)
    return {
        "rows": rows,
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
        "mid": mid,
        "warn_top": mid - warn_offset,
        "warn_height": 2 * warn_offset,
    }


FORMAT = Format(
    "html",
    "one self-contained HTML file (inline CSS and SVG, no script, nothing from the network)",
    render,
    to_stdout=False,
)
