"""Nagios/Icinga plugin output: one status line with performance data, then the worst findings
as long output, and the plugin exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).

`error` (could not judge) is CRITICAL like `fail`: an unreachable node must page someone. A run
that judged nothing is UNKNOWN, never OK (no silent pass). Waived findings do not raise the
state; they are counted in the text and the performance data. With an upgrade target the
findings the upgrade would bring raise the state as today's do (Report.worst), the text adds
their counts ("upgrade to Tomcat 10.1.62: 17 fail, 8 warn"), the performance data `upgrade_*`,
and the long output lists them after today's. A run on part of the cluster or of the
catalogue (--limit, --checks, --skip) says its scope in the status text ("...; scope: --limit
tomcat01: 1 of 4 nodes (left out: web1, tomcat02, tomcat03)"): an OK on one node is not the
cluster's. Every line goes through
escape.nagios: no newline or '|' from data can start a line or performance data of its own.
"""

from __future__ import annotations

from clustercheck.engine.results import Result, Status
from clustercheck.report import escape
from clustercheck.report.formats import Format, RenderOptions
from clustercheck.report.model import Report
from clustercheck.reports.common import (
    UPGRADE_ORDER,
    counts,
    findings,
    findings_of,
    upgrade_headline,
    where,
)

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
STATE = {OK: "OK", WARNING: "WARNING", CRITICAL: "CRITICAL", UNKNOWN: "UNKNOWN"}
LONG_OUTPUT_LINES = 20

# (count key, singular, plural) in the order the status line lists them
PHRASES = (
    ("fail", "failed", "failed"),
    ("error", "error", "errors"),
    ("warn", "warning", "warnings"),
    ("pass", "passed", "passed"),
    ("skip", "skipped", "skipped"),
    ("waived", "waived", "waived"),
)
PERFDATA_KEYS = ("pass", "warn", "fail", "error", "skip", "waived")


def render(report: Report, options: RenderOptions) -> str:
    """The plugin output: status line, then long output; its exit code is plugin_code()."""
    code = plugin_code(report)
    tally = counts(report)
    text = ", ".join(
        f"{tally[key]} {one if tally[key] == 1 else many}"
        for key, one, many in PHRASES
        if tally[key]
    )
    if code == UNKNOWN:
        text = "nothing judged: " + ("every result was skipped" if report.results else "no results")
    perfdata = " ".join(f"{key}={tally[key]}" for key in PERFDATA_KEYS)
    upgrade = report.upgrade
    if upgrade is not None:
        text += f"; {upgrade_headline(upgrade, 'upgrade to')}"
        summary = upgrade.summary()
        perfdata += "".join(f" upgrade_{s.value}={summary[s.value]}" for s in UPGRADE_ORDER)
    if not report.scope.whole:
        text += f"; {report.scope.describe()}"
    perfdata += f" duration={report.facts.duration_s:.1f}s"
    lines = [f"CLUSTERCHECK {STATE[code]} - {escape.nagios(text)} | {perfdata}"]
    worst = [_finding_line(r) for r in findings(report)]
    if upgrade is not None:
        worst += [_finding_line(r, "after the upgrade: ") for r in findings_of(upgrade.after)]
        worst += [_finding_line(r, "during the upgrade: ") for r in findings_of(upgrade.during)]
    lines += worst[:LONG_OUTPUT_LINES]
    if len(worst) > LONG_OUTPUT_LINES:
        lines.append(f"... and {len(worst) - LONG_OUTPUT_LINES} more")
    return "\n".join(lines) + "\n"


def plugin_code(report: Report) -> int:
    if report.nothing_judged:
        return UNKNOWN
    worst = report.worst()
    if worst in (Status.FAIL, Status.ERROR):
        return CRITICAL
    return WARNING if worst is Status.WARN else OK


def _finding_line(result: Result, phase: str = "") -> str:
    """One finding of the long output; `phase` says when an upgrade's finding would be one."""
    place = f" ({where(result)})" if where(result) else ""
    scope = f"on {result.node}" if result.node else "cluster-wide"
    return escape.nagios(
        f"{phase}{result.status.value.upper()} {result.code} {result.name} {scope}: "
        f"{result.message}{place}"
    )


FORMAT = Format("nagios", "one Nagios/Icinga status line with performance data", render)
