"""JUnit XML as Jenkins, GitLab and GitHub test reporters read it: one suite per check, one case
per result. `warn` is a passing case with its message in system-out, unless --fail-on warn. With
an upgrade target, one more suite ("upgrade to Tomcat 10.1.62") holds a case per finding the
upgrade would bring (after it, and during the rolling upgrade), judged by the same rules.

The run itself is a first suite, "clustercheck run", with no case: its properties are the
verdict, --fail-on, the exit code and the scope (what --limit, --checks and --skip left out, and
whether the facts came from files or a snapshot), so a CI page tells a partial run from a whole one.

Every attribute and text goes through escape.xml (ElementTree escapes `<`, `&` and quotes, but
writes C0 controls and lone surrogates as they are: no XML 1.0 parser reads those)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from itertools import groupby

from clustercheck.engine.results import Result, Status
from clustercheck.engine.upgrade import Upgrade
from clustercheck.report import escape
from clustercheck.report.formats import Format, RenderOptions
from clustercheck.report.model import Report
from clustercheck.reports.common import during_title

RUN_SUITE = "clustercheck run"  # the suite of the run's outcome and scope, without cases


def render(report: Report, options: RenderOptions) -> str:
    fail_on = options.fail_on
    root = ET.Element(
        "testsuites",
        name=escape.xml(f"clustercheck {report.cluster}"),
        time=f"{report.facts.duration_s:.3f}",
    )
    _run_suite(root, report, options)
    results = sorted(report.results, key=_by_check)
    for code, group in groupby(results, key=lambda r: r.code):
        cases = list(group)
        suite = _element(root, "testsuite", name=f"{code} {cases[0].name}", tests=str(len(cases)))
        _count(suite, (_case(suite, result, fail_on) for result in cases))
    if report.upgrade is not None:
        _upgrade_suite(root, report.upgrade, fail_on)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _run_suite(root: ET.Element, report: Report, options: RenderOptions) -> None:
    """The run's outcome and scope as the properties of a suite without cases."""
    suite = _element(root, "testsuite", name=RUN_SUITE, tests="0")
    _count(suite, ())
    scope = report.scope
    said = {
        "verdict": report.verdict,
        "fail_on": options.fail_on.value,
        "exit_code": str(options.exit_code),
        "scope": scope.describe(),
        **{f"scope.{key}": _text(value) for key, value in scope.as_dict().items()},
    }
    properties = _element(suite, "properties")
    for name, value in said.items():
        _element(properties, "property", name=name, value=value)


def _text(value: object) -> str:
    """A property's value: a list comma-separated, a flag as true/false, None as empty."""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None else str(value)


def _upgrade_suite(root: ET.Element, upgrade: Upgrade, fail_on: Status) -> None:
    """The upgrade's findings apart from today's suites: one case each, named by its phase."""
    label = upgrade.target.label
    suite = _element(root, "testsuite", name=f"upgrade to {label}", tests=str(len(upgrade.results)))
    after = ("after the upgrade", f"After the upgrade to {label}")
    during = ("during the rolling upgrade", during_title(upgrade))
    phases = [(after, r) for r in sorted(upgrade.after, key=_by_check)]
    phases += [(during, r) for r in sorted(upgrade.during, key=_by_check)]
    _count(suite, (_case(suite, result, fail_on, phase) for phase, result in phases))


def _by_check(result: Result) -> tuple[str, str]:
    """The order of the cases: by check, then node."""
    return result.code, result.node or ""


def _count(suite: ET.Element, outcomes: Iterable[str]) -> None:
    """Set the suite's counters from its cases' outcomes."""
    tally = Counter(outcomes)
    for key in ("failures", "errors", "skipped"):
        suite.set(key, str(tally[key]))


def _case(
    suite: ET.Element, result: Result, fail_on: Status, phase: tuple[str, str] | None = None
) -> str:
    """Add one testcase; return the suite counter it adds to ("passed" for none). An upgrade's
    finding has a `phase`: what its case's name adds, and its body's first line."""
    name = result.node or "cluster"
    classname = f"clustercheck.{result.code}"
    body = _body(result)
    if phase is not None:
        name, classname = f"{name}, {phase[0]}", f"clustercheck.upgrade.{result.code}"
        body = f"{phase[1]}\n{body}"
    case = _element(suite, "testcase", classname=classname, name=name)
    if result.waived:
        _element(case, "system-out", f"waived: {result.waived}\n{body}")
        return "passed"
    if result.status is Status.ERROR:
        _element(case, "error", body, message=result.message, type="error")
        return "errors"
    if result.status is Status.FAIL or (result.status is Status.WARN and fail_on is Status.WARN):
        _element(case, "failure", body, message=result.message, type=result.status.value)
        return "failures"
    if result.status is Status.SKIP:
        _element(case, "skipped", message=result.message)
        return "skipped"
    _element(case, "system-out", body)
    return "passed"


def _element(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """A child element whose attributes and text are made XML 1.0 (escape.xml)."""
    element = ET.SubElement(parent, tag, {key: escape.xml(value) for key, value in attrs.items()})
    if text is not None:
        element.text = escape.xml(text)
    return element


def _body(result: Result) -> str:
    lines = [f"{result.status.value}: {result.message}"]
    if result.file:
        lines.append(f"where: {result.file}" + (f":{result.line}" if result.line else ""))
    if result.status not in (Status.PASS, Status.SKIP):
        lines += [f"why: {result.rationale}", f"fix: {result.remediation}"]
    return "\n".join(lines)


FORMAT = Format("junit", "JUnit XML for CI test reporters: one suite per check", render)
