"""Snapshots: snapshot.json is the JSON of the typed fact records (version 2); version 1, written
by commit 6724c85, is still read (tests/fixtures/README.md says how its fixture was made); a
malformed snapshot.json is one SnapshotError line, never a traceback."""

from __future__ import annotations

import contextlib
import io
import json
import math
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from clusterfiles import server_xml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import REPO, need

from clustercheck.cli.main import main
from clustercheck.collect.snapshot import SnapshotError, load_snapshot
from clustercheck.facts.balancer import BalancerView
from clustercheck.facts.clock import ClockSample, NtpReference, Offset
from clustercheck.facts.jvm import JvmFacts
from clustercheck.facts.live import LiveFacts, LocalFacts
from clustercheck.facts.logs import LogFacts, LogTail
from clustercheck.facts.multicast import CaptureView, LocalListen, MulticastCapture
from clustercheck.facts.probes import FROM_HERE, Outcome, ProbeResult
from clustercheck.facts.runtime import Listener, RuntimeFacts, ServerProcess
from clustercheck.parsers.httpd_build import HttpdBuild, HttpdProcess
from clustercheck.parsers.httpd_module import LoadedModules
from clustercheck.parsers.pcap import Datagram
from clustercheck.parsers.status_page import RuntimeBalancer, RuntimeMember
from clustercheck.parsers.timesync import TimeSync
from clustercheck.parsers.tribes import Heartbeat, decode_heartbeat

FIXTURES = REPO / "tests" / "fixtures"
V1 = FIXTURES / "snapshot-v1"
LIVE_CHECKS = ("CC102", "CC103", "CC301", "CC401", "CC402", "CC501", "CC504")
NO_CHRONY = TimeSync("none", None, None, None, "chronyc tracking: 506 Cannot talk to daemon")


def run_json(capsys: pytest.CaptureFixture[str], target: Path, *argv: str) -> dict[str, Any]:
    main(["run", str(target), "--json", "-", "--quiet", *argv])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def test_a_version_1_snapshot_is_read_into_typed_facts() -> None:
    _settings, snapshot = load_snapshot(V1)
    web1, tomcat01 = snapshot.nodes["web1"], snapshot.nodes["tomcat01"]
    assert (web1.transport, tomcat01.transport) == ("ssh", "local")
    live = tomcat01.live
    assert live.reachable and live.addresses[:3] == ["127.0.0.1", "::1", "192.0.2.2"]
    assert live.clock == ClockSample(Offset(0.0, 0.019, 0.036, 8), measured_at=1796306548.1195502)
    assert live.timesync == NO_CHRONY
    assert live.jvm is not None and live.jvm.raw.startswith("Property settings:")
    assert (live.jvm.java, live.jvm.version, live.jvm.vendor, live.jvm.bits, live.jvm.build) == (
        "java",
        "17.0.15",
        "Debian",
        64,
        "17.0.15+6-Debian-1deb12u1",
    )
    assert live.receiver_probes == (
        ProbeResult("192.0.2.2", 14002, Outcome.REFUSED, None, "", "tomcat01"),
    )
    assert web1.live.ajp_probes == (
        ProbeResult("192.0.2.2", 18009, Outcome.CPONG, 7.9, "", "web1"),
        ProbeResult("192.0.2.2", 18010, Outcome.REFUSED, None, "", "web1"),
    )
    assert web1.live.jvm is None and web1.live.multicast is None
    capture = live.multicast
    assert capture is not None and (capture.group, capture.window_s) == (("228.0.0.4", 45564), 4.0)
    for view in (capture.wire, capture.socket):
        assert view.error is None and view.datagrams is not None and len(view.datagrams) == 3
        assert all(isinstance(decode_heartbeat(d.payload), Heartbeat) for d in view.datagrams)
        assert [d.repeats for d in view.datagrams] == [16, 16, 16]
    assert snapshot.local == LocalFacts(
        reference=NtpReference(
            "127.0.0.1", 22.076, 19.662, 2, {"127.0.0.2": "No response received from 127.0.0.2."}
        ),
        exposure_probes=(
            ProbeResult("192.0.2.2", 18009, Outcome.CPONG, 16.15, "", FROM_HERE),
            ProbeResult("192.0.2.2", 18010, Outcome.REFUSED, 0.2, "", FROM_HERE),
        ),
    )


def test_a_version_1_snapshot_is_judged_as_the_version_1_code_judged_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Same statuses and details from every live check, same node summaries and views (but for
    the verdict each who-hears-whom cell carries since the JSON report's version 2)."""
    expected = json.loads((FIXTURES / "snapshot-v1.judged.json").read_text())
    report = run_json(capsys, V1)
    results = [
        [r["code"], r["node"], r["status"], r["details"]]
        for r in report["results"]
        if r["code"] in LIVE_CHECKS
    ]
    assert results == expected["results"]
    assert report["nodes"] == expected["nodes"]
    matrix = report["views"]["multicast"]["matrix"]
    verdicts = {cell.pop("status") for row in matrix.values() for cell in row.values()}
    assert verdicts == {"fail"}  # each tomcat is "not sending (not on its own wire)"
    assert {key: report["views"][key] for key in expected["views"]} == expected["views"]


def test_the_views_come_from_the_facts_whichever_checks_ran(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Judgement once: the clock chart and the matrix show the derivations CC401 and CC501
    judge, so leaving those checks out changes no view; the front ends show the same values,
    marked only by the verdicts of the checks that ran."""
    everything = run_json(capsys, V1)
    alone = run_json(capsys, V1, "--checks", "CC001")
    assert [r["code"] for r in alone["results"]] == ["CC001"] * len(alone["nodes"])
    marks = [_unmark(alone["views"]), _unmark(everything["views"])]
    assert marks[0] == {None} and "pass" in marks[1]
    assert alone["views"] == everything["views"]
    assert {"clocks", "multicast", "versions"} <= set(alone["views"])
    assert alone["nodes"] == everything["nodes"]


def _unmark(views: dict[str, Any]) -> set[str | None]:
    """The front-end view's verdicts, taken out of it."""
    seams = [s for f in views["front_ends"] for m in f["members"] for s in m["seams"].values()]
    found = {seam.pop("status") for seam in seams}
    for seam in seams:
        del seam["waived"]
    return found


def test_recorded_facts_come_back_from_version_2_json_unchanged(tmp_path: Path) -> None:
    """v1 -> typed -> written as v2 -> read again: equal records, byte-equal JSON."""
    _settings, snapshot = load_snapshot(V1)
    written = _copy(tmp_path, snapshot.to_json())
    _settings, again = load_snapshot(written)
    assert again == snapshot
    assert json.loads((written / "snapshot.json").read_text()) == again.to_json()


def test_every_kind_of_live_fact_survives_a_snapshot(tmp_path: Path) -> None:
    """Errors included: a record that only carries why it is missing comes back as it was."""
    _settings, snapshot = load_snapshot(V1)
    document = snapshot.to_json()
    document["nodes"]["tomcat02"]["live"] = EVERYTHING.to_json()
    document["local"] = HERE.to_json()
    _settings, again = load_snapshot(_copy(tmp_path, document))
    assert again.nodes["tomcat02"].live == EVERYTHING and again.local == HERE


HEARTBEAT = Datagram(1.5, "10.0.0.12", "228.0.0.4", 45564, 45564, b"TRIBES-B\x01", repeats=3)
EVERYTHING = LiveFacts(
    reachable=True,
    collected_at="2026-12-03T14:00:00+00:00",
    duration_s=1.5,
    addresses=["10.0.0.12"],
    clock=ClockSample(error="no clock sample: timed out"),
    timesync=TimeSync("chrony", True, "ntp1", -0.012, "chrony synchronised to ntp1"),
    jvm=JvmFacts(
        "/opt/jdk/bin/java",
        "the inventory's tomcat.java",
        error="Permission denied",
        net_options={"java.net.preferIPv4Stack": "true"},
    ),
    multicast=MulticastCapture(
        ("228.0.0.4", 45564),
        8.0,
        wire=CaptureView(error="tcpdump: permission denied (tcpdump needs root: set ssh.become)"),
        socket=CaptureView((HEARTBEAT,), problems=("truncated packet",)),
    ),
    ajp_probes=(),
    httpd=HttpdBuild(
        "/usr/sbin/httpd",
        "2.4.57",
        ("core.c", "mod_so.c", "http_core.c"),
        (HttpdProcess(None, "/etc/httpd", ("FOREGROUND",)),),
        loaded=LoadedModules("apachectl -M", None, "Cannot load modules/mod_jk.so", True),
    ),
    httpd_found={"/etc/httpd/conf.d/ssl.conf": True},
    receiver_probes=(
        ProbeResult("10.0.0.11", 4000, Outcome.CONNECT_TIMEOUT, None, "", "tomcat02"),
        ProbeResult("10.0.0.13", 4000, Outcome.ERROR, 1.0, "No route to host", FROM_HERE),
    ),
    runtime=RuntimeFacts(
        1741000000.0,
        tomcat=ServerProcess(812, "tomcat", 1740990000.0, "/usr/lib/jvm/java-17/bin/java"),
        httpd=ServerProcess(2020, "root", 1740800000.0),
        listeners=(Listener("::", 8080, 812), Listener("10.0.0.12", 8009)),
        processes_error=None,
    ),
    logs=LogFacts(
        3600,
        (
            LogTail(
                "/opt/tomcat/logs/catalina.out",
                "tomcat",
                "CATALINA_OUT",
                ("03-Dec-2026 23:01:21.397 SEVERE [exec-2] x Unable to serialize ***",),
                first_line=251,
                since=1796338877.0,
                since_how="the process's start",
            ),
            LogTail("|/usr/bin/rotatelogs x", "httpd", "ErrorLog at h.conf:3", error="piped"),
        ),
    ),
    balancer=(
        BalancerView(
            "mod_jk",
            "http://127.0.0.1:80/jkstatus?mime=prop",
            "JkMount /jkstatus jkstatus",
            "/etc/httpd/conf.d/mod_jk.conf",
            3,
            (
                RuntimeBalancer(
                    "lb",
                    (RuntimeMember("tomcat02", "10.0.0.12", 8009, "tomcat02", "ERR", True, "D"),),
                ),
            ),
        ),
        BalancerView("mod_proxy", "http://[::1]:8080/bm?xml=1", "x", error="HTTP 403"),
    ),
)
HERE = LocalFacts(
    reference=NtpReference(errors={"ntp1": "timed out"}),
    multicast=LocalListen("br0", CaptureView(error="interface br0 has no IPv4 address")),
)


# Version 1's shapes for what the fixture happens not to hold: a failed clock sample and JVM,
# a capture whose wire view failed, no NTP answer at all, and clustercheck's machine listening.
V1_FAILURES = {
    "clock": {"error": "no clock sample: timed out"},
    "jvm": {"java": "java", "source": "java on PATH", "error": "java: command not found"},
    "multicast": {
        "group": ["228.0.0.4", 45564],
        "window_s": 4.0,
        "wire": None,
        "wire_error": "tcpdump: permission denied (tcpdump needs root: set ssh.become)",
        "socket": [
            {
                "time": 1.5,
                "src": "10.0.0.12",
                "dst": "228.0.0.4",
                "sport": 45564,
                "dport": 45564,
                "payload": "0102",
            }
        ],
    },
}
V1_LOCAL = {
    "reference": {"errors": {"ntp1": "timed out"}, "server": None},
    "exposure_probes": [],
    "multicast_local": {"interface": "br0", "socket": None, "socket_error": "no IPv4 address"},
}


def test_version_1_failures_and_listening_here_are_converted(tmp_path: Path) -> None:
    document = json.loads((V1 / "snapshot.json").read_text())
    document["nodes"]["tomcat02"]["extra"].update(V1_FAILURES)
    document["live"] = V1_LOCAL
    _settings, snapshot = load_snapshot(_copy(tmp_path, document))
    live = snapshot.nodes["tomcat02"].live
    assert live.clock == ClockSample(error="no clock sample: timed out")
    assert live.jvm == JvmFacts("java", "java on PATH", error="java: command not found")
    assert live.multicast == MulticastCapture(
        ("228.0.0.4", 45564),
        4.0,
        wire=CaptureView(error="tcpdump: permission denied (tcpdump needs root: set ssh.become)"),
        socket=CaptureView((Datagram(1.5, "10.0.0.12", "228.0.0.4", 45564, 45564, b"\x01\x02"),)),
    )
    assert snapshot.local == LocalFacts(
        reference=NtpReference(errors={"ntp1": "timed out"}),
        multicast=LocalListen("br0", CaptureView(error="no IPv4 address")),
    )


def _v1() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((V1 / "snapshot.json").read_text())
    return data


def _v2() -> dict[str, Any]:
    return load_snapshot(V1)[1].to_json()


def _set(make: Callable[[], dict[str, Any]], path: str, value: Any) -> Callable[[], Any]:
    """The document `make` builds, with the value at a dotted path replaced."""

    def build() -> Any:
        document = make()
        keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split(".")]
        target = document
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
        return document

    return build


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(lambda: "{not json", "not a readable snapshot (Expecting", id="not-json"),
        pytest.param(lambda: "[" * 100_000, "not a readable snapshot (maximum", id="too-deep"),
        pytest.param(lambda: [], "snapshot version None is not one", id="not-an-object"),
        pytest.param(lambda: {"snapshot_version": 3}, "snapshot version 3 is not one", id="v3"),
        pytest.param(
            _set(_v2, "nodes.web1.live.clock", "8 ms"),
            "(snapshot.nodes.web1.live.clock: expected an object, found '8 ms')",
            id="v2-clock",
        ),
        pytest.param(
            _set(_v2, "nodes.web1.live.ajp_probes.0.result", "maybe"),
            "(snapshot.nodes.web1.live.ajp_probes[0].result: 'maybe' is not one of cpong, open,",
            id="v2-outcome",
        ),
        pytest.param(
            _set(_v2, "nodes.tomcat01.live.jvm.version", None),
            "(snapshot.nodes.tomcat01.live.jvm: a JVM has either a version or an error)",
            id="v2-invariant",
        ),
        pytest.param(
            _set(_v2, "duration_s", 10**400), "(snapshot.duration_s: 1000000", id="v2-huge-number"
        ),
        pytest.param(
            lambda: json.dumps(_v2()).replace('"offset_ms": 0.0', '"offset_ms": NaN', 1),
            "(snapshot.nodes.tomcat01.live.clock.offset.offset_ms: nan is out of range)",
            id="NaN",
        ),
        pytest.param(
            lambda: json.dumps(_v2()).replace('"ms": 7.9', '"ms": -Infinity', 1),
            "(snapshot.nodes.web1.live.ajp_probes[0].ms: -inf is out of range)",
            id="Infinity",
        ),
        pytest.param(
            lambda: json.dumps(_v2()).replace('"stratum": 2', '"stratum": 9007199254740993', 1),
            "(snapshot.local.reference.stratum: 9007199254740993 is out of range)",
            id="beyond-2**53",
        ),
        pytest.param(
            _set(_v2, "duration_s", 1e300 * 1e300), "(snapshot.duration_s: inf is out", id="1e999"
        ),
        pytest.param(
            _set(_v2, "collected_at", "yesterday"),
            "(snapshot.collected_at: not an ISO date and time (from 1970 to 9998))",
            id="not-a-time",
        ),
        pytest.param(
            _set(_v2, "collected_at", "9999-12-31T23:59:59.999999-23:59"),
            "(snapshot.collected_at: not an ISO date and time (from 1970 to 9998))",
            id="end-of-time",  # the Prometheus report's end time overflowed
        ),
        pytest.param(_set(_v1, "nodes", []), "(snapshot.nodes: expected an object)", id="v1-nodes"),
        pytest.param(
            _set(_v1, "nodes.tomcat01.extra.jvm", {"source": "x", "error": "y"}),
            "(snapshot.nodes.tomcat01.live.jvm: missing field(s) java)",
            id="v1-jvm",
        ),
        pytest.param(
            _set(_v1, "nodes.web1.extra.clock", {"offset_ms": 1.0}),
            "(snapshot.nodes.web1.live.clock.offset: missing field(s) uncertainty_ms, rtt_ms,",
            id="v1-clock",
        ),
        pytest.param(
            _set(_v1, "live.multicast_local", "br0"),
            "(snapshot.live.multicast_local: expected an object)",
            id="v1-listen",
        ),
        pytest.param(
            _set(_v1, "nodes.tomcat01.extra.multicast.wire.0.payload", "zz"),
            "(snapshot.nodes.tomcat01.live.multicast.wire.datagrams[0].payload: not hexadecimal",
            id="v1-payload",
        ),
    ],
)
def test_a_malformed_snapshot_is_one_line_saying_what(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    document: Callable[[], Any],
    message: str,
) -> None:
    data = document()
    folder = _copy(tmp_path, data if isinstance(data, str) else json.dumps(data))
    with pytest.raises(SnapshotError) as caught:
        load_snapshot(folder)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert main(["run", str(folder)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("clustercheck: ") and "internal error" not in line


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    version=st.sampled_from([1, 2]),
    pick=st.integers(min_value=0),
    junk=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
        max_leaves=5,
    ),
)
def test_any_value_put_anywhere_is_read_or_refused_in_one_line(
    tmp_path_factory: pytest.TempPathFactory, version: int, pick: int, junk: Any
) -> None:
    """Whatever a person (or a disk) does to one value of snapshot.json, never a traceback."""
    document = _v1() if version == 1 else _v2()
    places = list(_places(document))
    parent, key = places[pick % len(places)]
    parent[key] = junk
    folder = _copy(tmp_path_factory.mktemp("fuzz"), json.dumps(document))
    try:
        load_snapshot(folder)
    except SnapshotError as exc:
        assert "\n" not in str(exc)


EXTREMES = [math.nan, math.inf, -math.inf, 1e308, -1e308, 2**53, -(2**53), 10**30, 0, -1, 5e-324]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pick=st.integers(min_value=0), number=st.sampled_from(EXTREMES))
def test_whatever_number_a_snapshot_holds_it_is_refused_or_the_report_is_json(
    tmp_path_factory: pytest.TempPathFactory, pick: int, number: float
) -> None:
    """Any number at any numeric place: refused in one line, or judged, and the JSON report
    (and the one of the snapshot written again) is JSON: no NaN, no Infinity, no crash."""
    document = _v2()
    places = [(c, k) for c, k in _places(document) if _is_number(c[k])]
    parent, key = places[pick % len(places)]
    parent[key] = number
    folder = _copy(tmp_path_factory.mktemp("numbers"), json.dumps(document))
    try:
        _settings, snapshot = load_snapshot(folder)
    except SnapshotError as exc:
        assert "\n" not in str(exc)
        return
    json.dumps(snapshot.to_json(), allow_nan=False)
    report = io.StringIO()
    with contextlib.redirect_stdout(report), contextlib.redirect_stderr(io.StringIO()):
        assert main(["run", str(folder), "--json", "-", "--quiet"]) in (0, 1)
    json.loads(report.getvalue(), parse_constant=_refuse)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _refuse(constant: str) -> None:
    raise AssertionError(f"{constant} in the report")


def _places(value: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key or index) of every value inside a JSON document."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        yield value, key
        if isinstance(item, dict | list):
            yield from _places(item)


def _copy(tmp: Path, snapshot_json: dict[str, Any] | str) -> Path:
    """The fixture's snapshot folder with another snapshot.json."""
    folder = tmp / "snapshot"
    shutil.copytree(V1, folder)
    text = snapshot_json if isinstance(snapshot_json, str) else json.dumps(snapshot_json)
    (folder / "snapshot.json").write_text(text)
    return folder


# --- collect, then run: a live cluster on this machine ---------------------------------------


@pytest.fixture
def ajp_connector() -> Iterator[int]:
    """A stand-in AJP connector on loopback that answers CPing with CPong."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                if conn.recv(5) == b"\x12\x34\x00\x01\x0a":
                    conn.sendall(b"AB\x00\x01\x09")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    server.close()


def test_collect_a_live_cluster_then_run_the_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ajp_connector: int
) -> None:
    """Over the local transport: the live facts are recorded as typed records, read back equal,
    and `run DIR` judges them (no live check skips as offline), the process table included."""
    base = tmp_path / "tomcat01"
    (base / "conf").mkdir(parents=True)
    (base / "conf" / "server.xml").write_text(
        server_xml("tomcat01", ajp_connector, ajp_extra='address="127.0.0.1"', cluster="")
    )
    (tmp_path / "workers.properties").write_text(
        "worker.list=tomcat01\nworker.tomcat01.type=ajp13\nworker.tomcat01.host=127.0.0.1\n"
        f"worker.tomcat01.port={ajp_connector}\n"
    )
    (tmp_path / "mod_jk.conf").write_text(f"JkWorkersFile {tmp_path}/workers.properties\n")
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "cluster: here\nnodes:\n"
        "  web1: {host: 127.0.0.1, roles: [apache], transport: local,"
        f" apache: {{jk_conf: {tmp_path}/mod_jk.conf}}}}\n"
        "  tomcat01: {host: 127.0.0.1, roles: [tomcat], transport: local,"
        f" tomcat: {{catalina_base: {base}}}}}\n"
    )
    folder = tmp_path / "snapshot"
    assert main(["collect", str(inventory), "-o", str(folder)]) == 0
    capsys.readouterr()
    written = json.loads((folder / "snapshot.json").read_text())
    assert written["snapshot_version"] == 2
    _settings, snapshot = load_snapshot(folder)
    assert snapshot.to_json() == written
    web1, tomcat01 = snapshot.nodes["web1"].live, snapshot.nodes["tomcat01"].live
    probed = [(p.host, p.port, p.result, p.origin) for p in web1.ajp_probes or ()]
    assert probed == [("127.0.0.1", ajp_connector, Outcome.CPONG, "web1")]
    assert tomcat01.clock is not None and tomcat01.timesync is not None
    assert tomcat01.jvm is not None  # a version, or why there is none
    assert tomcat01.runtime is not None and web1.runtime is not None
    assert tomcat01.runtime.tomcat is None and tomcat01.runtime.processes_error is None
    assert tomcat01.runtime.listeners and web1.runtime.now > 0
    report = run_json(capsys, folder)
    judged = {(r["code"], r["node"]): (r["status"], r["message"]) for r in report["results"]}
    # the AJP port is this test's stand-in, no Tomcat runs for tomcat01's catalina.base: the
    # recorded process table says so, and that one cause is named instead of its symptoms
    assert judged[("CC801", "tomcat01")][0] == "fail"
    status, message = judged[("CC102", "web1")]
    assert status == "skip" and message.endswith("tomcat01 is not running (CC801)")
    assert judged[("CC301", "tomcat01")][0] == "skip"
    assert {judged[("CC401", n)][0] for n in ("web1", "tomcat01")} <= {"pass", "warn", "error"}
    assert all(r["message"] != "offline: no clock sample" for r in report["results"])


def test_what_httpd_said_of_itself_is_judged_again_from_the_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Over the local transport with httpd_conf: `run DIR` reads httpd's files with what the
    node's apache2 said live (a linked-in mod_version) and what <IfFile> found there (a file
    the snapshot does not hold), so CC107 and CC603 say what the live run said."""
    base = tmp_path / "tomcat01"
    (base / "conf").mkdir(parents=True)
    (base / "conf" / "server.xml").write_text(server_xml("tomcat01", 8009, cluster=""))
    (tmp_path / "marker").write_text("not httpd configuration\n")
    (tmp_path / "workers.properties").write_text(
        "worker.list=tomcat01\nworker.tomcat01.type=ajp13\nworker.tomcat01.host=127.0.0.1\n"
        "worker.tomcat01.port=8009\nworker.tomcat01.secret=s3cret\n"
    )
    (tmp_path / "httpd.conf").write_text(
        f"ServerRoot {tmp_path}\n"
        "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
        "<IfModule version_module>\nMaxRequestWorkers 100\n</IfModule>\n"
        f"<IfFile {tmp_path}/marker>\nJkWorkersFile workers.properties\nJkMount /* tomcat01\n"
        "</IfFile>\n"
    )
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "cluster: here\nnodes:\n"
        "  web1: {host: 127.0.0.1, roles: [apache], transport: local,"
        f" apache: {{httpd_conf: {tmp_path}/httpd.conf}}}}\n"
        "  tomcat01: {host: 127.0.0.1, roles: [tomcat], transport: local,"
        f" tomcat: {{catalina_base: {base}}}}}\n"
    )
    live = run_json(capsys, inventory, "--checks", "CC107,CC603")
    folder = tmp_path / "snapshot"
    assert main(["collect", str(inventory), "-o", str(folder)]) == 0
    capsys.readouterr()
    _settings, snapshot = load_snapshot(folder)
    web1 = snapshot.nodes["web1"].live
    assert web1.httpd is not None and web1.httpd.static_modules is not None
    assert "mod_version.c" in web1.httpd.static_modules
    assert web1.httpd_found == {str(tmp_path / "marker"): True}
    assert not (folder / "nodes/web1" / str(tmp_path / "marker").lstrip("/")).exists()
    replayed = run_json(capsys, folder, "--checks", "CC107,CC603")

    def verdicts(report: dict[str, Any]) -> list[tuple[str, str, str]]:
        return sorted((r["code"], r["status"], r["message"]) for r in report["results"])

    assert verdicts(replayed) == verdicts(live)
    assert ("CC107", "pass") in [(c, s) for c, s, _m in verdicts(live)]
    assert any("web1 100 = 4 processes x 25" in m for _c, _s, m in verdicts(live))


def test_the_connector_module_file_is_judged_again_from_the_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Over the local transport: the snapshot holds the mod_jk.so httpd.conf loads (its secrets
    masked like any file's), and `run DIR` reads the same build from it as the live run."""
    module = Path("/usr/lib/apache2/modules/mod_jk.so")
    need(module.exists(), f"needs {module}")
    (tmp_path / "httpd.conf").write_text(
        f"ServerRoot {tmp_path}\n"
        "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
        f"LoadModule jk_module {module}\n"
    )
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "cluster: here\nnodes:\n"
        "  web1: {host: 127.0.0.1, roles: [apache], transport: local,"
        f" apache: {{httpd_conf: {tmp_path}/httpd.conf}}}}\n"
    )
    live = run_json(capsys, inventory, "--checks", "CC104")
    folder = tmp_path / "snapshot"
    assert main(["collect", str(inventory), "-o", str(folder)]) == 0
    capsys.readouterr()
    assert (folder / "nodes/web1" / str(module).lstrip("/")).is_file()
    replayed = run_json(capsys, folder, "--checks", "CC104")
    # no httpd runs with this httpd.conf: live and offline, CC104 says so alike (the module's
    # own verdict from the snapshot's copy: tests/checks/test_frontend_build.py)
    before = [(r["status"], r["message"]) for r in live["results"]]
    after = [(r["status"], r["message"]) for r in replayed["results"]]
    assert (
        before
        == after
        == [
            (
                "fail",
                "httpd is not running on web1: no httpd process in its "
                "process table, so nothing serves this front end",
            )
        ]
    )
