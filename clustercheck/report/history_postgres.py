"""The history in PostgreSQL (`--history postgresql://user@host:port/db`): one database for an
estate, many clusters and cron hosts recording into it at once.

The password never comes from the command line, where the process list and the shell's
history would show it: a URL holding one is refused (in words that do not echo it), and libpq
takes it from PGPASSWORD or ~/.pgpass. What is printed of a URL never holds a password.
The tables live in their own schema, `clustercheck`, created and migrated here: its
`schema_version` table holds the version; each migration step runs in its own transaction
under an advisory lock, so two first runs at once create the tables once. A database of a
newer schema is refused. A run is one transaction; ids come from an identity column, so
concurrent runs never lose a run or share an id. Readers migrate nothing (a read-only role may
render the estate page) and read in one REPEATABLE READ snapshot.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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

if TYPE_CHECKING:
    import psycopg

SCHEMES = ("postgresql://", "postgres://")
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
SCHEMA = "clustercheck"
CONNECT_TIMEOUT_S = 10
STATEMENT_TIMEOUT_S = 120  # a run of 60,000 findings takes a few seconds
MIGRATION_LOCK = 0x43436869  # pg_advisory_xact_lock key: "CChi", as SQLite's application_id

# MIGRATIONS[n] takes the schema from version n to n + 1 (each step then sets the version).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
        f"CREATE TABLE {SCHEMA}.schema_version (version integer NOT NULL)",
        f"INSERT INTO {SCHEMA}.schema_version VALUES (0)",
        f"""CREATE TABLE {SCHEMA}.runs (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            cluster text NOT NULL,
            inventory text NOT NULL,
            started_at text NOT NULL,
            duration_s double precision NOT NULL,
            worst text NOT NULL,
            counts text NOT NULL
        )""",
        f"CREATE INDEX runs_by_cluster ON {SCHEMA}.runs (cluster, id)",
        # rowid: the insertion order, as SQLite's implicit rowid (the reads order by it)
        f"""CREATE TABLE {SCHEMA}.results (
            rowid bigint GENERATED ALWAYS AS IDENTITY,
            run_id bigint NOT NULL REFERENCES {SCHEMA}.runs (id),
            code text NOT NULL,
            name text NOT NULL,
            node text,
            status text NOT NULL,
            message text NOT NULL,
            file text,
            line integer,
            waived text
        )""",
        f"CREATE INDEX results_by_run ON {SCHEMA}.results (run_id)",
        f"""CREATE TABLE {SCHEMA}.nodes (
            rowid bigint GENERATED ALWAYS AS IDENTITY,
            run_id bigint NOT NULL REFERENCES {SCHEMA}.runs (id),
            node text NOT NULL,
            reachable integer NOT NULL,
            clock_offset_ms double precision,
            summary text NOT NULL
        )""",
        f"CREATE INDEX nodes_by_run ON {SCHEMA}.nodes (run_id)",
    ),
    (
        f"ALTER TABLE {SCHEMA}.runs ADD COLUMN exit_code integer,"
        " ADD COLUMN fail_on text, ADD COLUMN recorded_by text",
    ),
)
assert len(MIGRATIONS) == SCHEMA_VERSION


def is_url(target: str) -> bool:
    """Whether --history names a PostgreSQL database rather than a SQLite file."""
    return target.startswith(SCHEMES)


def shown(url: str) -> str:
    """The URL as it may be printed: without a password in its user part or its parameters."""
    parts = urlsplit(url)
    user, at, hosts = parts.netloc.rpartition("@")
    netloc = f"{user.partition(':')[0]}{at}{hosts}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
         if k not in SECRET_PARAMETERS],
        safe="/:,",
    )  # fmt: skip
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def refuse_password(url: str) -> None:
    """A HistoryError, without the password, when the URL holds one."""
    parts = urlsplit(url)
    user = parts.netloc.rpartition("@")[0]
    given = {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)} & SECRET_PARAMETERS
    if ":" in user or given:
        where = "after the user name" if ":" in user else f"as {', '.join(sorted(given))}="
        raise HistoryError(
            f"{shown(url)}: a password in the URL ({where}) is refused: a command line is seen"
            " by every user of the machine; give it in PGPASSWORD or ~/.pgpass"
        )


class PostgresStore(SqlReads):
    """A PostgreSQL database; `lock_wait_s`: how long a run waits for a lock (a migration)."""

    def __init__(self, url: str, lock_wait_s: float) -> None:
        refuse_password(url)
        try:
            import psycopg  # noqa: F401  (said before a run, not after it)
        except ImportError:
            raise HistoryError(
                f"{shown(url)}: a PostgreSQL history needs psycopg:"
                " pip install 'clustercheck[postgres]'"
            ) from None
        self.url = url
        self.shown = shown(url)
        self.lock_wait_s = lock_wait_s

    def record(self, rows: RunRows) -> int:
        with self._session() as conn:
            self._migrate(conn)
            with conn.transaction():
                returning = _pg(insert("runs", RUN_FIELDS)) + " RETURNING id"
                run_id = int(_one(conn.execute(returning, _text(rows.run)).fetchone()))
                with conn.cursor() as cursor:
                    cursor.executemany(
                        _pg(insert("results", RESULT_FIELDS)), map(_text, rows.results(run_id))
                    )
                    cursor.executemany(
                        _pg(insert("nodes", NODE_FIELDS)), map(_text, rows.nodes(run_id))
                    )
        return run_id

    @contextmanager
    def _reading(self) -> Iterator[tuple[Query, int] | None]:
        import psycopg

        with self._session() as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            with conn.transaction():
                version = self._version(conn)

                def query(sql: str, params: Sequence[object]) -> list[Row]:
                    return [tuple(row) for row in conn.execute(_pg(sql), params)]

                yield (query, version) if version else None

    def _migrate(self, conn: psycopg.Connection[Any]) -> None:
        """Each missing step in its own transaction, under the lock, the version read again
        there: another run may have taken the step meanwhile."""
        if self._version(conn) == SCHEMA_VERSION:
            return
        for step, statements in enumerate(MIGRATIONS):
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                if self._version(conn) > step:
                    continue
                for statement in statements:
                    conn.execute(statement)
                conn.execute(f"UPDATE {SCHEMA}.schema_version SET version = %s", (step + 1,))

    def _version(self, conn: psycopg.Connection[Any]) -> int:
        """The schema's version; 0 when there is none yet. A `clustercheck` schema that holds
        other tables and no version is another program's, and one of a newer version is
        refused."""
        tables = {
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (SCHEMA,)
            )
        }
        if "schema_version" not in tables:
            if tables:
                raise HistoryError(
                    f"{self.shown}: schema {SCHEMA} holds another program's tables"
                    f" ({', '.join(sorted(tables)[:3])}); left as it was"
                )
            return 0
        versions = conn.execute(f"SELECT version FROM {SCHEMA}.schema_version").fetchall()
        if len(versions) != 1:
            raise HistoryError(f"{self.shown}: damaged ({len(versions)} schema versions)")
        version = int(versions[0][0])
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.shown}: written by a newer clustercheck (history schema {version};"
                f" this one knows up to {SCHEMA_VERSION})"
            )
        return version

    @contextmanager
    def _session(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection with every wait bounded, closed on exit; whatever the database, the
        driver or a damaged row raises within is a HistoryError naming the shown URL."""
        import psycopg

        try:
            with psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_S,
                application_name="clustercheck",
            ) as conn:
                conn.execute(
                    f"SET lock_timeout = {round(self.lock_wait_s * 1000)};"
                    f" SET statement_timeout = {STATEMENT_TIMEOUT_S * 1000};"
                    f" SET search_path = {SCHEMA}"
                )
                yield conn
        except psycopg.errors.LockNotAvailable:
            raise HistoryError(
                f"{self.shown}: locked by another writer for {self.lock_wait_s:g} s; left as it was"
            ) from None
        except psycopg.Error as exc:
            raise HistoryError(f"{self.shown}: {self._reason(exc)}") from None
        except (ValueError, TypeError) as exc:  # a damaged row
            raise HistoryError(f"{self.shown}: damaged ({exc}); left as it was") from None

    def _reason(self, exc: Exception) -> str:
        """The driver's first line, with a password libpq was given never in it."""
        lines = (line.strip() for line in str(exc).splitlines())
        reason = next((line for line in lines if line), type(exc).__name__)
        password = os.environ.get("PGPASSWORD")
        return reason.replace(password, "***") if password else reason


def _pg(sql: str) -> str:
    """The stores' SQL (`?` placeholders) in psycopg's (`%s`)."""
    return sql.replace("?", "%s")


def _text(row: Iterable[object]) -> Row:
    """A row PostgreSQL can store: its text cannot hold NUL, which is kept as its visible
    escape (as report/escape.py writes it)."""
    return tuple(v.replace("\x00", "\\x00") if isinstance(v, str) else v for v in row)


def _one(row: Row | None) -> Any:
    assert row is not None, "INSERT ... RETURNING returns a row"
    return row[0]
