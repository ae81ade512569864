"""The history in a real PostgreSQL (Debian's server, started by tests/pgserver.py): two
clusters in one database, concurrent runs from several processes, the schema migrated from an
older version, and a password that is never taken from, nor shown in, a URL."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from importlib.util import find_spec
from pathlib import Path

import pgserver
import pytest
from pgserver import PgServer
from support import need

SAMPLE_DIR = Path(__file__).parent / "reports"
sys.path.insert(0, str(SAMPLE_DIR))  # the synthetic reports of the renderer tests
from sample import make_report, result, sample_report  # noqa: E402

from clustercheck.cli.main import main  # noqa: E402
from clustercheck.engine.results import Status  # noqa: E402
from clustercheck.report import history  # noqa: E402
from clustercheck.report.history import HistoryError, RunSummary  # noqa: E402
from clustercheck.report.history_postgres import MIGRATIONS  # noqa: E402

PASSWORD_IN_URL = "hunter2-never-shown"


@pytest.fixture(scope="module")
def pg() -> Iterator[PgServer]:
    need(find_spec("psycopg") is not None, "psycopg (pip install '.[postgres]')")
    with pgserver.running() as server:
        yield server


@pytest.fixture
def url(pg: PgServer, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh database for the test; the password only in PGPASSWORD."""
    monkeypatch.setenv("PGPASSWORD", pgserver.PASSWORD)
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name)[:50].lower()
    return pg.url(pg.create_database(name))


def test_two_clusters_in_one_database(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    first = history.record(url, sample_report(started_at="2026-11-23T02:00:00+00:00"))
    other = history.record(url, make_report([result("CC101", Status.PASS)], cluster="billing"))
    later = sample_report(started_at="2026-11-24T02:00:00+00:00")
    second = history.record(url, later, fail_on=Status.WARN)
    assert (first, other, second) == (1, 2, 3)

    newest, billing, oldest = history.runs(url)
    assert (newest.cluster, billing.cluster, oldest.cluster) == (
        "shop-prod",
        "billing",
        "shop-prod",
    )
    assert (newest.exit_code, newest.fail_on, billing.exit_code, billing.worst) == (
        1, "warn", 0, Status.PASS,
    )  # fmt: skip
    assert newest.counts == oldest.counts and newest.recorded_by
    before = history.previous(url, "shop-prod", second)
    assert before is not None and before.id == first and len(before.results) == 17
    assert history.changes(before, later).new == ()
    assert history.clock_history(url, "shop-prod")

    assert main(["history", url]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == ["3", "2", "1"]
    assert "billing" in listed[1] and "PASS" in listed[1]


def test_the_same_as_sqlite(url: str, tmp_path: Path) -> None:
    """Both stores answer every read alike for the same runs."""
    db = tmp_path / "history.sqlite"
    reports = [sample_report(started_at=f"2026-11-2{day}T02:00:00+00:00") for day in range(3)] + [
        make_report([result("CC201", Status.FAIL, "tomcat01", "dup")], cluster="billing")
    ]
    for report in reports:
        assert history.record(url, report) == history.record(db, report)

    def strip(runs: list[RunSummary]) -> list[RunSummary]:
        return [replace(r, recorded_by=None) for r in runs]

    assert strip(history.runs(url)) == strip(history.runs(db))
    assert history.previous(url, "shop-prod", 3) == history.previous(db, "shop-prod", 3)
    assert history.clock_history(url, "shop-prod") == history.clock_history(db, "shop-prod")
    pg_latest, sqlite_latest = history.latest(url, 2), history.latest(db, 2)
    assert strip(pg_latest.runs) == strip(sqlite_latest.runs)
    assert pg_latest.findings == sqlite_latest.findings and pg_latest.findings


RECORDS = """
import sys
sys.path.insert(0, {sample_dir!r})
from sample import sample_report
from clustercheck.report import history
for n in range({runs}):
    history.record({url!r}, sample_report(cluster="cluster-{{}}".format(sys.argv[1])))
"""


def test_concurrent_runs_lose_nothing_and_share_no_id(url: str, pg: PgServer) -> None:
    """Several processes at once, into a database without tables yet: the schema is made once,
    every run is kept whole, each with its own id."""
    processes, runs = 6, 5
    script = RECORDS.format(sample_dir=str(SAMPLE_DIR), runs=runs, url=url)
    children = [
        subprocess.Popen([sys.executable, "-c", script, str(n)], stderr=subprocess.PIPE, text=True)
        for n in range(processes)
    ]
    for child in children:
        _out, err = child.communicate(timeout=180)
        assert child.returncode == 0, err
    recorded = history.runs(url, limit=100)
    assert sorted(r.id for r in recorded) == list(range(1, processes * runs + 1))
    assert {r.cluster for r in recorded} == {f"cluster-{n}" for n in range(processes)}
    latest = history.latest(url, per_cluster=runs)
    assert len(latest.runs) == processes * runs
    sample = sample_report()
    counted = [r for r in sample.results if r.status.is_finding and not r.waived]
    assert [len(found) for found in latest.findings.values()] == [len(counted)] * processes
    database = url.rsplit("/", 1)[1]
    whole = "SELECT count(DISTINCT run_id), count(*) FROM clustercheck.results"
    assert pg.psql(database, whole).strip() == f"{processes * runs}|{processes * runs * 17}"


def test_a_database_of_an_older_schema_is_read_then_migrated(url: str, pg: PgServer) -> None:
    """Schema 1, as the first clustercheck with PostgreSQL made it, with one run in it: read as
    it is (readers change nothing), then migrated by the next run, the old run kept."""
    database = url.rsplit("/", 1)[1]
    old = ";\n".join((*MIGRATIONS[0], "UPDATE clustercheck.schema_version SET version = 1"))
    pg.psql(database, old)
    pg.psql(
        database,
        "INSERT INTO clustercheck.runs (cluster, inventory, started_at, duration_s, worst, counts)"
        """ VALUES ('legacy', 'old.yaml', '2026-01-01T02:00:00+00:00', 1.5, 'warn',"""
        """ '{"warn": 1}')""",
    )
    (legacy,) = history.runs(url)
    assert (legacy.cluster, legacy.worst, legacy.exit_code) == ("legacy", Status.WARN, None)
    assert pg.psql(database, "SELECT version FROM clustercheck.schema_version").strip() == "1"

    assert history.record(url, sample_report()) == 2
    assert pg.psql(database, "SELECT version FROM clustercheck.schema_version").strip() == "2"
    newest, kept = history.runs(url)
    assert (newest.exit_code, kept.cluster, kept.exit_code) == (1, "legacy", None)


def test_a_database_of_a_newer_schema_is_refused(url: str, pg: PgServer) -> None:
    history.record(url, sample_report())
    database = url.rsplit("/", 1)[1]
    pg.psql(database, "UPDATE clustercheck.schema_version SET version = 99")
    for use in (lambda: history.record(url, sample_report()), lambda: history.runs(url)):
        with pytest.raises(HistoryError) as refused:
            use()
        assert str(refused.value) == (
            f"{url}: written by a newer clustercheck (history schema 99; this one knows up to"
            f" {history.SCHEMA_VERSION})"
        )
    assert pg.psql(database, "SELECT count(*) FROM clustercheck.runs").strip() == "1"


def test_another_programs_schema_is_left_alone(url: str, pg: PgServer) -> None:
    database = url.rsplit("/", 1)[1]
    pg.psql(database, "CREATE SCHEMA clustercheck; CREATE TABLE clustercheck.invoices (id int)")
    with pytest.raises(HistoryError, match="schema clustercheck holds another program's tables"):
        history.record(url, sample_report())
    assert pg.psql(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'clustercheck'")\
        .split() == ["invoices"]  # fmt: skip


def test_text_postgresql_cannot_hold_is_kept_visible(url: str) -> None:
    """A hostile node's NUL and a name that was not UTF-8 are stored as visible escapes."""
    report = make_report([result("CC701", Status.FAIL, "tomcat01", "app\x00x\udcff")])
    run_id = history.record(url, report)
    run = history.previous(url, "shop-prod", run_id + 1)
    assert run is not None and run.results[0].message == "app\\x00x\\xff"


@pytest.mark.parametrize(
    "secret_in",
    [
        "postgresql://clustercheck:{pw}@127.0.0.1:{port}/db",
        "postgres://clustercheck:{pw}@127.0.0.1:{port}/db",
        "postgresql://clustercheck@127.0.0.1:{port}/db?sslmode=disable&password={pw}",
    ],
)
def test_a_password_in_the_url_is_refused_and_never_echoed(
    pg: PgServer, secret_in: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = secret_in.format(pw=PASSWORD_IN_URL, port=pg.port)
    with pytest.raises(HistoryError) as refused:
        history.record(url, sample_report())
    message = str(refused.value)
    assert PASSWORD_IN_URL not in message and "\n" not in message
    assert "PGPASSWORD or ~/.pgpass" in message
    inventory = Path(__file__).parent.parent / "examples" / "seed-cluster" / "inventory.yaml"
    report = tmp_path / "r.json"
    assert main(["run", str(inventory), "-q", "--history", url, "--json", str(report)]) == 2
    err = capsys.readouterr().err
    assert PASSWORD_IN_URL not in err and "PGPASSWORD" in err
    assert not report.exists()  # refused before anything was gathered
    assert main(["history", url]) == 2
    assert PASSWORD_IN_URL not in capsys.readouterr().err


def test_a_wrong_password_or_no_server_is_one_line_without_the_password(
    pg: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", PASSWORD_IN_URL)
    for url in (pg.url("postgres"), "postgresql://someone@127.0.0.1:1/db"):
        with pytest.raises(HistoryError) as refused:
            history.runs(url)
        message = str(refused.value)
        assert message.startswith(f"{url}: ") and "\n" not in message
        assert PASSWORD_IN_URL not in message
