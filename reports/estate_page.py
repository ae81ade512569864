"""The estate page: every cluster recording into one history on one self-contained HTML page
(`clustercheck history URL|FILE --html FILE`), the ones that need a look first.

Built as the run report is (reports/html.py: its Jinja environment, autoescape after
escape.xml, its looks and CSP): inline CSS and SVG, no script, nothing from the network. Each
cluster's trend is an inline SVG of its last runs, a bar per run whose height and colour are
its verdict, each with its words in a tooltip and the tally in text beside it (colour is never
alone). Nothing read from the history (a cluster's name, a host, a message) is ever markup.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from clustercheck import __version__
from clustercheck.engine.results import Status
from clustercheck.report.estate import ClusterState, words
from clustercheck.report.history_store import RunSummary
from clustercheck.reports.common import COUNT_ORDER
from clustercheck.reports.html import ENV, LOOK, NOTHING_JUDGED, Look

STALE = Look("STALE", "#ffe0cc", "#7a2e00", "#e0661a")
FAILING_SHOWN = 8  # checks listed per cluster; the rest are counted
BAR_WIDTH, BAR_GAP, TREND_HEIGHT = 7, 2, 30
BAR_HEIGHT = {Status.SKIP: 4, Status.PASS: 8, Status.WARN: 16, Status.FAIL: 24, Status.ERROR: 30}


def render(states: Sequence[ClusterState], source: str, now: datetime) -> str:
    """The page of these states, read from `source` (the history as it may be shown) at `now`."""
    worst = Counter(s.last.worst for s in states)
    return ENV.get_template("estate.html.j2").render(
        version=__version__,
        source=source,
        generated=now.isoformat(timespec="seconds"),
        look=LOOK,
        stale_look=STALE,
        clusters=[_cluster(state) for state in states],
        chips=[(LOOK[s], worst[s]) for s in COUNT_ORDER if worst[s]],
        stale=sum(1 for s in states if s.stale),
        attention=sum(1 for s in states if s.rank >= Status.WARN.rank),
    )


def _cluster(state: ClusterState) -> dict[str, Any]:
    last = state.last
    exit_code = "exit ?" if last.exit_code is None else f"exit {last.exit_code}"
    return {
        "state": state,
        "look": NOTHING_JUDGED if last.exit_code == 2 else LOOK[last.worst],
        "accent": STALE.accent if state.stale else LOOK[last.worst].accent,
        "age": "unknown" if state.age_s is None else f"{words(state.age_s)} ago",
        "exit": exit_code + (f" (--fail-on {last.fail_on})" if last.fail_on else ""),
        "failing": state.failing[:FAILING_SHOWN],
        "more": max(len(state.failing) - FAILING_SHOWN, 0),
        "trend": _trend(state.runs),
    }


def _trend(runs: Sequence[RunSummary]) -> dict[str, Any]:
    """The runs oldest first, left to right, as bars on a baseline, and their tally."""
    oldest_first = list(reversed(runs))
    bars = [
        {
            "x": index * (BAR_WIDTH + BAR_GAP),
            "y": TREND_HEIGHT - BAR_HEIGHT[run.worst],
            "height": BAR_HEIGHT[run.worst],
            "look": LOOK[run.worst],
            "title": f"{run.started_at}: {LOOK[run.worst].word}"
            + (f", exit {run.exit_code}" if run.exit_code is not None else ""),
        }
        for index, run in enumerate(oldest_first)
    ]
    tally = Counter(run.worst for run in runs)
    return {
        "bars": bars,
        "width": max(len(bars) * (BAR_WIDTH + BAR_GAP) - BAR_GAP, 1),
        "height": TREND_HEIGHT,
        "bar_width": BAR_WIDTH,
        "tally": ", ".join(f"{tally[s]} {LOOK[s].word}" for s in COUNT_ORDER if tally[s]),
        "runs": len(runs),
    }
