"""The estate: each cluster's state judged from the history's latest runs (stale by its usual
interval or by --stale-after, saying which), the page self-contained and escaped, and the whole
path from a real PostgreSQL through `clustercheck history URL --html` to headless Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib.util import find_spec
from pathlib import Path

import pgserver
import pytest
from pgserver import PgServer
from sample import XSS, make_report, result, sample_report
from support import need
from test_html import browse, console_messages, page_requests

from clustercheck.cli.main import main
from clustercheck.engine.results import Status
from clustercheck.report import history
from clustercheck.report.estate import estate, parse_duration, words
from clustercheck.report.history_store import Latest, RunSummary, StoredResult
from clustercheck.reports import estate_page

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def run(
    id_: int, cluster: str, hours_ago: float, worst: Status = Status.PASS, **kw: object
) -> RunSummary:
    started = (NOW - timedelta(hours=hours_ago)).isoformat()
    fields = {"exit_code": 1 if worst.rank >= Status.FAIL.rank else 0, "fail_on": "fail", **kw}
    return RunSummary(id_, cluster, started, 60.0, {worst.value: 1}, worst, **fields)  # type: ignore[arg-type]


def nightly(cluster: str, first_id: int, last_hours_ago: float, count: int = 5) -> list[RunSummary]:
    """`count` runs a day apart, the newest `last_hours_ago`, newest first."""
    return [run(first_id + count - i, cluster, last_hours_ago + 24 * i) for i in range(count)]


# -- the states -----------------------------------------------------------------------------


def test_a_cluster_that_stopped_reporting_is_stale_by_twice_its_usual_interval() -> None:
    runs = nightly("fresh", 1, 20) + nightly("quiet", 10, 50) + nightly("gone", 20, 24 * 9)
    states = {s.cluster: s for s in estate(Latest(runs, {}), NOW)}
    assert [states[c].stale for c in ("fresh", "quiet", "gone")] == [False, True, True]
    assert states["quiet"].interval_s == 86400
    assert states["quiet"].rule == "stale after 2 d: 2x its usual 1 d interval"
    assert words(states["gone"].age_s or 0) == "8 d 23 h"  # since it ended, a minute in


def test_stale_after_replaces_the_usual_interval_and_says_so() -> None:
    runs = nightly("fresh", 1, 20) + nightly("quiet", 10, 50)
    states = {s.cluster: s for s in estate(Latest(runs, {}), NOW, parse_duration("12h"))}
    assert [states[c].stale for c in ("fresh", "quiet")] == [True, True]
    assert states["fresh"].rule == "stale after 12 h (--stale-after)"
    one = estate(Latest([run(1, "new", 1)], {}), NOW)[0]
    assert not one.stale and "no usual interval yet" in one.rule


def test_the_clusters_that_need_a_look_come_first_with_their_failing_checks() -> None:
    runs = [
        run(1, "a-pass", 1),
        run(2, "b-fail", 1, Status.FAIL),
        run(3, "c-stale", 24 * 30),
        run(4, "c-stale", 24 * 31),
        run(5, "d-warn", 1, Status.WARN),
    ]
    findings = {
        2: [
            StoredResult("CC201", "jvmroute-unique", "tomcat02", Status.FAIL, "x"),
            StoredResult("CC301", "jdk-parity", None, Status.WARN, "y"),
            StoredResult("CC201", "jvmroute-unique", "tomcat03", Status.FAIL, "x"),
        ]
    }
    states = estate(Latest(runs, findings), NOW)
    assert [s.cluster for s in states] == ["c-stale", "b-fail", "d-warn", "a-pass"]
    failing = states[1].failing
    assert [(f.code, f.status, f.nodes) for f in failing] == [
        ("CC201", Status.FAIL, ("tomcat02", "tomcat03")),
        ("CC301", Status.WARN, ("",)),
    ]


DURATIONS = [("36h", 129600), ("2d", 172800), ("90min", 5400), ("1w", 604800), ("45 s", 45),
             ("1.5h", 5400)]  # fmt: skip


@pytest.mark.parametrize(("text", "seconds"), DURATIONS)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0h", "2 days", "-1d", "1d2h", "h"])
def test_what_is_not_a_duration_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)


# -- the page -------------------------------------------------------------------------------


def page_of(runs: list[RunSummary], findings: dict[int, list[StoredResult]] | None = None) -> str:
    return estate_page.render(estate(Latest(runs, findings or {}), NOW), "history.db", NOW)


def test_the_page_is_self_contained_and_escapes_what_the_history_holds() -> None:
    hostile = [
        run(1, XSS, 1, Status.FAIL, recorded_by=f'cron"><b>{XSS}'),
        run(2, "shop\x1b[31m-prod\u202e", 1),
    ]
    findings = {1: [StoredResult("CC201", "jvmroute-unique", XSS, Status.FAIL, XSS)]}
    document = page_of(hostile, findings)
    assert "<script" not in document.lower() and "<b>" not in document
    assert document.count(ESCAPED) >= 3  # name, host, node
    assert "shop\\x1b[31m-prod\\u202e" in document
    links = re.findall(r"""\b(?:src|href|xlink:href|action)\s*=""", document)
    assert links == [] and "default-src 'none'" in document


def test_each_cluster_has_its_verdict_exit_code_age_and_trend() -> None:
    runs = [*nightly("shop-prod", 1, 3), run(9, "billing", 2, Status.FAIL, fail_on="warn")]
    document = page_of(runs)
    billing = re.search(r'<section class="cluster" id="cluster-1".*?</section>', document, re.S)
    assert billing and "billing" in billing[0] and "exit 1 (--fail-on warn)" in billing[0]
    assert "FAIL" in billing[0] and "last run 1 h 59 min ago" in billing[0]
    shop = document[document.index("shop-prod") :]
    assert shop.count("<rect") == 5 and "last 5 runs: 5 pass" in shop
    assert "Estate: 2 clusters" in document


def test_forty_clusters_of_thirty_runs_stay_a_small_page() -> None:
    runs = [r for n in range(40) for r in nightly(f"cluster-{n:02}", n * 100, 3, count=30)]
    assert len(page_of(runs).encode()) < 400_000


# -- from PostgreSQL to the browser ---------------------------------------------------------


@pytest.fixture(scope="module")
def pg() -> Iterator[PgServer]:
    need(find_spec("psycopg") is not None, "psycopg (pip install '.[postgres]')")
    with pgserver.running() as server:
        yield server


def record_nightly(url: str, cluster: str, last: datetime, nights: int, **kw: object) -> None:
    for night in reversed(range(nights)):
        started = (last - timedelta(days=night)).isoformat(timespec="seconds")
        history.record(url, make_report([result("CC101", Status.PASS)], cluster=cluster,
                                         started_at=started, **kw))  # type: ignore[arg-type]  # fmt: skip


def test_the_estate_page_of_a_postgresql_history_in_chromium(
    pg: PgServer, tmp_path: Path, artifacts: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Three clusters recording into one database (one stopped a week ago, one named with
    markup, one failing), the page written by the CLI and shown by a real browser at 800 px."""
    monkeypatch.setenv("PGPASSWORD", pgserver.PASSWORD)
    url = pg.url(pg.create_database("estate"))
    now = datetime.now(UTC)
    record_nightly(url, "shop-prod", now - timedelta(hours=2), 10)
    record_nightly(url, "billing-gone", now - timedelta(days=7), 10)
    record_nightly(url, XSS, now - timedelta(hours=1), 3)
    history.record(url, sample_report(cluster="shop-prod",
                                      started_at=now.isoformat(timespec="seconds")))  # fmt: skip

    page = tmp_path / "estate.html"
    assert main(["history", url, "--html", str(page)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"clustercheck: estate page of 3 cluster(s) written to {page}")
    assert "1 stale (billing-gone)" in said

    dom = browse(page, tmp_path, "--dump-dom")
    assert "<script" not in dom.stdout.lower() and ESCAPED in dom.stdout
    for cluster in ("shop-prod", "billing-gone", ESCAPED):
        assert f"<h2>{cluster}</h2>" in dom.stdout
    (gone,) = [part for part in dom.stdout.split("<section") if "billing-gone" in part]
    assert "STALE" in gone and "stopped reporting: stale after 2 d" in gone
    assert console_messages(dom.stderr) == []

    screenshot = artifacts / "estate.png"
    screenshot.unlink(missing_ok=True)
    browse(page, tmp_path, f"--screenshot={screenshot}", "--window-size=800,1100",
           "--hide-scrollbars")  # fmt: skip
    assert (
        screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000
    )
    assert page_requests(tmp_path / "net.json") == []
    (artifacts / "estate.html").write_bytes(page.read_bytes())


def test_the_run_report_links_to_the_estate_page(tmp_path: Path) -> None:
    inventory = Path(__file__).parents[2] / "examples" / "seed-cluster" / "inventory.yaml"
    report = tmp_path / "r.html"
    args = ["run", str(inventory), "-q", "--html", str(report)]
    assert main([*args, "--estate-url", "https://ops.example.com/estate.html"]) == 1
    assert '<a href="https://ops.example.com/estate.html">' in report.read_text()
    assert main([*args, "--estate-url", "javascript:alert(1)"]) == 2
    assert main(args) == 1 and "Estate</a>" not in report.read_text()


def test_estate_options_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "h.db"
    history.record(db, sample_report())
    assert (
        main(["history", str(db), "--html", str(tmp_path / "e.html"), "--stale-after", "soon"]) == 2
    )
    assert "--stale-after: 'soon' is not a duration" in capsys.readouterr().err
    assert main(["history", str(db), "--html", str(tmp_path / "e.html"), "--runs", "0"]) == 2
