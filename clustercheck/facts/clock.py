"""Clock facts: a node's clock against clustercheck's, how the node keeps its own time, and
clustercheck's clock against NTP (the reference that turns the first into an offset from NTP)."""

from __future__ import annotations

from dataclasses import dataclass, field

from clustercheck.facts.record import Record


@dataclass(frozen=True)
class Offset(Record):
    """A clock's offset (remote minus local) with a hard error bound."""

    offset_ms: float
    uncertainty_ms: float
    rtt_ms: float
    samples: int


@dataclass(frozen=True)
class ClockSample(Record):
    """A node's clock against clustercheck's (the best of several samples), or why it could not
    be measured: exactly one of `offset` and `error`."""

    offset: Offset | None = None
    measured_at: float | None = None  # clustercheck's time.time() when it was taken
    error: str | None = None

    def __post_init__(self) -> None:
        if (self.offset is None) == (self.error is None):
            raise ValueError("a clock sample has either an offset or an error")


@dataclass(frozen=True)
class NtpReference(Record):
    """clustercheck's own clock against the inventory's NTP servers: the answer with the
    smallest delay (offset = NTP - local), or none, and why each other server failed. Flat, as
    CC401 shows it in its details."""

    server: str | None = None
    offset_ms: float | None = None
    delay_ms: float | None = None
    stratum: int | None = None
    errors: dict[str, str] = field(default_factory=dict)  # server -> why it did not answer

    def __post_init__(self) -> None:
        answer = (self.offset_ms, self.delay_ms, self.stratum)
        if (self.server is None) != all(value is None for value in answer):
            raise ValueError("an NTP answer has a server, an offset, a delay and a stratum")
