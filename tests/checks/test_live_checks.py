"""The live checks judged from hand-made typed facts, as a snapshot hands them over: CC102
ajp-cping, CC301 jdk-parity, CC401 clock-skew, CC402 time-sync and CC504 receiver-reachable.
No root, no network: the files are a three-Tomcat cluster (clusterfiles.three_tomcats: web1 in
front of tomcat01..03 on 10.0.0.11..13, AJP on 8009, receivers on 4000), the live facts are
tables."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from clusterfiles import HEALTHY_WORKERS, three_tomcats

from clustercheck.collect.gather import gather
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.runner import run_checks
from clustercheck.facts.clock import ClockSample, NtpReference, Offset
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.jvm import JvmFacts
from clustercheck.facts.probes import FROM_HERE, Outcome, ProbeResult
from clustercheck.facts.runtime import Listener, RuntimeFacts, ServerProcess
from clustercheck.inventory.loader import load_inventory
from clustercheck.parsers.timesync import TimeSync

TOMCATS = {"tomcat01": "10.0.0.11", "tomcat02": "10.0.0.12", "tomcat03": "10.0.0.13"}
NODES = (*TOMCATS, "web1")  # in the inventory's order

Judged = list[tuple[str | None, str, str]]  # (node, status, message) in the check's order


@pytest.fixture
def cluster(tmp_path: Path) -> Callable[..., ClusterFacts]:
    """The cluster's file facts, its nodes marked as recorded (their live facts from a
    snapshot), with `live` (node -> LiveFacts field -> value) and `reference` laid in;
    `overrides` breaks a node's server.xml (clusterfiles.three_tomcats)."""

    def make(
        live: Mapping[str, Mapping[str, Any]],
        reference: NtpReference | None = None,
        workers: str = "",
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> ClusterFacts:
        inventory = three_tomcats(tmp_path, overrides, workers=HEALTHY_WORKERS + workers)
        facts = gather(load_inventory(inventory))
        for node in facts.nodes.values():
            node.recorded = True
        for name, fields in live.items():
            for field, value in fields.items():
                setattr(facts.nodes[name].live, field, value)
        facts.local.reference = reference
        return facts

    return make


def judge(facts: ClusterFacts, code: str) -> Judged:
    return [
        (r.node, r.status.value, r.message)
        for r in run_checks(select(load_checks(), [code]), facts)
    ]


# --- CC102 ajp-cping: web1 probes tomcat01..03; tomcat01 and tomcat03 answer CPong ----------


def tomcat02(
    result: Outcome, ms: float | None = 1.5, detail: str = "", origin: str = "web1"
) -> ProbeResult:
    return ProbeResult(TOMCATS["tomcat02"], 8009, result, ms, detail, origin)


W2 = "worker tomcat02 (10.0.0.12:8009)"
CC102 = [  # web1's probe of tomcat02 (None: not probed), a workers.properties line, verdict
    pytest.param(tomcat02(Outcome.CPONG), "", "pass", f"{W2}: CPong in 1.5 ms", id="cpong"),
    pytest.param(
        tomcat02(Outcome.CPONG, ms=None), "", "pass", f"{W2}: CPong", id="cpong-untimed-bash"
    ),
    pytest.param(
        tomcat02(Outcome.CPONG, origin=FROM_HERE),
        "",
        "pass",
        f"{W2}: CPong in 1.5 ms (probed from clustercheck's machine: the node could not run the "
        "probe)",
        id="cpong-from-here",
    ),
    pytest.param(
        tomcat02(Outcome.REFUSED),
        "",
        "fail",
        f"{W2}: connection refused: nothing listens there",
        id="refused",
    ),
    pytest.param(
        tomcat02(Outcome.CONNECT_TIMEOUT),
        "",
        "fail",
        f"{W2}: no answer to the TCP connect: a firewall or a wrong address",
        id="connect-timeout",
    ),
    pytest.param(
        tomcat02(Outcome.NO_REPLY),
        "",
        "fail",
        f"{W2}: the port accepts connections but does not answer CPing: the AJP connector failed "
        "to start (typically secretRequired without a secret) or is paused",
        id="no-reply",
    ),
    pytest.param(
        tomcat02(Outcome.CLOSED),
        "",
        "fail",
        f"{W2}: the port closed the connection on CPing: not a working AJP connector",
        id="closed",
    ),
    pytest.param(
        tomcat02(Outcome.NOT_AJP, detail="485454502f"),
        "",
        "fail",
        f"{W2}: answered, but not in AJP: an HTTP or other port",
        id="not-ajp",
    ),
    pytest.param(
        tomcat02(Outcome.ERROR, detail="No route to host"),
        "",
        "error",
        f"{W2}: the probe failed: No route to host",
        id="probe-error",
    ),
    pytest.param(None, "", "error", f"{W2}: not probed", id="not-probed"),
    pytest.param(
        tomcat02(Outcome.REFUSED),
        "worker.tomcat02.activation=D\n",
        "skip",
        f"{W2}: activation D, kept out by mod_jk on purpose (CPing: refused)",
        id="disabled-on-purpose",
    ),
]


@pytest.mark.parametrize(("probe", "workers", "status", "message"), CC102)
def test_cc102_ajp_cping(
    cluster: Callable[..., ClusterFacts],
    probe: ProbeResult | None,
    workers: str,
    status: str,
    message: str,
) -> None:
    tomcat01 = ProbeResult(TOMCATS["tomcat01"], 8009, Outcome.CPONG, 0.8, "", "web1")
    tomcat03 = ProbeResult(TOMCATS["tomcat03"], 8009, Outcome.CPONG, 0.9, "", "web1")
    probes = (tomcat01, tomcat03) if probe is None else (tomcat01, probe, tomcat03)
    found = judge(cluster({"web1": {"ajp_probes": probes}}, workers=workers), "CC102")
    assert found == [
        ("web1", "pass", "worker tomcat01 (10.0.0.11:8009): CPong in 0.8 ms"),
        ("web1", status, message),
        ("web1", "pass", "worker tomcat03 (10.0.0.13:8009): CPong in 0.9 ms"),
    ]


def test_cc102_skips_when_no_balancer_probed(cluster: Callable[..., ClusterFacts]) -> None:
    assert judge(cluster({}), "CC102") == [(None, "skip", "no balanced member was probed")]


# --- CC301 jdk-parity ---------------------------------------------------------------------------


def jvm(version: str = "17.0.15", vendor: str = "Debian", bits: int = 64) -> JvmFacts:
    return JvmFacts(
        "/usr/bin/java", "running Tomcat process 812", version, vendor, "OpenJDK VM", bits
    )


def jvms(**odd: JvmFacts | None) -> dict[str, dict[str, Any]]:
    """Every Tomcat on the same JVM, but for the ones named."""
    return {name: {"jvm": odd.get(name, jvm())} for name in TOMCATS}


FROM = "from running Tomcat process 812 (/usr/bin/java)"
GONE_JAVA = "/usr/lib/jvm/x/bin/java"
GONE = "the running JVM's binary was deleted (a JDK update since Tomcat started: restart it)"
CC301 = [
    pytest.param(
        jvms(),
        [*(("pass", f"17.0.15 Debian 64-bit, {FROM}") for _ in TOMCATS)],
        ("pass", "all 3 nodes run 17.0.15 (Debian)"),
        id="same-everywhere",
    ),
    pytest.param(
        jvms(tomcat03=jvm("17.0.9")),
        [("pass", f"17.0.15 Debian 64-bit, {FROM}")] * 2
        + [("pass", f"17.0.9 Debian 64-bit, {FROM}")],
        (
            "fail",
            "versions differ at the update level: tomcat03 runs 17.0.9 (Debian), the others "
            "17.0.15 (Debian)",
        ),
        id="update-differs",
    ),
    pytest.param(
        jvms(tomcat02=jvm(vendor="Eclipse Adoptium")),
        [
            ("pass", f"17.0.15 Debian 64-bit, {FROM}"),
            ("pass", f"17.0.15 Eclipse Adoptium 64-bit, {FROM}"),
            ("pass", f"17.0.15 Debian 64-bit, {FROM}"),
        ],
        (
            "warn",
            "vendors differ: tomcat02 runs 17.0.15 (Eclipse Adoptium), the others 17.0.15 (Debian)",
        ),
        id="vendor-differs",
    ),
    pytest.param(
        jvms(tomcat01=JvmFacts("java", "java on PATH", error="java: not found")),
        [("error", "cannot tell the JVM (java, java on PATH): java: not found")]
        + [("pass", f"17.0.15 Debian 64-bit, {FROM}")] * 2,
        ("pass", "both nodes run 17.0.15 (Debian)"),
        id="one-unreadable",
    ),
    pytest.param(
        jvms(tomcat01=None, tomcat02=None),
        [("skip", "no JVM facts (offline)")] * 2 + [("pass", f"17.0.15 Debian 64-bit, {FROM}")],
        None,
        id="only-one-known",
    ),
    pytest.param(
        jvms(tomcat02=dataclasses.replace(jvm(), binary_deleted=True)),
        [
            ("pass", f"17.0.15 Debian 64-bit, {FROM}"),
            (
                "warn",
                f"17.0.15 Debian 64-bit, {FROM}: the binary Tomcat runs was deleted since it "
                "started (a JDK update): it runs the JDK it started with until it is restarted;"
                " restart it to run this one",
            ),
            ("pass", f"17.0.15 Debian 64-bit, {FROM}"),
        ],
        ("pass", "all 3 nodes run 17.0.15 (Debian)"),  # what runs after the restart
        id="binary-deleted",
    ),
    pytest.param(
        jvms(tomcat02=JvmFacts(GONE_JAVA, "running Tomcat process 812", error=GONE,
                               binary_deleted=True)),
        [
            ("pass", f"17.0.15 Debian 64-bit, {FROM}"),
            ("error", f"cannot tell the JVM ({GONE_JAVA}, running Tomcat process 812): {GONE}"),
            ("pass", f"17.0.15 Debian 64-bit, {FROM}"),
        ],
        ("pass", "both nodes run 17.0.15 (Debian)"),
        id="binary-deleted-folder-gone",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("live", "per_node", "overall"), CC301)
def test_cc301_jdk_parity(
    cluster: Callable[..., ClusterFacts],
    live: dict[str, dict[str, Any]],
    per_node: list[tuple[str, str]],
    overall: tuple[str, str] | None,
) -> None:
    found = judge(cluster(live), "CC301")
    assert found == [
        *((node, *verdict) for node, verdict in zip(TOMCATS, per_node, strict=True)),
        *([(None, *overall)] if overall else []),
    ]


# --- CC401 clock-skew ---------------------------------------------------------------------------


def clock(offset_ms: float, uncertainty_ms: float = 1.0) -> ClockSample:
    return ClockSample(Offset(offset_ms, uncertainty_ms, 2 * uncertainty_ms, 8), 1.7e9)


def clocks(**odd: ClockSample | None) -> dict[str, dict[str, Any]]:
    """Every node 2 ms ahead of clustercheck's clock, but for the ones named."""
    return {name: {"clock": odd.get(name, clock(2.0))} for name in NODES}


SERVED = NtpReference("ntp1", offset_ms=10.0, delay_ms=4.0, stratum=2)
CLUSTERCHECK = "clustercheck's clock (no NTP reference)"
EVEN = f"offset +2.0 ms ± 1.0 ms against {CLUSTERCHECK}"
CC401 = [
    pytest.param(
        clocks(),
        None,
        [(n, "pass", EVEN) for n in NODES]
        + [(None, "pass", "spread between nodes: 0.0 ms ± 2.0 ms (tomcat02 ahead of tomcat01)")],
        id="all-close",
    ),
    pytest.param(
        clocks(),
        SERVED,
        [(n, "pass", "offset -8.0 ms ± 3.0 ms against NTP (ntp1)") for n in NODES]
        + [(None, "pass", "spread between nodes: 0.0 ms ± 6.0 ms (tomcat02 ahead of tomcat01)")],
        id="against-ntp",
    ),
    pytest.param(
        clocks(tomcat02=clock(250.0)),
        None,
        [
            ("tomcat01", "pass", EVEN),
            (
                "tomcat02",
                "warn",
                f"offset +250.0 ms ± 1.0 ms: at least 249 ms, beyond 100 ms against {CLUSTERCHECK}",
            ),
            ("tomcat03", "pass", EVEN),
            ("web1", "pass", EVEN),
            (
                None,
                "warn",
                "spread between nodes: 248.0 ms ± 2.0 ms: at least 246 ms, beyond 100 ms "
                "(tomcat02 ahead of tomcat01)",
            ),
        ],
        id="one-node-ahead-warns",
    ),
    pytest.param(
        clocks(web1=clock(-5000.0)),
        None,
        [
            *((n, "pass", EVEN) for n in TOMCATS),
            (
                "web1",
                "fail",
                f"offset -5000.0 ms ± 1.0 ms: at least 4999 ms, beyond 1000 ms against "
                f"{CLUSTERCHECK}",
            ),
            (
                None,
                "fail",
                "spread between nodes: 5002.0 ms ± 2.0 ms: at least 5000 ms, beyond 1000 ms "
                "(tomcat01 ahead of web1)",
            ),
        ],
        id="one-node-behind-fails",
    ),
    pytest.param(
        clocks(web1=clock(2.0, uncertainty_ms=400.0), tomcat01=None, tomcat02=None),
        None,
        [
            ("tomcat01", "skip", "offline: no clock sample"),
            ("tomcat02", "skip", "offline: no clock sample"),
            ("tomcat03", "pass", EVEN),
            (
                "web1",
                "warn",
                "offset +2.0 ms ± 400.0 ms: the measurement is too coarse to judge against "
                f"100 ms against {CLUSTERCHECK}",
            ),
            (
                None,
                "warn",
                "spread between nodes: 0.0 ms ± 401.0 ms: the measurement is too coarse to "
                "judge against 100 ms (web1 ahead of tomcat03)",
            ),
        ],
        id="too-coarse-warns",
    ),
    pytest.param(
        clocks(tomcat03=ClockSample(error="no clock sample: timed out")),
        NtpReference(errors={"ntp1": "timed out", "ntp2": "not synchronised itself"}),
        [
            (
                None,
                "warn",
                "NTP server(s) did not answer: ntp1: timed out; ntp2: not synchronised itself",
            ),
            ("tomcat01", "pass", EVEN),
            ("tomcat02", "pass", EVEN),
            ("tomcat03", "error", "could not measure the clock: no clock sample: timed out"),
            ("web1", "pass", EVEN),
            (None, "pass", "spread between nodes: 0.0 ms ± 2.0 ms (tomcat02 ahead of tomcat01)"),
        ],
        id="unmeasured-and-no-ntp",
    ),
]


@pytest.mark.parametrize(("live", "reference", "expected"), CC401)
def test_cc401_clock_skew(
    cluster: Callable[..., ClusterFacts],
    live: dict[str, dict[str, Any]],
    reference: NtpReference | None,
    expected: Judged,
) -> None:
    assert judge(cluster(live, reference), "CC401") == expected


# --- CC402 time-sync ----------------------------------------------------------------------------


def chrony(source: str = "ntp1") -> TimeSync:
    return TimeSync("chrony", True, source, 0.01, f"chrony synchronised to {source}")


def syncs(**odd: TimeSync) -> dict[str, dict[str, Any]]:
    """Every node synchronised by chrony to ntp1, but for the ones named."""
    return {name: {"timesync": odd.get(name, chrony())} for name in NODES}


SYNCED = {n: (n, "pass", "chrony synchronised to ntp1") for n in NODES}
ONE_SOURCE = (None, "pass", "all synchronised nodes follow ntp1")
CC402 = [
    pytest.param(syncs(), [*SYNCED.values(), ONE_SOURCE], id="ok"),
    pytest.param(
        syncs(tomcat03=chrony("ntp9")),
        [
            SYNCED["tomcat01"],
            SYNCED["tomcat02"],
            ("tomcat03", "pass", "chrony synchronised to ntp9"),
            SYNCED["web1"],
            (
                None,
                "warn",
                "nodes follow different sources: tomcat01, tomcat02, web1: ntp1; tomcat03: ntp9",
            ),
        ],
        id="different-sources",
    ),
    pytest.param(
        syncs(tomcat01=TimeSync("chrony", False, "local clock", None, "chrony follows its own")),
        [
            ("tomcat01", "fail", "chrony is not synchronised: chrony follows its own"),
            SYNCED["tomcat02"],
            SYNCED["tomcat03"],
            SYNCED["web1"],
            ONE_SOURCE,
        ],
        id="not-synchronised",
    ),
    pytest.param(
        syncs(web1=TimeSync("none", None, None, None, "no chronyc, timedatectl or ntpq answered")),
        [
            SYNCED["tomcat01"],
            SYNCED["tomcat02"],
            SYNCED["tomcat03"],
            ("web1", "fail", "no time daemon answered (no chronyc, timedatectl or ntpq answered)"),
            ONE_SOURCE,
        ],
        id="no-daemon",
    ),
    pytest.param(
        syncs(tomcat02=TimeSync("unknown", None, None, None, "clock not synchronised")),
        [
            SYNCED["tomcat01"],
            ("tomcat02", "warn", "unknown: synchronisation unknown (clock not synchronised)"),
            SYNCED["tomcat03"],
            SYNCED["web1"],
            ONE_SOURCE,
        ],
        id="unknown",
    ),
]


@pytest.mark.parametrize(("live", "expected"), CC402)
def test_cc402_time_sync(
    cluster: Callable[..., ClusterFacts], live: dict[str, dict[str, Any]], expected: Judged
) -> None:
    assert judge(cluster(live), "CC402") == expected


# --- CC504 receiver-reachable: each member connects to the others' receivers on 4000 ----------


def receivers(**outcome: Outcome) -> dict[str, dict[str, Any]]:
    """From each member to every other member's receiver: open, but for the receivers named."""
    return {
        name: {
            "receiver_probes": tuple(
                ProbeResult(host, 4000, outcome.get(other, Outcome.OPEN), 0.5, "", name)
                for other, host in TOMCATS.items()
                if other != name
            )
        }
        for name in TOMCATS
    }


OPEN = "connects to the receivers of the 2 other member(s)"
CC504 = [
    pytest.param(receivers(), [(n, "pass", OPEN) for n in TOMCATS], id="all-open"),
    pytest.param(
        receivers(tomcat03=Outcome.REFUSED),
        [
            ("tomcat01", "fail", "cannot connect to tomcat03's receiver 10.0.0.13:4000: refused"),
            ("tomcat02", "fail", "cannot connect to tomcat03's receiver 10.0.0.13:4000: refused"),
            ("tomcat03", "pass", OPEN),
        ],
        id="one-refused",
    ),
    pytest.param(
        receivers(tomcat01=Outcome.CONNECT_TIMEOUT, tomcat02=Outcome.ERROR),
        [
            ("tomcat01", "fail", "cannot connect to tomcat02's receiver 10.0.0.12:4000: error"),
            (
                "tomcat02",
                "fail",
                "cannot connect to tomcat01's receiver 10.0.0.11:4000: connect-timeout",
            ),
            (
                "tomcat03",
                "fail",
                "cannot connect to tomcat01's receiver 10.0.0.11:4000: connect-timeout; "
                "tomcat02's receiver 10.0.0.12:4000: error",
            ),
        ],
        id="two-blocked",
    ),
    pytest.param(
        {"tomcat01": {"receiver_probes": (ProbeResult("10.0.0.99", 4000, Outcome.REFUSED),)}},
        [("tomcat01", "fail", "cannot connect to ?'s receiver 10.0.0.99:4000: refused")],
        id="a-receiver-nobody-owns",
    ),
    pytest.param(
        {}, [(None, "skip", "no member's receiver was probed (no Cluster, or offline)")], id="none"
    ),
]


@pytest.mark.parametrize(("live", "expected"), CC504)
def test_cc504_receiver_reachable(
    cluster: Callable[..., ClusterFacts], live: dict[str, dict[str, Any]], expected: Judged
) -> None:
    assert judge(cluster(live), "CC504") == expected


# --- CC801 tomcat-running: tomcat01's process and socket tables --------------------------------
# three_tomcats' server.xml: HTTP 8080 (all addresses), AJP 8009 address="0.0.0.0", and a Cluster
# whose Receiver is Tomcat's default (auto, 4000, autoBind 100); Tomcat 10.1.60.

TOMCAT = ServerProcess(812, "tomcat", 1741000000.0, "/usr/lib/jvm/java-17/bin/java")
RUNS = "runs as PID 812 (user tomcat) since 2025-03-03 11:06:40 UTC"
SOCKETS = (Listener("::", 8080, 812), Listener("0.0.0.0", 8009, 812), Listener("10.0.0.11", 4000))
SERVER = "/opt/tomcat/conf/server.xml"


def runtime(*listeners: Listener, tomcat: ServerProcess | None = TOMCAT) -> RuntimeFacts:
    return RuntimeFacts(1741000600.0, tomcat=tomcat, listeners=listeners)


def replaced(port: int, *by: Listener) -> tuple[Listener, ...]:
    """The healthy sockets, the one on `port` replaced by `by`."""
    return (*(s for s in SOCKETS if s.port != port), *by)


AJP_AT = 'secret="s3cret" address="10.0.0.11"'
CC801 = [
    pytest.param(
        runtime(*SOCKETS),
        {},
        [("pass", f"{RUNS}; listens: HTTP 8080 on *, AJP 8009 on *, Receiver 4000 on 10.0.0.11")],
        id="healthy",
    ),
    pytest.param(
        runtime(*replaced(4000, Listener("10.0.0.11", 4003, 812))),
        {},
        [("pass", f"{RUNS}; listens: HTTP 8080 on *, AJP 8009 on *, Receiver 4003 on 10.0.0.11")],
        id="receiver-autobind",
    ),
    pytest.param(
        runtime(*(Listener(s.address, s.port) for s in SOCKETS)),
        {},
        [("pass", f"{RUNS}; listens: HTTP 8080 on *, AJP 8009 on *, Receiver 4000 on 10.0.0.11")],
        id="owners-not-shown-to-a-non-root-user",
    ),
    pytest.param(
        runtime(*SOCKETS, tomcat=None),
        {},
        [("fail", "tomcat01 is not running: no Java process with -Dcatalina.base=/opt/tomcat")],
        id="not-running",
    ),
    pytest.param(
        runtime(*replaced(8009)),
        {},
        [
            (
                "fail",
                "Tomcat (PID 812) does not listen on AJP 8009 on 0.0.0.0 (server.xml line 5): "
                "nothing listens on the port",
            )
        ],
        id="ajp-not-listening",
    ),
    pytest.param(
        runtime(*replaced(8080, Listener("::", 8080, 4242))),
        {},
        [
            (
                "fail",
                "Tomcat (PID 812) does not listen on HTTP 8080 on * (server.xml line 4): "
                "PID 4242 holds the port",
            )
        ],
        id="port-held-by-another-process",
    ),
    pytest.param(
        runtime(*replaced(4000, Listener("10.0.0.11", 4100, 812))),
        {},
        [
            (
                "fail",
                "Tomcat (PID 812) does not listen on Receiver 4000-4099 on auto (server.xml "
                "line 7): nothing listens on any port of the range",
            )
        ],
        id="receiver-beyond-autobind",
    ),
    pytest.param(
        runtime(*replaced(8009, Listener("127.0.0.1", 8009, 812))),
        {},
        [
            (
                "fail",
                "AJP 8009 on 0.0.0.0 (server.xml line 5): Tomcat listens on 127.0.0.1:8009 instead",
            )
        ],
        id="narrower-than-configured",
    ),
    pytest.param(
        runtime(*SOCKETS),
        {"ajp_extra": AJP_AT},
        [
            (
                "warn",
                "AJP 8009 on 10.0.0.11 (server.xml line 5): Tomcat listens on all addresses "
                "(*:8009), wider than configured",
            )
        ],
        id="wider-than-configured",
    ),
    pytest.param(
        runtime(*replaced(8009, Listener("10.0.0.11", 8009, 812))),
        {"ajp_extra": AJP_AT},
        [("pass", f"{RUNS}; listens: HTTP 8080 on *, AJP 8009 on 10.0.0.11, Receiver 4000 on ")],
        id="address-as-configured",
    ),
    pytest.param(
        runtime(*replaced(8009, Listener("::1", 8009, 812))),
        {"ajp_extra": 'secret="s3cret"'},
        [("pass", f"{RUNS}; listens: HTTP 8080 on *, AJP 8009 on ::1, Receiver 4000 on ")],
        id="ajp-default-loopback-on-an-ipv6-jvm",
    ),
    pytest.param(
        runtime(*SOCKETS),
        {"ajp_extra": 'secret="s3cret"'},
        [
            (
                "warn",
                "AJP 8009 on the loopback address (server.xml line 5): Tomcat listens on all "
                "addresses (*:8009), wider than configured",
            )
        ],
        id="ajp-default-is-loopback-since-ghostcat",
    ),
    pytest.param(
        RuntimeFacts(1741000600.0, tomcat=TOMCAT, listeners_error="neither ss nor /proc"),
        {},
        [("pass", RUNS), ("error", "cannot read the socket table: neither ss nor /proc")],
        id="socket-table-unreadable",
    ),
    pytest.param(
        RuntimeFacts(0.0, processes_error="not asked: timed out"),
        {},
        [("error", "cannot read the process table: not asked: timed out")],
        id="process-table-unreadable",
    ),
    pytest.param(
        None,
        {},
        [("skip", "what runs was not gathered (a snapshot taken without process tables)")],
        id="an-older-snapshot",
    ),
]


@pytest.mark.parametrize(("facts", "server", "expected"), CC801)
def test_cc801_tomcat_running(
    cluster: Callable[..., ClusterFacts],
    facts: RuntimeFacts | None,
    server: dict[str, str],
    expected: list[tuple[str, str]],
) -> None:
    found = judge(
        cluster({"tomcat01": {"runtime": facts}}, overrides={"tomcat01": server}), "CC801"
    )
    mine = [(status, message) for node, status, message in found if node == "tomcat01"]
    assert [status for status, _ in mine] == [status for status, _ in expected], mine
    for (_, message), (_, wanted) in zip(mine, expected, strict=True):
        assert message.startswith(wanted), message


def test_cc801_names_the_line_of_server_xml(cluster: Callable[..., ClusterFacts]) -> None:
    facts = cluster({"tomcat01": {"runtime": runtime(*replaced(8009))}})
    (result,) = [
        r for r in run_checks(select(load_checks(), ["CC801"]), facts) if r.node == "tomcat01"
    ]
    assert (result.file, result.line, result.details["kind"]) == (SERVER, 5, "AJP")


# --- one cause, said once: what the other checks say of a Tomcat that is not running -----------


def test_a_stopped_tomcat_is_one_cause_not_three_symptoms(
    cluster: Callable[..., ClusterFacts],
) -> None:
    """tomcat03 is not running: web1's CPing to it is refused, the others cannot reach its
    receiver, its JVM is `java` from PATH. Each check names the cause instead (CC801)."""
    live: dict[str, dict[str, Any]] = receivers(tomcat03=Outcome.REFUSED)
    for name in TOMCATS:
        live[name]["runtime"] = runtime(*SOCKETS, tomcat=None if name == "tomcat03" else TOMCAT)
        live[name]["jvm"] = jvm()
    live["tomcat03"]["jvm"] = JvmFacts("java", "java on PATH (no running Tomcat found)", "21.0.2")
    probes = [
        ProbeResult(host, 8009, Outcome.REFUSED if n == "tomcat03" else Outcome.CPONG, 1.0)
        for n, host in TOMCATS.items()
    ]
    live["web1"] = {"ajp_probes": tuple(probes)}
    facts = cluster(live)
    stopped = "tomcat03 is not running (CC801)"
    assert judge(facts, "CC102")[2] == (
        "web1",
        "skip",
        f"worker tomcat03 (10.0.0.13:8009): {stopped}",
    )
    assert judge(facts, "CC504") == [
        ("tomcat01", "pass", f"connects to the receivers of the 1 other member(s); {stopped}"),
        ("tomcat02", "pass", f"connects to the receivers of the 1 other member(s); {stopped}"),
        ("tomcat03", "skip", stopped),
    ]
    assert judge(facts, "CC301") == [
        ("tomcat01", "pass", f"17.0.15 Debian 64-bit, {FROM}"),
        ("tomcat02", "pass", f"17.0.15 Debian 64-bit, {FROM}"),
        ("tomcat03", "skip", f"not judged: {stopped}"),
        (None, "pass", "both nodes run 17.0.15 (Debian)"),
    ]
    assert {(n, s) for n, s, _ in judge(facts, "CC801")} == {
        ("tomcat01", "pass"),
        ("tomcat02", "pass"),
        ("tomcat03", "fail"),
    }


def test_an_unreadable_process_table_is_no_reason_to_skip(
    cluster: Callable[..., ClusterFacts],
) -> None:
    """Not knowing whether Tomcat runs is not knowing it does not: the symptoms stay."""
    live: dict[str, dict[str, Any]] = receivers(tomcat03=Outcome.REFUSED)
    live["tomcat03"]["runtime"] = RuntimeFacts(0.0, processes_error="ps: not found")
    assert [s for _n, s, _m in judge(cluster(live), "CC504")] == ["fail", "fail", "pass"]
