"""The clock chart's geometry as numbers, read back from the SVG the HTML report draws: for
offsets from 0 to 100 s of either sign, on one node and on sixty, with uncertainty whiskers,
nothing leaves the chart, no text lands on another, each value sits beside its own bar, and
the threshold labels keep apart. (The browser test measures two of these with real fonts.)"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from sample import make_report, node, rendered, result

from clustercheck.engine.results import Status
from clustercheck.inventory.settings import NtpSettings
from clustercheck.reports import html
from clustercheck.reports.clock_chart import GAP, text_width

OFFSETS = (0.0, 0.4, 3.0, 60.0, 150.0, 999.0, 5_000.0, 100_000.0)
THRESHOLDS = (NtpSettings(warn_ms=100, fail_ms=1000), NtpSettings(warn_ms=50, fail_ms=120))
TEXT_ABOVE, TEXT_BELOW = 12, 4  # a 12px text's extent around its baseline


@dataclass(frozen=True)
class Box:
    left: float
    right: float
    top: float
    bottom: float

    def meets(self, other: Box) -> bool:
        return not (
            self.right <= other.left
            or other.right <= self.left
            or self.bottom <= other.top
            or other.bottom <= self.top
        )


class Svg(HTMLParser):
    """The chart's viewBox, and every rect, line and text in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.size = (0.0, 0.0)
        self.shapes: list[tuple[str, dict[str, str]]] = []
        self.texts: list[tuple[dict[str, str], str]] = []
        self._text: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "svg" and "chart" in values.get("class", ""):
            _, _, width, height = map(float, values["viewbox"].split())
            self.size = (width, height)
        elif tag in ("rect", "line"):
            self.shapes.append((tag, values))
        elif tag == "text":
            self._text = values

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self.texts.append((self._text, data))
            self._text = None


def chart_of(document: str) -> Svg:
    start = document.index('<svg class="chart"')
    svg = Svg()
    svg.feed(document[start : document.index("</svg>", start) + 6])
    return svg


def text_box(attrs: dict[str, str], text: str) -> Box:
    x, y, width = float(attrs["x"]), float(attrs["y"]), text_width(text)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[attrs["text-anchor"]]
    return Box(left, left + width, y - TEXT_ABOVE, y + TEXT_BELOW)


def shape_box(tag: str, a: dict[str, str]) -> Box:
    if tag == "rect":
        x, y = float(a["x"]), float(a["y"])
        return Box(x, x + float(a["width"]), y, y + float(a["height"]))
    x1, x2, y1, y2 = (float(a[k]) for k in ("x1", "x2", "y1", "y2"))
    return Box(min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2))


def clock_report(offsets: list[float | None], ntp: NtpSettings) -> str:
    names = [f"tomcat{i:02d}" for i in range(len(offsets))]
    rows = [
        {
            "node": name,
            "offset_ms": offset,
            "uncertainty_ms": None if offset is None else abs(offset) * 0.05 + 0.5,
            "status": "pass" if offset is None or abs(offset) < ntp.warn_ms else "fail",
        }
        for name, offset in zip(names, offsets, strict=True)
    ]
    report = make_report(
        [result("CC401", Status.PASS, name) for name in names],
        nodes=[node(name, "10.0.0.1") for name in names],
        views={"clocks": {"reference": None, "nodes": rows}},
        ntp=ntp,
    )
    return rendered(html, report)


def sixty(offset: float) -> list[float | None]:
    """Sixty nodes a few ms apart, one of them `offset` off and one not measured."""
    nodes: list[float | None] = [((i * 7) % 23 - 11) * 0.8 for i in range(60)]
    nodes[17], nodes[42] = offset, None
    return nodes


CASES = [
    pytest.param(offsets, ntp, id=f"{label}-{sign * offset:+g}ms-warn{ntp.warn_ms:g}")
    for offset, sign, ntp in itertools.product(OFFSETS, (1, -1), THRESHOLDS)
    for label, offsets in (("one", [sign * offset]), ("sixty", sixty(sign * offset)))
]


@pytest.mark.parametrize(("offsets", "ntp"), CASES)
def test_nothing_leaves_the_chart_and_no_text_lands_on_another(
    offsets: list[float | None], ntp: NtpSettings
) -> None:
    svg = chart_of(clock_report(offsets, ntp))
    width, height = svg.size
    inside = Box(0, width, 0, height)
    boxes = [shape_box(tag, attrs) for tag, attrs in svg.shapes]
    texts = [text_box(attrs, text) for attrs, text in svg.texts]
    for box in boxes + texts:
        assert inside.left <= box.left <= box.right <= inside.right, box
        assert inside.top <= box.top <= box.bottom <= inside.bottom, box
    for one, other in itertools.combinations(texts, 2):
        assert not one.meets(other), (one, other)


@pytest.mark.parametrize(("offsets", "ntp"), CASES)
def test_each_value_is_beside_its_own_bar(offsets: list[float | None], ntp: NtpSettings) -> None:
    svg = chart_of(clock_report(offsets, ntp))
    bars = [shape_box(t, a) for t, a in svg.shapes if t == "rect" and a.get("height") == "14"]
    values = [text_box(a, t) for a, t in svg.texts if t.endswith(" ms") and "±" in t]
    assert len(bars) == len(values) == sum(o is not None for o in offsets)
    for bar, value in zip(bars, values, strict=True):
        assert bar.top < value.bottom and value.top < bar.bottom  # on the bar's row
        gap = max(value.left - bar.right, bar.left - value.right)
        assert gap >= GAP / 2 or not bar.meets(value)


@pytest.mark.parametrize("ntp", [*THRESHOLDS, NtpSettings(warn_ms=100, fail_ms=110)])
@pytest.mark.parametrize("offset", [150.0, 5_000.0, -100_000.0])
def test_threshold_labels_keep_apart(ntp: NtpSettings, offset: float) -> None:
    svg = chart_of(clock_report([offset, 2.0], ntp))
    labels = [
        text_box(attrs, text)
        for attrs, text in svg.texts
        if re.fullmatch(r"(warn|fail) [-+][\d.]+", text)
    ]
    shown = 2 + 2 * (abs(offset) + abs(offset) * 0.05 + 0.5 >= ntp.fail_ms)
    assert len(labels) >= min(shown, 4) and len(labels) % 2 == 0
    for one, other in itertools.combinations(labels, 2):
        same_row = one.top == other.top
        assert not same_row or max(other.left - one.right, one.left - other.right) >= GAP


def test_a_skewed_node_does_not_squash_the_others() -> None:
    """+5 s beside a few ms: the small offsets still get bars a reader sees (on a linear axis
    a 3 ms bar would be a tenth of a unit wide)."""
    svg = chart_of(clock_report([3.0, 5_000.0, -12.0], NtpSettings()))
    bars = [shape_box(t, a) for t, a in svg.shapes if t == "rect" and a.get("height") == "14"]
    small, skewed, behind = (bar.right - bar.left for bar in bars)
    assert small >= 5 and behind > small and skewed > 4 * behind
