"""Network probe results: AJP13 CPing to workers and TCP connects to replication receivers,
run from a node (or from clustercheck's own machine)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from clustercheck.facts.record import Record

FROM_HERE = "clustercheck"  # the origin of a probe run from clustercheck's own machine


class Outcome(enum.StrEnum):
    """What one probe found, the same for every probe flavour (python3, bash, PowerShell, local)
    and for the checks that judge it; the values are what the node-side scripts print."""

    CPONG = "cpong"  # answered CPing with CPong
    OPEN = "open"  # TCP connect succeeded (mode tcp)
    REFUSED = "refused"  # nothing listens
    CONNECT_TIMEOUT = "connect-timeout"  # no answer to the connect: a firewall, a wrong address
    NO_REPLY = "no-reply"  # accepted, then silent: an AJP connector that failed to start
    CLOSED = "closed"  # accepted, then closed without a word
    NOT_AJP = "not-ajp"  # answered, but not AJP (an HTTP port, say)
    ERROR = "error"  # anything else, with detail


@dataclass(frozen=True)
class ProbeResult(Record):
    """One probe of host:port."""

    host: str
    port: int
    result: Outcome
    ms: float | None = None  # how long it took, when the probe could time it
    detail: str = ""
    origin: str = ""  # where it ran from: a node name, or FROM_HERE
