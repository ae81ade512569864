"""A node's clock against clustercheck's, over the node's already-open connection, and how the
node keeps its own time.

One warm channel, several samples, the one with the smallest round trip kept (Cristian's
algorithm): a fresh exec per sample would be biased by tens of milliseconds of channel setup.
Each sample costs a round trip, so sampling stops as soon as the bound is good enough for the
run's thresholds or another sample no longer tightens it; the bound reported is the measured one.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence

from clustercheck.collect import batch
from clustercheck.collect.batch import Answers, Argv
from clustercheck.collect.transports.base import (
    DEFAULT_MAX_BYTES,
    Stream,
    Transport,
    TransportError,
)
from clustercheck.collect.transports.shells import powershell_script
from clustercheck.derive.clock import Sample, best_offset
from clustercheck.facts.clock import ClockSample, Offset
from clustercheck.inventory.settings import NodeSettings, NtpSettings
from clustercheck.parsers.timesync import (
    TimeSync,
    parse_chrony_tracking,
    parse_ntpq_peers,
    parse_timedatectl,
    parse_timestamps,
    parse_w32tm_status,
    timestamp_resolution,
)

SAMPLES = 8  # at most, after the round trip that warms the channel up
MIN_SAMPLES = 2
# A bound this fraction of the smaller warning threshold is good enough: a skew beyond the
# threshold is proven with a margin of a tenth of it. A sample that tightens the bound by less
# than a tenth of that is not worth another round trip.
ENOUGH_FRACTION = 0.1
DEFAULT_ENOUGH_MS = ENOUGH_FRACTION * NtpSettings().warn_ms
SAMPLE_TIMEOUT_S = 5.0  # for one round trip; all of them within the node's command_timeout
# bash 5's $EPOCHREALTIME when the node has it (a builtin: no process per sample, so the remote
# reading sits close to the middle of the round trip, and a few ms of node CPU to start where
# python3 takes tens), else python3 (no fork per sample either), else date(1). The python code
# and the loop are arguments, never pasted; the loop runs in bash or sh alike ($0: the python
# code, $1: the loop). Before sampling, the loop runs $2, a batch of commands (collect/batch.py,
# $3 its nonce) under coreutils' timeout ($4 seconds), and ends its output with a line
# "== NONCE done": one exec for both.
_PY_SAMPLER = (
    "import sys, time\nfor _ in sys.stdin:\n"
    "    sys.stdout.write('%.6f\\n' % time.time()); sys.stdout.flush()"
)
_SAMPLER_LOOP = (
    'if [ -n "$2" ]; then if command -v timeout >/dev/null 2>&1; then '
    'timeout -k 1 "$4" sh -c "$2" "$3"; else sh -c "$2" "$3"; fi; echo; echo "== $3 done"; fi; '
    'if [ -n "${EPOCHREALTIME-}" ]; then while read -r x; do echo "$EPOCHREALTIME"; done; '
    'else command -v python3 >/dev/null && exec python3 -c "$0"; '
    "while read x; do date +%s.%N; done; fi"
)
_TO_BASH = 'command -v bash >/dev/null && exec bash -c "$1" "$0" "$1" "$2" "$3" "$4"; eval "$1"'


def posix_clock(first: str = "", nonce: str = "", limit_s: float = 0.0) -> list[str]:
    """argv of the POSIX sampler; `first`: a batch script it runs before sampling."""
    return ["sh", "-c", _TO_BASH, _PY_SAMPLER, _SAMPLER_LOOP, first, nonce, f"{limit_s:.3f}"]


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


def enough_ms(ntp: NtpSettings) -> float:
    """The bound on a node's offset that is good enough for the run's thresholds."""
    return ENOUGH_FRACTION * min(ntp.warn_ms, ntp.spread_warn_ms)


def sampled_enough(samples: list[Sample], resolution_s: float, enough: float) -> bool:
    """Whether another round trip is not worth it: the bound is within `enough` ms, or the
    last sample tightened it by less than a tenth of that (the round trip will not shrink)."""
    if len(samples) < MIN_SAMPLES:
        return False
    now = best_offset(samples, resolution_s)
    before = best_offset(samples[:-1], resolution_s)
    if now is None or before is None:
        return False
    gain = before.uncertainty_ms - now.uncertainty_ms
    return now.uncertainty_ms <= enough or gain < enough / 10


def sample_clock(
    transport: Transport,
    node: NodeSettings,
    enough: float = DEFAULT_ENOUGH_MS,
    first: Sequence[Sequence[Argv]] = (),
) -> tuple[ClockSample, Answers]:
    """The node's offset from clustercheck's clock, or why it could not be measured; sampled
    until the bound is within `enough` ms or stops tightening, at most SAMPLES times. `first`:
    groups of alternative commands (batch.script's) the sampler answers before it samples, in the
    same exec; their answers are returned (empty: each collector asks alone)."""
    windows = node.os == "windows"
    commands = [argv for group in first for argv in group] if not windows else []
    nonce = secrets.token_hex(8)
    limit = node.ssh.command_timeout
    argv = (
        WINDOWS_CLOCK
        if windows
        else posix_clock(batch.script(first) if commands else "", nonce, limit)
    )
    try:
        stream = transport.open_stream(argv)
    except TransportError as exc:
        return ClockSample(error=f"cannot start the clock sampler: {exc}"), {}
    answers = _first_answers(stream, nonce, commands, limit + 2) if commands else {}
    try:
        return _sample(stream, node, enough), answers
    finally:
        stream.close()


def _first_answers(stream: Stream, nonce: str, commands: list[Argv], wait_s: float) -> Answers:
    """The batch's answers, read up to its end line; none when it does not come whole."""
    try:
        output = stream.read_until(f"\n== {nonce} done\n".encode(), wait_s, DEFAULT_MAX_BYTES)
    except (TimeoutError, TransportError, OSError):
        return {}
    return batch.parse(output, nonce, commands)


def _sample(stream: Stream, node: NodeSettings, enough: float) -> ClockSample:
    """Samples on the open stream (Cristian's algorithm, the warm-up round trip set aside)."""
    warm_up: list[Sample] = []  # the first round trip, which warms the channel up
    samples: list[Sample] = []
    texts: list[str] = []
    deadline = time.monotonic() + node.ssh.command_timeout
    try:
        for round_trip in range(SAMPLES + 1):
            t0 = time.time()
            stream.write(b"\n")
            wait = min(SAMPLE_TIMEOUT_S, deadline - time.monotonic())
            line = stream.readline(max(wait, 0.0)).decode("utf-8", "replace")
            t1 = time.time()
            values = parse_timestamps(line)
            if values:
                texts.append(line)
                (samples if round_trip else warm_up).append(Sample(t0, values[0], t1))
            if sampled_enough(samples, timestamp_resolution("".join(texts)), enough):
                break
    except (TimeoutError, TransportError, OSError) as exc:
        if not samples and not warm_up:
            return ClockSample(error=f"no clock sample: {exc}")
    offset = best_offset(samples or warm_up, timestamp_resolution("".join(texts)))
    if offset is None:
        return ClockSample(error="the node printed no timestamp")
    rounded = Offset(
        round(offset.offset_ms, 3),
        round(offset.uncertainty_ms, 3),
        round(offset.rtt_ms, 3),
        offset.samples,
    )
    return ClockSample(offset=rounded, measured_at=time.time())


def time_sync(transport: Transport, node: NodeSettings, answers: Answers | None = None) -> TimeSync:
    """Which daemon keeps the node's time, whether it is synchronised, and to what. `answers`:
    what the node already said in a batch (collect/batch.py); the others are asked here."""
    commands = [WINDOWS_TIMESYNC] if node.os == "windows" else TIMESYNC_COMMANDS
    last: TimeSync | None = None
    for argv, parse in commands:
        result = (answers or {}).get(tuple(argv)) or transport.run(argv)
        if result.exit_status == 127 or not result.stdout.strip():
            continue
        sync = parse(result.stdout.decode("utf-8", "replace"))
        if sync.daemon not in ("none", "unknown"):
            return sync
        last = last or sync
    return last or TimeSync("none", None, None, None, "no chronyc, timedatectl or ntpq answered")
