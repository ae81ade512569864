"""Run history for the nightly job: every run appended to one SQLite file, so a report can say
what changed since the previous run and how each node's clock drifts over the nights.

The file is created on first use and its schema is versioned with PRAGMA user_version; a file
written by a newer clustercheck is refused rather than misread. Each run is written in ONE
transaction under SQLite's rollback journal (no -wal/-shm side files): a run that dies halfway
leaves a hot journal that the next open rolls back, so the file never holds half a run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from clustercheck.engine.results import Result, Status
from clustercheck.report.model import Report

SCHEMA_VERSION = 1

# MIGRATIONS[n] takes a file from user_version n to n + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            cluster TEXT NOT NULL,
            inventory TEXT NOT NULL,
            started_at TEXT NOT NULL,
            duration_s REAL NOT NULL,
            worst TEXT NOT NULL,
            counts TEXT NOT NULL
        )""",
        "CREATE INDEX runs_by_cluster ON runs (cluster, id)",
        """CREATE TABLE results (
            run_id INTEGER NOT NULL REFERENCES runs (id),
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            node TEXT,
            status TEXT NOT NULL,
            message TEXT NOT NULL,
            file TEXT,
            line INTEGER,
            waived TEXT
        )""",
        "CREATE INDEX results_by_run ON results (run_id)",
        """CREATE TABLE nodes (
            run_id INTEGER NOT NULL REFERENCES runs (id),
            node TEXT NOT NULL,
            reachable INTEGER NOT NULL,
            clock_offset_ms REAL,
            summary TEXT NOT NULL
        )""",
        "CREATE INDEX nodes_by_run ON nodes (run_id)",
    ),
)
assert len(MIGRATIONS) == SCHEMA_VERSION


class HistoryError(Exception):
    """The history file cannot be used (not SQLite, or from a newer clustercheck)."""


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


@dataclass(frozen=True)
class Changes:
    """Findings (warn, fail, error) that appeared or went away since the previous run."""

    since: str | None  # the previous run's start; None when there was no previous run
    new: tuple[StoredResult, ...]
    fixed: tuple[StoredResult, ...]


def record(path: str | Path, report: Report) -> int:
    """Append the run; return its id."""
    summary = {**report.summary, "waived": sum(1 for r in report.results if r.waived)}
    with _open(path) as conn, _transaction(conn):
        run_id = conn.execute(
            "INSERT INTO runs (cluster, inventory, started_at, duration_s, worst, counts)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                report.cluster,
                report.facts.settings.source,
                report.facts.started_at,
                report.facts.duration_s,
                report.worst().value,
                json.dumps(summary, allow_nan=False),
            ),
        ).lastrowid
        assert run_id is not None
        conn.executemany(
            "INSERT INTO results (run_id, code, name, node, status, message, file, line, waived)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (_result_row(run_id, r) for r in report.results),
        )
        conn.executemany(
            "INSERT INTO nodes (run_id, node, reachable, clock_offset_ms, summary)"
            " VALUES (?, ?, ?, ?, ?)",
            _node_rows(run_id, report),
        )
    return run_id


def previous(path: str | Path, cluster: str, before_run_id: int) -> StoredRun | None:
    """The latest run of `cluster` recorded before `before_run_id`, with its results."""
    if not Path(path).exists():
        return None
    with _open(path) as conn:
        row = conn.execute(
            "SELECT id, started_at, duration_s FROM runs"
            " WHERE cluster = ? AND id < ? ORDER BY id DESC LIMIT 1",
            (cluster, before_run_id),
        ).fetchone()
        if row is None:
            return None
        results = tuple(
            StoredResult(code, name, node, Status(status), message)
            for code, name, node, status, message in conn.execute(
                "SELECT code, name, node, status, message FROM results WHERE run_id = ?"
                " ORDER BY rowid",
                (row[0],),
            )
        )
    run_id, started_at, duration_s = row
    return StoredRun(run_id, cluster, started_at, duration_s, results)


def runs(path: str | Path, limit: int = 50) -> list[RunSummary]:
    """The latest runs of every cluster, newest first."""
    if not Path(path).exists():
        return []
    with _open(path) as conn:
        rows = conn.execute(
            "SELECT id, cluster, started_at, duration_s, counts, worst FROM runs"
            " ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
    return [
        RunSummary(id_, cluster, started, duration, json.loads(counts), Status(worst))
        for id_, cluster, started, duration, counts, worst in rows
    ]


def changes(previous: StoredRun | None, report: Report) -> Changes:
    """New and fixed findings, keyed by (code, node, status); the report's order (worst first)
    for new ones, worst first for fixed ones. Waived findings are still findings here."""
    if previous is None:
        return Changes(since=None, new=(), fixed=())
    now = _unique(_stored(r) for r in report.sorted_results() if r.status.is_finding)
    before = _unique(r for r in previous.results if r.status.is_finding)
    fixed = sorted(
        (r for key, r in before.items() if key not in now),
        key=lambda r: (-r.status.rank, r.code, r.node or ""),
    )
    return Changes(
        since=previous.started_at,
        new=tuple(r for key, r in now.items() if key not in before),
        fixed=tuple(fixed),
    )


def clock_history(
    path: str | Path, cluster: str, limit: int = 10
) -> dict[str, list[tuple[str, float]]]:
    """Each node's clock offset over the cluster's last `limit` runs, oldest first; runs in which
    a node's offset was not measured are left out of that node's list."""
    if not Path(path).exists():
        return {}
    with _open(path) as conn:
        rows = conn.execute(
            "SELECT recent.started_at, nodes.node, nodes.clock_offset_ms"
            " FROM (SELECT id, started_at FROM runs WHERE cluster = ? ORDER BY id DESC LIMIT ?)"
            " AS recent JOIN nodes ON nodes.run_id = recent.id"
            " WHERE nodes.clock_offset_ms IS NOT NULL ORDER BY recent.id, nodes.rowid",
            (cluster, limit),
        ).fetchall()
    history: dict[str, list[tuple[str, float]]] = {}
    for started_at, node, offset in rows:
        history.setdefault(node, []).append((started_at, offset))
    return history


def _result_row(run_id: int, result: Result) -> tuple[object, ...]:
    return (
        run_id,
        result.code,
        result.name,
        result.node,
        result.status.value,
        result.message,
        result.file,
        result.line,
        result.waived,
    )


def _node_rows(run_id: int, report: Report) -> list[tuple[object, ...]]:
    """One row per node: its summary as the JSON report gives it, with its clock offset (the
    clocks view's) apart for the trend."""
    return [
        (
            run_id,
            node.name,
            int(node.reachable),
            node.clock_offset_ms,
            json.dumps(node.as_dict(), default=str, allow_nan=False),
        )
        for node in report.nodes
    ]


def _stored(result: Result) -> StoredResult:
    return StoredResult(result.code, result.name, result.node, result.status, result.message)


def _unique(results: Iterable[StoredResult]) -> dict[tuple[str, str | None, Status], StoredResult]:
    """The first result of each key, in order."""
    out: dict[tuple[str, str | None, Status], StoredResult] = {}
    for result in results:
        out.setdefault(result.key, result)
    return out


@contextmanager
def _open(path: str | Path) -> Iterator[sqlite3.Connection]:
    """A connection to an up-to-date history file, created if missing; closed on exit."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: no implicit transactions; _transaction says where they are
    with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as conn:
        try:
            _migrate(conn, path)
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"{path}: not a clustercheck history file ({exc})") from None
        yield conn


def _migrate(conn: sqlite3.Connection, path: str | Path) -> None:
    if _version(conn, path) == SCHEMA_VERSION:
        return
    with _transaction(conn):
        version = _version(conn, path)  # again, under the lock: another run may have migrated
        for step in MIGRATIONS[version:]:
            for statement in step:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _version(conn: sqlite3.Connection, path: str | Path) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise HistoryError(
            f"{path}: written by a newer clustercheck (history schema {version}; this one"
            f" knows up to {SCHEMA_VERSION})"
        )
    return version


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE takes the write lock up front, so two nightly jobs queue instead of
    failing halfway; anything raised rolls the whole transaction back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
