"""The HTML report's clock chart, as numbers: where each bar, whisker, threshold and label goes.

Offsets run from microseconds to hours (one node with a wrong clock), so a linear axis either
hides the small offsets or throws the big one off the edge. The axis is symmetric-log instead:
linear within a tenth of the warn threshold of zero, logarithmic beyond, so every offset fits
and the thresholds stay apart. Every text is placed with a generous width estimate so that no
two labels overlap and none leaves the chart; the template only draws what this computes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from clustercheck.engine.results import Status
from clustercheck.report.views import ClockRow
from clustercheck.units import milliseconds

WIDTH = 760
ROW_HEIGHT = 30
CHAR_WIDTH = 7.2  # a generous width of one character of the chart's 12px text, in SVG units
LABEL_ROW = 16  # height of one row of threshold labels above the plot
GAP = 8  # the least room between two labels, or a label and what it names
NAME_LIMIT = 26  # longer node names are cut in the chart (the table below has them whole)
NOT_MEASURED = "not measured"
FILL = 0.9  # the largest offset (with its whisker) reaches this share of a half axis


@dataclass(frozen=True)
class Label:
    """A text: `x` is its anchor, `left`/`right` its estimated extent."""

    x: float
    y: float
    text: str
    anchor: str  # start, middle, end

    @property
    def left(self) -> float:
        width = text_width(self.text)
        return {"start": self.x, "middle": self.x - width / 2, "end": self.x - width}[self.anchor]

    @property
    def right(self) -> float:
        return self.left + text_width(self.text)


@dataclass(frozen=True)
class Threshold:
    x: float
    status: Status
    label: Label


@dataclass(frozen=True)
class Tick:
    x: float
    label: Label


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    low: float  # the uncertainty whisker's ends
    high: float


@dataclass(frozen=True)
class ChartRow:
    entry: ClockRow
    name: Label
    mid: float
    bar: Bar | None  # None: not measured
    value: Label  # the offset written beside its bar


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    zero: float
    thresholds: tuple[Threshold, ...]
    ticks: tuple[Tick, ...]
    caption: Label  # under the zero line: which way is ahead
    rows: tuple[ChartRow, ...]
    fail_shown: bool  # the fail threshold is within the axis


def text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


class Axis:
    """Symmetric-log position of an offset: linear within ±`linear` ms, log beyond; the
    largest offset (`reach`) lands at FILL of a half axis."""

    def __init__(self, zero: float, half: float, linear: float, reach: float) -> None:
        self.zero, self.half, self.linear = zero, half, linear
        self.top = max(self.depth(reach), self.depth(linear)) / FILL  # warn 0, offsets 0

    def depth(self, value: float) -> float:
        return math.log10(1 + abs(value) / self.linear)

    def x(self, value: float) -> float:
        return round(self.zero + math.copysign(self.depth(value) / self.top, value) * self.half, 1)

    def shows(self, value: float) -> bool:
        return self.depth(value) <= self.top

    @property
    def extent(self) -> float:
        """The largest offset the axis shows, in ms."""
        return self.linear * (10**self.top - 1)


def chart(entries: Sequence[ClockRow], warn_ms: float, fail_ms: float) -> Chart:
    """The chart of these nodes' offsets with the warn and fail thresholds: node names on the
    left, then the axis with room on each side for the values written beside the bars."""
    names = [_cut(entry.node) for entry in entries]
    values = [_value(entry) for entry in entries]
    plot_left = max([text_width(n) for n in names] + [48]) + 2 * GAP
    plot_right = WIDTH - GAP
    margin = max(text_width(v) for v in [*values, NOT_MEASURED]) + 2 * GAP
    zero = round((plot_left + plot_right) / 2, 1)
    reach = max(
        [abs(e.offset_ms) + (e.uncertainty_ms or 0) for e in entries if e.offset_ms is not None]
        + [warn_ms]
    )
    axis = Axis(zero, zero - plot_left - margin, max(warn_ms / 10, 1e-3), reach)
    marks = [
        (sign * limit, status)
        for limit, status in ((warn_ms, Status.WARN), (fail_ms, Status.FAIL))
        if axis.shows(limit)
        for sign in (-1, 1)
    ]
    labels, label_rows = _stacked(
        [(axis.x(v), f"{status.value} {v:+g}") for v, status in marks], top=LABEL_ROW - 3
    )
    plot_top = label_rows * LABEL_ROW + GAP
    rows = tuple(
        _row(entry, name, value, axis, plot_left, plot_top + index * ROW_HEIGHT)
        for index, (entry, name, value) in enumerate(zip(entries, names, values, strict=True))
    )
    plot_bottom = plot_top + len(entries) * ROW_HEIGHT
    return Chart(
        width=WIDTH,
        height=plot_bottom + 40,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        zero=zero,
        thresholds=tuple(
            Threshold(axis.x(v), status, label)
            for (v, status), label in zip(marks, labels, strict=True)
        ),
        ticks=_ticks(axis, plot_left, plot_right, plot_bottom + 15),
        caption=Label(zero, plot_bottom + 32, "node behind ← 0 → ahead", "middle"),
        rows=rows,
        fail_shown=axis.shows(fail_ms),
    )


def _cut(name: str) -> str:
    return name if len(name) <= NAME_LIMIT else name[: NAME_LIMIT - 1] + "…"


def _value(entry: ClockRow) -> str:
    """ "+3.2 ±1.1 ms", as the table under the chart writes it."""
    if entry.offset_ms is None:
        return NOT_MEASURED
    offset = milliseconds(entry.offset_ms, signed=True)
    if entry.uncertainty_ms is None:
        return offset
    return f"{offset.removesuffix(' ms')} ±{milliseconds(entry.uncertainty_ms)}"


def _stacked(marks: Sequence[tuple[float, str]], top: float) -> tuple[list[Label], int]:
    """Labels centred over their marks (kept inside the chart), each on the first row where it
    clears the labels already there: the labels, in the marks' order, and the rows used."""
    ends: list[float] = []  # the right end of each row's last label
    placed: dict[int, Label] = {}
    for index in sorted(range(len(marks)), key=lambda i: marks[i][0]):
        x, text = marks[index]
        width = text_width(text)
        centre = min(max(x, width / 2 + 2), WIDTH - width / 2 - 2)
        row = next((r for r, end in enumerate(ends) if centre - width / 2 >= end + GAP), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = centre + width / 2
        placed[index] = Label(round(centre, 1), top + row * LABEL_ROW, text, "middle")
    return [placed[i] for i in range(len(marks))], max(len(ends), 1)


def _ticks(axis: Axis, left: float, right: float, y: float) -> tuple[Tick, ...]:
    """0 and the decades (1 ms, 10 ms, ..., 1 s, 10 s) the axis reaches, nearest zero first;
    a tick whose label would touch one already placed, or leave the plot, is left out."""
    ticks = [Tick(axis.zero, Label(axis.zero, y, "0", "middle"))]
    decade = 10 ** math.ceil(math.log10(axis.linear))
    while decade <= axis.extent:
        for value in (-decade, decade):
            label = Label(axis.x(value), y, _duration(value), "middle")
            clear = all(
                label.left >= t.label.right + GAP or label.right + GAP <= t.label.left
                for t in ticks
            )
            if clear and left <= label.left and label.right <= right:
                ticks.append(Tick(label.x, label))
        decade *= 10
    return tuple(ticks)


def _duration(ms: float) -> str:
    """+10 ms, -1 s: a decade tick in the unit that reads best."""
    sign = "-" if ms < 0 else "+"
    size = abs(ms)
    return f"{sign}{size / 1000:g} s" if size >= 1000 else f"{sign}{size:g} ms"


def _row(entry: ClockRow, name: str, value: str, axis: Axis, left: float, top: float) -> ChartRow:
    mid = top + ROW_HEIGHT / 2
    label = Label(left - GAP, mid + 4, name, "end")
    offset = entry.offset_ms
    if offset is None:
        return ChartRow(entry, label, mid, None, Label(axis.zero + GAP, mid + 4, value, "start"))
    spread = entry.uncertainty_ms or 0
    x = axis.x(offset)
    bar = Bar(
        min(axis.zero, x),
        round(abs(x - axis.zero), 1),
        axis.x(offset - spread),
        axis.x(offset + spread),
    )
    return ChartRow(entry, label, mid, bar, _beside(bar, axis.zero, offset, value, left, mid + 4))


def _beside(bar: Bar, zero: float, offset: float, text: str, left: float, y: float) -> Label:
    """The value beside its bar: past the bar's outer end (the axis leaves room for it), else
    on the other side of zero, else wherever there is more room (inside the chart)."""
    drawn_left = min(zero, bar.x, bar.low)
    drawn_right = max(zero, bar.x + bar.width, bar.high)
    after = Label(round(drawn_right + GAP, 1), y, text, "start")
    before = Label(round(drawn_left - GAP, 1), y, text, "end")
    for label in (after, before) if offset >= 0 else (before, after):
        if left <= label.left and label.right <= WIDTH - 2:
            return label
    if WIDTH - drawn_right >= drawn_left - left:
        return Label(WIDTH - 2, y, text, "end")
    return Label(left, y, text, "start")
