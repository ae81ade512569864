"""Tribes heartbeats captured during one window, on a node and on clustercheck's own machine."""

from __future__ import annotations

from dataclasses import dataclass

from clustercheck.facts.record import Record
from clustercheck.parsers.pcap import Datagram


@dataclass(frozen=True)
class CaptureView(Record):
    """One way of listening to the group: the datagrams received (repeats collapsed, see
    Datagram.repeats), or None with why it could not listen."""

    datagrams: tuple[Datagram, ...] | None = None
    error: str | None = None
    problems: tuple[str, ...] = ()  # what the capture reader could not read (the wire view)


@dataclass(frozen=True)
class MulticastCapture(Record):
    """A node's two views of its membership group during the window: the wire (tcpdump, before
    the host firewall) and a socket joined to the group as Tomcat joins it (after it)."""

    group: tuple[str, int]  # multicast address and port
    window_s: float
    wire: CaptureView
    socket: CaptureView


@dataclass(frozen=True)
class LocalListen(Record):
    """What clustercheck's own machine heard on `multicast.interface` (a socket, no root)."""

    interface: str
    socket: CaptureView
