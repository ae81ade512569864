"""Waivers: which results they match, when they expire, what they say when they do not apply,
and which are refused before a run."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from clustercheck.engine.registry import load_checks
from clustercheck.engine.results import Result, Status
from clustercheck.engine.waivers import apply_waivers, refused
from clustercheck.inventory.settings import Waiver

TODAY = date(2026, 11, 24)
CATALOGUE = load_checks()

RESULTS = {
    "cluster-wide fail": Result("CC702", "app-parity", Status.FAIL, None, "apps differ"),
    "tomcat02 fail": Result("CC701", "distributable", Status.FAIL, "tomcat02", "shop.war"),
    "tomcat03 warn": Result("CC701", "distributable", Status.WARN, "tomcat03", "admin.war"),
    "web1 pass": Result("CC701", "distributable", Status.PASS, "web1", "fine"),
    "tomcat04 skip": Result("CC401", "clock-skew", Status.SKIP, "tomcat04", "node unreachable"),
    "tomcat04 error": Result("CC001", "node-reachable", Status.ERROR, "tomcat04", "refused"),
    "web1 deprecated": Result("CC6035", "jk-deprecated", Status.WARN, "web1", "cachesize"),
    "web1 mount": Result("CC6033", "jk-mount-target", Status.FAIL, "web1", "JkMount /a b"),
}


def waiver(
    code: str, node: str | None = None, expires: str | None = "2026-12-31", reason: str = "accepted"
) -> Waiver:
    return Waiver(code, node, reason, date.fromisoformat(expires) if expires else None)


CASES = [
    # (id, waivers, results waived, notices)
    ("code and node", [waiver("CC701", "tomcat02")], ["tomcat02 fail"], []),
    (
        "no node: every finding of the check",
        [waiver("CC701")],
        ["tomcat02 fail", "tomcat03 warn"],
        [],
    ),
    ("no node: cluster-wide results too", [waiver("CC702")], ["cluster-wide fail"], []),
    (
        "a node never matches a cluster-wide result",
        [waiver("CC702", "tomcat03")],
        [],
        ["waiver for CC702 on tomcat03 matched no warn, fail or error result"],
    ),
    ("by check name", [waiver("distributable", "tomcat03")], ["tomcat03 warn"], []),
    ("an error can be waived", [waiver("CC001", "tomcat04")], ["tomcat04 error"], []),
    (
        "a skip is not a finding",
        [waiver("CC401", "tomcat04")],
        [],
        ["waiver for CC401 on tomcat04 matched no warn, fail or error result"],
    ),
    (
        "a pass is not a finding",
        [waiver("CC701", "web1")],
        [],
        ["waiver for CC701 on web1 matched no warn, fail or error result"],
    ),
    (
        "a family's code: every member, as before the split",
        [waiver("CC603", "web1")],
        ["web1 deprecated", "web1 mount"],
        [],
    ),
    ("a family's name", [waiver("jk-config")], ["web1 deprecated", "web1 mount"], []),
    ("a member's code: that member only", [waiver("CC6035")], ["web1 deprecated"], []),
    ("a member's name", [waiver("jk-mount-target")], ["web1 mount"], []),
    (
        "a code prefix: every check it starts",
        [waiver("CC7")],
        ["cluster-wide fail", "tomcat02 fail", "tomcat03 warn"],
        [],
    ),
    (
        "applies through its expiry date",
        [waiver("CC701", "tomcat02", expires="2026-11-24")],
        ["tomcat02 fail"],
        [],
    ),
    (
        "expired the day before",
        [waiver("CC702", "tomcat03", expires="2026-11-23")],
        [],
        ["waiver for CC702 on tomcat03 expired on 2026-11-23"],
    ),
    (
        "expired, without node",
        [waiver("CC701", expires="2026-01-31")],
        [],
        ["waiver for CC701 expired on 2026-01-31"],
    ),
    ("no expiry date", [waiver("CC701", "tomcat02", expires=None)], ["tomcat02 fail"], []),
    (
        "two waivers for one finding: both are in use",
        [waiver("CC701", "tomcat02"), waiver("CC701")],
        ["tomcat02 fail", "tomcat03 warn"],
        [],
    ),
]


@pytest.mark.parametrize(
    ("waivers", "waived", "notices"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_matching_and_expiry(waivers: list[Waiver], waived: list[str], notices: list[str]) -> None:
    results, got_notices = apply_waivers(list(RESULTS.values()), waivers, TODAY, CATALOGUE)
    assert [key for key, r in zip(RESULTS, results, strict=True) if r.waived] == waived
    assert got_notices == notices


@pytest.mark.parametrize(
    ("expires", "note"),
    [
        ("2026-12-31", "app runs on one node on purpose (until 2026-12-31)"),
        (None, "app runs on one node on purpose"),
    ],
)
def test_the_waived_note_says_why_and_until_when(expires: str | None, note: str) -> None:
    results, _ = apply_waivers(
        [RESULTS["cluster-wide fail"]],
        [waiver("CC702", expires=expires, reason="app runs on one node on purpose")],
        TODAY,
        CATALOGUE,
    )
    assert results[0].waived == note


def test_the_first_matching_waiver_gives_the_reason() -> None:
    results, _ = apply_waivers(
        [RESULTS["tomcat02 fail"]],
        [waiver("CC701", "tomcat02", reason="first"), waiver("CC701", reason="second")],
        TODAY,
        CATALOGUE,
    )
    assert results[0].waived == "first (until 2026-12-31)"


def test_results_keep_their_order_and_the_input_is_untouched() -> None:
    original = list(RESULTS.values())
    results, _ = apply_waivers(original, [waiver("CC701")], TODAY, CATALOGUE)
    assert [(r.code, r.node, r.status, r.message) for r in results] == [
        (r.code, r.node, r.status, r.message) for r in original
    ]
    assert all(r.waived is None for r in original)


def test_no_waivers_changes_nothing() -> None:
    results, notices = apply_waivers(list(RESULTS.values()), [], TODAY, CATALOGUE)
    assert results == list(RESULTS.values()) and notices == []


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        (
            "CC999",
            "no check named 'CC999' and no code starts with CC999 (see `clustercheck checks`)",
        ),
        ("CC6O3", "no check named 'CC6O3' (did you mean CC603 jk-config?)"),
        ("jvmroute-uniq", "no check named 'jvmroute-uniq' (did you mean CC201 jvmroute-unique?)"),
        ("CC701", None),
        ("jk-config", None),
        ("CC7", None),
    ],
)
def test_a_waiver_naming_no_installed_check_is_refused_where_it_is_written(
    code: str, problem: str | None
) -> None:
    written = replace(waiver(code), where="inventory.yaml:9: waivers[2].code")
    expected = [f"inventory.yaml:9: waivers[2].code: {problem}"] if problem else []
    assert refused([written], CATALOGUE) == expected
