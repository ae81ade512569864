"""CC802 on a real httpd with mod_jk (Debian's apache2, on loopback, started by the test): a
workers.properties edited after httpd read it fails; `apachectl -k graceful` (SIGUSR1) makes
httpd read it again in the same parent process and rewrite its PidFile, and CC802 passes. The
files are dated by the real `stat`, the PidFile is the one the real configuration names."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import yaml
from realhttpd import need_httpd, serving_jk

from clustercheck.collect.gather import gather
from clustercheck.collect.stamps import gather_stamps
from clustercheck.collect.transports.localfs import LocalTransport
from clustercheck.derive.applied import read_files
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.runner import run_checks
from clustercheck.facts.cluster import NodeFacts
from clustercheck.facts.runtime import RuntimeFacts, ServerProcess
from clustercheck.inventory.loader import load_inventory
from clustercheck.knowledge.reloads import SLACK_S

WORKERS = "worker.list=w1\nworker.w1.type=ajp13\nworker.w1.host=127.0.0.1\nworker.w1.port=8009\n"


def _age(root: Path) -> None:
    """Every file an hour old, as a deployed configuration is."""
    for path in root.iterdir():
        os.utime(path, (time.time() - 3600, time.time() - 3600))


def judge(root: Path, pid: int, started: float) -> list[tuple[str, str]]:
    """CC802 on the node whose httpd.conf is root's: its files as clustercheck reads them, their
    times from the real stat, the process as the runtime facts give it."""
    inventory = root / "inventory.yaml"
    node = {
        "transport": "local",
        "roles": ["apache"],
        "apache": {"httpd_conf": f"{root}/httpd.conf"},
    }
    inventory.write_text(yaml.safe_dump({"cluster": "t", "nodes": {"web1": node}}))
    facts = gather(load_inventory(inventory), multicast=False)
    web1: NodeFacts = facts.nodes["web1"]
    paths = read_files(web1).paths()
    assert f"{root}/httpd.pid" in paths and f"{root}/workers.properties" in paths
    web1.live.runtime = RuntimeFacts(
        now=time.time(),
        httpd=ServerProcess(pid, "root", started),
        stamps=gather_stamps(LocalTransport(10), paths),
    )
    return [
        (r.status.value, r.message) for r in run_checks(select(load_checks(), ["CC802"]), facts)
    ]


def test_workers_edited_fails_until_a_graceful_restart() -> None:
    need_httpd()
    started = time.time() - 1  # whole seconds: the parent starts within this second
    with serving_jk(WORKERS, before=_age) as (root, process):
        pid_file = root / "httpd.pid"
        assert judge(root, process.pid, started)[0][0] == "pass"
        time.sleep(SLACK_S + 1)
        with (root / "workers.properties").open("a") as edit:
            edit.write("worker.w1.port=8010\n")
        [(status, message)] = judge(root, process.pid, started)
        assert status == "fail"
        assert f"{root}/workers.properties was modified at" in message
        assert "`apachectl -k graceful` applies it" in message
        read_at = pid_file.stat().st_mtime
        os.kill(process.pid, signal.SIGUSR1)  # what `apachectl -k graceful` sends
        deadline = time.monotonic() + 10
        while pid_file.stat().st_mtime == read_at and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pid_file.read_text().strip() == str(process.pid), "the same parent process"
        [(status, message)] = judge(root, process.pid, started)
        assert status == "pass", message
        assert "older than when it last read its configuration at" in message
        assert "8010" in (root / "mod_jk.log").read_text(), "mod_jk read the edit again"
