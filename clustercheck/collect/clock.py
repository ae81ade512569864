"""A node's clock against clustercheck's, over the node's already-open connection, and how the
node keeps its own time.

One warm channel, several samples, the one with the smallest round trip kept (Cristian's
algorithm): a fresh exec per sample would be biased by tens of milliseconds of channel setup.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from clustercheck.collect.transports.base import Transport, TransportError
from clustercheck.collect.transports.shells import powershell_script
from clustercheck.derive.clock import Sample, best_offset
from clustercheck.facts.clock import ClockSample, Offset
from clustercheck.inventory.settings import NodeSettings
from clustercheck.parsers.timesync import (
    TimeSync,
    parse_chrony_tracking,
    parse_ntpq_peers,
    parse_timedatectl,
    parse_timestamps,
    parse_w32tm_status,
    timestamp_resolution,
)

SAMPLES = 8
SAMPLE_TIMEOUT_S = 5.0  # for one round trip; all of them within the node's command_timeout
# python3 when the node has it: no fork per sample, so the remote reading sits close to the
# middle of the round trip; else date(1). The python code is an argument, never pasted.
_PY_SAMPLER = (
    "import sys, time\nfor _ in sys.stdin:\n"
    "    sys.stdout.write('%.6f\\n' % time.time()); sys.stdout.flush()"
)
POSIX_CLOCK = [
    "sh",
    "-c",
    'command -v python3 >/dev/null && exec python3 -c "$0"; while read x; do date +%s.%N; done',
    _PY_SAMPLER,
]
WINDOWS_CLOCK = powershell_script(
    "while ($null -ne [Console]::In.ReadLine()) "
    "{ [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000 }",
    [],
)

# How a node keeps time: tried in order, the first that answers wins.
TIMESYNC_COMMANDS: list[tuple[list[str], Callable[[str], TimeSync]]] = [
    (["chronyc", "-n", "tracking"], parse_chrony_tracking),
    (["timedatectl", "show"], parse_timedatectl),
    (["ntpq", "-pn"], parse_ntpq_peers),
]
WINDOWS_TIMESYNC = (["w32tm", "/query", "/status"], parse_w32tm_status)


def sample_clock(transport: Transport, node: NodeSettings) -> ClockSample:
    """The node's offset from clustercheck's clock, or why it could not be measured."""
    argv = WINDOWS_CLOCK if node.os == "windows" else POSIX_CLOCK
    samples: list[Sample] = []
    texts: list[str] = []
    try:
        stream = transport.open_stream(argv)
    except TransportError as exc:
        return ClockSample(error=f"cannot start the clock sampler: {exc}")
    deadline = time.monotonic() + node.ssh.command_timeout
    try:
        for _ in range(SAMPLES + 1):  # the first round trip warms the channel up
            t0 = time.time()
            stream.write(b"\n")
            wait = min(SAMPLE_TIMEOUT_S, deadline - time.monotonic())
            line = stream.readline(max(wait, 0.0)).decode("utf-8", "replace")
            t1 = time.time()
            values = parse_timestamps(line)
            if values:
                texts.append(line)
                samples.append(Sample(t0, values[0], t1))
    except (TimeoutError, TransportError, OSError) as exc:
        if not samples:
            return ClockSample(error=f"no clock sample: {exc}")
    finally:
        stream.close()
    offset = best_offset(samples[1:] or samples, timestamp_resolution("".join(texts)))
    if offset is None:
        return ClockSample(error="the node printed no timestamp")
    rounded = Offset(
        round(offset.offset_ms, 3),
        round(offset.uncertainty_ms, 3),
        round(offset.rtt_ms, 3),
        offset.samples,
    )
    return ClockSample(offset=rounded, measured_at=time.time())


def time_sync(transport: Transport, node: NodeSettings) -> TimeSync:
    """Which daemon keeps the node's time, whether it is synchronised, and to what."""
    commands = [WINDOWS_TIMESYNC] if node.os == "windows" else TIMESYNC_COMMANDS
    last: TimeSync | None = None
    for argv, parse in commands:
        result = transport.run(argv)
        if result.exit_status == 127 or not result.stdout.strip():
            continue
        sync = parse(result.stdout.decode("utf-8", "replace"))
        if sync.daemon not in ("none", "unknown"):
            return sync
        last = last or sync
    return last or TimeSync("none", None, None, None, "no chronyc, timedatectl or ntpq answered")
