"""Tribes heartbeat decoder: real Tomcat 10 heartbeats (read in place from the shared notes), a
test-side encoder for what the lab did not produce (Tomcat 6, IPv6, domains, payloads), and
properties: decode inverts encode, and no bytes make it raise."""

from __future__ import annotations

import ipaddress
import os
import struct
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import REPO, need

from clustercheck.parsers.pcap import read_pcap
from clustercheck.parsers.tribes import (
    SHUTDOWN,
    TOMCAT6,
    TOMCAT7,
    Heartbeat,
    Undecodable,
    decode_heartbeat,
    repeat_key,
)

NOTES = Path(os.environ.get("CLUSTERCHECK_NOTES", REPO.parent / "shared" / "notes"))


def captures_dir() -> Path:
    """The real captures, read in place (never copied into the project); a skip outside CI."""
    path = NOTES / "captures"
    need(path.is_dir(), f"captures not found at {path} (set CLUSTERCHECK_NOTES)")
    return path


@cache
def samples() -> list[tuple[str, float, bytes, str]]:
    """(source address, capture time, payload, comment) from both hex sample files."""
    rows = []
    for name in ("tribes-samples.txt", "tribes-samples-extra.txt"):
        for line in (captures_dir() / name).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                data, _, comment = line.partition("#")
                src, when, hexed = data.split()
                rows.append((src, float(when), bytes.fromhex(hexed), comment.strip()))
    return rows


def extra_samples() -> dict[str, tuple[str, float, bytes]]:
    """The commented samples by the first word of their comment: heartbeat (after recovery),
    SHUTDOWN, Receiver (address=auto advertising loopback)."""
    return {
        comment.split()[0]: (src, when, data) for src, when, data, comment in samples() if comment
    }


def encode(heartbeat: Heartbeat) -> bytes:
    """MemberImpl.getData() as notes/protocols.md §1.2-1.3 lays it out."""
    version = b"\x01\x00" if heartbeat.format == TOMCAT7 else b""
    host = ipaddress.ip_address(heartbeat.host).packed
    numbers = struct.pack(">qii", heartbeat.alive_ms, heartbeat.port, heartbeat.secure_port)
    if heartbeat.udp_port is not None:
        numbers += struct.pack(">i", heartbeat.udp_port)
    body = b"".join(
        [
            numbers,
            struct.pack(">b", len(host)) + host,
            _sized(heartbeat.command),
            _sized(heartbeat.domain),
            heartbeat.unique_id,
            _sized(heartbeat.payload),
        ]
    )
    return b"TRIBES-B" + version + struct.pack(">i", len(body)) + body + b"TRIBES-E" + version


def _sized(value: bytes) -> bytes:
    return struct.pack(">i", len(value)) + value


MEMBER = Heartbeat(
    format=TOMCAT7,
    host="10.0.0.1",
    port=4000,
    secure_port=-1,
    udp_port=-1,
    alive_ms=1234,
    command=b"",
    domain=b"",
    unique_id=bytes(range(16)),
    payload=b"",
)
TOMCAT6_MEMBER = replace(MEMBER, format=TOMCAT6, udp_port=None)


# --- the real Tomcat 10.1 heartbeats --------------------------------------------------------


def test_every_real_sample_decodes_as_tomcat7() -> None:
    rows = samples()
    assert len(rows) == 9
    for _, _, data, _ in rows:
        heartbeat = decode_heartbeat(data)
        assert isinstance(heartbeat, Heartbeat)
        assert heartbeat.format == TOMCAT7
        assert (heartbeat.port, heartbeat.secure_port, heartbeat.udp_port) == (4000, -1, -1)
        assert heartbeat.domain == heartbeat.payload == b""
        assert len(data) == (86 if heartbeat.shutdown else 77)


def test_the_encoder_reproduces_every_real_sample_byte_for_byte() -> None:
    for _, _, data, _ in samples():
        decoded = decode_heartbeat(data)
        assert isinstance(decoded, Heartbeat)
        assert encode(decoded) == data


def test_normal_samples_advertise_their_source_and_alive_grows_by_the_frequency() -> None:
    normal = [row for row in samples() if not row[3]]
    by_source: dict[str, list[Heartbeat]] = {}
    for src, _, data, _ in normal:
        heartbeat = decode_heartbeat(data)
        assert isinstance(heartbeat, Heartbeat) and heartbeat.host == src
        by_source.setdefault(src, []).append(heartbeat)
    assert sorted(by_source) == ["10.77.0.11", "10.77.0.12", "10.77.0.13"]
    for first, second in by_source.values():
        assert first.member_id == second.member_id  # same run: same uniqueId
        assert 400 <= second.alive_ms - first.alive_ms <= 600  # frequency 500 ms
        assert first.alive_ms < 60_000  # a duration since the service started
    assert by_source["10.77.0.11"][0].member_id == "10.77.0.11:4000/3454c174"


def test_after_recovery_alive_is_epoch_ms_and_then_comes_the_shutdown() -> None:
    extra = extra_samples()
    _, when, data = extra["heartbeat"]
    recovered = decode_heartbeat(data)
    assert isinstance(recovered, Heartbeat) and not recovered.shutdown
    assert abs(recovered.alive_ms - when * 1000) < 10  # wall clock, not a duration
    _, _, data = extra["SHUTDOWN"]
    notice = decode_heartbeat(data)
    assert isinstance(notice, Heartbeat)
    assert notice.command == SHUTDOWN and notice.shutdown
    assert notice.unique_id == recovered.unique_id  # the same run says goodbye


def test_a_receiver_on_auto_advertises_loopback_not_its_source() -> None:
    extra = extra_samples()
    src, _, data = extra["Receiver"]
    heartbeat = decode_heartbeat(data)
    assert isinstance(heartbeat, Heartbeat)
    assert (src, heartbeat.host) == ("10.77.0.13", "127.0.0.1")
    assert heartbeat.member_id == "127.0.0.1:4000/62502efd"


@pytest.mark.parametrize(
    ("name", "count", "hosts", "last_is_shutdown"),
    [
        ("tribes.pcap", 18, {"10.77.0.11", "10.77.0.12", "10.77.0.13"}, False),
        ("tribes-shutdown.pcap", 3, {"10.77.0.13"}, True),
        ("tribes-auto.pcap", 3, {"127.0.0.1"}, False),
    ],
)
def test_real_pcaps_decode_through_read_pcap(
    name: str, count: int, hosts: set[str], last_is_shutdown: bool
) -> None:
    datagrams, problems = read_pcap((captures_dir() / name).read_bytes())
    assert problems == []
    heartbeats = [decode_heartbeat(d.payload) for d in datagrams]
    assert len(heartbeats) == count
    assert all(isinstance(h, Heartbeat) for h in heartbeats)
    assert {h.host for h in heartbeats if isinstance(h, Heartbeat)} == hosts
    assert [h.shutdown for h in heartbeats if isinstance(h, Heartbeat)][-1] is last_is_shutdown


# --- what the lab did not produce -------------------------------------------------------------


def test_tomcat6_layout_has_short_markers_and_no_udp_port() -> None:
    data = encode(TOMCAT6_MEMBER)
    assert len(data) == 69 and data[8:12] == b"\x00\x00\x00\x31"  # body length = total - 20
    assert decode_heartbeat(data) == TOMCAT6_MEMBER


def test_bare_ipv4_member_is_77_bytes_and_the_shutdown_86() -> None:
    assert len(encode(MEMBER)) == 77
    assert len(encode(replace(MEMBER, command=SHUTDOWN))) == 86


@pytest.mark.parametrize(
    "member",
    [
        replace(MEMBER, host="fd00::1:2"),
        replace(TOMCAT6_MEMBER, host="2001:db8::7"),
        replace(MEMBER, domain=b"prod-a", payload=b"\x00\xff payload"),
        replace(MEMBER, secure_port=4443, udp_port=4001, alive_ms=1795528533176),
    ],
)
def test_encoded_members_decode_back(member: Heartbeat) -> None:
    assert decode_heartbeat(encode(member)) == member


def test_member_id_brackets_ipv6_hosts() -> None:
    assert replace(MEMBER, host="fd00::1").member_id == "[fd00::1]:4000/00010203"


def test_bytes_after_the_end_marker_are_ignored_like_tomcat_does() -> None:
    assert decode_heartbeat(encode(MEMBER) + b"junk") == MEMBER


def _patched(data: bytes, offset: int, value: bytes) -> bytes:
    return data[:offset] + value + data[offset + len(value) :]


BARE = encode(MEMBER)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not a Tribes heartbeat (no TRIBES-B marker)"),
        (b"GET / HTTP/1.1\r\n", "not a Tribes heartbeat (no TRIBES-B marker)"),
        (b"FLT2002\x00\x00\x00\x10whatever", "channel message (FLT2002), not a heartbeat"),
        (BARE[:11], "truncated: 11 bytes, the header needs 14"),
        (BARE[:76], "truncated: body length 53 needs 77 bytes, have 76"),
        (BARE[:40], "truncated: body length 53 needs 77 bytes, have 40"),
        (_patched(BARE, 10, b"\xff\xff\xff\xfe"), "negative body length -2"),
        (_patched(BARE, 67, b"TRIBES-X"), "end marker missing at 67"),
        (_patched(BARE, 75, b"\x02\x00"), "end marker missing at 67"),  # other version
        (_patched(BARE, 34, b"\xff"), "negative host length -1"),
        (_patched(BARE, 34, b"\x05"), "host length 5 is neither 4 (IPv4) nor 16 (IPv6)"),
        (_patched(BARE, 34, b"\x7f"), "host (127 bytes at 35) overruns the end marker at 67"),
        (
            _patched(BARE, 39, b"\x00\x00\x01\x00"),
            "command (256 bytes at 43) overruns the end marker at 67",
        ),
        (_patched(BARE, 39, b"\x80\x00\x00\x00"), "negative command length -2147483648"),
        (
            _patched(BARE, 63, b"\x00\x00\x00\x01"),
            "payload (1 bytes at 67) overruns the end marker at 67",
        ),
        # a cut Tomcat 6 packet: its shorter header is read with its own layout
        (encode(TOMCAT6_MEMBER)[:60], "truncated: body length 49 needs 69 bytes, have 60"),
    ],
)
def test_undecodable_says_why(data: bytes, reason: str) -> None:
    assert decode_heartbeat(data) == Undecodable(reason, len(data))


# --- properties -------------------------------------------------------------------------------

INT32 = st.integers(-(2**31), 2**31 - 1)
HOSTS = st.one_of(st.binary(min_size=4, max_size=4), st.binary(min_size=16, max_size=16)).map(
    lambda raw: str(ipaddress.ip_address(raw))
)
FIELD = st.binary(max_size=40)


@st.composite
def members(draw: st.DrawFn) -> Heartbeat:
    tomcat6 = draw(st.booleans())
    return Heartbeat(
        format=TOMCAT6 if tomcat6 else TOMCAT7,
        host=draw(HOSTS),
        port=draw(INT32),
        secure_port=draw(INT32),
        udp_port=None if tomcat6 else draw(INT32),
        alive_ms=draw(st.integers(-(2**63), 2**63 - 1)),
        command=draw(st.one_of(st.just(SHUTDOWN), FIELD)),
        domain=draw(FIELD),
        unique_id=draw(st.binary(min_size=16, max_size=16)),
        payload=draw(FIELD),
    )


@given(members())
def test_decode_inverts_encode(member: Heartbeat) -> None:
    assert decode_heartbeat(encode(member)) == member


@given(members(), st.integers(-(2**63), 2**63 - 1))
def test_heartbeats_differing_only_in_alive_time_share_a_repeat_key(
    member: Heartbeat, alive_ms: int
) -> None:
    later = replace(member, alive_ms=alive_ms)
    assert repeat_key(encode(member)) == repeat_key(encode(later))


@given(members(), members())
def test_a_different_member_or_state_has_another_repeat_key(a: Heartbeat, b: Heartbeat) -> None:
    if replace(a, alive_ms=0) != replace(b, alive_ms=0):
        assert repeat_key(encode(a)) != repeat_key(encode(b))


@given(st.binary(max_size=60))
def test_other_bytes_are_their_own_repeat_key(data: bytes) -> None:
    if not data.startswith(b"TRIBES-B"):
        assert repeat_key(data) == data


def _never_raises(data: bytes) -> None:
    result = decode_heartbeat(data)
    assert isinstance(result, Heartbeat | Undecodable)
    if isinstance(result, Undecodable):
        assert result.length == len(data) and result.reason


@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _never_raises(data)


@given(st.sampled_from([b"TRIBES-B", b"TRIBES-B\x01\x00"]), st.binary(max_size=120))
def test_bytes_behind_a_begin_marker_never_raise(marker: bytes, rest: bytes) -> None:
    _never_raises(marker + rest)


@settings(max_examples=300)
@given(
    st.integers(0, 8),
    st.lists(st.tuples(st.integers(0, 90), st.integers(0, 255)), max_size=4),
    st.integers(0, 100),
)
def test_mutated_real_packets_never_raise(
    index: int, changes: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(samples()[index][2])
    for offset, value in changes:
        if offset < len(data):
            data[offset] = value
    _never_raises(bytes(data[:cut]))
