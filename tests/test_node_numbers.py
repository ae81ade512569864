"""Sizes and numbers a node gives are its word, not facts: a WAR whose entry understates its
size, a clock that prints 400 digits, a probe or a capture that prints NaN, a port of 70000 or
of 400 digits in a configuration. Each ends as a finding for that node (or a value passed
over), never as a crash, an unbounded read or an infinite number, and every JSON written stays
JSON."""

from __future__ import annotations

import json
import struct
import tracemalloc
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from clusterfiles import apache_files, build, tomcat_files

from clustercheck.cli.main import main
from clustercheck.collect import jvm, probes
from clustercheck.collect.clock import sample_clock
from clustercheck.collect.gather import gather
from clustercheck.collect.multicast import _socket
from clustercheck.collect.plan import plan_probes, receiver_targets
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.base import CommandResult, FileReadError
from clustercheck.collect.transports.localfs import FilesTransport, LocalStream, LocalTransport
from clustercheck.collect.transports.ssh import _check_script, _find_entry
from clustercheck.facts.clock import ClockSample
from clustercheck.facts.multicast import CaptureView
from clustercheck.facts.probes import Outcome
from clustercheck.inventory.loader import load_inventory
from clustercheck.inventory.settings import NodeSettings
from clustercheck.parsers.java import java_version_tuple
from clustercheck.parsers.text import BIG_DIGITS
from clustercheck.parsers.timesync import (
    parse_chrony_tracking,
    parse_ntpq_peers,
    parse_timestamps,
    timestamp_resolution,
)

DIGITS = "1" * 400


# --- the clock ---------------------------------------------------------------------------------


class PrintingNode(LocalTransport):
    """This machine, whose clock sampler prints `line` for every request."""

    def __init__(self, line: str) -> None:
        self.line = line

    def open_stream(self, argv: Sequence[str]) -> LocalStream:
        return LocalStream(["sh", "-c", 'while read x; do echo "$0"; done', self.line])


@pytest.mark.parametrize("line", [DIGITS, f"{DIGITS}.5", "1e400", "nan", "inf"])
def test_a_clock_that_prints_no_time_gives_no_sample(line: str) -> None:
    """Before: 400 digits read as an infinite float, and the offset was Infinity."""
    assert parse_timestamps(line + "\n") == []
    sample, _ = sample_clock(PrintingNode(line), NodeSettings("n1", "h", ("tomcat",)))
    assert sample == ClockSample(error="the node printed no timestamp")
    json.dumps(sample.to_json(), allow_nan=False)


def test_a_clock_with_400_decimals_is_still_a_time() -> None:
    text = f"1750000000.{DIGITS}\n"
    assert parse_timestamps(text) == [pytest.approx(1750000000.111111)]
    assert timestamp_resolution(text) == 0.0


SYSTEM_TIME = "Reference ID    : 0A4D000C (10.77.0.12)\nSystem time     : {} seconds slow of NTP\n"
NTPQ = """\
     remote           refid      st t when poll reach   delay   offset  jitter
==============================================================================
*10.77.0.12      127.127.1.1      8 u   33   64  377    0.412   {}   0.012
"""


@pytest.mark.parametrize("printed", ["1.2.3", DIGITS, "nan", "inf", "1e400", "-", "0x10"])
def test_time_daemons_numbers_that_are_no_number_are_no_offset(printed: str) -> None:
    """Before: chronyc's `1.2.3` and ntpq's `abc` raised ValueError (the node's gathering
    crashed), and `nan`, `inf` or 400 digits became offsets no JSON can hold."""
    chrony = parse_chrony_tracking(SYSTEM_TIME.format(printed))
    ntpq = parse_ntpq_peers(NTPQ.format(printed))
    assert (chrony.synchronised, chrony.offset_ms) == (True, None)
    assert (ntpq.synchronised, ntpq.offset_ms) == (True, None)
    assert parse_ntpq_peers(NTPQ.format("-0.031")).offset_ms == 0.031


# --- probes and captures -------------------------------------------------------------------


def test_probe_lines_are_results_only_when_their_types_and_ranges_are() -> None:
    good = '{"host": "h", "port": 8009, "result": "cpong", "ms": 1.5, "detail": ""}'
    lines = [
        good,
        good.replace("1.5", "NaN"),
        good.replace("1.5", "Infinity"),
        good.replace("1.5", "1e400"),
        good.replace("1.5", '"fast"'),
        good.replace("8009", "1e400"),
        good.replace("8009", DIGITS),
        good.replace('"h"', "[]"),
        "[1, 2]",
        "null",
    ]
    found = probes.parse_json_lines("\n".join(lines), "web1")
    assert [(r.port, r.ms) for r in found] == [(8009, 1.5)]
    bash = f"{DIGITS} c 1\n² c 1\n0 c {DIGITS}\n0 r {DIGITS} 41 42 00 01 09\n1 c 5\n"
    found = probes.parse_bash(bash, "cping", "web1", [("h", 8009)])
    assert [(r.port, r.result, r.ms) for r in found] == [(8009, Outcome.CPONG, None)]


def test_a_capture_keeps_only_datagrams_that_are_datagrams(tmp_path: Path) -> None:
    """The socket view parses what the node prints: before, a time printed as a string made
    sorting the datagrams raise TypeError, and NaN reached the snapshot."""
    good = {"time": 1750000000.5, "src": "10.0.0.12", "sport": 45564, "payload": "0102"}
    printed = [
        good,
        {**good, "time": "soon"},
        {**good, "src": ["10.0.0.13"]},
        {**good, "sport": None},
        {**good, "payload": "zz"},
        {**good, "time": 1e400},
    ]
    lines = [json.dumps(d).replace("Infinity", "1e400") for d in printed] + ['{"time": NaN}']
    output = tmp_path / "heard"
    output.write_text("\n".join(lines) + "\n")
    node = tmp_path / "python"  # stands in for the node's python3 running the receiver
    node.write_text(f"#!/bin/sh\ncat {output}\n")
    node.chmod(0o755)
    view = _socket(LocalTransport(), ("228.0.0.4", 45564), None, 1.0, python=str(node))
    assert isinstance(view, CaptureView) and view.error is None
    assert [(d.time, d.src, d.payload) for d in view.datagrams or ()] == [
        (1750000000.5, "10.0.0.12", b"\x01\x02")
    ]


def test_ports_no_connection_can_go_to_are_never_probed(tmp_path: Path) -> None:
    """A worker port of 70000 would reach port 4464; one of 400 digits made the probe from
    clustercheck's machine raise OverflowError and end the run."""
    workers = f"""\
        worker.list=lb
        worker.lb.type=lb
        worker.lb.balance_workers=t1,t2
        worker.t1.host=10.0.0.11
        worker.t1.port=70000
        worker.t2.host=10.0.0.12
        worker.t2.port={DIGITS}
    """
    files = {
        "web1": apache_files(workers),
        "t1": tomcat_files("t1", ajp_port=70000),
        "t2": tomcat_files("t2"),
    }
    nodes = {
        "web1": {"host": "10.0.0.10", "roles": ["apache"]},
        "t1": {"host": "10.0.0.11", "roles": ["tomcat"]},
        "t2": {"host": "10.0.0.12", "roles": ["tomcat"]},
    }
    facts = gather(load_inventory(build(tmp_path, nodes, files)))
    for node in facts.nodes.values():
        node.offline = False  # as if every node were live
    plan = plan_probes(facts)
    assert plan.cping == {}
    assert plan.exposure == [("10.0.0.12", 8009)]
    far = {"t1": ("10.0.0.11", 70000), "t2": ("10.0.0.12", 10**400)}
    assert receiver_targets(facts, far) == {"t1": [], "t2": []}


HUGE = "9" * 5000  # int() refuses over 4,300 digits


def test_numbers_of_5000_digits_in_a_nodes_files_are_judged_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: int() raised ValueError inside the workers.properties, server.xml and version
    readers (and on a superscript digit, which str.isdigit() lets through), and the whole run
    ended in an internal error."""
    workers = f"""\
        worker.list=lb
        worker.lb.type=lb
        worker.lb.balance_workers=t1,t2
        worker.lb.method=²
        worker.t1.host=10.0.0.11
        worker.t1.port={HUGE}
        worker.t1.lbfactor=-{HUGE}
        worker.t2.host=10.0.0.12:²
        worker.t2.connection_pool_size={HUGE}k
    """
    files = {
        "web1": apache_files(workers),
        "t1": tomcat_files("t1", version=HUGE, ajp_extra=f'secret="s" address="&#{HUGE};"'),
        "t2": tomcat_files("t2", version="1.²"),
    }
    nodes = {
        "web1": {"host": "10.0.0.10", "roles": ["apache"]},
        "t1": {"host": "10.0.0.11", "roles": ["tomcat"]},
        "t2": {"host": "10.0.0.12", "roles": ["tomcat"]},
    }
    inventory = build(tmp_path, nodes, files)
    assert main(["run", str(inventory), "--json", "-", "--quiet"]) == 1
    report = json.loads(capsys.readouterr().out)
    judged = {(r["code"], r["node"]): r["status"] for r in report["results"]}
    assert judged[("CC6034", "web1")] in ("warn", "fail")  # judged, not an error
    assert java_version_tuple(f"17.0.{HUGE}") == (17, 0, 10**BIG_DIGITS)
    assert java_version_tuple("17.²") == (17, 0, 0)


# --- sizes ---------------------------------------------------------------------------------

WEB_XML = b'<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"><distributable/>'


def _war(path: Path, content: bytes, *, spaces: int = 0, size: int | None = None) -> bytearray:
    """A WAR whose WEB-INF/web.xml holds `content` and `spaces` MB of spaces, its headers
    saying `size` bytes instead; its bytes, to spoil further."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as war, war.open(NAME, "w") as entry:
        entry.write(content)
        for _ in range(spaces):
            entry.write(b" " * 1024 * 1024)
    data = bytearray(path.read_bytes())
    if size is not None:
        struct.pack_into("<I", data, data.index(b"PK\x03\x04") + 22, size)
        struct.pack_into("<I", data, data.index(b"PK\x01\x02") + 24, size)
    return data


def _encrypted(data: bytearray) -> None:
    for header, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        struct.pack_into("<H", data, data.index(header) + at, 1)


def _unknown_method(data: bytearray) -> None:
    for header, at in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        struct.pack_into("<H", data, data.index(header) + at, 99)


def _corrupt(data: bytearray) -> None:
    start = data.index(b"PK\x03\x04") + 30 + len(NAME)
    data[start : start + 8] = b"\xff" * 8


NAME = "WEB-INF/web.xml"


@pytest.mark.parametrize(
    ("spaces", "size", "spoil", "status", "message"),
    [
        pytest.param(100, 200, None, "error", "not a readable zip (Bad CRC-32", id="understated"),
        pytest.param(3, None, None, "too_large", "over the 1048576-byte cap", id="big"),
        pytest.param(0, None, _encrypted, "error", "not a readable zip (File", id="encrypted"),
        pytest.param(0, None, _unknown_method, "error", "not a readable zip (", id="method-99"),
        pytest.param(0, None, _corrupt, "error", "not a readable zip (Error -3", id="corrupt"),
    ],
)
def test_a_war_entry_is_read_no_further_than_the_cap_whatever_its_header_says(
    tmp_path: Path, spaces: int, size: int | None, spoil: Any, status: str, message: str
) -> None:
    """Before: an entry whose header said 200 bytes passed the size check and was then
    inflated whole (100 MB from 100 KB) before its CRC said it was wrong; an encrypted entry
    (RuntimeError), an unknown method (NotImplementedError) or corrupt data (zlib.error) ended
    the run."""
    (tmp_path / "webapps").mkdir()
    war = tmp_path / "webapps/shop.war"
    data = _war(war, WEB_XML, spaces=spaces, size=size)
    if spoil:
        spoil(data)
    war.write_bytes(bytes(data))
    reader = NodeReader(FilesTransport(str(tmp_path)))
    tracemalloc.start()
    try:
        assert reader.read_member("/webapps/shop.war", NAME) is None
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024
    read = reader.reads[f"/webapps/shop.war!/{NAME}"]
    assert read.status == status and message in (read.message or ""), read


def test_an_archive_is_read_no_further_than_its_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The central directory's size is the archive's word too: zipfile would read all it says
    (a million entries are hundreds of MB) before the member is looked for."""
    import clustercheck.collect.reader as reader_module

    with zipfile.ZipFile(tmp_path / "shop.war", "w") as war:
        for index in range(2000):
            war.writestr(f"WEB-INF/classes/C{index}.class", b"")
        war.writestr(NAME, WEB_XML)
    reader = NodeReader(FilesTransport(str(tmp_path)))
    assert reader.read_member("/shop.war", NAME) == WEB_XML
    monkeypatch.setattr(reader_module, "MAX_ARCHIVE_READ", 50_000)
    assert reader.read_member("/shop.war", NAME) is None
    error = reader.reads[f"/shop.war!/{NAME}"].message or ""
    assert error.endswith("not a readable zip (more than 50000 bytes to read)")


def test_sizes_a_node_prints_are_numbers_only_when_they_are() -> None:
    """`find` and `wc` on the node print the sizes: a record cut by the cap, or one that is not
    a number, is passed over instead of raising ValueError."""
    assert _find_entry(b"f 12 web.xml") is not None
    assert _find_entry(b"f 12") is None  # the last record, cut by the cap
    entry = _find_entry(f"f {DIGITS} big.war".encode())
    assert entry is not None and entry.size == 0
    failed = CommandResult(("sh",), 6, b"lots\n", b"")
    with pytest.raises(FileReadError, match=r"^/x: over the 10-byte cap$"):
        _check_script("/x", failed, {6: ("too_large", "")}, 10)


class OwnersNode(LocalTransport):
    """A node whose owner-and-mode script prints `printed`."""

    def __init__(self, printed: bytes) -> None:
        self.printed = printed

    def run(
        self, argv: Sequence[str], *, timeout: float | None = None, stdin: bytes | None = None
    ) -> CommandResult:
        return CommandResult(tuple(argv), 0, self.printed, b"")


@pytest.mark.parametrize(
    ("printed", "reason"),
    [
        (f"/j\0{HUGE}\n{HUGE}\n0 755\n".encode(), None),
        (b"/j\0" + b"0\n-\n0 rwx\n", "cannot tell who may write /j, so it is not run"),
        (b"/j\0" + b"0\n-\n0 9\n", "cannot tell who may write /j, so it is not run"),
        (b"/j\0" + b"0\n-\n0\n", "cannot tell who may write /j, so it is not run"),
    ],
)
def test_owners_and_modes_a_node_prints_are_numbers_only_when_they_are(
    printed: bytes, reason: str | None
) -> None:
    """Before: a uid of 5,000 digits, or a mode that is not octal, raised ValueError out of
    the JVM's trust check and the node's collection failed."""
    vetted = jvm.untrusted_reason(OwnersNode(printed), "/j")
    assert (vetted.path, vetted.refusal) == ("/j", reason)
