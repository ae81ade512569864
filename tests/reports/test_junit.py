"""JUnit XML as CI servers read it: one suite per check, one case per result."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from sample import rendered
from support import REPO

from clustercheck.cli.main import main
from clustercheck.engine.results import Status
from clustercheck.reports import junit

EXAMPLE = REPO / "examples" / "seed-cluster" / "inventory.yaml"


def example_xml(capsys: pytest.CaptureFixture[str], *argv: str) -> ET.Element:
    main(["run", str(EXAMPLE), "--junit", "-", "-q", *argv])
    return ET.fromstring(capsys.readouterr().out)


def test_one_suite_per_check_and_one_case_per_result(capsys: pytest.CaptureFixture[str]) -> None:
    root = example_xml(capsys)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    cc201 = suites["CC201 jvmroute-unique"]
    cases = {c.get("name"): c for c in cc201.iter("testcase")}
    assert set(cases) == {"tomcat01", "tomcat02", "tomcat03"}
    failure = cases["tomcat01"].find("failure")
    assert failure is not None and "also used by tomcat03" in failure.get("message", "")
    assert "fix:" in (failure.text or "") and "why:" in (failure.text or "")
    assert cc201.get("failures") == "2" and cc201.get("tests") == "3"
    assert int(root.get("tests", "0")) == sum(int(s.get("tests", "0")) for s in suites.values())


def test_warn_passes_unless_fail_on_warn(capsys: pytest.CaptureFixture[str]) -> None:
    def cc302(root: ET.Element) -> ET.Element:
        return next(c for c in root.iter("testcase") if c.get("classname") == "clustercheck.CC302")

    assert cc302(example_xml(capsys)).find("failure") is None
    assert cc302(example_xml(capsys, "--fail-on", "warn")).find("failure") is not None


def test_skip_error_and_waived(capsys: pytest.CaptureFixture[str]) -> None:
    from clustercheck.collect.gather import gather
    from clustercheck.engine.registry import load_checks
    from clustercheck.engine.runner import run_checks
    from clustercheck.inventory.loader import load_inventory
    from clustercheck.report.model import Report

    facts = gather(load_inventory(EXAMPLE))
    results = run_checks(load_checks(), facts)
    results[0] = replace(results[0], status=Status.ERROR, message="down")
    results[1] = replace(results[1], status=Status.FAIL, waived="accepted (until 2099-01-01)")
    root = ET.fromstring(rendered(junit, Report(facts, load_checks(), results)))
    assert root.find(".//error[@message='down']") is not None
    assert root.find(".//skipped") is not None
    outs = [e.text or "" for e in root.iter("system-out")]
    assert any(o.startswith("waived: accepted") for o in outs)
