"""CC803 log-signatures judged from log tails as a snapshot hands them over, built from the
lab's real logs (tests/data/logs): pass, warn, fail, error and skip, what a finding quotes, and
that nothing secret reaches a result. The files are clusterfiles.three_tomcats."""

from __future__ import annotations

from pathlib import Path

import pytest
from clusterfiles import three_tomcats

from clustercheck.collect.gather import gather
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.runner import run_checks
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.logs import LogFacts, LogTail
from clustercheck.inventory.loader import load_inventory
from clustercheck.parsers.logs import since_start

DATA = Path(__file__).parent.parent / "data" / "logs"


def tail(name: str, kind: str = "tomcat", path: str = "/opt/tomcat/logs/catalina.out") -> LogTail:
    """A real log cut to its last start, as collect/logs.py cuts it."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    start, since, how = since_start(lines, kind, None, 0)
    return LogTail(path, kind, "CATALINA_OUT", tuple(lines[start:]), start + 1, False, since, how)


@pytest.fixture
def cluster(tmp_path: Path) -> ClusterFacts:
    facts = gather(load_inventory(three_tomcats(tmp_path)))
    for node in facts.nodes.values():
        node.recorded = True
    return facts


def judge(facts: ClusterFacts, node: str) -> list[tuple[str, str, dict]]:
    results = run_checks(select(load_checks(), ["CC803"]), facts)
    return [(r.status.value, r.message, dict(r.details)) for r in results if r.node == node]


def test_a_clean_log_passes_and_says_what_was_read_since_when(cluster: ClusterFacts) -> None:
    lines = (DATA / "lab-tomcat02.catalina.out").read_text().splitlines()[:55]
    clean = LogTail("/opt/tomcat/logs/catalina.out", "tomcat", "CATALINA_OUT", tuple(lines), 1)
    piped = LogTail("|rotatelogs", "tomcat", "x", error="piped to a program: not read")
    cluster.nodes["tomcat01"].live.logs = LogFacts(0, (clean, piped))
    ((status, message, _),) = judge(cluster, "tomcat01")
    assert status == "pass"
    assert message == (
        "no known failure line in /opt/tomcat/logs/catalina.out (55 lines all that was read); "
        "not read: |rotatelogs (piped to a program: not read)"
    )


def test_the_lowercase_cluster_start_is_quoted_with_file_line_and_count(
    cluster: ClusterFacts,
) -> None:
    lines = (DATA / "lab-tomcat01.catalina.out").read_text().splitlines()
    end = max(i for i, x in enumerate(lines) if "No rules found matching" in x) + 20
    start, _since, _how = since_start(lines[:end], "tomcat", None, 0)
    cut = LogTail(
        "/opt/tomcat/logs/catalina.out", "tomcat", "x", tuple(lines[start:end]), start + 1
    )
    cluster.nodes["tomcat01"].live.logs = LogFacts(0, (cut,))
    ((status, message, details),) = judge(cluster, "tomcat01")
    assert status == "warn"
    assert f"/opt/tomcat/logs/catalina.out:{start + 1} at 2026-12-03 23:11:50 +0000" in message
    assert '"No rules found matching [Server/Service/Engine/cluster/Manager]"' in message
    assert "(12 times, 2026-12-03 23:11:50 +0000 to 2026-12-03 23:11:50 +0000)" in message
    assert "(about Server/Service/Engine/cluster, Server/Service/Engine/cluster/Valve, " in message
    assert details["rule"] == "digester-no-rules" and details["related"] == "CC601"


def test_a_not_serializable_session_fails_and_the_session_id_is_masked(
    cluster: ClusterFacts,
) -> None:
    lines = (DATA / "lab-tomcat01.catalina.out").read_text().splitlines()
    index = next(i for i, x in enumerate(lines) if "Unable to serialize delta" in x)
    raw = LogTail("/opt/tomcat/logs/catalina.out", "tomcat", "x", tuple(lines[index : index + 3]))
    cluster.nodes["tomcat02"].live.logs = LogFacts(0, (raw,))
    cluster.nodes["tomcat02"].secrets.add("FBD01755259736E47F7763CF73C7983C")
    ((status, message, details),) = judge(cluster, "tomcat02")
    assert status == "fail" and details["rule"] == "session-not-serializable"
    assert "Unable to serialize delta request for sessionid [***" in message
    assert "FBD01755259736E47F7763CF73C7983C" not in message + str(details)


def test_a_crashed_member_still_gone_warns_and_names_it(cluster: ClusterFacts) -> None:
    lines = (DATA / "lab-tomcat02.catalina.out").read_text().splitlines()
    crash = max(i for i, x in enumerate(lines) if "Received member disappeared" in x)
    gone = LogTail("/opt/tomcat/logs/catalina.out", "tomcat", "x", tuple(lines[: crash + 1]), 1)
    cluster.nodes["tomcat02"].live.logs = LogFacts(0, (gone,))
    ((status, message, details),) = judge(cluster, "tomcat02")
    assert status == "warn" and details["subjects"] == ["10.82.180.13:4000"]
    assert message.startswith("a member stopped being heard without shutting down")


def test_front_end_logs_are_judged_on_apache_nodes(cluster: ClusterFacts) -> None:
    jk = tail("lab-web1-node-stopped.mod_jk.log", "modjk", "/etc/httpd/logs/mod_jk.log")
    cluster.nodes["web1"].live.logs = LogFacts(0, (jk,))
    ((status, message, details),) = judge(cluster, "web1")
    assert status == "fail" and details["rule"] == "jk-connect-failed" and details["count"] == 2
    assert "(errno=111)" in message


def test_no_readable_log_is_an_error_and_no_logs_read_is_a_skip(cluster: ClusterFacts) -> None:
    missing = LogTail("/opt/tomcat/logs/catalina.out", "tomcat", "CATALINA_OUT", error="missing")
    cluster.nodes["tomcat01"].live.logs = LogFacts(0, (missing,))
    assert judge(cluster, "tomcat01") == [
        ("error", "no log could be read: /opt/tomcat/logs/catalina.out: missing", {})
    ]
    ((status, _message, _),) = judge(cluster, "tomcat03")
    assert status == "skip"
