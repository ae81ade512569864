"""The HTML report: self-contained, escaped, every part present when its data is, and loaded in a
real headless browser that must make no request and log no console message."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from sample import (
    XSS,
    front_end_data,
    make_check,
    make_report,
    node,
    rendered,
    result,
    sample_report,
    sample_results,
    sample_views,
)
from support import need

from clustercheck.engine.results import Result, Status
from clustercheck.inventory.settings import NtpSettings
from clustercheck.report.formats import Trend
from clustercheck.report.history import Changes, StoredResult
from clustercheck.report.scope import RunScope
from clustercheck.reports import html

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
WORDS = {"pass", "WARN", "FAIL", "ERROR", "skip"}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def section(document: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', document, re.S)
    assert match, f"no section {section_id}"
    return match.group(1)


def has_section(document: str, section_id: str) -> bool:
    return f'<section id="{section_id}">' in document


# -- self-contained and escaped ------------------------------------------------------------


def test_one_file_that_loads_nothing_and_runs_nothing() -> None:
    document = rendered(html, sample_report())
    assert "<script" not in document.lower()
    for tag in ("<link", "<img", "<iframe", "<object", "<embed", "@import", "@font-face"):
        assert tag not in document.lower(), tag
    links = re.findall(r"""\b(?:src|href|xlink:href|action)\s*=\s*["']?([^"'\s>]*)""", document)
    assert links and all(link.startswith("#") for link in links), links
    assert not re.search(r"url\(", document)
    assert not re.search(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}", document), "no URL at all"
    assert "default-src 'none'" in document  # the CSP: even a slip could load nothing


def _hostile_node() -> str:
    nodes = [node(XSS, "10.0.0.9"), node("tomcat02", "10.0.0.2")]
    results = [result("CC001", Status.FAIL, XSS, "down"), result("CC001", Status.PASS, "tomcat02")]
    views = {
        "versions": [{"node": XSS, "tomcat": "10.1.34", "jvm": None}],
        "clocks": {
            "reference": None,
            "nodes": [{"node": XSS, "offset_ms": 5.0, "uncertainty_ms": 1.0, "status": "pass"}],
        },
        "multicast": {"members": [XSS, "tomcat02"], "matrix": {}},
    }
    return rendered(
        html,
        make_report(results, nodes=nodes, views=views),
        trend=Trend(clock_history={XSS: [("2026-11-23", 1.0)]}),
    )


def _with_views(**views: object) -> str:
    return rendered(html, make_report(sample_results(), views={**sample_views(), **views}))


HOSTILE: dict[str, Callable[[], str]] = {
    "message": lambda: rendered(html, sample_report()),
    "file": lambda: rendered(
        html,
        make_report([result("CC701", Status.FAIL, "web1", "x", file=f"/opt/{XSS}.war", line=1)]),
    ),
    "node name": _hostile_node,
    "cluster name": lambda: rendered(html, make_report(sample_results(), cluster=XSS)),
    "waiver reason": lambda: rendered(
        html, make_report([result("CC702", Status.WARN, None, "x", waived=XSS)])
    ),
    "unreachable error": lambda: rendered(
        html,
        make_report(
            [result("CC001", Status.ERROR, "tomcat04")],
            nodes=[node("tomcat04", "h", reachable=False, error=XSS)],
        ),
    ),
    "tomcat version": lambda: _with_views(versions=[{"node": "web1", "tomcat": XSS, "jvm": None}]),
    "jvm vendor": lambda: _with_views(
        versions=[
            {
                "node": "web1",
                "tomcat": "10",
                "jvm": {"version": "17", "vendor": XSS, "vm": "x", "bits": 64},
            }
        ]
    ),
    "multicast diagnosis": lambda: _with_views(
        multicast={
            "members": ["web1", "tomcat02"],
            "matrix": {"web1": {"tomcat02": {"heard": False, "diagnosis": XSS, "status": "fail"}}},
        }
    ),
    "front end member": lambda: _with_views(front_ends=[front_end_data(XSS)]),
    "clock reference": lambda: _with_views(
        clocks={"reference": {"server": XSS, "stratum": 2, "delay_ms": 1.0}, "nodes": []}
    ),
    "changes": lambda: rendered(
        html,
        sample_report(),
        trend=Trend(
            Changes(
                "2026-11-23",
                new=(StoredResult("CC201", "jvmroute-unique", None, Status.FAIL, XSS),),
                fixed=(StoredResult("CC101", "ajp-port-match", XSS, Status.WARN, XSS),),
            )
        ),
    ),
}


@pytest.mark.parametrize("where", HOSTILE)
def test_every_value_is_escaped(where: str) -> None:
    document = HOSTILE[where]()
    assert "<script" not in document.lower()
    assert ESCAPED in document


# -- contents ------------------------------------------------------------------------------


def test_verdict_and_counts_come_first() -> None:
    document = rendered(html, sample_report())
    header = document[: document.index('<section id="grid">')]
    assert ">ERROR</div>" in header  # the unreachable node is the worst
    chips = re.findall(r'class="chip"[^>]*>(\d+ \w+)<', header)
    assert chips == ["1 ERROR", "3 FAIL", "2 WARN", "8 pass", "2 skip", "1 waived"]
    assert "/etc/clustercheck/shop-prod.yaml" in header
    assert "2026-11-24T02:00:00+00:00" in header and "0.84 s" in header


@pytest.mark.parametrize(
    ("statuses", "verdict"),
    [
        ([Status.PASS, Status.WARN], "WARN"),
        ([Status.PASS, Status.SKIP], "pass"),
        ([Status.SKIP, Status.SKIP], "NOTHING JUDGED"),
        ([], "NOTHING JUDGED"),
    ],
)
def test_verdict_word(statuses: list[Status], verdict: str) -> None:
    report = make_report([result("CC401", s, f"n{i}") for i, s in enumerate(statuses)])
    assert f">{verdict}</div>" in rendered(html, report)


def test_grid_cells_carry_a_word_and_a_colour() -> None:
    grid = section(rendered(html, sample_report()), "grid")
    assert re.findall(r"<th>([\w-]+)</th>", grid) == [
        "web1",
        "tomcat02",
        "tomcat03",
        "tomcat04",
        "cluster-wide",
    ]
    cells = re.findall(r'<td style="background:(#\w+);color:(#\w+)"[^>]*>([^<]+)<', grid)
    assert len(cells) == 17
    for background, text, word in cells:
        assert word in WORDS
        look = next(v for v in html.LOOK.values() if v.word == word)
        assert (background, text) == (look.background, look.text)
    row = re.search(r"CC702 app-parity.*?</tr>", grid, re.S).group(0)  # type: ignore[union-attr]
    assert "1 waived" in row  # a waived finding shows, and weighs like a pass
    assert 'title="warn: admin is deployed on web1 only"' in row


def test_findings_worst_first_with_where_why_and_fix() -> None:
    findings = section(rendered(html, sample_report()), "findings")
    counted, waived = findings.split("Waived (1)")
    assert re.findall(r"<strong>(CC\d+) ", counted) == [
        "CC001",
        "CC201",
        "CC501",
        "CC701",
        "CC301",
        "CC401",
    ]
    assert "<code>/opt/tomcat/conf/server.xml:112</code>" in counted
    assert (
        "Because jvmroute-unique matters." in counted and "Fix jvmroute-unique like so." in counted
    )
    assert "CC702" in waived and "admin runs on web1 on purpose (until 2026-12-31)" in waived
    assert "pass" not in re.findall(r'class="badge"[^>]*>(\w+)<', counted)


def test_a_check_with_many_findings_says_why_and_fix_once() -> None:
    """Twelve findings of one check: one head (worst word, how many, where) and one why and
    fix, then the twelve, each with its status, node, message and file:line."""
    nodes = [f"tomcat{i:02d}" for i in range(12)]
    shown = [
        result(
            "CC701",
            Status.WARN if i % 3 else Status.FAIL,
            n,
            f"app{i} is not distributable",
            file=f"/opt/{n}/web.xml",
            line=i + 1,
        )
        for i, n in enumerate(nodes)
    ]
    shown.append(result("CC701", Status.WARN, None, "the cluster has no distributable app"))
    findings = section(rendered(html, make_report(shown)), "findings")
    assert findings.count('<div class="group"') == 1
    assert findings.count("Because distributable matters.") == 1
    assert findings.count("Fix distributable like so.") == 1
    head = re.search(r'<div class="group-head">(.*?)</div>', findings, re.S).group(1)  # type: ignore[union-attr]
    assert ">FAIL</span>" in head and "<strong>CC701 distributable</strong>" in head
    assert "13 findings: 12 nodes and cluster-wide" in head and "The distributable title" in head
    rows = re.findall(
        r'<div class="finding"[^>]*>\s*<div class="head">.*?>(\w+)</span> (.*?)</div>\s*'
        r'<div class="body"><p class="msg">([^<]*)</p>\s*(?:<code>([^<]*)</code>)?',
        findings,
        re.S,
    )
    assert len(rows) == 13
    assert [word for word, *_ in rows[:4]] == ["FAIL"] * 4  # worst first
    assert (
        "FAIL",
        '<span class="node">tomcat00</span>',
        "app0 is not distributable",
        "/opt/tomcat00/web.xml:1",
    ) in rows
    assert (
        "WARN",
        '<span class="node cluster">cluster-wide</span>',
        "the cluster has no distributable app",
        "",
    ) in rows


def test_waived_findings_are_grouped_without_why_and_fix() -> None:
    shown = [
        result("CC702", Status.WARN, n, "admin differs", waived="on purpose") for n in ("a", "b")
    ]
    findings = section(
        rendered(html, make_report([*shown, result("CC201", Status.FAIL)])), "findings"
    )
    counted, waived = findings.split("Waived (2): shown, not counted")
    assert "Because jvmroute-unique matters." in counted
    assert waived.count('<div class="group"') == 1 and waived.count('<div class="finding"') == 2
    assert "Because app-parity matters." not in waived
    assert waived.count('<span class="muted">waived:</span> on purpose') == 2


DOC = """The `<distributable/>` title.

What it checks.

## Why it matters
Sessions are **lost** when `distributable` is missing:
- on fail-over
- on deploy, see [the docs](https://tomcat.example.org/x) <b onclick="x">now</b>

A second paragraph &amp; <script>alert(1)</script> ![pixel](http://x.example.org/p.png)

## How to fix
Add `<distributable/>` to *WEB-INF/web.xml*.
"""


def test_markdown_from_the_docs_is_rendered_and_inert() -> None:
    check = replace(make_check("CC701"), doc=DOC)
    finding = Result(
        "CC701",
        "distributable",
        Status.FAIL,
        "t1",
        "x",
        rationale=check.rationale,
        remediation=check.remediation,
    )
    report = replace(make_report([finding]), checks=(check,))
    document = rendered(html, report)
    findings = section(document, "findings")
    assert "<strong>lost</strong>" in findings and "<code>distributable</code>" in findings
    assert "<ul>\n<li>on fail-over</li>" in findings and "<p>A second paragraph" in findings
    assert (
        "<em>WEB-INF/web.xml</em>" in findings and "<code>&lt;distributable/&gt;</code>" in findings
    )
    assert "The <code>&lt;distributable/&gt;</code> title" in document  # the grid and the head
    assert "`" not in findings and "**" not in findings
    # raw HTML is text, links and images are their literal text: nothing to click or load
    assert "&lt;b onclick=" in findings and "&lt;script&gt;" in findings
    assert "<a " not in document.replace('<a href="#', "") and "<img" not in document
    tags = set(re.findall(r"<([a-z0-9]+)", findings))
    assert tags <= html.MARKDOWN_TAGS | {"h2", "div", "span", "table", "tr", "th", "td"}


def test_the_scope_is_said_under_the_verdict() -> None:
    whole = rendered(html, sample_report())
    header = whole[: whole.index("<nav>")]
    assert '<p class="scope">scope: the whole cluster, every check, live</p>' in header
    assert "Partial run" not in whole and "<title>ERROR: shop-prod" in whole
    names = ("web1", "tomcat02", "tomcat03", "tomcat04")
    scope = RunScope(names, names[:2], limit=("web1,tomcat02",), skip=("CC5",))
    partial = rendered(html, replace(sample_report(), scope=scope))
    header = partial[: partial.index("<nav>")]
    banner = header[header.index('<div class="scope partial">') :]
    assert banner.index("Partial run") < banner.index("</div>")
    assert "<li>--limit web1,tomcat02: 2 of 4 nodes (left out: tomcat03, tomcat04)</li>" in banner
    assert "<li>--skip CC5</li>" in banner
    assert "<title>ERROR (partial run): shop-prod" in partial


def test_no_findings_says_so() -> None:
    findings = section(rendered(html, make_report([result("CC101", Status.PASS)])), "findings")
    assert "No warning, failure or error." in findings and "Waived" not in findings
    waived = make_report([result("CC702", Status.WARN, "a", "x", waived="on purpose")])
    findings = section(rendered(html, waived), "findings")
    assert "No warning, failure or error apart from the waived ones below." in findings
    assert "Waived (1): shown, not counted" in findings


@pytest.mark.parametrize(
    ("views", "present", "absent"),
    [
        ({}, [], ["multicast", "clocks"]),
        ({"multicast"}, ["multicast"], ["clocks"]),
        ({"clocks"}, ["clocks"], ["multicast"]),
        ({"versions", "clocks", "multicast"}, ["multicast", "clocks"], []),
    ],
)
def test_views_show_only_when_present(
    views: set[str], present: list[str], absent: list[str]
) -> None:
    chosen = {k: v for k, v in sample_views().items() if k in views}
    document = rendered(html, make_report(sample_results(), views=chosen))
    for name in present:
        assert has_section(document, name) and f'href="#{name}"' in document
    for name in absent:
        assert not has_section(document, name) and f'href="#{name}"' not in document
    assert ("<svg" in document) is ("clocks" in views)
    assert ("JVM version" in document) is ("versions" in views)


def test_multicast_matrix_says_who_hears_whom() -> None:
    matrix = section(rendered(html, sample_report()), "multicast")
    rows = {
        m.group(1): re.findall(r'<td style="[^"]*"[^>]*>([\w ]+)', m.group(2))
        for m in re.finditer(r"<tr><th>(\w+)</th>(.*?)</tr>", matrix, re.S)
    }
    assert rows == {
        "web1": ["self", "hears", "hears"],
        "tomcat02": ["hears", "self", "hears"],
        "tomcat03": ["NOT heard", "NOT heard", "self"],
    }
    assert "no IGMP join seen" in matrix and "0/2" in matrix and "2/2" in matrix


@pytest.mark.parametrize(
    ("ntp", "lines"),
    [
        (NtpSettings(warn_ms=100, fail_ms=1000), ["warn -100", "warn +100"]),
        (NtpSettings(warn_ms=50, fail_ms=120), ["warn -50", "warn +50", "fail -120", "fail +120"]),
    ],
)
def test_clock_chart_shows_offsets_whiskers_and_thresholds(
    ntp: NtpSettings, lines: list[str]
) -> None:
    clocks = section(rendered(html, sample_report(ntp=ntp)), "clocks")
    svg = clocks[clocks.index("<svg") : clocks.index("</svg>")]
    assert re.findall(r'class="axis" style="[^"]*">(\w+ [-+]\d+)<', svg) == lines
    assert re.findall(r">([-+][\d.]+ ±[\d.]+ ms)<", svg) == [
        "+3.2 ±1.1 ms",
        "+142.0 ±6.0 ms",
        "-12.5 ±2.4 ms",
    ]
    assert svg.count('stroke="#1d2327"') == 9  # a whisker and two caps per measured node
    assert "not measured" in svg
    assert "ntp1.example.com" in clocks and "+142.0 ms" in clocks  # the same, as a table


def test_bars_point_the_way_of_the_offset() -> None:
    clocks = section(rendered(html, sample_report()), "clocks")
    zero = float(
        re.search(r'<line class="zero" x1="([\d.]+)" x2="\1"', clocks).group(1)  # type: ignore[union-attr]
    )
    bars = [
        (float(x), float(w))
        for x, w in re.findall(
            r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="14"', clocks
        )
    ]
    ahead, ahead_more, behind = bars
    assert ahead[0] == zero and ahead_more[0] == zero and ahead_more[1] > ahead[1]
    assert behind[0] + behind[1] == pytest.approx(zero)


def test_nodes_side_by_side_mark_the_odd_version_out() -> None:
    nodes = section(rendered(html, sample_report()), "nodes")
    assert re.findall(r'<td class="differs">([\w.]+) ', nodes) == ["10.1.31", "17.0.9"]
    assert "Eclipse Adoptium" in nodes and "OpenJDK 64-Bit Server VM" in nodes
    assert "NO</span> connection refused" in nodes  # tomcat04, unreachable, stays in the table


def test_skipped_results_are_grouped_by_reason() -> None:
    skipped = section(rendered(html, sample_report()), "skipped")
    assert "node unreachable:</span> CC401@tomcat04, CC701@tomcat04" in skipped


def test_changes_since_the_previous_run() -> None:
    changes = Changes(
        "2026-11-23T02:00:00+00:00",
        new=(StoredResult("CC501", "multicast-membership", None, Status.FAIL, "deaf"),),
        fixed=(StoredResult("CC101", "ajp-port-match", "web1", Status.WARN, "port 8010"),),
    )
    part = section(rendered(html, sample_report(), trend=Trend(changes=changes)), "changes")
    assert "2026-11-23T02:00:00+00:00" in part and "1 new, 1 fixed" in part
    new, fixed = part.split("Fixed (1)")
    assert "CC501 multicast-membership" in new and "deaf" in new
    assert "CC101 ajp-port-match" in fixed and "<s>WARN</s>" in fixed and ">fixed<" in fixed


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        (Changes(None, (), ()), "first recorded run"),
        (Changes("2026-11-23", (), ()), "No finding appeared or went away"),
    ],
)
def test_changes_when_there_are_none(changes: Changes, text: str) -> None:
    assert text in section(rendered(html, sample_report(), trend=Trend(changes=changes)), "changes")
    assert not has_section(rendered(html, sample_report()), "changes")


def test_clock_trend_per_node() -> None:
    history = {
        "web1": [("2026-11-22", 1.0), ("2026-11-23", 2.0)],
        "tomcat02": [("2026-11-22", 40.0), ("2026-11-23", 142.0)],
    }
    clocks = section(
        rendered(html, make_report(sample_results()), trend=Trend(clock_history=history)), "clocks"
    )
    assert clocks.count("<polyline") == 2
    assert "+40.0 ms, +142.0 ms" in clocks and "2 since 2026-11-22" in clocks
    points = re.findall(r'<polyline points="([^"]+)"', clocks)
    tomcat02_last_y = float(points[1].split()[-1].split(",")[1])
    assert tomcat02_last_y < float(points[0].split()[-1].split(",")[1])  # higher: drifted more


def test_the_four_node_report_stays_small() -> None:
    assert len(rendered(html, sample_report()).encode()) < 40_000


# -- in a real browser ---------------------------------------------------------------------

BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--enable-logging=stderr",
    "--v=0",
)


def browse(page: Path, work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Open a page in a fresh headless Chromium profile; the browser's net log lands in
    work/net.json."""
    need(Path(CHROMIUM).exists(), f"chromium not found at {CHROMIUM}")
    profile = work / f"profile-{len(list(work.glob('profile-*')))}"
    command = [
        CHROMIUM,
        *BROWSER_FLAGS,
        f"--user-data-dir={profile}",
        f"--log-net-log={work / 'net.json'}",
        *args,
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def page_requests(net_log: Path) -> list[str]:
    """URLs the page asked for. Chromium's own traffic (updater, sign-in, network time) starts
    with initiator "not an origin"; a page's requests carry its origin ("null" for file://)."""
    log = json.loads(net_log.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        e["params"]["url"]
        for e in log["events"]
        if e["type"] == start_job
        and "url" in e.get("params", {})
        and e["params"].get("initiator") != "not an origin"
    ]


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def test_browser_renders_it_escaped_offline_and_silently(tmp_path: Path, artifacts: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(
        rendered(
            html,
            sample_report(),
            trend=Trend(
                Changes(None, (), ()), {"web1": [("2026-11-23", 1.0), ("2026-11-24", 3.2)]}
            ),
        ),
        encoding="utf-8",
    )
    dom = browse(page, tmp_path, "--dump-dom")
    assert "<script" not in dom.stdout.lower()
    assert ESCAPED in dom.stdout
    assert 'id="findings"' in dom.stdout and "CC201 jvmroute-unique" in dom.stdout
    assert console_messages(dom.stderr) == []

    screenshot = artifacts / "report.png"
    screenshot.unlink(missing_ok=True)
    shown = browse(
        page, tmp_path, f"--screenshot={screenshot}", "--window-size=1200,2000", "--hide-scrollbars"
    )
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 50_000  # a rendered page, not a blank one
    assert console_messages(shown.stderr) == []
    assert page_requests(tmp_path / "net.json") == []
    shutil.copy(page, artifacts / "report.html")


@pytest.mark.parametrize(
    ("head", "caught_by"),
    [
        ("", "net log"),
        ("""<meta http-equiv="Content-Security-Policy" content="default-src 'none'">""", "console"),
    ],
)
def test_the_probes_would_catch_a_leaky_page(tmp_path: Path, head: str, caught_by: str) -> None:
    """The control experiment: without it, "no request seen" could mean "not looking"."""
    page = tmp_path / "leaky.html"
    page.write_text(
        f"<!DOCTYPE html><html><head>{head}</head><body>"
        f'<img src="http://example.invalid/pixel.png"></body></html>'
    )
    done = browse(page, tmp_path, "--dump-dom")
    if caught_by == "net log":
        assert page_requests(tmp_path / "net.json") == ["http://example.invalid/pixel.png"]
    else:
        assert any("example.invalid" in line for line in console_messages(done.stderr))


def test_a_jvmroute_holding_markup_is_shown_as_text(tmp_path: Path) -> None:
    """From a real server.xml through the engine to the file: node values cannot inject."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from clusterfiles import build, tomcat_files

    from clustercheck.cli.main import main

    route = "&lt;script&gt;alert(1)&lt;/script&gt;"  # as XML escapes it in the attribute
    nodes = {name: {"host": f"h{name}", "roles": ["tomcat"]} for name in ("t1", "t2")}
    inventory = build(tmp_path, nodes, {n: tomcat_files(route) for n in nodes})
    report = tmp_path / "report.html"
    main(["run", str(inventory), "--html", str(report), "-q"])
    document = report.read_text()
    assert ESCAPED in document and "<script" not in document.lower()
