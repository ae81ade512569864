"""Clock offsets of the nodes, and the verdict on each.

A node's clock is read over SSH with Cristian's algorithm: note the local time, read the remote
clock, note the local time again, and assume the read happened halfway. The error is at most half
the round trip, so only skew beyond that bound is reported. Pure arithmetic: collect/ does the
sampling. Times are seconds since the epoch; results are milliseconds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from clustercheck.engine.results import Status
from clustercheck.facts.clock import ClockSample, NtpReference, Offset
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.inventory.settings import NtpSettings
from clustercheck.units import milliseconds


@dataclass(frozen=True)
class Sample:
    """One reading: local send time, remote clock, local receive time (all `time.time()`)."""

    t0: float
    remote: float
    t1: float


@dataclass(frozen=True)
class Judgement:
    status: Status  # pass, warn or fail
    message: str


@dataclass(frozen=True)
class NodeClock:
    """One reachable node's clock as the run judges it: its offset from the reference (NTP when
    a server answered, else clustercheck's own clock) with the verdict on it; or why there is
    none (`error`: the sampling failed; neither: no sample, the node is offline)."""

    node: str
    offset: Offset | None = None
    verdict: Judgement | None = None
    error: str | None = None


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


def judge_offset(
    offset_ms: float, uncertainty_ms: float, warn_ms: float, fail_ms: float, *, spread: bool = False
) -> Judgement:
    """Flag only skew that is proven: |offset| minus the error bound beyond a threshold. When
    the bound alone exceeds the warning threshold and no skew is proven, the measurement is too
    coarse to tell, which warns but never fails. An offset is said with its sign (ahead or
    behind); a `spread` (the distance between two clocks) has none."""
    value = milliseconds(offset_ms) if spread else f"offset {milliseconds(offset_ms, signed=True)}"
    measured = f"{value} ± {milliseconds(uncertainty_ms)}"
    least = abs(offset_ms) - uncertainty_ms
    for status, threshold in ((Status.FAIL, fail_ms), (Status.WARN, warn_ms)):
        if least > threshold:
            proven = f"at least {milliseconds(least, places=0)}, beyond {threshold:g} ms"
            return Judgement(status, f"{measured}: {proven}")
    if uncertainty_ms > warn_ms:
        return Judgement(
            Status.WARN,
            f"{measured}: the measurement is too coarse to judge against {warn_ms:g} ms",
        )
    return Judgement(Status.PASS, measured)


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


def reference_name(reference: NtpReference | None) -> str:
    """What the offsets are measured against, in words."""
    if reference is not None and reference.server is not None:
        return f"NTP ({reference.server})"
    return "clustercheck's clock (no NTP reference)"


def node_clocks(facts: ClusterFacts) -> tuple[NodeClock, ...]:
    """Every reachable node's clock against the reference, judged against `ntp.warn_ms` and
    `ntp.fail_ms`: CC401 reports these verdicts and the clock view shows them, so both say the
    same even when CC401 is not selected."""
    return tuple(
        _node_clock(node.name, node.live.clock, facts)
        for node in facts.nodes.values()
        if node.reachable
    )


def _node_clock(name: str, clock: ClockSample | None, facts: ClusterFacts) -> NodeClock:
    if clock is None:
        return NodeClock(name)
    offset = clock.offset
    if offset is None:
        return NodeClock(name, error=clock.error)
    reference = facts.local.reference
    if reference is not None and reference.offset_ms is not None and reference.delay_ms is not None:
        offset = node_offset_vs_reference(offset, reference.offset_ms, reference.delay_ms / 2)
    return NodeClock(name, offset, judged(offset, facts.settings.ntp))


def judged(offset: Offset, ntp: NtpSettings) -> Judgement:
    return judge_offset(offset.offset_ms, offset.uncertainty_ms, ntp.warn_ms, ntp.fail_ms)
