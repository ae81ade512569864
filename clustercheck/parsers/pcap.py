"""UDP datagrams out of a pcap or pcapng capture (tcpdump -w), for the heartbeat decoder.

What tcpdump writes in a capture window (classic pcap, whole IPv4 UDP datagrams over the link
types of Linux) is read with struct; anything else goes to scapy. The split is for speed: scapy
dissects a packet in about 0.3 ms, and a window over 100 nodes brings 100 x 100 x 8 heartbeats
(half a minute of CPU), while struct reads one in a few microseconds.

scapy is imported only when a capture needs it, never at module import: loading it takes about
half a second, and `clustercheck --help` or a run without captures must not pay for it.
"""

from __future__ import annotations

import io
import logging
import socket
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Datagram:
    """One UDP datagram: when it was seen, who sent it, where it was addressed, its bytes.
    `repeats` > 1: the latest of that many from the same sender that differ only in what
    changes with every heartbeat (see collect.multicast.collapse_repeats)."""

    time: float
    src: str
    dst: str
    sport: int
    dport: int
    payload: bytes
    repeats: int = 1


def read_pcap(data: bytes) -> tuple[list[Datagram], list[str]]:
    """Whole UDP datagrams over IPv4/IPv6 (Ethernet, Linux cooked SLL/SLL2, and whatever else
    scapy dissects), plus problems. Never raises: a capture cut off mid-packet (tcpdump killed
    by a timeout) keeps every datagram that arrived whole."""
    if not data:
        return [], ["empty capture (no bytes)"]
    simple = _read_simple(data)
    if simple is not None:
        return simple, []
    with _scapy_muted():
        return _read(data)


# A classic pcap's seconds are 32 bits; a pcapng's 64-bit ticks may say anything, NaN aside.
MAX_SECONDS = 2**32

# Classic pcap magic numbers: byte order and the unit of the sub-second field.
_PCAP_MAGIC = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
# Link type -> (offset of the big-endian EtherType, length of the link header); None: raw IP.
_LINK_HEADERS = {
    1: (12, 14),  # Ethernet
    113: (14, 16),  # Linux cooked (SLL)
    276: (0, 20),  # Linux cooked v2 (SLL2): what `tcpdump -i any` writes
    101: (None, 0),  # raw IP
}
_IPV4 = b"\x08\x00"  # EtherType
_UDP = 17


def _read_simple(data: bytes) -> list[Datagram] | None:
    """The datagrams of a classic pcap in which every record is a whole, unfragmented IPv4
    UDP datagram over a known link type; None for anything else (scapy then reads it all, so
    every problem is described one way only)."""
    magic = _PCAP_MAGIC.get(data[:4])
    if magic is None or len(data) < 24:
        return None
    order, unit = magic
    link = _LINK_HEADERS.get(struct.unpack_from(order + "I", data, 20)[0])
    if link is None:
        return None
    record = struct.Struct(order + "IIII")
    datagrams, offset = [], 24
    while offset < len(data):
        if offset + 16 > len(data):
            return None
        seconds, fraction, captured, wire = record.unpack_from(data, offset)
        offset += 16
        frame = data[offset : offset + captured]
        offset += captured
        found = _ipv4_udp(frame, link) if captured == wire == len(frame) else None
        if found is None:
            return None
        datagrams.append(Datagram(seconds + fraction * unit, *found))
    return datagrams


def _ipv4_udp(
    frame: bytes, link: tuple[int | None, int]
) -> tuple[str, str, int, int, bytes] | None:
    """(src, dst, sport, dport, payload) of a whole, unfragmented IPv4 UDP datagram, else None."""
    ethertype_at, ip = link
    if ethertype_at is not None and frame[ethertype_at : ethertype_at + 2] != _IPV4:
        return None
    if len(frame) < ip + 28 or frame[ip] >> 4 != 4 or frame[ip + 9] != _UDP:
        return None
    header = (frame[ip] & 0x0F) * 4
    total, flags_fragment = struct.unpack_from("!H2xH", frame, ip + 2)
    if header < 20 or flags_fragment & 0x3FFF:
        return None
    udp = ip + header
    if len(frame) < udp + 8 or total < header + 8:
        return None
    sport, dport, length = struct.unpack_from("!HHH", frame, udp)
    payload = frame[udp + 8 : udp + length]
    if length < 8 or len(payload) != length - 8 or udp + length > ip + total:
        return None
    src, dst = (
        socket.inet_ntoa(frame[ip + 12 : ip + 16]),
        socket.inet_ntoa(frame[ip + 16 : ip + 20]),
    )
    return src, dst, sport, dport, payload


def _read(data: bytes) -> tuple[list[Datagram], list[str]]:
    try:
        reader = _reader(data)
    except ImportError as exc:
        return [], [f"cannot read captures: scapy is not installed ({exc})"]
    except Exception as exc:  # scapy raises several types on foreign bytes
        return [], [f"not a readable pcap or pcapng capture: {exc}"]
    datagrams: list[Datagram] = []
    problems: list[str] = []
    skipped = 0
    for number, packet in enumerate(_packets(reader, problems), start=1):
        try:
            found = _datagram(packet, number)
        except Exception as exc:  # scapy's dissection of hostile bytes: lose one packet only
            found = f"packet {number} unreadable: {exc}"
        if isinstance(found, Datagram):
            datagrams.append(found)
        elif found:
            problems.append(found)
        else:
            skipped += 1
    if skipped:
        problems.append(
            f"skipped {skipped} packet(s) that are not UDP over IPv4/IPv6 "
            "(other traffic, or a link type scapy cannot dissect)"
        )
    return datagrams, problems


@contextmanager
def _scapy_muted() -> Iterator[None]:
    """scapy logs its own warnings (cut records, unknown link types) on stderr; the problems
    list already says it in words the user can act on."""
    logger = logging.getLogger("scapy.runtime")
    logger.addFilter(_drop)
    try:
        yield
    finally:
        logger.removeFilter(_drop)


def _drop(record: logging.LogRecord) -> bool:
    return False


def _reader(data: bytes) -> Any:
    """A scapy packet reader over the bytes; it picks pcap or pcapng from the magic number."""
    import scapy.layers.inet
    import scapy.layers.inet6
    import scapy.layers.l2  # noqa: F401  (registers Ethernet, SLL and SLL2 link types)
    from scapy.utils import PcapReader

    return PcapReader(io.BytesIO(data))  # type: ignore[arg-type]  # any binary stream works


def _packets(reader: Any, problems: list[str]) -> list[Any]:
    """Every packet scapy can read; a corrupt record ends the capture with a problem."""
    packets: list[Any] = []
    while True:
        try:
            packets.append(reader.read_packet())
        except EOFError:
            return packets
        except Exception as exc:  # a corrupt record: keep what came before it
            problems.append(f"capture unreadable after packet {len(packets)}: {exc}")
            return packets


def _datagram(packet: Any, number: int) -> Datagram | str | None:
    """The packet's UDP datagram, a problem if one is there but not whole, or None."""
    from scapy.layers.inet import IP, UDP
    from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment

    ip = packet.getlayer(IP)
    if ip is None:
        ip = packet.getlayer(IPv6)
    if ip is None:
        return _cut_off(packet, number)
    if _fragment(ip, packet.haslayer(IPv6ExtHdrFragment)):
        return f"packet {number}: IP fragment from {ip.src} skipped (no reassembly)"
    udp = ip.getlayer(UDP)
    if udp is None:
        return _cut_off(packet, number)
    payload, expected = bytes(udp.payload), (udp.len or 0) - 8
    if len(payload) < expected:
        return (
            f"packet {number}: datagram from {ip.src}:{udp.sport} cut off "
            f"({len(payload)} of {expected} bytes captured)"
        )
    if expected >= 0:  # the rest is link-layer padding (a jumbogram says length 0)
        payload = payload[:expected]
    seconds = float(packet.time)
    if not 0 <= seconds < MAX_SECONDS:
        return f"packet {number}: timestamp {seconds:g} is out of range"
    return Datagram(seconds, ip.src, ip.dst, udp.sport, udp.dport, payload)


def _fragment(ip: Any, has_ipv6_fragment_header: bool) -> bool:
    if ip.version == 4:
        return bool(ip.flags.MF or ip.frag)
    return has_ipv6_fragment_header


def _cut_off(packet: Any, number: int) -> str | None:
    """A packet without a UDP datagram is only a problem if the capture lost part of it."""
    captured, wire = len(packet.original or b""), packet.wirelen or 0
    if captured < wire:
        return f"packet {number} cut off ({captured} of {wire} bytes captured)"
    return None
