"""The terminal report: a grid of checks by nodes, then the findings worst first, each with why
and how to fix, then one summary line. Colour is a help, never the only signal: every cell also
carries a word."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from clustercheck.model import Result, Status
from clustercheck.report import Report

STYLE = {
    Status.PASS: ("pass", "green"),
    Status.WARN: ("WARN", "yellow"),
    Status.FAIL: ("FAIL", "bold red"),
    Status.ERROR: ("ERROR", "bold magenta"),
    Status.SKIP: ("skip", "dim"),
}
CLUSTER_COLUMN = "(cluster)"


def badge(status: Status) -> Text:
    word, style = STYLE[status]
    return Text(word, style=style)


def summary_line(report: Report, exit_code: int) -> Text:
    counts = report.summary
    verdict = "NOTHING JUDGED" if report.nothing_judged else report.worst().value.upper()
    parts = [
        f"{counts[s.value]} {s.value}"
        for s in (Status.ERROR, Status.FAIL, Status.WARN, Status.PASS, Status.SKIP)
        if counts[s.value]
    ]
    waived = sum(1 for r in report.results if r.waived)
    if waived:
        parts.append(f"{waived} waived")
    style = STYLE[report.worst()][1] if not report.nothing_judged else "bold magenta"
    text = Text(f"{report.cluster}: ", style="bold")
    text.append(verdict, style=style)
    text.append(
        f" — {', '.join(parts) or 'no results'} in {report.facts.duration_s:.2f} s"
        f" (exit {exit_code})"
    )
    return text


def grid(report: Report) -> Table:
    """Checks down, nodes across: the worst status of each check on each node."""
    nodes = list(report.facts.nodes)
    has_cluster = any(r.node is None for r in report.results)
    columns = nodes + ([CLUSTER_COLUMN] if has_cluster else [])
    table = Table(
        title=f"{report.cluster}: checks by node",
        title_justify="left",
        show_lines=False,
        header_style="bold",
    )
    table.add_column("check", overflow="fold")
    for column in columns:
        table.add_column(column, justify="center", no_wrap=True, min_width=len(column))
    worst: dict[tuple[str, str], Status] = {}
    for result in report.results:
        key = (result.code, result.node or CLUSTER_COLUMN)
        if key not in worst or result.status.rank > worst[key].rank:
            worst[key] = result.status
    for check in report.checks:
        row = [Text(f"{check.code} {check.name}")]
        row += [
            badge(worst[(check.code, c)]) if (check.code, c) in worst else Text("") for c in columns
        ]
        table.add_row(*row)
    return table


def finding_panel(results: list[Result]) -> Panel:
    """One panel per check: each node's finding with where it is, then why and how to fix once."""
    first = results[0]
    body = Text()
    for result in results:
        body.append_text(badge(result.status))
        body.append(f" {result.node or 'cluster'}: ", style="bold")
        body.append(result.message + "\n")
        if result.file:
            where = f"{result.file}:{result.line}" if result.line else result.file
            body.append(f"    {where}\n", style="dim")
        if result.waived:
            body.append(f"    waived: {result.waived}\n", style="dim")
    body.append("why  ", style="bold dim").append(first.rationale + "\n")
    body.append("fix  ", style="bold dim").append(first.remediation)
    worst = max((r.status for r in results), key=lambda s: s.rank)
    title = Text.assemble(badge(worst), f" {first.code} {first.name}")
    return Panel(body, title=title, title_align="left", border_style=STYLE[worst][1])


def render(report: Report, console: Console, exit_code: int, *, quiet: bool = False) -> None:
    if quiet:
        console.print(summary_line(report, exit_code))
        return
    console.print(grid(report))
    findings = [
        r for r in report.sorted_results() if r.status in (Status.ERROR, Status.FAIL, Status.WARN)
    ]
    if findings:
        by_check: dict[str, list[Result]] = {}
        for result in findings:
            by_check.setdefault(result.code, []).append(result)
        console.print(Text(f"\nFindings ({len(findings)}), worst first", style="bold"))
        console.print(Group(*(finding_panel(group) for group in by_check.values())))
    skips = [r for r in report.sorted_results() if r.status is Status.SKIP]
    if skips:
        reasons: dict[str, list[str]] = {}
        for result in skips:
            reasons.setdefault(result.message, []).append(
                f"{result.code}" + (f"@{result.node}" if result.node else "")
            )
        console.print(Text("\nSkipped", style="bold"))
        for reason, where in reasons.items():
            console.print(Text(f"  {reason}: ", style="dim") + Text(", ".join(where)))
    console.print()
    console.print(summary_line(report, exit_code))
