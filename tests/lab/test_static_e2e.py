"""clustercheck against the static-membership lab (`lab.py up --membership static`): healthy,
every check passes and CC506 judges every list and every pair; with each static fault on, the
checks that own it report it on the right node, and nothing else warns, fails or errors."""

from __future__ import annotations

import pytest
from lab import Lab
from test_clustercheck_e2e import Key, explain, findings, run

pytestmark = pytest.mark.lab

# What the real Tomcat 10.1 does with each (seen in this lab): every session still replicates
# between every pair. Tribes' static membership admits whoever pings it and learns the pinger's
# real address from the ping, so one side's right list is enough: tomcat03 admits tomcat01 at
# tomcat01's first ping (about 2 s after it starts), tomcat01 and tomcat03 reach tomcat02 on
# 4001 through tomcat02's pings, and members with one uniqueId are still told apart by address
# and port. Hence warnings, not failures (a pair that neither list names fails: unit-tested).
STATIC_EXPECTED: dict[str, set[Key]] = {
    "static-asymmetric": {("CC506", "tomcat03", "warn")},
    "static-dup-uniqueid": {("CC506", "tomcat02", "warn"), ("CC506", "tomcat03", "warn")},
    "static-port-mismatch": {("CC506", "tomcat01", "warn"), ("CC506", "tomcat03", "warn")},
}

STATIC_DIAGNOSIS = {
    "static-asymmetric": "does not list tomcat01",
    "static-dup-uniqueid": "is also tomcat",
    "static-port-mismatch": "whose Receiver listens on port 4001, not 4000",
}


def test_the_healthy_static_lab_passes_every_check(
    static_lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    report = run(static_lab, capsys)
    assert findings(report) == set(), explain(report)
    passed = {(r["code"], r["node"]) for r in report["results"] if r["status"] == "pass"}
    assert {("CC506", n) for n in ("tomcat01", "tomcat02", "tomcat03")} <= passed
    assert {n for c, n in passed if c == "CC504"} == {"tomcat01", "tomcat02", "tomcat03"}
    skipped = {r["code"]: r["message"] for r in report["results"] if r["status"] == "skip"}
    assert "no multicast membership" in skipped["CC501"]
    matrix = report["views"]["static_membership"]["matrix"]
    assert all(cell["status"] == "pass" for row in matrix.values() for cell in row.values())
    assert "multicast" not in report["views"]


@pytest.mark.parametrize("fault", sorted(STATIC_EXPECTED))
def test_each_static_fault_is_caught_by_its_checks_and_nothing_else(
    static_lab: Lab, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    with static_lab.fault(fault):
        report = run(static_lab, capsys)
    assert findings(report) == STATIC_EXPECTED[fault], explain(report)
    assert any(STATIC_DIAGNOSIS[fault] in line for line in explain(report)), explain(report)
