"""The Nagios plugin output: one status line with performance data, the worst findings after it,
and the plugin code."""

from __future__ import annotations

import pytest
from sample import make_report, rendered, result, sample_report

from clustercheck.engine.results import Result, Status
from clustercheck.reports import nagios


@pytest.mark.parametrize(
    ("statuses", "code", "state"),
    [
        ([Status.PASS, Status.PASS], 0, "OK"),
        ([Status.PASS, Status.SKIP], 0, "OK"),
        ([Status.PASS, Status.WARN], 1, "WARNING"),
        ([Status.WARN, Status.FAIL], 2, "CRITICAL"),
        ([Status.PASS, Status.ERROR], 2, "CRITICAL"),
        ([Status.SKIP, Status.SKIP], 3, "UNKNOWN"),
        ([], 3, "UNKNOWN"),
    ],
)
def test_plugin_code(statuses: list[Status], code: int, state: str) -> None:
    report = make_report([result("CC401", s, f"n{i}") for i, s in enumerate(statuses)])
    output, got = rendered(nagios, report), nagios.plugin_code(report)
    assert got == code
    assert output.startswith(f"CLUSTERCHECK {state} - ")


def test_the_sample_report() -> None:
    report = sample_report()
    output, code = rendered(nagios, report), nagios.plugin_code(report)
    assert code == 2
    lines = output.splitlines()
    assert lines[0] == (
        "CLUSTERCHECK CRITICAL - 3 failed, 1 error, 2 warnings, 8 passed, 2 skipped, 1 waived"
        " | pass=8 warn=2 fail=3 error=1 skip=2 waived=1 duration=0.8s"
    )
    assert lines[1:] == [
        "ERROR CC001 node-reachable on tomcat04: cannot connect: connection refused",
        "FAIL CC201 jvmroute-unique cluster-wide: tomcat02 and tomcat03 share jvmRoute"
        ' "<script>alert(1)</script>" (/opt/tomcat/conf/server.xml:112)',
        "FAIL CC501 multicast-membership cluster-wide: tomcat03 hears no heartbeat from web1 or"
        " tomcat02",
        "FAIL CC701 distributable on tomcat02: shop.war does not declare <distributable/>"
        " (/opt/tomcat/webapps/shop.war!/WEB-INF/web.xml:3)",
        "WARN CC301 jdk-parity cluster-wide: tomcat03 runs JDK 17.0.9, the others 17.0.12",
        "WARN CC401 clock-skew on tomcat02: offset +142.0 ms is beyond 100 ms",
    ]


def test_singular_and_plural() -> None:
    output = rendered(
        nagios,
        make_report(
            [
                result("CC401", Status.ERROR, "a"),
                result("CC401", Status.ERROR, "b"),
                result("CC401", Status.WARN, "c"),
            ]
        ),
    )
    assert output.startswith("CLUSTERCHECK CRITICAL - 2 errors, 1 warning | ")


@pytest.mark.parametrize(
    ("results", "text"),
    [
        (
            [result("CC401", Status.SKIP, "a", "offline")],
            "nothing judged: every result was skipped",
        ),
        ([], "nothing judged: no results"),
    ],
)
def test_nothing_judged_is_unknown_never_ok(results: list[Result], text: str) -> None:
    report = make_report(results)
    output, code = rendered(nagios, report), nagios.plugin_code(report)
    assert code == 3
    assert output.splitlines()[0].startswith(f"CLUSTERCHECK UNKNOWN - {text} | ")


def test_a_waived_finding_does_not_raise_the_state() -> None:
    report = make_report(
        [
            result("CC702", Status.FAIL, "tomcat03", waived="on purpose"),
            result("CC701", Status.PASS, "tomcat03"),
        ]
    )
    output, code = rendered(nagios, report), nagios.plugin_code(report)
    assert code == 0
    assert output.startswith("CLUSTERCHECK OK - 1 passed, 1 waived | pass=1 warn=0 fail=0 ")
    assert len(output.splitlines()) == 1  # waived findings are not listed as problems


def test_pipes_and_newlines_cannot_break_the_output() -> None:
    report = make_report([result("CC201", Status.FAIL, "web1", "a | b\nsecond line")])
    output = rendered(nagios, report)
    first, finding = output.splitlines()
    assert first.count("|") == 1
    assert finding == "FAIL CC201 jvmroute-unique on web1: a ¦ b second line"


def test_long_output_is_bounded() -> None:
    report = make_report([result("CC701", Status.FAIL, f"node{i:02}") for i in range(25)])
    lines = rendered(nagios, report).splitlines()
    assert len(lines) == 1 + nagios.LONG_OUTPUT_LINES + 1
    assert lines[-1] == "... and 5 more"
