"""Run history: one SQLite file, versioned and marked as clustercheck's, each run in one
transaction, never left half written (tested by raising inside the transaction, by killing a
writer halfway and by SIGTERM); a foreign, damaged or locked file is refused in one line, left
as it was, and costs no report."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest
from support import REPO

SAMPLE_DIR = Path(__file__).parent / "reports"
sys.path.insert(0, str(SAMPLE_DIR))  # the synthetic reports of the renderer tests
from sample import make_report, result, sample_report, sample_views  # noqa: E402

from clustercheck.cli.main import main  # noqa: E402
from clustercheck.engine.registry import load_checks, select  # noqa: E402
from clustercheck.engine.results import Result, Status  # noqa: E402
from clustercheck.report import history  # noqa: E402
from clustercheck.report.history import Changes, HistoryError, StoredResult, StoredRun  # noqa: E402

EXAMPLE = REPO / "examples" / "seed-cluster" / "inventory.yaml"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "history" / "clustercheck.sqlite"


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_created_on_first_use_versioned_and_one_file(db: Path) -> None:
    assert history.record(db, sample_report()) == 1
    assert history.record(db, sample_report()) == 2
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]  # no -wal, -shm, -journal


def test_readers_do_not_create_the_file(db: Path) -> None:
    assert history.runs(db) == []
    assert history.previous(db, "shop-prod", 10) is None
    assert history.clock_history(db, "shop-prod") == {}
    assert not db.exists()


def test_runs_newest_first_with_counts_and_worst(db: Path) -> None:
    history.record(db, sample_report(started_at="2026-11-23T02:00:00+00:00"))
    history.record(
        db,
        make_report(
            [result("CC101", Status.PASS)],
            cluster="other",
            started_at="2026-11-24T02:00:00+00:00",
            duration_s=2.5,
        ),
    )
    newest, oldest = history.runs(db)
    assert (newest.id, newest.cluster, newest.started_at, newest.duration_s, newest.worst) == (
        2,
        "other",
        "2026-11-24T02:00:00+00:00",
        2.5,
        Status.PASS,
    )
    assert oldest.counts == {"skip": 2, "pass": 8, "warn": 3, "fail": 3, "error": 1, "waived": 1}
    assert oldest.worst is Status.ERROR
    assert [r.id for r in history.runs(db, limit=1)] == [2]


def test_previous_is_the_latest_earlier_run_of_the_same_cluster(db: Path) -> None:
    first = history.record(db, sample_report(started_at="2026-11-22T02:00:00+00:00"))
    history.record(db, make_report([result("CC101", Status.PASS)], cluster="other"))
    second = history.record(db, sample_report(started_at="2026-11-23T02:00:00+00:00"))
    third = history.record(db, sample_report(started_at="2026-11-24T02:00:00+00:00"))
    before_third = history.previous(db, "shop-prod", third)
    assert before_third is not None
    assert (before_third.id, before_third.started_at) == (second, "2026-11-23T02:00:00+00:00")
    assert len(before_third.results) == 17
    assert (
        StoredResult(
            "CC701",
            "distributable",
            "tomcat02",
            Status.FAIL,
            "shop.war does not declare <distributable/>",
        )
        in before_third.results
    )
    assert history.previous(db, "shop-prod", second).id == first  # type: ignore[union-attr]
    assert history.previous(db, "shop-prod", first) is None


def stored(code: str, node: str | None, status: Status, message: str = "m") -> StoredResult:
    return StoredResult(code, "name", node, status, message)


CHANGE_CASES = [
    # (id, before, now (code, node, status), new keys, fixed keys)
    ("nothing changed", [("CC701", "a", Status.FAIL)], [("CC701", "a", Status.FAIL)], [], []),
    ("a new finding", [], [("CC701", "a", Status.FAIL)], [("CC701", "a", Status.FAIL)], []),
    (
        "a fixed finding",
        [("CC701", "a", Status.FAIL)],
        [("CC701", "a", Status.PASS)],
        [],
        [("CC701", "a", Status.FAIL)],
    ),
    (
        "worse: the fail is new, the warn is gone",
        [("CC401", "a", Status.WARN)],
        [("CC401", "a", Status.FAIL)],
        [("CC401", "a", Status.FAIL)],
        [("CC401", "a", Status.WARN)],
    ),
    (
        "another node is another finding",
        [("CC701", "a", Status.FAIL)],
        [("CC701", "b", Status.FAIL)],
        [("CC701", "b", Status.FAIL)],
        [("CC701", "a", Status.FAIL)],
    ),
    (
        "cluster-wide findings",
        [("CC201", None, Status.ERROR)],
        [("CC201", None, Status.ERROR)],
        [],
        [],
    ),
    (
        "passes and skips are not findings",
        [("CC701", "a", Status.SKIP)],
        [("CC701", "a", Status.PASS)],
        [],
        [],
    ),
    (
        "fixed ones worst first",
        [("CC401", "a", Status.WARN), ("CC701", "b", Status.ERROR), ("CC101", None, Status.FAIL)],
        [],
        [],
        [("CC701", "b", Status.ERROR), ("CC101", None, Status.FAIL), ("CC401", "a", Status.WARN)],
    ),
]


Key = tuple[str, str | None, Status]


@pytest.mark.parametrize(
    ("before", "now", "new", "fixed"),
    [c[1:] for c in CHANGE_CASES],
    ids=[c[0] for c in CHANGE_CASES],
)
def test_changes(before: list[Key], now: list[Key], new: list[Key], fixed: list[Key]) -> None:
    previous = StoredRun(
        1, "shop-prod", "2026-11-23", 1.0, tuple(stored(*key, message="before") for key in before)
    )
    report = make_report([result(code, status, node, "now") for code, node, status in now])
    got = history.changes(previous, report)
    assert got.since == "2026-11-23"
    assert [r.key for r in got.new] == new
    assert [r.key for r in got.fixed] == fixed
    assert all(r.message == "now" for r in got.new) and all(
        r.message == "before" for r in got.fixed
    )


def test_changes_keyed_without_the_message_and_counted_once() -> None:
    """A message that carries a value (an offset) changes every night; the finding is the same."""
    previous = StoredRun(1, "c", "s", 1.0, (stored("CC401", "a", Status.WARN, "offset 120 ms"),))
    report = make_report(
        [
            result("CC401", Status.WARN, "a", "offset 130 ms"),
            result("CC701", Status.FAIL, "a", "app1"),
            result("CC701", Status.FAIL, "a", "app2"),
        ]
    )
    got = history.changes(previous, report)
    assert [(r.code, r.message) for r in got.new] == [("CC701", "app1")]
    assert got.fixed == ()


def test_changes_without_a_previous_run() -> None:
    assert history.changes(None, sample_report()) == Changes(since=None, new=(), fixed=())


def test_changes_against_the_recorded_previous_run(db: Path) -> None:
    history.record(db, sample_report())
    later = make_report(
        [
            result("CC001", Status.PASS, "tomcat04"),
            result("CC702", Status.FAIL, None, "apps differ"),
        ]
    )
    run_id = history.record(db, later)
    got = history.changes(history.previous(db, later.cluster, run_id), later)
    assert [r.key for r in got.new] == [("CC702", None, Status.FAIL)]
    assert ("CC001", "tomcat04", Status.ERROR) in [r.key for r in got.fixed]
    assert ("CC702", "tomcat03", Status.WARN) in [r.key for r in got.fixed]  # a waived one too


def clocks(**offsets: float | None) -> dict[str, object]:
    return {
        "reference": None,
        "nodes": [
            {"node": n, "offset_ms": o, "uncertainty_ms": 1.0, "status": "pass"}
            for n, o in offsets.items()
        ],
    }


def test_clock_history_oldest_first_per_node(db: Path) -> None:
    for day, (a, b) in enumerate([(1.0, 20.0), (2.0, None), (3.0, 60.0)], start=22):
        report = sample_report(
            started_at=f"2026-11-{day}T02:00:00+00:00",
            views={**sample_views(), "clocks": clocks(web1=a, tomcat02=b)},
        )
        history.record(db, report)
    history.record(db, make_report([result("CC101", Status.PASS)], cluster="other"))
    assert history.clock_history(db, "shop-prod") == {
        "web1": [
            ("2026-11-22T02:00:00+00:00", 1.0),
            ("2026-11-23T02:00:00+00:00", 2.0),
            ("2026-11-24T02:00:00+00:00", 3.0),
        ],
        "tomcat02": [("2026-11-22T02:00:00+00:00", 20.0), ("2026-11-24T02:00:00+00:00", 60.0)],
    }
    assert history.clock_history(db, "shop-prod", limit=1) == {
        "web1": [("2026-11-24T02:00:00+00:00", 3.0)],
        "tomcat02": [("2026-11-24T02:00:00+00:00", 60.0)],
    }
    assert history.clock_history(db, "other") == {}


def test_a_file_from_a_newer_clustercheck_is_refused(db: Path) -> None:
    history.record(db, sample_report())
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")
    with pytest.raises(HistoryError, match="newer clustercheck"):
        history.record(db, sample_report())
    with pytest.raises(HistoryError, match="newer clustercheck"):
        history.runs(db)


def test_a_file_that_is_not_sqlite_is_refused(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_text("these are not the runs you are looking for\n" * 100)
    with pytest.raises(HistoryError, match="not a clustercheck history file"):
        history.record(db, sample_report())


def test_a_run_that_fails_halfway_leaves_no_trace(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history.record(db, sample_report())
    real = history._result_row
    calls = []

    def breaks_on_the_fifth(run_id: int, result: object) -> tuple[object, ...]:
        calls.append(run_id)
        if len(calls) == 5:
            raise OSError("disk on fire")
        return real(run_id, result)  # type: ignore[arg-type]

    monkeypatch.setattr(history, "_result_row", breaks_on_the_fifth)
    with pytest.raises(HistoryError, match="disk on fire"):
        history.record(db, sample_report())
    monkeypatch.undo()
    assert [r.id for r in history.runs(db)] == [1]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM results").fetchone()[0] == 17
        assert conn.execute("SELECT count(*) FROM nodes").fetchone()[0] == 4
    assert integrity(db) == "ok"
    assert history.record(db, sample_report()) == 2


KILLED_WRITER = """
import sys, time
sys.path.insert(0, {sample_dir!r})
from sample import make_report, result
from clustercheck.report import history
from clustercheck.engine.results import Status

real = history._result_row

def pauses(run_id, result):
    if result.node == "node4000":  # past SQLite's page cache: pages are on disk by now
        print("halfway", flush=True)
        time.sleep(120)
    return real(run_id, result)

history._result_row = pauses
big = make_report([result("CC701", Status.FAIL, f"node{{i}}", "x" * 1000) for i in range(6000)])
history.record({path!r}, big)
"""


def test_a_writer_killed_halfway_leaves_the_file_whole(db: Path) -> None:
    history.record(db, sample_report())
    script = KILLED_WRITER.format(sample_dir=str(SAMPLE_DIR), path=str(db))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "halfway"
        journal = db.with_name(db.name + "-journal")
        assert journal.exists() and db.stat().st_size > 1_000_000  # really halfway, on disk
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    assert [r.id for r in history.runs(db)] == [1]  # the hot journal was rolled back
    assert integrity(db) == "ok"
    run = history.previous(db, "shop-prod", 99)
    assert run is not None and len(run.results) == 17
    assert history.record(db, sample_report()) == 2


def test_concurrent_writers_queue_instead_of_failing(db: Path) -> None:
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(5):
                history.record(db, sample_report())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.id for r in history.runs(db)) == list(range(1, 21))


# -- foreign, damaged and locked files: refused in one line, never changed ---------------------


def another_programs_database(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        conn.execute("INSERT INTO invoices (amount) VALUES (12.5)")
        conn.commit()


FOREIGN = [
    ("a text file", lambda p: p.write_text("these are not the runs you are looking for\n"),
     "not a clustercheck history file (not SQLite); left as it was"),
    ("a JSON report", lambda p: p.write_text('{"schema_version": 2, "results": []}'),
     "not a clustercheck history file (not SQLite); left as it was"),
    ("another program's database", another_programs_database,
     "not a clustercheck history file (another program's SQLite database); left as it was"),
    ("a FIFO", os.mkfifo, "not a regular file; a history is a SQLite file"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "problem"), [f[1:] for f in FOREIGN], ids=[f[0] for f in FOREIGN])
def test_a_foreign_file_is_refused_and_left_untouched(
    db: Path, make: Callable[[Path], None], problem: str
) -> None:
    db.parent.mkdir(parents=True)
    make(db)
    before = db.read_bytes() if db.is_file() else None
    for use in (
        lambda: history.record(db, sample_report()),
        lambda: history.runs(db),
        lambda: history.previous(db, "shop-prod", 9),
        lambda: history.clock_history(db, "shop-prod"),
    ):
        with pytest.raises(HistoryError) as refused:
            use()
        assert str(refused.value) == f"{db}: {problem}"
    assert (db.read_bytes() if db.is_file() else None) == before
    assert [p.name for p in db.parent.iterdir()] == [db.name]  # no journal beside it either


def test_an_empty_file_becomes_a_history_marked_as_clustercheck_s(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.touch()
    assert history.record(db, sample_report()) == 1
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == history.APPLICATION_ID


def test_a_history_written_before_the_mark_is_still_clustercheck_s(db: Path) -> None:
    history.record(db, sample_report())
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA application_id = 0")  # as clustercheck 0.2 wrote it
        conn.commit()
    assert [r.id for r in history.runs(db)] == [1]
    assert history.record(db, sample_report()) == 2
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == history.APPLICATION_ID


def test_a_truncated_history_is_damaged_and_left_as_it_was(db: Path) -> None:
    for _ in range(3):
        history.record(db, sample_report())
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.truncate(size // 2)
    before = db.read_bytes()
    with pytest.raises(HistoryError) as refused:
        history.record(db, sample_report())
    assert str(refused.value) == (
        f"{db}: damaged (truncated to {size // 2} of {size} bytes); left as it was"
    )
    with pytest.raises(HistoryError, match="damaged"):
        history.runs(db)
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("column", "value", "read"),
    [
        ("runs.counts", "{not json", lambda db: history.runs(db)),
        ("runs.counts", "[1, 2]", lambda db: history.runs(db)),
        ("runs.worst", "purple", lambda db: history.runs(db)),
        ("results.status", "purple", lambda db: history.previous(db, "shop-prod", 9)),
        ("nodes.clock_offset_ms", "soon", lambda db: history.clock_history(db, "shop-prod")),
    ],
)
def test_a_damaged_row_is_one_line_not_a_crash(
    db: Path, column: str, value: str, read: Callable[[Path], object]
) -> None:
    history.record(db, sample_report())
    table, _, field = column.partition(".")
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(f"UPDATE {table} SET {field} = ?", (value,))
        conn.commit()
    with pytest.raises(HistoryError, match=rf"^{re.escape(str(db))}: damaged \(.+\); left as it"):
        read(db)


HOLDS_THE_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("DELETE FROM runs")  # a writer halfway
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_history_locked_by_another_writer_is_given_up_in_time_and_left_alone(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    history.record(db, sample_report())
    monkeypatch.setattr(history, "LOCK_WAIT_S", 0.3)
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLDS_THE_LOCK, str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(HistoryError) as refused:
            history.record(db, sample_report())
        assert time.monotonic() - started < 5
        assert str(refused.value) == f"{db}: locked by another writer for 0.3 s; left as it was"
    finally:
        writer.kill()
        writer.wait()
    assert [r.id for r in history.runs(db)] == [1]  # the other writer's half run rolled back
    assert integrity(db) == "ok"


def test_a_run_with_an_unusable_history_still_writes_its_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The history is the last thing that may cost a report: one line on stderr, one in the
    HTML report where the changes would be, exit 2 (README: not written), every report written."""
    foreign = tmp_path / "report.json"
    foreign.write_text('{"a": "report, given to --history by mistake"}')
    before = foreign.read_bytes()
    code = main(
        ["run", str(EXAMPLE), "-q", "--history", str(foreign),
         "--html", str(tmp_path / "r.html"), "--junit", str(tmp_path / "j.xml")]
    )  # fmt: skip
    assert code == 2
    problem = f"{foreign}: not a clustercheck history file (not SQLite); left as it was"
    assert capsys.readouterr().err == f"clustercheck: history not recorded: {problem}\n"
    assert f"History not recorded: {problem}" in (tmp_path / "r.html").read_text()
    assert "<testsuites" in (tmp_path / "j.xml").read_text()
    assert foreign.read_bytes() == before


def test_sigterm_mid_history_write_leaves_no_partial_run_and_no_journal(
    db: Path, faults: Path
) -> None:
    """A real process killed by SIGTERM while it writes a big run (60,000 findings of the
    plugin check CC993) into the history: no part of it stays, nor the rollback journal."""
    history.record(db, sample_report())
    journal = db.with_name(db.name + "-journal")
    env = {**os.environ, "PYTHONPATH": str(faults), "CC_FAULT_FINDINGS": "60000"}
    child = subprocess.Popen(
        [sys.executable, "-m", "clustercheck", "run", str(EXAMPLE), "-q", "--checks", "CC993",
         "--history", str(db)],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not journal.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        assert journal.exists(), "the run never started writing the history"
        child.send_signal(signal.SIGTERM)
        _out, err = child.communicate(timeout=60)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 128 + signal.SIGTERM, err
    assert err.splitlines()[-1] == "clustercheck: terminated by SIGTERM"
    assert [p.name for p in db.parent.iterdir()] == [db.name]
    assert [r.id for r in history.runs(db)] == [1]
    assert integrity(db) == "ok"


def test_a_run_recorded_before_a_split_compares_with_the_familys_members() -> None:
    """Recorded as CC603 (one check then), judged as CC6034 and CC6035 now: the same findings,
    so the split is neither new nor fixed; a member's finding of another status is new."""
    before = (stored("CC603", "web1", Status.WARN, "cachesize"), stored("CC701", "a", Status.FAIL))
    previous = StoredRun(1, "c", "s", 1.0, before)
    now = [
        Result("CC6035", "jk-deprecated", Status.WARN, "web1", "cachesize"),
        Result("CC6034", "jk-ineffective-setting", Status.WARN, "web1", "user variable"),
        Result("CC6032", "jk-refused-directive", Status.FAIL, "web1", "unsupported attribute"),
    ]
    report = replace(make_report([]), checks=select(load_checks(), ["CC603"]), results=now)
    got = history.changes(previous, report)
    assert [(r.code, r.status) for r in got.new] == [("CC6032", Status.FAIL)]
    assert [r.code for r in got.fixed] == ["CC701"]
