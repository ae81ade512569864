"""The upgrade section of every format (--target-*): the seed cluster (Tomcat 6.0.29/6.0.35)
judged for Tomcat 10.1 through the command line, each format showing the upgrade apart from
today's findings, with its counts and moves; a hostile finding shown escaped in each medium;
and, without a target, no trace of it."""

from __future__ import annotations

import contextlib
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from typing import Any

import pytest
from exposition import parse
from sample import make_report, make_upgrade, rendered, result
from support import REPO

from clustercheck.cli.main import main
from clustercheck.engine.results import Status
from clustercheck.engine.upgrade import Move, Target, Upgrade
from clustercheck.report import model
from clustercheck.report.formats import RenderOptions, load_formats
from clustercheck.report.model import Report
from clustercheck.reports import html, junit, nagios, terminal

EXAMPLE = REPO / "examples" / "seed-cluster" / "inventory.yaml"
HEADLINE = "Upgrading to Tomcat 10.1.62: 17 fail, 11 warn"  # 15 + 2 fail after and during
FILES = ("html", "junit", "prometheus", "nagios", "json")


@dataclass(frozen=True)
class Run:
    """One `clustercheck run --target-tomcat 10.1` of the seed cluster: its exit code, the
    terminal report it printed, each format's file, and the Report the formats were given."""

    code: int
    printed: str
    files: dict[str, str]
    report: Report


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("upgrade")
    built: list[Report] = []

    def keep(*args: Any) -> Report:
        built.append(original(*args))
        return built[-1]

    original = model.build_report
    argv = ["run", str(EXAMPLE), "--target-tomcat", "10.1"]
    argv += [arg for name in FILES for arg in ("--output", f"{name}={out / name}")]
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.setattr(model, "build_report", keep)
        code = main(argv)
    files = {name: (out / name).read_text(encoding="utf-8") for name in FILES}
    return Run(code, printed.getvalue(), files, built[0])


def test_the_run_judged_the_upgrade(seed: Run) -> None:
    upgrade = seed.report.upgrade
    assert upgrade is not None and seed.code == 1
    assert upgrade.summary() == {"warn": 11, "fail": 17, "error": 0}  # CC704 on 3 nodes
    assert (len(upgrade.after), len(upgrade.during), len(upgrade.gone)) == (26, 2, 4)


def in_order(text: str, *parts: str) -> None:
    """Each part is in `text`, each after the one before."""
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} not after offset {at}"
        at = found + len(part)


def test_terminal_shows_the_upgrade_after_todays_findings(seed: Run) -> None:
    wide = rendered(terminal, seed.report, width=200, exit_code=1)
    in_order(
        wide,
        "Findings (18), worst first",
        HEADLINE,
        "  tomcat01, tomcat02: Tomcat 6.0.29 → 10.1.62\n  tomcat03: Tomcat 6.0.35 → 10.1.62\n",
        "After the upgrade (26), worst first",
        "FAIL CC602 removed-classes",  # a panel, as today's findings are shown
        'FAIL tomcat01: <Listener className="org.apache.catalina.core.JasperListener">',
        "why  ",
        "fix  ",
        "During the rolling upgrade, tomcat02 on Tomcat 10.1.62 and the others as today (2)",
        "FAIL CC303 wire-compatibility",
        "The upgrade would also clear 4 of today's findings: CC103 on tomcat01, tomcat02,"
        " tomcat03; CC302 cluster-wide",
        "seed-howto: FAIL — 9 fail, 9 warn, 48 pass, 35 skip in ",
        "(exit 1); upgrading to Tomcat 10.1.62: 17 fail, 11 warn\n",
    )
    assert HEADLINE in seed.printed  # what the command line printed, at its own width


def test_the_quiet_summary_line_adds_the_upgrade(seed: Run) -> None:
    """-q's verdict line is what a cron mail shows first."""
    line = rendered(terminal, seed.report, width=200, quiet=True, exit_code=1).splitlines()[0]
    assert line.startswith("seed-howto: FAIL — 9 fail, 9 warn, 48 pass, 35 skip in ")
    assert line.endswith(" (exit 1); upgrading to Tomcat 10.1.62: 17 fail, 11 warn")


def test_html_section_after_todays_findings_linked_from_the_top(seed: Run) -> None:
    page = seed.files["html"]
    link = f'<a href="#upgrade">{HEADLINE}</a>: counted in the verdict'
    in_order(page, link, '<a href="#upgrade">Upgrade</a>', 'id="findings"', 'id="upgrade"')
    section = page[page.index('<section id="upgrade">') :]
    section = section[: section.index("</section>")]
    in_order(
        section,
        "<h2>Upgrading to Tomcat 10.1.62: 28 problems</h2>",
        "<tr><th>tomcat01, tomcat02</th><td>Tomcat</td><td>6.0.29</td><td>10.1.62</td></tr>",
        "<tr><th>tomcat03</th><td>Tomcat</td><td>6.0.35</td><td>10.1.62</td></tr>",
        "<h3>After the upgrade (26), worst first</h3>",
        '<strong>CC602 removed-classes</strong>\n      <span class="reach">12 findings: 3 nodes',
        "<tr><th>fix</th>",
        '<p class="msg">&lt;Listener className=&#34;org.apache.catalina.core.JasperListener&#34;',
        "<h3>During the rolling upgrade, tomcat02 on Tomcat 10.1.62 and the others as today (2)",
        "CC303 wire-compatibility",
        "<h3>Today's findings the upgrade would clear (4)</h3>",
    )
    assert section.count('<div class="finding"') == 28
    # grouped by check: why and fix once per check (6 checks), not under each of the 28
    assert section.count('<div class="group"') == 6
    assert section.count("<tr><th>why</th>") == section.count("<tr><th>fix</th>") == 6
    assert section.count(">cleared</span>") == 4


def test_junit_has_a_suite_of_its_own_and_todays_unchanged(seed: Run) -> None:
    root = ET.fromstring(seed.files["junit"])
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    upgrade = suites.pop("upgrade to Tomcat 10.1.62")
    suites.pop(junit.RUN_SUITE)  # the run's verdict counts the upgrade's findings (Report.worst)
    assert (upgrade.get("tests"), upgrade.get("failures"), upgrade.get("errors")) == (
        "28",
        "17",
        "0",
    )
    cases = [(c.get("classname"), c.get("name")) for c in upgrade.iter("testcase")]
    assert cases[0] == ("clustercheck.upgrade.CC103", "tomcat01, after the upgrade")
    assert cases[-1] == ("clustercheck.upgrade.CC303", "cluster, during the rolling upgrade")
    during = list(upgrade.iter("testcase"))[-1].find("failure")
    assert during is not None and (during.text or "").startswith(
        "During the rolling upgrade, tomcat02 on Tomcat 10.1.62 and the others as today\nfail: "
    )
    today = ET.fromstring(rendered(junit, replace(seed.report, upgrade=None)))
    checks = [suite for suite in today if suite.get("name") != junit.RUN_SUITE]
    for suite in [*checks, *suites.values()]:
        suite.tail = None  # the indentation after the last suite
    assert [ET.tostring(s) for s in checks] == [ET.tostring(s) for s in suites.values()]
    for key in ("tests", "failures"):
        assert int(root.get(key, "")) == int(today.get(key, "")) + int(upgrade.get(key, ""))
    warn = ET.fromstring(rendered(junit, seed.report, fail_on=Status.WARN))
    assert next(s for s in warn if s.get("name", "").startswith("upgrade")).get("failures") == "28"


def test_nagios_counts_the_upgrade_in_its_text_and_state(seed: Run) -> None:
    first, *rest = seed.files["nagios"].splitlines()
    assert first.startswith("CLUSTERCHECK CRITICAL - 9 failed, 9 warnings, 48 passed, 35 skipped;")
    assert "; upgrade to Tomcat 10.1.62: 17 fail, 11 warn | " in first
    assert " upgrade_error=0 upgrade_fail=17 upgrade_warn=11 duration=" in first
    assert rest[-1] == "... and 26 more"  # today's 18 findings first, then the upgrade's


@pytest.mark.parametrize(
    ("today", "after", "state"),
    [
        (Status.PASS, Status.WARN, "WARNING"),
        (Status.PASS, Status.FAIL, "CRITICAL"),
        (Status.WARN, Status.FAIL, "CRITICAL"),
        (Status.PASS, None, "OK"),  # the upgrade's finding waived: it does not count
    ],
)
def test_nagios_state_counts_the_upgrade_as_the_verdict_does(
    today: Status, after: Status | None, state: str
) -> None:
    upgrade = make_upgrade("x", ["tomcat02", "tomcat03"])
    finding = result("CC602", after or Status.FAIL, "tomcat02", waived=None if after else "ok")
    upgrade = replace(upgrade, after=(finding,), during=())
    report = replace(make_report([result("CC401", today, "tomcat02")]), upgrade=upgrade)
    assert rendered(nagios, report).startswith(f"CLUSTERCHECK {state} - ")
    assert nagios.STATE[nagios.plugin_code(report)] == state


def test_prometheus_gauge_of_the_upgrade_with_its_target(seed: Run) -> None:
    gauge = parse(seed.files["prometheus"])["clustercheck_upgrade_findings"]
    target = {("cluster", "seed-howto"), ("target", "Tomcat 10.1.62")}
    assert gauge == {
        frozenset({*target, ("status", "error")}): 0,
        frozenset({*target, ("status", "fail")}): 17,
        frozenset({*target, ("status", "warn")}): 11,
    }


def test_json_says_the_same_counts(seed: Run) -> None:
    document = json.loads(seed.files["json"])["upgrade"]
    assert document["summary"] == {"warn": 11, "fail": 17, "error": 0}
    assert len(document["after"]) + len(document["during"]) == 28


# a finding message with rich markup, an escape sequence, HTML and XML specials
HOSTILE = '[bold]x[/bold] \x1b[31m<b onclick="x">&amp;</b> ]]> \u202e'


@pytest.fixture(scope="module")
def hostile() -> Report:
    nodes = ["tomcat02", "tomcat03"]
    return replace(
        make_report([result("CC401", Status.PASS, "tomcat02")]),
        upgrade=make_upgrade(HOSTILE, nodes),
    )


def test_terminal_shows_a_hostile_upgrade_finding_as_written(hostile: Report) -> None:
    for options in ({}, {"color": "truecolor"}):
        out = rendered(terminal, hostile, width=300, **options)
        assert (
            'FAIL tomcat02: [bold]x[/bold] \\x1b[31m<b onclick="x">&amp;</b> ]]> \\u202e'
            in re.sub(r"\x1b\[[0-9;]*m", "", out)
        )
        assert "\u202e" not in out and "\x1b[31m<" not in out


def test_html_escapes_a_hostile_upgrade_finding(hostile: Report) -> None:
    page = rendered(html, hostile)
    shown = (
        "[bold]x[/bold] \\x1b[31m&lt;b onclick=&#34;x&#34;&gt;&amp;amp;&lt;/b&gt; ]]&gt; \\u202e"
    )
    assert page.count(f'<p class="msg">{shown}</p>') == 3  # after, waived after, during
    assert "<b onclick" not in page and "\u202e" not in page


def test_junit_xml_of_a_hostile_upgrade_finding_parses(hostile: Report) -> None:
    root = ET.fromstring(rendered(junit, hostile).encode("utf-8"))
    suite = next(s for s in root if s.get("name", "").startswith("upgrade to Tomcat"))
    failures = [f.get("message") for f in suite.iter("failure")]
    assert failures == [HOSTILE.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")] * 2


@pytest.mark.parametrize("name", ["terminal", "html", "junit", "nagios", "prometheus", "json"])
def test_without_a_target_no_format_shows_an_upgrade(seed: Run, name: str) -> None:
    """The same Report without its upgrade: what every run without --target-* gets."""
    fmt = load_formats()[name]
    out = fmt.render(replace(seed.report, upgrade=None), RenderOptions(width=200))
    text = out if isinstance(out, str) else "".join(out)
    for trace in ("Upgrading to", "upgrading to", "upgrade to Tomcat", "upgrade_", '"upgrade": {'):
        assert trace not in text


@pytest.mark.parametrize(
    ("moves", "shown"),
    [
        (
            [("t1", "6.0.29", "10.1.62"), ("t2", "6.0.29", "10.1.62")],
            ["t1, t2: Tomcat 6.0.29 → 10.1.62"],
        ),
        ([("t1", "11.0.29", None)], ["t1: Tomcat 11.0.29, already there"]),
        ([("t1", None, "10.1.62")], ["t1: Tomcat unknown → 10.1.62"]),
        (
            [("t1", "9.0.85", "10.1.62"), ("t2", None, "10.1.62"), ("t3", "9.0.85", "10.1.62")],
            ["t1, t3: Tomcat 9.0.85 → 10.1.62", "t2: Tomcat unknown → 10.1.62"],
        ),
    ],
)
def test_moves_in_words(moves: list[tuple[str, str | None, str | None]], shown: list[str]) -> None:
    upgrade = Upgrade(
        Target(tomcat="10.1.62"), tuple(Move(n, "Tomcat", a, b) for n, a, b in moves), ()
    )
    out = rendered(terminal, replace(make_report([]), upgrade=upgrade), width=200)
    assert [line.strip() for line in out.splitlines() if ": Tomcat " in line] == shown


def test_an_upgrade_that_brings_nothing_says_so() -> None:
    upgrade = Upgrade(Target(tomcat="10.1.62"), (Move("t1", "Tomcat", "10.1.34", "10.1.62"),), ())
    report = replace(make_report([result("CC401", Status.PASS, "tomcat02")]), upgrade=upgrade)
    assert rendered(terminal, report, quiet=True).endswith(
        "; upgrading to Tomcat 10.1.62: nothing new\n"
    )
    page = rendered(html, report)
    assert "<h2>Upgrading to Tomcat 10.1.62: no new problem</h2>" in page
    assert "<p>No new warning, failure or error.</p>" in page
    assert '<a href="#upgrade">Upgrading to Tomcat 10.1.62: nothing new</a></p>' in page
    assert 'tests="0"' in rendered(junit, report).split("upgrade to Tomcat 10.1.62")[1][:40]
