"""Run history for the nightly job and the estate: every run appended to one store, so a report
can say what changed since the previous run and how each node's clock drifts over the nights,
and the estate page can show every cluster's last runs.

The store is a SQLite file (the default: history_sqlite.py) or, for a URL
`postgresql://user@host:port/db` (or `postgres://`), a PostgreSQL database that many clusters
and cron hosts share (history_postgres.py); both keep the same tables at the same schema
version (history_store.py). This module makes a report into rows and judges what changed.
Text is stored through escape.encodable: a store cannot keep a lone surrogate (a node's name
that was not UTF-8), so such a character is kept as its visible escape, in every run alike.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from clustercheck.engine.results import Result, Status
from clustercheck.report.escape import encodable
from clustercheck.report.history_sqlite import APPLICATION_ID, SqliteStore
from clustercheck.report.history_store import (
    SCHEMA_VERSION,
    HistoryError,
    HistoryStore,
    Latest,
    RunRows,
    RunSummary,
    StoredResult,
    StoredRun,
)
from clustercheck.report.model import Report

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "Changes",
    "HistoryError",
    "Latest",
    "RunSummary",
    "StoredResult",
    "StoredRun",
]

LOCK_WAIT_S = 30.0  # how long a run waits for another writer before giving up on the history


@dataclass(frozen=True)
class Changes:
    """Findings (warn, fail, error) that appeared or went away since the previous run."""

    since: str | None  # the previous run's start; None when there was no previous run
    new: tuple[StoredResult, ...]
    fixed: tuple[StoredResult, ...]


def store(target: str | Path) -> HistoryStore:
    """The store --history names: a PostgreSQL URL, else a SQLite file. A URL that holds a
    password, or one without the driver installed, is a HistoryError before anything runs."""
    from clustercheck.report.history_postgres import is_url

    if isinstance(target, str) and is_url(target):
        from clustercheck.report.history_postgres import PostgresStore

        return PostgresStore(target, LOCK_WAIT_S)
    return SqliteStore(target, LOCK_WAIT_S)


def shown(target: str | Path) -> str:
    """The target as it may be printed (a URL without its password)."""
    from clustercheck.report import history_postgres

    text = str(target)
    return history_postgres.shown(text) if history_postgres.is_url(text) else text


def record(target: str | Path, report: Report, fail_on: Status = Status.FAIL) -> int:
    """Append the run (its verdict's exit code judged with `fail_on`); return its id."""
    summary = {**report.summary, "waived": sum(1 for r in report.results if r.waived)}
    run = (
        encodable(report.cluster),
        encodable(report.facts.settings.source),
        report.facts.started_at,
        report.facts.duration_s,
        report.worst().value,
        json.dumps(summary, allow_nan=False),
        report.exit_code(fail_on),
        fail_on.value,
        encodable(socket.gethostname()),
    )
    rows = RunRows(
        run,
        lambda run_id: (_result_row(run_id, r) for r in report.results),
        lambda run_id: _node_rows(run_id, report),
    )
    return store(target).record(rows)


def previous(target: str | Path, cluster: str, before_run_id: int) -> StoredRun | None:
    """The latest run of `cluster` recorded before `before_run_id`, with its results."""
    return store(target).previous(encodable(cluster), before_run_id)


def runs(target: str | Path, limit: int = 50) -> list[RunSummary]:
    """The latest runs of every cluster, newest first."""
    return store(target).runs(limit)


def clock_history(
    target: str | Path, cluster: str, limit: int = 10
) -> dict[str, list[tuple[str, float]]]:
    """Each node's clock offset over the cluster's last `limit` runs, oldest first; runs in which
    a node's offset was not measured are left out of that node's list."""
    return store(target).clock_history(encodable(cluster), limit)


def latest(target: str | Path, per_cluster: int) -> Latest:
    """Every cluster's last `per_cluster` runs and its latest run's findings: the estate."""
    return store(target).latest(per_cluster)


def changes(previous: StoredRun | None, report: Report) -> Changes:
    """New and fixed findings, keyed by (code, node, status); the report's order (worst first)
    for new ones, worst first for fixed ones. Waived findings are still findings here. Against
    a run recorded before a check was split into a family (its results under the family's
    code, CC603), the members' results count as the family's, so the split itself is neither
    new nor fixed."""
    if previous is None:
        return Changes(since=None, new=(), fixed=())
    recorded = {r.code for r in previous.results}
    family = {
        c.code: c.family.code for c in report.checks if c.family and c.family.code in recorded
    }

    def key(result: StoredResult) -> tuple[str, str | None, Status]:
        code, node, status = result.key
        return (family.get(code, code), node, status)

    now = _unique((_stored(r) for r in report.sorted_results() if r.status.is_finding), key)
    before = _unique((r for r in previous.results if r.status.is_finding), key)
    fixed = sorted(
        (r for key, r in before.items() if key not in now),
        key=lambda r: (-r.status.rank, r.code, r.node or ""),
    )
    return Changes(
        since=previous.started_at,
        new=tuple(r for key, r in now.items() if key not in before),
        fixed=tuple(fixed),
    )


def _result_row(run_id: int, result: Result) -> tuple[object, ...]:
    stored = _stored(result)
    return (
        run_id,
        stored.code,
        stored.name,
        stored.node,
        stored.status.value,
        stored.message,
        _maybe(result.file),
        result.line,
        _maybe(result.waived),
    )


def _node_rows(run_id: int, report: Report) -> list[tuple[object, ...]]:
    """One row per node: its summary as the JSON report gives it, with its clock offset (the
    clocks view's) apart for the trend."""
    return [
        (
            run_id,
            encodable(node.name),
            int(node.reachable),
            node.clock_offset_ms,
            json.dumps(node.as_dict(), default=str, allow_nan=False),
        )
        for node in report.nodes
    ]


def _stored(result: Result) -> StoredResult:
    """The result as the history keeps it (and compares it with the previous run)."""
    return StoredResult(
        result.code, result.name, _maybe(result.node), result.status, encodable(result.message)
    )


def _maybe(text: str | None) -> str | None:
    return None if text is None else encodable(text)


def _unique(
    results: Iterable[StoredResult], key: Callable[[StoredResult], tuple[str, str | None, Status]]
) -> dict[tuple[str, str | None, Status], StoredResult]:
    """The first result of each key, in order."""
    out: dict[tuple[str, str | None, Status], StoredResult] = {}
    for result in results:
        out.setdefault(key(result), result)
    return out
