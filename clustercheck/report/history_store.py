"""What every history store shares: the records it returns, its one error, the Protocol the
history (report/history.py) talks to, and the reads, written once in SQL that SQLite and
PostgreSQL both run.

Both stores keep the same tables (runs, results, nodes) at the same schema version; each store
creates and migrates them in its own dialect. A store that reads an older schema (readers never
migrate: a read-only database user may render the estate page) reads what that version has,
and the columns added since as NULL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from clustercheck.engine.results import Status

# 1: runs, results, nodes. 2: runs.exit_code, fail_on and recorded_by (the estate page).
SCHEMA_VERSION = 2

FINDINGS = ", ".join(f"'{s.value}'" for s in Status if s.is_finding)  # SQL: 'warn', ...
Row = tuple[Any, ...]
Query = Callable[[str, Sequence[object]], list[Row]]  # SQL with `?` placeholders -> rows


class HistoryError(Exception):
    """The history cannot be used (not clustercheck's, damaged, from a newer clustercheck,
    locked, unreachable); one line that names the file or the URL (never its password)."""


@dataclass(frozen=True)
class StoredResult:
    code: str
    name: str
    node: str | None
    status: Status
    message: str

    @property
    def key(self) -> tuple[str, str | None, Status]:
        """What makes a finding the same finding from one run to the next; messages may carry
        values that change every night (offsets, counts), so they are not part of it."""
        return (self.code, self.node, self.status)


@dataclass(frozen=True)
class StoredRun:
    id: int
    cluster: str
    started_at: str
    duration_s: float
    results: tuple[StoredResult, ...]


@dataclass(frozen=True)
class RunSummary:
    id: int
    cluster: str
    started_at: str
    duration_s: float
    counts: dict[str, int]  # every result per status (as the JSON summary), plus "waived"
    worst: Status  # waived findings aside, as the exit code sees it
    exit_code: int | None = None  # the verdict's exit code; None: recorded before schema 2
    fail_on: str | None = None  # the --fail-on that exit code was judged with
    recorded_by: str | None = None  # the machine that ran clustercheck


@dataclass(frozen=True)
class Latest:
    """What the estate page is made of: every cluster's last runs (by cluster, newest first)
    and the counted findings (warn, fail, error; not waived) of each one's latest run, by run
    id."""

    runs: list[RunSummary]
    findings: dict[int, list[StoredResult]]


@dataclass(frozen=True)
class RunRows:
    """One run as rows: the run's own (RUN_FIELDS, in order), and its results' and nodes' rows
    made from the run's id once the store has it, lazily: a big run is never held twice."""

    run: Row
    results: Callable[[int], Iterable[Row]]
    nodes: Callable[[int], Iterable[Row]]


RUN_FIELDS = (
    "cluster", "inventory", "started_at", "duration_s", "worst", "counts",
    "exit_code", "fail_on", "recorded_by",
)  # fmt: skip
RESULT_FIELDS = ("run_id", "code", "name", "node", "status", "message", "file", "line", "waived")
NODE_FIELDS = ("run_id", "node", "reachable", "clock_offset_ms", "summary")


def insert(table: str, fields: Sequence[str]) -> str:
    """INSERT of one row, with `?` placeholders."""
    return f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})"


class HistoryStore(Protocol):
    """Where runs are kept: a SQLite file or a PostgreSQL database."""

    def record(self, rows: RunRows) -> int:
        """Append the run in one transaction; return its id."""
        ...

    def previous(self, cluster: str, before_run_id: int) -> StoredRun | None: ...

    def runs(self, limit: int) -> list[RunSummary]: ...

    def clock_history(self, cluster: str, limit: int) -> dict[str, list[tuple[str, float]]]: ...

    def latest(self, per_cluster: int) -> Latest:
        """Every cluster's last runs and its latest run's findings, read at one moment."""
        ...


class SqlReads:
    """The reads, once for both stores: a store gives `_reading`, which yields a Query and the
    schema version, or None when there is no history yet, and turns what goes wrong in it
    (a damaged row's ValueError too) into a HistoryError."""

    def _reading(self) -> AbstractContextManager[tuple[Query, int] | None]:
        raise NotImplementedError

    def previous(self, cluster: str, before_run_id: int) -> StoredRun | None:
        with self._reading() as reading:
            if reading is None:
                return None
            query, _version = reading
            found = query(
                "SELECT id, started_at, duration_s FROM runs"
                " WHERE cluster = ? AND id < ? ORDER BY id DESC LIMIT 1",
                (cluster, before_run_id),
            )
            if not found:
                return None
            run_id, started_at, duration_s = found[0]
            results = tuple(
                StoredResult(code, name, node, Status(status), message)
                for code, name, node, status, message in query(
                    "SELECT code, name, node, status, message FROM results WHERE run_id = ?"
                    " ORDER BY rowid",
                    (run_id,),
                )
            )
        return StoredRun(run_id, cluster, started_at, duration_s, results)

    def runs(self, limit: int) -> list[RunSummary]:
        with self._reading() as reading:
            if reading is None:
                return []
            query, version = reading
            rows = query(f"SELECT {_summary(version)} FROM runs ORDER BY id DESC LIMIT ?", (limit,))
            return [_run_summary(row) for row in rows]

    def clock_history(self, cluster: str, limit: int) -> dict[str, list[tuple[str, float]]]:
        with self._reading() as reading:
            if reading is None:
                return {}
            query, _version = reading
            history: dict[str, list[tuple[str, float]]] = {}
            for started_at, node, offset in query(
                "SELECT recent.started_at, nodes.node, nodes.clock_offset_ms"
                " FROM (SELECT id, started_at FROM runs WHERE cluster = ? ORDER BY id DESC"
                " LIMIT ?) AS recent JOIN nodes ON nodes.run_id = recent.id"
                " WHERE nodes.clock_offset_ms IS NOT NULL ORDER BY recent.id, nodes.rowid",
                (cluster, limit),
            ):
                history.setdefault(str(node), []).append((str(started_at), float(offset)))
        return history

    def latest(self, per_cluster: int) -> Latest:
        with self._reading() as reading:
            if reading is None:
                return Latest([], {})
            query, version = reading
            rows = query(
                f"SELECT {_summary(version)} FROM (SELECT runs.*, row_number() OVER"
                " (PARTITION BY cluster ORDER BY id DESC) AS nth FROM runs) AS ranked"
                " WHERE nth <= ? ORDER BY cluster, id DESC",
                (per_cluster,),
            )
            found: dict[int, list[StoredResult]] = {}
            for run_id, code, name, node, status, message in query(
                "SELECT results.run_id, code, name, node, status, message FROM results"
                " JOIN (SELECT max(id) AS id FROM runs GROUP BY cluster) AS latest"
                " ON results.run_id = latest.id"
                f" WHERE status IN ({FINDINGS}) AND waived IS NULL"
                " ORDER BY results.run_id, results.rowid",
                (),
            ):
                stored = StoredResult(code, name, node, Status(status), message)
                found.setdefault(int(run_id), []).append(stored)
            return Latest([_run_summary(row) for row in rows], found)


def _summary(version: int) -> str:
    """The columns of a RunSummary as this schema version has them."""
    added = "exit_code, fail_on, recorded_by" if version >= 2 else "NULL, NULL, NULL"
    return f"id, cluster, started_at, duration_s, counts, worst, {added}"


def _run_summary(row: Row) -> RunSummary:
    id_, cluster, started, duration, counts, worst, exit_code, fail_on, recorded_by = row
    return RunSummary(
        int(id_),
        cluster,
        started,
        float(duration),
        counts_of(counts),
        Status(worst),
        None if exit_code is None else int(exit_code),
        fail_on,
        recorded_by,
    )


def counts_of(text: str) -> dict[str, int]:
    """A run's counts as recorded; ValueError (a damaged row) when they are not."""
    counts = json.loads(text)
    if not isinstance(counts, dict) or not all(isinstance(n, int) for n in counts.values()):
        raise ValueError(f"counts {text[:40]!r} are not a mapping of numbers")
    return counts
