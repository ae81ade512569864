"""Output formats behind one interface, found by name through the `clustercheck.reports`
entry-point group (the built-in ones use it too), as checks are found through
`clustercheck.checks`: a third-party package adds a format without touching clustercheck."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Literal

from clustercheck.engine.plugins import load_plugin, origin
from clustercheck.engine.results import Status
from clustercheck.report.model import Report

if TYPE_CHECKING:  # the history (sqlite3) is imported only by runs that keep one
    from clustercheck.report.history import Changes

GROUP = "clustercheck.reports"

ColorSystem = Literal["standard", "256", "truecolor", "windows"]
COLOR_SYSTEMS: dict[str, ColorSystem] = {
    "standard": "standard",
    "256": "256",
    "truecolor": "truecolor",
    "windows": "windows",
}


@dataclass(frozen=True)
class Trend:
    """What the run history adds to a report: what changed since the previous run (the
    history's Changes), and each node's recent clock offsets, oldest first; or, when the
    history could not be used, why (one line, shown where the changes would be)."""

    changes: Changes | None = None
    clock_history: Mapping[str, Sequence[tuple[str, float]]] = field(default_factory=dict)
    problem: str | None = None


@dataclass(frozen=True)
class RenderOptions:
    """Everything a format may need besides the report; each format reads what it uses."""

    fail_on: Status = Status.FAIL
    exit_code: int = 0
    quiet: bool = False
    width: int = 100  # terminal columns
    color: ColorSystem | None = None  # the terminal's colour system; None: no colour
    trend: Trend = field(default_factory=Trend)
    estate_url: str | None = None  # where the estate page is (--estate-url): the HTML links it
    # what this run wrote, (format name, file), and ("history", where) when it recorded the run:
    # the summary says where the full reports are
    written: tuple[tuple[str, str], ...] = ()


Rendered = str | Iterable[str]


@dataclass(frozen=True)
class Format:
    """A named renderer: render(report, options) -> the whole output as text (or its chunks)."""

    name: str
    summary: str
    render: Callable[[Report, RenderOptions], Rendered] = field(repr=False)
    to_stdout: bool = True  # whether `-` (standard output) makes sense for it


class FormatError(Exception):
    """A format plugin that cannot be used, or a name that names no format; one line."""


def load_formats(eps: Iterable[EntryPoint] | None = None) -> dict[str, Format]:
    """Every registered format by name, for `clustercheck formats`."""
    found: dict[str, Format] = {}
    for ep in eps if eps is not None else entry_points(group=GROUP):
        if ep.name in found:
            raise FormatError(f"duplicate format {ep.name}: {origin(ep)}")
        found[ep.name] = _load(ep)
    return dict(sorted(found.items()))


def find_format(name: str, eps: Iterable[EntryPoint] | None = None) -> Format:
    """The format registered as `name`, loading only that one (a run that writes JSON does not
    pay for importing the HTML templates)."""
    matching = list(eps if eps is not None else entry_points(group=GROUP))
    named = [ep for ep in matching if ep.name == name]
    if not named:
        known = ", ".join(sorted({ep.name for ep in matching}))
        raise FormatError(f"no output format named {name!r} (known: {known})")
    if len(named) > 1:
        raise FormatError(f"duplicate format {name}: {', '.join(map(origin, named))}")
    return _load(named[0])


def _load(ep: EntryPoint) -> Format:
    """A format plugin; its entry point's name must be its format's name."""
    obj = load_plugin(ep, Format, FormatError, "format")
    if obj.name != ep.name:
        raise FormatError(f"format plugin {origin(ep)} is registered as {ep.name!r}: {obj.name!r}")
    return obj
