"""The run's scope (report/scope.py) in every machine format: a whole run and a partial one
(--limit, --checks) read differently, and a hostile node name in the scope stays inert."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import pytest
from exposition import parse
from sample import rendered, sample_report

from clustercheck.engine.results import Status
from clustercheck.inventory.settings import NodeSettings
from clustercheck.report.model import Report
from clustercheck.report.scope import RunScope
from clustercheck.reports import json_report, junit, nagios, prometheus

NODES = ("web1", "tomcat02", "tomcat03", "tomcat04")
WHOLE = RunScope(inventory_nodes=NODES, nodes=NODES)
PARTIAL = RunScope(inventory_nodes=NODES, nodes=("tomcat02",), limit=("tomcat02",), checks=("CC2",))
HOSTILE = "evil|\nnode\x1b"  # a name from a snapshot: a newline, a '|', an escape
HOSTILE_SCOPE = RunScope(inventory_nodes=(*NODES, HOSTILE), nodes=NODES, limit=("tomcat",))


def scoped(scope: RunScope) -> Report:
    return replace(sample_report(), scope=scope)


def json_scope(report: Report) -> dict[str, Any]:
    data = json.loads(rendered(json_report, report, fail_on=Status.WARN, exit_code=1))
    return {key: data[key] for key in ("verdict", "fail_on", "exit_code", "scope")}


def junit_properties(report: Report) -> dict[str, str]:
    root = ET.fromstring(rendered(junit, report, fail_on=Status.WARN, exit_code=1))
    suite = next(s for s in root if s.get("name") == junit.RUN_SUITE)
    assert suite.get("tests") == "0" and not suite.findall("testcase")
    return {p.get("name", ""): p.get("value", "") for p in suite.iter("property")}


def nagios_status(report: Report) -> str:
    return rendered(nagios, report).splitlines()[0]


def prometheus_scope(report: Report) -> dict[str, Any]:
    families = parse(rendered(prometheus, report))
    return {
        name: {dict(labels).get("node"): value for labels, value in families[name].items()}
        for name in (
            "clustercheck_scope_partial",
            "clustercheck_nodes_judged",
            "clustercheck_nodes_left_out",
            "clustercheck_node_left_out",
        )
        if name in families
    }


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (
            WHOLE,
            {
                "verdict": "error",
                "fail_on": "warn",
                "exit_code": 1,
                "scope": {
                    "whole": True,
                    "nodes": list(NODES),
                    "left_out": [],
                    "limit": [],
                    "checks": [],
                    "skip": [],
                    "offline": [],
                    "snapshot": None,
                },
            },
        ),
        (
            PARTIAL,
            {
                "verdict": "error",
                "fail_on": "warn",
                "exit_code": 1,
                "scope": {
                    "whole": False,
                    "nodes": ["tomcat02"],
                    "left_out": ["web1", "tomcat03", "tomcat04"],
                    "limit": ["tomcat02"],
                    "checks": ["CC2"],
                    "skip": [],
                    "offline": [],
                    "snapshot": None,
                },
            },
        ),
    ],
)
def test_json(scope: RunScope, expected: dict[str, Any]) -> None:
    assert json_scope(scoped(scope)) == expected


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (
            WHOLE,
            {
                "scope": "scope: the whole cluster, every check, live",
                "scope.whole": "true",
                "scope.nodes": ",".join(NODES),
                "scope.left_out": "",
                "scope.limit": "",
            },
        ),
        (
            PARTIAL,
            {
                "scope": "scope: --limit tomcat02: 1 of 4 nodes (left out: web1, tomcat03, "
                "tomcat04); --checks CC2",
                "scope.whole": "false",
                "scope.nodes": "tomcat02",
                "scope.left_out": "web1,tomcat03,tomcat04",
                "scope.limit": "tomcat02",
                "scope.checks": "CC2",
            },
        ),
        (HOSTILE_SCOPE, {"scope.left_out": "evil|\nnode\\x1b"}),  # XML 1.0 with no raw ESC
    ],
)
def test_junit(scope: RunScope, expected: dict[str, str]) -> None:
    properties = junit_properties(scoped(scope))
    assert (properties["verdict"], properties["fail_on"], properties["exit_code"]) == (
        "error",
        "warn",
        "1",
    )
    assert expected.items() <= properties.items()


@pytest.mark.parametrize(
    ("scope", "said"),
    [
        (WHOLE, None),
        (
            PARTIAL,
            "; scope: --limit tomcat02: 1 of 4 nodes (left out: web1, tomcat03, tomcat04); "
            "--checks CC2 | ",
        ),
        (HOSTILE_SCOPE, "(left out: evil¦ node\\x1b) | "),  # no second '|', no newline
    ],
)
def test_nagios(scope: RunScope, said: str | None) -> None:
    status = nagios_status(scoped(scope))
    if said is None:
        assert "scope" not in status
    else:
        assert said in status and status.count("|") == 1


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (
            WHOLE,
            {
                "clustercheck_scope_partial": {None: 0},
                "clustercheck_nodes_judged": {None: 4},
                "clustercheck_nodes_left_out": {None: 0},
            },
        ),
        (
            PARTIAL,
            {
                "clustercheck_scope_partial": {None: 1},
                "clustercheck_nodes_judged": {None: 1},
                "clustercheck_nodes_left_out": {None: 3},
                "clustercheck_node_left_out": {"web1": 1, "tomcat03": 1, "tomcat04": 1},
            },
        ),
        (
            HOSTILE_SCOPE,
            {
                "clustercheck_scope_partial": {None: 1},
                "clustercheck_nodes_judged": {None: 4},
                "clustercheck_nodes_left_out": {None: 1},
                "clustercheck_node_left_out": {"evil|\nnode\\x1b": 1},  # read back unescaped
            },
        ),
    ],
)
def test_prometheus(scope: RunScope, expected: dict[str, Any]) -> None:
    assert prometheus_scope(scoped(scope)) == expected


def test_a_report_without_a_scope_takes_it_from_its_facts() -> None:
    report = sample_report()
    assert report.scope.whole and report.scope.nodes == report.scope.inventory_nodes == NODES
    facts = replace(report.facts, left_out=(NodeSettings("web2", "h", ("apache",)),))
    scope = Report(facts, report.checks, report.results).scope
    assert (scope.whole, scope.nodes, scope.left_out) == (False, NODES, ("web2",))


def test_a_long_left_out_list_is_cut_in_the_line_and_whole_in_the_data() -> None:
    names = tuple(f"tomcat{i:02}" for i in range(1, 11))
    scope = RunScope(inventory_nodes=("web1", *names), nodes=("web1",), limit=("web1",))
    assert scope.describe().endswith(
        "(left out: tomcat01, tomcat02, tomcat03, tomcat04, tomcat05 and 5 more)"
    )
    assert scope.as_dict()["left_out"] == list(names)
