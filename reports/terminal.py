"""The terminal report: a grid of checks by nodes, then the findings worst first, each with why
and how to fix, then one summary line. Colour is a help, never the only signal: every cell also
carries a word.

Every value from the data goes through escape.terminal, and the console parses no markup and no
emoji codes, so a node named `a[/]b` or holding an escape sequence prints as written.
"""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from clustercheck.engine.results import Result, Status
from clustercheck.report import escape
from clustercheck.report.formats import Format, RenderOptions
from clustercheck.report.model import Report
from clustercheck.report.views import MulticastView
from clustercheck.reports.common import (
    COUNT_ORDER,
    cells,
    counts,
    findings,
    where,
)

STYLE = {
    Status.PASS: ("pass", "green"),
    Status.WARN: ("WARN", "yellow"),
    Status.FAIL: ("FAIL", "bold red"),
    Status.ERROR: ("ERROR", "bold magenta"),
    Status.SKIP: ("skip", "dim"),
}
CLUSTER_COLUMN = "cluster"


def badge(status: Status) -> Text:
    word, style = STYLE[status]
    return Text(word, style=style)


def summary_line(report: Report, exit_code: int) -> Text:
    tally = counts(report)
    verdict = "NOTHING JUDGED" if report.nothing_judged else report.worst().value.upper()
    parts = [f"{tally[s.value]} {s.value}" for s in COUNT_ORDER if tally[s.value]]
    if tally["waived"]:
        parts.append(f"{tally['waived']} waived")
    style = "bold magenta" if report.nothing_judged else STYLE[report.worst()][1]
    text = Text(f"{escape.terminal(report.cluster)}: ", style="bold")
    text.append(verdict, style=style)
    text.append(
        f" — {', '.join(parts) or 'no results'} in {report.facts.duration_s:.2f} s"
        f" (exit {exit_code})"
    )
    return text


def grid(report: Report) -> Table:
    """Checks down, nodes across: what each check says of each node (a waived finding shows as
    the pass it counts as, with a mark)."""
    nodes: list[str | None] = list(report.facts.nodes)
    cell_map = cells(report)
    if any(node is None for _code, node in cell_map):
        nodes.append(None)
    table = Table(
        title=f"{escape.terminal(report.cluster)}: checks by node",
        title_justify="left",
        header_style="bold",
    )
    table.add_column("check", no_wrap=True, overflow="ellipsis", max_width=26)
    for node in nodes:
        label = escape.terminal(node) if node else CLUSTER_COLUMN
        table.add_column(label, justify="center", no_wrap=True, min_width=len(label))
    for check in report.checks:
        row = [Text(f"{check.code} {check.name}")]
        for node in nodes:
            cell = cell_map.get((check.code, node))
            text = badge(cell.status) if cell else Text("")
            if cell and cell.waived:
                text.append("*", style="dim")
            row.append(text)
        table.add_row(*row)
    return table


def multicast_matrix(view: MulticastView) -> Table:
    """Who hears whom: listeners down, senders across; each cell says heard or why not, coloured
    as CC501 judged the pair."""
    table = Table(
        title="multicast: who hears whom (row hears column)",
        title_justify="left",
        header_style="bold",
    )
    table.add_column("listener", no_wrap=True)
    members = [escape.terminal(m) for m in view.members]
    for member in members:
        table.add_column(member, overflow="fold", min_width=len(member))
    for listener, label in zip(view.members, members, strict=True):
        row = [Text(label)]
        for sender in view.members:
            pair = view.matrix.get(listener, {}).get(sender)
            if listener == sender or pair is None:
                row.append(Text("·", style="dim"))
            else:
                word = "hears" if pair.heard else f"NO: {escape.terminal(pair.diagnosis)}"
                row.append(Text(word, style=STYLE[pair.status][1]))
        table.add_row(*row)
    return table


def nodes_table(report: Report) -> Table | None:
    """Every node's Tomcat, JVM and clock side by side: drift shows at a glance."""
    rows = report.nodes
    if not any(r.tomcat_version or r.jvm or report.views.clock_of(r.name) for r in rows):
        return None
    table = Table(title="nodes", title_justify="left", header_style="bold")
    for column in ("node", "host", "Tomcat", "JVM", "clock offset"):
        table.add_column(column, overflow="fold")
    for row in rows:
        jvm = row.jvm
        clock = report.views.clock_of(row.name)
        offset = (
            f"{clock.offset_ms:+.1f} ± {clock.uncertainty_ms or 0:.1f} ms"
            if clock and clock.offset_ms is not None
            else ""
        )
        table.add_row(
            escape.terminal(row.name),
            escape.terminal(row.host),
            escape.terminal(row.tomcat_version or ""),
            escape.terminal(
                " ".join(
                    str(v)
                    for v in (jvm.version, jvm.vendor, f"{jvm.bits}-bit" if jvm.bits else "")
                    if v
                )
            )
            if jvm
            else "",
            Text(offset, style=STYLE[clock.status][1]) if clock else "",
        )
    return table


def finding_panel(results: list[Result]) -> Panel:
    """One panel per check: each node's finding with where it is, then why and how to fix once."""
    first = results[0]
    body = Text()
    for result in results:
        body.append_text(badge(result.status))
        body.append(f" {escape.terminal(result.node or 'cluster')}: ", style="bold")
        body.append(escape.terminal(result.message) + "\n")
        location = where(result)
        if location:
            body.append(f"    {escape.terminal(location)}\n", style="dim")
        if result.waived:
            body.append(f"    waived: {escape.terminal(result.waived)}\n", style="dim")
    body.append("why  ", style="bold dim").append(first.rationale + "\n")
    body.append("fix  ", style="bold dim").append(first.remediation)
    worst = max((r.status for r in results), key=lambda s: s.rank)
    title = Text.assemble(badge(worst), f" {first.code} {first.name}")
    return Panel(body, title=title, title_align="left", border_style=STYLE[worst][1])


def render(report: Report, options: RenderOptions) -> str:
    """The terminal report as text, with rich's colour codes when options.color names a colour
    system (the CLI asks its console whether the terminal has one)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=options.width,
        color_system=options.color,
        force_terminal=options.color is not None,
        highlight=False,
        markup=False,
        emoji=False,
    )
    print_report(console, report, options.exit_code, quiet=options.quiet)
    return buffer.getvalue()


def print_report(console: Console, report: Report, exit_code: int, *, quiet: bool = False) -> None:
    if quiet:
        console.print(summary_line(report, exit_code))
        return
    console.print(grid(report))
    table = nodes_table(report)
    if table is not None:
        console.print(table)
    if report.views.multicast is not None:
        console.print(multicast_matrix(report.views.multicast))
    shown = findings(report) + findings(report, waived=True)
    if shown:
        by_check: dict[str, list[Result]] = {}
        for result in shown:
            by_check.setdefault(result.code, []).append(result)
        console.print(Text(f"\nFindings ({len(shown)}), worst first", style="bold"))
        console.print(Group(*(finding_panel(group) for group in by_check.values())))
    skips = [r for r in report.sorted_results() if r.status is Status.SKIP]
    if skips:
        reasons: dict[str, list[str]] = {}
        for result in skips:
            reasons.setdefault(escape.terminal(result.message), []).append(
                f"{result.code}" + (f"@{escape.terminal(result.node)}" if result.node else "")
            )
        console.print(Text("\nSkipped", style="bold"))
        for reason, where in reasons.items():
            console.print(Text(f"  {reason}: ", style="dim") + Text(", ".join(where)))
    console.print()
    console.print(summary_line(report, exit_code))


FORMAT = Format("terminal", "the grid, findings with why and fix, and a summary line", render)
