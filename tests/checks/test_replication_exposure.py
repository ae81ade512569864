"""CC508 replication-exposure on files (the lab's server.xml, as tests/lab/lab.py writes it for
a Tomcat 10.1 node) with what a live run adds laid into the facts: the TCP connects from
clustercheck's own machine to each receiver, and that machine's addresses; and the probe plan
that decides where those connects go."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from clusterfiles import build, tomcat_files

from clustercheck.collect.gather import gather
from clustercheck.collect.plan import exposure_receivers
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.runner import run_checks
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.probes import FROM_HERE, Outcome, ProbeResult
from clustercheck.inventory.loader import load_inventory

NODES = {"tomcat01": "10.77.0.11", "tomcat02": "10.77.0.12", "tomcat03": "10.77.0.13"}
INTERCEPTORS = "org.apache.catalina.tribes.group.interceptors."
KEY = "5a0c3ef4d1b2a6978e0f1c2d3b4a59687a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d"
OTHER_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
TFD = f'<Interceptor className="{INTERCEPTORS}TcpFailureDetector"/>'
DISPATCH = f'<Interceptor className="{INTERCEPTORS}MessageDispatchInterceptor"/>'


def encrypt(key: str = KEY, extra: str = "") -> str:
    return (
        f'<Interceptor className="{INTERCEPTORS}EncryptInterceptor" encryptionKey="{key}"{extra}/>'
    )


PLAIN = (TFD, DISPATCH)  # the lab's chain
ENCRYPTED = (DISPATCH, encrypt(), TFD)  # the lab's chain with encryption, in Tomcat's order


def cluster(receiver: str, chain: tuple[str, ...] = PLAIN) -> str:
    """The lab's <Cluster> (tests/lab/templates/server.xml) with this Receiver address and
    this interceptor chain."""
    return f"""
      <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster" channelSendOptions="6">
        <Manager className="org.apache.catalina.ha.session.DeltaManager"
                 expireSessionsOnShutdown="false" notifyListenersOnReplication="true"/>
        <Channel className="org.apache.catalina.tribes.group.GroupChannel">
          <Membership className="org.apache.catalina.tribes.membership.McastService"
                      address="228.0.0.4" port="45564" frequency="500" dropTime="3000"/>
          <Receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver"
                    address="{receiver}" port="4000" autoBind="100" selectorTimeout="5000"
                    maxThreads="6"/>
          <Sender className="org.apache.catalina.tribes.transport.ReplicationTransmitter">
            <Transport className="org.apache.catalina.tribes.transport.nio.PooledParallelSender"/>
          </Sender>
          {"".join(chain)}
        </Channel>
        <Valve className="org.apache.catalina.ha.tcp.ReplicationValve" filter=""/>
        <ClusterListener className="org.apache.catalina.ha.session.ClusterSessionListener"/>
      </Cluster>"""


def members(
    tmp: Path,
    chains: Mapping[str, tuple[str, ...]] | None = None,
    receivers: Mapping[str, str] | None = None,
    versions: Mapping[str, str] | None = None,
) -> ClusterFacts:
    """The three lab Tomcats (10.1.60) read from files; each one's chain, Receiver address and
    version as given, else the lab's."""
    chains, receivers, versions = chains or {}, receivers or {}, versions or {}
    nodes = {name: {"host": host, "roles": ["tomcat"]} for name, host in NODES.items()}
    files: dict[str, Any] = {
        name: tomcat_files(
            name,
            version=versions.get(name, "10.1.60"),
            cluster=cluster(receivers.get(name, host), chains.get(name, PLAIN)),
        )
        for name, host in NODES.items()
    }
    return gather(load_inventory(build(tmp, nodes, files)))


def reached(facts: ClusterFacts, outcomes: Mapping[str, Outcome]) -> ClusterFacts:
    """What a live run from clustercheck's machine (10.77.0.1) records: a TCP connect to each
    receiver named, with this outcome."""
    facts.local.addresses = ["127.0.0.1", "10.77.0.1"]
    facts.local.receiver_probes = tuple(
        ProbeResult(NODES[name], 4000, outcome, 1.2, origin=FROM_HERE)
        for name, outcome in outcomes.items()
    )
    return facts


def judge(facts: ClusterFacts) -> set[tuple[str | None, str, str]]:
    results = run_checks(select(load_checks(), ["CC508"]), facts)
    return {(r.node, r.status.value, r.message) for r in results}


def statuses(found: set[tuple[str | None, str, str]]) -> set[tuple[str | None, str]]:
    return {(node, status) for node, status, _ in found if status != "pass"}


def says(found: set[tuple[str | None, str, str]], node: str | None, status: str, text: str) -> bool:
    return any((n, s) == (node, status) and text in m for n, s, m in found)


OPEN, TIMEOUT = Outcome.OPEN, Outcome.CONNECT_TIMEOUT
ALL = dict.fromkeys(NODES, ENCRYPTED)

CASES = [
    # (id, chains, receivers, versions, probes, here, expected non-pass, (node, status, text))
    (
        "firewalled",  # the healthy lab: the host side of the bridge is dropped at port 4000
        {},
        {},
        {},
        dict.fromkeys(NODES, TIMEOUT),
        None,
        set(),
        ("tomcat02", "pass", "does not accept connections from clustercheck's machine"),
    ),
    (
        "exposed",
        {},
        {},
        {},
        {"tomcat01": TIMEOUT, "tomcat02": OPEN, "tomcat03": TIMEOUT},
        None,
        {("tomcat02", "fail")},
        ("tomcat02", "fail", "10.77.0.12:4000 accepts connections from clustercheck's machine"),
    ),
    (
        "exposed-but-encrypted",
        ALL,
        {},
        {},
        dict.fromkeys(NODES, OPEN),
        None,
        set(),
        ("tomcat02", "pass", "its EncryptInterceptor drops messages"),
    ),
    (
        "bound-to-all-addresses",
        {},
        {"tomcat03": "0.0.0.0"},
        {},
        {},
        None,
        {("tomcat03", "warn")},
        ("tomcat03", "warn", "binds all addresses without an EncryptInterceptor"),
    ),
    (
        "bound-to-all-addresses-encrypted",
        ALL,
        {"tomcat03": "0.0.0.0"},
        {},
        {},
        None,
        set(),
        (None, "pass", "with the same key (compared, not shown) and AES/GCM/NoPadding"),
    ),
    (
        "receiver-on-loopback",
        {},
        {"tomcat01": "127.0.0.1"},
        {},
        {},
        None,
        set(),
        ("tomcat01", "pass", "127.0.0.1:4000 listens on loopback only"),
    ),
    (
        "clustercheck-on-a-member",
        {},
        {},
        {},
        {},
        "10.77.0.12",
        set(),
        ("tomcat01", "pass", "clustercheck runs on member tomcat02"),
    ),
    (
        "encrypt-two-nodes",
        {"tomcat01": ENCRYPTED, "tomcat02": ENCRYPTED},
        {},
        {},
        {},
        None,
        {("tomcat03", "fail")},
        ("tomcat03", "fail", "has no EncryptInterceptor while tomcat01, tomcat02 have one"),
    ),
    (
        "encrypt-one-node",
        {"tomcat01": ENCRYPTED},
        {},
        {},
        {},
        None,
        {("tomcat01", "fail")},
        ("tomcat01", "fail", "has an EncryptInterceptor while tomcat02, tomcat03 do not"),
    ),
    (
        "encrypt-wrong-key",
        {**ALL, "tomcat03": (DISPATCH, encrypt(OTHER_KEY), TFD)},
        {},
        {},
        {},
        None,
        {("tomcat03", "fail")},
        ("tomcat03", "fail", "has another encryptionKey than tomcat01, tomcat02 (compared"),
    ),
    (
        "algorithm-by-version-default",  # 10.1.57 still defaults to CBC, 10.1.58 to GCM
        ALL,
        {},
        {"tomcat03": "10.1.57"},
        {},
        None,
        {("tomcat03", "fail")},
        ("tomcat03", "fail", "encrypts with AES/CBC/PKCS5Padding (its version's default)"),
    ),
    (
        "algorithm-written-everywhere",
        dict.fromkeys(
            NODES, (DISPATCH, encrypt(extra=' encryptionAlgorithm="AES/GCM/NoPadding"'), TFD)
        ),
        {},
        {"tomcat03": "10.1.57"},
        {},
        None,
        set(),
        (None, "pass", "AES/GCM/NoPadding"),
    ),
    (
        "not-the-last-interceptor",
        {**ALL, "tomcat02": (encrypt(), DISPATCH, TFD)},
        {},
        {},
        {},
        None,
        {("tomcat02", "warn")},
        ("tomcat02", "warn", "MessageDispatchInterceptor (line "),
    ),
    (
        "after-tcp-failure-detector-unchecked",  # 9.0.14 starts with this order; CC605: 9.0.15+
        dict.fromkeys(NODES, (TFD, encrypt())),
        {},
        dict.fromkeys(NODES, "9.0.14"),
        {},
        None,
        {("tomcat01", "fail"), ("tomcat02", "fail"), ("tomcat03", "fail")},
        ("tomcat01", "fail", "which Tomcat 9.0.14 does not refuse"),
    ),
]


@pytest.mark.parametrize(
    ("chains", "receivers", "versions", "probes", "here", "expected", "said"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_replication_exposure(
    tmp_path: Path,
    chains: Mapping[str, tuple[str, ...]],
    receivers: Mapping[str, str],
    versions: Mapping[str, str],
    probes: Mapping[str, Outcome],
    here: str | None,
    expected: set[tuple[str | None, str]],
    said: tuple[str | None, str, str],
) -> None:
    facts = reached(members(tmp_path, chains, receivers, versions), probes)
    if here:
        facts.local.addresses.append(here)
    found = judge(facts)
    assert statuses(found) == expected, found
    assert says(found, *said), found
    # no cluster-wide pass beside a member's finding: the grid would show FAIL next to "pass"
    flagged = any(node and status in ("warn", "fail", "error") for node, status, _ in found)
    assert not (flagged and any(node is None and s == "pass" for node, s, _ in found)), found


def test_an_unexposed_cluster_without_encryption_says_so_cluster_wide(tmp_path: Path) -> None:
    found = judge(reached(members(tmp_path), dict.fromkeys(NODES, TIMEOUT)))
    assert says(found, None, "pass", "no member (3) has an EncryptInterceptor"), found


def test_two_members_with_two_keys_have_no_majority(tmp_path: Path) -> None:
    facts = members(tmp_path, {"tomcat01": ENCRYPTED, "tomcat02": (encrypt(OTHER_KEY),)})
    del facts.nodes["tomcat03"]
    found = judge(facts)
    assert statuses(found) == {(None, "fail")}, found
    assert says(found, None, "fail", "differ in their encryptionKey and no side is a majority")


def live(facts: ClusterFacts) -> ClusterFacts:
    """The facts as a live run has them before phase 2: nodes reachable over SSH."""
    for node in facts.nodes.values():
        node.offline = False
    return facts


def test_the_plan_probes_every_live_receiver_from_outside(tmp_path: Path) -> None:
    facts = live(members(tmp_path, receivers={"tomcat01": "127.0.0.1"}))
    facts.local.addresses = ["127.0.0.1", "10.77.0.1"]
    advertised = {"tomcat03": ("10.77.0.13", 4001)}  # autoBind moved it: its heartbeat says so
    assert exposure_receivers(facts, advertised) == [("10.77.0.12", 4000), ("10.77.0.13", 4001)]


def test_the_plan_probes_nothing_from_a_member(tmp_path: Path) -> None:
    facts = live(members(tmp_path))
    facts.local.addresses = ["127.0.0.1", "10.77.0.13"]  # clustercheck runs on tomcat03's host
    assert exposure_receivers(facts, {}) == []


def test_the_key_is_compared_through_a_snapshot_without_being_in_it(tmp_path: Path) -> None:
    """collect writes fingerprints in place of the keys: equal keys stay equal, the odd key
    stays odd, and neither key is anywhere in the snapshot."""
    from clustercheck.cli.main import main

    chains = {**ALL, "tomcat03": (DISPATCH, encrypt(OTHER_KEY), TFD)}
    source = members(tmp_path / "src", chains)
    inventory = tmp_path / "src" / "inventory.yaml"
    assert source.nodes["tomcat01"].tomcat is not None
    assert main(["collect", str(inventory), "-o", str(tmp_path / "snap")]) == 0
    held = b"".join(p.read_bytes() for p in (tmp_path / "snap").rglob("*") if p.is_file())
    assert KEY.encode() not in held and OTHER_KEY.encode() not in held
    snapshot = gather(load_inventory(tmp_path / "snap" / "inventory.yaml"))
    found = judge(snapshot)
    assert statuses(found) == {("tomcat03", "fail")}, found
    assert says(found, "tomcat03", "fail", "has another encryptionKey than tomcat01, tomcat02")
    # a hex key's fingerprint is hex of its length: CC605 takes it as Tomcat would, as live
    start = select(load_checks(), ["CC605"])
    offline = {(r.node, r.status.value) for r in run_checks(start, snapshot)}
    assert offline == {(r.node, r.status.value) for r in run_checks(start, source)}, offline
    assert {status for _node, status in offline} == {"pass"}
