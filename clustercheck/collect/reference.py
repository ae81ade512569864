"""The reference time: clustercheck's own clock against the inventory's NTP servers.

Every server is asked at once (NTP v3), unanswered or unsynchronised servers are reported, not
fatal, and the answer with the smallest delay wins: its offset tells how far clustercheck's clock
is from true time, which turns each node's offset from clustercheck into an offset from NTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from clustercheck.facts.clock import NtpReference

NTP_TIMEOUT_S = 2.0
NTP_VERSION = 3  # ntplib's default, 2, is older than every server it meets
UNSYNCHRONISED_STRATA = (0, 16)


def query_reference(servers: Sequence[str]) -> NtpReference:
    """The best answer (offset = NTP - local) and why the other servers failed."""
    if not servers:
        return NtpReference()
    with ThreadPoolExecutor(max_workers=min(8, len(servers))) as pool:
        answers = dict(zip(servers, pool.map(_ask, servers), strict=True))
    errors = {server: a for server, a in answers.items() if isinstance(a, str)}
    usable = [a for a in answers.values() if isinstance(a, NtpReference)]
    if not usable:
        return NtpReference(errors=errors)
    best = min(usable, key=lambda a: float("inf") if a.delay_ms is None else a.delay_ms)
    return replace(best, errors=errors)


def _ask(server: str) -> NtpReference | str:
    """One server's answer, or why there is none."""
    import ntplib  # only a live run with NTP servers pays for it

    try:
        stats = ntplib.NTPClient().request(server, version=NTP_VERSION, timeout=NTP_TIMEOUT_S)
    except (ntplib.NTPException, OSError) as exc:
        return (str(exc).splitlines() or [""])[0] or type(exc).__name__
    if stats.leap == 3 or stats.stratum in UNSYNCHRONISED_STRATA:
        return f"not synchronised itself (stratum {stats.stratum}, leap {stats.leap})"
    return NtpReference(
        server=server,
        offset_ms=round(stats.offset * 1000, 3),
        delay_ms=round(stats.delay * 1000, 3),
        stratum=stats.stratum,
    )
