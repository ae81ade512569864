"""Run history for the nightly job: every run appended to one SQLite file, so a report can say
what changed since the previous run and how each node's clock drifts over the nights.

The file is created on first use (or in an empty file) and marked as clustercheck's with PRAGMA
application_id; its schema is versioned with PRAGMA user_version. Any other file is left
untouched and refused in one line (HistoryError), so that the run still writes its reports: one
that is not SQLite (checked before SQLite opens it), another program's database, a truncated or
damaged one, one written by a newer clustercheck, or one that another writer keeps locked.
Each run is written in ONE transaction under SQLite's rollback journal (no -wal/-shm side
files): a run that dies halfway leaves a hot journal that the next open rolls back, so the file
never holds half a run.
Text is stored through escape.encodable: SQLite cannot store a lone surrogate (a node's name that
was not UTF-8), so such a character is kept as its visible escape, in every run alike.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from clustercheck.engine.results import Result, Status
from clustercheck.report.escape import encodable
from clustercheck.report.model import Report

SCHEMA_VERSION = 1
APPLICATION_ID = 0x43436869  # "CChi" in the SQLite header: this file is a clustercheck history
SQLITE_MAGIC = b"SQLite format 3\x00"
TABLES = frozenset({"runs", "results", "nodes"})
LOCK_WAIT_S = 30.0  # how long a run waits for another writer before giving up on the history

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
    """The history file cannot be used (not clustercheck's, damaged, from a newer clustercheck,
    locked); one line that names the file."""


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
    with _open(path, create=True) as conn, _transaction(conn):
        run_id = conn.execute(
            "INSERT INTO runs (cluster, inventory, started_at, duration_s, worst, counts)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                encodable(report.cluster),
                encodable(report.facts.settings.source),
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
    with _reading(path) as conn:
        if conn is None:
            return None
        row = conn.execute(
            "SELECT id, started_at, duration_s FROM runs"
            " WHERE cluster = ? AND id < ? ORDER BY id DESC LIMIT 1",
            (encodable(cluster), before_run_id),
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
    with _reading(path) as conn:
        if conn is None:
            return []
        return [
            RunSummary(id_, cluster, started, float(duration), _counts(counts), Status(worst))
            for id_, cluster, started, duration, counts, worst in conn.execute(
                "SELECT id, cluster, started_at, duration_s, counts, worst FROM runs"
                " ORDER BY id DESC LIMIT ?",
                (limit,),
            )
        ]


def _counts(text: str) -> dict[str, int]:
    """A run's counts as recorded; ValueError (a damaged row) when they are not."""
    counts = json.loads(text)
    if not isinstance(counts, dict) or not all(isinstance(n, int) for n in counts.values()):
        raise ValueError(f"counts {text[:40]!r} are not a mapping of numbers")
    return counts


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


def clock_history(
    path: str | Path, cluster: str, limit: int = 10
) -> dict[str, list[tuple[str, float]]]:
    """Each node's clock offset over the cluster's last `limit` runs, oldest first; runs in which
    a node's offset was not measured are left out of that node's list."""
    with _reading(path) as conn:
        if conn is None:
            return {}
        history: dict[str, list[tuple[str, float]]] = {}
        for started_at, node, offset in conn.execute(
            "SELECT recent.started_at, nodes.node, nodes.clock_offset_ms"
            " FROM (SELECT id, started_at FROM runs WHERE cluster = ? ORDER BY id DESC LIMIT ?)"
            " AS recent JOIN nodes ON nodes.run_id = recent.id"
            " WHERE nodes.clock_offset_ms IS NOT NULL ORDER BY recent.id, nodes.rowid",
            (encodable(cluster), limit),
        ):
            history.setdefault(str(node), []).append((str(started_at), float(offset)))
    return history


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


@contextmanager
def _open(path: str | Path, create: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to the history file, closed on exit; with `create`, the file is created
    if missing and migrated, only when it is clustercheck's. Anything SQLite or a damaged row
    raises within is a HistoryError."""
    file = Path(path)
    _holds_database(file)  # refuses what is not a SQLite file before SQLite opens it
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        uri = f"{file.absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
        # isolation_level=None: no implicit transactions; _transaction says where they are
        with closing(
            sqlite3.connect(uri, uri=True, timeout=LOCK_WAIT_S, isolation_level=None)
        ) as conn:
            if create:
                _migrate(conn, file)
            yield conn
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise HistoryError(f"{file}: {exc}") from None
        raise HistoryError(
            f"{file}: locked by another writer for {LOCK_WAIT_S:g} s; left as it was"
        ) from None
    except (sqlite3.DatabaseError, ValueError, TypeError) as exc:  # a damaged page or row
        raise HistoryError(f"{file}: damaged ({exc}); left as it was") from None
    except OSError as exc:
        raise HistoryError(f"{file}: {exc.strerror or exc}") from None


@contextmanager
def _reading(path: str | Path) -> Iterator[sqlite3.Connection | None]:
    """For readers, which never create or change a file: None when there is no history yet."""
    if not _holds_database(Path(path)):
        yield None
        return
    with _open(path) as conn:
        yield conn if _identify(conn, Path(path))[0] else None


TRUNCATION_LOOKS = 5  # a commit extends the file within milliseconds; damage stays


def _holds_database(file: Path) -> bool:
    """Whether the file holds a SQLite database; False when it is missing or empty (a new
    history). Anything else is refused before SQLite opens it: a FIFO would hang it, a text or
    JSON file is someone else's, and a truncated database is damaged. A file that looks
    truncated is looked at again a few times: another run's commit may be extending it."""
    for attempt in range(TRUNCATION_LOOKS):
        holds, truncated = _database_state(file)
        if truncated is None:
            return holds
        time.sleep(0.05 * (attempt + 1))
    raise HistoryError(f"{file}: damaged ({truncated}); left as it was")


def _database_state(file: Path) -> tuple[bool, str | None]:
    """Whether the file holds a database (not when missing or empty), and how it looks
    truncated when it does; a HistoryError for what is not a database."""
    try:
        info = file.stat()
        if info.st_size and stat.S_ISREG(info.st_mode):
            with file.open("rb") as handle:
                header = handle.read(100)
                info = os.fstat(handle.fileno())  # the size after the header was read
    except FileNotFoundError:
        return False, None
    except OSError as exc:
        raise HistoryError(f"{file}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise HistoryError(f"{file}: not a regular file; a history is a SQLite file")
    if not info.st_size:
        return False, None
    if not header.startswith(SQLITE_MAGIC):
        raise HistoryError(f"{file}: not a clustercheck history file (not SQLite); left as it was")
    page_size = int.from_bytes(header[16:18])
    expected = int.from_bytes(header[28:32]) * (65536 if page_size == 1 else page_size)
    size_is_valid = header[24:28] == header[92:96]  # SQLite's own rule for the header's size
    hot_journal = file.with_name(file.name + "-journal").exists()  # rolled back on open
    if size_is_valid and not hot_journal and info.st_size < expected:
        return True, f"truncated to {info.st_size} of {expected} bytes"
    return True, None


def _identify(conn: sqlite3.Connection, file: Path) -> tuple[int, bool]:
    """The file's schema version and whether it already carries clustercheck's mark. An
    unmarked file is clustercheck's only when empty, or written before the mark with the
    history's tables; anything else is another program's and is refused."""
    with _consistent(conn):
        application_id: int = conn.execute("PRAGMA application_id").fetchone()[0]
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    unmarked_ours = application_id == 0 and (
        (version == 0 and not tables) or (version > 0 and tables >= TABLES)
    )
    if application_id != APPLICATION_ID and not unmarked_ours:
        raise HistoryError(
            f"{file}: not a clustercheck history file (another program's SQLite database);"
            " left as it was"
        )
    if version > SCHEMA_VERSION:
        raise HistoryError(
            f"{file}: written by a newer clustercheck (history schema {version}; this one"
            f" knows up to {SCHEMA_VERSION})"
        )
    return version, application_id == APPLICATION_ID


def _migrate(conn: sqlite3.Connection, file: Path) -> None:
    if _identify(conn, file) == (SCHEMA_VERSION, True):
        return
    with _transaction(conn):
        version, _marked = _identify(conn, file)  # again, under the lock: another run may
        for step in MIGRATIONS[version:]:  # have migrated it meanwhile
            for statement in step:
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextmanager
def _consistent(conn: sqlite3.Connection) -> Iterator[None]:
    """Reads that see one state of the file: outside a transaction each read sees the file as
    it is then, and another run's first write (its tables, then its mark) could fall between
    two of them and make the file look like another program's."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.rollback()  # nothing was written


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
