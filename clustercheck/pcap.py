"""UDP datagrams out of a pcap or pcapng capture (tcpdump -w), for the heartbeat decoder.

scapy is imported inside read_pcap, never at module import: loading it takes about half a
second, and `clustercheck --help` or a run without captures must not pay for it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Datagram:
    """One UDP datagram: when it was seen, who sent it, where it was addressed, its bytes."""

    time: float
    src: str
    dst: str
    sport: int
    dport: int
    payload: bytes


def read_pcap(data: bytes) -> tuple[list[Datagram], list[str]]:
    """Whole UDP datagrams over IPv4/IPv6 (Ethernet, Linux cooked SLL/SLL2, and whatever else
    scapy dissects), plus problems. Never raises: a capture cut off mid-packet (tcpdump killed
    by a timeout) keeps every datagram that arrived whole."""
    if not data:
        return [], ["empty capture (no bytes)"]
    with _scapy_muted():
        return _read(data)


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
    return Datagram(float(packet.time), ip.src, ip.dst, udp.sport, udp.dport, payload)


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
