"""The reference time: clustercheck's own clock against the inventory's NTP servers.

Every server is asked at once (NTP v3), unanswered or unsynchronised servers are reported, not
fatal, and the answer with the smallest delay wins: its offset tells how far clustercheck's clock
is from true time, which turns each node's offset from clustercheck into an offset from NTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

NTP_TIMEOUT_S = 2.0
NTP_VERSION = 3  # ntplib's default, 2, is older than every server it meets
UNSYNCHRONISED_STRATA = (0, 16)


def query_reference(servers: Sequence[str]) -> dict[str, Any]:
    """{"server", "offset_ms", "delay_ms", "stratum", "errors"} (offset = NTP - local)."""
    if not servers:
        return {"errors": {}, "server": None}
    with ThreadPoolExecutor(max_workers=min(8, len(servers))) as pool:
        answers = list(pool.map(_ask, servers))
    usable = [a for a in answers if "error" not in a]
    errors = {a["server"]: a["error"] for a in answers if "error" in a}
    if not usable:
        return {"errors": errors, "server": None}
    best = min(usable, key=lambda a: a["delay_ms"])
    return {**best, "errors": errors}


def _ask(server: str) -> dict[str, Any]:
    import ntplib  # only a live run with NTP servers pays for it

    try:
        stats = ntplib.NTPClient().request(server, version=NTP_VERSION, timeout=NTP_TIMEOUT_S)
    except (ntplib.NTPException, OSError) as exc:
        return {"server": server, "error": str(exc).splitlines()[0] or type(exc).__name__}
    if stats.leap == 3 or stats.stratum in UNSYNCHRONISED_STRATA:
        return {
            "server": server,
            "error": f"not synchronised itself (stratum {stats.stratum}, leap {stats.leap})",
        }
    return {
        "server": server,
        "offset_ms": round(stats.offset * 1000, 3),
        "delay_ms": round(stats.delay * 1000, 3),
        "stratum": stats.stratum,
    }
