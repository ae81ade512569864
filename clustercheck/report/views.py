"""Views: the tables a person would rather look at than read findings for (the JVMs side by
side, the clock offsets, the multicast matrix). Built from facts and results, shared by every
renderer."""

from __future__ import annotations

from typing import Any

from clustercheck.derive.membership import matrix
from clustercheck.derive.membership_view import membership_view
from clustercheck.facts.jvm import JvmFacts
from clustercheck.report.model import Report


def build_views(report: Report) -> dict[str, Any]:
    views: dict[str, Any] = {"versions": _versions(report)}
    clocks = _clocks(report)
    if clocks["nodes"]:
        views["clocks"] = clocks
    membership = membership_view(report.facts)
    if membership is not None:
        views["multicast"] = {
            "members": membership.members,
            "matrix": matrix(membership),
            "window_s": _window(report),
        }
    return views


def _window(report: Report) -> float | None:
    """How long the members listened (one window for all)."""
    windows = [n.live.multicast.window_s for n in report.facts.tomcats if n.live.multicast]
    return max(windows, default=None)


def jvm_summary(jvm: JvmFacts | None) -> dict[str, Any] | None:
    """The JVM as the report's node summary and versions view show it."""
    if jvm is None or jvm.error is not None:
        return None
    return {"version": jvm.version, "vendor": jvm.vendor, "vm": jvm.vm, "bits": jvm.bits}


def _versions(report: Report) -> list[dict[str, Any]]:
    return [
        {
            "node": n.name,
            "tomcat": n.tomcat.version if n.tomcat else None,
            "jvm": jvm_summary(n.live.jvm),
        }
        for n in report.facts.nodes.values()
        if n.tomcat
    ]


def _clocks(report: Report) -> dict[str, Any]:
    """Offsets as CC401 judged them (against NTP when there was a reference)."""
    reference = report.facts.local.reference
    nodes = [
        {
            "node": r.node,
            "offset_ms": r.details["offset_ms"],
            "uncertainty_ms": r.details["uncertainty_ms"],
            "status": r.status.value,
        }
        for r in report.results
        if r.code == "CC401" and r.node and "offset_ms" in r.details
    ]
    return {
        "reference": {
            "server": reference.server,
            "stratum": reference.stratum,
            "delay_ms": reference.delay_ms,
        }
        if reference and reference.server
        else None,
        "nodes": nodes,
    }
