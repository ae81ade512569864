"""CC501, CC502 and CC503 on recorded facts: real heartbeats captured from a Tomcat 10 cluster
(../shared/notes/captures), laid into the nodes' wire and socket views as a live run records
them, then cut, dropped, or joined by strangers the way the network faults do."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from clusterfiles import build, tomcat_files
from parsers.test_tribes import MEMBER, captures_dir, encode

from clustercheck.collect.gather import gather
from clustercheck.collect.multicast import collapse_repeats
from clustercheck.derive.derived import Derived
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.runner import run_checks
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.multicast import CaptureView, LocalListen, MulticastCapture
from clustercheck.facts.probes import Outcome, ProbeResult
from clustercheck.inventory.loader import load_inventory
from clustercheck.parsers.pcap import Datagram, read_pcap
from clustercheck.report.views import build_views

NODES = {"tomcat01": "10.77.0.11", "tomcat02": "10.77.0.12", "tomcat03": "10.77.0.13"}


def datagrams(name: str) -> list[Datagram]:
    found, problems = read_pcap((captures_dir() / name).read_bytes())
    assert not problems
    return found


def cluster(tmp: Path, views: dict[str, list[Datagram]]) -> ClusterFacts:
    """The three lab nodes with each node's wire and socket views set to `views[node]`."""
    nodes = {name: {"host": host, "roles": ["tomcat"]} for name, host in NODES.items()}
    inventory = build(tmp, nodes, {name: tomcat_files(name) for name in NODES})
    facts = gather(load_inventory(inventory))
    for name, seen in views.items():
        node = facts.nodes[name]
        node.recorded = True
        node.live.multicast = MulticastCapture(
            group=("228.0.0.4", 45564),
            window_s=3,
            wire=CaptureView(collapse_repeats(seen)),
            socket=CaptureView(collapse_repeats(seen)),
        )
    return facts


def judge(facts: ClusterFacts, code: str) -> dict[str | None, tuple[str, str]]:
    results = run_checks(select(load_checks(), [code]), facts)
    return {r.node: (r.status.value, r.message) for r in results}


def test_healthy_every_member_hears_the_others(tmp_path: Path) -> None:
    seen = datagrams("tribes.pcap")
    facts = cluster(tmp_path, dict.fromkeys(NODES, seen))
    assert {n: s for n, (s, _) in judge(facts, "CC501").items()} == dict.fromkeys(NODES, "pass")
    assert judge(facts, "CC502")["tomcat01"] == ("pass", "advertises 10.77.0.11:4000")
    assert judge(facts, "CC503")[None][0] == "pass"


def test_the_report_carries_the_matrix_and_the_window(tmp_path: Path) -> None:
    facts = cluster(tmp_path, dict.fromkeys(NODES, datagrams("tribes.pcap")))
    multicast = build_views(facts, Derived(facts)).multicast
    assert multicast is not None
    view = multicast.as_dict()
    assert view["members"] == list(NODES) and view["window_s"] == 3
    assert view["matrix"]["tomcat01"]["tomcat03"] == {
        "heard": True,
        "diagnosis": "heard",
        "status": "pass",
    }


def test_a_node_cut_at_the_bridge_is_heard_by_nobody(tmp_path: Path) -> None:
    seen = datagrams("tribes.pcap")
    others = [d for d in seen if d.src != NODES["tomcat03"]]
    facts = cluster(tmp_path, {"tomcat01": others, "tomcat02": others, "tomcat03": seen})
    found = judge(facts, "CC501")
    assert found["tomcat01"][0] == "fail"
    assert (
        "tomcat03: cut in the network (seen leaving the sender's own network interface, never "
        "arriving at the listener's)"
    ) in found["tomcat01"][1]  # whose interface, in plain words
    assert found["tomcat03"][0] == "pass"


def test_a_host_firewall_drops_what_the_wire_sees(tmp_path: Path) -> None:
    seen = datagrams("tribes.pcap")
    facts = cluster(tmp_path, dict.fromkeys(NODES, seen))
    own = [d for d in seen if d.src == NODES["tomcat03"]]
    node = facts.nodes["tomcat03"].live
    assert node.multicast is not None
    node.multicast = replace(node.multicast, socket=CaptureView(collapse_repeats(own)))
    status, message = judge(facts, "CC501")["tomcat03"]
    assert status == "fail" and "dropped by the listener's host" in message


def test_a_member_advertising_loopback(tmp_path: Path) -> None:
    seen = [d for d in datagrams("tribes.pcap") if d.src != NODES["tomcat03"]]
    seen += datagrams("tribes-auto.pcap")  # tomcat03 with <Receiver address="auto">: 127.0.0.1
    facts = cluster(tmp_path, dict.fromkeys(NODES, seen))
    status, message = judge(facts, "CC502")["tomcat03"]
    assert status == "fail" and message.startswith("advertises 127.0.0.1:4000")


def test_a_foreign_member_in_the_group(tmp_path: Path) -> None:
    seen = datagrams("tribes.pcap")
    qa = encode(replace(MEMBER, host="10.77.0.99", port=4000, domain=b"qa"))
    stranger = Datagram(seen[0].time, "10.77.0.99", "228.0.0.4", 45564, 45564, qa)
    facts = cluster(tmp_path, {key: [*seen, stranger] for key in NODES})
    status, message = judge(facts, "CC503")[None]
    assert status == "fail" and "10.77.0.99:4000 (domain qa)" in message


def test_a_node_limit_left_out_is_no_foreign_member(tmp_path: Path) -> None:
    """--limit tomcat01,tomcat02: tomcat03 still beats in the group, and is in the inventory."""
    seen = datagrams("tribes.pcap")
    facts = cluster(tmp_path, {key: seen for key in NODES})
    left = facts.nodes.pop("tomcat03")
    facts.left_out = (left.settings,)
    status, message = judge(facts, "CC503")[None]
    assert status == "pass", message
    assert "left out by --limit" in message


def test_a_member_shutting_down_in_the_window_is_a_warning_for_its_listeners(
    tmp_path: Path,
) -> None:
    """tomcat03 says goodbye (BABY-ALEX) mid-window: nobody is deaf, nothing can be judged."""
    seen = [d for d in datagrams("tribes.pcap") if d.src != NODES["tomcat03"]]
    seen += datagrams("tribes-shutdown.pcap")  # tomcat03's last heartbeats, then BABY-ALEX
    found = judge(cluster(tmp_path, dict.fromkeys(NODES, seen)), "CC501")
    assert found["tomcat01"] == (
        "warn",
        "tomcat03 shut down during the capture (BABY-ALEX seen): not judged here; "
        "run again once it is back",
    )
    assert found["tomcat02"][0] == "warn" and found["tomcat03"][0] == "pass"


def test_without_a_capture_the_membership_checks_skip(tmp_path: Path) -> None:
    facts = cluster(tmp_path, {})
    for code in ("CC501", "CC502", "CC503"):
        assert {s for s, _ in judge(facts, code).values()} == {"skip"}


@pytest.fixture(autouse=True)
def _captures_present() -> None:
    captures_dir()


def test_clustercheck_itself_listening_on_an_interface(tmp_path: Path) -> None:
    """multicast.interface: what clustercheck's machine hears from the network's side."""
    seen = datagrams("tribes.pcap")
    facts = cluster(tmp_path, dict.fromkeys(NODES, seen))
    heard = [d for d in seen if d.src != NODES["tomcat02"]]
    facts.local.multicast = LocalListen("br0", CaptureView(collapse_repeats(heard)))
    found = [r for r in run_checks(select(load_checks(), ["CC501"]), facts) if r.node is None]
    assert [(r.status.value, r.message) for r in found] == [
        ("warn", "clustercheck's machine (br0) does not hear tomcat02")
    ]


@pytest.mark.parametrize(
    ("tomcat03", "status", "message"),
    [
        (Outcome.OPEN, "pass", "connects to the receivers of the 2 other member(s)"),
        (
            Outcome.REFUSED,
            "fail",
            "cannot connect to tomcat03's receiver 10.77.0.13:4000: refused",
        ),
    ],
)
def test_receivers_are_judged_once_per_member(
    tmp_path: Path, tomcat03: Outcome, status: str, message: str
) -> None:
    facts = cluster(tmp_path, {})
    for name in NODES:
        facts.nodes[name].recorded = True  # live facts, as a run over SSH leaves them
        facts.nodes[name].live.receiver_probes = tuple(
            ProbeResult(host, 4000, tomcat03 if other == "tomcat03" else Outcome.OPEN)
            for other, host in NODES.items()
            if other != name
        )
    found = judge(facts, "CC504")
    assert found["tomcat01"] == (status, message) and found["tomcat02"] == (status, message)
    assert found["tomcat03"][0] == "pass" and len(found) == 3
