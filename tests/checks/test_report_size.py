"""A report grows linearly with its findings (issue 14): a check that judges one node against
the others names a few of them and counts the rest, so a jvmRoute shared by N nodes, a receiver
nobody reaches or a member nobody hears give N short results, not N results of N names each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clusterfiles import apache_files, build, tomcat_files

from clustercheck.collect.gather import gather
from clustercheck.engine.registry import load_checks
from clustercheck.engine.results import Result
from clustercheck.engine.runner import run_checks
from clustercheck.facts.multicast import CaptureView, MulticastCapture
from clustercheck.facts.probes import Outcome, ProbeResult
from clustercheck.inventory.loader import load_inventory

HOST = "10.0.0.9"  # every Tomcat on one host: a worker's candidates are all of them


def names(count: int) -> list[str]:
    return [f"tomcat{index:03d}" for index in range(count)]


def bad_day(tmp: Path, count: int) -> list[Result]:
    """Every check over `count` Tomcats that share one jvmRoute, half of them without an app the
    other half has, each with its own AJP port that no worker points at, none reaching another's
    receiver, none hearing another's heartbeats."""
    tomcats = names(count)
    nodes = {name: {"host": HOST, "roles": ["tomcat"]} for name in tomcats}
    files = {
        name: tomcat_files(
            "same",
            apps={"shop": True, "extra": True} if index % 2 else {"shop": True},
            ajp_port=8009 + index,
        )
        for index, name in enumerate(tomcats)
    }
    workers = "worker.list=lb\nworker.lb.type=lb\n"
    workers += f"worker.lb.balance_workers={','.join(tomcats)}\n"
    for index, name in enumerate(tomcats):
        workers += f"worker.{name}.type=ajp13\nworker.{name}.host={HOST}\n"
        workers += f"worker.{name}.port={9000 + index}\nworker.{name}.secret=s3cret\n"
    nodes["web1"] = {"host": "10.0.0.1", "roles": ["apache"]}
    files["web1"] = apache_files(workers)
    facts = gather(load_inventory(build(tmp, nodes, files)))
    silent = CaptureView(())
    for index, name in enumerate(tomcats):
        node = facts.nodes[name]
        node.recorded = True
        node.live.multicast = MulticastCapture(("228.0.0.4", 45564), 3, silent, silent)
        node.live.receiver_probes = tuple(
            ProbeResult(HOST, 4000 + other, Outcome.REFUSED, None, "", name)
            for other in range(count)
            if other != index
        )
    return run_checks(load_checks(), facts)


def size(results: list[Result]) -> int:
    return sum(len(r.message) + len(json.dumps(r.details, default=str)) for r in results)


@pytest.mark.parametrize("code", ["CC101", "CC201", "CC501", "CC504", "CC702"])
def test_the_results_grow_linearly_with_the_nodes(tmp_path: Path, code: str) -> None:
    small = [r for r in bad_day(tmp_path / "small", 8) if r.code == code]
    large = [r for r in bad_day(tmp_path / "large", 32) if r.code == code]
    assert len(large) >= 4 * len(small) - 4 and {r.status.value for r in large} >= {"fail"}
    assert size(large) < 4.5 * size(small), [r.message for r in large[:3]]


def test_a_shared_jvmroute_names_a_few_nodes_and_counts_the_rest(tmp_path: Path) -> None:
    results = [r for r in bad_day(tmp_path, 8) if r.code == "CC201"]
    assert results[0].message == (
        "jvmRoute 'same' is also used by tomcat001, tomcat002, tomcat003 and 4 more"
    )
    assert results[0].details == {"jvm_route": "same", "nodes_with_route": 8}
