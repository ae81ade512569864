"""How many round trips the clock sampler spends: as few as the bound the thresholds need, the
bound reported always the one measured. A fake node on a fake clock: each round trip takes the
time the table says, the node's clock reads 5 s ahead, halfway through."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from clustercheck.collect import clock
from clustercheck.collect.clock import SAMPLES, enough_ms, sample_clock
from clustercheck.collect.transports.localfs import LocalTransport
from clustercheck.inventory.settings import NodeSettings, NtpSettings

T = 1_750_000_000.0
AHEAD_S = 5.0


class FakeTime:
    def __init__(self) -> None:
        self.now = T

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now - T


class FakeStream:
    """Answers each line after the next round trip of `rtts_ms`, with `fmt` of the node's time."""

    def __init__(self, clock_: FakeTime, rtts_ms: Sequence[float], fmt: str) -> None:
        self.clock, self.rtts, self.fmt = clock_, list(rtts_ms), fmt
        self.rounds = 0

    def write(self, data: bytes) -> None:
        self.rounds += 1

    def read_until(self, marker: bytes, timeout: float, cap: int) -> bytes:
        raise OSError("asked nothing before sampling")

    def readline(self, timeout: float) -> bytes:
        rtt = self.rtts[self.rounds - 1] / 1000
        self.clock.now += rtt / 2
        remote = self.clock.now + AHEAD_S
        self.clock.now += rtt / 2
        return (self.fmt % remote + "\n").encode()

    def close(self) -> None:
        pass


class FakeNode(LocalTransport):
    def __init__(self, stream: FakeStream) -> None:
        super().__init__()
        self.stream = stream

    def open_stream(self, argv: Sequence[str]) -> FakeStream:  # type: ignore[override]
        return self.stream


@pytest.mark.parametrize(
    ("rtts_ms", "enough", "fmt", "rounds", "rtt_ms", "uncertainty_ms"),
    [
        pytest.param([0.4] * 9, 10.0, "%.6f", 3, 0.4, 0.2, id="loopback: warm-up and two"),
        pytest.param([20.0] * 9, 10.0, "%.6f", 3, 20.0, 10.0, id="wan: no tighter after two"),
        pytest.param(
            [60, 35, 21, 20.5, 20.4, 20.4, 20.4, 20.4, 20.4], 10.0, "%.6f", 4, 20.5, 10.25,
            id="jitter: on while a sample tightens the bound",
        ),
        pytest.param([1.0] * 9, 0.0, "%.6f", SAMPLES + 1, 1.0, 0.5, id="threshold 0: every"),
        pytest.param([2.0] * 9, 10.0, "%d", 3, 2.0, 501.0, id="whole seconds: no sample helps"),
    ],
)  # fmt: skip
def test_the_sampler_stops_when_the_bound_is_enough(
    monkeypatch: pytest.MonkeyPatch,
    rtts_ms: list[float],
    enough: float,
    fmt: str,
    rounds: int,
    rtt_ms: float,
    uncertainty_ms: float,
) -> None:
    fake = FakeTime()
    monkeypatch.setattr(clock, "time", fake)
    stream = FakeStream(fake, rtts_ms, fmt)
    sample, _ = sample_clock(FakeNode(stream), NodeSettings("n1", "h", ("tomcat",)), enough)
    assert stream.rounds == rounds
    assert sample.offset is not None
    assert sample.offset.samples == rounds - 1  # the warm-up round is not one
    assert sample.offset.rtt_ms == pytest.approx(rtt_ms)
    assert sample.offset.uncertainty_ms == pytest.approx(uncertainty_ms, abs=0.01)  # measured
    if fmt == "%.6f":
        assert sample.offset.offset_ms == pytest.approx(AHEAD_S * 1000, abs=0.01)


@pytest.mark.parametrize(
    ("ntp", "expected"),
    [(NtpSettings(), 10.0), (NtpSettings(warn_ms=500, spread_warn_ms=50), 5.0)],
)
def test_enough_is_a_tenth_of_the_smaller_warning_threshold(
    ntp: NtpSettings, expected: float
) -> None:
    assert enough_ms(ntp) == pytest.approx(expected)
