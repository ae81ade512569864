"""The history in one SQLite file, the default store: every run appended, so a report can say
what changed since the previous run and the estate page can show each cluster's last runs.

The file is created on first use (or in an empty file) and marked as clustercheck's with PRAGMA
application_id; its schema is versioned with PRAGMA user_version. Any other file is left
untouched and refused in one line (HistoryError), so that the run still writes its reports: one
that is not SQLite (checked before SQLite opens it), another program's database, a truncated or
damaged one, one written by a newer clustercheck, or one that another writer keeps locked.
Each run is written in ONE transaction under SQLite's rollback journal (no -wal/-shm side
files): a run that dies halfway leaves a hot journal that the next open rolls back, so the file
never holds half a run.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

from clustercheck.report.history_store import (
    NODE_FIELDS,
    RESULT_FIELDS,
    RUN_FIELDS,
    SCHEMA_VERSION,
    HistoryError,
    Query,
    Row,
    RunRows,
    SqlReads,
    insert,
)

APPLICATION_ID = 0x43436869  # "CChi" in the SQLite header: this file is a clustercheck history
SQLITE_MAGIC = b"SQLite format 3\x00"
TABLES = frozenset({"runs", "results", "nodes"})

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
    (
        "ALTER TABLE runs ADD COLUMN exit_code INTEGER",
        "ALTER TABLE runs ADD COLUMN fail_on TEXT",
        "ALTER TABLE runs ADD COLUMN recorded_by TEXT",
    ),
)
assert len(MIGRATIONS) == SCHEMA_VERSION


class SqliteStore(SqlReads):
    """A history file; `lock_wait_s`: how long a run waits for another writer."""

    def __init__(self, path: str | Path, lock_wait_s: float) -> None:
        self.file = Path(path)
        self.lock_wait_s = lock_wait_s

    def record(self, rows: RunRows) -> int:
        with self._open(create=True) as conn, _transaction(conn):
            run_id = conn.execute(insert("runs", RUN_FIELDS), rows.run).lastrowid
            assert run_id is not None
            conn.executemany(insert("results", RESULT_FIELDS), rows.results(run_id))
            conn.executemany(insert("nodes", NODE_FIELDS), rows.nodes(run_id))
        return run_id

    @contextmanager
    def _reading(self) -> Iterator[tuple[Query, int] | None]:
        """Readers never create or change a file: None when there is no history yet."""
        if not _holds_database(self.file):
            yield None
            return
        with self._open() as conn:
            version = _identify(conn, self.file)[0]

            def query(sql: str, params: Sequence[object]) -> list[Row]:
                return conn.execute(sql, params).fetchall()

            yield (query, version) if version else None

    @contextmanager
    def _open(self, create: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection to the history file, closed on exit; with `create`, the file is created
        if missing and migrated, only when it is clustercheck's. Anything SQLite or a damaged
        row raises within is a HistoryError."""
        file = self.file
        _holds_database(file)  # refuses what is not a SQLite file before SQLite opens it
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            uri = f"{file.absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
            # isolation_level=None: no implicit transactions; _transaction says where they are
            with closing(
                sqlite3.connect(uri, uri=True, timeout=self.lock_wait_s, isolation_level=None)
            ) as conn:
                if create:
                    _migrate(conn, file)
                yield conn
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise HistoryError(f"{file}: {exc}") from None
            raise HistoryError(
                f"{file}: locked by another writer for {self.lock_wait_s:g} s; left as it was"
            ) from None
        except (sqlite3.DatabaseError, ValueError, TypeError) as exc:  # a damaged page or row
            raise HistoryError(f"{file}: damaged ({exc}); left as it was") from None
        except OSError as exc:
            raise HistoryError(f"{file}: {exc.strerror or exc}") from None


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
