"""Clock offsets of the nodes and their own account of time synchronisation.

A node's clock is read over SSH with Cristian's algorithm: note the local time, read the remote
clock, note the local time again, and assume the read happened halfway. The error is at most half
the round trip, so only skew beyond that bound is reported. Pure arithmetic and parsing: the
engine does the sampling. Times are seconds since the epoch; results are milliseconds."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from clustercheck.facts.clock import Offset, TimeSync


@dataclass(frozen=True)
class Sample:
    """One reading: local send time, remote clock, local receive time (all `time.time()`)."""

    t0: float
    remote: float
    t1: float


@dataclass(frozen=True)
class Judgement:
    status: str  # "pass" | "warn" | "fail"
    message: str


def best_offset(samples: Sequence[Sample], remote_resolution_s: float = 0.0) -> Offset | None:
    """The offset from the sample with the smallest round trip, which bounds the error best.

    Remote clocks print truncated times (`date +%s`, ToUnixTimeMilliseconds), so the true remote
    time lies in [remote, remote + resolution): half the resolution moves the estimate and half
    widens the bound. Samples whose local clock went backwards are dropped."""
    valid = [sample for sample in samples if sample.t1 >= sample.t0]
    if not valid:
        return None
    best = min(valid, key=lambda sample: sample.t1 - sample.t0)
    rtt = best.t1 - best.t0
    offset = (best.remote - best.t0) - rtt / 2 + remote_resolution_s / 2
    uncertainty = rtt / 2 + remote_resolution_s / 2
    return Offset(offset * 1000, uncertainty * 1000, rtt * 1000, len(valid))


_TIMESTAMP = re.compile(r"^(\d+)(?:[.,](\d+)|\.%?N|\.)?$")


def parse_timestamps(text: str) -> list[float]:
    """Epoch seconds from `date +%s.%N`, Python's `time.time()` or PowerShell's
    `ToUnixTimeMilliseconds()/1000` lines (a comma decimal separator in some cultures). Busybox
    date prints `N` (or `%N`) for the nanoseconds it cannot show; that leaves whole seconds.
    Lines that are not a number (banners, errors) are ignored."""
    stamps = []
    for line in text.splitlines():
        match = _TIMESTAMP.match(line.strip())
        if match:
            stamps.append(float(f"{match.group(1)}.{match.group(2) or 0}"))
    return stamps


def timestamp_resolution(text: str) -> float:
    """The resolution the remote printed, from the most decimals on any line: 1 s when it could
    only print whole seconds, 1e-9 s for `%N`. For `best_offset(remote_resolution_s=…)`."""
    decimals = [
        len(match.group(2) or "")
        for line in text.splitlines()
        if (match := _TIMESTAMP.match(line.strip()))
    ]
    return 10.0 ** -max(decimals, default=0)


def judge_offset(
    offset_ms: float, uncertainty_ms: float, warn_ms: float, fail_ms: float
) -> Judgement:
    """Flag only skew that is proven: |offset| minus the error bound beyond a threshold. When
    the bound alone exceeds the warning threshold and no skew is proven, the measurement is too
    coarse to tell, which warns but never fails."""
    measured = f"offset {offset_ms:+.1f} ms ± {uncertainty_ms:.1f} ms"
    least = abs(offset_ms) - uncertainty_ms
    if least > fail_ms:
        return Judgement("fail", f"{measured}: at least {least:.0f} ms, beyond {fail_ms:g} ms")
    if least > warn_ms:
        return Judgement("warn", f"{measured}: at least {least:.0f} ms, beyond {warn_ms:g} ms")
    if uncertainty_ms > warn_ms:
        return Judgement(
            "warn", f"{measured}: the measurement is too coarse to judge against {warn_ms:g} ms"
        )
    return Judgement("pass", measured)


def spread(offsets: Mapping[str, Offset]) -> tuple[float, float, tuple[str, str]]:
    """The largest difference between two nodes' clocks (ms), its error bound (the two bounds
    added), and the nodes (furthest behind, furthest ahead). Replication compares timestamps
    between nodes, so this, not each node's offset from clustercheck's machine, is what matters."""
    if not offsets:
        raise ValueError("no clock offsets to compare")
    behind = min(offsets, key=lambda node: offsets[node].offset_ms)
    others = [node for node in offsets if node != behind]
    if not others:
        return 0.0, 0.0, (behind, behind)
    ahead = max(others, key=lambda node: offsets[node].offset_ms)
    low, high = offsets[behind], offsets[ahead]
    return high.offset_ms - low.offset_ms, low.uncertainty_ms + high.uncertainty_ms, (behind, ahead)


def node_offset_vs_reference(
    node: Offset, reference_offset_ms: float, reference_uncertainty_ms: float
) -> Offset:
    """The node's offset from the NTP reference. `reference_offset_ms` is ntplib's offset for
    clustercheck's machine (reference minus local) in ms, so node - reference =
    (node - local) - (reference - local); the error bounds add."""
    return Offset(
        offset_ms=node.offset_ms - reference_offset_ms,
        uncertainty_ms=node.uncertainty_ms + reference_uncertainty_ms,
        rtt_ms=node.rtt_ms,
        samples=node.samples,
    )


# --- what the node's time daemon says ---------------------------------------------------------

_CHRONY_LOCAL = "7F7F0101"  # chrony's reference ID when it serves its own clock (`local`)
_NTPD_LOCAL = re.compile(r"^127\.127\.1\.\d+$")  # ntpd's undisciplined local clock driver
_W32TM_UNSYNCED_SOURCES = ("Local CMOS Clock", "Free-running System Clock")


def parse_chrony_tracking(text: str) -> TimeSync:
    """`chronyc tracking`. Following the local reference (7F7F0101) counts as unsynchronised:
    the clock is free-running, even if other nodes follow it."""
    fields = _fields(text, ":")
    match = re.match(r"([0-9A-Fa-f]{8})\s*\((.*)\)", fields.get("Reference ID", ""))
    if not match:
        return _no_answer("chronyc tracking", text)
    ref_id, name = match.group(1).upper(), match.group(2).strip()
    stratum = fields.get("Stratum", "?")
    offset = _chrony_offset(fields.get("System time", ""))
    if ref_id == _CHRONY_LOCAL:
        detail = f"chrony follows its own clock (local reference, stratum {stratum}), no NTP server"
        return TimeSync("chrony", False, "local clock", offset, detail)
    leap = fields.get("Leap status", "")
    if leap == "Not synchronised" or ref_id == "00000000":
        return TimeSync("chrony", False, name or None, None, "chrony is not synchronised")
    source = name or ref_id
    detail = f"chrony synchronised to {source} (stratum {stratum}){_offset_text(offset)}"
    return TimeSync("chrony", True, source, offset, detail)


def parse_timedatectl(text: str) -> TimeSync:
    """`timedatectl show` (with `show-timesync` appended for the server), or the human
    `timedatectl status`. NTPSynchronized is the kernel's flag, set by whichever daemon runs;
    only the timesync fields prove that daemon is systemd-timesyncd."""
    fields = _fields(text, ":") | _fields(text, "=")
    synced = _yes_no(
        fields.get("NTPSynchronized")
        or fields.get("System clock synchronized")
        or fields.get("NTP synchronized")
    )
    service = _yes_no(fields.get("NTP") or fields.get("NTP service") or fields.get("NTP enabled"))
    if synced is None and service is None:
        return _no_answer("timedatectl", text)
    server = fields.get("ServerName") or fields.get("ServerAddress") or None
    if server or "NTPMessage" in fields:
        daemon = "systemd-timesyncd"
    elif not synced and not service:
        daemon = "none"
    else:
        daemon = "unknown"
    state = "synchronised" if synced else "not synchronised"
    via = f" to {server}" if server else ""
    service_text = {True: "NTP service on", False: "NTP service off", None: "NTP service unknown"}
    return TimeSync(daemon, synced, server, None, f"clock {state}{via} ({service_text[service]})")


def parse_ntpq_peers(text: str) -> TimeSync:
    """`ntpq -pn`: the peer marked `*` (or `o` for PPS) is the one ntpd follows. ntpq's offset
    is the peer minus this host, so the node's offset is its negation."""
    peers = _ntpq_rows(text)
    if not peers:
        if "No association" in text:
            return TimeSync("ntpd", False, None, None, "ntpd has no peers")
        return _no_answer("ntpq", text)
    chosen = next((fields for tally, fields in peers if tally in "*o"), None)
    if chosen is None:
        return TimeSync("ntpd", False, None, None, f"ntpd has selected none of {len(peers)} peers")
    remote, stratum, offset = chosen[0], chosen[2], -float(chosen[8])
    if _NTPD_LOCAL.match(remote):
        detail = f"ntpd follows its own local clock ({remote}), no NTP server"
        return TimeSync("ntpd", False, "local clock", offset, detail)
    detail = f"ntpd synchronised to {remote} (stratum {stratum}){_offset_text(offset)}"
    return TimeSync("ntpd", True, remote, offset, detail)


def parse_w32tm_status(text: str) -> TimeSync:
    """`w32tm /query /status` (English). It shows no offset; leap 3, stratum 0 or 16, and the
    local CMOS or free-running clock as source all mean unsynchronised."""
    fields = _fields(text, ":")
    if "Source" not in fields:
        return _no_answer("w32tm", text)
    source = re.sub(r",0x[0-9A-Fa-f]+$", "", fields["Source"]).strip()
    leap = fields.get("Leap Indicator", "").split("(")[0].strip()  # "3(not synchronized)"
    stratum = fields.get("Stratum", "").split(" ")[0]
    synced = not (leap == "3" or stratum in ("0", "16") or source in _W32TM_UNSYNCED_SOURCES)
    if not synced:
        detail = f"Windows Time is not synchronised (source: {source}, leap indicator {leap})"
        return TimeSync("w32time", False, None, None, detail)
    detail = f"Windows Time synchronised to {source} (stratum {stratum or '?'})"
    return TimeSync("w32time", True, source, None, detail)


def _fields(text: str, separator: str) -> dict[str, str]:
    """`key <separator> value` lines; the first occurrence of a key wins."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, found, value = line.partition(separator)
        if found and key.strip():
            fields.setdefault(key.strip(), value.strip())
    return fields


def _chrony_offset(text: str) -> float | None:
    """'0.000012345 seconds slow of NTP time' -> -0.012345 (ms, node minus NTP)."""
    match = re.match(r"([\d.]+) seconds (slow|fast)", text)
    if not match:
        return None
    seconds = float(match.group(1))
    return seconds * 1000 * (-1 if match.group(2) == "slow" else 1)


def _ntpq_rows(text: str) -> list[tuple[str, list[str]]]:
    """(tally, columns) for each peer row after the `====` rule. ntpq puts a long remote
    address on a line of its own and the other columns on the next."""
    lines = text.splitlines()
    rule = next((i for i, line in enumerate(lines) if line.startswith("====")), None)
    if rule is None:
        return []
    rows: list[tuple[str, list[str]]] = []
    pending: tuple[str, list[str]] | None = None
    for line in lines[rule + 1 :]:
        tally, columns = line[:1], line[1:].split()
        if pending:
            tally, columns = pending[0], pending[1] + line.split()
            pending = None
        elif len(columns) == 1:
            pending = (tally, columns)
            continue
        if len(columns) >= 10:
            rows.append((tally, columns))
    return rows


def _yes_no(value: str | None) -> bool | None:
    if value in ("yes", "active"):
        return True
    if value in ("no", "inactive"):
        return False
    return None


def _offset_text(offset_ms: float | None) -> str:
    return "" if offset_ms is None else f", offset {offset_ms:+.3f} ms"


def _no_answer(tool: str, text: str) -> TimeSync:
    """The tool gave no status (daemon not running, command missing): no daemon answered, and
    whether the clock is synchronised is unknown."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "no output")
    return TimeSync("none", None, None, None, f"{tool}: {first}")
