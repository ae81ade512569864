"""CC802 config-not-applied: the files of a Tomcat (tomcat02) and of an httpd (web1) against
when their reader last read them. The files are real (the `files` transport reads them as on a
node); the process table and the files' modification times are laid into the live facts as a
snapshot records them. What Tomcat and httpd re-read, and when, was seen on the real software
(knowledge/reloads.py; tests/test_reloads_real.py runs the httpd side again)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from clusterfiles import BASE, HEALTHY_WORKERS, apache_files, build, tomcat_files, war

from clustercheck.collect.gather import gather
from clustercheck.derive.applied import read_files
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.runner import run_checks
from clustercheck.facts.runtime import RuntimeFacts, ServerProcess
from clustercheck.inventory.loader import load_inventory

START = 1_796_000_000.0  # 2026-11-30 00:53:20 UTC
AT = "2026-11-30 00:53:20 UTC"
SHOP = f"{BASE}/webapps/shop"
WORKERS = "/etc/httpd/conf/workers.properties"
PID_FILE = "/etc/httpd/logs/httpd.pid"  # jk_conf under /etc/httpd: the default logs/httpd.pid


def judged(
    tmp_path: Path,
    moved: Mapping[str, float | None],
    auto_deploy: bool = True,
    running: bool = True,
    gathered: bool = True,
) -> list[tuple[str | None, str, str]]:
    """CC802 on tomcat02 and web1, every file they read dated START - 3600 except `moved`
    (path -> seconds after START; a path with None is not there)."""
    server = tomcat_files("tomcat02")
    if not auto_deploy:
        text = str(server[f"{BASE}/conf/server.xml"])
        server[f"{BASE}/conf/server.xml"] = text.replace(
            'appBase="webapps"', 'appBase="webapps" autoDeploy="false"'
        )
    server[f"{SHOP}.war"] = war({"WEB-INF/web.xml": "<web-app/>"})
    nodes = {
        "tomcat02": {"host": "10.0.0.12", "roles": ["tomcat"]},
        "web1": {"host": "10.0.0.1", "roles": ["apache"]},
    }
    inventory = build(tmp_path, nodes, {"tomcat02": server, "web1": apache_files(HEALTHY_WORKERS)})
    facts = gather(load_inventory(inventory))
    for node in facts.nodes.values():
        node.recorded = True
        if not gathered:
            continue
        stamps: dict[str, float | None] = {p: START - 3600 for p in read_files(node).paths()}
        stamps |= {p: None if d is None else START + d for p, d in moved.items()}
        process = ServerProcess(4242, "tomcat", START) if running else None
        node.live.runtime = RuntimeFacts(
            now=START + 7200,
            tomcat=process if node.tomcat else None,
            httpd=process if node.apache else None,
            stamps={path: stamp for path, stamp in stamps.items() if stamp is not None},
        )
    return [
        (r.node, r.status.value, r.message)
        for r in run_checks(select(load_checks(), ["CC802"]), facts)
    ]


T = "Tomcat (PID 4242)"
CASES = [  # files moved (seconds after the start), autoDeploy, expected (node, status, text)
    pytest.param(
        {},
        True,
        {
            ("tomcat02", "pass", f"files Tomcat reads are older than when it started at {AT}"),
            ("web1", "pass", f"files httpd reads are older than when it started at {AT}"),
        },
        id="healthy",
    ),
    pytest.param(
        {f"{BASE}/conf/server.xml": 60},
        True,
        {
            (
                "tomcat02",
                "fail",
                f"{BASE}/conf/server.xml was modified at 2026-11-30 00:54:20 UTC, after {T} "
                f"started at {AT}: it still runs what the file said before; restart Tomcat",
            ),
            ("web1", "pass", "older than when it started"),
        },
        id="server-xml-edited-not-restarted",
    ),
    pytest.param(
        {f"{BASE}/conf/catalina.properties": 600, f"{BASE}/conf/logging.properties": 600},
        True,
        {
            ("tomcat02", "fail", f"{BASE}/conf/catalina.properties was modified"),
            ("tomcat02", "fail", f"{BASE}/conf/logging.properties was modified"),
            ("web1", "pass", ""),
        },
        id="start-only-files",
    ),
    pytest.param(
        {f"{BASE}/conf/server.xml": 2},
        True,
        {("tomcat02", "pass", "older than"), ("web1", "pass", "")},
        id="within-the-slack",
    ),
    pytest.param(
        {f"{SHOP}/WEB-INF/web.xml": 60, f"{BASE}/conf/web.xml": 60},
        True,
        {("tomcat02", "pass", "; 2 changed since, re-read by autoDeploy"), ("web1", "pass", "")},
        id="app-files-reloaded-by-autodeploy",
    ),
    pytest.param(
        {f"{SHOP}/WEB-INF/web.xml": 60},
        False,
        {
            (
                "tomcat02",
                "fail",
                f"{SHOP}/WEB-INF/web.xml was modified at 2026-11-30 00:54:20 UTC, after {T} "
                "(its Host's autoDeploy is off) started",
            ),
            ("web1", "pass", ""),
        },
        id="app-file-without-autodeploy",
    ),
    pytest.param(
        {f"{SHOP}.war": 60, f"{SHOP}": -3000, f"{SHOP}/META-INF/war-tracker": -3000},
        False,
        {
            (
                "tomcat02",
                "fail",
                f"{SHOP}.war was modified at 2026-11-30 00:54:20 UTC, after {T} expanded it into "
                f"{SHOP} (META-INF/war-tracker: 2026-11-30 00:03:20 UTC): it still runs what the "
                "file said before; restart Tomcat: it expands the WAR again",
            ),
            ("web1", "pass", ""),
        },
        id="war-newer-than-its-expansion",
    ),
    pytest.param(
        {f"{SHOP}.war": -60, f"{SHOP}": -3000, f"{SHOP}/META-INF/war-tracker": None},
        False,
        {
            ("tomcat02", "fail", "which has no META-INF/war-tracker"),
            ("web1", "pass", ""),
        },
        id="war-newer-than-a-hand-expanded-folder",
    ),
    pytest.param(
        {f"{SHOP}.war": 60, f"{SHOP}": 61, f"{SHOP}/META-INF/war-tracker": 60},
        False,
        {("tomcat02", "pass", ""), ("web1", "pass", "")},
        id="war-expanded-as-it-is",
    ),
    pytest.param(
        {f"{SHOP}.war": 60, f"{SHOP}/META-INF/war-tracker": -3000},
        True,
        {("tomcat02", "pass", ""), ("web1", "pass", "")},
        id="war-redeployed-by-autodeploy",
    ),
    pytest.param(
        {WORKERS: 60, PID_FILE: 120},
        True,
        {
            ("tomcat02", "pass", ""),
            (
                "web1",
                "pass",
                "older than when it last read its configuration at 2026-11-30 00:55:20 UTC "
                "(graceful restart: PidFile)",
            ),
        },
        id="workers-applied-by-a-graceful-restart",
    ),
    pytest.param(
        {WORKERS: 120, PID_FILE: 60},
        True,
        {
            ("tomcat02", "pass", ""),
            (
                "web1",
                "fail",
                f"{WORKERS} was modified at 2026-11-30 00:55:20 UTC, after httpd (PID 4242) last "
                "read its configuration at 2026-11-30 00:54:20 UTC (graceful restart: PidFile): "
                "it still runs what the file said before; `apachectl -k graceful` applies it",
            ),
        },
        id="workers-edited-after-the-last-graceful",
    ),
    pytest.param(
        {WORKERS: 60, PID_FILE: None},
        True,
        {
            ("tomcat02", "pass", ""),
            ("web1", "skip", f"its PidFile {PID_FILE} was not found"),
        },
        id="no-pid-file-no-verdict",
    ),
]


@pytest.mark.parametrize(("moved", "auto_deploy", "expected"), CASES)
def test_cc802_config_not_applied(
    tmp_path: Path,
    moved: Mapping[str, float | None],
    auto_deploy: bool,
    expected: set[tuple[str, str, str]],
) -> None:
    said = judged(tmp_path, moved, auto_deploy)
    assert {(node, status) for node, status, _ in said} == {(n, s) for n, s, _ in expected}
    for node, status, text in expected:
        assert any((n, s) == (node, status) and text in m for n, s, m in said), (text, said)


def test_cc802_skips_a_server_that_does_not_run(tmp_path: Path) -> None:
    said = judged(tmp_path, {f"{BASE}/conf/server.xml": 60}, running=False)
    assert said == [
        ("tomcat02", "skip", "Tomcat is not running (CC801): no start to compare with"),
        ("web1", "skip", "httpd is not running: no start to compare with"),
    ]


def test_cc802_skips_what_was_not_gathered(tmp_path: Path) -> None:
    said = judged(tmp_path, {}, gathered=False)
    assert {(n, s) for n, s, _ in said} == {("tomcat02", "skip"), ("web1", "skip")}
    assert all(m == "what runs on the node was not gathered" for _, _, m in said)
