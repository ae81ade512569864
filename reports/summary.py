"""The short summary (`run -q`, and the `summary` format): what a cron mail must say, modelled on
pytest's short summary and a Nagios plugin's output. A verdict line (cluster, verdict, counts,
exit code, and what an upgrade target brings), the scope when the run judged less than the
whole cluster live, one line per check at or above --fail-on (its nodes, the first finding's
file:line and message), one line for the findings below it, and where the full reports are.

The lines are rich Text, so the terminal colours them as it colours the full report; every
value from the data goes through escape.terminal.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from clustercheck.engine.results import Result, Status, some_of
from clustercheck.report import escape
from clustercheck.report.formats import Format, RenderOptions
from clustercheck.report.model import Report
from clustercheck.reports.common import COUNT_ORDER, counts, findings, upgrade_headline, where

STYLE = {
    Status.PASS: ("pass", "green"),
    Status.WARN: ("WARN", "yellow"),
    Status.FAIL: ("FAIL", "bold red"),
    Status.ERROR: ("ERROR", "bold magenta"),
    Status.SKIP: ("skip", "dim"),
}
CLUSTER = "cluster"  # what a cluster-wide result is named by, where nodes are named
MESSAGE_WIDTH = 80  # a finding's message is cut here: the full report has it whole
FORMAT_NAME = "summary"
HISTORY = "history"  # RenderOptions.written's name for the run history the run was added to


def badge(status: Status) -> Text:
    word, style = STYLE[status]
    return Text(word, style=style)


def summary_line(report: Report, exit_code: int) -> Text:
    """The verdict: cluster, verdict word, counts, duration, exit code, and with an upgrade
    target what the upgrade would bring."""
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
    if report.upgrade is not None:
        text.append(f"; {escape.terminal(upgrade_headline(report.upgrade, 'upgrading to'))}")
    return text


def scope_line(report: Report) -> Text | None:
    """What the run judged, when that is not the whole cluster live (--limit, --checks, --skip,
    files only, a snapshot): a verdict on part of a cluster must not read as the cluster's."""
    if not report.scope.parts():
        return None
    return Text(escape.terminal(report.scope.describe()), style="bold yellow")


def mail_lines(report: Report, options: RenderOptions) -> list[Text]:
    """The whole short summary, line by line."""
    lines = [summary_line(report, options.exit_code)]
    scope = scope_line(report)
    if scope is not None:
        lines.append(scope)
    by_check: dict[str, list[Result]] = {}
    for result in findings(report):  # counted ones, worst first: a check's first is its worst
        by_check.setdefault(result.code, []).append(result)
    below: dict[Status, list[str]] = {}
    for results in by_check.values():
        worst = results[0].status
        if worst.rank >= options.fail_on.rank:
            lines.append(_check_line(results))
        else:
            below.setdefault(worst, []).append(f"{results[0].code} ({_nodes(results)})")
    for status, checks in below.items():
        lines.append(Text(f"also {STYLE[status][0]}: {escape.terminal(', '.join(checks))}"))
    lines.extend(Text(escape.terminal(line), style="dim") for line in _places(options))
    return lines


def _check_line(results: list[Result]) -> Text:
    """`FAIL CC103 ajp-exposure (tomcat01, tomcat02, tomcat03): server.xml:19: AJP port…`."""
    first = results[0]
    text = badge(first.status)
    text.append(escape.terminal(f" {first.code} {first.name} ({_nodes(results)}): "))
    location = where(first)
    if location:
        text.append(f"{escape.terminal(location)}: ", style="dim")
    return text.append(escape.terminal(_shortened(first.message)))


def _nodes(results: list[Result]) -> str:
    """The nodes the results are about, in their order, "cluster" for a cluster-wide one; the
    first few named and the rest counted."""
    return some_of(list(dict.fromkeys(r.node or CLUSTER for r in results)))


def _shortened(message: str) -> str:
    """The message's first line, cut after a word within MESSAGE_WIDTH characters; "…" says
    that the full report has more."""
    line, *more = message.splitlines() or [""]
    if len(line) <= MESSAGE_WIDTH:
        return line + ("…" if more else "")
    cut = line[: MESSAGE_WIDTH - 1]
    words = cut.rsplit(" ", 1)[0]
    return (words if len(words) > MESSAGE_WIDTH // 2 else cut).rstrip(" ,;:") + "…"


def _places(options: RenderOptions) -> list[str]:
    """Where the full reports of this run are: the HTML report first, then the others as they
    were asked for (the history last of them), then the estate page."""
    others = [item for item in options.written if item[0] != FORMAT_NAME]  # not this one's own
    written = sorted(others, key=lambda item: item[0] != "html")
    lines = [f"{_label(name)}: {target}" for name, target in written]
    if options.estate_url:
        lines.append(f"estate: {options.estate_url}")
    return lines


def _label(name: str) -> str:
    return name if name == HISTORY else f"{name} report"


def render(report: Report, options: RenderOptions) -> str:
    """The short summary as plain text (a mail, a file): no colour, whatever the options say."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=options.width, color_system=None, highlight=False, markup=False
    )
    for line in mail_lines(report, options):
        console.print(line, soft_wrap=True)
    return buffer.getvalue()


FORMAT = Format(
    FORMAT_NAME,
    "the verdict, one line per check at or above --fail-on, and where the full reports are "
    "(what -q prints: a cron mail)",
    render,
)
