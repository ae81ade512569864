"""The HTML report's layout, measured in headless Chromium at a mail client's width (800 px)
and a desktop's (1400 px): the page never scrolls sideways (a wide grid scrolls in its own box),
the clock chart stays in its box with no text outside the SVG or on another text, and a full
screenshot of each is kept for a person to look at.

The report has no script and its CSP forbids one, so the measuring copy swaps the CSP for one
that allows a single inline script, which writes its measurements into the DOM; Chromium's
--dump-dom hands them back.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sample import make_report, node, rendered, result, sample_results, sample_views
from support import REPO, need

from clustercheck.cli.main import main
from clustercheck.engine.results import Status
from clustercheck.reports import html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDTHS = (800, 1400)
SEED = REPO / "examples" / "seed-cluster" / "inventory.yaml"
CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')

# Runs once the page has loaded; every number is in CSS pixels.
MEASURE = """
const rect = (e) => { const r = e.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
const inScroll = (e) => e.closest('.scroll') !== null;
const out = {
  viewport: innerWidth,
  pageWidth: document.documentElement.scrollWidth,
  pageHeight: document.documentElement.scrollHeight,
  overflowing: [...document.querySelectorAll('body *')]
    .filter((e) => !inScroll(e) && e.getBoundingClientRect().right > innerWidth + 0.5)
    .map((e) => e.tagName + '.' + e.className),
  scrollBoxes: [...document.querySelectorAll('.scroll')].map((e) => ({
    box: rect(e), scrollWidth: e.scrollWidth, clientWidth: e.clientWidth })),
  charts: [...document.querySelectorAll('svg.chart')].map((svg) => {
    const view = svg.viewBox.baseVal;
    return {
      svg: rect(svg), section: rect(svg.closest('section')), view: [view.width, view.height],
      texts: [...svg.querySelectorAll('text')].map((t) => { const b = t.getBBox();
        return {text: t.textContent, left: b.x, right: b.x + b.width, top: b.y,
                bottom: b.y + b.height}; }),
      shapes: [...svg.querySelectorAll('rect, line')].map((s) => { const b = s.getBBox();
        return [b.x, b.y, b.x + b.width, b.y + b.height]; }),
    };
  }),
};
const pre = document.createElement('pre');
pre.id = 'measured';
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
"""


def seed_report(work: Path) -> str:
    """The bundled example, as `clustercheck run ... --html` writes it."""
    page = work / "seed.html"
    main(["run", str(SEED), "--html", str(page), "-q"])
    return page.read_text(encoding="utf-8")


def skewed_report(work: Path) -> str:
    """The sample cluster with tomcat02 five seconds ahead (thresholds 100 ms and 1 s)."""
    views = sample_views()
    views["clocks"]["nodes"][1] = {
        "node": "tomcat02",
        "offset_ms": 5000.0,
        "uncertainty_ms": 8.0,
        "status": "fail",
    }
    return rendered(html, make_report(sample_results(), views=views))


def wide_report(work: Path) -> str:
    """Fourteen nodes with long names: the grid is wider than a mail client."""
    names = [f"tomcat-prod-eu-west-{i:02d}" for i in range(14)]
    nodes = [node(name, f"10.0.0.{i}") for i, name in enumerate(names)]
    results = [result("CC401", Status.PASS, name, "offset +1.0 ms") for name in names]
    results += [result("CC201", Status.FAIL, None, "two nodes share a jvmRoute")]
    return rendered(html, make_report(results, nodes=nodes))


PAGES: dict[str, Callable[[Path], str]] = {
    "seed": seed_report,
    "skewed": skewed_report,
    "wide-grid": wide_report,
}


def chromium(work: Path, page: Path, width: int, height: int, *args: str) -> str:
    need(Path(CHROMIUM).exists(), f"chromium not found at {CHROMIUM}")
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={work / 'profile'}",
        f"--window-size={width},{height}",
        *args,
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def measured(work: Path, document: str, width: int) -> dict[str, Any]:
    probe = work / f"measure-{width}.html"
    allowed = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
    copy = CSP.sub(f'<meta http-equiv="Content-Security-Policy" content="{allowed}">', document)
    probe.write_text(copy.replace("</body>", f"<script>{MEASURE}</script></body>"), "utf-8")
    dom = chromium(work, probe, width, 900, "--dump-dom")
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    assert found, "the measuring script did not run"
    return dict(json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")))


@pytest.fixture(scope="module")
def shots() -> Path:
    """Where the screenshots go: CI uploads $CLUSTERCHECK_ARTIFACTS."""
    root = Path(os.environ.get("CLUSTERCHECK_ARTIFACTS", REPO / "build" / "test-artifacts"))
    folder = root / "html"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def layouts(tmp_path_factory: pytest.TempPathFactory, shots: Path) -> dict[str, Any]:
    """Each page measured at each width, and its full-height screenshot kept."""
    need(Path(CHROMIUM).exists(), f"chromium not found at {CHROMIUM}")
    work = tmp_path_factory.mktemp("layout")
    found: dict[str, Any] = {}
    for name, build in PAGES.items():
        document = build(work)
        page = work / f"{name}.html"
        page.write_text(document, encoding="utf-8")
        shutil.copy(page, shots / page.name)
        for width in WIDTHS:
            layout = measured(work, document, width)
            shot = shots / f"{name}-{width}.png"
            shot.unlink(missing_ok=True)
            chromium(work, page, width, layout["pageHeight"], f"--screenshot={shot}")
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            found[f"{name}-{width}"] = layout
    (shots / "layout.json").write_text(json.dumps(found, indent=1))
    return found


CASES = [f"{name}-{width}" for name in PAGES for width in WIDTHS]


@pytest.mark.parametrize("case", CASES)
def test_the_page_never_scrolls_sideways(layouts: dict[str, Any], case: str) -> None:
    layout = layouts[case]
    assert layout["pageWidth"] <= layout["viewport"], layout["overflowing"]
    assert layout["overflowing"] == []
    for box in layout["scrollBoxes"]:  # what is wider scrolls inside its own box
        assert box["box"]["right"] <= layout["viewport"]


def test_the_wide_grid_scrolls_in_its_box_at_800(layouts: dict[str, Any]) -> None:
    grid = layouts["wide-grid-800"]["scrollBoxes"][0]
    assert grid["scrollWidth"] > grid["clientWidth"]  # the control: it is wider than the page
    assert (
        layouts["seed-1400"]["scrollBoxes"][0]["scrollWidth"]
        <= (layouts["seed-1400"]["scrollBoxes"][0]["clientWidth"])
    )


@pytest.mark.parametrize("case", [c for c in CASES if not c.startswith("wide")])
def test_the_clock_chart_stays_in_its_box(layouts: dict[str, Any], case: str) -> None:
    charts = layouts[case]["charts"]
    if case.startswith("seed"):
        assert charts == []  # the example is read from files: no clock was measured
        return
    (chart,) = charts
    svg, section = chart["svg"], chart["section"]
    assert section["left"] <= svg["left"] and svg["right"] <= section["right"]
    width, height = chart["view"]
    for text in chart["texts"]:
        assert 0 <= text["left"] <= text["right"] <= width, text
        assert 0 <= text["top"] <= text["bottom"] <= height, text
    for left, top, right, bottom in chart["shapes"]:
        assert 0 <= left <= right <= width and 0 <= top <= bottom <= height
    texts = chart["texts"]
    for index, one in enumerate(texts):
        for other in texts[index + 1 :]:
            apart = (
                one["right"] <= other["left"]
                or other["right"] <= one["left"]
                or one["bottom"] <= other["top"]
                or other["bottom"] <= one["top"]
            )
            assert apart, (one, other)
    assert "+5000.0 ±8.0 ms" in [t["text"] for t in texts]


BEFORE = {800: 14_837, 1400: 11_089}  # px, when every finding repeated its check's why and fix


@pytest.mark.parametrize("width", WIDTHS)
def test_the_example_reads_shorter_than_before(layouts: dict[str, Any], width: int) -> None:
    """The example's findings are mostly one per check, so grouping saves less here than on a
    run with many findings per check; still at least a sixth of the page."""
    assert layouts[f"seed-{width}"]["pageHeight"] < BEFORE[width] * 5 / 6
