"""What a node prints about time: timestamps from its clock (`date +%s.%N` and its cousins)
and its time daemon's own account (chronyc tracking, timedatectl, ntpq -pn, w32tm /query
/status), as typed records. Never raise: output a parser does not know is "unknown"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from clustercheck.units import milliseconds


@dataclass(frozen=True)
class TimeSync:
    """What a node's time daemon says. offset_ms is the node's clock minus its reference."""

    daemon: str  # chrony | ntpd | systemd-timesyncd | w32time | unknown | none
    synchronised: bool | None  # None: the tool did not answer, so nobody knows
    source: str | None  # the reference the node follows
    offset_ms: float | None
    detail: str  # one line for the report


# Whole seconds of at most 12 digits (the year 33658): a line of 400 digits is no time, and as a
# float it would be infinite.
_TIMESTAMP = re.compile(r"^(\d{1,12})(?:[.,](\d+)|\.%?N|\.)?$")
# A decimal as the time daemons print one (`0.000012345`, `-0.153`); `1.2.3`, `nan` or 400
# digits are not one.
_DECIMAL = re.compile(r"[+-]?\d{1,12}(?:\.\d{1,18})?")


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
    remote, stratum, offset = chosen[0], chosen[2], _decimal(chosen[8])
    offset = None if offset is None else -offset
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
    match = re.match(r"(\S+) seconds (slow|fast)", text)
    seconds = _decimal(match.group(1)) if match else None
    if match is None or seconds is None:
        return None
    return seconds * 1000 * (-1 if match.group(2) == "slow" else 1)


def _decimal(text: str) -> float | None:
    """A number a time daemon printed, or None when it is not one (see _DECIMAL)."""
    return float(text) if _DECIMAL.fullmatch(text) else None


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
    return "" if offset_ms is None else f", offset {milliseconds(offset_ms, signed=True, places=3)}"


def _no_answer(tool: str, text: str) -> TimeSync:
    """The tool gave no status (daemon not running, command missing): no daemon answered, and
    whether the clock is synchronised is unknown."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "no output")
    return TimeSync("none", None, None, None, f"{tool}: {first}")
