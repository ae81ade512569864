"""The short summary a cron mail shows (`run -q`, and the `summary` format): the example judged
through the command line, as the README shows it; then, on small reports, which checks get a
line of their own for each --fail-on, how many nodes a line names, how a message is cut, and
that only the reports written are said."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from sample import make_report, node, result
from support import REPO

from clustercheck.cli.main import main
from clustercheck.engine.results import Status
from clustercheck.report.formats import RenderOptions
from clustercheck.report.scope import RunScope
from clustercheck.reports import summary

EXAMPLE = REPO / "examples" / "seed-cluster" / "inventory.yaml"
SERVER_XML = "/root/tomcat/conf/server.xml"
MAIL = [
    r"seed-howto: FAIL — 9 fail, 9 warn, 48 pass, 35 skip in \d+\.\d\d s \(exit 1\)",
    "scope: files only (no live probes): every node",
    f"FAIL CC103 ajp-exposure (tomcat01, tomcat02, tomcat03): {SERVER_XML}:19: AJP port 8009 "
    "listens on all addresses without a secret (Ghostcat…",
    f"FAIL CC201 jvmroute-unique (tomcat01, tomcat03): {SERVER_XML}:21: jvmRoute 'tomcat01' is "
    "also used by tomcat03",
    "FAIL CC202 jvmroute-route-match (web1): /etc/httpd/conf/workers.properties:10: worker "
    "tomcat03 has route 'tomcat03', but tomcat03 has jvmRoute 'tomcat01'…",
    f"FAIL CC505 cluster-config-consistency (tomcat01): {SERVER_XML}: no <Cluster>: the "
    "<cluster> at line 24 is ignored by Tomcat (element names are…",
    f"FAIL CC601 server-xml-elements (tomcat01): {SERVER_XML}:24: <cluster> (and the 13 "
    "elements inside it) is ignored: element names are…",
    "FAIL CC701 distributable (tomcat03): C:/tomcat/webapps/shop.war!/WEB-INF/web.xml: shop "
    "does not declare <distributable/>: its sessions are not replicated",
    "also WARN: CC104 (web1), CC106 (web1), CC302 (cluster), CC6034 (web1), CC6035 (web1)",
    "html report: {out}/report.html",
    "json report: {out}/report.json",
    "junit report: {out}/junit.xml",
    "history: {out}/history.db",
    "estate: https://cc.example.com/estate.html",
]


def mail(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(["run", str(EXAMPLE), *argv])
    return code, capsys.readouterr().out.splitlines()


def test_the_cron_mail_of_the_example(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Verdict, scope, each failing check with its nodes and first place, the warnings in one
    line, and where the reports are: the HTML first, whatever order they were asked in."""
    code, lines = mail(
        capsys,
        "-q",
        *("--json", str(tmp_path / "report.json"), "--junit", str(tmp_path / "junit.xml")),
        *("--html", str(tmp_path / "report.html"), "--history", str(tmp_path / "history.db")),
        *("--estate-url", "https://cc.example.com/estate.html"),
    )
    assert code == 1
    expected = [line.replace("{out}", str(tmp_path)) for line in MAIL]
    assert re.fullmatch(expected[0], lines[0]), lines[0]
    assert lines[1:] == expected[1:]


def test_the_summary_format_writes_the_mail(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`--output summary=FILE` holds what -q prints (without naming itself), with no colour."""
    file = tmp_path / "mail.txt"
    html = str(tmp_path / "report.html")
    code, printed = mail(capsys, "-q", "--output", f"summary={file}", "--html", html)
    written = file.read_text(encoding="utf-8").splitlines()
    assert code == 1 and written == printed
    assert written[-1] == f"html report: {html}" and "\x1b" not in file.read_text()


def test_a_report_that_could_not_be_written_is_not_said_to_be_there(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("not a folder")
    json = str(tmp_path / "file" / "r.json")
    code = main(["run", str(EXAMPLE), "-q", "--json", json, "--junit", "-"])
    printed = capsys.readouterr()
    assert code == 2 and printed.out.startswith("<?xml")
    lines = printed.err.splitlines()  # the summary, on stderr: standard output took the JUnit XML
    assert "not written" in lines[0] and lines[1].endswith("(exit 2)")
    assert lines[-1].startswith("also WARN:")  # no place: one not written, one on stdout


NODES = [node(f"tomcat0{i}", f"10.0.0.{i}") for i in range(1, 6)]
RESULTS = [
    result("CC001", Status.ERROR, "tomcat05", "cannot connect: timed out"),
    result("CC201", Status.FAIL, "tomcat02", "jvmRoute 'a' is also used by tomcat01"),
    result("CC201", Status.WARN, "tomcat03", "no jvmRoute"),
    result("CC301", Status.WARN, None, "JDKs differ"),
    result("CC701", Status.FAIL, "tomcat01", "x", waived="accepted until 2027"),
    result("CC702", Status.PASS, None, "the same apps"),
]


@pytest.mark.parametrize(
    ("fail_on", "lines"),
    [
        (
            Status.FAIL,
            [
                "ERROR CC001 node-reachable (tomcat05): cannot connect: timed out",
                "FAIL CC201 jvmroute-unique (tomcat02, tomcat03): jvmRoute 'a' is also used by "
                "tomcat01",
                "also WARN: CC301 (cluster)",
            ],
        ),
        (
            Status.WARN,
            [
                "ERROR CC001 node-reachable (tomcat05): cannot connect: timed out",
                "FAIL CC201 jvmroute-unique (tomcat02, tomcat03): jvmRoute 'a' is also used by "
                "tomcat01",
                "WARN CC301 jdk-parity (cluster): JDKs differ",
            ],
        ),
        (
            Status.ERROR,
            [
                "ERROR CC001 node-reachable (tomcat05): cannot connect: timed out",
                "also FAIL: CC201 (tomcat02, tomcat03)",
                "also WARN: CC301 (cluster)",
            ],
        ),
    ],
    ids=["fail", "warn", "error"],
)
def test_a_line_per_check_at_or_above_fail_on(fail_on: Status, lines: list[str]) -> None:
    """The waived CC701 counts nowhere; a check is placed by its worst counted finding."""
    out = summary.render(make_report(RESULTS, nodes=NODES), RenderOptions(fail_on=fail_on))
    assert out.splitlines()[1:] == lines


def test_a_line_names_three_nodes_and_counts_the_rest() -> None:
    results = [result("CC201", Status.FAIL, n.name, "m") for n in NODES]
    out = summary.render(make_report(results, nodes=NODES), RenderOptions())
    assert "(tomcat01, tomcat02, tomcat03 and 2 more): m" in out


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("short", "short"),
        ("word " * 20, " ".join(["word"] * 15) + "…"),
        ("x" * 100, "x" * 79 + "…"),  # no word to cut after
        ("first line\nsecond line", "first line…"),
    ],
    ids=["whole", "after-a-word", "no-space", "first-line"],
)
def test_a_message_is_cut_after_a_word(message: str, shown: str) -> None:
    out = summary.render(
        make_report([result("CC301", Status.FAIL, None, message)]), RenderOptions()
    )
    assert out.splitlines()[1] == f"FAIL CC301 jdk-parity (cluster): {shown}"


def test_the_scope_is_said_when_the_run_judged_part_of_the_cluster() -> None:
    report = make_report([result("CC301", Status.PASS)], nodes=NODES)
    assert "scope" not in summary.render(report, RenderOptions())
    names = tuple(n.name for n in NODES)
    partial = RunScope(inventory_nodes=names, nodes=names[:2], limit=("tomcat01", "tomcat02"))
    lines = summary.render(replace(report, scope=partial), RenderOptions()).splitlines()
    assert lines[1] == (
        "scope: --limit tomcat01,tomcat02: 2 of 5 nodes (left out: tomcat03, tomcat04, tomcat05)"
    )
