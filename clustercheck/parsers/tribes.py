"""Tomcat Tribes multicast membership heartbeats (McastService), Tomcat 6 and 7+ layouts.

Pure and total: any bytes give a Heartbeat or the reason Tomcat would drop them, never an
exception, because the bytes come off the network. Layout: notes/protocols.md §1.2-1.3; every
integer is big-endian and signed (Java).
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

BEGIN = b"TRIBES-B"
END = b"TRIBES-E"
VERSION = b"\x01\x00"  # 7.0.0+ appends these to both markers (and added the UDP-port field)
SHUTDOWN = b"BABY-ALEX"  # Member.SHUTDOWN_PAYLOAD, sent in the command field on a clean stop
CHANNEL_START = b"FLT2002"  # XByteBuffer START_DATA: a channel package, not a heartbeat
UNIQUE_ID_SIZE = 16
TOMCAT7 = "tomcat7+"
TOMCAT6 = "tomcat6"


@dataclass(frozen=True)
class Heartbeat:
    """One member as it advertises itself: what peers will add to their membership."""

    format: str
    host: str
    port: int
    secure_port: int
    udp_port: int | None
    alive_ms: int
    command: bytes
    domain: bytes
    unique_id: bytes
    payload: bytes

    @property
    def shutdown(self) -> bool:
        """Peers drop the member at once on this notice instead of waiting for dropTime."""
        return self.command == SHUTDOWN

    @property
    def member_id(self) -> str:
        """Tomcat's member identity (host, port, uniqueId); the id changes on every restart."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}/{self.unique_id.hex()[:8]}"


@dataclass(frozen=True)
class Undecodable:
    """Bytes a Tribes receiver would drop, and why."""

    reason: str
    length: int


@dataclass(frozen=True)
class _Layout:
    """What differs between the formats: marker size and the UDP-port field."""

    format: str
    marker_size: int
    has_udp_port: bool
    version: bytes

    @property
    def body_start(self) -> int:
        """Offset of the first body byte, right after the body-length field."""
        return self.marker_size + 4


_LAYOUT7 = _Layout(TOMCAT7, len(BEGIN + VERSION), True, VERSION)
_LAYOUT6 = _Layout(TOMCAT6, len(BEGIN), False, b"")


class _Bad(Exception):
    """Why the bytes are not a heartbeat; decode_heartbeat turns it into an Undecodable."""


class _Cursor:
    """Reads fields in order and refuses to run past the end marker."""

    def __init__(self, data: bytes, pos: int, end: int) -> None:
        self.data, self.pos, self.end = data, pos, end

    def take(self, size: int, what: str) -> bytes:
        if size < 0:
            raise _Bad(f"negative {what} length {size}")
        if self.pos + size > self.end:
            raise _Bad(f"{what} ({size} bytes at {self.pos}) overruns the end marker at {self.end}")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def number(self, fmt: str, what: str) -> int:
        value: int = struct.unpack(fmt, self.take(struct.calcsize(fmt), what))[0]
        return value

    def field(self, what: str, length_fmt: str = ">i") -> bytes:
        """A length-prefixed field (int32 length, or a signed byte for the host)."""
        return self.take(self.number(length_fmt, f"{what} length"), what)


def decode_heartbeat(data: bytes) -> Heartbeat | Undecodable:
    """Decode one multicast datagram. Never raises: hostile or cut bytes become Undecodable."""
    data = bytes(data)
    try:
        return _decode(data)
    except _Bad as bad:
        return Undecodable(str(bad), len(data))


def _decode(data: bytes) -> Heartbeat:
    layout = _layout(data)
    end = _end_marker(data, layout)
    cursor = _Cursor(data, layout.body_start, end)
    alive_ms = cursor.number(">q", "alive time")
    port = cursor.number(">i", "port")
    secure_port = cursor.number(">i", "secure port")
    udp_port = cursor.number(">i", "UDP port") if layout.has_udp_port else None
    return Heartbeat(
        format=layout.format,
        host=_host(cursor.field("host", ">b")),
        port=port,
        secure_port=secure_port,
        udp_port=udp_port,
        alive_ms=alive_ms,
        command=cursor.field("command"),
        domain=cursor.field("domain"),
        unique_id=cursor.take(UNIQUE_ID_SIZE, "unique id"),
        payload=cursor.field("payload"),
    )


def _layout(data: bytes) -> _Layout:
    """7+ carries version bytes after TRIBES-B; without them it can only be Tomcat 6, whose
    body length (checked next) then has to fit. A 7+ length read as Tomcat 6 starts with the
    version bytes 01 00, about 16 MB, so the two never get confused."""
    if data.startswith(CHANNEL_START):
        raise _Bad("channel message (FLT2002), not a heartbeat")
    if not data.startswith(BEGIN):
        raise _Bad("not a Tribes heartbeat (no TRIBES-B marker)")
    return _LAYOUT7 if data.startswith(BEGIN + VERSION) else _LAYOUT6


def _end_marker(data: bytes, layout: _Layout) -> int:
    """Where the end marker sits (right after the body), checked as Tomcat's receiver does.
    Bytes after it are ignored, as Tomcat ignores them."""
    start = layout.marker_size
    if len(data) < layout.body_start:
        raise _Bad(f"truncated: {len(data)} bytes, the header needs {layout.body_start}")
    body_length = struct.unpack(">i", data[start : start + 4])[0]
    if body_length < 0:
        raise _Bad(f"negative body length {body_length}")
    end = layout.body_start + body_length
    needed = end + layout.marker_size
    if len(data) < needed:
        raise _Bad(f"truncated: body length {body_length} needs {needed} bytes, have {len(data)}")
    if data[end:needed] != END + layout.version:
        raise _Bad(f"end marker missing at {end}")
    return end


def _host(raw: bytes) -> str:
    """InetAddress.getAddress(): 4 bytes for IPv4, 16 for IPv6, never a name."""
    if len(raw) not in (4, 16):
        raise _Bad(f"host length {len(raw)} is neither 4 (IPv4) nor 16 (IPv6)")
    return str(ipaddress.ip_address(raw))


def repeat_key(data: bytes) -> bytes:
    """The datagram with its alive time blanked: equal for every heartbeat one member sends
    while its state stays the same (a shutdown notice or a restart makes a new key), so that a
    window of heartbeats can be kept as one record per member. Other bytes are their own key."""
    if not data.startswith(BEGIN) or data.startswith(CHANNEL_START):
        return data
    layout = _LAYOUT7 if data.startswith(BEGIN + VERSION) else _LAYOUT6
    alive = layout.body_start
    return data[:alive] + bytes(8) + data[alive + 8 :]
