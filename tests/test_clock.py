"""Clock offsets by Cristian's algorithm, their judgement, and the time daemons' own reports."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clustercheck.derive.clock import (
    Judgement,
    Sample,
    best_offset,
    judge_offset,
    node_offset_vs_reference,
    spread,
)
from clustercheck.engine.results import Status
from clustercheck.facts.clock import Offset
from clustercheck.parsers.timesync import (
    TimeSync,
    parse_chrony_tracking,
    parse_ntpq_peers,
    parse_timedatectl,
    parse_timestamps,
    parse_w32tm_status,
    timestamp_resolution,
)
from clustercheck.units import milliseconds

T = 1_750_000_000.0  # an epoch second in 2025
FLOAT_MS = 1e-3  # float64 epoch seconds are exact to about 0.24 µs


# --- best_offset -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("samples", "resolution", "expected"),
    [
        pytest.param(
            [Sample(T, T + 0.0105, T + 0.001)], 0.0, Offset(10.0, 0.5, 1.0, 1), id="one-sample"
        ),
        pytest.param(
            [Sample(T, T - 0.2, T + 0.004)], 0.0, Offset(-202.0, 2.0, 4.0, 1), id="behind"
        ),
        pytest.param(
            # lab.md §6: a fresh exec is biased by the channel setup (75 ms round trip, read 37 ms
            # late); the warm-channel sample with 0.8 ms wins and finds the +5 s node.
            [
                Sample(T, T + 5.0744, T + 0.075),
                Sample(T + 1, T + 1 + 5.0008, T + 1.0008),
                Sample(T + 2, T + 2 + 5.0012, T + 2.0016),
            ],
            0.0,
            Offset(5000.4, 0.4, 0.8, 3),
            id="smallest-rtt-wins",
        ),
        pytest.param(
            # busybox `date +%s.%N` prints "1750000005.N": whole seconds, truncated
            [Sample(T + 5.4, T + 5, T + 5.401)], 1.0, Offset(99.5, 500.5, 1.0, 1),
            id="whole-seconds",
        ),
        pytest.param(
            [Sample(T, T + 0.0105, T + 0.001)], 0.001, Offset(10.5, 1.0, 1.0, 1), id="milliseconds"
        ),
        pytest.param(
            # the local clock stepped back during the second sample: it is dropped
            [Sample(T, T + 0.0105, T + 0.001), Sample(T + 1, T + 1, T + 0.5)],
            0.0,
            Offset(10.0, 0.5, 1.0, 1),
            id="local-step-dropped",
        ),
    ],
)  # fmt: skip
def test_best_offset(samples: list[Sample], resolution: float, expected: Offset) -> None:
    result = best_offset(samples, resolution)
    assert result is not None
    assert result.offset_ms == pytest.approx(expected.offset_ms, abs=FLOAT_MS)
    assert result.uncertainty_ms == pytest.approx(expected.uncertainty_ms, abs=FLOAT_MS)
    assert result.rtt_ms == pytest.approx(expected.rtt_ms, abs=FLOAT_MS)
    assert result.samples == expected.samples


def test_best_offset_without_usable_samples() -> None:
    assert best_offset([]) is None
    assert best_offset([Sample(T + 1, T, T)]) is None


readings = st.tuples(
    st.floats(0.0, 2.0),  # round trip, s
    st.floats(0.0, 1.0),  # where in the round trip the remote clock was read
    st.floats(0.0, 100_000.0),  # seconds between samples
)


@given(
    start=st.floats(1e9, 2e9),
    true_offset=st.floats(-86_400.0, 86_400.0),
    resolution=st.sampled_from([0.0, 1e-6, 1e-3, 1.0]),
    taken=st.lists(readings, min_size=1, max_size=20),
)
def test_true_offset_lies_within_the_bound(
    start: float, true_offset: float, resolution: float, taken: list[tuple[float, float, float]]
) -> None:
    """Wherever in [t0, t1] the remote read happened, and however the remote truncated its
    clock, the true offset is within offset ± uncertainty."""
    samples = []
    t0 = start
    for rtt, when, gap in taken:
        t0 += gap
        remote = t0 + when * rtt + true_offset
        if resolution:
            remote = math.floor(remote / resolution) * resolution
        samples.append(Sample(t0, remote, t0 + rtt))
    result = best_offset(samples, resolution)
    assert result is not None
    assert abs(result.offset_ms - true_offset * 1000) <= result.uncertainty_ms + FLOAT_MS
    assert result.rtt_ms == pytest.approx(min(rtt for rtt, _, _ in taken) * 1000, abs=FLOAT_MS)
    assert result.samples == len(taken)


# --- parse_timestamps --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stamps", "resolution"),
    [
        pytest.param("1750000000.123456789\n", [1750000000.123456789], 1e-9, id="date-%N"),
        pytest.param("1750000000.1234567\n", [1750000000.1234567], 1e-7, id="python-repr"),
        pytest.param("1750000000.N\n1750000001.N\n", [1750000000.0, 1750000001.0], 1.0,
                     id="busybox-N"),
        pytest.param("1750000000.%N\n", [1750000000.0], 1.0, id="literal-%N"),
        pytest.param("1750000000\n", [1750000000.0], 1.0, id="date-%s"),
        pytest.param("1750000000.123\r\n1750000000.12\r\n", [1750000000.123, 1750000000.12],
                     1e-3, id="powershell-crlf"),
        pytest.param("1750000000,123\r\n", [1750000000.123], 1e-3, id="powershell-comma-culture"),
        pytest.param(
            "Last login: Tue Jun 10 09:12:31 2025 from 10.77.0.1\n"
            "date: invalid date '+%s.%N'\n"
            "  1750000000.5  \n"
            "\n"
            "12:00\n",
            [1750000000.5], 0.1, id="junk-ignored",
        ),
        pytest.param("", [], 1.0, id="empty"),
    ],
)  # fmt: skip
def test_parse_timestamps(text: str, stamps: list[float], resolution: float) -> None:
    assert parse_timestamps(text) == pytest.approx(stamps, abs=1e-6)
    assert timestamp_resolution(text) == pytest.approx(resolution)


# --- judge_offset ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "uncertainty", "expected"),
    [
        pytest.param(0.3, 0.4, Judgement(Status.PASS, "offset +0.3 ms ± 0.4 ms"), id="in-sync"),
        pytest.param(  # rounded first: never "-0.0 ms"
            -0.04, 0.4, Judgement(Status.PASS, "offset 0.0 ms ± 0.4 ms"), id="minus-zero",
        ),
        pytest.param(
            5000.4, 0.4,
            Judgement(Status.FAIL, "offset +5000.4 ms ± 0.4 ms: at least 5000 ms, beyond 1000 ms"),
            id="plus-5-s",
        ),
        pytest.param(
            -700.0, 50.0,
            Judgement(Status.WARN, "offset -700.0 ms ± 50.0 ms: at least 650 ms, beyond 500 ms"),
            id="behind-warn",
        ),
        pytest.param(
            600.0, 200.0, Judgement(Status.PASS, "offset +600.0 ms ± 200.0 ms"), id="not-proven",
        ),
        pytest.param(
            700.0,
            200.0,
            Judgement(Status.PASS, "offset +700.0 ms ± 200.0 ms"),
            id="exactly-at-warn",
        ),
        pytest.param(
            100.0, 800.0,
            Judgement(Status.WARN, "offset +100.0 ms ± 800.0 ms: the measurement is too coarse to "
                      "judge against 500 ms"),
            id="too-coarse",
        ),
        pytest.param(
            1200.0, 800.0,
            Judgement(Status.WARN, "offset +1200.0 ms ± 800.0 ms: the measurement is too coarse to "
                      "judge against 500 ms"),
            id="too-coarse-not-failed",
        ),
        pytest.param(
            # coarse, but even its most favourable reading is 2.2 s off: proven skew still fails
            3000.0, 800.0,
            Judgement(
                Status.FAIL, "offset +3000.0 ms ± 800.0 ms: at least 2200 ms, beyond 1000 ms"
            ),
            id="coarse-but-proven",
        ),
    ],
)  # fmt: skip
def test_judge_offset(offset: float, uncertainty: float, expected: Judgement) -> None:
    assert judge_offset(offset, uncertainty, warn_ms=500, fail_ms=1000) == expected


@pytest.mark.parametrize(
    ("spread_ms", "uncertainty", "expected"),
    [
        pytest.param(
            1200.0, 2.0,
            Judgement(Status.FAIL, "1200.0 ms ± 2.0 ms: at least 1198 ms, beyond 1000 ms"),
            id="no-sign",
        ),
        pytest.param(0.0, 2.0, Judgement(Status.PASS, "0.0 ms ± 2.0 ms"), id="zero"),
    ],
)  # fmt: skip
def test_judge_spread(spread_ms: float, uncertainty: float, expected: Judgement) -> None:
    """A spread is a distance between two clocks: it has no sign."""
    assert judge_offset(spread_ms, uncertainty, 500, 1000, spread=True) == expected


@pytest.mark.parametrize(
    ("value", "signed", "places", "expected"),
    [
        (-0.04, True, 1, "0.0 ms"),
        (-0.04, False, 1, "0.0 ms"),
        (-0.0004, True, 3, "0.000 ms"),
        (0.05, True, 1, "+0.1 ms"),
        (-12.345, True, 1, "-12.3 ms"),
        (1200.0, False, 1, "1200.0 ms"),
        (1198.4, False, 0, "1198 ms"),
    ],
)
def test_milliseconds(value: float, signed: bool, places: int, expected: str) -> None:
    assert milliseconds(value, signed=signed, places=places) == expected


# --- spread and the NTP reference --------------------------------------------------------------

LAB = {  # lab.md §6: n3 runs under libfaketime +5 s
    "n1": Offset(0.28, 0.4, 0.8, 10),
    "n2": Offset(0.29, 0.4, 0.8, 10),
    "n3": Offset(5000.4, 0.4, 0.8, 10),
}


def test_spread_finds_the_plus_5_s_node() -> None:
    difference, uncertainty, nodes = spread(LAB)
    assert difference == pytest.approx(5000.12)
    assert uncertainty == pytest.approx(0.8)
    assert nodes == ("n1", "n3")


def test_spread_of_equal_clocks_still_names_two_nodes() -> None:
    same = Offset(1.0, 0.5, 1.0, 5)
    assert spread({"a": same, "b": same}) == (0.0, 1.0, ("a", "b"))


def test_spread_of_one_node_and_of_none() -> None:
    assert spread({"n1": LAB["n1"]}) == (0.0, 0.0, ("n1", "n1"))
    with pytest.raises(ValueError):
        spread({})


@pytest.mark.parametrize(
    ("reference_offset", "reference_uncertainty", "expected_offset", "expected_uncertainty"),
    [
        # ntplib from clustercheck's machine against an honest server: about zero
        pytest.param(-0.02, 0.2, 5000.42, 0.6, id="honest-server"),
        # lab.md §6: a server faked +2 s gives ntplib offset +2000.04 (reference - local)
        pytest.param(2000.04, 0.2, 3000.36, 0.6, id="server-ahead"),
    ],
)
def test_node_offset_vs_reference(
    reference_offset: float,
    reference_uncertainty: float,
    expected_offset: float,
    expected_uncertainty: float,
) -> None:
    result = node_offset_vs_reference(LAB["n3"], reference_offset, reference_uncertainty)
    assert result.offset_ms == pytest.approx(expected_offset)
    assert result.uncertainty_ms == pytest.approx(expected_uncertainty)
    assert (result.rtt_ms, result.samples) == (0.8, 10)


# --- what the time daemons say -----------------------------------------------------------------

CHRONY_SYNCED = """\
Reference ID    : 0A4D000C (10.77.0.12)
Stratum         : 9
Ref time (UTC)  : Tue Jun 10 09:12:31 2025
System time     : 0.000012345 seconds slow of NTP time
Last offset     : -0.000004119 seconds
RMS offset      : 0.000010223 seconds
Frequency       : 12.345 ppm fast
Residual freq   : -0.001 ppm
Skew            : 0.034 ppm
Root delay      : 0.000412345 seconds
Root dispersion : 0.000123456 seconds
Update interval : 64.2 seconds
Leap status     : Normal
"""

CHRONY_UNSYNCED = """\
Reference ID    : 00000000 ()
Stratum         : 0
Ref time (UTC)  : Thu Jan 01 00:00:00 1970
System time     : 0.000000000 seconds fast of NTP time
Last offset     : +0.000000000 seconds
RMS offset      : 0.000000000 seconds
Frequency       : 0.000 ppm slow
Residual freq   : +0.000 ppm
Skew            : 0.000 ppm
Root delay      : 1.000000000 seconds
Root dispersion : 1.000000000 seconds
Update interval : 0.0 seconds
Leap status     : Not synchronised
"""

CHRONY_LOCAL = """\
Reference ID    : 7F7F0101 ()
Stratum         : 8
Ref time (UTC)  : Tue Jun 10 09:12:30 2025
System time     : 0.000000002 seconds fast of NTP time
Last offset     : +0.000000000 seconds
RMS offset      : 0.000000000 seconds
Frequency       : 0.000 ppm slow
Residual freq   : +0.000 ppm
Skew            : 0.000 ppm
Root delay      : 0.000000000 seconds
Root dispersion : 0.000000000 seconds
Update interval : 0.0 seconds
Leap status     : Normal
"""

NTPQ_SYNCED = """\
     remote           refid      st t when poll reach   delay   offset  jitter
==============================================================================
*10.77.0.12      127.127.1.1      8 u   33   64  377    0.412   -0.031   0.012
+10.77.0.13      10.77.0.12       9 u   12   64  377    0.390    0.105   0.020
-192.0.2.10      .GPS.            1 u  301 1024  377   12.311    1.204   0.334
"""

NTPSEC_SYNCED = """\
     remote                                   refid      st t when poll reach   delay   offset   jitter
=======================================================================================================
 0.debian.pool.ntp.org                        .POOL.          16 p    -  256    0   0.0000   0.0000   0.0001
*10.77.0.12                                   127.127.1.1      8 u   17   64  377   0.4120  -0.0310   0.0120
"""  # noqa: E501

NTPQ_WRAPPED_IPV6 = """\
     remote           refid      st t when poll reach   delay   offset  jitter
==============================================================================
*2001:db8:77::12
                 127.127.1.1      8 u   33   64  377    0.412    0.250   0.012
"""

NTPQ_LOCAL = """\
     remote           refid      st t when poll reach   delay   offset  jitter
==============================================================================
*127.127.1.0     .LOCL.          10 l   15   64  377    0.000    0.000   0.000
"""

NTPQ_STARTING = """\
     remote           refid      st t when poll reach   delay   offset  jitter
==============================================================================
 10.77.0.12      .INIT.          16 u    -   64    0    0.000    0.000   0.000
 10.77.0.13      .INIT.          16 u    -   64    0    0.000    0.000   0.000
"""

TIMEDATECTL_SYNCED = """\
Timezone=Etc/UTC
LocalRTC=no
CanNTP=yes
NTP=yes
NTPSynchronized=yes
TimeUSec=Tue 2025-06-10 09:12:31 UTC
RTCTimeUSec=Tue 2025-06-10 09:12:31 UTC
SystemNTPServers=10.77.0.12
FallbackNTPServers=0.debian.pool.ntp.org 1.debian.pool.ntp.org
ServerName=10.77.0.12
ServerAddress=10.77.0.12
RootDistanceMaxUSec=5s
PollIntervalMinUSec=32s
PollIntervalMaxUSec=34min 8s
PollIntervalUSec=2min 8s
NTPMessage={ Leap=0, Version=4, Mode=4, Stratum=8, Precision=-25, RootDelay=0, RootDispersion=30us, Reference=7F7F0101, OriginateTimestamp=Tue 2025-06-10 09:12:29 UTC, ReceiveTimestamp=Tue 2025-06-10 09:12:29 UTC, TransmitTimestamp=Tue 2025-06-10 09:12:29 UTC, DestinationTimestamp=Tue 2025-06-10 09:12:29 UTC, Ignored=no PacketCount=3, Jitter=97us }
Frequency=-187438
"""  # noqa: E501

TIMEDATECTL_OFF = """\
Timezone=Asia/Shanghai
LocalRTC=no
CanNTP=yes
NTP=no
NTPSynchronized=no
TimeUSec=Tue 2025-06-10 17:12:31 CST
RTCTimeUSec=Tue 2025-06-10 17:12:31 CST
"""

TIMEDATECTL_OTHER_DAEMON = """\
Timezone=UTC
LocalRTC=no
CanNTP=yes
NTP=yes
NTPSynchronized=yes
TimeUSec=Tue 2025-06-10 09:12:31 UTC
RTCTimeUSec=Tue 2025-06-10 09:12:31 UTC
"""

TIMEDATECTL_STATUS = """\
               Local time: Tue 2025-06-10 09:12:31 UTC
           Universal time: Tue 2025-06-10 09:12:31 UTC
                 RTC time: Tue 2025-06-10 09:12:31
                Time zone: Etc/UTC (UTC, +0000)
System clock synchronized: no
              NTP service: active
          RTC in local TZ: no
"""

W32TM_DOMAIN = """\
Leap Indicator: 0(no warning)\r
Stratum: 4 (secondary reference - syncd by (S)NTP)\r
Precision: -23 (119.209ns per tick)\r
Root Delay: 0.0468750s\r
Root Dispersion: 8.0153826s\r
ReferenceId: 0x0A4D000C (source IP:  10.77.0.12)\r
Last Successful Sync Time: 6/10/2025 9:12:31 AM\r
Source: dc01.corp.example.com\r
Poll Interval: 10 (1024s)\r
"""

W32TM_STANDALONE = W32TM_DOMAIN.replace("dc01.corp.example.com", "time.windows.com,0x9")

W32TM_CMOS = """\
Leap Indicator: 3(not synchronized)
Stratum: 0 (unspecified)
Precision: -23 (119.209ns per tick)
Root Delay: 0.0000000s
Root Dispersion: 0.0000000s
ReferenceId: 0x00000000 (unspecified)
Last Successful Sync Time: unspecified
Source: Local CMOS Clock
Poll Interval: 6 (64s)
"""

W32TM_FREE_RUNNING_DC = """\
Leap Indicator: 0(no warning)
Stratum: 1 (primary reference - syncd by radio clock)
Precision: -23 (119.209ns per tick)
Root Delay: 0.0000000s
Root Dispersion: 10.0000000s
ReferenceId: 0x4C4F434C (source name:  "LOCL")
Last Successful Sync Time: 6/10/2025 9:00:00 AM
Source: Local CMOS Clock
Poll Interval: 6 (64s)
"""


@pytest.mark.parametrize(
    ("parse", "text", "expected"),
    [
        pytest.param(parse_chrony_tracking, CHRONY_SYNCED, TimeSync(
            "chrony", True, "10.77.0.12", -0.012345,
            "chrony synchronised to 10.77.0.12 (stratum 9), offset -0.012 ms"),
            id="chrony-synced"),
        pytest.param(parse_chrony_tracking, CHRONY_UNSYNCED, TimeSync(
            "chrony", False, None, None, "chrony is not synchronised"),
            id="chrony-not-synchronised"),
        pytest.param(parse_chrony_tracking, CHRONY_LOCAL, TimeSync(
            "chrony", False, "local clock", 0.000002,
            "chrony follows its own clock (local reference, stratum 8), no NTP server"),
            id="chrony-local-7F7F0101"),
        pytest.param(parse_chrony_tracking, "506 Cannot talk to daemon\n", TimeSync(
            "none", None, None, None, "chronyc tracking: 506 Cannot talk to daemon"),
            id="chronyd-not-running"),
        pytest.param(parse_ntpq_peers, NTPQ_SYNCED, TimeSync(
            "ntpd", True, "10.77.0.12", 0.031,
            "ntpd synchronised to 10.77.0.12 (stratum 8), offset +0.031 ms"),
            id="ntpq-synced"),
        pytest.param(parse_ntpq_peers, NTPSEC_SYNCED, TimeSync(
            "ntpd", True, "10.77.0.12", 0.031,
            "ntpd synchronised to 10.77.0.12 (stratum 8), offset +0.031 ms"),
            id="ntpsec-wide-columns"),
        pytest.param(parse_ntpq_peers, NTPQ_WRAPPED_IPV6, TimeSync(
            "ntpd", True, "2001:db8:77::12", -0.25,
            "ntpd synchronised to 2001:db8:77::12 (stratum 8), offset -0.250 ms"),
            id="ntpq-wrapped-ipv6"),
        pytest.param(parse_ntpq_peers, NTPQ_LOCAL, TimeSync(
            "ntpd", False, "local clock", -0.0,
            "ntpd follows its own local clock (127.127.1.0), no NTP server"),
            id="ntpq-local-clock"),
        pytest.param(parse_ntpq_peers, NTPQ_STARTING, TimeSync(
            "ntpd", False, None, None, "ntpd has selected none of 2 peers"),
            id="ntpq-no-sys-peer"),
        pytest.param(parse_ntpq_peers, "No association ID's returned\n", TimeSync(
            "ntpd", False, None, None, "ntpd has no peers"),
            id="ntpq-no-associations"),
        pytest.param(parse_ntpq_peers, "ntpq: read: Connection refused\n", TimeSync(
            "none", None, None, None, "ntpq: ntpq: read: Connection refused"),
            id="ntpd-not-running"),
        pytest.param(parse_timedatectl, TIMEDATECTL_SYNCED, TimeSync(
            "systemd-timesyncd", True, "10.77.0.12", None,
            "clock synchronised to 10.77.0.12 (NTP service on)"),
            id="timedatectl-show-and-timesync"),
        pytest.param(parse_timedatectl, TIMEDATECTL_OFF, TimeSync(
            "none", False, None, None, "clock not synchronised (NTP service off)"),
            id="timedatectl-ntp-off"),
        pytest.param(parse_timedatectl, TIMEDATECTL_OTHER_DAEMON, TimeSync(
            "unknown", True, None, None, "clock synchronised (NTP service on)"),
            id="timedatectl-daemon-unnamed"),
        pytest.param(parse_timedatectl, TIMEDATECTL_STATUS, TimeSync(
            "unknown", False, None, None, "clock not synchronised (NTP service on)"),
            id="timedatectl-status-human"),
        pytest.param(parse_timedatectl,
            "System has not been booted with systemd as init system (PID 1). Can't operate.\n"
            "Failed to connect to bus: Host is down\n",
            TimeSync("none", None, None, None, "timedatectl: System has not been booted with "
                     "systemd as init system (PID 1). Can't operate."),
            id="timedatectl-in-a-container"),
        pytest.param(parse_w32tm_status, W32TM_DOMAIN, TimeSync(
            "w32time", True, "dc01.corp.example.com", None,
            "Windows Time synchronised to dc01.corp.example.com (stratum 4)"),
            id="w32tm-domain"),
        pytest.param(parse_w32tm_status, W32TM_STANDALONE, TimeSync(
            "w32time", True, "time.windows.com", None,
            "Windows Time synchronised to time.windows.com (stratum 4)"),
            id="w32tm-flags-suffix"),
        pytest.param(parse_w32tm_status, W32TM_CMOS, TimeSync(
            "w32time", False, None, None,
            "Windows Time is not synchronised (source: Local CMOS Clock, leap indicator 3)"),
            id="w32tm-cmos"),
        pytest.param(parse_w32tm_status, W32TM_FREE_RUNNING_DC, TimeSync(
            "w32time", False, None, None,
            "Windows Time is not synchronised (source: Local CMOS Clock, leap indicator 0)"),
            id="w32tm-free-running-dc"),
        pytest.param(parse_w32tm_status,
            "The following error occurred: The service has not been started. (0x80070426)\r\n",
            TimeSync("none", None, None, None, "w32tm: The following error occurred: The service "
                     "has not been started. (0x80070426)"),
            id="w32time-stopped"),
    ],
)  # fmt: skip
def test_time_sync(parse: Callable[[str], TimeSync], text: str, expected: TimeSync) -> None:
    result = parse(text)
    assert result.offset_ms == pytest.approx(expected.offset_ms, abs=1e-9)
    assert result == dataclasses.replace(expected, offset_ms=result.offset_ms)
