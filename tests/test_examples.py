"""The bundled examples judge as the README says: the mod_proxy one with the same checks as
the mod_jk one, its seam faults found where they are written."""

from __future__ import annotations

import json

import pytest
from support import REPO

from clustercheck.cli.main import main

PROXY = REPO / "examples" / "proxy-cluster" / "inventory.yaml"


def test_the_mod_proxy_example_is_judged_by_the_seam_checks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", str(PROXY), "--json", "-", "-q"]) == 1
    report = json.loads(capsys.readouterr().out)
    found = {(r["code"], r["node"], r["status"]) for r in report["results"]}
    assert ("CC101", "web1", "pass") in found  # every BalancerMember reaches a connector
    assert ("CC105", "web1", "fail") in found  # ProxyIOBufferSize 16384 vs packetSize 8192
    assert ("CC202", "web1", "fail") in found  # tomcat03's jvmRoute is tomcat01
    assert ("CC203", "web1", "pass") in found
    assert {(f"CC607{n}", "web1", "pass") for n in (1, 2, 3)} <= found  # a clean mod_proxy lint
    packet = next(r for r in report["results"] if r["code"] == "CC105")
    assert packet["file"] == "/etc/httpd/conf.d/shop-balancer.conf" and packet["line"] == 2
    (front_end,) = report["views"]["front_ends"]
    assert front_end["module"] == "mod_proxy"
    assert [m["name"] for m in front_end["members"]] == [
        "ajp://localhost:8009",
        "ajp://192.168.1.190:8019",
        "ajp://192.168.1.188:8029",
    ]


@pytest.mark.parametrize("example", ["seed-cluster", "proxy-cluster"])
def test_no_check_passes_the_cluster_beside_a_node_it_flags(
    capsys: pytest.CaptureFixture[str], example: str
) -> None:
    """A grid row never shows a node FAIL next to the cluster's "pass" (CC505 did, beside the
    node whose <cluster> Tomcat ignores): a check's pass of the cluster means the cluster."""
    main(["run", str(REPO / "examples" / example / "inventory.yaml"), "--json", "-", "-q"])
    results = json.loads(capsys.readouterr().out)["results"]
    flagged = {r["code"] for r in results if r["node"] and r["status"] in ("warn", "fail", "error")}
    passed = {r["code"] for r in results if r["node"] is None and r["status"] == "pass"}
    assert flagged & passed == set()
