"""The estate: every cluster that records into one history, as the estate page shows it. Its
last verdict and exit code, the age of its last run, whether it stopped reporting, its failing
checks, and its last runs for the trend.

A cluster is stale when its last run ended longer ago than twice its usual interval (the
median gap between the starts of its recent runs: a nightly job is usually 24 h apart, so it
is flagged after 48 h), or, with --stale-after, longer ago than that; each state says which
rule flagged it. A stale cluster needs a look as much as a failing one: nobody knows its state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from statistics import median

from clustercheck.engine.results import Status
from clustercheck.report.history_store import Latest, RunSummary, StoredResult

STALE_FACTOR = 2
UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(s|min|m|h|d|w)\s*")


@dataclass(frozen=True)
class Failing:
    """One check that failed in a cluster's last run: its worst status and where."""

    code: str
    name: str
    status: Status
    nodes: tuple[str, ...]  # "" for a cluster-wide result


@dataclass(frozen=True)
class ClusterState:
    cluster: str
    runs: tuple[RunSummary, ...]  # newest first
    age_s: float | None  # since the last run ended; None: its start time is unreadable
    interval_s: float | None  # the usual interval between runs; None: fewer than two runs
    stale: bool
    rule: str  # what stale means for this cluster, in words
    failing: tuple[Failing, ...]

    @property
    def last(self) -> RunSummary:
        return self.runs[0]

    @property
    def rank(self) -> int:
        """How much it needs a look: its last verdict, and a stale one as an error."""
        return max(self.last.worst.rank, Status.ERROR.rank if self.stale else 0)


def estate(latest: Latest, now: datetime, stale_after_s: float | None = None) -> list[ClusterState]:
    """Every cluster's state, the ones that need a look first, then by name."""
    by_cluster: dict[str, list[RunSummary]] = {}
    for run in latest.runs:
        by_cluster.setdefault(run.cluster, []).append(run)
    states = [
        _state(cluster, runs, latest.findings.get(runs[0].id, []), now, stale_after_s)
        for cluster, runs in by_cluster.items()
    ]
    return sorted(states, key=lambda s: (-s.rank, s.cluster))


def _state(
    cluster: str,
    runs: list[RunSummary],
    findings: list[StoredResult],
    now: datetime,
    stale_after_s: float | None,
) -> ClusterState:
    starts = [_moment(run.started_at) for run in runs]
    known = [s for s in starts if s is not None]
    gaps = [(a - b).total_seconds() for a, b in pairwise(known)]
    interval = median(gaps) if gaps else None
    first = starts[0]
    age = None if first is None else (now - first).total_seconds() - runs[0].duration_s
    if stale_after_s is not None:
        limit: float | None = stale_after_s
        rule = f"stale after {words(stale_after_s)} (--stale-after)"
    elif interval:
        limit = STALE_FACTOR * interval
        rule = f"stale after {words(limit)}: {STALE_FACTOR}x its usual {words(interval)} interval"
    else:
        limit, rule = None, "one run so far: no usual interval yet (see --stale-after)"
    stale = age is None or (limit is not None and age > limit)
    if first is None:
        rule = f"its last run's start time is unreadable ({runs[0].started_at!r})"
    return ClusterState(cluster, tuple(runs), age, interval, stale, rule, _failing(findings))


def _failing(findings: list[StoredResult]) -> tuple[Failing, ...]:
    """The findings by check, worst first: one entry per check with every node it names."""
    checks: dict[str, list[StoredResult]] = {}
    for found in findings:
        checks.setdefault(found.code, []).append(found)
    failing = [
        Failing(
            code,
            results[0].name,
            max((r.status for r in results), key=lambda s: s.rank),
            tuple(dict.fromkeys(r.node or "" for r in results)),
        )
        for code, results in checks.items()
    ]
    return tuple(sorted(failing, key=lambda f: (-f.status.rank, f.code)))


def _moment(text: str) -> datetime | None:
    """A recorded start (ISO 8601; UTC when it names no zone), None when it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_duration(text: str) -> float:
    """Seconds of `36h`, `2d`, `90m`, `1w`; ValueError naming the text when it is not one."""
    match = _DURATION.fullmatch(text)
    if not match or not float(match[1]):
        raise ValueError(f"{text!r} is not a duration such as 36h, 2d, 90min or 1w")
    return float(match[1]) * UNITS[match[2]]


def words(seconds: float) -> str:
    """A duration as a person reads it: `3 d 4 h`, `5 h 10 min`, `12 min`, `40 s`."""
    seconds = max(0, round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{secs} s"
