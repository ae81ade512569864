"""One table of hostile values, run through every output format: each value is put in every text
a report shows (cluster, inventory path, node names, hosts, errors, versions, messages, files,
waiver reasons, heartbeat diagnoses, the NTP server, the front ends' members and values, the
history's changes and trend, and with an upgrade target the upgrade's moves and findings), and each
format's output must keep its medium's invariants (issue 14): the terminal gets no control
character or escape sequence from the data, the HTML no tag or attribute the template does not
write, the JUnit XML parses as XML 1.0, the Prometheus textfile as the exposition format, the
Nagios output keeps its status line and performance data, the JSON parses and is UTF-8."""

from __future__ import annotations

import json
import re
import sqlite3
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from exposition import parse
from sample import front_end_data, make_report, make_upgrade, node, result, typed_views
from support import REPO

from clustercheck.cli.main import main
from clustercheck.cli.progress import progress_display
from clustercheck.engine.results import Status
from clustercheck.inventory.settings import ClusterSettings, NodeSettings
from clustercheck.report import escape, history
from clustercheck.report.formats import RenderOptions, Trend, load_formats
from clustercheck.report.history import Changes, StoredResult
from clustercheck.report.model import Report

HOSTILE = {
    "rich markup": "a[/]b",
    "rich style and emoji": "[bold red]x[/bold red] :thumbs_up:",
    "CSI": "\x1b[2J\x1b[31mred",
    "SGR only": "\x1b[31mred\x1b[0m",
    "OSC title": "\x1b]0;pwned\x07",
    "OSC 8 link": "\x1b]8;;http://x.invalid/\x1b\\click\x1b]8;;\x1b\\",
    "C1 CSI": "\x9b31mred",
    "NUL and backspace": "a\x00b\x08c",
    "carriage return": "ok\rFAIL",
    "newline": "x\nCLUSTERCHECK OK - fine | pass=99",
    "bidi override": "abc\u202edcba\u2066x\u2069",
    "line separator": "a\u2028b\u2029c\x85d",
    "script": "</script><script>alert(1)</script>",
    "attribute breakout": "\"'><img src=x onerror=alert(1)>",
    "entities": "&amp;&#x3c;&lt;",
    "CDATA end": "]]><x/>",
    "perfdata": "a|b=1;2;3",
    "label breakout": '\\"\n} fake_metric 1',
    "not UTF-8": "web\udcff\udcfe",
    "lone surrogates": "\ud800x\udfff",
    "XML non-characters": "\ufffe\uffff",
    "format fields": "{task.description}%s{0}",
}
ALL = "".join(HOSTILE.values())
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ud800-\udfff\ufffe\uffff]"
)
SGR = re.compile(r"\x1b\[[0-9;]*m")  # what rich writes itself for colour
TEMPLATE = (REPO / "reports" / "templates" / "report.html.j2").read_text(encoding="utf-8")


def hostile_report(value: str, upgrade: bool = False) -> tuple[Report, Trend]:
    """A report with `value` in every text it shows, and a history trend with it too; with
    `upgrade`, an upgrade section with it too (in its target's version as well)."""
    names = [f"n1{value}", f"n2{value}", f"n3{value}"]
    nodes = [
        node(names[0], f"h{value}", ("apache", "tomcat"), tomcat=value),
        node(names[1], "10.0.0.2"),
        node(names[2], "10.0.0.3", reachable=False, error=value, tomcat=None),
    ]
    results = [
        result("CC001", Status.PASS, names[0], value),
        result("CC001", Status.ERROR, names[2], f"cannot connect: {value}"),
        result("CC201", Status.FAIL, names[0], value, file=f"/opt/{value}.xml", line=7),
        result("CC201", Status.FAIL, names[1], value, file=f"/opt/{value}", waived=value),
        result("CC301", Status.WARN, None, value),
        result("CC401", Status.SKIP, names[2], value),
        result("CC701", Status.FAIL, names[1], value, file=f"/opt/{value}.war!/WEB-INF/web.xml"),
    ]
    jvm = {"version": value, "vendor": value, "vm": value, "bits": 64}
    views = {
        "versions": [
            {"node": names[0], "tomcat": value, "jvm": jvm},
            {"node": names[1], "tomcat": "10.1.34", "jvm": None},
        ],
        "clocks": {
            "reference": {"server": value, "stratum": 2, "delay_ms": 1.0},
            "nodes": [
                {"node": n, "offset_ms": 5.0, "uncertainty_ms": 1.0, "status": "pass"}
                for n in names[:2]
            ],
        },
        "multicast": {
            "members": names[:2],
            "matrix": {
                names[0]: {names[1]: {"heard": False, "diagnosis": value, "status": "fail"}},
                names[1]: {names[0]: {"heard": True, "diagnosis": "", "status": "pass"}},
            },
        },
        "front_ends": [front_end_data(value, names[0], names[1])],
    }
    report = make_report(
        results, nodes=nodes, views=views, cluster=f"c{value}", source=f"/etc/{value}.yaml"
    )
    assert report.views == typed_views(views)
    if upgrade:
        report = replace(report, upgrade=make_upgrade(value, names, tomcat=f"10.1.62{value}"))
    stored = StoredResult("CC201", "jvmroute-unique", names[0], Status.FAIL, value)
    trend = Trend(
        Changes("2026-11-23", new=(stored,), fixed=(stored,)),
        {name: [("2026-11-23", 1.0)] for name in names},
    )
    return report, trend


def no_unsafe(text: str, keep: str = "\n") -> None:
    text.encode("utf-8")
    found = {c for c in UNSAFE.findall(text) if c not in keep}
    assert not found, f"unsafe characters from the data: {sorted(map(hex, map(ord, found)))}"


def terminal_plain(out: str, value: str, report: Report) -> None:
    no_unsafe(out)
    if len(value) < 40:  # the summary line, unwrapped: the name as written
        assert escape.terminal(f"c{value}") in out


def terminal_colour(out: str, value: str, report: Report) -> None:
    no_unsafe(SGR.sub("", out))


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def html(out: str, value: str, report: Report) -> None:
    no_unsafe(out, keep="\t\n\r")
    parser = Tags()
    parser.feed(out)
    parser.close()
    assert parser.tags <= set(re.findall(r"<([a-z][a-z0-9]*)", TEMPLATE))
    assert parser.attributes <= {
        a.lower() for a in re.findall(r"\s([a-zA-Z][a-zA-Z0-9-]*)=", TEMPLATE)
    }
    assert "<script" not in out.lower()


def junit(out: str, value: str, report: Report) -> None:
    root = ET.fromstring(out.encode("utf-8"))  # expat: XML 1.0, no C0 control, no U+FFFE
    assert root.get("name") == escape.xml(f"clustercheck c{value}")


def prometheus(out: str, value: str, report: Report) -> None:
    families = parse(out)
    assert len(out.splitlines()) == sum(len(f) + 2 for f in families.values())
    clusters = {dict(k)["cluster"] for f in families.values() for k in f}
    assert clusters == {escape.visible(f"c{value}", keep="\n")}


def nagios(out: str, value: str, report: Report) -> None:
    no_unsafe(out)
    first, *rest = out.splitlines()
    assert re.fullmatch(
        r"CLUSTERCHECK (OK|WARNING|CRITICAL|UNKNOWN) - [^|]* \| (\w+=[\d.]+s? ?)+", first
    ), first
    assert not any("|" in line for line in rest)
    shown = [*report.results, *(report.upgrade.results if report.upgrade else ())]
    assert len(rest) == sum(r.status.is_finding and not r.waived for r in shown)  # none split


def summary(out: str, value: str, report: Report) -> None:
    """The mail: a line each (verdict; CC001, CC201, CC701 at or above fail; also WARN: CC301;
    where the report is), none split by a newline from the data."""
    no_unsafe(out)
    lines = out.splitlines()
    assert len(lines) == 6, lines
    assert lines[0].startswith(escape.terminal(f"c{value}: ERROR"))
    assert lines[-1] == escape.terminal(f"html report: /srv/{value}.html")


def json_report(out: str, value: str, report: Report) -> None:
    no_unsafe(out, keep="\n\ufffe\uffff")  # JSON escapes the others: \u001b, \u202e
    document = json.loads(out)
    assert document["cluster"] == escape.encodable(f"c{value}")  # exact, surrogates aside


INVARIANTS: dict[str, tuple[Callable[[str, str, Report], None], RenderOptions]] = {
    "terminal": (terminal_plain, RenderOptions()),
    "terminal-colour": (terminal_colour, RenderOptions(color="truecolor")),
    "terminal-quiet": (summary, RenderOptions(quiet=True, written=(("html", "/srv/{}.html"),))),
    "summary": (summary, RenderOptions(written=(("html", "/srv/{}.html"),))),
    "html": (html, RenderOptions()),
    "junit": (junit, RenderOptions()),
    "prometheus": (prometheus, RenderOptions()),
    "nagios": (nagios, RenderOptions()),
    "json": (json_report, RenderOptions()),
}


def test_every_format_has_its_invariant() -> None:
    assert {name.partition("-")[0] for name in INVARIANTS} == set(load_formats())


@pytest.mark.parametrize("upgrade", [False, True], ids=["today", "with an upgrade"])
@pytest.mark.parametrize("medium", INVARIANTS)
@pytest.mark.parametrize("value", [*HOSTILE.values(), ALL], ids=[*HOSTILE, "all at once"])
def test_a_hostile_value_keeps_every_medium_intact(value: str, medium: str, upgrade: bool) -> None:
    invariant, options = INVARIANTS[medium]
    report, trend = hostile_report(value, upgrade)
    written = tuple((name, target.format(value)) for name, target in options.written)
    out = load_formats()[medium.partition("-")[0]].render(
        report, replace(options, trend=trend, written=written)
    )
    text = out if isinstance(out, str) else "".join(out)
    invariant(text, value, report)
    assert ("10.1.62" in text) is upgrade  # the upgrade's target: shown, so judged here too


@pytest.mark.parametrize("value", [*HOSTILE.values(), ALL], ids=[*HOSTILE, "all at once"])
def test_the_progress_line_shows_a_hostile_name_as_written(
    value: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A node named `a[/]b` made rich raise MarkupError from the progress line."""
    monkeypatch.setenv("FORCE_COLOR", "1")  # a terminal, as far as rich can tell
    monkeypatch.setenv("TERM", "xterm")
    names = [f"n{value}", "plain"]
    settings = ClusterSettings(
        f"c{value}", "/x.yaml", tuple(NodeSettings(n, "h", ("tomcat",)) for n in names)
    )
    with progress_display(settings, enabled=True) as advance:
        advance(names[0], f"down: {value}")
        time.sleep(0.15)  # one refresh of the live display with the name in it
    err = capsys.readouterr().err
    shown = escape.terminal(f"c{value}: {names[0]}")
    assert shown[:24] in err  # as written (a long line is cut at the end)
    if UNSAFE.search(value):
        assert value not in err


@pytest.mark.parametrize("value", [*HOSTILE.values(), ALL], ids=[*HOSTILE, "all at once"])
def test_the_history_keeps_and_lists_a_hostile_run(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite cannot store a lone surrogate: the run is kept with it escaped, compared with the
    next run alike, and `clustercheck history` prints it escaped."""
    report, _ = hostile_report(value)
    db = tmp_path / "history.db"
    first = history.record(db, report)
    second = history.record(db, report)
    changes = history.changes(history.previous(db, report.cluster, second), report)
    assert first < second and changes.new == changes.fixed == ()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT cluster FROM runs").fetchone()[0] == escape.encodable(
            report.cluster
        )
    assert main(["history", str(db)]) == 0
    out = capsys.readouterr().out
    no_unsafe(out)
    assert escape.terminal(report.cluster)[:16] in out


def test_a_usage_error_quoting_data_is_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    inventory = REPO / "examples" / "seed-cluster" / "inventory.yaml"
    assert main(["run", str(inventory), "--limit", ALL]) == 2
    err = capsys.readouterr().err
    no_unsafe(err)
    assert err.count("\n") == 1 and "is neither a node nor a role" in err
