"""The terminal report: a grid of checks by nodes (under its title the scope, when the run judged
less than the whole cluster live), each front end's members with the seam values of both tiers,
then the findings worst first, each with why and how to fix, then (with an upgrade target) what
the upgrade would bring, apart, and one summary line; or, with -q, the short summary (summary.py).
Colour is a help, never the only signal: every cell also carries a word.

Every value from the data goes through escape.terminal, and the console parses no markup and no
emoji codes, so a node named `a[/]b` or holding an escape sequence prints as written.
"""

from __future__ import annotations

import io

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from clustercheck.engine.results import Result, Status
from clustercheck.engine.upgrade import Upgrade
from clustercheck.report import escape
from clustercheck.report.formats import Format, RenderOptions
from clustercheck.report.frontend_view import FrontEndView, MemberView, SeamView
from clustercheck.report.model import Report
from clustercheck.report.views import MulticastView, StaticMembershipView
from clustercheck.reports.common import (
    cells,
    during_title,
    findings,
    findings_of,
    gone_text,
    grid_rows,
    grouped_moves,
    move_text,
    upgrade_headline,
    where,
)
from clustercheck.reports.summary import (
    CLUSTER,
    STYLE,
    badge,
    mail_lines,
    scope_line,
    summary_line,
)
from clustercheck.units import milliseconds

# the grid's check column gets what the node columns leave of the terminal, never less than this;
# a node column is as wide as its name, and at least a cell's widest word ("ERROR" and a waiver's *)
CHECK_MIN_WIDTH, CELL_WIDTH = 26, len("ERROR*")


def grid(report: Report, width: int = 80) -> Table:
    """Checks down, nodes across: what each check says of each node (a waived finding shows as
    the pass it counts as, with a mark). Check names are cut only where the terminal's `width`
    leaves no room for them."""
    nodes: list[str | None] = list(report.facts.nodes)
    cell_map = cells(report, rows=True)
    if any(node is None for _code, node in cell_map):
        nodes.append(None)
    title = Text(f"{escape.terminal(report.cluster)}: checks by node")
    scope = scope_line(report)
    if scope is not None:  # under the title: what the grid below is a verdict on
        title.append("\n").append_text(scope)
    table = Table(title=title, title_justify="left", header_style="bold")
    labels = [escape.terminal(node) if node else CLUSTER for node in nodes]
    table.add_column(
        "check", no_wrap=True, overflow="ellipsis", max_width=_check_width(width, labels)
    )
    for label in labels:
        table.add_column(label, justify="center", no_wrap=True, min_width=cell_len(label))
    for check in grid_rows(report):
        row = [Text(f"{check.code} {check.name}")]
        for node in nodes:
            cell = cell_map.get((check.code, node))
            text = badge(cell.status) if cell else Text("")
            if cell and cell.waived:
                text.append("*", style="dim")
            row.append(text)
        table.add_row(*row)
    return table


def _check_width(width: int, labels: list[str]) -> int:
    """What the node columns leave of `width`: each is its content and three characters (its
    padding and its border), and the table has one border more on the left."""
    nodes = sum(max(cell_len(label), CELL_WIDTH) + 3 for label in labels)
    return max(CHECK_MIN_WIDTH, width - nodes - 4)


def _matrix(title: str, corner: str, names: tuple[str, ...]) -> tuple[Table, list[str]]:
    """A members-by-members table: its title, the row header's name, a column per member;
    returns it and the members' names escaped for the terminal."""
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column(corner, no_wrap=True)
    members = [escape.terminal(m) for m in names]
    for member in members:
        table.add_column(member, overflow="fold", min_width=len(member))
    return table, members


def multicast_matrix(view: MulticastView) -> Table:
    """Who hears whom: listeners down, senders across; each cell says heard or why not, coloured
    as CC501 judged the pair."""
    table, members = _matrix(
        "multicast: who hears whom (row hears column)", "listener", view.members
    )
    logs = view.admitted and any(view.log_says(m) is not None for m in view.members)
    if logs:
        table.add_column("its Tomcat admits (log)", overflow="fold")
    for listener, label in zip(view.members, members, strict=True):
        row = [Text(label)]
        for sender in view.members:
            pair = view.matrix.get(listener, {}).get(sender)
            if listener == sender or pair is None:
                row.append(Text("·", style="dim"))
            else:
                word = "hears" if pair.heard else f"NO: {escape.terminal(pair.diagnosis)}"
                row.append(Text(word, style=STYLE[pair.status][1]))
        if logs:
            says = view.log_says(listener)
            row.append(Text(escape.terminal(says) if says is not None else "not read", "dim"))
        table.add_row(*row)
    return table


def static_matrix(view: StaticMembershipView) -> Table:
    """Who lists whom and who talks: listers down, peers across; each cell says whether the
    row's list names the column at its receiver and whether the two have a Tribes connection,
    coloured as CC506 judged the pair."""
    title = "static membership: who lists whom (row lists column), and who talks"
    table, members = _matrix(title, "lister", view.members)
    for lister, label in zip(view.members, members, strict=True):
        row = [Text(label)]
        for peer in view.members:
            pair = view.matrix.get(lister, {}).get(peer)
            if lister == peer or pair is None:
                row.append(Text("·", style="dim"))
            else:
                words = escape.terminal(view.words(pair))
                row.append(Text(words, style=STYLE[pair.status][1]))
        table.add_row(*row)
    return table


# a front-end table's first column, and the width one member's column gets at least: as many
# members side by side as the console's width allows (3 in 80 columns), the rest in more tables
SEAM_LABEL_WIDTH, MEMBER_WIDTH = 16, 21
SHORT_LABEL = {
    "packet_size": "packet",
    "idle_timeout": "idle",
    "connect_timeout": "connect",
    "pool": "pool/thr",
}
FRONT_END_LEGEND = "front end | Tomcat   * default   ok, WARN, FAIL, ERROR: the row's check says"


def front_end_tables(view: FrontEndView, width: int) -> list[Table]:
    """One front end's members side by side, seam values down: `front end | Tomcat` in each
    cell, in the style and with the word of the verdict of the check that owns the value.
    Members beyond what the width holds go to further tables."""
    title = escape.terminal(f"front end {view.node}: {view.module}, {view.file}")
    members = view.members
    if not members:
        table = Table(title=title, title_justify="left", box=None, show_header=False)
        table.add_column()
        table.add_row(Text("no AJP member in use", style="dim"))
        return [table]
    per_table = max(1, (width - SEAM_LABEL_WIDTH) // MEMBER_WIDTH)
    chunks = [members[i : i + per_table] for i in range(0, len(members), per_table)]
    return [_front_end_table(title if i == 0 else "", chunk) for i, chunk in enumerate(chunks)]


def _front_end_table(title: str, members: tuple[MemberView, ...]) -> Table:
    table = Table(
        title=title or None,
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        caption=FRONT_END_LEGEND,
        caption_justify="left",
        caption_style="dim",
    )
    table.add_column("", no_wrap=True, style="dim")
    for member in members:
        table.add_column(escape.terminal(member.name), overflow="fold")
    table.add_row("balancer", *(escape.terminal(m.balancer or "(direct)") for m in members))
    table.add_row("→ Tomcat", *(_points_at(m) for m in members))
    for index, row in enumerate(members[0].seams):
        label = f"{SHORT_LABEL.get(row.row.key, row.row.label)} {row.row.code}"
        table.add_row(label, *(_seam_cell(m.seams[index]) for m in members))
    return table


def _points_at(member: MemberView) -> Text:
    """The Tomcat node and its connector's server.xml line (the port row says CC101's
    verdict, and why there is none)."""
    if member.tomcat is None:
        return Text("none", style="dim")
    return Text(f"{escape.terminal(member.tomcat)} l.{member.connector_line}")


def _seam_cell(seam: SeamView) -> Text:
    text = Text()
    if seam.summary is not None:
        text.append(escape.terminal(seam.summary))
    else:
        for index, side in enumerate((seam.front, seam.tomcat)):
            if side is None:
                continue
            if index:
                text.append(" | ")
            text.append(escape.terminal(side.short))
            if side.defaulted:
                text.append("*", style="dim")
    return _marked(text, seam)


def _marked(text: Text, seam: SeamView) -> Text:
    """The cell in its verdict's style, with its word; unmarked when no result judged it."""
    status = seam.mark.status
    if status is None:
        return text
    word, style = STYLE[status]
    text.stylize(style)
    text.append(f" {'ok' if status is Status.PASS else word}", style=style)
    if seam.mark.waived:
        text.append("*", style="dim")
    return text


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
            f"{milliseconds(clock.offset_ms, signed=True)} ± "
            f"{milliseconds(clock.uncertainty_ms or 0)}"
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
    print_report(console, report, options)
    return buffer.getvalue()


def print_report(console: Console, report: Report, options: RenderOptions) -> None:
    """The full report, or with options.quiet the short summary a cron mail shows."""
    if options.quiet:
        for line in mail_lines(report, options):
            console.print(line, soft_wrap=True)  # a line each, whatever the width: a mail
        return
    console.print(grid(report, console.width))
    for view in report.views.front_ends:
        for part in front_end_tables(view, console.width):
            console.print(part)
    table = nodes_table(report)
    if table is not None:
        console.print(table)
    if report.views.multicast is not None:
        console.print(multicast_matrix(report.views.multicast))
    if report.views.static_membership is not None:
        console.print(static_matrix(report.views.static_membership))
    print_findings(console, "Findings", findings(report) + findings(report, waived=True))
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
    if report.upgrade is not None:
        print_upgrade(console, report.upgrade)
    console.print()
    console.print(summary_line(report, options.exit_code))


def print_findings(console: Console, title: str, shown: list[Result]) -> None:
    """`shown` under `title` with their count, one panel per check (nothing when empty)."""
    if not shown:
        return
    by_check: dict[str, list[Result]] = {}
    for result in shown:
        by_check.setdefault(result.code, []).append(result)
    console.print(Text(f"\n{title} ({len(shown)}), worst first", style="bold"))
    console.print(Group(*(finding_panel(group) for group in by_check.values())))


def print_upgrade(console: Console, upgrade: Upgrade) -> None:
    """What the upgrade would bring, apart from today's findings: who moves from which release,
    the findings new after it and while it is under way (as today's are shown), and which of
    today's findings it clears."""
    console.print()
    console.rule(Text(escape.terminal(upgrade_headline(upgrade)), style="bold"), align="left")
    for nodes, move in grouped_moves(upgrade):
        console.print(Text(f"  {escape.terminal(move_text(nodes, move))}"))
    for title, results in (
        ("After the upgrade", upgrade.after),
        (escape.terminal(during_title(upgrade)), upgrade.during),
    ):
        print_findings(console, title, findings_of(results) + findings_of(results, waived=True))
    cleared = gone_text(upgrade)
    if cleared:
        console.print(Text(f"\n{escape.terminal(cleared)}", style="dim"))


FORMAT = Format("terminal", "the grid, findings with why and fix, and a summary line", render)
