"""JUnit XML as Jenkins, GitLab and GitHub test reporters read it: one suite per check, one case
per result. `warn` is a passing case with its message in system-out, unless --fail-on warn."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from itertools import groupby

from clustercheck.engine.results import Result, Status
from clustercheck.report.formats import Format, RenderOptions
from clustercheck.report.model import Report


def render(report: Report, options: RenderOptions) -> str:
    fail_on = options.fail_on
    root = ET.Element(
        "testsuites", name=f"clustercheck {report.cluster}", time=f"{report.facts.duration_s:.3f}"
    )
    results = sorted(report.results, key=lambda r: (r.code, r.node or ""))
    for code, group in groupby(results, key=lambda r: r.code):
        cases = list(group)
        suite = ET.SubElement(
            root, "testsuite", name=f"{code} {cases[0].name}", tests=str(len(cases))
        )
        outcomes = Counter(_case(suite, result, fail_on) for result in cases)
        for key in ("failures", "errors", "skipped"):
            suite.set(key, str(outcomes[key]))
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _case(suite: ET.Element, result: Result, fail_on: Status) -> str:
    """Add one testcase; return the suite counter it adds to ("passed" for none)."""
    case = ET.SubElement(
        suite, "testcase", classname=f"clustercheck.{result.code}", name=result.node or "cluster"
    )
    body = _body(result)
    if result.waived:
        ET.SubElement(case, "system-out").text = f"waived: {result.waived}\n{body}"
        return "passed"
    if result.status is Status.ERROR:
        ET.SubElement(case, "error", message=result.message, type="error").text = body
        return "errors"
    if result.status is Status.FAIL or (result.status is Status.WARN and fail_on is Status.WARN):
        ET.SubElement(case, "failure", message=result.message, type=result.status.value).text = body
        return "failures"
    if result.status is Status.SKIP:
        ET.SubElement(case, "skipped", message=result.message)
        return "skipped"
    ET.SubElement(case, "system-out").text = body
    return "passed"


def _body(result: Result) -> str:
    lines = [f"{result.status.value}: {result.message}"]
    if result.file:
        lines.append(f"where: {result.file}" + (f":{result.line}" if result.line else ""))
    if result.status not in (Status.PASS, Status.SKIP):
        lines += [f"why: {result.rationale}", f"fix: {result.remediation}"]
    return "\n".join(lines)


FORMAT = Format("junit", "JUnit XML for CI test reporters: one suite per check", render)
