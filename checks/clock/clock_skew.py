"""CC401 clock-skew."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clustercheck.derive.clock import judge_offset, reference_name, spread
from clustercheck.derive.derived import Derived
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, errored, skipped, warned
from clustercheck.facts.clock import Offset
from clustercheck.facts.cluster import ClusterFacts


@check("CC401", "clock-skew", scope=Scope.CLUSTER, roles=("apache", "tomcat"), live=True)
def clock_skew(cluster: ClusterFacts, derived: Derived) -> Iterator[Finding]:
    """Each node's clock is close to NTP time, and the nodes are close to each other.

    Each node's clock is sampled over its open SSH connection on one warm channel; the sample
    with the smallest round trip gives the offset from clustercheck's clock, with half that round
    trip as its uncertainty. clustercheck's own offset from the inventory's NTP servers (the best
    answer by delay) turns that into an offset from NTP time. A node is flagged only when the
    offset minus its uncertainty exceeds `ntp.warn_ms` or `ntp.fail_ms` (defaults 100 and 1000);
    the spread between the fastest and slowest node is judged against `ntp.spread_warn_ms` and
    `ntp.spread_fail_ms` (the same defaults). Unreachable NTP servers are reported, not fatal.

    ## Why it matters
    Session replication carries timestamps from the sending node: with skewed clocks, sessions
    arriving in a state transfer look too old or too young (early expiry, "logged out after a
    node restart"), messages queued during startup are dropped by their timestamp, and the
    EncryptInterceptor of recent Tomcats rejects messages outside a 10-second window. The
    how-to's own advice: every node must show the same time, best from one NTP server.

    ## How to fix
    Run an NTP client (chrony, ntpd, systemd-timesyncd, w32time) on every node, all following
    the same NTP servers (see CC402); step a clock that is far off once (`chronyc makestep`).
    Defaults of 100 ms and 1 s are deliberately tighter than Nagios's check_ntp_time (60/120 s):
    a cluster needs its nodes to agree, not just to be roughly right.
    """
    ntp = cluster.settings.ntp
    reference = cluster.local.reference
    if reference is not None and reference.errors:
        failing = "; ".join(f"{s}: {e}" for s, e in reference.errors.items())
        yield warned(f"NTP server(s) did not answer: {failing}", details=reference.to_json())
    versus = reference_name(reference)
    offsets: dict[str, Offset] = {}
    for clock in derived.clocks:
        if clock.offset is None or clock.verdict is None:
            if clock.error is None:
                yield skipped("offline: no clock sample", node=clock.node)
            else:
                yield errored(f"could not measure the clock: {clock.error}", node=clock.node)
            continue
        offsets[clock.node] = clock.offset
        yield Finding(
            clock.verdict.status,
            f"{clock.verdict.message} against {versus}",
            node=clock.node,
            details=_details(clock.offset),
        )
    if len(offsets) > 1:
        span, bound, (behind, ahead) = spread(offsets)
        verdict = judge_offset(span, bound, ntp.spread_warn_ms, ntp.spread_fail_ms, spread=True)
        yield Finding(
            verdict.status,
            f"spread between nodes: {verdict.message} ({ahead} ahead of {behind})",
            details={
                "spread_ms": round(span, 3),
                "uncertainty_ms": round(bound, 3),
                "behind": behind,
                "ahead": ahead,
            },
        )


def _details(offset: Offset) -> dict[str, Any]:
    return {
        "offset_ms": round(offset.offset_ms, 3),
        "uncertainty_ms": round(offset.uncertainty_ms, 3),
        "rtt_ms": round(offset.rtt_ms, 3),
    }
