"""pcap/pcapng to UDP datagrams: the real lab captures (read in place), every cut-off copy of
them, and frames built here for the link types and cases the lab did not capture."""

from __future__ import annotations

import struct
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parsers.test_tribes import captures_dir
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import CookedLinux, CookedLinuxV2, Ether
from scapy.packet import Packet
from scapy.utils import PcapNgWriter
from support import REPO

from clustercheck.parsers.pcap import Datagram, read_pcap

PCAP_HEADER = 24
RECORD_HEADER = 16
GROUP = ("228.0.0.4", 45564)
ETHERNET, RAW_IP, SLL, SLL2 = 1, 101, 113, 276


def pcap(linktype: int, frames: list[bytes | tuple[bytes, int]]) -> bytes:
    """A little-endian microsecond pcap; a frame may carry its length on the wire (snaplen)."""
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for number, frame in enumerate(frames):
        data, wirelen = frame if isinstance(frame, tuple) else (frame, len(frame))
        out += struct.pack("<IIII", 1_700_000_000 + number, 250_000, len(data), wirelen) + data
    return out


def heartbeat_frame(payload: bytes = b"TRIBES-B payload", src: str = "10.0.0.1") -> Packet:
    return Ether() / IP(src=src, dst=GROUP[0]) / UDP(sport=GROUP[1], dport=GROUP[1]) / payload


# --- the real captures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count", "sources"),
    [
        ("tribes.pcap", 18, {"10.77.0.11": 6, "10.77.0.12": 6, "10.77.0.13": 6}),
        ("tribes-shutdown.pcap", 3, {"10.77.0.13": 3}),
        ("tribes-auto.pcap", 3, {"10.77.0.13": 3}),
    ],
)
def test_real_captures_give_every_heartbeat(name: str, count: int, sources: dict[str, int]) -> None:
    datagrams, problems = read_pcap((captures_dir() / name).read_bytes())
    assert problems == []
    assert len(datagrams) == count
    assert {src: [d.src for d in datagrams].count(src) for src in sources} == sources
    assert all((d.dst, d.dport, d.sport) == (*GROUP, GROUP[1]) for d in datagrams)
    assert all(d.payload.startswith(b"TRIBES-B\x01\x00") for d in datagrams)
    times = [d.time for d in datagrams]
    assert times == sorted(times) and times[0] > 1.7e9


def test_first_real_datagram_in_detail() -> None:
    [first, *_], _ = read_pcap((captures_dir() / "tribes.pcap").read_bytes())
    assert first.time == pytest.approx(1795528272.908844, abs=1e-6)
    assert (first.src, first.dst, first.sport, first.dport) == ("10.77.0.11", *GROUP, GROUP[1])
    assert len(first.payload) == 77 and first.payload.endswith(b"TRIBES-E\x01\x00")


@pytest.mark.parametrize("name", ["tribes.pcap", "tribes-shutdown.pcap", "tribes-auto.pcap"])
def test_a_capture_cut_anywhere_keeps_every_whole_datagram(name: str) -> None:
    data = (captures_dir() / name).read_bytes()
    full, _ = read_pcap(data)
    ends = _record_ends(data)
    for length in range(len(data) + 1):
        datagrams, problems = read_pcap(data[:length])
        whole = sum(end <= length for end in ends)
        assert datagrams == full[:whole], length
        inside_a_record = any(end - size <= length < end for end, size in _bodies(data))
        assert any("cut off" in p for p in problems) == inside_a_record, (length, problems)
        if length < PCAP_HEADER:
            assert problems and not datagrams


def _record_ends(data: bytes) -> list[int]:
    return [end for end, _ in _bodies(data)]


def _bodies(data: bytes) -> list[tuple[int, int]]:
    """(end offset, captured size) of each record of a little-endian pcap."""
    found, offset = [], PCAP_HEADER
    while offset + RECORD_HEADER <= len(data):
        caplen = struct.unpack_from("<I", data, offset + 8)[0]
        offset += RECORD_HEADER + caplen
        found.append((offset, caplen))
    return found


def pcapng(datagrams: list[Datagram], path: Path) -> bytes:
    """The same heartbeats as a pcapng file (scapy's writer only writes to a path)."""
    writer = PcapNgWriter(str(path))
    for datagram in datagrams:
        frame = heartbeat_frame(datagram.payload, datagram.src)
        frame.time = datagram.time
        writer.write(frame)
    writer.close()
    return path.read_bytes()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2453), st.integers(0, 255)), min_size=1, max_size=8))
def test_a_corrupted_capture_never_raises(changes: list[tuple[int, int]]) -> None:
    data = bytearray((captures_dir() / "tribes.pcap").read_bytes())
    for offset, value in changes:
        data[offset % len(data)] = value
    datagrams, problems = read_pcap(bytes(data))
    assert all(isinstance(d, Datagram) for d in datagrams)
    assert all(isinstance(p, str) and p for p in problems)


def test_pcapng_gives_the_same_datagrams(tmp_path: Path) -> None:
    expected, _ = read_pcap((captures_dir() / "tribes.pcap").read_bytes())
    datagrams, problems = read_pcap(pcapng(expected, tmp_path / "tribes.pcapng"))
    assert problems == []
    assert [(d.src, d.payload) for d in datagrams] == [(d.src, d.payload) for d in expected]
    assert [d.time for d in datagrams] == pytest.approx([d.time for d in expected], abs=1e-6)


def test_a_pcapng_time_beyond_any_clock_is_a_problem_not_a_datagram(tmp_path: Path) -> None:
    """The node's capture says when: a pcapng's 64-bit ticks can say the year 318,857, which a
    snapshot could not read back."""
    expected, _ = read_pcap((captures_dir() / "tribes.pcap").read_bytes())
    late = [replace(expected[0], time=1e13), *expected[1:3]]
    datagrams, problems = read_pcap(pcapng(late, tmp_path / "late.pcapng"))
    assert [d.payload for d in datagrams] == [d.payload for d in expected[1:3]]
    assert problems == ["packet 1: timestamp 1e+13 is out of range"]


def test_a_pcapng_cut_anywhere_keeps_a_prefix(tmp_path: Path) -> None:
    expected, _ = read_pcap((captures_dir() / "tribes-shutdown.pcap").read_bytes())
    data = pcapng(expected, tmp_path / "shutdown.pcapng")
    payloads = [d.payload for d in expected]
    kept = [[d.payload for d in read_pcap(data[:n])[0]] for n in range(len(data) + 1)]
    assert all(got == payloads[: len(got)] for got in kept)
    assert [len(got) for got in kept] == sorted(len(got) for got in kept)
    assert kept[-1] == payloads and len(payloads) == 3


# --- link types and cases built here -----------------------------------------------------------

UDP_OVER_IPV4 = IP(src="10.0.0.1", dst=GROUP[0]) / UDP(sport=40000, dport=GROUP[1]) / b"hb"
UDP_OVER_IPV6 = IPv6(src="fd00::1", dst="ff02::4") / UDP(sport=40000, dport=GROUP[1]) / b"hb6"


@pytest.mark.parametrize(
    ("linktype", "frame", "expected"),
    [
        (ETHERNET, Ether() / UDP_OVER_IPV4, ("10.0.0.1", GROUP[0], b"hb")),
        (ETHERNET, Ether() / UDP_OVER_IPV6, ("fd00::1", "ff02::4", b"hb6")),
        (SLL, CookedLinux(proto=0x0800) / UDP_OVER_IPV4, ("10.0.0.1", GROUP[0], b"hb")),
        (SLL, CookedLinux(proto=0x86DD) / UDP_OVER_IPV6, ("fd00::1", "ff02::4", b"hb6")),
        (SLL2, CookedLinuxV2(proto=0x0800) / UDP_OVER_IPV4, ("10.0.0.1", GROUP[0], b"hb")),
        (SLL2, CookedLinuxV2(proto=0x86DD) / UDP_OVER_IPV6, ("fd00::1", "ff02::4", b"hb6")),
        (RAW_IP, UDP_OVER_IPV4, ("10.0.0.1", GROUP[0], b"hb")),
    ],
)
def test_link_types(linktype: int, frame: Packet, expected: tuple[str, str, bytes]) -> None:
    datagrams, problems = read_pcap(pcap(linktype, [bytes(frame)]))
    assert problems == []
    assert [(d.src, d.dst, d.payload) for d in datagrams] == [expected]
    assert datagrams[0] == Datagram(1_700_000_000.25, *expected[:2], 40000, GROUP[1], expected[2])


def test_ethernet_padding_is_not_payload() -> None:
    frame = bytes(Ether() / UDP_OVER_IPV4).ljust(60, b"\x00")
    [datagram], _ = read_pcap(pcap(ETHERNET, [frame]))
    assert datagram.payload == b"hb"


def test_snaplen_cut_datagram_is_reported_not_kept() -> None:
    frame = bytes(heartbeat_frame(bytes(77)))
    datagrams, problems = read_pcap(pcap(ETHERNET, [(frame[:80], len(frame))]))
    assert datagrams == []
    assert problems == ["packet 1: datagram from 10.0.0.1:45564 cut off (38 of 77 bytes captured)"]


@pytest.mark.parametrize(
    ("frame", "problem"),
    [
        (
            Ether() / IP(src="10.0.0.9", dst=GROUP[0], flags="MF") / UDP() / b"x",
            "packet 1: IP fragment from 10.0.0.9 skipped (no reassembly)",
        ),
        (
            Ether() / IP() / TCP(),
            "skipped 1 packet(s) that are not UDP over IPv4/IPv6 "
            "(other traffic, or a link type scapy cannot dissect)",
        ),
        (  # an ICMP error quotes a UDP header: not a datagram
            Ether() / IP() / ICMP(type=3, code=3) / UDP_OVER_IPV4,
            "skipped 1 packet(s) that are not UDP over IPv4/IPv6 "
            "(other traffic, or a link type scapy cannot dissect)",
        ),
    ],
)
def test_what_is_not_a_datagram(frame: Packet, problem: str) -> None:
    assert read_pcap(pcap(ETHERNET, [bytes(frame)])) == ([], [problem])


def test_unknown_link_type_is_a_problem_not_a_crash() -> None:
    datagrams, problems = read_pcap(pcap(147, [bytes(heartbeat_frame())]))
    assert datagrams == [] and "link type" in problems[0]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty capture (no bytes)"),
        (b"not a capture at all", "not a readable pcap or pcapng capture"),
        (b"\xd4\xc3\xb2\xa1\x02\x00", "not a readable pcap or pcapng capture"),
        (b"\x0a\x0d\x0d\x0a" + bytes(30), "not a readable pcap or pcapng capture"),
    ],
)
def test_not_a_capture(data: bytes, problem: str) -> None:
    datagrams, problems = read_pcap(data)
    assert datagrams == [] and len(problems) == 1 and problems[0].startswith(problem)


def test_importing_the_modules_or_asking_for_help_does_not_load_scapy() -> None:
    script = (
        "import runpy, sys\n"
        "import clustercheck.parsers.pcap, clustercheck.derive.membership\n"
        "import clustercheck.parsers.tribes\n"
        "sys.argv = ['clustercheck', '--help']\n"
        "try:\n"
        "    runpy.run_module('clustercheck', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scapy'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


# --- the struct reader agrees with scapy ------------------------------------------------------


@pytest.mark.parametrize("name", ["tribes.pcap", "tribes-shutdown.pcap", "tribes-auto.pcap"])
def test_real_captures_are_read_without_scapy_and_as_scapy_reads_them(name: str) -> None:
    data = (captures_dir() / name).read_bytes()
    script = (
        "import sys\n"
        "from clustercheck.parsers.pcap import read_pcap\n"
        f"datagrams, problems = read_pcap(open({str(captures_dir() / name)!r}, 'rb').read())\n"
        "print(len(datagrams), problems, any(m.startswith('scapy') for m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.split(" ", 1)[1].strip() == "[] False"
    assert_same_as_scapy(data)


@settings(max_examples=300, deadline=None)
@given(
    linktype=st.sampled_from([ETHERNET, RAW_IP, SLL, SLL2]),
    payload=st.binary(max_size=64),
    padding=st.binary(max_size=8),
    cut=st.integers(0, 3),
    fragment=st.booleans(),
)
def test_the_struct_reader_agrees_with_scapy(
    linktype: int, payload: bytes, padding: bytes, cut: int, fragment: bool
) -> None:
    ip = IP(src="10.0.0.7", dst=GROUP[0], flags="MF" if fragment else 0)
    packet = ip / UDP(sport=40000, dport=GROUP[1]) / payload
    link = {ETHERNET: Ether(), SLL: CookedLinux(proto=0x0800), SLL2: CookedLinuxV2(proto=0x0800)}
    frame = bytes(link[linktype] / packet if linktype in link else packet) + padding
    assert_same_as_scapy(pcap(linktype, [frame, frame[: len(frame) - cut]]))


def assert_same_as_scapy(data: bytes) -> None:
    from clustercheck.parsers import pcap as module

    with module._scapy_muted():
        expected_datagrams, expected_problems = module._read(data)
    datagrams, problems = read_pcap(data)
    assert problems == expected_problems
    assert [d.time for d in datagrams] == pytest.approx([d.time for d in expected_datagrams])
    assert [(d.src, d.dst, d.sport, d.dport, d.payload) for d in datagrams] == [
        (d.src, d.dst, d.sport, d.dport, d.payload) for d in expected_datagrams
    ]
