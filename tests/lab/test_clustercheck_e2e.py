"""clustercheck against the real lab: healthy, everything passes; with each fault on, the checks
that own it fail on the right node, and nothing outside the table may warn, fail or error.

One fault often shows in more than one check (a moved AJP port fails CC101 and CC102), and on
both front ends (web1: mod_jk, web2: mod_proxy_ajp): the table says which. Each row lists the
results that must appear; any other result that is not a pass or a skip fails the test.
"""

from __future__ import annotations

import json

import pytest
from lab import Lab

from clustercheck.cli.main import main

pytestmark = pytest.mark.lab

Key = tuple[str, "str | None", str]  # (check, node or None for cluster-wide, status)

EXPECTED: dict[str, set[Key]] = {
    "mcast-cut": {("CC501", "tomcat01", "fail"), ("CC501", "tomcat02", "fail")},
    "mcast-host-firewall": {("CC501", "tomcat03", "fail")},
    "clock-skew": {("CC401", "tomcat03", "fail"), ("CC401", None, "fail")},
    "ajp-port": {
        ("CC101", "web1", "fail"),
        ("CC101", "web2", "fail"),
        ("CC101", "tomcat02", "warn"),
        ("CC102", "web1", "fail"),
        ("CC102", "web2", "fail"),
    },
    # server.xml says 8010, the running Tomcat still listens on 8009: the files disagree with
    # the front ends (CC101, as under ajp-port) and CC802 says the edit was never applied; CPing
    # still gets its CPong on 8009.
    "edited-not-restarted": {
        ("CC101", "web1", "fail"),
        ("CC101", "web2", "fail"),
        ("CC101", "tomcat02", "warn"),
        ("CC801", "tomcat02", "fail"),  # server.xml's 8010: nothing listens there
        ("CC802", "tomcat02", "fail"),
    },
    "dup-jvmroute": {
        ("CC201", "tomcat02", "fail"),
        ("CC201", "tomcat03", "fail"),
        ("CC202", "web1", "fail"),
        ("CC202", "web2", "fail"),
    },
    "no-distributable": {
        ("CC701", "tomcat02", "fail"),
        ("CC702", "tomcat01", "fail"),
        ("CC702", "tomcat03", "fail"),
    },
    "ajp-no-secret": {
        ("CC102", "web1", "fail"),
        ("CC102", "web2", "fail"),
        ("CC103", "tomcat03", "fail"),  # secretRequired without a secret: the connector is refused
        ("CC803", "tomcat03", "fail"),  # and Tomcat says so in its log
    },
    "worker-secret": {("CC103", "tomcat03", "fail")},
    # Faults Tomcat 10.1 takes (the lab serves and replicates): nothing is wrong today; what an
    # upgrade would break is test_upgrade_e2e.py's. ajp-required-secret: tomcat02's secret is
    # written requiredSecret= (10.1 reads the alias, 11.0 does not); encrypt-all: every node
    # encrypts with one key and the release's default algorithm.
    "ajp-required-secret": set(),
    "encrypt-all": set(),
    "receiver-loopback": {
        ("CC502", "tomcat01", "fail"),
        ("CC504", "tomcat02", "fail"),
        ("CC504", "tomcat03", "fail"),
        ("CC803", "tomcat01", "warn"),  # its log: "No session state sent ... timing out"
    },
    "other-jdk": {("CC301", None, "fail")},
    # one cause, said once: CPing, heartbeats, receivers and the JDK of tomcat03 are not judged
    "node-stopped": {("CC801", "tomcat03", "fail")},
    "shutdown-in-window": {
        ("CC501", "tomcat01", "warn"),
        ("CC501", "tomcat02", "warn"),
        ("CC504", "tomcat01", "fail"),
        ("CC504", "tomcat02", "fail"),
    },
    "foreign-member": {("CC503", None, "fail")},
    # The seam faults. What the lab shows for real
    # (tests/lab/test_lab.py): 12 KB of headers get Tomcat's 400 ("packetSize is only [8,192]")
    # instead of the front end's own refusal; under idle-timeout the front ends hold connections
    # Tomcat closed (CLOSE-WAIT) and requests still pass, as they CPing first; under ajp-ipv6
    # Tomcat refuses the connector at start-up (UnsupportedAddressTypeException: the JVM runs
    # with -Djava.net.preferIPv4Stack=true), both front ends are refused and fail over; under
    # balancer-route web2 never routes a tomcat03 session back to tomcat03.
    "proxy-packet-size": {("CC105", "web2", "fail")},
    "worker-packet-size": {("CC105", "web1", "fail")},
    "idle-timeout": {("CC106", "web1", "warn"), ("CC106", "web2", "warn")},  # CPing saves them
    "ajp-ipv6": {
        ("CC102", "web1", "fail"),
        ("CC102", "web2", "fail"),
        ("CC108", "web1", "fail"),  # a member's finding is its apache node's (the convention)
        ("CC108", "web2", "fail"),
        ("CC801", "tomcat01", "fail"),  # tomcat01's own socket table: nothing on ::1:8009
        ("CC803", "tomcat01", "fail"),  # its log: "Failed to initialize component [Connector[...
    },
    "balancer-route": {("CC202", "web2", "fail")},
    # The log faults. not-serializable: one request through web1 to a page that puts a map
    # holding a java.lang.Object in the session; Tomcat answers 200 and DeltaManager logs
    # "Unable to serialize delta request" with java.io.NotSerializableException when it
    # replicates, after the request. lowercase-cluster: tomcat01 starts without a cluster
    # (the digester ignores <cluster> and logs it), so it sends no heartbeat and CC501 has one
    # member less to judge; the others saw it shut down cleanly, which is no finding.
    "not-serializable": {("CC803", "tomcat01", "fail")},
    "lowercase-cluster": {
        ("CC505", "tomcat01", "fail"),
        ("CC601", "tomcat01", "fail"),
        ("CC803", "tomcat01", "warn"),
    },
    # cloud-dns-unnamed: tomcat03 leaves multicast for CloudMembershipService's DNS provider.
    # Its running Tomcat's own environment (/proc/PID/environ) has setenv.sh's
    # KUBERNETES_NAMESPACE=shop and no DNS_MEMBERSHIP_SERVICE_NAME, so it looks up "shop" and
    # finds nobody (catalina.out: "Error getting hosts address list for namespace [shop]");
    # CC501 has one member less to judge, as under lowercase-cluster.
    "cloud-dns-unnamed": {("CC505", None, "fail"), ("CC507", "tomcat03", "warn")},
    # Runtime state no file holds: web1's running mod_jk has tomcat03 disabled (jkstatus), its
    # workers.properties and web2 say active. CC102 still passes: tomcat03 answers CPing.
    "member-disabled": {("CC804", "web1", "warn"), ("CC804", None, "fail")},
    # Replication exposure: healthy, every node's firewall drops the host side of the bridge
    # (clustercheck's machine) at the receiver ports; receiver-exposed lets it through on n2.
    "receiver-exposed": {("CC508", "tomcat02", "fail")},
    # The encrypt faults restart all three Tomcats (tomcat01 first, alone): tomcat03's state
    # request and its first session's replication reach tomcat01 and tomcat02, which cannot
    # decrypt them ("Failed to decrypt message"); theirs reach tomcat03, which cannot decrypt
    # (wrong key) or deserialise (no EncryptInterceptor: "Unable to deserialize message")
    # them, and starts without the cluster's sessions.
    "encrypt-two-nodes": {
        ("CC508", "tomcat03", "fail"),
        ("CC803", "tomcat01", "fail"),
        ("CC803", "tomcat02", "fail"),
        ("CC803", "tomcat03", "fail"),
        ("CC803", "tomcat03", "warn"),
    },
    "encrypt-wrong-key": {
        ("CC508", "tomcat03", "fail"),
        ("CC803", "tomcat01", "fail"),
        ("CC803", "tomcat02", "fail"),
        ("CC803", "tomcat03", "fail"),
        ("CC803", "tomcat03", "warn"),
    },
}


# The diagnosis each fault must be given, in the message of its first expected result;
# {stranger} is the address of n4, the node outside the inventory.
DIAGNOSIS = {
    "mcast-cut": "tomcat03: cut in the network",
    "mcast-host-firewall": "dropped by the listener's host",
    "clock-skew": "beyond 1000 ms",
    "ajp-port": "no AJP connector listens on port 8009",
    "ajp-no-secret": "accepts connections but does not answer CPing",
    "worker-secret": "different secret",
    "receiver-loopback": "advertises 127.0.0.1",
    "node-stopped": "tomcat03 is not running",
    "edited-not-restarted": "server.xml was modified at",
    "dup-jvmroute": "is also used by",
    "no-distributable": "nodist does not declare <distributable/>",
    "other-jdk": "versions differ",
    "shutdown-in-window": "tomcat03 shut down during the capture (BABY-ALEX seen)",
    "foreign-member": "members not in the inventory send heartbeats in the group: {stranger}:4000",
    "proxy-packet-size": "ProxyIOBufferSize 16384",
    "worker-packet-size": "max_packet_size 16384",
    "idle-timeout": "2000 ms",
    "ajp-ipv6": "::1",
    "balancer-route": "tomcat3",
    "not-serializable": "java.io.NotSerializableException: java.lang.Object",
    "lowercase-cluster": "No rules found matching [Server/Service/Engine/cluster",
    "member-disabled": "the front ends disagree on tomcat03: disabled (D) on web1 (mod_jk)",
    "receiver-exposed": "accepts connections from clustercheck's machine, which is not a member",
    "encrypt-two-nodes": "tomcat03 has no EncryptInterceptor while tomcat01, tomcat02 have one",
    "encrypt-wrong-key": "tomcat03 has another encryptionKey than tomcat01, tomcat02",
    "cloud-dns-unnamed": "looks up 'shop' (the namespace from KUBERNETES_NAMESPACE)",
}


def run(lab: Lab, capsys: pytest.CaptureFixture[str]) -> dict:
    capsys.readouterr()
    main(["run", str(lab.inventory), "--json", "-", "-q"])
    return json.loads(capsys.readouterr().out)


def findings(report: dict) -> set[Key]:
    return {
        (r["code"], r["node"], r["status"])
        for r in report["results"]
        if r["status"] in ("warn", "fail", "error")
    }


def explain(report: dict) -> list[str]:
    return [
        f"{r['code']} {r['node']} {r['status']}: {r['message']}"
        for r in report["results"]
        if r["status"] in ("warn", "fail", "error")
    ]


def test_the_healthy_lab_passes_every_check(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    report = run(lab, capsys)
    assert findings(report) == set(), explain(report)
    judged = {r["code"] for r in report["results"] if r["status"] == "pass"}
    live = {"CC102", "CC301", "CC401", "CC402", "CC501", "CC502", "CC503", "CC504"}
    live |= {"CC801", "CC802", "CC803", "CC508"}
    assert live <= judged, "every live check judged the lab"
    seam = {"CC105", "CC106", "CC107", "CC108", "CC203"}
    assert seam <= judged, "every seam check judged both front ends"
    runtime = {
        r["node"] for r in report["results"] if r["code"] == "CC804" and r["status"] == "pass"
    }
    assert runtime == {"web1", "web2", None}, "both running balancers asked, and they agree"
    apaches = {r["node"] for r in report["results"] if r["code"] == "CC102"}
    assert {"web1", "web2"} <= apaches, "CPing ran from both front ends"
    assert report["views"]["multicast"]["members"] == ["tomcat01", "tomcat02", "tomcat03"]


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_each_fault_is_caught_by_its_checks_and_nothing_else(
    lab: Lab, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    with lab.fault(fault):
        report = run(lab, capsys)
    assert findings(report) == EXPECTED[fault], explain(report)
    assert (fault in DIAGNOSIS) == bool(EXPECTED[fault]), "a diagnosis for each fault caught"
    if fault in DIAGNOSIS:
        diagnosis = DIAGNOSIS[fault].format(stranger=lab.ip(4))
        assert any(diagnosis in line for line in explain(report)), explain(report)
